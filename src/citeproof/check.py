"""One run of ``citeproof check``: offline checks, then plan -> gather -> judge -> persist.

* plan: what the lock already answers, for these endpoints (``Lock.plan``: the trust rules);
* gather: the registry calls, for the rest (``registries.resolve``);
* judge: pure verification of every reference (``verify.judge``);
* persist: the new answers into the lock, written atomically (``Lock.save``).

This module orchestrates; it decides nothing about formatting (see ``report/``),
compares nothing itself (see ``verify.py``) and reads no environment (the CLI builds
the ``RegistryConfig``). Exit codes:

* 0 - no error (warnings allowed)
* 1 - errors found
* 2 - bad usage or unreadable input (a ``CiteproofError``, raised to the CLI), or a lock
  that cannot be written
* 3 - verification incomplete because a registry was unavailable, and no other error
"""
from __future__ import annotations

import gc
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .bib.checks import duplicate_works
from .checkcache import load_checked_bib
from .model import require_identifiers
from .config import DEFAULT_LOCK_NAME, default_lock
from .errors import EXIT_ERRORS, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, InputError
from .identifiers import valid_ids
from .claims import ClaimIndex
from .lock import Lock, Plan, lock_sources
from .trust import Trust, default_trust, explicit_trust, remember_written
from .markdown import parse_citations
from .model import Lookup, ParsedDocument, Problem, ProblemCode, Reference, ReferenceResult
from .numbering import by_identifier, cited_keys, resolve_keys, unused_entries
from .pages import markdown_files, split_front_matter
from .registries import RegistryConfig, Resolution, resolve
from .verify import grouped, judge


@dataclass
class CheckOptions:
    bib: Path
    docs: Path
    lock: Path
    lock_explicit: bool = False  # --lock was given: write it even with overridden endpoints
    #: --trusted-lock: only entries identical to this lock's are trusted (a pull request's base)
    trusted_lock: Path | None = None
    offline: bool = False
    max_age: timedelta = timedelta(days=30)
    registry: RegistryConfig = field(default_factory=RegistryConfig)  # the CLI's: from the environment
    #: words the prose checks never take for a name (the project's ``not_names`` option)
    not_names: tuple[str, ...] = ()
    root: Path = Path(".")  # the project: the options' relative paths are relative to it
    exclude: str = ""  # the pages the site leaves out (mkdocs.yml's exclude_docs, draft_docs)
    #: the article's edition folder under ``root`` (the ``edition`` option; "": none):
    #: every change from its original edition must be declared
    edition: str = ""
    #: a reference without DOI, PMID or ``identifier = {none}`` is an error (the project's
    #: ``require_identifier`` option), not a warning
    require_identifier: bool = False
    #: where the parsed bib is kept between checks (the ``cache_dir`` option; None: nowhere)
    cache_dir: Path | None = None


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
        if any(p.code == ProblemCode.REGISTRY_UNAVAILABLE for p in self.problems) or any(
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


def _docs(docs: Path, exclude: str = "") -> list[tuple[str, ParsedDocument]]:
    """Every page under ``docs`` that the site builds, as (its text without front matter,
    what the parser found)."""
    if docs.is_file():
        files = [docs]
    elif docs.is_dir():
        files = markdown_files(docs, exclude)
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
        parsed.append((body, parse_citations(body, str(path), offset)))
    return parsed


def _offline(options: CheckOptions):
    """Everything that can be found without a network (bib, keys, identifiers' syntax, and
    any change to the article its edition record does not declare), and the parsed pages
    (for the claim checks)."""
    bib = load_checked_bib(options.bib, options.cache_dir)
    problems = [*bib.loaded, *require_identifiers(list(bib.checked), options.require_identifier)]
    pages = []
    for body, parsed in _docs(options.docs, options.exclude):
        doc, unknown = by_identifier(parsed, bib.references)  # [@doi:…] as the key that has it
        pages.append((body, doc))
        problems += [*doc.problems, *unknown]
    docs = [doc for _, doc in pages]
    problems += duplicate_works(bib.references, set(cited_keys(docs)), bib.same)
    problems += resolve_keys(docs, bib.references.keys())
    problems += unused_entries(docs, bib.references)
    if options.edition:
        from .edition import check_edition  # (only a project that keeps an edition record)

        problems += check_edition(options.root, options.edition, bib.references)
    return bib.references, problems, pages


def claim_problems(pages: list[tuple[str, ParsedDocument]], refs: dict[str, Reference],
                   lookups: dict[str, dict[str, Lookup]], not_names: tuple[str, ...] = ()) -> list[Problem]:
    """The judge's prose step: what each page says about the works it cites, against the
    bib and every record a registry (or the trusted lock) gave."""
    sources = lock_sources()
    records = {key: [look.record for source, look in looks.items()
                     if source in sources and look.status == "found" and look.record is not None]
               for key, looks in lookups.items()}
    index = ClaimIndex(refs, records, not_names)
    return [p for text, doc in pages for p in index.check(text, doc)]


@contextmanager
def collector_paused():
    """Pause Python's cycle collector while the check computes (never while it waits on a
    registry), and while its report is made. A run over a big bib holds millions of small
    objects (100,000 references, every citation of them, their verdicts, then a dict of
    each for the report) and makes no cycles worth collecting, and each full collection
    walks all of them again: a third of the run's own time on a 100,000-entry bib. What
    was made meanwhile then goes to the oldest generation without being walked (freeze,
    unfreeze), so resuming costs nothing, where the next young collections would walk it
    all; unless the process keeps objects frozen itself (a site build does), which stay
    frozen."""
    paused, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if not frozen:
            gc.freeze()
            gc.unfreeze()
        if paused:
            gc.enable()


def run_check(options: CheckOptions, *, now: datetime | None = None) -> CheckResult:
    """Run every check and return results; never prints, never exits."""
    started = time.monotonic()
    config = options.registry
    with collector_paused():
        refs, problems, pages = _offline(options)
        lock = Lock.load(options.lock)
        trust = explicit_trust(options.trusted_lock) if options.trusted_lock else default_trust(options.lock)
        checkable = {key: ref for key, ref in refs.items() if any(valid_ids(ref.doi, ref.pmid))}
        plan = lock.plan(checkable.values(), config.endpoints, options.max_age,
                         now or datetime.now(timezone.utc), options.offline, trust.allows)
        problems += _plan_problems(plan, refs, options, config.endpoints, trust)
    asked, res = gather(plan.to_ask, config)
    with collector_paused():
        answers = {**plan.trusted, **asked}
        results, found = judge(refs, answers, checkable)
        found += claim_problems(pages, refs, answers, options.not_names)
        written = {key for key, looks in asked.items() if lock.keep(refs[key], looks, config.endpoints)}
    note, failed = persist(lock, options, written, config.official)
    return CheckResult(references=results, problems=problems + found, offline=options.offline,
                       requests=res.requests, status_429=res.status_429,
                       elapsed=time.monotonic() - started, endpoints=config.endpoints,
                       official=config.official, lock_note=note, lock_failed=failed)


def _plan_problems(plan: Plan, refs: dict[str, Reference], options: CheckOptions,
                   endpoints: dict, trust: Trust) -> list[Problem]:
    """One warning per reason the lock cannot verify references offline."""
    lock, out = options.lock, []
    vouch = trust.base_name if options.trusted_lock else f"{trust.base_name} nor written by your own runs"
    if plan.untrusted:
        out.append(grouped(
            ProblemCode.NOT_VERIFIED, plan.untrusted, refs,
            f"its entry in {lock} is not the one in {vouch} (added or changed since), so it is "
            "not trusted and NOT verified; run `citeproof check` with network access to ask the "
            "registries",
            f"their entries in {lock} are not the ones in {vouch} (added or changed since), so "
            "they are not trusted and NOT verified; run `citeproof check` with network access to "
            "ask the registries"))
    if plan.changed:
        out.append(grouped(
            ProblemCode.NOT_VERIFIED, plan.changed, refs,
            "its DOI/PMID changed since it was locked, so it is NOT verified offline; run `citeproof "
            "check` with network access to verify the new identifiers",
            "their DOIs/PMIDs changed since they were locked, so they are NOT verified offline; run "
            "`citeproof check` with network access to verify the new identifiers"))
    if plan.unlocked:
        out.append(grouped(
            ProblemCode.NOT_VERIFIED, plan.unlocked, refs,
            f"no entry in {lock}, so nothing verifies it offline; run `citeproof check` with "
            "network access to verify it",
            f"no entries in {lock}, so nothing verifies them offline; run `citeproof check` "
            "with network access to verify them"))
    if plan.foreign:
        urls = ", ".join(endpoints.values())
        out.append(grouped(
            ProblemCode.NOT_VERIFIED, plan.foreign, refs,
            f"its entry in {lock} was not answered by the registry endpoints this run uses "
            f"({urls}), so it is not trusted and NOT verified",
            f"their entries in {lock} were not answered by the registry endpoints this run "
            f"uses ({urls}), so they are not trusted and NOT verified"))
    return out


def gather(refs: list[Reference], config: RegistryConfig) -> tuple[dict[str, dict[str, Lookup]], Resolution]:
    """Ask the registries about ``refs`` (no request when there are none): each reference's
    answers by source, and the run's figures."""
    if not refs:
        return {}, Resolution()
    ids = {ref.key: valid_ids(ref.doi, ref.pmid) for ref in refs}
    dois = sorted({d for d, _ in ids.values()} - {""}, key=str.lower)
    pmids = sorted({p for _, p in ids.values()} - {""})
    without = sorted({d for d, p in ids.values() if d and not p}, key=str.lower)
    res = resolve(config, dois, pmids, without)
    return {key: res.lookups(doi, pmid) for key, (doi, pmid) in ids.items()}, res


def persist(lock: Lock, options: CheckOptions, written: set[str], official: bool) -> tuple[str, bool]:
    """Write the lock when there is something new to keep; (note, whether writing failed)."""
    if options.offline:
        exists = options.lock.exists()
        return (f"read {options.lock} (offline: not written)" if exists
                else f"no lock file at {options.lock}"), False
    locked = len(written)
    if not locked:
        return f"{options.lock} unchanged: no new registry answer to keep", False
    if not official and (not options.lock_explicit or options.lock.name == DEFAULT_LOCK_NAME
                         or _same_file(options.lock, default_lock(options.bib))):
        return (f"{options.lock} NOT written: the registry endpoints are overridden, so these answers "
                f"are not from the real registries (keep them with --lock OTHER.json)"), False
    try:
        lock.save(options.lock)
    except OSError as exc:
        return (f"{options.lock} NOT written: {exc.strerror or exc}; pass --lock with a writable "
                "path"), True
    remember_written(options.lock, {key: e for key, e in lock.references.items() if key in written})
    return f"wrote {locked} entr{'y' if locked == 1 else 'ies'} to {options.lock}", False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
