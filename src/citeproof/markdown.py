"""The one Markdown citation parser shared by the MkDocs site and the checker.

``parse_citations(text, file)`` finds pandoc-style bracketed citations
(``[@a]``, ``[@a; @b]``, ``[see @a, p. 3; also @b]``, ``-@a``) and ``\\bibliography``
markers, and reports what it leaves alone precisely enough for a renderer to
replace ``text[start:end]`` without touching anything else. It never changes text.

It works in two passes and no per-construct regex runs over the whole text:

1. A line pass finds code blocks and reference definitions.

   - Fenced code: a line whose text, after indentation and ``>`` quote markers,
     starts with 3+ backticks (info string without backticks) or 3+ tildes; it
     runs to a line of the same character, at least as long, with nothing else
     (or to the end of the text). Any indentation is allowed, so fences inside
     lists and admonitions count.
   - Indented code (Python-Markdown's rule, which renders the site): after a
     blank line (or at the start), a line indented 4+ columns deeper than the
     innermost open container. A container is opened by a list item, an
     admonition (``!!!``, ``???``), a content tab (``===``), a footnote or
     definition (``[^x]:``, ``:``) and its content indent is its own indent + 4;
     a line after a blank line, or a new item, closes the containers it is not
     indented into. So a list item's 4-space continuation paragraph is text, its
     8-space block is code. Tabs count to the next multiple of 4.
   - Reference definitions ``[label]: destination "title"`` (one line).

2. A single left-to-right scan over the rest skips backslash escapes, code spans
   (any backtick run, closed by a run of the same length in the same paragraph),
   HTML comments, ``<code>``/``<pre>``/``<script>``/``<style>`` elements, other
   tags with their attributes, autolinks, link destinations ``](...)`` and
   reference labels ``][...]``, and examines each remaining ``[``.

A bracket is a citation group when its content (no nested brackets, no blank
line) holds an ``@`` at a citation position (after ``[``, whitespace, ``;`` or a
``-`` that follows one of those) and it is not a link: not followed by ``(...)``
or ``[...]``, not a reference definition, not a footnote ``[^x]``, not an image,
not a defined reference label. Such content must split on ``;`` into items of
the form ``prefix @key, locator``; otherwise it is a ``malformed-citation``
error (a citation that will not render as intended) and stays text. A ``[`` with a
citing ``@`` that is not closed before the paragraph ends, or before a later ``[``
that never leads back to it, is reported as an unclosed citation. ``@`` in e-mail addresses (after a word character) and
bare ``@key`` outside brackets never cite.
"""
from __future__ import annotations

import re
import string
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import cast

from .model import BibliographyMarker, CitationGroup, CitationItem, ParsedDocument, Problem
from .model import ProblemCode as Code

__all__ = ["parse_citations", "KEY_PATTERN", "cite_form", "key_of"]

#: A citation key (pandoc's rule): starts with a letter, digit or ``_``; a single
#: ``: . # / + -`` may stand between word characters, so a trailing ``.``/``:`` or a
#: doubled ``--`` ends the key.
#: A citation key: pandoc's (a letter, digit or ``_``, then also ``:.#/+-`` inside), or any
#: BibTeX key in braces, as pandoc writes one that ends in punctuation: ``@{Anonymous:TB21-2-}``
KEY_PATTERN = r"(?:\w+(?:[:.#/+\-]\w+)*|\{[^{}\s,;@\[\]\\]+\})"
_KEY = re.compile(KEY_PATTERN)
_PLAIN_KEY = re.compile(r"\w+(?:[:.#/+\-]\w+)*")
_WORD_END = re.compile(r"[\s,]")  # (the end of the word a key starts: a key holds neither)


def key_of(token: str) -> str:
    """The key a citation names: ``{a(b)}`` -> ``a(b)``, ``smith2020`` as it is."""
    return token[1:-1] if token[:1] == "{" else token


def cite_form(key: str) -> str:
    """How to cite a bib key: ``@smith2020``, or braced when pandoc's plain form cannot
    hold it (``@{Anonymous:TB21-2-}``, ``@{a(b)}``)."""
    return f"@{key}" if _PLAIN_KEY.fullmatch(key) else f"@{{{key}}}"
_PUNCT = frozenset(string.punctuation)
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPECIAL = re.compile(r"[\\`<\[\]]")
_GROUP_SPECIAL = re.compile(r"[\\`<\[\];@]")
_BACKTICKS = re.compile(r"`+")
#: ``_BACKTICKS.match`` where a backtick stands, so it always matches (cast once, not per call)
_backticks_at = cast("Callable[[str, int], re.Match[str]]", _BACKTICKS.match)
_BRACKET = re.compile(r"[\[\]]")
_SKIPPED = re.compile(r"[\\`<]")  # what the bracket count skips over (escapes, code, HTML)
_FOOTNOTE_END = re.compile(r"\[\^[^\[\]\s]+\]\Z")
_PARENS = re.compile(r"[\\()]")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)")
_CONTAINER = re.compile(
    r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|(?:!!!|\?\?\?\+?|===)[ \t]|\[\^[^\]]+\]:|:[ \t]")
_REFDEF = re.compile(
    r"[ \t]*(\[([^\[\]\n^][^\[\]\n]*)\]):[ \t]*\S+"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\r?$")
_RAW_OPEN = re.compile(r"<(code|pre|script|style)(?=[\s/>])[^>]*>", re.I)
_RAW_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("code", "pre", "script", "style")}
_AUTOLINK = re.compile(
    r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>"
    r"|<[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*>")
_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*"
    r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>"
    r"|<![A-Za-z][^>]*>|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)
#: The commonest group, bare keys only (``[@a]``, ``[@a; -@b]``): every '@' cites, no item
#: has a prefix or locator, and nothing inside needs the general scan. A '[' where this
#: matches gives the group :meth:`_Scanner.scan_group` and :meth:`_Scanner.make_group`
#: would give, without them (``tests/test_fast_paths.py`` holds the two to agreement).
_BARE_GROUP = re.compile(rf"\[ *-?@(?P<key>{KEY_PATTERN}) *(?P<more>(?:; *-?@{KEY_PATTERN} *)*)\]")
_BARE_KEY = re.compile(rf"@({KEY_PATTERN})")
_MARKER = "\\bibliography"
_HINT = " If this is not a citation, escape the @ as \\@."


def parse_citations(text: str, file: str, line_offset: int = 0) -> ParsedDocument:
    """Parse one Markdown text for citation groups, ``\\bibliography`` markers and ``\\@``.

    ``file`` only labels the results; ``line_offset`` is how many lines of the file come
    before ``text`` (its front matter), so that every line, in messages too, is the file's. Offsets index ``text``; lines and columns are
    1-based and count code points (``\\r\\n`` and ``\\n`` both end a line). A group's
    position is its '['; an item's is its '@'. A marker's offsets cover exactly
    ``\\bibliography``. No escape offset falls inside a group (its prefix and locator
    are given with escapes resolved).
    """
    return _Scanner(text, file, line_offset).run()


def _indent(line: str) -> int:
    """Width of a line's leading whitespace, tabs to the next multiple of 4."""
    col = 0
    for ch in line:
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def _label(text: str) -> str:
    """A reference label as Markdown matches it: case- and whitespace-insensitive."""
    return " ".join(text.split()).casefold()


def _clean(text: str) -> str:
    """Prefix/locator text as shown: escapes resolved, whitespace runs collapsed."""
    if "\\" in text:
        text = _UNESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scan_blocks(text: str):
    """The line pass: code ranges, blank-line starts, reference definitions and labels."""
    code: list[list[int]] = []
    blanks: list[int] = []
    refdefs: dict[int, int] = {}  # offset of '[' -> end of the definition line
    labels: set[str] = set()
    stack: list[int] = []  # content indents of open containers
    fence: tuple[str, int] | None = None
    in_code, code_base, after_blank = False, 0, True
    pos, n = 0, len(text)

    def mark(start: int, end: int) -> None:
        if code and code[-1][1] == start:
            code[-1][1] = end
        else:
            code.append([start, end])

    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stop = min(pos, n)
        if fence:
            mark(start, stop)
            closing = line.lstrip(" \t>").rstrip()
            if len(closing) >= fence[1] and closing == fence[0] * len(closing):
                fence = None
            continue
        if not line.strip():
            blanks.append(start)
            after_blank = True
            continue
        ind = _indent(line)
        if in_code and ind >= code_base:
            mark(start, stop)
            continue
        in_code = False
        stripped = line.lstrip(" \t")
        container = _CONTAINER.match(stripped)
        opener = _FENCE.match(line.lstrip(" \t>"))
        if opener and opener.group(1)[0] == "`" and "`" in opener.group(2):
            opener = None  # ```a``` is a code span, not a fence
        if after_blank or container or opener:
            while stack and ind < stack[-1]:
                stack.pop()
        base = stack[-1] if stack else 0
        was_blank, after_blank = after_blank, False
        if was_blank and ind >= base + 4:
            in_code, code_base = True, base + 4
            mark(start, stop)
        elif opener:
            fence = (opener.group(1)[0], len(opener.group(1)))
            mark(start, stop)
        else:
            if container:
                stack.append(ind + 4)
            m = _REFDEF.match(line)
            if m:
                refdefs[start + m.start(1)] = end
                labels.add(_label(m.group(2)))
    return [tuple(r) for r in code], blanks, refdefs, labels


class _Scanner:
    """State of one parse: the text, its code ranges and paragraph limits, the results."""

    def __init__(self, text: str, file: str, line_offset: int = 0, fast: bool = True):
        self.text, self.file, self.n = text, file, len(text)
        self.fast = fast  # False: every group takes the general path (the tests compare them)
        self.line_offset = line_offset
        code, blanks, self.refdefs, self.labels = _scan_blocks(text)
        self.code_starts = [s for s, _ in code]
        self.code_ends = [e for _, e in code]
        self.barriers = sorted(blanks + self.code_starts)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.groups: list[CitationGroup] = []
        self.bare_words: list[tuple[str, int, int]] = []
        self.markers: list[BibliographyMarker] = []
        self.problems: list[Problem] = []
        #: a mistake repeated on one line is one Problem, reported again: by (line, message),
        #: and an unclosed citation by (its opening, line, line of the '[' that stopped it)
        self.reported: dict[tuple, Problem] = {}
        self.escapes: list[int] = []
        self.parens: dict[int, dict[int, int]] = {}  # paragraph start -> '(' -> ')'
        self.unclosed: dict[object, int] = {}  # search -> a start it is known to fail from
        self.depths: dict[int, tuple] = {}  # paragraph end -> bracket_depths()

    # ------------------------------------------------------------------ helpers
    def pos(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset."""
        line = bisect_right(self.line_starts, offset)
        return line + self.line_offset, offset - self.line_starts[line - 1] + 1

    def limit(self, offset: int) -> int:
        """End of the paragraph holding ``offset``: the next blank line or code block."""
        k = bisect_right(self.barriers, offset)
        return self.barriers[k] if k < len(self.barriers) else self.n

    def code_end(self, offset: int) -> int | None:
        """End of the code block holding ``offset``, if any."""
        k = bisect_right(self.code_starts, offset) - 1
        return self.code_ends[k] if k >= 0 and offset < self.code_ends[k] else None

    def escaped(self, offset: int) -> bool:
        """Whether the character at ``offset`` follows an odd run of backslashes."""
        k = offset
        while k > 0 and self.text[k - 1] == "\\":
            k -= 1
        return (offset - k) % 2 == 1

    def skip_construct(self, i: int) -> int | None:
        """End of the code span or HTML construct starting at ``i`` (a backtick or '<')."""
        text = self.text
        if text[i] == "`":
            run = _backticks_at(text, i)
            width, lim, k = run.end() - i, self.limit(i), run.end()
            if self.unclosed.get((width, lim), lim) <= i:
                return run.end()  # already known: no closing run of this width
            while True:
                k = text.find("`" * width, k, lim)
                if k < 0:
                    self.unclosed[(width, lim)] = i
                    return run.end()  # unmatched: the backticks are literal
                close = _backticks_at(text, k)
                if close.end() - k == width:
                    return close.end()
                k = close.end()
        if text.startswith("<!--", i):
            k = text.find("-->", i + 4)
            return self.n if k < 0 else k + 3
        m = _RAW_OPEN.match(text, i)
        if m:
            name = m.group(1).lower()
            end_tag = None
            if self.unclosed.get(name, self.n) > i:
                end_tag = _RAW_CLOSE[name].search(text, m.end())
            if end_tag:
                return end_tag.end()
            self.unclosed[name] = i
            return self.n if name in ("script", "style") else m.end()
        m = _AUTOLINK.match(text, i) or _TAG.match(text, i)
        return m.end() if m else None

    def close_paren(self, k: int) -> int | None:
        """Offset of the ')' balancing the '(' at ``k`` within its paragraph.

        Parentheses are matched once per paragraph (a stack pass), so text full of
        ``](`` stays linear.
        """
        idx = bisect_right(self.barriers, k)
        para = self.barriers[idx - 1] if idx else 0
        if para not in self.parens:
            lim, pairs, stack, skip = self.limit(k), {}, [], -1
            for m in _PARENS.finditer(self.text, para, lim):
                j = m.start()
                if j <= skip:
                    continue
                if m.group() == "\\":
                    skip = j + 1
                elif m.group() == "(":
                    stack.append(j)
                elif stack:
                    pairs[stack.pop()] = j
            self.parens[para] = pairs
        return self.parens[para].get(k)

    def cites_at(self, at: int, opening: int) -> bool:
        """Whether the '@' at ``at`` stands where a citation key may start."""
        text, prev = self.text, at - 1
        if prev == opening or text[prev].isspace() or text[prev] == ";":
            return True
        k = prev - 1
        return text[prev] == "-" and k >= opening and (
            k == opening or text[k].isspace() or text[k] == ";")

    def report(self, offset: int, message: str) -> None:
        """A ``malformed-citation`` error on the line of ``offset``. The same error on the
        same line again (a page repeating one mistake) is the same immutable Problem, made
        once."""
        line, _ = self.pos(offset)
        problem = self.reported.get((line, message))
        if problem is None:
            problem = self.reported[line, message] = Problem(
                Code.MALFORMED_CITATION, "error", message, file=self.file, line=line)
        self.problems.append(problem)

    def closes_around(self, j: int, lim: int) -> bool:
        """Whether the '[' enclosing the '[' at ``j`` is closed before ``lim`` (brackets
        counted as nested), i.e. ``j`` starts a nested bracket, not a later one.

        Answered from one bracket-depth pass per paragraph (:meth:`bracket_depths`), so
        a page of thousands of unclosed ``[@`` stays linear."""
        depths = self.depths.get(lim)
        if depths is None or j not in depths[0]:
            depths = self.depths[lim] = self.bracket_depths(j, lim)
        index, after, low = depths
        k = index[j]
        return k + 1 < len(low) and low[k + 1] <= after[k] - 2

    def bracket_depths(self, j: int, lim: int):
        """``(index of each '[' token, depth after each bracket token, the suffix minima of
        those depths)`` for the brackets from ``j`` to ``lim`` (escapes, code spans and
        HTML skipped)."""
        text = self.text
        if _SKIPPED.search(text, j, lim):
            return self.scanned_depths(j, lim)
        marks = [m.start() for m in _BRACKET.finditer(text, j, lim)]  # every bracket counts
        steps = [1 if text[k] == "[" else -1 for k in marks]
        after = list(accumulate(steps))
        index = {k: n for n, k in enumerate(marks) if steps[n] == 1}
        return index, after, list(accumulate(reversed(after), min))[::-1]

    def scanned_depths(self, j: int, lim: int):
        """:meth:`bracket_depths`, token by token (what it does when there is something
        to skip)."""
        text, depth, k = self.text, 0, j
        index: dict[int, int] = {}
        after: list[int] = []
        while m := _SPECIAL.search(text, k, lim):
            k, ch = m.start(), m.group()
            if ch == "\\":
                k += 2
            elif ch in "`<":
                k = self.skip_construct(k) or k + 1
            else:
                if ch == "[":
                    index[k] = len(after)
                depth += 1 if ch == "[" else -1
                after.append(depth)
                k += 1
        low = list(accumulate(reversed(after), min))[::-1]
        return index, after, low

    def opening(self, i: int, ats: list[int], stop: int) -> str:
        """An unclosed citation's text up to its last key (then '…' if more text follows)."""
        key = _KEY.match(self.text, ats[-1] + 1, stop)
        end = key.end() if key else ats[-1] + 1
        return _short(self.text[i:end]) + ("…" if self.text[end:stop].strip() else "")

    # ------------------------------------------------------------------ the scan
    def run(self) -> ParsedDocument:
        text, i = self.text, 0
        while True:
            m = _SPECIAL.search(text, i)
            if not m:
                break
            i = m.start()
            end = self.code_end(i) if self.code_starts else None
            if end is not None:
                i = end
            elif text[i] == "\\":
                i = self.backslash(i)
            elif text[i] in "`<":
                i = self.skip_construct(i) or i + 1
            elif text[i] == "]":
                close = self.close_paren(i + 1) if text.startswith("(", i + 1) else None
                i = i + 1 if close is None else close + 1
            else:
                i = self.bracket(i)
        return ParsedDocument(self.file, tuple(self.groups), tuple(self.markers),
                              tuple(self.problems), tuple(self.escapes), tuple(self.bare_words))

    def backslash(self, i: int) -> int:
        """Handle an escape (recording ``\\@``) or a ``\\bibliography`` line."""
        text = self.text
        if text.startswith(_MARKER, i):
            line_start = text.rfind("\n", 0, i) + 1
            line_end = text.find("\n", i)
            line_end = self.n if line_end < 0 else line_end
            end = i + len(_MARKER)
            if not text[line_start:i].strip() and not text[end:line_end].strip():
                self.markers.append(BibliographyMarker(self.file, self.pos(i)[0], i, end))
                return end
        nxt = text[i + 1: i + 2]
        if nxt == "@":
            self.escapes.append(i)
        return i + 2 if nxt and nxt in _PUNCT else i + 1

    def bracket(self, i: int) -> int:
        """Examine the '[' at ``i``; return where the scan continues."""
        text = self.text
        if i in self.refdefs:
            return self.refdefs[i]
        if (i > 0 and text[i - 1] == "]" and not self.escaped(i - 1)
                and not _FOOTNOTE_END.search(text, max(0, i - 200), i)):
            k = text.find("]", i + 1, self.limit(i))  # reference label of [text][label]
            return i + 1 if k < 0 else k + 1
        if text.startswith("[^", i) or (i > 0 and text[i - 1] == "!" and not self.escaped(i - 1)):
            return i + 1  # footnote reference or image: its text is scanned as usual
        bare = _BARE_GROUP.match(text, i) if self.fast else None
        if bare:
            close, cites = bare.end() - 1, True
        else:
            scanned = self.scan_group(i)
            if scanned is None:
                return i + 1
            close, semis, ats, stop = scanned
            if close is None:
                if ats:
                    self.unclosed_citation(i, ats, stop)
                return i + 1
            cites = bool(ats)
        if not self.cites_here(i, close, cites):
            return i + 1  # plain brackets or a link
        group = self.bare_group(bare) if bare else self.make_group(i, close, semis, ats)
        if group is None:
            return i + 1
        self.groups.append(group)
        return close + 1

    def cites_here(self, i: int, close: int, cites: bool) -> bool:
        """Whether the bracket ``text[i:close+1]`` (holding a citing ``@`` or not) is a
        citation: not a link (``](…)``, ``][label]``, a defined label). A citing bracket
        read as a link to an undefined label is reported; a plain one is noted when it
        holds one word a key could be (:meth:`bare_word`)."""
        text = self.text
        after = text[close + 1: close + 2]
        label_end = text.find("]", close + 2, self.limit(i)) if after == "[" else -1
        if label_end >= 0 and cites:
            label = _label(text[close + 2: label_end] or text[i + 1: close])
            if label not in self.labels:
                self.report(i, f"'{_short(text[i:label_end + 1])}' reads as a link to an undefined "
                             "reference label, so it is neither a link nor a citation; put all "
                             "keys in one bracket, as in [@a; @b]." + _HINT)
        if not cites and label_end < 0 and after != "(":
            self.bare_word(i, close)
        return not (not cites or label_end >= 0 or (after == "(" and self.close_paren(close + 1) is not None)
                    or (self.labels and _label(text[i + 1: close]) in self.labels))

    def bare_word(self, i: int, close: int) -> None:
        """Note plain brackets ``[kim2017]`` that hold one word a key could be (a citation
        whose ``@`` was forgotten, if the bib has that key)."""
        if _PLAIN_KEY.fullmatch(self.text, i + 1, close):
            self.bare_words.append((self.text[i + 1:close], *self.pos(i)))

    def unclosed_citation(self, i: int, ats: list[int], stop: int) -> None:
        """Report the citation opened at ``i`` that :meth:`scan_group` found unclosed at
        ``stop``: the paragraph ended, or a '[' came there (its message made once per
        opening text and line: a page of one repeated mistake says it once)."""
        line = self.pos(i)[0]
        before = self.pos(stop)[0] if stop < self.n and self.text[stop] == "[" else 0
        key = (self.opening(i, ats, stop), line, before)
        problem = self.reported.get(key)
        if problem is None:
            where = (f"before the next '[' (line {before})" if before else "before the end of the "
                     "paragraph (a citation cannot span a blank line)")
            problem = self.reported[key] = Problem(
                Code.MALFORMED_CITATION, "error", f"citation '{key[0]}' is not closed: add ']' after "
                f"its last key or locator, {where}." + _HINT, file=self.file, line=line)
        self.problems.append(problem)

    def scan_group(self, i: int):
        """Find the ']' closing the '[' at ``i``, with the ';' and citing '@' inside.

        Returns ``None`` when a nested '[' comes first (not a group; an error if an
        '@' cited before it), else ``(close or None if unclosed, semicolons, ats, where
        the scan stopped)``: unclosed means the paragraph ended, or a later '[' came
        that does not lead back to a ']' for this one.
        """
        text, lim, j = self.text, self.limit(i), i + 1
        semis: list[int] = []
        ats: list[int] = []
        while j < lim:
            m = _GROUP_SPECIAL.search(text, j, lim)
            if not m:
                break
            j, ch = m.start(), m.group()
            if ch == "\\":
                j += 2 if text[j + 1: j + 2] in _PUNCT else 1
                continue
            if ch in "`<":
                j = self.skip_construct(j) or j + 1
                continue
            if ch == "[":
                if not ats:
                    return None
                if not self.closes_around(j, lim):
                    return None, semis, ats, j
                self.report(i, f"citation '{_short(text[i:j + 1])}…' holds a nested '[': "
                               "brackets cannot nest inside a citation; write "
                               "[see @a, p. 3] without inner brackets." + _HINT)
                return None
            if ch == "]":
                return j, semis, ats, j
            if ch == ";":
                semis.append(j)
            elif j - 1 == i or text[j - 1] in " ;" or self.cites_at(j, i):  # the commonest first
                ats.append(j)
            j += 1
        return None, semis, ats, lim

    def bare_group(self, bare: re.Match) -> CitationGroup:
        """The group that :data:`_BARE_GROUP` matched: on one line, keys only (no prefix,
        no locator)."""
        i, end = bare.span()
        line, column = self.pos(i)
        items: tuple[CitationItem, ...]
        if bare.start("more") == bare.end("more"):  # one key, the commonest group
            items = (CitationItem(key_of(bare.group("key")), line, column + bare.start("key") - 1 - i),)
        else:
            items = tuple(CitationItem(key_of(m.group(1)), line, column + m.start() - i)
                          for m in _BARE_KEY.finditer(self.text, i + 1, end - 1))
        return CitationGroup(items, self.file, line, column, i, end, bare.group())

    def make_group(self, i: int, close: int, semis: list[int], ats: list[int]):
        """Build the group ``text[i:close+1]``, or report an error and return ``None`` if malformed."""
        text = self.text
        raw = text[i: close + 1]
        shown = _short(raw)
        items = []
        for a, b in zip([i + 1] + [s + 1 for s in semis], semis + [close]):
            here = ats[bisect_left(ats, a):bisect_left(ats, b)]
            body = text[a:b]
            if not body.strip():
                self.report(i, f"malformed citation '{shown}': an item between ';' separators is "
                             "empty; write keys as [@a; @b], with no leading or trailing ';'." + _HINT)
                return None
            if not here:
                self.report(i, f"malformed citation '{shown}': the item '{_short(body, 40)}' has no "
                             "@key; every item separated by ';' needs one, as in "
                             "[see @a, p. 3; also @b]." + _HINT)
                return None
            at = here[0]
            key = _KEY.match(text, at + 1, b)
            if not key:
                self.report(i, f"malformed citation '{shown}': '@' is not followed by a citation "
                             "key (a letter, digit or '_', then also ':.-/+#' inside, or any bib key "
                             "in braces), as in [@smith2020] or [@{Anonymous:TB21-2-}]." + _HINT)
                return None
            if len(here) > 1:
                other = _KEY.match(text, here[1] + 1, b)
                second = other.group() if other else "…"
                self.report(i, f"malformed citation '{shown}': two keys in one item; separate keys "
                             f"with ';', as in [@{key.group()}; @{second}]." + _HINT)
                return None
            suffix = text[key.end():b].strip()
            if suffix and not suffix.startswith(","):
                # (text that touches the key may be the rest of it: a bib key may end in '-' or
                # hold '(', which only the braced form cites)
                touching = not text[key.end()].isspace() and not key.group().startswith("{")
                stop = _WORD_END.search(text, key.end(), b)
                whole = text[key.start():stop.start() if stop else b] if touching else ""
                braced = f"; if '{_short(whole, 40)}' is one bib key, write it in braces: [{cite_form(whole)}]" \
                    if whole != key.group() and _KEY.fullmatch(cite_form(whole), 1) else ""  # (one that cites)
                self.report(i, f"malformed citation '{shown}': the text '{_short(suffix, 30)}' after "
                             f"@{key.group()} needs a comma before it, as in "
                             f"[@{key.group()}, p. 3]{braced}." + _HINT)
                return None
            prefix_end = at - 1 if at - 1 >= a and text[at - 1] == "-" else at
            line, column = self.pos(at)
            items.append(CitationItem(key_of(key.group()), line, column, prefix=_clean(text[a:prefix_end]),
                                      locator=_clean(suffix[1:])))
        line, column = self.pos(i)
        return CitationGroup(tuple(items), self.file, line, column, i, close + 1, raw)
