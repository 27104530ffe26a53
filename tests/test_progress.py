"""Progress on stderr during online work: a live line on a terminal, a line every few seconds
elsewhere, nothing with --quiet; overridden endpoints said once (check: at the top of its
report; add, fix, find: a notice first on stderr)."""
from __future__ import annotations

import io

import pytest

from scratch import FIXTURE_BIB, invoke, make_project

from citeproof.progress import Progress


def test_a_log_gets_a_line_when_something_changed_at_most_every_interval():
    out = io.StringIO()
    progress = Progress(out, interval=3600)
    progress("expect", "Crossref", 2)
    progress("done", "Crossref")
    progress("done", "Crossref")
    progress.close()
    assert out.getvalue().splitlines() == ["citeproof: asking registries: Crossref 0/2",
                                           "citeproof: asking registries: Crossref 2/2"]


def test_a_terminal_gets_one_live_line_with_the_wait():
    out = io.StringIO()
    progress = Progress(out, tty=True)
    progress("expect", "PubMed (NCBI E-utilities)", 1)
    progress("wait", "PubMed (NCBI E-utilities)", 2.0, "HTTP 429; retry 1 of 3")
    assert out.getvalue().endswith("\r\033[Kasking registries: PubMed (NCBI E-utilities) 0/1; "
                                   "PubMed (NCBI E-utilities): waiting 2.0 s (HTTP 429; retry 1 of 3)")
    progress.close()
    assert out.getvalue().endswith("\r\033[K") and "\n" not in out.getvalue()


def test_quiet_writes_no_progress_but_still_the_notice():
    out = io.StringIO()
    with Progress(out, quiet=True) as progress:
        progress("expect", "Crossref", 1)
        progress.notice("endpoints overridden")
    assert out.getvalue() == "citeproof: endpoints overridden\n"


@pytest.mark.slow
def test_check_shows_progress_and_retry_waits_and_says_overridden_once(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    emulator.set_fault("crossref", "429", times=1)
    result = invoke(project, ["check", "--lock", "lock.json"], emulator.env())
    lines = result.stderr.splitlines()
    assert any(line.startswith("citeproof: asking registries: Crossref") for line in lines), lines
    assert "Crossref 1/1" in lines[-1] and "PubMed (NCBI E-utilities) 2/2" in lines[-1]
    # the report says it, at its top: once, not also on stderr
    assert result.stdout.startswith("Registry endpoints are overridden (CITEPROOF_*_URL)")
    assert (result.stdout + result.stderr).lower().count("endpoints are overridden") == 1
    for args in (["--quiet"], ["-q", "--format", "github"]):
        quiet = invoke(project, ["check", *args, "--lock", "lock2.json"], emulator.env())
        assert [ln for ln in quiet.stderr.splitlines() if "asking registries" in ln] == []
        assert (quiet.stdout + quiet.stderr).count("overridden") == 1, (args, quiet.stdout, quiet.stderr)


def test_add_says_overridden_once_first_even_with_quiet(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    for args in ([], ["--quiet"]):
        result = invoke(project, ["add", "--dry-run", *args, "10.5555/citeproof.retraction-notice"], emulator.env())
        lines = result.stderr.splitlines()
        assert lines[0].startswith("citeproof: the registry endpoints are overridden (CITEPROOF_CROSSREF_URL=")
        assert (result.stdout + result.stderr).count("overridden") == 1, result.stderr


def test_progress_never_fails_the_run_on_a_broken_stderr_and_shows_reasons_escaped():
    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")
    progress = Progress(Full(), interval=0)
    progress("expect", "Crossref", 1)
    progress("wait", "Crossref", 1.0, "Retry-After \x1b[2J")
    progress.notice("endpoints \u202e overridden")
    progress.close()
    out = io.StringIO()
    Progress(out, interval=0)("wait", "Crossref", 1.0, "Retry-After \x1b[2J\u202e")
    assert "\\x1b[2J\\u202e" in out.getvalue() and "\x1b" not in out.getvalue()
