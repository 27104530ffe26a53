"""The references in the formats readers take away: BibTeX, RIS, CSL-JSON and COinS (pure).

Everything is made at build time from the bib: the BibTeX of an entry is its own text in
the bib file, as written; RIS and CSL-JSON are built from the decoded fields. COinS
(``<span class="Z3988" title="…">``, OpenURL 1.0 KEV) lets reference managers such as
Zotero's connector import every reference on the page at once.
"""
from __future__ import annotations

import json
import re
from typing import Mapping, Sequence
from urllib.parse import urlencode

from .identifiers import doi_url
from .model import Author, Reference
from .render import _named, _page_range, anchor_for, publisher

#: RIS and CSL types of the entry types (anything else: RIS GEN, CSL document).
_RIS_TYPES = {"article": "JOUR", "book": "BOOK", "incollection": "CHAP", "inbook": "CHAP",
              "phdthesis": "THES", "mastersthesis": "THES", "techreport": "RPRT",
              "misc": "GEN", "online": "ELEC"}
_CSL_TYPES = {"article": "article-journal", "book": "book", "incollection": "chapter",
              "inbook": "chapter", "phdthesis": "thesis", "mastersthesis": "thesis",
              "techreport": "report", "online": "webpage", "misc": "document"}


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


def ris(refs: Sequence[Reference]) -> str:
    """RIS records, one per reference (CRLF line ends, as the format asks)."""
    return "\r\n".join(ris_record(ref) for ref in refs)


def ris_record(ref: Reference) -> str:
    """One reference's RIS record (``ris`` joins them)."""
    lines = [("TY", _RIS_TYPES.get(ref.entry_type, "GEN")), ("TI", ref.title)]
    lines += [("AU", a.family if a.corporate else f"{a.family}, {a.given}".rstrip(", "))
              for a in _named(ref.authors)]
    lines += [("JO", ref.journal), ("PY", ref.year), ("VL", ref.volume), ("IS", ref.number)]
    first, last = _page_range(ref.pages)
    lines += [("SP", first or ref.pages), ("EP", last), ("PB", "" if ref.journal else publisher(ref))]
    lines += [("DO", ref.doi), ("UR", doi_url(ref.doi) if ref.doi else ref.url)]
    if ref.pmid:
        lines.append(("AN", f"PMID: {ref.pmid}"))
    lines.append(("ID", ref.key))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value) + "ER  - \r\n"


def csl_item(ref: Reference) -> dict:
    """One reference as a CSL-JSON item."""
    item: dict = {"id": ref.key, "type": _CSL_TYPES.get(ref.entry_type, "article-journal"),
                  "title": ref.title}
    authors = [{"literal": a.family} if a.corporate else {"family": a.family, "given": a.given}
               for a in _named(ref.authors)]
    if authors:
        item["author"] = authors
    for name, value in (("container-title", ref.journal), ("volume", ref.volume),
                        ("issue", ref.number), ("page", ref.pages), ("DOI", ref.doi),
                        ("PMID", ref.pmid), ("PMCID", ref.pmcid), ("URL", ref.url),
                        ("publisher", "" if ref.journal else publisher(ref))):
        if value:
            item[name] = value
    if ref.year.isascii() and ref.year.isdigit():  # ("²⁰²⁰" is a digit string int() refuses)
        item["issued"] = {"date-parts": [[int(ref.year)]]}
    return item


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


def coins(ref: Reference) -> str:
    """The OpenURL ContextObject (KEV) of a reference, for a COinS span's ``title``
    (made once per bib and cached with it: ``LoadedBib.coins``)."""
    article = ref.entry_type == "article"
    pairs = [("ctx_ver", "Z39.88-2004"),
             ("rft_val_fmt", "info:ofi/fmt:kev:mtx:" + ("journal" if article else "book")),
             ("rft.genre", "article" if article else "book"),
             ("rft." + ("atitle" if article else "btitle"), ref.title)]
    if ref.journal:
        pairs.append(("rft.jtitle", ref.journal))
    named = _named(ref.authors)
    if named and not named[0].corporate:
        pairs += [("rft.aulast", named[0].family), ("rft.auinit", _given_initials(named[0]))]
    pairs += [("rft.au", a.family if a.corporate else f"{a.family}, {a.given}".rstrip(", ")) for a in named]
    first, last = _page_range(ref.pages)
    for name, value in (("rft.date", ref.year), ("rft.volume", ref.volume), ("rft.issue", ref.number),
                        ("rft.spage", first), ("rft.epage", last),
                        ("rft.pages", "" if first else ref.pages)):
        if value:
            pairs.append((name, value))
    pairs += [("rft_id", f"info:doi/{ref.doi}")] if ref.doi else []
    pairs += [("rft_id", f"info:pmid/{ref.pmid}")] if ref.pmid else []
    return urlencode([(k, v) for k, v in pairs if v])


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
