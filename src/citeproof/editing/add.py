"""``citeproof add``: a complete bib entry per identifier, from the registries' records.

All or nothing: when any identifier is already in the bib (under any of its DOI, PMID
or PMCID), unknown to the registries, could not be looked up, or names a retracted,
withdrawn or removed work (unless ``allow_retracted``), no file changes and
:class:`RefusedError` (exit 1) or :class:`UnavailableError` (exit 3) says which. A work
with a correction or an expression of concern is added, with a note naming the notice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..bib import parse_bib_text
from ..bib.editor import BibEditor, identifier_fault
from ..errors import RefusedError, UnavailableError
from ..identifiers import doi_key
from ..markdown import cite_form
from ..model import Reference, Severity
from ..registries import RegistryConfig, markup, source_label
from ..registries.http import HttpClient
from ..verify import compare, published_versions, update_kind, update_notices
from ..visible import visible
from .entry import Wanted, make_key, parse_identifier, text_warnings, values_from, work_ids
from .fetch import Work, fetch_works


@dataclass
class Added:
    """What ``add`` did (or, with ``dry_run``, would do)."""

    keys: list[str] = field(default_factory=list)
    diff: str = ""
    notes: list[str] = field(default_factory=list)  # registries that disagree, for the editor to read


def existing_key(refs: dict[str, Reference], doi: str = "", pmid: str = "", pmcid: str = "") -> Optional[str]:
    """The key of the entry that already has one of these identifiers (``None``: none has)."""
    for key, ref in refs.items():
        if ((doi and ref.doi and doi_key(ref.doi) == doi_key(doi)) or (pmid and ref.pmid == pmid)
                or (pmcid and ref.pmcid and ref.pmcid.upper() == pmcid.upper())):
            return key
    return None


def add(bib: Path, identifiers: list[str], config: RegistryConfig, *, dry_run: bool = False,
        http: Optional[HttpClient] = None, allow_retracted: bool = False, merge: bool = False) -> Added:
    """Add one entry per identifier to ``bib`` (see the module docstring); ``merge``: two
    identifiers of one work make one entry (``--from-docs``: a work cited by DOI here and by
    PMID there), where an editor naming it twice is told so."""
    wanted = [parse_identifier(text) for text in identifiers]
    return add_wanted(bib, wanted, config, dry_run=dry_run, http=http, allow_retracted=allow_retracted,
                      merge=merge)


def add_wanted(bib: Path, wanted: list[Wanted], config: RegistryConfig, *, dry_run: bool = False,
               http: Optional[HttpClient] = None, allow_retracted: bool = False, merge: bool = False) -> Added:
    editor = BibEditor.open(bib)
    refs = parse_bib_text(editor.text, editor.file).references
    _refuse_malformed(wanted)
    _refuse_known(editor.file, refs, [(str(w), w.given, w.doi, w.pmid, w.pmcid) for w in wanted])
    works = fetch_works(config, wanted, http)
    _refuse_failed(editor.file, works)
    _refuse_known(editor.file, refs, [(str(w.wanted), w.wanted.given, *_ids(w)) for w in works])
    works = _once(works) if merge else _refuse_twice(works)
    notices = {w.wanted.given: _notices(w) for w in works}
    _refuse_retracted(editor.file, notices, allow_retracted)
    out = Added()
    for work in works:
        values = values_from(work.records, pmcid=work.wanted.pmcid)
        record = work.records[0]
        year = values["year"].value if "year" in values else ""
        key = make_key(next((r.authors for r in work.records if r.authors), ()),
                       year if isinstance(year, str) else "", markup.plain(record, record.title),
                       [*refs, *out.keys])
        out.notes += work.notes + editor.add_entry(key, "article", values) + text_warnings(key, values)
        out.keys.append(key)
        out.notes += disagreements(parse_bib_text(editor.text, editor.file).references[key], work)
        out.notes += [f"{key}: {work.wanted.given} {text}" for _, text in notices[work.wanted.given]]
        out.notes += [f"{key}: {work.wanted.given} is a preprint that has since been published as "
                      f"doi:{p.doi} [{p.said}]: cite the published version instead "
                      f"(`citeproof add {p.doi}`)" for p in published_versions(work.records)]
    out.diff = editor.diff()
    if not dry_run:
        editor.save()
    return out


def cited_identifiers(bib: Path, docs: Path, exclude: str = "") -> list[str]:
    """Every identifier the docs cite (``[@doi:…]``, ``[@pmid:…]``, ``[@pmcid:…]``) that no
    entry of ``bib`` has, once each, in order of first citation (``add --from-docs``)."""
    from ..check import _docs
    from ..numbering import by_identifier, identifier_of

    refs = parse_bib_text(BibEditor.open(bib).text, str(bib)).references
    wanted: dict[tuple[str, str], str] = {}
    for _body, doc in _docs(docs, exclude):
        _resolved, unknown = by_identifier(doc, refs)
        for problem in unknown:
            named = identifier_of(problem.key or "")
            if named:
                wanted.setdefault(named, (problem.key or "").partition(":")[2])
    return list(wanted.values())


def disagreements(ref: Reference, work: Work) -> list[str]:
    """The new entry's fields that some registry's record does not match (shown, not hidden)."""
    return [f"{ref.key}: {p.field}: the entry has '{p.found}' (from the first registry that "
            f"gave it), {source_label(r.source)} has '{p.expected}': check which is right"
            for r in work.records for p in compare(ref, r)]


def _ids(work: Work) -> tuple[str, str, str]:
    ids = work_ids(work.records)
    return ids["doi"] or work.doi, ids["pmid"] or work.pmid, ids["pmcid"] or work.pmcid


def _refuse_malformed(wanted: list[Wanted]) -> None:
    """An identifier that cannot be asked about or written (a candidate ``find`` offers
    is a registry's text): refused before anything is asked."""
    faults = [f"{visible(w.given)}: {name} '{visible(value)[:80]}' is not one ({fault})" for w in wanted
              for name, value in (("doi", w.doi), ("pmid", w.pmid), ("pmcid", w.pmcid))
              if value and (fault := identifier_fault(name, value))]
    if faults:
        raise RefusedError("nothing was added: " + "; ".join(faults))


def _refuse_known(file: str, refs: dict[str, Reference], items) -> None:
    lines = []
    for what, given, doi, pmid, pmcid in items:
        key = existing_key(refs, doi, pmid, pmcid)
        if key:
            lines.append(f"{given} ({what}) is already in {file} as '{key}': cite it as [{cite_form(key)}]")
    if lines:
        raise RefusedError("nothing was added: " + "; ".join(lines))


def _refuse_failed(file: str, works: list[Work]) -> None:
    missing = [f"{w.wanted.given}: {m}" for w in works for m in w.missing]
    down = [f"{w.wanted.given}: {m}" for w in works for m in w.unavailable]
    if missing:
        raise RefusedError(f"nothing was added to {file}: " + "; ".join(missing + down))
    if down:
        raise UnavailableError(f"nothing was added to {file}, because a registry could not be "
                               "asked (could not verify, no verdict): " + "; ".join(down)
                               + ". Run `citeproof add` again later.")


def _notices(work: Work) -> list[tuple[Severity, str]]:
    """(severity, what it says) of each notice the work's records carry: "has been
    RETRACTED (notice doi:10.…; Crossref, PubMed)" (:data:`citeproof.verify.UPDATE_KINDS`)."""
    out = []
    for (kind, notice), said in update_notices(work.records).items():
        judged = update_kind(kind)
        where = f"notice doi:{notice}; " if notice else ""
        out.append((judged.severity, f"{judged.said} ({where}{', '.join(dict.fromkeys(said))})"))
    return out


def _refuse_retracted(file: str, notices: dict[str, list[tuple[Severity, str]]], allowed: bool) -> None:
    """A retracted, withdrawn or removed work is refused (an error-severity notice), unless
    the editor says it is cited as such (``--allow-retracted``)."""
    refused = [f"{given} {text}" for given, found in notices.items() for severity, text in found
               if severity == "error"]
    if refused and not allowed:
        raise RefusedError(f"nothing was added to {file}: " + "; ".join(refused)
                           + ". Cite a work that stands, or, to cite it as retracted, add it with "
                             "--allow-retracted")


def _refuse_twice(works: list[Work]) -> list[Work]:
    seen: dict[tuple, str] = {}
    for w in works:
        for ident in _identities(w):
            if ident in seen:
                raise RefusedError(f"nothing was added: {seen[ident]} and {w.wanted.given} are the same "
                                   "work: give it once")
            seen[ident] = w.wanted.given
    return works


def _once(works: list[Work]) -> list[Work]:
    """Each work once, by its first identifier given."""
    seen: set[tuple] = set()
    kept = []
    for w in works:
        identities = _identities(w)
        if not identities & seen:
            kept.append(w)
        seen |= identities
    return kept


def _identities(work: Work) -> set[tuple[str, str]]:
    doi, pmid, _pmcid = _ids(work)
    return ({("doi", doi_key(doi))} if doi else set()) | ({("pmid", pmid)} if pmid else set())
