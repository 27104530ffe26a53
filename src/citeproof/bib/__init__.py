"""The bib: loading with true lines, offline checks, LaTeX helpers, and an editor.

One module per concern: :mod:`.scan` (positions of every entry, field and value),
:mod:`.load` (references, pybtex entries and problems), :mod:`.names` (people, as pybtex
splits them), :mod:`.checks` (identifiers, required fields, URLs), :mod:`.latex` (text
helpers for the style) and :mod:`.editor` (change one field or entry of a file, leaving
every other byte as it was; imported on its own).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ..model import BibError

if TYPE_CHECKING:
    from .checks import validate_references
    from .latex import latex_to_text, normalize_pages, person_to_author
    from .load import BibResult, load_bib, parse_bib_text

__all__ = ["BibError", "BibResult", "load_bib", "parse_bib_text", "validate_references",
           "latex_to_text", "normalize_pages", "person_to_author"]

#: where each name lives: imported when first asked for, so a module that needs only
#: :mod:`.checks` (the checker reading a kept bib) does not import pybtex
_HOMES = {"validate_references": ".checks", "latex_to_text": ".latex", "normalize_pages": ".latex",
          "person_to_author": ".latex", "BibResult": ".load", "load_bib": ".load", "parse_bib_text": ".load"}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value
