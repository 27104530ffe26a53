"""The bib: loading with true lines, offline checks, LaTeX helpers, and an editor.

One module per concern: :mod:`.scan` (positions of every entry, field and value),
:mod:`.load` (references, pybtex entries and problems), :mod:`.names` (people, as pybtex
splits them), :mod:`.checks` (identifiers, required fields, URLs), :mod:`.latex` (text
helpers for the style) and :mod:`.editor` (change one field or entry of a file, leaving
every other byte as it was; imported on its own).
"""
from __future__ import annotations

from ..model import BibError
from .checks import validate_references
from .latex import latex_to_text, normalize_pages, person_to_author
from .load import BibResult, load_bib, parse_bib_text

__all__ = ["BibError", "BibResult", "load_bib", "parse_bib_text", "validate_references",
           "latex_to_text", "normalize_pages", "person_to_author"]
