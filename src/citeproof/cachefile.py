"""Cache files: values pickled to disk, read back only when this user wrote them, and
only as citeproof's own plain values.

A cache file is untrusted input: it may have been planted in ``.cache/``, committed,
shipped in an archive or left by another user. Two guards, each enough against code:

* **Authenticated.** Every file starts with a keyed BLAKE2b digest of the rest, made with
  a key kept outside the project, in the user's cache directory, readable by the user
  alone (:func:`key`). A file this user's citeproof did not write (planted, copied from
  another machine, edited) fails the check and is a miss, before anything is unpickled:
  so it can neither run code nor put its own HTML into a page.
* **Restricted.** Even an authenticated file is read by an unpickler that builds nothing
  but the value types citeproof itself writes (:func:`allow`: its data classes and enums,
  and the standard library's ``array``); any other class, or a callable such as
  ``os.system``, ends the read and the file is a miss.

Truncated, foreign, old or damaged files are misses too; a miss is never an error.
Where no key can be kept (no writable cache directory), a key made for this process
serves: the cache then lasts as long as the process (a preview server's rebuilds).

Writes go through a temporary file and a rename (a reader sees the old file or the new
one), and only the newest files of a kind are kept. A cache directory citeproof makes
holds a ``.gitignore`` that keeps it out of version control.
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import io
import os
import pickle
import stat
import tempfile
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from . import model
from .model import ValuePickler

__all__ = ["allow", "allowed", "directory", "dumps", "folder", "key", "lasting", "loads", "mark", "read", "write"]

_TAG = 32  # bytes of the digest that starts every file
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # (0 where the system has none: Windows has no such links to fear)
_GITIGNORE = "# citeproof's cache: made anew when missing, never committed\n*\n"


def directory() -> Path:
    """This user's own citeproof directory: ``$XDG_CACHE_HOME/citeproof``, else
    ``~/.cache/citeproof`` (outside any project)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "citeproof"


def key() -> bytes:
    """This user's cache key: ``cache.key`` in :func:`directory`, made on first use,
    readable by the user alone; a key for this process when none can be kept."""
    return _kept_key() or _process_key()


def lasting() -> bool:
    """Whether a file written now can be read by a later process (the key is kept)."""
    return _kept_key() is not None


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    import secrets  # (a key is made once per machine, or per process without a kept one)

    return secrets.token_bytes(32)


@lru_cache(maxsize=1)
def _kept_key() -> bytes | None:
    """``cache.key``'s key (made now when missing), or ``None`` when none can be kept."""
    path = directory() / "cache.key"
    with suppress(OSError):
        data = path.read_bytes()
        if len(data) == 32 and (path.stat().st_mode & 0o077) == 0:
            return data
    try:
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = secrets.token_bytes(32)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")  # (mode 0600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return data
    except OSError:
        return None


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, key=key(), digest_size=_TAG).digest()


#: ``(module, name)`` of every class a cache file may hold: the standard library's
#: ``array``, the model's value types, and each type a module declares with :func:`allow`.
_ALLOWED: set[tuple[str, str]] = {("array", "array"), ("citeproof.model", "_rebuild")} | {  # (ValuePickler's)
    (cls.__module__, cls.__qualname__) for cls in (
        model.Author, model.Reference, model.FieldLines, model.Problem, model.ProblemCode, model.FormattedEntry,
        model.CitationItem, model.CitationGroup, model.BibliographyMarker, model.ParsedDocument)}


def allow(*classes: type) -> None:
    """Let cache files hold values of ``classes`` (each module that caches values of its
    own types declares them when it is imported, before any file is read)."""
    _ALLOWED.update((cls.__module__, cls.__qualname__) for cls in classes)


def allowed() -> frozenset[tuple[str, str]]:
    """``(module, name)`` of every class a cache file may hold, so far."""
    return frozenset(_ALLOWED)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a citeproof value")
        return super().find_class(module, name)


def read(path: Path, which: int = 1):
    """The ``which``-th value pickled in ``path`` (one pickler wrote them in turn), or
    ``None``: a miss, whatever the reason (no file, one this user's citeproof did not
    write, a damaged one, a class that is not a citeproof value)."""
    data = _regular_bytes(path)
    if data is None or len(data) < _TAG or not hmac.compare_digest(data[:_TAG], _digest(memoryview(data)[_TAG:])):
        return None  # not written by this user's citeproof
    enabled = gc.isenabled()
    gc.disable()  # many small objects: the collector would walk them again and again
    try:
        unpickler = _Unpickler(io.BytesIO(memoryview(data)[_TAG:]))
        for _ in range(which):
            value = unpickler.load()
        return value
    except Exception:
        return None
    finally:
        if enabled:
            gc.enable()


def _regular_bytes(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file, else ``None``: never through a
    symbolic link (a cache folder may be committed or planted: a link to ``/dev/zero``
    would be read forever, one to a FIFO would wait forever), and no more than its size."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            return None
        chunks, left = [], found.st_size
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def loads(data: bytes):
    """One value from bytes that :func:`dumps` made (read from a file :func:`read`
    authenticated), built as :func:`read` builds them (``None`` when it is not one)."""
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except Exception:
        return None


def dumps(value) -> bytes:
    """``value`` as bytes that :func:`loads` reads back."""
    out = io.BytesIO()
    ValuePickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


def folder(path: Path) -> Path:
    """``path``, a folder for cache files, made (with its parents) when missing, with a
    ``.gitignore`` that keeps it out of git as pytest's and ruff's caches are (the file
    ignores itself too). Raises ``OSError`` when it cannot be made."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        (path / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    return path


def write(target: Path, values: tuple, pattern: str, keep: int) -> bool:
    """Pickle ``values`` in turn with one pickler (a value already written is written again
    as a reference; see :func:`read`), and write them to ``target`` after their digest,
    through a temporary file, then a rename (no fsync: a torn cache file is just a miss);
    keep the ``keep`` newest files of ``pattern``. Returns whether the file was written (a
    read-only tree builds fine, just without the cache)."""
    try:
        folder(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.tmp-")
        try:
            # pickled straight into the file through a large buffer (not into memory and
            # then copied: a third less time for a 16 MB file)
            body = io.BytesIO()
            pickler = ValuePickler(body, protocol=pickle.HIGHEST_PROTOCOL)
            for value in values:
                pickler.dump(value)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_digest(body.getbuffer()))
                fh.write(body.getbuffer())
            os.chmod(tmp, 0o644)  # (mkstemp's 0600 would lock out another user of the tree)
            os.replace(tmp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(target.parent, pattern, keep)
        for tmp_left in target.parent.glob(".*.pickle.tmp-*"):  # of a killed run
            if tmp_left.name != Path(tmp).name and _mtime(tmp_left) < _mtime(target) - 60:
                tmp_left.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def mark(path: Path, pattern: str, keep: int) -> None:
    """Make ``path`` an empty file (a marker: nothing in it is ever read), only where
    nothing stands (never through a link), and keep the ``keep`` newest files of
    ``pattern`` beside it. Raises ``OSError`` when it cannot."""
    os.close(os.open(folder(path.parent) / path.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644))
    _prune(path.parent, pattern, keep)


def _prune(where: Path, pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` newest files of ``pattern`` in ``where`` (a link is
    removed, never followed)."""
    for stale in sorted(where.glob(pattern), key=_mtime, reverse=True)[keep:]:
        stale.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0
