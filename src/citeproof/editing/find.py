"""``citeproof find``: candidates for a printed reference that has no identifier.

Every registry that can search (``Registry.search``) is asked: Crossref's bibliographic
query gets the whole printed text; PubMed's esearch gets the distinctive words of the
title read from it (``word[ti] AND ...``). Each candidate is scored on
four pieces of evidence, each shown: title similarity (Dice over the title's words),
first author, year and journal. A match is *confident* only with a near-identical title
and at least one more agreeing piece (or a fair title and all three others), and clearly
ahead of the next work: PubMed's citation matcher is known to return wrong PMIDs
silently, so one weak signal is never enough.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..bib.editor import identifier_fault
from ..errors import UnavailableError
from ..identifiers import doi_key
from ..model import Record
from .. import registries
from ..registries import RegistryConfig, make_client, markup, source_label
from ..registries.base import Query
from ..registries.http import HttpClient, RegistryUnavailable
from ..verify import _STOPWORDS, journal_matches, norm_text
from ..visible import visible

STRONG_TITLE = 0.8  # Dice similarity of the title's words: near-identical
FAIR_TITLE = 0.6
MARGIN = 0.15  # how far the best must lead the next work
MAX_TITLE_WORDS = 8  # in the PubMed term
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Printed:
    """What a printed reference says, as far as it can be read."""

    text: str
    first_author: str
    year: str
    title: str


@dataclass
class Candidate:
    """One work a registry offered, with the evidence for it."""

    records: list[Record]
    title: float = 0.0
    author: bool = False
    year: bool = False
    journal: bool = False

    @property
    def score(self) -> float:
        return self.title + 0.25 * (self.author + self.year + self.journal)

    @property
    def confident(self) -> bool:
        others = self.author + self.year + self.journal
        return (self.title >= STRONG_TITLE and others >= 1) or (self.title >= FAIR_TITLE and others == 3)

    @property
    def doi(self) -> str:
        return next((r.doi for r in self.records if r.doi), "")

    @property
    def pmid(self) -> str:
        return next((r.pmid for r in self.records if r.pmid), "")

    @property
    def sources(self) -> str:
        return ", ".join(dict.fromkeys(source_label(r.source) for r in self.records))


@dataclass
class Found:
    printed: Printed
    candidates: list[Candidate] = field(default_factory=list)  # best first
    unavailable: list[str] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        """Whether the best candidate is a confident match, clearly ahead of the next one."""
        if not self.candidates or not self.candidates[0].confident:
            return False
        return len(self.candidates) < 2 or self.candidates[0].score - self.candidates[1].score >= MARGIN


def read_printed(text: str) -> Printed:
    """First author, year and title of a printed reference: ``Authors (Year) Title. Journal``
    or Vancouver ``Authors. Title. Journal. Year;...``."""
    text = " ".join(text.split())
    year = _YEAR.search(text)
    first = re.split(r"[\s,.]", text, maxsplit=1)[0]
    after = re.split(r"\(\s*(?:1[89]|20)\d\d\s*\)", text, maxsplit=1)
    if len(after) == 2:
        title = re.split(r"(?<=[a-z0-9)\]])\.\s", after[1].strip(" .,;:"), maxsplit=1)[0]
    else:
        authors = _VANCOUVER_AUTHORS.match(text)
        if authors:  # Vancouver: the title runs from the authors' end to its own full stop
            title = re.split(r"(?<=[a-z0-9)\]])\.\s|(?<=\S)[?!]\s", text[authors.end():], maxsplit=1)[0]
        else:
            parts = re.split(r"(?<=[a-z0-9)\]])\.\s", text)
            title = parts[1] if len(parts) > 1 else text
    return Printed(text, first, year.group(1) if year else "", title.strip(" ."))


#: a Vancouver author list, from the start: ``Family AB, Family C.`` or ``…, et al.`` (a
#: family name of words, each author's initials in capitals without full stops)
_VANCOUVER_AUTHOR = r"[^\s,.;()][^,.;()]*?\s[A-Z]{1,4}"
_VANCOUVER_AUTHORS = re.compile(rf"(?:{_VANCOUVER_AUTHOR},\s+)*(?:{_VANCOUVER_AUTHOR}|et\s+al)\.\s+")


def _words(text: str) -> set[str]:
    return set(norm_text(text).split()) - _STOPWORDS


def dice(a: str, b: str) -> float:
    """Similarity of two titles' word sets (stopwords left out): 2|A∩B| / (|A| + |B|)."""
    wa, wb = _words(a), _words(b)
    return 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0


def judge(printed: Printed, records: list[Record]) -> Candidate:
    """The evidence for one work (its records from one or more registries)."""
    text = norm_text(printed.text)
    best = Candidate(records)
    for r in records:
        best.title = max(best.title, *(dice(printed.title, form) for form in markup.title_forms(r) or [""]))
        if r.authors:
            family = norm_text(r.authors[0].family)
            best.author = best.author or (bool(family) and family == norm_text(printed.first_author))
        best.year = best.year or bool(printed.year and printed.year in {r.year, r.online_year})
        names = [markup.plain(r, r.journal), markup.plain(r, r.journal_abbrev)]
        best.journal = best.journal or any(n and norm_text(n) in text for n in names) or (
            any(names) and any(journal_matches(seg, names) for seg in _segments(printed.text)))
    return best


def _segments(text: str) -> list[str]:
    return [s for s in re.split(r"\.\s+|\(\s*\d{4}\s*\)", text) if s.strip()]


def find(text: str, config: RegistryConfig, rows: int = 5, http: HttpClient | None = None) -> Found:
    """Ask every registry that can search (``Registry.search``, in table order) about a
    printed reference and rank what they offer."""
    printed = read_printed(text)
    own = http is None
    http = http or make_client(config)
    out = Found(printed)
    records: list[Record] = []
    searchers = [(r, r.search) for r in registries.REGISTRIES if r.search is not None]
    words = tuple(title_words(printed.title))
    try:
        for registry, search in searchers:
            try:
                records += search(Query(http.speaking_for(registry.name), config.urls[registry.name], config,
                                        text, words, rows))
            except RegistryUnavailable as exc:
                out.unavailable.append(f"could not ask {registry.label}: {exc.reason}")
    finally:
        if own:
            http.close()
    if len(out.unavailable) == len(searchers):
        raise UnavailableError("no registry could be asked, so nothing was found (could not "
                               "verify, no verdict): " + "; ".join(out.unavailable))
    out.candidates = sorted((judge(printed, group) for group in _by_work(_usable(records, out))),
                            key=lambda c: -c.score)
    return out


def _usable(records: list[Record], out: Found) -> list[Record]:
    """The records whose DOI and PMID are identifiers (a candidate is added by them); one
    that is not is left out, and the registry that sent it named."""
    kept = []
    for r in records:
        fault = next((f"{name.upper()} '{visible(value)[:80]}' ({fault})" for name, value in
                      (("doi", r.doi), ("pmid", r.pmid)) if value and (fault := identifier_fault(name, value))), "")
        if fault:
            out.unavailable.append(f"{source_label(r.source)} sent a candidate whose {fault} is not an "
                                   "identifier: left out")
        else:
            kept.append(r)
    return kept


def title_words(title: str) -> list[str]:
    """The title's distinctive words for PubMed's ``[ti]`` search (longest first, at most 8)."""
    words = [w for w in dict.fromkeys(norm_text(title).split()) if w not in _STOPWORDS and len(w) > 2]
    return sorted(words, key=len, reverse=True)[:MAX_TITLE_WORDS]


def _by_work(records: list[Record]) -> list[list[Record]]:
    """Records grouped by DOI (a PubMed record without a DOI stands alone)."""
    groups: dict[str, list[Record]] = {}
    for i, r in enumerate(records):
        groups.setdefault(doi_key(r.doi) if r.doi else f"#{i}", []).append(r)
    return list(groups.values())


def clean(text: str) -> str:
    """Registry text for a terminal: control and format characters removed."""
    return "".join(c for c in str(text) if not unicodedata.category(c).startswith("C"))


def describe(n: int, c: Candidate) -> str:
    """Two lines for one candidate: the evidence, then the work."""
    r = c.records[0]
    first = markup.plain(r, r.authors[0].family) if r.authors else "?"
    yes = {True: "agrees", False: "differs"}
    ids = " ".join(x for x in (f"doi:{c.doi}" if c.doi else "", f"pmid:{c.pmid}" if c.pmid else "") if x)
    return (f"{n}. title similarity {c.title:.2f}; first author {clean(first)} {yes[c.author]}; "
            f"year {clean(r.year or r.online_year or '?')} {yes[bool(c.year)]}; journal "
            f"{clean(markup.plain(r, r.journal_abbrev or r.journal) or '?')} {yes[bool(c.journal)]} "
            f"[{c.sources}]\n   {clean(markup.title_plain(r))} {ids}\n")
