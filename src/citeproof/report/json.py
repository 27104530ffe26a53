"""``--format json``: the machine-readable report (shape documented in the manual)."""
from __future__ import annotations

import json


def format_json(result, *, color: bool = False) -> str:
    """The report as JSON: ``{"summary", "references", "problems"}``, indented by 2."""
    doc = {
        "summary": result.summary(),
        "references": [r.to_dict() for r in result.references],
        "problems": [p.to_dict() for p in result.problems],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
