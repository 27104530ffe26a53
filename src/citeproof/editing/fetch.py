"""Ask the registries about the identifiers an editor typed, with the checker's clients.

One :class:`~citeproof.registries.http.HttpClient` (the same rate limits, batches,
retries and deadline as ``citeproof check``) serves up to three rounds: the PMC ID
converter turns PMCIDs into PMIDs and DOIs; then Crossref (doi.org for the DOIs it does
not know) and PubMed are asked together, esearch finding the PMID of a DOI; then
Crossref once more for a DOI that only PubMed's record gave. Nothing here raises for a
registry's answer: each work comes back with its records or with why it has none.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..identifiers import doi_key
from ..model import Lookup, Record
from ..registries import RegistryConfig, make_client, resolve, source_label
from ..registries.http import HttpClient
from .entry import Wanted


@dataclass
class Work:
    """What the registries said about one identifier an editor typed."""

    wanted: Wanted
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    records: list[Record] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # a registry said it does not know it
    unavailable: list[str] = field(default_factory=list)  # a registry could not be asked

    @property
    def ok(self) -> bool:
        return bool(self.records) and not self.missing and not self.unavailable

    def record(self, source: str) -> Optional[Record]:
        return next((r for r in self.records if r.source == source), None)


def fetch_works(config: RegistryConfig, wanted: list[Wanted], http: Optional[HttpClient] = None) -> list[Work]:
    """Every identifier's records (see the module docstring); ``http``: a client to reuse."""
    own = http is None
    http = http or make_client(config)
    try:
        works = [Work(w, doi=w.doi, pmid=w.pmid, pmcid=w.pmcid) for w in wanted]
        _convert(config, http, [w for w in works if w.pmcid and not (w.doi or w.pmid)])
        _describe(config, http, [w for w in works if not (w.missing or w.unavailable)])
        _crossref_later(config, http, [w for w in works if not (w.missing or w.unavailable)])
    finally:
        if own:
            http.close()
    return works


def _convert(config: RegistryConfig, http: HttpClient, works: list[Work]) -> None:
    if not works:
        return
    res = resolve(config, [], [], [], pmcids=tuple(w.pmcid for w in works), http=http)
    answers = res.answers.get("idconv", {})
    for w in works:
        look = answers.get(w.pmcid) or Lookup("idconv", w.pmcid, "unavailable", reason="no answer")
        if look.status == "found" and look.record is not None:
            w.doi, w.pmid = look.record.doi, look.record.pmid
        else:
            _failed(w, look, f"PMCID {w.pmcid}")


def _describe(config: RegistryConfig, http: HttpClient, works: list[Work]) -> None:
    if not works:
        return
    dois = sorted({w.doi for w in works if w.doi}, key=str.lower)
    pmids = sorted({w.pmid for w in works if w.pmid})
    without = sorted({w.doi for w in works if w.doi and not w.pmid}, key=str.lower)
    res = resolve(config, dois, pmids, without, http=http)
    for w in works:
        looks = res.lookups(w.doi, w.pmid)
        if w.doi:
            _doi_answer(w, looks)
        if w.pmid:
            _take(w, looks.get("pubmed"), f"PMID {w.pmid}")
        elif "esearch" in looks:
            search = looks["esearch"]
            if search.status == "found" and search.record is not None:
                w.records.append(search.record)
                w.pmid = search.record.pmid
            elif search.status == "unavailable":
                _failed(w, search, f"the PMID of DOI {w.doi}")


def _doi_answer(w: Work, looks: dict[str, Lookup]) -> None:
    crossref, handle = looks.get("crossref"), looks.get("doi.org")
    if crossref is not None and crossref.status == "found":
        _take(w, crossref, f"DOI {w.doi}")
    elif crossref is not None and crossref.status == "unavailable":
        _failed(w, crossref, f"DOI {w.doi}")
    elif handle is None or handle.status == "not-found":
        w.missing.append(f"no registration agency knows DOI {w.doi} (Crossref does not, and doi.org "
                         "has no handle for it): check it for typos")
    elif handle.status == "unavailable":
        _failed(w, handle, f"DOI {w.doi}")
    elif handle.record is not None and (handle.record.title or handle.record.authors):
        w.records.append(handle.record)
    else:
        w.unavailable.append(f"doi.org knows DOI {w.doi} but gave no metadata to build an entry from")


def _crossref_later(config: RegistryConfig, http: HttpClient, works: list[Work]) -> None:
    """Crossref for the DOIs that PubMed's records gave to works typed as a PMID or PMCID."""
    later = [w for w in works if not w.doi and w.record("pubmed") and w.record("pubmed").doi]
    if not later:
        return
    for w in later:
        w.doi = w.record("pubmed").doi
    res = resolve(config, sorted({w.doi for w in later}, key=str.lower), [], [], http=http)
    for w in later:
        look = res.answers.get("crossref", {}).get(doi_key(w.doi))
        if look is not None and look.status == "found":
            w.records.insert(0, look.record)
        elif look is not None and look.status == "unavailable":
            _failed(w, look, f"DOI {w.doi}")


def _take(w: Work, look: Optional[Lookup], what: str) -> None:
    if look is None:
        w.unavailable.append(f"no registry was asked about {what}")
    elif look.status == "found" and look.record is not None:
        w.records.append(look.record)
    else:
        _failed(w, look, what)


def _failed(w: Work, look: Lookup, what: str) -> None:
    who = source_label(look.source)
    if look.status == "not-found":
        w.missing.append(f"{who} does not know {what}" + (f" ({look.reason})" if look.reason else ""))
    else:
        w.unavailable.append(f"could not ask {who} about {what}" + (f" ({look.reason})" if look.reason else ""))
