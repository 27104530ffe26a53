"""The bib scanner: every ``@command`` of the text with the positions of its parts.

pybtex's parser stops at (or silently skips past) the first fault and often names the
wrong line. This scanner walks the file first: it finds each ``@type{key, name =
value, ...}``, records where the entry, each field name and each value start and end
(character positions in the decoded text), and on a fault names the line an editor has
to fix (an unclosed ``{`` is reported where it was opened, a missing comma where it
belongs), with a one-character repair when one is likely. The loader
(:mod:`citeproof.bib.load`) and the editor (:mod:`citeproof.bib.editor`) both read the
file through it; :func:`scan` is the public view.
"""
from __future__ import annotations

import bisect
import re
import sys
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar, cast

__all__ = ["AT", "MAX_BRACE_DEPTH", "FieldSpan", "Fault", "RawField", "ScannedEntry", "Scanner", "has_junk", "is_field_name", "scan"]

AT = re.compile(r"@[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*([{(])")
_LINE_START_AT = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][A-Za-z0-9_-]*[ \t]*[{(]", re.M)
_KEY = re.compile(r"[^\s,{}()=\"#]+")
#: the key of a braced entry may hold parentheses, as BibTeX and pybtex read it: ``@misc{a(b), ...}``
_BRACED_KEY = re.compile(r"[^\s,{}=\"#]+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-.:+/]*")
_NUMBER = re.compile(r"\d+")
_WS = re.compile(r"\s*")
#: ``_WS.match``, typed as what it is: it always matches (cast once here, not per call)
_ws_at = cast("Callable[[str, int], re.Match[str]]", _WS.match)
_BRACES = re.compile(r"[{}]")
_QUOTE_BRACES = re.compile(r'[{}"]')
_FIELD_LINE = re.compile(r"[ \t,]*[A-Za-z][A-Za-z0-9_-]*[ \t]*=")
#: The common entry in one regex step per field (see :meth:`Scanner.quick`): the key and
#: its comma; then ``name = value`` with the ``,`` or ``}`` after it, the value parts
#: joined by ``#``, each ``{...}`` (braces nested at most three deep), ``"..."`` (the
#: same braces inside), ``123`` (ASCII digits: BibTeX's numbers) or a @string name; then
#: a lone closing ``}``.
_QUICK_KEY = re.compile(r"\s*([^\s,{}()=\"#]+)\s*,")
_NESTED = r"[^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*"
#: a ``"..."`` literal: plain characters, then braced groups each followed by plain
#: characters ("unrolled": each step has one way to match, so a value that does not
#: match fails in one pass, with no possessive quantifier, which CPython before 3.11.5
#: can get wrong)
_QUOTED = rf"\"[^\"{{}}]*(?:\{{{_NESTED}\}}[^\"{{}}]*)*\""
_PART = rf"(?:\{{{_NESTED}\}}|{_QUOTED}|[0-9]+|[A-Za-z][A-Za-z0-9_\-.:+/]*)"
_QUICK_FIELD = re.compile(rf"\s*([A-Za-z][A-Za-z0-9_\-.:+/]*)\s*=\s*({_PART}(?:\s*#\s*{_PART})*)\s*([,}}])")
_QUICK_CLOSE = re.compile(r"\s*\}")
_PLAIN_STARTS = frozenset("{0123456789")
#: a value that is one literal, ``{...}`` or ``"..."`` (braces nested at most three deep)
ONE_LITERAL = re.compile(rf"\{{{_NESTED}\}}|{_QUOTED}")
_SPECIAL = frozenset({"comment", "preamble", "string"})
#: Braces nested deeper than this are refused (pybtex's own limit is 100).
MAX_BRACE_DEPTH = 100
#: How many following ``@`` lines an entry may hold inside a braced value (data, as
#: BibTeX reads it) before the scanner stops trying.
MAX_AT_LINES = 8


class Fault(Exception):
    """A syntax fault at a position, with the message to show."""

    def __init__(self, pos: int, message: str, repair: tuple[int, int, str] | None = None,
                 final: bool = False):
        super().__init__(message)
        self.pos, self.message = pos, message
        # (start, end, text): writing text over start:end likely fixes the entry (no new line)
        self.repair = repair
        #: found in text read before the entry's limit (a missing comma, a field twice), so
        #: a later limit cannot change it: no need to try one (see spanning)
        self.final = final


class FieldSpan(NamedTuple):
    """One ``name = value`` of an entry: ``text[name_start:name_end]`` is the name as
    written, ``text[value_start:value_end]`` the whole value (braces, quotes or ``#``
    concatenation included)."""

    name: str  # lower-case
    name_start: int
    value_start: int
    value_end: int

    @property
    def name_end(self) -> int:
        return self.name_start + len(self.name)


#: a field as the scanner records it: ``(name, name_start, value_start, value_end)``
RawField = tuple[str, int, int, int]
_F = TypeVar("_F", RawField, FieldSpan)


@dataclass
class ScannedEntry(Generic[_F]):
    """One ``@command`` as the scanner saw it: ``text[start:end]`` is all of it.

    The scanner records each field as a plain :data:`RawField` tuple (the loader's hot
    path: a ``ScannedEntry[RawField]``); :func:`scan` gives them as :class:`FieldSpan` (a
    ``ScannedEntry[FieldSpan]``) and fills ``line``, ``fault`` and ``fault_line``. A faulty
    command has ``fault`` set (the message), no fields, the key when one could be read,
    and ends where the scanner gave up on it.
    """

    command: str  # lower-case: article, string, preamble, comment, ...
    key: str  # "" for @string, @preamble, @comment
    start: int
    end: int  # just after the closing delimiter
    fields: list[_F]
    line: int = 0
    fault: str = ""
    fault_line: int = 0
    #: read by :meth:`Scanner.quick`, every value one ``{...}`` literal or a number
    plain: bool = False

    def field(self: ScannedEntry[FieldSpan], name: str) -> FieldSpan | None:
        """The span of the field ``name`` (lower-case) in an entry from :func:`scan`, or ``None``."""
        return next((f for f in self.fields if f.name == name), None)


class _ShiftedStarts(Sequence):
    """The line starts of a file as positions in a patched window of it: ``origin`` is
    where the window starts, ``delta`` what the patch at window position ``pos`` added."""

    def __init__(self, starts: Sequence[int], origin: int, pos: int, delta: int):
        self.starts, self.origin, self.pos, self.delta = starts, origin, pos, delta

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        s = self.starts[i] - self.origin
        return s if s <= self.pos else s + self.delta


class Scanner:
    """Walks the bib text entry by entry, recording positions."""

    stopped: int  # (see commands)
    entry_start: int  # the entry being read (see command)
    field_names: set[str]  # its field names so far

    def __init__(self, text: str, line_starts=None):
        self.text = text
        if line_starts is None:  # an array: a list of a 100,000-entry bib's lines took 40 MB
            line_starts = array("q", [0])
            line_starts.extend(map(re.Match.end, re.finditer("\n", text)))
        self.line_starts = line_starts
        self._next_at = (1, 0)  # (searched from, found at) of the last next_at_line

    def patched(self, start: int, limit: int, repair: tuple[int, int, str]) -> Scanner:
        """A scanner of ``text[start:limit]`` with ``repair`` ``(pos, end, insert)`` applied:
        positions are relative to ``start``, lines stay those of the whole file (a repair
        never adds or removes a line break). Costs the window, not the file."""
        pos, end, insert = repair
        window = self.text[start:pos] + insert + self.text[end:limit]
        return Scanner(window, _ShiftedStarts(self.line_starts, start, pos - start,
                                              len(insert) - (end - pos)))

    def line(self, pos: int) -> int:
        """1-based line of a position."""
        return bisect.bisect_right(self.line_starts, pos)

    def line_text(self, line: int) -> str:
        start = max(0, self.line_starts[line - 1])
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def ws(self, i: int) -> int:
        return _ws_at(self.text, i).end()

    def char(self, i: int, limit: int) -> str:
        return self.text[i] if i < limit else ""

    def describe(self, i: int, limit: int) -> str:
        ch = self.char(i, limit)
        return f"'{ch}'" if ch else "the end of the entry"

    def starts_field(self, i: int, limit: int) -> bool:
        """True when ``name =`` starts at ``i``: a field that a missing comma left stranded."""
        nm = _NAME.match(self.text, i, limit)
        return nm is not None and self.char(self.ws(nm.end()), limit) == "="

    def commands(self, start: int = 0, end: int | None = None):
        """Yield ``(ScannedEntry or Fault, start, limit)`` for each ``@command`` in the text
        (that starts in ``text[start:end]``); :attr:`stopped` is then where the last ended.

        An entry may not run past the next line that starts with ``@type{``: that
        bounds the damage of an unclosed brace to its own entry. Between entries, a ``%``
        comments out the rest of its line, as biber reads a bib (``%@article{...}`` is no
        entry; BibTeX itself would read one there).
        """
        pos, text = start, self.text
        end = len(text) if end is None else end
        self.stopped = pos
        while (m := AT.search(text, pos)) and m.start() < end:
            if "%" in text[max(pos, text.rfind("\n", 0, m.start()) + 1):m.start()]:
                pos = m.end()  # (commented out)
                continue
            limit = self.next_at_line(m.end())
            try:
                scanned = self.command(m, limit)
            except Fault as fault:
                spanning = None if fault.final else self.spanning(m, limit)
                if spanning is None:
                    self.stopped = pos = limit
                    yield fault, m.start(), limit
                    continue
                scanned, limit = spanning
            self.stopped = pos = scanned.end
            yield scanned, m.start(), limit

    def next_at_line(self, pos: int) -> int:
        """Start of the first line after ``pos`` that starts with ``@type{`` (or the end).

        The last answer is kept: the next entry of a file with few such lines (one long
        line of entries) asks again from a little further on, and a search from there
        would walk the same text again (quadratic in the file)."""
        since, found = self._next_at
        if since <= pos <= found:
            return found
        nxt = _LINE_START_AT.search(self.text, pos)
        found = nxt.start() if nxt else len(self.text)
        self._next_at = (pos, found)
        return found

    def spanning(self, m: re.Match, limit: int):
        """``(entry, its limit)`` when the entry at ``m`` scans cleanly once the next
        ``@`` lines count as data of one of its braced values (legal BibTeX), else ``None``.
        A value that would also swallow ``name =`` lines is not taken."""
        for _ in range(MAX_AT_LINES):
            if limit >= len(self.text):
                return None
            limit = self.next_at_line(limit + 1)
            try:
                scanned = self.command(m, limit)
            except Fault:
                continue
            if all(self.text[vs] != "{" or not any(
                    _FIELD_LINE.match(self.line_text(n))
                    for n in range(self.line(vs) + 1, self.line(ve - 1) + 1))
                   for _, _, vs, ve in scanned.fields):
                return scanned, limit
            return None
        return None

    def command_at(self, start: int, limit: int) -> ScannedEntry[RawField]:
        """Scan the ``@command`` that starts at ``start`` (raises :class:`Fault`)."""
        m = AT.match(self.text, start)
        assert m is not None  # (the caller's start is an @command's)
        return self.command(m, limit)

    def command(self, m: re.Match, limit: int) -> ScannedEntry[RawField]:
        kind, close = m.group(1).lower(), "}" if m.group(2) == "{" else ")"
        if close == "}" and kind not in _SPECIAL and (quick := self.quick(m, limit, kind)):
            return quick
        if kind == "comment":  # BibTeX skips a balanced @comment{...}; unclosed, it eats the chunk
            end = self.match_brace(m.end() - 1, limit) if close == "}" else -1
            return ScannedEntry(kind, "", m.start(), end if end > 0 else limit, [])
        fields: list = []
        self.entry_start, self.field_names = m.start(), set()
        try:
            return self.entry(m, limit, kind, close, fields)
        except Fault as fault:
            # a value that swallowed the following lines explains any later fault
            raise self.runaway(fields, m) or fault from None

    #: False turns :meth:`quick` off (the tests compare both ways)
    QUICK = True

    def quick(self, m: re.Match, limit: int, kind: str) -> ScannedEntry[RawField] | None:
        """The entry at ``m`` when it is of the common shape (every value one braced
        literal nested at most three deep, or a number; no ``#``, no duplicate field), read
        one regex step per field; ``None`` sends it to :meth:`entry`, which reads any
        shape (and words the faults). Both give the same spans for what this accepts."""
        if not self.QUICK:
            return None
        text = self.text
        km = _QUICK_KEY.match(text, m.end(), limit)
        if km is None:
            return None
        fields, i, field = [], km.end(), _QUICK_FIELD.match
        while fm := field(text, i, limit):
            fields.append((sys.intern(fm.group(1).lower()), fm.start(1), fm.start(2), fm.end(2)))
            i = fm.end()
            if fm.group(3) == "}":
                break
        else:
            end = _QUICK_CLOSE.match(text, i, limit)
            if end is None:
                return None
            i = end.end()
        if len({f[0] for f in fields}) < len(fields):
            return None  # a field twice: entry() words it
        plain = all(text[f[2]] in _PLAIN_STARTS and "#" not in text[f[2]:f[3]] for f in fields)
        return ScannedEntry(kind, km.group(1), m.start(), i, fields, plain=plain)

    def entry(self, m: re.Match, limit: int, kind: str, close: str, fields: list) -> ScannedEntry[RawField]:
        """Parse the body of ``@kind{...}`` into ``fields``; raise :class:`Fault` on a fault."""
        i, key = self.ws(m.end()), ""
        if kind == "preamble":
            i = self.value(i, limit, "preamble", fields, i)
        elif kind == "string":
            i = self.field(i, limit, fields, "")
        else:
            km = (_BRACED_KEY if close == "}" else _KEY).match(self.text, i, limit)
            after = self.ws(km.end()) if km else i
            if not km or self.char(after, limit) == "=":
                raise Fault(m.start(), f"the entry @{m.group(1)} has no citation key: "
                                        f"write @{m.group(1)}{{yourkey, ...")
            key, i = km.group(), after
            if self.char(i, limit) == ",":
                i = self.fields(self.ws(i + 1), limit, close, fields, key)
            elif self.starts_field(i, limit):
                raise Fault(km.start(), f"a comma is missing after the key '{key}': "
                                         f"add ',' at the end of line {self.line(km.start())}",
                             (km.end(), km.end(), ","), final=True)
        i = self.ws(i)
        if self.char(i, limit) != close:
            raise self.not_closed(i, limit, m, key, fields, close)
        return ScannedEntry(kind, key, m.start(), i + 1, fields)

    def fields(self, i: int, limit: int, close: str, out: list, key: str) -> int:
        """Parse ``name = value`` pairs separated by commas; return the position after them."""
        while True:
            i = self.ws(i)
            if self.char(i, limit) in (close, ""):
                return i
            i = self.ws(self.field(i, limit, out, key))
            ch = self.char(i, limit)
            if ch == ",":
                i += 1
                continue
            if ch in (close, ""):
                return i
            name, end = out[-1][0], out[-1][3]
            if self.starts_field(i, limit):
                raise Fault(end - 1, f"a comma is missing after the field '{name}' in entry "
                                      f"'{key}': add ',' at the end of its value on line "
                                      f"{self.line(end - 1)}", (end, end, ","), final=True)
            raise self.comment_line(i, limit, out, key) or Fault(
                i, f"unexpected {self.describe(i, limit)} after the field '{name}' in entry "
                   f"'{key}': expected ',' or '{close}'; remove the stray text", (i, i + 1, " "))

    def comment_line(self, i: int, limit: int, fields: list, key: str) -> Fault | None:
        """The fault of a ``%`` line met inside an entry: a comment (BibTeX has none inside
        an entry) when more fields or the closing brace follow, else the entry's missing end."""
        line = self.line(i)
        if self.char(i, limit) != "%" or self.text[self.line_starts[line - 1]:i].strip():
            return None
        rest = range(line + 1, self.line(max(limit - 1, i)) + 1)
        if any(_FIELD_LINE.match(self.line_text(n)) or self.line_text(n).strip() in ("}", ")")
               for n in rest):
            end = self.line_starts[line - 1] + len(self.line_text(line).rstrip("\r\n"))
            return Fault(i, f"line {line} is a '%' comment inside the entry '{key}', which "
                             "BibTeX does not allow: move it above the entry or delete it",
                          (i, end, " " * (end - i)))
        last = fields[-1][3] - 1 if fields else self.entry_start
        return Fault(last, f"the entry '{key}' opened on line {self.line(self.entry_start)} is "
                            f"not closed: add '}}' after line {self.line(last)}", (i, i, "}"))

    def field(self, i: int, limit: int, out: list, key: str) -> int:
        """Parse one ``name = value``; append it to ``out``; return the position after it."""
        nm = _NAME.match(self.text, i, limit)
        where = f"in entry '{key}'" if key else "in @string"
        if not nm:
            raise self.comment_line(i, limit, out, key) or Fault(
                i, f"unexpected {self.describe(i, limit)} {where}: expected a field "
                   "(name = {value}) or the closing brace; remove the stray text",
                (i, i + 1, " ") if i < limit else None)
        j = self.ws(nm.end())
        if self.char(j, limit) != "=":
            raise Fault(i, f"unexpected text '{nm.group()}' {where}: a field reads "
                            "name = {value}; remove the stray text or complete the field",
                         (i, nm.end(), " " * (nm.end() - i)))
        name = sys.intern(nm.group().lower())  # one string per field name, not per entry
        if name in self.field_names:  # (a set: an entry of 30,000 fields was quadratic)
            raise Fault(i, f"the field '{name}' appears twice {where}: keep one of them",
                        final=True)
        self.field_names.add(name)
        return self.value(self.ws(j + 1), limit, name, out, i)

    def value(self, i: int, limit: int, name: str, out: list, name_pos: int) -> int:
        """Parse ``part # part ...``; append the field to ``out``; return the position after it."""
        start = i
        while True:
            end = self.part_end(i, limit, name)
            j = self.ws(end)
            if self.char(j, limit) != "#":
                out.append((name, name_pos, start, end))
                return end
            i = self.ws(j + 1)

    def part_end(self, i: int, limit: int, name: str) -> int:
        """End of the one part of a value (``{...}``, ``"..."``, a number or a @string
        name) that starts at ``i``; raise :class:`Fault` when there is none."""
        ch = self.char(i, limit)
        if ch in ('{', '"'):
            end = self.match_brace(i, limit) if ch == "{" else self.match_quote(i, limit)
            if end < 0:
                raise self.unclosed(name, i, self.line(max(i, limit - 1)), "")
            return end
        if m := _NUMBER.match(self.text, i, limit) or _NAME.match(self.text, i, limit):
            return m.end()
        raise Fault(i, f"the field '{name}' has no value: write {name} = {{...}}")

    def parts(self, start: int, end: int) -> list[str]:
        """The parts of a value that scanned cleanly (``text[start:end]``), as written."""
        out, i = [], start
        while i < end:
            j = self.part_end(i, end, "")
            out.append(self.text[i:j])
            i = self.ws(self.ws(j) + 1)
        return out

    def match_brace(self, i: int, limit: int) -> int:
        """Position after the ``}`` matching the ``{`` at ``i``, or -1; :class:`Fault`
        when braces nest deeper than :data:`MAX_BRACE_DEPTH`."""
        depth = 0
        for m in _BRACES.finditer(self.text, i, limit):
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                return m.end()
            if depth > MAX_BRACE_DEPTH:
                raise self.too_deep(m.start())
        return -1

    def match_quote(self, i: int, limit: int) -> int:
        """Position after the ``"`` closing the one at ``i`` (outside braces), or -1."""
        depth = 0
        for m in _QUOTE_BRACES.finditer(self.text, i + 1, limit):
            c = m.group()
            if c == '"' and depth == 0:
                return m.end()
            depth += {"{": 1, "}": -1}.get(c, 0)
            if depth < 0:
                return -1
            if depth > MAX_BRACE_DEPTH:
                raise self.too_deep(m.start())
        return -1

    def too_deep(self, pos: int) -> Fault:
        return Fault(pos, f"braces are nested more than {MAX_BRACE_DEPTH} deep on line "
                          f"{self.line(pos)}, which BibTeX tools refuse: remove the extra braces")

    def value_end_line(self, first: int, last: int) -> int:
        """The line where a value opened on ``first`` was meant to end: the last line with
        text before the first ``name =`` line or lone closing brace it ran into."""
        for n in range(first + 1, last + 1):
            if _FIELD_LINE.match(self.line_text(n)) or self.line_text(n).strip() in ("}", ")"):
                k = n - 1
                while k > first and not self.line_text(k).strip():
                    k -= 1
                return k
        return first

    def unclosed(self, name: str, vstart: int, last: int, why: str) -> Fault:
        """The fault of a value whose opening ``{`` or ``"`` (at ``vstart``) is never closed."""
        opener = self.text[vstart]
        closer = "}" if opener == "{" else '"'
        first = self.line(vstart)
        end = self.value_end_line(first, last)
        content = self.line_text(end).rstrip()
        at = self.line_starts[end - 1] + len(content) - content.endswith(",")
        return Fault(vstart, f"the '{opener}' of the field '{name}' on line {first} is not "
                              f"closed{why}: add the missing '{closer}' at the end of its value "
                              f"on line {end}", (at, at, closer))

    def runaway(self, fields: list, m: re.Match) -> Fault | None:
        """The unclosed value that ran over the next fields or the entry's end, if any."""
        for name, _, vstart, vend in fields:
            first, last = self.line(vstart), self.line(vend - 1)
            if self.text[vstart] not in '{"':
                continue
            # a value that runs over whole "name = ..." lines lost its closing brace
            if any(_FIELD_LINE.match(self.line_text(n)) for n in range(first + 1, last + 1)):
                return self.unclosed(name, vstart, last, ", so its value runs into the next fields")
        if fields:
            name, _, vstart, vend = fields[-1]
            first, last = self.line(vstart), self.line(vend - 1)
            if self.text[vstart] in '{"' and last > first and \
                    self.line_text(last).strip() in ("}", ")", '"'):
                closer = "}" if m.group(2) == "{" else ")"
                return self.unclosed(name, vstart, last, f", so it took the closing "
                                                         f"'{closer}' of the @{m.group(1)}")
        return None

    def not_closed(self, i, limit, m, key, fields, close) -> Fault:
        """Explain an entry that does not end where it should, at the line to fix."""
        what = f"entry '{key}'" if key else f"@{m.group(1)}"
        if self.char(i, limit) == "":
            end, at = fields[-1][3] - 1 if fields else m.start(), min(i, limit)
            return Fault(end, f"the {what} opened on line {self.line(m.start())} is not closed: "
                               f"add '{close}' after line {self.line(end)}", (at, at, close))
        return Fault(i, f"unexpected {self.describe(i, limit)} in the {what}: expected '{close}'")


def has_junk(between: str) -> bool:
    """True when text between two entries holds fields or braces (not just comments)."""
    return any(_FIELD_LINE.match(ln) or "{" in ln or "}" in ln
               for ln in between.splitlines() if not ln.lstrip().startswith("%"))


def is_field_name(name: str) -> bool:
    """True when ``name`` can be written as a field name (``doi``, ``pmcid``, ``urldate``)."""
    return bool(_NAME.fullmatch(name))


def scan(text: str) -> list[ScannedEntry[FieldSpan]]:
    """Every ``@command`` of ``text`` in file order, faulty ones included (``fault`` set)."""
    scanner, out = Scanner(text), []
    for item, start, limit in scanner.commands():
        if isinstance(item, Fault):
            m = AT.match(text, start)
            assert m is not None  # (commands() yields where an @command starts)
            km = _KEY.match(text, scanner.ws(m.end()), limit)
            key = km.group() if km and scanner.char(scanner.ws(km.end()), limit) != "=" else ""
            out.append(ScannedEntry(m.group(1).lower(), key, start, limit, [], line=scanner.line(start),
                                    fault=item.message, fault_line=scanner.line(item.pos)))
        else:
            out.append(ScannedEntry(item.command, item.key, item.start, item.end,
                                    [FieldSpan._make(f) for f in item.fields], line=scanner.line(start),
                                    plain=item.plain))
    return out
