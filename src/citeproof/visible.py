"""Text made safe to show: what a terminal would act on, or a reader could not see, escaped.

Messages, reports, diffs and job summaries show text that came from a bib, a page, a
file name or a registry. Control characters (C0, DEL, C1: ESC starts a terminal escape
sequence, BEL rings), invisible format characters (zero-width spaces and joiners, bidi
embeddings, overrides and isolates, the soft hyphen, the BOM), the line and paragraph
separators (U+2028, U+2029) and lone surrogates (what Python makes of bytes that are not
UTF-8, or of a broken ``\\ud800`` escape in JSON; no encoder can write them) are written
as visible escapes (``\\x1b``, ``\\u200b``, ``\\ud800``), so nothing can fake a line, hide
a character, reverse a text or fail the write.

:func:`visible` is for one message (a line break is escaped too); :func:`visible_lines`
is for data of several lines (a diff, a list of candidates), whose line ends and tabs are
kept. :func:`without_surrogates` is for what is written to files (the lock, a job
summary, a JSON report): a lone surrogate becomes U+FFFD, the replacement character.
"""
from __future__ import annotations

import re

from .identifiers import INVISIBLE

__all__ = ["visible", "visible_lines", "without_surrogates", "SURROGATE"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: A lone surrogate (U+D800 to U+DFFF): in a ``str``, every surrogate is a lone one.
SURROGATE = re.compile("[\ud800-\udfff]")
_HIDDEN = re.compile(f"{_CONTROL.pattern}|{SURROGATE.pattern}|{INVISIBLE.pattern}")
_LINE_END = re.compile("(\r?\n)")
_TAB = "\t"


def visible(text: object) -> str:
    """``text`` with every control and invisible format character as a visible escape."""
    text = str(text)
    if text.isascii() and text.isprintable():  # (no control; the rest are beyond ASCII)
        return text
    return _HIDDEN.sub(_escaped, text)


def visible_lines(text: object) -> str:
    """:func:`visible` line by line: the line ends (LF, CRLF) and tabs are kept, so a diff
    stays a diff; any other CR, and every other control character, is escaped."""
    parts = _LINE_END.split(str(text))
    return "".join(part if i % 2 else _TAB.join(map(visible, part.split(_TAB)))
                   for i, part in enumerate(parts))


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (the replacement character)."""
    return SURROGATE.sub("\ufffd", text)


def _escaped(m: re.Match) -> str:
    return m.group().encode("unicode_escape").decode("ascii")
