"""Change one field or one entry of a bib file, leaving every other byte as it was.

Every edit works on the positions the scanner (:func:`citeproof.bib.scan.scan`) found:
it rewrites one value, inserts one field after an entry's last field, removes one
field, or inserts or replaces one whole entry. Comments, ``@string``\\ s, the order of
the entries, indentation, line endings (LF or CRLF, whichever the file mostly uses),
a byte-order mark and a trailing comma (or its absence) stay as they were. A new field
copies the indentation and the ``name = {value}`` spacing of the entry's fields
(their alignment too, when the ``=`` signs line up).

Each edit is checked before it is kept: the new text must parse with no error that
the old text did not have. An edit that cannot be made safely (an unknown key, an
invalid field name, unbalanced braces in a value, an entry text that is not exactly
one entry, a syntax fault in the entry to change) raises :class:`BibError` with one
message naming the file and line, and leaves the text unchanged::

    ed = BibEditor.open("references.bib")
    ed.set_field("suh2019", "pmid", "31261549")
    print(ed.diff())
    ed.save()  # atomic: the old file stays whole until the new one is on disk

**The validated writer.** ``set_field`` and ``insert_entry`` take TeX as a person wrote
it. A value that comes from a registry goes through :func:`written` instead (by
:meth:`BibEditor.write_field` and :meth:`BibEditor.add_entry`): an identifier through
its syntax check (``doi``: :func:`~citeproof.identifiers.doi_fault` and no brace or
backslash; ``pmid``: :func:`~citeproof.identifiers.is_valid_pmid`; ``pmcid``:
:func:`~citeproof.identifiers.normalize_pmcid`; ``url``: an http(s) URL; ``year``: four
digits), text through the TeX writer of the text model (special characters escaped,
braces balanced, control characters removed), names one by one. A value that is not
what its field holds is refused (:class:`ValueRefused`, naming the registry that sent
it), and after each edit the entry must have exactly the fields intended: a value can
never add a field, close the entry or start another.
"""
from __future__ import annotations

import codecs
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence, Union

from ..atomic import atomic_write
from ..identifiers import doi_fault, is_http_url, is_valid_pmid, normalize_pmcid
from ..model import Author, BibError, Problem
from ..model import ProblemCode as Code
from ..text import Text, from_plain
from ..visible import visible
from .load import decode_bib, parse_bib_text, read_bib_bytes
from .scan import FieldSpan, ScannedEntry, is_field_name, scan

__all__ = ["BibEditor", "Value", "ValueRefused", "identifier_fault", "written"]

#: What the validated writer takes: text (a :class:`~citeproof.text.Text`, or a ``str``
#: read as plain text), a page range ``(first, last)``, or people (``Author`` values).
FieldValue = Union[str, Text, tuple[str, str], tuple[Author, ...]]


@dataclass(frozen=True)
class Value:
    """One value for a bib field, and who sent it (a registry's label, for messages)."""

    value: FieldValue
    origin: str = ""


class ValueRefused(BibError):
    """A value that is not what its field holds: it is not written."""

    def __init__(self, name: str, value: object, origin: str, why: str):
        self.name, self.value, self.origin = name, value, origin
        shown = visible(value if isinstance(value, str) else repr(value))
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"{origin or 'the source'} sent a {name} that is not one ('{shown}': {why}), "
                         "so it was not written")


#: Characters no identifier is written with: they would end or escape the bib value.
_NOT_IN_IDENTIFIERS = re.compile(r"[{}\\\s\x00-\x1f\x7f]")
_YEAR = re.compile(r"\d{4}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Title-like fields: their case is protected where the record's capitals must stay
#: (``Text.tex(protect="auto")``); other text is written as it reads, unprotected.
_CASED = frozenset({"title", "booktitle", "subtitle"})
_NAMES = frozenset({"author", "editor"})
_SPLITS_NAMES = re.compile(r",|\s(?:and)\s", re.IGNORECASE)


def identifier_fault(name: str, value: str) -> str:
    """Why ``value`` cannot be written as the identifier field ``name`` ("" when it can)."""
    if not isinstance(value, str):
        return "not text"
    if name == "doi":
        fault = doi_fault(value)
        return fault or ("it holds a brace, a backslash or a control character"
                         if _NOT_IN_IDENTIFIERS.search(value) else "")
    if name == "pmid":
        return "" if is_valid_pmid(value) else "a PMID is 1 to 8 digits"
    if name == "pmcid":
        return "" if normalize_pmcid(value) else "a PMCID is PMC and digits"
    if name == "url":
        return "" if is_http_url(value) and not _NOT_IN_IDENTIFIERS.search(value) else "not an http(s) URL"
    if name == "year":
        return "" if _YEAR.fullmatch(value) else "a year is four digits"
    return ""


def _text(value: Text | str, protect: str) -> str:
    return _bibtex_braces((value if isinstance(value, Text) else from_plain(value)).tex(protect=protect))


def _balanced(tex: str) -> bool:
    """Whether ``tex``'s braces balance as BibTeX counts them: every brace, escaped or not."""
    depth = 0
    for ch in tex:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _bibtex_braces(tex: str) -> str:
    """TeX whose escaped braces (``\\{``, ``\\}``: a literal brace in the text) would not balance
    as BibTeX counts braces, with ``\\textbraceleft{}`` and ``\\textbraceright{}`` for them
    instead (the same characters, no brace of their own)."""
    if _balanced(tex):
        return tex
    return tex.replace("\\{", "\\textbraceleft{}").replace("\\}", "\\textbraceright{}")


def _name_part(part: str) -> str:
    tex = _text(part, "none")
    return "{" + tex + "}" if _SPLITS_NAMES.search(f" {part} ") else tex


def _names(people: tuple[Author, ...]) -> str:
    """``Family, Given and ...``: each part escaped (a part holding a comma or the word
    "and" braced whole, so it cannot split the list), an organisation braced whole."""
    out = []
    for a in people:
        family = _name_part(a.family)
        if not a.given or a.corporate:
            out.append("{" + _text(a.family, "none") + "}")
        else:
            out.append(f"{family}, {_name_part(a.given)}")
    return " and ".join(out)


def written(name: str, value: Value) -> str:
    """The text the validated writer puts between the braces of field ``name`` (see the
    module docstring); :class:`ValueRefused` when ``value`` is not what the field holds."""
    return _checked(name, value, _written(name.lower(), value))


def _written(name: str, value: Value) -> str:
    raw = value.value
    if name in ("doi", "pmid", "pmcid", "url", "year"):
        if not isinstance(raw, str):
            raise ValueRefused(name, raw, value.origin, "not text")
        text = raw.strip()
        fault = identifier_fault(name, text)
        if fault:
            raise ValueRefused(name, raw, value.origin, fault)
        return normalize_pmcid(text) if name == "pmcid" else text
    if isinstance(raw, (str, Text)):
        if name in _NAMES:
            raise ValueRefused(name, raw, value.origin, "not a list of names")
        return _text(raw, "auto" if name in _CASED else "none")
    people = tuple(a for a in raw if isinstance(a, Author))
    if name in _NAMES and len(people) == len(raw):
        return _names(people)
    pair = tuple(p for p in raw if isinstance(p, str))
    if name == "pages" and len(pair) == len(raw) == 2:
        return _text(pair[0], "none") + "--" + _text(pair[1], "none")
    raise ValueRefused(name, raw, value.origin, "not text")


def _checked(name: str, value: Value, tex: str) -> str:
    """What :func:`written` gives, once more checked: its braces balance as BibTeX counts
    them, and it holds no control character."""
    if not _balanced(tex) or _CONTROL.search(tex):
        raise ValueRefused(name, value.value, value.origin, "it cannot be written with balanced braces")
    return tex


def _written_fields(key: str, values: Mapping[str, Value]) -> tuple[dict[str, str], list[str]]:
    """Each value through :func:`written` (the empty ones left out); and the messages of
    the values refused."""
    fields: dict[str, str] = {}
    refused: list[str] = []
    for name, value in values.items():
        try:
            text = written(name, value)
        except ValueRefused as exc:
            refused.append(f"{key}: {exc}")
            continue
        if text:
            fields[name.lower()] = text
    return fields, refused


def _entry_text(key: str, entry_type: str, fields: Mapping[str, str], file: str,
                braced: set[str] | None = None) -> str:
    """``@type{key,`` and one aligned ``name = {value},`` line per field (``braced``: the
    fields whose text goes between braces; default all, the others are written as they are)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_:.-]*", entry_type) or not fields:
        raise BibError(f"{file}: no entry '{key}' to write: no field could be written")
    width = max(len(n) for n in fields)
    braced = set(fields) if braced is None else braced
    lines = [f"  {n.ljust(width)} = {'{' + v + '}' if n in braced else v}," for n, v in fields.items()]
    return "\n".join([f"@{entry_type}{{{key},", *lines, "}"]) + "\n"


_WS = " \t\r\n"
_NEWLINE = re.compile(r"\r?\n")


class BibEditor:
    """The text of one bib file and the edits made to it (none are written until :meth:`save`).

    ``file`` is the name that messages and :meth:`diff` show; ``path`` is where
    :meth:`save` writes by default; ``bom`` keeps a UTF-8 byte-order mark on save.
    """

    def __init__(self, text: str, file: str = "references.bib", *,
                 path: str | Path | None = None, bom: bool = False):
        self.file = file
        self.path = Path(path) if path is not None else None
        self.newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
        self._bom = bom
        self._saved = self._text = text
        self._parsed: dict[str, list[Problem]] = {}  # text -> its parse problems
        self._disk: bytes | None = None  # the file's bytes when it was read or last saved

    @classmethod
    def open(cls, path: str | Path, label: str | None = None) -> BibEditor:
        """The editor of the file at ``path`` (``label``: its name in messages)."""
        name = label or str(path)
        data = read_bib_bytes(path, name)
        editor = cls(decode_bib(data, name), name, path=path, bom=data.startswith(codecs.BOM_UTF8))
        editor._disk = data
        return editor

    @property
    def text(self) -> str:
        """The text with every edit so far."""
        return self._text

    @property
    def changed(self) -> bool:
        """True when the text differs from the file as read (or last saved)."""
        return self._text != self._saved

    # ------------------------------------------------------------------ edits

    def set_field(self, key: str, name: str, value: str) -> None:
        """Give the entry ``key`` the field ``name = {value}``: its old value (braced,
        quoted, a number, a macro or a ``#`` concatenation) is replaced, or the field is
        added after the entry's last field."""
        entry = self._entry(key)
        if not is_field_name(name):
            raise BibError(f"{self.file}:{entry.line}: '{name}' is not a field name (a letter, "
                           "then letters, digits or _-.:+/): correct the name")
        written = "{" + self._value(value, name, entry) + "}"
        span = entry.field(name.lower())
        if span is not None:
            self._apply(span.value_start, span.value_end, written)
        else:
            self._apply(*self._new_field(entry, name, written))

    def remove_field(self, key: str, name: str) -> None:
        """Remove the field ``name`` of the entry ``key``, with its comma and the space
        before it; the entry keeps (or keeps lacking) its trailing comma."""
        entry = self._entry(key)
        span = entry.field(name.lower())
        if span is None:
            raise BibError(f"{self.file}:{entry.line}: the entry '{key}' has no field '{name}': "
                           "nothing to remove")
        text = self._text
        start = _skip_back(text, span.name_start)
        comma = _skip(text, span.value_end)
        if text[comma] == ",":
            self._apply(start, comma + 1, "")
        else:  # the last field, without a trailing comma: take the comma before it
            self._apply(start - 1, span.value_end, "")

    def insert_entry(self, entry_text: str, after: str | None = None) -> None:
        """Insert a whole entry after the entry ``after`` (and the rest of its line), or
        after the file's last line of text; blank lines between entries as the file has them."""
        new, key = self._new_entry(entry_text)
        self._unused_key(key)
        text = self._text
        end = self._entry(after).end if after is not None else len(text.rstrip(_WS))
        line_end = text.find("\n", end)
        pos = len(text) if line_end < 0 else line_end + 1
        before = text[:pos]
        lead = self.newline if before and not before.endswith("\n") else ""
        blank = self.newline * (self._gap() - 1) if before.strip() else ""
        self._apply(pos, pos, lead + blank + new + self.newline)

    def replace_entry(self, key: str, entry_text: str) -> None:
        """Replace the entry ``key`` (from its ``@`` to its closing brace) by ``entry_text``."""
        entry = self._entry(key)
        new, new_key = self._new_entry(entry_text)
        if new_key.lower() != key.lower():
            self._unused_key(new_key)
        self._apply(entry.start, entry.end, new)

    def write_field(self, key: str, name: str, value: Value) -> None:
        """:meth:`set_field` for a value from a registry, through the validated writer
        (:func:`written`); :class:`ValueRefused` when it is not what the field holds. The
        entry must then have exactly its old fields and ``name``."""
        before = {f.name.lower() for f in self._entry(key).fields}
        text = self._text
        self.set_field(key, name, written(name, value))
        after = {f.name.lower() for f in self._entry(key).fields}
        if after != before | {name.lower()}:
            self._text = text
            raise BibError(f"{self.file}: writing {name} of '{key}' would change other fields "
                           f"({', '.join(sorted(after ^ (before | {name.lower()})))}): not written")

    def add_entry(self, key: str, entry_type: str, values: Mapping[str, Value],
                  after: str | None = None) -> list[str]:
        """Insert ``@entry_type{key, name = {value}, ...}`` (one aligned line per field) from
        registry values, each through the validated writer (:func:`written`). A value it
        refuses is left out; the messages say which and who sent it (returned). The new
        entry must have exactly the fields written."""
        fields, refused = _written_fields(key, values)
        text = self._text
        self.insert_entry(_entry_text(key, entry_type, fields, self.file), after)
        self._expect_fields(key, list(fields), text)
        return refused

    def rebuild_entry(self, key: str, entry_type: str, values: Mapping[str, Value],
                      keep: Sequence[str] = ()) -> list[str]:
        """Replace the entry ``key`` by ``@entry_type{key, ...}`` made from registry values
        (as :meth:`add_entry` makes one), followed by the fields named in ``keep`` copied
        from the old entry as they are written. Returns the messages of the values refused."""
        entry = self._entry(key)
        fields, refused = _written_fields(key, values)
        braced = set(fields)
        for name in (n.lower() for n in keep):
            span = entry.field(name)
            if span is not None and name not in fields:
                fields[name] = self._text[span.value_start:span.value_end]
        text = self._text
        self.replace_entry(key, _entry_text(key, entry_type, fields, self.file, braced))
        self._expect_fields(key, list(fields), text)
        return refused

    def _expect_fields(self, key: str, names: list[str], before: str) -> None:
        """The entry ``key`` has exactly the fields ``names``, in order; else the text goes
        back to ``before`` and :class:`BibError` says so."""
        made = [e for e in scan(self._text) if e.key.lower() == key.lower()]
        if len(made) != 1 or [f.name.lower() for f in made[0].fields] != [n.lower() for n in names]:
            self._text = before
            raise BibError(f"{self.file}: the entry '{key}' did not come out with the fields "
                           "written: not changed")

    # ------------------------------------------------------------------ output

    def diff(self) -> str:
        """The edits as a unified diff of the file (``a/<file>``, ``b/<file>``)."""
        lines = difflib.unified_diff(_lines(self._saved), _lines(self._text),
                                     f"a/{self.file}", f"b/{self.file}")
        return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
                       for line in lines)

    def save(self, path: str | Path | None = None) -> None:
        """Write the text atomically to ``path`` (default: the file opened), bytes exactly:
        the same line endings, the byte-order mark if the file had one."""
        target = path if path is not None else self.path
        if target is None:
            raise BibError(f"{self.file}: the editor was not opened from a file: "
                           "give save() the path to write")
        name = self.file if path is None else str(path)
        data = (codecs.BOM_UTF8 if self._bom else b"") + self._text.encode("utf-8")
        if path is None and self._disk is not None and _read(target) != self._disk:
            raise BibError(f"{name}: the bib file was changed by someone else since it was read, "
                           "so it was not written (that change would be lost): run the command again")
        try:
            atomic_write(target, data)
        except OSError as exc:
            raise BibError(f"{name}: the bib file cannot be written ({exc.strerror or exc}), so "
                           "it is unchanged: check that its directory is writable") from None
        self._saved, self.path = self._text, Path(target)
        if path is None:
            self._disk = data

    # ------------------------------------------------------------------ helpers

    def _entry(self, key: str) -> ScannedEntry:
        """The one entry ``key`` (exact case), scanned without a fault."""
        entries = scan(self._text)
        found = [e for e in entries if e.key and e.key == key]
        if not found:
            similar = [e.key for e in entries if e.key.lower() == key.lower()]
            hint = f" (did you mean '{similar[0]}'? keys are case-sensitive)" if similar else ""
            raise BibError(f"{self.file}: no entry has the key '{key}'{hint}: check the key")
        entry = found[0]
        if len(found) > 1:
            raise BibError(f"{self.file}:{found[1].line}: the key '{key}' is used by the entries "
                           f"on lines {entry.line} and {found[1].line}: remove one before editing")
        if entry.fault:
            raise BibError(f"{self.file}:{entry.fault_line}: the entry '{key}' has a syntax "
                           f"fault, so it cannot be edited safely: {entry.fault}")
        problem = next((p for p in self._problems(self._text)
                        if p.code == Code.BIB_SYNTAX and p.key == key), None)
        if problem is not None:
            raise BibError(f"{self.file}:{problem.line}: the entry '{key}' has a syntax fault, "
                           f"so it cannot be edited safely: {problem.message}")
        return entry

    def _value(self, value: str, name: str, entry: ScannedEntry) -> str:
        """``value`` with the file's line endings; :class:`BibError` when braces do not balance."""
        depth = 0
        for ch in value:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                break
        if depth:
            raise BibError(f"{self.file}:{entry.line}: the value for '{name}' of the entry "
                           f"'{entry.key}' has unbalanced braces ({value!r}): close each '{{' "
                           "with a '}' (BibTeX counts every brace, even an escaped one)")
        return _NEWLINE.sub(self.newline, value)

    def _new_field(self, entry: ScannedEntry, name: str, value: str) -> tuple[int, int, str]:
        """``(start, end, text)`` that adds the field ``name`` with the ``value`` as written."""
        text = self._text
        if not entry.fields:
            indent, assign = self._default_style(entry)
            key_end = text.index(entry.key, _opener(text, entry)) + len(entry.key)
            comma = _skip(text, key_end)
            pos, lead = (comma + 1, "") if text[comma] == "," else (key_end, ",")
            tail = "" if "\n" in text[pos:entry.end - 1] else self.newline
            return pos, pos, f"{lead}{self.newline}{indent}{name}{assign}{value}{tail}"
        last = entry.fields[-1]
        space = text[_skip_back(text, last.name_start):last.name_start]
        sep = self.newline + space[space.rindex("\n") + 1:] if "\n" in space else space
        new = f"{name}{self._assign(entry, name)}{value}"
        comma = _skip(text, last.value_end)
        if text[comma] == ",":
            return comma + 1, comma + 1, f"{sep}{new},"
        return last.value_end, last.value_end, f",{sep}{new}"

    def _assign(self, entry: ScannedEntry, name: str) -> str:
        """The `` = `` of a new field ``name``: the last field's, padded when the entry's
        ``=`` signs line up (aligned by spaces)."""
        text = self._text
        last = entry.fields[-1]
        assign = text[last.name_end:last.value_start]
        before, after = assign.split("=", 1)
        offsets = {_eq_offset(text, f) for f in entry.fields}
        aligned = (len(offsets) == 1 and len({len(f.name) for f in entry.fields}) > 1
                   and not before.strip(" "))
        if aligned:
            before = " " * max(1, offsets.pop() - len(name))
        return f"{before}={after}"

    def _default_style(self, entry: ScannedEntry) -> tuple[str, str]:
        """Indentation and `` = `` for the first field of ``entry``: those of the nearest
        entry (before it, else after it) whose fields are on lines of their own, without
        the padding that aligned its ``=`` signs."""
        text, entries = self._text, scan(self._text)
        at = next(i for i, e in enumerate(entries) if e.start == entry.start)
        for other in entries[:at][::-1] + entries[at + 1:]:
            if not (other.key and other.fields):
                continue
            first = other.fields[0]
            indent = text[text.rfind("\n", 0, first.name_start) + 1:first.name_start]
            if not indent.strip(" \t"):
                before, after = text[first.name_end:first.value_start].split("=", 1)
                return indent, (" " if before and not before.strip(" ") else before) + "=" + after
        return "  ", " = "

    def _new_entry(self, entry_text: str) -> tuple[str, str]:
        """``entry_text`` trimmed, with the file's line endings, and its key; it must scan
        as exactly one entry with a key and nothing around it."""
        new = _NEWLINE.sub(self.newline, entry_text.strip(_WS))
        items = scan(new)
        item = items[0] if len(items) == 1 else None
        if item is None or item.fault or not item.key or (item.start, item.end) != (0, len(new)):
            why = (f"{item.fault} (line {item.fault_line} of the new entry)" if item and item.fault
                   else f"it holds {len(items)} @commands" if item is None
                   else "it has text outside the entry" if item.key else "it has no citation key")
            raise BibError(f"{self.file}: the new entry is not exactly one entry "
                           f"(@type{{key, name = {{value}}, ...}}): {why}")
        return new, item.key

    def _unused_key(self, key: str) -> None:
        """:class:`BibError` when an entry already has ``key`` (BibTeX ignores case)."""
        taken = next((e for e in scan(self._text) if e.key.lower() == key.lower()), None)
        if taken is not None:
            raise BibError(f"{self.file}:{taken.line}: the key '{key}' is already used by the "
                           f"entry '{taken.key}' on line {taken.line}: choose another key "
                           "or replace that entry")

    def _gap(self) -> int:
        """How many line breaks the file mostly puts between two entries (2 by default)."""
        text, items = self._text, scan(self._text)
        gaps = Counter(text.count("\n", a.end, b.start) for a, b in zip(items, items[1:])
                       if not text[a.end:b.start].strip(_WS))
        return max(1, gaps.most_common(1)[0][0]) if gaps else 2

    def _apply(self, start: int, end: int, new: str) -> None:
        """Write ``new`` over ``start:end`` if the result parses with no new error."""
        text = self._text[:start] + new + self._text[end:]
        added = _errors(self._problems(text)) - _errors(self._problems(self._text))
        if added:
            problem = next(p for p in self._problems(text) if (p.code, p.key) in added)
            raise BibError(f"{self.file}:{problem.line}: the edit was not made, because the "
                           f"file would then have this error: {problem.message}")
        self._text = text

    def _problems(self, text: str) -> list[Problem]:
        """The problems of parsing ``text`` (the last two answers are kept: old and new)."""
        if text not in self._parsed:
            self._parsed = {t: p for t, p in self._parsed.items() if t == self._text}
            self._parsed[text] = parse_bib_text(text, self.file, entries=False).problems
        return self._parsed[text]


def _errors(problems: list[Problem]) -> Counter:
    """The errors among ``problems``, counted by (code, key)."""
    return Counter((p.code, p.key) for p in problems if p.severity == "error")


def _skip(text: str, i: int) -> int:
    """The position of the first non-space character at or after ``i``."""
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _skip_back(text: str, i: int) -> int:
    """The start of the run of whitespace that ends at ``i``."""
    while i > 0 and text[i - 1] in _WS:
        i -= 1
    return i


def _opener(text: str, entry: ScannedEntry) -> int:
    """The position of the ``{`` or ``(`` that opens ``entry``."""
    return min(p for p in (text.find("{", entry.start), text.find("(", entry.start)) if p >= 0)


def _eq_offset(text: str, span: FieldSpan) -> int:
    """How far the ``=`` of a field is from the start of its name."""
    return text.index("=", span.name_end) - span.name_start


def _lines(text: str) -> list[str]:
    """Lines with their endings (only ``\\n`` ends a line, as in the file)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _read(path: str | Path) -> bytes | None:
    """A file's bytes now (``None`` when it cannot be read: then it changed too)."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return None
