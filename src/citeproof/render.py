"""Rendering: citation markers, the reference list and scholarly metadata (pure).

Inputs are the parser's ``ParsedDocument``, the numbering and the pybtex style's
``FormattedEntry`` values; outputs are strings. Nothing here does I/O, logs or
knows about MkDocs, so another adapter (a plain build script, Zensical) can reuse it.

All text that reaches HTML is escaped here or by the pybtex HTML backend. Markdown
never sees our HTML: citation groups become plain-word tokens that ``finish_html``
swaps for their HTML after Markdown ran, so it can neither mangle nor re-parse them.
"""
from __future__ import annotations

import json
import re
from html import escape as html_escape
from html import unescape
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Container, Iterable, Mapping, Sequence

from .dates import Date
from .identifiers import doi_url, pmc_url, pubmed_url
from .model import Author, CitationGroup, ParsedDocument, Reference
from .numbering import compress_numbers, number_citations
from .work import Work, work_of
from .work import page_range as _page_range

#: Markdown sees only plain-word tokens where citations and the list go; the HTML
#: replaces them after Markdown ran (so Markdown can neither mangle nor re-parse it).
TOKEN_PREFIX = "citeproof7f3a"
BIBLIOGRAPHY_TOKEN = f"{TOKEN_PREFIX}bibliographyX"
_TAG_WITH_TOKEN = re.compile(rf"<[^<>]*{TOKEN_PREFIX}[^<>]*>")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_TOKEN_RE = re.compile(rf"<p>\s*{BIBLIOGRAPHY_TOKEN}\s*</p>|{TOKEN_PREFIX}(?:(\d+)|bibliography)X")

def escape(text: str) -> str:
    """HTML-escape text for element content and quoted attribute values (``& < > " '``;
    ``html.escape``'s chain of replaces is several times faster than ``str.translate``)."""
    return html_escape(text, quote=True)


_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-]")


def anchor_for(key: str) -> str:
    """A stable, URL-safe fragment id for a bib key, distinct for distinct keys.

    A key of ASCII letters, digits and ``_:.-`` keeps its text (``doe:2020`` ->
    ``ref-doe:2020``); any other character becomes ``~`` + its code point in hex + ``~``
    (``müller2020`` -> ``ref-m~fc~ller2020``). Plain keys hold no ``~``, so no two keys
    share an id.
    """
    return "ref-" + _ANCHOR_UNSAFE.sub(lambda m: f"~{ord(m.group()):x}~", key)


@dataclass
class PageCitations:
    """What one page cites: numbers, the HTML of each group, and who cites each key."""

    numbers: dict[str, int] = field(default_factory=dict)
    backrefs: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)  # group HTML, by group index
    notes: list[str] = field(default_factory=list)  # HTML after each group (notices), by index

    @property
    def ordered_keys(self) -> list[str]:
        return sorted(self.numbers, key=self.numbers.__getitem__)


def render_markdown(
    text: str,
    doc: ParsedDocument,
    known_keys: Iterable[str],
    notices: Mapping[str, str],
    *,
    superscript: bool = False,
    references_heading: str = "References",
) -> tuple[str, PageCitations]:
    """Replace every citation group of ``doc`` in ``text`` with a token; build its HTML.

    Numbers follow the order of first citation on the page. A key the bib lacks stays
    visible as ``[?key]`` (never deleted). ``\\bibliography`` becomes a token paragraph;
    without one, a heading and the token are appended when the page cites anything.
    ``\\@`` escapes lose their backslash. ``notices`` maps keys to HTML shown after
    each citation of them (a retraction notice); each number is described by its entry's
    text (``aria-describedby``, see :func:`text_id`), which the preview shows.
    Call ``finish_html`` on the page's HTML to put the markers and the list in.
    """
    known = known_keys if isinstance(known_keys, (set, frozenset, dict)) else set(known_keys)
    page = PageCitations(numbers=number_citations([doc], known))

    edits: list[tuple[int, int, str]] = []
    for index, group in enumerate(doc.groups):
        gid = f"cite-{index + 1}"
        page.markers.append(_marker(group, gid, page, known, superscript))
        page.notes.append("".join(notices[k] for k in dict.fromkeys(i.key for i in group.items)
                                  if k in notices))
        if _on_heading_line(text, group.start):
            # A heading's text also feeds the table of contents and its id: plain "[1]"
            # there (escaped for Markdown), and no back-link to a place that has no id.
            label = plain_text(page.markers[-1])
            edits.append((group.start, group.end, "".join("\\" + c if c in "[]\\`*_" else c for c in label)))
            for gids in page.backrefs.values():
                if gid in gids:
                    gids.remove(gid)
        else:
            edits.append((group.start, group.end, f"{TOKEN_PREFIX}{index}X"))
    for marker in doc.markers[:1]:
        edits.append((marker.start, marker.end, f"\n{BIBLIOGRAPHY_TOKEN}\n"))
    for marker in doc.markers[1:]:
        edits.append((marker.start, marker.end, ""))
    for offset in doc.escapes:
        edits.append((offset, offset + 1, ""))

    out, pos = [], 0
    for start, end, replacement in sorted(edits):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    if page.numbers and not doc.markers:
        result = result.rstrip("\n") + f"\n\n## {references_heading}\n\n{BIBLIOGRAPHY_TOKEN}\n"
    return result, page


def finish_html(page_html: str, page: PageCitations, bibliography_html: str = "") -> str:
    """Put each group's HTML and the reference list where their tokens ended up.

    A token inside a tag (an image's ``alt``, a ``title``) becomes escaped plain text:
    an attribute cannot hold a link (nor a notice).
    """
    markers, notes = page.markers, page.notes

    def marker(m: re.Match) -> str:
        index = int(m.group(1))
        return markers[index] if index < len(markers) else m.group(0)

    def with_notes(m: re.Match) -> str:
        index = int(m.group(1))
        return marker(m) + (notes[index] if index < len(notes) else "")

    def in_tag(t: re.Match) -> str:
        return _TOKEN_RE.sub(lambda m: escape(plain_text(marker(m))) if m.group(1) is not None else "",
                             t.group(0))

    if TOKEN_PREFIX not in page_html:
        return page_html
    page_html = _TAG_WITH_TOKEN.sub(in_tag, page_html)
    return _TOKEN_RE.sub(lambda m: with_notes(m) if m.group(1) is not None else bibliography_html, page_html)


def plain_text(marker_html: str) -> str:
    """What a marker says, without tags: ``[1–3, 5]``."""
    return unescape(re.sub(r"<[^>]*>", "", marker_html))


def _on_heading_line(text: str, offset: int) -> bool:
    """Whether ``offset`` lies in an ATX heading (``## …``) or a setext heading's text line."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:] if end < 0 else text[start:end]
    if _ATX.match(line):
        return True
    if end < 0:
        return False
    after = text.find("\n", end + 1)
    nxt = text[end + 1:] if after < 0 else text[end + 1:after]
    return bool(line.strip()) and bool(_SETEXT.match(nxt))


def _marker(group: CitationGroup, gid: str, page: PageCitations, known: Container[str],
            superscript: bool) -> str:
    """The HTML of one group: ``[1–3, 5]``, ``[see 2, p. 3]`` or ``[?nosuchkey]``."""
    for item in group.items:
        if item.key in known:
            page.backrefs.setdefault(item.key, [])
            if gid not in page.backrefs[item.key]:
                page.backrefs[item.key].append(gid)
        else:
            page.unknown.append(item.key)
    inner = _marker_inner(group, page, known)
    missing = [i.key for i in group.items if i.key not in known]
    if not superscript and not missing and len(group.items) == 1 and not (
            group.items[0].prefix or group.items[0].locator):
        # The common case as one element (lean pages): the link is the whole citation.
        key = group.items[0].key
        return _number_link(key, page.numbers[key], gid=gid)
    classes = "cp-cite cp-unknown" if missing else "cp-cite"
    title = f' title="{escape("Unknown citation key: " + ", ".join(missing))}"' if missing else ""
    if superscript:
        return f'<sup class="{classes}" id="{gid}"{title}>{inner}</sup>'
    return f'<span class="{classes}" id="{gid}"{title}>[{inner}]</span>'


def _marker_inner(group: CitationGroup, page: PageCitations, known: Container[str]) -> str:
    """What a group's brackets hold: each item's number (ranges of three or more, unless an
    item has a prefix or locator), then the unknown keys."""
    def label(key: str) -> str:
        if key in known:
            return _number_link(key, page.numbers[key])
        return f'<span class="cp-unknown-key">?{escape(key)}</span>'

    if any(i.prefix or i.locator for i in group.items):
        # Prefixes and locators belong to their item: no ranges, item order kept.
        return "; ".join(
            (escape(i.prefix) + " " if i.prefix else "") + label(i.key)
            + (", " + escape(i.locator) if i.locator else "")
            for i in group.items)
    first_item: dict[int, str] = {}
    for i in group.items:
        if i.key in known:
            first_item.setdefault(page.numbers[i.key], i.key)
    parts = []
    for first, last in compress_numbers(first_item):
        parts.append(label(first_item[first]))
        if last != first:
            parts[-1] += "&#8211;" + label(first_item[last])
    parts += [label(i.key) for i in group.items if i.key not in known]
    return ", ".join(parts)


def text_id(key: str) -> str:
    """The id of an entry's reference text in the list (what its citations are described by)."""
    return anchor_for(key) + "-text"


def _number_link(key: str, number: int, gid: str = "") -> str:
    """A number linking to its entry and described by the entry's text (screen readers read
    it; the preview shows it); with ``gid`` it is the whole citation group (``[n]``)."""
    attrs = f'href="#{anchor_for(key)}" aria-describedby="{text_id(key)}"'
    if gid:
        return f'<a class="cp-cite cp-ref" id="{gid}" {attrs}>[{number}]</a>'
    return f'<a class="cp-ref" {attrs}>{number}</a>'


def design_badges(design) -> str:
    """A work's study-design badges (``claims.Design``, from a registry's answer), with
    the registry, its wording and the retrieval date on hover; "" when there are none."""
    if design is None or not design.badges:
        return ""
    when = f", retrieved {design.retrieved[:10]}" if design.retrieved else ""
    tip = f"{design.label}: {', '.join(design.types)}{when}"
    return "".join(f' <span class="cp-design" title="{escape(tip)}">{escape(b)}</span>'
                   for b in design.badges)


def render_bibliography(page: PageCitations, entries_html: Mapping[str, str], *,
                        download_href: str | None = None,
                        heading_id: str = "references", badges: Mapping[str, str] | None = None,
                        extras: Mapping[str, str] | None = None,
                        downloads: Sequence[tuple[str, str]] = (),
                        bundle_href: str | None = None) -> str:
    """The ordered reference list with back-links to every citing group.

    Each entry's text is a ``<span id="{text_id}">`` (what its citations are described
    by); ``badges[key]`` (study designs) and then ``extras[key]`` (status marks, notices,
    COinS) are HTML placed after it; ``downloads`` are ``(label, href)`` links under the
    list, after the bib's own; ``bundle_href`` is where the cite actions' script finds
    every entry in every format.
    """
    badges = badges or {}
    extras = extras or {}
    items = []
    for key in page.ordered_keys:
        n = page.numbers[key]
        back = "".join(
            f' <a href="#{gid}" class="cp-backref" aria-label="Back to citation {i} of reference {n} in the text">&#8617;</a>'
            for i, gid in enumerate(page.backrefs.get(key, []), start=1)
        )
        items.append(f'<li id="{anchor_for(key)}" class="cp-entry" value="{n}">'
                     f'<span class="cp-entry-text" id="{text_id(key)}">{entries_html.get(key, escape(key))}</span>'
                     f'{badges.get(key, "")}{extras.get(key, "")}{back}</li>')
    links = [("Download the references (BibTeX)", download_href)] if download_href else []
    links += list(downloads)
    download = ""
    if links:
        download = ('<p class="cp-download">' + " · ".join(
            f'<a href="{escape(href)}" download>{escape(label)}</a>' for label, href in links) + "</p>")
    bundle = f' data-cp-bundle="{escape(bundle_href)}"' if bundle_href else ""
    return (f'<section class="cp-bibliography" id="{heading_id}-list" aria-label="References"{bundle}>'
            f'<ol class="cp-references">{"".join(items)}</ol>{download}</section>')


_DOI_LINK = re.compile(r'<a href="(https://doi\.org/[^"]*)" rel="noopener">doi:([^<]*)</a>')
_ID_LINK = re.compile(r'<a (href="https://(?:pubmed|pmc)\.ncbi\.nlm\.nih\.gov/[^"]*" rel="noopener")>([^<]*)</a>')


def readable_identifiers(entry_html: str) -> str:
    """An entry's HTML with its identifiers kept whole: "PMID: 31261549" never breaks
    (one ``<span>`` in a ``cp-id`` link), and a DOI breaks only after a ``/`` or ``.``
    (each piece is a ``<span>`` the style keeps on one line, ``<wbr>`` between them)."""
    def doi(m: re.Match) -> str:
        pieces = re.findall(r"[^/.]*[/.]|[^/.]+$", "doi:" + m.group(2))
        inner = "<wbr>".join(f"<span>{p}</span>" for p in pieces if p)
        return f'<a class="cp-doi" href="{m.group(1)}" rel="noopener">{inner}</a>'
    return _ID_LINK.sub(r'<a class="cp-id" \1><span>\2</span></a>', _DOI_LINK.sub(doi, entry_html))


# ---------------------------------------------------------------- scholarly metadata

#: The schema.org type of each format (``Reference.kind``): a miscellaneous work with an
#: http(s) address is a ``WebPage`` (BibTeX has no type for one), and a work of type
#: ``WebPage`` without one a ``CreativeWork``.
SCHEMA_TYPES = {"article": "ScholarlyArticle", "book": "Book", "chapter": "Chapter", "paper": "ScholarlyArticle",
                "proceedings": "Book", "report": "Report", "thesis": "Thesis", "webpage": "WebPage",
                "dataset": "Dataset", "software": "SoftwareSourceCode", "patent": "CreativeWork",
                "preprint": "ScholarlyArticle", "misc": "WebPage"}


def schema_type(ref: Reference) -> str:
    """The schema.org ``@type`` of a reference (see :data:`SCHEMA_TYPES`)."""
    work = work_of(ref)
    kind = SCHEMA_TYPES[work.kind]
    return "CreativeWork" if kind == "WebPage" and not work.url else kind


def _web_url(work: Work) -> str:
    """The web address, when the work has neither DOI nor PMID to link."""
    return "" if work.doi or work.pmid else work.url


def _highwire_author(author: Author) -> str:
    return author.family if author.corporate else f"{author.family}, {author.given}".rstrip(", ")


def _highwire_date(date: Date) -> str:
    """Google Scholar's ``2010/05/12`` for a full date, else the year alone."""
    return f"{date.year}/{date.month:02d}/{date.day:02d}" if date.day and date.month else date.year


@dataclass(frozen=True)
class HighwireType:
    """How Highwire tags tell a work of one format (:data:`HIGHWIRE_TYPES`)."""

    #: the tag naming who published it; "" leaves it out (an article's journal says it)
    publisher_tag: str = "citation_publisher"
    #: the tag of its ``number`` (a report's); "" leaves it out
    number_tag: str = ""
    #: the tag of the book or proceedings it is part of
    book_tag: str = "citation_book_title"


#: The Highwire telling of each format that differs from :class:`HighwireType`'s: a
#: conference paper's proceedings are its ``citation_conference_title``.
HIGHWIRE_TYPES = {
    "article": HighwireType(publisher_tag=""),
    "paper": HighwireType(book_tag="citation_conference_title"),
    "thesis": HighwireType(publisher_tag="citation_dissertation_institution"),
    "report": HighwireType(publisher_tag="citation_technical_report_institution",
                           number_tag="citation_technical_report_number"),
}
_HIGHWIRE_DEFAULT = HighwireType()
_Tags = list[tuple[str, str]]


def _highwire_work(work: Work, kind: HighwireType) -> _Tags:
    """The work: its title, authors, and the journal or book it is part of (a classic
    BibTeX ``@inbook``, whose title is the book's, as the book)."""
    if not work.title:
        return [("citation_title", work.container)] + [("citation_author", _highwire_author(a))
                                                        for a in work.authors]
    tags = [("citation_title", work.title)]
    tags += [("citation_author", _highwire_author(a)) for a in work.authors]
    if work.container:
        tags.append((kind.book_tag if work.in_book else "citation_journal_title", work.container))
    return tags


def _highwire_issue(work: Work, kind: HighwireType) -> _Tags:
    """Where it stands: date, volume, issue and pages."""
    first, last = _page_range(work.pages)
    return [("citation_publication_date", _highwire_date(work.date)), ("citation_volume", work.volume),
            ("citation_issue", work.issue), ("citation_firstpage", first or work.pages),
            ("citation_lastpage", last)]


def _highwire_publisher(work: Work, kind: HighwireType) -> _Tags:
    """Who published it, its report number, ISBN and ISSN."""
    return [(kind.publisher_tag, work.publisher), (kind.number_tag, work.number),
            ("citation_isbn", work.isbn), ("citation_issn", work.issn)]


def _highwire_links(work: Work, kind: HighwireType) -> _Tags:
    """Its identifiers and, without them, its web address."""
    return [("citation_doi", work.doi), ("citation_pmid", work.pmid), ("citation_public_url", _web_url(work))]


#: The parts of a ``citation_reference`` value, in order: each gives ``(tag, value)`` pairs.
HIGHWIRE_PARTS = (_highwire_work, _highwire_issue, _highwire_publisher, _highwire_links)


def citation_reference(ref: Reference) -> str:
    """One Highwire ``citation_reference`` value (Google Scholar's ``key=value; ...`` form):
    the :data:`HIGHWIRE_PARTS` of the work, told as :data:`HIGHWIRE_TYPES` says for its format."""
    work = work_of(ref)
    kind = HIGHWIRE_TYPES.get(work.kind, _HIGHWIRE_DEFAULT)
    return "; ".join(f"{tag}={value}".replace(";", ",") for part in HIGHWIRE_PARTS
                     for tag, value in part(work, kind) if tag and value)


@lru_cache(maxsize=8192)
def _reference_tag(ref: Reference) -> str:
    """The ``citation_reference`` meta tag of one reference (cached: pages share them)."""
    return _meta("citation_reference", citation_reference(ref))


def _agent(author: Author) -> dict:
    """A schema.org ``Organization`` for a corporate author, else a ``Person``."""
    if author.corporate:
        return {"@type": "Organization", "name": author.family}
    person = {"@type": "Person", "familyName": author.family}
    if author.given:
        person["givenName"] = author.given
    return person


def _kept(schema: str = "", **values) -> dict:
    """A schema.org object of type ``schema`` ("": untyped) with the ``values`` that are not
    empty (what is not known is left out)."""
    return {**({"@type": schema} if schema else {}), **{name: value for name, value in values.items() if value}}


def _periodical(work: Work) -> dict:
    """``PublicationIssue`` (issueNumber) -> ``PublicationVolume`` (volumeNumber) ->
    ``Periodical`` (name, ISSN), each level only when the bib has it."""
    part: dict = _kept("Periodical", name=work.container, issn=work.issn)
    if work.volume:
        part = {"@type": "PublicationVolume", "volumeNumber": work.volume, "isPartOf": part}
    if work.issue:
        part = {"@type": "PublicationIssue", "issueNumber": work.issue, "isPartOf": part}
    return part


def _organization(work: Work) -> dict:
    """Who published it, and where (``location``)."""
    return _kept("Organization", name=work.publisher, location=work.place) if work.publisher else {}


def _event(work: Work) -> dict:
    """The conference a proceedings volume records: its name, dates and place."""
    date = work.event_date
    end = date.end.iso if date.end is not None and date.end.year else ""
    place = {"@type": "Place", "name": work.event_place} if work.event_place else {}
    if not (work.event_title or date.year or place):
        return {}
    return _kept("Event", name=work.event_title, startDate=date.iso, endDate=end, location=place)


def _book(work: Work, name: str) -> dict:
    """A ``Book`` named ``name``: its editors, edition, publisher, ISBN, length, the series
    it is in (at its ``position``) and the conference it records (``recordedAt``)."""
    series = _kept("BookSeries", name=work.series, issn=work.issn) if work.series else {}
    return _kept("Book", name=name, editor=[_agent(a) for a in work.editors], bookEdition=work.edition,
                 publisher=_organization(work), isbn=work.isbn, numberOfPages=work.pagetotal,
                 isPartOf=series, position=work.series_number, recordedAt=_event(work))


def _plain_work(work: Work, kind: str) -> dict:
    """The work as its schema.org type, named by its title; its editors; a publisher for a
    type other than a ``ScholarlyArticle`` in a journal (whose journal says it)."""
    publisher = {} if kind == "ScholarlyArticle" and work.container else _organization(work)
    return _kept(kind, name=work.title, editor=[_agent(a) for a in work.editors], publisher=publisher)


def _book_work(work: Work, kind: str) -> dict:
    return _book(work, work.title)


def _part_work(work: Work, kind: str) -> dict:
    """A part of a book or proceedings (a ``Chapter``, a conference paper): part of the
    ``Book``; a classic BibTeX ``@inbook`` (its title is the book's) at its ``chapter``."""
    return _kept(kind, name=work.title, isPartOf=_book(work, work.container), position=work.chapter)


def _work_start(work: Work, kind: str) -> dict:
    """How a work's JSON starts: as a book, a part of one, or any other work (:func:`_plain_work`)."""
    if work.kind in ("book", "proceedings"):
        return _book_work(work, kind)
    return _part_work(work, kind) if work.in_book else _plain_work(work, kind)


def _work_people(work: Work, kind: str) -> dict:
    return _kept(author=[_agent(a) for a in work.authors], translator=[_agent(a) for a in work.translators])


def _work_issue(work: Work, kind: str) -> dict:
    """Its date, the journal issue it is part of, its pages, report number, version, genre
    and status (a preprint's; biblatex's ``pubstate``: "in press")."""
    first, last = _page_range(work.pages)
    pages = {"pageStart": first, "pageEnd": last} if first else {"pagination": work.pages}
    journal = _periodical(work) if work.container and not work.in_book else {}
    return _kept(datePublished=work.date.iso, isPartOf=journal, **pages, reportNumber=work.number if kind == "Report" else "",
                 version=work.version, genre=work.genre,
                 creativeWorkStatus="Preprint" if work.kind == "preprint" else work.status)


def _work_links(work: Work, kind: str) -> dict:
    """Its identifiers, and the records that are the same work (else its web address)."""
    out: dict = {}
    ids = [{"@type": "PropertyValue", "propertyID": name, "value": value}
           for name, value in (("DOI", work.doi), ("PMID", work.pmid), ("PMCID", work.pmcid)) if value]
    if ids:
        out["identifier"] = ids if len(ids) > 1 else ids[0]
    same = [u for u in (doi_url(work.doi) if work.doi else "", pubmed_url(work.pmid) if work.pmid else "",
                        pmc_url(work.pmcid) if work.pmcid else "") if u]
    if same:
        out["sameAs"] = same
    elif _web_url(work):
        out["url"] = work.url
    return out


#: What is added to a work's JSON after its start (:func:`_work_start`), in order.
WORK_PARTS = (_work_people, _work_issue, _work_links)


@lru_cache(maxsize=8192)
def _creative_work(ref: Reference) -> str:
    """One reference as schema.org JSON, typed by its format (cached: pages share them)."""
    work = work_of(ref)
    kind = schema_type(ref)
    data = _work_start(work, kind)
    for part in WORK_PARTS:
        data.update(part(work, kind))
    return _json(data)


def _meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{escape(content)}">'


def _json(value) -> str:
    """JSON that is safe inside a <script> element."""
    data = json.dumps(value, ensure_ascii=False, indent=None)
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def reference_metadata(ref: Reference) -> tuple[str, str]:
    """A reference's ``citation_reference`` meta tag and its schema.org JSON: made once per
    bib (the site's bib cache keeps them), so a build only joins them."""
    return _reference_tag(ref), _creative_work(ref)


def _typed_work(ref: Reference, design, work: str | None = None) -> str:
    """A cited work's JSON-LD (``work``: its :func:`reference_metadata` JSON, when known),
    as a ``MedicalScholarlyArticle`` with PubMed's publication types when a registry gave them."""
    work = work or _creative_work(ref)
    if design is None or design.vocabulary != "nlm":
        return work
    data = json.loads(work)
    if data.get("@type") != "ScholarlyArticle":
        return work
    del data["@type"]
    return _json({"@type": "MedicalScholarlyArticle", "publicationType": list(design.types), **data})


def head_metadata(*, title: str, authors: Sequence[str], date: str | None, url: str | None,
                  description: str | None, references: Sequence[Reference],
                  designs: Mapping[str, object] | None = None,
                  made: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Highwire ``citation_*`` meta tags and a schema.org ``ScholarlyArticle`` JSON-LD block
    (``designs``: the works' registry publication types, by key; ``made``: their
    :func:`reference_metadata`, by key, where already made)."""
    designs, made = designs or {}, made or {}
    parts = [made.get(r.key) or reference_metadata(r) for r in references]
    tags = [_meta("citation_title", title)]
    tags += [_meta("citation_author", a) for a in authors]
    if date:
        tags.append(_meta("citation_publication_date", date.replace("-", "/")))
    if url:
        tags.append(_meta("citation_public_url", url))
    tags += [tag for tag, _ in parts]
    doc = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": title,
           "author": [{"@type": "Person", "name": a} for a in authors]}
    if date:
        doc["datePublished"] = date
    if description:
        doc["description"] = description
    if url:
        doc["url"] = url
    head = _json(doc)[:-1]  # the article object, still open for its citations
    citations = ",".join(_typed_work(r, designs.get(r.key), work) for r, (_, work) in zip(references, parts))
    tags.append(f'<script type="application/ld+json">{head},"citation":[{citations}]}}</script>')
    return "\n".join(tags)


def social_metadata(*, title: str, description: str | None, url: str | None, site_name: str,
                    date: str | None = None) -> str:
    """Open Graph and Twitter card tags, so that a shared link shows the article (its
    title, description and canonical address) rather than a bare URL."""
    def prop(name: str, content: str) -> str:
        return f'<meta property="{name}" content="{escape(content)}">'
    tags = [prop("og:type", "article"), prop("og:title", title), prop("og:site_name", site_name)]
    if description:
        tags.append(prop("og:description", description))
    if url:
        tags.append(prop("og:url", url))
    if date:
        tags.append(prop("article:published_time", date))
    tags += [_meta("twitter:card", "summary"), _meta("twitter:title", title)]
    if description:
        tags.append(_meta("twitter:description", description))
    return "\n".join(tags)


def render_index_listing(texts: Sequence[str]) -> str:
    """The reference list as plain text items (``texts`` in list order, not escaped yet):
    what a search index reads in place of the full list (see ``SiteCore.finish_html``)."""
    items = "".join(f"<li>{escape(t)}</li>" for t in texts)
    return f'<ol class="cp-references-index">{items}</ol>'
