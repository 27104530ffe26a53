"""The parsed and formatted bib, cached on disk, so a build parses and formats only what changed.

Per bib (and style options, and code), in a directory local to the project (like MkDocs
Material's ``.cache``, never committed):

* ``bib-<key>.pickle``, keyed by the bib's bytes, its path and label, the style's
  options, the pybtex and Python versions and the source of the modules that parse,
  format and export it. It holds two pickles written by one pickler, so the second shares the
  first's objects: the whole :class:`LoadedBib` (a warm build, the bib unchanged, reads
  only this) and then the records (:class:`_Records`): what was made of each entry (its
  formatted entry, COinS, head metadata and download pieces), each record keyed by the
  entry's key and a digest of the entry *as parsed* (type, every field after @string
  expansion and crossref inheritance, every name's parts); and per chunk of the file (the
  text from one line that starts an ``@entry`` to the next) what the loader read in it
  (``bib.load.parse_bib_chunks``); and per entry
  its offline problems (``validate_references``, a per-reference function), kept with
  the digest of the :class:`Reference` they were found in (:func:`page_digests`).
* ``entries-<key>.pickle`` (the same key without the bib's bytes): the name of the last
  ``bib-*`` file written, whose records the next edit starts from.

After an edit only the chunks that changed are parsed again (``parse_bib_chunks``: the
whole file when a @string, @preamble, crossref, fault or spanning entry ties chunks
together; lines, duplicates and order are made anew every time), pybtex entries are made
only for those chunks, and an entry is formatted and exported again only when its parsed
value differs from the record's. Because the digest is taken after parsing, whatever an
entry's output depends on is in it: its own text, a ``crossref`` parent's fields it
inherits, the @strings it uses; what depends on where an entry stands (lines, the
``invalid-url`` problem, duplicates, the order of the downloads) is made anew on every
load. The whole-file downloads are joined from the pieces (``exports.join_downloads``).
An entry is checked again (``validate_references``) only when its Reference may differ:
its parsed value, its text, its file or its line. The same digests (each entry's, and
one of the keys and names: :attr:`LoadedBib.digests`, :attr:`LoadedBib.shape`) are what
the page cache keys a page on, so an edit renders again only the pages it may change.

A missing, broken, foreign or unreadable cache file is a miss, never an error, and a
cache file never runs code: :mod:`citeproof.cachefile` reads nothing but citeproof's own
value types. Writes are atomic (a temporary file, then a rename) and at most
:data:`_KEEP` bib files and :data:`_KEEP_RECORDS` ``entries-*`` files are kept per
directory (newest first). The page cache (``pagecache.py``) keeps its files here too.
"""
from __future__ import annotations

import hashlib
import marshal
import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import cachefile
from .model import BibError, FormattedEntry, Problem, Reference, everyone_names

#: the source files (a directory: its ``*.py``) whose change invalidates the cache
_CODE = ("bib", "text", "style.py", "dialect.py", "dates.py", "render.py", "identifiers.py", "model.py",
         "bibcache.py", "cachefile.py", "exports.py", "work.py")
_KEEP = 8  # whole-bib cache files kept per directory (newest first)
_KEEP_RECORDS = 4  # entry-record files kept per directory (one per bib and style options)


@dataclass(frozen=True)
class LoadedBib:
    """A bib ready for the site: references, every offline problem of the bib (syntax,
    duplicate keys, identifiers, fields, URLs; each once), the works it holds twice, and
    the formatted entries."""

    references: dict[str, Reference]
    problems: list[Problem]
    entries: dict[str, FormattedEntry]
    #: the take-away formats by file suffix (``exports.downloads``: RIS, CSL-JSON, the
    #: cite actions' bundle), made with the entries so a warm build does not remake them
    downloads: dict[str, str] = field(default_factory=dict)
    #: each entry's COinS (``exports.coins``) by key, for the list
    coins: dict[str, str] = field(default_factory=dict)
    #: each entry's head metadata (``render.reference_metadata``: Highwire tag, JSON-LD)
    metadata: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: each entry's HTML as the list shows it (``render.readable_identifiers``), by key
    listed: dict[str, str] = field(default_factory=dict)
    #: one work under two keys (``bib.checks.same_works``): an error or a warning as the
    #: pages cite them (:meth:`citeproof.site.SiteCore.duplicate_works`), not in ``problems``
    same: tuple[tuple[str, str, str], ...] = ()
    #: what this was made of: the bib's bytes, path, label and style options, and the
    #: code that read it (16 bytes; ``b""`` when unknown; no page cache without it)
    source: bytes = field(default=b"", compare=False)
    #: per key, 16 bytes that differ whenever anything a page citing the entry shows of
    #: it may differ (its parsed value, its text, its file and line): with :attr:`shape`,
    #: what the page cache keys a page on, so an edit renders again only the pages that
    #: cite the edited entry (see :func:`page_digests`)
    digests: dict[str, bytes] = field(default_factory=dict, compare=False)
    #: 16 bytes of what every page depends on: the keys in order (unknown keys, "did you
    #: mean") and every entry's names as the prose checks read them (``model.everyone_names``)
    shape: bytes = field(default=b"", compare=False)


@dataclass(frozen=True)
class _Records:
    """What was made of each entry of the last bib loaded (see the module's docstring)."""

    #: key -> (digest, html, text, listed html, COinS, metadata, RIS record, CSL-JSON
    #: piece, list id, cite-bundle member, BibTeX text): see ``exports.entry_pieces``
    entries: dict[str, tuple]
    #: chunk text -> what the loader read in it (``bib.load.parse_bib_chunks``'s ``known``)
    parsed: dict[str, tuple] = field(default_factory=dict)
    #: key -> (the entry's :attr:`LoadedBib.digests` digest, its problems from
    #: ``validate_references``, a per-reference function of the :class:`Reference`, which
    #: that digest determines): an entry is checked again only when its digest changed
    checks: dict[str, tuple] = field(default_factory=dict)


_RECORD_SIZE = 11
cachefile.allow(LoadedBib, _Records)


@lru_cache(maxsize=1)
def package_fingerprint() -> bytes:
    """A digest of every module of citeproof (and pybtex's version): what a cache of
    anything the package makes is keyed by."""
    here = Path(__file__).parent
    return _code_fingerprint(tuple(sorted(str(p.relative_to(here)) for p in here.rglob("*.py"))))


@lru_cache(maxsize=4)
def _code_fingerprint(names=_CODE) -> bytes:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in names:
        path = here / name
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.read_bytes())
    try:
        digest.update(metadata.version("pybtex").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover
        pass
    # Python's own version and its Unicode tables' (normalisation, case folding)
    digest.update(f"\0{sys.version_info[:2]}\0{unicodedata.unidata_version}".encode())
    return digest.digest()


def load_formatted_bib(path: Path, cache_dir: Path | None = None, label: str | None = None, *,
                       authors: str = "icmje", page_ranges: str = "abbreviated") -> LoadedBib:
    """Parse and format ``path`` (raises ``BibError`` when it cannot be read).

    ``label`` is the file name that messages show (e.g. a path relative to the project).
    ``authors`` and ``page_ranges`` are the style's options (part of the cache key).
    """
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None  # load_bib words the error
    target = records_file = None
    records = None
    if cache_dir is not None and raw is not None:
        name = hashlib.sha256(_code_fingerprint() + f"{path}\0{label}\0{authors}\0{page_ranges}".encode())
        records_file = cache_dir / f"entries-{name.hexdigest()[:32]}.pickle"
        name.update(b"\0" + raw)
        target = cache_dir / f"bib-{name.hexdigest()[:32]}.pickle"
        cached = cachefile.read(target)
        if isinstance(cached, LoadedBib):
            return cached
        last = cachefile.read(records_file)  # the name of the last bib file written for this bib
        if type(last) is str and _BIB_NAME.fullmatch(last):
            records = cachefile.read(cache_dir / last, 2)
            if not _usable(records):
                records = None
    result, kept = _load(path, raw, label, authors, page_ranges, records)
    if raw is not None:
        made = hashlib.sha256(_code_fingerprint() + f"{path}\0{label}\0{authors}\0{page_ranges}\0".encode() + raw)
        result = replace(result, source=made.digest()[:16])
    if target is not None and records_file is not None:  # (set together)
        # one file: the loaded bib (all a warm build reads), then the records, which
        # share its objects (its references, each entry's HTML and text) in one pickle
        if cachefile.write(target, (result, kept), "bib-*.pickle", _KEEP):
            cachefile.write(records_file, (target.name,), "entries-*.pickle", _KEEP_RECORDS)
    return result


_BIB_NAME = re.compile(r"bib-[0-9a-f]{32}\.pickle")


def _products(refs: dict, formatted: dict, old: dict[str, tuple], digests: dict, bibtex: dict[str, str]
              ) -> tuple[dict[str, tuple], dict[str, FormattedEntry], list]:
    """Each entry's record (what :class:`_Records` keeps of it: its digest, HTML, text,
    listed HTML, COinS, metadata, download pieces and BibTeX text), made anew for the
    ``formatted`` entries and taken from ``old`` for the others; each entry's
    :class:`FormattedEntry`; and the download pieces in order."""
    from .exports import coins, entry_pieces
    from .render import readable_identifiers, reference_metadata
    from .style import reference_url_problems

    kept: dict[str, tuple] = {}
    entries: dict[str, FormattedEntry] = {}
    for key, ref in refs.items():
        made = formatted.get(key)
        if made is not None:
            html, plain = made.html, made.text
            if ref is not None:
                kept[key] = (digests[key], html, plain, readable_identifiers(html), coins(ref),
                             reference_metadata(ref), *entry_pieces(ref, bibtex.get(key, "")),
                             bibtex.get(key, ""))
        else:
            record = old[key]
            html, plain = record[1], record[2]
            if record[10] != bibtex.get(key, ""):  # the entry's text changed, not its value
                record = (*record[:6], *entry_pieces(ref, bibtex.get(key, "")), bibtex.get(key, ""))
            kept[key] = record
        entries[key] = FormattedEntry(key, html, plain, reference_url_problems(ref))
    pieces = []
    for key, ref in refs.items():
        found = kept.get(key)
        pieces.append(found[6:10] if found is not None else entry_pieces(ref, bibtex.get(key, "")))
    return kept, entries, pieces


def _once(found: list[Problem]) -> list[Problem]:
    """``found`` without exact repeats, in order (two problems of one code on one line are
    two problems: the checker reports both, so the build does)."""
    return list(dict.fromkeys(found))


def _load(path: Path, raw: bytes | None, label: str | None, authors: str, page_ranges: str,
          records: _Records | None) -> tuple[LoadedBib, _Records]:
    """The bib, parsed afresh, with each entry's products taken from ``records`` when
    its parsed value is the one they were made of; and the records of this bib."""
    from .bib import validate_references  # pybtex is imported only on a miss
    from .bib.checks import same_works
    from .bib.load import bib_text, parse_bib_chunks, read_bib_bytes
    from .exports import bibtex_entries, coins, join_downloads
    from .render import readable_identifiers, reference_metadata
    from .style import format_entries

    name = label or str(path)
    if raw is None:
        raw = read_bib_bytes(path, name)  # raises the BibError that says why (as load_bib would)
    source = bib_text(raw, name)
    # the chunks of the file read again are only those that changed; the pybtex entries
    # (for the style) only of those, each entry's digest kept with its chunk
    bib, parsed, digests = parse_bib_chunks(source, name, records.parsed if records is not None else None,
                                            keep=_digest, all_entries=False)
    if bib.data.preamble:  # the macros it defines are part of what each entry shows
        digests = _with_preamble(digests, bib.data.preamble)
    text = raw.decode("utf-8-sig", errors="replace")
    old = records.entries if records is not None else {}
    bibtex = bibtex_entries(text)
    refs = bib.references
    fresh = [key for key, digest in digests.items() if key not in old or old[key][0] != digest]
    if any(key not in bib.data.entries for key in fresh):  # (an entry of a known chunk without
        bib = parse_bib_chunks(source, name, parsed)[0]  # its record: a duplicate's, say)
    formatted = format_entries(bib.data, fresh, refs, authors=authors, page_ranges=page_ranges)
    kept, entries, pieces = _products(refs, formatted, old, digests, bibtex)
    page_keys, shape = page_digests(refs, digests, bibtex)
    checks = _checks(refs, page_keys, records.checks if records is not None else {}, validate_references)
    # (the formatted entries' problems, a url left out, are the checks' invalid-url: reported once)
    problems = _once([*bib.problems, *(p for key in refs for p in checks[key][1])])
    listed = {key: kept[key][3] if key in kept else readable_identifiers(e.html)
              for key, e in entries.items()}
    result = LoadedBib(refs, problems, entries, join_downloads(pieces),
                       {k: kept[k][4] if k in kept else coins(r) for k, r in refs.items()},
                       {k: kept[k][5] if k in kept else reference_metadata(r) for k, r in refs.items()},
                       listed, tuple(same_works(refs)), digests=page_keys, shape=shape)
    return result, _Records(kept, parsed, checks)


def _checks(refs: dict, digests: dict[str, bytes], known: dict[str, tuple], validate) -> dict[str, tuple]:
    """Each entry's (digest, problems of ``validate``, i.e. ``validate_references``): as
    ``known`` has them when its digest is the same, else checked now (only those
    entries: ``validate_references`` is a per-reference function, in ``refs``' order)."""
    out: dict[str, tuple] = {}
    again: dict[str, Reference] = {}
    for key, ref in refs.items():
        record = known.get(key)
        if record is not None and record[0] == digests[key]:
            out[key] = record
        else:
            again[key] = ref
    by_key: dict[str, list] = {key: [] for key in again}
    if again:
        for problem in validate(again):
            by_key[problem.key].append(problem)
    for key, found in by_key.items():
        out[key] = (digests[key], tuple(found))
    return out


def page_digests(refs: dict, digests: dict[str, bytes], bibtex: dict[str, str]) -> tuple[dict[str, bytes], bytes]:
    """What the page cache keys a page on (:attr:`LoadedBib.digests`, :attr:`LoadedBib.shape`).

    An entry's digest is made of its parsed value's digest (``digests``; whatever its
    formatted entry, list HTML, COinS and :class:`Reference` fields are made of, given
    the style's options and the code, which the page cache's file is keyed by), its own
    text (the lines of its fields) and its file and line, so equal digests mean an equal
    :class:`Reference` and equal products. An entry without a parsed digest or text gets
    a digest of its whole value. The shape is the keys in order and each entry's names
    as the prose checks read them over the whole bib (``model.everyone_names``)."""
    blake = hashlib.blake2b
    out: dict[str, bytes] = {}
    for key, ref in refs.items():
        parsed, text = digests.get(key), bibtex.get(key, "")
        if ref is None:
            out[key] = b"\0" * 16
        elif parsed is None or not text:
            out[key] = blake(pickle.dumps(ref, pickle.HIGHEST_PROTOCOL) + repr(tuple(ref.field_lines)).encode(
                "utf-8", "surrogatepass"), digest_size=16).digest()
        else:
            item = blake(parsed, digest_size=16)
            item.update(f"{ref.line}\0{ref.file}\0{text}".encode("utf-8", "surrogatepass"))
            out[key] = item.digest()
    names = everyone_names(refs)
    try:
        data = marshal.dumps(names, 0)
    except ValueError:  # (not plain values)
        data = repr(names).encode("utf-8", "surrogatepass")
    shape = blake(data, digest_size=16).digest()
    return out, shape


def _digest(entry) -> bytes:
    """What an entry is once parsed, as 16 bytes: its key, type, fields (after @string
    expansion and crossref inheritance) and each name's parts (pybtex ``Person``: first,
    middle, prelast, last, lineage)."""
    people = [(role, [vars(p) for p in persons]) for role, persons in _items(entry.persons)]
    value = (entry.key, entry.type, getattr(entry, "original_type", None), _items(entry.fields), people)
    try:  # marshal: the quickest faithful bytes of plain values (equal bytes, equal values)
        data = marshal.dumps(value, 0)  # version 0: no references, no interning marks
    except ValueError:  # not a plain value (a newer pybtex?): its repr
        data = repr(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


def _with_preamble(digests: dict[str, bytes], preamble: str) -> dict[str, bytes]:
    """Each entry's digest joined with the bib's @preamble (its macros decode the entry)."""
    salt = preamble.encode("utf-8", "surrogatepass")
    return {key: hashlib.blake2b(digest + salt, digest_size=16).digest() for key, digest in digests.items()}


def _items(mapping) -> tuple:
    """A pybtex case-insensitive mapping's ``(name, value)`` pairs in order; read from
    its plain dict (lower-case names) when it has one, as its own ``items()`` costs a
    Python call per name. (Names differ only in case: BibTeX reads them alike.)"""
    inner = getattr(mapping, "_dict", None)
    return tuple(inner.items() if type(inner) is dict and len(inner) == len(mapping) else mapping.items())


def _usable(records) -> bool:
    """Whether ``records`` (as read from disk) has the shape this code writes."""
    if not isinstance(records, _Records) or not isinstance(records.entries, dict) \
            or not isinstance(getattr(records, "parsed", None), dict) \
            or not isinstance(getattr(records, "checks", None), dict):
        return False
    if not all(type(k) is str and type(c) is tuple and len(c) == 2 and type(c[0]) is bytes
               and type(c[1]) is tuple and all(type(p) is Problem and p.key == k for p in c[1])
               for k, c in records.checks.items()):
        return False
    if not all(type(c) is str and type(u) is tuple and len(u) == 2 and type(u[0]) is int
               and type(u[1]) is tuple and all(type(e) is tuple and len(e) == 4 and type(e[0]) is str
                                               and type(e[1]) is Reference and type(e[2]) is tuple
                                               and type(e[3]) is bytes
                                               for e in u[1])
               for c, u in records.parsed.items()):
        return False
    return all(type(k) is str and type(r) is tuple and len(r) == _RECORD_SIZE
               and type(r[0]) is bytes and all(type(x) is str for x in r[1:5])
               and type(r[5]) is tuple and len(r[5]) == 2 and all(type(x) is str for x in r[5])
               and all(type(x) is str for x in r[6:]) for k, r in records.entries.items())


__all__ = ["BibError", "LoadedBib", "load_formatted_bib", "package_fingerprint"]
