"""Verification: does what the registries say match the bib? Pure functions, no I/O.

The registry clients hand over ``Lookup`` values; this module normalises both sides,
compares them field by field and decides each reference's status and problems
(:func:`verify_reference` for one, :func:`judge` for a whole run).

The rule behind every status: NOTHING is "verified" unless a registry answered about
every identifier the bib gives AND at least one registry record with metadata was
compared and matched. A DOI that only doi.org knows (DataCite, mEDRA, JaLC ...) proves
the DOI exists but gives nothing to compare: such a reference is "verified" only when
its PubMed record matched; otherwise its status is "unavailable" (with a "not-verified"
warning saying why), so an undetermined reference never passes as verified.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Container, Mapping, Optional

from .identifiers import doi_key, valid_ids
from .model import Author, Lookup, Problem, Record, Reference, ReferenceResult, Severity
from .text import tex_to_plain
from .text.fold import fold_latin
from .model import ProblemCode as Code
from . import registries
from .registries import Role, Source, markup, registry_for, source_label, source_spec

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHcdbkr]\s*\{?\s*([A-Za-z])\s*\}?")
_LATEX_WORD = re.compile(r"\\[A-Za-z]+\*?")
_LATEX_SYMBOL = re.compile(r"\\(.)")
_NON_WORD = re.compile(r"[\W_]+")
_STOPWORDS = frozenset({"the", "of", "and", "for", "in", "on", "a", "an", "to", "de", "la", "y", "und"})
_RETRACTED_TITLE = re.compile(r"\s*(RETRACTED|WITHDRAWN)\s*:", re.I)
_TITLE_KINDS = {"RETRACTED": "retraction", "WITHDRAWN": "withdrawal"}
#: PubMed publication types of a notice (the record is the notice, not the work).
_NOTICE_PUBTYPES = frozenset({"Retraction of Publication", "Published Erratum", "Expression of Concern"})
_RETRACTED_PUBTYPE = "retracted publication"


# --------------------------------------------------------------------------- normalisers

def norm_text(s: str) -> str:
    """Fold text for comparison: HTML tags/entities and LaTeX remnants gone, diacritics
    removed (NFKD), casefolded, ``&`` read as "and", punctuation and whitespace collapsed
    to single spaces. ``"<i>Effects</i> of Exercise &amp; Gait: Villafañe"`` ->
    ``"effects of exercise and gait villafane"``."""
    s = html.unescape(s or "")
    s = _TAG.sub("", s)
    s = _LATEX_ACCENT.sub(r"\1", s)
    s = _LATEX_WORD.sub(" ", s)
    s = _LATEX_SYMBOL.sub(r"\1", s)
    s = s.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")
    s = fold_latin(s).casefold()
    s = s.replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", s).split())


def _key(s: str) -> str:
    """``norm_text`` without spaces: "internet- mediated" = "Internet-Mediated"."""
    return norm_text(s).replace(" ", "")


def norm_pages(s: str) -> str:
    """Pages in one form: dashes unified, MEDLINE ranges expanded, article numbers kept.

    ``"786-92"`` -> ``"786-792"``, ``"1041-7"`` -> ``"1041-1047"``, ``"786--792"`` and
    ``"786–792"`` -> ``"786-792"``, ``"E16173"`` -> ``"e16173"``, ``"22-22"`` -> ``"22"``.
    """
    s = (s or "").strip().casefold()
    s = re.sub(r"^pp?\.?\s*", "", s)
    s = re.sub(r"\s*(?:--+|[\u2010-\u2015\u2212-])\s*", "-", s)
    s = re.sub(r"\s+", "", s)
    m = re.fullmatch(r"([a-z]*)(\d+)-([a-z]*)(\d+)", s)
    if not m:
        return s
    p1, first, p2, last = m.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    p2 = p2 or p1
    if (p1, first) == (p2, last):
        return f"{p1}{first}"
    return f"{p1}{first}-{p2}{last}"


def _split_journal(s: str) -> tuple[str, str]:
    """``"Medicine (Baltimore)"`` -> ``("medicine", "baltimore")``; no qualifier -> ``""``."""
    s = s or ""
    m = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*\.?\s*", s)
    base, qualifier = (m.group(1), m.group(2)) if m else (s, "")
    words = [w for w in norm_text(base).split() if w not in _STOPWORDS]
    return " ".join(words), norm_text(qualifier)


def norm_journal(s: str) -> str:
    """A journal name folded for comparison: dots, "the"/"of"/"and" gone, a trailing
    parenthesised qualifier kept in parentheses. ``"The Spine Journal."`` -> ``"spine
    journal"``; ``"Medicine (Baltimore)"`` -> ``"medicine (baltimore)"``."""
    base, qualifier = _split_journal(s)
    return f"{base} ({qualifier})" if qualifier else base


def _abbreviates(short: str, full: str) -> bool:
    """Whether word list ``short`` abbreviates ``full`` word for word (ISO 4 / NLM style):
    each short word starts like its full word and is a subsequence of it ("natl" ~ "national")."""
    a, b = short.split(), full.split()
    if len(a) != len(b):
        return False
    for s, f in zip(a, b):
        it = iter(f)
        if s[0] != f[0] or not all(c in it for c in s):
            return False
    return True


def journal_matches(bib: str, names: list[str]) -> bool:
    """Whether the bib's journal names the same journal as any of ``names`` (the record's
    full and abbreviated titles). A qualifier in parentheses ("(Baltimore)") counts only
    when the record gives one: "Medicine (Baltimore)" matches Crossref's bare "Medicine",
    but "Healthcare (Basal)" does not match PubMed's "Healthcare (Basel)"."""
    names = [n for n in names if n and n.strip()]
    b_base, b_qual = _split_journal(bib)
    parts = [_split_journal(n) for n in names]
    if any((b_base, b_qual) == p for p in parts):
        return True
    record_quals = [q for _, q in parts if q]
    if b_qual and record_quals and not any(q == b_qual or q.startswith(b_qual + " ")
                                           for q in record_quals):
        return False
    return any(b_base == base or _abbreviates(b_base, base) or _abbreviates(base, b_base)
               for base, _ in parts if base and b_base)


def _year(s: str) -> str:
    m = re.search(r"\d{4}", s or "")
    return m.group(0) if m else ""


def _plain(s: str) -> str:
    """Volume/issue folding: "Suppl. 1" = "suppl 1", "02" = "2"."""
    k = _key(s)
    return (k.lstrip("0") or k) if k.isdigit() else k


def _same_work(a: str, b: str) -> bool:
    """Whether two titles plausibly name one paper (a subtitle may be missing on one side)."""
    ka, kb = _key(a), _key(b)
    if ka == kb or ka.startswith(kb) or kb.startswith(ka):
        return True
    wa = set(norm_text(a).split()) - _STOPWORDS
    wb = set(norm_text(b).split()) - _STOPWORDS
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


# --------------------------------------------------------------------------- compare

def _families(authors: tuple[Author, ...], limit: int = 8) -> str:
    names = [a.family for a in authors]
    return ", ".join(names[:limit]) + (", …" if len(names) > limit else "")


def _truncated(authors: tuple[Author, ...]) -> bool:
    """A bib author list ending in "and others" (et al.)."""
    return bool(authors) and authors[-1].family.strip().casefold() in {"others", "et al", "et al."}


@dataclass(frozen=True)
class Mismatch:
    """One field on which a bib entry and one registry record differ."""

    field: str
    what: str  # as messages name it: "title", "first author", "issue"
    found: str  # the bib's value
    expected: str  # the record's
    hint: str
    source: str  # the record's source


def mismatch_problem(ref: Reference, found: list[Mismatch]) -> Problem:
    """One problem for one fact (a field's value) that one or more registries contradict,
    naming each of them and what each has."""
    first = found[0]
    regs = [source_label(m.source) for m in found]
    names = " and ".join(dict.fromkeys(regs))
    values = list(dict.fromkeys(m.expected for m in found))
    has = (f"{names} {'have' if len(set(regs)) > 1 else 'has'} '{values[0]}'" if len(values) == 1 else
           ", ".join(f"{source_label(m.source)} has '{m.expected}'" for m in found))
    verb = "differ" if first.what == "pages" else "differs"
    return Problem(Code.METADATA_MISMATCH, "error",
                   f"{ref.key}: {first.what} {verb} from {names}: bib has '{first.found}', {has}. {first.hint}",
                   key=ref.key, file=ref.file, line=ref.line_of(first.field), field=first.field,
                   expected=" / ".join(values), found=first.found)


def compare(ref: Reference, record: Record) -> list[Problem]:
    """Compare one bib entry with one registry record (:func:`mismatches`), one problem per field."""
    return [mismatch_problem(ref, [m]) for m in mismatches(ref, record)]


def mismatches(ref: Reference, record: Record) -> list[Mismatch]:
    """Compare one bib entry with one registry record, field by field (:data:`FIELD_CHECKS`),
    after normalisation. Fields the record (or the bib) lacks are not compared."""
    return [m for check in FIELD_CHECKS for m in check(ref, record)]


_CHECK_IDS = "(or check that the DOI/PMID point to the intended paper)"


def _bib_keys(title: str) -> set[str]:
    """The bib's title folded (:func:`_key`), and, when TeX is left in it (math, a macro the
    loader kept), folded again after reading it as TeX: ``$^{153}$Tb`` and ``¹⁵³Tb`` both
    fold to ``153tb``."""
    keys = {_key(title)}
    if "\\" in title or "$" in title:
        keys.add(_key(tex_to_plain(title)))
    return keys - {""}


def _title(ref: Reference, record: Record) -> list[Mismatch]:
    """Case, punctuation, spacing, diacritics, markup (JATS, HTML, MathML) and LaTeX are
    ignored, and the record's title is read in its source's notation. The bib matches the
    title alone or the title with its subtitle (``registries.markup.title_forms``): a
    subtitle, which may be a running head, never makes a mismatch; a title that lacks
    the rest of the record's title does."""
    forms = markup.title_forms(record)
    if not (ref.title and forms):
        return []
    bib, keys = _bib_keys(ref.title), [_key(f) for f in forms]
    if bib & set(keys):
        return []
    shown = markup.title_plain(record)
    hint = f"Correct the bib's title {_CHECK_IDS}."
    if any(k.startswith(b) for k in keys for b in bib):
        hint = ("The bib's title lacks the rest of the title (a subtitle?); "
                f"copy the full title from {source_label(record.source)}.")
    return [Mismatch("title", "title", ref.title, shown, hint, record.source)]


def _plain_authors(record: Record) -> tuple[Author, ...]:
    """The record's authors with their names read in its source's notation."""
    return tuple(Author(markup.plain(record, a.family), markup.plain(record, a.given), a.corporate)
                 for a in record.authors)


def _authors(ref: Reference, record: Record) -> list[Mismatch]:
    """The first author's family name and the number of authors (a bib list ending in
    "and others" may be shorter)."""
    named = ref.authors[:-1] if _truncated(ref.authors) else ref.authors
    if not (named and record.authors):
        return []
    out = []
    authors = _plain_authors(record)
    bib_first, rec_first = named[0].family, authors[0].family
    if _key(bib_first) != _key(rec_first):
        out.append(Mismatch("author", "first author", bib_first, rec_first,
                            f"Correct the first author's family name {_CHECK_IDS}.", record.source))
    n_bib, n_rec = len(named), len(authors)
    if n_bib != n_rec and not (_truncated(ref.authors) and n_rec > n_bib):
        out.append(Mismatch("author", "author count", f"{n_bib} ({_families(named)})",
                            f"{n_rec} ({_families(authors)})",
                            "Add the missing authors or remove the extra ones, in the record's order.",
                            record.source))
    return out


def _year_of(ref: Reference, record: Record) -> list[Mismatch]:
    """The issue year or the online-first year; a bib year one after the online year is
    the issue's, when the record knows only the online date (Crossref's "issued",
    PubMed's pubdate for online-only journals)."""
    bib_year, issue_year, online_year = _year(ref.year), _year(record.year), _year(record.online_year)
    if not bib_year or not (issue_year or online_year):
        return []
    if bib_year in {issue_year, online_year} or (
            issue_year in {"", online_year} and online_year.isdigit() and int(bib_year) == int(online_year) + 1):
        return []
    shown = issue_year or online_year
    if issue_year and online_year and online_year != issue_year:
        shown = f"{issue_year} (online {online_year})"
    return [Mismatch("year", "year", ref.year, shown, "Use the year of the issue (or of online-first "
                     "publication).", record.source)]


def _journal(ref: Reference, record: Record) -> list[Mismatch]:
    """The full or the abbreviated name (:func:`journal_matches`)."""
    names = [markup.plain(record, record.journal), markup.plain(record, record.journal_abbrev)]
    if not ref.journal or not any(names) or journal_matches(ref.journal, names):
        return []
    return [Mismatch("journal", "journal", ref.journal, " / ".join(dict.fromkeys(n for n in names if n)),
                     "Use the journal's NLM abbreviation or full title as the record gives it.", record.source)]


def _volume_issue(ref: Reference, record: Record) -> list[Mismatch]:
    """Volume and issue, leading zeros and "Suppl." spelling folded."""
    return [Mismatch(fld, "issue" if fld == "number" else fld, bib_val, rec_val,
                     f"Correct the bib's {fld} field.", record.source)
            for fld, bib_val, rec_val in (("volume", ref.volume, record.volume), ("number", ref.number, record.issue))
            if bib_val and rec_val and _plain(bib_val) != _plain(rec_val)]


def _pages(ref: Reference, record: Record) -> list[Mismatch]:
    """A range (MEDLINE's abbreviated ranges expanded), or an article number (which never
    matches a page range)."""
    if not ref.pages or not (record.pages or record.article_number):
        return []
    if norm_pages(ref.pages) in {norm_pages(record.pages), norm_pages(record.article_number)} - {""}:
        return []
    if record.article_number and not record.pages:
        shown = f"article number {record.article_number}"
        hint = "This is an article number, not a page range: put it alone in the pages field."
    else:
        shown = record.pages + (f" (article number {record.article_number})" if record.article_number else "")
        hint = "Correct the bib's pages field."
    return [Mismatch("pages", "pages", ref.pages, shown, hint, record.source)]


#: The fields compared, in the order their problems are reported.
FIELD_CHECKS = (_title, _authors, _year_of, _journal, _volume_issue, _pages)


# --------------------------------------------------------------------------- verdict

def _field_of(source: str) -> str:
    """The bib field a source's answers are about ("doi" or "pmid")."""
    spec = source_spec(source)
    return spec.answers if spec else "doi"


@dataclass
class _Run:
    """What one ``verify_reference`` call has learnt so far."""

    ref: Reference
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)  # found, with metadata, compared
    differences: list[Mismatch] = field(default_factory=list)  # of every record compared
    incomplete: bool = False  # a registry could not be asked (unavailable)
    unasked: bool = False  # an identifier was not looked up at all (no Lookup given)

    def add(self, code: Code, severity: Severity, message: str, fld: str, **kw) -> None:
        self.problems.append(Problem(code, severity, message, key=self.ref.key, file=self.ref.file,
                                     line=self.ref.line_of(fld), field=fld, **kw))

    def answered(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def unavailable(self, look: Lookup, ident: str, fld: str) -> None:
        reg = source_label(look.source)
        self.incomplete = True
        self.add(Code.REGISTRY_UNAVAILABLE, "warning",
                 f"{self.ref.key}: could not ask {reg} about {ident}"
                 f"{f' ({look.reason})' if look.reason else ''}, so this reference is NOT verified. "
                 "Run the check again later.", fld)

    def not_asked(self, what: str, fld: str) -> None:
        self.unasked = True
        self.add(Code.NOT_VERIFIED, "warning",
                 f"{self.ref.key}: {what} was not looked up in any registry, so this reference is "
                 "NOT verified. Run `citeproof check` online to verify it.", fld)

    def compare(self, record: Record) -> None:
        if not (record.title or record.authors):
            reg = source_label(record.source)
            self.add(Code.NOT_VERIFIED, "warning",
                     f"{self.ref.key}: {reg} knows {record.identifier} but gives no title or authors "
                     "to compare, so its metadata is not verified.",
                     _field_of(record.source))
            return
        self.records.append(record)
        self.differences.extend(mismatches(self.ref, record))

    def mismatch_problems(self) -> list[Problem]:
        """One problem per (field, bib value, kind of difference), naming every registry."""
        facts: dict[tuple[str, str, str], list[Mismatch]] = {}
        for m in self.differences:
            facts.setdefault((m.field, m.what, m.found), []).append(m)
        return [mismatch_problem(self.ref, found) for found in facts.values()]


def _names(sources) -> str:
    """"Crossref", "Crossref and doi.org", "Crossref, doi.org and X" (labels, once each)."""
    labels = list(dict.fromkeys(s.label for s in sources))
    return ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else "".join(labels)


def _check_doi(run: _Run, looks: Mapping[str, Lookup]) -> None:
    """The DOI chain's answer (``registries.chain_sources``, in order): the first record
    found is compared; the DOI does not exist only when every judge was asked and none
    knows it."""
    ref, doi = run.ref, run.ref.doi
    chain = registries.chain_sources()
    said = registries.answered(looks, chain)
    if not said.asked:
        run.not_asked(f"DOI {doi}", "doi")
        return
    for source in chain:
        look = looks.get(source.name)
        if look is not None and look.status != "unavailable":
            run.answered(source.name)
        if look is not None and look.status == "found" and look.record is not None:
            break
    for look in said.down:
        spec = registries.source_spec(look.source)
        assert spec is not None  # (it answered as a source of the chain)
        unknown = [s for s in said.denied if chain.index(s) < chain.index(spec)]
        run.unavailable(look, f"DOI {doi}" + (f" (unknown to {_names(unknown)})" if unknown else ""), "doi")
    if said.found:
        _doi_record(run, said.found[0], said.denied, looks)
    elif not said.down and len(said.denied) < len(chain):
        run.unasked = True
        rest = [s for s in chain if s not in said.denied]
        run.add(Code.NOT_VERIFIED, "warning",
                f"{ref.key}: {_names(said.denied)} {'does' if len(said.denied) == 1 else 'do'} not know "
                f"DOI {doi} and {_names(rest)} {'was' if len(rest) == 1 else 'were'} not asked, so whether "
                "the DOI exists is undetermined and this reference is NOT verified. Run `citeproof check` "
                "online again.", "doi")
    elif said.absent:
        run.add(Code.DOI_NOT_FOUND, "error",
                f"{ref.key}: DOI {doi} does not exist: no registry knows it ({_names(said.denied)} "
                "asked). Check it for typos against the article's landing page, or remove it (`citeproof "
                "fix` proposes the DOI of the entry's PMID, when it has one).",
                "doi", found=doi)


def _doi_record(run: _Run, look: Lookup, denied, looks: Mapping[str, Lookup]) -> None:
    """A DOI the chain found: its record compared, or, when it gives no metadata (a DOI
    only its agency knows), a warning saying so."""
    rec = look.record
    assert rec is not None  # (a found lookup has its record)
    if rec.title or rec.authors:
        run.compare(rec)
        return
    pmid = registries.answered(looks, registries.sources(Role.PMID_RECORD)) if run.ref.pmid else None
    by = _names([s for s in registries.sources(Role.PMID_RECORD) if pmid and any(
        f.source == s.name for f in pmid.found)])
    where = f"is not registered with {_names(denied)}" if denied else "has no metadata record"
    run.add(Code.NOT_VERIFIED, "warning",
            f"{run.ref.key}: DOI {run.ref.doi} exists ({source_label(look.source)} resolves it) but "
            f"{where} (probably DataCite, mEDRA or JaLC), so its title, authors and year could not "
            "be compared with the DOI's record"
            + (f"; {by}'s record was compared instead." if by else
               ". Add the PMID if the paper is in PubMed, or check the metadata by hand."),
            "doi")


def _check_pmid(run: _Run, looks: Mapping[str, Lookup]) -> None:
    """Every PMID record source (``Role.PMID_RECORD``): each record found is compared and
    its DOI checked against the bib's; the PMID does not exist only when a judge says so,
    none found it and none was out of reach."""
    ref, pmid = run.ref, run.ref.pmid
    group = registries.sources(Role.PMID_RECORD)
    said = registries.answered(looks, group)
    if not said.asked:
        run.not_asked(f"PMID {pmid}", "pmid")
        return
    for look in said.down:
        run.unavailable(look, f"PMID {pmid}", "pmid")
    for source in group:
        if source.name in looks and looks[source.name].status != "unavailable":
            run.answered(source.name)
    if said.absent:
        run.add(Code.PMID_NOT_FOUND, "error",
                f"{ref.key}: PMID {pmid} does not exist: {_names(said.denied)} "
                f"{'has' if len(said.denied) == 1 else 'have'} no record of it. "
                "Check the number on pubmed.ncbi.nlm.nih.gov, or remove the pmid field.",
                "pmid", found=pmid)
        return
    doi_found = registries.answered(looks, registries.chain_sources()).records
    for record in said.records:
        run.compare(record)
        _pmid_ids(run, record, doi_found[0] if doi_found else None)


def _pmid_ids(run: _Run, rec: Record, doi_record: Optional[Record]) -> None:
    """A PMID's record against the bib's DOI: a conflict, or a DOI to add."""
    ref, pmid, reg = run.ref, run.ref.pmid, source_label(rec.source)
    if ref.doi and rec.doi and doi_key(rec.doi) != doi_key(ref.doi):
        run.add(Code.DOI_PMID_CONFLICT, "error",
                f"{ref.key}: the DOI and the PMID point to different papers: {reg}'s record for "
                f"PMID {pmid} has DOI {rec.doi}, the bib has DOI {ref.doi}. Keep the identifier that "
                "belongs to the cited paper and correct the other (`citeproof fix` shows both papers).",
                "doi", expected=rec.doi, found=ref.doi)
    elif (doi_record is not None and doi_record.title and rec.title
          and not any(_same_work(a, b) for a in markup.title_forms(doi_record) for b in markup.title_forms(rec))):
        doi_title, pmid_title = markup.title_plain(doi_record), markup.title_plain(rec)
        run.add(Code.DOI_PMID_CONFLICT, "error",
                f"{ref.key}: the DOI and the PMID point to different papers: "
                f"{source_label(doi_record.source)} has '{doi_title}' for DOI {ref.doi}, {reg} "
                f"has '{pmid_title}' for PMID {pmid}. Keep the identifier that belongs to the cited "
                "paper and correct the other.",
                "pmid", expected=pmid_title, found=doi_title)
    elif not ref.doi and rec.doi:
        run.add(Code.MISSING_IDENTIFIER, "warning",
                f"{ref.key}: {reg} lists DOI {rec.doi} for PMID {pmid}; add doi = {{{rec.doi}}}.",
                "doi", expected=rec.doi)


def _check_pmid_of_doi(run: _Run, looks: Mapping[str, Lookup]) -> None:
    """A reference without a PMID: the PMID a DOI -> PMID search found, to add."""
    for source in registries.sources(Role.DOI_TO_PMID):
        look = looks.get(source.name)
        record = look.record if look is not None and look.status == "found" else None
        if record is not None and record.pmid:
            found = record.pmid
            run.answered(record.source)
            run.add(Code.MISSING_IDENTIFIER, "warning",
                    f"{run.ref.key}: {source.label} has PMID {found} for this DOI; add pmid = {{{found}}}.",
                    "pmid", expected=found)
            return


@dataclass(frozen=True)
class UpdateKind:
    """What one kind of update to a cited work means: its severity, and how a message says it."""

    severity: Severity
    said: str  # what happened to the paper: "has been RETRACTED", "was corrected"


#: Every update type Crossref uses (Crossmark's ``update_type``, as the REST API's
#: ``updated-by`` spells it: https://www.crossref.org/documentation/crossmark/), with its
#: severity: a work withdrawn in whole or in part is an error (``retracted``); a
#: correction, a note of concern or a newer version is a warning (``updated``): the work
#: stands, but what the article says of it must be read again. A type not listed here
#: (Crossref adds types from time to time, Retraction Watch's data brings its own) is a
#: warning too, never silent. PubMed's "Retracted Publication" and a title starting
#: "RETRACTED:" or "WITHDRAWN:" count as ``retraction`` and ``withdrawal``.
UPDATE_KINDS: dict[str, UpdateKind] = {
    "retraction": UpdateKind("error", "has been RETRACTED"),
    "partial_retraction": UpdateKind("error", "has been partly RETRACTED"),
    "withdrawal": UpdateKind("error", "has been WITHDRAWN"),
    "removal": UpdateKind("error", "has been REMOVED"),
    "expression_of_concern": UpdateKind("warning", "is the subject of an expression of concern"),
    "correction": UpdateKind("warning", "was corrected"),
    "corrigendum": UpdateKind("warning", "was corrected (a corrigendum)"),
    "erratum": UpdateKind("warning", "was corrected (an erratum)"),
    "clarification": UpdateKind("warning", "was clarified"),
    "addendum": UpdateKind("warning", "has an addendum"),
    "new_version": UpdateKind("warning", "has a new version"),
    "new_edition": UpdateKind("warning", "has a new edition"),
}


def update_kind(kind: str) -> UpdateKind:
    """How an update of ``kind`` (snake case) is judged: :data:`UPDATE_KINDS`, else a warning."""
    return UPDATE_KINDS.get(kind) or UpdateKind("warning", f"has an update ({kind.replace('_', ' ')})")


def update_notices(records) -> dict[tuple[str, str], list[str]]:
    """Every retraction, correction, expression of concern (and their kin) the ``records``
    carry, once per notice: ``(kind, notice DOI or "") -> [which registry says so]``.

    ``kind`` is the registry's type in snake case (``expression_of_concern``); PubMed's
    "Retracted Publication" and a title starting "RETRACTED:"/"WITHDRAWN:" count too. An
    update that points at the record's own DOI is no notice (a correction or a new version
    deposited on the same DOI). A registry that names no notice DOI joins one of the same
    kind that does (most likely the same notice)."""
    items = []  # (kind, notice DOI, which registry says so)
    for rec in records:
        reg = source_label(rec.source)
        own = doi_key(rec.doi)
        items += [(re.sub(r"[\s-]+", "_", u.kind.strip().lower()), doi_key(u.notice_doi),
                   reg + (f" ({u.origin})" if u.origin else "") + (f", {u.date}" if u.date else ""))
                  for u in rec.updates if not (own and doi_key(u.notice_doi) == own)]
        if any(t.strip().casefold() == _RETRACTED_PUBTYPE for t in rec.pubtypes):
            items.append(("retraction", "", reg))
        flagged = _RETRACTED_TITLE.match(markup.plain(rec, rec.title))
        if flagged:
            items.append((_TITLE_KINDS[flagged.group(1).upper()], "", f"{reg}: title '{flagged.group(0)}'"))
    seen: dict[tuple[str, str], list[str]] = {}
    for kind, notice, where in sorted(items, key=lambda i: not i[1]):  # notices with a DOI first
        if not notice:  # the same update as a registry that names the notice, most likely
            notice = next((n for k, n in seen if k == kind), "")
        seen.setdefault((kind, notice), []).append(where)
    return seen


def is_retraction(kind: str) -> bool:
    """Whether an update of this kind (see :func:`update_notices`) withdraws the work."""
    return update_kind(kind).severity == "error"


def _check_updates(run: _Run) -> None:
    """Retractions and their kin, one problem per notice (:func:`update_notices`), each of
    the severity :data:`UPDATE_KINDS` gives it; and the notice itself cited."""
    fld = "doi" if run.ref.doi else "pmid"
    for (kind, notice), where in update_notices(run.records).items():
        said = "; ".join(dict.fromkeys(where))
        what = kind.replace("_", " ") + (f", notice {notice}" if notice else "")
        meaning = update_kind(kind)
        if meaning.severity == "error":
            run.add(Code.RETRACTED, "error",
                    f"{run.ref.key}: this paper {meaning.said} ({what}) [{said}]. Do not cite it as "
                    "evidence: remove it, or cite it only as retracted.",
                    fld, expected=notice or None)
        else:
            run.add(Code.UPDATED, "warning",
                    f"{run.ref.key}: this paper {meaning.said} ({what}) [{said}]. Read the notice "
                    "and check that the article's claims still hold.",
                    fld, expected=notice or None)
    _check_notice(run, fld)


def _check_notice(run: _Run, fld: str) -> None:
    """The cited record is itself a notice (a retraction, an erratum, an expression of
    concern): a warning naming what it is about, when the registry says."""
    said = []
    for rec in run.records:
        said += [f"{source_label(rec.source)}: {t}" for t in rec.pubtypes if t in _NOTICE_PUBTYPES]
        said += [f"{source_label(rec.source)}: update-to {t.split(':', 1)[1].replace('_', ' ')}"
                 for t in rec.pubtypes if t.startswith("update-to:")]
    if said:
        run.add(Code.NOTICE_CITED, "warning",
                f"{run.ref.key}: the cited record is a notice, not a study [{'; '.join(dict.fromkeys(said))}]; "
                "cite the work it is about (and say that it was retracted or corrected), or cite the "
                "notice on purpose.", fld)


@dataclass(frozen=True)
class Published:
    """The published version of a cited preprint, as a registry names it (Crossref's
    ``is-preprint-of`` relation)."""

    doi: str
    said_by: tuple[str, ...]  # "Crossref, 2025-09-23": who says so, and when it was asked

    @property
    def said(self) -> str:
        return "; ".join(self.said_by)


def published_versions(records) -> list[Published]:
    """The published versions that ``records`` name for a preprint (``is-preprint-of``),
    once per DOI, in the order the records give them. A work that has a preprint
    (``has-preprint``) needs nothing: it is the published version."""
    found: dict[str, tuple[str, list[str]]] = {}
    for rec in records:
        for rel in rec.relations:
            if rel.kind == "is-preprint-of" and rel.doi:
                said = f"{source_label(rec.source)}, {rec.retrieved[:10]}" if rec.retrieved else source_label(rec.source)
                found.setdefault(doi_key(rel.doi), (rel.doi, []))[1].append(said)
    return [Published(doi, tuple(dict.fromkeys(said))) for doi, said in found.values()]


def _status(run: _Run) -> str:
    codes = {p.code for p in run.problems}
    if Code.RETRACTED in codes:
        return "retracted"
    if codes & {Code.DOI_NOT_FOUND, Code.PMID_NOT_FOUND}:
        return "not-found"
    if codes & {Code.METADATA_MISMATCH, Code.DOI_PMID_CONFLICT}:
        return "mismatch"
    if run.records and not run.incomplete and not run.unasked:
        return "verified"
    return "unavailable" if run.sources or run.incomplete else "not-checked"


def _check_other(run: _Run, look: Lookup) -> None:
    """An answer from a source the rules above do not cover (a second opinion on a DOI,
    or a source the table no longer lists): compared when it has the work, an outage when
    it could not be asked, never the judge of whether an identifier exists."""
    fld = _field_of(look.source)
    if look.status == "unavailable":
        run.unavailable(look, f"{fld.upper()} {look.identifier}", fld)
        return
    run.answered(look.source)
    if look.status == "found" and look.record is not None:
        run.compare(look.record)


def _covered(source: Optional[Source]) -> bool:
    """Whether :func:`verify_reference` has a rule for this source's answers."""
    return source is not None and (source.role is not Role.DOI_METADATA and source.role is not
                                   Role.DOI_EXISTENCE or source.judges)


def verify_reference(ref: Reference, looks: Mapping[str, Lookup] | None = None
                     ) -> tuple[ReferenceResult, list[Problem]]:
    """Decide one reference's status and problems from the registries' answers (``looks``:
    source name -> Lookup; a source missing was not asked).

    What each answer means comes from its source's role in the registry table: the DOI
    chain for the bib's DOI, every PMID record source for its PMID, a DOI -> PMID search
    for an entry without one, and any second opinion compared when it has the work.
    Status precedence: retracted > not-found > mismatch > unavailable > verified (see the
    module docstring for when a reference counts as verified); ``sources`` lists the
    registries that answered.
    """
    looks = looks or {}
    if not ref.doi and not ref.pmid:
        return ReferenceResult(ref.key, "", "", "no-identifier"), []
    run = _Run(ref)
    if ref.doi:
        _check_doi(run, looks)
    if ref.pmid:
        _check_pmid(run, looks)
    else:
        _check_pmid_of_doi(run, looks)
    for name, look in looks.items():
        if not _covered(source_spec(name)):
            _check_other(run, look)
    run.problems[:0] = run.mismatch_problems()
    _check_updates(run)
    return ReferenceResult(ref.key, ref.doi, ref.pmid, _status(run), run.sources), run.problems


def judge(refs: Mapping[str, Reference], lookups: Mapping[str, Mapping[str, Lookup]],
          checkable: Optional[Container[str]] = None) -> tuple[list[ReferenceResult], list[Problem]]:
    """Every reference's verdict, in bib order, from its answers (``lookups[key]`` by
    source; a key without lookups was not asked). Outages come last, one warning per
    registry and reason rather than one per reference. ``checkable``: the keys whose
    reference has an identifier worth asking about (:func:`valid_ids`), when the caller
    knows them already."""
    results: list[ReferenceResult] = []
    problems: list[Problem] = []
    outages: dict[tuple[str, str], list[str]] = {}
    for key, ref in refs.items():
        if key not in lookups:
            asked = key in checkable if checkable is not None else any(valid_ids(ref.doi, ref.pmid))
            status = "not-checked" if asked else "no-identifier"
            results.append(ReferenceResult(key, ref.doi, ref.pmid, status))
            continue
        looks = lookups[key]
        verdict, found = verify_reference(ref, looks)
        results.append(verdict)
        problems.extend(p for p in found if p.code != Code.REGISTRY_UNAVAILABLE)
        if any(p.code == Code.REGISTRY_UNAVAILABLE for p in found):
            for look in looks.values():
                if look.status == "unavailable":
                    outages.setdefault((look.source, look.reason), []).append(key)
    order = list(refs)
    for (source, reason), keys in outages.items():
        problems.append(_outage(source, reason, sorted(set(keys), key=order.index), refs))
    return results, problems


def _outage(source: str, reason: str, keys: list[str], refs: Mapping[str, Reference]) -> Problem:
    registry = registry_for(source)
    name = registry.label if registry else source
    why = f"could not ask {reason}" if reason.startswith(f"{name}") else f"could not ask {name}" + (
        f": {reason}" if reason else "")
    return grouped(
        Code.REGISTRY_UNAVAILABLE, keys, refs,
        f"{why}, so it is NOT verified (could not verify, which is no verdict); run the check again later",
        f"{why}, so they are NOT verified (could not verify, which is no verdict); run the check again later")


def grouped(code: Code, keys: list[str], refs: Mapping[str, Reference], one: str, many: str) -> Problem:
    """One warning for many references (one outage, one message), located at the first."""
    first = refs[keys[0]]
    listed = ", ".join(keys)
    single = len(keys) == 1
    return Problem(code, "warning", f"{listed}: {one if single else many}.",
                   key=keys[0] if single else None, file=first.file, line=first.line if single else None)
