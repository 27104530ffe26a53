"""The MkDocs adapter: wires MkDocs events to the site core (``site.py``) and logs, nothing more.

Content problems (unknown keys, malformed groups, bib syntax, unsafe URLs) are
warnings on the ``mkdocs.plugins.citeproof`` logger, so ``mkdocs build --strict``
fails on them while a plain build still shows every citation (unknown ones as
``[?key]``). Only an unreadable bib file or a URL as ``bib_file`` is fatal (``PluginError``).

MkDocs 2.0 drops plugins: keep this file thin, so another adapter costs little.
"""
from __future__ import annotations

import gc
import logging
import os
import posixpath
import re
from html import unescape
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url, write_file

from .errors import BibError, ConfigError, LockError
from .pages import file_line_offset
from .config import CHOICES, SiteOptions
from .site import PageRender, SiteCore, disarm_unsafe_links, log_problems, serve_notice

log = logging.getLogger("mkdocs.plugins.citeproof")

ASSETS = Path(__file__).parent / "assets"
CSS_DEST = "assets/citeproof/citeproof.css"
CSS_SOURCE = ASSETS / "citeproof.css"
#: The scripts every theme gets: the accessible previews (Material's tooltips cannot be
#: closed with Escape and reopen on a back-link, so citations carry no title for them)
#: and the entries' cite actions.
SCRIPTS = {f"assets/citeproof/{name}": ASSETS / name for name in ("citeproof-preview.js", "citeproof-cite.js")}
#: The page's verification record, beside the page (see ``_verification_uri``).
VERIFICATION_NAME = "verification.json"
_DEFAULTS = SiteOptions()


class CiteproofConfig(base.Config):
    """The options of :class:`citeproof.config.SiteOptions` (documented there)."""

    bib_file = c.Type(str, default=_DEFAULTS.bib_file)
    citation_format = c.Choice(CHOICES["citation_format"], default=_DEFAULTS.citation_format)
    references_heading = c.Type(str, default=_DEFAULTS.references_heading)
    download_bib = c.Type(bool, default=_DEFAULTS.download_bib)
    metadata = c.Type(bool, default=_DEFAULTS.metadata)
    cache_dir = c.Type(str, default=_DEFAULTS.cache_dir)
    authors = c.Choice(CHOICES["authors"], default=_DEFAULTS.authors)
    page_ranges = c.Choice(CHOICES["page_ranges"], default=_DEFAULTS.page_ranges)
    lock_file = c.Type(str, default=_DEFAULTS.lock_file)
    not_names = c.ListOfItems(c.Type(str), default=list(_DEFAULTS.not_names))
    edition = c.Type(str, default=_DEFAULTS.edition)


class CiteproofPlugin(BasePlugin[CiteproofConfig]):
    """Numbered citations from `[@key]`, a pybtex reference list, hover previews."""

    def __init__(self) -> None:
        self.site: SiteCore | None = None
        self._command: str | None = None
        self._pages: dict[str, PageRender] = {}
        self._listings: dict[str, tuple[str, str]] = {}  # page -> (index listing, listing)
        self._search: dict[str, tuple[str, str]] = {}  # page -> (search stand-in, content)
        self._last_content: bool | None = None  # whether ours is the last page_content handler
        self._problems: dict[str, list] = {}  # serve only: each page's problems, for its notice

    # Defining on_startup keeps this instance across `mkdocs serve` rebuilds,
    # so the bib is parsed and formatted once per change, not once per build.
    def on_startup(self, *, command, dirty) -> None:
        self._command = command

    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            options = SiteOptions(**{name: self.config[name] for name in SiteOptions.names()})
            if self.site is None or self.site.options != options or self.site.root != root:
                self.site = SiteCore(options, root)
            reloaded = self.site.refresh(tolerant=self._serving)
            self.site.lock()  # an unusable lock stops the build here, with its message
        except (BibError, ConfigError, LockError) as exc:
            raise PluginError(f"citeproof: {str(exc).removeprefix('citeproof: ')}") from None
        if reloaded and self._command == "build":
            # A one-shot build keeps the bib for the whole process: move its many small
            # objects out of the garbage collector's sight (not in `serve`, where a new
            # bib replaces the old one).
            gc.freeze()
        log_problems(log, self.site.bib_problems())  # on every build: a warm build fails `--strict` too
        if CSS_DEST not in config.extra_css:
            config.extra_css.append(CSS_DEST)
        for dest in SCRIPTS:
            if dest not in config.extra_javascript:
                config.extra_javascript.append(dest)
        self._pages = {}
        self._problems = {}
        self._search = {}
        self._last_content = None
        return config

    @property
    def _serving(self) -> bool:
        return self._command == "serve"

    def _seen(self, page, problems) -> None:
        if self._serving:
            self._problems.setdefault(page.file.src_uri, []).extend(problems)

    def on_files(self, files, *, config):
        files.append(File.generated(config, CSS_DEST, abs_src_path=str(CSS_SOURCE)))
        for dest, source in SCRIPTS.items():
            files.append(File.generated(config, dest, abs_src_path=str(source)))
        bib = self.site.bib_path
        if self.config.download_bib and bib.exists():
            files.append(File.generated(config, bib.name, abs_src_path=str(bib)))
            stem = bib.name.rsplit(".", 1)[0]
            for suffix, text in self.site.downloads().items():
                files.append(File.generated(config, stem + suffix, content=text))
        return files

    def on_post_build(self, *, config):
        self.site.save_pages()

    def on_serve(self, server, *, config, builder):
        server.watch(str(self.site.bib_path))
        if self.site.lock_path.exists():  # (the watcher cannot watch a file that is not there)
            server.watch(str(self.site.lock_path))
        return server

    def on_page_markdown(self, markdown, *, page, config, files):
        # front matter is stripped before this event: the core shifts lines to match the file
        offset = file_line_offset(page.file.abs_src_path, markdown)
        rendered = self.site.render_markdown(markdown, _page_label(page), offset=offset)
        log_problems(log, rendered.problems)
        self._seen(page, [*self.site.bib_problems(), *rendered.problems])
        self._pages[page.file.src_uri] = rendered
        return rendered.text

    def on_page_content(self, html, *, page, config, files):
        rendered = self._pages.get(page.file.src_uri)
        if rendered is None:  # not rendered by us (no page_markdown event): only disarm
            html, problems = disarm_unsafe_links(html, page.markdown or "", _page_label(page))
            log_problems(log, problems)
            self._seen(page, problems)
            return html
        # The list's plain text stands in the page's content, so the search indexes its
        # titles, authors and journals (cheaply: the full list's markup is costly to
        # parse); the full list replaces it in the final page (on_post_page).
        here = page.url or "."
        bib_href = get_relative_url(self.site.bib_path.name, here)
        verification = get_relative_url(_verification_uri(page), here) if rendered.cites.numbers else None
        title = _h1(page) or page.title or config.site_name
        header = self.site.page_header(rendered, page.meta or {}, verification_href=verification)
        if header:
            header += self.site.cite_this(page.meta or {}, title=title, url=page.canonical_url,
                                          site_name=config.site_name)
        done = self.site.finish_html(html, rendered, download_href=bib_href, after_title=header,
                                     list_slot=True)
        log_problems(log, done.problems)
        self._seen(page, done.problems)
        ids = getattr(page, "present_anchor_ids", None)
        if isinstance(ids, set):  # so MkDocs' anchor validation knows our ids (`#ref-…` links)
            ids.update(done.anchors)
        if done.index_listing:
            self._listings[page.file.src_uri] = (done.index_listing, done.listing)
        if done.search_html and self._content_is_final(config):
            # What the search reads: the citations as their text (their links' markup cost
            # it a third of its time); the content goes back in once it has (on_page_context)
            self._search[page.file.src_uri] = (done.search_html, done.html)
            return done.search_html
        return done.html

    def _content_is_final(self, config) -> bool:
        """Whether no other plugin's page_content handler runs after ours (so the page's
        content stays what we return until the page_context event)."""
        if self._last_content is None:
            handlers = getattr(getattr(config, "plugins", None), "events", {}).get("page_content") or [None]
            self._last_content = getattr(handlers[-1], "__self__", None) is self
        return self._last_content

    @event_priority(-100)  # last: after the search (and any other reader) indexed the stand-in
    def on_page_context(self, context, *, page, config, nav):
        standin, content = self._search.pop(page.file.src_uri, ("", ""))
        if standin:
            if page.content == standin:
                page.content = content
            else:
                log.warning("%s: the citations could not be linked: the page's content was changed "
                            "by another plugin's page_context handler [citeproof]", _page_label(page))
        return context

    def on_post_page(self, output, *, page, config):
        output = self._with_notice(output, page)
        index, listing = self._listings.pop(page.file.src_uri, ("", ""))
        if listing:
            if index not in output:
                log.warning("%s: the reference list could not be placed: its plain-text stand-in "
                            "was changed by another plugin or the theme [citeproof]", _page_label(page))
            output = output.replace(index, listing, 1)
        rendered = self._pages.get(page.file.src_uri)
        if rendered is None:
            return output
        if rendered.cites.numbers:
            write_file(self.site.verification_record(rendered).encode("utf-8"),
                       os.path.join(config.site_dir, _verification_uri(page)))
        if "</head>" not in output:
            return output
        head = self.site.head_metadata(rendered, page.meta or {}, url=page.canonical_url,
                                       title=_h1(page) or page.title or config.site_name,
                                       site_name=config.site_name)
        return output.replace("</head>", head + "\n</head>", 1) if head else output


    def _with_notice(self, output: str, page) -> str:
        """In ``mkdocs serve`` only: the page's problems as a notice at the top of its body."""
        notice = serve_notice(self._problems.pop(page.file.src_uri, [])) if self._serving else ""
        if not notice:
            return output
        body = re.search(r"<body[^>]*>", output)
        at = body.end() if body else 0
        return output[:at] + notice + output[at:]


def _verification_uri(page) -> str:
    """Where a page's verification record goes: ``verification.json`` beside an
    ``index.html``, else ``<name>.verification.json``."""
    folder, name = posixpath.split(page.file.dest_uri)
    name = VERIFICATION_NAME if name == "index.html" else name.rsplit(".", 1)[0] + "." + VERIFICATION_NAME
    return posixpath.join(folder, name)


def _page_label(page) -> str:
    """The page's file as messages name it (relative to the current directory)."""
    docs = os.path.relpath(os.path.dirname(page.file.abs_src_path or "")) if page.file.abs_src_path else ""
    return os.path.join(docs, os.path.basename(page.file.src_uri)) if docs else page.file.src_uri


def _h1(page) -> str:
    """The page's own first-level heading (the nav may give it a shorter title)."""
    for item in getattr(page, "toc", None) or []:
        if getattr(item, "level", 0) == 1:
            return unescape(re.sub(r"<[^>]*>", "", item.title))
    return ""
