"""The article page, the editing guide, mkdocs.yml and the styles.

The article may be edited, but every change from its original edition must be declared:
``edition/original.txt`` is the seed text without its printed reference list, and
``citeproof.edition`` compares the page with it after undoing the changes declared in
``edition/changes.yml`` (``tests/test_edition.py`` tests that comparison itself). The
seed lives in the shared folder beside the repository (``../shared``).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from scratch import read_mkdocs_config

from citeproof.edition import check_edition
from citeproof.render import anchor_for

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "article.txt"
FACTS = SHARED / "references" / "facts.md"
INDEX = ROOT / "docs" / "index.md"
EDITING = ROOT / "docs" / "editing.md"
MKDOCS_YML = ROOT / "mkdocs.yml"
PLUGIN_CSS = ROOT / "src" / "citeproof" / "assets" / "citeproof.css"
EXTRA_CSS = ROOT / "docs" / "stylesheets" / "extra.css"
BIB = ROOT / "references.bib"

KEYS = ("suh2019 kim2017 lee2016 bozorgmehr2018 lamoth2006 krein2013 sculco2001 callaghan1999 "
        "lee2014 gordon2016 descarreaux2002 stankovic2012 fahmy2019 paolucci2019 barzilay2016").split()

FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
GROUP = re.compile(r"\[([^\[\]\n]*@[^\[\]\n]*)\]")  # a bracket holding an @: citation syntax
SINGLE = re.compile(r"\[@([\w:.\-]+)\]")
CORRECTION = re.compile(r'^\s*[-*] [“"]([^”"]+)[”"] (?:→|->) [“"]([^”"]+)[”"]', re.M)
ENTRY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\}", re.M | re.S)  # key, fields
REF_LINK = re.compile(r"\[([^\[\]\n]+)\]\(#(ref-[^)\s]+)\)")
NOTE_START = '!!! note "Editorial note"'
DISCLAIMER_START = '!!! warning "Disclaimer"'


# ---------------------------------------------------------------- helpers (pure)

def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each with its lines joined by one space."""
    return [" ".join(line.strip() for line in block.splitlines() if line.strip())
            for block in re.split(r"\n(?:[ \t]*\n)+", text) if block.strip()]


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


def seed_paragraphs() -> list[str]:
    """The seed's paragraphs, without the repeated title and the printed reference list."""
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (the shared folder must sit beside the repo)")
    paras = paragraphs(SEED.read_text(encoding="utf-8"))
    paras = paras[:paras.index("References")]
    return [p for i, p in enumerate(paras) if p not in paras[:i]]  # the title once


def page() -> tuple[dict, str]:
    return split_page(INDEX.read_text(encoding="utf-8"))


def corrections(note: str) -> list[tuple[str, str]]:
    """(printed, corrected) pairs the editorial note lists as ``- “X” → “Y” …`` items."""
    return CORRECTION.findall(note)


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


def family_names() -> dict[int, set[str]]:
    """Reference number -> family names of its authors, from facts.md."""
    if not FACTS.is_file():
        pytest.skip(f"facts.md not found at {FACTS}")
    text = FACTS.read_text(encoding="utf-8").split("Authors, in order", 1)[1]
    names = {}
    for n, authors in re.findall(r"^(\d+)\. (.+)$", text, re.M):
        names[int(n)] = {a.strip().rsplit(" ", 1)[0] for a in re.sub(r"\(.*?\)", "", authors).split(",")}
    return names


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


# ---------------------------------------------------------------- the article

def test_the_original_edition_is_the_seed_without_its_reference_list():
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (the shared folder must sit beside the repo)")
    seed = SEED.read_text(encoding="utf-8")
    original = (ROOT / "edition" / "original.txt").read_text(encoding="utf-8")
    assert original == seed[:seed.index("\nReferences\n")].rstrip("\n") + "\n"


def test_every_change_from_the_original_edition_is_declared():
    assert check_edition(ROOT) == []


def test_every_reference_is_cited_first_in_the_printed_order():
    _meta, body = page()
    first: list[str] = []
    for group in GROUP.finditer(strip_code(body)):
        first += [k for k in re.findall(r"@([\w:.\-]+)", group.group(1)) if k not in first]
    assert first == KEYS


def test_gorden_is_corrected_and_the_note_says_why():
    _meta, body = page()
    note, rest = admonition(body, NOTE_START)
    assert "gorden" not in rest.lower()
    assert "Gordon and Bloxham" in rest
    assert ("Gorden", "Gordon") in corrections(note)
    item = next(line for line in note.splitlines() if CORRECTION.match(line))
    assert "27417610" in item and "10.3390/healthcare4020022" in item
    assert "references.bib" in note and "citeproof" in note
    for printed_error in ("Basal", "4:22-40", "internet- mediated"):
        assert printed_error in note


def test_note_links_name_existing_references():
    _meta, body = page()
    note, _rest = admonition(body, NOTE_START)
    links = REF_LINK.findall(note)
    assert len(links) >= 8, "the note should link each reference it discusses to its entry"
    assert not re.search(r"^\s*- \d+[ :]", note, re.M), "name references by author and year, not number"
    assert bad_ref_links(note, BIB.read_text(encoding="utf-8")) == []


def test_note_claims_only_what_was_seen():
    """No registry has confirmed an absence yet: the note says what was (not) found."""
    _meta, body = page()
    note = " ".join(admonition(body, NOTE_START)[0].split())
    assert not re.search(r"\b(?:exists?|is not in PubMed|has no (?:DOI|PMID))\b", note)
    assert "no DOI or PMID was found on any record seen" in note and "not found in PubMed" in note


def test_cited_names_match_the_records():
    names = family_names()
    _meta, body = page()
    sentences = re.split(r"(?<=\]\.)\s+", " ".join(body.split()))
    checked: list[str] = []
    for sentence in sentences:
        m = re.search(r"(?:^|\. )([A-Z][\w-]+(?: and [A-Z][\w-]+)?) \w[^.]*\[@([\w:.\-]+)\]\.?$", sentence)
        if m and m.group(2) in KEYS:
            cited = set(m.group(1).split(" and "))
            assert cited <= names[KEYS.index(m.group(2)) + 1], f"{cited} are not authors of {m.group(2)}"
            checked.append(m.group(2))
    assert set(checked) == set(KEYS)


def test_page_structure():
    meta, body = page()
    seed_title = seed_paragraphs()[0]
    assert "title" not in meta and meta["authors"] == ["Michael C Remy"]  # the H1 is the title
    # the edition date (used for citation_publication_date) is stated as such in the note
    assert str(meta["date"]) == "2026-11-27" and "published on this site on 27 November 2026" in body
    assert any(meta["description"] in p for p in seed_paragraphs())
    assert re.findall(r"^# (.+)$", body, re.M) == [seed_title]
    assert "™" in body and "’" in body
    lines = [line for line in body.splitlines() if line.strip()]
    ref = lines.index("## References")
    assert lines[ref + 1] == "\\bibliography" and lines.count("\\bibliography") == 1
    note_at, disclaimer_at = lines.index(NOTE_START), lines.index(DISCLAIMER_START)
    assert disclaimer_at < note_at < ref
    assert all(line.startswith("    ") for line in lines[note_at + 1:ref])  # note right before


# ---------------------------------------------------------------- editing guide, config, styles

def test_editing_guide_shows_citation_syntax_only_inside_code():
    text = EDITING.read_text(encoding="utf-8")
    assert citation_syntax_outside_code(text) == []
    for needed in ("[@", "; @", "[see @", "\\bibliography", "[\\@", "identifier = {none}",
                   "--strict", "mkdocs serve", "citeproof check"):
        assert needed in text, f"the editing guide does not mention {needed!r}"


def load_mkdocs_yml() -> dict:
    return read_mkdocs_config(MKDOCS_YML)


def test_mkdocs_yml_loads_nothing_from_outside():
    cfg = load_mkdocs_yml()
    assert cfg["theme"]["name"] == "material" and cfg["theme"]["font"] is False
    for key in ("repo_url", "repo_name", "edit_uri", "google_analytics", "watch"):
        assert key not in cfg
    assert "analytics" not in (cfg.get("extra") or {})
    for asset in cfg.get("extra_css", []) + cfg.get("extra_javascript", []):
        assert not re.match(r"^(https?:)?//", str(asset)), asset


def test_mkdocs_yml_theme_plugins_and_nav():
    cfg = load_mkdocs_yml()
    theme = cfg["theme"]
    assert {p["scheme"] for p in theme["palette"]} == {"default", "slate"}
    assert all(p["toggle"]["icon"] and p["media"] for p in theme["palette"])
    assert {"content.tooltips", "navigation.top", "search.highlight"} <= set(theme["features"])
    search = next(p for p in cfg["plugins"] if p == "search" or "search" in p)
    # words next to punctuation are found: "(multifidus)" splits at the parentheses
    assert re.split(search["search"]["separator"], "(multifidus),x") == ["", "multifidus", "x"]
    assert next(p["citeproof"] for p in cfg["plugins"] if "citeproof" in p)["bib_file"] == "references.bib"
    # readers see the article under its own title; the editing guide is built, not listed
    assert cfg["nav"] == [{cfg["site_name"]: "index.md"}]
    assert "/editing.md" in cfg["not_in_nav"].split()
    assert cfg["site_name"] == seed_paragraphs()[0]
    assert cfg.get("strict", False) is False


def test_plugin_css_covers_the_emitted_html():
    css = PLUGIN_CSS.read_text(encoding="utf-8")
    for selector in (".cp-cite", ".cp-ref", ".cp-unknown", ".cp-references", ".cp-entry",
                     ".cp-backref", ":focus-visible", ".cp-entry:target",
                     '[data-md-color-scheme="slate"]', "overflow-wrap: anywhere",
                     "var(--md-accent-fg-color)"):
        assert selector in css, f"citeproof.css lacks {selector}"
    assert "http" not in css  # no remote fonts or images


def test_print_style():
    css = EXTRA_CSS.read_text(encoding="utf-8")
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


class _Loads(HTMLParser):
    """Collects every URL a browser would fetch while loading the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate", "prev", "next"):
            self.urls.append(a["href"])


def test_built_theme_fetches_nothing_external(tmp_path):
    """Build with the site's theme and extensions (not the citeproof plugin, tested elsewhere)."""
    cfg = load_mkdocs_yml()
    cfg["plugins"] = [p for p in cfg["plugins"] if p != "citeproof" and "citeproof" not in p]
    cfg.update(docs_dir=str(ROOT / "docs"), site_dir=str(tmp_path / "site"))
    cfg["theme"]["custom_dir"] = str(ROOT / cfg["theme"]["custom_dir"])  # the theme overrides
    config = tmp_path / "mkdocs.yml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)],
                         capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    pages = list((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= 2
    for html in pages:
        loads = _Loads()
        loads.feed(html.read_text(encoding="utf-8"))
        remote = [u for u in loads.urls if re.match(r"^(https?:)?//", u)]
        assert not remote, f"{html.name} loads {remote}"
    for css in (tmp_path / "site").rglob("*.css"):
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
