"""The registry clients over real HTTP against the local emulator."""
import os
import threading
from collections import Counter
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from citeproof.registries import ConfigError, RegistryConfig, make_client, resolve
from citeproof.registries import crossref, doi, pubmed
from citeproof.registries.http import Answer, RateLimit, RegistryUnavailable, parse_retry_after, redact
from emulator import (ARTICLE, CORRECTED_DOI, DATACITE_DOI, INVALID_API_KEY, RETRACTED_DOI,
                      RETRACTION_NOTICE_DOI, UNKNOWN_DOI, UNKNOWN_PMID, synthetic_works)
from emulator.server import CSL_PATH

SECRET = "S3CRETKEY0123456789"
SYN = list(synthetic_works(1200))


def config(emu, **kw):
    return RegistryConfig(urls={"crossref": emu.crossref_url, "doi.org": emu.doi_url, "eutils": emu.eutils_url}, **kw)


def client(emu, registry=None, *, timeout=(1.0, 1.0), retries=3, **kw):
    """A client with the real rate limits and fast backoff, for quick tests; speaking as
    ``registry`` (its label, limit and mailto) when one is named."""
    http = make_client(config(emu, timeout=timeout, **kw))
    http.backoff, http.max_retries = 0.01, retries
    return http.speaking_for(registry) if registry else http


def work(key):
    return next(w for w in ARTICLE if w.key == key)


# --- http.py ---------------------------------------------------------------------------

def test_only_a_run_that_asks_a_registry_imports_the_http_library(tmp_path, emulator):
    """requests and urllib3 come with the first client (``registries/transport.py``): an
    offline check and a site build (the plugin, the Python-Markdown extension) never
    import them; a check that asks the registries does."""
    import subprocess
    import sys

    from scratch import FIXTURE, copy_article

    project = copy_article(tmp_path / "article", FIXTURE)
    imported = ("import atexit, sys; atexit.register(lambda: print('HTTP', sorted(m for m in "
                "('requests', 'urllib3') if m in sys.modules), file=sys.stderr)); "
                "import citeproof.mkdocs_plugin, citeproof.markdown_ext; "
                "from citeproof.cli import main; main(prog_name='citeproof')")

    def http_modules(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", imported, "check", "--lock", "lock.json", *args],
                              cwd=project, capture_output=True, text=True, env={**os.environ, **emulator.env()})
        assert done.returncode in (0, 1), done.stderr
        return done.stderr.rsplit("HTTP ", 1)[1].strip()

    assert http_modules("--offline") == "[]"
    assert http_modules() == "['requests', 'urllib3']"



def test_user_agent_names_the_tool_and_mailto_only_when_given(emulator):
    crossref.fetch_works(client(emulator, "crossref"), emulator.crossref_url, [work("suh2019").doi])
    crossref.fetch_works(client(emulator, "crossref", mailto="me@example.org"), emulator.crossref_url, [work("suh2019").doi])
    anon, polite = (r.user_agent for r in emulator.requests)
    assert anon == "citeproof/0.1.0 (https://github.com/citeproof/citeproof)"
    assert polite == "citeproof/0.1.0 (https://github.com/citeproof/citeproof; mailto:me@example.org)"
    assert emulator.requests[1].query["mailto"] == "me@example.org" and "mailto" not in emulator.requests[0].query


def test_rate_limit_spaces_starts_and_caps_concurrency():
    limit, inside, peak, lock = RateLimit(20, 2), [0], [0], threading.Lock()

    def job():
        assert limit.acquire()
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        time.sleep(0.1)  # longer than the spacing (1/20 s plus the margin): two overlap
        with lock:
            inside[0] -= 1
        limit.release()

    started = time.monotonic()
    threads = [threading.Thread(target=job) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert peak[0] == 2 and time.monotonic() - started >= 5 / 20
    assert RateLimit(1, 1).acquire(deadline=time.monotonic() + 5)
    late = RateLimit(1, 1)
    late.acquire()
    assert late.acquire(deadline=time.monotonic() + 0.1) is False  # the next slot is 1 s away


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3.0
    future = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 28 <= parse_retry_after(future) <= 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.slow
def test_429_retry_after_is_honoured_then_success(emulator):
    emulator.set_fault("crossref", "429", times=1)  # Retry-After: 1
    http = client(emulator, "crossref")
    started = time.monotonic()
    out = crossref.fetch_works(http, emulator.crossref_url, [work("suh2019").doi])
    assert time.monotonic() - started >= 0.95  # waited Retry-After, not the 0.01 s backoff
    assert out[work("suh2019").doi.lower()].status == "found"
    assert (http.status_429, http.retries, http.requests) == (1, 1, 2)


def test_retry_after_past_the_deadline_gives_up_at_once(emulator):
    emulator.retry_after = "30"
    emulator.set_fault("crossref", "429")
    http = client(emulator, "crossref")
    http._end = time.monotonic() + 3
    started = time.monotonic()
    look = crossref.fetch_works(http, emulator.crossref_url, [work("suh2019").doi])[work("suh2019").doi.lower()]
    assert look.status == "unavailable" and "deadline" in look.reason
    assert time.monotonic() - started < 1 and emulator.count("crossref") == 1


@pytest.mark.slow
def test_deadline_ends_a_hang_within_deadline_plus_timeout(emulator):
    emulator.hang_seconds = 5
    emulator.set_fault("crossref", "hang")
    http = client(emulator, "crossref", timeout=(0.5, 0.4), deadline=1.0)
    started = time.monotonic()
    look = crossref.fetch_works(http, emulator.crossref_url, [work("suh2019").doi])[work("suh2019").doi.lower()]
    elapsed = time.monotonic() - started
    assert look.status == "unavailable" and elapsed < 1.0 + 0.4 + 0.3
    assert emulator.count("crossref") <= 3


def test_no_request_starts_after_the_deadline(emulator):
    res = resolve(config(emulator, deadline=0.0), [work("suh2019").doi], ["31261549"], [work("fahmy2019").doi])
    assert res.requests == 0 and emulator.requests == []
    assert {lk.status for d in (res.answers["crossref"], res.answers["pubmed"], res.answers["esearch"]) for lk in d.values()} == {"unavailable"}


def test_response_size_is_capped(emulator):
    http = client(emulator, "crossref")
    http.max_bytes = 2000
    out = crossref.fetch_works(http, emulator.crossref_url, [w.doi for w in SYN[:30]])
    assert {lk.status for lk in out.values()} == {"unavailable"}
    assert "larger than the 2000 bytes cap" in next(iter(out.values())).reason


def test_redact_and_config_hide_the_api_key():
    assert SECRET not in redact(f"https://x/esummary.fcgi?db=pubmed&api_key={SECRET}&id=1")
    exc = RegistryUnavailable(f"failed: https://x/?api_key={SECRET}")
    assert SECRET not in str(exc) and SECRET not in repr(exc) and SECRET not in repr(exc.args)
    assert SECRET not in repr(RegistryConfig(api_key=SECRET))


@pytest.mark.parametrize("fault", ["429", "500", "reset", "hang", "truncated", "html"])
def test_api_key_never_in_a_reason(emulator, fault):
    emulator.retry_after, emulator.hang_seconds = "0", 1
    emulator.set_fault("eutils", fault)
    http = client(emulator, "eutils", api_key=SECRET, timeout=(0.5, 0.2), retries=1)
    out = pubmed.fetch_summaries(http, emulator.eutils_url, ["31261549"], api_key=SECRET)
    look = out["31261549"]
    assert look.status == "unavailable" and look.reason
    assert SECRET not in look.reason and SECRET not in repr(look)
    assert emulator.requests[0].query["api_key"] == SECRET  # it was sent, and not repeated


def test_api_key_hidden_from_urllib3_debug_log(emulator, caplog):
    caplog.set_level("DEBUG", logger="urllib3.connectionpool")
    pubmed.fetch_summaries(client(emulator, "eutils", api_key=SECRET), emulator.eutils_url, ["31261549"], api_key=SECRET)
    assert "esummary.fcgi" in caplog.text and "api_key=***" in caplog.text and SECRET not in caplog.text


def test_invalid_api_key_answer_is_unavailable_without_the_key(emulator):
    http = client(emulator, "eutils", api_key=INVALID_API_KEY)
    look = pubmed.fetch_summaries(http, emulator.eutils_url, ["31261549"], api_key=INVALID_API_KEY)["31261549"]
    assert look.status == "unavailable" and "400" in look.reason and INVALID_API_KEY not in look.reason


# --- every fault is "unavailable", never "not-found" ---------------------------------------

FAULT_KINDS = ["500", "503", "html", "truncated", "reset", "hang", "403", "429"]


def _ask(service, http, emu):
    if service == "crossref":
        return crossref.fetch_works(http, emu.crossref_url, [work("suh2019").doi, UNKNOWN_DOI])
    if service == "doi":
        return doi.fetch_handles(http, emu.doi_url, [DATACITE_DOI, UNKNOWN_DOI])
    return {**pubmed.fetch_summaries(http, emu.eutils_url, ["31261549", UNKNOWN_PMID]),
            **pubmed.search_pmids_by_doi(http, emu.eutils_url, [RETRACTED_DOI, UNKNOWN_DOI])}


@pytest.mark.slow
@pytest.mark.parametrize("service", ["crossref", "doi", "eutils"])
@pytest.mark.parametrize("fault", FAULT_KINDS)
def test_every_fault_is_unavailable_never_not_found(emulator, service, fault):
    emulator.retry_after, emulator.hang_seconds = "0", 1
    emulator.set_fault(service, fault)
    name = {"crossref": "crossref", "doi": "doi.org", "eutils": "eutils"}[service]
    out = _ask(service, client(emulator, name, timeout=(0.5, 0.2), retries=1), emulator)
    assert out and {lk.status for lk in out.values()} == {"unavailable"}
    assert all(lk.reason and lk.record is None for lk in out.values())


def test_a_transient_fault_is_retried(emulator):
    emulator.set_fault("eutils", "503", times=2)
    http = client(emulator, "eutils")
    assert pubmed.fetch_summaries(http, emulator.eutils_url, ["31261549"])["31261549"].status == "found"
    assert http.retries == 2


def test_403_is_not_retried(emulator):
    emulator.set_fault("doi", "403")
    http = client(emulator, "doi.org")
    look = doi.fetch_handles(http, emulator.doi_url, [DATACITE_DOI])[DATACITE_DOI.lower()]
    assert look.status == "unavailable" and "403" in look.reason and emulator.count("doi") == 1


# --- crossref.py ------------------------------------------------------------------------

def test_crossref_batch_sends_rows_and_parses_records(emulator):
    dois = [w.doi for w in ARTICLE if w.doi] + [UNKNOWN_DOI]
    out = crossref.fetch_works(client(emulator, "crossref"), emulator.crossref_url, dois)
    (req,) = emulator.requests
    assert req.path == "/works" and req.query["rows"] == str(len(dois)) and "updated-by" in req.query["select"]
    assert out[UNKNOWN_DOI.lower()].status == "not-found"
    paolucci = out["10.2147/jpr.s171729"].record
    assert (paolucci.year, paolucci.online_year, paolucci.pages) == ("2019", "2018", "95-107")
    assert paolucci.authors[0] == crossref.Author(family="Paolucci", given="T")
    gordon = out["10.3390/healthcare4020022"].record
    assert (gordon.journal, gordon.journal_abbrev, gordon.article_number, gordon.issue) == (
        "Healthcare", "Healthcare", "22", "2")
    assert out["10.1007/s00586-015-4004-0"].record.online_year == "2015"
    assert out["10.1186/s41983-019-0124-5"].record.article_number == "77"
    assert all(lk.record.source == "crossref" and lk.record.agency == "crossref"
               for lk in out.values() if lk.status == "found")


def test_crossref_updates_and_notices(emulator):
    out = crossref.fetch_works(client(emulator, "crossref"), emulator.crossref_url,
                               [RETRACTED_DOI, RETRACTION_NOTICE_DOI, CORRECTED_DOI])
    (update,) = out[RETRACTED_DOI].record.updates
    assert (update.kind, update.source, update.notice_doi, update.date) == (
        "retraction", "crossref", RETRACTION_NOTICE_DOI, "2021-03-01")
    assert out[CORRECTED_DOI].record.updates[0].kind == "correction"
    notice = out[RETRACTION_NOTICE_DOI].record
    assert notice.updates == () and "update-to:retraction" in notice.pubtypes


def test_crossref_batches_of_at_most_100(emulator):
    dois = [w.doi for w in SYN[:250]]
    out = crossref.fetch_works(client(emulator, "crossref", mailto="me@example.org"), emulator.crossref_url, dois)
    rows = [int(r.query["rows"]) for r in emulator.requests]
    assert sorted(rows) == [50, 100, 100] and all(lk.status == "found" for lk in out.values())
    assert len(out) == 250


def test_crossref_splits_batches_to_avoid_414(emulator):
    long_dois = [f"10.5555/{'long-suffix-' * 12}{i}" for i in range(100)]
    out = crossref.fetch_works(client(emulator, "crossref", mailto="me@example.org"), emulator.crossref_url, long_dois)
    assert {lk.status for lk in out.values()} == {"not-found"}  # answered, not 414 -> unavailable
    assert len(emulator.requests) >= 3
    assert sum(int(r.query["rows"]) for r in emulator.requests) == 100


def test_crossref_doi_with_comma_uses_the_single_work_route(emulator):
    out = crossref.fetch_works(client(emulator, "crossref"), emulator.crossref_url, ["10.5555/a,b", RETRACTED_DOI])
    assert out["10.5555/a,b"].status == "not-found" and out[RETRACTED_DOI].status == "found"
    assert {r.path for r in emulator.requests} == {"/works/10.5555/a,b", "/works"}


# --- doi.py -----------------------------------------------------------------------------

def test_doi_handles_found_not_found_and_safe_paths(emulator):
    odd = "10.5555/odd?x=1#frag;é"
    out = doi.fetch_handles(client(emulator, "doi.org"), emulator.doi_url, [DATACITE_DOI, UNKNOWN_DOI, odd])
    assert out[DATACITE_DOI.lower()].status == "found"
    assert out[DATACITE_DOI.lower()].record.agency == "exists"
    assert out[UNKNOWN_DOI.lower()].status == "not-found" and out[odd.lower()].status == "not-found"
    assert f"/api/handles/{odd}" in [r.path for r in emulator.requests]
    assert all(r.query == {} for r in emulator.requests)  # '?' and '#' stayed in the path


def _handles(emu, http, dois):
    return doi.fetch_handles(http, emu.doi_url, dois)


def test_doi_content_negotiation_gives_a_datacite_record(emulator):
    http = client(emulator, "doi.org")
    handles = _handles(emulator, http, [DATACITE_DOI, UNKNOWN_DOI])
    out = doi.describe(http, emulator.doi_url, handles)
    rec = out[DATACITE_DOI.lower()].record
    assert out[DATACITE_DOI.lower()].status == "found" and rec.source == "doi.org"
    assert (rec.title, rec.authors, rec.year, rec.pubtypes, rec.identifier) == (
        "An emulator data set registered with DataCite", (doi.Author("Tester", "A"),), "2022", ("dataset",),
        DATACITE_DOI)
    assert rec.doi == DATACITE_DOI.upper() and rec.journal == ""  # DataCite's case; a publisher is no journal
    assert out[UNKNOWN_DOI.lower()] is handles[UNKNOWN_DOI.lower()]  # not-found: nothing negotiated
    paths = [r.path for r in emulator.requests]
    assert sorted(paths[:2]) == sorted([f"/api/handles/{DATACITE_DOI}", f"/api/handles/{UNKNOWN_DOI}"])
    assert paths[2:] == [f"/{DATACITE_DOI}", f"{CSL_PATH}{DATACITE_DOI}"]  # redirected: Accept was sent
    assert http.requests == 4  # the negotiating client's requests are counted on the caller's


def test_doi_content_negotiation_of_a_crossref_doi_parses_journal_fields(emulator):
    w = work("paolucci2019")
    http = client(emulator, "doi.org")
    look = doi.describe(http, emulator.doi_url, _handles(emulator, http, [w.doi]))[w.doi.lower()]
    rec = look.record
    assert (rec.journal, rec.journal_abbrev, rec.year, rec.online_year, rec.volume, rec.pages) == (
        "Journal of Pain Research", "J Pain Res", "2019", "2018", "12", "95-107")
    assert len(rec.authors) == 6 and rec.authors[0] == doi.Author("Paolucci", "T")


def test_parse_csl_field_shapes():
    item = {"title": ["A  <i>study</i>"], "author": [{"family": "Villafañe", "given": "José H."},
            {"literal": "Spine Study Group"}, {"given": "Plato"}, "junk", {}],
            "container-title": ["Healthcare"], "container-title-short": "Healthcare (Basel)",
            "issued": {"date-parts": [[2016, 4]]}, "published-online": {"date-parts": [[2016, "3"]]},
            "volume": 4, "issue": "2", "article-number": "22", "DOI": "10.3390/HEALTHCARE4020022",
            "publisher": "MDPI", "type": "article-journal"}
    rec = doi.parse_csl(item, "10.3390/healthcare4020022", "2025-01-01T00:00:00Z")
    assert rec.title == "A <i>study</i>" and rec.volume == "4" and rec.article_number == "22"
    assert rec.authors == (doi.Author("Villafañe", "José H."), doi.Author("Spine Study Group"), doi.Author("Plato"))
    assert (rec.journal, rec.journal_abbrev, rec.year, rec.online_year) == ("Healthcare", "Healthcare (Basel)",
                                                                            "2016", "2016")
    assert rec.pubtypes == ("article-journal",) and rec.doi == "10.3390/HEALTHCARE4020022"
    assert doi.parse_csl({"author": "nobody", "issued": {"date-parts": [[None]]}}, "10.1/x", "t").authors == ()


class _Canned:
    """A stand-in for the HTTP client: canned answers, in order, with the URLs asked."""

    def __init__(self, *answers):
        self.answers, self.asked = list(answers), []

    def get(self, url, params=None, *, headers=None, follow_redirects=True):
        assert headers == {"Accept": doi.CSL_JSON} and follow_redirects is False
        self.asked.append(url)
        return self.answers.pop(0)


def _answer(status, body=b"", location=None):
    headers = {"Location": location} if location else {}
    return Answer(status, headers, body, "http://x", "doi.org")


CSL_BODY = b'{"DOI": "10.1/ok", "title": "T", "author": [{"family": "F"}]}'


@pytest.mark.parametrize("answers,why", [
    ([_answer(302, location="ftp://evil.example/x")], "only http(s)"),
    ([_answer(302, location="file:///etc/passwd")], "only http(s)"),
    ([_answer(302)], "only http(s)"),
    ([_answer(302, location="/next")] * 6, "more than 5 redirects"),
    ([_answer(406, b"Not Acceptable")], "HTTP 406"),
    ([_answer(200, b"<html>landing page</html>")], "not valid JSON"),
    ([_answer(200, b"[1, 2]")], "not a CSL object"),
    ([_answer(200, b'{"DOI": "10.1/other", "title": "T"}')], "another DOI"),
    ([_answer(200, b'{"DOI": "10.1/ok", "type": "dataset"}')], "no title or authors"),
])
def test_csl_failures_are_unavailable(answers, why):
    look = doi.fetch_csl(_Canned(*answers), "https://doi.org", "10.1/OK")
    assert look.status == "unavailable" and look.record is None and why in look.reason


def test_csl_follows_relative_and_absolute_http_redirects():
    canned = _Canned(_answer(303, location="/application/csl/10.1/ok"),
                     _answer(302, location="https://api.datacite.org/csl/10.1/ok"), _answer(200, CSL_BODY))
    look = doi.fetch_csl(canned, "https://doi.org", "10.1/ok")
    assert look.status == "found" and look.record.authors == (doi.Author("F"),)
    assert canned.asked == ["https://doi.org/10.1/ok", "https://doi.org/application/csl/10.1/ok",
                            "https://api.datacite.org/csl/10.1/ok"]


@pytest.mark.parametrize("location", ["https://api.example.org/csl/10.1/ok", "http://api.datacite.org/x"])
def test_csl_redirect_to_a_host_that_is_no_agency_is_not_followed(location):
    canned = _Canned(_answer(302, location=location), _answer(200, CSL_BODY))
    look = doi.fetch_csl(canned, "https://doi.org", "10.1/ok")
    assert look.status == "unavailable" and "not followed" in look.reason
    assert canned.asked == ["https://doi.org/10.1/ok"]


@pytest.mark.slow
# Every fault on the negotiation request and on the metadata it redirects to ("truncated"
# only on the metadata: a redirect has no body to cut).
@pytest.mark.parametrize("fault,path", [(f, p) for p in ("/10.", CSL_PATH) for f in FAULT_KINDS
                                        if (f, p) != ("truncated", "/10.")])
def test_a_content_negotiation_fault_keeps_the_handle_answer(emulator, fault, path):
    emulator.retry_after, emulator.hang_seconds = "0", 1
    emulator.set_fault("doi", fault, path=path)
    http = client(emulator, "doi.org", timeout=(0.5, 0.2), retries=1)
    handles = _handles(emulator, http, [DATACITE_DOI])
    assert handles[DATACITE_DOI.lower()].status == "found"  # the fault spared the handle API
    out = doi.describe(http, emulator.doi_url, handles)
    assert out == handles  # exists, nothing to compare: never a verdict, never half a record
    assert emulator.count("doi", f"{path}{DATACITE_DOI}" if path == CSL_PATH else f"/{DATACITE_DOI}") >= 1


def test_content_negotiation_shares_the_deadline_and_the_rate_limit(emulator):
    http = client(emulator)
    http.register("doi.org", "doi.org", RateLimit(4, 1))
    http = http.speaking_for("doi.org")
    started = time.monotonic()
    out = doi.describe(http, emulator.doi_url, _handles(emulator, http, [DATACITE_DOI]))
    assert out[DATACITE_DOI.lower()].record.title and emulator.count("doi") == 3
    assert time.monotonic() - started >= 2 / 4 - 0.01  # 3 starts, spaced by 1/4 s
    emulator.reset()
    handles = _handles(emulator, http, [DATACITE_DOI])
    http._end = time.monotonic()  # the run's deadline has passed
    assert doi.describe(http, emulator.doi_url, handles) == handles and emulator.count("doi") == 1


# --- pubmed.py ----------------------------------------------------------------------------

def test_esummary_parses_and_marks_unknown_pmids_not_found(emulator):
    out = pubmed.fetch_summaries(client(emulator, "eutils"), emulator.eutils_url, ["31261549", "29201817", UNKNOWN_PMID],
                                 email="me@example.org")
    (req,) = emulator.requests
    assert req.method == "GET" and req.query["tool"] == "citeproof" and req.query["email"] == "me@example.org"
    assert out[UNKNOWN_PMID].status == "not-found"
    suh = out["31261549"].record
    assert (suh.journal_abbrev, suh.journal, suh.pages, suh.doi, suh.pmcid) == (
        "Medicine (Baltimore)", "Medicine", "e16173", "10.1097/MD.0000000000016173", "PMC6616307")
    assert suh.authors[0] == pubmed.Author(family="Suh", given="JH") and suh.year == "2019"
    assert out["29201817"].record.pages == "786-92"


def test_pubmed_authors_and_article_numbers():
    assert pubmed.parse_author("Nakhostin Ansari N") == pubmed.Author("Nakhostin Ansari", "N")
    assert pubmed.parse_author("Villafañe JH") == pubmed.Author("Villafañe", "JH")
    assert pubmed.parse_author("Spine Study Group") == pubmed.Author("Spine Study Group")
    assert pubmed._article_number("e16173. doi: 10.1097/MD.0000000000016173") == "e16173"
    assert pubmed._article_number("doi: 10.1097/MD.0000000000016173") == ""
    assert pubmed._article_number("pii: S1529-9430(01)00026-2. doi: 10.1016/x") == ""


def test_pubmed_update_pubtypes(emulator):
    ids = {w: str(90000000 + n) for n, w in enumerate(["retracted", "notice", "corrected", "erratum"], 1)}
    out = pubmed.fetch_summaries(client(emulator, "eutils"), emulator.eutils_url, list(ids.values()))
    (retraction,) = out[ids["retracted"]].record.updates
    assert (retraction.kind, retraction.source, retraction.label) == ("retraction", "pubmed", "Retracted Publication")
    notice = out[ids["notice"]].record
    assert notice.updates == () and "Retraction of Publication" in notice.pubtypes
    # issue 10: "Published Erratum" marks the erratum notice itself, not an update of it
    erratum = out[ids["erratum"]].record
    assert erratum.updates == () and "Published Erratum" in erratum.pubtypes
    corrected = out[ids["corrected"]].record
    assert (corrected.pages, corrected.article_number) == ("", "e0123")


def test_esummary_posts_past_200_ids(emulator):
    pmids = [w.pmid for w in SYN if w.pmid][:1050]
    out = pubmed.fetch_summaries(client(emulator, "eutils", api_key="k"), emulator.eutils_url, pmids, api_key="k")
    sizes = [(r.method, len(r.query["id"].split(","))) for r in emulator.requests]
    assert sorted(sizes) == [("GET", 50), ("POST", 500), ("POST", 500)]  # batches of 500; GET when small
    assert all(out[p].status == "found" for p in pmids)
    emulator.reset()
    pubmed.fetch_summaries(client(emulator, "eutils"), emulator.eutils_url, pmids[:200])
    assert [r.method for r in emulator.requests] == ["GET"]


def test_malformed_id_is_named_and_the_rest_still_answered(emulator):
    out = pubmed.fetch_summaries(client(emulator, "eutils"), emulator.eutils_url, ["31261549", "12a"])
    assert out["12a"].status == "not-found" and out["31261549"].status == "found"
    assert len(emulator.requests) == 2
    assert pubmed._rejected_ids("Invalid uid 12a at position=1", ["1", "12a"]) == {"12a"}
    assert pubmed._rejected_ids("Database is not supported", ["1"]) == set()


def test_esearch_maps_several_dois_with_one_extra_summary_request(emulator):
    dois = [RETRACTED_DOI, CORRECTED_DOI, work("suh2019").doi, work("fahmy2019").doi, UNKNOWN_DOI]
    out = pubmed.search_pmids_by_doi(client(emulator, "eutils"), emulator.eutils_url, dois)
    assert [r.path.rsplit("/", 1)[1] for r in emulator.requests] == ["esearch.fcgi", "esummary.fcgi"]
    assert int(emulator.requests[0].query["retmax"]) >= len(dois)
    assert out[RETRACTED_DOI].record.pmid == "90000001" and out[RETRACTED_DOI].record.identifier == RETRACTED_DOI
    assert out[work("suh2019").doi.lower()].record.pmid == "31261549"
    assert out[work("fahmy2019").doi.lower()].status == "not-found" and out[UNKNOWN_DOI].status == "not-found"


def test_esearch_batches_and_reuses_known_summaries(emulator):
    with_pmid = [w for w in SYN if w.pmid][:2 * pubmed.SEARCH_BATCH + 3]
    known = pubmed.fetch_summaries(client(emulator, "eutils"), emulator.eutils_url, [w.pmid for w in with_pmid])
    emulator.reset()
    out = pubmed.search_pmids_by_doi(client(emulator, "eutils"), emulator.eutils_url, [w.doi for w in with_pmid],
                                     summaries=known)
    assert [r.path.rsplit("/", 1)[1] for r in emulator.requests] == ["esearch.fcgi"] * 3
    assert [r.method for r in emulator.requests] == ["POST", "POST", "GET"]  # long terms are POSTed
    assert all(out[w.doi.lower()].record.pmid == w.pmid for w in with_pmid)


# --- __init__.py -------------------------------------------------------------------------

def test_config_from_env_and_overrides():
    env = {"CITEPROOF_CROSSREF_URL": "http://127.0.0.1:9/", "CITEPROOF_MAILTO": " ", "NCBI_API_KEY": SECRET}
    cfg = RegistryConfig.from_env(env, deadline=5)
    assert (cfg.urls["crossref"], cfg.urls["doi.org"], cfg.mailto, cfg.api_key, cfg.deadline) == (
        "http://127.0.0.1:9", "https://doi.org", None, SECRET, 5)
    assert cfg.urls["eutils"] == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    with pytest.raises(ConfigError, match="CITEPROOF_DOI_URL .* must start with http:// or https://"):
        RegistryConfig.from_env({"CITEPROOF_DOI_URL": "ftp://doi.org"})
    with pytest.raises(ConfigError, match="unknown registry setting"):
        RegistryConfig.from_env({}, crossref="x")


def test_resolve_the_article_in_3_requests(emulator):
    res = resolve(config(emulator), [w.doi for w in ARTICLE if w.doi], [w.pmid for w in ARTICLE if w.pmid],
                  [w.doi for w in ARTICLE if w.doi and not w.pmid])
    assert res.requests == len(emulator.requests) == 3 and emulator.count("doi") == 0
    assert res.answers["doi.org"] == {} and all(lk.status == "found" for lk in res.answers["crossref"].values())


def test_resolve_the_article_plus_a_datacite_doi(emulator):
    dois = [w.doi for w in ARTICLE if w.doi] + [DATACITE_DOI]
    pmids = [w.pmid for w in ARTICLE if w.pmid]
    without = [w.doi for w in ARTICLE if w.doi and not w.pmid] + [RETRACTED_DOI]
    res = resolve(config(emulator), dois, pmids, without)
    # Crossref 1, E-utilities 2, doi.org 3 (handle, content negotiation, its redirect)
    assert res.requests == len(emulator.requests) == 6 and res.status_429 == 0
    assert emulator.count("doi") == 3 and emulator.count("doi", f"{CSL_PATH}{DATACITE_DOI}") == 1
    assert res.answers["doi.org"][DATACITE_DOI.lower()].record.title == "An emulator data set registered with DataCite"
    assert emulator.count("eutils", "esummary.fcgi") == 1  # the PMIDs and the esearch hits together
    assert emulator.peak_concurrency("crossref") == 1
    assert res.answers["crossref"][DATACITE_DOI.lower()].status == "not-found"
    assert list(res.answers["doi.org"]) == [DATACITE_DOI.lower()] and res.answers["doi.org"][DATACITE_DOI.lower()].status == "found"
    assert all(res.answers["pubmed"][p].status == "found" for p in pmids)
    assert res.answers["esearch"]["10.1186/s41983-019-0124-5"].status == "not-found"
    assert res.answers["esearch"][RETRACTED_DOI].record.pmid == "90000001" and "90000001" not in res.answers["pubmed"]
    assert "stankovic" not in repr(res).lower() and res.elapsed > 0


@pytest.mark.slow
def test_resolve_1000_references_public_pool_with_latency(emulator):
    emulator.latency = 0.1
    works = SYN[:1000]
    started = time.monotonic()
    res = resolve(config(emulator), [w.doi for w in works], [w.pmid for w in works if w.pmid],
                  [w.doi for w in works if not w.pmid])
    assert time.monotonic() - started <= 5.0
    assert res.requests <= 25 and res.status_429 == 0 and emulator.status_429["crossref"] == 0
    assert sum(lk.status == "found" for lk in res.answers["crossref"].values()) == 1000
    assert sum(lk.status == "found" for lk in res.answers["pubmed"].values()) == 900
    assert {lk.status for lk in res.answers["esearch"].values()} == {"not-found"} and len(res.answers["esearch"]) == 100


@pytest.mark.slow
def test_registries_behind_one_host_keep_their_own_identity(emulator):
    """Every CITEPROOF_*_URL on one host and port (a mirror, a caching proxy): each registry
    keeps its own label, rate limit and mailto. 1,000 DOI-only references, 100 ms latency,
    the published limits, the public pool: few requests, no 429, and each request counted
    under the registry it was for."""
    emulator.latency = 0.1
    urls = {name: emulator.url(service, one_host=True)
            for name, service in (("crossref", "crossref"), ("doi.org", "doi"), ("eutils", "eutils"),
                                  ("idconv", "idconv"))}
    assert len({u.split("/")[2] for u in urls.values()}) == 1  # one host:port for all
    events: list[tuple] = []
    config = RegistryConfig(urls=urls, progress=lambda event, name, *rest: events.append((event, name)))
    works = SYN[:1000]
    started = time.monotonic()
    res = resolve(config, [w.doi for w in works], [], [w.doi for w in works])
    elapsed = time.monotonic() - started
    assert elapsed <= 5.0 and res.requests <= 25 and res.status_429 == 0, (elapsed, res.requests)
    assert sum(lk.status == "found" for lk in res.answers["crossref"].values()) == 1000
    assert all(res.answers["esearch"][w.doi.lower()].record.pmid == w.pmid for w in works if w.pmid)
    done = Counter(name for event, name in events if event == "done")
    assert done == {"Crossref": emulator.count("crossref"), "PubMed (NCBI E-utilities)": emulator.count("eutils")}
    assert emulator.count("crossref") == 10 and emulator.count("doi") == 0


# --- scale without PMIDs (issue 11) ----------------------------------------------------------

@pytest.mark.slow
def test_rate_limit_keeps_a_margin_for_a_strict_sliding_window():
    """Any r+1 consecutive starts at r/s span more than 1 s plus 10% of jitter."""
    limit, starts = RateLimit(10, 1), []
    for _ in range(11):
        assert limit.acquire()
        starts.append(time.monotonic())
        limit.release()
    assert starts[10] - starts[0] >= 1.1


@pytest.mark.slow
def test_polite_crossref_batches_run_concurrently_within_the_published_cap(emulator):
    emulator.latency = 0.3  # longer than the 10/s spacing: batches overlap if they may
    dois = [w.doi for w in SYN[:500]]
    out = crossref.fetch_works(client(emulator, "crossref", mailto="me@example.org"), emulator.crossref_url, dois)
    assert {lk.status for lk in out.values()} == {"found"}
    assert 2 <= emulator.peak_concurrency("crossref") <= 5 and sum(emulator.status_429.values()) == 0
    emulator.reset()
    emulator.latency = 0.3
    crossref.fetch_works(client(emulator, "crossref"), emulator.crossref_url, dois[:300])
    assert emulator.peak_concurrency("crossref") == 1  # the public pool: one at a time


@pytest.mark.slow
def test_dois_without_pmids_take_few_requests_and_no_429(emulator):
    """1,000 DOI-only references: Crossref batches plus esearch/esummary batches, no 429."""
    works = SYN[:1000]
    res = resolve(config(emulator), [w.doi for w in works], [], [w.doi for w in works])
    assert res.requests <= 25 and res.status_429 == 0
    found = [w for w in works if w.pmid]
    assert all(res.answers["esearch"][w.doi.lower()].record.pmid == w.pmid for w in found)
