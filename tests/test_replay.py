"""The replay of real registry answers (tests/replay/, tests/data/recordings/): what it serves
and how it says so; then `citeproof check`, `fix` and `add` against it."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pybtex.database
import pytest
import requests
from replay import Recordings, Replay
from scratch import Scratch, check, invoke, statuses

from citeproof.bib import load_bib, validate_references
from citeproof.registries import crossref, idconv, markup, pubmed, schema
from citeproof.text import from_tex


@pytest.fixture(scope="module")
def replay():
    with Replay() as server:
        yield server


# --------------------------------------------------------------------------- the server

def test_every_body_is_the_one_recorded():
    recordings = Recordings()
    assert len(recordings.all) >= 100
    for rec in recordings.all:
        assert hashlib.sha256(rec.body()).hexdigest() == rec.entry["sha256"], rec.file


def test_a_recorded_request_gets_the_recorded_body_byte_for_byte(replay):
    rec = next(r for r in replay.recordings.all if r.file == "crossref/work-pone.0033693.json")
    answer = requests.get(replay.url("crossref") + "/works/10.1371/journal.pone.0033693",
                          params={"mailto": "me@example.org"}, timeout=10)  # who asks is no part of a match
    assert answer.status_code == 200 and answer.content == rec.body()
    assert answer.headers["X-Replay"] == "recorded" and answer.headers["X-Replay-Source"] == rec.file


def test_paths_match_percent_decoded_and_a_recorded_404_is_served(replay):
    sici = "10.1002/1096-9861(20010212)430:3<283::aid-cne1031>3.0.co;2-v"
    answer = requests.get(replay.url("crossref") + "/works/" + requests.utils.quote(sici, safe=""), timeout=10)
    assert answer.status_code == 200 and answer.json()["message"]["DOI"] == sici
    missing = requests.get(replay.url("crossref") + "/works/10.1371/notarealdoi", timeout=10)
    assert missing.status_code == 404 and missing.text == "Resource not found."


def test_a_crossref_batch_is_assembled_from_recorded_items_and_says_so(replay):
    dois = ["10.1103/physrevb.98.104436", "10.1371/notarealdoi", "10.1101/2024.04.01.587366"]
    answer = requests.get(replay.url("crossref") + "/works", timeout=10, params={
        "filter": ",".join(f"doi:{d}" for d in dois), "rows": "3", "select": crossref.SELECT})
    assert answer.status_code == 200 and answer.headers["X-Replay"] == "assembled"
    assert answer.headers["X-Replay-Sources"].split(", ") == [
        "crossref/list-funder-nsf-cursor-p1.json", "crossref/notfound-10.1371_notarealdoi.txt",
        "crossref/work-biorxiv-2024.04.01.587366.json"]
    items = answer.json()["message"]["items"]
    assert [i["DOI"] for i in items] == ["10.1103/physrevb.98.104436", "10.1101/2024.04.01.587366"]
    assert all(set(i) <= set(crossref.SELECT.split(",")) for i in items)  # select applied
    recorded = replay.recordings.work(dois[2]).item
    assert items[1]["relation"] == recorded["relation"] and items[1]["title"] == recorded["title"]


@pytest.mark.parametrize("registry, path, params", [
    ("crossref", "/works", {"filter": "doi:10.1371/journal.pone.0033693,doi:10.5555/never.recorded", "rows": "2"}),
    ("crossref", "/works/10.5555/never.recorded", {}),
    ("doi", "/api/handles/10.1371/journal.pone.0033693", {}),
    ("eutils", "/esummary.fcgi", {"db": "pubmed", "id": "11850928", "retmode": "json"}),
    ("idconv", "/", {"ids": "PMC2883744", "idtype": "pmcid", "format": "json"}),
    ("crossref", "/works/10.1371/journal.pone.0033693", {"select": "DOI"}),  # a parameter more: not the same request
])
def test_anything_not_recorded_is_421_never_an_invented_verdict(replay, registry, path, params):
    answer = requests.get(replay.url(registry) + path, params=params, timeout=10)
    assert answer.status_code == 421 and answer.headers["X-Replay"] == "not-recorded"
    assert answer.text.startswith("not recorded: GET https://")


def test_the_matching_rule_leaves_out_only_who_asks(replay):
    rec = next(r for r in replay.recordings.all if r.file == "idconv/idconv-10.1038_ng.590.json")
    asked = {"ids": "10.1038/ng.590", "format": "json", "tool": "citeproof", "email": "x@example.org"}
    answer = requests.get(replay.url("idconv") + "/", params=asked, timeout=10)
    assert answer.status_code == 200 and answer.content == rec.body()
    form = next(r for r in replay.recordings.all if r.file == "pubmed/esearch-pubmed-hart-rk-xml.xml")
    posted = requests.post(replay.url("eutils") + "/esearch.fcgi", timeout=10, data={
        "db": "pubmed", "term": "hart rk[author]", "retmode": "xml", "usehistory": "y", "retmax": "250"})
    assert posted.status_code == 200 and posted.content == form.body()


def test_the_log_counts_each_kind_of_answer(replay):
    before = replay.count("recorded")
    requests.get(replay.url("doi") + "/ra/10.5281", timeout=10)
    assert replay.count("recorded") == before + 1
    assert json.loads(requests.get(replay.url("doi") + "/ra/10.5281", timeout=10).text)[0]["RA"] == "DataCite"


# --------------------------------------------------------------------------- citeproof against it

CORRECT = (Path(__file__).parent / "replay" / "correct.bib").read_text(encoding="utf-8")
KEYS = re.findall(r"^@\w+\{([^,]+),", CORRECT, re.M)


def project(tmp_path: Path, bib: str, keys=None) -> Path:
    keys = re.findall(r"^@\w+\{([^,]+),", bib, re.M) if keys is None else keys
    page = "# Works\n\n" + "".join(f"Work {n} [@{k}].\n\n" for n, k in enumerate(keys))
    return Scratch(tmp_path).write(page=page, bib=bib).root


def env(replay, emulator) -> dict:
    """Crossref and doi.org from the recordings; PubMed and the PMC ID converter from the
    emulator, which knows none of these works (no PubMed esummary JSON and no handle-API
    answer was recorded in any permissively licensed repository: see SOURCES.md)."""
    return {**emulator.env(), **replay.env("crossref", "doi")}


def test_a_correct_bib_of_48_recorded_works_gets_no_false_alarm(tmp_path, replay, emulator):
    assert len(KEYS) == 48
    root = project(tmp_path, CORRECT)
    before = replay.count()
    code, report = check(root, emulator, env=env(replay, emulator))
    assert report["problems"] == [] and code == 0
    assert set(statuses(report).values()) == {"verified"}
    asked = replay.served[before:]
    assert [s.how for s in asked] == ["assembled"]  # one batch of 48, every DOI recorded


def entry(key: str, kind: str = "article", **fields: str) -> str:
    return f"@{kind}{{{key},\n" + "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items()) + "}\n\n"


def replaced(bib: str, key: str, old: str, new: str) -> str:
    head, rest = bib.split(f"{{{key},\n", 1)
    body, tail = rest.split("\n}\n", 1)
    assert body.count(old) == 1, (key, old)
    return f"{head}{{{key},\n{body.replace(old, new)}\n}}\n{tail}"


#: Planted errors: (key, the field changed (or an entry added), the problem codes expected on that key).
PLANTED = [
    ("lee2012", ("year = {2012}", "year = {2009}"), {"metadata-mismatch"}),
    ("tosatto2015", ("Tosatto, L.", "Tossato, L."), {"metadata-mismatch"}),
    ("boulkedid2011", ("journal = {PLoS ONE}", "journal = {PLoS Medicine}"), {"metadata-mismatch"}),
    ("xu2021", ("volume = {74}", "volume = {47}"), {"metadata-mismatch"}),
    ("sloviter2001", ("pages = {283--305}", "pages = {283--350}"), {"metadata-mismatch"}),
    ("lin2015", ("{{Delay in Diagnosis of Spinal Muscular Atrophy: A Systematic Literature Review}}",
                 "{Delay in Diagnosis of Spinal Muscular Atrophy}"), {"metadata-mismatch"}),
    ("dennunzio2015", ("doi = {10.1016/j.tcs.2015.06.001}", "doi = {10.1016/j.trsl.2015.01.007}"),  # another work's DOI
     {"metadata-mismatch"}),
]
ADDED = [  # works the correct bib does not cite, each with what a check must say of it
    ("sadasivan2012", entry("sadasivan2012", author="Sadasivan, S. and Pond, B. B. and Pani, A. K. and Qu, C. and "
                                                    "Jiao, Y. and Smeyne, R. J.",
                            title="Methylphenidate exposure induces dopamine neuron loss and activation of microglia "
                                  "in the basal ganglia of mice", journal="PLoS ONE", year="2012", volume="7",
                            number="3", pages="e33693", doi="10.1371/journal.pone.0033693"),
     {"updated"}),  # corrected (updated-by a correction notice)
    ("ijal2019", entry("ijal2019", "misc", title="Corrigendum", year="2019", doi="10.1111/ijal.12281"),
     {"notice-cited"}),  # a correction notice cited as a work
    ("herger2024", entry("herger2024", "misc", author="Herger, M. and Kajba, C. M. and Buckley, M. and Cunha, A. and "
                                                      "Strom, M. and Findlay, G. M.",
                         title="High-throughput screening of human genetic variants by pooled prime editing",
                         howpublished="bioRxiv", year="2024", doi="10.1101/2024.04.01.587366"),
     {"preprint-published"}),  # published since as 10.1016/j.xgen.2025.100814
]


def planted_bib() -> str:
    bib = CORRECT
    for key, (old, new), _ in PLANTED:
        bib = replaced(bib, key, old, new)
    return bib + "".join(text for _, text, _ in ADDED)


def test_every_planted_error_is_caught_and_nothing_else(tmp_path, replay, emulator):
    root = project(tmp_path, planted_bib())
    code, report = check(root, emulator, env=env(replay, emulator))
    assert code == 1
    expected = {key: codes for key, _, codes in PLANTED} | {key: codes for key, _, codes in ADDED}
    found: dict[str, set] = {}
    for p in report["problems"]:
        found.setdefault(p["key"], set()).add(p["code"])
    assert found == expected, report["problems"]
    fields = {p["key"]: p["field"] for p in report["problems"] if p["code"] == "metadata-mismatch"}
    assert [fields[k] for k, _, _ in PLANTED[:6]] == ["year", "author", "journal", "volume", "pages", "title"]
    lacking = next(p for p in report["problems"] if p["key"] == "lin2015")
    assert "lacks the rest of the title" in lacking["message"]
    preprint = next(p for p in report["problems"] if p["key"] == "herger2024")
    assert "doi:10.1016/j.xgen.2025.100814" in preprint["message"]
    assert statuses(report)["ijal2019"] == "verified"  # a notice is a warning, not a failed check


def test_a_doi_crossref_does_not_know_is_never_a_verdict_the_replay_cannot_give(tmp_path, replay, emulator):
    """Crossref's recorded 404 for 10.1371/notarealdoi is served; doi.org's handle API was
    never recorded, so the DOI chain cannot end: "could not verify", never "does not exist"."""
    root = project(tmp_path, entry("fake2012", "misc", title="No such work", year="2012", doi="10.1371/notarealdoi"))
    code, report = check(root, emulator, env=env(replay, emulator))
    assert code == 3 and statuses(report) == {"fake2012": "unavailable"}
    assert {p["code"] for p in report["problems"]} == {"registry-unavailable"}
    assert "HTTP 421" in report["problems"][0]["message"]  # the replay's "not recorded"


def test_fix_leaves_the_correct_bib_alone(tmp_path, replay, emulator):
    root = project(tmp_path, CORRECT)
    result = invoke(root, ["fix"], env(replay, emulator))
    assert result.exit_code == 0 and result.stdout == "", result.stdout + result.stderr
    assert "needs no change" in result.stderr


def test_fix_write_repairs_the_planted_metadata_and_check_then_finds_nothing(tmp_path, replay, emulator):
    bib = CORRECT
    for key, (old, new), _ in PLANTED[:6]:  # the field errors (a DOI of another work is the editor's to fix)
        bib = replaced(bib, key, old, new)
    root = project(tmp_path, bib)
    result = invoke(root, ["fix", "--write"], env(replay, emulator))
    assert result.exit_code == 0, result.stderr
    assert "Wrote 6 changes to" in result.stderr
    text = (root / "references.bib").read_text(encoding="utf-8")
    assert len(pybtex.database.parse_string(text, "bibtex").entries) == 48
    entries = text.split("\n\n", 1)[1]  # (after the header comment)
    assert not re.search(r"<[a-z]|&amp;|mml:", entries)
    code, report = check(root, emulator, env=env(replay, emulator))
    assert code == 0 and report["problems"] == []


def test_fix_proposes_the_published_version_of_a_preprint(tmp_path, replay, emulator):
    preprint = next(text for key, text, _ in ADDED if key == "herger2024")
    root = project(tmp_path, preprint)
    result = invoke(root, ["fix", "--write"], env(replay, emulator))
    assert result.exit_code == 0, result.stderr
    text = (root / "references.bib").read_text(encoding="utf-8")
    assert "@article{herger2024," in text and "10.1016/j.xgen.2025.100814" in text and "bioRxiv" not in text
    assert re.search(r"journal += \{Cell Genomics\}", text) and re.search(r"pages += \{100814\}", text)
    code, report = check(root, emulator, env=env(replay, emulator))
    assert code == 0 and report["problems"] == []
    # with the published version in the bib already, fix says to cite it instead
    both = project(tmp_path / "both", preprint + CORRECT)
    result = invoke(both, ["fix"], env(replay, emulator))
    assert result.exit_code == 1 and "has already as 'herger2025': cite [@herger2025]" in result.stderr


#: Recorded works with markup in their titles, running heads, an upper-case article id,
#: "&amp;" in the journal, an escaped <subtitle>: what `add` must write as clean BibTeX.
ADD = ["10.1103/physrevc.91.057301", "10.1103/physrevmaterials.5.064417", "10.1021/jp502220m",
       "10.14814/phy2.12263", "10.1002/kin.20537", "10.1002/etep.2028", "10.1111/j.1368-5031.2005.00652.x",
       "10.1002/fee.70021", "10.1136/jclinpath-2020-206745", "10.1116/1.4886095", "10.1002/zaac.19271660112",
       "10.1155/s0161171292000589", "10.1001/archpedi.1951.02040040742008", "10.1111/lre.12309",
       "10.1007/s00142-022-00530-w"]


def test_add_writes_clean_bibtex_that_renders_as_the_record(tmp_path, replay, emulator):
    root = project(tmp_path, "% added\n", keys=[])
    result = invoke(root, ["add", *ADD], env(replay, emulator))
    assert result.exit_code == 0, result.stderr
    keys = result.stdout.split()
    assert len(keys) == len(ADD)
    text = (root / "references.bib").read_text(encoding="utf-8")
    entries = pybtex.database.parse_string(text, "bibtex").entries  # pybtex reads it
    assert list(entries) == keys
    assert "<" not in text and "&amp;" not in text and "mml" not in text
    for doi, key in zip(ADD, keys):
        record = crossref.parse_work(replay.recordings.work(doi).item, doi, "2026-01-05T10:00:00Z")
        title = from_tex(entries[key].fields["title"])
        expected = markup.full_title(record)
        assert title.html() == expected.html() and title.plain() == expected.plain(), (doi, title.tex())
        assert not title.warnings, (doi, title.warnings)
    assert re.search(r"pages += \{04E109\}", text)  # the case kept
    assert "HARMONIC INTERACTION OF THE UPFC" not in text and "Rosiglitazone Plus Metformin for" not in text
    assert "Operationstechnik" in text  # a real subtitle
    assert re.search(r"journal += \{Journal of Vacuum Science \\& Technology B", text)
    assert "J. Vac. Sci." not in text and "Int. Trans. Electr." not in text  # never Crossref's short title
    # our own checks: offline (the bib), then online (against the records), then offline against the lock
    bib = load_bib(root / "references.bib")
    assert bib.problems == [] and validate_references(bib.references) == []
    (root / "docs" / "index.md").write_text("".join(f"Work [@{k}].\n\n" for k in keys), encoding="utf-8")
    code, report = check(root, emulator, env=env(replay, emulator))
    assert code == 0 and report["problems"] == [], report["problems"]
    code, report = check(root, emulator, "--offline", env=env(replay, emulator))
    assert code == 0 and report["problems"] == [] and set(statuses(report).values()) == {"verified"}


def test_add_of_a_recorded_preprint_says_it_was_published(tmp_path, replay, emulator):
    root = project(tmp_path, "% added\n", keys=[])
    result = invoke(root, ["add", "10.1101/2024.04.01.587366"], env(replay, emulator))
    assert result.exit_code == 0, result.stderr
    assert "published as doi:10.1016/j.xgen.2025.100814" in result.stderr


# --------------------------------------------------------------------------- read directly

def test_real_esummary_json_has_the_shape_citeproof_reads():
    """The only esummary JSON recorded is of db=pmc (citeproof asks db=pubmed, so the replay
    cannot serve it): its 200 documents are NCBI's JSON all the same, and each passes the
    shape check and parses."""
    result = next(r for r in Recordings().all if r.kind == "esummary-json").json()["result"]
    pubmed._check_result(result, result["uids"])
    records = [pubmed.parse_summary(result[uid], uid, "2026-01-05T10:00:00Z") for uid in result["uids"]]
    assert len(records) == 200 and all(r.title and r.authors for r in records)
    first = records[0]
    assert (first.authors[0].family, first.authors[0].given, first.doi, first.pages) == (
        "Schenck", "LP", "10.1128/mSphere.00562-20", "e00562-20")


def test_a_real_pmc_id_converter_record_has_the_shape_citeproof_reads():
    """Recorded for a DOI (citeproof asks for PMCIDs, so the replay cannot serve it)."""
    data = next(r for r in Recordings().all if r.file == "idconv/idconv-10.1038_ng.590.json").json()
    schema.check(data["records"], schema.list_of(idconv.RECORD, 1), "the PMC ID converter", "records")
    [record] = data["records"]
    assert idconv._requested(record) == "PMC2883744"
    assert (record["pmid"], record["doi"]) == ("20495566", "10.1038/ng.590")


def test_the_site_renders_an_added_title_as_the_record(tmp_path, replay, emulator):
    root = project(tmp_path, "% added\n", keys=[])
    result = invoke(root, ["add", "10.1021/jp502220m", "10.14814/phy2.12263"], env(replay, emulator))
    assert result.exit_code == 0, result.stderr
    keys = result.stdout.split()
    (root / "docs" / "index.md").write_text("# A\n\n" + " ".join(f"[@{k}]" for k in keys) + "\n\n\\bibliography\n",
                                            encoding="utf-8")
    site = Scratch(root)
    assert site.build().returncode == 0
    html = site.html()
    assert "Al<sub>2</sub>O<sub>3</sub>-Sheathed" in html and "<i>Ostα<sup>−/−</sup></i>" in html
    assert "\\textit" not in html and "\\textsubscript" not in html
