"""From registry records to bib values: identifiers typed by an editor, keys, fields, entries.

Pure functions. The values follow ``references.bib``'s conventions: ``Family, G. H.``
authors (PubMed's initials, which keep diacritics, before Crossref's given names), the
title as the record writes it (markup read by the text model and written as LaTeX:
``<i>`` as ``\\textit{}``, ``<sub>`` as ``\\textsubscript{}``, MathML as math; braces only
around the words whose capitals must stay), the journal's NLM abbreviation (PubMed's)
or else its full title, never Crossref's short title, ``786--792`` page ranges in the
record's own case or an article number alone, and this project's ``pmid`` and ``pmcid``
fields. Each value says which registry gave it; the bib editor's validated writer
(:func:`citeproof.bib.editor.written`) turns it into the text of the field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import unquote, urlsplit

from ..bib.editor import FieldValue, Value
from ..errors import InputError
from ..identifiers import is_valid_doi, is_valid_pmid, normalize_doi, normalize_pmcid, normalize_pmid
from ..model import Author, Record
from ..registries import Role, by_role_order, markup, source_label, sources
from ..text import Run, Text
from ..verify import norm_text

#: The bib fields an entry made from the registries has, in the order they are written.
FIELDS = ("author", "title", "journal", "year", "volume", "number", "pages", "doi", "pmid", "pmcid")
_PUBMED_URL = re.compile(r"/(?:pubmed/)?(\d{1,8})/?$")
_PMC_URL = re.compile(r"/(PMC\d+)/?$", re.IGNORECASE)
_RANGE = re.compile(r"\s*([^\s\-\u2010-\u2015\u2212]+)\s*(?:--?|[\u2010-\u2015\u2212])\s*([^\s\-\u2010-\u2015\u2212]+)\s*")


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


def _initials(given: str) -> str:
    """``"JH"`` (PubMed) -> ``"J. H."``; full given names are kept as they are."""
    if given.isalpha() and given.isupper() and len(given) <= 4:
        return " ".join(f"{c}." for c in given)
    return given


def authors_of(record: Record) -> tuple[Author, ...]:
    """The record's authors as the bib writes them: names read in the record's notation,
    PubMed's initials spelt ``J. H.``."""
    out = []
    for a in record.authors:
        family, given = markup.plain(record, a.family).strip(), markup.plain(record, a.given).strip()
        if family or given:
            out.append(Author(family or given, _initials(given) if family else "", a.corporate))
    return tuple(out)


def pages_of(record: Record) -> FieldValue:
    """The record's pages as the bib writes them, in the record's own case: an article
    number alone (``e16173``, ``04E109``), or a range ``(first, last)`` with MEDLINE's
    abbreviated end spelt out (``188-91`` -> ``("188", "191")``), or the text as it is."""
    pages = markup.plain(record, record.pages).strip()
    number = markup.plain(record, record.article_number).strip()
    if number and (not pages or _same_pages(pages, number)):
        return number
    m = _RANGE.fullmatch(pages)
    if not m:
        return pages
    first, last = m.groups()
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[:len(first) - len(last)] + last
    if _ends_before(first, last):
        return pages  # not a range: an article id with a hyphen ("e00562-20")
    return first if first == last else (first, last)


def _ends_before(first: str, last: str) -> bool:
    """Whether the digits ending ``last`` are smaller than those ending ``first``."""
    a, b = (part[len(part.rstrip("0123456789")):] for part in (first, last))
    return bool(a and b) and int(b) < int(a)


def _same_pages(a: str, b: str) -> bool:
    from ..verify import norm_pages
    return norm_pages(a) == norm_pages(b)


def _without_full_stop(title: Text) -> Text:
    """A title without the full stop PubMed ends every title with."""
    items = title.items
    if items and type(items[-1]) is Run and items[-1].text.endswith(".") and not items[-1].text.endswith(".."):
        last = items[-1]
        items = items[:-1] + ((Run(last.text[:-1], last.marks),) if last.text[:-1] else ())
        return Text(items, title.warnings, title.source)
    return title


def _first(records: list[Record], attr: str) -> Optional[tuple[str, Record]]:
    """The first record's value of ``attr`` (as plain text) and that record."""
    for r in records:
        value = markup.plain(r, str(getattr(r, attr))).strip()
        if value:
            return value, r
    return None


def _value(found: Optional[tuple[str, Record]]) -> Optional[Value]:
    return Value(found[0], source_label(found[1].source)) if found else None


def values_from(records: list[Record], *, pmcid: str = "") -> dict[str, Value]:
    """Bib field -> value (with the registry that gave it) from a work's records: each field
    from the first record that gives it, in the order of their sources' roles
    (``registries.by_role_order``: the DOI's metadata, then the PMID's record, then the
    DOI agency's), except authors and journal, taken first from a curated source's record
    (PubMed: initials with diacritics, the NLM abbreviation). The journal is the curated
    record's abbreviation, else the full title (``container-title``), never Crossref's
    short title (its ``short-container-title`` is the publisher's own, "SNST"). The title
    is :func:`registries.markup.full_title` (a subtitle only when it is one). ``pmcid``:
    the PMCID the editor gave. Fields no record has are left out."""
    order = by_role_order(records)
    curated_names = {s.name for s in sources() if s.curated}
    curated = [r for r in order if r.source in curated_names]
    pmid_sources = {s.name for s in sources(Role.PMID_RECORD)}
    values: dict[str, Optional[Value]] = {}
    people = next((r for r in curated + order if r.authors), None)
    if people is not None and authors_of(people):
        values["author"] = Value(authors_of(people), source_label(people.source))
    titled = next((r for r in order if r.title), None)
    if titled is not None:
        values["title"] = Value(_without_full_stop(markup.full_title(titled, order)), source_label(titled.source))
    values["journal"] = _value(_first(curated, "journal_abbrev") or _first(order, "journal"))
    values["year"] = _value(_first(order, "year") or _first(order, "online_year"))
    values["volume"] = _value(_first(order, "volume"))
    values["number"] = _value(_first(order, "issue"))
    paged = next((r for r in order if pages_of(r)), None)
    if paged is not None:
        values["pages"] = Value(pages_of(paged), source_label(paged.source))
    values["doi"] = _value(_first(order, "doi"))
    values["pmid"] = _value(_first([r for r in order if r.source in pmid_sources], "pmid"))
    values["pmcid"] = Value(pmcid, "the command line") if pmcid else _value(_first(order, "pmcid"))
    return {name: v for name in FIELDS if (v := values.get(name)) is not None}


def text_warnings(key: str, values: dict[str, Value]) -> list[str]:
    """What the text model could not convert in the values (written as its text): one
    line per warning, naming the field and the registry."""
    return [f"{key}: {name}: {w.message} (in {v.origin}'s value; written as its text)"
            for name, v in values.items() if isinstance(v.value, Text) for w in v.value.warnings]


def work_ids(records: list[Record]) -> dict[str, str]:
    """Every identifier the records give a work: ``{"doi": ..., "pmid": ..., "pmcid": ...}``
    (the PMID from a PMID's own record first)."""
    pmid_sources = {s.name for s in sources(Role.PMID_RECORD)}
    own = [r for r in records if r.source in pmid_sources]

    def first(recs: list[Record], attr: str) -> str:
        return next((str(getattr(r, attr)).strip() for r in recs if str(getattr(r, attr)).strip()), "")

    return {"doi": first(records, "doi"), "pmid": first(own, "pmid") or first(records, "pmid"),
            "pmcid": first(records, "pmcid")}
