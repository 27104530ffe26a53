"""Crossref REST API: many DOIs per request, parsed into ``Record``s.

``GET {base}/works?filter=doi:A,doi:B&rows=N&select=...`` answers up to 1000 works,
but ``rows`` defaults to 20, so it is always sent. A DOI missing from a good answer
is "not-found" *for Crossref* only (it may be a DataCite or mEDRA DOI): the caller
asks doi.org before calling it dangling.
"""
from __future__ import annotations

from typing import Iterable, Optional
from urllib.parse import quote


from ..identifiers import doi_key
from ..model import Author, Lookup, Record, Relation, Update
from . import csl, schema
from .base import Answers, Ask, Policy, Rate, Registry, Role, Source
from .http import Client, RegistryUnavailable, utc_now

SOURCE = "crossref"
BATCH = 100
MAX_REQUEST_LINE = 7000  # bytes; servers refuse request lines over 8 KB with 414
SELECT = ",".join((
    "DOI", "title", "subtitle", "author", "container-title", "short-container-title",
    "issued", "published-print", "published-online", "volume", "issue", "page",
    "article-number", "type", "subtype", "updated-by", "update-to", "relation",
))
#: The relations read from a work's ``relation`` (the others are left out): a preprint
#: published since (``is-preprint-of``), and a work's own preprint (``has-preprint``).
RELATIONS = ("is-preprint-of", "has-preprint")

_NAME = schema.fields({"family": schema.text, "given": schema.text, "name": schema.text})
_UPDATE = schema.fields({"type": schema.text, "DOI": schema.text, "label": schema.text,
                         "updated": schema.csl_date, "source": schema.text})
_RELATED = schema.fields({"id-type": schema.text, "id": schema.text, "asserted-by": schema.text})
#: The fields of a work that :func:`parse_work` reads, and their shapes.
WORK = schema.fields({
    "DOI": schema.string, "title": schema.csl_text, "subtitle": schema.csl_text,
    "author": schema.list_of(_NAME, 10000), "container-title": schema.csl_text,
    "short-container-title": schema.csl_text, "issued": schema.csl_date,
    "published-print": schema.csl_date, "published-online": schema.csl_date,
    "volume": schema.text, "issue": schema.text, "page": schema.text, "article-number": schema.text,
    "type": schema.text, "updated-by": schema.list_of(_UPDATE, 1000),
    "update-to": schema.list_of(_UPDATE, 1000),
    "relation": schema.fields({kind: schema.list_of(_RELATED, 1000) for kind in RELATIONS}),
})


def fetch_works(http: Client, base: str, dois: Iterable[str],
                mailto: Optional[str] = None) -> dict[str, Lookup]:
    """Ask Crossref about every DOI; the answer is keyed by ``doi_key``.

    ``mailto`` (default: the client's) joins the polite pool. Batches run as many at a
    time as the host's rate limit allows (5 in the polite pool, 1 in the public one).
    """
    mailto = mailto if mailto is not None else http.mailto
    wanted = _unique(dois)
    out: dict[str, Lookup] = {}
    # A comma inside a DOI would split the filter value: ask for those one by one.
    single = [d for d in wanted if "," in d]
    for doi in single:
        out[doi_key(doi)] = fetch_work(http, base, doi, mailto)
    batches = _batches(base, [d for d in wanted if "," not in d], mailto)
    http.expect(base, len(batches) + len(single))
    for got in http.map(base, lambda batch: _fetch_batch(http, base, batch, mailto), batches):
        out.update(got)
    return out


def fetch_work(http: Client, base: str, doi: str, mailto: Optional[str] = None) -> Lookup:
    """``GET {base}/works/{doi}``: one DOI (404 means Crossref does not know it)."""
    params = {"mailto": mailto} if mailto else None
    try:
        answer = http.get(f"{base}/works/{quote(doi, safe='/')}", params)
        if answer.status == 404:
            return Lookup(SOURCE, doi, "not-found")
        if answer.status != 200:
            raise RegistryUnavailable(f"Crossref answered HTTP {answer.status}")
        message = _message(answer.json())
        schema.check(message, WORK, "Crossref", "message")
        if doi_key(message.get("DOI") or doi) != doi_key(doi):
            raise schema.refuse("Crossref", f"asked about {doi}, it described {message['DOI'][:100]}")
        return Lookup(SOURCE, doi, "found", parse_work(message, doi, utc_now()))
    except RegistryUnavailable as exc:
        return Lookup(SOURCE, doi, "unavailable", reason=exc.reason)


def search_bibliographic(http: Client, base: str, text: str, rows: int = 5,
                         mailto: Optional[str] = None) -> list[Record]:
    """``GET {base}/works?query.bibliographic=TEXT&rows=N``: Crossref's best matches for a
    printed reference, in its order (it always answers something: the caller judges).
    :class:`RegistryUnavailable` when it cannot be asked."""
    mailto = mailto if mailto is not None else http.mailto
    params = {"query.bibliographic": " ".join(text.split())[:1000], "rows": str(rows), "select": SELECT}
    if mailto:
        params["mailto"] = mailto
    answer = http.get(f"{base}/works", params)
    if answer.status != 200:
        raise RegistryUnavailable(f"Crossref answered HTTP {answer.status} to a bibliographic query")
    items = _message(answer.json()).get("items")
    if not isinstance(items, list):
        raise RegistryUnavailable("Crossref sent a work list without 'items'")
    schema.check(items, schema.list_of(WORK, rows), "Crossref", "message.items")
    retrieved = utc_now()
    return [parse_work(i, str(i.get("DOI") or ""), retrieved) for i in items
            if isinstance(i, dict) and i.get("DOI")]


def _unique(dois: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for d in dois:
        d = d.strip()
        if d and doi_key(d) not in seen:
            seen.add(doi_key(d))
            out.append(d)
    return out


def _params(batch: list[str], mailto: Optional[str]) -> dict:
    params = {"filter": ",".join(f"doi:{d}" for d in batch), "rows": str(len(batch)),
              "select": SELECT}
    if mailto:
        params["mailto"] = mailto
    return params


def _request_line_length(base: str, batch: list[str], mailto: Optional[str]) -> int:
    import requests  # (as the client will encode it; imported by then: see transport.py)

    url = requests.Request("GET", f"{base}/works", params=_params(batch, mailto)).prepare().url
    return len(f"GET {url} HTTP/1.1")


def _batches(base: str, dois: list[str], mailto: Optional[str]) -> list[list[str]]:
    """Batches of at most 100 DOIs, halved until the request line fits in ~7 KB."""
    pending = [dois[i:i + BATCH] for i in range(0, len(dois), BATCH)]
    out = []
    while pending:
        batch = pending.pop(0)
        if len(batch) > 1 and _request_line_length(base, batch, mailto) > MAX_REQUEST_LINE:
            half = len(batch) // 2
            pending[:0] = [batch[:half], batch[half:]]
        else:
            out.append(batch)
    return out


def _message(data) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise RegistryUnavailable("Crossref sent JSON without a 'message' object")
    return data["message"]


def _fetch_batch(http: Client, base: str, batch: list[str], mailto) -> dict[str, Lookup]:
    try:
        answer = http.get(f"{base}/works", _params(batch, mailto))
        if answer.status != 200:
            raise RegistryUnavailable(f"Crossref answered HTTP {answer.status} to a batch query")
        items = _message(answer.json()).get("items")
        if not isinstance(items, list):
            raise RegistryUnavailable("Crossref sent a work list without 'items'")
        by_doi = _items_by_doi(items, batch)
    except RegistryUnavailable as exc:
        return {doi_key(d): Lookup(SOURCE, d, "unavailable", reason=exc.reason) for d in batch}
    retrieved = utc_now()
    out = {}
    for doi in batch:
        item = by_doi.get(doi_key(doi))
        out[doi_key(doi)] = (Lookup(SOURCE, doi, "found", parse_work(item, doi, retrieved))
                            if item else Lookup(SOURCE, doi, "not-found"))
    return out


def _items_by_doi(items: list, batch: list[str]) -> dict[str, dict]:
    """The items of a batch answer by ``doi_key``, each checked against :data:`WORK`.

    More items than DOIs asked, an item without a DOI or about a DOI not asked, or two
    items for one DOI make the whole answer untrustworthy (no copy wins)."""
    schema.check(items, schema.list_of(WORK, len(batch)), "Crossref", "message.items")
    return schema.by_key(items, lambda item: doi_key(item.get("DOI") or ""), {doi_key(d) for d in batch},
                         "Crossref", "DOI")


def parse_work(item: dict, identifier: str, retrieved: str) -> Record:
    """One Crossref work (``message`` or a list item) as a ``Record``. Text is kept as
    Crossref sends it (JATS/HTML with MathML: ``registries.markup`` reads it); the subtitle
    stays apart from the title (it may be a running head). An update (``updated-by``,
    ``update-to``) that points at the work's own DOI is no notice and is left out: Crossref
    lists a correction or a new version deposited on the same DOI that way."""
    own = doi_key(str(item.get("DOI") or identifier))
    authors = tuple(
        Author(family=str(a.get("family") or a.get("name") or "").strip(),
               given=str(a.get("given") or "").strip())
        for a in item.get("author") or () if isinstance(a, dict))
    updates = tuple(
        Update(kind=str(u.get("type", "")), source=SOURCE, notice_doi=str(u.get("DOI", "")),
               date=csl.iso_date(u.get("updated")), label=str(u.get("label", "")),
               origin=str(u.get("source") or ""))
        for u in _others(item.get("updated-by"), own))
    pubtypes = tuple(t for t in [str(item.get("type") or ""), str(item.get("subtype") or "")] if t) + tuple(
        f"update-to:{u.get('type', '')}" for u in _others(item.get("update-to"), own))
    return Record(
        source=SOURCE, identifier=identifier, retrieved=retrieved, title=csl.text(item.get("title")),
        subtitle=csl.text(item.get("subtitle")), authors=authors,
        journal_abbrev=csl.text(item.get("short-container-title")), **csl.work_fields(item),
        doi=str(item.get("DOI") or identifier), agency="crossref", updates=updates,
        pubtypes=pubtypes, relations=_relations(item.get("relation"), own))


def _others(updates, own: str) -> list[dict]:
    """The updates of a work that point at another DOI (or at none)."""
    return [u for u in updates or () if isinstance(u, dict) and doi_key(str(u.get("DOI") or "")) != own]


def _relations(relation, own: str) -> tuple[Relation, ...]:
    """The :data:`RELATIONS` of a work to other works by DOI, each once."""
    if not isinstance(relation, dict):
        return ()
    out: dict[tuple[str, str], Relation] = {}
    for kind in RELATIONS:
        for related in relation.get(kind) or ():
            doi = str(related.get("id") or "").strip() if isinstance(related, dict) else ""
            if doi and str(related.get("id-type") or "").lower() == "doi" and doi_key(doi) != own:
                out.setdefault((kind, doi_key(doi)), Relation(kind, doi, str(related.get("asserted-by") or "")))
    return tuple(out.values())


def _fetch(ask: Ask) -> Answers:
    return {SOURCE: fetch_works(ask.http, ask.base, ask.dois, ask.config.mailto)}


REGISTRY = Registry(
    name="crossref", label="Crossref", env_var="CITEPROOF_CROSSREF_URL",
    default_url="https://api.crossref.org",
    # Crossref's published limits (from December 2025): the "public" pool (no mailto)
    # 5 requests/s and 1 at a time; the "polite" pool (mailto= or mailto: in the
    # User-Agent) 10 requests/s and 5 at a time. Over that: HTTP 429, repeated, a block.
    policy=Policy(
        page="https://www.crossref.org/documentation/retrieve-metadata/rest-api/access-and-authentication/",
        default=Rate(5.0, 1), better=Rate(10.0, 5), earned_by="mailto"),
    sources=(Source(SOURCE, "Crossref", Role.DOI_METADATA, judges=True, types="crossref", notation="markup"),),
    fetch=_fetch,
    search=lambda q: search_bibliographic(q.http, q.base, q.text, q.rows, q.config.mailto),
)
