"""A judging registry added as one module plus one table row takes part in everything.

``fake_europepmc`` declares a PMID-record source that judges (its "not-found" is a
verdict), with curated names and NLM publication types. Adding its ``REGISTRY`` to the
table is the only edit: verdicts, ``add``, ``fix``, the prose checks, the lock and the
reports then use it, beside the emulator's Crossref, doi.org and PubMed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import fake_europepmc
from citeproof import registries
from citeproof.cli import main

PMID = "88000001"  # a PMID the emulator's PubMed does not know
WORK = {
    "pmid": PMID, "title": "Graded activity for chronic pain: a test of a judging registry.",
    "authorList": {"author": [{"lastName": "Okafor", "initials": "CN"}, {"lastName": "Lindqvist", "initials": "M"}]},
    "journalInfo": {"journal": {"title": "Journal of Registry Tests", "medlineAbbreviation": "J Regist Tests"},
                    "volume": "12", "issue": "3", "yearOfPublication": 2021},
    "pageInfo": "101-9", "pubTypeList": {"pubType": ["Review", "Journal Article"]},
}
SENTENCE = "In a randomized trial, Okafor and Lindqvist found that graded activity helps [@okafor2021]."


@pytest.fixture
def europepmc(monkeypatch):
    monkeypatch.setattr(registries, "REGISTRIES", (*registries.REGISTRIES, fake_europepmc.REGISTRY))  # the row
    with fake_europepmc.Server({PMID: dict(WORK)}) as server:
        yield server


def run(root: Path, env: dict, *args: str):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args), env=env)
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def check(root: Path, env: dict, *args: str) -> tuple[int, dict]:
    result = run(root, env, "check", "--format", "json", "--lock", str(root / "lock.json"), *args)
    return result.exit_code, json.loads(result.stdout)


def test_a_judging_registry_takes_part_in_add_check_claims_fix_lock_and_reports(tmp_path, emulator, europepmc):
    env = {**emulator.env(), "CITEPROOF_EUROPEPMC_URL": europepmc.url}
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# T\n\nNothing cited yet.\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text("% references\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof\n", encoding="utf-8")

    # add: PubMed does not know the PMID, Europe PMC does: the entry is built from its record
    result = run(tmp_path, env, "add", PMID)
    assert result.exit_code == 0, result.output
    bib = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "@article{okafor2021," in bib
    for value in ("{Okafor, C. N. and Lindqvist, M.}", "{J Regist Tests}", "{101--109}", f"{{{PMID}}}"):
        assert value in bib

    # check: its record verifies the PMID; its NLM types feed the prose checks; it is locked and reported
    (tmp_path / "docs" / "index.md").write_text(f"# T\n\n{SENTENCE}\n", encoding="utf-8")
    code, report = check(tmp_path, env)
    assert code == 0, report["problems"]
    assert report["references"] == [{"key": "okafor2021", "doi": None, "pmid": PMID, "status": "verified",
                                      "sources": ["pubmed", "europepmc"]}]
    claim = [p for p in report["problems"] if p["code"] == "design-claim"]
    assert len(claim) == 1 and "Europe PMC publication types say otherwise" in claim[0]["message"]
    assert not [p for p in report["problems"] if p["code"] == "misattributed"]
    assert report["summary"]["endpoints"]["europepmc"] == europepmc.url
    entry = json.loads((tmp_path / "lock.json").read_text(encoding="utf-8"))["references"]["okafor2021"]
    assert [r["source"] for r in entry["records"]] == ["europepmc"]
    code, report = check(tmp_path, env, "--offline")  # the lock replays its answer
    assert code == 0 and report["references"][0]["status"] == "verified"

    # fix: a wrong title is a mismatch named after it, and fix --write restores its value
    bib = (tmp_path / "references.bib").read_text(encoding="utf-8")
    (tmp_path / "references.bib").write_text(bib.replace("Graded activity", "Graded inactivity"), encoding="utf-8")
    code, report = check(tmp_path, env, "--max-age", "0")
    mismatch = [p for p in report["problems"] if p["code"] == "metadata-mismatch"]
    assert code == 1 and len(mismatch) == 1 and "title differs from Europe PMC" in mismatch[0]["message"]
    assert run(tmp_path, env, "fix", "--write").exit_code == 0
    assert (tmp_path / "references.bib").read_text(encoding="utf-8") == bib
    code, report = check(tmp_path, env, "--max-age", "0")
    assert code == 0 and not [p for p in report["problems"] if p["code"] == "metadata-mismatch"]

    # its "not-found" is a verdict, beside PubMed's
    europepmc.works.clear()
    code, report = check(tmp_path, env, "--max-age", "0")
    assert code == 1 and report["references"][0]["status"] == "not-found"
    missing = [p["message"] for p in report["problems"] if p["code"] == "pmid-not-found"]
    assert missing == [f"okafor2021: PMID {PMID} does not exist: PubMed and Europe PMC have no record of it. "
                       "Check the number on pubmed.ncbi.nlm.nih.gov, or remove the pmid field."]


def test_without_the_row_the_module_takes_no_part(tmp_path, emulator):
    env = emulator.env()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(f"# T\n\n{SENTENCE}\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text(
        f"@article{{okafor2021,\n  author = {{Okafor, C. N. and Lindqvist, M.}},\n  title = {{Graded activity}},\n"
        f"  journal = {{J Regist Tests}},\n  year = {{2021}},\n  pmid = {{{PMID}}}\n}}\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof\n", encoding="utf-8")
    code, report = check(tmp_path, env)
    assert code == 1 and report["references"][0]["status"] == "not-found"
    assert run(tmp_path, env, "add", PMID).exit_code == 1
