"""The text model's items: runs of text with marks, math, and what a reader could not read."""
from __future__ import annotations

from typing import NamedTuple, Union, final

__all__ = ["MARKS", "NO_MARKS", "Item", "Math", "Run", "TextWarning"]

#: every mark a run can carry
MARKS = ("italic", "bold", "smallcaps", "mono", "sup", "sub", "nocase")
NO_MARKS: frozenset[str] = frozenset()


# final: readers test ``type(item) is Run`` (faster than isinstance), and a type checker
# reads the other branch as Math only when neither can have a subclass
@final
class Run(NamedTuple):
    """Text with a set of marks (:data:`MARKS`); ``nocase`` = braces protect its case."""
    text: str
    marks: frozenset[str] = NO_MARKS


@final
class Math(NamedTuple):
    """Math: its TeX source (without ``$``), and its reading as runs (marks ``sup``,
    ``sub``, ``italic``, ``bold``, ``mono``) when all of it has Unicode, else ``None``."""
    tex: str
    runs: tuple[Run, ...] | None
    marks: frozenset[str] = NO_MARKS


Item = Union[Run, Math]


class TextWarning(NamedTuple):
    """What a reader could not read. ``code``: ``unknown-macro``, ``nonstandard-macro``
    (TUGboat's), ``ignored-macro`` (``\\def``, ``\\input`` ...: never run), ``unknown-element``,
    ``unsupported-mathml``, ``unknown-math``, ``unclosed-math``, ``unbalanced-braces``,
    ``trailing-backslash``, ``control-characters``, ``too-deep``, ``expansion-limit``;
    ``name``: the macro (with its backslash) or element (``<mtable>``); ``message``: one
    sentence for a person (the caller adds file and line)."""
    code: str
    name: str
    message: str


