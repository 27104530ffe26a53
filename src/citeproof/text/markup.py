"""JATS / HTML / MathML (Crossref titles) -> :class:`~citeproof.text.model.Text`.

A hand tokenizer (one regular expression; nothing is fetched, run or expanded but the
five XML and all HTML character references, by :func:`html.unescape`), a lenient tree
(an unclosed element closes at the end; a stray end tag is ignored; nesting is capped),
and a walk that knows:

- marks: ``<i>``, ``<em>``, ``<italic>`` -> italic; ``<b>``, ``<strong>``, ``<bold>`` -> bold;
  ``<sup>``, ``<sub>``; ``<scp>``, ``<sc>``, ``<small-caps>`` -> small caps; ``<tt>``, ``<code>``,
  ``<monospace>`` -> mono (any namespace prefix, e.g. ``jats:``, is dropped);
- elements read as their text: ``<span>``, ``<a>``, ``<p>``, ``<title>``, ``<inline-formula>``,
  ``<named-content>``, ``<u>`` ... (``<br>`` is a space);
- ``<subtitle>`` (AMA's) -> ``": "`` and its text; ``<script>`` and ``<style>``: dropped;
- ``<math>`` (MathML) -> TeX math source (``msub``/``msup``/``msubsup``/``mmultiscripts``/
  ``mfrac``/``msqrt``/``mroot``/``mover``/``munder``/``mi``/``mn``/``mo``/``mtext``/``mfenced`` ...),
  read back like ``$...$`` from a bib; MathML it cannot convert falls back on the
  ``alttext`` attribute or a TeX ``<annotation>``, else is kept as text and reported;
- ``<tex-math>`` (JATS): TeX, read as from a bib.

Any other element is read as its text and reported (``unknown-element``). Markup that
Crossref escaped twice (``&lt;scp&gt;``) is read as markup when it is one of the known
inline elements.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import ClassVar

from .math import clean_math, read_math
from .model import NO_MARKS, Math, Run, TextWarning
from .tables import UNICODE_TO_MATH

__all__ = ["read_markup"]

_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)"
    r"|<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9:._-]*)(?P<attrs>(?:\s[^<>]*?)?)\s*(?P<self>/)?>"
    r"|<[!?][^<>]*>", re.S)
_ATTR = re.compile(r"([A-Za-z_:][\w:.-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_ESCAPED_TAG = re.compile(
    r"&lt;(/?)(i|b|em|strong|sup|sub|scp|sc|italic|bold|subtitle|(?:jats:)?(?:italic|bold|sup|sub|sc))&gt;")
MAX_DEPTH = 100

_MARK_TAGS = {"i": "italic", "em": "italic", "italic": "italic", "cite": "italic", "var": "italic",
              "b": "bold", "strong": "bold", "bold": "bold", "sup": "sup", "sub": "sub",
              "scp": "smallcaps", "sc": "smallcaps", "small-caps": "smallcaps",
              "tt": "mono", "code": "mono", "monospace": "mono", "kbd": "mono", "samp": "mono"}
_TRANSPARENT = frozenset({
    "span", "a", "p", "div", "title", "article-title", "trans-title", "inline-formula",
    "named-content", "styled-content", "abbrev", "ext-link", "uri", "u", "underline", "font",
    "x", "email", "roman", "sans-serif", "overline", "strike", "s", "del", "ins", "mark",
    "small", "big", "q", "abbr", "acronym", "dfn", "label", "source", "bdi", "bdo", "nobr",
    "html", "body", "alternatives", "chem-struct", "chem-struct-wrap", "sec", "fn", "xref",
    "target", "object-id", "lang"})
_SPACE_TAGS = frozenset({"br", "hr", "break"})
_DROP = frozenset({"script", "style", "head", "noscript", "template", "iframe", "object",
                   "embed", "svg", "inline-graphic", "graphic", "img"})
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "mprescripts", "none",
                   "mspace", "malignmark", "maligngroup", "mglyph", "inline-graphic", "graphic"})
MATHML = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msub", "msup", "msubsup",
    "mmultiscripts", "mprescripts", "none", "mfrac", "msqrt", "mroot", "mover", "munder",
    "munderover", "mfenced", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "maction", "semantics", "annotation", "annotation-xml", "mtable", "mtr", "mtd",
    "mlabeledtr", "mglyph", "malignmark", "maligngroup", "mstack", "mlongdiv", "msgroup",
    "msrow", "mscarries", "mscarry", "msline"})


class _El:
    __slots__ = ("name", "attrs", "children")

    def __init__(self, name: str, attrs: dict[str, str]) -> None:
        self.name, self.attrs = name, attrs
        self.children: list[_El | str] = []


def _iter_text(node: _El) -> Iterator[str]:
    stack = [iter(node.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, str):
                yield child
            else:
                stack.append(iter(child.children))
                break
        else:
            stack.pop()


_WHITE = re.compile(r"[^\S\u00a0\u2009\u202f\u2008\u200a]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(raw: str) -> str:
    """Character data: references decoded (``&amp;`` ``&#x3b2;``; nothing else is
    expanded), then white space collapsed and controls dropped (a reference can make
    either)."""
    if "&" not in raw:
        return raw
    text = html.unescape(raw)
    return _CONTROLS.sub("", _WHITE.sub(" ", text)) if text != raw else text


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def _parse(value: str) -> tuple[_El, bool]:
    """A lenient element tree; ``True`` when nesting was capped."""
    root = _El("", {})
    stack = [root]
    capped = False
    pos = 0
    for m in _MARKUP.finditer(value):
        if m.start() > pos:
            stack[-1].children.append(_text(value[pos:m.start()]))
        pos = m.end()
        if m.group("cdata") is not None:
            stack[-1].children.append(m.group("cdata"))
            continue
        name = m.group("name")
        if name is None:
            continue  # comment, doctype, processing instruction
        local = _local(name)
        if m.group("close"):
            for k in range(len(stack) - 1, 0, -1):
                if stack[k].name == local:
                    del stack[k:]
                    break
            continue
        attrs = {a.group(1).lower(): html.unescape(a.group(2) or a.group(3) or a.group(4) or "")
                 for a in _ATTR.finditer(m.group("attrs") or "")}
        element = _El(local, attrs)
        if len(stack) > MAX_DEPTH:
            capped = True
            continue
        stack[-1].children.append(element)
        if not m.group("self") and local not in _VOID:
            stack.append(element)
    if pos < len(value):
        stack[-1].children.append(_text(value[pos:]))
    return root, capped


class _Walker:
    def __init__(self) -> None:
        self.out: list[Run | Math] = []
        self.warnings: dict[tuple[str, str], TextWarning] = {}

    def warn(self, code: str, name: str, message: str) -> None:
        self.warnings.setdefault((code, name), TextWarning(code, name, message))

    def walk(self, node: _El, marks: frozenset[str], depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child:
                    self.out.append(Run(child, marks))
                continue
            name = child.name
            if name in _MARK_TAGS:
                self.walk(child, marks | {_MARK_TAGS[name]}, depth + 1)
            elif name == "math" or name in MATHML:
                self.math(child, marks)
            elif name == "tex-math":
                from .tex import read_tex
                source = "".join(_iter_text(child)).strip()
                if not source.startswith(("$", "\\(", "\\[")):
                    source = "$" + source + "$"
                items, warnings = read_tex(source)
                self.out.extend(i._replace(marks=i.marks | marks) for i in items)
                for w in warnings:
                    self.warn(w.code, w.name, w.message)
            elif name in _SPACE_TAGS:
                self.out.append(Run(" ", marks))
            elif name == "subtitle":
                self.out.append(Run(": ", marks))
                self.walk(child, marks, depth + 1)
            elif name in _DROP:
                if name in ("script", "style", "iframe", "object", "embed"):
                    self.warn("unknown-element", f"<{name}>", f"<{name}> in a title: dropped")
            elif name in _TRANSPARENT:
                self.walk(child, marks, depth + 1)
            else:
                self.warn("unknown-element", f"<{name}>", f"unknown element <{name}>: read as its text")
                self.walk(child, marks, depth + 1)

    def math(self, node: _El, marks: frozenset[str]) -> None:
        converter = _MathML()
        source = converter.convert(node).strip()
        fallback = node.attrs.get("alttext", "") or converter.annotation
        if converter.unsupported and fallback:
            source = _strip_math_delimiters(fallback)
        elif converter.unsupported:
            for name in converter.unsupported:
                self.warn("unsupported-mathml", f"<{name}>", f"MathML <{name}> is not converted: kept as TeX-like text")
        source = clean_math(source)
        runs, warnings = read_math(source)
        for w in warnings:
            self.warn(w.code, w.name, w.message)
        self.out.append(Math(source, runs, marks))


def _strip_math_delimiters(tex: str) -> str:
    tex = tex.strip()
    for start, end in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if tex.startswith(start) and tex.endswith(end) and len(tex) >= len(start) + len(end):
            return tex[len(start):len(tex) - len(end)]
    return tex


_MATH_ESCAPE = {"{": "\\{", "}": "\\}", "%": "\\%", "#": "\\#", "&": "\\&", "$": "\\$",
                "_": "\\_", "^": "\\wedge", "~": "\\sim", "\\": "\\backslash"}
_ACCENT_CHARS = {"^": "hat", "ˆ": "hat", "\u0302": "hat", "¯": "bar", "\u0304": "bar",
                 "‾": "overline", "\u0305": "overline", "~": "tilde", "˜": "tilde",
                 "\u0303": "tilde", "˙": "dot", "\u0307": "dot", "¨": "ddot", "\u0308": "ddot",
                 "→": "vec", "\u20d7": "vec", "ˇ": "check", "˘": "breve"}
_BIG_OPERATORS = frozenset("∑∏∐∫∬∮⋃⋂⨁⨂⋁⋀") | {"lim", "max", "min", "sup", "inf", "limsup", "liminf"}
_VARIANTS = {"bold": "mathbf", "double-struck": "mathbb", "script": "mathcal",
             "fraktur": "mathfrak", "sans-serif": "mathsf", "monospace": "mathtt",
             "bold-italic": "mathbf", "italic": "mathit"}
_FUNCTIONS = frozenset({"log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc",
                        "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "lim", "min",
                        "max", "inf", "sup", "det", "dim", "ker", "deg", "gcd", "arg", "Pr",
                        "mod"})


def _join(pieces: list[str]) -> str:
    out = ""
    for p in pieces:
        if p and out and p[0].isalpha() and re.search(r"\\[A-Za-z]+$", out):
            out += " "
        out += p
    return out


def _braced(tex: str) -> str:
    if len(tex) == 1 or re.fullmatch(r"\\[A-Za-z]+|\\math\w+\{[^{}]*\}|\{.*\}", tex):
        return tex
    return "{" + tex + "}"


class _MathML:
    """MathML -> TeX math source: one handler per element (:attr:`HANDLERS`)."""

    def __init__(self) -> None:
        self.unsupported: list[str] = []
        self.annotation = ""

    def convert(self, node: _El, depth: int = 0) -> str:
        """``node`` as TeX. An element without a handler, or of a shape its handler cannot
        convert (a handler's ``None``: ``<mfrac>`` with one child), is reported
        (:attr:`unsupported`) and read as its content."""
        if depth > MAX_DEPTH:
            return ""
        elements = [c for c in node.children if not isinstance(c, str)]
        handler = self.HANDLERS.get(node.name)
        tex = handler(self, node, elements, depth + 1) if handler is not None else None
        if tex is not None:
            return tex
        self.unsupported.append(node.name)
        return self.row(node, elements, depth + 1)

    # Each handler: ``(converter, node, its child elements, their depth)`` -> TeX, or
    # ``None`` when it cannot convert this shape of the element.

    def row(self, node: _El, elements: list[_El], depth: int) -> str:
        """The children one after another (the text when there are none)."""
        return _join([self.convert(c, depth) for c in elements]) if elements else _escape(_node_text(node))

    def nothing(self, node: _El, elements: list[_El], depth: int) -> str:
        return ""

    def first(self, node: _El, elements: list[_El], depth: int) -> str:
        """The first child only (``<maction>``: the one shown)."""
        return self.convert(elements[0], depth) if elements else ""

    def semantics(self, node: _El, elements: list[_El], depth: int) -> str:
        """The presentation (first child); a TeX ``<annotation>`` is kept as the fallback."""
        for c in elements[1:]:
            if c.name == "annotation" and "tex" in c.attrs.get("encoding", "").lower():
                self.annotation = _node_text(c)
        return self.first(node, elements, depth)

    def mi(self, node: _El, elements: list[_El], depth: int) -> str:
        t = _node_text(node).strip()
        variant = node.attrs.get("mathvariant", "")
        if len(t) == 1:
            tex = _symbol(t)
            if variant == "normal" and t.isalpha() and t.isascii():
                return "\\mathrm{" + t + "}"
            if variant in _VARIANTS:
                return "\\" + _VARIANTS[variant] + "{" + tex + "}"
            return tex
        if t in _FUNCTIONS:
            return "\\" + t
        return "\\mathrm{" + _escape(t) + "}" if t else ""

    def mn(self, node: _El, elements: list[_El], depth: int) -> str:
        return _escape(_node_text(node).strip())

    def mo(self, node: _El, elements: list[_El], depth: int) -> str:
        t = _node_text(node).strip()
        if t in _FUNCTIONS:
            return "\\" + t
        return "".join(_symbol(c) for c in t)

    def mtext(self, node: _El, elements: list[_El], depth: int) -> str:
        """``<mtext>`` and ``<ms>`` (a string literal: quoted)."""
        text = _node_text(node)
        t = " ".join(text.split()) if text.strip() else ""
        if node.name == "ms":
            t = '"' + t + '"'
        return "\\text{" + _text_escape(t) + "}" if t else ("\\ " if text else "")

    def mspace(self, node: _El, elements: list[_El], depth: int) -> str:
        return "\\,"

    def scripts(self, node: _El, elements: list[_El], depth: int) -> str | None:
        """``<msub>``, ``<msup>``, ``<msubsup>``."""
        if not elements:
            return None
        base = _braced(self.convert(elements[0], depth))
        scripts = [self.convert(c, depth) for c in elements[1:3]]
        first = scripts[0] if scripts else ""
        if node.name == "msub":
            return base + "_{" + first + "}"
        if node.name == "msup":
            return base + "^{" + first + "}"
        return base + "_{" + first + "}^{" + (scripts[1] if len(scripts) > 1 else "") + "}"

    def mmultiscripts(self, node: _El, elements: list[_El], depth: int) -> str | None:
        """Post-scripts, and pre-scripts after ``<mprescripts/>``, as alternating sub/sup."""
        if not elements:
            return None
        base = _braced(self.convert(elements[0], depth))
        post: list[str] = []
        pre: list[str] = []
        target = post
        for c in elements[1:]:
            if c.name == "mprescripts":
                target = pre
                continue
            target.append(self.convert(c, depth))
        out = ""
        if pre:
            out += "{}" + _subsup("".join(pre[0::2]), "".join(pre[1::2]))
        return out + base + _subsup("".join(post[0::2]), "".join(post[1::2]))

    def mfrac(self, node: _El, elements: list[_El], depth: int) -> str | None:
        if len(elements) < 2:
            return None
        return "\\frac{" + self.convert(elements[0], depth) + "}{" + self.convert(elements[1], depth) + "}"

    def msqrt(self, node: _El, elements: list[_El], depth: int) -> str:
        return "\\sqrt{" + _join([self.convert(c, depth) for c in elements]) + "}"

    def mroot(self, node: _El, elements: list[_El], depth: int) -> str | None:
        if len(elements) < 2:
            return None
        return "\\sqrt[" + self.convert(elements[1], depth) + "]{" + self.convert(elements[0], depth) + "}"

    def under_over(self, node: _El, elements: list[_El], depth: int) -> str | None:
        """``<mover>`` (an accent when the over-script is one), ``<munder>``,
        ``<munderover>``: limits of a big operator, else ``\\overset``/``\\underset``."""
        if not elements:
            return None
        name = node.name
        base = self.convert(elements[0], depth)
        others = [self.convert(c, depth) for c in elements[1:3]]
        if name == "mover" and len(elements) >= 2:
            accent = _ACCENT_CHARS.get(_node_text(elements[1]).strip())
            if accent:
                return "\\" + accent + "{" + base + "}"
        under = others[0] if name != "mover" and others else ""
        over = others[-1] if name != "munder" and others else ""
        if _node_text(elements[0]).strip() in _BIG_OPERATORS:
            return _braced(base) + _subsup(under, over)
        if over:
            base = "\\overset{" + over + "}{" + base + "}"
        if under:
            base = "\\underset{" + under + "}{" + base + "}"
        return base

    def mfenced(self, node: _El, elements: list[_El], depth: int) -> str:
        open_, close = node.attrs.get("open", "("), node.attrs.get("close", ")")
        separators = (node.attrs.get("separators", ",") or "").split() or [","]
        sep = separators[0] if len(separators[0]) == 1 else separators[0][0]
        return _symbol(open_) + sep.join(self.convert(c, depth) for c in elements) + _symbol(close)

    #: element name -> its handler; any other element is unsupported (see :meth:`convert`)
    HANDLERS: ClassVar[dict[str, Callable[[_MathML, _El, list[_El], int], str | None]]] = {
        **dict.fromkeys(("math", "mrow", "mstyle", "mpadded", "menclose", "merror", "", "mtd", "mtr",
                         "msrow"), row),
        **dict.fromkeys(("annotation", "annotation-xml", "mphantom", "none", "mprescripts",
                         "malignmark", "maligngroup"), nothing),
        "semantics": semantics, "maction": first,
        "mi": mi, "mn": mn, "mo": mo, "mtext": mtext, "ms": mtext, "mspace": mspace,
        "msub": scripts, "msup": scripts, "msubsup": scripts, "mmultiscripts": mmultiscripts,
        "mfrac": mfrac, "msqrt": msqrt, "mroot": mroot,
        "mover": under_over, "munder": under_over, "munderover": under_over, "mfenced": mfenced,
    }


def _node_text(node: _El) -> str:
    return "".join(_iter_text(node))


def _subsup(sub: str, sup: str) -> str:
    """``_{sub}^{sup}``, each only when not empty."""
    return (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "")


def _symbol(char: str) -> str:
    if len(char) != 1:
        return _escape(char)
    if char in UNICODE_TO_MATH:
        return UNICODE_TO_MATH[char]
    return _MATH_ESCAPE.get(char, char)


def _escape(text: str) -> str:
    return "".join(_symbol(c) for c in text)


def _text_escape(text: str) -> str:
    from .model import tex_escape
    return tex_escape(text)


def read_markup(value: str) -> tuple[list[Run | Math], list[TextWarning]]:
    if "&lt;" in value:
        value = _ESCAPED_TAG.sub(r"<\1\2>", value)
    root, capped = _parse(value)
    walker = _Walker()
    if capped:
        walker.warn("too-deep", "<>", f"elements nested more than {MAX_DEPTH} deep: the deeper tags are ignored")
    walker.walk(root, NO_MARKS)
    return walker.out, list(walker.warnings.values())
