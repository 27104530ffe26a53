"""Which lock entries a check may believe, without any flag.

A lock entry says "a registry answered this", and anyone who can edit the lock can write
one. So an entry is trusted only when one of these vouches for it:

* **the default branch**: it is identical to the same key's entry in the lock as
  committed on the repository's default branch (``origin/HEAD``, else a local ``main`` or
  ``master``), which review has seen;
* **your own runs**: this user's own ``citeproof check`` wrote it. Each run records a
  keyed digest of every entry it writes in the user's cache directory (the key is the
  one the caches use, readable by the user alone, see ``cachefile.key``), so a digest
  cannot be made for an entry that no run of yours wrote.

Any other entry (added or changed by hand, on a branch, in a pull request, in a copy of
the project) is asked again online, and is "not verified" offline. With
``--trusted-lock BASE`` (CI on a pull request), only entries identical to ``BASE``'s are
trusted: the explicit rule replaces this one.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import cachefile
from .atomic import atomic_write
from .errors import LockError
from .lock import Lock, LockEntry

__all__ = ["Trust", "default_trust", "explicit_trust", "remember_written"]

#: The refs tried, in order, for the default branch's lock.
DEFAULT_BRANCHES = ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master")
_GIT_SECONDS = 10


@dataclass(frozen=True)
class Trust:
    """What vouches for lock entries in one run (see the module docstring)."""

    base: Optional[Lock]  # the lock whose identical entries are trusted (None: no such lock)
    base_name: str  # how messages name it: "the default branch's lock (origin/HEAD)", a path
    witnessed: frozenset[str] = field(default_factory=frozenset)  # digests of entries your runs wrote

    def allows(self, key: str, entry: LockEntry) -> bool:
        if self.base is not None and self.base.get(key) == entry:
            return True
        return entry_digest(key, entry) in self.witnessed


def explicit_trust(path: Path) -> Trust:
    """``--trusted-lock BASE``: only entries identical to ``BASE``'s (a missing file trusts nothing)."""
    return Trust(Lock.load(path), f"the trusted lock {path}")


def default_trust(lock_path: Path) -> Trust:
    """The rule without flags: the default branch's committed lock, and your own runs."""
    base, ref = _committed(lock_path)
    name = f"the default branch's lock ({ref})" if ref else "a committed lock on a default branch (none found)"
    return Trust(base, name, _witnessed(lock_path))


def entry_digest(key: str, entry: LockEntry) -> str:
    """A keyed digest of one entry as this user's runs record it."""
    data = json.dumps([key, entry.to_dict()], sort_keys=True, ensure_ascii=True).encode("ascii")
    return hashlib.blake2b(data, key=cachefile.key(), digest_size=16).hexdigest()


def remember_written(lock_path: Path, entries: dict[str, LockEntry]) -> None:
    """Record that this user's run wrote ``entries`` into the lock at ``lock_path`` (kept
    with the digests of the entries the lock still holds; a failure to record is no error:
    those entries are then asked again next time)."""
    lock = _safe_load(lock_path)
    current = {entry_digest(k, e) for k, e in (lock.references.items() if lock else ())}
    known = (_witnessed(lock_path) & current) | {entry_digest(k, e) for k, e in entries.items()}
    target = _witness_file(lock_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(target, json.dumps(sorted(known)) + "\n")
    except OSError:
        pass


def _witness_file(lock_path: Path) -> Path:
    name = hashlib.sha256(str(Path(lock_path).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return cachefile.directory() / "written" / f"{name}.json"


def _witnessed(lock_path: Path) -> frozenset[str]:
    try:
        data = json.loads(_witness_file(lock_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    return frozenset(d for d in data if isinstance(d, str)) if isinstance(data, list) else frozenset()


def _safe_load(path: Path) -> Optional[Lock]:
    try:
        return Lock.load(path)
    except LockError:
        return None


def _committed(lock_path: Path) -> tuple[Optional[Lock], str]:
    """The lock as committed on the default branch, and that branch's ref (``(None, "")``
    outside a git repository, or when no default branch is found). A branch without the
    file has an empty lock; one whose lock cannot be read vouches for nothing."""
    folder = Path(lock_path).resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return None, ""
    rel = os.path.relpath(Path(lock_path).resolve(), top.strip()).replace(os.sep, "/")
    for ref in DEFAULT_BRANCHES:
        if _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
            continue
        text = _git(folder, "show", f"{ref}:{rel}")
        if text is None:
            return Lock(), ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        try:
            return Lock.from_text(text, f"{ref}:{rel}"), ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        except LockError:
            return Lock(), ref
    return None, ""


def _git(folder: Path, *args: str) -> Optional[str]:
    """git's output, or ``None`` when git is missing, fails or takes too long."""
    try:
        proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=_GIT_SECONDS,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None
