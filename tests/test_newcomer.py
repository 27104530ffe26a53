"""What a newcomer to the repository meets: `make` alone lists the targets (`make help`),
setup says how to run the citeproof command (it is in .venv, not on PATH), and the check
targets pass ARGS on to it."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from scratch import ROOT

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

