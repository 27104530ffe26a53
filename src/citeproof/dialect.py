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

import re
from typing import Callable
from urllib.parse import quote

from .dates import Date, month_number, parse_date, season_number

__all__ = ["BIBSTRINGS", "DEFAULT_PUBLISHERS", "DISPLAYED_FIELDS", "EPRINTS", "FIELD_ALIASES", "GENERIC_TYPES",
           "KEYED_FIELDS", "KINDS", "LIST_FIELDS", "PLACE_FIELDS", "PUBLISHERS", "book_title", "dated_issue", "eprint_archive",
           "eprint_url", "full_title", "is_eprint", "issue_title", "journal_issue", "journal_series", "kind_of", "known_type",
           "list_items", "localized", "ordinal", "patent_office", "publisher_of", "raw_field", "thesis_degree",
           "unlabelled", "work_title"]

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
    a web page with an e-print (:func:`is_eprint`) and no journal is a preprint; any other
    type, known or not, is a miscellaneous work."""
    kind = KINDS.get(entry_type.lower(), "misc")
    if kind in ("misc", "article", "webpage") and is_eprint(get) and not raw_field(get, "journal"):
        return "preprint"
    return kind


def is_eprint(get: Callable[[str], str]) -> bool:
    """Whether an entry's ``eprint`` is an e-print: the bib names its archive
    (``eprinttype`` or ``archiveprefix``), or it reads as an arXiv identifier
    (``1706.03762``, ``hep-th/9603067v2``). biblatex-apa writes a site's name there
    (``eprint = {Facebook}``): that is no e-print."""
    eprint = get("eprint").strip()
    return bool(eprint) and (bool(raw_field(get, "eprinttype").strip()) or bool(_ARXIV_ID.fullmatch(eprint)))


#: an arXiv identifier: ``1706.03762`` (since 2007), ``hep-th/9603067`` (before), a version after it
_ARXIV_ID = re.compile(r"(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?", re.I)


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


def issue_title(get: Callable[[str], str]) -> str:
    """The title of a journal's issue (biblatex's ``issuetitle``, with its subtitle), as written."""
    return _joined(get("issuetitle"), get("issuesubtitle"), "")


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
    ``master's thesis``, ``bachelor's thesis``, else biblatex's ``type`` (a key read as its
    words, :func:`localized`) or ``thesis``."""
    thesis_type = localized("type", thesis_type)
    wanted = (thesis_type or entry_type).strip().lower()
    for words, degree in _DEGREES:
        if any(word in wanted for word in words):
            return degree
    return thesis_type.strip() or "thesis"


_DEGREES = ((("master", "mathesis", "msc", "m.sc"), "master's thesis"),
            (("phd", "ph.d", "doctor", "dissertation", "dphil"), "dissertation"),
            (("bachelor", "bathesis", "bsc", "b.sc"), "bachelor's thesis"))

#: biblatex's localisation keys (its bibstrings) that a bib may write as a field's whole value
#: where biblatex reads one (:data:`KEYED_FIELDS`), each as a reference prints it: in
#: Citing Medicine's words where it has its own ("United States patent", CM ch. 16), else
#: as biblatex's English strings (``english.lbx``) say it. biblatex-apa's three for an
#: unpublished manuscript's ``howpublished`` are here too. A key is never printed.
BIBSTRINGS: dict[str, str] = {
    # the type of a report, a thesis, a misc (biblatex's @report, @thesis, @misc)
    "techreport": "Technical report", "resreport": "Research report",
    "phdthesis": "PhD thesis", "mathesis": "Master's thesis", "candthesis": "Candidate thesis",
    "audiocd": "Audio CD", "datacd": "CD-ROM",
    # the type of a patent: the office that issued it (CM ch. 16: "United States patent")
    "patent": "Patent", "patentus": "United States patent", "patentuk": "United Kingdom patent",
    "patentde": "German patent", "patenteu": "European patent", "patentfr": "French patent",
    "patreq": "Patent application", "patrequs": "United States patent application",
    "patrequk": "United Kingdom patent application", "patreqde": "German patent application",
    "patreqeu": "European patent application", "patreqfr": "French patent application",
    # the countries in a patent's location
    "countryus": "United States", "countryuk": "United Kingdom", "countryde": "Germany",
    "countryfr": "France", "countryeu": "European Union", "countryep": "European Union",
    # pubstate
    "inpreparation": "in preparation", "submitted": "submitted", "forthcoming": "forthcoming",
    "inpress": "in press", "prepublished": "pre-published",
    # the series of a journal
    "newseries": "new series", "oldseries": "old series",
    # the role of an editor (editortype, editoratype ...)
    "editor": "editor", "compiler": "compiler", "founder": "founder", "continuator": "continuator",
    "redactor": "redactor", "reviser": "reviser", "collaborator": "collaborator", "organizer": "organizer",
    # biblatex-apa's howpublished of an @unpublished manuscript
    "manunpub": "Unpublished manuscript", "maninprep": "Manuscript in preparation",
    "mansub": "Manuscript submitted for publication",
}
#: The fields whose value biblatex reads as a localisation key, when it is one (each list
#: item of ``location``, ``address``): read with :func:`localized`.
KEYED_FIELDS = frozenset({"type", "pubstate", "series", "howpublished", "location", "address",
                          "editortype", "editoratype", "editorbtype", "editorctype"})
#: biblatex's lists that are places: its items are separated by "and" (a braced "and" is
#: part of an item). Publishers are not read as lists: "and" in a publisher is as often part
#: of its name ("Springer Science and Business Media LLC") as biblatex's separator.
PLACE_FIELDS = frozenset({"location", "address"})
#: the lists the loader splits as biblatex does before it decodes them
#: (``Reference.places``, ``Reference.translators``; ``author`` and ``editor`` it reads as
#: people too)
LIST_FIELDS = PLACE_FIELDS | {"translator"}


def localized(name: str, value: str) -> str:
    """Field ``name``'s value (decoded, or as written) with a biblatex key read as its words
    (:data:`BIBSTRINGS`): ``type = {resreport}`` -> ``Research report``, ``location =
    {countryfr and countryde}`` -> ``France and Germany``; anything else as it is."""
    if name not in KEYED_FIELDS or not value:
        return value
    if name in PLACE_FIELDS:
        return " and ".join(localized("type", item) for item in list_items(value))
    return BIBSTRINGS.get(value.strip(), value)


def list_items(value: str) -> list[str]:
    """The items of a biblatex list (``Durham and London``; a braced ``{Johnson and
    Johnson}`` is one item), stripped."""
    if not _AND.search(value):
        return [value.strip()]
    from pybtex.bibtex.utils import split_name_list  # (pybtex, only for a list of several)
    return [item.strip() for item in split_name_list(value)]


_AND = re.compile(r"\sand\s", re.I)


def journal_issue(number: str, issue: str) -> tuple[str, int]:
    """(the issue an article reference gives, the season) of an article's ``number`` and
    biblatex's ``issue``: a season (``Summer``) goes with the date (Citing Medicine: "2002
    Summer"), anything else with the issue number, as Citing Medicine adds a supplement or a
    part to it (``12 Suppl 7``; a second number after a comma: ``3, 138``)."""
    season = season_number(issue)
    if season or not issue:
        return number, season
    if not number:
        return issue, 0
    return f"{number}{', ' if issue[:1].isdigit() else ' '}{issue}", 0


def dated_issue(number: str, issue: str, date: Date) -> tuple[str, Date]:
    """(the issue an article reference gives, its date): :func:`journal_issue`, with the
    season that ``issue`` names given to a ``date`` that has no month or season of its own."""
    text, season = journal_issue(number, issue)
    if season and not (date.month or date.season):
        date = date._replace(season=season)
    return text, date


def journal_series(series: str) -> str:
    """The series of a journal as a reference names it with the journal's title (biblatex's
    ``series`` of an article, decoded, its key read): a number as its ordinal, ``3`` ->
    ``3rd series``; anything else as it is (``new series``)."""
    series = series.strip()
    return f"{ordinal(int(series))} series" if series.isascii() and series.isdigit() else series


def ordinal(n: int) -> str:
    """``1`` -> ``1st``, ``2`` -> ``2nd``, ``11`` -> ``11th``, ``23`` -> ``23rd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def unlabelled(number: str) -> str:
    """A number or volume without the label the bib may give it, so a reference does not
    print it twice: ``no. 80`` -> ``80``, ``Vol.~5.2`` (decoded) -> ``5.2``."""
    return _LABEL.sub("", number, count=1) if number[:1].isalpha() else number


#: a label that opens a number or volume: ``no.``, ``Nr.``, ``Vol.``, or the word before a digit
_LABEL = re.compile(r"^(?:(?:no|nr|vol)\.|(?:no|nr|number|vol|volume)(?=\s+\d))\s*", re.I)


def patent_office(patent_type: str, location: str) -> str:
    """``United States patent`` (Citing Medicine ch. 16) from biblatex's ``type``
    (``patentus``; ``patrequs`` is an application), else from the countries of its
    ``location`` (``countryfr and countryde``: ``France, Germany patent``), else
    ``Patent``; a ``type`` that is no biblatex key is shown as written."""
    kind = localized("type", patent_type.strip())
    if kind.lower() not in ("", "patent", "patent application"):
        return kind
    countries = ", ".join(filter(None, list_items(localized("location", location)))) if location.strip() else ""
    what = kind.lower() or "patent"
    return f"{countries} {what}" if countries else what.capitalize()


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
