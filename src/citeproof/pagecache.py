"""The page cache: a page's render read back when nothing it was made of has changed.

Each of the site core's two page steps (:meth:`SiteCore.begin`, :meth:`SiteCore.finish`)
is a function of its inputs (the page's texts and front matter), of the lock, the site's
options and the code, and of what the page reads of the bib: each entry it cites, and
the bib's shape (its keys in order and every entry's authors' family names, which the
unknown-key hints and the prose checks read; see ``bibcache.page_digests``). So a record
keeps, beside the result, the keys the page cites and a digest of those entries'
digests and the bib's shape: an edit of an entry no page cites renders no page again.

One file per lock, options, root and code (``pages-*.pickle``, in the bib cache's
directory), holding the records of the pages used since the last save: read once per
change of the lock, written when a page was made anew (:meth:`PageCache.save`). The
file is read by :mod:`citeproof.cachefile`, so it can hold nothing but citeproof's own
values; a record whose shape is not what this code writes is a miss.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, TypeVar

from . import cachefile
from .bibcache import LoadedBib, package_fingerprint

__all__ = ["PageCache"]

T = TypeVar("T")
_KEEP = 4  # page-cache files kept per directory (one per lock, options and code)


@dataclass(frozen=True)
class _Record:
    """What the cache keeps of one step of one page."""

    bib_digest: bytes  # :func:`_bib_digest` of ``cites`` when it was made
    cites: tuple[str, ...]  # the keys the page cites that the bib has
    value: bytes  # the step's result (``cachefile.dumps``)

    def to_data(self) -> tuple:
        return (self.bib_digest, self.cites, self.value)

    @classmethod
    def from_data(cls, data) -> Optional[_Record]:
        """A record read from disk, or ``None`` when it is not of this code's shape."""
        if not (type(data) is tuple and len(data) == 3 and type(data[0]) is bytes and type(data[1]) is tuple
                and all(type(k) is str for k in data[1]) and type(data[2]) is bytes):
            return None
        return cls(*data)


@dataclass
class _File:
    """The records of one lock (a page-cache file), and what this build did with them."""

    path: Path
    lock_digest: bytes
    records: dict[bytes, _Record]
    used: set[bytes] = field(default_factory=set)  # records read or made since the last save
    made: bool = False  # a record was made anew since the last save


class PageCache:
    """The page records of one site (its cache directory, options and root)."""

    def __init__(self, directory: Path, options: object, root: Path) -> None:
        self.directory = directory
        self._name = b"\0".join([package_fingerprint(), repr(options).encode("utf-8", "surrogatepass"),
                                 str(root).encode("utf-8", "surrogatepass")])
        self._file: _File | None = None

    def fetch(self, bib: LoadedBib, lock_digest: bytes, kind: type[T], make: Callable[[], T],
              inputs: tuple[str, ...], cites: Callable[[T], tuple[str, ...]]) -> T:
        """``make()``, or what it gave before for the same ``inputs`` (texts) and lock, when
        what it read of the bib is unchanged; ``cites`` says which keys a result read."""
        if not bib.source or not bib.shape or len(bib.digests) != len(bib.references) or lock_digest == b"?":
            return make()  # (what the page read of the bib, or the lock, cannot be known)
        file = self._open(lock_digest)
        key = _digest(inputs)
        file.used.add(key)
        record = file.records.get(key)
        if record is not None and _bib_digest(bib, record.cites) == record.bib_digest:
            value = cachefile.loads(record.value)
            if isinstance(value, kind):
                return value
        value = make()
        keys = tuple(k for k in cites(value) if k in bib.references)
        file.records[key] = _Record(_bib_digest(bib, keys), keys, cachefile.dumps(value))
        file.made = True
        return value

    def save(self) -> None:
        """Write the records used since the last save (those of one build), if any was
        made anew or one is no longer used, so the file holds no stale page."""
        file = self._file
        if file is None:
            return
        if file.made or set(file.records) - file.used:
            file.records = {k: r for k, r in file.records.items() if k in file.used}
            cachefile.write(file.path, ({k: r.to_data() for k, r in file.records.items()},),
                            "pages-*.pickle", _KEEP)
        file.used, file.made = set(), False

    def _open(self, lock_digest: bytes) -> _File:
        if self._file is None or self._file.lock_digest != lock_digest:
            name = hashlib.sha256(self._name + b"\0" + lock_digest).hexdigest()[:32]
            path = self.directory / f"pages-{name}.pickle"
            data = cachefile.read(path)
            records = {k: r for k, v in (data.items() if isinstance(data, dict) else ())
                       if type(k) is bytes and (r := _Record.from_data(v)) is not None}
            self._file = _File(path, lock_digest, records)
        return self._file


def _digest(inputs: tuple[str, ...]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for text in inputs:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.digest()


def _bib_digest(bib: LoadedBib, keys: tuple[str, ...]) -> bytes:
    """What a page citing ``keys`` depends on in the bib (each entry's digest is made of
    its key too: a key gone from the bib changed its shape)."""
    get = bib.digests.get
    return hashlib.blake2b(bib.shape + b"".join([get(key, b"?") for key in keys]), digest_size=16).digest()
