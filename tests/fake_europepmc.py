"""A Europe PMC stand-in, written as a registry module is: one ``REGISTRY`` that declares a
judging PMID-record source, and a local server that answers Europe PMC's REST search
(``GET /search?query=EXT_ID:… AND SRC:MED&format=json&resultType=core``) in its JSON
shape, from the works a test gives it. Test data, not registry answers.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from citeproof.model import Author, Lookup, Record
from citeproof.registries import Ask, Policy, Rate, Registry, RegistryUnavailable, Role, Source
from citeproof.registries.http import utc_now

SOURCE = "europepmc"


def _record(hit: dict, retrieved: str) -> Record:
    journal = hit.get("journalInfo") or {}
    return Record(
        source=SOURCE, identifier=str(hit["pmid"]), retrieved=retrieved, title=hit.get("title", "").rstrip("."),
        authors=tuple(Author(a["lastName"], a.get("initials", "")) for a in hit.get("authorList", {}).get("author", [])),
        year=str(journal.get("yearOfPublication", "")), journal=journal.get("journal", {}).get("title", ""),
        journal_abbrev=journal.get("journal", {}).get("medlineAbbreviation", ""),
        volume=journal.get("volume", ""), issue=journal.get("issue", ""), pages=hit.get("pageInfo", ""),
        doi=hit.get("doi", ""), pmid=str(hit["pmid"]),
        pubtypes=tuple(hit.get("pubTypeList", {}).get("pubType", [])))


def _fetch(ask: Ask) -> dict[str, dict[str, Lookup]]:
    if not ask.pmids:
        return {SOURCE: {}}
    query = " OR ".join(f"EXT_ID:{p}" for p in ask.pmids) + " AND SRC:MED"
    try:
        answer = ask.http.get(f"{ask.base}/search", {"query": query, "format": "json", "resultType": "core"})
        if answer.status != 200:
            raise RegistryUnavailable(f"Europe PMC answered HTTP {answer.status}")
        hits = {str(h["pmid"]): h for h in answer.json()["resultList"]["result"]}
    except RegistryUnavailable as exc:
        return {SOURCE: {p: Lookup(SOURCE, p, "unavailable", reason=exc.reason) for p in ask.pmids}}
    now = utc_now()
    return {SOURCE: {p: Lookup(SOURCE, p, "found", _record(hits[p], now)) if p in hits
                     else Lookup(SOURCE, p, "not-found") for p in ask.pmids}}


REGISTRY = Registry(
    name="europepmc", label="Europe PMC", env_var="CITEPROOF_EUROPEPMC_URL",
    default_url="https://www.ebi.ac.uk/europepmc/webservices/rest",
    policy=Policy("https://europepmc.org/RestfulWebService", Rate(10.0, 2)),
    sources=(Source(SOURCE, "Europe PMC", Role.PMID_RECORD, judges=True, curated=True, types="nlm"),),
    fetch=_fetch,
)


class Server:
    """A local Europe PMC search over ``works`` (Europe PMC result dicts, keyed by PMID)."""

    def __init__(self, works: dict[str, dict]):
        self.works, self.asked = works, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                url = urlsplit(self.path)
                query = parse_qs(url.query).get("query", [""])[0]
                pmids = [p.split(":", 1)[1] for p in query.replace(" AND SRC:MED", "").split(" OR ")]
                outer.asked.extend(pmids)
                result = [outer.works[p] for p in pmids if p in outer.works]
                body = json.dumps({"hitCount": len(result), "resultList": {"result": result}}).encode()
                self.send_response(200 if url.path == "/search" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "Server":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
