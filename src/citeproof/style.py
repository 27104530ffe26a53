"""The ``vancouver`` pybtex formatting style and the site's safe HTML for references.

References are set as NLM's *Citing Medicine* (the Vancouver style of medical
journals) sets them, one ``format_<type>`` method per entry type, as pybtex's own
styles dispatch::

    Halpern SD, Ubel PA, Caplan AL. Solid-organ transplantation in HIV-infected
    patients. N Engl J Med. 2002;347(4):284-7. doi:10.1056/NEJMsb020632. PMID: 12140307.
    Murray PR, Rosenthal KS. Medical microbiology. 4th ed. St. Louis: Mosby; 2002.
    World Health Organization. Malaria [Internet]. Geneva: WHO; 2023 [cited 2026 Nov 27].
    Available from: https://www.who.int/…

Authors: up to six, then "et al." (ICMJE; ``authors="all"`` or ``"three"`` choose
otherwise); initials without dots; an organisation (one braced name) whole. The
title exactly as the bib has it (no sentence-casing, so an unbraced "DNA" stays
"DNA"); the journal as the bib has it; ``year;volume(issue):pages`` with page ranges
shortened (786-92; ``page_ranges="full"`` keeps 786-792). The DOI, PubMed and PMC
links follow; a ``url`` is linked only when there is neither DOI nor PMID, and only
when it is an http(s) URL: any other URL is dropped and reported as an
``invalid-url`` problem. A type without its own method is set as ``@misc``.

The style is a real pybtex pipeline (entry point ``pybtex.style.formatting:
vancouver``): it builds pybtex rich text and renders it with a subclass of pybtex's
HTML backend that also escapes link targets, drops non-http(s) links and marks
links ``rel="noopener"``.
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
from .identifiers import (doi_url, is_http_url, linked_url, normalize_doi, normalize_pmcid, pmc_url,
                          pubmed_url)
from .model import AUTHOR_RULES, PAGE_RANGES, FormattedEntry, Problem, Reference
from .model import ProblemCode as Code
from .render import DEFAULT_PUBLISHER_FIELDS, PUBLISHER_FIELDS

__all__ = ["FormattedEntry", "HtmlBackend", "VancouverStyle", "format_entries", "url_problems"]

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


#: Right-to-left letters (Hebrew to NKo, presentation forms, RTL scripts beyond the BMP)
#: and the bidi marks, embeddings, overrides and isolates.
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
    "\u061c\u200f\u202a-\u202e\u2066-\u2069]")

_HTML = HtmlBackend()
_TEXT = plaintext.Backend()


class VancouverStyle(BaseStyle):
    """Vancouver (NLM *Citing Medicine*) references, one ``format_<type>`` per entry type.

    ``authors``: one of :data:`AUTHOR_RULES`; ``page_ranges``: one of :data:`PAGE_RANGES`.
    A type without its own method is set by :meth:`format_misc`.
    """

    # pybtex's own defaults (plain names, number labels, no sorting), named by class: by
    # name, each style made looks them up in every installed package's entry points
    # (about 30 ms, on each build that formats an entry)
    default_name_style, default_label_style, default_sorting_style = _PlainNames, _NumberLabels, _NoSorting

    def __init__(self, *args, authors: str = "icmje", page_ranges: str = "abbreviated", **kwargs):
        super().__init__(*args, **kwargs)
        if authors not in AUTHOR_RULES:
            raise ValueError(f"authors must be one of {', '.join(AUTHOR_RULES)}, not {authors!r}")
        if page_ranges not in PAGE_RANGES:
            raise ValueError(f"page_ranges must be one of {', '.join(PAGE_RANGES)}, not {page_ranges!r}")
        self.authors, self.page_ranges = authors, page_ranges
        self.max_authors = _MAX_AUTHORS[authors]

    def format_entry(self, label, entry, bib_data=None):
        formatter = getattr(self, "format_" + entry.type.lower(), self.format_misc)
        return PybtexFormattedEntry(entry.key, formatter({"entry": entry}), label)

    # -- pieces: each returns a list of sentence parts (plain strings and HRefs) --------
    # (one flat Text per entry: building many small pybtex Texts costs more than the rest)

    def format_person(self, person: Person) -> str:
        """``Suh JH``: family name (with its "von" part), initials without dots, lineage;
        an organisation (one braced name) whole.

        (Not ``format_name``: ``BaseStyle.__init__`` sets that to the name style's.)
        """
        author = person_to_author(person)
        if author.corporate:
            return author.family
        lineage = " ".join(latex_to_text(p) for p in person.lineage_names)
        return " ".join(p for p in (author.family, author.initials, lineage) if p)

    def format_names(self, persons, suffix: str = "") -> list:
        """``A, B, C, et al.``: the names the ``authors`` rule keeps, "et al." for the
        rest (and when the list ends in BibTeX's ``and others``), then ``suffix``."""
        persons = list(persons)
        others = bool(persons) and str(persons[-1]) == "others"
        persons = persons[:-1] if others else persons
        keep = self.max_authors or len(persons)
        names = [self.format_person(p) for p in persons[:keep]]
        if len(persons) > keep or others:
            names.append("et al")
        if suffix and names:
            names.append(suffix)
        return _sentence(", ".join(names))

    def format_creators(self, entry: Entry) -> list:
        """The authors, or without them the editors (``Doe J, editor.``)."""
        if entry.persons.get("author"):
            return self.format_names(entry.persons["author"])
        return self.format_editors(entry)

    def format_editors(self, entry: Entry) -> list:
        editors = entry.persons.get("editor", ())
        return self.format_names(editors, "editors" if len(editors) > 1 else "editor")

    @staticmethod
    def field(entry: Entry, name: str) -> str:
        """A field as plain Unicode (LaTeX decoded, braces dropped, case kept)."""
        return latex_to_text(entry.fields.get(name, "")).strip()

    def first_field(self, entry: Entry, names: tuple[str, ...]) -> str:
        """The first of the fields ``names`` that the entry has."""
        return next((text for text in (self.field(entry, n) for n in names) if text), "")

    def format_title(self, entry: Entry, medium: str = "") -> list:
        """``Title [medium].`` (the medium in brackets, as NLM writes it). A title with
        right-to-left text or bidi controls is isolated (``<bdi>`` in HTML), so an
        override in it cannot reverse the DOI or anything else after it."""
        title = self.field(entry, "title")
        if not title:
            return []
        shown = Tag("bdi", title) if _RIGHT_TO_LEFT.search(title) else title
        return _sentence(shown, f" [{medium}]") if medium else _sentence(shown)

    def format_pages(self, pages: str) -> str:
        """A page field as printed: ``786-92`` (or ``786-792`` with full ``page_ranges``)."""
        pages = normalize_pages(pages)
        return pages if self.page_ranges == "full" else abbreviate_pages(pages)

    def format_source(self, entry: Entry) -> list:
        """``2019;98(26):e16173.`` (each part only when present)."""
        volume, number = self.field(entry, "volume"), self.field(entry, "number")
        pages = self.format_pages(self.field(entry, "pages"))
        text = self.field(entry, "year")
        text += f";{volume}" if volume else ""
        text += (f"({number})" if volume else f";({number})") if number else ""
        text += f":{pages}" if pages else ""
        return _sentence(text)

    def format_edition(self, entry: Entry) -> list:
        """``2nd ed.``: a number gets its ordinal, a word "ed." unless it has it."""
        edition = self.field(entry, "edition")
        if edition.isascii() and edition.isdigit():  # ("²" is a digit int() refuses)
            edition = _ordinal(int(edition))
        if edition and not re.search(r"\bed(ition)?\b", edition, re.I):
            edition += " ed."
        return _sentence(edition)

    def format_publication(self, entry: Entry) -> list:
        """``Place: Publisher; Year [cited 2026 Nov 27].`` (each part only when present; the
        publisher of a thesis is its school, of a report its institution)."""
        place = self.first_field(entry, ("address", "location"))
        publisher = self.first_field(entry, PUBLISHER_FIELDS.get(entry.type.lower(),
                                                                 DEFAULT_PUBLISHER_FIELDS))
        date = self.field(entry, "year")
        cited = self.format_urldate(entry)
        if cited:
            date = f"{date} [cited {cited}]" if date else f"[cited {cited}]"
        where = ": ".join(p for p in (place, publisher) if p)
        return _sentence("; ".join(p for p in (where, date) if p))

    def format_urldate(self, entry: Entry) -> str:
        """``urldate = {2026-11-27}`` -> ``2026 Nov 27`` (an ISO date; anything else as written)."""
        urldate = self.field(entry, "urldate")
        match = _ISO_DATE.fullmatch(urldate)
        if not match or not 1 <= int(match["month"] or 1) <= 12:
            return urldate
        year, month, day = match["year"], match["month"], match["day"]
        return " ".join(p for p in (year, month and _MONTHS[int(month) - 1],
                                    day and str(int(day))) if p)

    def format_container(self, entry: Entry) -> list:
        """``In: Editor AA, editor. Book title.`` for a part of a book or proceedings."""
        container = self.field(entry, "booktitle")
        if not container:
            return []
        # without authors the editors are named first (format_creators), not here
        named_here = entry.persons.get("author") and entry.persons.get("editor")
        editors = self.format_editors(entry) + [" "] if named_here else []
        return ["In: ", *editors, *_sentence(container)]

    def format_part(self, entry: Entry) -> list:
        """``Chapter 5; p. 12-34.`` or ``p. 12-34.``: where in the book the part stands."""
        chapter, pages = self.field(entry, "chapter"), self.format_pages(self.field(entry, "pages"))
        parts = [f"Chapter {chapter}" if chapter else "", f"p. {pages}" if pages else ""]
        return _sentence("; ".join(p for p in parts if p))

    def format_links(self, entry: Entry) -> list:
        """``doi:… . PMID: N; PMCID: PMCn.``, each linked; the url only when there is
        neither DOI nor PMID (``Available from: URL``, no period after it, as NLM writes it)."""
        doi, pmid, pmcid, url = _identifiers(entry)
        pubmed = [HRef(pubmed_url(pmid), f"PMID: {pmid}")] if pmid else []
        if pmcid:
            pubmed += ["; "] if pubmed else []
            pubmed.append(HRef(pmc_url(pmcid), f"PMCID: {pmcid}"))
        return [_sentence(HRef(doi_url(doi), f"doi:{doi}") if doi else ""), _sentence(*pubmed),
                ["Available from: ", HRef(url, url)] if url else []]

    @staticmethod
    def medium(entry: Entry) -> str:
        """``Internet`` for a work read on the web (its url is all it links to), else ``""``."""
        return "Internet" if _identifiers(entry)[3] else ""

    # -- entry types --------------------------------------------------------

    def format_article(self, context: Mapping) -> Text:
        """``Author AA. Title. Journal. Year;Vol(Issue):Pages. doi:…``"""
        entry = context["entry"]
        return _join([
            self.format_names(entry.persons.get("author", ())),
            self.format_title(entry),
            _sentence(self.field(entry, "journal")),
            self.format_source(entry),
            *self.format_links(entry),
        ])

    def format_book(self, context: Mapping) -> Text:
        """``Author AA. Title. Edition. Place: Publisher; Year.``"""
        entry = context["entry"]
        return _join([
            self.format_creators(entry),
            self.format_title(entry, self.medium(entry)),
            self.format_edition(entry),
            self.format_publication(entry),
            *self.format_links(entry),
        ])

    def format_incollection(self, context: Mapping) -> Text:
        """``Author AA. Chapter title. In: Editor AA, editor. Book title. Place: Publisher;
        Year. p. 12-34.``"""
        entry = context["entry"]
        return _join([
            self.format_creators(entry),
            self.format_title(entry),
            self.format_container(entry),
            self.format_edition(entry),
            self.format_publication(entry),
            self.format_part(entry),
            *self.format_links(entry),
        ])

    def format_inbook(self, context: Mapping) -> Text:
        """A chapter with its own title (``booktitle`` set) as :meth:`format_incollection`;
        classic BibTeX's part of a book (``title`` is the book's) as ``Author AA. Title.
        Place: Publisher; Year. Chapter 5; p. 12-34.``"""
        if self.field(context["entry"], "booktitle"):
            return self.format_incollection(context)
        entry = context["entry"]
        return _join([
            self.format_creators(entry),
            self.format_title(entry),
            self.format_edition(entry),
            self.format_publication(entry),
            self.format_part(entry),
            *self.format_links(entry),
        ])

    def format_misc(self, context: Mapping) -> Text:
        """A web page or guideline: ``Organisation. Title [Internet]. Place: Publisher;
        Year [cited 2026 Nov 27]. Available from: URL``; any other type in the same order
        (``In: Book title.`` when it is part of something)."""
        entry = context["entry"]
        return _join([
            self.format_creators(entry),
            self.format_title(entry, self.medium(entry)),
            self.format_container(entry),
            self.format_publication(entry),
            *self.format_links(entry),
        ])

    format_online = format_misc

    def format_phdthesis(self, context: Mapping, degree: str = "dissertation") -> Text:
        """``Author AA. Title [dissertation]. Place: School; Year.``"""
        entry = context["entry"]
        return _join([
            self.format_names(entry.persons.get("author", ())),
            self.format_title(entry, degree),
            self.format_publication(entry),
            *self.format_links(entry),
        ])

    def format_mastersthesis(self, context: Mapping) -> Text:
        """``Author AA. Title [master's thesis]. Place: School; Year.``"""
        return self.format_phdthesis(context, "master's thesis")

    def format_techreport(self, context: Mapping) -> Text:
        """``Author AA. Title. Place: Institution; Year. Report No.: N.``"""
        entry = context["entry"]
        number = self.field(entry, "number")
        return _join([
            self.format_creators(entry),
            self.format_title(entry),
            self.format_publication(entry),
            _sentence(f"Report No.: {number}" if number else ""),
            *self.format_links(entry),
        ])


#: How many names each ``authors`` rule keeps before "et al." (0: all of them).
_MAX_AUTHORS = {"icmje": 6, "all": 0, "three": 3}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_ISO_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?")
_RANGE = re.compile(r"\b([A-Za-z]*)(\d+)-\1(\d+)\b")


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
    ``95-101``, ``23-40`` and an article number ``e16173`` stay as they are."""
    def short(m: re.Match) -> str:
        prefix, first, last = m.groups()
        if len(first) != len(last) or int(last) <= int(first):
            return m.group(0)
        same = next(i for i, (a, b) in enumerate(zip(first, last)) if a != b)
        return f"{prefix}{first}-{last[same:]}"
    return _RANGE.sub(short, pages) if "-" in pages else pages


def _ordinal(n: int) -> str:
    """``1`` -> ``1st``, ``2`` -> ``2nd``, ``11`` -> ``11th``, ``23`` -> ``23rd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _sentence(*parts) -> list:
    """The non-empty parts, with a final period unless they end in '.', '?' or '!'."""
    kept = [p for p in parts if p]
    if kept and not str(kept[-1]).rstrip().endswith((".", "?", "!")):
        kept.append(".")
    return kept


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
    style = VancouverStyle(authors=authors, page_ranges=page_ranges)
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
