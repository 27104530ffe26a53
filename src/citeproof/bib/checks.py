"""Offline checks of loaded references: identifiers' syntax, required fields, URLs, and
one work under two keys (:func:`duplicate_works`).

Unknown and unused citation keys need the pages as well as the bib: they live in
:mod:`citeproof.numbering`.
"""
from __future__ import annotations

import re
from operator import attrgetter
from collections.abc import Collection, Iterable

from ..dialect import DISPLAYED_FIELDS, known_type
from ..identifiers import doi_key, doi_fault, is_http_url, is_short_doi, is_valid_pmcid, is_valid_pmid, normalize_doi
from ..model import FieldLines, Problem, Reference, Severity
from ..text.fold import fold_latin
from ..visible import visible as shown
from ..model import ProblemCode as Code

__all__ = ["REQUIRED_FIELDS", "KNOWN_FIELDS", "duplicate_works", "same_works", "validate_references"]

#: What each format (:data:`citeproof.dialect.KINDS`), or an entry type that needs more than
#: its format (``@incollection``: a ``booktitle``), needs to be shown as Citing Medicine
#: sets it, in the order reported: each missing one is a warning (BibTeX itself only warns
#: of an empty required field, and a valid bib is never an error). A tuple of names means
#: "one of these" (a book may have an editor instead of an author). A miscellaneous work
#: needs nothing (BibTeX requires nothing of ``@misc``); a web page a ``url``, an
#: ``eprint`` or a DOI (biblatex's ``@online``).
REQUIRED_FIELDS: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": (("author", "editor"), "title", "publisher", "year"),
    "chapter": (("author", "editor"), "title", "publisher", "year"),
    "incollection": (("author", "editor"), "title", "booktitle", "publisher", "year"),
    "periodical": ("title", "year"),  # (its title is the journal's; it has no author)
    "manual": ("title",), "booklet": ("title",),  # (all BibTeX asks of them)
    "paper": ("author", "title", "booktitle", "year"),
    "proceedings": ("title", "year"),
    "report": ("author", "title", "institution", "year"),
    "thesis": ("author", "title", "school", "year"),
    "webpage": ("title", ("url", "eprint", "doi")),
    "dataset": (("author", "editor", "publisher"), "title", "year"),
    "software": (("author", "editor", "publisher"), "title", "year"),
    "patent": ("author", "title", "number", "year"),
    "preprint": ("author", "title", "year"),
}

#: Fields every entry type may have: BibTeX's and biblatex's general ones and this
#: project's (``pmid``, ``pmcid``, ``identifier``).
COMMON_FIELDS = frozenset("""author editor title subtitle titleaddon year month day date note
annote annotation addendum key crossref xref xdata doi pmid pubmed pmcid identifier url urldate
abstract keywords language langid langidopts hyphenation issn isbn isrn eprint eprinttype
eprintclass archiveprefix primaryclass file pdf shorttitle shortauthor shorthand sortkey
sortname sorttitle sortyear presort label options related relatedtype relatedstring entrysubtype
execute ids gender indextitle indexsorttitle origdate origlanguage origlocation origpublisher
origtitle pubstate version library timestamp owner groups mendeley-groups mendeley-tags
translator editora editorb editorc editortype editoratype editorbtype editorctype
commentator annotator introduction foreword afterword bookauthor holder""".split())

#: The fields each entry type uses besides :data:`COMMON_FIELDS` (BibTeX's and biblatex's
#: standard types; and a report's ``series`` and a misc's ``journal``, which neither defines
#: and the style prints). A field outside them is reported (a typo drops a value from the page
#: silently); a type not listed is not checked.
_BOOKISH = ("publisher address location edition series volume volumes number pages pagetotal part "
            "maintitle mainsubtitle maintitleaddon chapter organization howpublished")
_PART = _BOOKISH + " booktitle booksubtitle booktitleaddon"
KNOWN_FIELDS: dict[str, frozenset[str]] = {name: COMMON_FIELDS | set(extra.split()) for name, extra in {
    "article": "journal journaltitle journalsubtitle shortjournal issuetitle issuesubtitle volume "
               "number issue pages eid series publisher",
    "book": _BOOKISH, "mvbook": _BOOKISH, "booklet": _BOOKISH, "collection": _BOOKISH,
    "mvcollection": _BOOKISH, "reference": _BOOKISH, "manual": _BOOKISH + " type",
    "inbook": _PART, "incollection": _PART, "bookinbook": _PART, "inreference": _PART,
    "suppbook": _PART, "suppcollection": _PART,
    "inproceedings": _PART + " eventtitle eventtitleaddon eventdate venue",
    "conference": _PART + " eventtitle eventtitleaddon eventdate venue",
    "proceedings": _BOOKISH + " eventtitle eventtitleaddon eventdate venue",
    "mvproceedings": _BOOKISH + " eventtitle eventtitleaddon eventdate venue",
    "misc": "howpublished publisher organization location address type journal journaltitle",
    "unpublished": "howpublished location address type eventtitle eventdate venue",
    "online": "organization publisher howpublished location address",
    "phdthesis": "school institution address location type pages pagetotal",
    "mastersthesis": "school institution address location type pages pagetotal",
    "thesis": "school institution address location type pages pagetotal",
    "techreport": "institution address location type number pages pagetotal series",
    "report": "institution address location type number pages pagetotal series",
    "patent": "holder type number location address",
    "dataset": "publisher organization location address type number edition series",
    "software": "publisher organization location address type number edition series",
}.items()}

#: Required fields that :class:`Reference` holds as typed attributes (decoded, parsed).
_TYPED = {"author": "authors", "editor": "editors", "title": "title", "journal": "journal",
          "year": "year", "url": "url", "doi": "doi", "number": "number"}


def validate_references(refs: dict[str, Reference]) -> list[Problem]:
    """Offline checks of loaded references (identifiers' syntax, required fields, URLs).

    A per-reference function, and it must stay one: each reference's problems depend on
    that reference alone (its key, fields, file and lines), and come in the order of
    ``refs``. The bib cache (``bibcache.py``) keeps each entry's problems with its record
    and checks again only the entries whose :class:`Reference` may differ; a check that
    compared references with one another would have to be made anew on every load,
    outside this function (as duplicate keys are, in the loader)."""
    problems: list[Problem] = []
    shapes: dict[tuple, list[tuple[str, str]]] = {}  # (type, field names) -> unknown_fields
    for key, ref in refs.items():
        for check in REFERENCE_CHECKS:
            for code, message, field_name, severity in check(ref, shapes):
                problems.append(Problem(code=code, severity=severity, message=f"{key}: {message}", key=key,
                                        file=ref.file, line=ref.line_of(field_name) if field_name else ref.line,
                                        field=field_name))
    return problems


#: One finding of a reference check: (code, message, field or None, severity).
Finding = tuple[Code, str, "str | None", Severity]


def _identifiers(ref: Reference, _shapes) -> list[Finding]:
    """DOI, PMID and PMCID syntax (a doi.org or doi: prefix is only a warning)."""
    out: list[Finding] = []
    doi, warning = normalize_doi(ref.doi)
    if warning:
        out.append((Code.INVALID_DOI, warning, "doi", "warning"))
    fault = doi_fault(doi) if doi else ""
    if fault:
        out.append((Code.INVALID_DOI, f"'{shown(doi)}' is not a DOI a registry can be asked about: {fault}; "
                    "correct the doi field", "doi", "error"))
    if ref.pmid and not is_valid_pmid(ref.pmid):
        names = {name for name, _ in ref.field_lines}
        pmid_field = "pubmed" if "pubmed" in names and "pmid" not in names else "pmid"
        out.append((Code.INVALID_PMID, f"'{ref.pmid}' is not a PMID (expected 1-8 digits, no leading "
                    "zero): correct the pmid field", pmid_field, "error"))
    if ref.pmcid and not is_valid_pmcid(ref.pmcid):
        out.append((Code.INVALID_PMID, f"'{ref.pmcid}' is not a PMC id (expected PMC followed by digits): "
                    "correct the pmcid field", "pmcid", "warning"))
    return out


def _some_identifier(ref: Reference, _shapes) -> list[Finding]:
    """A DOI or a PMID, or ``identifier = {none}`` (then a warning naming where to check
    the reference by hand); a shortDOI is a warning that asks for the DOI it stands for."""
    written = ref.field("doi").strip()
    if is_short_doi(written):
        short = normalize_doi(written)[0]
        return [(Code.INVALID_DOI, f"'{shown(written)}' is a shortDOI, which no registry's metadata is "
                 f"keyed by, so it is not checked: write the DOI it stands for (https://doi.org/{shown(short)} "
                 "resolves to it)", "doi", "warning")]
    if normalize_doi(ref.doi)[0] or ref.pmid:
        return []
    if not ref.no_identifier:  # (an error where the site requires identifiers: model.require_identifiers)
        return [(Code.MISSING_IDENTIFIER, "neither doi nor pmid is given, so no registry can confirm "
                 "it: add one, or mark identifier = {none} if no record has either", "doi", "warning")]
    if is_http_url(ref.url):
        where = f"check it by hand at {ref.url}"
    elif ref.url:
        where = "it has no usable url to check it by hand (see the invalid-url error)"
    else:
        where = "add a url of a public record so it can be checked by hand"
    return [(Code.MISSING_IDENTIFIER, "no DOI or PMID (marked identifier = {none}), so no "
             f"registry can confirm it: {where}", "identifier", "warning")]


def _required(ref: Reference, _shapes) -> list[Finding]:
    """The fields the entry's format needs (:data:`REQUIRED_FIELDS`), each a warning."""
    return [(Code.MISSING_FIELD, message, None, "warning") for message in missing_fields(ref)]


def _known_type(ref: Reference, _shapes) -> list[Finding]:
    """A type neither BibTeX nor biblatex defines is set as a miscellaneous work."""
    if known_type(ref.entry_type):
        return []
    return [(Code.UNKNOWN_TYPE, f"@{ref.entry_type} is not a BibTeX or biblatex entry type, so it is "
             "set as a miscellaneous work: use a standard type (@article, @book, @inproceedings, "
             "@online, @misc ...)", None, "warning")]


def _known(ref: Reference, shapes) -> list[Finding]:
    """Fields the entry's type does not use (:func:`unknown_fields`): the same fields of
    the same type give the same messages, made once per shape."""
    lines = ref.field_lines
    shape = (ref.entry_type, lines.names if isinstance(lines, FieldLines) else tuple(name for name, _ in lines))
    found = shapes.get(shape)
    if found is None:
        found = shapes[shape] = unknown_fields(ref)
    return [(Code.UNKNOWN_FIELD, message, name, severity) for name, message, severity in found]


def _http_url(ref: Reference, _shapes) -> list[Finding]:
    """Only an http(s) url is linked."""
    if ref.url and not is_http_url(ref.url):
        return [(Code.INVALID_URL, f"the url '{ref.url}' is not an http(s) address and will not be "
                 "linked: use an https:// URL", "url", "error")]
    return []


#: The offline checks of one reference, in the order their problems are reported.
REFERENCE_CHECKS = (_identifiers, _some_identifier, _known_type, _required, _known, _http_url)



def unknown_fields(ref: Reference) -> list[tuple[str, str, Severity]]:
    """(field, message, severity) for each field the entry's type does not use
    (:data:`KNOWN_FIELDS`). A misspelling of a field the reference shows (within
    :func:`misspelt` of it: ``volumne``, ``jounral``) is an error, as its value silently
    leaves the page; any other unknown field (a reference manager's ``bibsource``, a
    field of another type) a warning. biblatex's data annotations (``author+an``) are
    known."""
    known = KNOWN_FIELDS.get(ref.entry_type)
    if known is None:
        return []
    out: list[tuple[str, str, Severity]] = []
    for name in dict.fromkeys(n.lower() for n, _ in ref.field_lines):
        if name in known or "+an" in name:
            continue
        meant = misspelt(name, known)
        other = sorted(t for t, fields in KNOWN_FIELDS.items() if name in fields)
        if meant:
            out.append((name, f"the field '{name}' is not a field of @{ref.entry_type} entries: did you "
                              f"mean '{meant}'? Its value is not shown: rename the field", "error"))
            continue
        if other:
            hint = f"it is a field of @{', @'.join(other)}: remove it or change the entry type"
        else:
            hint = "remove it, or check its spelling"
        out.append((name, f"the field '{name}' is not used by @{ref.entry_type} entries, so its "
                          f"value is not shown or checked: {hint}", "warning"))
    return out


def misspelt(name: str, known: frozenset[str]) -> str:
    """The shown field ``name`` misspells (:data:`citeproof.dialect.DISPLAYED_FIELDS`, of
    ``known``): at most two letters off by Damerau-Levenshtein distance, and less than a
    third of that field's length (``volumne``, ``yaer``, ``jounral``; not ``mrnumber``
    for ``number``, a MathSciNet field), else ``""``."""
    best, best_distance = "", 3
    for field_name in sorted(known & DISPLAYED_FIELDS):
        if abs(len(field_name) - len(name)) > 2:
            continue
        distance = _distance(name, field_name)
        if distance < best_distance and 3 * distance < len(field_name):
            best, best_distance = field_name, distance
    return best


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transposition counts one), optimal string
    alignment: enough for field names."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        now = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            now[j] = min(row[j] + 1, now[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                now[j] = min(now[j], before[j - 2] + 1)
        before, row = row, now
    return row[-1]


def missing_fields(ref: Reference) -> list[str]:
    """One message per required field (:data:`REQUIRED_FIELDS`) that ``ref`` lacks."""
    messages = []
    for names, getters in _REQUIRED_GETTERS.get(ref.entry_type, _REQUIRED_GETTERS.get(ref.kind, ())):
        for get in getters:
            if get(ref):
                break
        else:
            what = f"no {names[0]}" if len(names) == 1 else "neither " + " nor ".join(names)
            fix = " or ".join(f"{name} = {{...}}" for name in names)
            messages.append(f"the @{ref.entry_type} has {what}, so its reference lacks it: add {fix}")
    return messages


def _getter(name: str):
    """A reader of ``name``'s value: its typed attribute (decoded, parsed), else the field."""
    attribute = _TYPED.get(name)
    return attrgetter(attribute) if attribute else lambda ref: ref.field(name)


#: :data:`REQUIRED_FIELDS` with every need as (its names, a getter of each).
_REQUIRED_GETTERS = {
    kind: tuple((names, tuple(_getter(name) for name in names))
                for names in (need if isinstance(need, tuple) else (need,) for need in needs))
    for kind, needs in REQUIRED_FIELDS.items()}


# ---------------------------------------------------------------- one work under two keys

#: The formats that are part of another work (a chapter of a book, a paper of proceedings):
#: a part and its whole may share the whole's DOI.
_PARTS = frozenset({"chapter", "paper"})
#: What tells two works with one title, year and first author apart (recurring columns of
#: a journal, an app in two stores): when both entries have one and they differ, they are
#: two works.
_DISTINGUISHING = ("journal", "volume", "number", "pages", "booktitle", "publisher", "edition",
                   "version", "chapter", "url", "doi", "pmid", "pmcid", "eprint")
_NOT_WORD = re.compile(r"[\W_]+")


def duplicate_works(refs: dict[str, Reference], cited: Collection[str] | None = None,
                    pairs: Iterable[tuple[str, str, str]] | None = None) -> list[Problem]:
    """One work under two keys or more (:func:`same_works`, or its ``pairs`` already found),
    at the entry's line, naming another key of the work. Where the pages cite two keys of
    one work or more (``cited``; ``None``: as if they cited every key), each cited key but
    the first is an error naming the first: a reader would see one paper twice. Every other
    entry that repeats an earlier one is a warning (a shared bib may hold a work twice that
    no page cites twice)."""
    edges = same_works(refs) if pairs is None else list(pairs)
    firsts: dict[str, tuple[str, str]] = {}
    paired: dict[frozenset[str], str] = {}  # (each looked up once per problem: no scan of the pairs)
    for key, other, field_name in edges:
        firsts.setdefault(key, (other, field_name))
        paired.setdefault(frozenset((key, other)), field_name)
    order = {key: n for n, key in enumerate(refs)}
    found: list[tuple[int, Problem]] = []
    for work in _works(edges):
        keys = sorted(work, key=order.__getitem__)
        shown = [key for key in keys if cited is None or key in cited]
        for key in keys:
            if len(shown) > 1 and (cited is None or key in cited):
                if key == shown[0]:
                    continue  # (the key the others are reported against)
                other, both = shown[0], True
            elif key in firsts:
                other, both = firsts[key][0], False
            else:
                continue
            said, shows = _shared(refs, key, other, paired.get(frozenset((key, other))))
            ref = refs[key]
            found.append((order[key], Problem(
                Code.DUPLICATE_WORK, "error" if both else "warning",
                f"{key}: the same work as '{other}' (line {refs[other].line}): {said}; "
                + ("cite one key everywhere and remove the other entry" if both else
                   "cite only one of the two keys (citing both is an error), or remove the other entry"),
                key=key, file=ref.file, line=ref.line_of(shows) if shows else ref.line, field=shows)))
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def same_works(refs: dict[str, Reference]) -> list[tuple[str, str, str]]:
    """``(key, an earlier key of the same work, the field that shows it)`` for each entry
    that is a work an earlier entry already is: the same DOI, PMID or PMCID, or the same
    title, year and first author, in entries nothing else tells apart. Each identity is
    compared with the first entry that has it (so the work costs one lookup per identity),
    and an entry that shares two identities with two earlier entries is paired with both.
    Compares references with one another, so it is made anew on every load (not in
    :func:`validate_references`)."""
    found: list[tuple[str, str, str]] = []
    seen: dict[tuple, str] = {}
    for key, ref in refs.items():
        paired: set[str] = set()
        for sign in _signatures(ref):
            other = seen.setdefault(sign, key)
            if other != key and other not in paired and _same_work(refs[other], ref, by_title=sign[0] == "title"):
                found.append((key, other, sign[0]))
                paired.add(other)
    return found


def _works(edges: Iterable[tuple[str, str, str]]) -> list[list[str]]:
    """The works ``edges`` join: each the keys paired with one another, directly or
    through other keys."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key, other, _ in edges:
        a, b = root(key), root(other)
        if a != b:
            parent[a] = b
    works: dict[str, list[str]] = {}
    for key in list(parent):
        works.setdefault(root(key), []).append(key)
    return list(works.values())


def _shared(refs: dict[str, Reference], key: str, other: str, paired: str | None) -> tuple[str, str | None]:
    """What shows that ``key`` and ``other`` are one work, and the field of ``key`` that
    shows it: the identity they were paired by (``paired``) or share, else the entries
    that join them."""
    if paired is None:
        theirs = set(_signatures(refs[other]))
        paired = next((sign[0] for sign in _signatures(refs[key]) if sign in theirs), None)
    if paired is not None:
        return f"both {_what(refs[key], paired)}", paired
    return "other entries of the bib show them to be one work (see its other duplicate-work lines)", None


#: the identities :func:`same_works` pairs entries by (the fields its pairs name)
IDENTITIES = ("doi", "pmid", "pmcid", "title")


def _signatures(ref: Reference) -> list[tuple]:
    """The identities ``ref`` has: ``("doi", key)``, ``("pmid", …)``, ``("pmcid", …)``,
    ``("title", folded title, year, first author's family)``."""
    out: list[tuple] = []
    if ref.doi and not doi_fault(ref.doi):
        out.append(("doi", doi_key(ref.doi)))
    if ref.pmid and is_valid_pmid(ref.pmid):
        out.append(("pmid", ref.pmid))
    if ref.pmcid and is_valid_pmcid(ref.pmcid):
        out.append(("pmcid", ref.pmcid.upper()))
    if ref.title and ref.year and ref.authors:
        out.append(("title", _folded(ref.title), ref.year, _folded(ref.authors[0].family)))
    return out


def _folded(text: str) -> str:
    """Words compared: case folded, accents and punctuation dropped (ASCII needs no folding)."""
    return _NOT_WORD.sub(" ", (text if text.isascii() else fold_latin(text)).casefold()).strip()


def _what(ref: Reference, field_name: str) -> str:
    """How the identity two entries share reads in the message."""
    if field_name == "title":
        return f"are '{shown(ref.title)}' ({ref.year}) by {shown(ref.authors[0].family)}"
    return f"have the {field_name.upper()} {shown(getattr(ref, field_name))}"


def _same_work(a: Reference, b: Reference, by_title: bool) -> bool:
    """Whether two entries that share an identity are one work: both parts or both whole
    works (a chapter may carry its book's DOI), of one format when matched by title, and no
    detail both have that differs."""
    if (a.kind in _PARTS) != (b.kind in _PARTS) or (by_title and a.kind != b.kind):
        return False
    for name in _DISTINGUISHING if by_title else ("pages", "chapter"):
        mine, theirs = _detail(a, name), _detail(b, name)
        if mine and theirs and mine != theirs:
            return False
    return True


def _detail(ref: Reference, name: str) -> str:
    value = ref.field(name)
    if name == "doi":
        return doi_key(value) if value else ""
    return _folded(value)
