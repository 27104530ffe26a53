"""The site core (``citeproof.site``): no MkDocs, problems returned, the bib reloaded on change."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citeproof import style
from citeproof.errors import BibError, ConfigError
from citeproof.config import CHOICES, SiteOptions
from citeproof.site import PageSource, SiteCore, disarm_unsafe_links

BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob}, title = {Walking study}, journal = {J Walk},
  year = {2020}, volume = {1}, pages = {101--109}, doi = {10.1000/alpha}
}
@article{beta2021,
  author = {Gamma, Carl}, title = {Second work}, journal = {J Walk}, year = {2021}, doi = {10.1000/beta}
}
"""


@pytest.fixture
def core(tmp_path) -> SiteCore:
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    return SiteCore(SiteOptions(cache_dir=""), tmp_path)


def test_importing_the_core_imports_no_site_generator():
    code = ("import sys, citeproof.site; "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material', 'markdown')); "
            "assert not loaded, loaded")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_problems_are_returned_not_logged(core, caplog):
    caplog.set_level(logging.DEBUG)
    pending = core.begin(PageSource("# T\n\nFine [@alpha2020].\n\nBad [@nosuchkey].\n", "docs/p.md", offset=3))
    assert [(p.code, p.file, p.line) for p in pending.render.problems] == [("unknown-key", "docs/p.md", 8)]
    done = core.finish(pending, '<p><a href="javascript:alert(1)">x</a></p>')
    assert [(p.code, p.line) for p in done.problems] == [("unknown-key", 8), ("invalid-url", None)]
    assert caplog.records == []


def test_one_call_renders_a_page_with_all_a_generator_needs(core):
    done = core.render(PageSource("# T\n\nOne [@beta2021]. Two [@alpha2020].\n\n\\bibliography\n", "docs/a/index.md",
                                  meta={"authors": ["A Author"], "date": "2026-01-02"}, dest="a/index.html",
                                  url="https://x.org/a/", site_name="S"), _paragraphs)
    assert done.html.index('id="cite-1"') < done.html.index('<section class="cp-bibliography"')
    assert 'href="../references.bib" download' in done.html  # the downloads, linked from the page
    assert done.downloads == ("references.bib", "references.ris", "references.json", "references.cite.json")
    assert set(done.anchors) == {"ref-beta2021", "ref-alpha2020", "cite-1", "cite-2"}
    assert done.html.startswith('<h1>T</h1><div class="cp-article-header"><p class="cp-byline">By A Author')
    assert '<a href="verification.json">verification record (JSON)</a>' in done.html
    assert done.record[0] == "a/verification.json" and '"beta2021": {' in done.record[1]
    assert '<meta name="citation_title" content="T">' in done.head and "2026/01/02" in done.head
    assert '<meta property="og:url" content="https://x.org/a/">' in done.head
    assert "cp-references-index" in done.indexed() and 'id="cite-1"' in done.indexed()
    assert done.restored(done.indexed()) == done.html
    assert done.problems == ()


def test_head_metadata_follows_the_option_and_the_front_matter(tmp_path, core):
    source = PageSource("# T\n\nOne [@alpha2020].\n", "p.md", meta={"authors": ["A Author"], "date": "2026-01-02"})
    head = core.render(source, _paragraphs).head
    assert '<meta name="citation_title" content="T">' in head
    assert '<meta name="citation_author" content="A Author">' in head and "2026/01/02" in head
    off = SiteCore(SiteOptions(cache_dir="", metadata=False), tmp_path)
    assert off.render(source, _paragraphs).head == ""
    assert core.render(PageSource("No citation.\n", "p.md"), _paragraphs).head == ""


def _paragraphs(markdown: str) -> str:
    """A stand-in for Markdown: a heading line, then one paragraph per line."""
    return "\n".join(f"<h1>{line[2:]}</h1>" if line.startswith("# ") else f"<p>{line}</p>"
                      for line in markdown.split("\n") if line.strip())


def test_the_bib_is_reloaded_only_when_it_changes(core):
    assert core.refresh() is True
    assert core.refresh() is False
    assert "gamma2022" not in core.bib.references
    core.bib_path.write_text(BIB + "@article{gamma2022, author={D, E}, title={New}, journal={J}, "
                             "year={2022}, doi={10.1000/g}}\n", encoding="utf-8")
    later = time.time_ns() + 10**9
    os.utime(core.bib_path, ns=(later, later))
    assert core.refresh() is True
    assert "gamma2022" in core.bib.references
    page = core.begin(PageSource("[@gamma2022]\n", "p.md")).render
    assert page.problems == [] and page.cites.numbers == {"gamma2022": 1}


def test_bib_problems_include_an_empty_bib(tmp_path):
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    core = SiteCore(SiteOptions(cache_dir=""), tmp_path)
    assert [(p.code, p.severity) for p in core.bib_problems()] == [("bib-syntax", "error")]


def test_an_unreadable_bib_and_bad_options_raise_one_clear_error(tmp_path):
    with pytest.raises(BibError, match="references.bib"):
        SiteCore(SiteOptions(cache_dir=""), tmp_path).refresh()
    with pytest.raises(ConfigError, match="bib_file is a URL"):
        SiteOptions(bib_file="https://example.org/references.bib")
    with pytest.raises(ConfigError, match="'icmje', 'all', 'three'"):
        SiteOptions(authors="two")


def test_the_style_options_are_the_styles_and_part_of_the_cache_key(tmp_path):
    assert CHOICES["authors"] == style.AUTHOR_RULES and CHOICES["page_ranges"] == style.PAGE_RANGES
    assert SiteOptions().authors == "icmje" and SiteOptions().page_ranges == "abbreviated"
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    for options in (SiteOptions(), SiteOptions(page_ranges="full"), SiteOptions(authors="all"),
                    SiteOptions()):  # the last one is a hit
        SiteCore(options, tmp_path).refresh()
    assert len(list((tmp_path / ".cache" / "citeproof").glob("bib-*.pickle"))) == 3


def test_disarmed_links_name_the_files_line():
    source = "# T\n\nA [bad](javascript:alert(1)).\n"
    html, problems = disarm_unsafe_links('<a href="javascript:alert(1)">bad</a> <a href="https://x.org/">ok</a>',
                                         source, "docs/p.md", offset=4)
    assert html == '<a href="#unsafe-link-removed">bad</a> <a href="https://x.org/">ok</a>'
    assert [(p.file, p.line, p.severity) for p in problems] == [("docs/p.md", 7, "error")]


def test_the_manual_shows_every_option_with_its_default():
    import dataclasses
    import re

    import yaml
    manual = (Path(__file__).resolve().parents[1] / "docs" / "manual" / "index.md").read_text(encoding="utf-8")
    section = manual.split("## In MkDocs", 1)[1].split("\n## ", 1)[0]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    shown = yaml.safe_load(snippet)["plugins"][0]["citeproof"]
    assert shown == {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(SiteOptions()).items()}


@pytest.mark.parametrize("html", [
    '<svg><animate attributeName="href" values="#a;javascript:alert(1)"/></svg>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<svg><animate attributeName="href" from="javascript:alert(1)" to="#a"/></svg>',
    '<svg><animate attributeName="href" by="&#106;avascript:alert(1)"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<svg><a/href="javascript:alert(1)">x</a></svg>',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">',
    '<a ping="javascript:alert(1)" href="https://x.org/">x</a>',
    '<form><button formaction="java\tscript:alert(1)">x</button></form>',
])
def test_svg_smil_and_every_url_attribute_are_disarmed(html):
    out, problems = disarm_unsafe_links(html, html, "docs/p.md")
    assert "javascript" not in out.lower().replace("&#106;", "j") and "#unsafe-link-removed" in out
    assert len(problems) == 1 and problems[0].code == "invalid-url" and problems[0].line == 1


def test_front_matter_authors_as_a_string_a_number_or_not_a_mapping(core):
    def head(meta):
        return core.render(PageSource("# T\n\nOne [@alpha2020].\n", "p.md", meta=meta), _paragraphs)

    done = head({"authors": "Jane Doe"})
    assert done.head.count('name="citation_author"') == 1 and 'content="Jane Doe"' in done.head
    done = head({"authors": 5})
    assert 'name="citation_author"' not in done.head and "citation_title" in done.head
    assert [(p.code, p.severity, p.message) for p in done.problems] == [
        ("invalid-metadata", "error", "front matter 'authors' must be a name or a list of names, not '5': "
                                      "the page's metadata names no author")]
    assert "citation_title" in head(["not", "a mapping"]).head
