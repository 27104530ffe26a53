"""The GitHub workflows, the pre-commit hooks and what CI shows: linted, documented, rendered.

* every workflow passes actionlint, and every action is pinned to a full commit SHA;
* every command a workflow step runs is written, word for word, in the README's CI section;
* the job summary and the ``--format github`` annotations of a run against the emulator;
* both pre-commit hooks, run through ``pre-commit`` itself on a scratch git repository;
* ``site_url`` from ``SITE_URL``: a canonical link and a sitemap that lists the pages.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scratch import ENV, FIXTURE, FIXTURE_BIB, FIXTURE_KEYS, ROOT, Scratch, copy_article

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_section(title: str) -> str:
    """The README's ``## title`` section, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def run_commands(workflow: dict) -> list[str]:
    """Every command line of every ``run:`` step (comments and blank lines left out)."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            for line in str(step.get("run", "")).splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    lines.append(line.strip())
    return lines


def undocumented(commands: list[str], doc: str) -> list[str]:
    return [c for c in commands if c not in doc]


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True; only jobs and steps matter here
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    exe = BIN / "actionlint"
    assert exe.exists(), "actionlint is missing: `make setup` installs it (the test extra)"
    return subprocess.run([str(exe), "-no-color", *map(str, files)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


# --------------------------------------------------------------------------- workflows

def test_the_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "reverify.yml"}
    assert (ROOT / ".github" / "dependabot.yml").is_file()


def test_actionlint_passes_on_every_workflow_and_fails_on_a_broken_one(tmp_path):
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8")
                      .replace("needs: check", "needs: chek"), encoding="utf-8")
    proc = actionlint(broken)
    assert proc.returncode == 1 and 'needs job "chek" which does not exist' in proc.stdout


def test_every_command_a_step_runs_is_in_the_readme():
    doc = (readme_section("CI") + readme_section("Deploy to GitHub Pages")).replace("\\|", "|")  # (escaped pipes)
    commands = [c for path in WORKFLOWS for c in run_commands(load(path))]
    assert len(commands) >= 8
    assert undocumented(commands, doc) == []
    assert undocumented(["rm -rf docs"], doc) == ["rm -rf docs"]  # the check can fail


def test_actions_are_pinned_to_commit_shas_with_their_version():
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), \
                    f"{path.name}: not pinned to a full SHA with its version: {line.strip()}"


def test_permissions_are_per_job_and_secrets_reach_only_the_check_step():
    for path in WORKFLOWS:
        flow = load(path)
        assert flow["permissions"] == {}, f"{path.name}: no default permissions"
        for name, job in flow["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name} sets no permissions"
            for step in job["steps"]:
                assert "secrets." not in str(step.get("run", "")), "a secret in a command line"
                assert "secrets." not in str(step.get("with", "")), "a secret passed to an action"
    ci = load(ROOT / ".github/workflows/ci.yml")["jobs"]
    assert ci["check"]["permissions"] == {"contents": "read"}
    assert ci["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert ci["deploy"]["needs"] == "pages" and ci["pages"]["needs"] == "check"


def test_the_ci_runs_the_readme_test_command_and_trusts_only_the_base_lock_on_pull_requests():
    commands = run_commands(load(ROOT / ".github/workflows/ci.yml"))
    assert "make test" in commands and "make build" in commands
    assert "make test" in README  # the README's test command
    check = next(c for c in commands if "citeproof check" in c)
    assert "--format github" in check and "--trusted-lock" in check and check.endswith("|| test $? -eq 3")
    assert any(c.startswith("git show HEAD^1:citations.lock.json") for c in commands)
    weekly = run_commands(load(ROOT / ".github/workflows/reverify.yml"))
    assert any("citeproof check" in c and "--max-age 0" in c for c in weekly)


# --------------------------------------------------------------------------- what a run shows

def _page(keys: list[str], slip: str = "") -> tuple[str, int]:
    """An article citing ``keys``, one per paragraph, and optionally a slip on its last line."""
    text = "# Article\n\n" + "".join(f"Claim [@{k}].\n\n" for k in keys)
    if slip:
        text += f"A slip [@{slip}].\n"
    return text, text.count("\n")


def _run(project: Scratch, emulator, *args: str):
    summary = project.root / "summary.md"
    summary.unlink(missing_ok=True)
    proc = project.citeproof("check", "--format", "github", "--lock", "lock.json", *args,
                             env={**emulator.env(), "GITHUB_STEP_SUMMARY": str(summary)})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, summary.read_text(encoding="utf-8")


def test_the_job_summary_and_annotations_of_a_failing_run(tmp_path, emulator):
    bib = FIXTURE_BIB.replace("journal = {Healthcare (Basel)}", "journal = {Healthcare (Basal)}")
    journal_line = bib[:bib.index("Healthcare (Basal)")].count("\n") + 1
    page, slip_line = _page(FIXTURE_KEYS, slip="gordon2061")
    project = Scratch(tmp_path).write(page=page, bib=bib)
    proc, summary = _run(project, emulator)
    assert proc.returncode == 1
    annotations = proc.stdout.splitlines()
    assert (f"::error file=docs/index.md,line={slip_line},title=citeproof unknown-key::unknown "
            "citation key 'gordon2061'; did you mean 'gordon2016'?") in annotations
    assert any(a.startswith(f"::error file=references.bib,line={journal_line},title=citeproof "
                            "metadata-mismatch::gordon2016: journal differs") for a in annotations)
    assert not any("could not verify" in a for a in annotations)
    assert "**13 of 15 references verified**, by Crossref (13), PubMed (12)." in summary
    assert "| verified | could not verify | not checked | errors | warnings |\n|---|---|---|---|---|\n" \
           "| 13 | 0 | 0 | 2 | 1 |" in summary
    assert f"| error | unknown-key | docs/index.md:{slip_line} |" in summary
    assert "| gordon2016 | 10.3390/healthcare4020022 | 27417610 | mismatch | crossref, pubmed |" in summary


def test_exit_3_is_a_warning_annotation_and_a_summary_line_never_a_silent_pass(tmp_path, emulator):
    page, _ = _page(FIXTURE_KEYS)
    project = Scratch(tmp_path).write(page=page, bib=FIXTURE_BIB)
    emulator.set_fault("eutils", "403")
    proc, summary = _run(project, emulator, "--deadline", "5")
    assert proc.returncode == 3, proc.stdout
    warning = ("::warning title=citeproof could not verify::Verification incomplete (exit 3): 13 of "
               "15 references could not be verified because a registry did not answer.")
    assert any(a.startswith(warning) for a in proc.stdout.splitlines()), proc.stdout
    assert "**1 of 15 references verified**, by Crossref (1)." in summary
    assert "| 1 | 13 | 0 | 0 | 2 |" in summary
    assert "> **Warning:** Verification incomplete (exit 3): 13 of 15 references could not be " \
           "verified" in summary


def test_a_clean_run_summary_counts_every_verified_reference(tmp_path, emulator):
    page, _ = _page(FIXTURE_KEYS)
    proc, summary = _run(Scratch(tmp_path).write(page=page, bib=FIXTURE_BIB), emulator)
    assert proc.returncode == 0
    assert "**14 of 15 references verified**, by Crossref (14), PubMed (13)." in summary
    assert "| 14 | 0 | 0 | 0 | 1 |" in summary and "could not verify::" not in proc.stdout


# --------------------------------------------------------------------------- pre-commit

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo,
                   check=True, capture_output=True, timeout=60)


def _scratch_repo(tmp_path: Path, page: str) -> Path:
    """A git repository holding a copy of the article fixture's bib, mkdocs.yml and one page."""
    repo = tmp_path / "repo"
    Scratch(repo).write(page=page, bib=FIXTURE_BIB, mkdocs=None)
    shutil.copy(FIXTURE / "mkdocs.yml", repo / "mkdocs.yml")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "start")
    return repo


def _pre_commit(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**ENV, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    return subprocess.run([str(BIN / "pre-commit"), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_the_repository_hook_checks_changed_markdown_and_skips_other_files(tmp_path):
    repo = _scratch_repo(tmp_path, _page(FIXTURE_KEYS)[0])
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo / ".pre-commit-config.yaml")
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # what `make setup` makes
    (repo / "notes.py").write_text("x = 1\n", encoding="utf-8")
    _git(repo, "add", "notes.py", ".pre-commit-config.yaml")
    proc = _pre_commit(repo, "run", "--files", "notes.py")
    assert proc.returncode == 0 and "(no files to check)Skipped" in proc.stdout, proc.stdout
    page, line = _page(FIXTURE_KEYS, slip="gordon2061")
    (repo / "docs/index.md").write_text(page, encoding="utf-8")
    _git(repo, "add", "docs/index.md")
    proc = _pre_commit(repo, "run", "--files", "docs/index.md")
    assert proc.returncode == 1 and "Failed" in proc.stdout, proc.stdout
    assert f"docs/index.md:{line}: error [unknown-key] unknown citation key 'gordon2061'" in proc.stdout


@pytest.mark.slow
@pytest.mark.wheel
def test_the_published_hook_runs_in_another_repository(tmp_path):
    """``pre-commit try-repo`` builds the hook's own environment from this repository, as a
    user's ``repo:`` entry would (needs PyPI for citeproof's dependencies, about 15 s)."""
    page, line = _page(FIXTURE_KEYS, slip="gordon2061")
    repo = _scratch_repo(tmp_path, page)
    proc = _pre_commit(repo, "try-repo", str(ROOT), "citeproof", "--all-files")
    if proc.returncode not in (0, 1) and not os.environ.get("CI"):
        pytest.skip(f"the hook's environment could not be installed (PyPI out of reach?): "
                    f"{proc.stdout[-500:]}")
    assert proc.returncode == 1 and "citeproof check --offline" in proc.stdout, proc.stdout
    assert f"docs/index.md:{line}: error [unknown-key]" in proc.stdout
    (repo / "docs/index.md").write_text(_page(FIXTURE_KEYS)[0], encoding="utf-8")
    proc = _pre_commit(repo, "try-repo", str(ROOT), "citeproof", "--all-files")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout


# --------------------------------------------------------------------------- Pages

def test_site_url_gives_a_canonical_link_and_a_sitemap_that_lists_the_pages(tmp_path):
    url = "https://example.github.io/walking/"
    root = copy_article(tmp_path / "article")  # the frozen article fixture
    site = tmp_path / "site"
    proc = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(site)], cwd=root,
                          env={**ENV, "SITE_URL": url}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f'<link rel="canonical" href="{url}">' in (site / "index.html").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{url}</loc>" in sitemap and f"<loc>{url}editing/</loc>" in sitemap
