"""The hostile-input corpus (tests/corpus/cases.py): every case gives its documented exit
code and message, never a traceback, and changes no file of the project."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from citeproof.cli import main

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from cases import CASES, CATEGORIES  # noqa: E402

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w+Error: ", re.M)


def _write(root: Path, c: dict) -> None:
    (root / "docs").mkdir()
    for name, text in (("docs/index.md", c["page"]), ("references.bib", c["bib"]),
                       ("mkdocs.yml", c["mkdocs"]), *c["files"].items()):
        if name.endswith("/"):
            (root / name).mkdir()
        elif text is not None:
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (root / name).write_bytes(data)


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project but the site core's cache (``.cache/``), by path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != ".cache"}


def _check(root: Path, c: dict) -> tuple[int, str]:
    """``citeproof check --offline ARGS`` in ``root``: (exit code, stdout + stderr)."""
    if c["subprocess"]:
        command = (f"{shlex.quote(sys.executable)} -m citeproof.cli check --offline "
                   + " ".join(c["args"]))
        proc = subprocess.run(["sh", "-c", command], cwd=root, capture_output=True, text=True,
                              timeout=60, env={**os.environ, **c["env"]})
        return proc.returncode, proc.stdout + proc.stderr
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--offline", *c["args"]], env=c["env"])
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the case fails with it
    return result.exit_code, result.stdout + result.stderr


def _render(root: Path, c: dict, monkeypatch) -> str:
    monkeypatch.chdir(root)
    page = (root / "docs" / "index.md").read_text(encoding="utf-8")
    md = markdown.Markdown(extensions=["citeproof"],
                           extension_configs={"citeproof": {"bib_file": "references.bib"}})
    return md.convert(page)


@pytest.mark.parametrize("c", CASES, ids=[f"{c['cat']}: {c['name']}" for c in CASES])
def test_corpus_case(c, tmp_path, monkeypatch):
    _write(tmp_path, c)
    before = _snapshot(tmp_path)
    if c["html"] is not None or c["not_html"] is not None:
        html = _render(tmp_path, c, monkeypatch)
        if c["html"]:
            assert re.search(c["html"], html, re.S), html[-3000:]
        if c["not_html"]:
            assert not re.search(c["not_html"], html, re.S), html[-3000:]
    else:
        code, output = _check(tmp_path, c)
        assert not TRACEBACK.search(output), output[-3000:]
        assert code == c["exit"], output[-3000:]
        assert re.search(c["out"], output, re.S), output[-3000:]
    assert _snapshot(tmp_path) == before


def test_corpus_covers_every_category_with_60_cases():
    counts = {cat: sum(c["cat"] == cat for c in CASES) for cat in CATEGORIES}
    assert len(CASES) >= 60 and all(counts.values()), counts
    assert len({(c["cat"], c["name"]) for c in CASES}) == len(CASES)
