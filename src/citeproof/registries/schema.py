"""The shape of every registry field citeproof reads, checked before anything is parsed.

A registry answer is untrusted input. Each registry module describes the fields it
reads with the shapes below (everything else in an answer is ignored) and calls
:func:`check`; an answer of another shape raises :class:`RegistryUnavailable` naming
the first offending field, so the whole batch is "could not verify", never a verdict
and never a traceback. Every field is optional (absent or ``null``), as in the
registries' own documentation; a present field must have its shape.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping

from .http import RegistryUnavailable

Shape = Callable[[object, str], None]


class Invalid(Exception):
    """Internal: ``where`` is not of the shape ``what``."""

    def __init__(self, where: str, what: str):
        super().__init__(f"{where} is {what}")


_KINDS: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}


def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return _KINDS.get(type(value), type(value).__name__)


def string(value, where: str) -> None:
    """A JSON string."""
    if not isinstance(value, str):
        raise Invalid(where, f"{_kind(value)}, not a string")


def digits(value, where: str) -> None:
    """A string of ASCII digits (a PMID)."""
    string(value, where)
    if not (value.isascii() and value.isdigit()):
        raise Invalid(where, f"{value[:20]!r}, not a string of digits")


def text(value, where: str) -> None:
    """A string or a finite number (CSL text fields such as ``volume`` may be numbers)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(where, f"{_kind(value)}, not text")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(where, "not a finite number")


def csl_text(value, where: str) -> None:
    """CSL text: text, or a list of text (``title``, ``container-title``)."""
    if isinstance(value, list):
        for i, item in enumerate(value[:1000]):
            text(item, f"{where}[{i}]")
        if len(value) > 1000:
            raise Invalid(where, "a list of more than 1000 texts")
    else:
        text(value, where)


def _date_part(value, where: str) -> None:
    if value is None or (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not -9999 <= value <= 9999:
        raise Invalid(where, f"{_kind(value) if not isinstance(value, int) else value}, not a date part")


def csl_date(value, where: str) -> None:
    """``{"date-parts": [[2019, 6, 28]]}``: whole numbers of at most four digits, or nulls."""
    fields({"date-parts": list_of(list_of(_date_part, 3), 3)})(value, where)


def list_of(shape: Shape, most: int) -> Shape:
    """A list of at most ``most`` items, each of ``shape``."""
    def check_list(value, where: str) -> None:
        if not isinstance(value, list):
            raise Invalid(where, f"{_kind(value)}, not a list")
        if len(value) > most:
            raise Invalid(where, f"a list of {len(value)} items (at most {most} expected)")
        for i, item in enumerate(value):
            shape(item, f"{where}[{i}]")
    return check_list


def fields(shapes: Mapping[str, Shape]) -> Shape:
    """An object whose named fields, where present and not null, have their shapes."""
    def check_object(value, where: str) -> None:
        if not isinstance(value, dict):
            raise Invalid(where, f"{_kind(value)}, not an object")
        for name, shape in shapes.items():
            if value.get(name) is not None:
                shape(value[name], f"{where}.{name}" if where else name)
    return check_object


def check(value, shape: Shape, service: str, where: str = "") -> None:
    """Raise :class:`RegistryUnavailable` when ``value`` is not of ``shape``."""
    try:
        shape(value, where)
    except Invalid as exc:
        raise RegistryUnavailable(f"{service} sent an answer of the wrong shape: {exc}") from None


def by_key(items: list, key_of: Callable[[dict], str], asked: set, service: str, what: str) -> dict:
    """The items of a batch answer by ``key_of(item)``: an item about an identifier that was
    not asked, or two items about one, make the whole answer untrustworthy (no copy wins)."""
    out: dict = {}
    for i, item in enumerate(items):
        key = key_of(item)
        if key not in asked:
            raise refuse(service, f"item {i} is about {key[:100] or f'no {what}'}, which was not asked")
        if key in out:
            raise refuse(service, f"two items describe {key[:100]}")
        out[key] = item
    return out


def refuse(service: str, what: str) -> RegistryUnavailable:
    """The error for an answer that is well-formed but not about what was asked."""
    return RegistryUnavailable(f"{service} sent an answer that cannot be trusted: {what}")
