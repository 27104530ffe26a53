"""From registry records to bib values: identifiers typed by an editor, keys, fields, entries.

Pure functions. The values follow ``references.bib``'s conventions: ``Family, G. H.``
authors (PubMed's initials, which keep diacritics, before Crossref's given names),
double-braced titles (no style changes their case), the NLM journal abbreviation,
``786--792`` page ranges or an article number alone, and this project's ``pmid`` and
``pmcid`` fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..identifiers import is_valid_doi, is_valid_pmid, normalize_doi, normalize_pmcid, normalize_pmid
from ..model import Author, Record
from ..registries import Role, by_role_order, sources
from ..verify import norm_pages, norm_text

#: The bib fields an entry made from the registries has, in the order they are written.
FIELDS = ("author", "title", "journal", "year", "volume", "number", "pages", "doi", "pmid", "pmcid")
_LATEX_SPECIAL = re.compile(r"([&%$#_])")
_PUBMED_URL = re.compile(r"/(?:pubmed/)?(\d{1,8})/?$")
_PMC_URL = re.compile(r"/(PMC\d+)/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Wanted:
    """One identifier as an editor typed it, read as a DOI, a PMID or a PMCID."""

    given: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""

    def __str__(self) -> str:
        return (f"DOI {self.doi}" if self.doi else f"PMID {self.pmid}" if self.pmid
                else f"PMCID {self.pmcid}")


def parse_identifier(text: str) -> Wanted:
    """A DOI (bare, ``doi:``, a doi.org URL), a PMID (bare, ``PMID:``, a PubMed URL) or
    a PMCID (``PMC123``, a PMC URL); :class:`InputError` (exit 2) for anything else."""
    raw = text.strip()
    doi, _warning = normalize_doi(raw)
    if is_valid_doi(doi):
        return Wanted(raw, doi=doi)
    if raw.lower().startswith(("http://", "https://")):
        parts = urlsplit(raw)
        host, path = (parts.hostname or "").lower(), unquote(parts.path)
        pmc = _PMC_URL.search(path)
        if host.endswith("ncbi.nlm.nih.gov") and pmc and (host.startswith("pmc.") or "/pmc/" in path):
            return Wanted(raw, pmcid=normalize_pmcid(pmc.group(1)))
        pm = _PUBMED_URL.search(path)
        if host.endswith("ncbi.nlm.nih.gov") and pm:
            return Wanted(raw, pmid=pm.group(1))
    pmid, _warning = normalize_pmid(raw)
    if is_valid_pmid(pmid):
        return Wanted(raw, pmid=pmid)
    if raw.upper().startswith("PMC") and normalize_pmcid(raw):
        return Wanted(raw, pmcid=normalize_pmcid(raw))
    raise InputError(f"'{text}' is not a DOI (10.NNNN/suffix, doi:…, https://doi.org/…), a PMID "
                     "(digits, PMID:…, a PubMed URL) or a PMCID (PMC…, a PMC URL): check it")


def make_key(authors: tuple[Author, ...], year: str, title: str, taken: Iterable[str]) -> str:
    """``familyYEAR`` in lower-case ASCII (diacritics transliterated), then ``a``, ``b``, …
    on a clash with ``taken`` (compared ignoring case, as BibTeX does)."""
    name = authors[0].family if authors else (title.split() or ["anon"])[0]
    stem = re.sub(r"[^a-z0-9]", "", norm_text(name)) or "anon"
    base = f"{stem}{year}"
    used = {k.lower() for k in taken}
    if base not in used:
        return base
    for n in range(26 * 27):
        suffix = _letters(n)
        if f"{base}{suffix}" not in used:
            return f"{base}{suffix}"
    raise InputError(f"no free key for {base}: choose one with --key")


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ..."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def latex_escape(text: str) -> str:
    """Plain text as a bib value: ``& % $ # _`` escaped, stray braces and backslashes dropped."""
    text = " ".join(str(text).split()).replace("\\", "").replace("{", "").replace("}", "")
    return _LATEX_SPECIAL.sub(r"\\\1", text)


def _initials(given: str) -> str:
    """``"JH"`` (PubMed) -> ``"J. H."``; full given names are kept as they are."""
    if given.isalpha() and given.isupper() and len(given) <= 4:
        return " ".join(f"{c}." for c in given)
    return given


def author_value(authors: tuple[Author, ...]) -> str:
    """``Suh, J. H. and Kim, H.``; an organisation braced whole."""
    people = []
    for a in authors:
        family = latex_escape(a.family)
        if not a.given:
            people.append("{" + family + "}")
        else:
            people.append(f"{family}, {latex_escape(_initials(a.given))}")
    return " and ".join(people)


def _pages(record: Record) -> str:
    pages, number = record.pages.strip(), record.article_number.strip()
    if number and (not pages or norm_pages(pages) == norm_pages(number)):
        return number
    if not pages:
        return ""
    return norm_pages(pages).replace("-", "--") if re.search(r"\d", pages) else pages


def _first(records: list[Record], attr: str) -> str:
    return next((str(getattr(r, attr)).strip() for r in records if str(getattr(r, attr)).strip()), "")


def values_from(records: list[Record], *, pmcid: str = "") -> dict[str, str]:
    """Bib field -> value (as written in the bib) from a work's records: each field from the
    first record that gives it, in the order of their sources' roles
    (``registries.by_role_order``: the DOI's metadata, then the PMID's record, then the
    DOI agency's), except authors and journal, taken first from a curated source's record
    (PubMed: initials with diacritics, the NLM abbreviation). Fields no record has are left
    out."""
    order = by_role_order(records)
    curated = {s.name for s in sources() if s.curated}
    names_first = [r for r in order if r.source in curated] + [r for r in order if r.source not in curated]
    pmid_sources = {s.name for s in sources(Role.PMID_RECORD)}
    authors = next((r.authors for r in names_first if r.authors), ())
    title = _first(order, "title").rstrip(".") if order else ""
    journal = _first(names_first, "journal_abbrev") or _first(names_first, "journal")
    values = {
        "author": author_value(authors) if authors else "",
        "title": "{" + latex_escape(title) + "}" if title else "",
        "journal": latex_escape(journal),
        "year": _first(order, "year") or _first(order, "online_year"),
        "volume": latex_escape(_first(order, "volume")),
        "number": latex_escape(_first(order, "issue")),
        "pages": latex_escape(next((p for p in map(_pages, order) if p), "")),
        "doi": _first(order, "doi"),
        "pmid": _first([r for r in order if r.source in pmid_sources], "pmid"),
        "pmcid": pmcid or _first(order, "pmcid"),
    }
    return {name: values[name] for name in FIELDS if values[name]}


def entry_text(key: str, values: dict[str, str], entry_type: str = "article") -> str:
    """``@article{key, ...}`` with one aligned ``name = {value},`` line per field."""
    width = max(len(name) for name in values)
    lines = [f"  {name.ljust(width)} = {{{value}}}," for name, value in values.items()]
    return "\n".join([f"@{entry_type}{{{key},", *lines, "}"]) + "\n"


def work_ids(records: list[Record]) -> dict[str, str]:
    """Every identifier the records give a work: ``{"doi": ..., "pmid": ..., "pmcid": ...}``
    (the PMID from a PMID's own record first)."""
    pmid_sources = {s.name for s in sources(Role.PMID_RECORD)}
    own = [r for r in records if r.source in pmid_sources]
    return {"doi": _first(records, "doi"), "pmid": _first(own, "pmid") or _first(records, "pmid"),
            "pmcid": _first(records, "pmcid")}
