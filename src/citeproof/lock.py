"""The lock file ``citations.lock.json``: the registries' real answers, committed to the repo.

Shape (sorted keys, indent 2, trailing newline, so git diffs stay small)::

    {"generator": "citeproof 0.1.0", "version": 1,
     "references": {"suh2019": {"doi": "10.1097/...", "pmid": "31261549",
                                "records": [Record.to_dict(), ...],
                                "retrieved": "2026-01-05T10:00:00Z"}}}

Only records that registries actually returned ("found") are stored; failures are never
locked (:func:`lockable`), and only from the sources the registry table lets be locked.
:meth:`Lock.plan` holds the trust rules: which entries answer this run, which must be
asked again. ``--offline`` replays the locked records through the same ``verify_reference``.
Writes are atomic: a temp file in the same directory, fsync, then ``os.replace``.
A lone surrogate in a record (no UTF-8 can hold one) is stored as U+FFFD. A file that is
not a lock, however hostile (nested 100,000 deep, a 5,000-digit number), is one
:class:`LockError` naming it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Optional, Union

from . import __version__
from .atomic import atomic_write
from .errors import LockError
from .identifiers import doi_key
from .model import Lookup, Record, Reference
from .visible import SURROGATE, without_surrogates

LOCK_VERSION = 1
REBUILD_HINT = ("restore it from git, or delete it and run `citeproof check` online to "
                "rebuild it from the registries")


_TEXT_FIELDS = tuple(f for f in Record.__dataclass_fields__
                     if f not in {"authors", "updates", "pubtypes", "relations"})


#: No registry answer of this tool predates this: an entry retrieved earlier is never fresh.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _parse_time(value: Union[str, datetime], what: str) -> datetime:
    """An aware UTC datetime from an ISO 8601 string (naive times are taken as UTC).

    A time whose offset takes it past the calendar (``0001-01-01T00:00:00+05:00``)
    becomes the calendar's first or last instant: still a time, never an OverflowError,
    and never fresh (see :func:`is_stale`)."""
    if isinstance(value, datetime):
        t = value
    else:
        try:
            t = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not an ISO 8601 time "
                             "(e.g. 2026-01-05T10:00:00Z)") from None
    t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    try:
        return t.astimezone(timezone.utc)
    except OverflowError:
        return (datetime.min if t.year < 5000 else datetime.max).replace(tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _registries():
    """The registry table, imported on first use: reading a lock with no entries (a site
    build with the committed empty lock) needs none of the HTTP stack behind it."""
    from . import registries
    return registries


def lock_sources() -> list[str]:
    """The sources whose found records may be locked, in the order entries store them
    (the registry table's order; a search's suggestions are never locked)."""
    return [s.name for s in _registries().sources() if s.locked]


def _check_record(key: str, doi: str, pmid: str, record: Record) -> None:
    """Refuse a record that is not a real registry answer about this entry's identifiers."""
    if not isinstance(record, Record):
        raise ValueError(f"{key}: a lock record must be a model.Record, not {type(record).__name__}")
    allowed = lock_sources()
    if record.source not in allowed:
        raise ValueError(f"{key}: refusing a record from source {record.source!r}; only "
                         f"{', '.join(allowed)} answers may be locked")
    by_pmid = _registries().source_spec(record.source).answers == "pmid"
    wanted = pmid if by_pmid else doi
    asked = record.identifier if by_pmid else doi_key(record.identifier)
    wanted = wanted if by_pmid else doi_key(wanted)
    if not asked or asked.strip() != (wanted or "").strip():
        raise ValueError(f"{key}: the {record.source} record answers {record.identifier!r}, "
                         f"not this entry's {'PMID' if by_pmid else 'DOI'} "
                         f"{(pmid if by_pmid else doi)!r}")
    if not record.retrieved:
        raise ValueError(f"{key}: the {record.source} record has no retrieval time")
    texts = [getattr(record, f) for f in _TEXT_FIELDS] + list(record.pubtypes)
    texts += [v for a in record.authors for v in (a.family, a.given)]
    texts += [v for u in record.updates for v in (u.kind, u.source, u.notice_doi, u.date, u.label, u.origin)]
    texts += [v for r in record.relations for v in (r.kind, r.doi, r.asserted_by)]
    if not all(isinstance(t, str) for t in texts):
        raise ValueError(f"{key}: the {record.source} record has a field that is not text")


def _valid_text(record: Record) -> Record:
    """``record`` with each lone surrogate in its text as U+FFFD (the lock is UTF-8, which
    cannot hold one; the entry kept in memory is the one written)."""
    text = json.dumps(record.to_dict(), ensure_ascii=False)
    if not SURROGATE.search(text):
        return record
    return Record.from_dict(json.loads(without_surrogates(text)))


@dataclass(frozen=True)
class LockEntry:
    """The locked answers for one reference key."""

    key: str
    doi: str
    pmid: str
    records: tuple[Record, ...]
    retrieved: str  # ISO 8601 UTC
    #: the registry base URLs that answered ({"crossref": …, "doi.org": …, "eutils": …});
    #: a check trusts an entry only when they are the endpoints it would ask itself
    endpoints: Mapping[str, str] = field(default_factory=dict)

    def matches(self, ref: Reference) -> bool:
        """Whether the bib still has the identifiers these answers were fetched for."""
        return (doi_key(self.doi) == doi_key(ref.doi)
                and (self.pmid or "").strip() == (ref.pmid or "").strip())

    def age(self, now: Optional[datetime] = None) -> timedelta:
        """How long ago the answers were fetched (``now`` defaults to the current UTC time)."""
        now = _parse_time(now or datetime.now(timezone.utc), "now")
        return now - _parse_time(self.retrieved, f"{self.key}: retrieved")

    def to_dict(self) -> dict:
        data: dict = {"doi": self.doi or None, "pmid": self.pmid or None, "retrieved": self.retrieved,
                      "records": [r.to_dict() for r in self.records]}
        if self.endpoints:
            data["endpoints"] = dict(self.endpoints)
        return data


def is_stale(entry: LockEntry, max_age: timedelta, now: Optional[datetime] = None) -> bool:
    """Whether the entry is older than ``max_age``, dated in the future or before
    :data:`EARLIEST` (year 1, say), and so must be asked again."""
    age = entry.age(now)
    return age > max_age or age < timedelta(0) or _parse_time(entry.retrieved, entry.key) < EARLIEST


def lookups_from_lock(entry: LockEntry) -> dict[str, Lookup]:
    """The locked records as found ``Lookup`` values, keyed by source ("crossref",
    "doi.org", "pubmed"), so ``--offline`` runs the same ``verify_reference``."""
    return {r.source: Lookup(r.source, r.identifier, "found", record=r) for r in entry.records}


def same_endpoints(answered: Mapping[str, str], endpoints: Mapping[str, str]) -> bool:
    """Whether an entry answered by ``answered`` ({registry name: base URL}) counts as
    answered by a run that asks ``endpoints``: every registry both know has the same URL
    (a registry added to the table since does not make old entries foreign), and they
    share at least one (an entry that records no endpoints is never trusted)."""
    shared = answered.keys() & endpoints.keys()
    return bool(shared) and all(answered[name] == endpoints[name] for name in shared)


def lockable(looks: Mapping[str, Lookup]) -> Optional[list[Record]]:
    """The records to lock, when every registry asked gave a real answer (successes only).

    A suggestion (an answer that is not locked, such as PubMed's DOI search) is left out;
    a judge's "not-found" is no failure when another source found the same identifier (a
    later DOI retriever, another PMID record source), nor is a second opinion's (a
    registry that does not judge existence may lack the work).
    """
    allowed = lock_sources()
    records = []
    for source, look in looks.items():
        if source not in allowed:
            continue
        if look.status == "found" and look.record is not None:
            records.append(look.record)
        elif look.status == "not-found" and not _registries().source_spec(source).judges:
            continue
        elif not (look.status == "not-found" and _registries().found_elsewhere(source, looks)):
            return None
    return records or None


@dataclass
class Plan:
    """What the lock answers for one run, and what must be asked (see :meth:`Lock.plan`)."""

    trusted: dict[str, dict[str, Lookup]] = field(default_factory=dict)  # key -> locked answers
    to_ask: list[Reference] = field(default_factory=list)  # online: ask the registries again
    changed: list[str] = field(default_factory=list)  # offline: identifiers changed since locked
    foreign: list[str] = field(default_factory=list)  # offline: answered by other endpoints
    unlocked: list[str] = field(default_factory=list)  # offline: no entry at all
    untrusted: list[str] = field(default_factory=list)  # offline: entry not in the trusted lock


class Lock:
    """All locked entries, by reference key."""

    def __init__(self, entries: Optional[Mapping[str, LockEntry]] = None) -> None:
        self._entries: dict[str, LockEntry] = dict(entries or {})

    @property
    def references(self) -> Mapping[str, LockEntry]:
        """A read-only view of the entries (empty when nothing is locked)."""
        return MappingProxyType(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: str) -> Optional[LockEntry]:
        return self._entries.get(key)

    def put(self, key: str, doi: str, pmid: str, records: Iterable[Record],
            retrieved: Union[str, datetime], endpoints: Optional[Mapping[str, str]] = None) -> LockEntry:
        """Store (or replace) the answers for ``key``; ValueError for anything that is not
        a real, found answer from crossref/doi.org/pubmed about ``doi``/``pmid``."""
        doi, pmid = (doi or "").strip(), (pmid or "").strip()
        records = list(records)
        if not records:
            raise ValueError(f"{key}: nothing to lock (only found registry records are stored)")
        sources = [r.source for r in records if isinstance(r, Record)]
        if len(set(sources)) != len(sources):
            raise ValueError(f"{key}: more than one record from one source ({', '.join(sources)})")
        for r in records:
            _check_record(key, doi, pmid, r)
        records = [_valid_text(r) for r in records]
        order = lock_sources()
        records.sort(key=lambda r: order.index(r.source))
        entry = LockEntry(key, doi, pmid, tuple(records), _iso(_parse_time(retrieved, f"{key}: retrieved")),
                          dict(endpoints or {}))
        self._entries[key] = entry
        return entry

    def plan(self, refs: Iterable[Reference], endpoints: Mapping[str, str], max_age: timedelta,
             now: datetime, offline: bool, trusted: Optional[Callable[[str, LockEntry], bool]] = None) -> Plan:
        """Sort ``refs`` (those with an identifier to check) by what this lock can answer.

        An entry is trusted only when the endpoints that answered it are this run's
        (:func:`same_endpoints`: an emulator's answers never pass for the registries'), the bib still
        has the identifiers it was fetched for, and, online, it is not stale (older than
        ``max_age`` or dated after ``now``). With ``trusted`` (``trust.Trust.allows``: the
        default branch's lock, your own runs, or a pull request's base lock), an entry must
        also be vouched for: one added or changed otherwise (a hand-written one, say) is
        asked again online and listed as untrusted offline. Online, whatever is not trusted
        is asked again; offline, it is listed by the reason it cannot be verified.
        """
        plan = Plan()
        for ref in refs:
            entry = self.get(ref.key)
            if entry is not None and trusted is not None and not trusted(ref.key, entry):
                (plan.untrusted.append(ref.key) if offline else plan.to_ask.append(ref))
            elif entry is not None and not same_endpoints(entry.endpoints, endpoints):
                (plan.foreign.append(ref.key) if offline else plan.to_ask.append(ref))
            elif entry is not None and entry.matches(ref) and (offline or not is_stale(entry, max_age, now)):
                plan.trusted[ref.key] = _registries().replay(lookups_from_lock(entry))
            elif offline:
                (plan.changed if entry is not None else plan.unlocked).append(ref.key)
            else:
                plan.to_ask.append(ref)
        return plan

    def keep(self, ref: Reference, looks: Mapping[str, Lookup], endpoints: Mapping[str, str]) -> bool:
        """Lock ``ref``'s new answers if they are :func:`lockable`; whether they were."""
        records = lockable(looks)
        if not records:
            return False
        try:
            self.put(ref.key, ref.doi, ref.pmid, records, max(r.retrieved for r in records), endpoints)
        except ValueError as exc:
            raise LockError(str(exc)) from None
        return True

    def remove(self, key: str) -> bool:
        """Forget ``key``; returns whether it was there."""
        return self._entries.pop(key, None) is not None

    def to_data(self) -> dict:
        return {"version": LOCK_VERSION, "generator": f"citeproof {__version__}",
                "references": {k: e.to_dict() for k, e in self._entries.items()}}

    # ------------------------------------------------------------------ files

    @classmethod
    def load(cls, path: Union[str, Path]) -> "Lock":
        """Read a lock file; a missing file is an empty lock. LockError on anything unusable."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError) as exc:
            raise LockError(f"{path}: cannot read the lock file ({exc}); {REBUILD_HINT}.") from None
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: Union[str, Path]) -> "Lock":
        """A lock from its text (``path`` names it in messages); LockError on anything unusable."""
        path = Path(path)
        try:
            data = json.loads(text, parse_int=_whole_number)
        except json.JSONDecodeError as exc:
            lines = text.splitlines()
            bad = lines[exc.lineno - 1] if exc.lineno <= len(lines) else ""
            conflict = bad.startswith(("<<<<<<<", "=======", ">>>>>>>"))
            merge = " (a git merge conflict marker?)" if conflict else ""
            raise LockError(f"{path}:{exc.lineno}: the lock file is not valid JSON: {exc.msg} at "
                            f"column {exc.colno}{merge}; fix that line, or {REBUILD_HINT}.") from None
        except RecursionError:
            raise LockError(f"{path}: the lock file is nested too deeply to be a lock; "
                            f"{REBUILD_HINT}.") from None
        except ValueError as exc:  # (_whole_number's)
            raise LockError(f"{path}: the lock file holds {exc}, which no lock holds; "
                            f"{REBUILD_HINT}.") from None
        return cls(_entries_from(data, path, text))

    def save(self, path: Union[str, Path]) -> None:
        """Write the lock atomically: the old file stays intact if anything fails."""
        text = json.dumps(self.to_data(), sort_keys=True, indent=2, ensure_ascii=False)
        atomic_write(path, without_surrogates(text) + "\n")

def _whole_number(digits: str) -> int:
    """A JSON integer of the lock (a version number); ValueError for one of more than 30
    digits (Python refuses to convert one of more than 4,300, with a message about itself)."""
    if len(digits.lstrip("-")) > 30:
        raise ValueError(f"a number of {len(digits.lstrip('-')):,} digits")
    return int(digits)


def _entries_from(data: object, path: Path, text: str) -> dict[str, LockEntry]:
    """Validate the decoded JSON and build the entries; LockError names what is wrong, and where."""
    def fail(what: str, key: Optional[str] = None) -> LockError:
        needle = json.dumps(key, ensure_ascii=False) + ":" if key else None
        lines = enumerate(text.splitlines(), 1)
        line = next((n for n, text_line in lines if needle and needle in text_line), 0)
        where = f"{path}:{line}" if line else str(path)
        return LockError(f"{where}: {what}; {REBUILD_HINT}.")

    if not isinstance(data, dict) or not isinstance(data.get("references"), dict):
        raise fail('not a citeproof lock file (expected an object with "version" and "references")')
    if data.get("version") != LOCK_VERSION:
        raise fail(f"lock file version {data.get('version')!r} is not supported (this citeproof "
                   f"reads version {LOCK_VERSION}); upgrade citeproof if it is newer")
    entries = {}
    for key, raw in data["references"].items():
        if not isinstance(raw, dict) or not isinstance(raw.get("records"), list):
            raise fail(f'entry "{key}" is not an object with a "records" list', key)
        doi, pmid = raw.get("doi") or "", raw.get("pmid") or ""
        if not isinstance(doi, str) or not isinstance(pmid, str) or not isinstance(raw.get("retrieved"), str):
            raise fail(f'entry "{key}": "doi", "pmid" and "retrieved" must be strings', key)
        try:
            records = [Record.from_dict(r) for r in raw["records"]]
            endpoints = raw.get("endpoints") or {}
            if not isinstance(endpoints, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in endpoints.items()):
                raise fail(f'entry "{key}": "endpoints" must map registry names to URLs', key)
            entries[key] = Lock().put(key, doi, pmid, records, raw["retrieved"], endpoints)
        except (TypeError, ValueError, AttributeError) as exc:
            raise fail(f'entry "{key}" is invalid ({str(exc).removeprefix(key + ": ")})', key) from None
    return entries
