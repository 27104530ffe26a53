"""A large bib read in two processes, for the checker: the same result, in about half the time.

Reading a bib is linear but all Python: a 100,000-entry file takes seconds. Its second
half does not depend on its first unless a @string, @preamble or crossref links them,
or a key repeats across them. So a forked child reads the second half (from a line that
starts an entry) while this process reads the first; the child sends its references,
problems and keys back through a pipe, and the halves are joined. Whenever the join
might differ from one reading (the first half links later entries, a crossref anywhere,
a key in both halves, an entry of the first half that runs over the cut, a child that
fails), the halves are dropped and the text is read once, so the result is always the
one :func:`~citeproof.bib.load.parse_range` gives for the whole text
(``tests/test_bib_halves.py`` compares them).

Used only where a fork is safe and pays: a POSIX system, a process with one thread (the
command-line check; never a server such as ``mkdocs serve``), a text of at least
:data:`MIN_CHARS` characters, and the light reading (``entries=False``), whose results
are plain values.
"""
from __future__ import annotations

import os
import pickle
import threading

from ..model import ValuePickler as _Pickler  # Reference, Author as cls(*values)
from .load import BibResult, parse_range
from .scan import _LINE_START_AT, Scanner

__all__ = ["MIN_CHARS", "parse_in_halves"]

#: Below this (about 12,000 entries) one process is as quick: a fork and the transfer
#: cost about what reading the second half saves.
MIN_CHARS = 4_000_000


def parse_in_halves(text: str, file: str) -> BibResult | None:
    """The light reading of ``text`` (as ``parse_range(text, file, False)``) done in two
    processes, or ``None`` when it cannot be, or could differ: then read it once."""
    if len(text) < MIN_CHARS or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    cut = _LINE_START_AT.search(text, len(text) // 2)
    if cut is None or cut.start() == 0:
        return None
    split = cut.start()
    scanner = Scanner(text)  # the line starts, made once and shared with the child
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to spare (EAGAIN, ENOMEM): one reading
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # pragma: no cover (the child: coverage does not follow a fork)
        _child(text, file, scanner, split, read, write)
    os.close(write)
    pipe = os.fdopen(read, "rb")
    try:
        first = parse_range(text, file, False, scanner, end=split)
        payload = pipe.read()
    finally:
        pipe.close()  # before waiting: a child still writing then stops (a broken pipe)
        status = _wait(pid)
    if status != 0 or first.defines or first.crossrefs or scanner.stopped > split:
        return None
    try:
        references, problems, keys, defines, crossrefs = pickle.loads(payload)
    except Exception:
        return None
    if crossrefs or not keys.keys().isdisjoint(first.keys):
        return None
    first.references.update(references)
    first.problems.extend(problems)
    first.keys.update(keys)
    first.defines = defines
    return first


def _wait(pid: int) -> int:
    """The child's exit status; -1 when it cannot be known (with SIGCHLD ignored the
    system reaps the child itself)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return -1


def _child(text: str, file: str, scanner: Scanner, split: int, read: int, write: int) -> None:
    """Read the second half, send it, and leave at once (no cleanup of the parent's state)."""
    status = 1
    try:
        os.close(read)
        second = parse_range(text, file, False, scanner, start=split)
        with os.fdopen(write, "wb") as pipe:
            _Pickler(pipe, protocol=pickle.HIGHEST_PROTOCOL).dump(
                (second.references, second.problems, second.keys, second.defines,
                 second.crossrefs))
        status = 0
    finally:
        os._exit(status)
