"""One run of ``citeproof check``: offline checks, registry resolution, verdicts, the lock.

This module orchestrates; it decides nothing about formatting (see ``report/``) and
compares nothing itself (see ``verify.py``). Exit codes:

* 0 - no error (warnings allowed)
* 1 - errors found
* 2 - bad usage or unreadable input (raised as ``InputError`` before any check)
* 3 - verification incomplete because a registry was unavailable, and no other error
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .bib import BibError, load_bib, validate_references
from .config import DEFAULT_LOCK_NAME
from .errors import EXIT_ERRORS, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, InputError
from .identifiers import doi_key, is_valid_doi, is_valid_pmid
from .lock import Lock, LockError, is_stale, lookups_from_lock
from .markdown import parse_citations
from .model import Lookup, Problem, Reference, ReferenceResult
from .numbering import resolve_keys, unused_entries
from .pages import markdown_files, shift_lines, split_front_matter
from .registries import RegistryConfig, resolve
from .verify import verify_reference

OFFICIAL_BY_NAME = {"crossref": "https://api.crossref.org", "doi.org": "https://doi.org",
                    "eutils": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"}
REGISTRY_NAMES = {"crossref": "Crossref", "doi.org": "doi.org", "pubmed": "PubMed (NCBI E-utilities)",
                  "esearch": "PubMed (NCBI E-utilities)"}


@dataclass
class CheckOptions:
    bib: Path
    docs: Path
    lock: Path
    lock_explicit: bool = False  # --lock was given: write it even with overridden endpoints
    offline: bool = False
    max_age: timedelta = timedelta(days=30)
    registry: RegistryConfig | None = None


@dataclass
class CheckResult:
    references: list[ReferenceResult]
    problems: list[Problem]
    offline: bool
    requests: int = 0
    status_429: int = 0
    elapsed: float = 0.0
    endpoints: dict = field(default_factory=dict)
    official: bool = True  # the endpoints are the real registries'
    lock_note: str = ""
    lock_failed: bool = False  # the lock could not be written (exit 2 unless errors)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERRORS
        if self.lock_failed:
            return EXIT_USAGE
        if any(p.code == "registry-unavailable" for p in self.problems) or any(
                r.status == "unavailable" for r in self.references):
            return EXIT_UNAVAILABLE
        return EXIT_OK

    def summary(self) -> dict:
        statuses = Counter(r.status for r in self.references)
        return {
            "references": len(self.references),
            "statuses": dict(sorted(statuses.items())),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "offline": self.offline,
            "requests": self.requests,
            "status_429": self.status_429,
            "elapsed_seconds": round(self.elapsed, 3),
            "endpoints": self.endpoints,
            "official_endpoints": self.official,
            "lock": self.lock_note,
            "exit_code": self.exit_code,
        }


def _docs(docs: Path) -> list:
    if docs.is_file():
        files = [docs]
    elif docs.is_dir():
        files = markdown_files(docs)
    else:
        raise InputError(f"{docs}: no such docs directory or Markdown file; pass --docs PATH.")
    parsed = []
    for path in files:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read this Markdown file ({exc}); "
                             "save it as UTF-8 or exclude it.") from None
        offset, body = split_front_matter(raw)
        parsed.append(shift_lines(parse_citations(body, str(path)), offset))
    return parsed


def offline_problems(options: CheckOptions) -> tuple[dict[str, Reference], list[Problem]]:
    """Everything that can be found without a network: bib, keys, identifiers' syntax."""
    try:
        bib = load_bib(options.bib)
    except BibError as exc:
        raise InputError(str(exc)) from None
    docs = _docs(options.docs)
    problems = list(bib.problems) + validate_references(bib.references)
    for doc in docs:
        problems.extend(doc.problems)
    problems += resolve_keys(docs, bib.references.keys())
    problems += unused_entries(docs, bib.references)
    return bib.references, problems


def _identifiers(ref: Reference) -> tuple[str, str]:
    doi = ref.doi if ref.doi and is_valid_doi(ref.doi) else ""
    pmid = ref.pmid if ref.pmid and is_valid_pmid(ref.pmid) else ""
    return doi, pmid


def _locked_lookups(entry) -> dict[str, Lookup]:
    looks = lookups_from_lock(entry)
    if "doi.org" in looks and "crossref" not in looks:
        # Locked because doi.org knew a DOI Crossref did not: replay that answer.
        looks["crossref"] = Lookup("crossref", looks["doi.org"].identifier, "not-found")
    return looks


def run_check(options: CheckOptions, *, now: datetime | None = None) -> CheckResult:
    """Run every check and return results; never prints, never exits."""
    started = time.monotonic()
    now = now or datetime.now(timezone.utc)
    refs, problems = offline_problems(options)
    try:
        lock = Lock.load(options.lock)
    except LockError as exc:
        raise InputError(str(exc)) from None

    registry = options.registry
    if registry is None:
        try:
            registry = RegistryConfig.from_env()
        except ValueError as exc:  # offline too: it decides which lock entries are trusted
            raise InputError(str(exc)) from None
    endpoints = _endpoints(registry)
    official = _official(registry)

    results: list[ReferenceResult] = []
    lookups: dict[str, dict[str, Lookup]] = {}
    to_resolve: list[Reference] = []
    unlocked, changed, foreign = [], [], []
    for key, ref in refs.items():
        doi, pmid = _identifiers(ref)
        if not doi and not pmid:
            continue
        entry = lock.get(key)
        if entry is not None and dict(entry.endpoints) != endpoints:
            # answered by other endpoints (an emulator, or unknown): not trusted here; an
            # online run simply asks again
            if options.offline:
                foreign.append(key)
            else:
                to_resolve.append(ref)
            continue
        usable = entry is not None and entry.matches(ref)
        if options.offline:
            if usable:
                lookups[key] = _locked_lookups(entry)
            elif entry is not None:
                changed.append(key)
            else:
                unlocked.append(key)
        elif usable and not is_stale(entry, options.max_age, now):
            lookups[key] = _locked_lookups(entry)
        else:
            to_resolve.append(ref)

    if changed:
        problems.append(_grouped(
            "not-verified", changed, refs,
            "its DOI/PMID changed since it was locked, so it is NOT verified offline; run `citeproof "
            "check` with network access to verify the new identifiers",
            "their DOIs/PMIDs changed since they were locked, so they are NOT verified offline; run "
            "`citeproof check` with network access to verify the new identifiers"))
    if options.offline and unlocked:
        problems.append(_grouped(
            "not-verified", unlocked, refs,
            f"no entry in {options.lock}, so nothing verifies it offline; run `citeproof check` with "
            "network access to verify it",
            f"no entries in {options.lock}, so nothing verifies them offline; run `citeproof check` "
            "with network access to verify them"))
    if foreign:
        problems.append(_grouped(
            "not-verified", foreign, refs,
            f"its entry in {options.lock} was not answered by the registry endpoints this run uses "
            f"({', '.join(endpoints.values())}), so it is not trusted and NOT verified",
            f"their entries in {options.lock} were not answered by the registry endpoints this run "
            f"uses ({', '.join(endpoints.values())}), so they are not trusted and NOT verified"))

    result = CheckResult(references=results, problems=problems, offline=options.offline,
                         endpoints=endpoints, official=official)
    resolved: set[str] = set()
    if to_resolve and registry is not None:
        dois = sorted({_identifiers(r)[0] for r in to_resolve} - {""}, key=str.lower)
        pmids = sorted({_identifiers(r)[1] for r in to_resolve} - {""})
        without = sorted({_identifiers(r)[0] for r in to_resolve if _identifiers(r)[0] and not _identifiers(r)[1]},
                         key=str.lower)
        res = resolve(registry, dois, pmids, without)
        result.requests, result.status_429 = res.requests, res.status_429
        for ref in to_resolve:
            doi, pmid = _identifiers(ref)
            looks: dict[str, Lookup] = {}
            if doi:
                looks["crossref"] = res.crossref.get(doi_key(doi)) or _missing("crossref", doi)
                if doi_key(doi) in res.handles:
                    looks["doi.org"] = res.handles[doi_key(doi)]
                if not pmid and doi_key(doi) in res.esearch:
                    looks["esearch"] = res.esearch[doi_key(doi)]
            if pmid:
                looks["pubmed"] = res.pubmed.get(pmid) or _missing("pubmed", pmid)
            lookups[ref.key] = looks
            resolved.add(ref.key)

    outages: dict[tuple[str, str], list[str]] = {}
    locked = 0
    for key, ref in refs.items():
        if key not in lookups:
            doi, pmid = _identifiers(ref)
            status = "no-identifier" if not doi and not pmid else "not-checked"
            results.append(ReferenceResult(key, ref.doi, ref.pmid, status))
            continue
        looks = lookups[key]
        verdict, found = verify_reference(ref, looks.get("crossref"), looks.get("doi.org"),
                                          looks.get("pubmed"), looks.get("esearch"))
        results.append(verdict)
        problems.extend(p for p in found if p.code != "registry-unavailable")
        for look in looks.values():
            if look.status == "unavailable" and any(p.code == "registry-unavailable" for p in found):
                outages.setdefault((look.source, look.reason), []).append(key)
        records = _lockable(looks) if key in resolved else None
        if records:
            lock.put(key, ref.doi, ref.pmid, records, max(r.retrieved for r in records), endpoints)
            locked += 1
    for (source, reason), keys in outages.items():
        name = REGISTRY_NAMES.get(source, source)
        why = f"could not ask {reason}" if reason.startswith(f"{name}") else f"could not ask {name}" + (
            f": {reason}" if reason else "")
        problems.append(_grouped(
            "registry-unavailable", sorted(set(keys), key=list(refs).index), refs,
            f"{why}, so it is NOT verified (could not verify, which is no verdict); run the check again later",
            f"{why}, so they are NOT verified (could not verify, which is no verdict); run the check again later"))

    result.lock_note, result.lock_failed = _save_lock(lock, options, locked, official)
    result.elapsed = time.monotonic() - started
    return result


def _grouped(code: str, keys: list[str], refs: dict[str, Reference], one: str, many: str) -> Problem:
    """One warning for many references (one outage, one message), located at the first."""
    first = refs[keys[0]]
    listed = ", ".join(keys[:12]) + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")
    single = len(keys) == 1
    return Problem(code, "warning", f"{listed}: {one if single else many}.",
                   key=keys[0] if single else None, file=first.file, line=first.line if single else None)


def _lockable(looks: dict[str, Lookup]) -> list | None:
    """The records to lock, when every registry asked gave a real answer (successes only)."""
    records = []
    for source, look in looks.items():
        if source == "esearch":
            continue  # a suggestion, not part of what was compared
        if look.status == "found" and look.record is not None:
            records.append(look.record)
        elif not (source == "crossref" and look.status == "not-found"
                  and looks.get("doi.org") is not None and looks["doi.org"].status == "found"):
            return None
    return records or None


def _endpoints(registry: RegistryConfig) -> dict[str, str]:
    return {"crossref": registry.crossref_url.rstrip("/"), "doi.org": registry.doi_url.rstrip("/"),
            "eutils": registry.eutils_url.rstrip("/")}


def _official(registry: RegistryConfig) -> bool:
    return _endpoints(registry) == OFFICIAL_BY_NAME


def _missing(source: str, identifier: str) -> Lookup:
    return Lookup(source, identifier, "unavailable", reason="no answer was received for this identifier")


def _save_lock(lock: Lock, options: CheckOptions, locked: int, official: bool) -> tuple[str, bool]:
    """Write the lock when there is something new to keep; (note, whether writing failed)."""
    if options.offline:
        exists = options.lock.exists()
        return (f"read {options.lock} (offline: not written)" if exists
                else f"no lock file at {options.lock}"), False
    if not locked:
        return f"{options.lock} unchanged: no new registry answer to keep", False
    default = options.bib.parent / DEFAULT_LOCK_NAME
    if not official and (not options.lock_explicit or options.lock.name == DEFAULT_LOCK_NAME
                         or _same_file(options.lock, default)):
        return (f"{options.lock} NOT written: the registry endpoints are overridden, so these answers "
                f"are not from the real registries (keep them with --lock OTHER.json)"), False
    try:
        lock.save(options.lock)
    except OSError as exc:
        return (f"{options.lock} NOT written: {exc.strerror or exc}; pass --lock with a writable "
                "path"), True
    return f"wrote {locked} entr{'y' if locked == 1 else 'ies'} to {options.lock}", False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
