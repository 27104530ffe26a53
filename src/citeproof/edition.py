"""Changing the article on the record: every difference from the original edition is declared.

A project may keep its article's original text in ``edition/original.txt`` and the
changes made since in ``edition/changes.yml`` (what changed, why, when; the file's
header says how to write one). :func:`undeclared` compares the page with the original,
paragraph by paragraph, after undoing every declared correction and addition on the page
and making every declared removal in the original, and reports each difference still left
at the line of the words that differ; :func:`stale_note` reports an editorial note that is
not what :func:`note_markdown` renders from the same data. Pure functions, except
:func:`load_edition` and :func:`check_edition`, which read the files.

The comparison is of the text a reader reads, whitespace folded: citations count as the
printed "(n)" numbers (in first-citation order; a number a declared removal took out of
the original stays taken, so removing a reference does not renumber the prose), headings
as their text, an admonition as the paragraph its title and text print (``!!! warning
"Note"`` then indented text reads "Note: text"). The editorial note itself, HTML
comments, thematic breaks, the ``\\bibliography`` line and the References heading above
it are not article text, and the original's title, printed twice, is the page's one
heading. The note never cites: a citation in a declared text is named there by a plain
link to its entry in the list ("[Krein 2013](#ref-krein2013)").
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Mapping, NamedTuple, Optional

import yaml

from .errors import CiteproofError, InputError
from .markdown import parse_citations
from .model import Problem, ProblemCode, Reference

ORIGINAL = "original.txt"
CHANGES = "changes.yml"
NOTE_START = '!!! note "Editorial note"'
#: The kinds of change, in the order the note's first line names them.
KINDS = ("correction", "addition", "removal")
#: An admonition's first line (Python-Markdown's ``admonition``, ``pymdownx.details``):
#: its title, else its type, is how the paragraph it holds starts in print.
_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)(?:[ \t]+"([^"]*)")?[ \t]*$')
_SKIP = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|\\bibliography|#+\s+References)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_COG_NOTE = re.compile(r"\[\[\[cog\b(?:(?!\]\]\]).)*\bnote_markdown\(", re.S)  # a cog block that renders the note
_KEPT = "\x00"  # marks a line whose text was taken out: not a blank line, no text
#: after a word that change n's was: put back; where a declared addition n was taken
#: out of the page. n is written as n \x04s, never as digits, which a later change's
#: words could match.
_MARK = re.compile("\x01(\x04+)\x02")
_GAP_AT = re.compile("\x03(\x04+)\x02")
_OURS = re.compile("[\x01-\x04]")  # (a page never holds these control characters)
_NUMBERS = re.compile(r"\((\d+(?:\s*,\s*\d+)*)\)")  # a printed citation: (6), (1, 2)
_NUMBER_WORD = re.compile(r"\(?\d+[,)]?[.,;:]?")  # a word of one: "(6).", "(1,", "2)."
_RENUMBERED = ("; only citation numbers differ: a reference taken out of the list before them moves them, "
               "so declare that removal (kind: removal, text: the “(n)” the original prints)")
_HOW = ("declare it in {changes} (kind: correction with was/now, kind: addition with text, or "
        "kind: removal with text; with why and date), or undo the edit")
#: Paragraphs of a differing run are paired by likeness up to this many comparisons.
_PAIRING_LIMIT = 2500


@dataclass(frozen=True)
class Change:
    """One declared change (see ``edition/changes.yml``'s header)."""

    kind: str  # "correction" | "addition" | "removal"
    why: str
    date: str
    was: str = ""
    now: str = ""
    at: str = ""  # ``in``: the words around ``now`` (a removal: around ``text``, in the original)
    text: str = ""  # an addition as written on the page; a removal as the original prints it
    line: int = 0  # its line in changes.yml
    lines: tuple[tuple[str, int], ...] = ()  # (field, line in changes.yml)

    def line_of(self, name: str) -> int:
        """The changes.yml line of field ``name`` (else the change's own)."""
        return dict(self.lines).get(name, self.line)


@dataclass(frozen=True)
class Edition:
    original: str
    page: str  # the page's path, relative to the project root (its name in messages)
    changes: tuple[Change, ...]
    edition_note: str = ""
    references: tuple[str, ...] = ()
    changes_file: str = f"edition/{CHANGES}"  # as messages name it (relative to the root)
    root: Optional[Path] = None  # the project (its bib names the note's references)
    changes_label: str = ""  # where problems in changes.yml are located ("": changes_file)
    page_line: int = 0  # the line of ``page:`` in changes.yml


class EditionError(InputError):
    """The edition record cannot be used: ``file`` (relative to the project) and ``line``
    (0: none) say where, ``what`` says what is wrong and what to do."""

    def __init__(self, file: str, line: int, what: str) -> None:
        self.file, self.line, self.what = file, line, what
        super().__init__(f"{file}:{line}: {what}" if line else f"{file}: {what}")


class Token(NamedTuple):
    """A word of the page as compared: its line, its text, and the change (1-based) whose
    ``was:`` put it back (0: the page's own). A declared addition taken out leaves a
    token with no text, whose change is that addition's."""

    line: int
    word: str
    change: int = 0


# --------------------------------------------------------------------------- reading the record

def load_edition(root: Path, folder: str = "edition") -> Optional[Edition]:
    """The project's edition data, in ``folder`` under ``root`` (``None`` when it keeps
    none); :class:`EditionError` naming the file, its line and what to do when it is unusable."""
    where = folder.rstrip("/")
    if not (root / where / CHANGES).is_file():
        return None
    name = f"{where}/{CHANGES}"
    data, node = _compose(_read(root / where / CHANGES, name), name)
    original = _read(root / where / ORIGINAL, f"{where}/{ORIGINAL}")
    items, page_line = _items(node), _line_of(node, "page")
    if not isinstance(data, dict) or not isinstance(data.get("changes", []), list) or items is None:
        raise EditionError(name, 1, "expected a mapping with page: (the article's Markdown file) and a "
                                    "list changes:; see the file's header")
    changes = tuple(_change(item, n, name, lines)
                    for n, (item, lines) in enumerate(zip(data.get("changes") or [], items), 1))
    return Edition(original, str(data.get("page") or "docs/index.md"), changes,
                   " ".join(str(data.get("edition") or "").split()),
                   tuple(str(r) for r in data.get("references") or ()), name, root, page_line=page_line)


def _read(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EditionError(name, 0, f"cannot be read ({exc}); the edition record needs it, as UTF-8 text") from None


def _compose(text: str, name: str):
    """The YAML document (read by a safe loader: nothing in it can run code) and its node
    tree, which knows each value's line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else {}), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise EditionError(name, mark.line + 1 if mark else 0,
                           f"not valid YAML ({exc.problem or exc.context}); fix the file") from None
    except yaml.YAMLError as exc:
        raise EditionError(name, 0, f"not valid YAML ({exc}); fix the file") from None
    finally:
        loader.dispose()


def _line_of(node, key: str) -> int:
    """The line of ``key:`` in a mapping node (0: not there)."""
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    return next((k.start_mark.line + 1 for k, _ in pairs if getattr(k, "value", None) == key), 0)


def _items(node) -> Optional[list[tuple[tuple[str, int], ...]]]:
    """Per item of ``changes:``, its (field, line) pairs, the item's own line first (as
    ``""``); ``None`` when the document is not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None if node is not None else []
    value = next((v for k, v in node.value if getattr(k, "value", None) == "changes"), None)
    if not isinstance(value, yaml.SequenceNode):
        return []
    return [(("", item.start_mark.line + 1),
             *((str(k.value), k.start_mark.line + 1) for k, _ in getattr(item, "value", ())
               if isinstance(item, yaml.MappingNode)))
            for item in value.value]


def _change(item, n: int, name: str, lines: tuple[tuple[str, int], ...]) -> Change:
    at = dict(lines)
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise EditionError(name, at.get("kind", at[""]), f"change {n} needs kind: correction, kind: addition "
                                                        "or kind: removal")
    fields = {k: " ".join(str(item.get(k) or "").split()) for k in ("why", "was", "now", "in", "text")}
    when = item.get("date")
    if not fields["why"] or not isinstance(when, (date, str)) or not str(when).strip():
        raise EditionError(name, at[""], f"change {n} needs why: (the reason) and date: (YYYY-MM-DD)")
    missing = _missing(item["kind"], fields)
    if missing:
        raise EditionError(name, at[""], f"change {n} (a {item['kind']}) {missing}")
    return Change(item["kind"], fields["why"], str(when), fields["was"], fields["now"], fields["in"],
                  fields["text"], at[""], lines)


def _missing(kind: str, fields: dict[str, str]) -> str:
    """What a change of ``kind`` lacks ("" when nothing)."""
    if kind == "correction" and not (fields["was"] or fields["now"]):
        return "needs was: and now:"
    if kind == "correction" and fields["in"] and fields["now"] not in fields["in"]:
        return f"has in: “{_short(fields['in'])}”, which does not hold its now: “{_short(fields['now'])}”"
    if kind == "addition" and not fields["text"]:
        return "needs text: (as written on the page)"
    if kind == "removal" and not fields["text"]:
        return "needs text: (what was removed, as the original prints it: a citation as “(6)”)"
    return ""


# --------------------------------------------------------------------------- undoing the changes

def _pattern(text: str) -> re.Pattern:
    """``text`` with any run of whitespace matching any run of whitespace."""
    return re.compile(r"\s+".join(re.escape(w) for w in text.split()))


def _blank(text: str, start: int, end: int, new: str = "") -> str:
    """``text[start:end]`` replaced by ``new`` plus the line breaks it held, so lines stay
    true; a line emptied this way still belongs to its paragraph."""
    return text[:start] + (new or _KEPT) + f"\n{_KEPT}" * text.count("\n", start, end) + text[end:]


def _tag(opener: str, n: int) -> str:
    """The mark of change ``n`` (``opener``: \x01 a word put back, \x03 an addition's place)."""
    return f"{opener}{chr(4) * n}\x02"


def _undo(text: str, change: Change, n: int) -> Optional[str]:
    """The page text with change ``n`` (a correction or an addition) undone, or ``None``
    when the page does not have it. The words a correction's ``was:`` puts back are marked
    as its own, so a wrong ``was:`` is never quoted as the page's words."""
    if change.kind == "addition":
        m = _pattern(change.text).search(text)
        return None if m is None else _blank(text, m.start(), m.end(), _tag("\x03", n))
    now_in = change.at or change.now
    m = _pattern(now_in).search(text) if now_in else None
    if m is None:
        return None
    was = " ".join(w + _tag("\x01", n) for w in change.was.split())
    folded = " ".join(now_in.split())
    was_in = folded.replace(change.now, was, 1) if change.now else was
    return _blank(text, m.start(), m.end(), was_in)


def _cut(original: str, change: Change) -> Optional[str]:
    """The original with a removal's ``text`` (found within its ``in``) taken out, with the
    space before it; ``None`` when the original does not have it."""
    m = _pattern(change.at or change.text).search(original)
    inner = _pattern(change.text).search(original, m.start(), m.end()) if m else None
    if inner is None:
        return None
    start, end = inner.span()
    while start and original[start - 1] in " \t":
        start -= 1
    if not start or original[start - 1] == "\n":
        end += len(original[end:]) - len(original[end:].lstrip(" \t"))
    return original[:start] + original[end:]


def _cited_numbers(text: str) -> set[int]:
    return {int(n) for m in _NUMBERS.finditer(text) for n in m.group(1).split(",")}


def _numbered(text: str, file: str, taken: frozenset[int] = frozenset()) -> str:
    """Citation groups as the printed "(n)" / "(n, m)" numbers, in first-citation order,
    each number in ``taken`` (a removed reference's) left out."""
    groups = parse_citations(text, file).groups
    number: dict[str, int] = {}
    n = 0
    for g in groups:
        for k in g.keys:
            if k not in number:
                n += 1
                while n in taken:
                    n += 1
                number[k] = n
    for g in sorted(groups, key=lambda g: -g.start):
        text = _blank(text, g.start, g.end, "(" + ", ".join(str(number[k]) for k in g.keys) + ")")
    return text


# --------------------------------------------------------------------------- paragraphs

def _reading(line: str, opened: bool, inside: bool) -> tuple[str, bool]:
    """A line as it prints (an admonition's title line as its title, its indented text
    as text; skipped lines empty, a heading as its text), and whether an admonition is open."""
    admonition = _ADMONITION.match(line.strip()) if not line.startswith(" ") else None
    if admonition:
        title = admonition.group(2) if admonition.group(2) is not None else admonition.group(1).title()
        line, opened = (f"{title}:" if title else _KEPT), True
    elif opened and inside and line.startswith("    "):
        line = line.strip()
    if _SKIP.match(line):
        line = ""
    return re.sub(r"^#+\s+", "", line), opened


def _tokens(n: int, line: str) -> list[Token]:
    out = []
    for word in _GAP_AT.sub(lambda m: f" {m.group(0)} ", line.replace(_KEPT, "")).split():
        gap = _GAP_AT.fullmatch(word)
        mark = None if gap else _MARK.search(word)
        out.append(Token(n, "", len(gap.group(1))) if gap else
                   Token(n, _MARK.sub("", word), len(mark.group(1)) if mark else 0))
    return out


def paragraph_tokens(text: str) -> list[list[Token]]:
    """The words of every paragraph a reader reads (see the module docstring), each with
    its line, in a page whose editorial note has been taken out."""
    out: list[list[Token]] = []
    block: list[Token] = []
    lines = 0  # the paragraph's lines so far
    opened = False  # the paragraph is an admonition's, opened by its title line
    for n, line in enumerate(text.split("\n") + [""], 1):
        line, opened = _reading(line, opened, lines > 0)
        if line.strip():
            lines += 1
            block += _tokens(n, line)
        elif lines and not (opened and lines == 1):
            if any(t.word for t in block):
                out.append(block)
            block, lines, opened = [], 0, False
    return out


def page_paragraphs(text: str) -> list[tuple[int, str]]:
    """(1-based line, text) of every paragraph a reader reads (see the module docstring),
    in a page whose editorial note has been taken out."""
    return [(words[0].line, " ".join(t.word for t in words))
            for words in ([t for t in p if t.word] for p in paragraph_tokens(text))]


def original_paragraphs(original: str) -> list[str]:
    """The original's paragraphs, whitespace folded; a paragraph printed twice in a row once."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", original) if p.strip()]
    return [p for i, p in enumerate(paras) if i == 0 or p != paras[i - 1]]


# --------------------------------------------------------------------------- the comparison

def undeclared(edition: Edition, page_text: str) -> list[Problem]:
    """One error per difference between the page and the original that no declared change
    explains (at the line of the words that differ), and per declared change that the page
    (a removal: the original) does not have, or whose ``was:`` is not the original's (at
    its line in changes.yml)."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), _front_matter_blanked(page_text))
    text = _without_note(_OURS.sub("", text).replace(_KEPT, ""))
    problems = []
    for n, change in enumerate(edition.changes, 1):
        undone = _undo(text, change, n) if change.kind != "removal" else text
        if undone is None:
            what = change.text if change.kind == "addition" else change.at or change.now
            problems.append(_declared(edition, n, change.line_of("text" if change.kind == "addition" else
                                                                 "in" if change.at else "now"),
                                      f"({change.kind}: “{_short(what)}”) is not on the page: correct or "
                                      "remove the declaration"))
        else:
            text = undone
    original, taken, more = _removed(edition)
    page = paragraph_tokens(_numbered(text, edition.page, taken))
    return problems + more + _renumbered_once(_compare(edition, original_paragraphs(original), page))


def _renumbered_once(problems: list[Problem]) -> list[Problem]:
    """``problems`` with the places where only citation numbers moved (one reference taken
    out moves every later one) as one problem, at the first, naming the others' lines."""
    moved = [p for p in problems if _RENUMBERED in p.message]
    if len(moved) < 2:
        return problems
    lines = ", ".join(str(p.line) for p in moved[1:])
    first = replace(moved[0], message=moved[0].message.replace(
        _RENUMBERED, f"{_RENUMBERED}; so do {len(moved) - 1} later places, one removal moving them all "
                     f"(line{'s' if len(moved) > 2 else ''} {lines})", 1))
    return [first if p is moved[0] else p for p in problems if p is moved[0] or _RENUMBERED not in p.message]


def _removed(edition: Edition) -> tuple[str, frozenset[int], list[Problem]]:
    """The original with every declared removal made, the citation numbers that left it
    with them (a removed reference's), and a problem per removal it does not have."""
    original, problems = edition.original, []
    for n, change in enumerate(edition.changes, 1):
        if change.kind != "removal":
            continue
        cut = _cut(original, change)
        if cut is None:
            problems.append(_declared(edition, n, change.line_of("in" if change.at else "text"),
                                      f"(removal: “{_short(change.text)}”) is not in the original edition "
                                      f"({ORIGINAL}): give text: as the original prints it (a citation as "
                                      "“(6)”), and in: the original's words around it"))
        else:
            original = cut
    return original, frozenset(_cited_numbers(edition.original) - _cited_numbers(original)), problems


def _compare(edition: Edition, orig: list[str], page: list[list[Token]]) -> list[Problem]:
    """Paragraph by paragraph: the runs that differ, their paragraphs paired by likeness."""
    texts = [" ".join(t.word for t in p if t.word) for p in page]
    problems = []
    matcher = difflib.SequenceMatcher(None, orig, texts, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = _pairs(orig[i1:i2], texts[j1:j2])
        for k, (i, j) in enumerate(pairs):
            if i is not None and j is not None:
                problems += _differences(edition, orig[i1 + i], page[j1 + j])
            elif j is not None:
                problems.append(_page_problem(edition, _first_line(page[j1 + j]), "the paragraph “"
                                              f"{_short(_shown(page[j1 + j], edition))}” is not in the original "
                                              "edition"))
            elif i is not None:  # at the page's next paragraph (else its end)
                after = next((j1 + jj for _, jj in pairs[k:] if jj is not None), j2)
                line = _first_line(page[after]) if after < len(page) else (page[-1][-1].line if page else 1)
                problems.append(_page_problem(edition, line, f"the original's paragraph “{_short(orig[i1 + i])}” "
                                                             "is missing from the page"))
    return problems


def _first_line(tokens: list[Token]) -> int:
    return next(t.line for t in tokens if t.word)


def _pairs(old: list[str], new: list[str]) -> list[tuple[Optional[int], Optional[int]]]:
    """Which paragraphs of a differing run are one paragraph edited: the order-keeping
    pairing of the most alike (a new paragraph beside an edited one is new, not the edit);
    the others are new (no ``old``) or missing (no ``new``). One for one pair as they stand."""
    if len(old) == len(new) == 1 or len(old) * len(new) > _PAIRING_LIMIT:
        pairs: list[tuple[Optional[int], Optional[int]]] = list(zip(range(len(old)), range(len(new))))
        return pairs + [(i, None) for i in range(len(new), len(old))] + [(None, j) for j in range(len(old), len(new))]
    like = [[_likeness(a, b) for b in new] for a in old]
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            paired = like[i][j] + best[i + 1][j + 1] if like[i][j] else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    pairs, i, j = [], 0, 0
    while i < len(old) and j < len(new):
        if like[i][j] and best[i][j] == like[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i][j + 1]:
            pairs.append((None, j))
            j += 1
        else:
            pairs.append((i, None))
            i += 1
    return pairs + [(None, jj) for jj in range(j, len(new))] + [(ii, None) for ii in range(i, len(old))]


def _likeness(a: str, b: str) -> float:
    """How alike two paragraphs' words are (0 under a half)."""
    matcher = difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False)
    return ratio if matcher.quick_ratio() >= 0.5 and (ratio := matcher.ratio()) >= 0.5 else 0.0


def _differences(edition: Edition, old: str, tokens: list[Token]) -> list[Problem]:
    """One error per place where a page paragraph differs from its original paragraph: at
    changes.yml when the words there are a declared ``was:``, else at the page's line."""
    words = [t for t in tokens if t.word]
    a, b = old.split(), [t.word for t in words]
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    problems = []
    for i1, i2, j1, j2 in _regions(ops):
        theirs = " ".join(a[max(0, i1 - 2):i2 + 2]) or "nothing"
        owners = sorted({t.change for t in words[j1:j2] if t.change})
        if owners:
            change = edition.changes[owners[0] - 1]
            problems.append(_declared(edition, owners[0], change.line_of("was"),
                                      f"(correction: “{_short(change.was)}” → “{_short(change.now)}”) does "
                                      f"not match the original edition: where the page has “{_short(change.now)}”"
                                      f", the original has “{_short(theirs)}”: correct was:"))
            continue
        at = min(j1 if j2 > j1 else max(j1 - 1, 0), len(words) - 1)  # (a deletion: the word before it)
        ours = _shown(_span(tokens, words, max(0, j1 - 2), min(len(words), j2 + 2)), edition) or "nothing"
        renumbered = all(_NUMBER_WORD.fullmatch(w) for w in a[i1:i2] + b[j1:j2]) and i2 > i1 and j2 > j1
        beside = _beside_addition(tokens, words, j1, j2)
        hint = "" if not beside else (
            f"“{_short(' '.join(b[j1:j2]))}” stands right beside change {beside} of {edition.changes_file} "
            f"(the addition “{_short(edition.changes[beside - 1].text)}”, line "
            f"{edition.changes[beside - 1].line_of('text')}), whose text: does not include it: if it is part "
            "of the addition, add it to that text:")
        problems.append(_page_problem(edition, words[at].line,
                                      f"the paragraph “{_short(_shown(tokens, edition))}” differs from the "
                                      f"original edition (the page has “{_short(ours)}” where the original has "
                                      f"“{_short(theirs)}”{_RENUMBERED if renumbered else ''})", hint))
    return problems


def _beside_addition(tokens: list[Token], words: list[Token], start: int, end: int) -> int:
    """The declared addition taken out right before or right after the page's words
    ``words[start:end]`` (its change number), else 0: words the page adds next to an
    addition are most often words its ``text:`` left out (the sentence's full stop)."""
    if start >= end:
        return 0
    first, last = _ends(tokens, words, start, end)
    for k in (first - 1, last + 1):
        if 0 <= k < len(tokens) and not tokens[k].word and tokens[k].change:
            return tokens[k].change
    return 0


def _regions(ops) -> list[tuple[int, int, int, int]]:
    """The differing runs of a word diff, runs fewer than three equal words apart as one."""
    regions: list[list[int]] = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            continue
        if regions and i1 - regions[-1][1] < 3 and j1 - regions[-1][3] < 3:
            regions[-1][1], regions[-1][3] = i2, j2
        else:
            regions.append([i1, i2, j1, j2])
    return [(r[0], r[1], r[2], r[3]) for r in regions]


def _span(tokens: list[Token], words: list[Token], start: int, end: int) -> list[Token]:
    """The tokens from ``words[start]`` to ``words[end - 1]``, with the gaps between them."""
    if start >= end:
        return []
    first, last = _ends(tokens, words, start, end)
    return tokens[first:last + 1]


def _ends(tokens: list[Token], words: list[Token], start: int, end: int) -> tuple[int, int]:
    """Where ``words[start]`` and ``words[end - 1]`` stand among ``tokens`` (``start < end``)."""
    first = next(k for k, t in enumerate(tokens) if t is words[start])
    return first, next(k for k in range(first, len(tokens)) if tokens[k] is words[end - 1])


def _shown(tokens: list[Token], edition: Edition) -> str:
    """The page's own words for ``tokens``: a declared correction's ``now:`` where its
    ``was:`` was put back, "…" where a declared addition was taken out."""
    out: list[str] = []
    last = 0
    for t in tokens:
        if not t.word:
            out += [] if out and out[-1] == "…" else ["…"]
        elif t.change and t.change != last:
            out += edition.changes[t.change - 1].now.split()
        elif not t.change:
            out.append(t.word)
        last = t.change if t.word else 0
    return " ".join(out).strip(" …")


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


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _page_problem(edition: Edition, line: Optional[int], message: str, hint: str = "") -> Problem:
    """An undeclared difference at the page's ``line``; ``hint``: the declaration it most
    likely belongs to, said before the general way out."""
    how = _HOW.format(changes=edition.changes_file)
    said = f"{message}: {hint}; else {how}" if hint else f"{message}, and no change declares it: {how}"
    return Problem(ProblemCode.UNDECLARED_CHANGE, "error", said, file=edition.page, line=line)


def _declared(edition: Edition, n: int, line: int, message: str) -> Problem:
    """A problem with change ``n`` itself, at its line in changes.yml."""
    return Problem(ProblemCode.UNDECLARED_CHANGE, "error", f"change {n} of {edition.changes_file} {message}",
                   file=edition.changes_label or edition.changes_file, line=line or None)


# --------------------------------------------------------------------------- the note on the page

def stale_note(edition: Edition, page_text: str,
               references: Optional[Mapping[str, Reference]] = None) -> list[Problem]:
    """An error when the page's editorial note is not what :func:`note_markdown` renders
    from the record (what ``make cog`` would change), at the first line that differs. Only a
    page whose cog block renders the note has one that can be stale."""
    lines = page_text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == NOTE_START), None)
    if start is None or not _COG_NOTE.search(page_text):
        return []
    have = _note_lines(lines, start)
    want = note_markdown(edition, references, page_text).rstrip("\n").split("\n")
    for k in range(max(len(have), len(want))):
        ours = have[k][1] if k < len(have) else ""
        theirs = want[k].rstrip() if k < len(want) else ""
        if ours != theirs:
            line = have[k][0] if k < len(have) else have[-1][0]
            mine, record = _where_differ(ours, theirs)
            return [Problem(ProblemCode.STALE_NOTE, "error", f"the editorial note is not what {edition.changes_file} "
                            f"makes it: the page has “{mine}” where it makes “{record}”: regenerate the note "
                            "(`make cog`)", file=edition.page, line=line)]
    return []


def _where_differ(old: str, new: str) -> tuple[str, str]:
    """The words of two lines where they first differ, two words either side ("nothing" for none)."""
    a, b = old.split(), new.split()
    op = next(op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal")
    _, i1, i2, j1, j2 = op
    return (_short(" ".join(a[max(0, i1 - 2):i2 + 2])) or "nothing", _short(" ".join(b[max(0, j1 - 2):j2 + 2])) or "nothing")


def _note_lines(lines: list[str], start: int) -> list[tuple[int, str]]:
    """(1-based line, text) of the note's lines, from its first line to its last indented
    one (cog's end marker left out)."""
    out = [(start + 1, lines[start].rstrip())]
    for i in range(start + 1, len(lines)):
        if lines[i].strip() and not lines[i].startswith("    "):
            break
        if "[[[end]]]" not in lines[i]:
            out.append((i + 1, lines[i].rstrip()))
    while out and not out[-1][1]:
        out.pop()
    return out


def note_markdown(edition: Edition, references: Optional[Mapping[str, Reference]] = None,
                  page_text: Optional[str] = None) -> str:
    """The page's editorial note (an admonition) from the declared changes. A citation in
    a declared text is named by a plain link to its entry ("[Krein 2013](#ref-krein2013)",
    from ``references``, else the project's bib) when the page (``page_text``, else its
    file) cites it, so that the list holds the entry: the note never cites."""
    nouns = [f"{kind}s" for kind in KINDS if any(c.kind == kind for c in edition.changes)] or ["corrections"]
    named = ", ".join(nouns[:-1]) + " and " + nouns[-1] if len(nouns) > 1 else nouns[0]
    intro = f"{named.capitalize()} made to the printed text of the article, each with its reason:"
    parts = [NOTE_START, f"    {intro}", "", *(f"    - {_item(c)}" for c in edition.changes)]
    if edition.edition_note:
        parts += ["", f"    {edition.edition_note}"]
    if edition.references:
        parts += ["", *(f"    - {r}" for r in edition.references)]
    return _uncited("\n".join(parts) + "\n", references, edition, page_text)


def _item(c: Change) -> str:
    if c.kind == "addition":
        return f"Added on {c.date}: “{c.text}”: {c.why}."
    if c.kind == "removal":
        where = f" (from “{c.at}”)" if c.at else ""
        return f"Removed on {c.date}: “{c.text}”{where}: {c.why}."
    where = f" (in “{c.at}”)" if c.at else ""
    return f"“{c.was}” → “{c.now}”{where}: {c.why}."


def _uncited(text: str, references: Optional[Mapping[str, Reference]], edition: Edition,
             page_text: Optional[str]) -> str:
    """``text`` with each citation group as plain links to the entries it names; an entry
    the list does not hold (not in the bib, or no longer cited on the page) is named
    without a link, which would lead nowhere."""
    from .numbering import by_identifier

    doc = parse_citations(text, "note")
    if not doc.groups:
        return text
    refs = references if references is not None else _project_references(edition.root)
    doc, _unknown = by_identifier(doc, refs)
    listed = _listed(edition, refs, page_text)
    for g in sorted(doc.groups, key=lambda g: -g.start):
        links = "; ".join(_link(item, refs.get(item.key), listed is None or item.key in listed) for item in g.items)
        text = text[:g.start] + f"({links})" + text[g.end:]
    return text


def _listed(edition: Edition, refs: Mapping[str, Reference], page_text: Optional[str]) -> Optional[set[str]]:
    """The keys of the bib that the page (``page_text``, else its file under the record's
    root) cites, so its list holds them; ``None`` when the page cannot be read (every
    entry of the bib is then taken to be listed)."""
    from .numbering import by_identifier

    if page_text is None:
        try:
            page_text = (edition.root / edition.page).read_text(encoding="utf-8-sig") if edition.root else None
        except (OSError, UnicodeDecodeError):
            page_text = None
    if page_text is None:
        return None
    doc, _unknown = by_identifier(parse_citations(page_text, edition.page), refs)
    return {key for g in doc.groups for key in g.keys if key in refs}


def _link(item, ref: Optional[Reference], listed: bool) -> str:
    from .render import anchor_for

    people = (ref.authors or ref.editors) if ref else ()
    name = f"{people[0].family} {ref.year}".strip() if ref and people else item.key
    prefix = f"{item.prefix} " if item.prefix else ""
    locator = f", {item.locator}" if item.locator else ""
    return f"{prefix}[{name}](#{anchor_for(item.key)}){locator}" if ref and listed else f"{prefix}{name}{locator}"


def _project_references(root: Optional[Path]) -> Mapping[str, Reference]:
    """The references of the bib the project at ``root`` names (empty when none can be read)."""
    from .bib import load_bib
    from .config import DEFAULT_BIB, project_paths

    if root is None:
        return {}
    try:
        config = root / "mkdocs.yml"
        bib = project_paths(config).bib if config.is_file() else root / DEFAULT_BIB
        return load_bib(bib, entries=False).references
    except CiteproofError:
        return {}


# --------------------------------------------------------------------------- the whole check

def edition_problems(edition: Edition, page_text: str,
                     references: Optional[Mapping[str, Reference]] = None) -> list[Problem]:
    """Every problem of the page's edition: :func:`undeclared` changes, a :func:`stale_note`
    and the record's :func:`dangling_links`."""
    return undeclared(edition, page_text) + stale_note(edition, page_text, references) + \
        dangling_links(edition, page_text, references)


_REF_LINK = re.compile(r"\[([^\]]*)\]\(#(ref-[^)\s]+)\)")  # [Krein 2013](#ref-krein2013)


def dangling_links(edition: Edition, page_text: str,
                   references: Optional[Mapping[str, Reference]] = None) -> list[Problem]:
    """A link the record's own text (its ``references:`` and note) makes to an entry of
    the list that the list does not hold: the page no longer cites it (a reference taken
    out), or the bib lacks it. An error at its line in changes.yml: the link would lead
    nowhere on the page."""
    texts = [*edition.references, edition.edition_note]
    if not any("](#ref-" in text for text in texts):
        return []
    from .render import anchor_for

    refs = references if references is not None else _project_references(edition.root)
    listed = {anchor_for(key) for key in _listed(edition, refs, page_text) or ()}
    lines: list[str] | None = None  # changes.yml's, read for the first link that leads nowhere
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for text in texts:
        for link in _REF_LINK.finditer(text):
            anchor = link.group(2)
            seen[anchor] = seen.get(anchor, 0) + 1  # its n-th link: at the n-th line naming it
            if anchor in listed:
                continue
            lines = _record_lines(edition) if lines is None else lines
            at = [n for n, written in enumerate(lines, 1) if f"(#{anchor})" in written]
            out.append(Problem(ProblemCode.UNKNOWN_KEY, "error",
                               f"the editorial note links to “#{anchor}”, an entry the page's reference list "
                               "does not hold: name it without the link, as "
                               f"“{link.group(1)}”", file=edition.changes_label or edition.changes_file,
                               line=at[min(seen[anchor], len(at)) - 1] if at else None))
    return out


def _record_lines(edition: Edition) -> list[str]:
    """The lines of the record's changes.yml (none when it cannot be read)."""
    if edition.root is None:
        return []
    try:
        return (edition.root / edition.changes_file).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def located(edition: Edition, root: Path, label=str, page: Optional[str] = None) -> Edition:
    """``edition`` with its files named for messages: ``label`` of their paths under ``root``
    (the page: ``page``, when given)."""
    return replace(edition, page=page or label(root / edition.page), changes_label=label(root / edition.changes_file))


def check_edition(root: Path, folder: str = "edition",
                  references: Optional[Mapping[str, Reference]] = None) -> list[Problem]:
    """:func:`edition_problems` for the project at ``root`` whose edition data is in
    ``folder`` (none there: nothing to check); ``references``: its bib's (else read)."""
    edition = load_edition(root, folder)
    if edition is None:
        return []
    try:
        page = (root / edition.page).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EditionError(edition.changes_file, edition.page_line,
                           f"page: {edition.page} cannot be read ({exc}); name the article's Markdown file") from None
    return edition_problems(located(edition, root), page, references)

