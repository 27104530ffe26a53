# REPLAY: serves real registry answers recorded by other projects; invents none.
"""A local HTTP server that replays the recorded registry answers to citeproof's clients.

One server on 127.0.0.1 answers for every registry under a path prefix (``/crossref``,
``/doi``, ``/eutils``, ``/idconv``, ``/datacite``: :data:`recordings.BASES`), so that
``Replay.env()`` points citeproof at it. Three kinds of answer, each marked in the
``X-Replay`` response header:

* ``recorded``: a request that matches a recording (the rule is in
  :mod:`.recordings`) gets the recorded body byte for byte, with the recorded status and
  content type (``X-Replay-Source`` names the file);
* ``assembled``: a Crossref batch (``GET /works?filter=doi:A,doi:B…``, as citeproof asks),
  which no recording holds, is assembled from the recorded items of its DOIs (a
  ``/works/{doi}`` answer first, else an item of a recorded work list: ``Recordings.work``),
  ``select`` applied to each item's top-level fields and ``rows`` to the list, in the
  envelope Crossref gives a work list. A DOI that Crossref was recorded answering 404 for
  is left out of the list, as Crossref leaves out a DOI it does not know. Only when every
  DOI of the batch has a recorded answer; ``X-Replay-Sources`` lists the files used. The
  items are the recorded ones (re-serialised JSON, the same values); the envelope is not
  a recording;
* ``not-recorded``: anything else, HTTP 421 ("Misdirected Request": this server cannot
  produce the answer) with a text body that says so. Not 404: a 404 from Crossref's
  ``/works/{doi}`` or doi.org's handle API is a verdict ("does not exist"), and the replay
  never invents one; every citeproof client reads a 421 as "could not ask".

What the recordings cannot serve: no PubMed esummary in JSON (citeproof's form) and no
doi.org handle-API answer exists in a permissively licensed public repository (two
collection passes found none, see ``tests/data/recordings/SOURCES.md``); the recorded
esearch and esummary answers are XML, the recorded PMC ID converter answers convert DOIs,
not PMCIDs. So PubMed, the handle API and the converter answer ``not-recorded`` here, and
the tests that need them take those registries from the emulator (``tests/emulator``).
"""
from __future__ import annotations

import json
import threading
from http.server import ThreadingHTTPServer
from typing import NamedTuple, Optional
from urllib.parse import parse_qsl, urlsplit

from emulator.server import QuietHandler, Reply

from .recordings import BASES, Recordings

#: citeproof's registry names -> the replay's path prefix (see ``Replay.env``).
PREFIXES = {"crossref": "crossref", "doi": "doi", "eutils": "eutils", "idconv": "idconv"}
_MAX_BATCH = 1000  # Crossref's cap on rows


class Served(NamedTuple):
    """One request the replay answered, and how (``recorded``, ``assembled``, ``not-recorded``)."""

    method: str
    registry: str
    path: str
    query: str
    how: str
    sources: tuple[str, ...] = ()


class Replay:
    """The replay server (a context manager): ``with Replay() as replay: replay.env()``."""

    def __init__(self, recordings: Optional[Recordings] = None):
        self.recordings = recordings or Recordings()
        self.served: list[Served] = []
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None

    def start(self) -> "Replay":
        handler = type("ReplayHandler", (_Handler,), {"replay": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name="replay").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "Replay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, registry: str) -> str:
        """The base URL citeproof uses for ``registry`` (a key of :data:`PREFIXES`)."""
        assert self._server is not None, "start() the replay first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{PREFIXES[registry]}"

    def env(self, *registries: str) -> dict[str, str]:
        """``CITEPROOF_*_URL`` for ``registries`` (default: all four) pointing here."""
        names = registries or tuple(PREFIXES)
        return {f"CITEPROOF_{name.upper()}_URL": self.url(name) for name in names}

    def count(self, how: str = "", registry: str = "") -> int:
        return sum(1 for s in list(self.served) if (not how or s.how == how)
                   and (not registry or s.registry == registry))

    def log(self, served: Served) -> None:
        with self._lock:
            self.served.append(served)

    # --- answers ---------------------------------------------------------------------------

    def answer(self, method: str, registry: str, path: str, query: str, form: str) -> tuple[Reply, Served]:
        rec = self.recordings.match(method, registry, path, query, form)
        if rec is not None:
            ctype = rec.content_type or ("application/json" if rec.file.endswith(".json") else "text/plain")
            headers = (("X-Replay", "recorded"), ("X-Replay-Source", rec.file))
            if rec.content_type is None:
                headers += (("X-Replay-Content-Type", "not recorded"),)
            return (Reply(rec.status or 200, rec.body(), ctype, headers),
                    Served(method, registry, path, query, "recorded", (rec.file,)))
        if registry == "crossref" and method == "GET" and path.rstrip("/") == "/works":
            assembled = self.assemble(query)
            if assembled is not None:
                return assembled[0], Served(method, registry, path, query, "assembled", assembled[1])
        text = (f"not recorded: {method} {BASES.get(registry, registry)}{path}"
                + (f"?{query}" if query else "") + "\n").encode()
        return (Reply(421, text, "text/plain; charset=utf-8", (("X-Replay", "not-recorded"),)),
                Served(method, registry, path, query, "not-recorded"))

    def assemble(self, query: str) -> Optional[tuple[Reply, tuple[str, ...]]]:
        """A Crossref batch from recorded items (see the module docstring), or ``None``."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        if set(params) - {"filter", "rows", "select", "mailto"} or not params.get("filter"):
            return None
        parts = params["filter"].split(",doi:")
        if not parts[0].startswith("doi:"):
            return None
        dois = [parts[0][len("doi:"):], *parts[1:]]
        rows = params.get("rows", "20")
        if not rows.isdigit() or not 0 < int(rows) <= _MAX_BATCH:
            return None
        select = [s for s in params.get("select", "").split(",") if s]
        items, sources = [], []
        for doi in dois:
            work = self.recordings.work(doi)
            absent = self.recordings.crossref_absent(doi)
            if work is None and absent is None:
                return None  # one DOI without a recorded answer: the batch is not recorded
            if work is not None:
                items.append({k: v for k, v in work.item.items() if not select or k in select})
                sources.append(work.recording.file)
            else:
                sources.append(absent.file)
        sources = list(dict.fromkeys(sources))
        body = {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                "message": {"facets": {}, "total-results": len(items), "items": items[:int(rows)],
                            "items-per-page": int(rows), "query": {"start-index": 0, "search-terms": None}}}
        headers = (("X-Replay", "assembled"), ("X-Replay-Sources", ", ".join(sources)))
        return Reply(200, json.dumps(body, ensure_ascii=False).encode(), "application/json", headers), tuple(sources)


class _Handler(QuietHandler):
    replay: Replay

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        prefix, _, rest = parts.path.lstrip("/").partition("/")
        registry = next((r for r, p in PREFIXES.items() if p == prefix), prefix)
        form = self._form() if method == "POST" else ""
        reply, served = self.replay.answer(method, registry, "/" + rest, parts.query, form)
        self.replay.log(served)
        self._send(reply)


def start(recordings: Optional[Recordings] = None) -> Replay:
    """A started replay server (call ``stop()``, or use it as a context manager)."""
    return Replay(recordings).start()


__all__ = ["PREFIXES", "Replay", "Served", "start"]
