"""Every output escaped, and no traceback, whatever a registry says or a stream does (issue 19).

A hostile registry (the emulator with a mangler) puts into every title and first author's
family name each control character (C0, DEL, C1), each invisible format character
(Unicode category Cf: zero-width, bidi, the BOM ...), the line and paragraph separators,
lone surrogates (``"\\ud800"``: legal JSON, no text), a fake green "All references
verified" line, and Markdown and HTML that would call out (an image, a tag, bold).

Every command (``check`` in each format, ``add --dry-run``, ``add``, ``fix``, ``find``)
runs as a user runs it (a subprocess) with stdout as a pipe, closed, on ``/dev/full``, a
closed pipe (SIGPIPE), with stdin closed, an ASCII-only stdout and the C locale. Each
run: the documented exit code (2, with one message, when stdout cannot be written), no
traceback, and not one control or invisible character in what it printed.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from emulator.server import decoded, json_reply
from scratch import HOSTILE_TEXT, UNSEEN, Scratch, bib_entry

from citeproof.lock import Lock

TITLE = HOSTILE_TEXT
FAMILY = "Fam\x1b[31m\u202e\ud800"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w+Error: |Exception ignored", re.M)


# --------------------------------------------------------------------------- a hostile registry

def _hostile(reply, query, path):
    """Crossref: the title and first author of every work are hostile, and so is the DOI
    of every work a search offers (a DOI asked about must come back as asked)."""
    if reply.status != 200 or not path.startswith("/works"):
        return reply
    data = decoded(reply)
    message = data["message"]
    for item in message.get("items", [message] if "DOI" in message else []):
        item["title"] = [TITLE]
        if item.get("author"):
            item["author"][0]["family"] = FAMILY
        if "query.bibliographic" in query:
            item["DOI"] += "\x1b[2J\u202e\ud800"
    return json_reply(data)  # (json.dumps writes each surrogate as a \ud800 escape)


def _hostile_summary(reply, query, path):
    """E-utilities: the title of every esummary document is hostile."""
    if not path.endswith("esummary.fcgi"):
        return reply
    data = decoded(reply)
    for uid in data.get("result", {}).get("uids", []):
        data["result"][uid]["title"] = TITLE
    return json_reply(data)


@pytest.fixture
def hostile(emulator):
    emulator.set_mangler("crossref", _hostile)
    emulator.set_mangler("eutils", _hostile_summary)
    return emulator


def project(tmp_path: Path) -> Path:
    return Scratch(tmp_path).write(page="# A\n\nSee [@suh2019].\n", bib=bib_entry("suh2019")).root


#: name: (arguments, exit code with a writable stdout, what stdout holds)
COMMANDS = {
    "check": (["check", "--lock", "other.lock.json"], 1, "All references verified"),
    "check --format json": (["check", "--format", "json", "--lock", "other.lock.json"], 1, '"problems"'),
    "check --format github": (["check", "--format", "github", "--lock", "other.lock.json"], 1, "::error"),
    "add --dry-run": (["add", "--dry-run", "29201817"], 0, "+@article{"),
    "add": (["add", "29201817"], 0, "2017"),
    "fix": (["fix"], 1, "+  title"),
    # (Crossref's candidates have DOIs with controls in them: left out, so 3, "could not
    # ask"; PubMed's is shown with its registry text made visible)
    "find": (["find", "Suh JH (2019) The effect of lumbar stabilization and walking exercises. Medicine"],
             3, "1. title similarity"),
}

#: name: (shell redirection, environment, whether stdout fails)
STREAMS = {
    "a pipe": ("", {}, False),
    "stdout closed": (">&-", {}, True),
    "stdout on /dev/full": (">/dev/full", {}, True),
    "a closed pipe (SIGPIPE)": (None, {}, True),
    "stdin closed": ("<&-", {}, False),
    "an ASCII-only stdout": ("", {"PYTHONIOENCODING": "ascii"}, False),
    "the C locale": ("", {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": None}, False),
}


def run(root: Path, env: dict, args: list[str], redirect) -> tuple[int, bytes, bytes]:
    """The real command in ``root``: (exit code, stdout, stderr). ``redirect`` is a shell
    redirection, or ``None`` for a stdout whose reader has gone (every write: EPIPE)."""
    command = [sys.executable, "-m", "citeproof.cli", *args]
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", "GITHUB_STEP_SUMMARY": str(root / "summary.md")}
    full.update(env)
    full = {k: v for k, v in full.items() if v is not None}
    if redirect is None:
        read, write = os.pipe()
        os.close(read)
        proc = subprocess.Popen(command, cwd=root, env=full, stdout=write, stderr=subprocess.PIPE)
        os.close(write)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, b"", err
    proc = subprocess.run(["sh", "-c", f"{shlex.join(command)} {redirect}"], cwd=root, env=full,
                          capture_output=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("stream", [s if s == "a pipe" else pytest.param(s, marks=pytest.mark.slow)
                                    for s in STREAMS])  # (the quick run: every command, escaped)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_in_every_stream_escapes_everything_and_never_shows_a_traceback(
        tmp_path, hostile, name, stream):
    args, code, holds = COMMANDS[name]
    redirect, env, fails = STREAMS[stream]
    root = project(tmp_path)
    got, out, err = run(root, {**hostile.env(), **env}, [args[0], "-q", *args[1:]], redirect)
    encoding = "ascii" if env.get("PYTHONIOENCODING") == "ascii" else "utf-8"
    stdout, stderr = out.decode(encoding), err.decode("utf-8")  # (strict: nothing undecodable)
    assert not TRACEBACK.search(stderr), stderr
    assert not UNSEEN.search(stdout), stdout
    assert not UNSEEN.search(stderr) and "\t" not in stderr, stderr
    failures = [line for line in stderr.splitlines() if "to stdout" in line]
    if fails:
        assert got == 2 and stdout == "", stderr
        assert len(failures) == 1 and re.fullmatch(
            r"citeproof: error: cannot write the \w+( \w+)* to stdout \([^)]+\): redirect it to a "
            r"writable file", failures[0]), stderr
        assert stderr.splitlines()[-1] == failures[0]
        if name == "add":  # the bib was changed before stdout failed: the messages say so
            assert "citeproof: added to references.bib: fam31m2017" in stderr, stderr
    else:
        assert got == code, stdout + stderr
        assert not failures and holds in stdout, stdout + stderr


def test_the_check_escapes_the_fake_verdict_and_writes_the_lock_with_u_fffd(tmp_path, hostile):
    """The crash of the lock write (CI's own path) is gone: the lone surrogate is U+FFFD."""
    root = project(tmp_path)
    code, out, err = run(root, hostile.env(), ["check", "-q", "--lock", "other.lock.json"], "")
    report = out.decode("utf-8")
    # the registry's text is read as markup: its controls are dropped (or escaped), never sent
    assert code == 1 and re.search(r"(\\x1b)?\[32mAll references verified(\\x1b)?\[0m", report), report
    assert "\x1b" not in report and "\x07" not in report
    assert re.search(r"Fam(\\x1b)?\[31m\\u202e\ufffd", report)  # (the registry's surrogate: U+FFFD from the start)
    text = (root / "other.lock.json").read_text(encoding="utf-8")
    assert "\ufffd" in text and not re.search("[\ud800-\udfff]", text)
    entry = Lock.load(root / "other.lock.json").get("suh2019")
    assert entry is not None and entry.records[0].title.startswith("\x1b[2K")  # the lock keeps the data


def test_the_job_summary_shows_registry_text_as_text(tmp_path, hostile):
    root = project(tmp_path)
    code, out, err = run(root, hostile.env(), ["check", "-q", "--format", "github", "--lock", "o.json"], "")
    summary = (root / "summary.md").read_text(encoding="utf-8")
    assert code == 1 and not TRACEBACK.search(err.decode())
    assert not UNSEEN.search(summary), summary
    row = next(line for line in summary.splitlines() if "title differs" in line)
    message = re.split(r"(?<!\\)\|", row)[4]
    assert "\\!\\[x\\](https://evil.example/x.png)" in message and "\\<img src" in message
    assert not re.search(r"[`*_\[\]<>&|~$!]", re.sub(r"\\.", "", message)), message
    annotations = out.decode("utf-8")
    assert "::error file=references.bib" in annotations and "[32mAll references verified" in annotations
    assert "\x1b" not in annotations


def test_add_says_when_the_new_entry_holds_a_replaced_character(tmp_path, hostile):
    """A lone surrogate in a registry title is U+FFFD in the entry, and add says so."""
    root = project(tmp_path)
    code, out, err = run(root, hostile.env(), ["add", "-q", "29201817"], "")
    assert code == 0, err
    assert "the new entry holds U+FFFD" in err.decode("utf-8")
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert "\ufffd" in bib and out.decode() == "fam31m2017\n"


@pytest.mark.parametrize("args", [["add", "10.1000/\udcff"], ["find", "Smith J (2020) \udcff"]],
                         ids=["add", "find"])
def test_an_argument_of_bytes_that_are_not_utf8_is_a_usage_error(tmp_path, emulator, args):
    code, out, err = run(project(tmp_path), emulator.env(), args, "")
    stderr = err.decode("utf-8")
    assert code == 2 and "holds bytes that are not UTF-8 text" in stderr and "\\udcff" in stderr, stderr
    assert not TRACEBACK.search(stderr) and emulator.requests == []
