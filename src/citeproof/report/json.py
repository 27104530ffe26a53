"""``--format json``: the machine-readable report (shape documented in the README)."""
from __future__ import annotations

import json
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) writes strings with

INDENT = "  "


def format_json(result, *, color: bool = False) -> str:
    """``json.dumps({"summary", "references", "problems"}, indent=2, ensure_ascii=False)``,
    written without the standard library's indenting encoder (pure Python, the report's
    largest cost on a big bib) and one reference at a time (no second copy of them all)."""
    parts = ["{\n", INDENT, '"summary": ']
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


def _encode(value, level: int, parts: list[str]) -> None:
    text = _scalar(value)
    if text is not None:
        parts.append(text)
    elif isinstance(value, dict):
        _encode_dict(value, level, parts)
    else:
        _encode_list(value, level, parts)


def _encode_list(values, level: int, parts: list[str]) -> None:
    inner = "\n" + INDENT * (level + 1)
    sep = "[" + inner
    for value in values:
        parts.append(sep)
        sep = "," + inner
        text = _scalar(value)
        if text is not None:
            parts.append(text)
        elif isinstance(value, dict):
            _encode_dict(value, level + 1, parts)
        else:
            _encode_list(value, level + 1, parts)
    parts.append("[]" if sep[0] == "[" else "\n" + INDENT * level + "]")


def _encode_dict(value: dict, level: int, parts: list[str]) -> None:
    if not value:
        parts.append("{}")
        return
    inner = "\n" + INDENT * (level + 1)
    sep = "{" + inner
    for key, item in value.items():
        if not isinstance(key, str):
            raise _Unsupported  # json.dumps converts or rejects other keys
        text = _scalar(item)
        if text is not None:
            parts += [sep, encode_basestring(key), ": ", text]
        else:
            parts += [sep, encode_basestring(key), ": "]
            if isinstance(item, dict):
                _encode_dict(item, level + 1, parts)
            else:
                _encode_list(item, level + 1, parts)
        sep = "," + inner
    parts.append("\n" + INDENT * level + "}")
