"""The Python-Markdown extension ``citeproof``: the site core in a plain Markdown pipeline."""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import markdown
import pytest

from scratch import copy_article, read_mkdocs_config

from citeproof.errors import BibError, ConfigError


BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {An {DNA} study of walking},
  journal = {J Walk}, year = {2020}, volume = {1}, number = {2}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}
@article{beta2021,
  author = {Gamma, Carl}, title = {Second work}, journal = {J Walk}, year = {2021},
  doi = {10.1000/beta}
}
"""


def convert(text: str, **options) -> tuple[str, markdown.Markdown]:
    md = markdown.Markdown(extensions=["citeproof"], extension_configs={"citeproof": options})
    return md.convert(text), md


@pytest.fixture
def bib(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # a relative bib_file is relative to the current directory
    path = tmp_path / "references.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def test_markdown_markdown_numbers_citations_and_appends_the_list(bib):
    html = markdown.markdown("# T\n\nOne [@beta2021]. Two [@alpha2020; @beta2021].\n",
                             extensions=["citeproof"],
                             extension_configs={"citeproof": {"bib_file": "references.bib"}})
    assert '<a class="cp-cite cp-ref" id="cite-1" href="#ref-beta2021" aria-describedby="ref-beta2021-text">' in html
    assert re.search(r'<span class="cp-entry-text" id="ref-beta2021-text">Gamma C\. Second work\.', html)
    assert re.search(r'<span class="cp-cite" id="cite-2">\[<a class="cp-ref" href="#ref-beta2021"[^>]*>1</a>, '
                     r'<a class="cp-ref" href="#ref-alpha2020"[^>]*>2</a>\]</span>', html), html
    listing = html.split("<h2>References</h2>", 1)[1]
    assert listing.index('id="ref-beta2021"') < listing.index('id="ref-alpha2020"')
    assert '<a class="cp-doi" href="https://doi.org/10.1000/alpha" rel="noopener">' in listing
    assert "citeproof7f3a" not in html and "[@" not in html
    assert "cp-download" not in html  # off by default here: nothing publishes the bib


def test_problems_are_stored_and_logged_never_raised(bib, caplog):
    caplog.set_level(logging.INFO, logger="citeproof")
    text = "---\ntitle: T\n---\n\nFine [@alpha2020].\n\nBad [@nosuchkey]. A [link](javascript:alert(1)).\n"
    html, md = convert(text, bib_file="references.bib", page_label="page.md")
    codes = [(p.code, p.file, p.line) for p in md.citeproof_problems]
    assert codes == [("unknown-key", "page.md", 7), ("invalid-url", "page.md", 7)]  # the file's lines
    assert "?nosuchkey" in html and "#unsafe-link-removed" in html and "javascript:" not in html
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "citeproof"]
    assert (logging.WARNING, "page.md:7: unknown citation key 'nosuchkey'; add an entry with this key "
            "to the bib file or correct the key. [unknown-key]") in logged
    assert len(logged) == 2


def test_the_bibs_own_problems_are_reported_too(bib, caplog):
    bib.write_text(BIB.replace("doi = {10.1000/beta}", "doi = {not-a-doi}"), encoding="utf-8")
    caplog.set_level(logging.INFO, logger="citeproof")
    _html, md = convert("[@beta2021]\n", bib_file="references.bib", cache_dir="")
    assert [p.code for p in md.citeproof_problems] == ["invalid-doi"]
    assert [r.levelno for r in caplog.records if "invalid-doi" in r.getMessage()] == [logging.WARNING]


def test_an_unreadable_bib_is_one_clear_exception(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BibError, match="missing.bib"):
        convert("[@a]", bib_file="missing.bib")
    with pytest.raises(ConfigError, match="bib_file is a URL"):
        convert("[@a]", bib_file="https://example.org/refs.bib")
    with pytest.raises(ConfigError, match="page_ranges"):
        convert("[@a]", bib_file="missing.bib", page_ranges="short")


def test_one_markdown_per_page_shares_one_bib_load(bib, caplog, monkeypatch):
    import citeproof.site as site_mod
    loads = []
    real = site_mod.load_formatted_bib
    monkeypatch.setattr(site_mod, "load_formatted_bib", lambda *a, **k: loads.append(a) or real(*a, **k))
    bib.write_text(BIB.replace("doi = {10.1000/beta}", "doi = {not-a-doi}"), encoding="utf-8")
    caplog.set_level(logging.INFO, logger="citeproof")
    pages = [convert(f"Page {i} [@beta2021].\n", bib_file="references.bib", cache_dir="")[1]
             for i in range(5)]  # as MkDocs, ProperDocs and Zensical do: one Markdown per page
    assert len(loads) == 1
    assert [r.levelno for r in caplog.records if "invalid-doi" in r.getMessage()] == [logging.WARNING]
    assert all([p.code for p in md.citeproof_problems] == ["invalid-doi"] for md in pages)


def test_a_problem_in_a_heading_is_reported_once_with_toc(bib):
    md = markdown.Markdown(extensions=["toc", "citeproof"],
                           extension_configs={"citeproof": {"bib_file": "references.bib"}})
    md.convert("# A [link](javascript:alert(1)) [@alpha2020]\n\nText [@beta2021].\n")
    assert [(p.code, p.line) for p in md.citeproof_problems] == [("invalid-url", 1)]


def test_a_path_object_is_a_bib_file_too(bib):
    html, md = convert("One [@alpha2020].\n", bib_file=bib)  # a pathlib.Path, not text
    assert 'href="#ref-alpha2020"' in html and md.citeproof_problems == []
    with pytest.raises(ConfigError, match="bib_file must be a path"):
        convert("One [@alpha2020].\n", bib_file=5)


def test_base_dir_and_the_same_options_as_the_plugin(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    html, md = convert("One [@alpha2020].\n\n\\bibliography\n\nEnd.\n", bib_file="refs.bib",
                       base_dir=str(tmp_path), citation_format="superscript", download_bib=True,
                       cache_dir="")
    assert md.citeproof_problems == []
    assert '<sup class="cp-cite" id="cite-1">' in html
    assert '<p class="cp-download"><a href="refs.bib" download>' in html
    assert html.index("cp-bibliography") < html.index("End.")  # where \bibliography stood
    assert not (tmp_path / ".cache").exists()


def test_reset_and_repeated_conversions_start_afresh(bib):
    md = markdown.Markdown(extensions=["citeproof"], extension_configs={"citeproof": {"bib_file": "references.bib"}})
    first = md.convert("A [@alpha2020]. B [@nosuchkey].\n")
    assert [p.code for p in md.citeproof_problems] == ["unknown-key"]
    md.reset()
    assert md.citeproof_problems == []
    second = md.convert("B [@beta2021].\n")
    assert md.citeproof_problems == []
    assert 'href="#ref-beta2021"' in second and ">[1]</a>" in second and "alpha2020" not in second
    third = md.convert("A [@alpha2020].\n")  # no reset: the page still numbers from 1
    assert third.count('class="cp-entry"') == 1 and ">[1]</a>" in third and "beta2021" not in third
    assert first != third


def test_an_edited_bib_is_reloaded_by_the_next_conversion(bib):
    md = markdown.Markdown(extensions=["citeproof"], extension_configs={"citeproof": {"bib_file": "references.bib"}})
    assert "Second work" in md.convert("[@beta2021]\n")
    bib.write_text(BIB.replace("Second work", "Edited work"), encoding="utf-8")
    later = time.time_ns() + 10**9
    os.utime(bib, ns=(later, later))
    html = md.convert("[@beta2021]\n")
    assert "Edited work" in html and "Second work" not in html


# ------------------------------------------------ the extension and the MkDocs build agree

def _citations(html: str) -> list[str]:
    """Every citation group's element, in page order."""
    found = re.findall(r'<a class="cp-cite cp-ref" id="cite-\d+"[^>]*>.*?</a>'
                       r'|<(?:span|sup) class="cp-cite[^"]*" id="cite-\d+"[^>]*>.*?\]?</(?:span|sup)>', html, re.S)
    return [re.sub(r"\s+", " ", f) for f in found]


def _listing(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<section class="cp-bibliography".*?</section>', html, re.S).group(0))


def test_extension_and_mkdocs_give_the_same_citations_and_list_for_the_article(tmp_path):
    root = copy_article(tmp_path / "article")  # the frozen article fixture
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                          cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    built = (site / "index.html").read_text(encoding="utf-8")

    config = read_mkdocs_config(root / "mkdocs.yml")
    plugin = next(p["citeproof"] for p in config["plugins"] if isinstance(p, dict) and "citeproof" in p)
    extensions, configs = ["meta"], {}  # `meta` takes the front matter off, as MkDocs does
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        extensions.append(name)
        configs[name] = options
    extensions.append("citeproof")
    configs["citeproof"] = {**plugin, "base_dir": str(root), "download_bib": True, "cache_dir": ""}
    md = markdown.Markdown(extensions=extensions, extension_configs=configs)
    html = md.convert((root / "docs" / "index.md").read_text(encoding="utf-8"))

    assert md.citeproof_problems == [] or {p.severity for p in md.citeproof_problems} == {"warning"}
    cites = _citations(html)
    assert len(cites) >= 15 and cites == _citations(built)
    assert _listing(html) == _listing(built)
    assert _listing(html).count('class="cp-entry"') == 15


@pytest.mark.parametrize("by_id", ["@doi:10.1000/ALPHA", "@DOI:10.1000/alpha", "@pmid:12345678", "@{doi:https://doi.org/10.1000/alpha}",
                                   "@{doi:10.1000/alpha}"])
def test_a_citation_by_identifier_is_the_citation_of_its_entry(bib, by_id):
    """``[@doi:…]`` / ``[@pmid:…]`` give the page, list and metadata of citing the key."""
    options = {"bib_file": "references.bib", "cache_dir": ""}
    by_key, md_key = convert("# T\n\nOne [@alpha2020], two [@beta2021; @alpha2020].\n", **options)
    by_ident, md_ident = convert(f"# T\n\nOne [{by_id}], two [@beta2021; {by_id}].\n", **options)
    assert by_ident == by_key
    assert md_ident.citeproof.head == md_key.citeproof.head
    assert md_ident.citeproof.problems == md_key.citeproof.problems == ()


def test_an_identifier_no_entry_has_names_the_command_that_adds_it(bib):
    _, md = convert("# T\n\nSee [@doi:10.1000/nosuch] and [@pmid:999].\n", bib_file="references.bib", cache_dir="")
    messages = [(p.code, p.message) for p in md.citeproof.problems]
    assert messages == [
        ("unknown-key", "no bib entry has the DOI in '@doi:10.1000/nosuch': add it with "
                        "`citeproof add 10.1000/nosuch`, or cite an entry's key"),
        ("unknown-key", "no bib entry has the PMID in '@pmid:999': add it with `citeproof add 999`, "
                        "or cite an entry's key")]


def test_a_key_without_its_at_sign_asks_did_you_mean(bib):
    _, md = convert("# T\n\nAs [alpha2020] showed, and [a note], and \\[beta2021\\], and [link](x), and "
                    "[alpha2020][ref].\n\n[ref]: https://example.org\n", bib_file="references.bib", cache_dir="")
    (problem,) = md.citeproof.problems
    assert (problem.code, problem.line) == ("malformed-citation", 3)
    assert "did you mean [@alpha2020]?" in problem.message


def test_with_the_edition_option_the_pages_undeclared_changes_are_checks(tmp_path, caplog):
    from citeproof.edition import check_edition
    root = copy_article(tmp_path)
    page = root / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Lee and Kang demonstrated", "Lee and Kang showed"),
                    encoding="utf-8")
    checked = [(p.code, p.line, p.message) for p in check_edition(root)]
    assert [code for code, _, _ in checked] == ["undeclared-change"]
    caplog.set_level(logging.INFO, logger="citeproof")
    options = dict(bib_file="references.bib", base_dir=str(root), edition="edition", cache_dir="")
    _html, md = convert(page.read_text(encoding="utf-8"), page_label="docs/index.md", **options)
    found = [(p.code, p.line, p.message) for p in md.citeproof_problems if p.code == "undeclared-change"]
    assert found == checked and all(p.file == "docs/index.md" for p in md.citeproof_problems
                                    if p.code == "undeclared-change")
    assert any("[undeclared-change]" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    # another page of the same site is not the edition's page: nothing to say about it
    _html, other = convert("# Other\n\nText.\n", page_label="docs/other.md", **options)
    assert [p for p in other.citeproof_problems if p.code == "undeclared-change"] == []


def test_one_work_under_two_keys_is_an_error_where_one_conversion_cites_both(bib, caplog):
    """A conversion is one page: the work is cited twice only where one page cites both
    keys; pages citing one key each, or none, are warned once and no more."""
    bib.write_text(BIB + "@article{beta2021b," + BIB.split("@article{beta2021,")[1], encoding="utf-8")
    md = markdown.Markdown(extensions=["citeproof"], extension_configs={"citeproof": {"bib_file": "references.bib"}})

    def said(text: str) -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="citeproof"):
            md.convert(text)
        return [r.levelname for r in caplog.records if "duplicate-work" in r.getMessage()]
    assert said("# T\n\nOne [@beta2021].\n") == ["INFO"]  # a warning, once
    assert said("# U\n\nTwo [@beta2021b].\n") == []
    assert said("# V\n\nNone.\n") == []
    assert said("# W\n\nBoth [@beta2021; @beta2021b].\n") == ["WARNING"]  # an error
    assert "the same work as 'beta2021'" in caplog.records[-1].getMessage()
    assert said("# X\n\nOne again [@beta2021b].\n") == []
