"""The prose checks (attribution, years, design claims), retractions and their kin, and the
study-design badges: unit cases, then end to end against the emulator and in real builds."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from emulator import TEST_WORKS
from scratch import FIXTURE, FIXTURE_PAGE, check, copy_article, invoke

from citeproof.bib import load_bib
from citeproof.claims import check_claims, design_of, fold_name, sentence_bounds
from citeproof.markdown import parse_citations
from citeproof.model import Record

ARTICLE = FIXTURE_PAGE  # the frozen article fixture, never the live page
REFS = load_bib(FIXTURE / "references.bib").references
PROSE_CODES = {"misattributed", "year-in-text", "design-claim"}
GORDEN = "Gorden and Bloxham reviewed"


def claims(text: str, records=None):
    return check_claims(text, parse_citations(text, "page.md"), REFS, records)


def pubmed(key: str, *types: str) -> dict:
    ref = REFS[key]
    return {key: [Record("pubmed", ref.pmid, "2026-01-05T10:00:00Z", title=ref.title, pubtypes=types)]}


# --------------------------------------------------------------------------- units

def test_the_article_says_nothing_wrong_about_its_sources():
    assert claims(ARTICLE) == []
    article_types = {**pubmed("gordon2016", "Journal Article", "Review"),
                     **pubmed("suh2019", "Journal Article", "Randomized Controlled Trial")}
    assert claims(ARTICLE, article_types) == []


def test_the_printed_gorden_is_found_with_a_suggestion_and_its_column():
    text = "Intro.\n\nSee this. " + "Gorden and Bloxham reviewed 14 studies [@gordon2016].\n"
    [p] = claims(text)
    assert (p.code, p.severity, p.line, p.column, p.expected, p.found) == (
        "misattributed", "error", 3, 11, "Gordon", "Gorden")
    assert "did you mean 'Gordon'?" in p.message and "gordon2016" in p.message


@pytest.mark.parametrize("sentence", [
    "Krein found a significant effect [@suh2019].",
    "According to Krein, walking helps [@suh2019].",
    "Smith et al. found a significant effect [@suh2019].",
    "Walking helps [@krein2013], and Lee found more [@suh2019].",
])
def test_a_name_that_is_no_cited_author_is_flagged(sentence):
    [p] = claims(sentence)
    assert p.code == "misattributed" and p.found in {"Krein", "Smith", "Lee"}


@pytest.mark.parametrize("sentence", [
    "Krein found a significant effect [@suh2019; @krein2013].",
    "Suh et al. (2019) recommend walking [@suh2019].",
    "Lee and Kang demonstrated it [@lee2016].",
    "As Krein showed, walking helps [@krein2013].",
    "Walking showed benefits [@suh2019].",  # a word, not a name
    "The Walk Away Back Pain program found favour [@suh2019].",
    "Researchers found a significant effect [@suh2019].",
    "Paolucci (2018) found it [@paolucci2019].",  # online first, a year early
    "Krein found a thing <!-- no-claim --> [@suh2019].",  # silenced
    "Krein found `code` [@krein2013]. Suh recommends walking [@suh2019].",
])
def test_what_stays_silent(sentence):
    assert claims(sentence) == []


@pytest.mark.parametrize("sentence", [
    "Walking {group} helps.\n",  # a capital word before a long citation: no verb after it
    "Gorden and Bloxham {group} reviewed 14 studies.\n",  # the verb after it: still found
])
def test_a_long_citation_group_is_read_in_linear_time(sentence):
    """A masked group is a run of spaces; a pattern that tries every split of it took 39 s
    on this 19,500-character group (quadratic). Linear, it takes milliseconds: a second
    is a bound no machine misses unless the reading is quadratic again."""
    group = "[" + "; ".join(["@gordon2016"] * 1500) + "]"
    started = time.perf_counter()
    found = claims(sentence.format(group=group))
    assert time.perf_counter() - started < 1.0
    assert [p.found for p in found] == (["Gorden"] if sentence.startswith("Gorden") else [])


def test_a_wrong_year_is_an_error_at_the_year():
    [p] = claims("Suh et al. (2012) recommend walking [@suh2019].")
    assert (p.code, p.severity, p.column, p.found, p.expected) == ("year-in-text", "error", 13, "2012", "2019")


def test_front_matter_counts_in_the_line():
    raw = "---\ntitle: T\n---\n\nKrein found it [@suh2019].\n"
    with_fm = claims(raw)  # the parser sees the whole file: line 5
    assert [(p.line, p.column) for p in with_fm] == [(5, 1)]


def test_names_fold_case_diacritics_particles_hyphens_and_variants():
    assert fold_name("Villafañe") == fold_name("villafane")
    assert fold_name("van der Berg") == fold_name("Berg")
    assert fold_name("Müller") == fold_name("Mueller")
    assert fold_name("Nakhostin-Ansari") == fold_name("Nakhostin Ansari")
    assert fold_name("Yi") == fold_name("Lee") and fold_name("Gordon") != fold_name("Gorden")


def test_sentences_end_at_stops_not_at_abbreviations():
    text = "First one. Suh et al. found it, e.g. here [@suh2019]. Next."
    at = text.index("[@")
    s, e = sentence_bounds(text, at, at + 10)
    assert text[s:e] == "Suh et al. found it, e.g. here [@suh2019]."


def test_design_claims_against_pubmed_types():
    sentence = "A randomized controlled trial [@{}] showed benefits."
    [p] = claims(sentence.format("gordon2016"), pubmed("gordon2016", "Journal Article", "Review"))
    assert (p.code, p.severity) == ("design-claim", "warning")
    assert "randomized controlled trial" in p.message and "Journal Article, Review" in p.message
    assert claims(sentence.format("suh2019"), pubmed("suh2019", "Journal Article",
                                                     "Randomized Controlled Trial")) == []
    assert claims(sentence.format("gordon2016")) == []  # no registry types: nothing to compare
    [p] = claims("Gordon and Bloxham reviewed 14 studies [@gordon2016].",
                 pubmed("gordon2016", "Journal Article"))
    assert p.code == "design-claim" and "reviewed 14 studies" in p.message


def test_design_comes_from_pubmed_else_crossref_labelled():
    pm = Record("pubmed", "1", "t", pubtypes=("Journal Article", "Randomized Controlled Trial"))
    cr = Record("crossref", "10.1/x", "t", pubtypes=("posted-content", "preprint", "update-to:retraction"))
    assert design_of([cr, pm]).badges == ("Randomized Controlled Trial",)
    only = design_of([cr])
    assert (only.types, only.label, only.badges) == (("posted-content", "preprint"), "Crossref type", ())
    assert design_of([Record("pubmed", "1", "t")]) is None


# --------------------------------------------------------------------------- end to end

def _bib_entry(work) -> str:
    authors = " and ".join(f"{a.rpartition(' ')[0]}, {'. '.join(a.rpartition(' ')[2])}." for a in work.authors)
    fields = {"author": authors, "title": work.title, "journal": work.abbrev, "year": str(work.year),
              "volume": work.volume, "number": work.issue, "pages": work.pages.replace("-", "--"),
              "doi": work.doi, "pmid": work.pmid}
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@article{{{work.key},\n{body}\n}}\n"


UPDATES = {  # key -> (code, severity) from the emulator's answer
    "emu-retracted": ("retracted", "error"), "emu-partial": ("retracted", "error"),
    "emu-withdrawn": ("retracted", "error"), "emu-removed": ("retracted", "error"),
    "emu-pubmed-retracted": ("retracted", "error"), "emu-title-retracted": ("retracted", "error"),
    "emu-title-withdrawn": ("retracted", "error"),
    "emu-concern": ("updated", "warning"), "emu-corrected": ("updated", "warning"),
    "emu-errata": ("updated", "warning"),
    "emu-retraction-notice": ("notice-cited", "warning"), "emu-erratum": ("notice-cited", "warning"),
    "emu-concern-notice": ("notice-cited", "warning"),
}


def test_each_kind_of_update_is_reported_with_its_severity(scratch, emulator):
    works = [w for w in TEST_WORKS if w.key in UPDATES]
    assert len(works) == len(UPDATES)
    body = "".join(f"Claim {n} [@{w.key}].\n\n" for n, w in enumerate(works))
    project = scratch.write(page=body, bib="".join(map(_bib_entry, works))).root
    _, report = check(project, emulator)
    for key, (code, severity) in UPDATES.items():
        found = [p for p in report["problems"] if p["key"] == key and p["code"] == code]
        assert [p["severity"] for p in found] == [severity], (key, report["problems"])
    by_key = {p["key"]: p["message"] for p in report["problems"] if p["code"] in {"retracted", "updated"}}
    assert "retraction-watch" in by_key["emu-partial"] and "10.5555/citeproof.partial-notice" in by_key["emu-partial"]
    assert "2021-01-05" in by_key["emu-partial"] and "publisher" in by_key["emu-withdrawn"]
    assert "partial retraction" in by_key["emu-partial"] and "expression of concern" in by_key["emu-concern"]


def _article_project(tmp_path: Path) -> Path:
    """A scratch copy of the article fixture: mkdocs.yml, the bib, the docs, the empty lock."""
    return copy_article(tmp_path, parts=("docs", "overrides", "mkdocs.yml", "references.bib",
                                         "citations.lock.json"))


def test_the_article_online_has_no_prose_problem(tmp_path, emulator):
    project = _article_project(tmp_path)
    code, report = check(project, emulator)
    assert code == 0 and not codes_of(report) & PROSE_CODES, report["problems"]


def codes_of(report) -> set[str]:
    return {p["code"] for p in report["problems"]}


def test_a_design_claim_is_warned_from_the_emulators_types(tmp_path, emulator):
    project = _article_project(tmp_path)
    page = project / "docs" / "index.md"
    text = page.read_text(encoding="utf-8")
    for key, warned in (("gordon2016", True), ("suh2019", False)):
        page.write_text(text + f"\nA randomized controlled trial [@{key}] showed benefits.\n", encoding="utf-8")
        _, report = check(project, emulator)
        design = [p for p in report["problems"] if p["code"] == "design-claim"]
        assert bool(design) is warned, report["problems"]
        if warned:
            assert "Journal Article, Review" in design[0]["message"]


def test_the_printed_gorden_fails_the_check_and_the_strict_build(tmp_path, scratch):
    project = _article_project(tmp_path)
    page = project / "docs" / "index.md"
    text = page.read_text(encoding="utf-8")
    assert text.count("Gordon and Bloxham reviewed") == 1
    page.write_text(text.replace("Gordon and Bloxham reviewed", GORDEN), encoding="utf-8")
    line = next(n for n, t in enumerate(page.read_text(encoding="utf-8").splitlines(), 1) if GORDEN in t)
    where = f"docs/index.md:{line}:1"
    proc = scratch.citeproof("check", "--offline")
    assert proc.returncode == 1
    assert where in proc.stdout and "did you mean 'Gordon'?" in proc.stdout, proc.stdout
    build = scratch.build("--strict")
    assert build.returncode != 0
    assert re.search(rf"WARNING .*{re.escape(where)}: 'Gorden' .*did you mean 'Gordon'\?.*\[misattributed\]",
                     build.stderr), build.stderr


@pytest.mark.slow
def test_badges_only_from_lock_entries(tmp_path, scratch, emulator):
    project = _article_project(tmp_path)
    assert scratch.build("--strict").returncode == 0
    html = scratch.html()
    assert "cp-design" not in html and "MedicalScholarlyArticle" not in html  # the committed empty lock
    result = invoke(project, ["check", "--lock", str(project / "emulated.lock.json")], emulator.env())
    assert result.exit_code == 0, result.output
    mk = project / "mkdocs.yml"
    mk.write_text(mk.read_text(encoding="utf-8").replace(
        "      bib_file: references.bib\n", "      bib_file: references.bib\n      lock_file: emulated.lock.json\n",
        1), encoding="utf-8")
    proc = scratch.build("--strict")
    assert proc.returncode == 0, proc.stderr
    html = scratch.html()
    entry = re.search(r'<li id="ref-gordon2016".*?</li>', html, re.S).group(0)
    assert re.search(r'<span class="cp-design" title="PubMed publication types: Journal Article, '
                     r'Review, retrieved \d{4}-\d\d-\d\d">Review</span>', entry), entry
    suh = re.search(r'<li id="ref-suh2019".*?</li>', html, re.S).group(0)
    assert ">Randomized Controlled Trial</span>" in suh
    stankovic = re.search(r'<li id="ref-stankovic2012".*?</li>', html, re.S).group(0)
    fahmy = re.search(r'<li id="ref-fahmy2019".*?</li>', html, re.S).group(0)
    assert "cp-design" not in stankovic and "cp-design" not in fahmy  # no PubMed answer for them
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    typed = {c["name"][:20]: c.get("publicationType") for c in ld["citation"]}
    assert typed["A Systematic Review "] == ["Journal Article", "Review"]
    assert sum(c["@type"] == "MedicalScholarlyArticle" for c in ld["citation"]) == 13


@pytest.mark.parametrize("prose, family", [("Orsted", "Ørsted"), ("Lukaszewicz", "Łukaszewicz"),
                                           ("Thorsdottir", "Þórsdóttir"), ("Dukic", "Đukić"),
                                           ("Aerts", "Ærts"), ("Oelschlager", "Œlschläger"),
                                           ("Strauss", "Strauß")])
def test_names_with_stroke_and_ligature_letters_match_their_catalogue_spelling(prose, family):
    from citeproof.claims import check_claims, fold_name
    from citeproof.markdown import parse_citations
    from citeproof.model import Author, Reference

    assert fold_name(prose) == fold_name(family)
    ref = Reference(key="k", entry_type="article", title="T", year="2020", authors=(Author(family, "A"),),
                    file="r.bib", line=1)
    text = f"{prose} et al. (2020) found it [@k]."
    assert check_claims(text, parse_citations(text, "p.md"), {"k": ref}) == []
