"""Loading ``references.bib``: references plus true line numbers, never a traceback.

The scanner (:mod:`citeproof.bib.scan`) walks the file first. An entry that scans
cleanly is read straight from the scanner's spans (BibTeX's value rules: braces,
quotes, numbers, ``#`` and @string names) into a light record, its people split by
:mod:`citeproof.bib.names`; the record becomes the :class:`Reference`, and a pybtex
``Entry`` only when the caller wants pybtex's data (the site's style) or a ``crossref``
needs it. The rare entry that needs more (a @string or @preamble, an undefined @string
name, a ``(...)`` entry, an empty name in a list) is handed to pybtex's parser on its
own. One broken entry never hides the others, and pybtex's own complaints are captured
as :class:`~citeproof.model.Problem` values instead of being printed. An entry with a
missing ``}``, ``"`` or ``,`` is still loaded as if the character were where the message
says it belongs (the error stays), so the fault does not also turn every citation of it
into an unknown key.

Project conventions for bib fields:

- ``doi``: the bare DOI (a ``https://doi.org/`` or ``doi:`` prefix is removed with
  a warning); ``pmid`` (pybtex's ``pubmed`` is accepted as an alias; a ``PMID:``
  prefix is removed with a warning, like ``doi:``); ``pmcid``.
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
import gc
import re
import sys
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import pybtex.errors
from pybtex.database import BibliographyData, Entry, InvalidNameString, Person
from pybtex.database.input.bibtex import Parser, UndefinedMacro
from pybtex.exceptions import PybtexError
from pybtex.utils import CaseInsensitiveDict

from ..identifiers import is_short_doi, normalize_doi, normalize_pmcid, normalize_pmid
from ..model import BibError, FieldLines, Problem, Reference, Severity
from ..model import ProblemCode as Code
from .names import people
from ..dialect import DISPLAYED_FIELDS, LIST_FIELDS, full_title, list_items, raw_field
from ..text import Macros, macros_from_preamble
from .latex import latex_to_text, latex_warnings, normalize_pages, person_to_author, split_words
from .scan import _LINE_START_AT, AT, ONE_LITERAL, Fault, RawField, ScannedEntry, Scanner, has_junk

__all__ = ["BibResult", "MAX_VALUE_CHARS", "bib_text", "decode_bib", "load_bib", "parse_bib_chunks",
           "parse_bib_text", "read_bib_bytes"]

#: A field value (with @string names expanded) longer than this is refused: BibTeX
#: concatenation can double a string per @string and exhaust memory.
MAX_VALUE_CHARS = 100_000


@dataclass
class BibResult:
    """A loaded bib file: references in file order, problems, and pybtex's data."""

    file: str
    references: dict[str, Reference] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    data: BibliographyData = field(default_factory=BibliographyData)
    #: every key read (lower-case) -> (the key as first written, its line)
    keys: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)
    #: a @string or @preamble was read (later entries may use what it defines)
    defines: bool = False
    #: an entry with a ``crossref`` was read (it takes fields from another entry)
    crossrefs: bool = False

def parse_bib_text(text: str, file: str, entries: bool = True) -> BibResult:
    """Parse bib text; never raises for bad content (faults become problems).

    With ``entries=False`` the result's ``data`` is empty: each pybtex entry is dropped
    once its :class:`Reference` is made (unless a ``crossref`` may name it), which is
    all the checker needs and a fraction of the memory.

    Python's cycle collector is paused meanwhile: the load makes millions of small
    objects and no cycles, and each collection would walk all of them again (about a
    tenth of the time on a 100,000-entry bib)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return parse_range(text, file, entries)
    finally:
        if paused:
            gc.enable()


def parse_range(text: str, file: str, entries: bool, scanner: Scanner | None = None,
                start: int = 0, end: int | None = None) -> BibResult:
    """:func:`parse_bib_text` of the commands that start in ``text[start:end]`` (lines
    are the whole text's); ``scanner.stopped`` then says where the last one ended.

    Each command is read as scanned or recovered (:func:`_recover`), then goes through
    :data:`_STEPS` in order, until one of them says the command is done; then every
    ``crossref`` takes its parent's fields."""
    scanner, parser = scanner or Scanner(text), Parser()
    read = _Read(file, BibResult(file=file, data=parser.data), parser,
                 None if entries else _crossref_targets(text))
    for item, at, limit in scanner.commands(start, end):
        command = _recover(read, scanner, item, at, limit)
        if command is None:
            continue
        for step in _STEPS:
            if not step(read, command):
                break
    _inherit(read)
    if not entries:
        read.result.data = BibliographyData()
    return read.result


@dataclass
class _Read:
    """One reading of a bib by :func:`parse_range`: what every step shares."""

    file: str
    result: BibResult
    parser: Parser
    #: the keys some ``crossref`` names (the checker keeps only those pybtex entries);
    #: ``None`` keeps every entry (the site's style needs them)
    parents: set[str] | None
    scanned: dict[str, tuple[ScannedEntry[RawField], Scanner]] = field(default_factory=dict)  # crossref -> where read
    #: the macros the bib's @preamble defines (``\noopsort``, ``\newcommand``), for decoding
    macros: Macros | None = None

    def problem(self, code: Code, message: str, line: int | None, key: str | None = None,
                field_name: str | None = None, severity: Severity = "error") -> None:
        self.result.problems.append(Problem(code=code, severity=severity, message=message, key=key,
                                            file=self.file, line=line, field=field_name))


@dataclass
class _Command:
    """One command of the file as the steps read it (a repair replaces its scanner and item)."""

    sc: Scanner
    item: ScannedEntry[RawField]
    start: int
    limit: int
    text: str = ""  # the entry as pybtex would read it (empty names taken out)
    spans: bool = True  # its fields can be read from the scanner's spans
    # (set by _read_record and _to_reference: only the steps after them read them)
    record: _Record = field(init=False)
    ref: Reference = field(init=False)

    @property
    def line(self) -> int:
        return self.sc.line(self.start)


def _recover(read: _Read, sc: Scanner, item: ScannedEntry[RawField] | Fault, start: int,
             limit: int) -> _Command | None:
    """The command to read: as scanned, or for a command the scanner could not read, an
    error, and the command read as its own fix says (a missing ``}``, ``"`` or ``,``
    where the message puts it), if that scans (else ``None``: it is not loaded)."""
    if not isinstance(item, Fault):
        return _Command(sc, item, start, limit)
    repaired = _repair(sc, item.repair, start, limit)
    read.problem(Code.BIB_SYNTAX, item.message if repaired else
                 f"{item.message} (this entry is not loaded until then)",
                 sc.line(item.pos), (repaired[1].key or None) if repaired else None)
    if not repaired:
        return None
    return _Command(repaired[0], repaired[1], 0, len(repaired[0].text))


def _not_comment(read: _Read, cmd: _Command) -> bool:
    if not cmd.item.key:  # a @string or @preamble (or a @comment)
        read.result.defines = read.result.defines or cmd.item.command != "comment"
    return cmd.item.command != "comment"


def _stray_brace(read: _Read, cmd: _Command) -> bool:
    """Text after the command's end, before the next one: the entry ended early (an extra
    ``}``). An error; the entry is read as if that brace were not there, when that
    leaves a clean entry."""
    sc, item = cmd.sc, cmd.item
    after = AT.search(sc.text, item.end, cmd.limit)  # the junk ends where the next command starts
    if not has_junk(sc.text[item.end:after.start() if after else cmd.limit]):
        return True
    end_line = sc.line(item.end - 1)
    read.problem(Code.BIB_SYNTAX, f"the '{sc.text[item.end - 1]}' on line {end_line} ends the "
                 f"{_what(item)} before its other fields: remove that extra brace (or add the "
                 "'{' its value lacks)", end_line, item.key or None)
    fixed = _repair(sc, (item.end - 1, item.end, " "), cmd.start, cmd.limit)
    if fixed and not has_junk(fixed[0].text[fixed[1].end:]):
        cmd.sc, cmd.item = fixed
        cmd.start, cmd.limit = 0, len(cmd.sc.text)
    return True


def _first_key(read: _Read, cmd: _Command) -> bool:
    """A key read before (compared ignoring case, as BibTeX does): an error, and the
    later entry is not loaded."""
    item = cmd.item
    if not item.key:
        return True
    seen = read.result.keys
    folded = item.key.lower()
    if folded in seen:
        first_key, first_line = seen[folded]
        read.problem(Code.DUPLICATE_KEY, _duplicate(item.key, cmd.line, first_key, first_line),
                     cmd.line, item.key)
        return False
    seen[folded] = (item.key, cmd.line)
    return True


def _no_empty_names(read: _Read, cmd: _Command) -> bool:
    """An empty name in an author or editor list: an error; the entry is read without it."""
    sc, item = cmd.sc, cmd.item
    cmd.text = sc.text[item.start:item.end]
    found = _empty_names(sc, item)
    for name, name_pos, new_value, vstart, vend in reversed(found):
        read.problem(Code.BIB_SYNTAX, f"the {name} list of the {_what(item)} has an empty name (an "
                     "'and' at its start or end, or two in a row): remove the extra 'and'",
                     sc.line(name_pos), item.key or None, name)
        cmd.text = cmd.text[:vstart - item.start] + new_value + cmd.text[vend - item.start:]
    cmd.spans = not found
    return True


def _overlong(read: _Read, cmd: _Command, name: str) -> bool:
    """A field that @string concatenation expands past :data:`MAX_VALUE_CHARS`: an error,
    and the entry is not loaded (returns ``False``)."""
    read.problem(Code.BIB_SYNTAX, f"the field '{name}' of the {_what(cmd.item)} expands to more "
                 f"than {MAX_VALUE_CHARS:,} characters through @string concatenation (a "
                 "macro doubled by 'a # a'?): shorten it; the entry is not loaded",
                 cmd.line, cmd.item.key or None, name)
    return False


def _read_record(read: _Read, cmd: _Command) -> bool:
    """What the entry says: from the scanner's spans when it can be, else from pybtex's
    parser (whose complaints become errors at their lines). A field that @string
    concatenation expands too far is refused before any of it is joined (:func:`_overlong`)."""
    sc, item, parser = cmd.sc, cmd.item, read.parser
    try:
        record = _spans_record(sc, item, parser.macros) if cmd.spans else None
    except _TooLong as too_long:
        return _overlong(read, cmd, too_long.args[0])
    if record is None and not item.plain and (name := _overlong_field(sc, item, parser.macros)):
        return _overlong(read, cmd, name)
    with pybtex.errors.capture() as errors:  # pybtex would raise or print to stderr
        try:
            if record is None:
                _pybtex_read(parser, cmd.text, item)
            else:
                record.split_names()
                if read.parents is None or "crossref" in record.fields or item.key.lower() in read.parents:
                    parser.data.add_entry(item.key, record.to_entry())
        except PybtexError as exc:
            errors.append(exc)
    for error in errors:
        rel = getattr(error, "lineno", None)
        at = cmd.line + rel - 1 if rel else cmd.line
        if isinstance(error, InvalidNameString):  # no line from pybtex: the names' field
            at = next((sc.line(pos) for name, pos, _, _ in item.fields if name in ("author", "editor")),
                      cmd.line)
        read.problem(Code.BIB_SYNTAX, _pybtex_message(error, item), at, item.key or None)
    if item.command == "preamble":  # the macros it defines decode the entries after it
        read.macros = macros_from_preamble(parser.data.preamble)
    if record is None:
        entry = parser.data.entries.get(item.key) if item.key else None
        if entry is None:
            return False  # a @string or @preamble, or an entry pybtex could not read
        record = _Record.of(entry)
    cmd.record = record
    return True


def _to_reference(read: _Read, cmd: _Command) -> bool:
    item = cmd.item
    if "crossref" in cmd.record.fields:
        read.scanned[item.key] = (item, cmd.sc)
        read.result.crossrefs = True
    cmd.ref = read.result.references[item.key] = _reference(item, cmd.record, read.file, cmd.sc, read.macros)
    return True


def _readable_latex(read: _Read, cmd: _Command) -> bool:
    """LaTeX that is left undecoded in a field a reference shows (a macro the text model does
    not know and the @preamble does not define, unclosed math, a trailing backslash): a
    warning naming it; the value is shown as the text it holds."""
    values = [*cmd.record.fields.values(), *cmd.record.names]
    for written, value in values:
        name = written.lower()
        if name not in DISPLAYED_FIELDS:
            continue
        for warning in latex_warnings(value, read.macros):
            read.problem(Code.UNDECODED_LATEX, f"{cmd.item.key}: the {name} holds LaTeX that is not decoded "
                         f"({warning.message}), so it is shown as written: define the macro in @preamble "
                         "or write the text itself (a backslash as \\textbackslash{})",
                         cmd.ref.line_of(name), cmd.item.key, name, "warning")
    return True


def _identifier_prefixes(read: _Read, cmd: _Command) -> bool:
    """A ``https://doi.org/`` or ``doi:`` before a DOI, a ``PMID:`` before a PMID: a
    warning (the identifier is read without it)."""
    record, key, ref = cmd.record, cmd.item.key, cmd.ref
    warning = normalize_doi(record.get("doi"))[1]
    if warning:
        read.problem(Code.INVALID_DOI, f"{key}: {warning}", ref.line_of("doi"), key, "doi", "warning")
    pmid_field = "pmid" if "pmid" in record.fields else "pubmed"
    warning = normalize_pmid(record.get(pmid_field))[1]
    if warning:
        read.problem(Code.INVALID_PMID, f"{key}: {warning}", ref.line_of(pmid_field), key, pmid_field,
                     "warning")
    return True


def _drop_entry(read: _Read, cmd: _Command) -> bool:
    """The checker keeps no pybtex entry but those a ``crossref`` may need."""
    key = cmd.item.key
    if cmd.record.entry is not None and read.parents is not None and key not in read.scanned and (
            key.lower() not in read.parents):
        del read.parser.data.entries[key]
    return True


#: What :func:`parse_range` does with each command of the file (once :func:`_recover`
#: made it one to read), in order; a step that returns ``False`` ends the command's
#: reading (it is not loaded, or there is no more to read of it).
_STEPS = (_not_comment, _stray_brace, _first_key, _no_empty_names, _read_record, _to_reference,
          _readable_latex, _identifier_prefixes, _drop_entry)


def _inherit(read: _Read) -> None:
    """BibTeX's ``crossref`` for every entry that has one (:func:`_inherit_crossrefs`): its
    Reference made again with its parent's fields; a crossref that names no entry is a
    warning."""
    data = read.parser.data
    for key, parent in _inherit_crossrefs(data, read.scanned):
        item, sc = read.scanned[key]
        if parent is None:
            read.problem(Code.BIB_SYNTAX, f"{key}: the crossref '{data.entries[key].fields['crossref']}' "
                         "names no entry of this file: correct the key or add that entry",
                         read.result.references[key].line_of("crossref"), key, "crossref", "warning")
        else:
            read.result.references[key] = _reference(item, _Record.of(data.entries[key]), read.file, sc)


#: what makes one part of a bib depend on another: a @string or @preamble (its names and
#: text are the file's), a crossref (an entry takes its parent's fields)
_STRING_OR_PREAMBLE = re.compile(r"@[ \t]*(?:string|preamble)[ \t]*[{(]")  # (of the lower-case text)


def parse_bib_chunks(text: str, file: str, known: dict | None = None, *, keep=None,
                     all_entries: bool = True) -> tuple[BibResult, dict, dict]:
    """:func:`parse_bib_text` of ``text``, reading again only the chunks that ``known``
    (what the last call returned) does not hold. Returns the result, what to pass as
    ``known`` next time, and ``keep(entry)`` of each loaded entry's pybtex entry by key
    (kept with the chunk: a known chunk's value is not made again).

    The result's pybtex data holds every entry, or with ``all_entries=False`` only those
    of the chunks read in this call (a known chunk's entries are not kept: rebuilding
    pybtex entries costs more than reading the chunk again).

    A chunk is the text from one line that starts an ``@entry`` to the next: the scanner
    never lets an entry run past such a line unless the entry is faulty there, so a
    chunk reads alike alone and in the file, as long as nothing in it is faulty and
    nothing ties the chunks together. So the whole text is parsed as one when it holds a
    @string, a @preamble or a crossref anywhere, or when a chunk read again has an error
    (a fault, an entry that spans chunks); and what depends on the whole file (duplicate
    keys across chunks and their messages, the order, lines) is made anew every time:
    a known chunk's references and problems are shifted by the lines it moved.
    """
    keep = keep or _nothing
    chunks = _chunks(text)
    low = text.lower()
    if "crossref" in low or _STRING_OR_PREAMBLE.search(low):
        result = parse_bib_text(text, file)
        return result, {}, {key: keep(entry) for key, entry in result.data.entries.items()}
    readings = _read_chunks(text, file, chunks, known or {})
    if readings is None:  # not independent: the whole file as one
        result = parse_bib_text(text, file)
        found = {c: _kept(u, keep) for (_, _, c), u in zip(chunks, _split(result, chunks, 0) or ())
                 if u is not None}
        return result, found, {key: keep(entry) for key, entry in result.data.entries.items()}
    units, read = readings
    return _joined(file, chunks, units, read, keep, all_entries)


#: what the loader read in one chunk: ``(its first line, ((key, reference, problems,
#: pybtex entry or what ``keep`` made of it), ...))``
_ChunkReading = tuple[int, tuple]


def _read_chunks(text: str, file: str, chunks: list[tuple[int, int, str]],
                 known: dict) -> tuple[list[_ChunkReading], set[int]] | None:
    """Each chunk's reading, from ``known`` or read now (each run of unknown chunks is
    parsed as one text), and which chunks were read now; ``None`` when a chunk read now
    may not read alike alone (see :func:`_split`)."""
    units: list = [None] * len(chunks)
    read: set[int] = set()
    i = 0
    while i < len(chunks):
        if chunks[i][2] in known:
            units[i] = known[chunks[i][2]]
            i += 1
            continue
        j = i
        while j < len(chunks) and chunks[j][2] not in known:
            j += 1
        split = _read_run(text, file, chunks, i, j)
        if split is None:
            return None
        units[i:j] = split
        read.update(range(i, j))
        i = j
    return units, read


def _read_run(text: str, file: str, chunks: list[tuple[int, int, str]], i: int,
              j: int) -> list[_ChunkReading] | None:
    """The readings of ``chunks[i:j]``, parsed as one text; a chunk that does not read
    alike there (a key twice in the run) is read alone. ``None`` when one does not read
    alike either way."""
    start, first = chunks[i][0], chunks[i][1]
    part = parse_bib_text(text[start:chunks[j - 1][0] + len(chunks[j - 1][2])], file)
    split = _split(part, chunks[i:j], first - 1)
    if split is None:
        return None
    for at, unit in enumerate(split):
        if unit is None and j - i > 1:  # (a key twice in the run: each chunk alone)
            _, line, chunk = chunks[i + at]
            alone = _split(parse_bib_text(chunk, file), [(0, 1, chunk)], 0)
            if alone is not None and alone[0] is not None:
                split[at] = (line, _shifted(alone[0][1], line - 1))
    if any(u is None for u in split):
        return None
    return cast("list[_ChunkReading]", split)  # (none is None: checked)


def _joined(file: str, chunks: list[tuple[int, int, str]], units: list[_ChunkReading], read: set[int],
            keep, all_entries: bool) -> tuple[BibResult, dict, dict]:
    """The result of the whole text from its chunks' readings (see
    :func:`parse_bib_chunks`): duplicate keys across chunks, the order and the lines made
    anew; ``known`` for the next call; ``keep(entry)`` of each entry by key."""
    result = BibResult(file=file)
    refs, problems, add = result.references, result.problems, result.data.add_entry
    seen: dict[str, tuple[str, int]] = {}
    found: dict[str, tuple] = {}
    kept: dict = {}
    again: dict[str, BibResult] = {}  # (all_entries: a known chunk read again for its entries)
    for at, ((_, first, chunk), unit) in enumerate(zip(chunks, units)):
        fresh = at in read
        was, entries = unit
        if first != was:  # (kept as moved: the next call need not shift it again)
            unit = (first, _shifted(entries, first - was))
        found[chunk] = _kept(unit, keep) if fresh else unit
        for (key, _, _, entry), (_, ref, probs, value) in zip(entries, found[chunk][1]):
            folded = key.lower()
            if folded in seen:
                first_key, first_line = seen[folded]
                problems.append(Problem(Code.DUPLICATE_KEY, "error", _duplicate(key, ref.line, first_key, first_line),
                                        key=key, file=file, line=ref.line))
                continue
            seen[folded] = (key, ref.line)
            refs[key] = ref
            problems.extend(probs)
            kept[key] = value
            if fresh:
                add(key, entry)
            elif all_entries:
                if chunk not in again:
                    again[chunk] = parse_bib_text(chunk, file)
                add(key, again[chunk].data.entries[key])
    return result, found, kept


def _nothing(entry) -> None:
    return None


def _kept(unit, keep) -> tuple:
    """A chunk's reading as ``known`` holds it: each pybtex entry replaced by ``keep(entry)``."""
    first, entries = unit
    return first, tuple((key, ref, probs, keep(entry)) for key, ref, probs, entry in entries)


def bib_text(data: bytes, name: str) -> str:
    """A bib file's bytes as the text :func:`load_bib` parses (see there; raises
    :class:`BibError` when they are not text)."""
    return _LONE_CR.sub("\n", decode_bib(_as_utf8(data, name), name))


def _chunks(text: str) -> list[tuple[int, int, str]]:
    """``(start, first line, text)`` of each chunk of ``text`` (see :func:`parse_bib_chunks`)."""
    cuts = [m.start() for m in _LINE_START_AT.finditer(text)]
    if not cuts or cuts[0]:
        cuts.insert(0, 0)
    cuts.append(len(text))
    out, line, count = [], 1, text.count
    for start, end in zip(cuts, cuts[1:]):
        out.append((start, line, text[start:end]))
        line += count("\n", start, end)
    return out


def _split(result: BibResult, chunks: list[tuple[int, int, str]], offset: int) -> list[_ChunkReading | None] | None:
    """``result`` (of the text of ``chunks``, whose first line is line ``offset + 1`` of
    the file) as each chunk's ``(first line, ((key, reference, problems, pybtex entry),
    ...))``, with the file's lines; ``None`` for a chunk that may not read alike alone (an
    error in it: a fault, an entry that spans into the next chunk) or whose reading is
    not all there (a duplicate key in it: the entry was not read); ``None`` in all when a
    problem cannot be placed."""
    starts = [first - offset for _, first, _ in chunks]
    where: dict[str, int] = {}
    out: list = [[] for _ in chunks]
    for key, ref in result.references.items():
        at = bisect.bisect_right(starts, ref.line) - 1
        where[key] = at
        out[at].append([key, ref, [], result.data.entries.get(key)])
    unread = _spanning(chunks, starts, out)
    for p in result.problems:
        if p.line is None:
            return None
        if p.code == Code.DUPLICATE_KEY or p.severity == "error":
            unread.add(bisect.bisect_right(starts, p.line) - 1)
            if p.key in where and p.code != Code.DUPLICATE_KEY:  # (a duplicate's key is the first's)
                unread.add(where[p.key])
        elif p.key not in where:
            return None
        else:
            next(u for u in out[where[p.key]] if u[0] == p.key)[2].append(p)
    shifted: list[_ChunkReading | None] = []
    for at, ((_, first, _), entries) in enumerate(zip(chunks, out)):
        if at in unread or any(e is None for _, _, _, e in entries):
            shifted.append(None)
            continue
        shifted.append((first, _shifted(entries, offset)))
    return shifted


def _spanning(chunks: list[tuple[int, int, str]], starts: list[int], out: list) -> set[int]:
    """The chunks (by index) that a chunk's entries (``out``, by chunk) show were not read
    alone: an entry read on into the next chunk, or a chunk whose ``@`` line was read as
    data of an entry before it."""
    unread: set[int] = set()
    for at, entries in enumerate(out):
        ends = starts[at + 1] if at + 1 < len(starts) else None
        if ends is not None and any(r.field_lines and max(line for _, line in r.field_lines) >= ends
                                    for _, r, _, _ in entries):
            unread.update((at, at + 1))  # an entry read on into the next chunk: spanning
        elif not entries and chunks[at][0] and not _COMMENT.match(chunks[at][2]):
            # its @ line was read as data of an entry before it (spanning), or its entry
            # was not loaded
            back = at
            while back >= 0 and (back == at or not out[back]):
                unread.add(back)
                back -= 1
            unread.add(back)
    return unread


def _shifted(entries, delta: int) -> tuple:
    """``(key, reference, problems, entry)`` units with their lines moved by ``delta``."""
    if not delta:
        return tuple((k, r, tuple(ps), e) for k, r, ps, e in entries)
    return tuple((k, _shift_reference(r, delta), tuple(replace(p, line=p.line + delta) if p.line else p
                                                      for p in ps), e) for k, r, ps, e in entries)


_COMMENT = re.compile(r"[ \t]*@[ \t]*comment[ \t]*[{(]", re.I)


def _shift_reference(ref: Reference, delta: int) -> Reference:
    lines = ref.field_lines
    lines = (FieldLines(lines.names, lines.first + delta, lines.steps) if isinstance(lines, FieldLines)
             else tuple((name, line + delta) for name, line in lines))
    return replace(ref, line=ref.line + delta, field_lines=lines)


def _duplicate(key: str, line: int, first_key: str, first_line: int) -> str:
    why, exact = ("", "") if first_key == key else (
        " (BibTeX treats keys that differ only in case as the same key)",
        f", and citations must use its exact key '{first_key}'")
    return (f"the key '{key}' on line {line} repeats '{first_key}' from line {first_line}{why}: "
            f"rename or remove one; the entry on line {first_line} is kept{exact}")


#: ``crossref = {key}`` (group 1), or any other way of writing one (group 2)
_CROSSREF = re.compile(r"crossref\s*=\s*(?:[{\"]\s*([^\s{}\"#,]+)\s*[}\"](?!\s*#)|(.))", re.I)


def _crossref_targets(text: str) -> set[str] | None:
    """The lower-case keys that a ``crossref`` field of ``text`` may name (a superset:
    a match inside a value counts too), or ``None`` (every key) when a crossref is
    written otherwise (a @string name, a concatenation)."""
    targets: set[str] = set()
    if "crossref" not in text.lower():
        return targets
    for m in _CROSSREF.finditer(text):
        if m.group(2):
            return None
        targets.add(m.group(1).lower())
    return targets


@dataclass(slots=True)
class _Record:
    """What an entry says, as the loader reads it: its type as written, its fields by
    lower-case name (``(name as written, value)``, in file order), its author/editor
    values and, once split, its people by lower-case role; ``entry`` is the pybtex
    entry it came from (a pybtex-parsed entry) or ``None`` (built from the spans)."""

    type: str
    fields: dict[str, tuple[str, str]]
    names: list[tuple[str, str]] = field(default_factory=list)  # (role as written, value)
    persons: dict[str, list[Person]] = field(default_factory=dict)
    entry: Entry | None = None

    @classmethod
    def of(cls, entry: Entry) -> _Record:
        return cls(entry.original_type, {sys.intern(name.lower()): (name, value)
                                         for name, value in entry.fields.items()},
                   persons={role.lower(): list(people) for role, people in entry.persons.items()},
                   entry=entry)

    def get(self, name: str) -> str:
        """A field's value (``""`` when absent)."""
        found = self.fields.get(name)
        return found[1] if found else ""

    def split_names(self) -> None:
        """Fill ``persons`` from ``names`` (pybtex reports a malformed name through
        ``pybtex.errors``, as in parsing)."""
        for written, value in self.names:
            found = people(value)
            if found:  # pybtex adds no role for an empty list
                self.persons[written.lower()] = found

    def to_entry(self) -> Entry:
        """The pybtex ``Entry`` pybtex's parser would have made of the same text."""
        entry = Entry(self.type, fields=list(self.fields.values()))
        for written, _ in self.names:
            if written.lower() in self.persons:
                entry.persons[written] = self.persons[written.lower()]
        return entry


class _TooLong(Exception):
    """:func:`_spans_record` met a field that @string names expand past
    :data:`MAX_VALUE_CHARS` (its name in ``args[0]``)."""


def _spans_record(scanner: Scanner, item: ScannedEntry, macros) -> _Record | None:
    """What a cleanly scanned ``{...}`` entry says, read from its spans as pybtex's parser
    would (value parts joined, whitespace normalised; the author and editor values kept
    for :func:`~citeproof.bib.names.people`), or ``None`` when only pybtex's parser can
    say what it means: a @string or @preamble, a ``(...)`` entry, a name that is no
    defined @string. Raises :class:`_TooLong` for a field @string names expand too far
    (measured before it is joined)."""
    text = scanner.text
    if not item.key or text[item.end - 1] != "}":
        return None
    record = _Record(_command_at(text, item.start).group(1), {})
    plain, startswith, find = item.plain, text.startswith, text.find
    for name, name_pos, vstart, vend in item.fields:
        if plain or find("#", vstart, vend) < 0:  # one part (a '#' joins parts)
            if text[vstart] in '{"':
                value = text[vstart + 1:vend - 1]  # one literal: the common case
            else:
                written = text[vstart:vend]
                if written.isascii() and written.isdigit():
                    value = written  # a number
                else:  # a @string's name (``jan``, ``j-TUGboat``)
                    found = macros.get(written)
                    if found is None:
                        return None
                    if len(found) > MAX_VALUE_CHARS:
                        raise _TooLong(name)
                    value = found
        else:  # parts joined by '#' (or one literal with a '#' inside it)
            pieces = scanner.parts(vstart, vend)
            parts = [_part_value(part, macros) for part in pieces]
            if None in parts:
                return None
            if sum(map(len, cast("list[str]", parts))) > MAX_VALUE_CHARS and not all(
                    part[0] in '{"' or (part.isascii() and part.isdigit()) for part in pieces):
                raise _TooLong(name)  # (a literal is no longer than the file: never refused)
            value = "".join(cast("list[str]", parts))  # (no None: checked)
        if not value.isprintable() or "  " in value or value[:1] == " " or value[-1:] == " ":
            value = " ".join(value.split())  # pybtex's normalize_whitespace (str.split's white
            # space is the regex's \s), in a third of its time; every whitespace but " " is unprintable
        written = name if startswith(name, name_pos) else sys.intern(
            text[name_pos:name_pos + len(name)])
        if name in _ROLES:
            record.names.append((written, value))
        else:
            record.fields[name] = (written, value)
    return record


_ROLES = frozenset(Person.valid_roles)
_ONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-.:+/]*")
#: ``AT.match`` where the scanner found an ``@command``, so it always matches (typed so
#: once here, not per entry)
_command_at = cast("Callable[[str, int], re.Match[str]]", AT.match)


def _part_value(part: str, macros) -> str | None:
    """One part of a value as BibTeX reads it: a braced or quoted literal without its
    delimiters, a number, or a defined @string's text (``None`` for an undefined one)."""
    if part[0] in '{"':
        return part[1:-1]
    if part.isascii() and part.isdigit():
        return part
    return macros.get(part)


def _inherit_crossrefs(data: BibliographyData, keys) -> list[tuple[str, object]]:
    """BibTeX's ``crossref``: an entry takes every field (and name list) it lacks from the
    entry its ``crossref`` names (one level, as BibTeX does). Returns ``(key, parent entry
    or None when there is none)`` for each entry of ``keys`` with a crossref."""
    found = []
    for key in keys:
        entry = data.entries[key]
        target = entry.fields.get("crossref", "").strip()
        if not target:
            continue
        parent = data.entries.get(target)  # pybtex's keys compare case-insensitively
        found.append((key, parent))
        if parent is None:
            continue
        for name, value in parent.fields.items():
            if name.lower() not in ("crossref", "key") and name not in entry.fields:
                entry.fields[name] = value
        for role, names in parent.persons.items():
            if role not in entry.persons:
                entry.persons[role] = list(names)
    return found


def _repair(scanner: Scanner, repair: tuple[int, int, str] | None, start: int,
            limit: int) -> tuple[Scanner, ScannedEntry[RawField]] | None:
    """``(scanner of the patched entry's window, the entry)`` when a fault's own fix
    ``(start, end, text)`` makes the entry scan cleanly, else ``None``. Positions are
    relative to the window ``start:limit``; no fix adds or removes a line break, so line
    numbers stay true."""
    if repair is None:
        return None
    window = scanner.patched(start, limit, repair)
    try:
        item = window.command_at(0, len(window.text))
    except Fault:
        return None
    return window, item


def _overlong_field(scanner: Scanner, item: ScannedEntry, macros) -> str:
    """The first field of ``item`` whose value, with @string names expanded from
    ``macros``, would exceed :data:`MAX_VALUE_CHARS`, or ``""``. A value without a
    @string name (literals, numbers) is no longer than the file, so never refused."""
    for name, _, vstart, vend in item.fields:
        if ONE_LITERAL.fullmatch(scanner.text, vstart, vend) or _ONE_NAME.fullmatch(scanner.text, vstart, vend) \
                and len(macros.get(scanner.text[vstart:vend], "")) <= MAX_VALUE_CHARS:
            continue  # one literal, or one @string name
        parts = scanner.parts(vstart, vend)
        if all(part[0] in '{"' or (part.isascii() and part.isdigit()) for part in parts):
            continue
        size = 0
        for part in parts:
            size += len(part) - 2 if part[0] in '{"' else len(macros.get(part, part))
        if size > MAX_VALUE_CHARS:
            return name
    return ""


def _pybtex_read(parser: Parser, text: str, item: ScannedEntry) -> None:
    """pybtex's parser on one command's ``text``, keeping only what the scanner says the
    command is: the entry under its key, or the @string it defines. (After a syntax
    error pybtex reads on from the next ``@``, even one inside a value, which is data,
    and would add what it found there: a phantom entry or @string.)"""
    own, defined = Parser(), CaseInsensitiveDict()
    own.macros = ChainMap(defined, parser.macros)  # reads the macros so far, writes apart
    try:
        own.parse_string(text)
    finally:
        if item.command == "string" and item.fields and item.fields[0][0] in defined:
            parser.macros[item.fields[0][0]] = defined[item.fields[0][0]]
        if item.command == "preamble":
            parser.data.add_to_preamble(*own.data.preamble_list)
        entry = own.data.entries.get(item.key) if item.key else None
        if entry is not None:
            parser.data.add_entry(item.key, entry)


_BRACE_OR_ESCAPE = re.compile(r"[{}\\]")


def _maybe_empty(inner: str) -> bool:
    """Whether a name list may hold an empty name (never ``False`` when it does): an
    "and" first, last or twice in a row, or a word of nothing but braces and commas,
    among its whitespace-separated words (which :func:`split_words` only ever joins)."""
    words = inner.lower().split()
    if not words:
        return False
    if words[0] == "and" or words[-1] == "and":
        return True
    after_and = False
    for word in words:
        if word == "and":
            if after_and:
                return True
            after_and = True
        else:
            if not word.strip("{},"):
                return True
            after_and = False
    return False


def _empty_names(scanner: Scanner, item: ScannedEntry) -> list[tuple[str, int, str, int, int]]:
    """``(field, name pos, value without empty names, value start, end)`` for each
    author/editor list (a single braced or quoted value) with an empty name in it."""
    out = []
    for name, name_pos, vstart, vend in item.fields:
        opener = scanner.text[vstart]
        if name not in ("author", "editor") or opener not in '{"':
            continue
        if not item.plain and (scanner.match_brace(vstart, vend) if opener == "{"
                               else scanner.match_quote(vstart, vend)) != vend:
            continue  # a concatenation: left to pybtex
        inner = scanner.text[vstart + 1:vend - 1]
        if not _maybe_empty(inner):
            continue
        names: list[list[str]] = []
        current: list[str] = []
        # without braces or backslashes, split_words' words are the whitespace-split ones
        for word in split_words(inner)[::2] if _BRACE_OR_ESCAPE.search(inner) else inner.split():
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


def _pybtex_message(exc: PybtexError, item: ScannedEntry) -> str:
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


def _what(item: ScannedEntry) -> str:
    return f"entry '{item.key}'" if item.key else f"@{item.command}"


def _reference(item: ScannedEntry, record: _Record, file: str, scanner: Scanner,
               macros: Macros | None = None) -> Reference:
    """The entry as a :class:`Reference`: biblatex's fields read as their BibTeX twins
    (:mod:`citeproof.dialect`), every text field decoded (with the @preamble's ``macros``)."""
    get, persons = record.get, record.persons

    def text(value: str) -> str:
        return latex_to_text(value, macros).strip()

    def names(role: str) -> tuple:
        return tuple(person_to_author(p, macros) for p in persons[role]) if role in persons else ()

    first = scanner.line(item.start)
    steps, at, count = [], item.start, scanner.text.count
    for _, pos, _, _ in item.fields:
        steps.append(count("\n", at, pos))
        at = pos
    lines = FieldLines(tuple(f[0] for f in item.fields), first + (steps[0] if steps else 0),
                       steps[1:])
    places, translators = ((), ()) if LIST_FIELDS.isdisjoint(record.fields) else _lists(get, text, macros)
    return Reference(
        key=item.key, entry_type=record.type.lower(), file=file, line=first,
        title=text(full_title(get)), authors=names("author"),
        journal=text(raw_field(get, "journal")), year=text(raw_field(get, "year")),
        volume=text(get("volume")), number=text(get("number")),
        pages=normalize_pages(text(get("pages"))),
        doi="" if is_short_doi(get("doi")) else normalize_doi(get("doi"))[0],  # (checks.py warns)
        pmid=normalize_pmid(get("pmid") or get("pubmed"))[0],
        pmcid=normalize_pmcid(get("pmcid")) or get("pmcid").strip(),
        url=get("url").strip(),
        no_identifier=get("identifier").strip().strip("{}").lower() == "none",
        field_lines=lines, editors=names("editor"),
        fields=tuple((name, text(value))
                     for name, (_, value) in record.fields.items() if name not in _TYPED_FIELDS),
        places=places, translators=translators,
    )


def _lists(get, text, macros) -> tuple[tuple[str, ...], tuple]:
    """An entry's biblatex lists (``Reference.places``, ``Reference.translators``), each
    split as written, then decoded with the bib's ``macros``."""
    address, translator = raw_field(get, "address"), get("translator")
    return (tuple(text(item) for item in list_items(address)) if address.strip() else (),
            tuple(person_to_author(p, macros) for p in people(" ".join(translator.split()))))


#: the fields a Reference holds as attributes (``title`` with biblatex's subtitle, ``journal``
#: from ``journaltitle``, ``year`` from ``date``): ``fields`` holds the rest
_TYPED_FIELDS = Reference.DECODED_ATTRIBUTES


def load_bib(path: str | Path, label: str | None = None, entries: bool = True) -> BibResult:
    """Read and parse a bib file; ``label`` is the name used in messages (default: ``path``);
    ``entries=False`` leaves pybtex's data out of the result (see :func:`parse_bib_text`).

    UTF-8 (with or without a BOM) and UTF-16 (with or without a BOM) are read; CR-only
    line ends count as line ends. Raises :class:`BibError` only when the file cannot be
    read as text.
    """
    name = label or str(path)
    return parse_bib_text(bib_text(read_bib_bytes(path, name), name), name, entries)


_LONE_CR = re.compile(r"\r(?!\n)")  # old Mac line ends: one character for one, so positions stay


def _as_utf8(data: bytes, name: str) -> bytes:
    """``data`` as UTF-8: UTF-16 (with a BOM, or without one when every other byte of the
    start is NUL) is converted; anything else is returned as it is."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        head = data[:4096]
        odd, even = head[1::2].count(0), head[0::2].count(0)
        half = len(head) // 2
        encoding = ("utf-16-le" if odd > half * 0.9 and even == 0 else
                    "utf-16-be" if even > half * 0.9 and odd == 0 else "")
    if not encoding:
        return data
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise BibError(f"{name}: the bib file looks like UTF-16 but is not valid UTF-16 (byte "
                       f"{exc.start}): save it as UTF-8") from None


def read_bib_bytes(path: str | Path, name: str) -> bytes:
    """The bytes of a bib file; :class:`BibError` (naming ``name``) when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BibError(f"{name}: the bib file does not exist: create it or fix the path "
                       "(mkdocs.yml's citeproof `bib_file`, or `citeproof check --bib`)"
                       ) from None
    except OSError as exc:
        raise BibError(f"{name}: the bib file cannot be read ({exc.strerror or exc}): "
                       "check that it is a readable file") from None


def decode_bib(data: bytes, name: str) -> str:
    """UTF-8 bytes (a BOM is dropped) as text; :class:`BibError` naming the line if not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BibError(f"{name}:{line}: the bib file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                       "on that line): save it as UTF-8") from None
