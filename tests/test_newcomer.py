"""What a newcomer to the repository meets: `make` alone lists the targets (`make help`),
setup says how to run the citeproof command (it is in .venv, not on PATH), the check
targets pass ARGS on to it, and the manual shows how to try the online commands on the
test emulator's data, labelled as not registry answers."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from scratch import FIXTURE, ROOT, copy_article

STAMP = ".venv/.installed-stamp"
#: How to run citeproof, as `make setup` and `make help` say it.
RUN = ".venv/bin/citeproof"

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess:
    """``make -s ARGS`` in the repository, the venv taken as installed (never rebuilt here)."""
    return subprocess.run(["make", "-s", "-o", STAMP, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def documented_targets() -> dict[str, str]:
    """Each target of the Makefile with a ``## comment``, and its comment."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z][a-z-]*):.*?## (.*)$", text, re.M))


@needs_make
def test_make_alone_lists_every_target_with_its_comment():
    proc = make()
    assert proc.returncode == 0, proc.stderr
    assert "up to date" not in proc.stdout + proc.stderr
    assert proc.stdout == make("help").stdout
    targets = documented_targets()
    assert {"help", "setup", "serve", "build", "lint", "test", "check", "check-offline", "cog", "clean"} <= set(targets)
    for name, comment in targets.items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(comment)}$", proc.stdout, re.M), (name, proc.stdout)
    assert RUN in proc.stdout and "make check ARGS=" in proc.stdout
    # every phony target is listed
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M).group(1).split()
    assert set(phony) == set(targets)


@needs_make
def test_setup_ends_by_saying_how_to_run_citeproof():
    proc = make("setup")
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert RUN in last and "not on PATH" in last and "make check ARGS=" in last, proc.stdout


@needs_make
@pytest.mark.parametrize("target, expected", [
    ("check", ".venv/bin/citeproof check --format json --quiet"),
    ("check-offline", ".venv/bin/citeproof check --offline --format json --quiet"),
])
def test_the_check_targets_pass_args_on_to_citeproof(target, expected):
    proc = make("-n", target, "ARGS=--format json --quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == expected
    assert make("-n", target).stdout.strip().splitlines()[-1] == expected.replace(" --format json --quiet", "")


def _manual_section(page: str, heading: str) -> str:
    text = (ROOT / "docs" / "manual" / page).read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.slow
def test_the_manual_shows_how_to_try_the_online_commands_on_test_data(tmp_path):
    section = _manual_section("commands.md", "Trying the online commands on test data")
    assert "python -m tests.emulator" in section and "test data, not registry answers" in section
    usage = subprocess.run([sys.executable, "-m", "tests.emulator", "--help"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 0, usage.stderr
    for option in re.findall(r"`(--[a-z-]+)", section):  # every option the section names exists
        assert option in usage.stdout, option
    # as the section says: the emulator prints the variables to export; a scratch copy of a
    # project is checked against it, and the answers are said not to be the registries'
    emulator = subprocess.Popen([sys.executable, "-m", "tests.emulator"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    try:
        exports = dict(re.match(r"export (\w+)=(\S+)$", emulator.stdout.readline().strip()).groups()
                       for _ in range(4))
        assert set(exports) == {"CITEPROOF_CROSSREF_URL", "CITEPROOF_DOI_URL", "CITEPROOF_EUTILS_URL",
                                "CITEPROOF_IDCONV_URL"}
        project = copy_article(tmp_path / "try", FIXTURE)
        lock = (project / "citations.lock.json").read_bytes()
        env = {**os.environ, **exports}
        check = subprocess.run([sys.executable, "-m", "citeproof.cli", "check"], cwd=project, env=env,
                               capture_output=True, text=True, timeout=120)
        assert check.returncode in (0, 1), check.stderr
        assert check.stdout.startswith("Registry endpoints are overridden (CITEPROOF_*_URL): the answers below "
                                       "come from http://127.0.0.1:"), check.stdout
        assert "not the real registries" in check.stdout.splitlines()[0]
        assert (project / "citations.lock.json").read_bytes() == lock  # never the default lock
        add = subprocess.run([sys.executable, "-m", "citeproof.cli", "add", "--dry-run", "10.5555/citeproof.corrected"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert add.returncode == 0 and "doi     = {10.5555/citeproof.corrected}" in add.stdout, add.stderr
        assert add.stderr.startswith("citeproof: the registry endpoints are overridden") and "erratum" in add.stderr
        refused = subprocess.run([sys.executable, "-m", "citeproof.cli", "add", "--dry-run",
                                  "10.5555/citeproof.retracted"], cwd=project, env=env, capture_output=True,
                                 text=True, timeout=120)
        assert refused.returncode == 1 and "RETRACTED" in refused.stderr
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
