"""The replay of real registry answers (tests/replay/, tests/data/recordings/): what it serves
and how it says so; then `citeproof check`, `fix` and `add` against it."""
from __future__ import annotations

import hashlib
import json

import pytest
import requests
from replay import Recordings, Replay

from citeproof.registries import crossref


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
