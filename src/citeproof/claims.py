"""What the prose says about the works it cites: attribution, years and study design (pure).

For every citation group, the sentence around it (bounded by sentence ends and paragraph
breaks, never by the parser's own groups) is read for claims about the cited works:

* **attribution**: a person's name used as the subject of the sentence or of one of its
  clauses ("Krein found", "Lee and Kang demonstrated", "Suh et al. (2019) recommend",
  "According to Gordon", "As Krein showed") must be a family name of a work cited in
  that sentence. Names are compared after folding case, diacritics, particles (van, de),
  hyphens, apostrophes, spaces and a few transliteration variants (ue/u, Yi/Lee …). The
  rule prefers silence to noise: a capitalised word that is not an author is reported
  only when it looks like a name beyond doubt: it is close to a cited author (then the
  message suggests that author), it is an author of another work in the bib, or "et al."
  or a year in parentheses follows it. Sentence-initial words of a word list ("The",
  "Researchers" …, plus the project's own ``not_names``) are never names.
* **year**: a year in parentheses after a matched name must be the work's year, or the
  year before it (online first), or a registry's online year.
* **design**: "randomized", "a (randomized) controlled trial", "a systematic review",
  "a meta-analysis" and "reviewed N studies" must agree with the publication types PubMed
  gives for the cited work; nothing is said when no registry gave types.

A sentence holding the HTML comment ``<!-- no-claim -->`` is not read (the comment
renders as nothing). Positions are the file's ``line:column``: the group's line already
counts the front matter, and columns are counted in the page's own text.
"""
from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence, cast

from .model import CitationGroup, CitationItem, ParsedDocument, Problem, Record, Reference, persons
from .model import ProblemCode as Code
from .text.fold import fold_latin

__all__ = ["check_claims", "design_of", "Design", "SILENCE_MARKER", "fold_name"]

#: Put this HTML comment anywhere in a sentence to silence the claim checks for it.
SILENCE_MARKER = "<!-- no-claim -->"

_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "dos",
                        "das", "la", "le", "ter", "ten", "al", "el", "bin", "ibn", "mac"})
#: Romanisation variants that name the same family (folded forms).
_VARIANTS = {"yi": "lee", "rhee": "lee", "ri": "lee", "i": "lee", "pak": "park", "bak": "park",
             "choe": "choi", "gim": "kim", "jeong": "jung", "chung": "jung", "zhou": "chou"}
#: Capitalised words that begin sentences without being anyone's name, in any text; a
#: project adds the words of its own subject (the ``not_names`` option).
_NOT_NAMES = frozenset("""
a an the this that these those it its we our they their he she his her one some most many
several both each every other others another such all any few no none several previous
recent earlier later later further similar similarly however moreover also in on at for
from with by as of to when while although though since because if then thus therefore
authors author researchers research investigators study studies trial trials review reviews
evidence data results findings analysis analyses patients participants subjects people
experts authorities clinicians doctors program programme programs guidelines guideline
medicine science scientists literature work paper papers report reports article
""".split())
_REPORTING = (r"(?:found|finds|find|showed|shows|show|shown|demonstrated|demonstrates|demonstrate|"
              r"reported|reports|report|recommended|recommends|recommend|concluded|concludes|"
              r"conclude|reviewed|reviews|review|suggested|suggests|suggest|observed|observes|"
              r"noted|notes|argued|argues|proposed|proposes|described|describes|examined|"
              r"examines|studied|studies|investigated|investigates|compared|compares|measured|"
              r"evaluated|evaluates|tested|tests|confirmed|confirms|identified|identifies|"
              r"estimated|analy[sz]ed|analy[sz]es|assessed|assesses|explored|explores|stated|"
              r"states|wrote|writes|claimed|claims|established|establishes|noticed|"
              r"discovered|documented|documents|presented|presents|highlighted|highlights|"
              r"emphasi[sz]ed|emphasi[sz]es|indicated|indicates|linked|links|"
              r"(?:has|have|had)\s+(?:also\s+)?(?:shown|found|reported|demonstrated|suggested))")
_WORD = r"[A-Z][^\W\d_]*(?:['’\-][A-Z]?[^\W\d_]+)*"
_PARTICLE = r"(?:(?:van|von|de|der|den|del|della|da|di|du|dos|das|la|le|ter|ten|al|el)\s+)"
_NAME = rf"{_PARTICLE}*{_WORD}"
#: whitespace with at most one comma in it, read without backtracking (a masked citation
#: is a run of spaces, and ``\s*,?\s+`` would try every split of it)
_GAP = r"(?:\s*+,)?\s++"
_NAMES = rf"(?P<names>{_NAME}(?:\s*+,\s*+{_NAME})*(?:{_GAP}(?:and|&)\s+{_NAME})?)"
_TAIL = (r"(?P<etal>\s+et\s+al\.?|\s+and\s+(?:colleagues|co-?workers|coauthors))?"
         r"(?:\s*\(\s*(?P<year>1[6-9]\d\d|20\d\d)[a-z]?\s*\))?")
_LEAD = r"(?:(?:As|When|Similarly|Likewise|Later|Earlier|In\s+addition|Moreover|Also|Then),?\s+)?"
_SUBJECT = re.compile(rf"{_LEAD}{_NAMES}{_TAIL}{_GAP}(?:also\s+|later\s+|further\s+)?{_REPORTING}\b")
_ACCORDING = re.compile(rf"\b[Aa]ccording\s+to\s+{_NAMES}{_TAIL}")
_CLAUSE_BREAK = re.compile(r"[;:]\s*|,\s+(?:(?:and|but|while|whereas)\s+)?")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n[ \t]*\n")
#: What the sentence end's lookahead reads (for :class:`_Bounds`).
_LOOKAHEAD = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9]")
_BLOCK_START = re.compile(r"\n[ \t]*(?:#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s|>|!!!|\?\?\?|\||===)")
_ABBREVIATIONS = frozenset("al e.g i.e etc vs cf dr mr mrs ms prof fig figs no nos p pp approx st jr sr "
                           "ed eds vol ca".split())
_MASK = re.compile(r"`+[^`]*`+|<!--.*?-->|<[^<>\n]*>|\]\([^()\n]*\)", re.S)

# --------------------------------------------------------------------------- design

#: NLM publication types shown as badges, in the order shown (name -> badge text).
BADGES = {"Randomized Controlled Trial": "Randomized Controlled Trial",
          "Systematic Review": "Systematic Review", "Meta-Analysis": "Meta-Analysis",
          "Review": "Review", "Clinical Trial": "Clinical Trial",
          "Observational Study": "Observational Study", "Case Reports": "Case Reports",
          "Practice Guideline": "Guideline", "Guideline": "Guideline"}
_CLINICAL_TRIALS = ("Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
                    "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Controlled Clinical Trial",
                    "Pragmatic Clinical Trial", "Randomized Controlled Trial")
_REVIEWS = ("Review", "Systematic Review", "Meta-Analysis", "Scoping Review")
#: What a sentence may call its work, and the NLM types that bear it out.
_DESIGN_CLAIMS: tuple[tuple[re.Pattern, str, tuple[str, ...]], ...] = (
    (re.compile(r"(?<![\w-])(?<!non-)(?<!not )(?<!un)randomi[sz]ed\b(?:\s+(?:controlled\s+)?"
                r"(?:clinical\s+)?trials?\b)?", re.I), "a randomized trial", ("Randomized Controlled Trial",)),
    (re.compile(r"\bsystematic(?:\s+literature)?\s+review\b", re.I), "a systematic review",
     ("Systematic Review", "Meta-Analysis")),
    (re.compile(r"\bmeta-?\s?analys[ie]s\b", re.I), "a meta-analysis", ("Meta-Analysis",)),
    (re.compile(r"\b(?:controlled\s+)?clinical\s+trial\b", re.I), "a clinical trial", _CLINICAL_TRIALS),
    (re.compile(r"\b(?:reviewed|a\s+review\s+of)\s+(?:\d+|[a-z]+)\s+(?:\w+\s+)?"
                r"(?:studies|trials|articles|papers|publications)\b", re.I), "a review", _REVIEWS),
)


@dataclass(frozen=True)
class Design:
    """A work's publication types and who said so (only ever from a real registry answer)."""

    types: tuple[str, ...]
    #: their vocabulary, as the registry table declares it (``Source.types``): "nlm"
    #: (PubMed's publication types) or "crossref" (Crossref's type/subtype)
    vocabulary: str
    label: str  # "PubMed publication types" | "Crossref type"
    retrieved: str = ""

    @property
    def badges(self) -> tuple[str, ...]:
        """The badge texts for the NLM types that have one (none for other vocabularies)."""
        if self.vocabulary != "nlm":
            return ()
        return tuple(dict.fromkeys(BADGES[t] for t in BADGES if t in self.types))


#: How a design's label names each vocabulary (after the source's label).
_VOCABULARIES = {"nlm": "publication types", "crossref": "type"}


def design_of(records: Iterable[Record]) -> Design | None:
    """The publication types of a work, from the first record whose source (in the
    registry table) gives NLM publication types, else from one that gives Crossref's
    type (and subtype), labelled as such; ``None`` when no registry gave any."""
    from .registries import source_spec  # (only for a work the lock holds records of)

    records = list(records)
    for vocabulary in _VOCABULARIES:
        for rec in records:
            spec = source_spec(rec.source)
            kinds = tuple(t for t in rec.pubtypes if not t.startswith("update-to:"))
            if spec is not None and spec.types == vocabulary and kinds:
                return Design(kinds, vocabulary, f"{spec.label} {_VOCABULARIES[vocabulary]}", rec.retrieved)
    return None


# --------------------------------------------------------------------------- names

def fold_name(name: str) -> str:
    """A family name folded for comparison: ``"van der Berg"`` -> ``"berg"``,
    ``"Villafañe"`` -> ``"villafane"``, ``"Müller"``/``"Mueller"`` -> ``"muller"``,
    ``"Nakhostin-Ansari"`` -> ``"nakhostinansari"``, ``"Yi"`` -> ``"lee"``."""
    s = fold_latin(name).casefold()
    words = re.split(r"[\s]+", s.strip())
    while len(words) > 1 and words[0] in _PARTICLES:
        words = words[1:]
    s = re.sub(r"[^a-z]", "", "".join(words))
    s = s.replace("ue", "u").replace("oe", "o").replace("ae", "a")
    return _VARIANTS.get(s, s)


def _split_names(names: str) -> list[str]:
    return [n.strip() for n in re.split(r"\s*,\s*|\s+(?:and|&)\s+", names) if n.strip()]


_persons = persons  # (defined in model.py, so the page cache reads the same without importing this)


@dataclass(frozen=True)
class _Work:
    """A cited work as the claim checks see it."""

    ref: Reference
    families: tuple[str, ...]  # display forms, bib first, then the registries' full lists
    years: frozenset[str]
    design: Design | None

    @classmethod
    def of(cls, ref: Reference, records: Sequence[Record]) -> "_Work":
        names = [a.family for a in _persons(ref.authors)]
        for rec in records:
            names += [a.family for a in _persons(rec.authors)]
        years = {y for y in (ref.year[:4],) if y.isascii() and y.isdigit()}  # "²⁰¹⁹" isdigit
        years |= {str(int(y) - 1) for y in years}  # online first, a year before the issue
        years |= {y[:4] for r in records for y in (r.year, r.online_year) if y[:4].isascii() and y[:4].isdigit()}
        return cls(ref, tuple(dict.fromkeys(names)), frozenset(years), design_of(records))

    def has(self, name: str) -> bool:
        folded = fold_name(name)
        return any(fold_name(f) == folded for f in self.families)


# --------------------------------------------------------------------------- sentences

def _masked(text: str, groups: Sequence[CitationGroup]) -> str:
    """``text`` with code spans, HTML, link destinations and citation groups blanked
    (offsets kept), so "Suh [@suh2019] found" reads as a name before a verb. Computed
    once per page: each sentence reads its own span of it."""
    masked = _MASK.sub(lambda m: " " * len(m.group()), text)
    pieces, at = [], 0
    for group in sorted(groups, key=lambda g: g.start):
        if group.start >= at:
            pieces += [masked[at:group.start], " " * (group.end - group.start)]
            at = group.end
    return "".join(pieces) + masked[at:]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``: from the end of the previous sentence (or
    paragraph, or block such as a list item or heading) to the end of this one. (For many
    groups of one text, :class:`_Bounds` finds every one in linear time.)"""
    return _Bounds(text).around(start, end)


class _Bounds:
    """Every paragraph break, block start and sentence end of a text, found once, so that
    the sentence around each citation group is two binary searches, not a scan of its
    paragraph: a paragraph of 10,000 cited sentences stays linear.

    A sentence end counts only when everything its pattern reads (the capital after it)
    lies before the group: a sentence is never ended by the group's own text, as a search
    that stops at the group's ``[`` would not end it."""

    def __init__(self, text: str) -> None:
        self.text = text
        newlines = [m.start() for m in re.finditer("\n", text)]
        self.breaks = [a for a, b in zip(newlines, newlines[1:]) if b == a + 1]  # each "\n\n"
        self.blocks = [(m.start(), m.end()) for m in _BLOCK_START.finditer(text)]
        self.ends: list[tuple[int, int, int]] = []  # (start, end, end of what it read)
        for m in _SENTENCE_END.finditer(text):
            if not _abbreviation(text, m.start()):
                read = _LOOKAHEAD.match(text, m.end())
                self.ends.append((m.start(), m.end(), read.end() if m.group()[0] != "\n" and read else m.end()))
        self.starts = [e[0] for e in self.ends]

    def around(self, start: int, end: int) -> tuple[int, int]:
        lo, hi = self._paragraph(start, end)
        s = lo
        i = bisect.bisect_left(self.starts, start) - 1
        while i >= 0 and self.ends[i][0] >= lo:
            if self.ends[i][2] <= start:
                s = self.ends[i][1]
                break
            i -= 1
        e = hi
        i = bisect.bisect_left(self.starts, end)
        while i < len(self.ends) and self.ends[i][0] < hi:
            if self.ends[i][2] <= hi:
                e = self.ends[i][1]
                break
            i += 1
        while s < e and self.text[s].isspace():
            s += 1
        return s, e

    def _paragraph(self, start: int, end: int) -> tuple[int, int]:
        """The paragraph or block the group stands in: ``(lo, hi)``."""
        i = bisect.bisect_right(self.breaks, start - 2) - 1  # the last "\n\n" that ends by ``start``
        lo = max(self.breaks[i], 0) if i >= 0 else 0
        j = bisect.bisect_left(self.breaks, end)
        hi = self.breaks[j] if j < len(self.breaks) else len(self.text)
        k = bisect.bisect_left(self.blocks, (lo,))
        while k < len(self.blocks) and self.blocks[k][0] < hi:
            b_start, b_end = self.blocks[k]
            if b_end <= hi:
                if b_start < start:
                    lo = b_start + 1
                elif b_start >= end:
                    hi = b_start
                    break
            k += 1
        return lo, hi


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at ``dot`` ends an abbreviation ("et al.", "e.g.", "Dr.") or an initial."""
    if text[dot] != ".":
        return False
    m = re.search(r"([A-Za-z.]+)$", text[max(0, dot - 12):dot])
    word = (m.group(1) if m else "").strip(".").casefold()
    return word in _ABBREVIATIONS or (len(word) == 1 and text[dot - 1].isupper())


# --------------------------------------------------------------------------- the checks

@dataclass
class _Sentence:
    start: int
    end: int
    groups: list[CitationGroup]


#: What may stand between a sentence's last character and the lookahead of
#: :data:`_SENTENCE_END` (its closing quotes and brackets, and whitespace).
_CLOSERS = frozenset("\"'”’)]")
#: The characters a match of :data:`_SENTENCE_END` or :data:`_BLOCK_START` starts with.
_BREAK_CHAR = re.compile(r"[.!?\n]")


def _sentences(text: str, groups: Sequence[CitationGroup]) -> list[_Sentence]:
    """The groups (in page order) by sentence: each group's :func:`sentence_bounds`, a
    sentence per distinct start.

    A group in the same sentence as the one before it is told apart without reading the
    sentence again (a paragraph of many citations stays linear): when nothing from the
    previous group's '[' to this one could start a sentence end, a paragraph break or a
    block (no ``.!?`` nor newline), and no ``.!?`` stands before the whitespace and closers
    that lead up to that '[' (a sentence end there was cut off by the previous group's
    search, which stops at its '['), :func:`sentence_bounds` finds for this group the
    paragraph, block and sentence ends it found for the previous one: the same start."""
    sentences: list[_Sentence] = []
    if not groups:
        return sentences
    prev = None
    bounds = _Bounds(text)
    for group in groups:
        if prev is not None and prev.start < group.start:
            q = prev.start
            while q > 0 and (text[q - 1] in _CLOSERS or text[q - 1].isspace()):
                q -= 1
            if ((q == 0 or text[q - 1] not in ".!?")
                    and not _BREAK_CHAR.search(text, prev.start, group.start)):
                sentences[-1].groups.append(group)
                prev = group
                continue
        s, e = bounds.around(group.start, group.end)
        if sentences and sentences[-1].start == s:
            sentences[-1].groups.append(group)
        else:
            sentences.append(_Sentence(s, e, [group]))
        prev = group
    return sentences


class _Works(dict):
    """Key -> :class:`_Work`, each made when a page first cites it."""

    def __init__(self, refs: Mapping[str, Reference], records: Mapping[str, Sequence[Record]]):
        super().__init__()
        self.refs, self.records = refs, records

    def __missing__(self, key: str) -> "_Work":
        work = self[key] = _Work.of(self.refs[key], self.records.get(key, ()))
        return work

    def __contains__(self, key: object) -> bool:
        return key in self.refs


class _Everyone:
    """Folded family name -> a key of a work by that author, over the whole bib: made on
    the first question (only a subject that no cited work has asks it)."""

    def __init__(self, works: _Works):
        self.works = works
        self._names: dict[str, str] | None = None

    def get(self, folded: str):
        if self._names is None:
            self._names = {fold_name(f): k for k in self.works.refs for f in self.works[k].families}
        return self._names.get(folded)


#: What the prose checks read of a bib entry (a :class:`Reference`): of a cited work, any
#: of its fields (the page cache keys a page on each cited entry's whole value); of every
#: other entry, only ``model.everyone_names`` (its key, place and authors' family names as
#: :func:`_persons` keeps them): :class:`_Everyone` reads nothing else, and the page
#: cache keys every page on it (``bibcache.page_digests``).


class ClaimIndex:
    """The cited works' names, years and designs for a bib (and its registry records),
    folded once and shared by every page: a site or a check builds one, not one per page,
    and a work is folded only when a page cites it."""

    def __init__(self, refs: Mapping[str, Reference],
                 records: Mapping[str, Sequence[Record]] | None = None,
                 not_names: Iterable[str] = ()) -> None:
        self.works = _Works(refs, records or {})
        self.everyone = _Everyone(self.works)
        #: words never taken for a name: the generic list, and the project's own
        self.not_names = _NOT_NAMES | {w.casefold() for w in not_names}

    def check(self, text: str, doc: ParsedDocument) -> list[Problem]:
        """Attribution, year and design problems of one page (``text`` is what ``doc`` parsed)."""
        sentences = _sentences(text, doc.groups)
        out: list[Problem] = []
        masked = _masked(text, doc.groups)
        for sent in sentences:
            if SILENCE_MARKER in text[sent.start:sent.end]:
                continue
            out += _check_sentence(text, masked, sent, self, doc.file)
        return out + self.published(doc)

    def published(self, doc: ParsedDocument) -> list[Problem]:
        """A cited preprint that a registry says was published since (Crossref's
        ``is-preprint-of``): one warning at its first citation on the page, naming the
        published version's DOI and who said so when. Not a prose check: no marker silences
        it (cite the published version instead)."""
        records, refs = self.works.records, self.works.refs
        out: list[Problem] = []
        seen: set[str] = set()
        for group in doc.groups:
            for item in group.items:
                recs = records.get(item.key) if item.key in refs and item.key not in seen else None
                seen.add(item.key)
                if recs and any(r.relations for r in recs):
                    out += _published(refs[item.key], recs, item, doc.file)
        return out


def check_claims(text: str, doc: ParsedDocument, refs: Mapping[str, Reference],
                 records: Mapping[str, Sequence[Record]] | None = None,
                 not_names: Iterable[str] = ()) -> list[Problem]:
    """Attribution, year and design problems of one page (``text`` is what ``doc`` parsed;
    ``records`` the registries' records per key, when known). For many pages, build one
    :class:`ClaimIndex` and call its ``check``."""
    return ClaimIndex(refs, records, not_names).check(text, doc)


def _located(text: str, group: CitationGroup, offset: int) -> tuple[int, int]:
    """The file's (line, column) of ``text[offset]``, using the group's known line."""
    group_line = text.count("\n", 0, group.start)
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return group.line + (line - group_line), col


def _clauses(sent: _Sentence) -> list[tuple[int, int, CitationGroup]]:
    """The sentence cut after each group: (start, end, the group that ends the clause)."""
    out, s = [], sent.start
    for n, group in enumerate(sent.groups):
        e = sent.end if n == len(sent.groups) - 1 else group.end
        out.append((s, e, group))
        s = group.end
    return out


def _check_sentence(text: str, masked: str, sent: _Sentence, index: ClaimIndex, file: str) -> list[Problem]:
    works = index.works
    refs, records = works.refs, works.records
    keys = [k for g in sent.groups for k in _keys(g) if k in refs]
    if not keys:
        return []
    out: list[Problem] = []
    subjects = list(_subjects(masked, sent.start, sent.end))
    if subjects:  # a work is folded only when a name in the sentence asks about it
        cited = [works[k] for k in keys]
        for m in subjects:
            group = next((g for g in sent.groups if g.start >= m.start()), sent.groups[-1])
            out += _attribution(text, m, group, cited, index, file)
    if records:  # else no work has a design to compare
        for start, end, group in _clauses(sent):
            clause = [k for k in _keys(group) if k in refs]
            if clause and all(records.get(k) for k in clause):  # else some work has no design
                out += _design(masked, start, end, text, group, [works[k] for k in clause], file)
    return out


def _published(ref: Reference, records: Sequence[Record], item: CitationItem, file: str) -> list[Problem]:
    from .verify import published_versions  # (only for a work whose records name relations)

    return [Problem(
        Code.PREPRINT_PUBLISHED, "warning",
        f"{ref.key} is a preprint that has since been published as doi:{p.doi} [{p.said}]: cite the "
        "published version (`citeproof fix` proposes it)",
        key=ref.key, file=file, line=item.line, column=item.column, field="doi", expected=p.doi,
        found=ref.doi or None) for p in published_versions(records)]


def _keys(group: CitationGroup) -> Iterable[str]:
    """The group's keys, each once (most groups cite one)."""
    items = group.items
    return (items[0].key,) if len(items) == 1 else dict.fromkeys(item.key for item in items)


def _subjects(masked: str, start: int, end: int) -> Iterable[re.Match]:
    """Name-as-subject matches in ``masked[start:end]``: at the start of the sentence or
    of a clause, or after "according to"."""
    for at in [start, *(c.end() for c in _CLAUSE_BREAK.finditer(masked, start, end))]:
        m = _SUBJECT.match(masked, at, end)
        if m:
            yield m
    yield from _ACCORDING.finditer(masked, start, end)


def _attribution(text: str, m: re.Match, group: CitationGroup, cited: list[_Work],
                 index: ClaimIndex, file: str) -> list[Problem]:
    """The problems of one name-as-subject match: names no cited work has, a wrong year."""
    out: list[Problem] = []
    names_at = m.start("names")
    sure = bool(m.group("etal") or m.group("year"))
    matched: list[_Work] = []
    for name in _split_names(m.group("names")):
        offset = text.find(name, names_at)
        owners = [w for w in cited if w.has(name)]
        if owners:
            matched += owners
            continue
        if name.split()[-1].casefold() in index.not_names:
            continue
        families = list(dict.fromkeys(f for w in cited for f in w.families))
        close = difflib.get_close_matches(fold_name(name), [fold_name(f) for f in families], n=1,
                                          cutoff=0.75)
        suggestion = next((f for f in families if close and fold_name(f) == close[0]), "")
        other = index.everyone.get(fold_name(name))
        if not (suggestion or other or sure):
            continue  # not surely a name: prefer silence to noise
        authors = "; ".join(f"{w.ref.key}: {', '.join(w.families[:8])}" for w in cited)
        hint = (f"did you mean '{suggestion}'?" if suggestion else
                f"'{name}' is an author of {other}, which this sentence does not cite"
                if other else "cite the work this name refers to, or correct the name")
        line, col = _located(text, group, offset)
        out.append(Problem(
            Code.MISATTRIBUTED, "error",
            f"'{name}' is not an author of the work cited here ({authors}); {hint} "
            f"(to keep the sentence as it is, put {SILENCE_MARKER} in it)",
            key=cited[0].ref.key, file=file, line=line, column=col, field="author",
            expected=suggestion or None, found=name))
    year = m.group("year")
    if year and matched and not any(year in w.years for w in matched):
        line, col = _located(text, group, m.start("year"))
        work = matched[0]
        out.append(Problem(
            Code.YEAR_IN_TEXT, "error",
            f"the text gives the year {year} for {work.ref.key}, which is from {work.ref.year}; "
            "correct the year in the sentence (online first, a year early, is accepted)",
            key=work.ref.key, file=file, line=line, column=col, field="year",
            expected=work.ref.year, found=year))
    return out


def _design(masked: str, start: int, end: int, text: str, group: CitationGroup,
            cited: list[_Work], file: str) -> list[Problem]:
    out: list[Problem] = []
    maybe = [w.design for w in cited]
    if not maybe or any(d is None or d.vocabulary != "nlm" for d in maybe):
        return out  # some cited work has no NLM publication types: nothing to compare
    designs = cast("list[Design]", maybe)  # (none is None: checked)
    seen: set[str] = set()
    for pattern, what, wanted in _DESIGN_CLAIMS:
        m = pattern.search(masked, start, end)
        if not m or what in seen or any(set(d.types) & set(wanted) for d in designs):
            continue
        if what == "a clinical trial" and "a randomized trial" in seen:
            continue
        seen.add(what)
        line, col = _located(text, group, m.start())
        said = "; ".join(f"{w.ref.key}: {', '.join(d.types)}" for w, d in zip(cited, designs))
        out.append(Problem(
            Code.DESIGN_CLAIM, "warning",
            f"the text calls the cited work {what} (\"{text[m.start():m.end()]}\"), but the "
            f"{designs[0].label} say otherwise ({said}); check the claim or the citation",
            key=cited[0].ref.key, file=file, line=line, column=col, field="pubtype",
            expected=", ".join(designs[0].types), found=text[m.start():m.end()]))
    return out
