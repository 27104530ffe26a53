"""Hostile registries: servers that drip, redirect elsewhere or answer garbage.

Each case runs `citeproof check` (in-process) against a registry that misbehaves in one
way and states what it expects: the exit code (3: could not verify), a phrase of the
message naming the fault, no traceback, and no file of the project changed (no lock is
written from a hostile answer, the bib and the pages stay as they were). Time bounds are
relative: a run ends within ``--deadline`` plus one ``--timeout`` (and a little slack for
the process), whatever the server does; the servers' own loops are bounded, so a failing
case ends too.
"""
from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulator import ARTICLE, DATACITE_DOI, synthetic_works
from emulator.server import Reply, crossref_items, decoded, json_reply
from scratch import Scratch, bib_entry

from citeproof.cli import main
from citeproof.registries import RegistryConfig, crossref, make_client, pubmed

SUH = next(w for w in ARTICLE if w.key == "suh2019")
SUH_BIB = bib_entry("suh2019")  # from the article fixture
UNAVAILABLE = 3
SLACK = 1.0  # seconds beyond deadline + timeout for the process itself (imports, report)


# --------------------------------------------------------------------------- helpers

def project(tmp_path: Path) -> Path:
    return Scratch(tmp_path).write(page="# Article\n\nWalking helps [@suh2019].\n", bib=SUH_BIB).root


#: what a check may leave: the parsed bib it keeps (or its marker) and the folder's .gitignore
CHECK_CACHE = re.compile(r"\.cache/citeproof/(refs-[0-9a-f]{32}\.(pickle|seen)|\.gitignore)")


def snapshot(root: Path) -> dict[str, bytes]:
    """The project's files (but the checker's own cache files)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not CHECK_CACHE.fullmatch(p.relative_to(root).as_posix())}


def run_check(root: Path, env: dict, *args: str, unchanged: bool = True):
    """`citeproof check` in ``root``; asserts no traceback and (``unchanged``) no file changed."""
    before = snapshot(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--lock", str(root / "lock.json"), *args], env=env)
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert not unchanged or snapshot(root) == before
    return result


def expect(result, code: int, phrase: str) -> None:
    assert result.exit_code == code, result.output
    assert phrase in result.output, result.output


class RawServer:
    """A TCP server on 127.0.0.1 that answers each connection with ``behave(conn)``.

    ``behave`` writes whatever it likes, in a loop that must be bounded; ``stop()`` ends
    every loop early. ``connections`` counts the clients that came.
    """

    def __init__(self, behave):
        self.behave, self.connections, self.stopped = behave, 0, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(2)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.behave(conn, self.stopped)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopped.set()
        self.sock.close()


def drip(conn, stopped, data: bytes, every: float = 0.1):
    """Send ``data`` one byte every ``every`` seconds (faster than any read timeout fires)."""
    for byte in data:
        if stopped.wait(every):
            return
        conn.sendall(bytes([byte]))


def slow_body(conn, stopped):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n")
    drip(conn, stopped, b'{"message": {"items": []}, "padding": "' + b"x" * 18 + b'"}')


def closing_body(conn, stopped):
    """An answer that ends when the server closes the connection (no Content-Length), its
    body dripped: the client's connection hands its socket to the response."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    drip(conn, stopped, b'{"message": {"items": []}, "padding": "' + b"x" * 300 + b'"}')


def slow_headers(conn, stopped):
    drip(conn, stopped, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: " + b"y" * 20 + b"\r\n\r\n{}")


def endless_continue(conn, stopped):
    for _ in range(60):  # 6 s of "100 Continue", far longer than deadline + timeout
        if stopped.wait(0.1):
            return
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")


def hostile_env(url: str) -> dict:
    return {"CITEPROOF_CROSSREF_URL": url, "CITEPROOF_DOI_URL": url, "CITEPROOF_EUTILS_URL": url}


# --------------------------------------------------------------------------- bounded in time

@pytest.mark.slow
@pytest.mark.parametrize("behave", [slow_body, closing_body, slow_headers, endless_continue],
                         ids=["body at 1 byte per tick", "body to the close at 1 byte per tick",
                              "headers at 1 byte per tick", "endless 100 Continue"])
def test_a_dripping_server_cannot_hold_the_run_past_deadline_plus_timeout(tmp_path, behave):
    """Exit 3, "could not verify" with "no complete answer", within --deadline + --timeout."""
    server = RawServer(behave)
    deadline, timeout = 1.0, 0.5
    try:
        started = time.monotonic()
        result = run_check(project(tmp_path), hostile_env(server.url),
                           "--deadline", str(deadline), "--timeout", str(timeout))
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    expect(result, UNAVAILABLE, "could not verify")
    assert "no complete answer within 0.5 s" in result.output
    assert elapsed <= deadline + timeout + SLACK, elapsed


@pytest.mark.slow
def test_a_resolver_that_never_answers_cannot_hold_the_run_past_deadline_plus_timeout(tmp_path, monkeypatch):
    """Name resolution runs within the request's budget: a resolver that never answers
    ends the run within --deadline plus one --timeout, as "could not verify"."""
    real = socket.getaddrinfo
    never = threading.Event()

    def silent_resolver(host, *args, **kwargs):
        if host.endswith(".invalid"):
            never.wait(30)  # (released at the end of the test)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", silent_resolver)
    deadline, timeout = 2.0, 1.0
    try:
        started = time.monotonic()
        result = run_check(project(tmp_path), hostile_env("http://registry.invalid:9"),
                           "--deadline", str(deadline), "--timeout", str(timeout))
        elapsed = time.monotonic() - started
    finally:
        never.set()
    expect(result, UNAVAILABLE, "could not verify")
    # The resolver's budget and the request's watchdog end at the same moment, and on a
    # loaded machine the deadline may pass first: whichever says so, the run says why.
    assert any(why in result.stderr for why in ("the host name could not be resolved",
                                                "no complete answer within", "deadline passed")), result.stderr
    assert elapsed <= deadline + timeout + SLACK, elapsed


@pytest.mark.parametrize("behave", [slow_body, closing_body])
def test_a_request_is_cut_at_its_budget_even_before_the_deadline(behave):
    """One dripping answer costs one budget (the larger timeout), not the drip's length."""
    server = RawServer(behave)
    try:
        http = make_client(RegistryConfig(urls={"crossref": server.url}, timeout=(0.3, 0.3), deadline=30))
        http.max_retries = 0
        started = time.monotonic()
        look = crossref.fetch_works(http, server.url, [SUH.doi])[SUH.doi.lower()]
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert look.status == "unavailable" and "no complete answer" in look.reason
    assert elapsed < 0.3 * 5, elapsed  # the drip alone would last 6 s (or 30 s)


# --------------------------------------------------------------------------- bounded in trust

def _summary(mutate):
    """An E-utilities mangler: ``mutate(data, query)`` on every esummary answer."""
    def mangle(reply: Reply, query, path):
        if not path.endswith("esummary.fcgi"):
            return reply
        data = decoded(reply)
        mutate(data, query)
        return json_reply(data)
    return mangle


def _raw(service_path: str, body: bytes):
    def mangle(reply: Reply, query, path):
        return reply._replace(body=body) if path.endswith(service_path) else reply
    return mangle


def _set(key, value):
    return lambda item: item.__setitem__(key, value)


def _doc(key, value):
    def mutate(data, query):
        for uid in data.get("result", {}).get("uids", []):
            data["result"][uid][key] = value
    return mutate


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


CASES = {
    # name: (service, mangler, phrase of the message)
    "crossref author is a number": ("crossref", crossref_items(_set("author", 5)), "author is a number, not a list"),
    "crossref updated-by is a number": ("crossref", crossref_items(_set("updated-by", 1)),
                                        "updated-by is a number, not a list"),
    "crossref date-parts Infinity": ("crossref", lambda r, q, p: r._replace(
        body=r.body.replace(b'"issued": {"date-parts": [[2019', b'"issued": {"date-parts": [[Infinity'))
        if p.startswith("/works") else r, "not valid JSON"),
    "crossref date-parts 1e400": ("crossref", lambda r, q, p: r._replace(
        body=r.body.replace(b'"issued": {"date-parts": [[2019', b'"issued": {"date-parts": [[1e400'))
        if p.startswith("/works") else r, "not a date part"),
    "crossref title is an object": ("crossref", crossref_items(_set("title", {"x": 1})), "title is an object, not text"),
    "crossref JSON nested 100,000 deep": ("crossref", _raw("/works", _nested(100_000)),
                                          "nested 100000 levels deep"),
    "crossref duplicated item": ("crossref", lambda r, q, p: json_reply(
        {**decoded(r), "message": {**decoded(r)["message"],
                                   "items": decoded(r)["message"]["items"] * 2}}) if p == "/works" else r,
        "a list of 2 items (at most 1 expected)"),
    "crossref item about an unasked DOI": ("crossref", crossref_items(_set("DOI", "10.5555/not.asked")), "was not asked"),
    "crossref duplicated JSON key": ("crossref", lambda r, q, p: r._replace(
        body=r.body.replace(b'"volume":', b'"volume": "1", "volume":')) if p == "/works" else r,
        "not valid JSON"),
    "esummary pubdate is a number": ("eutils", _summary(_doc("pubdate", 2019)), "pubdate is a number, not a string"),
    "esummary articleids is a number": ("eutils", _summary(_doc("articleids", 7)), "articleids is a number"),
    "esummary authors is a number": ("eutils", _summary(_doc("authors", 3)), "authors is a number"),
    "esummary esummaryresult is a number": ("eutils", _summary(
        lambda d, q: (d.pop("result"), d.__setitem__("esummaryresult", 5))), "esummaryresult is a number"),
    "esummary documents about unasked uids": ("eutils", _summary(
        lambda d, q: d["result"].update({"123": {"uid": "123", "title": "Other"}})), "not asked (123)"),
    "esummary uids list an unasked id": ("eutils", _summary(
        lambda d, q: d["result"].__setitem__("uids", ["123"])), "not asked (123)"),
    "esummary document is about another uid": ("eutils", _summary(
        lambda d, q: [doc.__setitem__("uid", "777") for k, doc in d["result"].items() if k != "uids"]),
        "is about 777"),
    "esummary JSON nested 100,000 deep": ("eutils", _raw("esummary.fcgi", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
                                          "nested 100000 levels deep"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_garbage_answer_is_could_not_verify_for_its_batch(tmp_path, emulator, name):
    """Exit 3 ("could not verify"), the fault named in the report, never a verdict."""
    service, mangle, phrase = CASES[name]
    emulator.set_mangler(service, mangle)
    result = run_check(project(tmp_path), emulator.env())
    expect(result, UNAVAILABLE, phrase)
    assert "not found" not in result.output.lower() and "mismatch" not in result.output.lower()


def test_two_crossref_items_for_one_doi_make_the_batch_unavailable(emulator):
    """No copy wins: a batch answer describing one DOI twice is no answer."""
    works = [w for w in synthetic_works(2)]

    def twice(reply, query, path):
        data = decoded(reply)
        items = data["message"]["items"]
        data["message"]["items"] = [items[0], {**items[0], "title": ["Another title"]}]
        return json_reply(data)
    emulator.set_mangler("crossref", twice)
    http = make_client(RegistryConfig(urls={"crossref": emulator.crossref_url}, timeout=1))
    out = crossref.fetch_works(http, emulator.crossref_url, [w.doi for w in works])
    assert {lk.status for lk in out.values()} == {"unavailable"}
    assert "two items describe" in next(iter(out.values())).reason


def test_crossref_302_to_another_host_is_not_followed(tmp_path, emulator):
    """Exit 3, "redirected to another host": the other host is never asked."""
    elsewhere = RawServer(lambda conn, stopped: conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
    try:
        emulator.set_mangler("crossref", lambda r, q, p: Reply(302, b"", "text/html",
                                                               (("Location", f"{elsewhere.url}{p}"),)))
        result = run_check(project(tmp_path), emulator.env())
    finally:
        elsewhere.stop()
    expect(result, UNAVAILABLE, "redirected to another host")
    assert elsewhere.connections == 0


def test_eutils_307_never_re_posts_the_form_with_the_key(emulator):
    """A POST answered with 307 to another host: not sent again, the api_key goes nowhere."""
    got = []
    elsewhere = RawServer(lambda conn, stopped: got.append(1))
    try:
        emulator.set_mangler("eutils", lambda r, q, p: Reply(307, b"", "text/html",
                                                             (("Location", f"{elsewhere.url}/steal"),)))
        http = make_client(RegistryConfig(urls={"eutils": emulator.eutils_url}, api_key="K3Y", timeout=1))
        pmids = [w.pmid for w in synthetic_works(400) if w.pmid][:pubmed.GET_MAX + 1]
        out = pubmed.fetch_summaries(http, emulator.eutils_url, pmids, api_key="K3Y")
    finally:
        elsewhere.stop()
    assert emulator.requests[0].method == "POST"
    assert {lk.status for lk in out.values()} == {"unavailable"}
    assert "redirected a POST" in next(iter(out.values())).reason
    assert elsewhere.connections == 0 and not got


def test_a_same_host_redirect_is_followed_and_every_hop_is_counted(emulator):
    hops = []

    def once(reply, query, path):
        if "hop" in query or path != "/works":
            return reply
        hops.append(path)
        return Reply(302, b"", "text/html", (("Location", f"{emulator.crossref_url}/works?hop=1&"
                                              f"filter=doi:{SUH.doi}&rows=1"),))
    emulator.set_mangler("crossref", once)
    http = make_client(RegistryConfig(urls={"crossref": emulator.crossref_url}, timeout=1))
    look = crossref.fetch_works(http, emulator.crossref_url, [SUH.doi])[SUH.doi.lower()]
    assert look.status == "found" and hops == ["/works"]
    assert http.requests == emulator.count("crossref") == 2  # the hop went through the rate limiter


def test_mailto_and_api_key_go_only_to_their_own_registry(tmp_path, emulator):
    env = {**emulator.env(), "CITEPROOF_MAILTO": "me@example.org", "NCBI_API_KEY": "K3Y"}
    entry = SUH_BIB.replace(SUH.doi, DATACITE_DOI)  # Crossref does not know it: doi.org is asked too
    run_check(Scratch(tmp_path).write(page="# A\n\nSee [@suh2019].\n", bib=entry).root, env,
              "--lock", str(tmp_path / "elsewhere.json"), unchanged=False)
    by_service = {s: [r for r in emulator.requests if r.service == s] for s in ("crossref", "doi", "eutils")}
    assert all(by_service.values())
    for r in by_service["doi"]:
        assert "mailto" not in r.user_agent and "mailto" not in r.query and "api_key" not in r.query
    for r in by_service["crossref"]:
        assert "api_key" not in r.query and "mailto:me@example.org" in r.user_agent
    for r in by_service["eutils"]:
        assert r.query.get("api_key") == "K3Y" and "mailto" not in r.user_agent


def _huge_esearch(reply, query, path):
    if not path.endswith("esearch.fcgi"):
        return reply
    return json_reply({"esearchresult": {"count": "100000",
                                         "idlist": [str(10_000_000 + i) for i in range(100_000)]}})


def test_an_esearch_of_100000_ids_is_refused_not_followed(tmp_path, emulator):
    """Exit 3: the search answered more ids than asked for; no esummary goes after them."""
    emulator.set_mangler("eutils", _huge_esearch)
    http = make_client(RegistryConfig(urls={"eutils": emulator.eutils_url}, timeout=2))
    failed, hits = pubmed.esearch_dois(http, emulator.eutils_url, [SUH.doi])
    assert hits == [] and "a list of 100000 items" in failed[SUH.doi.lower()].reason
    entry = re.sub(r"\n\s*pmid\s*= \{\d+\},", "", SUH_BIB)
    assert "pmid" not in entry.replace("pmcid", "")
    root = Scratch(tmp_path).write(page="# A\n\nSee [@suh2019].\n", bib=entry).root
    emulator.reset()
    emulator.set_mangler("eutils", _huge_esearch)
    result = run_check(root, emulator.env(), unchanged=False)
    assert result.exit_code == 0  # Crossref verified it; the PMID suggestion could not be had
    assert emulator.count("eutils", "esummary.fcgi") == 0


@pytest.mark.slow
@pytest.mark.parametrize("body, phrase", [
    (b'{"DOI": "10.5061/dryad.citeproof-emulator", "title": "T", "issued": {"date-parts": [[1e400]]}}',
     "not a date part"),
    (b'{"DOI": "10.5061/dryad.citeproof-emulator", "title": "T", "author": 5}', "author is a number"),
    (b'{"DOI": "10.5061/dryad.citeproof-emulator", "title": {"a": 1}}', "title is an object"),
])
def test_a_garbage_csl_answer_keeps_the_bare_handle_answer(tmp_path, emulator, body, phrase):
    """doi.org content negotiation of the wrong shape: "exists, not compared", no traceback."""
    from citeproof.registries import doi
    from emulator.server import CSL_PATH
    emulator.set_mangler("doi", lambda r, q, p: r._replace(body=body) if p.startswith(CSL_PATH) else r)
    http = make_client(RegistryConfig(urls={"doi.org": emulator.doi_url}, timeout=1))
    look = doi.fetch_csl(http, emulator.doi_url, DATACITE_DOI)
    assert look.status == "unavailable" and phrase in look.reason
    handles = doi.fetch_handles(http, emulator.doi_url, [DATACITE_DOI])
    described = doi.describe(http, emulator.doi_url, handles)
    assert described[DATACITE_DOI.lower()].record.agency == "exists"


@pytest.mark.parametrize("mutate, phrase", [
    (lambda records: records + records, "a list of 2 items (at most 1 expected)"),
    (lambda records: [{**records[0], "requested-id": "PMC999", "pmcid": "PMC999"}], "which was not asked"),
    (lambda records: [{**records[0], "pmid": ["1"]}], "pmid is a list, not text"),
])
def test_a_garbage_pmc_id_converter_answer_is_unavailable(emulator, mutate, phrase):
    from citeproof.registries import idconv

    def mangle(reply, query, path):
        data = decoded(reply)
        return json_reply({**data, "records": mutate(data["records"])})
    emulator.set_mangler("idconv", mangle)
    http = make_client(RegistryConfig(urls={"idconv": emulator.idconv_url}, timeout=1))
    look = idconv.convert_pmcids(http, emulator.idconv_url, [SUH.pmcid])[SUH.pmcid]
    assert look.status == "unavailable" and phrase in look.reason


# --------------------------------------------------------------------------- find, and text that is no text

def test_find_on_a_search_answer_of_the_wrong_shape_is_could_not_ask_never_a_traceback(tmp_path, emulator):
    """Crossref's bibliographic search is checked against the shape of the fields read,
    as its batch answers are: "author": 5 makes Crossref "could not ask"; PubMed still answers."""
    emulator.set_mangler("crossref", crossref_items(_set("author", 5)))
    root = project(tmp_path)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["find", "-q", "Suh JH (2019) The effect of lumbar "
                                           "stabilization and walking exercises. Medicine"], env=emulator.env())
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "could not ask Crossref: Crossref sent an answer of the wrong shape: message.items[0].author " \
           "is a number, not a list" in result.stderr
    assert "[PubMed]" in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize("body", [b'{"t": ["a\\ud800b"], "\\udfff": "\\ud83d\\ude00"}',
                                  b'{"t": ["a\xed\xa0\x80b"], "\xed\xbf\xbf": "\\ud83d\\ude00"}'],
                         ids=["escaped", "raw bytes"])
def test_a_lone_surrogate_in_an_answer_is_read_as_u_fffd(body):
    """``"\\ud800"`` is legal JSON but no text (no UTF-8 holds it): every string and key of
    an answer is read with U+FFFD in its place; a surrogate pair stays one character."""
    from citeproof.registries.http import Answer
    assert Answer(200, {}, body, "u", "Crossref").json() == {"t": ["a\ufffdb"], "\ufffd": "\U0001f600"}
