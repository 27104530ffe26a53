"""The references in the formats readers take away: BibTeX, RIS, CSL-JSON and COinS (pure).

Everything is made at build time from the bib: the BibTeX of an entry is its own text in
the bib file, as written; RIS, CSL-JSON and COinS tell the entry's
:class:`~citeproof.work.Work` (its decoded fields, read by its format), each by one table
of the format's names for its values (:data:`RIS_TAGS`, :data:`CSL_VARIABLES`,
:data:`KEV_KEYS`). COinS
(``<span class="Z3988" title="…">``, OpenURL 1.0 KEV) lets reference managers such as
Zotero's connector import every reference on the page at once.
"""
from __future__ import annotations

import json
import re
from operator import attrgetter
from typing import Callable, Mapping, Sequence
from urllib.parse import quote_plus

from .dates import SEASONS, Date
from .identifiers import doi_url
from .model import Author, Reference
from .render import anchor_for
from .work import Work, page_range, work_of

#: The RIS type (``TY``) of each format (``Reference.kind``).
RIS_TYPES = {"article": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper": "CONF", "proceedings": "CONF",
             "report": "RPRT", "thesis": "THES", "webpage": "ELEC", "dataset": "DATA", "software": "COMP",
             "patent": "PAT", "preprint": "UNPB", "misc": "GEN"}
#: The RIS tag of each :class:`~citeproof.work.Work` value, in record order (after ``TY``,
#: ``TI``, ``AU`` and ``ED``; the dates are ``PY``, ``DA`` and ``Y2``), as the RIS
#: specification's reference types name them; :data:`RIS_TYPE_TAGS` says where a type
#: differs. (The editors are ``ED``: every reader takes it as the editor, where ``A2`` and
#: ``A3`` mean an editor or a series editor by type; the translators ``A4``, the
#: specification's translator or subsidiary author.)
RIS_TAGS: dict[str, str] = {
    "container": "T2", "series": "T3", "series_number": "SV", "volume": "VL", "issue": "IS",
    "number": "M1", "chapter": "SE", "edition": "ET", "version": "ET", "genre": "M3", "place": "CY",
    "publisher": "PB", "pages": "SP", "isbn": "SN", "issn": "SN", "doi": "DO", "note": "N1",
}
#: Where a RIS type has its own tag for a value: a journal is
#: ``JO`` and PubMed's export puts the PMCID in ``C2``; a book's series is its ``T2`` with
#: the number in ``M1`` and its length in ``SP``; a conference paper's proceedings are
#: ``C3`` (and ``T2``, the conference, when no ``eventtitle`` names it), the
#: conference's place ``CY`` and the publisher's ``C1``; a report's or a patent's number
#: is its ``SN``, a patent's assignee its ``PB``.
RIS_TYPE_TAGS: dict[str, dict[str, str]] = {
    "JOUR": {"container": "JO", "pmcid": "C2"},
    "BOOK": {"series": "T2", "series_number": "M1", "pagetotal": "SP"},
    "CONF": {"container": "C3", "event_title": "T2", "event_place": "CY", "place": "C1"},
    "RPRT": {"series": "T2", "number": "SN"},
    "THES": {"pagetotal": "SP"},
    "PAT": {"number": "SN", "holder": "PB"},
}


def bibtex_entries(text: str) -> dict[str, str]:
    """Each well-formed entry's own text in the bib (``@article{key, … }``), by key.
    (Called when the bib is loaded afresh; importing the bib package pulls in pybtex,
    which a warm build never needs.)"""
    from .bib.scan import scan

    out: dict[str, str] = {}
    for e in scan(text):
        if e.key and not e.fault:
            out.setdefault(e.key, text[e.start:e.end])  # a repeated key: the first is kept
    return out


def _given_initials(author: Author) -> str:
    return re.sub(r"[^A-Z]", "", author.given.title()) if author.given else ""


def _sorted_name(author: Author) -> str:
    """``Family, Given`` (an organisation as its name)."""
    return author.family if author.corporate else f"{author.family}, {author.given}".rstrip(", ")


def ris(refs: Sequence[Reference]) -> str:
    """RIS records, one per reference (CRLF line ends, as the format asks)."""
    return "\r\n".join(ris_record(ref) for ref in refs)


def ris_record(ref: Reference) -> str:
    """One reference's RIS record (``ris`` joins them): every value on one line."""
    work = work_of(ref)
    kind = RIS_TYPES[work.kind]
    lines = [("TY", kind), ("TI", work.title)]
    lines += [("AU", _sorted_name(a)) for a in work.authors]
    lines += [("ED", _sorted_name(a)) for a in work.editors]
    lines += [("A4", _sorted_name(a)) for a in work.translators]
    lines += _ris_dates(work)
    lines += _ris_values(work, kind)
    lines.append(("UR", work.url or (doi_url(work.doi) if work.doi else "")))
    lines.append(("AN", f"PMID: {work.pmid}" if work.pmid else ""))
    lines.append(("ID", ref.key))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value.strip()) + \
        "ER  - \r\n"


def _ris_table(kind: str) -> tuple[tuple[str, ...], Callable[[Work], tuple]]:
    """The tags of RIS type ``kind`` in record order, and what reads their values of a work."""
    table = {**RIS_TAGS, **RIS_TYPE_TAGS.get(kind, {})}
    return tuple(table.values()), attrgetter(*table)


#: each RIS type's :func:`_ris_table`
_RIS_TABLES = {kind: _ris_table(kind) for kind in set(RIS_TYPES.values())}


def _ris_values(work: Work, kind: str) -> list[tuple[str, str]]:
    """The :data:`RIS_TAGS` values of a work of RIS type ``kind`` (pages as ``SP``/``EP``)."""
    tags, values = _RIS_TABLES[kind]
    lines = list(zip(tags, values(work)))
    first, last = page_range(work.pages)
    if first:  # a range: its first and last page
        at = lines.index(("SP", work.pages))
        lines[at:at + 1] = [("SP", first), ("EP", last)]
    if kind == "CONF" and not work.event_title:
        lines.append(("T2", work.container))  # the proceedings name the conference
    return lines


def _ris_dates(work: Work) -> list[tuple[str, str]]:
    """``PY`` (the year), ``DA`` (``2019/06/15/``, when the month is known; a season in
    the specification's "other information": ``2002///Summer``) and ``Y2`` (when it was
    read on the web: ``2020/10/12/``, or ``urldate`` as written)."""
    date, accessed = work.date, work.accessed
    return [("PY", date.year), ("DA", _ris_date(date) if date.month or date.season else ""),
            ("Y2", _ris_date(accessed) if accessed.year else work.urldate)]


def _ris_date(date: Date) -> str:
    month = f"{date.month:02d}" if date.month else ""
    day = f"{date.day:02d}" if date.day else ""
    season = SEASONS[date.season - 1] if date.season and not date.month else ""
    return f"{date.year}/{month}/{day}/{season}"


#: The CSL type of each format (CSL 1.0.2: a preprint is an ``article``, a work of no
#: other type a ``document``; proceedings are a ``book``).
CSL_TYPES = {"article": "article-journal", "book": "book", "chapter": "chapter", "paper": "paper-conference",
             "proceedings": "book", "report": "report", "thesis": "thesis", "webpage": "webpage",
             "dataset": "dataset", "software": "software", "patent": "patent", "preprint": "article",
             "misc": "document"}
#: The CSL-JSON variable of each :class:`~citeproof.work.Work` text value. The
#: conference's name is written as CSL 1.0.2's ``event-title`` and as 1.0.1's ``event``
#: (which processors of 1.0.1, citeproc-py's say, read).
CSL_VARIABLES = (
    ("title", "title"), ("container-title", "container"), ("collection-title", "series"),
    ("collection-number", "series_number"), ("volume", "volume"), ("issue", "issue"), ("number", "number"),
    ("chapter-number", "chapter"), ("page", "pages"), ("number-of-pages", "pagetotal"), ("edition", "edition"),
    ("version", "version"), ("genre", "genre"), ("event-title", "event_title"), ("event", "event_title"),
    ("event-place", "event_place"), ("publisher", "publisher"), ("publisher-place", "place"),
    ("ISBN", "isbn"), ("ISSN", "issn"), ("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid"),
    ("URL", "url"), ("note", "note"), ("status", "status"))
_CSL_NAMES = tuple(name for name, _ in CSL_VARIABLES)
_CSL_VALUES = attrgetter(*(attribute for _, attribute in CSL_VARIABLES))
#: The CSL-JSON date variables and the Work dates they carry.
CSL_DATES = (("issued", "date"), ("accessed", "accessed"), ("event-date", "event_date"))


def csl_item(ref: Reference) -> dict:
    """One reference as a CSL-JSON item (:data:`CSL_TYPES`, :data:`CSL_VARIABLES`)."""
    work = work_of(ref)
    item: dict = {"id": ref.key, "type": CSL_TYPES[work.kind]}
    for role, people in (("author", work.authors), ("editor", work.editors), ("translator", work.translators)):
        if people:
            item[role] = [_csl_name(a) for a in people]
    item.update((name, value) for name, value in zip(_CSL_NAMES, _CSL_VALUES(work)) if value)
    for name, attribute in CSL_DATES:
        date = _csl_date(getattr(work, attribute), work.urldate if name == "accessed" else "")
        if date:
            item[name] = date
    return item


def _csl_name(author: Author) -> dict:
    if author.corporate:
        return {"literal": author.family}
    return {"family": author.family, "given": author.given} if author.given else {"family": author.family}


def _csl_date(date: Date, written: str = "") -> dict | None:
    """``{"date-parts": [[2019, 6, 15]]}`` (a range: its start and end; a season as CSL's
    ``season``, 1 spring to 4 winter), else the year (or ``written``) as a ``literal``;
    ``None`` for no date."""
    parts = date.parts
    if not parts:
        literal = date.year or written
        return {"literal": literal} if literal else None
    end = date.end.parts if date.end is not None else []
    found: dict = {"date-parts": [parts, end] if end else [parts]}
    if date.season and not date.month:
        found["season"] = date.season
    return found


def csl_json(refs: Sequence[Reference]) -> str:
    """The references as a CSL-JSON array (as ``json.dumps(..., indent=2)`` writes it)."""
    return join_csl([csl_piece(r) for r in refs])


def csl_piece(ref: Reference) -> str:
    """One reference's CSL-JSON item as it stands in an indented array (``join_csl``):
    what ``json.dumps(items, indent=2)`` writes for it (JSON text holds no raw line break,
    so every line of the item moves in by one level)."""
    return "  " + json.dumps(csl_item(ref), ensure_ascii=False, indent=2).replace("\n", "\n  ")


def join_csl(pieces: Sequence[str]) -> str:
    return "[\n" + ",\n".join(pieces) + "\n]\n" if pieces else "[]\n"


#: The OpenURL 1.0 (KEV) format, ``rft.genre`` and key of the work's own title of each
#: format (the journal and book formats' genres; a thesis and a patent have formats of
#: their own, without a genre); any other format: :data:`_KEV_OTHER`. A part's book or
#: proceedings is its ``btitle``, the part's own title its ``atitle``.
KEV_FORMATS = {
    "article": ("journal", "article", "atitle"), "preprint": ("journal", "preprint", "atitle"),
    "book": ("book", "book", "btitle"), "chapter": ("book", "bookitem", "atitle"),
    "paper": ("book", "proceeding", "atitle"), "proceedings": ("book", "conference", "btitle"),
    "report": ("book", "report", "btitle"), "thesis": ("dissertation", "", "title"),
    "patent": ("patent", "", "title"),
}
_KEV_OTHER = ("book", "document", "title")
#: The KEV key of each :class:`~citeproof.work.Work` value, by OpenURL format.
KEV_KEYS = {
    "journal": {"container": "jtitle", "volume": "volume", "issue": "issue", "issn": "issn"},
    "book": {"container": "btitle", "place": "place", "publisher": "pub", "edition": "edition",
             "series": "series", "volume": "volume", "pagetotal": "tpages", "isbn": "isbn", "issn": "issn"},
    "dissertation": {"publisher": "inst", "genre": "degree", "pagetotal": "tpages"},
    "patent": {"holder": "assignee", "number": "number"},
}


def coins(ref: Reference) -> str:
    """The OpenURL ContextObject (KEV) of a reference, for a COinS span's ``title``
    (made once per bib and cached with it: ``LoadedBib.coins``): :data:`KEV_FORMATS`."""
    work = work_of(ref)
    fmt, genre, own = KEV_FORMATS.get(work.kind, _KEV_OTHER)
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:" + fmt),
             ("rft.genre", genre), ("rft." + own, work.title)]
    pairs += [("rft." + key, getattr(work, name)) for name, key in KEV_KEYS[fmt].items()]
    pairs += _kev_creators(work.authors, fmt == "patent")
    first, last = page_range(work.pages)
    pairs += [("rft.date", work.date.iso), ("rft.ssn", _kev_season(work.date) if fmt == "journal" else ""),
              ("rft.spage", first), ("rft.epage", last),
              ("rft.pages", "" if first else work.pages)]
    pairs += [("rft_id", f"info:doi/{work.doi}" if work.doi else ""),
              ("rft_id", f"info:pmid/{work.pmid}" if work.pmid else ""), ("rft_id", work.url)]
    # what urlencode writes (the keys need no quoting), at half its cost
    return "&".join(f"{key}={quote_plus(value)}" for key, value in pairs if value)


def _kev_season(date: Date) -> str:
    """The journal format's ``ssn``: ``spring``, ``summer``, ``fall`` or ``winter`` (its
    only values), for a date that gives a season and no month."""
    return ("spring", "summer", "fall", "winter")[date.season - 1] if date.season and not date.month else ""


def _kev_creators(authors: Sequence[Author], inventors: bool) -> list[tuple[str, str]]:
    """The first author's family name and initials (an organisation's name), then each author
    (a patent's inventors)."""
    if not authors:
        return []
    last, initials, each = ("rft.invlast", "rft.invfirst", "rft.inventor") if inventors else \
        ("rft.aulast", "rft.auinit", "rft.au")
    first = authors[0]
    pairs = [("rft.aucorp", first.family)] if first.corporate else \
        [(last, first.family), (initials, first.given if inventors else _given_initials(first))]
    return pairs + [(each, _sorted_name(a)) for a in authors]


def article_bibtex(*, key: str, title: str, authors: Sequence[str], year: str, url: str | None,
                   site: str, date: str | None) -> str:
    """The article's own BibTeX (``@online``), BibTeX's special characters escaped."""
    def value(text: str) -> str:
        return "{" + re.sub(r"([{}\\&%#$_])", r"\\\1", text) + "}"
    fields = [("author", value(" and ".join(authors))), ("title", "{" + value(title) + "}"),
              ("year", value(year)), ("date", value(date or "")), ("organization", value(site)),
              ("url", value(url or ""))]
    body = ",\n".join(f"  {name} = {v}" for name, v in fields if v.strip("{}"))
    return f"@online{{{key},\n{body}\n}}\n"


def vancouver_article(*, title: str, authors: Sequence[str], date: str | None, url: str | None,
                      site: str, cited: str | None = None) -> str:
    """The article's own reference in Vancouver (Citing Medicine) form for a web page:
    ``Doe JA. Title [Internet]. Site; 2026 [cited 2026 Dec 7]. Available from: URL``.
    ``cited`` is the date the reader read it, as Citing Medicine writes it (``2026 Dec 7``);
    without it the reference has no "[cited …]" (a page fills it in for its reader: see
    ``citeproof-cite.js``), never a placeholder."""
    names = ", ".join(_vancouver_name(a) for a in authors)
    year = (date or "")[:4]
    where = f" {site};" if site and site != title else ""
    tail = f" Available from: {url}" if url else ""
    when = f" [cited {cited}]" if cited else ""
    return f"{names + '. ' if names else ''}{title} [Internet].{where} {year}".rstrip() + when + "." + tail


def _vancouver_name(name: str) -> str:
    """``Jane A Doe`` -> ``Doe JA``."""
    parts = name.replace(".", " ").split()
    if len(parts) < 2:
        return name
    return parts[-1] + " " + "".join(p[0].upper() for p in parts[:-1])


def coins_html(kev: str, escape) -> str:
    """The COinS span of one reference (empty, read by reference managers) from its
    :func:`coins` context object."""
    return f'<span class="Z3988" title="{escape(kev)}"></span>'


def downloads(refs: Mapping[str, Reference], bib_text: str) -> dict[str, str]:
    """The whole bib for readers to take away, by file suffix: ``.ris``, ``.json``
    (CSL-JSON) and ``.cite.json``, every entry in every format by the id of its list item
    (``ref-…``), which citeproof-cite.js fetches on demand for the entries' "Cite" actions.

    Joined from one piece per entry (:func:`entry_pieces`), as the bib cache joins the
    pieces it kept of the entries that did not change."""
    entries = bibtex_entries(bib_text)
    return join_downloads([entry_pieces(ref, entries.get(ref.key, "")) for ref in refs.values()])


def entry_pieces(ref: Reference, bibtex: str) -> tuple[str, str, str, str]:
    """One entry's share of :func:`downloads`: its RIS record, its CSL-JSON item (as
    :func:`csl_piece`), the id of its list item and its ``.cite.json`` member (``bibtex``
    is its text in the bib)."""
    record, piece, anchor = ris_record(ref), csl_piece(ref), anchor_for(ref.key)
    each = {"key": ref.key, "bibtex": bibtex, "ris": record, "csl-json": join_csl([piece])}
    return record, piece, anchor, (json.dumps(anchor, ensure_ascii=False) + ":"
                                   + json.dumps(each, ensure_ascii=False, separators=(",", ":")))


def join_downloads(pieces: Sequence[tuple[str, str, str, str]]) -> dict[str, str]:
    """:func:`downloads` from the entries' :func:`entry_pieces`, in bib order (two keys
    with one list id: the place of the first, the member of the last, as a dict has it)."""
    members: dict[str, str] = {}
    for _, _, anchor, member in pieces:
        members[anchor] = member
    return {".ris": "\r\n".join(p[0] for p in pieces), ".json": join_csl([p[1] for p in pieces]),
            ".cite.json": "{" + ",".join(members.values()) + "}"}
