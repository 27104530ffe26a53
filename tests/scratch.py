"""The tests' shared helpers, in one module (test modules import from here, never from each
other): scratch projects, the frozen article fixture, runs of the real ``mkdocs`` and
``citeproof`` commands, and golden files.

    project = Scratch(tmp_path).write(page="# T\\n\\nSee [@a].\\n", bib=BIB)
    proc = project.build("--strict")          # mkdocs build, in a subprocess
    proc = project.citeproof("check", "--offline")
    root = copy_article(tmp_path)             # a scratch copy of the frozen article fixture

The engine's tests read the article from ``FIXTURE`` (``tests/fixtures/article/``, a frozen
copy), never from the live ``docs/`` or ``references.bib``: those are the article's, and
``tests/test_article.py`` checks them by invariants only.
"""
from __future__ import annotations

import contextlib
import difflib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urlparse
from typing import Mapping, Optional, Union

import pytest
import yaml
from emulator import CORRECTED_DOI, RETRACTED_DOI
from yaml_env_tag import construct_env_tag

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"
BIN = Path(sys.executable).parent
#: MkDocs 1.6 prints a notice about MkDocs 2.0 on every build unless this is set.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
#: The plugin with the default theme: what a site that only lists the plugin gets.
PLAIN = "site_name: T\nplugins:\n  - citeproof\n"
#: Material with a site URL, as the article site is configured.
MATERIAL = ("site_name: Test\nsite_url: https://example.org/\ntheme:\n  name: material\n"
            "  font: false\nplugins:\n  - citeproof\n")


class _MkDocsLoader(yaml.SafeLoader):
    """SafeLoader with MkDocs's ``!ENV`` tag (``site_url: !ENV SITE_URL``)."""


_MkDocsLoader.add_constructor("!ENV", construct_env_tag)


def read_mkdocs_config(path: Path) -> dict:
    """A ``mkdocs.yml`` as MkDocs reads it (``!ENV`` values from the environment)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_MkDocsLoader) or {}


class Scratch:
    """A project directory: ``docs/``, ``references.bib`` and ``mkdocs.yml``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def bib(self) -> Path:
        return self.root / "references.bib"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, page: Union[str, Mapping[str, str], None] = None, bib: Optional[str] = None,
              mkdocs: Optional[str] = PLAIN, *, plugin_options: str = "") -> "Scratch":
        """Write the files given (``page``: the text of ``docs/index.md``, or a mapping of
        paths under ``docs/`` to texts). ``plugin_options`` is appended to the
        ``- citeproof`` line of ``mkdocs`` (e.g. ``":\\n      bib_file: other.bib"``)."""
        pages = {"index.md": page} if isinstance(page, str) else dict(page or {})
        for name, text in pages.items():
            path = self.docs / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if bib is not None:
            self.bib.write_text(bib, encoding="utf-8")
        if mkdocs is not None:
            if plugin_options:
                mkdocs = mkdocs.replace("  - citeproof\n", "  - citeproof" + plugin_options + "\n", 1)
            (self.root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
        return self

    def html(self, page: str = "index.html") -> str:
        """A built page's HTML."""
        return (self.site / page).read_text(encoding="utf-8")

    def build(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """``mkdocs build ARGS`` in the project, as a user runs it."""
        return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=self.root, env=ENV,
                              capture_output=True, text=True, timeout=timeout)

    def citeproof(self, *args: str, env: Optional[Mapping[str, str]] = None,
                  timeout: float = 60) -> subprocess.CompletedProcess:
        """``citeproof ARGS`` in the project, in a subprocess (stdout, stderr, exit code)."""
        return subprocess.run([sys.executable, "-m", "citeproof.cli", *args], cwd=self.root,
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})


# --------------------------------------------------------------------------- the article fixture

#: A frozen copy of the article (see its README): what the engine's tests read.
FIXTURE = TESTS / "fixtures" / "article"
#: What an article project holds (``overrides/``: mkdocs.yml's theme.custom_dir).
ARTICLE_PARTS = ("docs", "edition", "overrides", "mkdocs.yml", "references.bib", "citations.lock.json")
FIXTURE_BIB = (FIXTURE / "references.bib").read_text(encoding="utf-8")
FIXTURE_PAGE = (FIXTURE / "docs" / "index.md").read_text(encoding="utf-8")
#: The fixture bib's keys, in its order (which is the fixture page's first-citation order).
FIXTURE_KEYS = re.findall(r"^@\w+\{([^,]+),", FIXTURE_BIB, re.M)


def copy_article(dest: Path, source: Path = FIXTURE, parts=ARTICLE_PARTS) -> Path:
    """A scratch copy of an article project (the frozen fixture unless ``source`` is given):
    build and edit the copy, never ``source``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in parts:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
        elif (source / name).exists():
            shutil.copy(source / name, dest / name)
    return dest


def bib_entry(key: str, bib: str = FIXTURE_BIB) -> str:
    """The text of entry ``key`` of ``bib`` (the fixture's by default), up to its closing line."""
    return re.search(rf"@\w+\{{{re.escape(key)},.*?\n\}}\n", bib, re.S).group(0)


def set_field(bib: str, key: str, field: str, value: str) -> str:
    """``bib`` with ``field`` of entry ``key`` set to ``value`` (the field must exist)."""
    entry = re.search(rf"@\w+\{{{re.escape(key)},.*?\n\}}", bib, re.S)
    new, n = re.subn(rf"(\n\s*{field}\s*=\s*)\{{.*?\}},", lambda m: f"{m.group(1)}{{{value}}},", entry.group(0))
    assert n == 1, (key, field)
    return bib[:entry.start()] + new + bib[entry.end():]


#: A page and bib citing the fixture's first work, emulator works (a retraction, a correction)
#: and a record with no identifier: the evidence readers see (tests/test_evidence.py, the browser).
EVIDENCE_BIB = bib_entry("suh2019") + rf"""
@article{{retracted,
  author = {{Tester, A. and Probe, B. C.}},
  title = {{An emulator test work that was retracted}},
  journal = {{J Emul Test Data}}, year = {{2020}}, volume = {{1}}, number = {{2}}, pages = {{10--19}},
  doi = {{{RETRACTED_DOI}}}, pmid = {{90000001}}
}}
@article{{corrected,
  author = {{Probe, B. C.}},
  title = {{An emulator test work that was corrected}},
  journal = {{J Emul Test Data}}, year = {{2020}}, volume = {{1}}, number = {{3}}, pages = {{e0123}},
  doi = {{{CORRECTED_DOI}}}, pmid = {{90000003}}
}}
@misc{{byhand,
  title = {{A record with no identifier}}, year = {{2012}},
  identifier = {{none}}, url = {{https://example.org/record/1}}
}}
"""
EVIDENCE_PAGE = ("---\nauthors: [Ann Author]\ndate: 2026-01-02\n---\n# The Article\n\n"
                 "One [@suh2019]. Two [@retracted]. Three [@corrected]. Four [@byhand]. Again [@retracted; @suh2019].\n")


# --------------------------------------------------------------------------- hostile text

#: What a hostile registry (or bib, or file name) may say: every control character (C0,
#: DEL, C1), every invisible format character (Unicode category Cf: zero-width, bidi, the
#: BOM ...), the line and paragraph separators, lone surrogates (``"\ud800"`` is legal
#: JSON), a fake green verdict, and Markdown and HTML that would call out.
CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))
INVISIBLES = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
SEPARATORS = "\u2028\u2029"
SURROGATES = "\ud800\udbff\udc00\udfff"
FAKE_VERDICT = "\x1b[2K\r\x1b[32mAll references verified\x1b[0m\x07"
MARKDOWN_PAYLOAD = ("![x](https://evil.example/x.png) <img src=https://evil.example/y> **bold** "
                    "[link](https://evil.example) &amp; $x^2$ `code` ~~gone~~ a|b")
HOSTILE_TEXT = FAKE_VERDICT + " " + CONTROLS + INVISIBLES + SEPARATORS + SURROGATES + " " + MARKDOWN_PAYLOAD
#: What may never be printed raw: each of those characters but the line feed and the tab
#: (a diff keeps its tabs), and any surrogate.
UNSEEN = re.compile("[" + re.escape(CONTROLS.replace("\n", "").replace("\t", "") + INVISIBLES + SEPARATORS)
                    + "\ud800-\udfff]")


# --------------------------------------------------------------------------- citeproof check in-process

def make_project(tmp_path: Path, bib: str, keys: list[str] | None = None) -> Path:
    """A scratch project citing ``keys`` (default: every entry of ``bib``), one per paragraph."""
    keys = keys if keys is not None else re.findall(r"^@\w+\{([^,]+),", bib, re.M)
    body = "".join(f"Claim {i} [@{k}].\n\n" for i, k in enumerate(keys, 1))
    return Scratch(tmp_path).write(page="# Article\n\n" + body, bib=bib).root


def invoke(project: Path, args: list[str], env: dict):
    """Run the CLI in-process inside ``project`` (stdout only in ``output``)."""
    from click.testing import CliRunner

    from citeproof.cli import main

    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, args, env=env)
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def check(project: Path, emulator, *args: str, env: dict | None = None):
    """Run `citeproof check --format json` in ``project``; return (exit code, report)."""
    result = invoke(project, ["check", "--format", "json", "--lock", str(project / "lock.json"), *args],
                    {**emulator.env(), **(env or {})})
    return result.exit_code, json.loads(result.stdout)


def statuses(report) -> dict[str, str]:
    return {r["key"]: r["status"] for r in report["references"]}


def codes(report, key=None) -> set[str]:
    return {p["code"] for p in report["problems"] if key is None or p["key"] == key}


# --------------------------------------------------------------------------- golden files

def golden_text(entries) -> str:
    """The plain text of formatted entries, one ``[key] text`` line each."""
    return "".join(f"[{e.key}] {e.text}\n" for e in entries)


def golden_html(entries) -> str:
    """The HTML of formatted entries as one list."""
    return "<ol>\n" + "".join(f'<li id="ref-{e.key}">{e.html}</li>\n' for e in entries) + "</ol>\n"


def assert_golden(name: str, actual: str) -> None:
    """``actual`` equals ``tests/golden/<name>`` (``UPDATE_GOLDEN=1`` rewrites the file)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{name}", "now"))
        pytest.fail(f"tests/golden/{name} differs (if the change is right, rerun with "
                    f"UPDATE_GOLDEN=1):\n{diff}")


# --------------------------------------------------------------------------- a real browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def skip_or_fail(reason: str):
    """Skip with ``reason``; fail instead when ``CI`` is set (CI must have the browser)."""
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        skip_or_fail("browser test needs " + " and ".join(missing))


@contextlib.contextmanager
def launch_browser():
    """Headless Debian chromium, through playwright (call :func:`require_browser` first)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield b
        finally:
            b.close()


def serve_directory(directory: Path):
    """Serve ``directory`` over HTTP on a free local port: yields its URL (a generator, for fixtures)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def open_page(browser, site_url, path: str = "", **context_options):
    """Yield the page at ``site_url + path``, loaded, with ``console_errors`` and
    ``foreign_requests`` (every http(s) request to another host) recorded on it."""
    context = browser.new_context(**{"viewport": {"width": 1200, "height": 900}, **context_options})
    pg = context.new_page()
    pg.console_errors = []
    pg.foreign_requests = []
    host = urlparse(site_url).netloc
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.on("request", lambda r: urlparse(r.url).scheme in ("http", "https")
          and urlparse(r.url).netloc != host and pg.foreign_requests.append(r.url))
    pg.goto(site_url + path, wait_until="networkidle")
    yield pg
    context.close()
