"""One text model for titles and names, read from three notations and written in each.

Titles and names arrive as TeX (the bib), as JATS/HTML with MathML (Crossref) and as
plain text (PubMed). Each reader gives a :class:`Text`: a sequence of :class:`Run`
(text with marks: ``italic``, ``bold``, ``sup``, ``sub``, ``smallcaps``, ``mono``,
``nocase``) and :class:`Math` (TeX source, with its Unicode reading when Unicode has
one), plus the :class:`TextWarning` values for what could not be read::

    from_tex(r"H$_2$O and \\emph{E.~coli} in {DNA}").plain()   # 'H₂O and E. coli in DNA'
    from_markup("<i>Ostα</i><sup>−/−</sup> mice").tex()    # '\\textit{{Ostα}}\\textsuperscript{−/−} mice'
    from_markup("in <scp>r</scp>").html()                  # 'in <span class="cp-sc">r</span>'

Readers: :func:`from_tex` (``macros``: what the bib's ``@preamble`` defines, see
:func:`macros_from_preamble`), :func:`from_markup`, :func:`from_plain`. Writers:
:meth:`Text.plain` (Unicode, for comparison and metadata), :meth:`Text.tex` (a bib
value), :meth:`Text.html` (safe HTML for display). Every reader removes control
characters (reported once), replaces lone surrogates with U+FFFD, collapses runs of
ASCII white space to one space and strips the ends (a no-break space stays).

Why not a library
-----------------
Evaluated on this repository's eight bibliographies (tests/data/bibs) and Crossref
recordings. Times: the 2,720 ``title`` values of tugboat-pybtex.bib, caches empty (pybtex
parses that whole file, 2,720 entries, in about 1.0 s on the same machine):

=========================  =======  ======================================================
candidate                  time     verdict
=========================  =======  ======================================================
pylatexenc 2.11            0.77 s   a real parser with a node tree (unknown macros could be
``LatexNodes2Text``                 found by traversing it against its macro table), MIT,
                                    maintained; but its parse alone takes 0.88 s, as long as
                                    pybtex's whole parse; ``\\TeX``, ``\\LaTeX``, ``\\MF``
                                    print nothing; ``\\url{a%b}`` loses ``%b`` (a comment);
                                    ``H$_2$O`` gives ``H_2O``; no MathML, no marks
latexcodec 3.0.1           0.47 s   a codec (already pybtex's dependency): no tree, so no
(whole values)                      report of unknown macros, which stay as raw TeX; no
                                    math, no marks; about 7 microseconds a character
today's ``latex_to_text``  0.25 s   latexcodec on the words that need it, word cache:
(latexcodec, per word)     (warm:   fast once warm, but leaves ``\\TeX``, ``\\acro``, ``\\tt``,
                           0.001)   ``\\emph`` raw in 4,294 of the corpus's 36,905 values
this module                0.04 s   one regex tokenizer and a reader over tables: every
                           (warm:   macro known or reported by name; marks; math to
                           0.001)   Unicode; MathML; a fast path for plain and brace-only
                                    values (about 1 microsecond); values cached
=========================  =======  ======================================================

So this is our own small reader, its tables in :mod:`.tables`; no new dependency.
JATS/HTML/MathML are read by a hand tokenizer (no lxml, no XML parser: nothing to
expand but character references).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from .markup import read_markup
from .model import MARKS, Math, Run, Text, TextWarning, tex_escape
from .tex import Macro, Macros, macros_from_preamble, read_tex

__all__ = ["MARKS", "Macro", "Macros", "Math", "Run", "Text", "TextWarning", "from_markup",
           "from_plain", "from_tex", "macros_from_preamble", "tex_escape", "tex_to_plain"]

#: characters that make a TeX value more than plain text (with ``--`` and ``''``)
_TEX_CHARS = re.compile(r"[\\${}~`]")
#: characters the normaliser changes: controls, surrogates, white space but a single space
_UNCLEAN_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u1680\u2000-\u2008\u200a\u2028\u2029\u202f\u205f\u3000]")
#: TeX but braces, or unclean: one scan of the value for the fast path
_NOT_SIMPLE_BUT_BRACES = re.compile(r"[\\$~`" + _UNCLEAN_CHARS.pattern[1:])


def _unclean(value: str) -> bool:
    return bool(_UNCLEAN_CHARS.search(value)) or "  " in value or value[:1] == " " or value[-1:] == " "


def _tex_syntax(value: str) -> bool:
    return bool(_TEX_CHARS.search(value)) or "--" in value or "''" in value
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: white space that collapses: all but the no-break space and the thin spaces (which a
#: bib writes as ``~`` and ``\,``); BibTeX readers collapse every other kind
_SPACES = re.compile(r"[^\S\u00a0\u2009\u202f\u2008\u200a]+")
_THIN = str.maketrans({"\u202f": "\u2009", "\u2008": "\u2009", "\u200a": "\u2009"})
_CONTROL_WARNING = TextWarning("control-characters", "", "control characters removed")


def _prepare(value: str, warnings: list[TextWarning]) -> str:
    """The value cleaned before reading: control characters removed (reported), lone
    surrogates replaced, white space collapsed (a no-break or thin space kept)."""
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value.replace("\t", " ").replace("\n", " ").replace("\r", " "))
        warnings.append(_CONTROL_WARNING)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    if _UNCLEAN_CHARS.search(value) or "  " in value:
        value = _SPACES.sub(" ", value).translate(_THIN)
    return value


def _finish(items: list, warnings: list[TextWarning], source: str) -> Text:
    """Runs merged (same marks), empty ones dropped, one space where two runs meet with
    a space each, the ends stripped."""
    out: list = []
    space = True  # at the start, or after a space: a space here is dropped
    for item in items:
        if type(item) is Run:
            text = item.text
            if space and text[:1] == " ":
                text = text[1:]
            if not text:
                continue
            space = text[-1] == " "
            if out and type(out[-1]) is Run and out[-1].marks == item.marks:
                out[-1] = Run(out[-1].text + text, item.marks)
            else:
                out.append(Run(text, item.marks) if text is not item.text else item)
        elif item.tex or item.runs:
            out.append(item)
            space = False
    while out and type(out[-1]) is Run and out[-1].text[-1:] == " ":
        text = out[-1].text.rstrip(" ")
        if text:
            out[-1] = Run(text, out[-1].marks)
            break
        out.pop()
    return Text(tuple(out), tuple(warnings), source)


def _simple(value: str, source: str) -> Text:
    if _unclean(value):
        warnings: list[TextWarning] = []
        return _finish([Run(_prepare(value, warnings))], warnings, source)
    return Text((Run(value),) if value else (), (), source)


def from_plain(value: str) -> Text:
    """Plain text (PubMed): one run, cleaned."""
    return _simple(str(value or ""), "plain")


def from_tex(value: str, macros: Mapping | Macros | None = None) -> Text:
    """A BibTeX/biblatex field value (or a name part) read as TeX.

    ``macros``: the bib's own simple macros (:func:`macros_from_preamble`, or a mapping
    name -> body or (arguments, body)). Values without ``\\ $ { } ~ \\```, ``--`` or
    ``''`` are plain text and are not parsed; values are cached."""
    value = str(value or "")
    if macros is not None and not isinstance(macros, Macros):
        macros = Macros(macros)
    if not macros and not _tex_syntax(value):
        return _simple(value, "tex")
    return _from_tex(value, macros or None)


@lru_cache(maxsize=65536)
def _from_tex(value: str, macros: Macros | None) -> Text:
    first: list[TextWarning] = []
    items, warnings = read_tex(_prepare(value, first), macros)
    return _finish(items, first + warnings, "tex")


@lru_cache(maxsize=16384)
def from_markup(value: str) -> Text:
    """JATS/HTML with MathML (Crossref) read as text; never runs or fetches anything."""
    value = str(value or "")
    if "<" not in value and "&" not in value:
        return _simple(value, "markup")
    first: list[TextWarning] = []
    items, warnings = read_markup(_prepare(value, first))
    return _finish(items, first + warnings, "markup")


def tex_to_plain(value: str, macros: Mapping | Macros | None = None) -> str:
    """``from_tex(value, macros).plain()``, the loader's hot path: a value with no TeX
    but braces (``{{DNA} repair}``) is read without the reader (its plain text is the
    value without braces: the reader drops an unmatched one too). No macros (a
    ``@preamble`` that defines none) are no macros: the same fast path and cache."""
    if not macros:
        macros = None
    if macros is None and not _NOT_SIMPLE_BUT_BRACES.search(value) and "--" not in value \
            and "''" not in value:
        if "{" in value or "}" in value:
            value = value.replace("{", "").replace("}", "")
        if "  " in value or value[:1] == " " or value[-1:] == " ":
            value = " ".join(filter(None, value.split(" ")))
        return value
    if macros is None:
        return _tex_to_plain(value)
    return from_tex(value, macros).plain()


@lru_cache(maxsize=65536)
def _tex_to_plain(value: str) -> str:
    return from_tex(value).plain()


def cache_clear() -> None:
    _from_tex.cache_clear()
    _tex_to_plain.cache_clear()
    from_markup.cache_clear()
