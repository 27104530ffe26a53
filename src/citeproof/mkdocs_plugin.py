"""The MkDocs adapter: MkDocs' events wired to the site core's page operation (``site.py``).

Problems are logged (an error as a WARNING, so ``mkdocs build --strict`` fails on it), the
article's edition record's with the rest (an undeclared change, a stale editorial note, a
``changes.yml`` that cannot be used: ``citeproof check``'s messages); ``mkdocs serve`` also
shows a page's errors at its top. Only an unreadable bib, an unusable lock or a bad option
stops a build. The search reads a citing page with its reference list as plain items; a
last ``page_context`` handler puts the list back.
"""
from __future__ import annotations

import logging
import os
from dataclasses import fields
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import write_file

from .config import CHOICES, SiteOptions
from .errors import BibError, ConfigError, LockError
from .pages import file_line_offset, page_label
from .site import ASSETS, PageSource, RenderedPage, SiteCore, log_problems, prepare, with_notice

log = logging.getLogger("mkdocs.plugins.citeproof")


#: The options of :class:`citeproof.config.SiteOptions` (documented there), as MkDocs reads them.
CiteproofConfig = type("CiteproofConfig", (base.Config,), {
    f.name: c.Choice(CHOICES[f.name], default=f.default) if f.name in CHOICES else
    c.ListOfItems(c.Type(str), default=list(f.default)) if isinstance(f.default, tuple) else
    c.Type(type(f.default), default=f.default) for f in fields(SiteOptions)})


# (CiteproofConfig is made at import, from SiteOptions' fields: a type checker cannot read
# it as a class, and MkDocs types the plugin's config by it)
class CiteproofPlugin(BasePlugin[CiteproofConfig]):  # type: ignore[valid-type]
    """Numbered citations from `[@key]`, a pybtex reference list, hover previews."""

    site: SiteCore | None = None
    serving = dirty = False  # a preview server's builds; a build that reads only changed pages
    pages: dict[str, object]  # each page between events: its first half, then its render

    def on_startup(self, *, command, dirty) -> None:  # (so the instance lives across serve's rebuilds)
        self.serving, self.dirty, self.pages = command == "serve", dirty, {}

    def on_config(self, config):
        try:
            options = SiteOptions(**{name: self.config[name] for name in SiteOptions.names()})
            self.site = prepare(self.site, options, Path(config.config_file_path or ".").parent,
                                tolerant=self.serving, one_shot=not self.serving)
        except (BibError, ConfigError, LockError) as exc:
            raise PluginError(f"citeproof: {str(exc).removeprefix('citeproof: ')}") from None
        log_problems(log, self.site.site_problems())  # on every build: a warm build fails `--strict` too
        for path in ASSETS:
            listed = config.extra_css if path.endswith(".css") else config.extra_javascript
            listed += [] if path in listed else [path]
        return config

    def on_files(self, files, *, config):
        for dest, source in ASSETS.items():
            files.append(File.generated(config, dest, abs_src_path=str(source)))
        if self.config.download_bib and self.site.bib_path.exists():
            files.append(File.generated(config, self.site.bib_path.name, abs_src_path=str(self.site.bib_path)))
            for name, text in self.site.downloads().items():
                files.append(File.generated(config, name, content=text))
        return files

    def on_serve(self, server, *, config, builder):
        for path in self.site.watched():
            server.watch(str(path))
        return server

    def on_page_markdown(self, markdown, *, page, config, files):
        self.pages[page.file.src_uri] = pending = self.site.begin(_source(page, markdown, config))
        return pending.markdown

    def on_page_content(self, html, *, page, config, files):
        pending = self.pages.pop(page.file.src_uri, None) or self.site.begin(_source(page, "", config))
        self.pages[page.file.src_uri] = done = self.site.finish(pending, html)  # (not begun: only disarmed)
        log_problems(log, done.problems)
        if isinstance(getattr(page, "present_anchor_ids", None), set):  # MkDocs' anchor validation
            page.present_anchor_ids.update(done.anchors)
        if done.record:
            write_file(done.record[1].encode("utf-8"), os.path.join(config.site_dir, done.record[0]))
        return done.indexed()

    @event_priority(-100)  # last: after the search (and any other reader) indexed the stand-in
    def on_page_context(self, context, *, page, config, nav):
        done = self.pages.get(page.file.src_uri)
        if isinstance(done, RenderedPage) and (content := done.restored(page.content)) is None:
            log.warning("%s: the reference list could not be placed: another plugin changed the page "
                        "before citeproof's last page_context handler [citeproof]", _source(page, "", config).label)
        elif isinstance(done, RenderedPage):
            page.content = content
        return context

    def on_post_page(self, output, *, page, config):
        done = self.pages.pop(page.file.src_uri, None)
        if not isinstance(done, RenderedPage):
            return output
        if self.serving:
            output = with_notice(output, [*self.site.site_problems(), *self._twice(), *done.problems])
        return output.replace("</head>", done.head + "\n</head>", 1) if done.head else output

    def on_post_build(self, *, config):
        partial = self.serving or self.dirty  # (a build that may skip pages)
        log_problems(log, [*self._twice(), *([] if partial else self.site.unused_entries())])
        self.site.save()

    def _twice(self) -> list:
        """One work under two keys, graded by what this build's pages cite; nothing in a
        ``--dirty`` build, which reads only the changed pages (a full build says it)."""
        assert self.site is not None  # (on_config made it)
        return [] if self.dirty else self.site.duplicate_works()


def _source(page, markdown: str, config) -> PageSource:
    """The page as the core reads it (the offset: its front matter's lines, gone by page_markdown)."""
    return PageSource(markdown, page_label(page.file.abs_src_path, page.file.src_uri),
                      file_line_offset(page.file.abs_src_path, markdown), page.meta or {}, page.file.dest_uri,
                      page.canonical_url, config.site_name, page.file.abs_src_path or "")
