"""A reference as its exports read it (pure, no I/O): one :class:`Work` per entry.

The take-away formats (RIS, CSL-JSON and COinS, :mod:`citeproof.exports`) and the page's
metadata (Highwire tags and schema.org JSON-LD, :mod:`citeproof.render`) carry the same
values, read here once by the entry's format (``Reference.kind``) with the dialect's
helpers, as the style reads them: biblatex's and BibTeX's field names alike, the title of
a whole work after biblatex's ``maintitle`` (:func:`~citeproof.dialect.work_title`), the
book or proceedings a part is in (:func:`~citeproof.dialect.book_title`), who published it
(:func:`~citeproof.dialect.publisher_of`), the dates of ``year``/``month``/``day`` or of
biblatex's ``date`` (:mod:`citeproof.dates`). Every value is the entry's decoded text
(the loader decoded the TeX), so no export carries raw TeX.

A series' number is the ``number`` of a book (or a part of one) in a series, else its
``volume`` (as the style prints it: "(Series; no. N)" or "(Series; vol. N)"): it is never
a journal issue.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

from .dates import Date, parse_date, season_number
from .dialect import FIELD_ALIASES, KEYED_FIELDS, book_title, eprint_archive, eprint_url, full_title, issue_title, \
    dated_issue, journal_series, localized, patent_office, publisher_of, raw_field, thesis_degree, \
    unlabelled, work_title
from .identifiers import is_http_url
from .model import Author, Reference

__all__ = ["Work", "named", "page_range", "work_of"]

#: The formats whose ``number`` and ``volume`` are a book's: its number or volume in its
#: ``series`` when it has one.
BOOKISH = frozenset({"book", "chapter", "paper", "proceedings"})


class Work(NamedTuple):
    """What an export tells of one reference, in plain Unicode (``""``: not known). (A
    named tuple: made for every entry of a bib, it is made at a tuple's cost.)"""

    kind: str  #: the format (``Reference.kind``)
    #: the work's own title: a whole work's after biblatex's ``maintitle``; ``""`` for a
    #: classic BibTeX ``@inbook``, whose ``title`` is the book's (then :attr:`container`)
    title: str
    #: the journal, or the book or proceedings a part is in
    container: str
    in_book: bool  #: the container is a book or proceedings (not a journal)
    authors: tuple[Author, ...]  #: without BibTeX's "others"
    editors: tuple[Author, ...]
    translators: tuple[Author, ...]  #: biblatex's ``translator``
    #: when it was published (``year``/``month``/``day``, or ``date``; a season, as
    #: ``date = {2002-22}``, ``month = {summer}`` or an article's ``issue = {Summer}`` gives it)
    date: Date
    accessed: Date  #: when it was read on the web (``urldate``)
    urldate: str  #: ``urldate`` as written (for a value that is no date)
    event_title: str  #: the conference's name (``eventtitle``)
    event_date: Date  #: the conference's dates (``eventdate``)
    event_place: str  #: where the conference was held (``venue``)
    publisher: str  #: who published it (a thesis's school, a report's institution ...)
    #: where (``address``/``location``): the first of biblatex's places, as the list
    #: prints it; a patent's countries (``France, Germany``)
    place: str
    edition: str
    version: str
    #: what kind of work it is, in words: a thesis's degree ("dissertation"), a report's
    #: ``type``, a patent's office ("United States patent")
    genre: str
    volume: str  #: a journal's volume, or a book's in a work of several volumes
    #: a journal issue (an article's ``number``, with biblatex's ``issue`` as the list prints
    #: it: ``12 Suppl 7``)
    issue: str
    #: a report's or patent's number, or any other work's; a preprint's is its e-print
    #: (``arXiv:1706.03762``) when it has no other
    number: str
    #: the series a book is in; a journal's (an article's), as the list names it with the
    #: journal: ``3rd series``
    series: str
    series_number: str  #: its number (or volume) in the series
    chapter: str
    pages: str
    pagetotal: str
    holder: str  #: a patent's assignee
    isbn: str
    issn: str
    note: str
    status: str  #: biblatex's ``pubstate`` in words (``in press``)
    eprint: str  #: ``arXiv:1706.03762``: the e-print as the list shows it
    doi: str
    pmid: str
    pmcid: str
    #: its web address: the ``url`` when it is http(s), else the e-print's page
    url: str


def named(authors: Sequence[Author]) -> tuple[Author, ...]:
    """The authors without BibTeX's ``and others`` (it means "et al.", not a person)."""
    return tuple(a for a in authors if a.corporate or a.given or a.family != "others")


def page_range(pages: str) -> tuple[str, str]:
    """``("786", "792")`` for ``786-792``; ``("", "")`` for an article number or a list."""
    first, dash, last = pages.replace("--", "-").replace("\u2013", "-").partition("-")
    if not dash or "," in pages or not first.strip() or not last.strip():
        return "", ""
    return first.strip(), last.strip()


#: the works made, by the id of their reference (which each entry holds, so no other
#: object can have its id while it is here): every export of an entry reads its work, and
#: hashing a Reference for an ``lru_cache`` costs more than reading it again
_MADE: dict[int, tuple[Reference, Work]] = {}
_MADE_MAX = 8192


def work_of(ref: Reference) -> Work:
    """What the exports tell of ``ref`` (made once for each reference object)."""
    made = _MADE.get(id(ref))
    if made is not None and made[0] is ref:
        return made[1]
    if len(_MADE) >= _MADE_MAX:
        _MADE.clear()
    work = _MADE[id(ref)] = (ref, _work(ref))
    return work[1]


def _work(ref: Reference) -> Work:
    """The :class:`Work` of ``ref``, read by its format."""
    get, field = _readers(ref)
    kind = ref.kind
    title, container, in_book = _titles(ref, kind, get)
    volume, number, series_number = _numbers(kind, field)
    eprint, eprint_page = _eprint(field)
    issue, date = dated_issue(unlabelled(field("number")), field("issue"), _published(field, get)) \
        if kind == "article" else ("", _published(field, get))
    series = journal_series(field("series")) if kind == "article" else field("series")
    return Work(
        kind=kind, title=title, container=container, in_book=in_book, authors=named(ref.authors),
        editors=named(ref.editors), translators=named(ref.translators), date=date,
        accessed=parse_date(field("urldate")), urldate=field("urldate"), event_title=field("eventtitle"),
        event_date=parse_date(field("eventdate")), event_place=field("venue"), publisher=publisher_of(kind, get),
        place=_place(kind, ref.places),
        edition=field("edition"), version=field("version"), genre=_genre(ref.entry_type, kind, field),
        volume=volume, issue=issue, number=number or (eprint if kind == "preprint" else ""),
        series=series, series_number=series_number, chapter=field("chapter"), pages=ref.pages,
        pagetotal=field("pagetotal"), holder=field("holder"), isbn=field("isbn"), issn=field("issn"),
        note=field("note"), status=field("pubstate"), eprint=eprint, doi=ref.doi, pmid=ref.pmid, pmcid=ref.pmcid,
        url=ref.url if is_http_url(ref.url) else eprint_page)


def _readers(ref: Reference) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """``(get, field)`` of an entry: ``get`` reads a field's decoded text by the name the
    bib writes (``title`` is the whole title, so ``subtitle`` and ``titleaddon`` read as
    empty: the title holds them already), ``field`` by either dialect's name
    (:func:`~citeproof.dialect.raw_field`), a biblatex key read as its words
    (:func:`~citeproof.dialect.localized`)."""
    own: dict[str, str] = {}
    for name, text in ref.fields:
        own.setdefault(name, text)
    own.update({name: getattr(ref, name) for name in Reference.DECODED_ATTRIBUTES}, subtitle="", titleaddon="")

    def get(name: str) -> str:
        return own.get(name, "")

    def field(name: str) -> str:
        value = raw_field(get, name) if name in _READ_BY_DIALECT else own.get(name, "")
        return localized(name, value) if name in KEYED_FIELDS else value
    return get, field


#: the names :func:`~citeproof.dialect.raw_field` reads otherwise than as written (a
#: biblatex or BibTeX twin, or a part of ``date``); any other name is read as written
_READ_BY_DIALECT = frozenset(FIELD_ALIASES) | {"year", "month", "day"}


def _titles(ref: Reference, kind: str, get: Callable[[str], str]) -> tuple[str, str, bool]:
    """(the work's own title, the journal or book it is in, whether that is a book); a
    biblatex ``@periodical`` without a journal is an issue: its ``issuetitle`` in the
    journal its ``title`` names."""
    if ref.entry_type.lower() == "periodical" and not ref.journal:
        return issue_title(get), full_title(get) or ref.title, False
    if kind in ("book", "proceedings"):
        return work_title(get), "", False
    book = book_title(get) if kind in ("chapter", "paper", "misc") else ""
    if book:
        return ref.title, book, True
    if kind == "chapter":  # classic BibTeX @inbook: the title is the book's
        return "", ref.title, True
    return ref.title, ref.journal, False


def _numbers(kind: str, field: Callable[[str], str]) -> tuple[str, str, str]:
    """(volume, number, number in the series) as the format reads ``volume`` and
    ``number`` (see the module's docstring; an article's number is its issue:
    :func:`~citeproof.dialect.dated_issue`)."""
    volume, number = unlabelled(field("volume")), unlabelled(field("number"))
    if kind == "article":
        return volume, "", ""
    if kind not in BOOKISH:
        return volume, number, ""
    if field("maintitle"):  # the volume is in the title ("Main title. Vol. 2, Title")
        volume = ""
    if not field("series"):
        return volume, number, ""
    return (volume, "", number) if number else ("", "", volume)


def _place(kind: str, places: tuple[str, ...]) -> str:
    """Where the work was published: the first of biblatex's places (the list's), a
    biblatex key read as its words; a patent's countries, all of them."""
    places = tuple(localized("type", place) for place in places)
    return ", ".join(filter(None, places)) if kind == "patent" else places[0] if places else ""


def _published(field: Callable[[str], str], get: Callable[[str], str]) -> Date:
    """When the work was published: biblatex's ``date``, else ``year``, ``month`` (or the
    season it names: ``summer``), ``day``."""
    written = field("date")
    if written:
        return parse_date(written)
    month, day = field("month"), field("day")
    day_number = int(day) if day.isascii() and day.isdigit() and 1 <= int(day) <= 31 else 0
    return Date(field("year"), int(month) if month else 0, day_number if month else 0,
                season=0 if month else season_number(get("month")))


def _genre(entry_type: str, kind: str, field: Callable[[str], str]) -> str:
    if kind == "thesis":
        return thesis_degree(entry_type, field("type"))
    if kind == "patent":
        return patent_office(field("type"), field("address"))
    return field("type")


def _eprint(field: Callable[[str], str]) -> tuple[str, str]:
    """(``arXiv:1706.03762``, its page at the archive, when the archive has known pages)."""
    eprint = field("eprint")
    if not eprint:
        return "", ""
    archive, label = eprint_archive(field("eprinttype"))
    return (f"{label}:{eprint}" if label else eprint), eprint_url(archive, eprint)
