"""Text made safe to show: what a terminal would act on, or a reader could not see, escaped.

Messages, reports, diffs and job summaries show text that came from a bib, a page or a
registry. Control characters (C0, DEL, C1: ESC starts a terminal escape sequence, BEL
rings) and invisible format characters (zero-width spaces and joiners, bidi embeddings,
overrides and isolates, the soft hyphen, the BOM) are written as visible escapes
(``\\x1b``, ``\\u200b``), so nothing can fake a line, hide a character or reverse a text.
"""
from __future__ import annotations

import re

from .identifiers import INVISIBLE

__all__ = ["visible"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def visible(text: object) -> str:
    """``text`` with every control and invisible format character as a visible escape."""
    text = str(text)
    text = _CONTROL.sub(_escaped, text)
    return INVISIBLE.sub(_escaped, text)


def _escaped(m: re.Match) -> str:
    return m.group().encode("unicode_escape").decode("ascii")
