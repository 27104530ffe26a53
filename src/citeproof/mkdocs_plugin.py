"""The MkDocs adapter: wires MkDocs events to the citation core, nothing more.

Content problems (unknown keys, malformed groups, bib syntax, unsafe URLs) are
warnings on the ``mkdocs.plugins.citeproof`` logger, so ``mkdocs build --strict``
fails on them while a plain build still shows every citation (unknown ones as
``[?key]``). Only an unreadable bib file is fatal (``PluginError``).

MkDocs 2.0 drops plugins: keep this file thin, so another adapter costs little.
"""
from __future__ import annotations

import gc
import logging
import re
from html import unescape
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from .bibcache import BibError, LoadedBib, load_formatted_bib
from .markdown import parse_citations
from .model import Problem
from .pages import body_line_offset, shift_lines
from .numbering import resolve_keys
from .render import anchor_for, finish_html, head_metadata, render_bibliography, render_markdown

log = logging.getLogger("mkdocs.plugins.citeproof")

CSS_DEST = "assets/citeproof/citeproof.css"
#: Where the reference list stands in ``page.content`` until the page's final HTML exists.
LIST_SLOT = '<div class="cp-bibliography-slot"></div>'
_URL_ATTR = re.compile(
    r"""(\s(?:href|src|action|formaction|xlink:href|data|poster|background|cite)\s*=\s*)"""
    r"""(?:(["'])(.*?)\2|([^\s"'=<>`]+))""", re.I | re.S)
_UNSAFE_SCHEMES = {"javascript", "vbscript", "data"}
CSS_SOURCE = Path(__file__).parent / "assets" / "citeproof.css"


class CiteproofConfig(base.Config):
    bib_file = c.Type(str, default="references.bib")
    """The BibTeX file, relative to mkdocs.yml. It is watched by `mkdocs serve`."""
    citation_format = c.Choice(("brackets", "superscript"), default="brackets")
    """How a citation group shows: `[1–3, 5]` (brackets) or superscript numbers."""
    references_heading = c.Type(str, default="References")
    """Heading added above the list on a page that cites but has no `\\bibliography` line."""
    download_bib = c.Type(bool, default=True)
    """Copy the bib file into the site and link it under each reference list."""
    metadata = c.Type(bool, default=True)
    """Add Highwire `citation_*` meta tags and schema.org JSON-LD to citing pages."""
    cache_dir = c.Type(str, default=".cache/citeproof")
    """Where the parsed and formatted bib is cached (relative to mkdocs.yml); "" disables."""


def _warn(problem: Problem) -> None:
    """Errors are MkDocs warnings (so `--strict` fails, as `citeproof check` exits 1);
    warnings are informational (the checker exits 0 on them too)."""
    where = f"{problem.location()}: " if problem.location() else ""
    level = logging.WARNING if problem.severity == "error" else logging.INFO
    log.log(level, "%s%s [%s]", where, problem.message, problem.code)


class CiteproofPlugin(BasePlugin[CiteproofConfig]):
    """Numbered citations from `[@key]`, a pybtex reference list, hover previews."""

    def __init__(self) -> None:
        self._bib_path: Path | None = None
        self._bib_sig: tuple | None = None
        self._bib: LoadedBib | None = None
        self._cache_dir: Path | None = None
        self._entries: dict = {}
        self._tooltips: dict[str, str] = {}
        self._entry_html: dict[str, str] = {}
        self._pages: dict[str, tuple] = {}
        self._listings: dict[str, str] = {}

    # Defining on_startup keeps this instance across `mkdocs serve` rebuilds,
    # so the bib is parsed and formatted once per change, not once per build.
    def on_startup(self, *, command, dirty) -> None:
        self._command = command

    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        if "://" in self.config.bib_file:
            raise PluginError(
                f"citeproof: bib_file is a URL ({self.config.bib_file}); it must be a file in the "
                "project, so builds never depend on a server: download it and commit it.")
        self._bib_path = (root / self.config.bib_file).resolve()
        self._cache_dir = (root / self.config.cache_dir) if self.config.cache_dir else None
        self._load_bib()
        if CSS_DEST not in config.extra_css:
            config.extra_css.append(CSS_DEST)
        self._pages = {}
        return config

    def _load_bib(self) -> None:
        path = self._bib_path
        try:
            st = path.stat()
            sig = (st.st_mtime_ns, st.st_size)
        except OSError:
            sig = None
        if self._bib is not None and sig == self._bib_sig:
            self._report_bib()
            return
        try:
            bib = load_formatted_bib(path, self._cache_dir, label=self._rel(path))
        except BibError as exc:
            raise PluginError(f"citeproof: {exc}") from None
        self._bib, self._bib_sig = bib, sig
        if getattr(self, "_command", None) == "build":
            # A one-shot build keeps the bib for the whole process: move its many small
            # objects out of the garbage collector's sight (not in `serve`, where a new
            # bib replaces the old one).
            gc.freeze()
        self._entries = bib.entries
        self._tooltips = {k: e.text for k, e in self._entries.items()}
        self._entry_html = {k: e.html for k, e in self._entries.items()}
        self._report_bib()

    def _report_bib(self) -> None:
        """Every build reports the bib's problems again (a warm build must fail `--strict` too)."""
        for problem in self._bib.problems:
            _warn(problem)
        if not self._bib.references:
            log.warning("%s: the bib file has no entries: every citation will show as unknown "
                        "[bib-syntax]", self._rel(self._bib_path))

    def _rel(self, path: Path) -> str:
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

    def on_files(self, files, *, config):
        files.append(File.generated(config, CSS_DEST, abs_src_path=str(CSS_SOURCE)))
        if self.config.download_bib and self._bib_path and self._bib_path.exists():
            files.append(File.generated(config, self._bib_path.name, abs_src_path=str(self._bib_path)))
        return files

    def on_serve(self, server, *, config, builder):
        if self._bib_path:
            server.watch(str(self._bib_path))
        return server

    def on_page_markdown(self, markdown, *, page, config, files):
        # front matter is stripped before this event: shift lines so messages match the file
        offset = self._front_matter_lines(page)
        doc = shift_lines(parse_citations(markdown, self._page_label(page)), offset)
        refs = self._bib.references
        for problem in [*doc.problems, *resolve_keys([doc], refs.keys())]:
            _warn(problem)
        text, cites = render_markdown(
            markdown, doc, refs, self._tooltips,
            superscript=self.config.citation_format == "superscript",
            references_heading=self.config.references_heading)
        self._pages[page.file.src_uri] = (cites, offset)
        return text

    @staticmethod
    def _front_matter_lines(page) -> int:
        """Lines MkDocs stripped (front matter) before the Markdown it hands us."""
        try:
            raw = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
        except (OSError, TypeError, UnicodeDecodeError):
            return 0
        return body_line_offset(raw, page.markdown or "")

    def on_page_content(self, html, *, page, config, files):
        cites, offset = self._pages.get(page.file.src_uri, (None, 0))
        html = self._neutralise_unsafe_links(html, page, offset)
        if cites is None or not (cites.markers or cites.numbers):
            return html
        listing = ""
        if cites.numbers:
            href = None
            if self.config.download_bib and self._bib_path:
                href = get_relative_url(self._bib_path.name, page.url or ".")
            listing = render_bibliography(cites, self._entry_html,
                                          download_href=href)
        ids = getattr(page, "present_anchor_ids", None)
        if isinstance(ids, set):  # so MkDocs' anchor validation knows our ids (`#ref-…` links)
            ids.update(anchor_for(k) for k in cites.numbers)
            ids.update(f"cite-{i + 1}" for i in range(len(cites.markers)))
        # The list itself goes into the final page (on_post_page): Material's search then
        # indexes the article, not a reference list repeated on every page, and does not
        # parse hundreds of list entries per page on a large site.
        self._listings[page.file.src_uri] = listing
        return finish_html(html, cites, LIST_SLOT if listing else "")

    def _neutralise_unsafe_links(self, html: str, page, offset: int) -> str:
        """Only http(s), mailto and relative links leave a page: a `javascript:` (or
        `vbscript:`, `data:`) link is disarmed, kept visible, and reported with its line."""
        def check(m: re.Match) -> str:
            quote = m.group(2) or '"'
            value = unescape(m.group(3) if m.group(2) else m.group(4))
            scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)[0].lower() if ":" in value else ""
            if scheme not in _UNSAFE_SCHEMES:
                return m.group(0)
            raw = page.markdown or ""
            at = raw.find(value[:40])
            line = raw[:at].count("\n") + 1 + offset if at >= 0 else None
            _warn(Problem("invalid-url", "error",
                          f"a link to '{value[:60]}' was disarmed: only http(s), mailto and relative "
                          "links may leave the site; fix or remove it",
                          file=self._page_label(page), line=line))
            return f'{m.group(1)}{quote}#unsafe-link-removed{quote}'
        return _URL_ATTR.sub(check, html)

    @staticmethod
    def _page_label(page) -> str:
        docs = os.path.relpath(os.path.dirname(page.file.abs_src_path or "")) if page.file.abs_src_path else ""
        return os.path.join(docs, os.path.basename(page.file.src_uri)) if docs else page.file.src_uri

    def on_post_page(self, output, *, page, config):
        cites, _offset = self._pages.get(page.file.src_uri, (None, 0))
        listing = self._listings.pop(page.file.src_uri, "")
        if listing:
            if LIST_SLOT not in output:
                log.warning("%s: the reference list could not be placed: its placeholder was "
                            "changed by another plugin or the theme [citeproof]", self._page_label(page))
            output = output.replace(LIST_SLOT, listing, 1)
        if not self.config.metadata or not cites or not cites.numbers or "</head>" not in output:
            return output
        meta = page.meta or {}
        authors = meta.get("authors") or ([meta["author"]] if meta.get("author") else [])
        date = meta.get("date")
        head = head_metadata(
            title=str(meta.get("title") or _h1(page) or page.title or config.site_name),
            authors=[str(a) for a in authors],
            date=str(date) if date else None,
            url=page.canonical_url,
            description=str(meta.get("description") or "") or None,
            references=[self._bib.references[k] for k in cites.ordered_keys])
        return output.replace("</head>", head + "\n</head>", 1)


def _h1(page) -> str:
    """The page's own first-level heading (the nav may give it a shorter title)."""
    for item in getattr(page, "toc", None) or []:
        if getattr(item, "level", 0) == 1:
            return unescape(re.sub(r"<[^>]*>", "", item.title))
    return ""
