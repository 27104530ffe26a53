# EMULATOR: a local stand-in for Crossref, doi.org, NCBI E-utilities and NCBI's PMC ID
# converter, for tests only.
# Its answers are built from fixtures.py (emulator test data), never from a registry.
"""A registry emulator on 127.0.0.1: four HTTP servers with the registries' behaviour.

Documented behaviour emulated (the registries' public documentation, summarised in ../shared/notes/registries.md): Crossref
``/works/{doi}`` (404 ``Resource not found.``), ``/works/{doi}/agency`` and
``/works?filter=doi:...`` (``rows`` default 20, cap 1000; ``select``; 414 for a request
line over 8 KB) and ``/works?query.bibliographic=...&rows=N`` (ranked, with ``score``,
loosely related works included); doi.org ``/api/handles/{doi}`` (responseCode 1 / 100) and content
negotiation (``GET /{doi}`` with ``Accept: application/vnd.citationstyles.csl+json`` ->
302 to ``/application/vnd.citationstyles.csl+json/{doi}`` on the same server, which
answers CSL-JSON, as DataCite's resolver does; unknown DOI -> 404); E-utilities
esummary (GET and POST, per-uid errors, a top-level error for malformed ids) and esearch
(``[doi]`` terms OR-ed, ``retmax`` default 20; ``word[ti]`` and ``Name[au]`` clauses
AND-ed); the PMC ID converter (``?ids=PMC1,PMC2&format=json``: ``records`` with
``pmcid``/``pmid``/``doi``, ``status: error`` and ``errmsg`` for an unknown id, at most
200 ids). Rate limits: Crossref public pool 5/s and
1 at a time, polite pool 10/s and 5 at a time (429 + Retry-After); NCBI 3/s, 10/s with an
api_key (429 + JSON error); the converter 3/s; each a strict sliding window of one second.
Latency and faults can be injected per service.
"""
from __future__ import annotations

import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple, Optional
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .fixtures import Dataset, default_dataset

SERVICES = ("crossref", "doi", "eutils", "idconv")
FAULTS = ("500", "502", "503", "504", "html", "truncated", "reset", "hang", "403", "429")
EUTILS_PREFIX = "/entrez/eutils"
IDCONV_PREFIX = "/tools/idconv/api/v1/articles"
MAX_REQUEST_LINE = 8192
CROSSREF_SELECTABLE = {
    "DOI", "title", "subtitle", "author", "container-title", "short-container-title", "issued",
    "published-print", "published-online", "volume", "issue", "page", "article-number", "type",
    "subtype", "updated-by", "update-to", "relation", "URL", "publisher", "member", "prefix", "indexed", "source",
    "reference-count", "ISSN", "abstract", "editor", "funder", "license", "link", "subject",
}
INVALID_API_KEY = "invalid-key"  # the emulator answers it like NCBI answers a bad key
TEST_API_KEY = "emulator-test-key"  # any other key earns the keyed rate, as a real one does
IDENTIFIED = {"NCBI_API_KEY": TEST_API_KEY, "CITEPROOF_MAILTO": "tests@citeproof.invalid"}
CSL_TYPE = "application/vnd.citationstyles.csl+json"
CSL_PATH = f"/{CSL_TYPE}/"  # where doi.org's content negotiation redirects (DataCite's route)


class Logged(NamedTuple):
    """One request the emulator received: ``path`` decoded, ``query`` the URL query + POST form."""

    method: str
    path: str
    query: dict
    service: str = ""
    user_agent: str = ""


class _Bucket:
    """A strict sliding window (at most ``rate`` accepted requests in any 1 s) plus an
    in-flight cap: the strictest reading of a "N requests per second" policy."""

    def __init__(self, rate: float, max_concurrent: Optional[int]):
        self.rate, self.max_concurrent = rate, max_concurrent
        self.starts: deque = deque()
        self.inflight, self.peak = 0, 0
        self.lock = threading.Lock()

    def enter(self) -> bool:
        with self.lock:
            now = time.monotonic()
            while self.starts and now - self.starts[0] >= 1.0:
                self.starts.popleft()
            if len(self.starts) >= self.rate or (self.max_concurrent and self.inflight >= self.max_concurrent):
                return False
            self.starts.append(now)
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)
            return True

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1


class Reply(NamedTuple):
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple = ()


def _json(status: int, data, headers: tuple = ()) -> Reply:
    return Reply(status, json.dumps(data).encode(), "application/json;charset=UTF-8", headers)


def json_reply(data, status: int = 200, headers: tuple = ()) -> Reply:
    """A JSON answer (for manglers)."""
    return _json(status, data, headers)


def decoded(reply: Reply):
    """The JSON body of an answer (for manglers)."""
    return json.loads(reply.body)


def crossref_items(mutate):
    """A Crossref mangler: ``mutate(item)`` on every work of a list answer."""
    def mangle(reply: Reply, query, path):
        if reply.status != 200 or not path.startswith("/works"):
            return reply
        data = decoded(reply)
        for item in data["message"].get("items", []):
            mutate(item)
        return json_reply(data)
    return mangle


def _text(status: int, text: str, ctype: str = "text/plain") -> Reply:
    return Reply(status, text.encode(), ctype)


class Emulator:
    """Four local servers (crossref, doi, eutils, idconv) sharing one dataset and one request log."""

    def __init__(self, dataset: Optional[Dataset] = None, *, latency: float = 0.0,
                 rate_limits: bool = True, hang_seconds: float = 5.0, retry_after: str = "1"):
        self.dataset = dataset or default_dataset()
        self.latency = self._initial_latency = latency  # seconds added to every answer
        self.latencies: dict[str, float] = {}  # per-service override
        self._initial = {"rate_limits": rate_limits, "retry_after": retry_after,
                         "hang_seconds": min(hang_seconds, 30.0)}  # a hang is always bounded
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self.reset()

    # --- life cycle ----------------------------------------------------------------------
    def start(self) -> "Emulator":
        for service in (*SERVICES, "mirror"):
            handler = type(f"{service.title()}Handler", (_Handler,), {"emulator": self, "service": service})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            server.handle_error = lambda request, address: None  # resets and hangs are on purpose
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                             daemon=True, name=f"emulator-{service}").start()
            self._servers[service] = server
        return self

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget the log, faults and rate-limit state; restore the constructor's knobs."""
        with self._lock:
            self.requests.clear()
            self.faults: dict[str, list] = {}
            self.manglers: dict[str, object] = {}
            self.chaos: Optional[tuple] = None  # (probability, random.Random) of a random fault
            self.injected: Counter = Counter()  # random faults given, by kind
            self.latency, self.latencies = self._initial_latency, {}
            self.rate_limits = self._initial["rate_limits"]
            self.retry_after = self._initial["retry_after"]  # Crossref's Retry-After on 429
            self.hang_seconds = self._initial["hang_seconds"]
            self.buckets: dict[tuple, _Bucket] = {}
            self.status_429: dict[str, int] = {s: 0 for s in SERVICES}

    # --- addresses -----------------------------------------------------------------------
    def url(self, service: str, one_host: bool = False) -> str:
        """``service``'s base URL: its own server, or (``one_host``) its path on the one
        server that answers for every service by its first path segment, as a mirror or a
        caching proxy of all the registries would."""
        host, port = self._servers["mirror" if one_host else service].server_address[:2]
        return (f"http://{host}:{port}" + (f"/{service}" if one_host else "")
                + {"eutils": EUTILS_PREFIX, "idconv": IDCONV_PREFIX}.get(service, ""))

    crossref_url = property(lambda self: self.url("crossref"))
    doi_url = property(lambda self: self.url("doi"))
    eutils_url = property(lambda self: self.url("eutils"))
    idconv_url = property(lambda self: self.url("idconv"))

    def env(self, one_host: bool = False, identified: bool = True) -> dict[str, str]:
        """The four ``CITEPROOF_*_URL`` variables pointing at this emulator (``one_host``: all
        at one host and port, see :meth:`url`). ``identified``: with an NCBI API key and a
        Crossref ``mailto``, as a well-set-up CI has, so NCBI and Crossref answer at their
        better rates (10 a second); ``identified=False``: anonymous (3 and 5 a second)."""
        urls = {f"CITEPROOF_{name.upper()}_URL": self.url(service, one_host)
                for name, service in (("crossref", "crossref"), ("doi", "doi"), ("eutils", "eutils"),
                                      ("idconv", "idconv"))}
        return {**urls, **IDENTIFIED} if identified else urls

    # --- knobs and observations -------------------------------------------------------------
    def set_fault(self, service: str, kind: Optional[str], times: Optional[int] = None,
                  path: str = "") -> None:
        """Make ``service`` misbehave (``kind`` in FAULTS) for ``times`` requests (None: all).

        ``path``: only requests whose decoded path starts with it misbehave (e.g. ``"/10."``
        for doi.org content negotiation, ``CSL_PATH`` for its metadata, ``"/api/handles/"``).
        ``kind=None`` clears the service's faults.
        """
        if service not in SERVICES or (kind is not None and kind not in FAULTS):
            raise ValueError(f"unknown service or fault: {service!r}, {kind!r}")
        with self._lock:
            self.faults[service] = [] if kind is None else [kind, times, path]

    def set_mangler(self, service: str, mangle) -> None:
        """Make ``service`` a hostile registry: ``mangle(reply, query, path) -> Reply`` rewrites
        each answer it gives (``None`` clears it). :func:`json_reply` and :func:`decoded` help."""
        if service not in SERVICES:
            raise ValueError(f"unknown service: {service!r}")
        with self._lock:
            self.manglers[service] = mangle

    def set_random_faults(self, probability: float, seed: int = 0) -> None:
        """Let each request misbehave with ``probability``, in a kind drawn from FAULTS
        (reproducible with ``seed``); ``probability=0`` stops it. Explicit faults come first."""
        with self._lock:
            self.chaos = (probability, random.Random(seed)) if probability > 0 else None

    def _take_fault(self, service: str, path: str = "") -> Optional[str]:
        with self._lock:
            fault = self.faults.get(service)
            if not fault and self.chaos is not None:
                probability, rng = self.chaos
                if rng.random() >= probability:
                    return None
                kind = rng.choice(FAULTS)
                self.injected[kind] += 1
                return kind
            if not fault or not path.startswith(fault[2]):
                return None
            kind, times = fault[:2]
            if times is not None:
                fault[1] = times - 1
                if times <= 0:
                    return None
            return kind

    def count(self, service: Optional[str] = None, path: str = "", method: str = "") -> int:
        """How many logged requests match (``path`` is a suffix test, e.g. ``"esummary.fcgi"``)."""
        return sum(1 for r in list(self.requests) if (not service or r.service == service)
                   and r.path.endswith(path) and (not method or r.method == method))

    def peak_concurrency(self, service: str) -> int:
        return max((b.peak for k, b in self.buckets.items() if k[0] == service), default=0)

    def _bucket(self, service: str, query: dict, user_agent: str) -> Optional[_Bucket]:
        if not self.rate_limits or service == "doi":
            return None
        if service == "idconv":
            with self._lock:
                return self.buckets.setdefault((service, "anonymous"), _Bucket(3, None))
        if service == "crossref":
            polite = bool(query.get("mailto")) or "mailto:" in user_agent
            key, rate, conc = (service, "polite" if polite else "public"), *((10, 5) if polite else (5, 1))
        else:
            api_key = query.get("api_key", "")
            key, rate, conc = (service, api_key or "anonymous"), (10 if api_key else 3), None
        with self._lock:
            return self.buckets.setdefault(key, _Bucket(rate, conc))

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stop.wait(seconds)


class QuietHandler(BaseHTTPRequestHandler):
    """What the test servers (this emulator, the replay server) share: HTTP/1.0, no log,
    GET and POST to ``_serve(method)``, a POST's form as text, a :class:`Reply` sent."""
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method: str) -> None:
        raise NotImplementedError

    def _form(self) -> str:
        """A POST's body as text."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace")

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


class _Handler(QuietHandler):
    emulator: Emulator
    service: str

    def _serve(self, method: str) -> None:
        emu = self.emulator
        parts = self._route(urlsplit(self.path))
        if parts is None:
            return self._send(_text(404, "Not Found"))
        service = self.service
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if method == "POST":
            query.update(parse_qsl(self._form(), keep_blank_values=True))
        user_agent = self.headers.get("User-Agent", "")
        with emu._lock:
            emu.requests.append(Logged(method, unquote(parts.path), query, service, user_agent))
        if len(self.requestline) > MAX_REQUEST_LINE:
            return self._send(_text(414, "Request-URI Too Long"))
        fault = emu._take_fault(service, unquote(parts.path))
        if self._failed(fault):
            return None
        bucket = emu._bucket(service, query, user_agent)
        if fault == "429" or (bucket is not None and not bucket.enter()):
            with emu._lock:
                emu.status_429[service] += 1
            return self._send(self._too_many(query))
        try:
            emu._sleep(emu.latencies.get(service, emu.latency))
            reply = getattr(self, f"_{service}")(method, parts.path, query)
            mangle = emu.manglers.get(service)
            if mangle is not None:
                reply = mangle(reply, query, unquote(parts.path))
        finally:
            if bucket is not None:
                bucket.leave()  # before the answer is written: the client may go on at once
        if fault == "truncated":
            reply = reply._replace(body=reply.body[: max(1, len(reply.body) // 2)])
        self._send(reply)

    def _route(self, parts):
        """The request's URL parts for its service; on the mirror (one host for all) the
        service is the first path segment, taken off the path (``None``: no such service)."""
        if self.service != "mirror":
            return parts
        first, _, rest = parts.path.lstrip("/").partition("/")
        if first not in SERVICES:
            return None
        self.service, self.prefix = first, f"/{first}"
        return parts._replace(path="/" + rest)

    def _failed(self, fault: str | None) -> bool:
        """Answer as ``fault`` says a failing server answers (a reset, a hang, a 5xx, an
        HTML page, a 403); whether it did."""
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif fault == "hang":
            self.emulator._sleep(self.emulator.hang_seconds)
        elif fault in ("500", "502", "503", "504"):
            self._send(_text(int(fault), f"<html><body><h1>{fault} Server Error</h1></body></html>", "text/html"))
            return True
        elif fault == "html":
            self._send(_text(200, "<html><body>Service temporarily unavailable</body></html>", "text/html"))
            return True
        elif fault == "403":
            self._send(_text(403, "<html><body><h1>403 Forbidden</h1>Bots are blocked.</body></html>", "text/html"))
            return True
        else:
            return False
        self.close_connection = True
        return True

    def _too_many(self, query: dict) -> Reply:
        if self.service == "crossref":
            return Reply(429, b"Too Many Requests", "text/plain",
                         (("Retry-After", self.emulator.retry_after), ("x-rate-limit-limit", "5"),
                          ("x-rate-limit-interval", "1s")))
        if self.service == "eutils":  # NCBI echoes the key (or the caller's IP) in the body
            return _json(429, {"error": "API rate limit exceeded", "api-key": query.get("api_key") or
                               self.client_address[0], "count": "4", "limit": "3"})
        return _text(429, "Too Many Requests")

    # --- Crossref ----------------------------------------------------------------------------
    def _crossref(self, method, path, query) -> Reply:
        data = self.emulator.dataset
        if path.rstrip("/") == "/works":
            return self._crossref_list(query)
        if not path.startswith("/works/"):
            return _text(404, "Resource not found.")
        doi = unquote(path[len("/works/"):])
        if doi.endswith("/agency") and doi.lower() not in data.crossref:
            doi = doi[: -len("/agency")]
            agency = data.agencies.get(doi.lower())
            if not agency:
                return _text(404, "Resource not found.")
            return _json(200, {"status": "ok", "message-type": "work-agency", "message-version": "1.0.0",
                               "message": {"DOI": doi.lower(), "agency": {"id": agency, "label": agency.title()}}})
        item = data.crossref.get(doi.lower())
        if item is None:
            return _text(404, "Resource not found.")
        return _json(200, {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": item})

    def _crossref_list(self, query) -> Reply:
        def failure(kind, value, message):
            return _json(400, {"status": "failed", "message-type": "validation-failure",
                               "message": [{"type": kind, "value": value, "message": message}]})
        rows = query.get("rows", "20")
        if not rows.isdigit() or int(rows) > 1000:
            return failure("integer-not-valid", rows,
                           f"Integer specified as {rows} but must be a positive integer less than or equal to 1000.")
        select = [s for s in query.get("select", "").split(",") if s]
        bad = [s for s in select if s not in CROSSREF_SELECTABLE]
        if bad:
            return failure("select-not-valid", bad[0], f"Field specified as {bad[0]} is not valid for select.")
        if query.get("query.bibliographic"):
            return self._crossref_query(query["query.bibliographic"], int(rows), select)
        wanted = set()
        for part in re.split(r",(?=[a-z-]+:)", query.get("filter", "")) if query.get("filter") else ():
            name, _, value = part.partition(":")
            if name != "doi":
                return failure("filter-not-available", name, f"Filter {name} specified but there is no such filter.")
            wanted.add(value.lower())
        data = self.emulator.dataset
        found = sorted((data.crossref[d] for d in wanted if d in data.crossref), key=lambda i: i["DOI"], reverse=True)
        items = [{k: v for k, v in i.items() if not select or k in select} for i in found[: int(rows)]]
        return _json(200, {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                           "message": {"facets": {}, "total-results": len(found), "items": items,
                                       "items-per-page": int(rows), "query": {"start-index": 0,
                                                                               "search-terms": None}}},
                     (("x-rate-limit-limit", "5"), ("x-rate-limit-interval", "1s")))

    def _crossref_query(self, text: str, rows: int, select: list) -> Reply:
        """``query.bibliographic``: works ranked by relevance (here: shared words), each
        with its ``score``, as many as ``rows``; Crossref answers loosely related works too."""
        data = self.emulator.dataset
        wanted = set(_words(text))
        scored = []
        for item in data.crossref.values():
            have = set(_words(" ".join([*item.get("title", []), *item.get("container-title", []),
                                        *(a.get("family", "") for a in item.get("author", [])),
                                        *(str(p) for p in item["published-print"]["date-parts"][0][:1])])))
            score = len(wanted & have)
            if score:
                scored.append((score, item))
        scored.sort(key=lambda si: (-si[0], si[1]["DOI"]))
        items = [{**{k: v for k, v in i.items() if not select or k in select}, "score": float(sc)}
                 for sc, i in scored[:rows]]
        return _json(200, {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                           "message": {"facets": {}, "total-results": len(scored), "items": items,
                                       "items-per-page": rows, "query": {"start-index": 0,
                                                                         "search-terms": text}}})

    # --- PMC ID converter ----------------------------------------------------------------
    def _idconv(self, method, path, query) -> Reply:
        if path.rstrip("/") != IDCONV_PREFIX:
            return _text(404, "Not Found")
        ids = [i.strip() for i in query.get("ids", "").split(",") if i.strip()]
        if not ids or len(ids) > 200:
            return _json(400, {"status": "error", "message": "ids: between 1 and 200 ids, please"})
        by_pmcid = {w.pmcid.upper(): w for w in self.emulator.dataset.works if w.pmcid}
        records = []
        for ident in ids:
            w = by_pmcid.get(ident.upper())
            if w is None:
                records.append({"requested-id": ident, "status": "error", "errmsg": "Identifier not found in PMC"})
            else:
                records.append({"requested-id": ident, "pmcid": w.pmcid, "pmid": w.pmid, "doi": w.doi})
        return _json(200, {"status": "ok", "responseDate": "2026-01-01 00:00:00",
                           "request": query.get("ids", ""), "records": records})

    # --- doi.org -------------------------------------------------------------------------
    def _doi(self, method, path, query) -> Reply:
        if path.startswith(CSL_PATH):
            return self._csl(unquote(path[len(CSL_PATH):]))
        if not path.startswith("/api/handles/"):
            return self._resolve(unquote(path[1:]))
        doi = unquote(path[len("/api/handles/"):])
        if doi.lower() not in self.emulator.dataset.agencies:
            return _json(404, {"responseCode": 100, "handle": doi})
        return _json(200, {"responseCode": 1, "handle": doi, "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": f"https://example.org/emulated/{doi}"},
             "ttl": 86400, "timestamp": "2025-01-01T00:00:00Z"}]})

    def _resolve(self, doi: str) -> Reply:
        """``GET /{doi}``: redirect to the CSL-JSON (Accept header) or to the landing page."""
        if doi.lower() not in self.emulator.dataset.agencies:
            return _text(404, "<html><body>DOI Not Found</body></html>", "text/html")
        if CSL_TYPE in self.headers.get("Accept", ""):
            host, port = self.server.server_address[:2]
            target = f"http://{host}:{port}{getattr(self, 'prefix', '')}{CSL_PATH}{quote(doi, safe='/')}"
        else:
            target = f"https://example.org/emulated/{quote(doi, safe='/')}"
        return Reply(302, b"", "text/html;charset=utf-8", (("Location", target),))

    def _csl(self, doi: str) -> Reply:
        item = self.emulator.dataset.csl.get(doi.lower())
        if item is None:
            return _text(404, "The resource you are looking for doesn't exist.")
        return Reply(200, json.dumps(item).encode(), f"{CSL_TYPE}; charset=utf-8")

    # --- NCBI E-utilities --------------------------------------------------------------
    def _eutils(self, method, path, query) -> Reply:
        if query.get("api_key") == INVALID_API_KEY:
            return _json(400, {"error": "API key invalid", "api-key": INVALID_API_KEY,
                               "type": "invalid", "status": "unknown"})
        name = path[len(EUTILS_PREFIX):].strip("/") if path.startswith(EUTILS_PREFIX) else ""
        if name == "esummary.fcgi":
            return self._esummary(query)
        if name == "esearch.fcgi":
            return self._esearch(query)
        return _text(404, "Not Found")

    def _esummary(self, query) -> Reply:
        header = {"type": "esummary", "version": "0.3"}
        if query.get("db") != "pubmed":
            return _json(200, {"header": header, "error": f"Invalid db name specified: {query.get('db')}"})
        ids = [i.strip() for i in query.get("id", "").split(",") if i.strip()]
        if not ids:
            return _json(200, {"header": header, "error": "Empty id list - nothing todo"})
        for pos, uid in enumerate(ids):
            if not uid.isdigit():
                return _json(200, {"header": header, "error": f"Invalid uid {uid} at position={pos}"})
        docs = self.emulator.dataset.summaries
        result = {"uids": ids}
        for uid in ids:
            result[uid] = docs.get(uid) or {"uid": uid, "error": "cannot get document summary"}
        return _json(200, {"header": header, "result": result})

    def _esearch(self, query) -> Reply:
        header = {"type": "esearch", "version": "0.3"}
        term = query.get("term", "")
        dois = [d.strip('"').lower() for d in re.findall(r'("[^"]+"|[^\s()"]+)\[doi\]', term, re.IGNORECASE)]
        by_doi = self.emulator.dataset.pmid_by_doi
        pmids = [by_doi[d] for d in dict.fromkeys(dois) if d in by_doi]
        if not dois and re.search(r"\[(?:ti|au)\]", term, re.IGNORECASE):
            pmids = self._esearch_fields(term)
        retmax = int(query.get("retmax", "20") or 20)
        result = {"count": str(len(pmids)), "retmax": str(min(retmax, len(pmids))), "retstart": "0",
                  "idlist": pmids[:retmax], "translationset": [], "querytranslation": term}
        missing = [d for d in dois if d not in by_doi]
        if missing:
            result["errorlist"] = {"phrasesnotfound": [f"{d}[doi]" for d in missing], "fieldsnotfound": []}
        return _json(200, {"header": header, "esearchresult": result})


    def _esearch_fields(self, term: str) -> list[str]:
        """``word[ti] AND name[au] ...``: the PMIDs of the works matching every clause
        (a title word in the title, an author as "Family" or "Family XY"), newest first."""
        clauses = [m.groups() for part in re.split(r"\s+AND\s+", term)
                   for m in [re.fullmatch(r'\(?\s*(.+?)\s*\[(ti|au)\]\s*\)?', part.strip(), re.IGNORECASE)] if m]
        out = []
        for w in self.emulator.dataset.works:
            if not w.pmid:
                continue
            title, authors = set(_words(w.title)), [a.lower() for a in w.authors]
            if all((set(_words(value)) <= title) if kind.lower() == "ti" else
                   any(a == value.strip('"').lower() or a.startswith(value.strip('"').lower() + " ")
                       for a in authors) for value, kind in clauses):
                out.append(w)
        return [w.pmid for w in sorted(out, key=lambda w: (-w.year, w.pmid))]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def start(n_synthetic: int = 0, **options) -> Emulator:
    """Start an emulator with the default dataset plus ``n_synthetic`` synthetic works.

    Options as for :class:`Emulator` (``latency``, ``rate_limits``, ...). Call ``stop()``
    (or use it as a context manager) when done.
    """
    return Emulator(default_dataset(n_synthetic), **options).start()
