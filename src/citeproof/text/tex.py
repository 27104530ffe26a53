"""TeX (a BibTeX/biblatex field value) -> :class:`~citeproof.text.model.Text`.

A small tokenizer (one regular expression) and a reader with bounded nesting; nothing
is executed: ``\\def``, ``\\input``, ``\\write18`` and the like are read as nothing and
reported. What the tables (:mod:`.tables`) do not know:

- an unknown ``\\foo{bar}`` (a macro right before a group) prints ``bar``; an unknown
  ``\\foo`` alone (or ``\\foo{}``) prints ``foo``, the name as a word: most such macros in
  real bibliographies are logos named by what they print (``\\VAX``, ``\\XML``); both
  are reported (``unknown-macro``, naming ``\\foo``);
- an unknown control symbol (``\\<``) prints its character;
- TUGboat's own macros (``\\acro``, ``\\Dash``, ``\\TUB`` ..., defined in tugboat.def,
  not in LaTeX) are read as TUGboat prints them and reported as ``nonstandard-macro``.

Braces not taken as a macro's argument protect case (mark ``nocase``), except a group
that is one accented or special letter (``{\\"o}``, BibTeX's "special character").
``--`` and ``---`` are dashes, ````` `` ````` and ``''`` curly double quotes; a lone
backtick is an opening single quote (‘) and the ``'`` that closes it (the first after it
that no letter or digit follows) a closing one (’), as TeX sets them; any other ``'``, an
apostrophe, stays as typed. ``~`` is a no-break space; a bare ``%`` is a percent sign (BibTeX does
not treat it as a comment); ``&``, ``#``, ``^``, ``_`` outside math print as themselves.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Mapping, NamedTuple

from .math import clean_math, read_math
from .model import NO_MARKS, Math, Run, TextWarning
from .tables import (ACCENTS, DECLARATIONS, DIMENSION_COMMANDS, FIRST_OF_TWO, FORMAT_COMMANDS,
                     HOLOGO, LOGOS, NEVER_RUN, NTH, SECOND_OF_TWO, SPACING_ACCENTS, SWALLOW,
                     SYMBOLS, TUGBOAT, VERBATIM)

__all__ = ["Macro", "Macros", "macros_from_preamble", "read_tex"]

# kinds: 1 control word (with the spaces after it), 2 control symbol, 3 trailing
# backslash, 4 brace, 5 $, 6 ligature, 7 ~, 8 spaces, 9 text
_TOKEN = re.compile(
    r"(\\[A-Za-z]+\*?[ \t\n\r\f\v]*)|(\\[^A-Za-z])|(\\)|([{}])|(\$)|(---?|``|''|`)|(~)"
    r"|([ \t\n\r\f\v]+)"
    # text: starts with no space (so spaces before an argument are their own token), then
    # anything but what the other kinds start with; a lone - ' is text (a lone ` a quote)
    # (a run of plain characters taken whole: one step per run, not per character; greedy,
    # and nothing after it can fail, so it is never given back)
    r"|((?:[^\\{}$~`' \t\n\r\f\v-]|-(?!-)|'(?!'))(?:[^\\{}$~`'-]+|-(?!-)|'(?!'))*)", re.S)
CW, CS, BACKSLASH, BRACE, DOLLAR, LIGATURE, TILDE, SPACE, TEXT = range(1, 10)
_LIGATURES = {"--": "–", "---": "—", "``": "“", "''": "”", "`": "‘"}
MAX_DEPTH = 100
MAX_EXPANSIONS = 1000
_DIMENSION = re.compile(
    r"[ \t]*[-+]?[ \t]*(?:\d+(?:[.,]\d*)?|[.,]\d+)[ \t]*(?:true[ \t]*)?(?:em|ex|pt|pc|in|cm|mm|bp|dd|cc|sp|mu)"
    r"(?:[ \t]+plus[ \t]*[-+]?[ \t]*(?:\d*[.,]?\d+)[ \t]*(?:fil+|em|ex|pt|mu)?)?"
    r"(?:[ \t]+minus[ \t]*[-+]?[ \t]*(?:\d*[.,]?\d+)[ \t]*(?:fil+|em|ex|pt|mu)?)?[ \t]*")
_NOCASE = frozenset({"nocase"})
_DEFINING = frozenset({"def", "edef", "gdef", "xdef", "newcommand", "renewcommand",
                       "providecommand", "DeclareRobustCommand", "newenvironment",
                       "renewenvironment", "let", "futurelet"})
_NUMBERED = frozenset({"write", "openout", "openin", "closeout", "closein", "read", "catcode",
                       "uccode", "lccode", "mathcode"})
_ONE_ARGUMENT = frozenset({"begin", "end", "usepackage", "RequirePackage", "documentclass",
                           "input", "include", "includeonly", "InputIfFileExists", "special",
                           "directlua", "latelua", "ShellEscape", "message", "typeout",
                           "errmessage"})
#: a group that is one accented/special letter is BibTeX's "special character"
_SPECIAL_LETTER = frozenset(ACCENTS) | {n for n, t in SYMBOLS.items() if len(t) == 1 and t.isalpha()}


class Macro(NamedTuple):
    """A macro the bib defines (``@preamble{"\\newcommand{\\noopsort}[1]{}"}``)."""
    nargs: int
    body: str


class Macros(tuple):
    """An immutable, hashable table of :class:`Macro` by name (without backslash)."""

    table: dict[str, Macro]  # (set by __new__)

    def __new__(cls, items: Mapping[str, "Macro | str | tuple[int, str]"] | None = None):
        pairs = []
        for name, value in (items or {}).items():
            if isinstance(value, str):
                value = Macro(0, value)
            pairs.append((name.lstrip("\\"), Macro(int(value[0]), str(value[1]))))
        self = super().__new__(cls, sorted(pairs))
        self.table = dict(pairs)
        return self


_DEFINITION = re.compile(
    r"\\(?:(?:re)?newcommand|providecommand|DeclareRobustCommand)\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))"
    r"\s*(?:\[\s*(\d)\s*\])?\s*(\[[^\]]*\])?\s*\{"
    r"|\\[gex]?def\s*\\([A-Za-z]+)((?:#\d)*)\s*\{")


def macros_from_preamble(preamble: str) -> Macros:
    """The simple macros a bib's ``@preamble`` defines: ``\\newcommand{\\x}[n]{body}``,
    ``\\providecommand``, ``\\renewcommand``, ``\\def\\x#1{body}`` (never run: only read
    as definitions; an optional argument's default is not kept)."""
    found: dict[str, Macro] = {}
    for m in _DEFINITION.finditer(preamble):
        name = m.group(1) or m.group(2) or m.group(5)
        nargs = int(m.group(3) or 0) if m.group(5) is None else len(m.group(6) or "") // 2
        depth, j = 1, m.end()
        while j < len(preamble) and depth:
            c = preamble[j]
            if c == "\\":
                j += 1
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            j += 1
        if depth == 0 and name:
            found[name] = Macro(nargs, preamble[m.end():j - 1])
    return Macros(found)


class _Tok:
    __slots__ = ("kind", "text")

    def __init__(self, kind: int, text: str):
        self.kind, self.text = kind, text


def _tokens(source: str) -> list[_Tok]:
    # (every alternative of _TOKEN is a group, so a match's lastindex is an int)
    return [_Tok(m.lastindex, m.group(m.lastindex)) for m in _TOKEN.finditer(source)]  # type: ignore[arg-type]


class TexReader:
    def __init__(self, value: str, macros: Macros | None = None):
        self.toks = _tokens(value)
        self.i = 0
        self.out: list[Run | Math] = []
        self.warnings: dict[tuple[str, str], TextWarning] = {}
        self.macros = macros.table if macros else {}
        self.expansions = 0
        self.flat = 0  # braces opened beyond MAX_DEPTH (read as nothing)
        self.no_close: dict[str, int] = {}
        self.quotes = 0  # single quotes opened (`) and not yet closed

    # -- helpers -------------------------------------------------------------------------

    def warn(self, code: str, name: str, message: str) -> None:
        self.warnings.setdefault((code, name), TextWarning(code, name, message))

    def emit(self, text: str, marks: frozenset[str]) -> None:
        if text:
            self.out.append(Run(text, marks))

    def close_quotes(self, text: str) -> str:
        """``text`` with each ``'`` that closes an opened single quote as ’: the first ``'``
        after it that no letter or digit follows (``Don't`` keeps its apostrophe)."""
        chars = list(text)
        for i, char in enumerate(chars):
            if char == "'" and self.quotes and not text[i + 1:i + 2].isalnum():
                chars[i] = "’"
                self.quotes -= 1
        return "".join(chars)

    def next_tok(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def skip_spaces(self) -> None:
        while self.i < len(self.toks) and self.toks[self.i].kind == SPACE:
            self.i += 1

    def take_chars(self, n: int) -> None:
        """Consume the next ``n`` characters of the token stream (splitting a token)."""
        while n > 0 and self.i < len(self.toks):
            tok = self.toks[self.i]
            if len(tok.text) <= n:
                n -= len(tok.text)
                self.i += 1
            else:
                rest = tok.text[n:]
                self.toks[self.i] = _Tok(*_retoken(rest))
                n = 0

    def lookahead(self, limit: int = 80) -> str:
        text, j = "", self.i
        while j < len(self.toks) and len(text) < limit:
            text += self.toks[j].text
            j += 1
        return text

    def raw_arg(self) -> str:
        """The next argument's source, unread: a group's content or one token."""
        self.skip_spaces()
        tok = self.next_tok()
        if tok is None:
            return ""
        if tok.kind == BRACE and tok.text == "{":
            self.i += 1
            depth, parts = 1, list[str]()
            while self.i < len(self.toks):
                t = self.toks[self.i]
                self.i += 1
                if t.kind == BRACE:
                    depth += 1 if t.text == "{" else -1
                    if depth == 0:
                        return "".join(parts)
                parts.append(t.text)
            self.warn("unbalanced-braces", "{", "a { is not closed")
            return "".join(parts)
        if tok.kind == BRACE:
            return ""
        if tok.kind == TEXT and len(tok.text) > 1:
            self.take_chars(1)
            return tok.text[0]
        self.i += 1
        return tok.text

    def skip_optional(self) -> None:
        ahead = self.lookahead(200).lstrip(" \t\n\r")
        if ahead.startswith("["):
            end = ahead.find("]")
            if end >= 0:
                self.skip_spaces()
                self.take_chars(end + 1)

    def capture(self, fn) -> list[Run | Math]:
        saved, self.out = self.out, []
        try:
            fn()
            return self.out
        finally:
            self.out = saved

    def find_close(self, kind: int, text: str) -> int:
        """Index of the next token ``kind``/``text`` from here, or -1 (remembered, so
        that many unclosed openers cost one scan)."""
        key = f"{kind}{text}"
        if self.no_close.get(key, len(self.toks) + 1) <= self.i:
            return -1
        for j in range(self.i, len(self.toks)):
            t = self.toks[j]
            if t.kind == kind and t.text == text:
                return j
        self.no_close[key] = self.i
        return -1

    # -- reading -------------------------------------------------------------------------

    def read(self) -> None:
        self.seq(NO_MARKS, 0, group=False)

    def seq(self, marks: frozenset[str], depth: int, group: bool) -> None:
        """Tokens until the ``}`` closing this group (consumed) or the end."""
        toks = self.toks
        while self.i < len(toks):
            tok = toks[self.i]
            kind = tok.kind
            if kind == TEXT or kind == SPACE:
                self.i += 1
                self.out.append(Run(self.close_quotes(tok.text) if self.quotes and "'" in tok.text else tok.text,
                                    marks))
            elif kind == BRACE:
                self.i += 1
                if tok.text == "}":
                    if self.flat:
                        self.flat -= 1
                    elif group:
                        return
                    else:
                        self.warn("unbalanced-braces", "}", "a } closes nothing: ignored")
                elif depth >= MAX_DEPTH:
                    self.flat += 1
                    self.warn("too-deep", "{", f"braces nested more than {MAX_DEPTH} deep: the deeper ones are ignored")
                else:
                    nxt = self.next_tok()
                    special = (nxt is not None and nxt.kind in (CW, CS)
                               and nxt.text[1:].rstrip() in _SPECIAL_LETTER)
                    self.seq(marks if special else marks | _NOCASE, depth + 1, True)
            elif kind == CW:
                self.i += 1
                name = tok.text[1:].rstrip()
                declared = DECLARATIONS.get(name)
                if declared is not None:
                    marks = marks | {declared} if declared else marks
                elif name in TUGBOAT and TUGBOAT[name][0] == 0 and TUGBOAT[name][2] and not TUGBOAT[name][1]:
                    self.nonstandard(name)
                    marks = marks | {TUGBOAT[name][2]}
                else:
                    self.control_word(tok, name, marks, depth)
            else:
                self.i += 1
                self.other(tok, marks, depth)
        if group:
            self.warn("unbalanced-braces", "{", "a { is not closed: closed at the end")

    def other(self, tok: _Tok, marks: frozenset[str], depth: int) -> None:
        kind = tok.kind
        if kind == LIGATURE:
            self.quotes += tok.text == "`"
            self.emit(_LIGATURES[tok.text], marks)
        elif kind == TILDE:
            self.emit("\u00a0", marks)
        elif kind == DOLLAR:
            self.math_shift(marks)
        elif kind == CS:
            self.control_symbol(tok.text[1], marks, depth)
        elif kind == BACKSLASH:
            self.warn("trailing-backslash", "\\", "a backslash ends the value: kept as written")
            self.emit("\\", marks)

    def control_symbol(self, char: str, marks: frozenset[str], depth: int) -> None:
        if char in ACCENTS:
            self.accent(char, marks, depth)
        elif char == "(":
            self.delimited_math(CS, "\\)", marks)
        elif char == "[":
            self.delimited_math(CS, "\\]", marks)
        elif char in SYMBOLS:
            self.emit(SYMBOLS[char], marks)
        elif char == "<" and (meta := re.match(r"([^<>{}\\$]{1,80})>", self.lookahead(82))):
            self.take_chars(meta.end())  # TUGboat's \<name>: a meta-variable, ⟨name⟩
            self.nonstandard("<")
            self.emit(f"⟨{meta.group(1)}⟩", marks)
        else:
            self.warn("unknown-macro", "\\" + char, f"unknown control symbol \\{char}: read as {char!r}")
            self.emit(char, marks)

    def arg(self, marks: frozenset[str], depth: int) -> None:
        """Read the next argument: a group (no case protection of its own) or one token."""
        self.skip_spaces()
        tok = self.next_tok()
        if tok is None or depth > MAX_DEPTH:
            return
        if tok.kind == BRACE:
            if tok.text == "{":
                self.i += 1
                self.seq(marks, depth + 1, True)
            return
        if tok.kind == TEXT and len(tok.text) > 1:
            self.take_chars(1)
            self.emit(tok.text[0], marks)
            return
        self.i += 1
        if tok.kind == CW:
            self.control_word(tok, tok.text[1:].rstrip(), marks, depth + 1)
        elif tok.kind in (TEXT, SPACE):
            self.emit(tok.text, marks)
        else:
            self.other(tok, marks, depth + 1)

    def accent(self, name: str, marks: frozenset[str], depth: int) -> None:
        runs = self.capture(lambda: self.arg(marks, depth + 1))
        first = next((k for k, r in enumerate(runs) if type(r) is Run and r.text.strip()), None)
        if first is None:
            self.emit(SPACING_ACCENTS.get(name, ""), marks)
            self.out.extend(runs)
            return
        r = runs[first]
        assert isinstance(r, Run)  # (chosen above as one)
        text = r.text.lstrip()
        base = {"ı": "i", "ȷ": "j"}.get(text[0], text[0])
        runs[first] = Run(unicodedata.normalize("NFC", base + ACCENTS[name]) + text[1:], r.marks)
        self.out.extend(runs)

    def control_word(self, tok: _Tok, name: str, marks: frozenset[str], depth: int) -> None:
        if name.endswith("*") and name not in ("enquote*", "textquote*"):
            name = name[:-1]  # a starred form reads as the plain one (\hspace*, \mbox*)
        if depth > MAX_DEPTH:
            self.warn("too-deep", "\\" + name, "macros nested too deep: ignored")
            return
        if name in self.macros:
            self.expand(name, marks, depth)
        elif name in SYMBOLS:
            self.emit(SYMBOLS[name], marks)
        elif name in ACCENTS:
            self.accent(name, marks, depth)
        elif name in FORMAT_COMMANDS:
            if name in ("makebox", "framebox"):
                self.skip_optional()
                self.skip_optional()
            if name == "ensuremath":
                self.math(self.raw_arg(), marks)
                return
            mark = FORMAT_COMMANDS[name]
            self.arg(marks | {mark} if mark else marks, depth)
        elif name in ("enquote", "mkbibquote", "textquote", "enquote*", "textquote*"):
            single = name.endswith("*")
            self.emit("‘" if single else "“", marks)
            self.arg(marks, depth)
            self.emit("’" if single else "”", marks)
        elif name in ("mkbibparens", "mkbibbrackets"):
            self.emit("(" if name == "mkbibparens" else "[", marks)
            self.arg(marks, depth)
            self.emit(")" if name == "mkbibparens" else "]", marks)
        elif name in LOGOS:
            self.emit(LOGOS[name], marks)
        elif name in VERBATIM:
            self.verbatim(name, marks)
        elif name in SECOND_OF_TWO:
            self.skip_optional()
            self.raw_arg()
            self.arg(marks, depth)
        elif name in FIRST_OF_TWO:
            self.arg(marks, depth)
            self.raw_arg()
        elif name in SWALLOW:
            for _ in range(SWALLOW[name]):
                self.raw_arg()
        elif name in DIMENSION_COMMANDS:
            if name.startswith("hspace"):
                self.raw_arg()
            else:
                m = _DIMENSION.match(self.lookahead())
                if m:
                    self.take_chars(m.end())
            self.emit(DIMENSION_COMMANDS[name], marks)
        elif name == NTH:
            self.emit(_ordinal(self.raw_arg().strip()), marks)
        elif name == HOLOGO:
            logo = self.raw_arg().strip()
            self.emit(LOGOS.get(logo, logo), marks)
        elif name == "char":
            self.char(marks)
        elif name in TUGBOAT:
            self.nonstandard(name)
            nargs, text, mark = TUGBOAT[name]
            self.emit(text, marks | {mark} if mark and not nargs else marks)
            if nargs:
                self.arg(marks | {mark} if mark else marks, depth)
        elif name in NEVER_RUN:
            self.warn("ignored-macro", "\\" + name, f"\\{name} is not run (a bib value is only read)")
            self.skip_never_run(name)
        elif name in DECLARATIONS:  # a declaration as an argument: nothing to print
            pass
        else:
            self.unknown(tok, name, marks, depth)

    def skip_never_run(self, name: str) -> None:
        """Skip what a never-run command would take (``\\def\\x#1{...}``, ``\\write18{...}``),
        so that its arguments do not print either."""
        if name in _DEFINING:
            self.skip_spaces()
            tok = self.next_tok()
            if tok is not None and tok.kind in (CW, CS):
                self.i += 1
            elif tok is not None and tok.kind == BRACE:
                self.raw_arg()
            m = re.match(r"[ \t]*(?:#\d)*[ \t]*(?:\[\d\][ \t]*)?(?:\[[^\]]*\][ \t]*)?", self.lookahead(40))
            if m and m.end():
                self.take_chars(m.end())
            self.raw_arg()
            if name in ("newenvironment", "renewenvironment"):
                self.raw_arg()
        elif name in _NUMBERED:
            m = re.match(r"[ \t]*-?\d*[ \t]*=?[ \t]*", self.lookahead(20))
            if m and m.end():
                self.take_chars(m.end())
            if name == "write":
                self.raw_arg()
        elif name in _ONE_ARGUMENT:
            self.skip_optional()
            self.raw_arg()

    def nonstandard(self, name: str) -> None:
        self.warn("nonstandard-macro", "\\" + name,
                  f"\\{name} is TUGboat's (tugboat.def), not LaTeX's: read as TUGboat prints it")

    def unknown(self, tok: _Tok, name: str, marks: frozenset[str], depth: int) -> None:
        nxt = self.next_tok()
        followed = nxt is not None and nxt.kind == BRACE and nxt.text == "{" and tok.text[-1] not in " \t\n\r\f\v"
        empty = followed and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "}"
        if followed and not empty:
            self.warn("unknown-macro", "\\" + name, f"unknown macro \\{name}: read as its argument")
            self.arg(marks, depth)
        else:
            self.warn("unknown-macro", "\\" + name, f"unknown macro \\{name}: read as {name!r}")
            space = " " if tok.text[-1] in " \t\n\r\f\v" else ""
            self.emit(name.rstrip("*") + space, marks)

    def expand(self, name: str, marks: frozenset[str], depth: int) -> None:
        macro = self.macros[name]
        args = [self.raw_arg() for _ in range(macro.nargs)]
        self.expansions += 1
        body = macro.body
        if self.expansions > MAX_EXPANSIONS or len(body) * self.expansions > 200_000:
            self.warn("expansion-limit", "\\" + name, f"\\{name} expands too often or too much: stopped")
            return
        if args:
            body = re.sub(r"#([1-9#])", lambda m: "#" if m.group(1) == "#" else
                          (args[int(m.group(1)) - 1] if int(m.group(1)) <= len(args) else ""), body)
        self.toks[self.i:self.i] = _tokens(body)
        self.no_close.clear()

    def verbatim(self, name: str, marks: frozenset[str]) -> None:
        self.skip_spaces()
        tok = self.next_tok()
        if tok is None:
            return
        if tok.kind == BRACE:
            text = self.raw_arg()
        else:
            delimiter = tok.text[0]
            self.take_chars(1)
            ahead = self.lookahead(10_000)
            end = ahead.find(delimiter)
            end = len(ahead) if end < 0 else end
            text = ahead[:end]
            self.take_chars(end + 1)
        self.emit(text, marks | {"mono"})

    def char(self, marks: frozenset[str]) -> None:
        ahead = self.lookahead(12)
        m = re.match(r"[ \t]*(?:`\\?(.)|\"([0-9A-Fa-f]+)|'([0-7]+)|(\d+))[ \t]?", ahead, re.S)
        if not m:
            self.warn("unknown-macro", "\\char", "\\char without a character code: ignored")
            return
        self.take_chars(m.end())
        code = (ord(m.group(1)) if m.group(1) else int(m.group(2), 16) if m.group(2)
                else int(m.group(3), 8) if m.group(3) else int(m.group(4)))
        if 32 <= code < 0x110000 and not 0x7f <= code < 0xa0 and not 0xd800 <= code < 0xe000:
            self.emit(chr(code), marks)

    # -- math ----------------------------------------------------------------------------

    def math_shift(self, marks: frozenset[str]) -> None:
        nxt = self.next_tok()
        if nxt is not None and nxt.kind == DOLLAR:  # $$ display math $$
            self.i += 1
            end = self.find_close(DOLLAR, "$")
            if end >= 0 and end + 1 < len(self.toks) and self.toks[end + 1].kind == DOLLAR:
                source = "".join(t.text for t in self.toks[self.i:end])
                self.i = end + 2
                self.math(source, marks)
                return
            self.i -= 1
        end = self.find_close(DOLLAR, "$")
        if end < 0:
            self.warn("unclosed-math", "$", "a $ opens math that is not closed: read as a dollar sign")
            self.emit("$", marks)
            return
        source = "".join(t.text for t in self.toks[self.i:end])
        self.i = end + 1
        self.math(source, marks)

    def delimited_math(self, kind: int, close: str, marks: frozenset[str]) -> None:
        end = self.find_close(kind, close)
        if end < 0:
            self.warn("unclosed-math", close[:-1] + "(" if close == "\\)" else "\\[",
                      f"math opened without its {close}: read as text")
            return
        source = "".join(t.text for t in self.toks[self.i:end])
        self.i = end + 1
        self.math(source, marks)

    def math(self, source: str, marks: frozenset[str]) -> None:
        source = clean_math(source)
        runs, warnings = read_math(source)
        for w in warnings:
            self.warn(w.code, w.name, w.message)
        self.out.append(Math(source, runs, marks - _NOCASE))


def _retoken(text: str) -> tuple[int, str]:
    m = _TOKEN.match(text)
    if m and m.end() == len(text):
        return m.lastindex, text  # type: ignore[return-value]  # (every alternative is a group)
    return TEXT, text


def _ordinal(number: str) -> str:
    if not number.isdigit():
        return number
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return number + suffix


def read_tex(value: str, macros: Macros | None = None) -> tuple[list[Run | Math], list[TextWarning]]:
    reader = TexReader(value, macros)
    reader.read()
    return reader.out, list(reader.warnings.values())
