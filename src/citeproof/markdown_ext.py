"""The Python-Markdown extension ``citeproof``: the site core in any Markdown pipeline.

    import markdown
    html = markdown.markdown(text, extensions=["citeproof"],
                             extension_configs={"citeproof": {"bib_file": "references.bib"}})

It takes the options of :class:`citeproof.config.SiteOptions`, plus ``base_dir`` (what a
relative ``bib_file`` and ``cache_dir`` are relative to; default: the current directory)
and ``page_label`` (the page's name in messages). ``download_bib`` is off by default here:
when on, the list links the bib's file name, so publish the bib beside the page.

A preprocessor turns citation groups into plain tokens before Markdown parses the page (a
``---`` front matter is left as it is, and counted in line numbers); a postprocessor swaps
in the citation HTML and the reference list, and disarms unsafe links. The problems of the
last conversion (the bib's own and the page's) are in ``md.citeproof_problems``; each is
also logged on the ``citeproof`` logger (an error as a WARNING, a warning as INFO, the
bib's problems once per load). Nothing is raised for them: only an unusable option
(``ConfigError``) or an unreadable bib (``BibError``) is an exception.

Pipelines that make one ``Markdown`` per page (MkDocs, ProperDocs, Zensical) share one site
core per set of options: the bib is loaded once, not once per page.
"""
from __future__ import annotations

import logging
import os

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from .pages import split_front_matter
from .config import SiteOptions
from .site import PageRender, SiteCore, log_problems

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
        self.config = {name: [getattr(_DEFAULTS, name), f"citeproof's {name} option (see the README)"]
                       for name in SiteOptions.names()}
        self.config["download_bib"][0] = False
        self.config["base_dir"] = [".", "what a relative bib_file and cache_dir are relative to"]
        self.config["page_label"] = ["<markdown>", "the page's name in messages"]
        super().__init__(**kwargs)
        self.page: PageRender | None = None
        self.md: Markdown | None = None
        options = SiteOptions(**{name: self.getConfig(name) for name in SiteOptions.names()})
        self.core = _core(options, self.getConfig("base_dir"))
        self._refresh()  # an unreadable bib fails here, when the pipeline is set up
        self.core.lock()  # and so does an unusable lock file

    def _refresh(self) -> None:
        """Reload the bib if it changed; its problems are logged once per load."""
        if self.core.refresh():
            log_problems(log, self.core.bib_problems())

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        md.citeproof_problems = []
        md.preprocessors.register(_Tokens(md, self), "citeproof", _PREPROCESSOR_PRIORITY)
        md.postprocessors.register(_Citations(md, self), "citeproof", _POSTPROCESSOR_PRIORITY)

    def reset(self) -> None:
        self.page = None
        if self.md is not None:
            self.md.citeproof_problems = []

    def render(self, text: str) -> str:
        """Step 1 for one conversion: the bib reloaded if it changed, the text tokenised."""
        self._refresh()
        offset, body = split_front_matter(text)
        self.page = self.core.render_markdown(body, self.getConfig("page_label"), offset=offset)
        log_problems(log, self.page.problems)
        self.md.citeproof_problems = [*self.core.bib_problems(), *self.page.problems]
        return text[: len(text) - len(body)] + self.page.text

    def finish(self, html: str) -> str:
        """Step 2: the citation HTML and the list in, unsafe links disarmed. (The page stays
        until the next conversion: ``toc`` runs the postprocessors on its own HTML first.)"""
        if self.page is None:
            return html
        href = self.core.bib_path.name if self.core.options.download_bib else None
        done = self.core.finish_html(html, self.page, download_href=href)
        # toc runs this on each heading's HTML too: a problem found there again is not new
        new = [p for p in done.problems if p not in self.md.citeproof_problems]
        log_problems(log, new)
        self.md.citeproof_problems.extend(new)
        return done.html


class _Tokens(Preprocessor):
    def __init__(self, md: Markdown, ext: CiteproofExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        return self.ext.render("\n".join(lines)).split("\n")


class _Citations(Postprocessor):
    def __init__(self, md: Markdown, ext: CiteproofExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        return self.ext.finish(text)


def makeExtension(**kwargs) -> CiteproofExtension:  # noqa: N802 (Python-Markdown's name)
    return CiteproofExtension(**kwargs)
