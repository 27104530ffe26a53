"""Ask the registries about the identifiers an editor typed, with the checker's clients.

One :class:`~citeproof.registries.http.HttpClient` (the same rate limits, batches,
retries and deadline as ``citeproof check``) serves up to three rounds, each asking the
sources of a role in the registry table: PMCIDs become PMIDs and DOIs
(``Role.PMCID_TO_IDS``); then the DOI chain and every PMID record source are asked
together, a DOI -> PMID search finding the PMID of a DOI; then the DOI's metadata
source once more for a DOI that only a PMID's record gave. Nothing here raises for a
registry's answer: each work comes back with its records or with why it has none.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..bib.editor import identifier_fault
from ..model import Lookup, Record
from ..registries import (Answered, RegistryConfig, Role, answered, chain_sources, make_client, resolve,
                          source_label, sources)
from ..visible import visible
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
    notes: list[str] = field(default_factory=list)  # what a registry sent that was not used

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
        _doi_later(config, http, [w for w in works if not (w.missing or w.unavailable)])
    finally:
        if own:
            http.close()
    return works


def _convert(config: RegistryConfig, http: HttpClient, works: list[Work]) -> None:
    """PMCIDs to PMIDs and DOIs, by the sources of ``Role.PMCID_TO_IDS``."""
    if not works:
        return
    res = resolve(config, [], [], [], pmcids=tuple(w.pmcid for w in works), http=http)
    converters = sources(Role.PMCID_TO_IDS)
    for w in works:
        looks = {s.name: res.answers.get(s.name, {}).get(w.pmcid) for s in converters}
        said = answered({k: v for k, v in looks.items() if v is not None}, converters)
        if said.found:
            _identifiers(w, said.records[0])
        else:
            _failed(w, [*said.down, *(Lookup(s.name, w.pmcid, "not-found") for s in said.denied)]
                    or [Lookup(converters[0].name if converters else "", w.pmcid, "unavailable",
                               reason="no answer")], f"PMCID {w.pmcid}")


def _identifiers(w: Work, record: Record) -> None:
    """A converter's PMID and DOI for a work typed as a PMCID; one that is not an
    identifier makes the answer unusable (could not ask, never a verdict)."""
    for name in ("doi", "pmid"):
        value = str(getattr(record, name) or "").strip()
        fault = identifier_fault(name, value) if value else ""
        if fault:
            w.unavailable.append(f"{source_label(record.source)} sent a {name.upper()} for PMCID {w.pmcid} "
                                 f"that is not one ('{visible(value)[:80]}': {fault})")
            return
    w.doi, w.pmid = record.doi.strip(), record.pmid.strip()


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
            _take(w, answered(looks, sources(Role.PMID_RECORD)), f"PMID {w.pmid}", every=True)
        else:
            _pmid_of_doi(w, looks)


def _pmid_of_doi(w: Work, looks: dict[str, Lookup]) -> None:
    """The PMID a DOI -> PMID search found (with its record, the PMID's own)."""
    said = answered(looks, sources(Role.DOI_TO_PMID))
    if said.found:
        w.records.append(said.records[0])
        w.pmid = said.records[0].pmid
    elif said.down:
        _failed(w, said.down, f"the PMID of DOI {w.doi}")


def _doi_answer(w: Work, looks: dict[str, Lookup]) -> None:
    """The DOI chain's first record; a DOI no judge of the chain knows is missing."""
    said = answered(looks, chain_sources())
    found = said.records[0] if said.found else None
    if found is not None and (found.title or found.authors):
        w.records.append(found)
    elif said.found and not said.down:
        w.unavailable.append(f"{source_label(said.found[0].source)} knows DOI {w.doi} but gave no "
                             "metadata to build an entry from")
    elif said.down:
        _failed(w, said.down, f"DOI {w.doi}")
    else:
        w.missing.append(f"no registration agency knows DOI {w.doi} ("
                         + "; ".join(f"{s.label} does not" for s in said.denied)
                         + "): check it for typos")


def _doi_later(config: RegistryConfig, http: HttpClient, works: list[Work]) -> None:
    """The DOI chain for the DOIs that a PMID's record gave to works typed as a PMID or
    PMCID: the DOI's metadata record goes first."""
    pmid_sources = {s.name for s in sources(Role.PMID_RECORD)}
    later = {id(w): d for w in works if not w.doi
             and (d := next((r.doi.strip() for r in w.records if r.source in pmid_sources and r.doi), ""))
             and not identifier_fault("doi", d)}
    if not later:
        return
    res = resolve(config, sorted(set(later.values()), key=str.lower), [], [], http=http)
    for w in works:
        if id(w) not in later:
            continue
        w.doi = later[id(w)]
        said = answered(res.lookups(w.doi, ""), sources(Role.DOI_METADATA))
        if said.found:
            w.records.insert(0, said.records[0])
        elif said.down:
            _failed(w, said.down, f"DOI {w.doi}")


def _take(w: Work, said: Answered, what: str, *, every: bool = False) -> None:
    """The records found (the first, or ``every`` one); else why there is none."""
    if said.found:
        w.records.extend(said.records if every else said.records[:1])
    elif said.down or said.denied:
        _failed(w, [*said.down, *(Lookup(s.name, what, "not-found") for s in said.denied)], what)
    else:
        w.unavailable.append(f"no registry was asked about {what}")


def _failed(w: Work, looks: Sequence[Lookup], what: str) -> None:
    for look in looks:
        who = source_label(look.source)
        why = f" ({look.reason})" if look.reason else ""
        if look.status == "not-found":
            w.missing.append(f"{who} does not know {what}{why}")
        else:
            w.unavailable.append(f"could not ask {who} about {what}{why}")
