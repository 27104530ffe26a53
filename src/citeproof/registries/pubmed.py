"""NCBI E-utilities: PubMed summaries by PMID, and PMIDs by DOI.

An unknown PMID answers HTTP 200 with ``{"uid": ..., "error": "cannot get document
summary"}``: each uid's object is read, never just the status code. The ``api_key``
travels in the query (GET) or the form (POST) and never into a message.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Optional

from ..identifiers import doi_key
from ..model import Author, Lookup, Record, Update
from . import schema
from .base import Answers, Ask, Policy, Rate, Registry, Role, Source
from .http import Client, RegistryUnavailable, utc_now

SOURCE = "pubmed"
SEARCH = "esearch"  # the DOI -> PMID suggestions (found records are PubMed's own)
GET_MAX = 200  # NCBI: use POST for more than about 200 ids
POST_BATCH = 500
SEARCH_BATCH = 200  # DOIs OR-ed in one esearch term
GET_TERM_MAX = 1500  # characters of an esearch term sent in the URL; longer ones are POSTed

_TEXTS = ("uid", "title", "source", "fulljournalname", "pubdate", "epubdate", "volume", "issue",
          "pages", "elocationid", "error")
#: The fields of an esummary document that :func:`parse_summary` reads, and their shapes.
DOC = schema.fields({
    **{name: schema.string for name in _TEXTS},
    "authors": schema.list_of(schema.fields({"name": schema.string}), 10000),
    "pubtype": schema.list_of(schema.string, 100),
    "articleids": schema.list_of(schema.fields({"idtype": schema.string, "value": schema.string}), 100),
})
_SUMMARY_ERROR = schema.fields({"error": schema.string, "esummaryresult": schema.list_of(schema.string, 100)})

#: PubMed publication types that mean something happened to the article itself (the
#: notices' own types, "Retraction of Publication", "Published Erratum", "Expression of
#: Concern", mark the notice: verify.py reports a notice cited as a work).
UPDATE_PUBTYPES = {
    "Retracted Publication": "retraction",
}
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_INVALID_UID = re.compile(r"(?:invalid|malformed|bad)\s+(?:uid|id)s?\W+(\S+)", re.IGNORECASE)


def _params(api_key: Optional[str], tool: str, email: Optional[str], **extra) -> dict:
    params = {"db": "pubmed", "retmode": "json", "tool": tool, **extra}
    if email:
        params["email"] = email
    if api_key:
        params["api_key"] = api_key
    return params


def fetch_summaries(http: Client, base: str, pmids: Iterable[str], api_key: Optional[str] = None,
                    tool: str = "citeproof", email: Optional[str] = None) -> dict[str, Lookup]:
    """esummary for every PMID: one GET for up to 200 ids, else POSTs of up to 500, as
    many at a time as the host's rate limit allows."""
    wanted = list(dict.fromkeys(p.strip() for p in pmids if p.strip()))
    if not wanted:
        return {}
    size = GET_MAX if len(wanted) <= GET_MAX else POST_BATCH
    params = _params(api_key, tool, email)
    batches = [wanted[i:i + size] for i in range(0, len(wanted), size)]
    out: dict[str, Lookup] = {}
    http.expect(base, len(batches))
    for got in http.map(base, lambda batch: _summary_batch(http, base, batch, params), batches):
        out.update(got)
    return out


def _summary_batch(http, base, batch: list[str], params: dict, retry_bad: bool = True) -> dict[str, Lookup]:
    url = f"{base}/esummary.fcgi"
    try:
        if len(batch) <= GET_MAX:
            answer = http.get(url, {**params, "id": ",".join(batch)})
        else:
            answer = http.post(url, data={**params, "id": ",".join(batch)})
        if answer.status != 200:
            raise RegistryUnavailable(f"PubMed esummary answered HTTP {answer.status}")
        data = answer.json()
        if not isinstance(data, dict):
            raise RegistryUnavailable("PubMed esummary sent JSON that is not an object")
        schema.check(data, _SUMMARY_ERROR, "PubMed esummary")
        if "result" not in data:
            error = data.get("error") or " ".join(map(str, data.get("esummaryresult") or ()))
            bad = _rejected_ids(error, batch)
            if bad and retry_bad:  # the ids were the trouble: say so for them, ask again for the rest
                rest = [p for p in batch if p not in bad]
                out = {p: Lookup(SOURCE, p, "not-found", reason="PubMed rejected this id") for p in bad}
                return {**out, **(_summary_batch(http, base, rest, params, False) if rest else {})}
            raise RegistryUnavailable(f"PubMed esummary sent no result ({_short(error)})")
        result = data["result"]
        if not isinstance(result, dict):
            raise RegistryUnavailable("PubMed esummary sent a 'result' that is not an object")
        _check_result(result, batch)
    except RegistryUnavailable as exc:
        return {p: Lookup(SOURCE, p, "unavailable", reason=exc.reason) for p in batch}
    retrieved = utc_now()
    out = {}
    for pmid in batch:
        doc = result.get(pmid)
        if not isinstance(doc, dict):
            out[pmid] = Lookup(SOURCE, pmid, "unavailable", reason="PubMed's answer left this PMID out")
        elif "error" in doc:
            out[pmid] = Lookup(SOURCE, pmid, "not-found")
        else:
            out[pmid] = Lookup(SOURCE, pmid, "found", parse_summary(doc, pmid, retrieved))
    return out


def _check_result(result: dict, batch: list[str]) -> None:
    """Every document of an esummary ``result`` is of :data:`DOC`'s shape and about a PMID
    that was asked (a document about another PMID could only give false verdicts)."""
    asked = set(batch)
    schema.check(result.get("uids"), schema.list_of(schema.digits, len(batch)), "PubMed esummary", "result.uids")
    strays = sorted({*(k for k in result if k != "uids"), *(result.get("uids") or ())} - asked)
    if strays:
        raise schema.refuse("PubMed esummary", f"it sent documents about {len(strays)} PMID(s) that were "
                            f"not asked ({', '.join(strays[:3])[:80]})")
    for pmid in batch:
        schema.check(result.get(pmid), DOC, "PubMed esummary", f"result.{pmid}")
        doc = result.get(pmid)
        if isinstance(doc, dict) and doc.get("uid") not in (None, pmid):
            raise schema.refuse("PubMed esummary", f"the document for {pmid} is about {doc['uid'][:20]}")


def _short(value) -> str:
    text = " ".join(str(value or "no error given").split())
    return text if len(text) <= 120 else text[:117] + "..."


def _rejected_ids(error, batch: list[str]) -> set[str]:
    """The ids a top-level ``error`` names as malformed (empty if it is not about ids)."""
    if not isinstance(error, str):
        return set()
    named = {m.strip(",;.'\"") for m in _INVALID_UID.findall(error)}
    return {p for p in batch if p in named}


def _year(text: str | None) -> str:
    m = _YEAR.search(text or "")
    return m.group(1) if m else ""


def parse_author(name: str) -> Author:
    """``"Suh JH"`` -> Author("Suh", "JH"); a collective name stays whole as ``family``."""
    name = " ".join(str(name).split())
    family, _, initials = name.rpartition(" ")
    if family and initials.isalpha() and initials.isupper() and len(initials) <= 4:
        return Author(family=family, given=initials)
    return Author(family=name)


def _article_number(elocationid: str | None) -> str:
    """``"e16173. doi: 10.1097/..."`` -> ``"e16173"``: the locator, never the DOI or a PII."""
    parts = [p.strip() for p in re.split(r"\.\s+|;\s*", elocationid or "") if p.strip()]
    keep = []
    for part in parts:
        label, sep, value = part.partition(":")
        if not sep:
            keep.append(part.rstrip("."))
        elif label.strip().lower() == "pii" and re.fullmatch(r"[eE]?\d+", value.strip()):
            keep.append(value.strip())
    return keep[0] if keep else ""


def parse_summary(doc: dict, identifier: str, retrieved: str) -> Record:
    """One esummary document as a ``Record``."""
    ids: dict[str, str] = {}
    for a in doc.get("articleids") or ():
        if isinstance(a, dict) and a.get("idtype") and a.get("value"):
            ids.setdefault(str(a["idtype"]).lower(), str(a["value"]).strip())
    authors = tuple(parse_author(a["name"]) for a in doc.get("authors") or ()
                    if isinstance(a, dict) and a.get("name"))
    pubtypes = tuple(str(t) for t in doc.get("pubtype") or ())
    updates = tuple(Update(kind=UPDATE_PUBTYPES[t], source=SOURCE, label=t)
                    for t in pubtypes if t in UPDATE_PUBTYPES)
    pages = str(doc.get("pages") or "").strip()
    pmc = ids.get("pmc", "")
    return Record(
        source=SOURCE, identifier=identifier, retrieved=retrieved,
        title=" ".join(str(doc.get("title") or "").split()), authors=authors,
        journal=str(doc.get("fulljournalname") or "").strip(),
        journal_abbrev=str(doc.get("source") or "").strip(),
        year=_year(doc.get("pubdate")), online_year=_year(doc.get("epubdate")),
        volume=str(doc.get("volume") or "").strip(), issue=str(doc.get("issue") or "").strip(),
        pages=pages, article_number="" if pages else _article_number(doc.get("elocationid")),
        doi=ids.get("doi", ""), pmid=str(doc.get("uid") or ids.get("pubmed", "")),
        pmcid=pmc if pmc.upper().startswith("PMC") else "", updates=updates, pubtypes=pubtypes)


def search_title(http: Client, base: str, words: list[str], retmax: int = 5,
                 api_key: Optional[str] = None, tool: str = "citeproof",
                 email: Optional[str] = None) -> list[Record]:
    """esearch ``word[ti] AND ...`` then esummary: PubMed's works whose title has every
    word. :class:`RegistryUnavailable` when it cannot be asked."""
    if not words:
        return []
    params = _params(api_key, tool, email)
    term = " AND ".join(f"{w}[ti]" for w in words)
    answer = http.get(f"{base}/esearch.fcgi", {**params, "term": term, "retmax": str(retmax)})
    if answer.status != 200:
        raise RegistryUnavailable(f"PubMed esearch answered HTTP {answer.status}")
    data = answer.json()
    result = data.get("esearchresult") if isinstance(data, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("idlist"), list):
        raise RegistryUnavailable("PubMed esearch sent no id list")
    pmids = [str(p) for p in result["idlist"][:retmax]]
    looks = fetch_summaries(http, base, pmids, api_key, tool, email)
    down = [look for look in looks.values() if look.status == "unavailable"]
    if down:
        raise RegistryUnavailable(down[0].reason)
    return [record for p in pmids if p in looks and looks[p].status == "found"
            and (record := looks[p].record) is not None]  # (a found lookup has its record)


Hits = list[tuple[list[str], list[str]]]  # (the DOIs of one esearch batch, the PMIDs it found)


def search_pmids_by_doi(http: Client, base: str, dois: Iterable[str], api_key: Optional[str] = None,
                        tool: str = "citeproof", email: Optional[str] = None,
                        summaries: Optional[dict[str, Lookup]] = None) -> dict[str, Lookup]:
    """Find the PMID of each DOI: one esearch per 200 DOIs, then map PMIDs back to DOIs.

    Keyed by ``doi_key``. The PMIDs found are mapped back through the summaries'
    ``articleids`` (taken from ``summaries`` when the caller already has them, else
    fetched in one extra esummary request), so a found Lookup carries the full record
    with ``identifier`` set to the DOI.
    """
    failed, hits = esearch_dois(http, base, dois, api_key, tool, email)
    known = dict(summaries or {})
    missing = [p for _, pmids in hits for p in pmids if p not in known]
    if missing:
        known.update(fetch_summaries(http, base, missing, api_key, tool, email))
    return {**failed, **map_hits(hits, known)}


def esearch_dois(http: Client, base: str, dois: Iterable[str], api_key: Optional[str] = None,
                 tool: str = "citeproof", email: Optional[str] = None) -> tuple[dict[str, Lookup], Hits]:
    """The esearch half of :func:`search_pmids_by_doi`: (unavailable Lookups, hits); the
    batches run as many at a time as the host's rate limit allows."""
    wanted = list({doi_key(d): d.strip() for d in dois if d.strip()}.values())
    params = _params(api_key, tool, email)
    failed: dict[str, Lookup] = {}
    hits: Hits = []

    def ask(batch: list[str]):
        try:
            return batch, _esearch(http, base, batch, params), None
        except RegistryUnavailable as exc:
            return batch, None, exc.reason

    batches = [wanted[i:i + SEARCH_BATCH] for i in range(0, len(wanted), SEARCH_BATCH)]
    http.expect(base, len(batches))
    for batch, found, reason in http.map(base, ask, batches):
        if reason is None:
            hits.append((batch, found))
        else:
            failed.update({doi_key(d): Lookup(SOURCE, d, "unavailable", reason=reason) for d in batch})
    return failed, hits


def _esearch(http: Client, base: str, batch: list[str], params: dict) -> list[str]:
    """The PMIDs one esearch finds for a batch of OR-ed DOIs (POSTed when the term is long).

    At most ``retmax`` (two per DOI) ids are accepted: a longer list is not an answer."""
    term = " OR ".join(f'"{d}"[doi]' for d in batch)
    retmax = len(batch) * 2
    form = {**params, "term": term, "retmax": str(retmax)}
    url = f"{base}/esearch.fcgi"
    answer = http.get(url, form) if len(term) <= GET_TERM_MAX else http.post(url, data=form)
    if answer.status != 200:
        raise RegistryUnavailable(f"PubMed esearch answered HTTP {answer.status}")
    data = answer.json()
    result = data.get("esearchresult") if isinstance(data, dict) else None
    if not isinstance(result, dict) or "idlist" not in result:
        error = data.get("error") if isinstance(data, dict) else ""
        raise RegistryUnavailable(f"PubMed esearch sent no id list ({_short(error if isinstance(error, str) else '')})")
    schema.check(result["idlist"], schema.list_of(schema.digits, retmax), "PubMed esearch", "esearchresult.idlist")
    return list(dict.fromkeys(result["idlist"]))


def map_hits(hits: Hits, summaries: dict[str, Lookup]) -> dict[str, Lookup]:
    """The mapping half: each searched DOI -> found (with the summary) or not-found."""
    out: dict[str, Lookup] = {}
    for batch, pmids in hits:
        out.update(_map_back(batch, pmids, summaries))
    return out


def _map_back(batch: list[str], pmids: list[str], summaries: dict[str, Lookup]) -> dict[str, Lookup]:
    by_doi: dict[str, Record] = {}
    unmapped = False
    for pmid in pmids:
        look = summaries.get(pmid)
        if look is None or look.status != "found" or look.record is None:  # (found: it has one)
            unmapped = True
            continue
        if look.record.doi:
            by_doi.setdefault(doi_key(look.record.doi), look.record)
    if len(batch) == 1 and len(pmids) == 1 and not by_doi:
        look = summaries.get(pmids[0])
        if look is not None and look.status == "found" and look.record is not None and not look.record.doi:
            by_doi[doi_key(batch[0])] = look.record  # one DOI, one hit, no DOI on the summary
    out = {}
    for doi in batch:
        record = by_doi.get(doi_key(doi))
        if record is not None:
            out[doi_key(doi)] = Lookup(SOURCE, doi, "found", _as_doi_record(record, doi))
        elif unmapped:  # a PMID we could not read might be this DOI's: no verdict
            out[doi_key(doi)] = Lookup(SOURCE, doi, "unavailable",
                                      reason="PubMed found PMIDs whose summaries could not be read")
        else:
            out[doi_key(doi)] = Lookup(SOURCE, doi, "not-found")
    return out


def _as_doi_record(record: Record, doi: str) -> Record:
    return replace(record, identifier=doi)


def _fetch(ask: Ask) -> Answers:
    """esearch first, so that one esummary serves the bib's PMIDs and the PMIDs found."""
    api_key, email = ask.config.api_key, ask.config.mailto
    failed, hits = esearch_dois(ask.http, ask.base, ask.dois_without_pmid, api_key=api_key, email=email)
    asked = [p.strip() for p in ask.pmids if p.strip()]
    summaries = fetch_summaries(ask.http, ask.base, asked + [p for _, found in hits for p in found],
                                api_key=api_key, email=email)
    return {SOURCE: {p: summaries[p] for p in asked}, SEARCH: {**failed, **map_hits(hits, summaries)}}


REGISTRY = Registry(
    name="eutils", label="PubMed (NCBI E-utilities)", env_var="CITEPROOF_EUTILS_URL",
    default_url="https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    # NCBI's E-utilities usage guidelines: at most 3 requests/s per IP without an API key,
    # 10 requests/s with ``api_key``. No concurrency rule is published; we stay modest.
    # NCBI counts the requests to its API services together, per IP address or per API key
    # (https://support.nlm.nih.gov/knowledgebase/article/KA-05318/en-us): one limiter for
    # E-utilities and the PMC ID converter ("ncbi").
    policy=Policy(page="https://www.ncbi.nlm.nih.gov/books/NBK25497/",
                  default=Rate(3.0, 2), better=Rate(10.0, 3), earned_by="api_key", shared="ncbi"),
    sources=(Source(SOURCE, "PubMed", Role.PMID_RECORD, judges=True, curated=True, types="nlm"),
             Source(SEARCH, "PubMed", Role.DOI_TO_PMID, locked=False, complete=False)),
    fetch=_fetch,
    search=lambda q: search_title(q.http, q.base, list(q.title_words), q.rows, q.config.api_key,
                                  email=q.config.mailto),
)
