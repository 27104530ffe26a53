"""Which words of a title keep their capitals when it is written as TeX.

BibTeX styles may change a title's case (sentence case); braces protect what must not
change. A TeX source's braces say it; for text from a registry (JATS/HTML or plain) this
rule decides, word by word (a word: what lies between spaces; hyphens and slashes
separate its parts):

1. A sentence in capitals (three words or more, at least 80% of its 6+ cased letters
   upper case) protects nothing: its case says nothing about any word.
2. A part with a capital after its first letter is protected: acronyms and symbols
   (``DNA``, ``mRNA``, ``DnaG``, ``pH``, ``RNeXML``, ``TiO₂``, ``II``).
3. A part that is one capital letter is protected (``T cells``, ``vitamin D``,
   ``3D``), except an "A" that begins the title or a sentence in it.
4. In a title in sentence case (fewer than half of its words of four letters or more,
   other than a sentence's first word, are capitalised), a capitalised part other than
   a sentence's first word is protected: names (``Staphylococcus aureus``, ``Swiss``).
   In a title in title case every word is capitalised, so this says nothing and
   nothing more is protected.

A sentence begins the title and after ``:``, ``.``, ``?`` or ``!``. Math is never
case-changed, so never braced.
"""
from __future__ import annotations

import re

from .items import Item, Run

__all__ = ["protect_case"]

_WORD = re.compile(r"[^ ]+")
_PART = re.compile(r"[^-/\u2010-\u2015\x00]+")
_NOCASE = frozenset({"nocase"})


def protect_case(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """``items`` with the mark ``nocase`` on the words the rule above protects."""
    chars: list[str] = []
    for item in items:
        chars.append(item.text if type(item) is Run else "\x00")
    text = "".join(chars)
    words = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    starts: list[int] = []
    previous = ""
    for start, word in words:
        if not previous or previous.rstrip("\x00)\"'’”»")[-1:] in ":.?!":
            starts.append(start)
        previous = word
    protected = [False] * len(text)
    bounds = starts[1:] + [len(text)]
    for first, end in zip(starts, bounds):
        sentence = [(s, w) for s, w in words if first <= s < end]
        _protect_sentence(text, sentence, first, protected)
    if not any(protected):
        return items
    out: list[Item] = []
    pos = 0
    for item in items:
        if type(item) is not Run:
            out.append(item)
            pos += 1
            continue
        n = len(item.text)
        i = 0
        while i < n:
            j = i
            flag = protected[pos + i]
            while j < n and protected[pos + j] == flag:
                j += 1
            marks = item.marks | _NOCASE if flag else item.marks
            out.append(Run(item.text[i:j], marks))
            i = j
        pos += n
    return tuple(out)


def _protect_sentence(text: str, words: list[tuple[int, str]], first: int, protected: list[bool]) -> None:
    """The rule, for one sentence (a title's sentences may differ: AMA's capitals title
    with a subtitle in title case)."""
    cased = [c for _, w in words for c in w if c.isupper() or c.islower()]
    worded = sum(any(c.isalpha() for c in w) for _, w in words)
    if worded >= 3 and len(cased) >= 6 and sum(c.isupper() for c in cased) >= 0.8 * len(cased):
        return  # in capitals: says nothing about any word
    long_words = [w for s, w in words if s != first and sum(c.isalpha() for c in w) >= 4]
    title_case = bool(long_words) and sum(_first_letter(w).isupper() for w in long_words) * 2 >= len(long_words)
    for start, word in words:
        for m in _PART.finditer(word):
            part = m.group()
            letters = [c for c in part if c.isalpha()]
            if not letters:
                continue
            first_of_sentence = start == first and m.start() == 0
            protect = any(c.isupper() for c in letters[1:])
            if not protect and len(letters) == 1 and letters[0].isupper():
                protect = not (letters[0] == "A" and first_of_sentence)
            if not protect and not title_case and letters[0].isupper() and not first_of_sentence:
                protect = True
            if protect:
                i, j = _span(part)
                for k in range(start + m.start() + i, start + m.start() + j):
                    protected[k] = True


def _span(part: str) -> tuple[int, int]:
    """From the first to the last letter or digit of ``part``, with the brackets that
    pair with one inside (``Pt(II)``, not ``Pt(II``)."""
    i, j = 0, len(part)
    while i < j and not part[i].isalnum():
        i += 1
    while j > i and not part[j - 1].isalnum():
        j -= 1
    while j < len(part) and part[j] in ")]" and _depth(part[i:j]) > 0:
        j += 1
    while i > 0 and part[i - 1] in "([" and _depth(part[i:j]) < 0:
        i -= 1
    return i, j


def _depth(text: str) -> int:
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def _first_letter(word: str) -> str:
    return next((c for c in word if c.isalpha()), "")
