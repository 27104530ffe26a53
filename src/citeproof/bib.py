"""Loading ``references.bib``: pybtex entries plus true line numbers, never a traceback.

pybtex's parser stops at (or silently skips past) the first fault and often names
the wrong line. So a small scanner of our own walks the file first: it finds each
``@type{key, name = value, ...}``, records the line of every field, and on a fault
names the line an editor has to fix (an unclosed ``{`` is reported where it was
opened, a missing comma where it belongs). Each entry that scans cleanly is then
handed to pybtex on its own, so one broken entry never hides the others, and
pybtex's own complaints are captured as :class:`~citeproof.model.Problem` values
instead of being printed. An entry with a missing ``}``, ``"`` or ``,`` is still
loaded as if the character were where the message says it belongs (the error
stays), so the fault does not also turn every citation of it into an unknown key.

Project conventions for bib fields:

- ``doi``: the bare DOI (a ``https://doi.org/`` or ``doi:`` prefix is removed with
  a warning); ``pmid`` (pybtex's ``pubmed`` is accepted as an alias); ``pmcid``.
- ``identifier = {none}`` marks a reference that has **no DOI and no PMID** on any
  record (e.g. a journal not indexed anywhere). It turns the "missing-identifier"
  error into a warning asking for a hand check; give such an entry a ``url`` of a
  public record (e.g. its PEDro record) so a reader, and the editor, can check it.
- BibTeX treats keys that differ only in case as the same key, so ``Suh2019`` after
  ``suh2019`` is a duplicate (an error); citations must still use the exact key.
- An empty name in a list of people (``A and and B``) is an error; the entry is
  loaded without it.
"""
from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pybtex.errors
from pybtex.database import BibliographyData, InvalidNameString, Person
from pybtex.database.input.bibtex import Parser, UndefinedMacro
from pybtex.exceptions import PybtexError

from .identifiers import (is_http_url, is_valid_doi, is_valid_pmcid, is_valid_pmid,
                          normalize_doi, normalize_pmcid)
from .model import Author, BibError, Problem, Reference

__all__ = ["BibError", "BibResult", "load_bib", "parse_bib_text", "validate_references",
           "latex_to_text", "normalize_pages", "person_to_author"]

REQUIRED_ARTICLE_FIELDS = ("author", "title", "journal", "year")


@dataclass
class BibResult:
    """A loaded bib file: references in file order, problems, and pybtex's data."""

    file: str
    references: dict[str, Reference] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    data: BibliographyData = field(default_factory=BibliographyData)


# --------------------------------------------------------------------------- LaTeX

_NEEDS_CODEC = re.compile(r"[\\~]|--|''|``")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
#: Tokens for splitting a value into words: a control word keeps the space after it.
_WORD_SPLIT = re.compile(r"[{}]|\\[A-Za-z]+\s*|\\.|\s+")


def _words(value: str) -> list[str]:
    """Split at whitespace outside braces, keeping the whitespace as separate pieces."""
    depth, start, pieces = 0, 0, []
    for m in _WORD_SPLIT.finditer(value):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif tok[0].isspace() and depth <= 0:
            pieces += [value[start:m.start()], tok]
            start = m.end()
    pieces.append(value[start:])
    return pieces


@lru_cache(maxsize=65536)
def _decode_word(word: str) -> str:
    # a bare % would start a TeX comment and silently cut the rest: keep it as a percent sign
    return codecs.decode(_BARE_PERCENT.sub(r"\\%", word), "ulatex")


def _decode(value: str) -> str:
    """LaTeX -> Unicode with latexcodec, word by word.

    latexcodec costs about 7 microseconds per character, so only the words that hold
    a backslash, ``~``, ``--`` or TeX quotes go through it (and are cached).
    """
    if not _NEEDS_CODEC.search(value):
        return value
    return "".join(_decode_word(w) if _NEEDS_CODEC.search(w) else w for w in _words(value))


@lru_cache(maxsize=65536)
def latex_to_text(value: str) -> str:
    """LaTeX field text -> plain Unicode: ``{\\"o}`` -> ``ö``, braces removed, case kept.

    ``\\{`` and ``\\}`` stay as literal braces.
    """
    text = _decode(value)
    if "{" in text or "}" in text:
        text = text.replace("\\{", "\ue000").replace("\\}", "\ue001")
        text = text.replace("{", "").replace("}", "").replace("\ue000", "{").replace("\ue001", "}")
    return text


def person_to_author(person: Person) -> Author:
    """A pybtex ``Person`` as an :class:`Author`: family = "von" part + last name.

    A lineage ("Jr") is not part of the family name (registries keep it apart).
    """
    family = " ".join(latex_to_text(p) for p in person.prelast_names + person.last_names)
    given = " ".join(latex_to_text(p) for p in person.first_names + person.middle_names)
    parts = person.prelast_names + person.last_names
    corporate = (not given and len(parts) == 1 and parts[0].startswith("{")
                 and parts[0].endswith("}") and " " in parts[0].strip("{} "))
    return Author(family=family, given=given, corporate=corporate)


def normalize_pages(pages: str) -> str:
    """Page ranges with a plain hyphen: ``786--792`` / ``786–792`` -> ``786-792``."""
    return re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", pages)


# --------------------------------------------------------------------------- scanner

_AT = re.compile(r"@[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*([{(])")
_LINE_START_AT = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][A-Za-z0-9_-]*[ \t]*[{(]", re.M)
_KEY = re.compile(r"[^\s,{}()=\"#]+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-.:+/]*")
_NUMBER = re.compile(r"\d+")
_WS = re.compile(r"\s*")
_BRACES = re.compile(r"[{}]")
_QUOTE_BRACES = re.compile(r'[{}"]')
_FIELD_LINE = re.compile(r"[ \t,]*[A-Za-z][A-Za-z0-9_-]*[ \t]*=")


class _Fault(Exception):
    """A syntax fault at a position, with the message to show."""

    def __init__(self, pos: int, message: str, repair: tuple[int, int, str] | None = None):
        super().__init__(message)
        self.pos, self.message = pos, message
        # (start, end, text): writing text over start:end likely fixes the entry (no new line)
        self.repair = repair


@dataclass
class _Scanned:
    """One ``@command`` as the scanner saw it."""

    command: str  # lower-case: article, string, preamble, ...
    key: str
    start: int
    end: int  # just after the closing delimiter
    fields: list[tuple[str, int, int, int]]  # (lower-case name, name pos, value start, value end)


class _Scanner:
    """Walks the bib text entry by entry, recording positions."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        """1-based line of a position."""
        return bisect.bisect_right(self.line_starts, pos)

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def char(self, i: int, limit: int) -> str:
        return self.text[i] if i < limit else ""

    def describe(self, i: int, limit: int) -> str:
        ch = self.char(i, limit)
        return f"'{ch}'" if ch else "the end of the entry"

    def starts_field(self, i: int, limit: int) -> bool:
        """True when ``name =`` starts at ``i``: a field that a missing comma left stranded."""
        nm = _NAME.match(self.text, i, limit)
        return bool(nm) and self.char(self.ws(nm.end()), limit) == "="

    def commands(self):
        """Yield ``(_Scanned or _Fault, start, limit)`` for each ``@command`` in the text.

        An entry may not run past the next line that starts with ``@type{``: that
        bounds the damage of an unclosed brace to its own entry.
        """
        pos, text = 0, self.text
        while m := _AT.search(text, pos):
            nxt = _LINE_START_AT.search(text, m.end())
            limit = nxt.start() if nxt else len(text)
            try:
                scanned = self.command(m, limit)
            except _Fault as fault:
                yield fault, m.start(), limit
                pos = limit
            else:
                yield scanned, m.start(), limit
                pos = scanned.end

    def command(self, m: re.Match, limit: int) -> _Scanned:
        kind, close = m.group(1).lower(), "}" if m.group(2) == "{" else ")"
        if kind == "comment":  # BibTeX skips a balanced @comment{...}; unclosed, it eats the chunk
            end = self.match_brace(m.end() - 1, limit) if close == "}" else -1
            return _Scanned(kind, "", m.start(), end if end > 0 else limit, [])
        fields: list = []
        self.entry_start = m.start()
        try:
            return self.entry(m, limit, kind, close, fields)
        except _Fault as fault:
            # a value that swallowed the following lines explains any later fault
            raise self.runaway(fields, m) or fault from None

    def entry(self, m: re.Match, limit: int, kind: str, close: str, fields: list) -> _Scanned:
        """Parse the body of ``@kind{...}`` into ``fields``; raise :class:`_Fault` on a fault."""
        i, key = self.ws(m.end()), ""
        if kind == "preamble":
            i = self.value(i, limit, "preamble", fields, i)
        elif kind == "string":
            i = self.field(i, limit, fields, "")
        else:
            km = _KEY.match(self.text, i, limit)
            after = self.ws(km.end()) if km else i
            if not km or self.char(after, limit) == "=":
                raise _Fault(m.start(), f"the entry @{m.group(1)} has no citation key: "
                                        f"write @{m.group(1)}{{yourkey, ...")
            key, i = km.group(), after
            if self.char(i, limit) == ",":
                i = self.fields(self.ws(i + 1), limit, close, fields, key)
            elif self.starts_field(i, limit):
                raise _Fault(km.start(), f"a comma is missing after the key '{key}': "
                                         f"add ',' at the end of line {self.line(km.start())}",
                             (km.end(), km.end(), ","))
        i = self.ws(i)
        if self.char(i, limit) != close:
            raise self.not_closed(i, limit, m, key, fields, close)
        return _Scanned(kind, key, m.start(), i + 1, fields)

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
                raise _Fault(end - 1, f"a comma is missing after the field '{name}' in entry "
                                      f"'{key}': add ',' at the end of its value on line "
                                      f"{self.line(end - 1)}", (end, end, ","))
            raise self.comment_line(i, limit, out, key) or _Fault(
                i, f"unexpected {self.describe(i, limit)} after the field '{name}' in entry "
                   f"'{key}': expected ',' or '{close}'; remove the stray text", (i, i + 1, " "))

    def comment_line(self, i: int, limit: int, fields: list, key: str) -> _Fault | None:
        """The fault of a ``%`` line met inside an entry: a comment (BibTeX has none inside
        an entry) when more fields or the closing brace follow, else the entry's missing end."""
        line = self.line(i)
        if self.char(i, limit) != "%" or self.text[self.line_starts[line - 1]:i].strip():
            return None
        rest = range(line + 1, self.line(max(limit - 1, i)) + 1)
        if any(_FIELD_LINE.match(self.line_text(n)) or self.line_text(n).strip() in ("}", ")")
               for n in rest):
            end = self.line_starts[line - 1] + len(self.line_text(line).rstrip("\r\n"))
            return _Fault(i, f"line {line} is a '%' comment inside the entry '{key}', which "
                             "BibTeX does not allow: move it above the entry or delete it",
                          (i, end, " " * (end - i)))
        last = fields[-1][3] - 1 if fields else self.entry_start
        return _Fault(last, f"the entry '{key}' opened on line {self.line(self.entry_start)} is "
                            f"not closed: add '}}' after line {self.line(last)}", (i, i, "}"))

    def field(self, i: int, limit: int, out: list, key: str) -> int:
        """Parse one ``name = value``; append it to ``out``; return the position after it."""
        nm = _NAME.match(self.text, i, limit)
        where = f"in entry '{key}'" if key else "in @string"
        if not nm:
            raise self.comment_line(i, limit, out, key) or _Fault(
                i, f"unexpected {self.describe(i, limit)} {where}: expected a field "
                   "(name = {value}) or the closing brace; remove the stray text",
                (i, i + 1, " ") if i < limit else None)
        j = self.ws(nm.end())
        if self.char(j, limit) != "=":
            raise _Fault(i, f"unexpected text '{nm.group()}' {where}: a field reads "
                            "name = {value}; remove the stray text or complete the field",
                         (i, nm.end(), " " * (nm.end() - i)))
        name = nm.group().lower()
        if any(f[0] == name for f in out):
            raise _Fault(i, f"the field '{name}' appears twice {where}: keep one of them")
        return self.value(self.ws(j + 1), limit, name, out, i)

    def value(self, i: int, limit: int, name: str, out: list, name_pos: int) -> int:
        """Parse ``part # part ...``; append the field to ``out``; return the position after it."""
        start = i
        while True:
            ch = self.char(i, limit)
            if ch in ('{', '"'):
                end = self.match_brace(i, limit) if ch == "{" else self.match_quote(i, limit)
                if end < 0:
                    raise self.unclosed(name, i, self.line(max(i, limit - 1)), "")
            elif m := _NUMBER.match(self.text, i, limit) or _NAME.match(self.text, i, limit):
                end = m.end()
            else:
                raise _Fault(i, f"the field '{name}' has no value: write {name} = {{...}}")
            j = self.ws(end)
            if self.char(j, limit) != "#":
                out.append((name, name_pos, start, end))
                return end
            i = self.ws(j + 1)

    def match_brace(self, i: int, limit: int) -> int:
        """Position after the ``}`` matching the ``{`` at ``i``, or -1."""
        depth = 0
        for m in _BRACES.finditer(self.text, i, limit):
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                return m.end()
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
        return -1

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

    def unclosed(self, name: str, vstart: int, last: int, why: str) -> _Fault:
        """The fault of a value whose opening ``{`` or ``"`` (at ``vstart``) is never closed."""
        opener = self.text[vstart]
        closer = "}" if opener == "{" else '"'
        first = self.line(vstart)
        end = self.value_end_line(first, last)
        content = self.line_text(end).rstrip()
        at = self.line_starts[end - 1] + len(content) - content.endswith(",")
        return _Fault(vstart, f"the '{opener}' of the field '{name}' on line {first} is not "
                              f"closed{why}: add the missing '{closer}' at the end of its value "
                              f"on line {end}", (at, at, closer))

    def runaway(self, fields: list, m: re.Match) -> _Fault | None:
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

    def not_closed(self, i, limit, m, key, fields, close) -> _Fault:
        """Explain an entry that does not end where it should, at the line to fix."""
        what = f"entry '{key}'" if key else f"@{m.group(1)}"
        if self.char(i, limit) == "":
            end, at = fields[-1][3] - 1 if fields else m.start(), min(i, limit)
            return _Fault(end, f"the {what} opened on line {self.line(m.start())} is not closed: "
                               f"add '{close}' after line {self.line(end)}", (at, at, close))
        return _Fault(i, f"unexpected {self.describe(i, limit)} in the {what}: expected '{close}'")


# --------------------------------------------------------------------------- loading


def parse_bib_text(text: str, file: str) -> BibResult:
    """Parse bib text; never raises for bad content (faults become problems)."""
    scanner, parser = _Scanner(text), Parser()
    result = BibResult(file=file, data=parser.data)
    seen: dict[str, tuple[str, int]] = {}  # lower-case key -> (key as written, line)

    def problem(code, message, line, key=None, field_name=None, severity="error"):
        result.problems.append(Problem(code=code, severity=severity, message=message, key=key,
                                       file=file, line=line, field=field_name))

    for item, start, limit in scanner.commands():
        src, sc = text, scanner
        if isinstance(item, _Fault):
            repaired = _repair(text, item.repair, start, limit)
            problem("bib-syntax", item.message if repaired else
                    f"{item.message} (this entry is not loaded until then)",
                    scanner.line(item.pos), (repaired[2].key or None) if repaired else None)
            if not repaired:
                continue
            src, sc, item = repaired
            limit += len(src) - len(text)
        if item.command == "comment":
            continue
        line = sc.line(start)
        if _has_junk(src[item.end:limit]):
            end_line = sc.line(item.end - 1)
            problem("bib-syntax", f"the '{src[item.end - 1]}' on line {end_line} ends the "
                    f"{_what(item)} before its other fields: remove that extra brace (or add the "
                    "'{' its value lacks)", end_line, item.key or None)
            # read on as if the stray brace were not there, when that leaves a clean entry
            fixed = _repair(src, (item.end - 1, item.end, " "), start, limit)
            if fixed and not _has_junk(fixed[0][fixed[2].end:limit]):
                src, sc, item = fixed
        if item.key:
            folded = item.key.lower()
            if folded in seen:
                first_key, first_line = seen[folded]
                why, exact = ("", "") if first_key == item.key else (
                    " (BibTeX treats keys that differ only in case as the same key)",
                    f", and citations must use its exact key '{first_key}'")
                problem("duplicate-key", f"the key '{item.key}' on line {line} repeats "
                        f"'{first_key}' from line {first_line}{why}: rename or remove one; "
                        f"the entry on line {first_line} is kept{exact}", line, item.key)
                continue
            seen[folded] = (item.key, line)
        entry_text = src[item.start:item.end]
        for name, name_pos, new_value, vstart, vend in reversed(_empty_names(sc, item)):
            problem("bib-syntax", f"the {name} list of the {_what(item)} has an empty name (an "
                    "'and' at its start or end, or two in a row): remove the extra 'and'",
                    sc.line(name_pos), item.key or None, name)
            entry_text = (entry_text[:vstart - item.start] + new_value
                          + entry_text[vend - item.start:])
        with pybtex.errors.capture() as errors:  # pybtex would raise or print to stderr
            try:
                parser.parse_string(entry_text)
            except PybtexError as exc:
                errors.append(exc)
        for exc in errors:
            rel = getattr(exc, "lineno", None)
            at = line + rel - 1 if rel else line
            if isinstance(exc, InvalidNameString):  # no line from pybtex: the names' field
                at = next((sc.line(pos) for name, pos, _, _ in item.fields
                           if name in ("author", "editor")), line)
            problem("bib-syntax", _pybtex_message(exc, item), at, item.key or None)
        entry = parser.data.entries.get(item.key) if item.key else None
        if entry is not None:
            ref = _reference(item, entry, file, sc)
            result.references[item.key] = ref
            warning = normalize_doi(entry.fields.get("doi", ""))[1]
            if warning:
                problem("invalid-doi", f"{item.key}: {warning}", ref.line_of("doi"), item.key,
                        "doi", "warning")
    return result


def _repair(text: str, repair: tuple[int, int, str] | None, start: int, limit: int):
    """``(patched text, its scanner, the entry)`` when a fault's own fix ``(start, end,
    text)`` makes the entry scan cleanly, else ``None``. No fix adds or removes a line
    break, so line numbers stay true."""
    if repair is None:
        return None
    pos, end, insert = repair
    patched = text[:pos] + insert + text[end:]
    scanner = _Scanner(patched)
    try:
        item = scanner.command(_AT.match(patched, start), limit + len(patched) - len(text))
    except _Fault:
        return None
    return patched, scanner, item


def _empty_names(scanner: _Scanner, item: _Scanned) -> list[tuple[str, int, str, int, int]]:
    """``(field, name pos, value without empty names, value start, end)`` for each
    author/editor list (a single braced or quoted value) with an empty name in it."""
    out = []
    for name, name_pos, vstart, vend in item.fields:
        opener = scanner.text[vstart]
        if name not in ("author", "editor") or opener not in '{"':
            continue
        if (scanner.match_brace(vstart, vend) if opener == "{"
                else scanner.match_quote(vstart, vend)) != vend:
            continue  # a concatenation: left to pybtex
        inner = scanner.text[vstart + 1:vend - 1]
        names, current = [], []
        for word in _words(inner)[::2]:
            if word.lower() == "and":
                names.append(current)
                current = []
            elif word:
                current.append(word)
        names.append(current)
        kept = [" ".join(n) for n in names if "".join(n).strip("{},")]
        if inner.strip() and len(kept) < len(names):
            value = opener + " and ".join(kept) + "\n" * inner.count("\n") + scanner.text[vend - 1]
            out.append((name, name_pos, value, vstart, vend))
    return out


def _pybtex_message(exc: PybtexError, item: _Scanned) -> str:
    """pybtex's complaint in our words (without its entry-relative line number)."""
    if isinstance(exc, UndefinedMacro):
        name = exc.args[0]
        return (f"'{name}' in the {_what(item)} is not a defined @string: put the value in braces "
                f"({{{name}}}) or define it with @string{{{name} = {{...}}}} above this entry")
    if isinstance(exc, InvalidNameString):
        return (f"the {_what(item)} has a name with too many commas ({exc.args[0]}): write "
                "'Family, Given' and separate people with ' and '")
    detail = exc.args[0] if exc.args else str(exc)
    return f"{getattr(exc, 'error_type', 'error')} in the {_what(item)}: {detail}: correct the entry"


def _has_junk(between: str) -> bool:
    """True when text between two entries holds fields or braces (not just comments)."""
    return any(_FIELD_LINE.match(ln) or "{" in ln or "}" in ln
               for ln in between.splitlines() if not ln.lstrip().startswith("%"))


def _what(item: _Scanned) -> str:
    return f"entry '{item.key}'" if item.key else f"@{item.command}"


def _reference(item: _Scanned, entry, file: str, scanner: _Scanner) -> Reference:
    f = entry.fields

    def text(name: str) -> str:
        return latex_to_text(f.get(name, "")).strip()

    return Reference(
        key=item.key, entry_type=entry.type.lower(), file=file, line=scanner.line(item.start),
        title=text("title"),
        authors=tuple(person_to_author(p) for p in entry.persons.get("author", ())),
        journal=text("journal"), year=text("year"), volume=text("volume"),
        number=text("number"), pages=normalize_pages(text("pages")),
        doi=normalize_doi(f.get("doi", ""))[0],
        pmid=(f.get("pmid") or f.get("pubmed") or "").strip(),
        pmcid=normalize_pmcid(f.get("pmcid", "")) or f.get("pmcid", "").strip(),
        url=f.get("url", "").strip(),
        no_identifier=f.get("identifier", "").strip().strip("{}").lower() == "none",
        field_lines=tuple((name, scanner.line(pos)) for name, pos, _, _ in item.fields),
        editors=tuple(person_to_author(p) for p in entry.persons.get("editor", ())),
        fields=tuple((name.lower(), latex_to_text(value).strip()) for name, value in f.items()),
    )


def load_bib(path: str | Path, label: str | None = None) -> BibResult:
    """Read and parse a bib file; ``label`` is the name used in messages (default: ``path``).

    Raises :class:`BibError` only when the file cannot be read as UTF-8 text.
    """
    name = label or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise BibError(f"{name}: the bib file does not exist: create it or fix the path "
                       "(mkdocs.yml's citeproof `bib_file`, or `citeproof check --bib`)"
                       ) from None
    except OSError as exc:
        raise BibError(f"{name}: the bib file cannot be read ({exc.strerror or exc}): "
                       "check that it is a readable file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BibError(f"{name}:{line}: the bib file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                       "on that line): save it as UTF-8") from None
    return parse_bib_text(text, name)


# --------------------------------------------------------------------------- offline checks


def validate_references(refs: dict[str, Reference]) -> list[Problem]:
    """Offline checks of loaded references (identifiers' syntax, required fields, URLs)."""
    problems: list[Problem] = []
    for key, ref in refs.items():
        def add(code, message, field_name=None, severity="error"):
            line = ref.line_of(field_name) if field_name else ref.line
            problems.append(Problem(code=code, severity=severity, message=f"{key}: {message}",
                                    key=key, file=ref.file, line=line, field=field_name))

        names = {name for name, _ in ref.field_lines}
        pmid_field = "pubmed" if "pubmed" in names and "pmid" not in names else "pmid"
        doi, warning = normalize_doi(ref.doi)
        if warning:
            add("invalid-doi", warning, "doi", "warning")
        if doi and not is_valid_doi(doi):
            add("invalid-doi", f"'{doi}' is not a DOI (expected 10.NNNN/suffix without spaces): "
                "correct the doi field", "doi")
        if ref.pmid and not is_valid_pmid(ref.pmid):
            add("invalid-pmid", f"'{ref.pmid}' is not a PMID (expected 1-8 digits, no leading "
                "zero): correct the pmid field", pmid_field)
        if ref.pmcid and not is_valid_pmcid(ref.pmcid):
            add("invalid-pmid", f"'{ref.pmcid}' is not a PMC id (expected PMC followed by digits): "
                "correct the pmcid field", "pmcid", "warning")
        if not doi and not ref.pmid:
            if ref.no_identifier:
                if is_http_url(ref.url):
                    where = f"check it by hand at {ref.url}"
                elif ref.url:
                    where = "it has no usable url to check it by hand (see the invalid-url error)"
                else:
                    where = "add a url of a public record so it can be checked by hand"
                add("missing-identifier", "no DOI or PMID (marked identifier = {none}), so no "
                    f"registry can confirm it: {where}", "identifier", "warning")
            else:
                add("missing-identifier", "neither doi nor pmid is given: add one, or mark "
                    "identifier = {none} if no record has either")
        if ref.entry_type == "article":
            present = {"author": ref.authors, "title": ref.title, "journal": ref.journal,
                       "year": ref.year}
            for name in REQUIRED_ARTICLE_FIELDS:
                if not present[name]:
                    add("missing-field", f"the article has no {name}: add {name} = {{...}}")
        if ref.url and not is_http_url(ref.url):
            add("invalid-url", f"the url '{ref.url}' is not an http(s) address and will not be "
                "linked: use an https:// URL", "url")
    return problems
