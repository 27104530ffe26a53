"""The registry emulator behaves as the registries are documented to (raw HTTP, no client)."""
import concurrent.futures
import json
from pathlib import Path

import pytest
import requests

from emulator import (ARTICLE, DATACITE_DOI, RETRACTED_DOI, UNKNOWN_DOI, UNKNOWN_PMID,
                      TEST_API_KEY, default_dataset, synthetic_works)
from emulator.fixtures import crossref_item, esummary_doc, medline_pages

SYN = [w for w in synthetic_works(60)]


def get(url, **params):
    return requests.get(url, params=params, timeout=5)


def by_key(key):
    return next(w for w in ARTICLE if w.key == key)


def test_env_and_log(emulator):
    env = emulator.env(identified=False)
    assert set(env) == {"CITEPROOF_CROSSREF_URL", "CITEPROOF_DOI_URL", "CITEPROOF_EUTILS_URL",
                        "CITEPROOF_IDCONV_URL"}
    assert len(set(env.values())) == 4 and all(v.startswith("http://127.0.0.1:") for v in env.values())
    assert emulator.env() == {**env, "NCBI_API_KEY": TEST_API_KEY, "CITEPROOF_MAILTO": "tests@citeproof.invalid"}
    get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}")
    method, path, query = emulator.requests[0][:3]
    assert (method, path, query) == ("GET", f"/works/{UNKNOWN_DOI}", {})
    emulator.reset()
    assert emulator.requests == []


def test_crossref_rows_defaults_to_20_and_is_capped(emulator):
    filt = ",".join(f"doi:{w.doi}" for w in SYN[:50])
    msg = get(f"{emulator.crossref_url}/works", filter=filt).json()["message"]
    assert (len(msg["items"]), msg["total-results"]) == (20, 50)
    assert len(get(f"{emulator.crossref_url}/works", filter=filt, rows=50).json()["message"]["items"]) == 50
    assert get(f"{emulator.crossref_url}/works", filter=filt, rows=1001).status_code == 400


def test_crossref_select_and_filter_validation(emulator):
    doi = by_key("suh2019").doi
    item = get(f"{emulator.crossref_url}/works", filter=f"doi:{doi}", select="DOI,title").json()["message"]["items"][0]
    assert set(item) == {"DOI", "title"}
    assert get(f"{emulator.crossref_url}/works", filter=f"doi:{doi}", select="DOI,nonsense").status_code == 400
    assert get(f"{emulator.crossref_url}/works", filter="issn:1234-5678").status_code == 400


def test_crossref_single_work_404_and_agency(emulator):
    r = get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}")
    assert (r.status_code, r.text, r.headers["Content-Type"]) == (404, "Resource not found.", "text/plain")
    r = requests.get(f"{emulator.crossref_url}/works/{requests.utils.quote(RETRACTED_DOI, safe='')}", timeout=5)
    assert r.json()["message"]["updated-by"][0]["type"] == "retraction"
    assert get(f"{emulator.crossref_url}/works/{DATACITE_DOI}").status_code == 404
    agency = get(f"{emulator.crossref_url}/works/{DATACITE_DOI}/agency").json()["message"]["agency"]["id"]
    assert agency == "datacite"
    assert get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}/agency").status_code == 404


def test_request_line_over_8kb_gets_414(emulator):
    filt = ",".join(f"doi:10.5555/{'x' * 150}.{i}" for i in range(60))
    assert get(f"{emulator.crossref_url}/works", filter=filt, rows=60).status_code == 414


def test_doi_handles(emulator):
    ok = get(f"{emulator.doi_url}/api/handles/{DATACITE_DOI}")
    assert (ok.status_code, ok.json()["responseCode"]) == (200, 1)
    missing = get(f"{emulator.doi_url}/api/handles/{UNKNOWN_DOI}")
    assert (missing.status_code, missing.json()["responseCode"]) == (404, 100)


def test_esummary_get_post_and_errors(emulator):
    url = f"{emulator.eutils_url}/esummary.fcgi"
    res = get(url, db="pubmed", retmode="json", id=f"31261549,{UNKNOWN_PMID}").json()["result"]
    assert res["uids"] == ["31261549", UNKNOWN_PMID]
    assert res["31261549"]["pages"] == "e16173" and res["31261549"]["authors"][0]["name"] == "Suh JH"
    assert res[UNKNOWN_PMID] == {"uid": UNKNOWN_PMID, "error": "cannot get document summary"}
    ids = [w.pmid for w in SYN if w.pmid]
    posted = requests.post(url, data={"db": "pubmed", "retmode": "json", "id": ",".join(ids)}, timeout=5).json()
    assert posted["result"]["uids"] == ids and emulator.requests[-1].method == "POST"
    bad = get(url, db="pubmed", retmode="json", id="31261549,12a").json()
    assert "result" not in bad and "12a" in bad["error"]


def test_esearch_or_terms_and_default_retmax(emulator):
    url = f"{emulator.eutils_url}/esearch.fcgi"
    with_pmid = [w for w in SYN if w.pmid][:30]
    term = " OR ".join(f'"{w.doi}"[doi]' for w in with_pmid) + f" OR {by_key('fahmy2019').doi}[doi]"
    res = get(url, db="pubmed", retmode="json", term=term).json()["esearchresult"]
    assert res["count"] == "30" and len(res["idlist"]) == 20
    res = get(url, db="pubmed", retmode="json", term=term, retmax=60).json()["esearchresult"]
    assert sorted(res["idlist"]) == sorted(w.pmid for w in with_pmid)


def test_crossref_rate_limits_public_and_polite(emulator):
    public = [get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}") for _ in range(7)]
    limited = [r for r in public if r.status_code == 429]
    assert limited and limited[0].headers["Retry-After"] == "1"
    emulator.reset()
    polite = [get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}", mailto="a@b.org").status_code for _ in range(8)]
    assert 429 not in polite


def test_crossref_public_pool_allows_one_at_a_time(emulator):
    emulator.latency = 0.3
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(lambda _: get(f"{emulator.crossref_url}/works/{UNKNOWN_DOI}").status_code, range(2)))
    assert codes == [404, 429]


def test_ncbi_rate_limits_with_and_without_key(emulator):
    url = f"{emulator.eutils_url}/esummary.fcgi"
    codes = [get(url, db="pubmed", id="31261549").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert get(url, db="pubmed", id="1").json()["error"] == "API rate limit exceeded"
    keyed = [get(url, db="pubmed", id="31261549", api_key="k").status_code for _ in range(8)]
    assert 429 not in keyed


@pytest.mark.parametrize("service", ["crossref", "doi", "eutils"])
def test_faults_are_observable_and_counted(emulator, service):
    url = {"crossref": f"{emulator.crossref_url}/works/{RETRACTED_DOI}",
           "doi": f"{emulator.doi_url}/api/handles/{RETRACTED_DOI}",
           "eutils": f"{emulator.eutils_url}/esummary.fcgi?db=pubmed&retmode=json&id=31261549"}[service]
    emulator.rate_limits = False
    emulator.set_fault(service, "503", times=1)
    assert requests.get(url, timeout=5).status_code == 503
    assert requests.get(url, timeout=5).status_code == 200  # times=1 is spent
    emulator.set_fault(service, "html")
    r = requests.get(url, timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html"
    emulator.set_fault(service, "truncated")
    with pytest.raises(ValueError):
        json.loads(requests.get(url, timeout=5).text)
    emulator.set_fault(service, "403")
    assert requests.get(url, timeout=5).status_code == 403
    emulator.set_fault(service, "reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    emulator.hang_seconds = 1.0
    emulator.set_fault(service, "hang")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, timeout=(1, 0.2))
    emulator.set_fault(service, None)
    assert requests.get(url, timeout=5).status_code == 200


def test_fixture_shapes_follow_the_facts(emulator):
    data = default_dataset()
    kim = esummary_doc(by_key("kim2017"))
    assert (kim["pages"], kim["pubdate"], kim["source"]) == ("786-92", "2017 Oct", "Ann Rehabil Med")
    assert {"idtype": "pmc", "idtypen": 8, "value": "PMC5698665"} in kim["articleids"]
    paolucci = crossref_item(by_key("paolucci2019"))
    assert paolucci["published-online"]["date-parts"][0][0] == 2018
    assert paolucci["published-print"]["date-parts"][0] == [2019]
    barzilay = esummary_doc(by_key("barzilay2016"))
    assert barzilay["pubdate"].startswith("2016") and barzilay["epubdate"].startswith("2015")
    fahmy = by_key("fahmy2019")
    assert fahmy.doi.lower() in data.crossref and fahmy.doi.lower() not in data.pmid_by_doi
    stankovic = by_key("stankovic2012")
    assert not stankovic.doi and not stankovic.pmid
    assert all(stankovic.title not in json.dumps(d) for d in (data.crossref, data.summaries))
    assert len(ARTICLE) == 15
    assert medline_pages("1041-1047") == "1041-7" and medline_pages("95-101") == "95-101"


def test_synthetic_works_are_consistent():
    works = list(synthetic_works(100))
    assert len({w.doi for w in works}) == 100
    assert sum(1 for w in works if not w.pmid) == 10
    for w in works[:20]:
        if w.pmid:
            doc = esummary_doc(w)
            assert {"idtype": "doi", "idtypen": 3, "value": w.doi} in doc["articleids"]
            assert crossref_item(w)["title"] == [doc["title"].rstrip(".")]


def test_every_fixture_file_says_it_is_emulator_data():
    for path in Path(__file__).parent.joinpath("emulator").glob("*.py"):
        assert "EMULATOR" in path.read_text().splitlines()[0], path


def test_crossref_bibliographic_query_ranks_by_shared_words_with_a_score(emulator):
    text = "Gorden R, Bloxham S (2016) A Systematic Review of the Effects of Exercise. Healthcare (Basal)"
    msg = get(f"{emulator.crossref_url}/works", **{"query.bibliographic": text, "rows": "3"}).json()["message"]
    assert len(msg["items"]) == 3 and msg["items"][0]["DOI"] == "10.3390/healthcare4020022"
    scores = [i["score"] for i in msg["items"]]
    assert scores == sorted(scores, reverse=True) and msg["total-results"] > 3


def test_esearch_by_title_words_and_author(emulator):
    found = get(f"{emulator.eutils_url}/esearch.fcgi", db="pubmed", retmode="json",
                term="walking[ti] AND lumbar[ti] AND Lee JS[au]").json()["esearchresult"]["idlist"]
    assert found == ["27807526"]
    none = get(f"{emulator.eutils_url}/esearch.fcgi", db="pubmed", retmode="json",
               term="walking[ti] AND Nobody[au]").json()["esearchresult"]
    assert none["idlist"] == [] and none["count"] == "0"


def test_idconv_answers_known_and_unknown_pmcids(emulator):
    data = get(f"{emulator.idconv_url}/", ids="PMC6616307,PMC1", format="json").json()
    known, unknown = data["records"]
    assert (known["pmid"], known["doi"]) == ("31261549", "10.1097/MD.0000000000016173")
    assert unknown["status"] == "error" and unknown["errmsg"]
    assert get(f"{emulator.idconv_url}/", ids=",".join(f"PMC{i}" for i in range(1, 202))).status_code == 400
