"""LaTeX field text as plain Unicode, for the loader, the style and the checks.

The decoding is the text model's (:mod:`citeproof.text`): every macro is either known or
reported by name, math becomes Unicode where Unicode has it, and the bib's ``@preamble``
macros (``\\noopsort``, ``\\newcommand``) are read (``macros``). A value of plain text
(most of them) is returned as it is.
"""
from __future__ import annotations

import re

from pybtex.database import Person

from ..model import Author
from ..text import Macros, TextWarning, from_tex, tex_to_plain

__all__ = ["UNREAD", "latex_to_text", "latex_warnings", "normalize_pages", "person_to_author", "split_words"]

#: Text-model warnings that mean LaTeX was left undecoded (reported with the field's line):
#: not the macros it reads as their definitions print them (TUGboat's logos, say), nor
#: the ones it never runs (``\\input``), which print nothing in a reference.
UNREAD = frozenset({"unknown-macro", "unknown-math", "unclosed-math", "unbalanced-braces",
                    "trailing-backslash", "too-deep", "expansion-limit"})
#: Tokens for splitting a value into words: a control word keeps the space after it.
_WORD_SPLIT = re.compile(r"[{}]|\\[A-Za-z]+\s*|\\.|\s+")
_LATEX_CHARS = re.compile(r"[\\~{}$]")  # (one character class: a fast scan; with the
# pairs in one alternation the regex tried each branch at every position)


def _latex(value: str) -> bool:
    """Whether ``value`` holds anything TeX reads otherwise than as it is written."""
    return bool(_LATEX_CHARS.search(value)) or "--" in value or "''" in value or "``" in value


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


def latex_to_text(value: str, macros: Macros | None = None) -> str:
    """LaTeX field text -> plain Unicode: ``{\\"o}`` -> ``ö``, ``$\\beta$`` -> ``β``, braces
    removed, case kept (``macros``: what the bib's ``@preamble`` defines)."""
    return tex_to_plain(value, macros) if _latex(value) else value


def latex_warnings(value: str, macros: Macros | None = None) -> list[TextWarning]:
    """What of ``value`` is left undecoded (:data:`UNREAD`), each once."""
    if not _latex(value):
        return []
    return list({w.name: w for w in from_tex(value, macros).warnings if w.code in UNREAD}.values())


def person_to_author(person: Person, macros: Macros | None = None) -> Author:
    """A pybtex ``Person`` as an :class:`Author`: family = "von" part + last name.

    A lineage ("Jr") is not part of the family name (registries keep it apart).
    """
    parts = person.prelast_names + person.last_names
    family = " ".join(parts)
    given = " ".join(person.first_names + person.middle_names)
    if _latex(family):  # else every part decodes to itself
        family = " ".join(latex_to_text(p, macros) for p in parts)
    if _latex(given):
        given = " ".join(latex_to_text(p, macros) for p in person.first_names + person.middle_names)
    corporate = (not given and len(parts) == 1 and parts[0].startswith("{")
                 and parts[0].endswith("}") and " " in parts[0].strip("{} "))
    return Author(family=family, given=given, corporate=corporate)


def normalize_pages(pages: str) -> str:
    """Page ranges with a plain hyphen: ``786--792`` / ``786–792`` -> ``786-792``."""
    return _DASHES.sub("-", pages)


_DASHES = re.compile(r"\s*[-\u2010-\u2015]+\s*")
