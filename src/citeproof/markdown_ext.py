"""The Python-Markdown extension ``citeproof``: the site core in any Markdown pipeline.

    import markdown
    md = markdown.Markdown(extensions=["citeproof"],
                           extension_configs={"citeproof": {"bib_file": "references.bib"}})
    html = md.convert(text)
    page = md.citeproof  # everything the site core made of the page (a RenderedPage)

It takes the options of :class:`citeproof.config.SiteOptions`, plus ``base_dir`` (what a
relative ``bib_file`` and ``cache_dir`` are relative to; default: the current directory),
``page_label`` (the page's name in messages), ``page_dest`` (where the page is written,
relative to the site's root: links to the downloads and the verification record are
relative to it) and ``page_url`` and ``site_name`` (for the head metadata).
``download_bib`` is off by default here: when on, publish ``md.citeproof.downloads``.

A preprocessor starts the site core's page operation before Markdown parses the page (a
``---`` front matter is read as the page's metadata and counted in line numbers); a
postprocessor finishes it on Markdown's HTML. After a conversion, ``md.citeproof`` holds
the :class:`~citeproof.site.RenderedPage`: its HTML (what ``convert`` returned), head
metadata, verification record and its path, downloads and problems; the problems (the
bib's own and the page's) are also in ``md.citeproof_problems`` and logged on the
``citeproof`` logger (an error as a WARNING, a warning as INFO, the bib's once per load).
With the ``edition`` option, the page whose file (``base_dir`` / ``page_label``) is the
edition record's page also gets ``citeproof check``'s undeclared changes and stale
editorial note, and a record that cannot be used is a problem of every page (logged once
per read).
Nothing is raised for them: only an unusable option (``ConfigError``), an unreadable bib
(``BibError``) or an unusable lock (``LockError``) is an exception.

Pipelines that make one ``Markdown`` per page (MkDocs, ProperDocs, Zensical) share one site
core per set of options: the bib is loaded once, not once per page.
"""
from __future__ import annotations

import logging
import os

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from .pages import front_matter, split_front_matter
from .config import SiteOptions
from .site import PageSource, PendingPage, SiteCore, log_problems

log = logging.getLogger("citeproof")

_DEFAULTS = SiteOptions()
#: After the raw HTML is restored (priority 30) and the ``&`` substitution (20).
_POSTPROCESSOR_PRIORITY = 5
#: Before Markdown's own preprocessors (whitespace 30, front matter 27, HTML blocks 20):
#: the citation parser reads the page as its author wrote it, as in the MkDocs plugin.
_PREPROCESSOR_PRIORITY = 35
#: One site core per (options, base directory), shared by every Markdown instance.
_CORES: dict[tuple[SiteOptions, str], SiteCore] = {}


def _core(options: SiteOptions, base_dir: str) -> SiteCore:
    key = (options, os.path.realpath(base_dir))
    core = _CORES.get(key)
    if core is None:
        core = _CORES[key] = SiteCore(options, base_dir)
    return core


class CiteproofExtension(Extension):
    """Numbered citations and a reference list from one bib file."""

    def __init__(self, **kwargs) -> None:
        self.config = {name: [getattr(_DEFAULTS, name), f"citeproof's {name} option (see the manual)"]
                       for name in SiteOptions.names()}
        self.config["download_bib"][0] = False
        self.config["base_dir"] = [".", "what a relative bib_file and cache_dir are relative to"]
        self.config["page_label"] = ["<markdown>", "the page's name in messages"]
        self.config["page_dest"] = ["index.html", "where the page is written, relative to the site's root"]
        self.config["page_url"] = ["", "the page's canonical URL, for its metadata"]
        self.config["site_name"] = ["", "the site's name, for the page's metadata"]
        super().__init__(**kwargs)
        self.pending: PendingPage | None = None
        self.md: Markdown | None = None
        options = SiteOptions(**{name: self.getConfig(name) for name in SiteOptions.names()})
        self.core = _core(options, self.getConfig("base_dir"))
        self._refresh()  # an unreadable bib fails here, when the pipeline is set up
        self.core.lock()  # and so does an unusable lock file

    def _refresh(self) -> None:
        """Reload the bib and the edition record if they changed; their problems are logged
        once per load."""
        if self.core.refresh():
            log_problems(log, self.core.bib_problems())
        if self.core.refresh_edition():
            log_problems(log, self.core.edition_faults())

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        self.reset()
        md.preprocessors.register(_Tokens(md, self), "citeproof", _PREPROCESSOR_PRIORITY)
        md.postprocessors.register(_Citations(md, self), "citeproof", _POSTPROCESSOR_PRIORITY)

    def reset(self) -> None:
        self.pending = None
        if self.md is not None:
            self.md.citeproof = None
            self.md.citeproof_problems = []

    def begin(self, text: str) -> str:
        """The first half, for one conversion: the bib reloaded if it changed, the text tokenised."""
        self._refresh()
        label = self.getConfig("page_label")
        offset, body = split_front_matter(text)
        meta = front_matter(text) if offset else {}
        self.pending = self.core.begin(PageSource(
            body, label, offset, meta, self.getConfig("page_dest"), self.getConfig("page_url") or None,
            self.getConfig("site_name"), os.path.join(self.getConfig("base_dir"), label), text))
        return text[: len(text) - len(body)] + self.pending.markdown

    def finish(self, html: str) -> str:
        """The second half: the citations, the list and the header in, unsafe links disarmed.
        (The page stays until the next conversion: ``toc`` runs the postprocessors on each
        heading's HTML first; a problem found there again is not new.)"""
        if self.pending is None or self.md is None:
            return html
        done = self.core.finish(self.pending, html)
        problems = self.md.citeproof_problems or self.core.site_problems()
        # (a conversion is one page: a work is cited twice when this page cites it twice)
        twice = self.core.duplicate_works(self.pending.render.cites.numbers.keys())
        new = [p for p in (*done.problems, *twice) if p not in problems]
        log_problems(log, new)
        self.md.citeproof_problems = [*problems, *new]
        self.md.citeproof = done
        return done.html


class _Tokens(Preprocessor):
    def __init__(self, md: Markdown, ext: CiteproofExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        return self.ext.begin("\n".join(lines)).split("\n")


class _Citations(Postprocessor):
    def __init__(self, md: Markdown, ext: CiteproofExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        return self.ext.finish(text)


def makeExtension(**kwargs) -> CiteproofExtension:  # noqa: N802 (Python-Markdown's name)
    return CiteproofExtension(**kwargs)
