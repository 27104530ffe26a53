"""What a registry module declares: one :class:`Registry` value, read by the table.

A registry module (``crossref.py``, ``doi.py``, ``pubmed.py``) knows one API. Its
``REGISTRY`` says everything the rest of citeproof needs to know about it: the name
lock entries and ``RegistryConfig`` key it by, the label reports show, the environment
variable that overrides its base URL, its published rate policy, the answers it gives
(:class:`Source`) and how it fetches a batch of identifiers (:class:`Ask` in,
:data:`Answers` out).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from ..model import Lookup
from .http import HttpClient, RateLimit

if TYPE_CHECKING:  # pragma: no cover
    from . import RegistryConfig

#: What a fetch returns: source name -> identifier key (``doi_key`` or PMID) -> Lookup.
Answers = dict[str, dict[str, Lookup]]


@dataclass(frozen=True)
class Rate:
    """At most ``per_second`` request starts per second, ``concurrent`` in flight."""

    per_second: float
    concurrent: int

    def limit(self) -> RateLimit:
        return RateLimit(self.per_second, self.concurrent)

    def __str__(self) -> str:
        return f"{self.per_second:g} req/s, {self.concurrent} at a time"


@dataclass(frozen=True)
class Policy:
    """A registry's published rate limits, and the public page that publishes them.

    ``better`` applies when the ``RegistryConfig`` setting named ``earned_by`` is set
    (Crossref's polite pool for ``mailto``, NCBI's keyed rate for ``api_key``).
    """

    page: str  # the registry's public policy page (https)
    default: Rate
    better: Optional[Rate] = None
    earned_by: str = ""

    def rate(self, config: "RegistryConfig") -> Rate:
        earned = self.better is not None and bool(getattr(config, self.earned_by, None))
        return self.better if earned else self.default


@dataclass(frozen=True)
class Source:
    """One kind of answer a registry gives, keyed in a reference's lookups by ``name``.

    ``name`` is also ``Lookup.source``/``Record.source`` for what it finds (except a
    search, whose found records come from the registry's main source).
    """

    name: str  # "crossref", "doi.org", "pubmed", "esearch"
    label: str  # in messages about one answer: "PubMed"
    answers: str  # which of the bib's identifiers it answers: "doi", "pmid" or "pmcid"
    locked: bool = True  # its found records are kept in the lock (False: a suggestion only)
    complete: bool = True  # asked about every such identifier: no answer means "unavailable"
    only_without: str = ""  # asked only for references without this identifier ("pmid")
    #: its "not-found" is a verdict (the identifier does not exist); a registry that is a
    #: second opinion (False) may simply lack the work: that answer is no failure
    judges: bool = False


@dataclass(frozen=True)
class Ask:
    """One batch for one registry: where it is, how to ask, and what to ask about."""

    http: HttpClient
    base: str  # this registry's base URL, without a trailing slash
    config: "RegistryConfig"
    dois: tuple[str, ...] = ()  # in a chain: only those every earlier retriever did not know
    pmids: tuple[str, ...] = ()
    dois_without_pmid: tuple[str, ...] = ()
    pmcids: tuple[str, ...] = ()  # to convert (``citeproof add``); a check has none


@dataclass(frozen=True)
class Registry:
    """Everything citeproof knows about one registry (see the module docstring)."""

    name: str  # key in RegistryConfig.urls and in lock entries' "endpoints"
    label: str  # in reports: "PubMed (NCBI E-utilities)"
    env_var: str  # overrides the base URL: CITEPROOF_CROSSREF_URL
    default_url: str  # the real registry's base URL
    policy: Policy
    sources: tuple[Source, ...]
    fetch: Callable[[Ask], Answers]

    def source(self, name: str) -> Optional[Source]:
        return next((s for s in self.sources if s.name == name), None)

