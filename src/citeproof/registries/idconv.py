"""NCBI's PMC ID converter: a PMCID's PMID and DOI, for ``citeproof add``.

``GET {base}/?ids=PMC1,PMC2&idtype=pmcid&format=json&tool=NAME&email=ADDRESS`` answers
``{"records": [{"requested-id": ..., "pmcid": ..., "pmid": ..., "doi": ...}]}``, up to
200 ids of one type per request; an id it does not know comes back with ``"status":
"error"`` and an ``errmsg``. It only knows articles that are in PMC, so it converts
identifiers and says nothing about a work's metadata: its answers are never compared
with the bib nor locked. ``check`` never asks it (it has no PMCIDs to convert).
"""
from __future__ import annotations

from typing import Iterable, Optional

from ..identifiers import normalize_pmcid
from ..model import Lookup, Record
from . import schema
from .base import Answers, Ask, Policy, Rate, Registry, Role, Source
from .http import Client, RegistryUnavailable, utc_now

SOURCE = "idconv"
BATCH = 200  # the converter's documented maximum per request
#: The fields of a converter record that are read, and their shapes.
RECORD = schema.fields({name: schema.text for name in ("requested-id", "pmcid", "pmid", "doi", "status", "errmsg")})


def convert_pmcids(http: Client, base: str, pmcids: Iterable[str],
                   email: Optional[str] = None, tool: str = "citeproof") -> dict[str, Lookup]:
    """Each PMCID (normalised, ``PMC`` + digits) -> a Lookup whose record holds its PMID and DOI."""
    wanted = list(dict.fromkeys(normalize_pmcid(p) for p in pmcids if normalize_pmcid(p)))
    out: dict[str, Lookup] = {}
    for i in range(0, len(wanted), BATCH):
        out.update(_batch(http, base, wanted[i:i + BATCH], email, tool))
    return out


def _batch(http: Client, base: str, batch: list[str], email: Optional[str], tool: str) -> dict[str, Lookup]:
    params = {"ids": ",".join(batch), "idtype": "pmcid", "format": "json", "tool": tool}
    if email:
        params["email"] = email
    try:
        answer = http.get(f"{base}/", params)
        if answer.status != 200:
            raise RegistryUnavailable(f"the PMC ID converter answered HTTP {answer.status}")
        data = answer.json()
        records = data.get("records") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise RegistryUnavailable("the PMC ID converter sent JSON without 'records'")
        schema.check(records, schema.list_of(RECORD, len(batch)), "the PMC ID converter", "records")
        by_id = schema.by_key(records, _requested, set(batch), "the PMC ID converter", "PMCID")
    except RegistryUnavailable as exc:
        return {p: Lookup(SOURCE, p, "unavailable", reason=exc.reason) for p in batch}
    retrieved = utc_now()
    out = {}
    for pmcid in batch:
        rec = by_id.get(pmcid)
        if rec is None:
            out[pmcid] = Lookup(SOURCE, pmcid, "unavailable", reason="the converter's answer left this id out")
        elif rec.get("status") == "error" or not (rec.get("pmid") or rec.get("doi")):
            out[pmcid] = Lookup(SOURCE, pmcid, "not-found", reason=str(rec.get("errmsg") or ""))
        else:
            out[pmcid] = Lookup(SOURCE, pmcid, "found", Record(
                source=SOURCE, identifier=pmcid, retrieved=retrieved, pmcid=pmcid,
                pmid=str(rec.get("pmid") or "").strip(), doi=str(rec.get("doi") or "").strip()))
    return out


def _requested(record: dict) -> str:
    return normalize_pmcid(str(record.get("requested-id") or record.get("pmcid") or ""))


def _fetch(ask: Ask) -> Answers:
    if not ask.pmcids:
        return {}
    return {SOURCE: convert_pmcids(ask.http, ask.base, ask.pmcids, ask.config.mailto)}


REGISTRY = Registry(
    name="idconv", label="PMC ID converter", env_var="CITEPROOF_IDCONV_URL",
    default_url="https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles",
    # NCBI's page for the converter asks for the tool and email parameters and up to 200
    # ids per request; NCBI's general limit for unkeyed requests is 3 per second.
    # One NCBI limit for all its API services (see pubmed.py): shared with E-utilities.
    policy=Policy(page="https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/", default=Rate(3.0, 1), shared="ncbi"),
    sources=(Source(SOURCE, "PMC ID converter", Role.PMCID_TO_IDS, judges=True, locked=False, complete=False),),
    fetch=_fetch,
)
