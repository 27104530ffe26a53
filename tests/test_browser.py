"""The built article in a real headless Chromium: click, hover, focus, no stray requests.

Needs Debian's ``chromium`` (``.ci/run`` installs it). Without it the tests skip with a
reason, but only when ``CI`` is unset: in CI a missing browser is a failure.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from scratch import PLAIN, Scratch

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _require_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    _require_browser()
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=ROOT,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    yield from _serve(out)


#: A bib title that would be live markup if the preview parsed its text as HTML.
HOSTILE_BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann}, title = {Walking <img src=x onerror="window.pwned=1"> helps},
  journal = {J Walk}, year = {2020}, doi = {10.1000/alpha}
}
@article{beta2021,
  author = {Beta, Bob}, title = {Second work}, journal = {J Walk}, year = {2021}, doi = {10.1000/beta}
}
"""


@pytest.fixture(scope="module")
def plain_site_url(tmp_path_factory):
    """A site with MkDocs' default theme: no Material tooltips, so citeproof's own previews
    (the theme's highlight.js, fetched from a CDN, is off; its modals need the search plugin)."""
    _require_browser()
    config = PLAIN.replace("plugins:", "theme:\n  name: mkdocs\n  highlightjs: false\nplugins:\n  - search")
    project = Scratch(tmp_path_factory.mktemp("plain")).write(
        page="# T\n\nOne [@alpha2020]. Two [@beta2021].\n", bib=HOSTILE_BIB, mkdocs=config)
    proc = project.build("--strict")
    assert proc.returncode == 0, proc.stderr
    yield from _serve(project.site)


def _serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site_url):
    yield from _open(browser, site_url)


@pytest.fixture
def plain_page(browser, plain_site_url):
    yield from _open(browser, plain_site_url)


def _open(browser, site_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.console_errors = []
    pg.foreign_requests = []
    host = urlparse(site_url).netloc
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.on("request", lambda r: urlparse(r.url).scheme in ("http", "https")
          and urlparse(r.url).netloc != host and pg.foreign_requests.append(r.url))
    pg.goto(site_url, wait_until="networkidle")
    yield pg
    context.close()


def test_click_a_citation_lands_on_its_entry(page):
    link = page.locator("a.cp-ref").nth(9)  # the tenth citation: Gordon and Bloxham
    assert link.inner_text() == "[10]"
    link.click()
    page.wait_for_function("location.hash === '#ref-gordon2016'")
    entry = page.locator("#ref-gordon2016")
    assert "Gordon R, Bloxham S" in entry.inner_text()
    assert entry.is_visible()
    box = entry.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    # and back again from the entry's back-link
    entry.locator("a.cp-backref").first.click()
    page.wait_for_function("location.hash.startsWith('#cite-')")
    assert page.console_errors == []


def test_hover_and_focus_show_the_reference(page):
    link = page.locator("a.cp-ref").first
    link.hover()
    tip = page.get_by_role("tooltip").filter(has_text="Suh JH")
    tip.first.wait_for(state="visible", timeout=5000)
    assert "Medicine (Baltimore)" in tip.first.inner_text()
    page.mouse.move(0, 0)
    # keyboard: focus the second citation, its reference shows too
    page.locator("a.cp-ref").nth(1).focus()
    page.get_by_role("tooltip").filter(has_text="Kim H").first.wait_for(state="visible", timeout=5000)
    assert page.console_errors == []


def test_no_console_error_and_no_request_to_another_host(page):
    page.reload(wait_until="networkidle")
    page.locator("a.cp-ref").nth(4).hover()
    page.wait_for_timeout(300)
    assert page.console_errors == []
    assert page.foreign_requests == []
    # every link that leaves the site is http(s)
    schemes = page.eval_on_selector_all(
        "a[href]", "els => els.map(a => new URL(a.href, location.href).protocol)")
    assert set(schemes) <= {"http:", "https:"}


def test_default_theme_previews_on_hover_and_focus_as_text(plain_page):
    page = plain_page
    first, second = page.locator("a.cp-ref").nth(0), page.locator("a.cp-ref").nth(1)
    first.hover()
    tip = page.get_by_role("tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert "Alpha A. Walking <img src=x" in tip.inner_text()  # the title as text, not markup
    assert tip.locator("img").count() == 0 and page.evaluate("window.pwned") is None
    assert first.get_attribute("aria-describedby") == tip.get_attribute("id")
    page.mouse.move(0, 0)
    tip.wait_for(state="hidden", timeout=5000)
    second.focus()  # the keyboard gets the same preview
    tip.wait_for(state="visible", timeout=5000)
    assert "Beta B. Second work" in tip.inner_text()
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden", timeout=5000)
    assert page.console_errors == [] and page.foreign_requests == []
