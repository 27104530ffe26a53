"""LaTeX field text as plain Unicode, for the style, the loader and the checks.

latexcodec does the decoding; it is slow per character, so only the words that need it
go through it, and each decoded word is cached.
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import Person

from ..model import Author

__all__ = ["broken_latex", "latex_to_text", "normalize_pages", "person_to_author", "split_words"]

_NEEDS_CODEC = re.compile(r"[\\~]|--|''|``")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
#: Tokens for splitting a value into words: a control word keeps the space after it.
_WORD_SPLIT = re.compile(r"[{}]|\\[A-Za-z]+\s*|\\.|\s+")


def split_words(value: str) -> list[str]:
    """Split at whitespace outside braces, keeping the whitespace as separate pieces."""
    depth, start, pieces = 0, 0, []
    for m in _WORD_SPLIT.finditer(value):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif tok[0].isspace() and depth <= 0:
            pieces += [value[start:m.start()], tok]
            start = m.end()
    pieces.append(value[start:])
    return pieces


@lru_cache(maxsize=65536)
def _read_word(word: str) -> str | None:
    """One word decoded, or ``None`` when latexcodec cannot read it (a trailing backslash)."""
    try:
        # a bare % would start a TeX comment and silently cut the rest: keep it as a percent sign
        # (latexcodec's ulatex decodes str to str: typeshed's overloads list no such codec)
        return codecs.decode(_BARE_PERCENT.sub(r"\\%", word), "ulatex")  # type: ignore[call-overload]
    except (UnicodeDecodeError, ValueError):
        return None


def _decode_word(word: str) -> str:
    """One word decoded; a word latexcodec cannot read stays as written
    (:func:`broken_latex` tells the loader, which warns)."""
    decoded = _read_word(word)
    return word if decoded is None else decoded


def broken_latex(value: str) -> str:
    """The first word of ``value`` that is not valid LaTeX (shown raw), or ``""``."""
    if not _NEEDS_CODEC.search(value):
        return ""
    for word in split_words(value)[::2]:
        if _NEEDS_CODEC.search(word) and _read_word(word) is None:
            return word
    return ""


def _decode(value: str) -> str:
    """LaTeX -> Unicode with latexcodec, word by word.

    latexcodec costs about 7 microseconds per character, so only the words that hold
    a backslash, ``~``, ``--`` or TeX quotes go through it (and are cached).
    """
    if not _NEEDS_CODEC.search(value):
        return value
    return "".join(_decode_word(w) if _NEEDS_CODEC.search(w) else w for w in split_words(value))


def latex_to_text(value: str) -> str:
    """LaTeX field text -> plain Unicode: ``{\\"o}`` -> ``ö``, braces removed, case kept.

    ``\\{`` and ``\\}`` stay as literal braces. Plain text (most values) is returned
    as it is, without a trip through the cache.
    """
    return _latex_to_text(value) if _LATEX.search(value) else value


#: what :func:`latex_to_text` changes: what latexcodec reads, and braces
_LATEX = re.compile(r"[\\~{}]|--|''|``")


@lru_cache(maxsize=65536)
def _latex_to_text(value: str) -> str:
    text = _decode(value)
    if "{" in text or "}" in text:
        text = text.replace("\\{", "\ue000").replace("\\}", "\ue001")
        text = text.replace("{", "").replace("}", "").replace("\ue000", "{").replace("\ue001", "}")
    return text


# (a plain function given its cache's cache_clear, as lru_cache's own functions have)
latex_to_text.cache_clear = _latex_to_text.cache_clear  # type: ignore[attr-defined]


def person_to_author(person: Person) -> Author:
    """A pybtex ``Person`` as an :class:`Author`: family = "von" part + last name.

    A lineage ("Jr") is not part of the family name (registries keep it apart).
    """
    parts = person.prelast_names + person.last_names
    family = " ".join(parts)
    given = " ".join(person.first_names + person.middle_names)
    if _LATEX.search(family):  # else every part decodes to itself
        family = " ".join(map(latex_to_text, parts))
    if _LATEX.search(given):
        given = " ".join(map(latex_to_text, person.first_names + person.middle_names))
    corporate = (not given and len(parts) == 1 and parts[0].startswith("{")
                 and parts[0].endswith("}") and " " in parts[0].strip("{} "))
    return Author(family=family, given=given, corporate=corporate)


def normalize_pages(pages: str) -> str:
    """Page ranges with a plain hyphen: ``786--792`` / ``786–792`` -> ``786-792``."""
    return _DASHES.sub("-", pages)


_DASHES = re.compile(r"\s*[-\u2010-\u2015]+\s*")

