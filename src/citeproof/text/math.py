"""TeX math -> runs of Unicode (marks ``sup``, ``sub``, ``italic``, ``bold``, ``mono``).

``$x^2$`` -> ``x`` + ``2`` (sup), shown ``x²``; ``$\\alpha$`` -> ``α``; ``$O(n \\log n)$`` ->
``O(n log n)``. Math that Unicode cannot show (a script Unicode has no characters for, a
script inside a script, a root with an index, a macro not in the tables) has no reading:
:func:`read_math` gives ``None`` and the text keeps the TeX source.
"""
from __future__ import annotations

import re
import unicodedata

from .model import NO_MARKS, Run, TextWarning, scriptable
from .tables import (ACCENTS, GREEK, LETTER_STYLES, LOGOS, MATH_ACCENTS, MATH_FONTS,
                     MATH_FUNCTIONS, MATH_SPACES, MATH_SYMBOLS, SYMBOLS)

__all__ = ["read_math"]

_TOKEN = re.compile(r"(\\[A-Za-z]+)[ \t\n\r\f\v]*|(\\.?)|([ \t\n\r\f\v]+)|(.)", re.S)
MAX_DEPTH = 50
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac", "nicefrac", "sfrac"})
_UNREADABLE_TWO = frozenset({"binom", "dbinom", "tbinom", "overset", "underset", "stackrel"})
_LETTER_OR_DIGIT = re.compile(r"\w")
_TEXT_FONTS = frozenset({"text", "textrm", "textnormal", "mbox", "hbox", "textit", "textbf",
                         "texttt", "textsf", "textup", "textsc", "emph"})


class _MathReader:
    def __init__(self, source: str):
        # (every alternative of _TOKEN is a group: k is always set, the test never fails)
        self.toks = [(k, m.group(k)) for m in _TOKEN.finditer(source) if (k := m.lastindex)]
        self.i = 0
        self.out: list[Run] = []
        self.ok = True
        self.pad = False  # a function name was just written: space before a following word
        self.textmode = 0  # inside \text{}: spaces print, - is a hyphen
        self.warnings: list[TextWarning] = []

    # -- output ------------------------------------------------------------------------

    def emit(self, text: str, marks: frozenset[str]) -> None:
        if not text:
            return
        if self.pad and _LETTER_OR_DIGIT.match(text):
            text = " " + text
        self.pad = False
        self.out.append(Run(text, marks))

    def word(self, text: str, marks: frozenset[str]) -> None:
        """An operator name (``log``): a space on each side next to a letter or digit."""
        if self.out and _LETTER_OR_DIGIT.match(self.out[-1].text[-1:]):
            text = " " + text
        self.pad = False
        self.out.append(Run(text, marks))
        self.pad = True

    def fail(self, code: str = "", name: str = "", message: str = "") -> None:
        self.ok = False
        if code:
            self.warnings.append(TextWarning(code, name, message))

    # -- parsing -----------------------------------------------------------------------

    def seq(self, marks: frozenset[str], depth: int, group: bool) -> None:
        while self.i < len(self.toks):
            kind, tok = self.toks[self.i]
            if kind == 4 and tok == "}":
                self.i += 1
                if group:
                    return
                continue
            self.atom(marks, depth)

    def atom(self, marks: frozenset[str], depth: int) -> None:
        """One atom: a group, a control sequence with its arguments, or one character."""
        if self.i >= len(self.toks):
            return
        kind, tok = self.toks[self.i]
        self.i += 1
        if depth > MAX_DEPTH:
            self.fail("too-deep", "", "math nested too deep: kept as TeX source")
            self.i = len(self.toks)
            return
        if kind == 3:
            if self.textmode:
                self.emit(" ", marks)
            return  # spaces do not print in math
        if kind == 4:
            if tok == "{":
                self.seq(marks, depth + 1, True)
            elif tok in "^_":
                script = "sup" if tok == "^" else "sub"
                if "sup" in marks or "sub" in marks:
                    self.fail()  # a script inside a script: no Unicode for it
                self.skip_spaces()
                self.atom(marks | {script}, depth + 1)
            elif tok == "'":
                self.emit("′", marks)
            elif tok == "-":
                self.emit("-" if self.textmode else "−", marks)
            elif tok == "~":
                self.emit(" ", marks)
            elif tok == "&" or tok == "#":
                self.fail()
                self.emit(tok, marks)
            elif tok == "$":
                pass
            else:
                self.emit(tok, marks)
            return
        if kind == 2:
            name = tok[1:]
            if name in MATH_SPACES:
                self.emit(MATH_SPACES[name], marks)
            elif name in MATH_SYMBOLS:
                self.emit(MATH_SYMBOLS[name], marks)
            elif name in ACCENTS:
                self.accent(ACCENTS[name], marks, depth)
            elif name == "":
                self.fail("trailing-backslash", "\\", "a backslash ends the math")
            else:
                self.fail("unknown-math", tok, f"unknown math command {tok}: kept as TeX source")
                self.emit(name, marks)
            return
        self.control_word(tok, marks, depth)

    def control_word(self, tok: str, marks: frozenset[str], depth: int) -> None:
        name = tok[1:]
        if name in MATH_SYMBOLS:
            self.emit(MATH_SYMBOLS[name], marks)
        elif name in MATH_FUNCTIONS:
            self.word(name, marks)
        elif name in MATH_SPACES:
            text = MATH_SPACES[name]
            if name in ("left", "right", "middle") and self.peek() == ".":
                self.i += 1
            if text:
                self.emit(text, marks)
        elif name in MATH_FONTS:
            style = MATH_FONTS[name]
            if style in LETTER_STYLES:
                start = len(self.out)
                self.arg(marks, depth)
                table = LETTER_STYLES[style]
                self.out[start:] = [Run("".join(table.get(c, c) for c in r.text), r.marks)
                                    for r in self.out[start:]]
            elif name == "operatorname":
                start = len(self.out)
                self.arg(marks, depth)
                text = "".join(r.text for r in self.out[start:])
                del self.out[start:]
                self.word(text, marks)
            elif name in _TEXT_FONTS:
                self.textmode += 1
                self.arg(marks | {style} if style else marks, depth)
                self.textmode -= 1
            else:
                self.arg(marks | {style} if style else marks, depth)
        elif name in MATH_ACCENTS:
            self.accent(MATH_ACCENTS[name], marks, depth)
        elif name in ACCENTS:
            self.accent(ACCENTS[name], marks, depth)
        elif name in _FRACTIONS:
            first, second = self.capture(marks, depth), self.capture(marks, depth)
            self.emit(_paren(first) + "/" + _paren(second), marks)
        elif name in ("sqrt", "surd"):
            if self.peek() == "[":
                self.fail()
            body = self.capture(marks, depth)
            self.emit("√" + _paren(body), marks)
        elif name == "not":
            start = len(self.out)
            self.atom(marks, depth + 1)
            if len(self.out) > start and self.out[start].text:
                r = self.out[start]
                self.out[start] = Run(unicodedata.normalize("NFC", r.text[0] + "\u0338") + r.text[1:], r.marks)
        elif name in _UNREADABLE_TWO:
            self.fail()
            self.arg(marks, depth)
            self.arg(marks, depth)
        elif name in LOGOS:
            self.emit(LOGOS[name], marks)
        elif name in SYMBOLS:
            self.emit(SYMBOLS[name], marks)
        elif name in GREEK:
            self.emit(GREEK[name], marks)
        else:
            self.fail("unknown-math", tok.rstrip(), f"unknown math command {tok.rstrip()}: kept as TeX source")
            self.emit(name, marks)

    def peek(self) -> str:
        j = self.i
        while j < len(self.toks) and self.toks[j][0] == 3:
            j += 1
        return self.toks[j][1] if j < len(self.toks) else ""

    def skip_spaces(self) -> None:
        while self.i < len(self.toks) and self.toks[self.i][0] == 3:
            self.i += 1

    def arg(self, marks: frozenset[str], depth: int) -> None:
        self.skip_spaces()
        self.atom(marks, depth + 1)

    def capture(self, marks: frozenset[str], depth: int) -> str:
        start = len(self.out)
        self.arg(marks, depth)
        text = "".join(r.text for r in self.out[start:])
        if any(r.marks - marks for r in self.out[start:]):
            self.fail()  # scripts inside a fraction or root: no flat Unicode for them
        del self.out[start:]
        return text

    def accent(self, mark: str, marks: frozenset[str], depth: int) -> None:
        start = len(self.out)
        self.arg(marks, depth)
        runs = self.out[start:]
        if not runs:
            return
        self.out[start:] = [Run(unicodedata.normalize(
            "NFC", "".join(c + mark if not c.isspace() else c for c in r.text.replace("ı", "i").replace("ȷ", "j"))),
            r.marks) for r in runs]


def _paren(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def clean_math(source: str) -> str:
    """Math source safe to write between ``$``: white space collapsed, braces balanced
    (an unmatched ``}`` dropped, a missing one added), a bare ``$ % # &`` escaped, a
    trailing lone backslash dropped."""
    source = " ".join(source.split())
    out: list[str] = []
    depth = 0
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            if i + 1 < n:
                out.append(source[i:i + 2])
                i += 2
                continue
            break
        if c == "{":
            depth += 1
        elif c == "}":
            if not depth:
                i += 1
                continue
            depth -= 1
        elif c in "$%#&":
            out.append("\\")
        out.append(c)
        i += 1
    return "".join(out) + "}" * depth


def read_math(source: str, marks: frozenset[str] = NO_MARKS) -> tuple[tuple[Run, ...] | None, list[TextWarning]]:
    """The Unicode reading of TeX math ``source`` (runs), or ``None`` when Unicode cannot
    show it; and the warnings (unknown commands)."""
    reader = _MathReader(source)
    reader.seq(marks, 0, False)
    runs = reader.out
    if reader.ok and not all(scriptable(r.text, r.marks) for r in runs):
        reader.ok = False
    if not reader.ok:
        return None, reader.warnings
    merged: list[Run] = []
    for r in runs:
        if merged and merged[-1].marks == r.marks:
            merged[-1] = Run(merged[-1].text + r.text, r.marks)
        else:
            merged.append(r)
    return tuple(merged), reader.warnings
