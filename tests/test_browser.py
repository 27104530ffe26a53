"""The built article in a real headless Chromium: click, hover, focus, no stray requests,
accessible previews, links and layout, search, cite actions, and axe-core's rules. The
engine is tested on the frozen article (tests/fixtures/article); what the live site's own
theme gives readers (one title, the title's spacing, the editorial note's place, print) is
tested on the live article by invariants only, naming none of its sentences.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and axe-core in ``node_modules/``
(``.ci/install-axe``, from the npm registry; the tests inject it from that file, the page
never fetches it). Without them the tests skip with a reason, but only when ``CI`` is
unset: in CI a missing browser or axe-core is a failure.
"""
from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scratch import (EVIDENCE_BIB, EVIDENCE_PAGE, MATERIAL, PLAIN, ROOT, Scratch, copy_article, launch_browser,
                     open_page, require_browser, serve_directory, skip_or_fail)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TITLE = "What the Research Says About Walking & Lower Back Pain Relief"
#: The page's total transfer at load (uncompressed bytes) when issue 9 was filed, measured
#: the same way (385,060; the issue says "about 380 KB"); it may grow by 10% at most. (The
#: editing guide, authors' material, is left out of the reader's search index to stay within.)
BASELINE_TRANSFER = 385_060

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _built(tmp_path_factory, source: Path | None = None):
    """Serve a built copy of an article project (the frozen fixture unless ``source``)."""
    require_browser()
    root = copy_article(tmp_path_factory.mktemp("article"), **({"source": source} if source else {}))
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=root,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    yield from serve_directory(out)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    yield from _built(tmp_path_factory)  # the frozen article fixture


@pytest.fixture(scope="module")
def live_site_url(tmp_path_factory):
    """The live article as readers get it: its docs/, mkdocs.yml, overrides/ and styles."""
    yield from _built(tmp_path_factory, ROOT)


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
    require_browser()
    config = PLAIN.replace("plugins:", "theme:\n  name: mkdocs\n  highlightjs: false\nplugins:\n  - search")
    project = Scratch(tmp_path_factory.mktemp("plain")).write(
        page="# T\n\nOne [@alpha2020]. Two [@beta2021].\n", bib=HOSTILE_BIB, mkdocs=config)
    proc = project.build("--strict")
    assert proc.returncode == 0, proc.stderr
    yield from serve_directory(project.site)


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser, site_url):
    yield from open_page(browser, site_url)


@pytest.fixture
def plain_page(browser, plain_site_url):
    yield from open_page(browser, plain_site_url)


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
    described = page.locator("#" + first.get_attribute("aria-describedby"))
    assert described.inner_text() == tip.inner_text()  # screen readers get the same text
    page.mouse.move(0, 0)
    tip.wait_for(state="hidden", timeout=5000)
    second.focus()  # the keyboard gets the same preview
    tip.wait_for(state="visible", timeout=5000)
    assert "Beta B. Second work" in tip.inner_text()
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden", timeout=5000)
    assert page.console_errors == [] and page.foreign_requests == []


# ------------------------------------------------------------------ readers (issue 9)

def _preview(page):
    return page.locator("#cp-preview")


def _shown(page) -> bool:
    return page.evaluate("() => { const t = document.getElementById('cp-preview');"
                         " return !!t && !t.hidden && t.offsetHeight > 0; }")


def test_escape_closes_an_open_preview(page):
    link = page.locator("a.cp-ref").nth(2)
    link.hover()
    _preview(page).wait_for(state="visible", timeout=5000)
    assert "Lee JS, Kang SJ" in _preview(page).inner_text()
    page.keyboard.press("Escape")
    _preview(page).wait_for(state="hidden", timeout=2000)
    # keyboard focus opens it too, and Escape closes it again
    page.locator("a.cp-ref").nth(3).focus()
    _preview(page).wait_for(state="visible", timeout=5000)
    page.keyboard.press("Escape")
    _preview(page).wait_for(state="hidden", timeout=2000)


def test_pointer_or_focus_moving_away_closes_the_preview(page):
    page.locator("a.cp-ref").nth(0).hover()
    _preview(page).wait_for(state="visible", timeout=5000)
    _preview(page).hover()  # the pointer may move onto the preview: it stays
    page.wait_for_timeout(500)
    assert _shown(page)
    page.mouse.move(5, 880)
    _preview(page).wait_for(state="hidden", timeout=2000)
    page.locator("a.cp-ref").nth(1).focus()
    _preview(page).wait_for(state="visible", timeout=5000)
    page.keyboard.press("Tab")  # focus moves on to the next citation: its own reference
    assert "Lee JS" in _preview(page).inner_text()
    page.locator("h1").click()
    _preview(page).wait_for(state="hidden", timeout=2000)


def test_a_back_link_does_not_reopen_a_preview(page):
    page.locator("a.cp-ref").nth(4).click()
    page.wait_for_function("location.hash === '#ref-lamoth2006'")
    page.locator("#ref-lamoth2006 a.cp-backref").first.click()
    page.wait_for_function("location.hash === '#cite-5'")
    page.wait_for_timeout(600)
    assert page.evaluate("document.activeElement.id") == "cite-5"  # focus did return to it
    assert not _shown(page)


def test_the_preview_is_readable_and_leaves_the_cited_line_visible(page):
    link = page.locator("a.cp-ref").nth(6)
    link.hover()
    _preview(page).wait_for(state="visible", timeout=5000)
    style = page.evaluate("""() => {
      const t = document.getElementById('cp-preview'), cs = getComputedStyle(t);
      const p = getComputedStyle(document.querySelector('.md-typeset p'));
      return {size: parseFloat(cs.fontSize), body: parseFloat(p.fontSize), weight: cs.fontWeight,
              lineHeight: parseFloat(p.lineHeight)};
    }""")
    assert style["size"] >= style["body"] * 0.85 and style["weight"] == "400", style
    tip, cited = _preview(page).bounding_box(), link.bounding_box()
    half = max(0, (style["lineHeight"] - cited["height"]) / 2)
    line_top, line_bottom = cited["y"] - half, cited["y"] + cited["height"] + half
    assert tip["y"] >= line_bottom - 0.5 or tip["y"] + tip["height"] <= line_top + 0.5, (tip, cited)
    assert abs(tip["x"] - cited["x"]) < 400  # beside its citation, not across the page


def test_on_touch_a_tap_shows_the_preview_and_a_second_tap_follows(browser, site_url):
    for page in open_page(browser, site_url, viewport={"width": 390, "height": 844}, has_touch=True,
                      is_mobile=True):
        link = page.locator("a.cp-ref").nth(1)
        link.tap()
        _preview(page).wait_for(state="visible", timeout=5000)
        assert "Kim H" in _preview(page).inner_text() and page.evaluate("location.hash") == ""
        link.tap()
        page.wait_for_function("location.hash === '#ref-kim2017'")


def test_links_are_underlined_in_light_and_dark_and_on_the_highlighted_entry(browser, site_url):
    for scheme in ("light", "dark"):
        for page in open_page(browser, site_url, "#ref-gordon2016", color_scheme=scheme):
            lines = page.evaluate("""() => [...document.querySelectorAll(
                '.md-typeset p a, .md-typeset .admonition a, .cp-entry a:not(.cp-backref)')]
                .filter(a => a.offsetParent).map(a => [a.textContent, getComputedStyle(a).textDecorationLine])""")
            assert len(lines) > 60
            assert all("underline" in d for _, d in lines), [t for t, d in lines if "underline" not in d]
            target = page.evaluate("getComputedStyle(document.querySelector('#ref-gordon2016 a.cp-doi'))"
                                   ".textDecorationLine")
            assert "underline" in target


def test_identifiers_never_break_and_dois_only_after_slash_or_dot(browser, site_url):
    check = """() => {
      const bad = [];
      for (const el of document.querySelectorAll('.cp-id > span, .cp-doi > span'))
        if (el.getClientRects().length !== 1) bad.push(el.textContent);
      return {bad, dois: document.querySelectorAll('.cp-doi').length,
              wrapped: [...document.querySelectorAll('.cp-doi')].filter(a => a.getClientRects().length > 1).length};
    }"""
    for media in ("screen", "print"):
        for page in open_page(browser, site_url, viewport={"width": 320, "height": 700}):
            page.emulate_media(media=media)
            result = page.evaluate(check)
            assert result["dois"] == 14 and result["bad"] == [], (media, result)
            assert result["wrapped"] >= 1, result  # narrow enough that some DOI did wrap: at its pieces


def test_back_link_targets_are_at_least_24_px(page):
    sizes = page.eval_on_selector_all("a.cp-backref", "els => els.map(a => [a.offsetWidth, a.offsetHeight])")
    assert len(sizes) >= 15 and all(w >= 24 and h >= 24 for w, h in sizes), sizes


def test_the_header_shows_the_article_title_once_scrolled(page):
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(400)
    topic = page.locator("[data-md-component=header-topic]")
    assert topic.inner_text().strip() == TITLE


def test_the_readers_navigation_holds_the_article_only(page, site_url):
    nav = page.eval_on_selector_all("nav.md-nav a.md-nav__link", "els => els.map(a => a.href)")
    assert not any("editing" in href for href in nav), nav
    page.goto(site_url + "editing/", wait_until="networkidle")  # still built, for authors
    assert "Editing" in page.locator("h1").inner_text()


@pytest.mark.parametrize("query, section", [
    ("Pedometer", "#references"),  # a title in the list ("Pedometer-Based ...")
    ("Paraspinal", "#references"),
    ("Bloxham", "#references"),  # an author
    ("Rehabil", "#references"),  # a journal ("Ann Rehabil Med")
    ("multifidus", ""),  # written "(multifidus)" in the text
])
def test_search_finds_the_reference_list_and_words_beside_punctuation(page, query, section):
    page.locator("input.md-search__input").click()
    page.keyboard.type(query, delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=10000)
    hrefs = page.eval_on_selector_all(".md-search-result__link", "els => els.map(a => a.href)")
    assert any(f"h={query.lower()}{section}" in h for h in hrefs), hrefs
    assert query.lower() in " ".join(results.all_inner_texts()).lower()


def test_the_evidence_line_says_nothing_was_checked_with_the_committed_empty_lock(page, site_url):
    line = page.locator(".cp-evidence")
    assert line.is_visible()
    assert line.inner_text().startswith("15 references · none checked against the registries yet")
    assert page.locator("h1 + .cp-article-header").count() == 1  # right under the title
    assert page.locator(".cp-status-verified").count() == 0
    record = page.request.get(site_url + "verification.json").json()
    assert len(record["references"]) == 15
    assert {r["status"] for r in record["references"].values()} == {"not-checked", "no-identifier"}


def test_cite_actions_copy_and_download_one_reference(browser, site_url):
    for page in open_page(browser, site_url, permissions=["clipboard-read", "clipboard-write"]):
        entry = page.locator("#ref-suh2019")
        entry.locator("button[data-cp-format=copy]").click()
        page.wait_for_function("document.querySelector('#ref-suh2019 [data-cp-format=copy]').textContent === 'Copied'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == entry.locator(".cp-entry-text").inner_text().strip()
        for fmt, name, start in (("bibtex", "suh2019.bib", "@article{suh2019,"), ("ris", "suh2019.ris", "TY  - JOUR"),
                                 ("csl-json", "suh2019.json", '[\n  {\n    "id": "suh2019"')):
            with page.expect_download() as info:
                entry.locator(f"button[data-cp-format={fmt}]").click()
            download = info.value
            assert download.suggested_filename == name
            assert Path(download.path()).read_text(encoding="utf-8").startswith(start)
        assert page.console_errors == [] and page.foreign_requests == []


def test_the_page_loads_within_its_transfer_budget_and_the_downloads_only_on_demand(browser, site_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda r: sizes.__setitem__(r.url, len(r.response().body())))
    page.goto(site_url, wait_until="networkidle")
    total = sum(sizes.values())
    assert total <= BASELINE_TRANSFER * 1.10, (total, sorted(sizes.items(), key=lambda kv: -kv[1])[:5])
    assert not any(u.endswith((".cite.json", ".ris", "references.json", ".bib")) for u in sizes)
    context.close()


def test_link_preview_tags_and_coins_are_in_the_page(page):
    head = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        'meta[property^="og:"], meta[name^="twitter:"]')].map(m => [m.getAttribute('property') || m.name, m.content]))""")
    assert head["og:title"] == TITLE and head["twitter:card"] == "summary"
    assert head["og:description"].startswith("Over the last few decades")
    assert page.locator("span.Z3988").count() == 15
    page.locator("summary", has_text="Cite this article").click()
    assert page.locator(".cp-cite-vancouver").inner_text().startswith("Remy MC. " + TITLE + " [Internet].")


# ------------------------------------------------------------------ readers (issue 18, item 9)

DESKTOP = dict(viewport={"width": 1440, "height": 900})
PHONES = [dict(viewport={"width": w, "height": 800}, is_mobile=True, has_touch=True) for w in (375, 390)]

#: The elements, visible in the viewport, whose own text is ``title`` (header, sidebars, H1…).
_TITLES_SHOWN = """(title) => {
  const shown = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    if (n.textContent.trim() !== title) continue;
    const el = n.parentElement, r = el.getBoundingClientRect();
    const visible = el.checkVisibility({opacityProperty: true, visibilityProperty: true,
                                        checkOpacity: true, checkVisibilityCSS: true});
    if (visible && r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth)
      shown.push(el.tagName + ' in ' + (el.closest('header') ? 'header' : el.closest('.md-sidebar') ? 'sidebar'
                                        : el.closest('article') ? 'article' : 'page'));
  }
  return shown;
}"""


@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_the_title_is_shown_once_and_no_navigation_repeats_it(browser, live_site_url, view):
    for page in open_page(browser, live_site_url, **(DESKTOP if view == "desktop" else PHONES[1])):
        shown = page.evaluate(_TITLES_SHOWN, TITLE)
        assert shown == ["H1 in article"], shown  # the H1, and nothing else
        # a site of one page has no navigation (sidebar or drawer) to repeat it in
        assert page.locator("nav.md-nav--primary").count() == 0
        assert not page.locator(".md-header label[for=__drawer]").is_visible()
        page.mouse.wheel(0, 3000)  # the H1 scrolled away, the header names the article instead
        page.wait_for_function("document.querySelector('.md-header__title--active')")
        page.wait_for_timeout(400)
        shown = page.evaluate(_TITLES_SHOWN, TITLE)
        assert shown == ["SPAN in header"], shown
        assert page.console_errors == []


@pytest.mark.parametrize("view", ["desktop", "375", "390"])
def test_no_blank_gap_under_the_title(browser, live_site_url, view):
    options = DESKTOP if view == "desktop" else PHONES[0 if view == "375" else 1]
    for page in open_page(browser, live_site_url, **options):
        gap = page.evaluate("""() => {
          const h = document.querySelector('article h1'), text = document.createRange();
          text.selectNodeContents(h.firstChild);  // the title's words (not its permalink)
          const words = Math.max(...[...text.getClientRects()].map(r => r.bottom));
          return {size: parseFloat(getComputedStyle(h).fontSize), words, box: h.getBoundingClientRect().bottom,
                  next: h.nextElementSibling.getBoundingClientRect().top};
        }""")
        assert gap["box"] - gap["words"] < gap["size"] / 2, gap  # no blank line inside the title's box
        assert 0 <= gap["next"] - gap["words"] <= gap["size"], gap  # the byline right under it


def test_cite_this_article_is_dated_today_by_the_page_and_has_no_placeholder_without_script(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    page.clock.set_fixed_time(datetime.datetime(2026, 12, 7, 12, 0))
    page.goto(site_url, wait_until="networkidle")
    page.locator("summary", has_text="Cite this article").click()
    text = page.locator(".cp-cite-vancouver").inner_text()
    assert text.startswith("Remy MC. " + TITLE + " [Internet].") and "[cited 2026 Dec 7]." in text, text
    context.close()
    context = browser.new_context(java_script_enabled=False)  # no script: no "[cited …]" at all
    page = context.new_page()
    page.goto(site_url, wait_until="networkidle")
    page.locator("summary", has_text="Cite this article").click()
    text = page.locator(".cp-cite-vancouver").inner_text()
    assert text == "Remy MC. " + TITLE + " [Internet]. 2026.", text
    context.close()


def test_the_editorial_note_comes_after_the_references(browser, live_site_url):
    for page in open_page(browser, live_site_url):
        where = page.evaluate("""() => {
          const note = [...document.querySelectorAll('article .admonition')]
            .find(a => (a.querySelector('.admonition-title') || {}).textContent === 'Editorial note');
          const list = document.querySelector('article .cp-bibliography');
          return note && list && {after: !!(list.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING),
                                  gap: note.getBoundingClientRect().top - list.getBoundingClientRect().bottom};
        }""")
        assert where and where["after"] and where["gap"] >= 0, where


def test_the_next_citation_reached_by_tab_after_a_back_link_shows_its_preview(page):
    for n in (4, 7, 11):  # three tries, as the reader made
        cite = page.locator("a.cp-ref").nth(n)
        cite_id, entry = cite.get_attribute("id"), cite.get_attribute("href")
        back = page.locator(f"{entry} a.cp-backref[href='#{cite_id}']")
        back.focus()
        page.keyboard.press("Enter")  # the back-link, by keyboard
        page.wait_for_function(f"location.hash === '#{cite_id}'")
        assert page.evaluate("document.activeElement.id") == cite_id and not _shown(page)
        page.keyboard.press("Tab")  # on to the next citation: its preview, at once
        _preview(page).wait_for(state="visible", timeout=2000)
        focused = page.evaluate("""() => { const a = document.activeElement;
          return {ref: a.matches('a.cp-ref'), text: document.getElementById(a.getAttribute('aria-describedby'))
            .textContent.replace(/\\s+/g, ' ').trim()}; }""")
        assert focused["ref"] and _preview(page).inner_text() == focused["text"], focused
        page.keyboard.press("Escape")
    assert page.console_errors == []


def _link_pages(pdf: bytes) -> dict[str, int]:
    """Each http(s) link's first page (0-based) in a PDF that Chromium printed: its pages
    (the page tree's /Kids, in order), their link annotations and each annotation's /URI."""
    starts = {int(m.group(1)): m.end() for m in re.finditer(rb"(?m)^(\d+) 0 obj\b", pdf)}

    def body(number: int) -> bytes:
        return pdf[starts[number]:pdf.find(b"endobj", starts[number])]

    kids = re.search(rb"/Type /Pages\b.*?/Kids \[([^\]]*)\]", pdf, re.S)
    assert kids, "no page tree in the PDF"
    found: dict[str, int] = {}
    for index, number in enumerate(int(k) for k in re.findall(rb"(\d+) 0 R", kids.group(1))):
        annots = re.search(rb"/Annots \[([^\]]*)\]", body(number))
        for ref in re.findall(rb"(\d+) 0 R", annots.group(1) if annots else b""):
            uri = re.search(rb"/URI \(([^)]*)\)", body(int(ref)))
            if uri:
                found.setdefault(uri.group(1).decode("latin-1"), index)
    return found


def test_in_print_the_references_heading_stays_with_its_first_entry(browser, live_site_url):
    """Printed on A4 with the heading pushed (by a spacer before it) to where the first
    entry just no longer fits on the page: the heading goes over with it."""
    heading_uri = "https://heading.invalid/"
    for page in open_page(browser, live_site_url):
        page.emulate_media(media="print")
        first = page.evaluate("""(uri) => {
          const list = document.querySelector('.cp-bibliography'), h = list.previousElementSibling;
          const a = document.createElement('a');  // a link on the heading's words: the PDF tells its page
          a.href = uri;
          a.append(...[...h.childNodes].filter(n => n.nodeType === Node.TEXT_NODE));
          h.prepend(a);
          const spacer = document.createElement('div');
          spacer.id = 'cp-test-spacer';
          h.before(spacer);
          return list.querySelector('.cp-entry a[href^="http"]').href;
        }""", heading_uri)

        def pages(spacer: int, page=page, heading_uri=heading_uri, first=first) -> tuple[int, int]:
            page.evaluate("(px) => { document.getElementById('cp-test-spacer').style.height = px + 'px'; }", spacer)
            found = _link_pages(page.pdf(format="A4"))
            return found[heading_uri], found[first]

        start = pages(0)[1]
        low, high = 0, 1200  # A4 is 1123 px high: the first entry moves on within that
        assert pages(high)[1] > start
        while high - low > 2:  # the least spacer that moves the first entry to the next page
            mid = (low + high) // 2
            low, high = (low, mid) if pages(mid)[1] > start else (mid, high)
        for spacer in (high, high + 8, high + 24):
            heading, entry = pages(spacer)
            assert heading == entry, (spacer, heading, entry)


def _axe(page, within: str = "") -> list[dict]:
    """axe-core's serious and critical violations on the page (or in ``within``, a selector)."""
    if not AXE.exists():
        skip_or_fail("axe-core is not installed: run .ci/install-axe (npm install into node_modules/)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (within) => (await axe.run(within ? {include: [within]} : document,
                                                            {resultTypes: ['violations']}))
        .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""", within)


@pytest.mark.parametrize("which", ["fixture", "live"])
@pytest.mark.parametrize("view", ["light", "dark", "mobile"])
def test_axe_finds_no_serious_or_critical_violation(browser, request, view, which):
    site_url = request.getfixturevalue("site_url" if which == "fixture" else "live_site_url")
    options = {"light": dict(color_scheme="light"), "dark": dict(color_scheme="dark"),
               "mobile": dict(color_scheme="light", viewport={"width": 375, "height": 800},
                              is_mobile=True, has_touch=True)}[view]
    for page in open_page(browser, site_url, **options):
        assert _axe(page) == []
    # the highlighted entry and an open preview too
    for page in open_page(browser, site_url, "#ref-gordon2016", **options):
        page.locator("a.cp-ref").first.focus()
        _preview(page).wait_for(state="visible", timeout=5000)
        assert _axe(page) == []


@pytest.fixture(scope="module")
def retracted_site_url(tmp_path_factory, _emulator_session):
    """A Material site whose lock holds emulator answers, one of them a retraction."""
    require_browser()
    project = Scratch(tmp_path_factory.mktemp("retracted")).write(
        page=EVIDENCE_PAGE, bib=EVIDENCE_BIB, mkdocs=MATERIAL, plugin_options=":\n      lock_file: other.lock.json")
    _emulator_session.reset()
    proc = project.citeproof("check", "--lock", "other.lock.json", env=_emulator_session.env())
    assert proc.returncode == 1, proc.stderr
    assert project.build().returncode == 0
    yield from serve_directory(project.site)


def test_a_retraction_shows_on_its_entry_and_at_every_citation(browser, retracted_site_url):
    for page in open_page(browser, retracted_site_url):
        notices = page.locator("article .cp-notice-retraction.cp-notice-short")
        assert notices.count() == 2 and all(n.is_visible() for n in notices.all())
        assert notices.first.locator("a").get_attribute("href") == "https://doi.org/10.5555/citeproof.retraction-notice"
        entry = page.locator("#ref-retracted .cp-notice-retraction")
        assert entry.is_visible() and entry.inner_text().startswith("Retracted: notice doi:10.5555/")
        assert "not the real registries" in page.locator(".cp-evidence").inner_text()
        # our markup (this scratch site has Material's footer without the article's fixes)
        assert _axe(page, "article") == []
