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
from enum import StrEnum
from typing import Callable, Optional, Protocol

from ..model import Lookup, Record
from .http import RateLimit, Speaking


class Settings(Protocol):
    """What a registry reads of a run's settings (``registries.RegistryConfig`` has them)."""

    # (read-only properties: a frozen dataclass, as RegistryConfig is, has these)
    @property
    def mailto(self) -> Optional[str]:
        """the user's e-mail (Crossref's polite pool, NCBI's email parameter)"""

    @property
    def api_key(self) -> Optional[str]:
        """NCBI's API key"""


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
    #: the name of a limit this registry shares with others (their published policy says
    #: so: cite it where the policy is declared); they get one limiter, at the rate of the
    #: first of them in the registry table
    shared: str = ""

    def rate(self, config: Settings) -> Rate:
        if self.better is not None and getattr(config, self.earned_by, None):
            return self.better
        return self.default


class Role(StrEnum):
    """What one source's answers are for. The members are listed in the order a new
    entry takes its values from their records (``citeproof add``, ``fix``): the DOI's
    metadata as its publisher deposited it, then the PMID's record, then what a DOI's
    registration agency gives besides its existence."""

    #: a DOI's record with the work's metadata (Crossref)
    DOI_METADATA = "doi-metadata"
    #: a PMID's record (PubMed's esummary)
    PMID_RECORD = "pmid-record"
    #: whether a DOI exists, with whatever metadata its agency gives (doi.org)
    DOI_EXISTENCE = "doi-existence"
    #: the PMID of a DOI, asked only for references without one (PubMed's esearch)
    DOI_TO_PMID = "doi-to-pmid"
    #: a PMCID's PMID and DOI (the PMC ID converter)
    PMCID_TO_IDS = "pmcid-to-ids"

    @property
    def answers(self) -> str:
        """Which identifier it is asked about: ``"doi"``, ``"pmid"`` or ``"pmcid"``."""
        return {Role.PMID_RECORD: "pmid", Role.PMCID_TO_IDS: "pmcid"}.get(self, "doi")

    @property
    def chained(self) -> bool:
        """Whether its judging sources form the DOI chain (see ``registries.doi_chain``)."""
        return self in (Role.DOI_METADATA, Role.DOI_EXISTENCE)


@dataclass(frozen=True)
class Source:
    """One kind of answer a registry gives, keyed in a reference's lookups by ``name``.

    ``name`` is also ``Lookup.source``/``Record.source`` for what it finds (except a
    search, whose found records come from the registry's main source).
    """

    name: str  # "crossref", "doi.org", "pubmed", "esearch"
    label: str  # in messages about one answer: "PubMed"
    role: Role
    #: its "not-found" is a verdict (the identifier does not exist); a registry that is a
    #: second opinion (False) may simply lack the work: that answer is no failure
    judges: bool = False
    locked: bool = True  # its found records are kept in the lock (False: a suggestion only)
    complete: bool = True  # asked about every such identifier: no answer means "unavailable"
    #: its authors' names and journal titles are curated (NLM's): a new entry takes its
    #: authors and journal from such a record first
    curated: bool = False
    #: the vocabulary of its records' publication types: "nlm" (PubMed's publication
    #: types, which the prose checks and the badges read) or "crossref" (type/subtype)
    types: str = ""
    #: how its records' text is written: "markup" (JATS/HTML with MathML, as Crossref's) or
    #: "plain" (as PubMed's); ``registries.markup`` reads it to compare, write and show it
    notation: str = "plain"

    @property
    def answers(self) -> str:
        """Which of the bib's identifiers it answers: ``"doi"``, ``"pmid"`` or ``"pmcid"``."""
        return self.role.answers

    @property
    def only_without(self) -> str:
        """Asked only for references without this identifier (a DOI -> PMID search)."""
        return "pmid" if self.role is Role.DOI_TO_PMID else ""


@dataclass(frozen=True)
class Ask:
    """One batch for one registry: where it is, how to ask, and what to ask about."""

    http: Speaking  # the run's client, speaking as this registry
    base: str  # this registry's base URL, without a trailing slash
    config: Settings
    dois: tuple[str, ...] = ()  # in a chain: only those every earlier retriever did not know
    pmids: tuple[str, ...] = ()
    dois_without_pmid: tuple[str, ...] = ()
    pmcids: tuple[str, ...] = ()  # to convert (``citeproof add``); a check has none


@dataclass(frozen=True)
class Query:
    """A printed reference to look for (``citeproof find``): its whole text, and the
    distinctive words of its title."""

    http: Speaking  # the client, speaking as this registry
    base: str  # this registry's base URL, without a trailing slash
    config: Settings
    text: str
    title_words: tuple[str, ...]
    rows: int = 5


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
    #: candidates for a printed reference (``citeproof find``), best first; raises
    #: ``RegistryUnavailable`` when it cannot be asked. ``None``: it cannot search.
    search: Optional[Callable[[Query], list[Record]]] = None

    def source(self, name: str) -> Optional[Source]:
        return next((s for s in self.sources if s.name == name), None)

