"""One reading of a project's options: the plugin's entry in mkdocs.yml, else [tool.citeproof].

The project's own words (``not_names``) and its edition record (``edition``) come from
configuration, read the same way by the site and the checker; the engine names no
article's words.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citeproof.claims import check_claims
from citeproof.config import SiteOptions, project_paths
from citeproof.edition import page_paragraphs
from citeproof.errors import ConfigError
from citeproof.markdown import parse_citations
from citeproof.model import Author, Reference

from scratch import Scratch

BIB = """@article{walkling2020,
  author = {Walkling, Ann and Stone, Bo},
  title = {A study}, journal = {J Test}, year = {2020}, volume = {1}, pages = {1--2},
  doi = {10.5555/walkling.2020}
}
"""
# "Walking" is close to the cited author "Walkling": a subject word the project must declare
PAGE = "# T\n\nWalking found a lasting effect [@walkling2020].\n"


def ref() -> Reference:
    return Reference(key="walkling2020", entry_type="article", title="A study", year="2020",
                     authors=(Author("Walkling", "Ann"), Author("Stone", "Bo")), file="r.bib", line=1)


def test_a_projects_words_silence_the_name_check_and_the_generic_list_holds_none_of_them():
    doc = parse_citations(PAGE, "index.md")
    assert [p.code for p in check_claims(PAGE, doc, {"walkling2020": ref()})] == ["misattributed"]
    assert check_claims(PAGE, doc, {"walkling2020": ref()}, not_names=["walking"]) == []


@pytest.mark.slow
def test_the_site_and_the_checker_read_not_names_from_the_plugin_options(tmp_path):
    project = Scratch(tmp_path).write(page=PAGE, bib=BIB)
    assert project.build("--strict").returncode == 1
    assert json.loads(project.citeproof("check", "--offline", "--format", "json").stdout)["summary"]["errors"] == 1
    project.write(plugin_options=":\n      not_names: [Walking]")
    proc = project.build("--strict")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(project.citeproof("check", "--offline", "--format", "json").stdout)
    assert report["summary"]["errors"] == 0, report["problems"]


def test_without_mkdocs_the_checker_reads_tool_citeproof(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.citeproof]\nbib_file = "refs.bib"\ndocs = "pages"\n'
        'not_names = ["Walking"]\n', encoding="utf-8")
    proc = Scratch(tmp_path).citeproof("check", "--offline", "--format", "json")
    report = json.loads(proc.stdout)
    assert report["summary"]["references"] == 1 and report["summary"]["errors"] == 0, report["problems"]


def test_unknown_or_bad_options_name_the_file_and_line(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof:\n      not_name: [x]\n",
                                         encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mkdocs.yml:4: unknown citeproof option 'not_name'"):
        project_paths(tmp_path / "mkdocs.yml")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.citeproof]\nnot_names = 'Walking'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml: not_names must be a list of words"):
        project_paths(tmp_path / "mkdocs.yml")
    with pytest.raises(ConfigError, match="not_names must be a list of words"):
        SiteOptions(not_names="Walking")


def test_the_edition_is_checked_only_where_the_project_keeps_one(tmp_path):
    (tmp_path / "record").mkdir()
    (tmp_path / "record" / "original.txt").write_text("T\n\nThe original text.\n", encoding="utf-8")
    (tmp_path / "record" / "changes.yml").write_text("page: docs/index.md\nchanges: []\n", encoding="utf-8")
    project = Scratch(tmp_path).write(page="# T\n\nThe edited text.\n", bib=BIB)
    codes = [p["code"] for p in json.loads(project.citeproof("check", "--offline", "--format", "json")
                                           .stdout)["problems"]]
    assert "undeclared-change" not in codes  # no edition option: no edition record
    project.write(plugin_options=":\n      edition: record")
    problems = json.loads(project.citeproof("check", "--offline", "--format", "json").stdout)["problems"]
    assert [p["line"] for p in problems if p["code"] == "undeclared-change"] == [3]


@pytest.mark.parametrize("opener, printed", [
    ('!!! warning "Caution"', "Caution: Mind the step."),
    ("!!! tip", "Tip: Mind the step."),
    ('???+ note "Aside"', "Aside: Mind the step."),
])
def test_an_admonition_reads_as_the_paragraph_it_prints(opener, printed):
    assert page_paragraphs(f"Before.\n\n{opener}\n    Mind the step.\n\nAfter.\n") == [
        (1, "Before."), (3, printed), (6, "After.")]


# --------------------------------------------------------------------------- one reading of the project

SMALL_BIB = "@article{a1,\n  author = {A, B}, title = {T}, journal = {J}, year = {2020}, doi = {10.5555/a1}\n}\n"


def _layouts(root: Path, layout: str) -> None:
    """A project whose mkdocs.yml is read only as MkDocs reads it."""
    import os
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n\nSee [@a1].\n", encoding="utf-8")
    (root / "site.bib").write_text(SMALL_BIB, encoding="utf-8")
    (root / "references.bib").write_text(SMALL_BIB.replace("a1", "other"), encoding="utf-8")
    plugin = "plugins:\n  - citeproof:\n      bib_file: site.bib\n"
    if layout == "INHERIT":
        (root / "base.yml").write_text("site_name: T\n" + plugin, encoding="utf-8")
        (root / "mkdocs.yml").write_text("INHERIT: base.yml\n", encoding="utf-8")
    elif layout == "!ENV":
        (root / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof:\n"
                                         "      bib_file: !ENV [CITEPROOF_TEST_BIB, references.bib]\n",
                                         encoding="utf-8")
    elif layout == "symlinked folder":
        (root / "elsewhere").mkdir()
        (root / "elsewhere" / "part.md").write_text("# Part\n\nAlso [@a1].\n", encoding="utf-8")
        os.symlink(root / "elsewhere", root / "docs" / "linked")
        (root / "mkdocs.yml").write_text("site_name: T\n" + plugin, encoding="utf-8")
    elif layout == "exclude_docs":
        (root / "docs" / "draft.md").write_text("# Draft\n\n[@nosuch]\n", encoding="utf-8")
        (root / "docs" / ".hidden.md").write_text("# Hidden\n\n[@nosuch2]\n", encoding="utf-8")
        (root / "mkdocs.yml").write_text("site_name: T\nexclude_docs: |\n  draft.md\n" + plugin, encoding="utf-8")
    else:  # docs_dir from the environment
        (root / "docs").rename(root / "pages")
        (root / "mkdocs.yml").write_text("site_name: T\ndocs_dir: !ENV [CITEPROOF_TEST_DOCS, docs]\n" + plugin,
                                         encoding="utf-8")


@pytest.mark.parametrize("layout", ["INHERIT", "!ENV", "symlinked folder", "exclude_docs", "docs_dir from !ENV"])
def test_the_checker_reads_the_project_the_build_reads(tmp_path, layout, monkeypatch):
    from citeproof.pages import markdown_files
    env = {"CITEPROOF_TEST_BIB": "site.bib", "CITEPROOF_TEST_DOCS": "pages"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _layouts(tmp_path, layout)
    project = Scratch(tmp_path)
    proc = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-q"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, **env, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr
    built_pages = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("index.html")
                         if p.parent.name not in ("search", "assets") and "404" not in p.as_posix())
    built_bib = (tmp_path / "site" / "site.bib").read_text(encoding="utf-8")
    paths = project_paths(tmp_path / "mkdocs.yml")
    pages = markdown_files(paths.docs, paths.exclude)
    checked = sorted("index.html" if p.name == "index.md" else p.relative_to(paths.docs).with_suffix("").as_posix()
                     + "/index.html" for p in pages)
    assert checked == built_pages
    assert paths.bib.resolve() == (tmp_path / "site.bib").resolve() and paths.bib.read_text(encoding="utf-8") == built_bib
    report = json.loads(project.citeproof("check", "--offline", "--format", "json", env=env).stdout)
    assert report["summary"]["errors"] == 0 and report["summary"]["references"] == 1, report["problems"]


def test_a_mkdocs_yml_that_is_not_utf8_is_one_message(tmp_path):
    (tmp_path / "mkdocs.yml").write_bytes("site_name: Caf\xe9\n".encode("latin-1"))
    proc = Scratch(tmp_path).citeproof("check", "--offline")
    assert proc.returncode == 2 and "mkdocs.yml: not UTF-8 text" in proc.stderr and "Traceback" not in proc.stderr
