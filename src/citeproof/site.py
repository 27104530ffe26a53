"""The site core: citations for one site, for any site generator (nothing here knows MkDocs).

A :class:`SiteCore` holds the formatted bib (reloaded when the file changes, cached on
disk by ``bibcache.py``) and the lock, and renders a page in one operation that returns
everything a generator needs (:class:`RenderedPage`): its HTML, its head metadata, its
verification record and where it goes, the downloads it links to, and its problems.

    page = core.render(PageSource(markdown, "docs/index.md"), to_html=markdown_to_html)

A generator that runs Markdown itself between the two halves of that operation (MkDocs,
a Python-Markdown extension) calls them in turn: :meth:`SiteCore.begin` before Markdown
(citation groups become plain tokens, the page's citation problems are found), then
:meth:`SiteCore.finish` on the HTML Markdown made of it (unsafe links disarmed, the
tokens become the citations, the reference list and the article's header are placed).
Each half is read back from the page cache (``pagecache.py``) when nothing it was made of
changed; :meth:`SiteCore.save` writes the cache after a build.

Problems are returned, never logged: the adapter reports them its own way
(:func:`log_problems`). Only an unusable option (``ConfigError``), an unreadable bib
(``BibError``) or an unusable lock file (``LockError``) is raised. The lock (the
checker's registry answers) feeds the prose checks, the badges and the evidence.
"""
from __future__ import annotations

import gc
import hashlib
import html
import json
import logging
import os
import posixpath
import re
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping

from . import __version__, cachefile, evidence as ev, exports
from .bibcache import LoadedBib, load_formatted_bib
from .config import SiteOptions, default_lock
from .errors import BibError
from .lock import Lock
from .model import Problem, Record, require_identifiers
from .model import ProblemCode as Code
from .pagecache import PageCache
from .pages import front_matter_authors

if TYPE_CHECKING:  # pragma: no cover
    from .claims import ClaimIndex
    from .edition import Edition
from .render import (PageCitations, anchor_for, design_badges, escape, finish_html, head_metadata,
                     readable_identifiers, render_bibliography, render_index_listing, render_markdown,
                     social_metadata)

#: The page's verification record, beside the page (see :func:`verification_path`).
VERIFICATION_NAME = "verification.json"
#: The files every site gets, by their path in the site: the stylesheet and the scripts
#: (the accessible previews, the entries' cite actions).
ASSETS: dict[str, Path] = {f"assets/citeproof/{name}": Path(__file__).parent / "assets" / name
                           for name in ("citeproof.css", "citeproof-preview.js", "citeproof-cite.js")}

#: Every attribute that holds a URL, or (SVG/SMIL ``values``, ``to``, ``from``, ``by``)
#: a value an animation may write into one; ``srcset`` and ``values`` hold lists.
_URL_ATTR = re.compile(
    r"""([\s/](?:href|src|srcset|action|formaction|xlink:href|data|poster|background|cite"""
    r"""|ping|longdesc|usemap|codebase|archive|classid|icon|manifest|lowsrc|dynsrc"""
    r"""|values|to|from|by)\s*=\s*)(?:(["'])(.*?)\2|([^\s"'=<>`]+))""", re.I | re.S)
_UNSAFE_SCHEMES = {"javascript", "vbscript", "data"}
_LIST_ITEM = re.compile(r"[;,]")


@dataclass(frozen=True)
class PageSource:
    """A page as its generator knows it."""

    markdown: str  # the page's Markdown, without its front matter
    label: str  # the page's file as messages name it
    offset: int = 0  # lines of the file before ``markdown`` (its front matter)
    meta: Mapping[str, Any] = field(default_factory=dict)  # its front matter
    dest: str = "index.html"  # where the page is written, relative to the site's root
    url: str | None = None  # its canonical URL, when the site has one
    site_name: str = ""
    #: the page's file, when it has one: the edition record's page gets its checks
    path: str = ""
    #: that file's text as the generator read it, front matter included (``None``: read it)
    text: str | None = None


@dataclass
class PageRender:
    """The first half of a page: its Markdown with tokens, and what it cites."""

    label: str  # the page's file name in messages
    source: str  # the Markdown as the page wrote it (without front matter)
    offset: int  # lines before ``source`` in the file (its front matter)
    text: str  # the Markdown to hand to Markdown: citation groups are tokens
    cites: PageCitations
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PendingPage:
    """A page between the two halves of its render (:meth:`SiteCore.begin`)."""

    source: PageSource
    render: PageRender

    @property
    def markdown(self) -> str:
        """What to hand to Markdown: the page's Markdown with its citations as tokens."""
        return self.render.text


@dataclass(frozen=True)
class RenderedPage:
    """Everything a generator needs of one page (:meth:`SiteCore.finish`)."""

    html: str  # the page's HTML: citations, reference list, header under its title
    head: str  # what goes before ``</head>`` ("" when the page cites nothing, or metadata is off)
    #: the page's verification record: (its path relative to the site's root, its JSON),
    #: or ``None`` when the page lists no reference
    record: tuple[str, str] | None
    #: the files the page links readers to (the bib and its exports), by path relative to
    #: the site's root; empty when the page lists nothing or ``download_bib`` is off
    downloads: tuple[str, ...]
    problems: tuple[Problem, ...]  # the page's own (the bib's: :meth:`SiteCore.bib_problems`)
    anchors: tuple[str, ...]  # the ids the citations and the list add to the page
    #: for an adapter whose search index reads the page before the theme renders it (the
    #: full list's markup costs an index much time): the list as plain items
    #: (``index_listing``, which stands for ``listing`` in ``html``); both "" when the page
    #: lists nothing
    listing: str = ""
    index_listing: str = ""

    def indexed(self) -> str:
        """What a search index should read in place of ``html``: ``html`` with the list as
        plain items (``html`` itself when the page lists nothing)."""
        return self.html.replace(self.listing, self.index_listing, 1) if self.listing else self.html

    def restored(self, content: str) -> str | None:
        """``content`` (what :meth:`indexed` gave, as the index left it) with the page's own
        list back, or ``None`` when something changed it so that it cannot be."""
        if not self.listing:
            return content
        return content.replace(self.index_listing, self.listing, 1) if self.index_listing in content else None


cachefile.allow(PageRender, RenderedPage, PageCitations)  # what the page cache keeps


class SiteCore:
    """The bib of one site and the rendering of its pages."""

    def __init__(self, options: SiteOptions, root: Path | str = ".") -> None:
        self.root = root = Path(root).resolve()
        self.options = options
        self.bib_path = (root / options.bib_file).resolve()
        cache_dir = root / options.cache_dir if options.cache_dir else None
        self.cache_dir = cache_dir
        self.pages = PageCache(cache_dir, options, root) if cache_dir is not None else None
        self.lock_path = (root / options.lock_file).resolve() if options.lock_file else default_lock(self.bib_path)
        self._bib: LoadedBib | None = None
        self._signature: tuple | None = None
        self._entry_html: dict[str, str] = {}
        self._lock: Lock | None = None
        self._lock_signature: tuple | None = None
        self._lock_digest = b""
        self._claims: tuple[tuple[int, int], ClaimIndex] | None = None
        self._memo: tuple[dict, dict[str, dict]] | None = None
        self._evidence: dict[str, ev.Evidence] | None = None
        self._edition: tuple[tuple, Edition | None, list[Problem]] | None = None
        self.cited: set[str] = set()  # the keys the pages of this build cite (known and unknown)

    # ---------------------------------------------------------------- the bib and the lock

    def watched(self) -> list[Path]:
        """What a live server watches beside the pages: the bib, the lock and the edition
        record's folder, those that exist (a change to any of them changes pages)."""
        edition = self.root / self.options.edition if self.options.edition else None
        return [p for p in (self.bib_path, self.lock_path, edition) if p is not None and p.exists()]

    @property
    def bib_label(self) -> str:
        """The bib's name in messages: relative to the current directory when it can be."""
        return _relative(self.bib_path)

    @property
    def bib(self) -> LoadedBib:
        if self._bib is None:
            self.refresh()
        assert self._bib is not None
        return self._bib

    def refresh(self, *, tolerant: bool = False) -> bool:
        """Load the bib unless it is unchanged (same mtime and size) since the last load.

        Returns whether it was (re)loaded; raises ``BibError`` when it cannot be read, or,
        when ``tolerant`` (a preview server, which must keep serving), keeps an empty bib
        whose one problem says why.
        """
        signature = _signature(self.bib_path)
        if self._bib is not None and signature == self._signature:
            return False
        try:
            bib = load_formatted_bib(self.bib_path, self.cache_dir, label=self.bib_label,
                                     authors=self.options.authors, page_ranges=self.options.page_ranges)
        except BibError as exc:
            if not tolerant:
                raise
            bib = LoadedBib({}, [Problem(Code.BIB_SYNTAX, "error", str(exc).removeprefix("citeproof: "),
                                         file=self.bib_label)], {})
        self._bib, self._signature = bib, signature
        self._entry_html = bib.listed if len(bib.listed) == len(bib.entries) else {
            k: readable_identifiers(e.html) for k, e in bib.entries.items()}
        self._evidence = None
        return True

    def lock(self) -> Lock:
        """The lock file's entries (empty when there is none), reread when it changes;
        raises ``LockError`` when it cannot be used."""
        signature = _signature(self.lock_path)
        if self._lock is None or signature != self._lock_signature:
            self._lock, self._lock_signature = Lock.load(self.lock_path), signature
            self._evidence = None
            try:
                self._lock_digest = hashlib.sha256(self.lock_path.read_bytes()).digest()
            except OSError:
                self._lock_digest = b"" if signature is None else b"?"  # (unknown: no page cache)
        return self._lock

    def evidence(self) -> dict[str, ev.Evidence]:
        """What the lock proves about every reference of the bib (see ``evidence.py``)."""
        lock = self.lock()
        if self._evidence is None:
            self._evidence = ev.gather(self.bib.references, lock)
        return self._evidence

    def records(self) -> dict[str, tuple[Record, ...]]:
        """The locked registry records of each reference whose identifiers are still the
        bib's (an entry locked for other identifiers says nothing about this work)."""
        refs = self.bib.references
        return {key: entry.records for key, entry in self.lock().references.items()
                if key in refs and entry.matches(refs[key])}

    def claim_index(self) -> ClaimIndex:
        """The prose checks' index of this bib and lock, rebuilt only when either changed."""
        from .claims import ClaimIndex  # (imported when a page is rendered, not read back)

        key = (id(self.bib), id(self.lock()))
        if self._claims is None or self._claims[0] != key:
            self._claims = (key, ClaimIndex(self.bib.references, self.records(), self.options.not_names))
        return self._claims[1]

    def site_problems(self) -> list[Problem]:
        """What a site reports on every build besides its pages': the bib's problems, and
        why the edition record cannot be used (:meth:`edition_faults`)."""
        return [*self.bib_problems(), *self.edition_faults()]

    def bib_problems(self) -> list[Problem]:
        """Every problem of the bib itself (a site reports them on every build)."""
        problems = require_identifiers(list(self.bib.problems), self.options.require_identifier)
        if not self.bib.references:
            problems.append(Problem(Code.BIB_SYNTAX, "error", "the bib file has no entries: every "
                                    "citation will show as unknown", file=self.bib_label))
        return problems

    def downloads(self) -> dict[str, str]:
        """The whole bib for readers to take away, beside the bib's own copy in the site:
        file name -> text (RIS, CSL-JSON, and every entry in every format for the cite
        actions); made with the formatted bib, so cached with it (``exports.downloads``)."""
        stem = self.bib_path.name.rsplit(".", 1)[0]
        return {stem + suffix: text for suffix, text in self.bib.downloads.items()}

    # ---------------------------------------------------------------- the edition record

    def refresh_edition(self) -> bool:
        """Read the article's edition record (the ``edition`` option) unless its files are
        unchanged since the last read; returns whether it was read. A record that cannot be
        used is kept as its problem (:meth:`edition_faults`), at its file and line."""
        if not self.options.edition:
            return False
        folder = self.root / self.options.edition
        signature = (_signature(folder / "changes.yml"), _signature(folder / "original.txt"))
        if self._edition is not None and self._edition[0] == signature:
            return False
        from .edition import EditionError, load_edition  # (only a site that keeps a record)

        try:
            self._edition = (signature, load_edition(self.root, self.options.edition), [])
        except EditionError as exc:
            self._edition = (signature, None, [Problem(Code.INVALID_EDITION, "error", exc.what, line=exc.line or None,
                                                       file=_relative(self.root / exc.file))])
        return True

    def edition_faults(self) -> list[Problem]:
        """Why the edition record cannot be used (none when it can, or the site keeps none)."""
        self.refresh_edition()
        return list(self._edition[2]) if self._edition else []

    def edition_problems(self, path: Path | str, label: str, text: str | None = None) -> list[Problem]:
        """When ``path`` is the edition record's page: its undeclared changes and a stale
        editorial note, with the messages of ``citeproof check`` (``text``: the page's whole
        file, else read); else none."""
        self.refresh_edition()
        record = self._edition[1] if self._edition else None
        if record is None or Path(path).resolve() != (self.root / record.page).resolve():
            return []
        from .edition import edition_problems, located

        try:
            text = Path(path).read_text(encoding="utf-8-sig") if text is None else text
        except (OSError, UnicodeDecodeError):
            return []  # (the page's own read reports it)
        return edition_problems(located(record, self.root, _relative, page=label), text, self.bib.references)

    # ---------------------------------------------------------------- the page operation

    def render(self, source: PageSource, to_html: Callable[[str], str]) -> RenderedPage:
        """The whole page in one call: ``to_html`` is the generator's Markdown."""
        pending = self.begin(source)
        return self.finish(pending, to_html(pending.markdown))

    def begin(self, source: PageSource) -> PendingPage:
        """The first half: the page's Markdown with its citations as tokens, and its problems."""
        render = self._cached(PageRender, lambda: self._begin(source), lambda made: tuple(made.cites.numbers),
                              "begin", str(source.offset), source.label, source.markdown)
        self.cited.update(render.cites.numbers, render.cites.unknown)
        return PendingPage(source, render)

    def duplicate_works(self, cited: Collection[str] | None = None) -> list[Problem]:
        """One work under two keys: an error where two keys of it are cited, by ``cited``
        (one page's keys), else by this build's pages (after a build of every page, all
        they cite), else a warning (``citeproof check``'s ``duplicate-work``)."""
        from .bib.checks import duplicate_works

        if not self.bib.same:
            return []
        return duplicate_works(self.bib.references, self.cited if cited is None else cited, self.bib.same)

    def unused_entries(self) -> list[Problem]:
        """After a build of every page: each bib entry no page cited (``citeproof check``'s
        ``unused-entry`` warnings, which a build logs as INFO lines)."""
        from .numbering import unused_of

        return unused_of(self.cited, self.bib.references)

    def finish(self, pending: PendingPage, html_text: str) -> RenderedPage:
        """The second half, on ``html_text`` (what Markdown made of ``pending.markdown``);
        on the edition record's page, with its undeclared changes and a stale note."""
        s, page = pending.source, pending.render
        done = self._cached(RenderedPage, lambda: self._finish(s, page, html_text),
                            lambda _made: tuple(page.cites.numbers), "finish", str(s.offset), s.label, s.markdown,
                            page.text, html_text, repr(s.meta), s.dest, repr(s.url),
                            s.site_name)
        edition = self.edition_problems(s.path, s.label, s.text) if s.path else []
        return replace(done, problems=(*done.problems, *edition)) if edition else done

    def save(self) -> None:
        """Write the page cache, if a page was made anew (an adapter calls this after a
        build); the next build's pages say again what they cite."""
        self.cited = set()
        if self.pages is not None:
            self.pages.save()

    def _cached(self, kind: type, make, cites, *inputs: str):
        """``make()``, read back from the page cache when it holds it (``cites``: which
        keys of the bib the result read)."""
        if self.pages is None:
            return make()
        self.lock()  # (its digest is part of every record's key)
        return self.pages.fetch(self.bib, self._lock_digest, kind, make, inputs, cites)

    def _begin(self, source: PageSource) -> PageRender:
        from .markdown import parse_citations  # (not needed when every page is read back)
        from .numbering import by_identifier, resolve_keys

        markdown, label = source.markdown, source.label
        refs = self.bib.references
        doc, unknown = by_identifier(parse_citations(markdown, label, source.offset), refs)  # [@doi:…]: its key
        problems = [*doc.problems, *unknown, *resolve_keys([doc], refs.keys()),
                    *self.claim_index().check(markdown, doc)]
        evidence = self.evidence()
        notices = self._memo_of(evidence, "notices", lambda: {
            k: "".join(ev.notice_html(n, escape, short=True) for n in e.notices)
            for k, e in evidence.items() if e.notices})
        text, cites = render_markdown(markdown, doc, refs, notices,
                                      superscript=self.options.citation_format == "superscript",
                                      references_heading=self.options.references_heading)
        return PageRender(label, markdown, source.offset, text, cites, problems)

    def _finish(self, source: PageSource, page: PageRender, html_text: str) -> RenderedPage:
        html_text, problems = disarm_unsafe_links(html_text, page.source, page.label, page.offset)
        cites = page.cites
        if not (cites.markers or cites.numbers):
            return RenderedPage(html_text, "", None, (), (*page.problems, *problems), ())
        downloads = self._download_paths() if cites.numbers else ()
        listing = self._listing(cites, source.dest, downloads) if cites.numbers else ""
        anchors = (*(anchor_for(k) for k in cites.numbers), *(f"cite-{i + 1}" for i in range(len(cites.markers))))
        index = render_index_listing([self.bib.entries[k].text for k in cites.ordered_keys]) if listing else ""
        title = _title(html_text, source)
        record = (verification_path(source.dest), self._verification(page)) if cites.numbers else None
        header = self._header(source, page, title, record) if cites.numbers else ""
        done = finish_html(html_text, cites, listing)
        if header:
            done = _after_title(done, header)
        head, fault = self._head(source, page, title)
        if fault:
            problems.append(Problem(Code.INVALID_METADATA, "error", fault, file=page.label, line=1))
        return RenderedPage(done, head, record, downloads, (*page.problems, *problems), anchors, listing, index)

    def _download_paths(self) -> tuple[str, ...]:
        """The files a page's list links readers to, relative to the site's root."""
        if not self.options.download_bib:
            return ()
        return (self.bib_path.name, *self.downloads())

    def _listing(self, cites: PageCitations, dest: str, downloads: tuple[str, ...]) -> str:
        """The page's reference list, with the downloads linked from where the page stands."""
        href = _href(self.bib_path.name, dest) if downloads else None
        stem = href.rsplit(".", 1)[0] if href else ""
        return render_bibliography(
            cites, self._entry_html, download_href=href, badges=self._badges(cites.numbers),
            extras=self._extras(cites.ordered_keys),
            downloads=[("RIS", stem + ".ris"), ("CSL-JSON", stem + ".json")] if href else (),
            bundle_href=stem + ".cite.json" if href else None)

    def _verification(self, page: PageRender) -> str:
        """``verification.json`` for a page: its references and what the lock proves."""
        evidence = self.evidence()
        data = ev.record(evidence, page.cites.ordered_keys, generator=f"citeproof {__version__}",
                         references=False)
        # one reference a line: readable, and written by json's C encoder (indent is not);
        # each reference's line is made once per bib and lock (pages share references)
        head = json.dumps(data, ensure_ascii=False)
        lines = self._memo_of(evidence, "record")
        for key in page.cites.ordered_keys:
            if key in evidence and key not in lines:
                e = evidence[key]
                lines[key] = f"{json.dumps(e.key, ensure_ascii=False)}: {json.dumps(e.to_dict(), ensure_ascii=False)}"
        refs = ",\n".join({evidence[k].key: lines[k] for k in page.cites.ordered_keys if k in evidence}.values())
        return f'{head[:-1]}, "references": {{\n{refs}\n}}}}\n'

    def _header(self, source: PageSource, page: PageRender, title: str, record: tuple[str, str] | None) -> str:
        """Under the title of a page that lists references: the byline (authors, edition
        date), one honest line about the evidence, and "Cite this article"."""
        meta = source.meta if isinstance(source.meta, Mapping) else {}
        authors, _ = front_matter_authors(dict(meta))  # a bad value is reported by _head
        date = str(meta.get("date") or "")
        parts = []
        if authors:
            parts.append("By " + escape(", ".join(authors)))
        if date:
            parts.append(f'this edition <time datetime="{escape(date)}">{escape(date)}</time>')
        evidence = self.evidence()
        line = escape(ev.summary_line([evidence[k] for k in page.cites.ordered_keys if k in evidence]))
        if record:
            line += f' · <a href="{escape(_href(record[0], source.dest))}">verification record (JSON)</a>'
        byline = f'<p class="cp-byline">{" · ".join(parts)}</p>' if parts else ""
        return (f'<div class="cp-article-header">{byline}<p class="cp-evidence" role="status">{line}</p></div>'
                + _cite_this(authors, date or None, title, source.url, source.site_name))

    def _head(self, source: PageSource, page: PageRender, title: str) -> tuple[str, str]:
        """The head's scholarly metadata (Highwire, JSON-LD) and link-preview tags (Open
        Graph, Twitter card) for a citing page, and what is wrong with its front matter.
        The front matter's ``title`` wins over the page's own."""
        meta = source.meta if isinstance(source.meta, Mapping) else {}
        authors, fault = front_matter_authors(dict(meta))
        if not self.options.metadata or not page.cites.numbers:
            return "", fault
        date = str(meta.get("date") or "") or None
        title = str(meta.get("title") or title)
        description = str(meta.get("description") or "") or None
        records = self.records()
        keys = page.cites.ordered_keys
        scholarly = head_metadata(
            title=title, authors=authors, date=date, url=source.url, description=description,
            references=[self.bib.references[k] for k in keys],
            designs={k: d for k in keys if k in records and (d := _design(records[k]))}, made=self.bib.metadata)
        return scholarly + "\n" + social_metadata(title=title, description=description, url=source.url,
                                                  site_name=source.site_name or title, date=date), fault

    def _memo_of(self, evidence: dict, what: str, make=dict):
        """``what``, made (by ``make``) once per ``evidence``, i.e. per bib and lock."""
        if self._memo is None or self._memo[0] is not evidence:
            self._memo = (evidence, {})
        memo = self._memo[1]
        if what not in memo:
            memo[what] = make()
        return memo[what]

    def _extras(self, keys) -> dict[str, str]:
        """Per entry: its status mark, notices and COinS (the cite actions' buttons are
        added by citeproof-cite.js, in lists that have the downloads), made once per bib and
        lock (when a page first lists it: pages share entries)."""
        evidence = self.evidence()
        done = self._memo_of(evidence, "extras")
        kevs = self.bib.coins
        for key in keys:
            if key in self.bib.references and key not in done:
                e = evidence.get(key)
                html_text = " " + ev.mark_html(e, escape) if e else ""
                html_text += "".join(" " + ev.notice_html(n, escape) for n in (e.notices if e else ()))
                done[key] = html_text + (exports.coins_html(kevs[key], escape) if key in kevs else "")
        return {key: done[key] for key in keys if key in done}

    def _badges(self, keys) -> dict[str, str]:
        """Each listed reference's study-design badges, from the lock's registry answers."""
        records = self.records()
        return {key: html_text for key in keys if key in records and (html_text := design_badges(_design(records[key])))}


def prepare(core: SiteCore | None, options: SiteOptions, root: Path | str, *, tolerant: bool = False,
            one_shot: bool = False) -> SiteCore:
    """The site core for ``options`` and ``root``: ``core`` itself when it was made for
    them (so a preview server keeps one across rebuilds), its bib (``tolerant``: see
    :meth:`SiteCore.refresh`) and lock read; raises what those raise. A ``one_shot`` build
    keeps the bib it loads to its end: its many objects are moved out of the cycle
    collector's sight."""
    root = Path(root).resolve()
    if core is None or core.options != options or core.root != root:
        core = SiteCore(options, root)
    if core.refresh(tolerant=tolerant) and one_shot:
        gc.freeze()
    core.lock()
    core.cited = set()  # (a new build: its pages say again what they cite)
    return core


def with_notice(document: str, problems) -> str:
    """A preview server's page: ``document`` with the :func:`serve_notice` of ``problems``
    at the top of its body."""
    notice = serve_notice(problems)
    if not notice:
        return document
    body = re.search(r"<body[^>]*>", document)
    at = body.end() if body else 0
    return document[:at] + notice + document[at:]


def verification_path(dest: str) -> str:
    """Where a page's verification record goes: ``verification.json`` beside an
    ``index.html``, else ``<name>.verification.json``."""
    folder, name = posixpath.split(dest)
    name = VERIFICATION_NAME if name == "index.html" else name.rsplit(".", 1)[0] + "." + VERIFICATION_NAME
    return posixpath.join(folder, name)


def _href(target: str, dest: str) -> str:
    """``target`` (relative to the site's root) as a link from the page written at ``dest``."""
    return posixpath.relpath(target, posixpath.dirname(dest) or ".")


def _title(html_text: str, source: PageSource) -> str:
    """The page's own first-level heading, else its front matter's title, else the site's name."""
    m = re.search(r"<h1\b[^>]*>(.*?)</h1>", html_text, re.S)
    inner = _HEADERLINK.sub("", m.group(1)) if m else ""  # (toc's permalink)
    heading = " ".join(unescape(re.sub(r"<[^>]*>", "", inner)).split())
    meta = source.meta if isinstance(source.meta, Mapping) else {}
    return heading.strip() or str(meta.get("title") or "") or source.site_name


_HEADERLINK = re.compile(r'<a\s[^>]*class="headerlink"[^>]*>.*?</a>', re.S)


def _signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


#: Where the reader's date goes in "Cite this article" (see :func:`_cite_this`).
_CITED = "\0"


def _cite_this(authors: list[str], date: str | None, title: str, url: str | None, site_name: str) -> str:
    """"Cite this article": the article's own reference, Vancouver and BibTeX. Vancouver's
    "[cited 2026 Dec 7]" is the day the reader reads it: the page's script
    (citeproof-cite.js) writes it into the empty, hidden ``data-cp-cited`` span, from the
    span's template (``{date}``); without the script the reference has no "[cited …]"."""
    marked = exports.vancouver_article(title=title, authors=authors, date=date, url=url, site=site_name,
                                       cited=_CITED)
    head, cited, tail = re.split(r"( \[cited \0\])", marked, maxsplit=1)
    template = escape(cited.replace(_CITED, "{date}"))
    vancouver_html = (f'{escape(head)}<span class="cp-cited" data-cp-cited="{template}" hidden></span>'
                      f'{escape(tail)}')
    key = re.sub(r"[^a-z0-9]", "", (authors[0].split()[-1] if authors else "article").lower())
    bibtex = exports.article_bibtex(key=key + (date or "")[:4], title=title, authors=authors, year=(date or "")[:4],
                                    url=url, site=site_name if site_name != title else "", date=date)
    return ('<details class="cp-cite-article"><summary>Cite this article</summary>'
            f'<p class="cp-cite-vancouver">{vancouver_html}</p>'
            f'<pre class="cp-cite-bibtex"><code>{escape(bibtex)}</code></pre></details>')


def _design(records):
    """``claims.design_of`` (imported only for a work the lock holds records of: without
    any, a work has no design)."""
    from .claims import design_of

    return design_of(records)


def _after_title(html: str, header: str) -> str:
    return html.replace("</h1>", "</h1>" + header, 1) if "</h1>" in html else header + html


def serve_notice(problems) -> str:
    """The preview server's notice of a page's errors (HTML, every text escaped): one
    ``file:line: message`` per problem that the build logs as a WARNING (a warning, logged
    as INFO, stays in the terminal). Never part of a built site."""
    shown = [p for p in problems if p.severity == "error"]
    if not shown:
        return ""
    items = "".join(f'<li class="cp-notice-{html.escape(p.severity)}"><code>{html.escape(p.location() or "")}'
                    f"</code> {html.escape(p.severity)}: {html.escape(p.message)}</li>" for p in shown)
    return (f'<div class="cp-serve-notice" role="alert" style="border:3px solid #c62828;background:#fff3f3;'
            f'color:#000;padding:.5em 1em;margin:0;font:14px/1.4 sans-serif">'
            f"<strong>citeproof: {len(shown)} problem{'' if len(shown) == 1 else 's'} on this page "
            f"(shown by mkdocs serve only)</strong><ul>{items}</ul></div>")


def log_problems(logger: logging.Logger, problems) -> None:
    """How the adapters report problems: an error is a WARNING (so ``mkdocs build --strict``
    fails on it, as ``citeproof check`` exits 1), a warning is INFO (exit 0 there too)."""
    for problem in problems:
        where = f"{problem.location()}: " if problem.location() else ""
        level = logging.WARNING if problem.severity == "error" else logging.INFO
        logger.log(level, "%s%s [%s]", where, problem.message, problem.code)


def disarm_unsafe_links(html: str, source: str, label: str, offset: int = 0) -> tuple[str, list[Problem]]:
    """Only http(s), mailto and relative links leave a page: a `javascript:` (or `vbscript:`,
    `data:`) link is disarmed, kept visible, and returned as a problem with its line in
    ``source`` (the page's Markdown, ``offset`` lines into its file)."""
    problems: list[Problem] = []

    def check(m: re.Match) -> str:
        quote = m.group(2) or '"'
        raw = m.group(3) if m.group(2) else m.group(4)
        value = unescape(raw)
        if not any(_scheme(item) in _UNSAFE_SCHEMES for item in _LIST_ITEM.split(value)):
            return m.group(0)
        at = source.find(value[:40])
        at = at if at >= 0 else source.find(raw[:40])
        line = source[:at].count("\n") + 1 + offset if at >= 0 else None
        problems.append(Problem(Code.INVALID_URL, "error",
                                f"a link to '{value[:60]}' was disarmed: only http(s), mailto and "
                                "relative links may leave the site; fix or remove it",
                                file=label, line=line))
        return f'{m.group(1)}{quote}#unsafe-link-removed{quote}'

    return _URL_ATTR.sub(check, html), problems


def _scheme(url: str) -> str:
    """The lower-case scheme of ``url`` as a browser reads it (controls and spaces
    dropped), or ``""``."""
    compact = re.sub(r"[\x00-\x20]", "", url)
    return compact.split(":", 1)[0].lower() if ":" in compact else ""


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
