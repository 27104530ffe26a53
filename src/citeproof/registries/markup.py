"""Registry text is markup: how each source's text is read, and what a work's title is.

A record keeps its text as the registry sent it (the lock holds what was received).
Crossref and doi.org's CSL-JSON send titles, names and journals as JATS/HTML with
MathML (``<i>``, ``<sub>``, ``<scp>``, ``<mml:math>``, ``&amp;``); PubMed's esummary
sends plain text. Each source declares its ``notation`` in the registry table, and
:func:`text` reads a record's value in it with the one text model
(:mod:`citeproof.text`): ``.plain()`` to compare (so that the bib's ``$^{153}$Tb`` and
Crossref's ``<mml:mmultiscripts>`` fold to the same text), ``.tex()`` to write a bib
value, ``.html()`` to show.

Titles and subtitles. Crossref keeps a ``subtitle`` apart from the ``title``, and
publishers put there real subtitles ("Report of a Case", "Overcoming the Time/Space
Trade-Off in Filter Design"), but also running heads ("HARMONIC INTERACTION OF THE
UPFC", "FLUVASTATIN AND RISK OF CANCER"), short titles that repeat the title's words,
section names ("Editorials") and decks (Science's one-sentence teaser). So a title is
compared in both forms, alone and with its subtitle (:func:`title_forms`): a subtitle
never makes a mismatch. A new entry's title (:func:`full_title`) takes the subtitle only
when another registry's title has it, or when it reads as a subtitle
(:func:`subtitle_is_title`); never a running head.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from ..model import Record
from ..text import Run, Text, from_markup, from_plain
from ..text.fold import fold_latin

__all__ = ["SECTION_NAMES", "full_title", "joined", "notation", "plain", "subtitle_is_title", "text",
           "title_forms", "title_plain"]

#: Section headings that publishers deposit as a work's subtitle (a running head, not
#: part of its title), folded.
SECTION_NAMES = frozenset({
    "abstract", "abstracts", "book review", "book reviews", "brief communication", "brief report",
    "case report", "case reports", "clinical image", "comment", "commentary", "comments",
    "correspondence", "corrigendum", "editorial", "editorials", "editors note", "erratum",
    "errata", "foreword", "in brief", "in this issue", "introduction", "letter",
    "letter to the editor", "letters", "letters to the editor", "news", "news and views",
    "obituaries", "obituary", "original article", "original articles", "original research",
    "perspective", "perspectives", "preface", "reply", "research article", "research letter",
    "review", "review article", "reviews", "short communication", "viewpoint", "viewpoints"})
_STOP = frozenset({"the", "of", "and", "for", "in", "on", "a", "an", "to", "with", "by", "at",
                   "from", "de", "la", "y", "und", "der", "die", "das"})
_WORD = re.compile(r"[^\W_]+")


def notation(source: str) -> str:
    """How a source writes its text: ``"markup"`` (JATS/HTML/MathML) or ``"plain"``; a
    source the table does not list is read as markup (the reading that loses nothing)."""
    from . import source_spec  # (the table imports this module's users)
    spec = source_spec(source)
    return spec.notation if spec is not None else "markup"


def text(record: Record, value: str) -> Text:
    """``value``, one of ``record``'s text fields, read in its source's notation."""
    return from_markup(value) if notation(record.source) == "markup" else from_plain(value)


def plain(record: Record, value: str) -> str:
    """``value`` (a text field of ``record``) as plain Unicode text: markup read, math as
    Unicode where it has it (``¹⁵³Tb``, ``BiFeO₃``)."""
    return text(record, value).plain() if value else ""


def joined(first: Text, second: Text, separator: str = ": ") -> Text:
    """Two texts as one (a title and its subtitle), read in the first's notation."""
    if not second:
        return first
    if not first:
        return second
    return Text(first.items + (Run(separator),) + second.items, first.warnings + second.warnings, first.source)


def _words(value: str) -> list[str]:
    return _WORD.findall(fold_latin(value).casefold())


def _folded(value: str) -> str:
    return " ".join(_words(value))


def _capitals(value: str) -> bool:
    cased = [c for c in value if c.isupper() or c.islower()]
    return len(cased) >= 4 and sum(c.isupper() for c in cased) >= 0.8 * len(cased)


@lru_cache(maxsize=4096)
def subtitle_is_title(title: str, subtitle: str) -> bool:
    """Whether ``subtitle`` (plain text) reads as part of the title ``title`` (plain text),
    and not as a running head, a short title, a section name, an identifier or a deck.
    It is not part of the title when it is: empty or already in the title; in capitals
    while the title is not ("HARMONIC INTERACTION OF THE UPFC"); made only of the title's
    own words (a short title); a section name (:data:`SECTION_NAMES`: "Editorials"); one
    token with a digit ("4hhb"); or a sentence of eight words or more ending in a full stop
    (a deck: "New data and interpretations are yielding new insights ...")."""
    sub = _folded(subtitle)
    if not sub or sub in _folded(title) or sub in SECTION_NAMES:
        return False
    if _capitals(subtitle) and not _capitals(title):
        return False
    significant = set(_words(subtitle)) - _STOP
    if significant and significant <= set(_words(title)):
        return False
    tokens = subtitle.split()
    if len(tokens) == 1 and any(c.isdigit() for c in subtitle):
        return False
    return not (subtitle.rstrip().endswith(".") and len(tokens) >= 8)


def title_forms(record: Record) -> list[str]:
    """The record's title as plain text, alone and, when it has a subtitle, with it
    (``"title: subtitle"``): a bib entry matches either."""
    title = plain(record, record.title)
    forms = [title] if title else []
    sub = plain(record, record.subtitle)
    if sub:
        forms.append(f"{title}: {sub}" if title else sub)
    return forms


def _confirmed(title: str, subtitle: str, others: Iterable[Record]) -> bool | None:
    """What the other registries' titles say about the subtitle: ``True`` when one has the
    title with it, ``False`` when one has the title without it, ``None`` when none says."""
    with_it, alone = _folded(f"{title} {subtitle}"), _folded(title)
    said = {_folded(plain(r, r.title)) for r in others if r.title}
    if with_it in said:
        return True
    if alone in said:
        return False
    return None


def full_title(record: Record, others: Iterable[Record] = ()) -> Text:
    """The title a new entry takes from ``record``: its title, with its subtitle when
    another registry's title (``others``) has it, or, when none says, when it reads as a
    subtitle (:func:`subtitle_is_title`); never a running head."""
    title = text(record, record.title)
    if not record.subtitle:
        return title
    subtitle = text(record, record.subtitle)
    title_plain, sub_plain = title.plain(), subtitle.plain()
    keep = _confirmed(title_plain, sub_plain, [r for r in others if r is not record])
    if keep is None:
        keep = subtitle_is_title(title_plain, sub_plain)
    return joined(title, subtitle) if keep else title


def title_plain(record: Record, others: Iterable[Record] = ()) -> str:
    """:func:`full_title` as plain text (what messages show as the record's title)."""
    return full_title(record, others).plain()
