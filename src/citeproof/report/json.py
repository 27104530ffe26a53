"""``--format json``: the machine-readable report (shape documented in the manual)."""
from __future__ import annotations

import json
import re

from ..identifiers import INVISIBLE
from ..visible import without_surrogates

#: What ``json.dumps(ensure_ascii=False)`` leaves raw and a terminal would act on or hide:
#: DEL, the C1 controls, the line and paragraph separators, invisible format characters.
#: They can only stand inside JSON strings, where a ``\\uXXXX`` escape is the same text.
_HIDDEN = re.compile(f"[\x7f-\x9f\u2028\u2029]|{INVISIBLE.pattern}")


def format_json(result, *, color: bool = False, ascii_only: bool = False) -> str:
    """The report as JSON: ``{"summary", "references", "problems"}``, indented by 2.

    Every string holds the same text as the report's values, but a lone surrogate (which
    no UTF-8 can hold) is U+FFFD, and the characters a terminal would act on or hide are
    ``\\uXXXX`` escapes. ``ascii_only``: every character outside ASCII is an escape (for
    a stream that cannot encode the rest)."""
    doc = {
        "summary": result.summary(),
        "references": [r.to_dict() for r in result.references],
        "problems": [p.to_dict() for p in result.problems],
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if not text.isascii() or "\x7f" in text:  # (else nothing to replace: a quick C scan)
        text = _HIDDEN.sub(lambda m: json.dumps(m.group())[1:-1], without_surrogates(text))
    if ascii_only:
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=True)
    return text + "\n"
