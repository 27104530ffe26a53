"""A third adapter: a project's pages built with Python-Markdown and the site core alone.

    python tiny_site.py PROJECT OUT   # reads PROJECT/mkdocs.yml (or [tool.citeproof]), writes OUT
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import markdown

from citeproof.config import project_paths
from citeproof.pages import front_matter, markdown_files, split_front_matter
from citeproof.site import PageSource, RenderedPage, SiteCore, log_problems

#: What each page needs from Markdown (as the project's mkdocs.yml lists them).
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "toc", "pymdownx.details", "pymdownx.superfences"]
CONFIGS = {"toc": {"permalink": True}}
log = logging.getLogger("tiny_site")


def build(project: Path, out: Path, site_name: str = "") -> dict[str, RenderedPage]:
    """Every page of ``project`` into ``out``, with its record and downloads; the renders."""
    paths = project_paths(project / "mkdocs.yml", docs=None)
    core = SiteCore(paths.options, project)
    log_problems(log, core.bib_problems())
    done = {}
    for path in markdown_files(paths.docs):
        name = path.relative_to(paths.docs).as_posix()
        dest = "index.html" if name == "index.md" else name.removesuffix(".md") + "/index.html"
        raw = path.read_text(encoding="utf-8")
        offset, body = split_front_matter(raw)
        source = PageSource(body, f"{paths.docs.name}/{name}", offset, front_matter(raw), dest, None, site_name)
        page = done[name] = core.render(source, markdown.Markdown(extensions=EXTENSIONS,
                                                                  extension_configs=CONFIGS).convert)
        log_problems(log, page.problems)
        _write(out / dest, f"<!doctype html><html><head>{page.head}</head><body>{page.html}</body></html>")
        if page.record:
            _write(out / page.record[0], page.record[1])
    log_problems(log, core.duplicate_works())  # (graded by what every page cites)
    downloads = core.downloads()
    for name in {d for page in done.values() for d in page.downloads}:
        _write(out / name, downloads[name] if name in downloads else core.bib_path.read_text(encoding="utf-8"))
    core.save()
    return done


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
