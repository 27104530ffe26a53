"""The registries behind one table, their configuration, and one run that asks them all.

:data:`REGISTRIES` is the only list of registries: configuration (:class:`RegistryConfig`,
from each registry's environment variable), the rate limits of the HTTP client, the
endpoints written into lock entries, whether a run uses the official endpoints, the
labels in reports, which answers may be locked, and the environment table of the help
and the README all derive from it. Adding a registry is one module declaring
``REGISTRY`` (see :mod:`citeproof.registries.base`) and one entry here.

Registries run in chains, the chains concurrently (different hosts, different rate
limits): :func:`doi_chain` is one chain; every other registry is a chain of its own.
What each answer means for a verdict, an added entry or a claim is read from its
source's :class:`Role` and ``judges`` (:func:`answered`), never from its name.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, fields
from typing import Callable, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..identifiers import INVISIBLE, doi_key
from ..model import Lookup, Record
from ..visible import SURROGATE, visible
from . import crossref, doi, idconv, pubmed
from .base import Answers, Ask, Policy, Rate, Registry, Role, Source
from .http import HttpClient, RateLimit, RegistryUnavailable

__all__ = ["REGISTRIES", "SETTINGS", "Registry", "Role", "Source", "Policy", "Rate", "Ask", "Answers",
           "Answered", "RegistryConfig", "ConfigError", "Resolution", "resolve", "make_client",
           "HttpClient", "RateLimit", "RegistryUnavailable", "sources", "source_spec", "source_label",
           "registry_for", "doi_chain", "chain_sources", "answered", "by_role_order",
           "replay", "found_elsewhere", "environment"]

#: Every registry, in one ordered table: the order of the DOI chain, of reports and of
#: lock entries. What each answer is for is its source's :class:`Role`; whether its
#: "not-found" is a verdict, its source's ``judges``.
#:
#: The DOI chain is every registry with a judging DOI source (``Role.DOI_METADATA`` or
#: ``Role.DOI_EXISTENCE``), asked in this order, each later one only about the DOIs every
#: earlier one answered "not-found" (manubot's ``doi_retrievers`` is the model). Crossref
#: comes first: it answers 100 DOIs per request, holds most scholarly DOIs with full
#: metadata, and carries retraction and correction notices. doi.org comes second: its
#: handle API knows the DOIs of every registration agency (DataCite, mEDRA, JaLC), so a
#: DOI Crossref lacks is not called fake before doi.org says so, but it costs one request
#: per DOI (and content negotiation, for the DOIs that exist, a few redirect hops more),
#: so it is kept for the few Crossref does not know. Every other registry is a chain of
#: its own, asked concurrently with the DOI chain (other hosts, other rate limits).
REGISTRIES: tuple[Registry, ...] = (crossref.REGISTRY, doi.REGISTRY, pubmed.REGISTRY, idconv.REGISTRY)


@dataclass(frozen=True)
class Setting:
    """A registry setting read from the environment (besides each registry's base URL)."""

    name: str  # the RegistryConfig field
    env_var: str
    meaning: str


assert pubmed.REGISTRY.policy.better is not None  # (NCBI's keyed rate, named below)
SETTINGS: tuple[Setting, ...] = (
    Setting("mailto", "CITEPROOF_MAILTO",
            f"your e-mail: Crossref's polite pool ({crossref.REGISTRY.policy.better}) "
            "and NCBI's email parameter"),
    Setting("api_key", "NCBI_API_KEY",
            f"NCBI API key: {pubmed.REGISTRY.policy.better.per_second:g} req/s instead of "
            f"{pubmed.REGISTRY.policy.default.per_second:g}; never printed"),
)


# --------------------------------------------------------------------------- the table, read

def sources(*roles: Role) -> list[Source]:
    """Every kind of answer the registries give, in table order (only those of ``roles``,
    when given)."""
    return [s for r in REGISTRIES for s in r.sources if not roles or s.role in roles]


def doi_chain() -> tuple[Registry, ...]:
    """The registries of the DOI chain, in the order they are asked (see :data:`REGISTRIES`)."""
    return tuple(r for r in REGISTRIES if any(s.role.chained and s.judges for s in r.sources))


def chain_sources() -> list[Source]:
    """The DOI chain's judging sources, in the order they are asked."""
    return [s for r in doi_chain() for s in r.sources if s.role.chained and s.judges]


def by_role_order(records: Iterable[Record]) -> list[Record]:
    """``records`` in the order a new entry takes values from them: by their source's
    :class:`Role` (its members' order), then by table order; unknown sources last."""
    known = sources()
    roles = list(Role)

    def rank(record: Record) -> tuple[int, int]:
        spec = next((i for i, s in enumerate(known) if s.name == record.source), None)
        return (roles.index(known[spec].role), spec) if spec is not None else (len(roles), 0)

    return sorted(records, key=rank)


@dataclass(frozen=True)
class Answered:
    """What a group of sources said about one identifier (:func:`answered`)."""

    found: tuple[Lookup, ...]  # found, with a record, in table order
    denied: tuple[Source, ...]  # judging sources that do not know it
    down: tuple[Lookup, ...]  # could not be asked
    asked: bool  # some source of the group answered, or failed to

    @property
    def absent(self) -> bool:
        """The identifier does not exist: a judge says so, no source found it, and none
        of them was out of reach."""
        return bool(self.denied) and not self.found and not self.down

    @property
    def records(self) -> tuple[Record, ...]:
        """The records of :attr:`found`, in its order (each found lookup has one)."""
        return tuple(look.record for look in self.found if look.record is not None)


def answered(looks: Mapping[str, Lookup], group: Iterable[Source]) -> Answered:
    """The answers of ``group`` (sources, in the order given) among one reference's
    ``looks``: a "not-found" counts only from a source that judges."""
    found: list[Lookup] = []
    denied: list[Source] = []
    down: list[Lookup] = []
    asked = False
    for source in group:
        look = looks.get(source.name)
        if look is None:
            continue
        asked = True
        if look.status == "unavailable":
            down.append(look)
        elif look.status == "found" and look.record is not None:
            found.append(look)
        elif source.judges:
            denied.append(source)
    return Answered(tuple(found), tuple(denied), tuple(down), asked)


def registry_for(source: str) -> Optional[Registry]:
    """The registry that gives answers of kind ``source`` (a ``Lookup.source``)."""
    return next((r for r in REGISTRIES if r.source(source) is not None), None)


def source_spec(name: str) -> Optional[Source]:
    """The table's description of the answers named ``name`` (``None``: no such source)."""
    return next((s for s in sources() if s.name == name), None)


def source_label(name: str) -> str:
    """How messages name one answer's source: "Crossref", "PubMed"; unknown: the name itself."""
    spec = source_spec(name)
    return spec.label if spec else name


def environment() -> list[tuple[str, str, str]]:
    """(variable, default or "", meaning) for every registry setting, URLs first."""
    return ([(r.env_var, r.default_url, f"{r.label} base URL") for r in REGISTRIES]
            + [(s.env_var, "", s.meaning) for s in SETTINGS])


def _doi_chain() -> list[str]:
    """The sources of the DOI chain, in order."""
    return [s.name for s in chain_sources()]


def found_elsewhere(source: str, looks: Mapping[str, Lookup]) -> bool:
    """Whether another source asked about the same identifier found what ``source`` did
    not know (so that its "not-found" is an answer, not a verdict: the work exists; in
    the DOI chain, a later retriever found the DOI)."""
    spec = source_spec(source)
    return spec is not None and any(
        name != source and look.status == "found" and (other := source_spec(name)) is not None
        and other.answers == spec.answers for name, look in looks.items())


def replay(looks: Mapping[str, Lookup]) -> dict[str, Lookup]:
    """Locked answers as they were received: a DOI locked from a later DOI retriever was
    "not-found" for every earlier one (that is why the later one was asked)."""
    out = dict(looks)
    chain = _doi_chain()
    for i, name in enumerate(chain):
        later = next((looks[n] for n in chain[i + 1:] if n in looks), None)
        if name not in looks and later is not None:
            out[name] = Lookup(name, later.identifier, "not-found")
    return out


# --------------------------------------------------------------------------- configuration

def _check_url(registry: Registry, value: str) -> str:
    """``value`` without a trailing ``/``; :class:`ConfigError` naming the variable unless
    it is an http(s) URL with a host, a valid port, no credentials, and no space, control,
    invisible character or byte that is not UTF-8 (a line break would split a request; an
    invisible character would make a foreign endpoint look like the real one)."""
    value = (value or "").strip().rstrip("/")
    shown = visible(mask_credentials(value))
    if not value.lower().startswith(("http://", "https://")) or len(value.split("://", 1)[1]) == 0 \
            or _CONTROL.search(value):
        raise ConfigError(
            f"{registry.env_var} (registry base URL) must start with http:// or https://, got "
            f"'{shown}'; set it to e.g. {registry.default_url} or unset it.")
    if "@" in value.split("://", 1)[1].split("/", 1)[0]:
        raise ConfigError(
            f"{registry.env_var} holds credentials ({shown}): registries are "
            "asked without a user or password; remove the 'user:password@' part.")
    fault = _url_fault(value)
    if fault:
        raise ConfigError(f"{registry.env_var} (registry base URL) is not a usable URL: {fault} "
                          f"(got '{shown}'); set it to e.g. {registry.default_url} or unset it.")
    return value


def _url_fault(url: str) -> str:
    """What makes an http(s) URL unusable as a base URL ("" when nothing does)."""
    if _UNSEEN.search(url) or _SPACE.search(url):
        return "it holds a space, an invisible character or bytes that are not UTF-8"
    try:
        parts = urlsplit(url)
    except ValueError:  # (the only one urlsplit raises for an http URL: an unclosed '[')
        return "its [IPv6] host is not closed by ']'"
    try:
        port = parts.port  # (ValueError when it is not a number from 0 to 65535)
    except ValueError:
        port = 0
    if not parts.hostname:
        return "it names no host"
    if port == 0 and parts.netloc.rpartition("]")[2].count(":"):
        return "its port is not a number from 1 to 65535"
    return ""


def mask_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` before its host shown as ``***@``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme}://{'***@' + host.rsplit('@', 1)[1] if '@' in host else host}{slash}{path}"


def _check_setting(setting: Setting, value: Optional[str]) -> Optional[str]:
    """``value`` stripped (``None`` when empty); :class:`ConfigError` when it holds a line
    break or another control character (it would split an HTTP header or form)."""
    value = (value or "").strip()
    shown = "" if setting.name == "api_key" else f" ('{visible(value)}')"
    if _CONTROL.search(value):
        raise ConfigError(f"{setting.env_var} holds a line break or control character{shown}: "
                          "set it to one line of plain text.")
    if _UNSEEN.search(value):
        raise ConfigError(f"{setting.env_var} holds an invisible character or bytes that are not "
                          f"UTF-8{shown}: set it to one line of plain text.")
    return value or None


def _check_seconds(name: str, value: float) -> None:
    if not (0 <= value <= MAX_SECONDS):  # false for NaN too
        raise ConfigError(f"{name} must be a number of seconds from 0 to {MAX_SECONDS:g}, "
                          f"not {value!r}.")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: What no setting may hold besides controls: lone surrogates (bytes that are not UTF-8 in
#: the environment) and invisible format characters.
_UNSEEN = re.compile(f"{SURROGATE.pattern}|{INVISIBLE.pattern}")
_SPACE = re.compile(r"\s")
#: The longest --timeout or --deadline accepted (one day).
MAX_SECONDS = 86_400.0


@dataclass(frozen=True)
class RegistryConfig:
    """Where the registries are and how to ask them. ``api_key`` is never shown in repr.

    ``urls`` maps registry names to base URLs; a registry left out gets its default.
    """

    urls: Mapping[str, str] = field(default_factory=dict)
    mailto: Optional[str] = None
    api_key: Optional[str] = field(default=None, repr=False)
    timeout: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds per request
    deadline: float = 120.0  # seconds for a whole run; no request starts after it
    #: told about the run's requests and waits (see ``HttpClient``): the CLI's progress line
    progress: Optional[Callable[..., None]] = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        unknown = set(self.urls) - {r.name for r in REGISTRIES}
        if unknown:
            raise ConfigError(f"unknown registry name(s): {', '.join(sorted(unknown))}; known: "
                              f"{', '.join(r.name for r in REGISTRIES)}")
        object.__setattr__(self, "urls", {r.name: _check_url(r, self.urls.get(r.name, r.default_url))
                                          for r in REGISTRIES})
        if isinstance(self.timeout, (int, float)):  # one number: both connect and read
            object.__setattr__(self, "timeout", (float(self.timeout), float(self.timeout)))
        for seconds in self.timeout:
            _check_seconds("the timeout", seconds)
        _check_seconds("the deadline", self.deadline)
        for setting in SETTINGS:
            object.__setattr__(self, setting.name, _check_setting(setting, getattr(self, setting.name)))

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides) -> "RegistryConfig":
        """Read each registry's ``CITEPROOF_*_URL`` and the :data:`SETTINGS`; overrides win."""
        env = os.environ if env is None else env
        values: dict = {"urls": {r.name: env.get(r.env_var) or r.default_url for r in REGISTRIES}}
        values.update({s.name: env.get(s.env_var) for s in SETTINGS})
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown registry setting(s): {', '.join(sorted(unknown))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def endpoints(self) -> dict[str, str]:
        """The base URL of every registry, by name, in table order (what lock entries record)."""
        return dict(self.urls)

    @property
    def official(self) -> bool:
        """Whether every endpoint is the real registry's."""
        return all(self.urls[r.name] == r.default_url for r in REGISTRIES)


# --------------------------------------------------------------------------- one run

@dataclass
class Resolution:
    """Every registry answer of one run: source -> ``doi_key`` or PMID -> Lookup."""

    answers: Answers = field(default_factory=dict)
    requests: int = 0
    status_429: int = 0
    elapsed: float = 0.0

    def lookups(self, doi: str, pmid: str) -> dict[str, Lookup]:
        """One reference's answers by source. A source that was asked about every such
        identifier but has no answer for this one gives an "unavailable" Lookup."""
        ids = {"doi": doi, "pmid": pmid}
        looks: dict[str, Lookup] = {}
        for source in sources():
            ident = ids.get(source.answers, "")
            if not ident or (source.only_without and ids.get(source.only_without)):
                continue
            key = doi_key(ident) if source.answers == "doi" else ident
            look = self.answers.get(source.name, {}).get(key)
            if look is None and source.complete:
                look = Lookup(source.name, ident, "unavailable",
                              reason="no answer was received for this identifier")
            if look is not None:
                looks[source.name] = look
        return looks


def make_client(config: RegistryConfig) -> HttpClient:
    """One HTTP client with each registry's identity: its label, its rate limit (one
    limiter for the registries whose policy says they share one limit, at the rate of the
    first of them in the table), and the mailto in the User-Agent only for the registry
    whose better rate it earns. Identities go by registry, never by host, so registries
    behind one mirror or proxy keep their own."""
    http = HttpClient(mailto=config.mailto, timeout=config.timeout, deadline=config.deadline,
                      progress=config.progress)
    shared: dict[str, RateLimit] = {}
    for registry in REGISTRIES:
        policy = registry.policy
        limit = shared.setdefault(policy.shared, policy.rate(config).limit()) if policy.shared else \
            policy.rate(config).limit()
        http.register(registry.name, registry.label, limit, identify=policy.earned_by == "mailto")
    return http


def _chains() -> list[tuple[Registry, ...]]:
    chain = doi_chain()
    alone: list[tuple[Registry, ...]] = [(r,) for r in REGISTRIES if r not in chain]
    return [chain, *alone] if chain else alone


def _not_found(answers: Answers, doi: str) -> bool:
    looks = [by_key.get(doi_key(doi)) for by_key in answers.values()]
    return bool(looks) and all(lk is not None and lk.status == "not-found" for lk in looks)


def _run_chain(chain: tuple[Registry, ...], http: HttpClient, config: RegistryConfig,
               dois: tuple[str, ...], pmids: tuple[str, ...], without: tuple[str, ...],
               pmcids: tuple[str, ...] = ()) -> Answers:
    """Ask each registry of a chain in turn; a later one gets only what the earlier did not know."""
    answers: Answers = {}
    for registry in chain:
        got = registry.fetch(Ask(http.speaking_for(registry.name), config.urls[registry.name], config, dois, pmids,
                                 without, pmcids))
        answers.update(got)
        dois = tuple(d for d in dois if _not_found(got, d))
    return answers


def resolve(config: RegistryConfig, dois: list[str], pmids: list[str],
            dois_without_pmid: list[str], *, pmcids: tuple[str, ...] = (),
            http: Optional[HttpClient] = None) -> Resolution:
    """Ask every registry about every identifier, the chains concurrently (``pmcids``:
    PMCIDs for the PMC ID converter to turn into PMIDs and DOIs).

    Failures never raise: they come back as ``unavailable`` Lookups with a reason.
    """
    from concurrent.futures import ThreadPoolExecutor  # (only a run that asks imports threads)

    started = time.monotonic()
    own = http is None
    http = http or make_client(config)
    out = Resolution()
    chains = _chains()
    batch = (tuple(dois), tuple(pmids), tuple(dois_without_pmid), tuple(pmcids))
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(chains))) as pool:
            for answers in pool.map(lambda chain: _run_chain(chain, http, config, *batch), chains):
                out.answers.update(answers)
    finally:
        if own:
            http.close()
    out.requests, out.status_429 = http.requests, http.status_429
    out.elapsed = time.monotonic() - started
    return out
