"""Atomic file writes: the old file stays whole until the new one is complete on disk.

Used for every file citeproof writes in a project (the lock, the bib). A symlink is
written through to its target (the link stays a link). The temporary file sits beside
the target as ``.NAME.citeproof-tmp-XXXX`` and is removed on any failure; one left by a
run that was killed is removed by the next write of the same file, once it is older
than ``STALE_SECONDS`` (a younger one may belong to a run still writing).
"""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Union

TMP_MARK = ".citeproof-tmp-"
STALE_SECONDS = 60.0


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete the temp files of earlier writes of ``target`` older than ``STALE_SECONDS``."""
    removed = []
    for tmp in target.parent.glob(f".{target.name}{TMP_MARK}*"):
        with suppress(OSError):
            if time.time() - tmp.lstat().st_mtime > STALE_SECONDS and not tmp.is_symlink():
                tmp.unlink()
                removed.append(tmp)
    return removed


def atomic_write(path: Union[str, Path], data: Union[str, bytes], *, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, ``os.replace``, fsync dir).

    Text is written with ``encoding`` and no newline translation: the caller decides the
    line endings. The file keeps its permission bits; a new file gets 0o644. Raises
    ``OSError`` when it cannot be written (the old file is then unchanged).
    """
    target = Path(os.path.realpath(path))
    directory = target.parent
    remove_stale_temps(target)
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}{TMP_MARK}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with suppress(OSError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
