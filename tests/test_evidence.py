"""The evidence readers see, from the lock only: an empty lock, a lock of emulator answers
(written by the real `citeproof check --lock` against the local emulator), a retraction."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from emulator import ERRATUM_DOI, RETRACTION_NOTICE_DOI
from scratch import EVIDENCE_BIB as BIB, EVIDENCE_PAGE as PAGE, MATERIAL, Scratch

from citeproof import evidence as ev
from citeproof.lock import Lock
from citeproof.model import Reference


def project(tmp_path: Path, lock: str = "") -> Scratch:
    options = f":\n      lock_file: {lock}" if lock else ""
    return Scratch(tmp_path).write(page=PAGE, bib=BIB, mkdocs=MATERIAL, plugin_options=options)


@pytest.fixture
def checked(tmp_path, emulator):
    """The project with other.lock.json written by `citeproof check` against the emulator."""
    site = project(tmp_path, "other.lock.json")
    proc = site.citeproof("check", "--lock", "other.lock.json", "--format", "json", env=emulator.env())
    assert proc.returncode == 1, proc.stderr  # the retraction is an error
    assert json.loads((tmp_path / "other.lock.json").read_text())["references"]
    return site


def test_with_the_empty_lock_the_page_says_nothing_was_checked(tmp_path):
    site = project(tmp_path)
    (tmp_path / "citations.lock.json").write_text('{"version": 1, "references": {}}\n')
    assert site.build("--strict").returncode == 0
    html = site.html()
    line = re.search(r'<p class="cp-evidence" role="status">(.*?)</p>', html).group(1)
    assert line.startswith("4 references · none checked against the registries yet · 1 without an identifier")
    assert html.count("Not yet checked against the registries") == 3
    assert "Checked against" not in html and "cp-status-verified" not in html and "cp-notice" not in html
    assert 'href="https://example.org/record/1" rel="noopener">check the record by hand</a>' in html
    assert '<p class="cp-byline">By Ann Author · this edition <time datetime="2026-01-02">' in html
    record = json.loads((site.site / "verification.json").read_text())
    assert list(record["references"]) == ["suh2019", "retracted", "corrected", "byhand"]
    assert {k: r["status"] for k, r in record["references"].items()} == {
        "suh2019": "not-checked", "retracted": "not-checked", "corrected": "not-checked",
        "byhand": "no-identifier"}
    assert all(r["checked_at"] is None and r["sources"] == [] for r in record["references"].values())
    assert '<a href="verification.json">verification record (JSON)</a>' in html
    assert "cp-references-index" not in html  # the search's plain-text stand-in was swapped out


def test_emulator_answers_are_shown_as_such_with_the_retraction_at_every_citation(checked, emulator):
    assert checked.build().returncode == 0
    html = checked.html()
    url = emulator.env()["CITEPROOF_CROSSREF_URL"]
    line = re.search(r'<p class="cp-evidence" role="status">(.*?)</p>', html).group(1)
    assert "3 matched by test endpoints that are not the real registries (" in line and url in line
    assert "1 without an identifier" in line and "1 retracted" in line
    # never "checked against Crossref": those answers came from the emulator
    assert "Checked against Crossref" not in html and "against Crossref and PubMed" not in html
    assert html.count("Checked against test endpoints, not the real registries (") == 3
    notice = f'href="https://doi.org/{RETRACTION_NOTICE_DOI}" rel="noopener"'
    entry = html.split('id="ref-retracted"')[1].split("</li>")[0]
    assert f'<strong class="cp-notice cp-notice-retraction" role="note">Retracted: <a {notice}>' in entry
    text = html.split('<section class="cp-bibliography"')[0]
    assert text.count(f'<span class="cp-notice cp-notice-retraction cp-notice-short"><a {notice}>Retracted</a>') == 2
    corrected = html.split('id="ref-corrected"')[1].split("</li>")[0]
    assert f'href="https://doi.org/{ERRATUM_DOI}"' in corrected and ">Corrected: " in corrected
    record = json.loads((checked.site / "verification.json").read_text())
    refs = record["references"]
    assert refs["suh2019"]["status"] == "verified" and refs["suh2019"]["sources"] == ["Crossref", "PubMed"]
    assert refs["suh2019"]["official_registries"] is False and refs["suh2019"]["endpoints"]["crossref"] == url
    assert refs["retracted"]["status"] == "retracted"
    assert refs["retracted"]["notices"][0] == {"kind": "retraction", "doi": RETRACTION_NOTICE_DOI,
                                               "said_by": ["Crossref (retraction-watch), 2021-03-01", "PubMed"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*Z", refs["suh2019"]["checked_at"])
    assert record["summary"] == {"references": 4, "statuses": {
        "no-identifier": 1, "retracted": 1, "verified": 2}}


def test_an_entry_whose_identifier_changed_since_it_was_locked_is_not_checked(checked):
    bib = checked.bib.read_text().replace("31261549", "31261548")
    checked.bib.write_text(bib)
    assert checked.build().returncode == 0
    entry = checked.html().split('id="ref-suh2019"')[1].split("</li>")[0]
    assert "Not checked: its DOI or PMID changed since the registries were last asked" in entry
    assert "Checked against" not in entry


def test_official_answers_name_the_registries_and_the_day():
    """The words for a lock of the real registries' answers (built in memory from the
    emulator-free path: a lock entry whose endpoints are the official ones)."""
    ref = Reference(key="k", entry_type="article", file="r.bib", line=1, title="T", doi="10.1/x")
    e = ev.Evidence("k", "verified", "10.1/x", "", ("Crossref", "PubMed"), "2026-01-05T10:00:00Z",
                    ev.official_endpoints(), True)
    assert ev.summary_line([e]) == "1 reference · 1 checked against Crossref and PubMed on 2026-01-05"
    mark = ev.mark_html(e, lambda s: s)
    assert "Checked against Crossref and PubMed on 2026-01-05" in mark and "cp-status-verified" in mark
    assert ev.gather({"k": ref}, Lock())["k"].status == "not-checked"


def test_an_unusable_lock_stops_the_build_with_one_clear_message(tmp_path):
    site = project(tmp_path)
    (tmp_path / "citations.lock.json").write_text('{"version": 1, "references": {\n<<<<<<< HEAD\n')
    for args in (("--strict",), ()):
        proc = site.build(*args)
        assert proc.returncode != 0 and "Traceback" not in proc.stderr
        assert "citations.lock.json:2: the lock file is not valid JSON" in proc.stderr
        assert "git merge conflict marker" in proc.stderr
    assert not (site.site / "index.html").exists()  # no page claims anything


def test_downloads_are_made_from_the_bib(tmp_path):
    site = project(tmp_path)
    assert site.build("--strict").returncode == 0
    ris = (site.site / "references.ris").read_bytes().decode()
    assert "TY  - JOUR\r\nTI  - The effect of lumbar stabilization" in ris and "DO  - 10.1097/MD.0000000000016173" in ris
    csl = json.loads((site.site / "references.json").read_text())
    assert csl[0]["id"] == "suh2019" and csl[0]["author"][0] == {"family": "Suh", "given": "J. H."}
    bundle = json.loads((site.site / "references.cite.json").read_text())
    assert bundle["ref-retracted"]["bibtex"].startswith("@article{retracted,")
    assert bundle["ref-retracted"]["bibtex"].endswith("}") and bundle["ref-retracted"]["key"] == "retracted"
    assert set(bundle["ref-byhand"]) == {"key", "bibtex", "ris", "csl-json"}
    html = site.html()
    for href in ("references.bib", "references.ris", "references.json"):
        assert f'<a href="{href}" download>' in html
    assert html.count('<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;') == 4
    assert 'rft_id=info%3Adoi%2F10.1097%2FMD.0000000000016173' in html
    assert 'data-cp-bundle="references.cite.json"' in html
    assert '<meta property="og:title" content="The Article">' in html
    assert '<meta property="og:url" content="https://example.org/">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "<summary>Cite this article</summary>" in html and "Author A. The Article [Internet]." in html


def test_cite_this_article_leaves_the_reading_date_to_the_page_and_prints_no_placeholder():
    """Vancouver's "[cited …]" is the day the reader reads the page: the page's script writes
    it (tests/test_browser.py); the built HTML holds no placeholder, only its template."""
    from citeproof.exports import vancouver_article
    from citeproof.site import _cite_this

    common = dict(title="The Article", authors=["Ann Author"], date="2026-01-02", url="https://example.org/",
                  site="Site")
    assert vancouver_article(**common, cited="2026 Dec 7") == \
        "Author A. The Article [Internet]. Site; 2026 [cited 2026 Dec 7]. Available from: https://example.org/"
    assert vancouver_article(**common) == "Author A. The Article [Internet]. Site; 2026. Available from: https://example.org/"
    html = _cite_this(["Ann Author"], "2026-01-02", "A & B", None, "A & B")
    assert "YYYY" not in html and "[cited" not in html.replace('data-cp-cited=" [cited {date}]"', "")
    assert re.search(r'<p class="cp-cite-vancouver">Author A\. A &amp; B \[Internet\]\. 2026'
                     r'<span class="cp-cited" data-cp-cited=" \[cited \{date\}\]" hidden></span>\.</p>', html), html
    assert "organization" not in html  # the site's name is the title: not repeated
