"""The site core: citations for one site, for any site generator (nothing here knows MkDocs).

A :class:`SiteCore` holds the formatted bib (reloaded when the file changes, cached on
disk by ``bibcache.py``) and renders a page in the two steps every Markdown pipeline
allows:

1. :meth:`SiteCore.render_markdown`, before Markdown runs: citation groups become plain
   tokens, and the page's citation problems are found;
2. :meth:`SiteCore.finish_html`, after Markdown ran: unsafe links are disarmed, the tokens
   become the citation HTML and the reference list is placed.

Problems are returned, never logged: the adapter (the MkDocs plugin, the Python-Markdown
extension) reports them its own way. Only an unusable option (``ConfigError``), an
unreadable bib (``BibError``) or an unusable lock file (``LockError``) is raised. The lock
(the checker's registry answers) feeds the prose checks (``claims.py``) and the badges.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import pickle
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from . import __version__, evidence as ev, exports
from .bibcache import LoadedBib, load_formatted_bib, package_fingerprint, read_cached, write_cached
from .config import SiteOptions, default_lock
from .lock import Lock
from .errors import BibError
from .model import Problem, Record
from .model import ProblemCode as Code
from .pages import front_matter_authors
if TYPE_CHECKING:  # pragma: no cover
    from .claims import ClaimIndex
from .render import (PageCitations, anchor_for, design_badges, escape, finish_html, head_metadata,
                     readable_identifiers, render_bibliography, render_index_listing, render_markdown,
                     social_metadata)

#: Every attribute that holds a URL, or (SVG/SMIL ``values``, ``to``, ``from``, ``by``)
#: a value an animation may write into one; ``srcset`` and ``values`` hold lists.
_URL_ATTR = re.compile(
    r"""([\s/](?:href|src|srcset|action|formaction|xlink:href|data|poster|background|cite"""
    r"""|ping|longdesc|usemap|codebase|archive|classid|icon|manifest|lowsrc|dynsrc"""
    r"""|values|to|from|by)\s*=\s*)(?:(["'])(.*?)\2|([^\s"'=<>`]+))""", re.I | re.S)
_UNSAFE_SCHEMES = {"javascript", "vbscript", "data"}
_LIST_ITEM = re.compile(r"[;,]")


@dataclass
class PageRender:
    """One page between the two steps: its Markdown with tokens, and what it cites."""

    label: str  # the page's file name in messages
    source: str  # the Markdown as the page wrote it (without front matter)
    offset: int  # lines before ``source`` in the file (its front matter)
    text: str  # the Markdown to hand to Markdown: citation groups are tokens
    cites: PageCitations
    problems: list[Problem] = field(default_factory=list)


@dataclass
class FinishedPage:
    """A page's HTML with its citations, and what the adapter may still need."""

    html: str
    listing: str  # the reference list's HTML ("" when the page lists nothing)
    #: with ``list_slot``: what stands in ``html`` for the list until the adapter swaps
    #: ``listing`` in: every entry's plain text, for a search index to read cheaply
    index_listing: str
    anchors: tuple[str, ...]  # the ids the citations and the list add to the page
    problems: list[Problem]
    #: with ``list_slot``: ``html`` as a search index reads it (each citation group and
    #: notice as its text and the tags an index keeps, the list as ``index_listing``),
    #: for an adapter whose index reads the page before the theme renders it
    search_html: str = ""


class SiteCore:
    """The bib of one site and the rendering of its pages."""

    def __init__(self, options: SiteOptions, root: Path | str = ".") -> None:
        self.root = root = Path(root).resolve()
        self.options = options
        self.bib_path = (root / options.bib_file).resolve()
        self.cache_dir = root / options.cache_dir if options.cache_dir else None
        self._bib: LoadedBib | None = None
        self._signature: tuple | None = None
        self._entry_html: dict[str, str] = {}
        self.lock_path = (root / options.lock_file).resolve() if options.lock_file else default_lock(self.bib_path)
        self._lock: Lock | None = None
        self._lock_signature: tuple | None = None
        self._claims: tuple[tuple[int, int], "ClaimIndex"] | None = None
        self._extras_cache: tuple[dict, dict[str, dict]] | None = None
        self._evidence: dict[str, ev.Evidence] | None = None
        self._lock_digest = b""
        #: the page cache: (its file, {page digest: pickled PageRender}, digests used since
        #: the last save, those made anew, (the bib's source, the lock's digest))
        self._pages: tuple[Path, dict[bytes, bytes], set, list, tuple] | None = None

    @property
    def bib_label(self) -> str:
        """The bib's name in messages: relative to the current directory when it can be."""
        return _relative(self.bib_path)

    @property
    def bib(self) -> LoadedBib:
        if self._bib is None:
            self.refresh()
        return self._bib

    def refresh(self, *, tolerant: bool = False) -> bool:
        """Load the bib unless it is unchanged (same mtime and size) since the last load.

        Returns whether it was (re)loaded; raises ``BibError`` when it cannot be read, or,
        when ``tolerant`` (a preview server, which must keep serving), keeps an empty bib
        whose one problem says why.
        """
        try:
            st = self.bib_path.stat()
            signature = (st.st_mtime_ns, st.st_size)
        except OSError:
            signature = None
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
        try:
            st = self.lock_path.stat()
            signature = (st.st_mtime_ns, st.st_size)
        except OSError:
            signature = None
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

    def verification_record(self, page: PageRender) -> str:
        """``verification.json`` for a page: its references and what the lock proves."""
        return self._cached(str, lambda: self._verification_record(page), "verification",
                            str(page.offset), page.label, page.source, cites=page.cites.numbers)

    def _verification_record(self, page: PageRender) -> str:
        evidence = self.evidence()
        data = ev.record(evidence, page.cites.ordered_keys, generator=f"citeproof {__version__}",
                         references=False)
        # one reference a line: readable, and written by json's C encoder (indent is not);
        # each reference's line is made once per bib and lock (pages share references)
        head = json.dumps(data, ensure_ascii=False)
        lines = self._made(evidence, "record")
        for key in page.cites.ordered_keys:
            if key in evidence and key not in lines:
                e = evidence[key]
                lines[key] = f"{json.dumps(e.key, ensure_ascii=False)}: {json.dumps(e.to_dict(), ensure_ascii=False)}"
        refs = ",\n".join({evidence[k].key: lines[k] for k in page.cites.ordered_keys if k in evidence}.values())
        return f'{head[:-1]}, "references": {{\n{refs}\n}}}}\n'

    def _made(self, evidence: dict, what: str, make=dict):
        """``what``, made (by ``make``) once per ``evidence``, i.e. per bib and lock."""
        if self._extras_cache is None or self._extras_cache[0] is not evidence:
            self._extras_cache = (evidence, {})
        memo = self._extras_cache[1]
        if what not in memo:
            memo[what] = make()
        return memo[what]

    def _entry_extras(self, key: str, evidence: dict, done: dict) -> str:
        """An entry's status mark, notices and COinS as HTML, made once per bib and lock
        (when a page first lists it: pages share entries)."""
        if key not in done:
            e, kevs = evidence.get(key), self.bib.coins
            html = " " + ev.mark_html(e, escape) if e else ""
            html += "".join(" " + ev.notice_html(n, escape) for n in (e.notices if e else ()))
            done[key] = html + (exports.coins_html(kevs[key], escape) if key in kevs else "")
        return done[key]

    def downloads(self) -> dict[str, str]:
        """The whole bib for readers to take away: suffix -> text (``.ris``, ``.json``
        CSL-JSON, ``.cite.json`` every entry in every format, for the cite actions); made
        with the formatted bib, so cached with it (``exports.downloads``)."""
        return dict(self.bib.downloads)

    def records(self) -> dict[str, tuple[Record, ...]]:
        """The locked registry records of each reference whose identifiers are still the
        bib's (an entry locked for other identifiers says nothing about this work)."""
        refs = self.bib.references
        return {key: entry.records for key, entry in self.lock().references.items()
                if key in refs and entry.matches(refs[key])}

    def claim_index(self) -> "ClaimIndex":
        """The prose checks' index of this bib and lock, rebuilt only when either changed."""
        from .claims import ClaimIndex  # (imported when a page is rendered, not read back)

        key = (id(self.bib), id(self.lock()))
        if self._claims is None or self._claims[0] != key:
            self._claims = (key, ClaimIndex(self.bib.references, self.records(), self.options.not_names))
        return self._claims[1]

    def bib_problems(self) -> list[Problem]:
        """Every problem of the bib itself (a site reports them on every build)."""
        problems = list(self.bib.problems)
        if not self.bib.references:
            problems.append(Problem(Code.BIB_SYNTAX, "error", "the bib file has no entries: every "
                                    "citation will show as unknown", file=self.bib_label))
        return problems

    def render_markdown(self, markdown: str, label: str, *, offset: int = 0) -> PageRender:
        """Step 1: the page's Markdown with its citations as tokens, and its problems.

        ``offset``: the lines of the file before ``markdown`` (its front matter), so that
        problems name the file's own lines.

        With the cache on, a page already rendered with the same Markdown, label, offset,
        lock (bytes), options and code, citing entries whose digests are unchanged in a bib
        of the same keys and names (:meth:`_cached`), is read from the page cache instead
        (``save_pages`` writes it): the result is a function of these.
        """
        return self._cached(
            PageRender, lambda: self._render_markdown(markdown, label, offset), "render", str(offset),
            label, markdown, valid=lambda page: page.source == markdown and page.label == label)

    def _cached(self, kind: type, make, *inputs: str, valid=None, cites=None):
        """``make()``, or what it gave before for the same ``inputs`` (texts) in the same
        lock, options and code, when what it made it of in the bib is unchanged (the page
        cache; ``valid`` checks a record read).

        A record keeps the keys the page cites that the bib has (``cites``, or those of
        the :class:`PageRender` made) and a digest of the bib's :attr:`LoadedBib.shape`
        and each of those keys' :attr:`LoadedBib.digests` (:meth:`_bib_digest`): all a
        page's render, HTML and record read of the bib. An edit of an entry no page cites
        renders no page again."""
        pages = self._page_cache()
        if pages is None:
            return make()
        _, made, used, changed, _ = pages
        digest = hashlib.blake2b(digest_size=16)
        for text in inputs:
            data = text.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little") + data)
        key = digest.digest()
        used.add(key)
        record = made.get(key)
        if record is not None and self._bib_digest(record[1]) == record[0]:
            try:
                value = pickle.loads(record[2])
                if isinstance(value, kind) and (valid is None or valid(value)):
                    return value
            except Exception:
                pass  # a broken record is a miss
        value = make()
        keys = tuple(cites if cites is not None else value.cites.numbers)
        made[key] = (self._bib_digest(keys), keys, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        changed.append(key)
        return value

    def _bib_digest(self, keys: tuple) -> bytes:
        """What a page citing ``keys`` (those the bib has) depends on in the bib."""
        bib = self.bib  # (each entry's digest is made of its key too: see bibcache.page_digests;
        get = bib.digests.get  # a key gone from the bib changed its shape)
        return hashlib.blake2b(bib.shape + b"".join([get(key, b"?") for key in keys]), digest_size=16).digest()

    def _page_cache(self):
        """The page cache of this lock, options and code (``None`` when the cache is off
        or the bib or lock is unknown), read from disk once per change of the lock. (The
        bib is not part of its name: each record says what it read of the bib.)"""
        bib = self.bib
        if self.cache_dir is None or not bib.source or not bib.shape or len(bib.digests) != len(bib.references):
            return None
        self.lock()
        if self._lock_digest == b"?":
            return None
        source = (self._lock_digest,)
        if self._pages is None or self._pages[4] != source:
            state = hashlib.sha256(b"\0".join([package_fingerprint(), *source,
                                               repr(self.options).encode("utf-8", "surrogatepass"),
                                               str(self.root).encode("utf-8", "surrogatepass")]))
            path = self.cache_dir / f"pages-{state.hexdigest()[:32]}.pickle"
            made = read_cached(path)
            ok = isinstance(made, dict) and all(
                type(k) is bytes and type(v) is tuple and len(v) == 3 and type(v[0]) is bytes
                and type(v[1]) is tuple and all(type(c) is str for c in v[1]) and type(v[2]) is bytes
                for k, v in made.items())
            self._pages = (path, made if ok else {}, set(), [], source)
        return self._pages

    def save_pages(self) -> None:
        """Write the page cache if a page was rendered anew since it was read: the pages
        rendered since the last save (those of one build), so it holds no stale page."""
        if self._pages is None:
            return
        path, made, used, changed, source = self._pages
        if changed or set(made) - used:
            kept = {k: v for k, v in made.items() if k in used}
            write_cached(path, kept, "pages-*.pickle")
            self._pages = (path, kept, set(), [], source)
        else:
            used.clear()

    def _render_markdown(self, markdown: str, label: str, offset: int) -> PageRender:
        from .markdown import parse_citations  # (not needed when every page is read back)
        from .numbering import resolve_keys

        doc = parse_citations(markdown, label, offset)
        refs = self.bib.references
        problems = [*doc.problems, *resolve_keys([doc], refs.keys()),
                    *self.claim_index().check(markdown, doc)]
        evidence = self.evidence()
        notices = self._made(evidence, "notices", lambda: {
            k: "".join(ev.notice_html(n, escape, short=True) for n in e.notices)
            for k, e in evidence.items() if e.notices})
        text, cites = render_markdown(
            markdown, doc, refs, notices,
            superscript=self.options.citation_format == "superscript",
            references_heading=self.options.references_heading)
        return PageRender(label, markdown, offset, text, cites, problems)

    def finish_html(self, html: str, page: PageRender, *, download_href: str | None = None,
                    after_title: str = "", list_slot: bool = False) -> FinishedPage:
        """Step 2: ``html`` (what Markdown made of ``page.text``) with its links disarmed
        and its citations in; the reference list goes where ``\\bibliography`` stood.

        ``download_href`` is the bib's address from this page (only with ``download_bib``;
        the RIS, CSL-JSON and cite bundle are beside it, see :meth:`downloads`);
        ``after_title`` goes right after the page's ``<h1>`` (see :meth:`page_header`).
        With ``list_slot``, the list's plain text (``index_listing``) stands in the HTML
        where the list goes, for the adapter to replace with ``listing`` once a search
        index has read the page (the full list's markup is costly for it to parse).

        Read from the page cache when it holds the same for the same arguments.
        """
        return self._cached(
            FinishedPage, lambda: self._finish_html(html, page, download_href, after_title, list_slot),
            "finish", str(page.offset), page.label, page.source, page.text, html, repr(download_href), after_title,
            repr(list_slot), cites=page.cites.numbers)

    def _finish_html(self, html: str, page: PageRender, download_href: str | None, after_title: str,
                     list_slot: bool) -> FinishedPage:
        html, problems = disarm_unsafe_links(html, page.source, page.label, page.offset)
        cites = page.cites
        if not (cites.markers or cites.numbers):
            return FinishedPage(html, "", "", (), problems)
        listing = ""
        if cites.numbers:
            href = download_href if self.options.download_bib else None
            stem = _stem(href) if href else ""
            listing = render_bibliography(
                cites, self._entry_html, download_href=href, badges=self._badges(cites.numbers),
                extras=self._extras(cites.ordered_keys),
                downloads=[("RIS", stem + ".ris"), ("CSL-JSON", stem + ".json")] if href else (),
                bundle_href=stem + ".cite.json" if href else None)
        anchors = (*(anchor_for(k) for k in cites.numbers),
                   *(f"cite-{i + 1}" for i in range(len(cites.markers))))
        index = (render_index_listing([self.bib.entries[k].text for k in cites.ordered_keys])
                 if list_slot and listing else "")
        search = finish_html(html, cites, index, plain=True) if index else ""
        html = finish_html(html, cites, index or listing)
        if after_title:
            html, search = (_after_title(h, after_title) if h else "" for h in (html, search))
        return FinishedPage(html, listing, index, anchors, problems, search)

    def _extras(self, keys) -> dict[str, str]:
        """Per entry: its status mark, notices and COinS (the cite actions' buttons are
        added by citeproof-cite.js, in lists that have the downloads)."""
        evidence = self.evidence()
        done = self._made(evidence, "extras")
        return {key: self._entry_extras(key, evidence, done) for key in keys if key in self.bib.references}

    def page_header(self, page: PageRender, meta: Mapping, *, verification_href: str | None) -> str:
        """The byline (authors, edition date) and one honest line about the evidence, for
        under the title of a page that lists references ("" otherwise)."""
        if not page.cites.numbers:
            return ""
        meta = meta if isinstance(meta, Mapping) else {}
        authors, _ = front_matter_authors(dict(meta))  # a bad value is reported by head_metadata
        date = str(meta.get("date") or "")
        parts = []
        if authors:
            parts.append("By " + escape(", ".join(authors)))
        if date:
            parts.append(f'this edition <time datetime="{escape(date)}">{escape(date)}</time>')
        evidence = self.evidence()
        shown = [evidence[k] for k in page.cites.ordered_keys if k in evidence]
        line = escape(ev.summary_line(shown))
        if verification_href:
            line += f' · <a href="{escape(verification_href)}">verification record (JSON)</a>'
        byline = f'<p class="cp-byline">{" · ".join(parts)}</p>' if parts else ""
        return (f'<div class="cp-article-header">{byline}'
                f'<p class="cp-evidence" role="status">{line}</p></div>')

    def cite_this(self, meta: Mapping, *, title: str, url: str | None, site_name: str) -> str:
        """"Cite this article": the article's own reference, Vancouver and BibTeX."""
        meta = meta if isinstance(meta, Mapping) else {}
        authors, _ = front_matter_authors(dict(meta))
        date = str(meta.get("date") or "") or None
        vancouver = exports.vancouver_article(title=title, authors=authors, date=date, url=url,
                                              site=site_name)
        key = re.sub(r"[^a-z0-9]", "", (authors[0].split()[-1] if authors else "article").lower())
        bibtex = exports.article_bibtex(key=key + (date or "")[:4], title=title, authors=authors,
                                        year=(date or "")[:4], url=url, site=site_name, date=date)
        return ('<details class="cp-cite-article"><summary>Cite this article</summary>'
                f'<p class="cp-cite-vancouver">{escape(vancouver)}</p>'
                f'<pre class="cp-cite-bibtex"><code>{escape(bibtex)}</code></pre></details>')

    def _badges(self, keys) -> dict[str, str]:
        """Each listed reference's study-design badges, from the lock's registry answers."""
        records = self.records()
        return {key: html for key in keys if key in records and (html := design_badges(_design(records[key])))}

    def head_metadata(self, page: PageRender, meta: Mapping, *, title: str, url: str | None,
                      site_name: str = "") -> str:
        """The head's scholarly metadata (Highwire, JSON-LD) and link-preview tags (Open
        Graph, Twitter card) for a citing page ("" when off or nothing is cited).

        ``meta`` is the page's front matter (``title``, ``authors`` or ``author``, ``date``,
        ``description``); its ``title`` wins over ``title``.
        """
        if not self.options.metadata or not page.cites.numbers:
            return ""
        meta = meta if isinstance(meta, Mapping) else {}
        authors, fault = front_matter_authors(dict(meta))
        if fault:
            logging.getLogger("mkdocs.plugins.citeproof").warning("%s: %s", page.label, fault)
        date = meta.get("date")
        title = str(meta.get("title") or title)
        description = str(meta.get("description") or "") or None
        records = self.records()
        scholarly = head_metadata(
            title=title,
            authors=authors,
            date=str(date) if date else None,
            url=url,
            description=description,
            references=[self.bib.references[k] for k in page.cites.ordered_keys],
            designs={k: d for k in page.cites.ordered_keys if k in records and (d := _design(records[k]))},
            made=self.bib.metadata)
        return scholarly + "\n" + social_metadata(title=title, description=description, url=url,
                                                  site_name=site_name or title,
                                                  date=str(date) if date else None)


def _design(records):
    """``claims.design_of`` (imported only for a work the lock holds records of: without
    any, a work has no design)."""
    from .claims import design_of

    return design_of(records)


def _after_title(html: str, header: str) -> str:
    return html.replace("</h1>", "</h1>" + header, 1) if "</h1>" in html else header + html


def serve_notice(problems) -> str:
    """The preview server's notice of a page's problems (HTML, every text escaped): one
    ``file:line: message`` per problem, errors first. Never part of a built site."""
    shown = sorted(problems, key=lambda p: p.severity != "error")
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


def _stem(href: str) -> str:
    """The published bib's address without its suffix: the RIS (``.ris``), CSL-JSON
    (``.json``) and cite bundle (``.cite.json``) stand beside it (``SiteCore.downloads``)."""
    return href.rsplit(".", 1)[0] if "." in href.rsplit("/", 1)[-1] else href


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
