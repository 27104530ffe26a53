"""The MkDocs plugin, through real `mkdocs build` runs (in-process and as a subprocess)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scratch import BIN, FIXTURE_KEYS, MATERIAL, Scratch, copy_article

MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {An {DNA} study of walking},
  journal = {J Walk},
  year = {2020}, volume = {1}, number = {2}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}
@article{beta2021,
  author = {Gamma, Carl},
  title = {Second work},
  journal = {J Walk},
  year = {2021}, volume = {2}, pages = {e5},
  doi = {10.1000/beta}
}
"""


def make_site(tmp_path: Path, page: str, bib: str = BIB, extra_cfg: str = "") -> Path:
    return Scratch(tmp_path).write(page=page, bib=bib, mkdocs=MATERIAL, plugin_options=extra_cfg).root


def build(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, "build", *args], cwd=site, env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_strict_build_fails_with_file_and_line_on_unknown_key(tmp_path):
    site = make_site(tmp_path, "---\ntitle: T\n---\n\n# T\n\nFine [@alpha2020].\n\nBad [@nosuchkey].\n")
    proc = build(site, "--strict")
    assert proc.returncode != 0
    assert re.search(r"docs/index\.md:9: .*nosuchkey", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr
    # without --strict the build passes and the citation stays visible
    proc = build(site)
    assert proc.returncode == 0, proc.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "?nosuchkey" in html and "[@" not in html


def test_case_only_key_difference_suggests_the_right_key(tmp_path):
    site = make_site(tmp_path, "# T\n\nSee [@Alpha2020].\n")
    proc = build(site, "--strict")
    assert proc.returncode != 0
    assert "docs/index.md:3" in proc.stderr and "alpha2020" in proc.stderr


def test_build_numbers_links_and_lists(tmp_path):
    site = make_site(tmp_path, "# T\n\nOne [@beta2021]. Two [@alpha2020; @beta2021].\n\n"
                               "```\n[@alpha2020] in code\n```\n\n## Refs\n\n\\bibliography\n\n## After\n")
    proc = build(site, "--strict")
    assert proc.returncode == 0, proc.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "[@alpha2020] in code" in html  # code is left alone
    body = html.split('<section class="cp-bibliography"')[1]
    assert body.index("ref-beta2021") < body.index("ref-alpha2020")  # order of first citation
    assert html.index("cp-bibliography") < html.index('id="after"')  # list where \bibliography stood
    assert "https://doi.org/10.1000/alpha" in body and "https://pubmed.ncbi.nlm.nih.gov/12345678/" in body
    assert "DNA" in body
    assert (site / "site" / "references.bib").exists()
    assert (site / "site" / "assets" / "citeproof" / "citeproof.css").exists()
    assert '<meta name="citation_reference"' in html and "application/ld+json" in html


def test_hostile_bib_fields_produce_nothing_live(tmp_path):
    bib = BIB + r"""
@misc{evil,
  author = {Mallory, M.},
  title = {<script>alert(1)</script> and <img src=x onerror=alert(2)>},
  year = {2020},
  url = {javascript:alert(3)}
}
"""
    site = make_site(tmp_path, "# T\n\n[@evil] [@alpha2020] [@beta2021]\n", bib)
    proc = build(site)
    assert proc.returncode == 0, proc.stderr
    assert "javascript" in proc.stderr.lower()  # warned about the dropped URL
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html.lower()
    assert build(site, "--strict").returncode != 0


def test_empty_bib_keeps_citations_visible_and_fails_strict(tmp_path):
    site = make_site(tmp_path, "# T\n\nOne [@alpha2020].\n", bib="")
    proc = build(site, "--strict")
    assert proc.returncode != 0
    assert "alpha2020" in proc.stderr
    assert build(site).returncode == 0
    assert "?alpha2020" in (site / "site" / "index.html").read_text(encoding="utf-8")


def test_bib_syntax_error_is_a_warning_with_the_line_not_a_traceback(tmp_path):
    bib = BIB + "\n@article{broken,\n  title = {Unclosed,\n  year = {2020}\n"
    site = make_site(tmp_path, "# T\n\n[@alpha2020]\n", bib)
    proc = build(site, "--strict")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert re.search(r"references\.bib:\d+", proc.stderr), proc.stderr


def test_missing_bib_file_is_one_clear_error(tmp_path):
    site = make_site(tmp_path, "# T\n\n[@alpha2020]\n")
    (site / "references.bib").unlink()
    proc = build(site)
    assert proc.returncode != 0
    assert "references.bib" in proc.stderr and "Traceback" not in proc.stderr


def test_a_url_as_bib_file_is_refused_at_once(tmp_path):
    site = make_site(tmp_path, "# T\n\n[@alpha2020]\n",
                     extra_cfg=":\n      bib_file: https://example.org/refs.bib")
    proc = build(site)
    assert proc.returncode != 0 and "bib_file is a URL" in proc.stderr and "Traceback" not in proc.stderr


def test_the_article_site_builds_strict_with_15_references(tmp_path):
    root = copy_article(tmp_path / "article")  # the frozen article fixture
    proc = subprocess.run([*MKDOCS, "build", "--strict", "-d", str(tmp_path / "site")],
                          cwd=root, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "[@" not in html
    entries = re.findall(r'<li id="ref-([^"]+)" class="cp-entry" value="(\d+)"', html)
    keys = ["suh2019", "kim2017", "lee2016", "bozorgmehr2018", "lamoth2006", "krein2013",
            "sculco2001", "callaghan1999", "lee2014", "gordon2016", "descarreaux2002",
            "stankovic2012", "fahmy2019", "paolucci2019", "barzilay2016"]
    assert [k for k, _ in entries] == keys == FIXTURE_KEYS
    assert [int(n) for _, n in entries] == list(range(1, 16))
    listing = html.split('<section class="cp-bibliography"')[1].split("</section>")[0]
    assert len(re.findall(r'href="https://doi\.org/', listing)) == 14  # all but Stankovic
    assert len(re.findall(r'href="https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/"', listing)) == 13
    # scholarly metadata for indexers: Highwire tags and schema.org JSON-LD
    assert html.count('<meta name="citation_reference"') == 15
    assert '<meta name="citation_publication_date" content="2026/11/27">' in html
    assert '<meta name="citation_author" content="Michael C Remy">' in html
    title = "What the Research Says About Walking &amp; Lower Back Pain Relief"
    assert f'<meta name="citation_title" content="{title}">' in html
    assert re.search(r"<title>What the Research Says About Walking (&amp;|&) Lower Back Pain Relief</title>",
                     html)  # the browser tab does not repeat the title
    import json
    ld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert ld["@type"] == "ScholarlyArticle" and len(ld["citation"]) == 15
    assert ld["citation"][0]["sameAs"][:2] == ["https://doi.org/10.1097/MD.0000000000016173",
                                               "https://pubmed.ncbi.nlm.nih.gov/31261549/"]


def test_unsafe_markdown_links_are_disarmed_and_reported(tmp_path):
    site = make_site(tmp_path, "# T\n\nFine [@alpha2020].\n\nA [bad link](javascript:alert(1)) and "
                               "[another](JaVa&#115;cript:alert(2)) and [ok](https://example.org/).\n\n"
                               "<a href=javascript:alert(3)>raw</a> <object data='javascript:alert(4)'></object>\n")
    proc = build(site)
    assert proc.returncode == 0, proc.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in html.lower() and "cript:alert" not in html
    assert "raw</a>" in html and html.count("#unsafe-link-removed") >= 3
    assert "bad link" in html and 'href="https://example.org/"' in html  # nothing deleted
    assert re.search(r"docs/index\.md:5: a link to 'javascript:alert\(1\)' was disarmed", proc.stderr), proc.stderr
    assert build(site, "--strict").returncode != 0


@pytest.mark.slow
def test_bib_errors_fail_strict_on_every_build_and_warnings_do_not(tmp_path):
    bad = BIB.replace("doi = {10.1000/beta}", "doi = {not-a-doi}")
    site = make_site(tmp_path, "# T\n\n[@alpha2020] [@beta2021]\n", bad)
    for _ in range(2):  # the second build reads the cached bib: it must fail just the same
        proc = build(site, "--strict")
        assert proc.returncode != 0
        assert re.search(r"references\.bib:\d+: .*not-a-doi.*\[invalid-doi\]", proc.stderr), proc.stderr
    # a doi.org URL where a bare DOI belongs is normalised: informational, not a failure
    prefixed = BIB.replace("doi = {10.1000/beta}", "doi = {https://doi.org/10.1000/beta}")
    (site / "references.bib").write_text(prefixed, encoding="utf-8")
    proc = build(site, "--strict")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_an_entry_no_page_cites_is_the_checks_warning_and_an_info_line_of_the_build(tmp_path):
    """The build and ``citeproof check`` report an uncited entry alike, at its line in the
    bib: a warning (an INFO line of the build, so --strict passes), after every page was
    read (a key cited on a second page counts); a key that an unknown one resembles is left
    to that unknown-key error."""
    site = make_site(tmp_path, "# T\n\n[@alpha2020]\n")
    (site / "docs" / "two.md").write_text("# Two\n\nNothing cited.\n", encoding="utf-8")
    proc = build(site, "--strict")
    assert proc.returncode == 0, proc.stderr
    unused = [line for line in proc.stderr.splitlines() if "[unused-entry]" in line]
    check = subprocess.run([str(BIN / "citeproof"), "check", "--offline", "--format", "json"], cwd=site,
                           env=ENV, capture_output=True, text=True)
    found = [p for p in json.loads(check.stdout)["problems"] if p["code"] == "unused-entry"]
    assert len(unused) == 1 == len(found) and found[0]["key"] == "beta2021"
    assert f"references.bib:{found[0]['line']}: bib entry 'beta2021' is never cited" in unused[0]
    assert unused[0].startswith("INFO")
    (site / "docs" / "two.md").write_text("# Two\n\nNow [@beta2021].\n", encoding="utf-8")
    assert "[unused-entry]" not in build(site, "--strict").stderr
    # a --dirty build builds the changed pages only: what the others cite is unknown to it
    (site / "docs" / "index.md").write_text("# T\n\n[@alpha2020] again\n", encoding="utf-8")
    dirty = build(site, "--dirty")
    assert dirty.returncode == 0 and "[unused-entry]" not in dirty.stderr, dirty.stderr


def test_search_index_has_the_text_but_no_tokens_or_slots(tmp_path):
    site = make_site(tmp_path, "# T\n\nWalking helps [@alpha2020; @beta2021].\n",
                     extra_cfg="\n  - search")
    assert build(site, "--strict").returncode == 0
    index = (site / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Walking helps" in index
    assert "citeproof7f3a" not in index and "cp-bibliography-slot" not in index
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="cp-bibliography"') == 1 and "cp-bibliography-slot" not in html


def test_citations_in_headings_and_image_text_leave_no_token_and_break_no_markup(tmp_path):
    site = make_site(tmp_path, "# T\n\n## Walking helps [@alpha2020]\n\nBody [@beta2021].\n\n"
                               "![Figure [@alpha2020]](https://example.org/x.png)\n")
    assert build(site, "--strict").returncode == 0
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "citeproof7f3a" not in html
    assert 'alt="Figure [1]"' in html and "Walking helps [1]" in html


def test_every_theme_gets_the_accessible_previews_and_no_title_tooltips(scratch):
    """The default theme and Material with `content.tooltips` (the article site) both get
    citeproof's own preview script; citations carry no title, so Material's tooltips (which
    Escape cannot close) never show for them."""
    scratch.write(page="# T\n\nOne [@alpha2020].\n", bib=BIB)  # the default `mkdocs` theme
    proc = scratch.build("--strict")
    assert proc.returncode == 0, proc.stderr
    html = scratch.html()
    assert '<script src="assets/citeproof/citeproof-preview.js"' in html
    assert (scratch.site / "assets" / "citeproof" / "citeproof-preview.js").exists()
    assert '<a class="cp-cite cp-ref" id="cite-1" href="#ref-alpha2020" aria-describedby="ref-alpha2020-text">' in html
    assert re.search(r'<span class="cp-entry-text" id="ref-alpha2020-text">Alpha A, Beta B\. ', html)
    assert html.count('<li id="ref-alpha2020" class="cp-entry" value="1">') == 1
    material = MATERIAL.replace("  font: false\n", "  font: false\n  features:\n    - content.tooltips\n")
    scratch.write(mkdocs=material)
    assert scratch.build("--strict").returncode == 0
    html = scratch.html()
    assert '<script src="assets/citeproof/citeproof-preview.js"' in html and "title=" not in html.split(
        'id="cite-1"')[1].split(">")[0]
    assert (scratch.site / "assets" / "citeproof" / "citeproof-preview.js").exists()


def test_style_options_are_plugin_options_and_bad_values_are_refused(scratch):
    scratch.write(page="# T\n\nOne [@alpha2020].\n", bib=BIB,
                  plugin_options=":\n      authors: all\n      page_ranges: full")
    assert scratch.build("--strict").returncode == 0, "valid style options must build"
    scratch.write(plugin_options=":\n      authors: everyone")
    proc = scratch.build("--strict")
    assert proc.returncode != 0 and "authors" in proc.stderr and "Traceback" not in proc.stderr
