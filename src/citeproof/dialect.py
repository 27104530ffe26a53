"""BibTeX and biblatex read as one entry model (pure, no I/O).

Every entry type of both dialects maps to one of the formats the Vancouver style sets
(:data:`KINDS`: a journal article, a book, a chapter, a conference paper, proceedings, a
report, a thesis, a web page, a dataset, software, a patent, a preprint, or a
miscellaneous work). biblatex's field names are read as their BibTeX twins and back
(:data:`FIELD_ALIASES`: ``journaltitle`` for ``journal``, ``location`` for ``address``,
``institution`` and ``school``); its ``date`` gives the year and month BibTeX writes in
``year`` and ``month`` (:mod:`citeproof.dates`); its ``subtitle`` and ``titleaddon``
complete the title (:func:`full_title`), and ``maintitle``, ``booksubtitle`` and
``booktitleaddon`` the title of the book a part belongs to (:func:`book_title`).
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import quote

from .dates import month_number, parse_date

__all__ = ["DEFAULT_PUBLISHERS", "DISPLAYED_FIELDS", "EPRINTS", "FIELD_ALIASES", "GENERIC_TYPES", "KINDS",
           "PUBLISHERS", "book_title", "eprint_archive", "eprint_url", "full_title", "kind_of",
           "known_type", "patent_office", "publisher_of", "raw_field", "thesis_degree", "work_title"]

#: The formats, by entry type (lower case), of BibTeX's and biblatex's standard types.
KINDS: dict[str, str] = {
    "article": "article", "periodical": "article", "suppperiodical": "article",
    "book": "book", "mvbook": "book", "booklet": "book", "collection": "book", "mvcollection": "book",
    "reference": "book", "mvreference": "book", "manual": "book", "bookinbook": "chapter",
    "inbook": "chapter", "incollection": "chapter", "inreference": "chapter", "suppbook": "chapter",
    "suppcollection": "chapter",
    "inproceedings": "paper", "conference": "paper",
    "proceedings": "proceedings", "mvproceedings": "proceedings",
    "techreport": "report", "report": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage",
    "dataset": "dataset", "data": "dataset",
    "software": "software", "patent": "patent",
    "misc": "misc", "unpublished": "misc",
}
#: biblatex's other standard types: set as miscellaneous works, without a warning.
GENERIC_TYPES = frozenset("""artwork audio bibnote commentary image jurisdiction legislation legal
letter movie music performance review standard video set xdata customa customb customc customd
custome customf""".split())

#: The fields a reference shows, exports or puts in the page's metadata as text: LaTeX left
#: undecoded in one of them would reach a reader (others, ``url`` or ``keywords`` say, do not).
DISPLAYED_FIELDS = frozenset("""title subtitle titleaddon booktitle booksubtitle booktitleaddon
maintitle mainsubtitle maintitleaddon journal journaltitle journalsubtitle shortjournal issuetitle
eventtitle venue publisher series address location note howpublished edition school institution
organization type chapter author editor volume number pages year date month urldate version
eprintclass primaryclass""".split())

#: biblatex's names for BibTeX's fields and back: reading one, the first present wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "journal": ("journal", "journaltitle"), "journaltitle": ("journaltitle", "journal"),
    "address": ("address", "location"), "location": ("location", "address"),
    "school": ("school", "institution"), "institution": ("institution", "school"),
    "eprinttype": ("eprinttype", "archiveprefix"), "archiveprefix": ("archiveprefix", "eprinttype"),
    "eprintclass": ("eprintclass", "primaryclass"), "primaryclass": ("primaryclass", "eprintclass"),
}


def raw_field(get: Callable[[str], str], name: str) -> str:
    """Field ``name`` of an entry whose fields ``get`` reads (as written), with biblatex's
    and BibTeX's names read alike, and ``year``/``month``/``day`` from ``date`` where the
    entry has no such field (``month`` as a number)."""
    for alias in FIELD_ALIASES.get(name, (name,)):
        value = get(alias)
        if value:
            break
    else:
        value = ""
    if name == "month":
        number = month_number(value) or parse_date(get("date")).month
        return str(number) if number else ""
    if name == "day":
        return str(parse_date(get("date")).day or "") if not value else value
    if name == "year" and not value:
        return parse_date(get("date")).year
    return value


def kind_of(entry_type: str, get: Callable[[str], str]) -> str:
    """The format an entry is set in (:data:`KINDS`); a miscellaneous work, an article or
    a web page with an ``eprint`` and no journal is a preprint; any other type, known or
    not, is a miscellaneous work."""
    kind = KINDS.get(entry_type.lower(), "misc")
    if kind in ("misc", "article", "webpage") and get("eprint") and not raw_field(get, "journal"):
        return "preprint"
    return kind


def known_type(entry_type: str) -> bool:
    """Whether BibTeX or biblatex defines the type (else it falls back, with a warning)."""
    return entry_type.lower() in KINDS or entry_type.lower() in GENERIC_TYPES


def full_title(get: Callable[[str], str]) -> str:
    """The title with biblatex's ``subtitle`` and ``titleaddon`` (as written): ``Title:
    Subtitle. Addon``."""
    return _joined(get("title"), get("subtitle"), get("titleaddon"))


def work_title(get: Callable[[str], str]) -> str:
    """The title of a whole work (a book, proceedings): after biblatex's ``maintitle`` of a
    work in several volumes (``Main title. Vol. 2, Title``), else :func:`full_title`."""
    own = full_title(get)
    main = _joined(get("maintitle"), get("mainsubtitle"), get("maintitleaddon"))
    if not main:
        return own
    volume = get("volume")
    return f"{main}. Vol. {volume}, {own}" if volume and own else f"{main}. {own}" if own else main


def book_title(get: Callable[[str], str]) -> str:
    """The title of what a part belongs to (as written): ``booktitle`` with its subtitle
    and addon, after the ``maintitle`` of a multi-volume work (``Main title. Vol. 2, Book
    title``)."""
    book = _joined(get("booktitle"), get("booksubtitle"), get("booktitleaddon"))
    main = _joined(get("maintitle"), get("mainsubtitle"), get("maintitleaddon"))
    if main and book:
        volume = get("volume")
        return f"{main}. Vol. {volume}, {book}" if volume else f"{main}. {book}"
    return main or book


def _joined(title: str, subtitle: str, addon: str) -> str:
    text = title.strip()
    if subtitle.strip():
        text = f"{text}: {subtitle.strip()}" if text and not text.endswith(("?", "!", ":")) else \
            f"{text} {subtitle.strip()}".strip()
    if addon.strip():
        text = f"{text}. {addon.strip()}" if text and not text.endswith((".", "?", "!")) else \
            f"{text} {addon.strip()}".strip()
    return text


#: Who published a work, by format: the first of these fields an entry has (each read with
#: its biblatex twin, so a thesis's ``school`` is also biblatex's ``institution``).
PUBLISHERS: dict[str, tuple[str, ...]] = {
    "thesis": ("school", "publisher"),
    "report": ("institution", "publisher", "organization"),
    "webpage": ("publisher", "organization", "howpublished"),
    "paper": ("publisher", "organization"),
    "proceedings": ("publisher", "organization"),
    "misc": ("publisher", "organization", "howpublished", "institution"),
    "preprint": ("publisher", "organization", "institution"),
}
DEFAULT_PUBLISHERS = ("publisher", "organization", "howpublished", "institution")


def publisher_of(kind: str, get: Callable[[str], str]) -> str:
    """Who published a work of format ``kind`` (:data:`PUBLISHERS`), as written."""
    for name in PUBLISHERS.get(kind, DEFAULT_PUBLISHERS):
        value = raw_field(get, name)
        if value:
            return value
    return ""


def thesis_degree(entry_type: str, thesis_type: str) -> str:
    """How Citing Medicine names a thesis: ``dissertation`` (a doctoral one),
    ``master's thesis``, ``bachelor's thesis``, else biblatex's ``type`` as written or
    ``thesis``."""
    wanted = (thesis_type or entry_type).strip().lower()
    for words, degree in _DEGREES:
        if any(word in wanted for word in words):
            return degree
    return thesis_type.strip() or "thesis"


_DEGREES = ((("master", "mathesis", "msc", "m.sc"), "master's thesis"),
            (("phd", "ph.d", "doctor", "dissertation", "dphil"), "dissertation"),
            (("bachelor", "bathesis", "bsc", "b.sc"), "bachelor's thesis"))

#: biblatex's patent types (``patentus``, ``patreqde``) and the office each names.
_PATENT_OFFICES = {"us": "United States", "uk": "United Kingdom", "de": "German", "eu": "European",
                   "fr": "French", "jp": "Japanese", "wo": "International"}


def patent_office(patent_type: str, location: str) -> str:
    """``United States patent`` (Citing Medicine ch. 16) from biblatex's ``type``
    (``patentus``; ``patrequs`` is an application), else the ``location``, else ``Patent``;
    a ``type`` that is no biblatex key is shown as written."""
    key = patent_type.strip().lower()
    if key.startswith(("patent", "patreq")):
        country = _PATENT_OFFICES.get(key.removeprefix("patent").removeprefix("patreq"), "")
        what = "patent application" if key.startswith("patreq") else "patent"
        return f"{country} {what}" if country else what.capitalize()
    if key:
        return patent_type.strip()
    return f"{location.strip()} patent" if location.strip() else "Patent"


#: e-print archives: biblatex's ``eprinttype`` (or BibTeX's ``archiveprefix``) -> the label
#: shown and the address of a record (https only; the identifier is quoted).
EPRINTS: dict[str, tuple[str, str]] = {
    "arxiv": ("arXiv", "https://arxiv.org/abs/{}"),
    "hdl": ("hdl", "https://hdl.handle.net/{}"), "handle": ("hdl", "https://hdl.handle.net/{}"),
    "jstor": ("JSTOR", "https://www.jstor.org/stable/{}"),
    "pubmed": ("PMID", "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    "googlebooks": ("Google Books", "https://books.google.com/books?id={}"),
    "biorxiv": ("bioRxiv", ""), "medrxiv": ("medRxiv", ""), "ssrn": ("SSRN", ""),
}


def eprint_archive(eprint_type: str) -> tuple[str, str]:
    """(archive key, label) of an ``eprinttype``: ``("arxiv", "arXiv")``; an unknown one
    as written; ``("", "")`` for none."""
    key = eprint_type.strip().lower()
    return (key, EPRINTS[key][0]) if key in EPRINTS else (key, eprint_type.strip())


def eprint_url(archive: str, eprint: str) -> str:
    """The https address of an e-print in a known archive, else ``""``."""
    template = EPRINTS.get(archive, ("", ""))[1]
    eprint = eprint.strip()
    if not template or not eprint or any(c.isspace() for c in eprint):
        return ""
    return template.format(quote(eprint, safe="/:.-_"))
