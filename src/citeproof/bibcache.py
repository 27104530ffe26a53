"""The parsed and formatted bib, cached on disk by content, so a warm build skips pybtex.

The key is the bib's bytes, its path, the style's options, the pybtex version and the source of the modules
that parse and format it: any change to one of them is a miss. Entries are small
frozen dataclasses, pickled; the cache directory is local to the project (like
MkDocs Material's ``.cache``) and never committed. A broken or unreadable cache file
is simply a miss.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .atomic import atomic_write
from .model import BibError, FormattedEntry, Problem, Reference

#: the source files (a directory: its ``*.py``) whose change invalidates the cache
_CODE = ("bib", "style.py", "render.py", "identifiers.py", "model.py", "bibcache.py", "exports.py")
_KEEP = 8  # cache files kept per directory (newest first)


@dataclass(frozen=True)
class LoadedBib:
    """A bib ready for the site: references, every offline problem of the bib (syntax,
    duplicates, identifiers, fields, URLs; each once) and the formatted entries."""

    references: dict[str, Reference]
    problems: list[Problem]
    entries: dict[str, FormattedEntry]
    #: the take-away formats by file suffix (``exports.downloads``: RIS, CSL-JSON, the
    #: cite actions' bundle), made with the entries so a warm build does not remake them
    downloads: dict[str, str] = field(default_factory=dict)
    #: each entry's COinS (``exports.coins``) by key, for the list
    coins: dict[str, str] = field(default_factory=dict)
    #: each entry's head metadata (``render.reference_metadata``: Highwire tag, JSON-LD)
    metadata: dict[str, tuple[str, str]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODE:
        path = here / name
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.read_bytes())
    try:
        digest.update(metadata.version("pybtex").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover
        pass
    return digest.digest()


def load_formatted_bib(path: Path, cache_dir: Path | None = None, label: str | None = None, *,
                       authors: str = "icmje", page_ranges: str = "abbreviated") -> LoadedBib:
    """Parse and format ``path`` (raises ``BibError`` when it cannot be read).

    ``label`` is the file name that messages show (e.g. a path relative to the project).
    ``authors`` and ``page_ranges`` are the style's options (part of the cache key).
    """
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None  # load_bib words the error
    target = None
    if cache_dir is not None and raw is not None:
        name = f"{path}\0{label}\0{authors}\0{page_ranges}".encode()
        key = hashlib.sha256(_code_fingerprint() + name + b"\0" + raw).hexdigest()
        target = cache_dir / f"bib-{key[:32]}.pickle"
        try:
            with open(target, "rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, LoadedBib):
                return cached
        except Exception:  # a miss, whatever the reason
            pass
    from .bib import load_bib, validate_references  # pybtex is imported only on a miss
    from .exports import coins, downloads
    from .render import reference_metadata
    from .style import format_entries

    bib = load_bib(path, label=label)
    entries = format_entries(bib.data, refs=bib.references, authors=authors, page_ranges=page_ranges)
    problems, seen = [], set()
    for problem in [*bib.problems, *validate_references(bib.references),
                    *(p for e in entries.values() for p in e.problems)]:
        if (problem.code, problem.key, problem.field) not in seen or problem.key is None:
            seen.add((problem.code, problem.key, problem.field))
            problems.append(problem)
    text = raw.decode("utf-8-sig", errors="replace") if raw is not None else ""
    result = LoadedBib(bib.references, problems, entries, downloads(bib.references, text),
                       {k: coins(r) for k, r in bib.references.items()},
                       {k: reference_metadata(r) for k, r in bib.references.items()})
    if target is not None:
        _store(target, result)
    return result


def _store(target: Path, result: LoadedBib) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        old = sorted(target.parent.glob("bib-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only tree builds fine, just without the cache


__all__ = ["BibError", "LoadedBib", "load_formatted_bib"]
