"""The ``vancouver`` pybtex formatting style and the site's safe HTML for references.

References are set as NLM's *Citing Medicine* (the Vancouver style of medical
journals) sets them. Every BibTeX and biblatex entry type is one of the formats
:data:`citeproof.dialect.KINDS` names, and each format has its ``format_<kind>`` method,
as pybtex's own styles dispatch on the type::

    Halpern SD, Ubel PA, Caplan AL. Solid-organ transplantation in HIV-infected
    patients. N Engl J Med. 2002 Jul 25;347(4):284-7. doi:10.1056/NEJMsb020632. PMID: 12140307.
    Murray PR, Rosenthal KS. Medical microbiology. 4th ed. St. Louis: Mosby; 2002.
    Rice AS, Bridges D. Cannabinoids and pain. In: Dostorovsky JO, Carr DB, editors.
    Proceedings of the 10th World Congress on Pain; 2002 Aug 17-22; San Diego, CA.
    Seattle: IASP Press; 2003. p. 437-68.
    World Health Organization. Malaria [Internet]. Geneva: WHO; 2023 [cited 2026 Nov 27].
    Available from: https://www.who.int/…

biblatex's fields are read as their BibTeX twins (``journaltitle``, ``location``,
``date``, ``institution``), its own (``subtitle``, ``maintitle``, ``eventdate``,
``venue``, ``urldate``, ``pagetotal``, ``eprint``, ``translator``, ``editortype``,
``issue``, ``issuetitle``, ``pubstate``) where Citing Medicine has a place for them, its
localisation keys (``type = {resreport}``, ``location = {countryfr}``) as their words
(:data:`citeproof.dialect.BIBSTRINGS`), its lists of places as their first. TeX is
decoded by the text model (:mod:`citeproof.text`), with the bib's ``@preamble`` macros:
``\\emph`` and ``\\textit`` are italic, ``\\textsuperscript`` a superscript, math Unicode
where Unicode can write it and TeX source otherwise.

Authors: up to six, then "et al." (ICMJE; ``authors="all"`` or ``"three"`` choose
otherwise); initials without dots; an organisation (one braced name) whole. The
secondary authors (editors of a work that has authors, translators) follow the title
and edition: ``Title. 2nd ed. Wieczorek RR, editor. Place: …``. The title exactly as
the bib has it (no sentence-casing, so an unbraced "DNA" stays "DNA"); the journal as the bib has it; ``year month;volume(issue):pages`` with page
ranges shortened (786-92; ``page_ranges="full"`` keeps 786-792). The DOI, PubMed and PMC
links follow; a ``url`` is linked only when there is neither DOI nor PMID, and only
when it is an http(s) URL: any other URL is dropped and reported as an
``invalid-url`` problem.

The style is a real pybtex pipeline (entry point ``pybtex.style.formatting:
vancouver``): it builds pybtex rich text and renders it with a subclass of pybtex's
HTML backend that also escapes link targets, drops non-http(s) links, marks links
``rel="noopener"`` and writes only the tags it knows.
"""
from __future__ import annotations

import html
import re
from typing import Iterable, Mapping

from pybtex.backends import html as html_backend
from pybtex.backends import plaintext
from pybtex.database import BibliographyData, Entry, Person
from pybtex.richtext import HRef, Tag, Text
from pybtex.style import FormattedEntry as PybtexFormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels.number import LabelStyle as _NumberLabels
from pybtex.style.names.plain import NameStyle as _PlainNames
from pybtex.style.sorting.none import SortingStyle as _NoSorting

from .bib import latex_to_text, normalize_pages, person_to_author
from .bib.names import people
from .dates import Date, month_number, parse_date, season_number
from .dialect import (DEFAULT_PUBLISHERS, PUBLISHERS, book_title, eprint_archive, eprint_url, full_title,
                      issue_title, dated_issue, journal_series, kind_of, list_items, localized, ordinal,
                      patent_office, raw_field, thesis_degree, unlabelled, work_title)
from .identifiers import (doi_url, is_http_url, linked_url, normalize_doi, normalize_pmcid, pmc_url,
                          pubmed_url)
from .model import AUTHOR_RULES, PAGE_RANGES, FormattedEntry, Problem, Reference
from .model import ProblemCode as Code
from .text import Macros, Run, from_tex, macros_from_preamble
from .text.model import script

__all__ = ["Fields", "FormattedEntry", "HtmlBackend", "TextBackend", "VancouverStyle", "format_entries",
           "rich_text", "url_problems"]

class HtmlBackend(html_backend.Backend):
    """pybtex's HTML backend, made safe for a page: every text and URL is escaped.

    pybtex 0.26 escapes text but writes ``href`` values as they are; here an href
    is attribute-escaped, and anything but an http(s) URL is rendered as plain text.
    """

    def format_str(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_protected(self, text: str) -> str:
        return text  # braces only protect case; no extra <span> on the page

    def format_href(self, url: str, text: str, external: bool = False) -> str:
        if not is_http_url(url):
            return text
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener">{text}</a>' if text else ""

    def format_tag(self, tag_name: str, text: str) -> str:
        """The tags the style makes (:data:`_HTML_TAGS`); any other name gives its text only."""
        opening, closing = _HTML_TAGS.get(tag_name, ("", ""))
        return f"{opening}{text}{closing}" if text else ""


#: The tags the style writes, by the name its rich text gives them.
_HTML_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"),
              "sub": ("<sub>", "</sub>"), "bdi": ("<bdi>", "</bdi>"), "code": ("<code>", "</code>"),
              "cp-sc": ('<span class="cp-sc">', "</span>"), "cp-math": ('<code class="cp-math">', "</code>")}


#: Right-to-left letters (Hebrew to NKo, presentation forms, RTL scripts beyond the BMP)
#: and the bidi marks, embeddings, overrides and isolates.
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
    "\u061c\u200f\u202a-\u202e\u2066-\u2069]")

class TextBackend(plaintext.Backend):
    """pybtex's plain-text backend; super- and subscripts in Unicode where it has them all."""

    def format_tag(self, tag_name: str, text: str) -> str:
        return script(text, frozenset({tag_name})) if tag_name in ("sup", "sub") else text


_HTML = HtmlBackend()
_TEXT = TextBackend()


class Fields:
    """One pybtex entry as the style reads it: biblatex's field names as their BibTeX twins
    (:func:`citeproof.dialect.raw_field`), TeX decoded with the bib's ``@preamble``
    ``macros``; :attr:`kind` is the format it is set in."""

    __slots__ = ("entry", "macros", "kind")

    def __init__(self, entry: Entry, macros: Macros | None = None):
        self.entry, self.macros = entry, macros
        self.kind = kind_of(entry.type, self.written)

    def written(self, name: str) -> str:
        """A field as the bib writes it (after @string expansion)."""
        return self.entry.fields.get(name, "")

    def text(self, name: str) -> str:
        """A field as plain Unicode (biblatex's name or BibTeX's, LaTeX decoded; a biblatex
        localisation key read as its words, :func:`~citeproof.dialect.localized`)."""
        return latex_to_text(localized(name, raw_field(self.written, name)), self.macros).strip()

    def number(self, name: str = "number") -> str:
        """A number or volume without the label the bib may write in it (``no. 80``: ``80``),
        which the reference gives it (:func:`~citeproof.dialect.unlabelled`)."""
        return unlabelled(self.text(name))

    def place(self) -> str:
        """Where the work was published: the first place of biblatex's list (``Durham and
        London``: ``Durham``; Citing Medicine: "If more than one place of publication is
        found, use the first one given")."""
        return latex_to_text(localized("address", list_items(raw_field(self.written, "address"))[0]),
                             self.macros).strip()

    def persons(self, role: str) -> list[Person]:
        """The people of a role: pybtex's ``author`` and ``editor``, or biblatex's further
        name lists read as names (``translator``, ``editora`` ...)."""
        found = self.entry.persons.get(role)
        return list(found) if found is not None else people(" ".join(self.written(role).split()))

    def first(self, names: Iterable[str]) -> str:
        """The first of the fields ``names`` that the entry has, as plain Unicode."""
        return next((text for text in map(self.text, names) if text), "")

    def rich(self, value: str) -> list:
        """A TeX value as pybtex rich text: italic, bold, small capitals, monospace,
        super- and subscripts as tags, math kept as TeX where Unicode cannot write it."""
        return rich_text(value, self.macros)

    def date(self, name: str = "date") -> Date:
        """The work's date: biblatex's ``date`` (or ``urldate``, ``eventdate``), else BibTeX's
        ``year``, ``month`` and ``day``."""
        written = self.written(name)
        if written or name != "date":
            return parse_date(latex_to_text(written, self.macros))
        day = self.text("day")
        return Date(self.text("year"), month_number(self.text("month")),
                    int(day) if day.isascii() and day.isdigit() and int(day) <= 31 else 0,
                    season=season_number(latex_to_text(self.written("month"), self.macros)))


#: The text model's marks as the tags pybtex's backends render (innermost last).
_MARK_TAGS = (("bold", "b"), ("italic", "i"), ("smallcaps", "cp-sc"), ("mono", "code"),
              ("sup", "sup"), ("sub", "sub"))


def rich_text(value: str, macros: Macros | None = None) -> list:
    """A TeX value as a list of pybtex rich-text parts (see :meth:`Fields.rich`)."""
    if not _TEX.search(value):
        value = " ".join(value.split())
        return [value] if value else []
    parts: list = []
    for item in from_tex(value, macros).items:
        if type(item) is Run:
            parts.append(_marked(item.text, item.marks))
        elif item.runs is None:  # math Unicode cannot write: its TeX source
            parts.append(_marked(Tag("cp-math", item.tex), item.marks - {"mono"}))
        else:
            parts.extend(_marked(run.text, item.marks | run.marks) for run in item.runs)
    return parts


def _marked(part, marks: frozenset[str]):
    for mark, tag in reversed(_MARK_TAGS):
        if mark in marks:
            part = Tag(tag, part)
    return part


class VancouverStyle(BaseStyle):
    """Vancouver (NLM *Citing Medicine*) references, one ``format_<kind>`` per format.

    Every BibTeX and biblatex entry type is set in one of the formats
    :data:`citeproof.dialect.KINDS` names (``@inproceedings`` as a conference ``paper``,
    ``@online`` as a ``webpage``, an ``@misc`` with an ``eprint`` as a ``preprint`` ...), by
    the method of that name; a type neither dialect defines as ``misc``.
    ``authors``: one of :data:`AUTHOR_RULES`; ``page_ranges``: one of :data:`PAGE_RANGES`;
    ``macros``: what the bib's ``@preamble`` defines (:func:`format_entries` reads it).
    """

    # pybtex's own defaults (plain names, number labels, no sorting), named by class: by
    # name, each style made looks them up in every installed package's entry points
    # (about 30 ms, on each build that formats an entry)
    default_name_style, default_label_style, default_sorting_style = _PlainNames, _NumberLabels, _NoSorting

    def __init__(self, *args, authors: str = "icmje", page_ranges: str = "abbreviated",
                 macros: Macros | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if authors not in AUTHOR_RULES:
            raise ValueError(f"authors must be one of {', '.join(AUTHOR_RULES)}, not {authors!r}")
        if page_ranges not in PAGE_RANGES:
            raise ValueError(f"page_ranges must be one of {', '.join(PAGE_RANGES)}, not {page_ranges!r}")
        self.authors, self.page_ranges, self.macros = authors, page_ranges, macros
        self.max_authors = _MAX_AUTHORS[authors]

    def format_entry(self, label, entry, bib_data=None):
        fields = Fields(entry, self.macros)
        return PybtexFormattedEntry(entry.key, getattr(self, "format_" + fields.kind)(fields), label)

    # -- pieces: each returns a list of sentence parts (strings, Tags and HRefs) ---------
    # (one flat Text per entry: building many small pybtex Texts costs more than the rest)

    def format_person(self, person: Person) -> str:
        """``Suh JH``: family name (with its "von" part), initials without dots, lineage;
        an organisation (one braced name) whole.

        (Not ``format_name``: ``BaseStyle.__init__`` sets that to the name style's.)
        """
        author = person_to_author(person, self.macros)
        if author.corporate:
            return author.family
        lineage = " ".join(latex_to_text(p, self.macros) for p in person.lineage_names)
        return " ".join(p for p in (author.family, author.initials, lineage) if p)

    def format_names(self, persons, role: str = "") -> list:
        """``A, B, C, et al.``: the names the ``authors`` rule keeps, "et al." for the
        rest (and when the list ends in BibTeX's ``and others``), then the ``role``
        (``editor``/``editors``, ``inventor``/``inventors``; each of two roles joined by
        "and": ``editors and translators``)."""
        persons = list(persons)
        others = bool(persons) and str(persons[-1]) == "others"
        persons = persons[:-1] if others else persons
        keep = self.max_authors or len(persons)
        names = [self.format_person(p) for p in persons[:keep]]
        if len(persons) > keep or others:
            names.append("et al")
        if role and names:
            plural = "s" if len(persons) > 1 or others else ""
            names.append(" and ".join(word + plural for word in role.split(" and ")))
        return _sentence(", ".join(names))

    def format_creators(self, f: Fields) -> list:
        """The authors, or without them the editors (``Doe J, editor.``)."""
        if f.entry.persons.get("author"):
            return self.format_names(f.entry.persons["author"])
        return self.format_editors(f)

    def format_editors(self, f: Fields) -> list:
        """``Doe J, editor.``, or the role biblatex's ``editortype`` names (``compiler``)."""
        return self.format_names(f.entry.persons.get("editor", ()), f.text("editortype") or "editor")

    def format_secondary(self, f: Fields) -> list:
        """``Hicks RD, editor. Lucas DW, translator.``: the secondary authors (Citing
        Medicine ch. 2: after the title and edition, before the place): the editors where
        they neither lead the reference (a work without authors) nor follow "In:" (a part
        of a book), biblatex's further editors (``editora`` ..., each in the role its
        ``editoratype`` names) and the translators; people named in two roles are named
        once: ``Blank-Sangmeister U, editor and translator.``"""
        in_book = f.kind in ("chapter", "paper", "misc") and book_title(f.written)
        lead = not f.entry.persons.get("author") or in_book
        groups: list[tuple[list[Person], list[str]]] = []
        for role, role_type in _SECONDARY[1 if lead else 0:]:
            persons = f.persons(role)
            if not persons:
                continue
            word = (f.text(role_type) if role_type else role) or "editor"
            same = next((group for group in groups if list(map(str, group[0])) == list(map(str, persons))), None)
            if same is None:
                groups.append((persons, [word]))
            elif word not in same[1]:
                same[1].append(word)
        return [part for i, (persons, roles) in enumerate(groups)
                for part in [" "] * bool(i) + self.format_names(persons, " and ".join(roles))]

    def format_title(self, f: Fields, medium: str = "", whole: bool = False) -> list:
        """``Title: Subtitle [medium].`` (biblatex's ``subtitle`` and ``titleaddon`` joined
        as :func:`~citeproof.dialect.full_title` joins them; the medium in brackets, as NLM
        writes it; ``whole``: a whole work's, after biblatex's ``maintitle``, see
        :func:`~citeproof.dialect.work_title`). A title with right-to-left text or bidi controls is isolated (``<bdi>``
        in HTML), so an override in it cannot reverse the DOI or anything else after it."""
        title = f.rich(work_title(f.written) if whole else full_title(f.written))
        if not title:
            return []
        if any(_RIGHT_TO_LEFT.search(str(p)) for p in title):
            title = [Tag("bdi", *title)]
        return _sentence(*title, f" [{medium}]") if medium else _sentence(*title)

    def format_pages(self, pages: str) -> str:
        """A page field as printed: ``786-92`` (or ``786-792`` with full ``page_ranges``)."""
        pages = normalize_pages(pages)
        return pages if self.page_ranges == "full" else abbreviate_pages(pages)

    def format_journal(self, f: Fields, medium: str = "", series: str = "") -> list:
        """``Journal, 3rd series [Internet].`` (``journal`` or biblatex's ``journaltitle``;
        the journal's ``series``, :meth:`format_journal_series`)."""
        journal = f.rich(raw_field(f.written, "journal"))
        if not journal:
            return []
        return _sentence(*journal, f", {series}" if series else "", f" [{medium}]" if medium else "")

    def format_source(self, f: Fields) -> list:
        """``2019 Jun 15 [cited 2020 Oct 12];98(26):e16173.`` (each part only when present;
        biblatex's ``issue``: a season after the year, ``2002 Summer;…``, else with the issue
        number, as Citing Medicine adds a supplement or part to it: ``42(6 Suppl 2)``,
        ``44(3, 138)``)."""
        volume, (number, date) = f.number("volume"), dated_issue(f.number(), f.text("issue"), f.date())
        pages = self.format_pages(f.text("pages"))
        text = self.format_date(f, date)
        text += f";{volume}" if volume else ""
        text += (f"({number})" if volume else f";({number})") if number else ""
        text += f":{pages}" if pages else ""
        return _sentence(text.lstrip(";"))

    def format_date(self, f: Fields, date: Date | None = None) -> str:
        """``2019 Jun 15 [cited 2020 Oct 12]``: the date as NLM writes it (the work's, or
        ``date``), the day the work was read on the web (biblatex's ``urldate``) in brackets;
        a work biblatex's ``pubstate`` says is in press: ``Forthcoming 2002`` (Citing
        Medicine's word for "in press")."""
        text, cited = (f.date() if date is None else date).nlm, self.format_urldate(f)
        if f.text("pubstate").lower() in _FORTHCOMING:
            text = f"Forthcoming {text}".rstrip()
        if cited:
            return f"{text} [cited {cited}]" if text else f"[cited {cited}]"
        return text

    def format_urldate(self, f: Fields) -> str:
        """``urldate = {2026-11-27}`` -> ``2026 Nov 27`` (an ISO date; anything else as written)."""
        urldate = f.date("urldate")
        return urldate.nlm if urldate.month else f.text("urldate")

    def format_edition(self, f: Fields) -> list:
        """``2nd ed.``: a number gets its ordinal, a word "ed." unless it has it."""
        edition = f.text("edition")
        if edition.isascii() and edition.isdigit():  # ("²" is a digit int() refuses)
            edition = ordinal(int(edition))
        if edition and not re.search(r"\bed(ition)?\b", edition, re.I):
            edition += " ed."
        return _sentence(edition)

    def format_volume(self, f: Fields) -> list:
        """``Vol. 2.``: the volume of a book in several volumes (a volume with a series and
        no ``number`` is the series' volume, :meth:`format_series`; with a ``maintitle`` it
        is in the title already)."""
        volume = f.number("volume")
        if not volume or (f.text("series") and not f.text("number")) or f.written("maintitle"):
            return []
        return _sentence(f"Vol. {volume}")

    def format_publication(self, f: Fields, date: bool = True) -> list:
        """``Place: Publisher; Year [cited 2026 Nov 27].`` (each part only when present; the
        publisher of a thesis is its school, of a report its institution; the first of
        biblatex's places, :meth:`Fields.place`)."""
        place = f.place()
        publisher = f.first(PUBLISHERS.get(f.kind, DEFAULT_PUBLISHERS))
        where = ": ".join(p for p in (place, publisher) if p)
        return _sentence("; ".join(p for p in (where, self.format_date(f) if date else "") if p))

    def format_extent(self, f: Fields) -> list:
        """``250 p.``: a book's length (biblatex's ``pagetotal``)."""
        total = f.text("pagetotal")
        return _sentence(f"{total} p." if total.isdigit() else total)

    def format_series(self, f: Fields, numbered: bool = True) -> list:
        """``(Lecture notes in computer science; no. 10169).``: the series and the work's
        number in it (``number``; or ``volume``, ``vol. 4``, when the work has no number;
        not ``numbered``: the number is the work's own, a report's, printed apart)."""
        series = f.rich(localized("series", f.written("series")))
        if not series:
            return []
        number, volume = f.number() if numbered else "", f.number("volume")
        place = f"; no. {number}" if number else f"; vol. {volume}" if volume else ""
        return _sentence("(", *series, place + ")")

    def format_journal_series(self, f: Fields) -> str:
        """``3rd series``, ``new series``: the series of a journal (biblatex's ``series`` of an
        article: a number, printed as an ordinal, or a key), which goes with its title."""
        return journal_series(f.text("series"))

    def format_container(self, f: Fields, medium: str = "") -> list:
        """``In: Editor AA, editor. Book title [Internet].`` for a part of a book or
        proceedings (``booktitle`` after biblatex's ``maintitle``, with their subtitles)."""
        container = f.rich(book_title(f.written))
        if not container:
            return []
        # without authors the editors are named first (format_creators), not here
        named_here = f.entry.persons.get("author") and f.entry.persons.get("editor")
        editors = self.format_editors(f) + [" "] if named_here else []
        return ["In: ", *editors, *self.format_event(f, container, medium)]

    def format_event(self, f: Fields, title: list, medium: str = "") -> list:
        """``Proceedings title; 2002 Aug 17-22; San Diego, CA.``: a conference's
        proceedings with the conference's date (``eventdate``) and place (``venue``)."""
        event = [p for p in (f.date("eventdate").nlm, f.text("venue")) if p]
        return _sentence(*title, f" [{medium}]" if medium else "", *(f"; {p}" for p in event))

    def format_part(self, f: Fields) -> list:
        """``Chapter 5; p. 12-34.`` or ``p. 12-34.``: where in the book the part stands."""
        chapter, pages = f.text("chapter"), self.format_pages(f.text("pages"))
        parts = [f"Chapter {chapter}" if chapter else "", f"p. {pages}" if pages else ""]
        return _sentence("; ".join(p for p in parts if p))

    def format_note(self, f: Fields) -> list:
        """The entry's ``note`` and ``addendum``, each as a sentence."""
        return [p for name in ("note", "addendum") for p in _sentence(*f.rich(f.written(name)))]

    def format_eprint(self, f: Fields) -> list:
        """``arXiv:2101.00001 [cs.CL].``: an e-print, linked where its archive has a known
        address (:data:`citeproof.dialect.EPRINT_URLS`)."""
        eprint = f.text("eprint")
        if not eprint:
            return []
        archive, label = eprint_archive(f.text("eprinttype"))
        shown = f"{label}:{eprint}" if label else eprint
        primary = f.text("eprintclass")
        url = eprint_url(archive, eprint)
        return _sentence(HRef(url, shown) if url else shown, f" [{primary}]" if primary else "")

    def format_links(self, f: Fields) -> list:
        """``doi:… . PMID: N; PMCID: PMCn.``, each linked; the url only when there is
        neither DOI nor PMID (``Available from: URL``, no period after it, as NLM writes it)."""
        doi, pmid, pmcid, url = _identifiers(f.entry)
        pubmed = [HRef(pubmed_url(pmid), f"PMID: {pmid}")] if pmid else []
        if pmcid:
            pubmed += ["; "] if pubmed else []
            pubmed.append(HRef(pmc_url(pmcid), f"PMCID: {pmcid}"))
        return [_sentence(HRef(doi_url(doi), f"doi:{doi}") if doi else ""), _sentence(*pubmed),
                ["Available from: ", HRef(url, url)] if url else []]

    @staticmethod
    def medium(f: Fields) -> str:
        """``Internet`` for a work read on the web (its url is all it links to, or the bib
        says when it was read), else ``""``."""
        return "Internet" if _identifiers(f.entry)[3] or f.written("urldate") else ""

    def _book_tail(self, f: Fields) -> list:
        """What follows a book's title: edition, secondary authors, volume, publication,
        extent, series."""
        return [self.format_edition(f), self.format_secondary(f), self.format_volume(f),
                self.format_publication(f), self.format_extent(f), self.format_series(f)]

    # -- formats (citeproof.dialect.KINDS) ----------------------------------------------

    def format_article(self, f: Fields) -> Text:
        """Citing Medicine ch. 1: ``Author AA. Title. Journal. 2019 Jun;98(26):e16173.
        doi:…`` (``[Internet]`` and ``[cited …]`` when the bib says when it was read on the web)."""
        medium = "Internet" if f.written("urldate") else ""  # (a url alone may be a database's record)
        series = self.format_journal_series(f)
        if f.entry.type.lower() == "periodical":  # an issue: its editors, its title before the journal's
            return self._issue(f, medium, series)
        return _join([self.format_names(f.entry.persons.get("author", ())), self.format_title(f),
                      self.format_journal(f, medium, series), self.format_source(f), self.format_note(f),
                      *self.format_links(f)])

    def _issue(self, f: Fields, medium: str, series: str) -> Text:
        """Citing Medicine ch. 1, an entire issue: ``Editor AA, editor. Issue title. Journal.
        2011;35(4).``: biblatex's ``@periodical``, whose ``title`` is the journal's and
        ``issuetitle`` the issue's (a periodical that names its ``journaltitle`` has the
        issue's title as its ``title``, as biblatex-apa writes one)."""
        if raw_field(f.written, "journal"):
            titles = [self.format_title(f), self.format_journal(f, medium, series)]
        else:
            journal = f.rich(full_title(f.written))
            in_series = f", {series}" if series else ""
            titles = [_sentence(*f.rich(issue_title(f.written))),
                      _sentence(*journal, in_series, f" [{medium}]" if medium and journal else "")]
        return _join([self.format_creators(f), *titles, self.format_source(f), self.format_note(f),
                      *self.format_links(f)])

    def format_book(self, f: Fields) -> Text:
        """Citing Medicine ch. 2: ``Author AA. Title. 2nd ed. Vol. 2. Place: Publisher; Year.
        250 p. (Series; no. 4).``"""
        return _join([self.format_creators(f), self.format_title(f, self.medium(f), whole=True),
                      *self._book_tail(f), self.format_note(f), *self.format_links(f)])

    def format_chapter(self, f: Fields) -> Text:
        """Citing Medicine ch. 2 (parts of books): ``Author AA. Chapter title. In: Editor AA,
        editor. Book title. Place: Publisher; Year. p. 12-34.``; classic BibTeX's part of a
        book (no ``booktitle``: ``title`` is the book's) as ``Author AA. Title. Place:
        Publisher; Year. Chapter 5; p. 12-34.``"""
        container = self.format_container(f, self.medium(f))
        return _join([self.format_creators(f), self.format_title(f, "" if container else self.medium(f)),
                      container, self.format_edition(f), self.format_secondary(f), self.format_volume(f),
                      self.format_publication(f), self.format_part(f), self.format_series(f),
                      self.format_note(f), *self.format_links(f)])

    def format_paper(self, f: Fields) -> Text:
        """Citing Medicine ch. 3 (conference papers): ``Author AA. Title. In: Editor AA,
        editor. Proceedings title; 2002 Aug 17-22; San Diego, CA. Place: Publisher; Year.
        p. 437-68.``"""
        return _join([self.format_creators(f), self.format_title(f),
                      self.format_container(f, self.medium(f)), self.format_secondary(f),
                      self.format_publication(f), self.format_part(f), self.format_series(f),
                      self.format_note(f), *self.format_links(f)])

    def format_proceedings(self, f: Fields) -> Text:
        """Citing Medicine ch. 3 (proceedings): ``Editor AA, editor. Proceedings title;
        2002 Aug 17-22; San Diego, CA. Place: Publisher; Year. (Series; no. 4).``"""
        title = f.rich(work_title(f.written))
        return _join([self.format_creators(f), self.format_event(f, title, self.medium(f)),
                      *self._book_tail(f), self.format_note(f), *self.format_links(f)])

    def format_report(self, f: Fields) -> Text:
        """Citing Medicine ch. 4: ``Author AA. Title. Place: Institution; Year. (Series).
        Report No.: N.`` (the report's ``type`` names its number: ``Technical report No.:
        N``; the series before it, without the number, which is the report's)."""
        number = f.number()
        kind = f.text("type") if f.entry.type.lower() != "techreport" or f.text("type") else ""
        label = f"{kind} No." if kind and not kind.lower().endswith(("no", "no.")) else kind
        return _join([self.format_creators(f), self.format_title(f, self.medium(f)), self.format_secondary(f),
                      self.format_publication(f), self.format_series(f, numbered=False),
                      _sentence(f"{label or 'Report No.'}: {number}" if number else ""),
                      self.format_note(f), *self.format_links(f)])

    def format_thesis(self, f: Fields) -> Text:
        """Citing Medicine ch. 5: ``Author AA. Title [dissertation]. Place: School; Year.``
        (``[master's thesis]`` for a master's thesis; read on the web, ``[dissertation on the
        Internet]``)."""
        degree = thesis_degree(f.entry.type, f.text("type"))
        medium = self.medium(f)
        return _join([self.format_names(f.entry.persons.get("author", ())),
                      self.format_title(f, f"{degree} on the {medium}" if medium else degree),
                      self.format_secondary(f), self.format_publication(f), self.format_note(f),
                      *self.format_links(f)])

    def format_webpage(self, f: Fields) -> Text:
        """Citing Medicine ch. 25: ``Organisation. Title [Internet]. Place: Publisher; 2016
        [cited 2026 Nov 27]. Available from: URL`` (an ``eprint`` that is no e-print, which
        biblatex-apa gives a site's name, after the date)."""
        return _join([self.format_creators(f), self.format_title(f, "Internet"), self.format_secondary(f),
                      self.format_publication(f), self.format_eprint(f), self.format_note(f),
                      *self.format_links(f)])

    def format_dataset(self, f: Fields, medium: str = "dataset") -> Text:
        """Citing Medicine ch. 24 (databases, with NLM's data-citation guidance): ``Author
        AA. Title [dataset]. Version 2. Place: Publisher; Year. doi:…``"""
        version = f.text("version")
        return _join([self.format_creators(f), self.format_title(f, medium),
                      _sentence(f"Version {version}" if version else ""), self.format_secondary(f),
                      self.format_publication(f), self.format_note(f), *self.format_links(f)])

    def format_software(self, f: Fields) -> Text:
        """Citing Medicine ch. 22 (computer programs): ``Author AA. Title [computer program].
        Version 2. Place: Publisher; Year.``"""
        return self.format_dataset(f, "computer program")

    def format_patent(self, f: Fields) -> Text:
        """Citing Medicine ch. 16: ``Inventor AA, inventor; Holder, assignee. Title. United
        States patent US 20020103498. 2002 Aug 1.``"""
        inventors = self.format_names(f.entry.persons.get("author", ()), "inventor")[:-1]
        holder = f.text("holder")
        creators = _sentence(*inventors, f"; {holder}, assignee" if holder else "")
        office = patent_office(f.text("type"), f.text("address"))
        number = f.text("number")
        return _join([creators, self.format_title(f),
                      _sentence(" ".join(p for p in (office, number) if p)),
                      _sentence(self.format_date(f)), self.format_note(f), *self.format_links(f)])

    def format_preprint(self, f: Fields) -> Text:
        """Citing Medicine's preprints (NLM, 2020): ``Author AA. Title [Preprint]. Server.
        2020 Apr 14. arXiv:2004.01234 [cs.CL]. doi:…``"""
        server = f.first(("publisher", "howpublished", "organization", "institution"))
        return _join([self.format_creators(f), self.format_title(f, "Preprint"), self.format_secondary(f),
                      _sentence(server), _sentence(self.format_date(f)), self.format_eprint(f),
                      self.format_note(f), *self.format_links(f)])

    def format_misc(self, f: Fields) -> Text:
        """Any other work, in Citing Medicine's order: ``Author AA. Title [Internet]. In: Book
        title. Place: Publisher (or how published); Year. Note. Available from: URL`` (a
        ``journal`` it names after the title, as a journal article's: ``Title. Journal
        [Internet].``); an entry with nothing to show shows its key (the checker warns of it)."""
        journal = self.format_journal(f, self.medium(f))
        text = _join([self.format_creators(f), self.format_title(f, "" if journal else self.medium(f)), journal,
                      self.format_container(f), self.format_secondary(f),
                      self.format_publication(f), self.format_eprint(f), self.format_note(f),
                      *self.format_links(f)])
        return text if len(text) else Text(f"[{f.entry.key}]")


#: How many names each ``authors`` rule keeps before "et al." (0: all of them).
_MAX_AUTHORS = {"icmje": 6, "all": 0, "three": 3}
_RANGE = re.compile(r"\b([A-Za-z]*)(\d+)-\1(\d+)\b")
_TEX = re.compile(r"[\\~{}$`]|--|''")


#: biblatex's ``pubstate`` of a work in press (its keys read: ``inpress``, ``forthcoming``)
_FORTHCOMING = frozenset({"in press", "forthcoming"})
#: The secondary authors' roles (:meth:`VancouverStyle.format_secondary`), each with the field
#: that names its role (``None``: the role is its name).
_SECONDARY = (("editor", "editortype"), ("editora", "editoratype"), ("editorb", "editorbtype"),
              ("editorc", "editorctype"), ("translator", None))


def _identifiers(entry: Entry) -> tuple[str, str, str, str]:
    """(DOI, PMID, PMCID, url) of an entry, normalised; the url only when it is an http(s)
    URL and there is neither DOI nor PMID (the one link the reference then has)."""
    f = entry.fields
    doi = normalize_doi(f.get("doi", ""))[0]
    pmid = (f.get("pmid") or f.get("pubmed") or "").strip()
    return doi, pmid, normalize_pmcid(f.get("pmcid", "")), linked_url(f.get("url", ""), doi, pmid)


def abbreviate_pages(pages: str) -> str:
    """Drop the leading digits a range's end repeats, as *Citing Medicine* does:
    ``786-792`` -> ``786-92``, ``1041-1047`` -> ``1041-7``, ``S12-S19`` -> ``S12-9``;
    ``95-101``, ``23-40`` and an article number ``e16173`` stay as they are; ``97-97`` is
    the one page ``97``."""
    def short(m: re.Match) -> str:
        prefix, first, last = m.groups()
        if first == last:
            return f"{prefix}{first}"
        if len(first) != len(last) or int(last) <= int(first):
            return m.group(0)
        same = next(i for i, (a, b) in enumerate(zip(first, last)) if a != b)
        return f"{prefix}{first}-{last[same:]}"
    return _RANGE.sub(short, pages) if "-" in pages else pages


def _sentence(*parts) -> list:
    """The non-empty parts, with a final period unless they end in '.', '?', '!' or ':'
    (before any closing quote: Citing Medicine sets no double punctuation)."""
    kept = [p for p in parts if p]
    if kept and not str(kept[-1]).rstrip().rstrip(_CLOSING).endswith((".", "?", "!", ":")):
        kept.append(".")
    return kept


#: the closing quotes a sentence's own final punctuation may stand inside
#: ("‘Hey — it works!’" takes no period after it: Citing Medicine has no double punctuation)
_CLOSING = "'\"’”»"


def _join(sentences: list[list]) -> Text:
    """One pybtex Text of the sentences, separated by spaces (adjacent strings merged)."""
    flat: list = []
    for part in (p for i, s in enumerate(filter(None, sentences)) for p in ([" "] if i else []) + s):
        if isinstance(part, str) and flat and isinstance(flat[-1], str):
            flat[-1] += part
        else:
            flat.append(part)
    return Text(*flat)


def format_entries(data: BibliographyData, keys: Iterable[str] | None = None,
                   refs: Mapping[str, Reference] | None = None, *, authors: str = "icmje",
                   page_ranges: str = "abbreviated") -> dict[str, FormattedEntry]:
    """Format the entries ``keys`` (default: all, in bib order) of ``data``.

    Returns a dict keyed by each entry's key as the bib writes it; keys not in
    ``data`` are left out (the caller reports unknown keys). ``refs`` (from
    :func:`citeproof.bib.load_bib`) lets problems carry the bib file and line.
    ``authors`` and ``page_ranges`` choose the style's rules (see :class:`VancouverStyle`).
    """
    macros = macros_from_preamble(data.preamble) if data.preamble else None
    style = VancouverStyle(authors=authors, page_ranges=page_ranges, macros=macros)
    out: dict[str, FormattedEntry] = {}
    for wanted in data.entries if keys is None else keys:
        entry = data.entries.get(wanted)
        if entry is None or entry.key in out:
            continue
        rich = style.format_entry("", entry).text
        out[entry.key] = FormattedEntry(entry.key, rich.render(_HTML), rich.render(_TEXT),
                                        url_problems(entry, (refs or {}).get(entry.key)))
    return out


def url_problems(entry: Entry, ref: Reference | None) -> tuple[Problem, ...]:
    """The ``invalid-url`` problem of an entry whose url is not http(s), naming the url's
    line (the bib cache remakes these on every load: an edit above moves the lines)."""
    return _url_problems(entry.key, entry.fields.get("url", "").strip(), ref)


def reference_url_problems(ref: Reference) -> tuple[Problem, ...]:
    """:func:`url_problems` of the entry ``ref`` was read from (``ref.url`` is its url as
    the bib writes it), without its pybtex entry."""
    return _url_problems(ref.key, ref.url, ref)


def _url_problems(key: str, url: str, ref: Reference | None) -> tuple[Problem, ...]:
    if not url or is_http_url(url):
        return ()
    return (Problem(code=Code.INVALID_URL, severity="error", key=key, field="url",
                    file=ref.file if ref else None, line=ref.line_of("url") if ref else None,
                    message=f"{key}: the url '{url}' is not an http(s) address, so it is "
                            "left out of the reference list: use an https:// URL"),)
