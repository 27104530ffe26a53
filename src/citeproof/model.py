"""The citation core's data types: plain, immutable values with no I/O.

Everything the site and the checker exchange is one of these types, so the
MkDocs adapter, the checker and the reports never disagree about what a
citation, a reference, a registry record or a problem is.
"""
from __future__ import annotations

from collections.abc import Sequence
import operator
import pickle
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import ClassVar, Literal, Optional

from .errors import BibError  # noqa: F401  (re-exported: the cached bib's loaders raise it)
from .dialect import FIELD_ALIASES, kind_of, raw_field

Severity = Literal["error", "warning"]

#: The style's author-list rules (site option ``authors``; the first is the default):
#: ICMJE's first 6 then "et al.", NLM's all authors, or the first 3 then "et al.".
AUTHOR_RULES = ("icmje", "all", "three")
#: How the style sets page ranges (site option ``page_ranges``): 786-92, or 786-792.
PAGE_RANGES = ("abbreviated", "full")

class ProblemCode(StrEnum):
    """Every problem code the checker and the site can emit (README's "Reports" lists each).

    Members are strings: ``Problem.code`` compares equal to, and serialises as, the text.
    """

    BIB_SYNTAX = "bib-syntax"
    DUPLICATE_KEY = "duplicate-key"
    DUPLICATE_WORK = "duplicate-work"  # one work under two keys (same DOI, PMID, PMCID or title)
    UNKNOWN_KEY = "unknown-key"
    UNUSED_ENTRY = "unused-entry"
    MISSING_IDENTIFIER = "missing-identifier"
    INVALID_DOI = "invalid-doi"
    INVALID_PMID = "invalid-pmid"
    DOI_NOT_FOUND = "doi-not-found"
    PMID_NOT_FOUND = "pmid-not-found"
    DOI_PMID_CONFLICT = "doi-pmid-conflict"
    METADATA_MISMATCH = "metadata-mismatch"
    RETRACTED = "retracted"
    UPDATED = "updated"
    REGISTRY_UNAVAILABLE = "registry-unavailable"
    NOT_VERIFIED = "not-verified"
    # site-only codes (the checker reports them too when it parses the docs)
    MALFORMED_CITATION = "malformed-citation"
    INVALID_URL = "invalid-url"
    MISSING_FIELD = "missing-field"
    # what the prose says about the works it cites (claims.py), and notices cited as works
    MISATTRIBUTED = "misattributed"
    YEAR_IN_TEXT = "year-in-text"
    DESIGN_CLAIM = "design-claim"
    NOTICE_CITED = "notice-cited"
    UNDECLARED_CHANGE = "undeclared-change"  # the article differs from its original edition
    STALE_NOTE = "stale-note"  # the editorial note is not what the declared changes render
    INVALID_EDITION = "invalid-edition"  # the edition record cannot be read (the site's; check exits 2)
    UNKNOWN_FIELD = "unknown-field"  # a bib field the entry's type does not use (a typo?)
    INVALID_METADATA = "invalid-metadata"  # a page's front matter that its metadata cannot use
    UNDECODED_LATEX = "undecoded-latex"  # LaTeX in a shown field that is left as its text
    UNKNOWN_TYPE = "unknown-type"  # an entry type neither BibTeX nor biblatex defines
    PREPRINT_PUBLISHED = "preprint-published"  # a cited preprint whose published version a registry names


def require_identifiers(problems: list[Problem], required: bool = True) -> list[Problem]:
    """``problems`` with each reference that has neither DOI nor PMID nor ``identifier =
    {none}`` an error (the site's ``require_identifier`` option: every citation must be
    one a registry can confirm); unchanged when not ``required``."""
    if not required:
        return problems
    return [replace(p, severity="error") if p.code == ProblemCode.MISSING_IDENTIFIER and p.field == "doi" else p
            for p in problems]


#: The codes as plain strings, in the order above.
PROBLEM_CODES = tuple(c.value for c in ProblemCode)

#: Per-reference outcome of a check (JSON ``status``).
REFERENCE_STATUSES = (
    "verified",  # a real registry answered and everything matched
    "mismatch",
    "not-found",
    "retracted",
    "no-identifier",
    "unavailable",  # could not ask: a registry did not answer
    "not-checked",  # offline, no lock entry
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning), located as precisely as known. ``code`` is a
    :class:`ProblemCode` (its text is accepted and converted; any other text is refused)."""

    code: ProblemCode
    severity: Severity
    message: str
    key: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    field: Optional[str] = None
    expected: Optional[str] = None
    found: Optional[str] = None
    column: Optional[int] = None  # 1-based, where a problem is about a word in the prose

    def __post_init__(self) -> None:
        if type(self.code) is not ProblemCode:
            object.__setattr__(self, "code", ProblemCode(self.code))  # ValueError: no such code

    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return self.file or ""

    def to_dict(self) -> dict:
        d = {**asdict(self), "code": str(self.code)}  # a ProblemCode is written as its text
        if d["column"] is None:
            del d["column"]  # only the prose checks know columns
        return d


@dataclass(frozen=True)
class CitationItem:
    """One key inside a citation group, e.g. ``see @suh2019, p. 3``."""

    key: str
    line: int
    column: int
    prefix: str = ""  # text before the @key, e.g. "see"
    locator: str = ""  # text after the key's comma, e.g. "p. 3"


@dataclass(frozen=True)
class CitationGroup:
    """A bracketed citation ``[@a; @b, p. 3]`` as it stands in a Markdown file.

    ``start``/``end`` are character offsets into the source text (end exclusive),
    so a renderer can replace exactly ``text[start:end]``.
    """

    items: tuple[CitationItem, ...]
    file: str
    line: int  # 1-based line of the opening bracket
    column: int  # 1-based column of the opening bracket
    start: int
    end: int
    raw: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)


@dataclass(frozen=True)
class BibliographyMarker:
    """Where ``\\bibliography`` stands on its own line in a Markdown file."""

    file: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class ParsedDocument:
    """The result of parsing one Markdown file for citations."""

    file: str
    groups: tuple[CitationGroup, ...]
    markers: tuple[BibliographyMarker, ...] = ()
    problems: tuple[Problem, ...] = ()  # malformed groups, ...
    escapes: tuple[int, ...] = ()  # offsets of the backslash in each ``\\@`` outside code
    #: plain brackets that hold one word a key could be (``[kim2017]``): (word, line, column),
    #: for :func:`citeproof.numbering.resolve_keys` to ask "did you mean [@kim2017]?"
    bare_words: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)  # slots: a 100,000-entry bib holds 200,000 of them
class Author:
    """A person as both the bib and the registries name them, in Unicode."""

    family: str
    given: str = ""  # full given names or initials, as the source has them
    #: an organisation written as one braced name (``{National Institute for Health and
    #: Care Excellence}``): ``family`` holds the whole name, ``given`` is empty
    corporate: bool = False

    @property
    def initials(self) -> str:
        """``"Jae Hyun"`` -> ``"JH"``, ``"C. J. C."`` -> ``"CJC"``, ``"Hyun-Jung"`` -> ``"HJ"``."""
        out = []
        for part in self.given.replace(".", " ").replace("-", " ").split():
            if part.isupper() and len(part) <= 3 and "." not in part and len(part) > 1:
                out.append(part)  # already initials, e.g. "JH"
            elif part:
                out.append(part[0].upper())
        return "".join(out)


def _author_dict(a: Author) -> dict:
    """An author for the lock: ``corporate`` only when set, so person entries stay as they were."""
    d: dict[str, str | bool] = {"family": a.family, "given": a.given}
    if a.corporate:
        d["corporate"] = True
    return d


class FieldLines(Sequence):
    """An entry's ``(field name, 1-based line)`` pairs, held small: the names (one tuple,
    shared by every entry with the same fields in the same order), the first line and the
    steps between lines. Equal to (and hashed as) the tuple of its pairs. A tuple of
    pairs took about 1 KB per entry, 90 MB of a 100,000-entry bib; this takes about 130 B.
    """

    __slots__ = ("names", "first", "steps")
    _shared: ClassVar[dict[tuple[str, ...], tuple[str, ...]]] = {}

    def __init__(self, names: tuple[str, ...], first: int, steps: Sequence[int]):
        shared = self._shared
        self.names = shared.setdefault(names, names) if len(shared) < 4096 else shared.get(
            names, names)
        self.first = first
        self.steps = bytes(steps) if all(0 <= n < 256 for n in steps) else tuple(steps)

    @classmethod
    def of(cls, pairs) -> FieldLines:
        pairs = tuple(pairs)
        lines = [line for _, line in pairs]
        return cls(tuple(name for name, _ in pairs), lines[0] if lines else 0,
                   [b - a for a, b in zip(lines, lines[1:])])

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self):
        line = self.first
        for i, name in enumerate(self.names):
            if i:
                line += self.steps[i - 1]
            yield name, line

    def __getitem__(self, index):
        return tuple(self)[index]

    def line(self, name: str) -> int | None:
        """The line of the first field called ``name`` (``None``: no such field)."""
        try:
            i = self.names.index(name)
        except ValueError:
            return None
        return self.first + sum(self.steps[:i])

    def __eq__(self, other) -> bool:
        if isinstance(other, (FieldLines, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"FieldLines({tuple(self)!r})"

    def __reduce__(self):
        return FieldLines, (self.names, self.first, tuple(self.steps))



def persons(authors) -> list:
    """The people among ``authors`` as the prose checks read them: no corporate name, no
    empty family name, no "others" (``claims.py``)."""
    return [a for a in authors if not a.corporate and a.family and a.family.casefold() != "others"]


def everyone_names(refs) -> list:
    """The keys in order, each with the family names of its authors as :func:`persons`
    keeps them: all the prose checks (``claims._Everyone``) read of the bib's entries a
    page does not cite, so what the page cache keys every page on."""
    return [(key, [a.family for a in persons(ref.authors)] if ref is not None else None)
            for key, ref in refs.items()]

@dataclass(frozen=True, slots=True)  # slots: no per-instance dict (60 MB on 100,000 entries)
class Reference:
    """One bib entry, with LaTeX already decoded to Unicode."""

    key: str
    entry_type: str
    file: str
    line: int  # 1-based line of the ``@type{key,`` opening
    title: str = ""
    authors: tuple[Author, ...] = ()
    journal: str = ""  # NLM abbreviation as the bib has it, e.g. "Medicine (Baltimore)"
    year: str = ""
    volume: str = ""
    number: str = ""  # issue
    pages: str = ""  # page range "786--792" normalised to "786-792", or article number "e16173"
    doi: str = ""  # normalised (lower-case prefix kept as written, no https://doi.org/)
    pmid: str = ""
    pmcid: str = ""  # "PMC6616307"
    url: str = ""
    no_identifier: bool = False  # bib field ``identifier = {none}``: no DOI/PMID exists
    #: (field name, 1-based line) pairs for messages: a tuple, or the loader's FieldLines
    field_lines: Sequence[tuple[str, int]] = ()
    editors: tuple[Author, ...] = ()
    #: the entry's other fields as decoded text, in file order (``(name, text)``, lower-case
    #: names): all but :attr:`DECODED_ATTRIBUTES`, which are not held twice
    fields: tuple[tuple[str, str], ...] = ()
    #: biblatex's lists, split as biblatex splits them (at "and" outside braces, so
    #: ``{Johnson and Johnson}`` is one item) before they are decoded: the places of
    #: ``address``/``location``, and the ``translator`` names (an organisation's braced name
    #: one corporate author)
    places: tuple[str, ...] = ()
    translators: tuple[Author, ...] = ()

    #: the fields whose attribute is exactly their decoded text (``pages``, ``doi`` ... are
    #: normalised, so ``fields`` holds them as written)
    DECODED_ATTRIBUTES: ClassVar[frozenset[str]] = frozenset(
        {"title", "journal", "year", "volume", "number"})

    def field(self, name: str) -> str:
        """A field's decoded text (``""`` when absent): ``ref.field("publisher")``; biblatex's
        and BibTeX's names alike (``ref.field("address")`` reads ``location`` too, and
        ``year``, ``month`` and ``day`` come from ``date`` when the entry has only that;
        ``month`` as a number, see :func:`citeproof.dialect.raw_field`)."""
        if name in self.DECODED_ATTRIBUTES:
            return getattr(self, name)
        return raw_field(self._own, name)

    def _own(self, name: str) -> str:
        for fname, text in self.fields:
            if fname == name:
                return text
        return ""

    @property
    def kind(self) -> str:
        """The format the entry is set in: ``article``, ``book``, ``chapter``, ``paper``,
        ``proceedings``, ``report``, ``thesis``, ``webpage``, ``dataset``, ``software``,
        ``patent``, ``preprint`` or ``misc`` (:func:`citeproof.dialect.kind_of`)."""
        return kind_of(self.entry_type, self.field)

    def line_of(self, field_name: str) -> int:
        """The line of a field (of its biblatex or BibTeX twin, of ``date`` for ``year``),
        else of the entry."""
        names = FIELD_ALIASES.get(field_name, (field_name,))
        names += ("date",) if field_name in ("year", "month", "day") else ()
        lines = self.field_lines
        for wanted in names:
            found = lines.line(wanted) if type(lines) is FieldLines else next(
                (line for name, line in lines if name == wanted), None)
            if found is not None:
                return found
        return self.line


@dataclass(frozen=True)
class Update:
    """A retraction, correction or expression of concern attached to a work."""

    kind: str  # "retraction" | "correction" | "expression_of_concern" | other registry type
    source: str  # "crossref" | "pubmed"
    notice_doi: str = ""
    date: str = ""  # ISO date where known
    label: str = ""  # the registry's own wording, e.g. "Retracted Publication"
    #: who reported it to the registry: Crossref's ``source`` ("publisher" | "retraction-watch")
    origin: str = ""


#: The record fields written into a lock entry only when set, so that entries locked before
#: they existed serialise (and digest) exactly as they did.
_OPTIONAL_RECORD_FIELDS = ("subtitle", "relations")


@dataclass(frozen=True)
class Relation:
    """A registry's statement that a work is related to another one, by DOI: Crossref's
    ``relation`` (``is-preprint-of``: this preprint was published as ``doi``;
    ``has-preprint``: ``doi`` is this work's preprint)."""

    kind: str  # Crossref's relation type, as it spells it: "is-preprint-of", "has-preprint"
    doi: str
    #: who asserted it: Crossref's ``asserted-by`` ("subject": the work's own depositor,
    #: "object": the related work's)
    asserted_by: str = ""


@dataclass(frozen=True)
class Record:
    """What one registry says about one work, normalised to plain Unicode strings.

    Records are only ever built from real registry answers (or, in tests, from the
    local registry emulator); nothing hand-made may pose as one in a lock or report.
    """

    source: str  # "crossref" | "pubmed" | "doi.org"
    identifier: str  # the DOI or PMID that was asked for
    retrieved: str  # ISO 8601 UTC time of the answer
    title: str = ""
    authors: tuple[Author, ...] = ()
    journal: str = ""  # full journal name
    journal_abbrev: str = ""  # NLM / short title
    year: str = ""  # the issue (print) year
    online_year: str = ""  # the online-first year, where it differs or is known
    volume: str = ""
    issue: str = ""
    pages: str = ""  # as registered, e.g. "786-792", "786-92", "e16173"
    article_number: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    agency: str = ""  # for doi.org handle answers: "exists" only; Crossref records: "crossref"
    updates: tuple[Update, ...] = ()
    pubtypes: tuple[str, ...] = ()
    #: Crossref's ``subtitle``, as received (markup), kept apart from ``title``: publishers
    #: put real subtitles there, and also running heads and short titles (see
    #: ``registries.markup.subtitle_is_title``)
    subtitle: str = ""
    #: the work's relations to other works by DOI (Crossref's preprint relations)
    relations: tuple[Relation, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["authors"] = [_author_dict(a) for a in self.authors]
        d["updates"] = [{k: v for k, v in asdict(u).items() if v or k != "origin"} for u in self.updates]
        d["pubtypes"] = list(self.pubtypes)
        d["relations"] = [{k: v for k, v in asdict(r).items() if v or k != "asserted_by"} for r in self.relations]
        for name in _OPTIONAL_RECORD_FIELDS:
            if not d[name]:
                del d[name]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        d = dict(d)
        d["authors"] = tuple(Author(**a) for a in d.get("authors", ()))
        d["updates"] = tuple(Update(**u) for u in d.get("updates", ()))
        d["pubtypes"] = tuple(d.get("pubtypes", ()))
        d["relations"] = tuple(Relation(**r) for r in d.get("relations", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class FormattedEntry:
    """One reference, ready for the page: safe HTML, plain text and its problems.

    Made by ``citeproof.style.format_entries`` (pybtex); defined here so a cached
    bib can be loaded without importing pybtex.
    """

    key: str
    html: str  # escaped HTML fragment (no <li>); links are https?:// with rel="noopener"
    text: str  # plain Unicode text, not escaped: for title attributes and meta tags
    problems: tuple[Problem, ...] = ()


LookupStatus = Literal["found", "not-found", "unavailable"]


@dataclass(frozen=True)
class Lookup:
    """The answer to one identifier asked of one registry.

    ``unavailable`` means the registry could not be asked or did not answer usably
    (timeout, 5xx, 429 after retries, a broken body): it is never a verdict.
    """

    source: str
    identifier: str
    status: LookupStatus
    record: Optional[Record] = None
    reason: str = ""  # for unavailable: what went wrong, for messages


@dataclass
class ReferenceResult:
    """The checker's verdict on one reference."""

    key: str
    doi: str
    pmid: str
    status: str  # one of REFERENCE_STATUSES
    sources: list[str] = field(default_factory=list)  # registries that answered

    def to_dict(self) -> dict:
        return {"key": self.key, "doi": self.doi or None, "pmid": self.pmid or None,
                "status": self.status, "sources": list(self.sources)}


#: The frozen slotted dataclasses a cache file (``bibcache.py``) holds thousands of, with
#: their fields: pickled as ``cls(*values)``
#: (dataclasses' own ``__setstate__`` for slots is a Python loop that costs a warm build
#: about a third of its load)
_PLAIN = {cls: tuple(f.name for f in fields(cls)) for cls in (Reference, Author)
          if len(fields(cls)) > 1 and all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__")}


def _rebuild(cls, values):
    return cls(*values)


#: each of those classes' fields read in one C call (``attrgetter`` of several names gives a tuple)
_GETTERS = {cls: operator.attrgetter(*names) for cls, names in _PLAIN.items()}


class ValuePickler(pickle.Pickler):
    """A pickler that writes a :class:`Reference` or :class:`Author` as ``cls(*values)``."""

    def reducer_override(self, obj):
        getter = _GETTERS.get(type(obj))
        if getter is None:
            return NotImplemented
        return _rebuild, (type(obj), getter(obj))
