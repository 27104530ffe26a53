"""People in a bib field: pybtex's name rules, without pybtex's cost for plain names.

pybtex's ``split_name_list`` and ``Person(string)`` walk every name brace by brace
(about 25 microseconds a name; a 100,000-entry bib has 200,000 names). Most names are
plain: no braces, no backslash, no ``~``, each word starting with a letter. For those
the rules reduce to string splits, so :func:`people` splits them here and builds the
same ``Person`` values; any other name, or a list pybtex would complain about, goes
through pybtex itself. ``tests/test_bib_names.py`` compares both on a corpus of names.
"""
from __future__ import annotations

import re

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person

__all__ = ["people", "person"]

#: what only pybtex's parser reads right: braces, TeX escapes and ties
_SPECIAL = re.compile(r"[{}\\~]")
_AND = re.compile(" [Aa][Nn][Dd] ")


def people(value: str) -> list[Person]:
    """The people of a whitespace-normalised ``author``/``editor`` value, as pybtex
    reads them (``split_name_list``, then ``Person`` for each)."""
    if not value:
        return []
    if _SPECIAL.search(value):
        return [Person(name) for name in split_name_list(value)]
    return [person(name.strip()) for name in _AND.split(value)]


def person(name: str) -> Person:
    """One name as ``Person(name)`` reads it; plain names are split here."""
    parts = _plain_parts(name)
    if parts is None:
        return Person(name)
    p = Person.__new__(Person)
    p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names = parts
    return p


def _plain_parts(name: str):
    """``(first, middle, prelast, last, lineage)`` word lists of a plain name, or
    ``None`` when pybtex must read it (a special character, a word that does not start
    with a letter, more than two commas)."""
    if _SPECIAL.search(name):
        return None
    name = name.strip()
    words = [part.split() for part in name.split(",")] if name else []
    if len(words) > 3:
        return None  # pybtex reports too many commas
    for group in words:
        for word in group:
            if not (word[0].isupper() or word[0].islower()):
                return None  # pybtex looks inside such a word for its case
    if len(words) == 2:  # von Last, First (the common case)
        prelast, last = _von_last(words[0])
        given = words[1]
        return given[:1], given[1:], prelast, last, []
    if len(words) == 3:  # von Last, Jr, First
        prelast, last = _von_last(words[0])
        given = words[2]
        return given[:1], given[1:], prelast, last, words[1]
    if not words:
        return [], [], [], [], []
    group = words[0]  # First von Last
    pos = next((i for i, w in enumerate(group) if w[0].islower()), len(group))
    head, tail = group[:pos], group[pos:]
    if not tail and head:
        tail = [head.pop()]
    prelast, last = _von_last(tail)
    return head[:1], head[1:], prelast, last, []


def _von_last(group: list[str]) -> tuple[list[str], list[str]]:
    """``(von, last)`` of the words before the first comma: the last word is never
    "von"; before it, everything up to the last lower-case word is (pybtex's rsplit_at)."""
    cut = 0
    for i in range(len(group) - 2, -1, -1):
        if group[i][0].islower():
            cut = i + 1
            break
    return group[:cut], group[cut:]
