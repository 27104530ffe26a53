"""`citeproof check` end to end, over real HTTP against the local registry emulator.

Every problem code is produced here by a real case; every fault mode ends in exit 3
("could not verify") within the deadline and never in a ``*-not-found`` verdict.
"""
from __future__ import annotations

import json
import time

import pytest
from emulator import (CORRECTED_DOI, DATACITE_DOI, RETRACTED_DOI, UNKNOWN_DOI, UNKNOWN_PMID)

from emulator.server import CSL_PATH
from scratch import FIXTURE_BIB, FIXTURE_KEYS, check, codes, invoke, make_project, set_field, statuses

EMU_ENTRIES = {
    "retracted": rf"""@article{{retracted,
  author = {{Tester, A. and Probe, B. C.}},
  title = {{An emulator test work that was retracted}},
  journal = {{J Emul Test Data}}, year = {{2020}}, volume = {{1}}, number = {{2}}, pages = {{10--19}},
  doi = {{{RETRACTED_DOI}}}, pmid = {{90000001}}
}}
""",
    "corrected": rf"""@article{{corrected,
  author = {{Probe, B. C.}},
  title = {{An emulator test work that was corrected}},
  journal = {{J Emul Test Data}}, year = {{2020}}, volume = {{1}}, number = {{3}}, pages = {{e0123}},
  doi = {{{CORRECTED_DOI}}}, pmid = {{90000003}}
}}
""",
    "datacite": rf"""@misc{{datacite,
  author = {{Tester, A.}},
  title = {{An emulator data set registered with DataCite}},
  year = {{2022}}, doi = {{{DATACITE_DOI}}}
}}
""",
}


def test_the_article_passes_with_the_identifierless_reference_as_a_warning(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    code, report = check(project, emulator)
    assert code == 0, report["problems"]
    st = statuses(report)
    assert st.pop("stankovic2012") == "no-identifier"
    assert set(st.values()) == {"verified"}
    warning = next(p for p in report["problems"] if p["key"] == "stankovic2012")
    assert warning["severity"] == "warning" and "search.pedro.org.au" in warning["message"]
    assert report["summary"]["errors"] == 0
    assert report["summary"]["requests"] <= 4
    assert len(emulator.requests) == report["summary"]["requests"]


def test_warm_run_makes_no_request_and_offline_replays_the_lock(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    assert check(project, emulator)[0] == 0
    lock = json.loads((project / "lock.json").read_text(encoding="utf-8"))
    assert set(lock["references"]) == set(FIXTURE_KEYS) - {"stankovic2012"}
    emulator.reset()
    code, report = check(project, emulator)
    assert code == 0 and len(emulator.requests) == 0 and report["summary"]["requests"] == 0
    code, report = check(project, emulator, "--offline")
    assert code == 0 and len(emulator.requests) == 0
    assert statuses(report)["suh2019"] == "verified"
    # an identifier changed since it was locked: reported as not verified, not as verified
    changed = set_field(FIXTURE_BIB, "suh2019", "pmid", "31261548")
    (project / "references.bib").write_text(changed, encoding="utf-8")
    code, report = check(project, emulator, "--offline")
    assert statuses(report)["suh2019"] == "not-checked"
    assert "not-verified" in codes(report, "suh2019")


def test_stale_lock_entries_are_asked_again(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    assert check(project, emulator)[0] == 0
    emulator.reset()
    code, _ = check(project, emulator, "--max-age", "0")
    assert code == 0 and len(emulator.requests) > 0


def test_the_printed_citations_errors_are_found(tmp_path, emulator):
    printed = set_field(FIXTURE_BIB, "gordon2016", "author", "Gorden, R. and Bloxham, S.")
    printed = set_field(printed, "gordon2016", "journal", "Healthcare (Basal)")
    printed = set_field(printed, "gordon2016", "pages", "22--40")
    assert printed.count("Gorden") == 1 and "Basal" in printed and "22--40" in printed
    code, report = check(make_project(tmp_path, printed), emulator)
    assert code == 1
    found = {(p["key"], p["field"]) for p in report["problems"] if p["code"] == "metadata-mismatch"}
    assert {("gordon2016", "author"), ("gordon2016", "journal"), ("gordon2016", "pages")} <= {
        (k, f if f != "authors" else "author") for k, f in found}
    assert statuses(report)["gordon2016"] == "mismatch"
    assert statuses(report)["paolucci2019"] == "verified"  # online 2018, volume 2019
    assert statuses(report)["barzilay2016"] == "verified"  # online 2015, issue 2016


def test_swapped_dois_are_caught(tmp_path, emulator):
    suh_doi, kim_doi = "10.1097/MD.0000000000016173", "10.5535/arm.2017.41.5.786"
    swapped = FIXTURE_BIB.replace(suh_doi, "@@SUH@@").replace(kim_doi, suh_doi).replace("@@SUH@@", kim_doi)
    code, report = check(make_project(tmp_path, swapped), emulator)
    assert code == 1
    for key in ("suh2019", "kim2017"):
        assert {"doi-pmid-conflict", "metadata-mismatch"} & codes(report, key)
        assert statuses(report)[key] == "mismatch"


def test_a_fabricated_pmid_is_not_found(tmp_path, emulator):
    bib = set_field(FIXTURE_BIB, "suh2019", "pmid", UNKNOWN_PMID)
    code, report = check(make_project(tmp_path, bib), emulator)
    assert code == 1 and "pmid-not-found" in codes(report, "suh2019")
    assert statuses(report)["suh2019"] == "not-found"


def test_a_doi_no_agency_knows_is_not_found(tmp_path, emulator):
    bib = FIXTURE_BIB.replace("10.1186/s41983-019-0124-5", UNKNOWN_DOI)
    code, report = check(make_project(tmp_path, bib), emulator)
    assert code == 1 and "doi-not-found" in codes(report, "fahmy2019")
    assert statuses(report)["fahmy2019"] == "not-found"
    assert emulator.count("doi", UNKNOWN_DOI) == 1  # doi.org was asked before calling it dangling


def test_a_datacite_doi_is_not_dangling(tmp_path, emulator):
    project = make_project(tmp_path, EMU_ENTRIES["datacite"])
    code, report = check(project, emulator)
    assert code == 0, report["problems"]
    (result,) = report["references"]
    assert result["status"] == "verified" and "doi.org" in result["sources"]
    assert not codes(report, "datacite")
    assert emulator.count("doi", f"{CSL_PATH}{DATACITE_DOI}") == 1  # compared with the CSL-JSON
    # the doi.org record (with its metadata) is locked and replayed offline
    emulator.reset()
    code, report = check(project, emulator, "--offline")
    assert code == 0 and statuses(report)["datacite"] == "verified" and not emulator.requests


def test_a_datacite_doi_whose_metadata_differs_is_a_mismatch(tmp_path, emulator):
    bib = EMU_ENTRIES["datacite"].replace("{2022}", "{2021}").replace("Tester, A.", "Testor, A.")
    code, report = check(make_project(tmp_path, bib), emulator)
    assert code == 1 and statuses(report)["datacite"] == "mismatch"
    fields = {p["field"] for p in report["problems"] if p["code"] == "metadata-mismatch"}
    assert fields == {"year", "author"}
    assert all("doi.org" in p["message"] for p in report["problems"] if p["code"] == "metadata-mismatch")


@pytest.mark.slow
@pytest.mark.parametrize("fault,path", [("403", "/10."), ("429", "/10."), ("html", CSL_PATH),
                                        ("truncated", CSL_PATH), ("503", CSL_PATH)])
def test_a_datacite_doi_whose_metadata_cannot_be_fetched_is_unavailable(tmp_path, emulator, fault, path):
    emulator.set_fault("doi", fault, path=path)
    code, report = check(make_project(tmp_path, EMU_ENTRIES["datacite"]), emulator,
                         "--timeout", "0.5", "--deadline", "3")
    assert code == 3 and statuses(report)["datacite"] == "unavailable"
    assert "doi-not-found" not in codes(report) and "not-verified" in codes(report, "datacite")
    doi_paths = [r.path for r in emulator.requests if r.service == "doi"]
    assert doi_paths.count(f"/api/handles/{DATACITE_DOI}") == 1  # the handle answered; then the fault
    assert any(q.startswith(path) for q in doi_paths if not q.startswith("/api/"))


def test_a_doi_pmid_pair_of_two_papers_conflicts(tmp_path, emulator):
    bib = set_field(FIXTURE_BIB, "suh2019", "pmid", "29201817")  # Suh's DOI, Kim's PMID
    code, report = check(make_project(tmp_path, bib), emulator)
    assert code == 1 and "doi-pmid-conflict" in codes(report, "suh2019")
    conflict = next(p for p in report["problems"] if p["code"] == "doi-pmid-conflict" and p["key"] == "suh2019")
    assert conflict["file"] == "references.bib" and conflict["line"]


def test_a_retracted_work_fails_and_a_corrected_one_warns(tmp_path, emulator):
    code, report = check(make_project(tmp_path, EMU_ENTRIES["retracted"] + EMU_ENTRIES["corrected"]),
                            emulator)
    assert code == 1
    assert statuses(report)["retracted"] == "retracted"
    assert "retracted" in codes(report, "retracted")
    updated = [p for p in report["problems"] if p["code"] == "updated"]
    assert updated and all(p["severity"] == "warning" for p in updated)
    assert statuses(report)["corrected"] == "verified"


def test_offline_problem_codes(tmp_path, emulator):
    bib = FIXTURE_BIB + r"""
@article{Suh2019,
  author = {Suh, J. H.}, title = {Dup}, journal = {J}, year = {2019}, doi = {10.1/x}
}
@article{noids,
  author = {Nobody, N.}, title = {No identifiers}, journal = {J}, year = {2001}
}
@article{badids,
  author = {Nobody, N.}, title = {Bad identifiers}, journal = {J}, year = {2001},
  doi = {not-a-doi}, pmid = {12ab}
}
@article{prefixed,
  author = {Nobody, N.}, title = {Prefixed}, journal = {J}, year = {2001},
  doi = {https://doi.org/10.1/prefixed}
}
@article{broken,
  title = {Unclosed,
  year = {2001}
}
"""
    project = make_project(tmp_path, bib, keys=FIXTURE_KEYS + ["noids", "badids", "prefixed", "nosuchkey"])
    code, report = check(project, emulator, "--offline")
    assert code == 1
    found = codes(report)
    assert {"duplicate-key", "unknown-key", "missing-identifier", "invalid-doi", "invalid-pmid",
            "bib-syntax"} <= found
    # an entry in the bib that no page cites
    project2 = make_project(tmp_path / "p2", FIXTURE_BIB, keys=FIXTURE_KEYS[:-1])
    code, report = check(project2, emulator, "--offline")
    assert "unused-entry" in codes(report, FIXTURE_KEYS[-1]) and code == 0
    assert len(emulator.requests) == 0  # offline means no request at all


@pytest.mark.slow
@pytest.mark.parametrize("service,fault", [
    ("crossref", "500"), ("crossref", "html"), ("crossref", "truncated"), ("crossref", "reset"),
    ("crossref", "hang"), ("crossref", "429"), ("eutils", "503"), ("eutils", "html"),
    ("eutils", "truncated"), ("eutils", "reset"), ("eutils", "hang"), ("eutils", "429"),
])
def test_every_fault_mode_means_could_not_verify(tmp_path, emulator, service, fault):
    emulator.set_fault(service, fault)
    project = make_project(tmp_path, FIXTURE_BIB)
    started = time.monotonic()
    code, report = check(project, emulator, "--timeout", "0.5", "--deadline", "3")
    elapsed = time.monotonic() - started
    assert code == 3, report["problems"]
    assert elapsed < 3 + 0.5 + 2  # the deadline, one timeout, and some slack for the machine
    assert not {"doi-not-found", "pmid-not-found"} & codes(report)
    assert "unavailable" in statuses(report).values()
    assert "registry-unavailable" in codes(report)
    assert not (project / "lock.json").exists() or all(
        k not in json.loads((project / "lock.json").read_text())["references"]
        for k, s in statuses(report).items() if s == "unavailable")


def test_doi_org_blocking_bots_is_not_a_verdict(tmp_path, emulator):
    emulator.set_fault("doi", "403")
    code, report = check(make_project(tmp_path, FIXTURE_BIB.replace("10.1186/s41983-019-0124-5", UNKNOWN_DOI)),
                            emulator)
    assert code == 3 and statuses(report)["fahmy2019"] == "unavailable"
    assert "doi-not-found" not in codes(report)


@pytest.mark.slow
def test_the_api_key_is_never_printed(tmp_path, emulator):
    secret = "s3cr3t-ncbi-key-0123456789"
    emulator.set_fault("eutils", "500")
    project = make_project(tmp_path, FIXTURE_BIB)
    for fmt in ("json", "text", "github"):
        result = invoke(project, ["check", "--format", fmt, "--timeout", "0.5", "--deadline", "2",
                                  "--lock", str(project / "lock.json")],
                        {**emulator.env(), "NCBI_API_KEY": secret})
        assert result.exit_code == 3
        assert secret not in result.output
    # the key was really sent (so the test above could have failed)
    assert any(r.query.get("api_key") in (secret, [secret]) for r in emulator.requests if r.service == "eutils")


def test_the_default_lock_is_not_written_from_an_emulator(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    result = invoke(project, ["check", "--format", "json"], emulator.env())
    assert result.exit_code == 0
    assert not (project / "citations.lock.json").exists()
    assert "NOT written" in json.loads(result.stdout)["summary"]["lock"]


def test_an_emulator_lock_is_never_written_to_the_default_path(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    result = invoke(project, ["check", "--format", "json", "--lock", "citations.lock.json"], emulator.env())
    assert result.exit_code == 0
    assert not (project / "citations.lock.json").exists()


def test_emulator_answers_are_not_trusted_by_a_run_against_the_real_registries(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    assert check(project, emulator)[0] == 0  # writes lock.json from the emulator (explicit --lock)
    locked = json.loads((project / "lock.json").read_text(encoding="utf-8"))["references"]
    assert locked["suh2019"]["endpoints"]["crossref"] == emulator.crossref_url
    # offline with the real endpoints (no CITEPROOF_*_URL): nothing may come out verified
    result = invoke(project, ["check", "--offline", "--format", "json", "--lock", "lock.json"], {
        "CITEPROOF_CROSSREF_URL": None, "CITEPROOF_DOI_URL": None, "CITEPROOF_EUTILS_URL": None})
    report = json.loads(result.stdout)
    assert "verified" not in statuses(report).values()
    assert any(p["code"] == "not-verified" and "not answered by the registry endpoints" in p["message"]
               for p in report["problems"])


def test_offline_without_lock_entries_says_nothing_is_verified(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    code, report = check(project, emulator, "--offline")
    assert code == 0
    warnings = [p for p in report["problems"] if p["code"] == "not-verified"]
    assert len(warnings) == 1 and "14 more" not in warnings[0]["message"]
    assert "nothing verifies them offline" in warnings[0]["message"]
    assert "no lock file at" in report["summary"]["lock"]


@pytest.mark.slow
def test_one_outage_is_one_message(tmp_path, emulator):
    emulator.set_fault("eutils", "503")
    code, report = check(make_project(tmp_path, FIXTURE_BIB), emulator, "--timeout", "0.5", "--deadline", "3")
    assert code == 3
    outages = [p for p in report["problems"] if p["code"] == "registry-unavailable"]
    assert len(outages) == 1 and "PubMed" in outages[0]["message"] and "suh2019" in outages[0]["message"]


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["500", "html", "truncated", "reset", "hang", "429", "403"])
def test_doi_org_faults_mean_could_not_verify(tmp_path, emulator, fault):
    """A DOI Crossref does not know goes to doi.org; when doi.org fails, there is no verdict."""
    emulator.set_fault("doi", fault)
    bib = FIXTURE_BIB.replace("10.1186/s41983-019-0124-5", UNKNOWN_DOI)
    started = time.monotonic()
    code, report = check(make_project(tmp_path, bib), emulator, "--timeout", "0.5", "--deadline", "3")
    assert time.monotonic() - started < 3 + 0.5 + 2
    assert code == 3 and statuses(report)["fahmy2019"] == "unavailable"
    assert not {"doi-not-found", "pmid-not-found"} & codes(report)


def test_a_lock_entry_without_endpoints_or_from_the_future_is_not_trusted(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    assert check(project, emulator)[0] == 0
    lock_path = project / "lock.json"
    data = json.loads(lock_path.read_text(encoding="utf-8"))
    del data["references"]["suh2019"]["endpoints"]  # a hand-edited entry: who answered?
    data["references"]["kim2017"]["retrieved"] = "2999-01-01T00:00:00+00:00"
    lock_path.write_text(json.dumps(data), encoding="utf-8")
    code, report = check(project, emulator, "--offline")
    assert statuses(report)["suh2019"] == "not-checked"
    emulator.reset()
    code, report = check(project, emulator)
    assert code == 0 and statuses(report)["kim2017"] == "verified"
    asked = {r.query.get("id") for r in emulator.requests if r.service == "eutils"}
    assert any("29201817" in str(q) for q in asked)  # the future-dated entry was asked again


def test_an_unwritable_lock_is_exit_2_after_the_report(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    result = invoke(project, ["check", "--format", "json", "--lock", str(project / "no" / "such" / "l.json")],
                    emulator.env())
    assert result.exit_code == 2
    assert "NOT written" in json.loads(result.stdout)["summary"]["lock"]


def test_a_bad_registry_url_is_a_usage_error_offline_too(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    result = invoke(project, ["check", "--offline"], {"CITEPROOF_CROSSREF_URL": "foo"})
    assert result.exit_code == 2 and "CITEPROOF_CROSSREF_URL" in (result.stderr or result.output)


def test_offline_replay_of_an_emulator_lock_says_so(tmp_path, emulator):
    project = make_project(tmp_path, FIXTURE_BIB)
    assert check(project, emulator)[0] == 0
    result = invoke(project, ["check", "--offline", "--lock", "lock.json"], emulator.env())
    assert result.exit_code == 0
    assert "Registry endpoints are overridden" in result.output and "not the real registries" in result.output


def test_only_the_cli_reads_the_environment(tmp_path, monkeypatch):
    """run_check uses the RegistryConfig it is given (default: the real registries), never os.environ."""
    from citeproof.check import CheckOptions, run_check
    from citeproof.config import project_paths

    project = make_project(tmp_path, EMU_ENTRIES["datacite"])
    monkeypatch.setenv("CITEPROOF_CROSSREF_URL", "ftp://not-read.invalid")
    paths = project_paths(project / "mkdocs.yml")
    assert paths.lock == project / "citations.lock.json"
    result = run_check(CheckOptions(bib=paths.bib, docs=paths.docs, lock=paths.lock, offline=True))
    assert result.official and result.endpoints["crossref"] == "https://api.crossref.org"
    assert [r.status for r in result.references] == ["not-checked"]
    invoked = invoke(project, ["check", "--offline"], {"CITEPROOF_CROSSREF_URL": "ftp://not-read.invalid"})
    assert invoked.exit_code == 2 and "CITEPROOF_CROSSREF_URL" in invoked.stderr
