"""``--format json``: the machine-readable report (shape documented in the README)."""
from __future__ import annotations

import json
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) writes strings with

INDENT = "  "


def format_json(result, *, color: bool = False) -> str:
    """``json.dumps({"summary", "references", "problems"}, indent=2, ensure_ascii=False)``,
    written without the standard library's indenting encoder (pure Python, the report's
    largest cost on a big bib) and one reference at a time (no second copy of them all)."""
    parts = _Parts(["{\n", INDENT, '"summary": '])
    try:
        _encode(result.summary(), 1, parts)
        for name, items in (("references", result.references), ("problems", result.problems)):
            parts += [",\n", INDENT, encode_basestring(name), ": "]
            _encode_list((item.to_dict() for item in items), 1, parts)
    except (_Unsupported, RecursionError):  # a value json.dumps rejects or converts its own way
        return _standard(result)
    parts.append("\n}\n")
    return "".join(parts)


def _standard(result) -> str:
    doc = {
        "summary": result.summary(),
        "references": [r.to_dict() for r in result.references],
        "problems": [p.to_dict() for p in result.problems],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


class _Unsupported(Exception):
    pass


class _Parts(list):
    """The report's pieces, and for each shape of dict met so far (its level and keys) the
    text before each of its values: a report has a few shapes, repeated (a reference, a
    problem)."""

    def __init__(self, parts: list[str]):
        super().__init__(parts)
        self.leads: dict[tuple, list[str]] = {}


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value) -> str | None:
    """The JSON text of a scalar, as json.dumps writes it; ``None`` for a container."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple, dict)):
        return None
    raise _Unsupported


def _encode(value, level: int, parts: _Parts) -> None:
    text = _scalar(value)
    if text is not None:
        parts.append(text)
    elif isinstance(value, dict):
        _encode_dict(value, level, parts)
    else:
        _encode_list(value, level, parts)


def _encode_list(values, level: int, parts: _Parts) -> None:
    inner = "\n" + INDENT * (level + 1)
    sep = "[" + inner
    for value in values:
        parts.append(sep)
        sep = "," + inner
        _encode(value, level + 1, parts)
    parts.append("[]" if sep[0] == "[" else "\n" + INDENT * level + "]")


def _encode_dict(value: dict, level: int, parts: _Parts) -> None:
    if not value:
        parts.append("{}")
        return
    shape = (level, *value)
    leads = parts.leads.get(shape)
    if leads is None:
        if not all(isinstance(key, str) for key in value):
            raise _Unsupported  # json.dumps converts or rejects other keys
        inner = "\n" + INDENT * (level + 1)
        leads = [f"{inner}{encode_basestring(key)}: " for key in value]
        leads = parts.leads[shape] = ["{" + leads[0], *("," + lead for lead in leads[1:])]
    for lead, item in zip(leads, value.values()):
        parts.append(lead)
        if type(item) is str:
            parts.append(encode_basestring(item))
            continue
        if item is None or (type(item) is list and not item):
            parts.append("[]" if item is not None else "null")
            continue
        _encode(item, level + 1, parts)
    parts.append("\n" + INDENT * level + "}")

