"""The text model (runs with marks, math kept as TeX source) and its three writers."""
from __future__ import annotations

import html
import re
from .case import protect_case
from .items import MARKS, NO_MARKS, Item, Math, Run, TextWarning
from .tables import SUBSCRIPTS, SUPERSCRIPTS

__all__ = ["MARKS", "NO_MARKS", "Item", "Math", "Run", "Text", "TextWarning"]

def script(text: str, marks: frozenset[str]) -> str:
    """A run's text in Unicode super- or subscript characters when it is ``sup`` or
    ``sub`` and every character has one; otherwise as it is."""
    table = SUPERSCRIPTS if "sup" in marks else SUBSCRIPTS if "sub" in marks else None
    if table is None or ("sup" in marks and "sub" in marks):
        return text
    try:
        return "".join([table[c] for c in text])
    except KeyError:
        return text


def scriptable(text: str, marks: frozenset[str]) -> bool:
    if "sup" in marks and "sub" in marks:
        return False
    table = SUPERSCRIPTS if "sup" in marks else SUBSCRIPTS if "sub" in marks else None
    return table is None or all(c in table for c in text)


# ----------------------------------------------------------------------------- writers

_HTML_ORDER = ("bold", "italic", "smallcaps", "mono", "sup", "sub")
_HTML_OPEN = {"bold": "<b>", "italic": "<i>", "smallcaps": '<span class="cp-sc">',
              "mono": "<code>", "sup": "<sup>", "sub": "<sub>"}
_HTML_CLOSE = {"bold": "</b>", "italic": "</i>", "smallcaps": "</span>", "mono": "</code>",
               "sup": "</sup>", "sub": "</sub>"}
_TEX_ORDER = ("bold", "italic", "smallcaps", "mono", "sup", "sub", "nocase")
_TEX_OPEN = {"bold": "\\textbf{", "italic": "\\textit{", "smallcaps": "\\textsc{",
             "mono": "\\texttt{", "sup": "\\textsuperscript{", "sub": "\\textsubscript{",
             "nocase": "{"}


def nest(atoms: list[tuple[str, frozenset[str]]], order: tuple[str, ...],
         opening: dict[str, str], closing: dict[str, str] | None = None) -> str:
    """Fragments with marks as nested open/close markup: a mark stays open while the
    following fragments keep it; marks open in ``order`` (outermost first)."""
    out: list[str] = []
    stack: list[str] = []
    for fragment, marks in atoms:
        keep = 0
        while keep < len(stack) and stack[keep] in marks:
            keep += 1
        while len(stack) > keep:
            mark = stack.pop()
            out.append(closing[mark] if closing else "}")
        for mark in order:
            if mark in marks and mark not in stack:
                stack.append(mark)
                out.append(opening[mark])
                if mark == "nocase" and fragment.startswith("\\"):
                    out.append("{}")  # "{\x" would be a BibTeX special character, not protection
        out.append(fragment)
    while stack:
        mark = stack.pop()
        out.append(closing[mark] if closing else "}")
    return "".join(out)


_TEX_ESCAPE = {"&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_", "{": "\\{",
               "}": "\\}", "\\": "\\textbackslash{}", "~": "\\textasciitilde{}",
               "^": "\\textasciicircum{}", "`": "\\textasciigrave{}", "\u00a0": "~", "\u2009": "\\,"}
_TEX_SPECIAL = re.compile(r"[&%$#_{}\\~^`\u00a0\u2009]")
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')")


def tex_escape(text: str) -> str:
    """Text as TeX that reads back as the same text: special characters escaped (a
    backtick, which TeX reads as an opening quote, too), the ligatures ``--`` and ``''``
    broken with ``{}``, a no-break space as ``~``."""
    if _TEX_SPECIAL.search(text):
        text = _TEX_SPECIAL.sub(lambda m: _TEX_ESCAPE[m.group()], text)
    if "--" in text or "''" in text:
        text = _LIGATURE.sub("{}", text)
    return text


class Text:
    """Text read from TeX, JATS/HTML/MathML or plain text (immutable).

    ``items``: :class:`Run` and :class:`Math` values; ``warnings``: what could not be read
    (:class:`TextWarning`); ``source``: ``"tex"``, ``"markup"`` or ``"plain"`` (a TeX
    source's braces say which case is protected; for the others :meth:`tex` decides, see
    :func:`citeproof.text.case.protect_case`).
    """

    __slots__ = ("items", "warnings", "source", "_plain")

    def __init__(self, items: tuple[Item, ...] = (), warnings: tuple[TextWarning, ...] = (),
                 source: str = "plain"):
        self.items, self.warnings, self.source = items, warnings, source
        self._plain: str | None = None

    def __repr__(self) -> str:
        return f"Text({self.items!r}, warnings={self.warnings!r}, source={self.source!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and (self.items, self.warnings) == (other.items, other.warnings)

    def __hash__(self) -> int:
        return hash(self.items)

    def __str__(self) -> str:
        return self.plain()

    def __bool__(self) -> bool:
        return bool(self.items)

    # -- plain ---------------------------------------------------------------------------

    def plain(self) -> str:
        """Unicode text, for comparison and metadata: marks dropped, super- and subscripts
        as Unicode characters where Unicode has them all (``H₂O``, ``¹⁵³Tb``), math as
        Unicode or else as its TeX source (without ``$``)."""
        if self._plain is None:
            items = self.items
            if len(items) == 1 and type(items[0]) is Run and not items[0].marks:
                self._plain = items[0].text
            else:
                self._plain = "".join(_plain_item(i) for i in items)
        return self._plain

    # -- html ----------------------------------------------------------------------------

    def html(self) -> str:
        """Safe HTML for display: all text escaped; the only tags are ``<i>``, ``<b>``,
        ``<sup>``, ``<sub>``, ``<span class="cp-sc">`` (small caps), ``<code>`` (monospaced
        text) and ``<code class="cp-math">`` (math kept as TeX source)."""
        atoms: list[tuple[str, frozenset[str]]] = []
        for item in self.items:
            if type(item) is Run:
                atoms.append((html.escape(item.text, quote=False), item.marks))
            elif item.runs is None:
                atoms.append(('<code class="cp-math">' + html.escape(item.tex, quote=False) + "</code>",
                              item.marks - {"mono"}))
            else:
                for run in item.runs:
                    atoms.append((html.escape(run.text, quote=False), item.marks | run.marks))
        return nest(atoms, _HTML_ORDER, _HTML_OPEN, _HTML_CLOSE)

    # -- tex -----------------------------------------------------------------------------

    def tex(self, protect: str = "auto") -> str:
        """The text as a BibTeX field value (UTF-8; without the outer delimiters).

        Marks as ``\\textit{}``, ``\\textbf{}``, ``\\textsc{}``, ``\\texttt{}``,
        ``\\textsuperscript{}``, ``\\textsubscript{}``; math as ``$...$``; special
        characters escaped; braces always balanced. ``protect``: ``"auto"`` keeps a TeX
        source's case braces and, for text read from markup or plain text, braces the words
        :func:`~citeproof.text.case.protect_case` picks; ``"all"`` braces the whole value
        (as ``citeproof add`` does today); ``"none"`` writes no case braces."""
        items = self.items
        if protect == "auto" and self.source != "tex":
            items = protect_case(items)
        atoms: list[tuple[str | list[str], frozenset[str]]] = []  # (runs' text: a list to escape)
        for item in items:
            marks = item.marks if protect == "auto" else item.marks - {"nocase"}
            if type(item) is Run:
                if atoms and atoms[-1][1] == marks and type(atoms[-1][0]) is list:
                    atoms[-1][0].append(item.text)
                else:
                    atoms.append(([item.text], marks))
            else:
                atoms.append(("$" + item.tex + "$" if item.tex else "", marks - {"nocase"}))
        pieces = [(tex_escape("".join(f)) if isinstance(f, list) else f, m) for f, m in atoms]
        out = nest(pieces, _TEX_ORDER, _TEX_OPEN)
        if protect == "all" and out:
            out = "{" + ("{}" if out.startswith("\\") else "") + out + "}"
        return out


def _plain_item(item: Item) -> str:
    if type(item) is Run:
        return script(item.text, item.marks) if item.marks else item.text
    if item.runs is None:
        return item.tex
    return "".join(script(r.text, r.marks) if r.marks else r.text for r in item.runs)
