"""The registry table: one entry configures, reports and locks a registry; the README follows it."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from scratch import FIXTURE_BIB, check, make_project, statuses

from citeproof import registries
from citeproof.bib import parse_bib_text
from citeproof.cli import environment_markdown, main
from citeproof.errors import ConfigError
from citeproof.identifiers import doi_key
from citeproof.lock import Lock
from citeproof.model import PROBLEM_CODES, Author, Lookup, ProblemCode, Record
from citeproof.registries import (REGISTRIES, Ask, Policy, Rate, Registry, RegistryConfig,
                                  RegistryUnavailable, Role, Source)
from citeproof.registries.http import utc_now

ROOT = Path(__file__).resolve().parents[1]
SUH = parse_bib_text(FIXTURE_BIB, "references.bib").references["suh2019"]
SUH_BIB = re.search(r"@article\{suh2019,.*?\n\}\n", FIXTURE_BIB, re.S).group(0)


# --------------------------------------------------------------------------- a fake registry

class FakeIndex(BaseHTTPRequestHandler):
    """``GET /works?ids=DOI,DOI`` -> ``{"works": [...]}``: what the bib says about SUH
    (under ``title`` when set), or 403 when ``refuse``."""

    refuse = False
    missing = False  # answer as if the index lacked every work
    title = ""
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        ids = parse_qs(url.query).get("ids", [""])[0].split(",")
        FakeIndex.asked.extend(ids)
        if FakeIndex.refuse or url.path != "/works":
            self.send_response(403)
            self.end_headers()
            return
        works = [{"doi": SUH.doi, "title": FakeIndex.title or SUH.title, "year": SUH.year,
                  "authors": [[a.family, a.given] for a in SUH.authors]}
                 for d in ids if doi_key(d) == doi_key(SUH.doi) and not FakeIndex.missing]
        body = json.dumps({"works": works}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def fake_fetch(ask: Ask) -> dict[str, dict[str, Lookup]]:
    if not ask.dois:
        return {"fake": {}}
    try:
        answer = ask.http.get(f"{ask.base}/works", {"ids": ",".join(ask.dois)})
        if answer.status != 200:
            raise RegistryUnavailable(f"the index answered HTTP {answer.status}")
        works = {doi_key(w["doi"]): w for w in answer.json()["works"]}
    except RegistryUnavailable as exc:
        return {"fake": {doi_key(d): Lookup("fake", d, "unavailable", reason=exc.reason) for d in ask.dois}}
    out = {}
    for d in ask.dois:
        w = works.get(doi_key(d))
        record = w and Record(source="fake", identifier=d, retrieved=utc_now(), title=w["title"],
                              authors=tuple(Author(*a) for a in w["authors"]), year=w["year"], doi=d)
        out[doi_key(d)] = Lookup("fake", d, "found", record) if w else Lookup("fake", d, "not-found")
    return {"fake": out}


FAKE = Registry(name="fake", label="Fake Index", env_var="CITEPROOF_FAKE_URL",
                default_url="https://fake.invalid", policy=Policy("https://fake.invalid/policy", Rate(20.0, 2)),
                sources=(Source("fake", "Fake", Role.DOI_METADATA),), fetch=fake_fetch)


@pytest.fixture
def fake_url():
    FakeIndex.refuse, FakeIndex.missing, FakeIndex.title, FakeIndex.asked = False, False, "", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fake_record() -> Record:
    return Record(source="fake", identifier=SUH.doi, retrieved="2026-01-05T10:00:00Z", title=SUH.title, doi=SUH.doi)


def test_an_extra_registry_is_configured_reported_and_locked(tmp_path, emulator, fake_url, monkeypatch):
    monkeypatch.setattr(registries, "REGISTRIES", (*REGISTRIES, FAKE))  # the only edit
    project = make_project(tmp_path, SUH_BIB)
    env = {"CITEPROOF_FAKE_URL": fake_url}

    code, report = check(project, emulator, env=env)  # configured: its variable is read
    assert code == 0, report["problems"]
    assert FakeIndex.asked == [SUH.doi]
    assert report["references"][0]["sources"] == ["crossref", "pubmed", "fake"]
    assert report["summary"]["endpoints"]["fake"] == fake_url
    entry = json.loads((project / "lock.json").read_text(encoding="utf-8"))["references"]["suh2019"]
    assert entry["endpoints"]["fake"] == fake_url  # locked: its endpoint and its record
    assert [r["source"] for r in entry["records"]] == ["crossref", "pubmed", "fake"]

    code, report = check(project, emulator, "--offline", env=env)  # the lock replays its answer
    assert code == 0 and statuses(report) == {"suh2019": "verified"}
    assert report["references"][0]["sources"] == ["crossref", "pubmed", "fake"]

    FakeIndex.refuse = True  # reported: an outage names it by its label
    code, report = check(project, emulator, "--max-age", "0", env=env)
    assert code == 3 and statuses(report) == {"suh2019": "unavailable"}
    outage = [p["message"] for p in report["problems"] if p["code"] == "registry-unavailable"]
    assert outage == ["suh2019: could not ask Fake Index: the index answered HTTP 403, so it is NOT verified "
                      "(could not verify, which is no verdict); run the check again later."]


def test_adding_a_registry_keeps_the_lock_and_a_second_opinion_may_lack_a_work(
        tmp_path, emulator, fake_url, monkeypatch):
    project = make_project(tmp_path, SUH_BIB)
    code, report = check(project, emulator)  # locked before the registry is added
    assert code == 0 and statuses(report) == {"suh2019": "verified"}
    monkeypatch.setattr(registries, "REGISTRIES", (*REGISTRIES, FAKE))
    env = {"CITEPROOF_FAKE_URL": fake_url}
    code, report = check(project, emulator, "--offline", env=env)  # the old entry is still trusted
    assert code == 0 and statuses(report) == {"suh2019": "verified"}
    assert not [p for p in report["problems"] if p["code"] == "not-verified"]

    FakeIndex.missing = True  # the fake index lacks this work: "not-found"
    code, report = check(project, emulator, "--max-age", "0", env=env)
    assert code == 0 and statuses(report) == {"suh2019": "verified"}, report["problems"]
    entry = json.loads((project / "lock.json").read_text(encoding="utf-8"))["references"]["suh2019"]
    assert [r["source"] for r in entry["records"]] == ["crossref", "pubmed"]  # locked all the same
    assert entry["endpoints"]["fake"] == fake_url


def test_an_extra_registrys_metadata_is_compared(tmp_path, emulator, fake_url, monkeypatch):
    monkeypatch.setattr(registries, "REGISTRIES", (*REGISTRIES, FAKE))
    FakeIndex.title = "A different paper altogether"
    project = make_project(tmp_path, SUH_BIB)
    code, report = check(project, emulator, env={"CITEPROOF_FAKE_URL": fake_url})
    assert code == 1 and statuses(report) == {"suh2019": "mismatch"}
    mismatch = next(p for p in report["problems"] if p["code"] == "metadata-mismatch")
    assert "title differs from Fake:" in mismatch["message"]


def test_an_extra_registrys_variable_help_and_lock_source_come_from_the_table(monkeypatch):
    with pytest.raises(ValueError, match="refusing a record from source 'fake'"):
        Lock().put("suh2019", SUH.doi, "", [fake_record()], "2026-01-05T10:00:00Z")
    monkeypatch.setattr(registries, "REGISTRIES", (*REGISTRIES, FAKE))
    assert Lock().put("suh2019", SUH.doi, "", [fake_record()], "2026-01-05T10:00:00Z").records[0].source == "fake"
    with pytest.raises(ConfigError, match="CITEPROOF_FAKE_URL .* must start with http"):
        RegistryConfig.from_env({"CITEPROOF_FAKE_URL": "ftp://fake.invalid"})
    assert RegistryConfig.from_env({}).official
    assert not RegistryConfig.from_env({"CITEPROOF_FAKE_URL": "http://127.0.0.1:9"}).official
    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    assert re.search(r"CITEPROOF_FAKE_URL\s+Fake Index base URL\s+\[https://fake.invalid\]", help_text)
    assert "| `CITEPROOF_FAKE_URL` | `https://fake.invalid` | Fake Index base URL |" in environment_markdown()


# --------------------------------------------------------------------------- the table itself

def test_every_registry_cites_its_public_policy_page_and_has_unique_names():
    for r in REGISTRIES:
        assert r.policy.page.startswith("https://") and "github.com/citeproof" not in r.policy.page
        assert r.policy.default.per_second > 0 and r.policy.default.concurrent >= 1
        assert r.default_url.startswith("https://") and r.env_var.startswith("CITEPROOF_")
    for attr in ("name", "label", "env_var", "default_url"):
        assert len({getattr(r, attr) for r in REGISTRIES}) == len(REGISTRIES), attr
    names = [s.name for s in registries.sources()]
    assert len(set(names)) == len(names)


def test_the_endpoints_are_the_tables_in_order():
    config = RegistryConfig()
    assert list(config.endpoints) == ["crossref", "doi.org", "eutils", "idconv"] == [r.name for r in REGISTRIES]
    assert config.endpoints == {r.name: r.default_url for r in REGISTRIES} and config.official
    with pytest.raises(ConfigError, match="unknown registry name"):
        RegistryConfig(urls={"crossreff": "https://api.crossref.org"})


def test_the_doi_chain_asks_doi_org_only_for_what_crossref_did_not_know():
    assert [r.name for r in registries.doi_chain()] == ["crossref", "doi.org"]
    crossref_nf = Lookup("crossref", "10.1/x", "not-found")
    handle = Lookup("doi.org", "10.1/x", "found", Record(source="doi.org", identifier="10.1/x", retrieved="t"))
    assert registries.found_elsewhere("crossref", {"crossref": crossref_nf, "doi.org": handle})
    assert not registries.found_elsewhere("doi.org", {"crossref": crossref_nf, "doi.org": handle})
    assert registries.replay({"doi.org": handle})["crossref"] == crossref_nf


def test_rate_policies_follow_the_settings():
    crossref, doi, eutils, idconv = REGISTRIES
    assert crossref.policy.rate(RegistryConfig()) == Rate(5.0, 1)
    assert crossref.policy.rate(RegistryConfig(mailto="me@example.org")) == Rate(10.0, 5)
    assert eutils.policy.rate(RegistryConfig(api_key="k")) == Rate(10.0, 3)
    assert doi.policy.rate(RegistryConfig(mailto="me@example.org", api_key="k")) == Rate(5.0, 2)
    assert idconv.policy.rate(RegistryConfig(mailto="me@example.org", api_key="k")) == Rate(3.0, 1)


# --------------------------------------------------------------------------- the manual follows

def _manual_section(page: str, title: str) -> str:
    text = (ROOT / "docs" / "manual" / page).read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_manuals_environment_table_is_what_the_table_renders():
    section = _manual_section("commands.md", "Environment")
    table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    assert table == environment_markdown()
    for r in REGISTRIES:
        assert f"`{r.env_var}`" in table


def test_the_manual_lists_exactly_the_problem_codes():
    paragraph = _manual_section("checking.md", "Reports").split("Problem codes:", 1)[1].split("\n\n", 1)[0]
    listed = [code for quoted in re.findall(r"`([^`]+)`", paragraph) for code in quoted.split()]
    assert len(listed) == len(set(listed))
    assert set(listed) == {c.value for c in ProblemCode} == set(PROBLEM_CODES)


def test_problem_codes_are_plain_strings_in_json():
    from citeproof.model import Problem
    data = Problem(ProblemCode.UNKNOWN_KEY, "error", "m").to_dict()
    assert type(data["code"]) is str and json.loads(json.dumps(data))["code"] == "unknown-key"
    assert ProblemCode.UNKNOWN_KEY == "unknown-key" and f"[{ProblemCode.UNKNOWN_KEY}]" == "[unknown-key]"
