"""Forged lock entries: a lock entry added or changed by hand is asked again.

A hand-written lock entry claims that a registry answered. By default an entry is trusted
only when the default branch's committed lock has it, or this user's own run wrote it
(``trust.py``); with ``--trusted-lock BASE`` (CI on a pull request), only when it is
identical to BASE's. Any other entry is asked again online (so a forged entry for a DOI no
registry knows ends in "not found"), and is reported as not verified offline.
"""
from __future__ import annotations

import json
import shutil

import pytest

from emulator import UNKNOWN_DOI
from scratch import Scratch

BIB = """@article{suh2019,
  author = {Suh, Jee Hyun and Kim, Hyunjin and Jung, Gyeong Pyo and Ko, Ja Young and Ryu, Jae-Soon},
  title = {The effect of lumbar stabilization and walking exercises on chronic low back pain: A randomized controlled trial},
  journal = {Medicine (Baltimore)}, year = {2019}, volume = {98}, number = {26}, pages = {e16173},
  doi = {10.1097/MD.0000000000016173}, pmid = {31261549}
}
"""
FORGED = f"""@article{{forged2020,
  author = {{Fabricated, A.}},
  title = {{Walking cures every back}},
  journal = {{J Made Up}}, year = {{2020}}, volume = {{1}}, number = {{1}}, pages = {{1--2}},
  doi = {{{UNKNOWN_DOI}}}
}}
"""


def _check(project: Scratch, emulator, *args: str) -> tuple[int, dict]:
    proc = project.citeproof("check", "--format", "json", "--lock", "lock.json", *args,
                             env=emulator.env())
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _forge(lock_path, template_key: str) -> None:
    """Add a hand-written entry for forged2020: a copy of a real one, retitled to match the bib."""
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    entry = json.loads(json.dumps(lock["references"][template_key]))
    entry.update(doi=UNKNOWN_DOI, pmid=None)
    entry["records"] = [r for r in entry["records"] if r["source"] == "crossref"]
    entry["records"][0].update(identifier=UNKNOWN_DOI, title="Walking cures every back",
                               journal="J Made Up", year="2020", volume="1", issue="1", pages="1-2",
                               authors=[{"family": "Fabricated", "given": "A."}])
    lock["references"]["forged2020"] = entry
    lock_path.write_text(json.dumps(lock, indent=2), encoding="utf-8")


def test_a_forged_entry_is_asked_again_and_an_untouched_one_is_not(tmp_path, emulator):
    project = Scratch(tmp_path).write(page="# A\n\nSee [@suh2019].\n", bib=BIB)
    assert _check(project, emulator)[0] == 0  # the base branch: a real answer, locked
    shutil.copy(project.root / "lock.json", project.root / "base.json")
    # the pull request: a new reference with its own hand-written lock entry
    project.write(page="# A\n\nSee [@suh2019] and [@forged2020].\n", bib=BIB + FORGED)
    _forge(project.root / "lock.json", "suh2019")

    for flags in ((), ("--trusted-lock", "base.json")):  # by default (your own run wrote suh2019), and in CI
        emulator.reset()
        code, report = _check(project, emulator, *flags)
        statuses = {r["key"]: r["status"] for r in report["references"]}
        assert code == 1 and statuses == {"suh2019": "verified", "forged2020": "not-found"}, flags
        assert emulator.count("crossref") >= 1 and emulator.count("doi", UNKNOWN_DOI) == 1
        asked = " ".join(f"{r.path} {r.query}" for r in emulator.requests)
        assert "31261549" not in asked and "MD.0000000000016173" not in asked  # suh2019: trusted
        assert any(p["code"] == "doi-not-found" and p["key"] == "forged2020" for p in report["problems"])


@pytest.mark.slow
def test_by_default_an_entry_is_trusted_from_the_default_branch_or_your_own_runs(tmp_path, emulator):
    """A fresh clone trusts the entries committed on the default branch; an entry changed
    in the working copy is not trusted offline, until your own run writes it again."""
    import subprocess

    origin = Scratch(tmp_path / "origin").write(page="# A\n\nSee [@suh2019].\n", bib=BIB)
    assert _check(origin, emulator)[0] == 0
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=T"]
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *cmd], cwd=origin.root, check=True)
    subprocess.run(["git", "clone", "-q", str(origin.root), str(tmp_path / "clone")], check=True)
    clone = Scratch(tmp_path / "clone")
    code, report = _check(clone, emulator, "--offline")  # committed on origin/HEAD: trusted
    assert code == 0 and report["references"][0]["status"] == "verified"
    lock = json.loads((clone.root / "lock.json").read_text(encoding="utf-8"))
    lock["references"]["suh2019"]["retrieved"] = "2099-01-01T00:00:00Z"  # changed by hand
    (clone.root / "lock.json").write_text(json.dumps(lock), encoding="utf-8")
    code, report = _check(clone, emulator, "--offline")
    assert report["references"][0]["status"] == "not-checked"
    (problem,) = [p for p in report["problems"] if p["code"] == "not-verified"]
    assert "default branch's lock (origin/HEAD) nor written by your own runs" in problem["message"]
    emulator.reset()
    assert _check(clone, emulator, "--max-age", "0")[0] == 0 and emulator.requests  # asked again, rewritten
    code, report = _check(clone, emulator, "--offline")  # written by your own run: trusted
    assert code == 0 and report["references"][0]["status"] == "verified"


def test_a_changed_entry_is_not_trusted_offline(tmp_path, emulator):
    project = Scratch(tmp_path).write(page="# A\n\nSee [@suh2019].\n", bib=BIB)
    assert _check(project, emulator)[0] == 0
    shutil.copy(project.root / "lock.json", project.root / "base.json")
    assert _check(project, emulator, "--offline", "--trusted-lock", "base.json")[0] == 0
    lock = json.loads((project.root / "lock.json").read_text(encoding="utf-8"))
    lock["references"]["suh2019"]["retrieved"] = "2099-01-01T00:00:00Z"  # any change at all
    (project.root / "lock.json").write_text(json.dumps(lock), encoding="utf-8")
    code, report = _check(project, emulator, "--offline", "--trusted-lock", "base.json")
    (result,) = report["references"]
    assert result["status"] == "not-checked"
    (problem,) = [p for p in report["problems"] if p["code"] == "not-verified"]
    assert "not the one in the trusted lock base.json" in problem["message"]
    code, report = _check(project, emulator, "--offline", "--trusted-lock", "missing.json")
    assert report["references"][0]["status"] == "not-checked"  # a missing trusted lock trusts nothing
