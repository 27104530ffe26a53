"""The registries: configuration, and one run that asks them all with few requests.

Two chains run at once (different hosts, different rate limits):

* Crossref (batched ``/works?filter=doi:...``), then doi.org only for the DOIs
  Crossref did not know (DataCite, mEDRA... DOIs are real too): the handle API, and
  for each DOI that exists its CSL-JSON metadata by content negotiation;
* NCBI: esummary for the PMIDs, esearch for the DOIs that have no PMID.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Optional

from ..errors import ConfigError
from ..model import Lookup
from . import crossref, doi, pubmed
from .http import (CROSSREF_POLITE, CROSSREF_PUBLIC, DOI_ORG, NCBI_ANONYMOUS, NCBI_WITH_KEY,
                   HttpClient, RateLimit, RegistryUnavailable)

__all__ = ["RegistryConfig", "ConfigError", "Resolution", "resolve", "make_client",
           "HttpClient", "RateLimit", "RegistryUnavailable"]

_ENV = {  # field -> (environment variable, default)
    "crossref_url": ("CITEPROOF_CROSSREF_URL", "https://api.crossref.org"),
    "doi_url": ("CITEPROOF_DOI_URL", "https://doi.org"),
    "eutils_url": ("CITEPROOF_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"),
    "mailto": ("CITEPROOF_MAILTO", None),
    "api_key": ("NCBI_API_KEY", None),
}


@dataclass(frozen=True)
class RegistryConfig:
    """Where the registries are and how to ask them. ``api_key`` is never shown in repr."""

    crossref_url: str = _ENV["crossref_url"][1]
    doi_url: str = _ENV["doi_url"][1]
    eutils_url: str = _ENV["eutils_url"][1]
    mailto: Optional[str] = None
    api_key: Optional[str] = field(default=None, repr=False)
    timeout: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds per request
    deadline: float = 120.0  # seconds for a whole run; no request starts after it

    def __post_init__(self):
        for name in ("crossref_url", "doi_url", "eutils_url"):
            value = (getattr(self, name) or "").strip().rstrip("/")
            if not value.lower().startswith(("http://", "https://")) or len(value.split("://", 1)[1]) == 0:
                var = _ENV[name][0]
                raise ConfigError(
                    f"{var} (registry base URL) must start with http:// or https://, got {value!r}; "
                    f"set it to e.g. {_ENV[name][1]} or unset it.")
            object.__setattr__(self, name, value)
        if isinstance(self.timeout, (int, float)):  # one number: both connect and read
            object.__setattr__(self, "timeout", (float(self.timeout), float(self.timeout)))
        for name in ("mailto", "api_key"):
            object.__setattr__(self, name, (getattr(self, name) or "").strip() or None)

    @classmethod
    def from_env(cls, env: Optional[dict] = None, **overrides) -> "RegistryConfig":
        """Read ``CITEPROOF_*_URL``, ``CITEPROOF_MAILTO`` and ``NCBI_API_KEY``; overrides win."""
        env = os.environ if env is None else env
        values = {name: env.get(var) or default for name, (var, default) in _ENV.items()}
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown registry setting(s): {', '.join(sorted(unknown))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass
class Resolution:
    """Every registry answer of one run, keyed by lower-cased DOI or by PMID."""

    crossref: dict[str, Lookup] = field(default_factory=dict)
    handles: dict[str, Lookup] = field(default_factory=dict)  # doi.org (+ CSL metadata), for Crossref's not-found
    pubmed: dict[str, Lookup] = field(default_factory=dict)  # esummary, keyed by PMID
    esearch: dict[str, Lookup] = field(default_factory=dict)  # DOI -> PMID search
    requests: int = 0
    status_429: int = 0
    elapsed: float = 0.0


def make_client(config: RegistryConfig) -> HttpClient:
    """One HTTP client with the rate limit of each registry's host registered."""
    http = HttpClient(mailto=config.mailto, timeout=config.timeout, deadline=config.deadline)
    crossref_policy = CROSSREF_POLITE if config.mailto else CROSSREF_PUBLIC
    http.register(config.crossref_url, "Crossref", RateLimit(*crossref_policy))
    http.register(config.doi_url, "doi.org", RateLimit(*DOI_ORG))
    http.register(config.eutils_url, "PubMed (NCBI E-utilities)",
                  RateLimit(*(NCBI_WITH_KEY if config.api_key else NCBI_ANONYMOUS)))
    return http


def resolve(config: RegistryConfig, dois: list[str], pmids: list[str],
            dois_without_pmid: list[str], *, http: Optional[HttpClient] = None) -> Resolution:
    """Ask every registry about every identifier, the two chains concurrently.

    Failures never raise: they come back as ``unavailable`` Lookups with a reason.
    """
    started = time.monotonic()
    own = http is None
    http = http or make_client(config)
    out = Resolution()

    def doi_chain():
        out.crossref = crossref.fetch_works(http, config.crossref_url, dois, config.mailto)
        unknown = [lk.identifier for lk in out.crossref.values() if lk.status == "not-found"]
        handles = doi.fetch_handles(http, config.doi_url, unknown, workers=DOI_ORG[1])
        # The handle exists: fetch its metadata (CSL-JSON) so it can be compared; a
        # failure keeps the bare handle answer ("exists, not compared").
        out.handles = doi.describe(http, config.doi_url, handles, workers=DOI_ORG[1])

    def ncbi_chain():  # esearch first, so one esummary serves the PMIDs and the hits
        kw = dict(api_key=config.api_key, email=config.mailto)
        failed, hits = pubmed.esearch_dois(http, config.eutils_url, dois_without_pmid, **kw)
        asked = [p.strip() for p in pmids if p.strip()]
        summaries = pubmed.fetch_summaries(http, config.eutils_url,
                                           asked + [p for _, found in hits for p in found], **kw)
        out.pubmed = {p: summaries[p] for p in asked}
        out.esearch = {**failed, **pubmed.map_hits(hits, summaries)}

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for job in [pool.submit(doi_chain), pool.submit(ncbi_chain)]:
                job.result()
    finally:
        if own:
            http.close()
    out.requests, out.status_429 = http.requests, http.status_429
    out.elapsed = time.monotonic() - started
    return out
