"""Changing the article on the record: every difference from the original edition is declared.

A project may keep its article's original text in ``edition/original.txt`` and the
changes made since in ``edition/changes.yml`` (what changed, why, when; the file's
header says how to write one). :func:`undeclared` compares the page with the original
after undoing every declared change, and reports each paragraph that still differs,
with its file and line; :func:`note_markdown` renders the page's editorial note from the
same data. Pure functions, except :func:`load_edition` and :func:`check_edition`, which
read the files.

The comparison is of the text a reader reads, paragraph by paragraph, whitespace
folded: citations count as the printed "(n)" numbers (in first-citation order),
headings as their text, an admonition as the paragraph its title and text print
(``!!! warning "Note"`` then indented text reads "Note: text"). The editorial note itself, HTML comments, thematic breaks, the
``\\bibliography`` line and the References heading above it are not article text, and
the original's title, printed twice, is the page's one heading.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Optional

import yaml

from .errors import InputError
from .markdown import parse_citations
from .model import Problem, ProblemCode

ORIGINAL = "original.txt"
CHANGES = "changes.yml"
NOTE_START = '!!! note "Editorial note"'
#: An admonition's first line (Python-Markdown's ``admonition``, ``pymdownx.details``):
#: its title, else its type, is how the paragraph it holds starts in print.
_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)(?:[ \t]+"([^"]*)")?[ \t]*$')
_SKIP = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|\\bibliography|#+\s+References)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_KEPT = "\x00"  # marks a line whose text was taken out: not a blank line, no text
_HOW = ("declare it in {changes} (kind: correction with was/now, or kind: addition with text; "
        "with why and date), or undo the edit")


@dataclass(frozen=True)
class Change:
    """One declared change (see ``edition/changes.yml``'s header)."""

    kind: str  # "correction" | "addition"
    why: str
    date: str
    was: str = ""
    now: str = ""
    at: str = ""  # ``in``: the page's words around ``now``
    text: str = ""  # an addition, as written on the page


@dataclass(frozen=True)
class Edition:
    original: str
    page: str  # the page's path, relative to the project root
    changes: tuple[Change, ...]
    edition_note: str = ""
    references: tuple[str, ...] = ()
    changes_file: str = f"edition/{CHANGES}"


def load_edition(root: Path, folder: str = "edition") -> Optional[Edition]:
    """The project's edition data, in ``folder`` under ``root`` (``None`` when it keeps
    none); :class:`InputError` naming the file and what to do when it is unusable."""
    where = folder.rstrip("/")
    folder_path = root / where
    if not (folder_path / CHANGES).is_file():
        return None
    name = f"{where}/{CHANGES}"
    try:
        data = yaml.safe_load((folder_path / CHANGES).read_text(encoding="utf-8")) or {}
        original = (folder_path / ORIGINAL).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{where}/: cannot read {name} or {where}/{ORIGINAL} ({exc}); fix the file") from None
    if not isinstance(data, dict) or not isinstance(data.get("changes", []), list):
        raise InputError(f"{name}: expected a mapping with 'page' and a list 'changes'")
    changes = tuple(_change(item, n, name) for n, item in enumerate(data.get("changes") or [], 1))
    return Edition(original, str(data.get("page") or "docs/index.md"), changes,
                   " ".join(str(data.get("edition") or "").split()),
                   tuple(str(r) for r in data.get("references") or ()), name)


def _change(item, n: int, name: str) -> Change:
    if not isinstance(item, dict) or item.get("kind") not in ("correction", "addition"):
        raise InputError(f"{name}: change {n} needs kind: correction or kind: addition")
    fields = {k: " ".join(str(item.get(k) or "").split()) for k in ("why", "was", "now", "in", "text")}
    when = item.get("date")
    if not fields["why"] or not isinstance(when, (date, str)) or not str(when).strip():
        raise InputError(f"{name}: change {n} needs why: (the reason) and date: (YYYY-MM-DD)")
    if item["kind"] == "correction" and not (fields["was"] or fields["now"]):
        raise InputError(f"{name}: change {n} (a correction) needs was: and now:")
    if item["kind"] == "addition" and not fields["text"]:
        raise InputError(f"{name}: change {n} (an addition) needs text: (as written on the page)")
    return Change(item["kind"], fields["why"], str(when), fields["was"], fields["now"], fields["in"],
                  fields["text"])


# --------------------------------------------------------------------------- comparison

def _pattern(text: str) -> re.Pattern:
    """``text`` with any run of whitespace matching any run of whitespace."""
    return re.compile(r"\s+".join(re.escape(w) for w in text.split()))


def _blank(text: str, start: int, end: int, new: str = "") -> str:
    """``text[start:end]`` replaced by ``new`` plus the line breaks it held, so lines stay
    true; a line emptied this way still belongs to its paragraph."""
    return text[:start] + (new or _KEPT) + f"\n{_KEPT}" * text.count("\n", start, end) + text[end:]


def _undo(text: str, change: Change) -> Optional[str]:
    """The page text with ``change`` undone, or ``None`` when the page does not have it."""
    if change.kind == "addition":
        m = _pattern(change.text).search(text)
        return None if m is None else _blank(text, m.start(), m.end())
    now_in = change.at or change.now
    m = _pattern(now_in).search(text) if now_in else None
    if m is None:
        return None
    was_in = " ".join(now_in.split()).replace(change.now, change.was, 1) if change.now else change.was
    return _blank(text, m.start(), m.end(), was_in)


def _numbered(text: str, file: str) -> str:
    """Citation groups as the printed "(n)" / "(n, m)" numbers, in first-citation order."""
    groups = parse_citations(text, file).groups
    order: list[str] = []
    for g in groups:
        order += [k for k in g.keys if k not in order]
    for g in sorted(groups, key=lambda g: -g.start):
        nums = ", ".join(str(order.index(k) + 1) for k in g.keys)
        text = _blank(text, g.start, g.end, f"({nums})")
    return text


def page_paragraphs(text: str) -> list[tuple[int, str]]:
    """(1-based line, text) of every paragraph a reader reads (see the module docstring),
    in a page whose editorial note has been taken out."""
    out: list[tuple[int, str]] = []
    block: list[str] = []
    start = 0
    opened = False  # the block is an admonition's, opened by its title line
    for n, line in enumerate(text.split("\n") + [""], 1):
        admonition = _ADMONITION.match(line.strip()) if not line.startswith(" ") else None
        if admonition:
            title = admonition.group(2) if admonition.group(2) is not None else admonition.group(1).title()
            line, opened = (f"{title}:" if title else "\x00"), True
        elif opened and block and line.startswith("    "):
            line = line.strip()
        if _SKIP.match(line):
            line = ""
        line = re.sub(r"^#+\s+", "", line)
        if line.strip():
            if not block:
                start = n
            block.append(line.replace(_KEPT, "").strip())
        elif block and not (opened and len(block) == 1):
            para = " ".join(" ".join(block).split())
            if para:
                out.append((start, para))
            block, opened = [], False
    return out


def original_paragraphs(original: str) -> list[str]:
    """The original's paragraphs, whitespace folded; a paragraph printed twice in a row once."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", original) if p.strip()]
    return [p for i, p in enumerate(paras) if i == 0 or p != paras[i - 1]]


def undeclared(edition: Edition, page_text: str) -> list[Problem]:
    """One error per paragraph of the page that differs from the original with no declared
    change to explain it, and per declared change the page does not have."""
    file, how = edition.page, _HOW.format(changes=edition.changes_file)
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), _front_matter_blanked(page_text))
    text = _without_note(text.replace(_KEPT, ""))
    problems = []
    for n, change in enumerate(edition.changes, 1):
        undone = _undo(text, change)
        if undone is None:
            what = change.text if change.kind == "addition" else change.at or change.now
            problems.append(_problem(file, None, f"change {n} of {edition.changes_file} ({change.kind}: "
                                     f"“{_short(what)}”) is not on the page: correct or remove the "
                                     "declaration"))
        else:
            text = undone
    page = page_paragraphs(_numbered(text, file))
    orig = original_paragraphs(edition.original)
    matcher = difflib.SequenceMatcher(None, orig, [p for _, p in page], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for j in range(j1, j2):
            line, para = page[j]
            theirs = orig[i1 + (j - j1)] if op == "replace" and i1 + (j - j1) < i2 else ""
            detail = f" ({_word_diff(theirs, para)})" if theirs else " (not in the original)"
            problems.append(_problem(file, line, f"the paragraph “{_short(para)}” differs from the "
                                     f"original edition{detail}, and no change declares it: {how}"))
        for i in range(i1 + (j2 - j1), i2):
            line = page[j2][0] if j2 < len(page) else (page[-1][0] if page else 1)
            problems.append(_problem(file, line, f"the original's paragraph “{_short(orig[i])}” is "
                                     f"missing from the page, and no change declares it: {how}"))
    return problems


def _without_note(text: str) -> str:
    """The text with the editorial note's lines emptied (it is rendered from the data, and
    must not count as the place of a declared change)."""
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line.strip() == NOTE_START:
            inside = True
        elif inside and line.strip() and not line.startswith("    "):
            inside = False
        if inside:
            lines[i] = ""
    return "\n".join(lines)


def _front_matter_blanked(text: str) -> str:
    m = re.match(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", text, re.S)
    return "\n" * text.count("\n", 0, m.end()) + text[m.end():] if m else text


def _word_diff(old: str, new: str) -> str:
    """Where two paragraphs first differ: ``has “X” where the original has “Y”``."""
    a, b = old.split(), new.split()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            now = " ".join(b[max(0, j1 - 2):j2 + 2]) or "nothing"
            was = " ".join(a[max(0, i1 - 2):i2 + 2]) or "nothing"
            return f"the page has “{_short(now)}” where the original has “{_short(was)}”"
    return "whitespace only"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _problem(file: str, line: Optional[int], message: str) -> Problem:
    return Problem(ProblemCode.UNDECLARED_CHANGE, "error", f"{file}: {message}", file=file, line=line)


def check_edition(root: Path, folder: str = "edition") -> list[Problem]:
    """:func:`undeclared` for the project at ``root`` whose edition data is in ``folder``
    (none there: nothing to check)."""
    edition = load_edition(root, folder)
    if edition is None:
        return []
    try:
        page = (root / edition.page).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{edition.changes_file}: page: {edition.page} cannot be read ({exc}); "
                         "name the article's Markdown file") from None
    return undeclared(replace(edition, page=str(root / edition.page)), page)


# --------------------------------------------------------------------------- the note

def note_markdown(edition: Edition) -> str:
    """The page's editorial note (an admonition) from the declared changes."""
    kinds = {c.kind for c in edition.changes}
    intro = ("Corrections made to the printed text of the article, each with its reason:"
             if kinds <= {"correction"} else
             "Corrections and additions made to the printed text of the article, each with its reason:")
    items = [_item(c) for c in edition.changes]
    parts = [NOTE_START, f"    {intro}", "", *(f"    - {i}" for i in items)]
    if edition.edition_note:
        parts += ["", f"    {edition.edition_note}"]
    if edition.references:
        parts += ["", *(f"    - {r}" for r in edition.references)]
    return "\n".join(parts) + "\n"


def _item(c: Change) -> str:
    if c.kind == "addition":
        return f"Added on {c.date}: “{c.text}”: {c.why}."
    where = f" (in “{c.at}”)" if c.at else ""
    return f"“{c.was}” → “{c.now}”{where}: {c.why}."
