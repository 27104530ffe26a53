"""The messages an editor reads: each of the issue's misleading or silent messages, fixed."""
from __future__ import annotations

import re

import pytest
from scratch import FIXTURE_BIB, check, make_project

from citeproof.bib import parse_bib_text, validate_references
from citeproof.cli import main

BIB = """@article{alpha2020,
  author = {Alpha, Ann},
  title = {A study of walking},
  journal = {J Walk},
  year = {2020},
  volumne = {34},
  doi = {10.1000/alpha},
  pmid = {PMID: 3312345},
}
"""


def test_a_misspelt_field_gets_did_you_mean_and_fails_the_strict_build(scratch):
    """``volumne`` drops the volume from the page: an error in the check and the strict
    build, with "did you mean"."""
    problems = validate_references(parse_bib_text(BIB, "references.bib").references)
    unknown = [p for p in problems if p.code == "unknown-field"]
    assert len(unknown) == 1 and unknown[0].line == 6 and unknown[0].severity == "error"
    assert "did you mean 'volume'?" in unknown[0].message
    scratch.write(page="# T\n\n[@alpha2020]\n", bib=BIB)
    proc = scratch.citeproof("check", "--offline")
    assert "references.bib:6: error [unknown-field]" in proc.stdout and "'volume'" in proc.stdout
    assert proc.returncode == 1
    build = scratch.build("--strict")
    assert "did you mean 'volume'?" in build.stderr and build.returncode != 0


@pytest.mark.parametrize("name, severity", [("yaer", "error"), ("jounral", "error"), ("titel", "error"),
                                            ("mrnumber", "warning"), ("bibsource", "warning"),
                                            ("keyword", "warning"), ("author+an", None)])
def test_only_a_misspelling_of_a_shown_field_is_an_error(name, severity):
    """A tool's own field (MathSciNet's ``mrnumber``, DBLP's ``bibsource``), or one the
    reference never shows, stays a warning; biblatex's annotations are known."""
    bib = BIB.replace("volumne", name)
    found = [p.severity for p in validate_references(parse_bib_text(bib, "b.bib").references)
             if p.code == "unknown-field"]
    assert found == ([severity] if severity else [])


def test_a_field_of_another_type_says_which():
    bib = BIB.replace("volumne", "school")
    (problem,) = [p for p in validate_references(parse_bib_text(bib, "b.bib").references)
                  if p.code == "unknown-field"]
    assert "it is a field of @mastersthesis, @phdthesis" in problem.message


@pytest.mark.parametrize("written", ["PMID: 3312345", "pmid:3312345", "PMID:  3312345"])
def test_a_pmid_prefix_is_normalised_like_doi(written):
    result = parse_bib_text(BIB.replace("PMID: 3312345", written), "b.bib")
    assert result.references["alpha2020"].pmid == "3312345"
    (warning,) = [p for p in result.problems if p.code == "invalid-pmid"]
    assert warning.severity == "warning" and "write just 3312345" in warning.message
    assert not [p for p in validate_references(result.references) if p.code == "invalid-pmid"]


def test_line_numbers_in_messages_are_the_files_with_front_matter(scratch):
    scratch.write(page="---\ntitle: T\ndescription: d\n---\n\n# T\n\nOne [@alpha2020 and [link](x).\n", bib=BIB)
    proc = scratch.citeproof("check", "--offline")
    (line,) = [ln for ln in proc.stdout.splitlines() if "[malformed-citation]" in ln]
    assert line.strip().startswith("docs/index.md:8:") and "before the next '[' (line 8)" in line
    build = scratch.build()
    assert "docs/index.md:8" in build.stderr and "(line 8)" in build.stderr


def test_one_mismatch_seen_by_two_registries_is_one_problem_naming_both(tmp_path, emulator):
    bib = FIXTURE_BIB.replace("Facilitating Effects of Fast and Slope Walking", "Facilitating Effects of Slow Walking")
    code, report = check(make_project(tmp_path, bib), emulator)
    titles = [p for p in report["problems"] if p["key"] == "lee2014" and p["field"] == "title"]
    assert code == 1 and len(titles) == 1
    assert "differs from Crossref and PubMed" in titles[0]["message"]


@pytest.mark.slow
def test_json_lists_every_key_of_a_grouped_problem(tmp_path, emulator):
    emulator.set_fault("crossref", "503")
    emulator.set_fault("eutils", "503")
    code, report = check(make_project(tmp_path, FIXTURE_BIB), emulator, "--deadline", "2")
    assert code == 3
    grouped = [p for p in report["problems"] if p["code"] == "registry-unavailable"]
    assert grouped and all("more" not in p["message"] for p in grouped)
    assert any(all(k in p["message"] for k in ("suh2019", "paolucci2019", "barzilay2016")) for p in grouped)


@pytest.mark.parametrize("command", [[], ["check"], ["add"], ["fix"], ["find"]])
def test_exit_codes_are_in_every_help(command):
    from click.testing import CliRunner
    out = CliRunner().invoke(main, [*command, "--help"]).output
    assert "Exit codes:" in out
    for code in "0123":
        assert re.search(rf"^  {code}  \w", out, re.M), out


def test_the_check_reads_citations_by_identifier_and_keys_without_at(scratch):
    """The check resolves ``[@doi:…]`` as the site does (no unused-entry for that entry,
    an unknown identifier names ``citeproof add``), and asks about ``[key]`` without @."""
    import json
    bib = BIB + "@misc{beta2021, title = {Beta}, doi = {10.1000/beta}}\n"
    scratch.write(page="# T\n\nOne [@doi:10.1000/ALPHA].\n\nTwo [beta2021].\n\nThree [@pmid:999].\n", bib=bib)
    proc = scratch.citeproof("check", "--offline", "--format", "json")
    problems = json.loads(proc.stdout)["problems"]
    assert {(p["code"], p["line"]) for p in problems if p["file"].endswith("index.md")} == {
        ("malformed-citation", 5), ("unknown-key", 7)}
    assert [p["key"] for p in problems if p["code"] == "unused-entry"] == ["beta2021"]
    assert "citeproof add 999" in proc.stdout and "did you mean [@beta2021]?" in proc.stdout
