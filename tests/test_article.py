"""The article's own tests: invariants only.

They check the live article (``docs/``, ``references.bib``, ``edition/``, ``mkdocs.yml``), or
the article project given by ``--article-root`` / ``$CITEPROOF_ARTICLE_ROOT`` (the proof in
``tests/test_article_edits.py`` runs them on edited scratch copies), for what must hold
whatever the article says: the strict build passes, every citation resolves and every entry
is cited, the list is numbered in order of first citation, every change from the original
edition is declared and the editorial note is what ``make cog`` writes, the prose names the
cited authors, and the site fetches nothing from outside.

No test here names a key, a count or a sentence of the article: an editor may change it, on
the record (``edition/changes.yml``, see docs/editing.md), and these still hold. The engine
itself is tested on a frozen copy of the article, ``tests/fixtures/article/``.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from scratch import ROOT, launch_browser, open_page, read_mkdocs_config, require_browser, serve_directory

from citeproof.bib import load_bib
from citeproof.edition import check_edition, load_edition, note_markdown
from citeproof.markdown import parse_citations
from citeproof.render import anchor_for

#: The seed (the printed article) sits in the shared folder beside the repository.
SEED = ROOT.parent / "shared" / "seed" / "article.txt"

FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
GROUP = re.compile(r"\[([^\[\]\n]*@[^\[\]\n]*)\]")  # a bracket holding an @: citation syntax
ENTRY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\}", re.M | re.S)  # key, fields
REF_LINK = re.compile(r"\[([^\[\]\n]+)\]\(#(ref-[^)\s]+)\)")
NOTE_START = '!!! note "Editorial note"'
PROSE_CODES = {"misattributed", "year-in-text"}
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


# ---------------------------------------------------------------- helpers (pure)

def split_page(raw: str) -> tuple[dict, str]:
    """Front matter (as YAML) and body of a Markdown page."""
    m = FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    return yaml.safe_load(m.group(1)) or {}, raw[m.end():]


def admonition(body: str, start: str) -> tuple[str, str]:
    """The indented text of the admonition opened by ``start``, and the body without it."""
    lines = body.splitlines()
    i = lines.index(start)
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
        j += 1
    inner = "\n".join(line[4:] for line in lines[i + 1:j])
    return inner.strip("\n"), "\n".join(lines[:i] + [""] + lines[j:])


def strip_code(text: str) -> str:
    """``text`` with fenced code blocks and inline code spans blanked out."""
    out, fence = [], None
    for line in text.splitlines():
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)
            out.append("")
        elif fence is not None:
            if re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", line):
                fence = None
            out.append("")
        else:
            out.append(line)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", "\n".join(out), flags=re.S)


def citation_syntax_outside_code(text: str) -> list[str]:
    """Every citation group or ``\\bibliography`` line the plugin would act on."""
    bare = strip_code(text)
    found = [m.group(0) for m in GROUP.finditer(bare)]
    found += [line.strip() for line in bare.splitlines() if line.strip() == "\\bibliography"]
    return found


def bib_entries(bib: str) -> dict[str, tuple[str, str]]:
    """Key -> (first author's family name, year) of each entry of a .bib text."""
    out = {}
    for key, fields in ENTRY.findall(bib):
        author = re.search(r"\bauthor\s*=\s*\{\{?([^,{}]+)", fields)
        year = re.search(r"\byear\s*=\s*\{?(\d{4})", fields)
        out[key] = (author.group(1).strip() if author else "", year.group(1) if year else "")
    return out


def bad_ref_links(note: str, bib: str) -> list[str]:
    """Each ``[Label](#ref-…)`` link of the note whose anchor is no bib key's anchor, or
    whose label does not name that entry's first author and year."""
    entries = {anchor_for(key): value for key, value in bib_entries(bib).items()}
    bad = []
    for label, anchor in REF_LINK.findall(note):
        if anchor not in entries:
            bad.append(f"#{anchor}: no entry of references.bib has this id")
        elif not all(part and part in label for part in entries[anchor]):
            bad.append(f"[{label}](#{anchor}): the label should be {' '.join(entries[anchor])}")
    return bad


class _Site(HTMLParser):
    """What a built page loads (every URL a browser would fetch while loading it), its
    citation links (href, text) and its reference list (id, number)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.refs: list[tuple[str, str]] = []
        self.entries: list[tuple[str, str]] = []
        self._ref: dict | None = None
        self._style = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed", "input") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "object" and a.get("data"):
            self.loads.append(a["data"])
        for url in re.split(r",\s*", a.get("srcset", "")):
            if url.strip():
                self.loads.append(url.split()[0])
        if tag == "link" and a.get("href") and not set(a.get("rel", "").split()) & {
                "canonical", "alternate", "prev", "next", "author", "license", "help"}:
            self.loads.append(a["href"])
        self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", a.get("style", ""))
        self._style = tag == "style"
        classes = a.get("class", "").split()
        if tag == "a" and "cp-ref" in classes and a.get("href", "").startswith("#ref-"):
            self._ref = {"href": a["href"][1:], "text": ""}
        if tag == "li" and "cp-entry" in classes:
            self.entries.append((a.get("id", ""), a.get("value", "")))

    def handle_data(self, data):
        if self._ref is not None:
            self._ref["text"] += data
        if self._style:
            self.loads += re.findall(r"(?:@import\s+|url\()\s*['\"]?([^'\")\s;]+)", data)

    def handle_endtag(self, tag):
        if tag == "a" and self._ref is not None:
            self.refs.append((self._ref["href"], self._ref["text"].strip()))
            self._ref = None
        if tag == "style":
            self._style = False


def remote(url: str) -> bool:
    return bool(re.match(r"^\s*(https?:)?//", url))


# ---------------------------------------------------------------- helper self-tests

def test_scanner_finds_citations_only_outside_code():
    text = ("Cite [@a; @b] here.\n`[@inline]` and ``[@x]`` are code.\n"
            "```markdown\n[@fenced]\n\\bibliography\n```\n~~~\n[see @t, p. 3]\n~~~\n\\bibliography\n")
    assert citation_syntax_outside_code(text) == ["[@a; @b]", "\\bibliography"]


def test_ref_link_check_flags_unknown_keys_and_wrong_labels():
    bib = ("@article{doe2020,\n  author = {Doe, J. and Roe, R.},\n  year = {2020},\n}\n"
           "@book{roe:1999,\n  author = {{Roe}, R.},\n  year = 1999,\n}\n")
    assert bib_entries(bib) == {"doe2020": ("Doe", "2020"), "roe:1999": ("Roe", "1999")}
    note = ("- [Doe 2020](#ref-doe2020) (printed no. 3): x.\n- [Roe 1999](#ref-roe:1999): y.\n"
            "- [Moe 2020](#ref-moe2020): z.\n- [Roe 2020](#ref-doe2020): w.\n[PMID 1](https://x.org/#a)")
    assert bad_ref_links(note, bib) == ["#ref-moe2020: no entry of references.bib has this id",
                                        "[Roe 2020](#ref-doe2020): the label should be Doe 2020"]


def test_the_site_parser_finds_what_a_page_loads_its_citations_and_its_list():
    site = _Site()
    site.feed('<link rel="stylesheet" href="https://cdn.example/x.css"><link rel="canonical" href="https://a/">'
              '<script src="//cdn.example/x.js"></script><img src="a.png" srcset="b.png 1x, https://c/d.png 2x">'
              '<style>@import "https://fonts.example/f.css"; p { background: url(local.png) }</style>'
              '<p style="background: url(\'https://i.example/i.png\')">'
              '<a class="cp-cite cp-ref" id="cite-1" href="#ref-a">[1]</a></p>'
              '<ol><li id="ref-a" class="cp-entry" value="1">A</li></ol>')
    assert [u for u in site.loads if remote(u)] == [
        "https://cdn.example/x.css", "//cdn.example/x.js", "https://c/d.png", "https://fonts.example/f.css",
        "https://i.example/i.png"]
    assert site.refs == [("ref-a", "[1]")] and site.entries == [("ref-a", "1")]


# ---------------------------------------------------------------- the article project

class Article:
    """The article project under test: its mkdocs.yml, pages, bib and edition."""

    def __init__(self, root: Path):
        self.root = root
        self.config = read_mkdocs_config(root / "mkdocs.yml")
        plugin = next((p["citeproof"] for p in self.config.get("plugins", [])
                       if isinstance(p, dict) and "citeproof" in p), None) or {}
        self.docs = root / self.config.get("docs_dir", "docs")
        self.bib_path = root / plugin.get("bib_file", "references.bib")
        edition = load_edition(root)
        self.page_path = root / (edition.page if edition else "docs/index.md")

    def pages(self) -> dict[str, str]:
        """Every Markdown page under docs/, by its path there."""
        return {p.relative_to(self.docs).as_posix(): p.read_text(encoding="utf-8-sig")
                for p in sorted(self.docs.rglob("*.md"))}

    def cited(self) -> dict[str, list]:
        """Each page's citation groups, in page order."""
        return {name: list(parse_citations(text, f"docs/{name}").groups) for name, text in self.pages().items()}

    def page(self) -> tuple[dict, str]:
        return split_page(self.page_path.read_text(encoding="utf-8-sig"))


@pytest.fixture(scope="module")
def article(article_root) -> Article:
    if not (article_root / "mkdocs.yml").is_file():
        pytest.fail(f"no article project at {article_root} (no mkdocs.yml)")
    return Article(article_root)


@pytest.fixture(scope="module")
def built(article, tmp_path_factory):
    """``mkdocs build --strict`` of the article, into a temporary directory."""
    site = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=article.root, env=ENV, capture_output=True, text=True, timeout=300)
    return proc, site


@pytest.fixture
def site(built) -> Path:
    proc, site = built
    if proc.returncode != 0 or not (site / "index.html").is_file():
        pytest.fail("the strict build failed (see test_the_strict_build_passes):\n" + proc.stderr[-3000:])
    return site


@pytest.fixture(scope="module")
def offline_report(article):
    """``citeproof check --offline --format json`` in the project: (exit code, report)."""
    proc = subprocess.run([sys.executable, "-m", "citeproof.cli", "check", "--offline", "--format", "json"],
                          cwd=article.root, env=ENV, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr  # 2: unreadable input
    return proc.returncode, json.loads(proc.stdout)


def test_the_strict_build_passes(built):
    proc, _site = built
    assert proc.returncode == 0, "mkdocs build --strict failed:\n" + proc.stderr[-5000:]
    assert "WARNING" not in proc.stderr, proc.stderr


def test_the_offline_check_finds_no_error(offline_report):
    code, report = offline_report
    errors = [f"{p.get('file')}:{p.get('line')}: [{p['code']}] {p['message']}"
              for p in report["problems"] if p["severity"] == "error"]
    assert code == 0 and errors == [], "\n".join(errors)


def test_every_citation_resolves(article):
    keys = set(load_bib(article.bib_path).references)
    unknown = [f"{g.file}:{g.line}: [@{k}]" for groups in article.cited().values() for g in groups
               for k in g.keys if k not in keys]
    assert unknown == [], f"citations of keys {article.bib_path.name} does not have:\n" + "\n".join(unknown)


def test_every_bib_entry_is_cited(article):
    result = load_bib(article.bib_path)
    assert result.references, f"{article.bib_path.name} has no entry"
    cited = {k for groups in article.cited().values() for g in groups for k in g.keys}
    uncited = [f"{article.bib_path.name}:{ref.line}: {key}" for key, ref in result.references.items()
               if key not in cited]
    assert uncited == [], "entries no page cites:\n" + "\n".join(uncited)


def test_the_list_is_numbered_in_order_of_first_citation(article, site):
    checked = 0
    for name, text in article.pages().items():
        doc = parse_citations(text, f"docs/{name}")
        if not doc.markers:  # no \bibliography: no list on this page
            continue
        order: list[str] = []
        for group in doc.groups:
            order += [k for k in group.keys if k not in order]
        stem = name[:-len(".md")]  # MkDocs' directory URLs: docs/a/b.md -> a/b/index.html
        html = site / (stem[:-len("index")] if stem == "index" or stem.endswith("/index") else stem) / "index.html"
        parsed = _Site()
        parsed.feed(html.read_text(encoding="utf-8"))
        assert parsed.entries, f"{name}: the built page has no reference list"
        assert [anchor for anchor, _ in parsed.entries] == [anchor_for(k) for k in order], \
            f"{name}: the list is not in the order of first citation"
        assert [n for _, n in parsed.entries] == [str(i) for i in range(1, len(order) + 1)], \
            f"{name}: the list is not numbered 1, 2, 3, …"
        number = dict(parsed.entries)
        wrong = [(href, text) for href, text in parsed.refs
                 if text.strip("[]").isdigit() and text.strip("[]") != number.get(href)]
        assert wrong == [], f"{name}: citations whose number is not their entry's: {wrong}"
        checked += 1
    assert checked, "no page has a reference list (\\bibliography)"


def test_every_change_from_the_original_edition_is_declared(article):
    assert (article.root / "edition" / "changes.yml").is_file(), "the article keeps no edition/changes.yml"
    problems = check_edition(article.root)
    assert problems == [], "\n".join(f"{p.file}:{p.line}: [{p.code}] {p.message}" for p in problems)


def test_the_editorial_note_is_what_make_cog_writes(article):
    note = note_markdown(load_edition(article.root))
    text = article.page_path.read_text(encoding="utf-8")
    page = article.page_path.relative_to(article.root).as_posix()
    if importlib.util.find_spec("cogapp") is None:
        pytest.skip("cogapp is not installed (pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "cogapp", "--check", page], cwd=article.root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{page}'s generated parts are stale: run `make cog`\n{proc.stdout}{proc.stderr}"
    assert note in text, f"{page} does not hold the note rendered from edition/changes.yml: run `make cog`"


def test_names_in_the_prose_match_the_cited_authors(offline_report):
    _code, report = offline_report
    wrong = [f"{p.get('file')}:{p.get('line')}:{p.get('column')}: [{p['code']}] {p['message']}"
             for p in report["problems"] if p["code"] in PROSE_CODES]
    assert wrong == [], "\n".join(wrong)


def test_the_built_site_fetches_nothing_from_outside(site):
    pages = sorted(site.rglob("*.html"))
    assert pages
    for html in pages:
        parsed = _Site()
        parsed.feed(html.read_text(encoding="utf-8"))
        loads = [u for u in parsed.loads if remote(u)]
        assert loads == [], f"{html.relative_to(site)} loads {loads}"
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", text), css.relative_to(site)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_makes_no_request_to_another_host(site):
    """In a real browser: loading the page and opening a citation's preview ask no other host."""
    require_browser()
    gen = serve_directory(site)
    url = next(gen)
    try:
        with launch_browser() as browser:
            for page in open_page(browser, url):
                refs = page.locator("a.cp-ref")
                if refs.count():
                    refs.first.hover()
                    page.wait_for_timeout(300)
                assert page.foreign_requests == []
                assert page.console_errors == []
                schemes = page.eval_on_selector_all(
                    "a[href]", "els => els.map(a => new URL(a.href, location.href).protocol)")
                assert set(schemes) <= {"http:", "https:"}  # every link that leaves the site
    finally:
        next(gen, None)


# ---------------------------------------------------------------- the original edition

def test_the_original_edition_is_the_seed_without_its_reference_list(article):
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (the shared folder must sit beside the repo)")
    seed = SEED.read_text(encoding="utf-8")
    original = (article.root / "edition" / "original.txt").read_text(encoding="utf-8")
    assert original == seed[:seed.index("\nReferences\n")].rstrip("\n") + "\n"


def test_note_links_name_existing_references(article):
    _meta, body = article.page()
    note, _rest = admonition(body, NOTE_START)
    assert not re.search(r"^\s*- \d+[ :]", note, re.M), "name references by author and year, not number"
    assert bad_ref_links(note, article.bib_path.read_text(encoding="utf-8")) == []


def test_note_claims_only_what_was_seen(article):
    """No registry has confirmed an absence: the note says what was (not) found, never that
    something does not exist."""
    _meta, body = article.page()
    note = " ".join(admonition(body, NOTE_START)[0].split())
    assert not re.search(r"\b(?:exists?|is not in PubMed|has no (?:DOI|PMID))\b", note)


def test_page_structure(article):
    meta, body = article.page()
    assert "title" not in meta, "the H1 is the title (a front-matter title repeats it in the tab)"
    assert meta.get("authors") and all(isinstance(a, str) and a for a in meta["authors"])
    text = " ".join(body.split())
    assert meta.get("description") and " ".join(str(meta["description"]).split()) in text
    # the edition date (citation_publication_date) is the one the note states
    assert isinstance(meta.get("date"), datetime.date), "date: YYYY-MM-DD, the edition's date"
    note = " ".join(admonition(body, NOTE_START)[0].split())
    d = meta["date"]
    assert f"{d.day} {d:%B} {d.year}" in note, "the editorial note should state the edition date"
    titles = re.findall(r"^# (.+)$", strip_code(body), re.M)
    assert titles == [article.config["site_name"]], "one H1, the site's name"
    lines = [line for line in body.splitlines() if line.strip()]
    ref = lines.index("## References")
    assert lines[ref + 1] == "\\bibliography" and lines.count("\\bibliography") == 1
    # the editorial note comes after the list (readers reach the references first), to the end
    note_at = lines.index(NOTE_START)
    assert note_at > ref + 1, "the editorial note goes after the reference list (\\bibliography)"
    assert all(line.startswith("    ") or line.startswith("<!--") for line in lines[note_at + 1:])


# ---------------------------------------------------------------- the site: guide, config, styles

def test_editing_guide_shows_citation_syntax_only_inside_code(article):
    guide = article.docs / "editing.md"
    if not guide.is_file():
        pytest.skip("no editing guide")
    text = guide.read_text(encoding="utf-8")
    assert citation_syntax_outside_code(text) == []
    for needed in ("[@", "; @", "[see @", "\\bibliography", "[\\@", "identifier = {none}",
                   "--strict", "mkdocs serve", "citeproof check"):
        assert needed in text, f"the editing guide does not mention {needed!r}"


def test_mkdocs_yml_loads_nothing_from_outside(article):
    cfg = article.config
    assert cfg["theme"]["name"] == "material" and cfg["theme"]["font"] is False
    for key in ("repo_url", "repo_name", "edit_uri", "google_analytics", "watch"):
        assert key not in cfg
    assert "analytics" not in (cfg.get("extra") or {})
    for asset in cfg.get("extra_css", []) + cfg.get("extra_javascript", []):
        assert not remote(str(asset)), asset


def test_mkdocs_yml_theme_plugins_and_nav(article):
    cfg = article.config
    theme = cfg["theme"]
    assert {p["scheme"] for p in theme["palette"]} == {"default", "slate"}
    assert all(p["toggle"]["icon"] and p["media"] for p in theme["palette"])
    assert {"content.tooltips", "navigation.top", "search.highlight"} <= set(theme["features"])
    search = next(p for p in cfg["plugins"] if p == "search" or "search" in p)
    # words next to punctuation are found: "(word)" splits at the parentheses
    assert re.split(search["search"]["separator"], "(word),x") == ["", "word", "x"]
    assert any(isinstance(p, dict) and "citeproof" in p for p in cfg["plugins"])
    # readers see the article under its own title; the editing guide is built, not listed
    assert cfg["nav"] == [{cfg["site_name"]: "index.md"}]
    assert "/editing.md" in cfg["not_in_nav"].split()
    assert cfg.get("strict", False) is False
    # the canonical link and sitemap come from the Pages workflow's SITE_URL
    assert re.search(r"^site_url: !ENV SITE_URL\s*$", (article.root / "mkdocs.yml").read_text(encoding="utf-8"), re.M)


def test_print_style(article):
    css = (article.docs / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "@media print" in css
    printed = css.split("@media print", 1)[1]
    for needed in (".md-header", ".md-sidebar", ".md-footer", ".md-search", "attr(href)",
                   'a[href^="https://pubmed.ncbi.nlm.nih.gov/"]::after',
                   'a[href^="https://pmc.ncbi.nlm.nih.gov/"]::after', ".cp-backref", "#000", "#fff"):
        assert needed in printed, f"the print style lacks {needed}"
    # a DOI link's text is the DOI and a URL link's text its URL: no address after those
    rules = re.findall(r"([^{}]*)\{[^{}]*attr\(href\)", re.sub(r"/\*.*?\*/", "", printed, flags=re.S))
    assert rules
    for selector in (s.strip() for rule in rules for s in rule.split(",")):
        assert re.search(r'a\[href\^="https://(pubmed|pmc)\.ncbi\.nlm\.nih\.gov/"\]::after$', selector), \
            f"prints the address after links whose text already carries it: {selector}"
