"""The `citeproof` command offline: exit codes (checked against the README), formats, messages."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scratch import Scratch

from citeproof import errors
from citeproof.cli import main

ROOT = Path(__file__).resolve().parents[1]

GOOD_BIB = r"""@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {A study of walking},
  journal = {J Walk},
  year = {2020}, volume = {1}, number = {2}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}
"""


def run(args, cwd=None, env=None):
    """Run the real console script in a subprocess: stdout, stderr and exit code as a user sees them."""
    return subprocess.run([sys.executable, "-m", "citeproof.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def project(tmp_path: Path, page: str, bib: str = GOOD_BIB) -> Path:
    return Scratch(tmp_path).write(page=page, bib=bib).root


MANUAL = ROOT / "docs" / "manual"


def readme_exit_codes() -> dict[int, str]:
    """The manual's table of exit codes (docs/manual/commands.md)."""
    text = (MANUAL / "commands.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(m.group(1)): m.group(2).strip() for m in re.finditer(r"^\| `(\d)` \| (.+?) \|$", section, re.M)}


def test_the_manual_documents_exactly_the_exit_codes_the_code_uses():
    codes = readme_exit_codes()
    assert codes.keys() == {errors.EXIT_OK, errors.EXIT_ERRORS, errors.EXIT_USAGE,
                            errors.EXIT_UNAVAILABLE} == {0, 1, 2, 3}
    assert "no error" in codes[0] and "error" in codes[1]
    assert "usage" in codes[2] and "unavailable" in codes[3]


def test_offline_on_this_repo_exits_0_with_the_identifierless_warning():
    proc = run(["check", "--offline"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "stankovic2012" in proc.stdout and "search.pedro.org.au" in proc.stdout
    # no registry answered here: nothing may claim "verified"
    listing = proc.stdout.split("References:")[1].split("\n\n")[0]
    assert "not checked" in listing and re.search(r"\bverified\b", listing) is None


def test_exit_1_on_errors_with_file_and_line(tmp_path):
    site = project(tmp_path, "# T\n\nSee [@alpha2020] and [@nosuch].\n")
    proc = run(["check", "--offline"], cwd=site)
    assert proc.returncode == 1
    assert re.search(r"docs/index\.md:3: error \[unknown-key\]", proc.stdout), proc.stdout


def test_exit_2_on_unreadable_input_with_one_clear_line(tmp_path):
    site = project(tmp_path, "# T\n")
    (site / "references.bib").unlink()
    proc = run(["check", "--offline"], cwd=site)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "references.bib" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_exit_2_on_bad_usage():
    proc = run(["check", "--format", "yaml"])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run(["check", "--timeout", "-1"])
    assert proc.returncode == 2


def test_bad_registry_url_is_usage_error(tmp_path):
    site = project(tmp_path, "# T\n\n[@alpha2020]\n")
    proc = run(["check"], cwd=site, env={"CITEPROOF_CROSSREF_URL": "ftp://example.org"})
    assert proc.returncode == 2 and "CITEPROOF_CROSSREF_URL" in proc.stderr


def test_json_shape(tmp_path):
    site = project(tmp_path, "# T\n\n[@alpha2020] [@nosuch]\n")
    proc = run(["check", "--offline", "--format", "json"], cwd=site)
    doc = json.loads(proc.stdout)
    assert set(doc) == {"summary", "references", "problems"}
    assert doc["references"] == [{"key": "alpha2020", "doi": "10.1000/alpha", "pmid": "12345678",
                                  "status": "not-checked", "sources": []}]
    problem = next(p for p in doc["problems"] if p["code"] == "unknown-key")
    assert set(problem) == {"code", "severity", "key", "file", "line", "field", "expected", "found", "message"}
    assert problem["line"] == 3 and problem["file"].endswith("docs/index.md")
    assert doc["summary"]["exit_code"] == proc.returncode == 1


def test_github_format_and_step_summary(tmp_path):
    site = project(tmp_path, "# T\n\n[@alpha2020] [@nosuch]\n")
    summary = tmp_path / "summary.md"
    proc = run(["check", "--offline", "--format", "github"], cwd=site,
               env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert re.search(r"^::error file=docs/index\.md,line=3,title=citeproof unknown-key::", proc.stdout, re.M)
    text = summary.read_text(encoding="utf-8")
    assert "## citeproof check" in text and "| alpha2020 |" in text


def test_color_only_when_asked_or_on_a_terminal(tmp_path):
    site = project(tmp_path, "# T\n\n[@nosuch]\n")
    assert "\033[" not in run(["check", "--offline"], cwd=site).stdout
    assert "\033[" in run(["check", "--offline", "--color"], cwd=site).stdout


def test_cli_in_process_matches(tmp_path, monkeypatch):
    site = project(tmp_path, "# T\n\n[@alpha2020]\n")
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["check", "--offline"])
    assert result.exit_code == 0, result.output
    assert "alpha2020" in result.output


@pytest.mark.slow
def test_the_manuals_command_help_is_current_and_pasted_once():
    """The manual's pasted --help text and environment table are regenerated by `make cog`;
    CI fails when they are stale. No other page pastes them."""
    cog = Path(sys.executable).with_name("cog")
    if not cog.exists():
        pytest.skip("cogapp is not installed (pip install -e '.[test]')")
    proc = subprocess.run([str(cog), "--check", "docs/manual/commands.md"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert proc.returncode == 0, "the manual's command help is stale: run `make cog`\n" + proc.stdout + proc.stderr
    manual = (MANUAL / "commands.md").read_text(encoding="utf-8")
    for command in ("check", "add", "fix", "find"):
        assert f"$ citeproof {command} --help\nUsage: citeproof {command} " in manual
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        if page != MANUAL / "commands.md":
            assert "Usage: citeproof" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("plugins", [
    "plugins:\n  - citeproof:\n      bib_file: other.bib\n",
    "plugins:\n  citeproof:\n    bib_file: other.bib\n",  # MkDocs' mapping form
])
def test_the_checker_reads_the_same_bib_as_the_site(tmp_path, plugins):
    site = project(tmp_path, "# T\n\n[@alpha2020]\n", bib="")
    (site / "other.bib").write_text(GOOD_BIB, encoding="utf-8")
    (site / "mkdocs.yml").write_text("site_name: T\n" + plugins, encoding="utf-8")
    proc = run(["check", "--offline"], cwd=site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "other.bib" in proc.stdout or "alpha2020" in proc.stdout


def test_a_non_text_bib_file_setting_is_a_usage_error(tmp_path):
    site = project(tmp_path, "# T\n")
    (site / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof:\n      bib_file: 42\n",
                                     encoding="utf-8")
    proc = run(["check", "--offline"], cwd=site)
    assert proc.returncode == 2 and "bib_file must be a path" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("no_color", [False, True])
def test_colour_on_a_terminal_unless_no_color(tmp_path, no_color):
    """On a real terminal (a pty) the text report is coloured, unless NO_COLOR is set."""
    import pty
    site = project(tmp_path, "# T\n\n[@nosuch]\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = "1"
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "citeproof.cli", "check", "--offline"], cwd=site,
                            stdout=child_fd, stderr=subprocess.DEVNULL, env=env)
    os.close(child_fd)
    out = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=30)
    os.close(main_fd)
    assert b"unknown-key" in out
    assert (b"\033[" in out) is (not no_color)


def test_editing_guide_covers_the_editor():
    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    assert "manual/commands.md" in guide  # the command help, pasted once, in the manual
    for topic in ("identifier = {none}", "`pmid`", "`pmcid`", "Exit code 3", "citations.lock.json",
                  "is committed", "edition/changes.yml", "kind: addition", "Which fields each type needs"):
        assert topic in guide, topic


def test_the_console_script_exits_with_the_run_s_objects_frozen_and_main_freezes_nothing(tmp_path, monkeypatch):
    """``run`` (the console script) ends with the run's objects frozen, so Python's last
    collection does not walk them, and exits with the command's code; ``main``, which may
    run inside a process that goes on, leaves the collector as it was."""
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["citeproof"] == "citeproof.cli:run"
    root = project(tmp_path, "# T\n\nSee [@alpha2020].\n")
    code = ("import gc, sys\nfrom citeproof.cli import run\nsys.argv = ['citeproof', 'check', '--offline']\n"
            "try:\n    run()\nexcept SystemExit as exc:\n    print(exc.code, gc.get_freeze_count() > 1000)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "0 True", done.stdout + done.stderr
    import gc
    monkeypatch.chdir(root)
    before = gc.get_freeze_count()
    assert CliRunner().invoke(main, ["check", "--offline"], catch_exceptions=False).exit_code == 0
    assert gc.get_freeze_count() == before


def test_an_offline_summary_claims_no_lock_file_it_did_not_read(tmp_path):
    """The text summary of an offline check says that no registry was asked, and the lock
    line says whether a lock was read; nothing says "from the lock file" when there is none."""
    root = project(tmp_path, "# T\n\nSee [@alpha2020].\n")
    done = run(["check", "--offline"], cwd=root)
    assert "offline: no registry asked" in done.stdout and "from the lock file" not in done.stdout
    assert "Lock: no lock file at " in done.stdout, done.stdout


def test_the_text_summary_counts_each_code_most_first(tmp_path):
    """Under a long list, the summary says what it holds: each code's count, most first."""
    bib = GOOD_BIB + "@article{beta2021, title = {B}, journal = {J}, year = {2021}, colour = {red}}\n" \
        "@article{gamma2022, title = {C}, journal = {J}, year = {2022}}\n"
    root = project(tmp_path, "# T\n\nSee [@alpha2020] and [@nobody].\n", bib=bib)
    done = run(["check", "--offline", "--no-color"], cwd=root)
    summary = done.stdout.strip().splitlines()[-2]
    assert re.search(r"1 error \(1 unknown-key\), 8 warnings \(2 missing-field, 2 missing-identifier, "
                     r"2 unused-entry, 1 not-verified, 1 unknown-field\); offline", summary), done.stdout
