"""The bib as the checker reads it, kept on disk between checks of an unchanged bib.

``citeproof check`` needs of the bib its references and its offline problems (what the
loader found, the per-reference checks, one work under two keys), never the formatted
entries. :func:`load_checked_bib` keeps them in the ``cache_dir`` option's folder, in
``refs-<key>.pickle``, keyed by the bib's bytes, its path (the name messages show) and
the package's code (``bibcache.package_fingerprint``), so a check of an unchanged bib
parses nothing. It is not the build's ``bib-*.pickle``, which holds formatted entries
and downloads: a checker that wrote one would have to format every entry first.

**Written on the second check of the same bib, not the first.** A first check leaves a
marker (``refs-<key>.seen``, empty); the check that finds it writes the file. A bib
checked once (a CI job on a fresh clone, a bib being edited between checks) costs no
write: on a 100,000-entry bib writing takes about a tenth of the check.

**Bounded.** The references are pickled in batches of :data:`_BATCH`, each by a pickler
of its own: a pickler remembers every object it wrote, which for 100,000 references is
more memory than the references themselves. At most ``bibcache._KEEP`` files and markers
are kept. A file goes through :mod:`citeproof.cachefile`: authenticated, read by a
restricted unpickler; a missing, foreign or damaged file is a miss, never an error.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from . import cachefile
from .bib.checks import IDENTITIES
from .bibcache import _KEEP, package_fingerprint
from .model import Problem, Reference

_BATCH = 5_000  # references per pickle: its pickler's memory of what it wrote stays small


@dataclass(frozen=True)
class CheckedBib:
    """A bib as the checker reads it: its references and its offline problems, each kind
    in the order the checker reports them."""

    references: dict[str, Reference]
    #: what the loader found (syntax, duplicate keys, undecoded TeX ...)
    loaded: tuple[Problem, ...]
    #: ``validate_references``: identifiers, fields, URLs, per reference
    checked: tuple[Problem, ...]
    #: ``same_works``: one work under two keys, as ``(key, earlier key, field)`` (an error
    #: or a warning as the pages cite them: ``duplicate_works``)
    same: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class _Kept:
    """A :class:`CheckedBib` on disk: its references as pickles of :data:`_BATCH` each."""

    references: tuple[bytes, ...]
    loaded: tuple[Problem, ...]
    checked: tuple[Problem, ...]
    same: tuple[tuple[str, str, str], ...]


cachefile.allow(_Kept)


def load_checked_bib(path: Path, cache_dir: Path | None = None) -> CheckedBib:
    """The bib's references and offline problems (raises ``BibError`` when it cannot be
    read): read back from ``cache_dir`` when this bib was checked there before, else
    parsed and checked (and kept, the second time; see the module's docstring)."""
    from .bib.load import read_bib_bytes

    label = str(path)
    raw = read_bib_bytes(path, label)
    if cache_dir is None:
        return _check(raw, label)
    stem = _stem(label, raw)
    kept = _read(cache_dir / f"{stem}.pickle")
    if kept is not None:
        return kept
    result = _check(raw, label)
    _keep(result, cache_dir, stem)
    return result


def _stem(label: str, raw: bytes) -> str:
    """The name of the files kept for the bib ``raw`` shown as ``label`` (without suffix)."""
    name = hashlib.sha256(package_fingerprint() + f"check\0{label}\0".encode("utf-8", "surrogatepass") + raw)
    return f"refs-{name.hexdigest()[:32]}"


def _check(raw: bytes, label: str) -> CheckedBib:
    from .bib import validate_references
    from .bib.checks import same_works
    from .bib.load import bib_text, parse_bib_text

    bib = parse_bib_text(bib_text(raw, label), label, entries=False)  # (no pybtex entries)
    refs = bib.references
    return CheckedBib(refs, tuple(bib.problems), tuple(validate_references(refs)), tuple(same_works(refs)))


def _pack(bib: CheckedBib) -> _Kept:
    items = list(bib.references.items())
    return _Kept(tuple(cachefile.dumps(dict(items[i:i + _BATCH])) for i in range(0, len(items), _BATCH)),
                 bib.loaded, bib.checked, bib.same)


def _read(path: Path) -> CheckedBib | None:
    """The checked bib kept in ``path``, or ``None`` (a miss: no file, not this user's,
    damaged, or not of the shape this code writes)."""
    kept = cachefile.read(path)
    if type(kept) is not _Kept or type(kept.references) is not tuple:
        return None
    refs: dict[str, Reference] = {}
    for part in kept.references:
        batch = cachefile.loads(part) if type(part) is bytes else None
        if type(batch) is not dict:
            return None
        refs.update(batch)
    if not all(type(k) is str and type(r) is Reference and r.key == k for k, r in refs.items()):
        return None
    found = (kept.loaded, kept.checked)
    if not all(type(f) is tuple and all(type(p) is Problem for p in f) for f in found):
        return None
    same = kept.same
    if type(same) is not tuple or not all(
            type(s) is tuple and len(s) == 3 and all(type(k) is str for k in s) and s[0] in refs and s[1] in refs
            and s[2] in IDENTITIES for s in same):
        return None
    return CheckedBib(refs, *found, same)


def _keep(bib: CheckedBib, cache_dir: Path, stem: str) -> None:
    """Keep ``bib`` if its marker is there (its second check), else leave the marker;
    nothing where no cache key can be kept (:func:`cachefile.lasting`). A folder that
    cannot be used is no error; a link or anything else planted under a
    marker's name is never written through (only replaced, by a rename)."""
    if not cachefile.lasting():  # (no later check could read what this one writes)
        return
    seen = cache_dir / f"{stem}.seen"
    try:
        os.lstat(seen)
    except FileNotFoundError:  # the first check: only the marker
        with suppress(OSError):
            cachefile.mark(seen, "refs-*.seen", _KEEP)
        return
    except OSError:
        return
    if cachefile.write(cache_dir / f"{stem}.pickle", (_pack(bib),), "refs-*.pickle", _KEEP):
        with suppress(OSError):
            seen.unlink()

