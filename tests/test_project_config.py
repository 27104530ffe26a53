"""One reading of a project's options: the plugin's entry in mkdocs.yml, else [tool.citeproof].

The project's own words (``not_names``) and its edition record (``edition``) come from
configuration, read the same way by the site and the checker; the engine names no
article's words.
"""
from __future__ import annotations

import json

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
