"""The ``vancouver`` pybtex formatting style and the site's safe HTML for references.

References are set in the Vancouver / NLM manner of medical journals::

    Suh JH, Kim H, Jung GP, et al. The effect of lumbar stabilization and walking
    exercises on chronic low back pain: A randomized controlled trial. Medicine
    (Baltimore). 2019;98(26):e16173. doi:10.1097/MD.0000000000016173.
    PMID: 31261549. PMCID: PMC6616307.

At most three authors, then "et al."; initials without dots; the title exactly as
the bib has it (no sentence-casing, so an unbraced "DNA" stays "DNA"); the journal as
the bib has it; ``year;volume(issue):pages``. The DOI, PubMed and PMC links follow;
a ``url`` is linked only when there is neither DOI nor PMID, and only when it is an
http(s) URL: any other URL is dropped and reported as an ``invalid-url`` problem.

The style is a real pybtex pipeline (entry point ``pybtex.style.formatting:
vancouver``): it builds pybtex rich text and renders it with a subclass of pybtex's
HTML backend that also escapes link targets, drops non-http(s) links and marks
links ``rel="noopener"``.
"""
from __future__ import annotations

import html
from typing import Iterable, Mapping

from pybtex.backends import html as html_backend
from pybtex.backends import plaintext
from pybtex.database import BibliographyData, Entry, Person
from pybtex.richtext import HRef, Text
from pybtex.style import FormattedEntry as PybtexFormattedEntry
from pybtex.style.formatting import BaseStyle

from .bib import latex_to_text, normalize_pages, person_to_author
from .identifiers import doi_url, is_http_url, normalize_doi, normalize_pmcid, pmc_url, pubmed_url
from .model import FormattedEntry, Problem, Reference

__all__ = ["FormattedEntry", "HtmlBackend", "VancouverStyle", "format_entries"]

MAX_AUTHORS = 3
#: The author-list rules a site can choose (plugin/extension option ``authors``).
AUTHOR_RULES = ("icmje", "all", "three")
#: How page ranges are set (option ``page_ranges``).
PAGE_RANGES = ("abbreviated", "full")


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


_HTML = HtmlBackend()
_TEXT = plaintext.Backend()


class VancouverStyle(BaseStyle):
    """Vancouver (NLM) references for ``@article``, with a plain fallback for other types.

    ``authors``: one of :data:`AUTHOR_RULES`; ``page_ranges``: one of :data:`PAGE_RANGES`.
    """

    def __init__(self, *args, authors: str = "icmje", page_ranges: str = "abbreviated", **kwargs):
        super().__init__(*args, **kwargs)
        if authors not in AUTHOR_RULES:
            raise ValueError(f"authors must be one of {', '.join(AUTHOR_RULES)}, not {authors!r}")
        if page_ranges not in PAGE_RANGES:
            raise ValueError(f"page_ranges must be one of {', '.join(PAGE_RANGES)}, not {page_ranges!r}")
        self.authors, self.page_ranges = authors, page_ranges

    def format_entry(self, label, entry, bib_data=None):
        formatter = self.format_article if entry.type.lower() == "article" else self.format_other
        return PybtexFormattedEntry(entry.key, formatter({"entry": entry}), label)

    # -- pieces: each returns a list of sentence parts (plain strings and HRefs) --------
    # (one flat Text per entry: building many small pybtex Texts costs more than the rest)

    def format_person(self, person: Person) -> str:
        """``Suh JH``: family name (with its "von" part), initials without dots, lineage.

        (Not ``format_name``: ``BaseStyle.__init__`` sets that to the name style's.)
        """
        author = person_to_author(person)
        lineage = " ".join(latex_to_text(p) for p in person.lineage_names)
        return " ".join(p for p in (author.family, author.initials, lineage) if p)

    def format_names(self, persons, suffix: str = "") -> list:
        """``A, B, C, et al.``: at most three names, "et al." when there are more
        (or when the list ends in BibTeX's ``and others``)."""
        persons = list(persons)
        others = bool(persons) and str(persons[-1]) == "others"
        persons = persons[:-1] if others else persons
        names = [self.format_person(p) for p in persons[:MAX_AUTHORS]]
        if len(persons) > MAX_AUTHORS or others:
            names.append("et al")
        if suffix and names:
            names.append(suffix)
        return _sentence(", ".join(names))

    @staticmethod
    def field(entry: Entry, name: str) -> str:
        """A field as plain Unicode (LaTeX decoded, braces dropped, case kept)."""
        return latex_to_text(entry.fields.get(name, "")).strip()

    def format_source(self, entry: Entry) -> list:
        """``2019;98(26):e16173.`` (each part only when present)."""
        volume, number = self.field(entry, "volume"), self.field(entry, "number")
        pages = normalize_pages(self.field(entry, "pages"))
        text = self.field(entry, "year")
        text += f";{volume}" if volume else ""
        text += (f"({number})" if volume else f";({number})") if number else ""
        text += f":{pages}" if pages else ""
        return _sentence(text)

    def format_links(self, entry: Entry) -> list:
        """DOI, PubMed and PMC links; the url only when there is neither DOI nor PMID."""
        f = entry.fields
        doi = normalize_doi(f.get("doi", ""))[0]
        pmid = (f.get("pmid") or f.get("pubmed") or "").strip()
        pmcid = normalize_pmcid(f.get("pmcid", ""))
        url = f.get("url", "").strip()
        links = []
        if doi:
            links.append(_sentence(HRef(doi_url(doi), f"doi:{doi}")))
        if pmid:
            links.append(_sentence(HRef(pubmed_url(pmid), f"PMID: {pmid}")))
        if pmcid:
            links.append(_sentence(HRef(pmc_url(pmcid), f"PMCID: {pmcid}")))
        if url and not doi and not pmid and is_http_url(url):
            links.append(["Available from: ", HRef(url, url)])  # NLM: no period after a URL
        return links

    # -- entry types --------------------------------------------------------

    def format_article(self, context: Mapping) -> Text:
        entry = context["entry"]
        return _join([
            self.format_names(entry.persons.get("author", ())),
            _sentence(self.field(entry, "title")),
            _sentence(self.field(entry, "journal")),
            self.format_source(entry),
            *self.format_links(entry),
        ])

    def format_other(self, context: Mapping) -> Text:
        """Books, proceedings, web pages, ...: authors (or editors), title, where, year, links."""
        entry = context["entry"]
        authors, editors = entry.persons.get("author"), entry.persons.get("editor")
        if authors:
            names = self.format_names(authors)
        else:
            names = self.format_names(editors or (), "editors" if len(editors or ()) > 1 else "editor")
        container = self.field(entry, "booktitle")
        where = next((self.field(entry, n) for n in
                      ("publisher", "howpublished", "organization", "institution", "school")
                      if self.field(entry, n)), "")
        return _join([
            names,
            _sentence(self.field(entry, "title")),
            _sentence(f"In: {container}" if container else ""),
            _sentence(where),
            _sentence(self.field(entry, "year")),
            *self.format_links(entry),
        ])


def _sentence(*parts) -> list:
    """The non-empty parts, with a final period unless they end in '.', '?' or '!'."""
    parts = [p for p in parts if p]
    if parts and not str(parts[-1]).rstrip().endswith((".", "?", "!")):
        parts.append(".")
    return parts


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
                                        _url_problems(entry, (refs or {}).get(entry.key)))
    return out


def _url_problems(entry: Entry, ref: Reference | None) -> tuple[Problem, ...]:
    url = entry.fields.get("url", "").strip()
    if not url or is_http_url(url):
        return ()
    return (Problem(code="invalid-url", severity="error", key=entry.key, field="url",
                    file=ref.file if ref else None, line=ref.line_of("url") if ref else None,
                    message=f"{entry.key}: the url '{url}' is not an http(s) address, so it is "
                            "left out of the reference list: use an https:// URL"),)
