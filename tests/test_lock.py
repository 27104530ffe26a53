"""lock.py: the lock file's round trip, atomic writes, errors, ages and replay.

Records here are hand-built test data written only to pytest's tmp_path.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from citeproof.lock import Lock, LockEntry, LockError, is_stale, lockable, lookups_from_lock
from citeproof.model import Author, Lookup, Record, Reference, Update
from citeproof.verify import verify_reference

DOI, PMID = "10.1097/MD.0000000000016173", "31261549"
TITLE = "The effect of lumbar stabilization and walking exercises on chronic low back pain"
WHEN = "2026-01-05T10:00:00Z"


def records() -> list[Record]:
    common = dict(retrieved=WHEN, title=TITLE, authors=(Author("Suh", "Jee Hyun"), Author("Villafañe", "JH")),
                  year="2019", volume="98", issue="26", doi=DOI)
    return [Record(source="pubmed", identifier=PMID, pmid=PMID, pages="e16173",
                   pubtypes=("Journal Article",), journal_abbrev="Medicine (Baltimore)", **common),
            Record(source="crossref", identifier=DOI, article_number="e16173", journal="Medicine",
                   updates=(Update("correction", "crossref", "10.1097/md.1", "2020-01-01"),), **common)]


def ref(**kw) -> Reference:
    base = Reference(key="suh2019", entry_type="article", file="references.bib", line=1, title=TITLE,
                     authors=(Author("Suh", "JH"), Author("Villafane", "JH")), journal="Medicine (Baltimore)",
                     year="2019", volume="98", number="26", pages="e16173", doi=DOI, pmid=PMID)
    return replace(base, **kw)


def sample_lock() -> Lock:
    lock = Lock()
    lock.put("suh2019", DOI, PMID, records(), WHEN)
    doi2 = "10.5281/zenodo.1"
    lock.put("zenodo", doi2, "", [Record(source="doi.org", identifier=doi2, retrieved=WHEN, agency="exists")], WHEN)
    return lock


def test_round_trip(tmp_path):
    path = tmp_path / "citations.lock.json"
    lock = sample_lock()
    lock.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Villafañe" in text  # UTF-8, not \u escapes
    data = json.loads(text)
    assert data["version"] == 1 and data["generator"].startswith("citeproof ")
    assert list(data["references"]) == ["suh2019", "zenodo"]
    assert set(data["references"]["suh2019"]) == {"doi", "pmid", "records", "retrieved"}
    assert [r["source"] for r in data["references"]["suh2019"]["records"]] == ["crossref", "pubmed"]

    again = Lock.load(path)
    assert again.get("suh2019") == lock.get("suh2019") and again.get("zenodo") == lock.get("zenodo")
    assert again.get("suh2019").records[0].updates[0].notice_doi == "10.1097/md.1"
    assert again.get("nobody") is None
    again.save(path)
    assert path.read_text(encoding="utf-8") == text  # stable output, small diffs


def test_output_is_sorted_and_indented(tmp_path):
    path = tmp_path / "l.json"
    sample_lock().save(path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_missing_file_is_an_empty_lock(tmp_path):
    lock = Lock.load(tmp_path / "absent.json")
    assert len(lock) == 0 and not lock.references


def test_remove(tmp_path):
    lock = sample_lock()
    assert lock.remove("zenodo") is True and lock.remove("zenodo") is False
    assert "zenodo" not in lock and "suh2019" in lock


def test_failed_write_leaves_old_file_intact_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "citations.lock.json"
    sample_lock().save(path)
    before = path.read_bytes()

    lock = sample_lock()
    good = lock.to_data()
    # Serialisation fails mid-way: everything before the last key has been written by then.
    monkeypatch.setattr(lock, "to_data", lambda: {**good, "zzz": object()})
    with pytest.raises(TypeError):
        lock.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["citations.lock.json"]


def test_failed_first_write_creates_nothing(tmp_path, monkeypatch):
    lock = sample_lock()
    monkeypatch.setattr(lock, "to_data", lambda: {"references": {}, "zzz": object()})
    with pytest.raises(TypeError):
        lock.save(tmp_path / "citations.lock.json")
    assert list(tmp_path.iterdir()) == []


def test_invalid_json_names_file_and_line(tmp_path):
    path = tmp_path / "citations.lock.json"
    path.write_text('{\n  "version": 1,\n  "references": {,\n}\n', encoding="utf-8")
    with pytest.raises(LockError) as err:
        Lock.load(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}:3: the lock file is not valid JSON") and "citeproof check" in msg


def test_merge_conflict_is_named(tmp_path):
    path = tmp_path / "citations.lock.json"
    path.write_text('{\n<<<<<<< HEAD\n  "version": 1\n', encoding="utf-8")
    with pytest.raises(LockError, match=r":2: .*merge conflict"):
        Lock.load(path)


@pytest.mark.parametrize("data, needle", [
    ([], "not a citeproof lock file"),
    ({"version": 1}, "not a citeproof lock file"),
    ({"version": 2, "references": {}}, "version 2 is not supported"),
    ({"version": 1, "references": {"k1": []}}, 'entry "k1"'),
    ({"version": 1, "references": {"k1": {"doi": 5, "pmid": "", "records": [], "retrieved": WHEN}}},
     "must be strings"),
    ({"version": 1, "references": {"k1": {"doi": DOI, "pmid": None, "retrieved": WHEN,
                                          "records": [{"source": "scraper", "identifier": DOI,
                                                       "retrieved": WHEN}]}}}, "scraper"),
    ({"version": 1, "references": {"k1": {"doi": DOI, "pmid": None, "retrieved": "yesterday",
                                          "records": [{"source": "crossref", "identifier": DOI,
                                                       "retrieved": WHEN}]}}}, "ISO 8601"),
    ({"version": 1, "references": {"k1": {"doi": DOI, "pmid": None, "retrieved": WHEN,
                                          "records": [{"source": "crossref", "identifier": DOI,
                                                       "retrieved": WHEN, "authors": [{"x": 1}]}]}}},
     'entry "k1" is invalid'),
    ({"version": 1, "references": {"k1": {"doi": DOI, "pmid": None, "retrieved": WHEN,
                                          "records": [{"source": "crossref", "identifier": DOI,
                                                       "retrieved": WHEN, "title": 7}]}}}, "not text"),
])
def test_wrong_shape_is_a_lock_error(tmp_path, data, needle):
    path = tmp_path / "citations.lock.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(LockError) as err:
        Lock.load(path)
    msg = str(err.value)
    assert msg.startswith(str(path)) and needle in msg and "citeproof check" in msg
    if "k1" in json.dumps(data):
        assert msg.startswith(f"{path}:4:")  # the line of the entry's key


@pytest.mark.parametrize("bad", [
    Record(source="manual", identifier=DOI, retrieved=WHEN, title="made up"),
    Record(source="crossref", identifier="10.1/other", retrieved=WHEN),
    Record(source="pubmed", identifier="12345", retrieved=WHEN),
    Record(source="crossref", identifier=DOI, retrieved=""),
])
def test_put_refuses_records_that_are_not_real_answers_about_the_entry(bad):
    with pytest.raises(ValueError):
        Lock().put("suh2019", DOI, PMID, [bad], WHEN)


def test_put_refuses_nothing_and_duplicates():
    with pytest.raises(ValueError):
        Lock().put("suh2019", DOI, PMID, [], WHEN)
    crossref = records()[1]
    with pytest.raises(ValueError):
        Lock().put("suh2019", DOI, PMID, [crossref, crossref], WHEN)


def test_put_accepts_doi_case_and_datetime():
    entry = Lock().put("suh2019", DOI.lower(), PMID, records(),
                       datetime(2026, 1, 5, 11, 0, tzinfo=timezone(timedelta(hours=1))))
    assert entry.retrieved == "2026-01-05T10:00:00Z"


@pytest.mark.parametrize("days, max_days, stale", [(10, 30, False), (10, 5, True), (30, 30, False), (31, 30, True)])
def test_age_and_staleness(days, max_days, stale):
    entry = sample_lock().get("suh2019")
    now = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc) + timedelta(days=days)
    assert entry.age(now) == timedelta(days=days)
    assert is_stale(entry, timedelta(days=max_days), now) is stale
    assert is_stale(entry, timedelta(days=max_days), now.replace(tzinfo=None)) is stale  # naive = UTC


@pytest.mark.parametrize("changes, same", [
    ({}, True),
    ({"doi": DOI.lower()}, True),
    ({"doi": "10.5535/arm.2017.41.5.786"}, False),
    ({"pmid": "29201817"}, False),
    ({"pmid": ""}, False),
    ({"doi": ""}, False),
])
def test_identifier_change_detection(changes, same):
    assert sample_lock().get("suh2019").matches(ref(**changes)) is same


def test_added_pmid_is_a_change():
    entry = LockEntry("zenodo", "10.5281/zenodo.1", "", (), WHEN)
    assert entry.matches(ref(doi="10.5281/zenodo.1", pmid="")) is True
    assert entry.matches(ref(doi="10.5281/zenodo.1", pmid=PMID)) is False


def test_offline_replay_gives_the_online_verdict(tmp_path):
    path = tmp_path / "citations.lock.json"
    sample_lock().save(path)
    looks = lookups_from_lock(Lock.load(path).get("suh2019"))
    assert set(looks) == {"crossref", "pubmed"}
    assert all(l.status == "found" and l.record.source == s for s, l in looks.items())
    pubmed, crossref = records()
    online = verify_reference(ref(), {"crossref": found(crossref), "pubmed": found(pubmed)})
    offline = verify_reference(ref(), looks)
    assert offline == online
    assert offline[0].status == "verified" and offline[0].sources == ["crossref", "pubmed"]
    assert [p.code for p in offline[1]] == ["updated"]


def found(record: Record):
    from citeproof.model import Lookup
    return Lookup(record.source, record.identifier, "found", record)


# ------------------------------------------------------------------ plan: the trust rules

ENDPOINTS = {"crossref": "https://api.crossref.org", "doi.org": "https://doi.org",
             "eutils": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"}
NOW = datetime(2026, 1, 10, tzinfo=timezone.utc)


def planned(lock: Lock, refs: list[Reference], *, offline: bool, days: float = 30, endpoints=ENDPOINTS):
    plan = lock.plan(refs, endpoints, timedelta(days=days), NOW, offline)
    return (sorted(plan.trusted), [r.key for r in plan.to_ask], plan.changed, plan.foreign, plan.unlocked)


def locked(key: str = "suh2019", when: str = WHEN, endpoints=ENDPOINTS) -> Lock:
    lock = Lock()
    lock.put(key, DOI, PMID, records(), when, endpoints)
    return lock


def test_plan_trusts_a_fresh_entry_from_these_endpoints_and_replays_it():
    plan = locked().plan([ref()], ENDPOINTS, timedelta(days=30), NOW, offline=False)
    assert list(plan.trusted) == ["suh2019"] and plan.to_ask == []
    assert {s: lk.status for s, lk in plan.trusted["suh2019"].items()} == {"crossref": "found", "pubmed": "found"}


def test_plan_online_asks_again_for_stale_future_changed_foreign_and_unlocked_entries():
    other = ref(key="other")
    assert planned(locked(), [ref(), other], offline=False, days=1) == ([], ["suh2019", "other"], [], [], [])
    assert planned(locked(when="2026-02-01T00:00:00Z"), [ref()], offline=False)[1] == ["suh2019"]  # future
    assert planned(locked(), [ref(pmid="31261548")], offline=False)[1] == ["suh2019"]  # changed
    emulated = {**ENDPOINTS, "crossref": "http://127.0.0.1:9"}
    assert planned(locked(), [ref()], offline=False, endpoints=emulated)[1] == ["suh2019"]  # foreign
    assert planned(locked(endpoints={}), [ref()], offline=False)[1] == ["suh2019"]  # no endpoints recorded


def test_plan_offline_never_asks_and_says_why_an_entry_is_not_trusted():
    other = ref(key="other")
    assert planned(locked(), [ref(), other], offline=True, days=0) == (["suh2019"], [], [], [], ["other"])
    assert planned(locked(), [ref(pmid="31261548")], offline=True) == ([], [], ["suh2019"], [], [])
    emulated = {**ENDPOINTS, "crossref": "http://127.0.0.1:9"}
    assert planned(locked(), [ref()], offline=True, endpoints=emulated) == ([], [], [], ["suh2019"], [])


def test_keep_locks_only_complete_real_answers():
    lock = Lock()
    pubmed, crossref = records()
    assert lock.keep(ref(), {"crossref": found(crossref), "pubmed": found(pubmed)}, ENDPOINTS) is True
    assert lock.get("suh2019").endpoints == ENDPOINTS
    assert [r.source for r in lock.get("suh2019").records] == ["crossref", "pubmed"]
    failed = Lookup("pubmed", PMID, "unavailable", reason="down")
    assert Lock().keep(ref(), {"crossref": found(crossref), "pubmed": failed}, ENDPOINTS) is False
    # Crossref's not-found is no failure when doi.org found the DOI; esearch is never locked
    handle = Record(source="doi.org", identifier=DOI, retrieved=WHEN, agency="exists")
    looks = {"crossref": Lookup("crossref", DOI, "not-found"), "doi.org": found(handle),
             "esearch": Lookup("pubmed", DOI, "not-found")}
    assert lockable(looks) == [handle]
    assert lockable({**looks, "doi.org": Lookup("doi.org", DOI, "not-found")}) is None


# --- dates, symlinks and temp files (issue 11) --------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00",
                                  "9999-12-31T23:59:59-05:00", "2999-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_a_retrieved_time_out_of_range_loads_and_is_never_fresh(tmp_path, when):
    path = tmp_path / "citations.lock.json"
    sample_lock().save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["references"]["suh2019"]["retrieved"] = when
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    lock = Lock.load(path)
    now = datetime(2026, 1, 6, tzinfo=timezone.utc)
    assert is_stale(lock.get("suh2019"), timedelta(days=36500 * 30), now)  # asked again, whatever --max-age
    assert not is_stale(lock.get("zenodo"), timedelta(days=30), now)
    lock.save(path)  # and written back without an OverflowError
    assert Lock.load(path).get("suh2019").retrieved[:4] in ("0001", "9999", "2999", "1999")


def test_a_symlinked_lock_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "real" / "citations.lock.json"
    target.parent.mkdir()
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "citations.lock.json"
    link.symlink_to(target)
    sample_lock().save(link)
    assert link.is_symlink() and Lock.load(target).get("suh2019") == sample_lock().get("suh2019")
    assert sorted(p.name for p in target.parent.iterdir()) == ["citations.lock.json"]


def test_a_killed_write_leaves_a_named_temp_file_that_the_next_write_removes(tmp_path):
    import os
    import subprocess
    import sys
    import time as clock

    from citeproof.atomic import STALE_SECONDS, TMP_MARK
    path = tmp_path / "citations.lock.json"
    killed = ("import os, signal, sys\nfrom citeproof import atomic\n"
              "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
              "atomic.atomic_write(sys.argv[1], 'half')\n")
    proc = subprocess.run([sys.executable, "-c", killed, str(path)], timeout=60)
    assert proc.returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(f".{path.name}{TMP_MARK}")]
    assert len(left) == 1 and not path.exists()
    young = tmp_path / f".{path.name}{TMP_MARK}young"
    young.write_text("a run still writing", encoding="utf-8")
    old = clock.time() - STALE_SECONDS - 5
    os.utime(left[0], (old, old))
    sample_lock().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [young.name, path.name]


# --------------------------------------------------------------------------- hostile text and sizes

def test_a_lone_surrogate_is_locked_as_u_fffd_and_the_entry_in_memory_is_the_one_written(tmp_path):
    """No UTF-8 can hold a lone surrogate (a registry's ``"\\ud800"``): writing the lock
    once crashed on it. It is U+FFFD in the entry, so what a run trusts is what it wrote."""
    lock = Lock()
    hostile = [replace(r, title=TITLE + " \ud800", authors=(Author("Suh\udfff", "J"),)) for r in records()]
    entry = lock.put("suh2019", DOI, PMID, hostile, WHEN)
    assert entry.records[0].title == TITLE + " \ufffd" and entry.records[0].authors[0].family == "Suh\ufffd"
    path = tmp_path / "citations.lock.json"
    lock.save(path)
    assert Lock.load(path).get("suh2019") == entry


@pytest.mark.parametrize("text, needle", [
    ("[" * 100_000 + "]" * 100_000, "the lock file is nested too deeply to be a lock"),
    ('{"version": 1, "references": {}, "n": ' + "9" * 5000 + "}", "holds a number of 5,000 digits"),
    ('{"version": -' + "1" * 5000 + ', "references": {}}', "holds a number of 5,000 digits"),
])
def test_a_lock_of_hostile_depth_or_size_is_one_lock_error_naming_it(tmp_path, text, needle):
    path = tmp_path / "citations.lock.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError) as err:
        Lock.load(path)
    assert str(err.value).startswith(f"{path}: ") and needle in str(err.value)
