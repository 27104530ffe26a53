"""``citeproof fix``: the registries' value for every mismatch and missing identifier ``check`` finds.

Each reference with a valid DOI or PMID is looked up as ``check`` does (the same
gathering, the same comparison). For each field that differs from a record, the value
built from the records (:func:`citeproof.editing.entry.values_from`) is proposed, and
kept only when the entry then matches *every* record on that field: a value the
registries disagree on is shown, each registry with its own value, never chosen. A DOI
or PMID the bib lacks is added when a record gives it. A cited preprint that a registry
says was published since (Crossref's ``is-preprint-of``) is replaced by its published
version, built as ``citeproof add`` builds an entry, under the same key (the entry's
other fields kept, but those that describe the preprint's posting). Every value goes
through the bib editor's validated writer, so every other byte of the file stays as it
was and a registry's value can never be more than the value of its field; nothing is
written unless asked (``write``), and then atomically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from ..bib import parse_bib_text
from ..bib.editor import BibEditor, Value, ValueRefused, written
from ..check import CheckOptions, gather
from ..errors import BibError
from ..identifiers import doi_key, valid_ids
from ..model import Lookup, Record, Reference
from ..model import ProblemCode as Code
from ..registries import RegistryConfig, source_label
from ..text import Text
from ..verify import Published, compare, published_versions, verify_reference
from .entry import FIELDS, Wanted, text_warnings, values_from

#: Fields that describe a preprint's posting, not the published work: not kept when a
#: preprint's entry is replaced by its published version.
POSTING_FIELDS = frozenset({"howpublished", "publisher", "eprint", "eprinttype", "eprintclass",
                            "archiveprefix", "primaryclass", "url", "urldate", "note", "type",
                            "institution", "organization", "version", "pubstate", "month", "day"})


@dataclass
class Fixes:
    """What ``fix`` changed (or would change), and what it left for the editor to decide."""

    diff: str = ""
    changed: list[str] = field(default_factory=list)  # "key: field ← value (Crossref, PubMed)"
    undecided: list[str] = field(default_factory=list)  # registries disagree, or an edit was refused
    unavailable: list[str] = field(default_factory=list)  # could not ask: not checked
    notes: list[str] = field(default_factory=list)  # what the text model wrote as text (could not convert)
    written: bool = False

    def summary(self, bib: str) -> str:
        """What was done, as a sentence: "Wrote 2 changes to references.bib.", "2 changes
        proposed for references.bib: run again with --write to apply them.", "references.bib
        needs no change."."""
        n = len(self.changed)
        changes = f"{n} change{'' if n == 1 else 's'}"
        decide = (f" {len(self.undecided)} value{'' if len(self.undecided) == 1 else 's'} "
                  "above need{} your decision.".format("s" if len(self.undecided) == 1 else "")
                  if self.undecided else "")
        if self.written:
            return f"Wrote {changes} to {bib}.{decide}"
        if n:
            return f"{changes.capitalize()} proposed for {bib}: run again with --write to apply them.{decide}"
        if self.undecided:
            return f"No change proposed for {bib}.{decide}"
        unchecked = " (but the references that could not be checked)" if self.unavailable else ""
        return f"{bib} needs no change{unchecked}."


def fix(options: CheckOptions, *, write: bool = False) -> Fixes:
    """Propose (and with ``write`` apply) the registries' values (see the module docstring)."""
    editor = BibEditor.open(options.bib)
    refs = parse_bib_text(editor.text, editor.file).references
    asked, _res = gather([r for r in refs.values() if any(valid_ids(r.doi, r.pmid))], options.registry)
    out = Fixes()
    preprints: dict[str, list[Published]] = {}
    for key, looks in asked.items():
        versions = published_versions(records_of(looks))
        if versions:
            preprints[key] = versions
        else:
            _fix_one(editor, refs[key], looks, out)
    if preprints:
        _published(editor, refs, preprints, options.registry, out)
    out.diff = editor.diff()
    if write and editor.changed:
        editor.save()
        out.written = True
    return out


def records_of(looks: Mapping[str, Lookup]) -> list[Record]:
    """The records with metadata among one reference's answers (esearch's: PubMed's own)."""
    return [look.record for look in looks.values()
            if look.status == "found" and look.record is not None and (look.record.title or look.record.authors)]


def _fix_one(editor: BibEditor, ref: Reference, looks: Mapping[str, Lookup], out: Fixes) -> None:
    down = [look for look in looks.values() if look.status == "unavailable"]
    for look in down:
        out.unavailable.append(f"{ref.key}: could not ask {source_label(look.source)} about "
                               f"{look.identifier}" + (f" ({look.reason})" if look.reason else ""))
    records = records_of(looks)
    if not records:
        return
    values = values_from(records)
    # (each mismatch names its field: the test never fails)
    fields = list(dict.fromkeys(p.field for r in records for p in compare(ref, r) if p.field is not None))
    for name in ("doi", "pmid"):
        if not getattr(ref, name) and name in values and not down:
            fields.append(name)
    fields += _identifier_fixes(ref, looks, values, out)
    for name in dict.fromkeys(fields):
        _propose(editor, ref, name, values.get(name), records, out)


def _identifier_fixes(ref: Reference, looks: Mapping[str, Lookup], values: Mapping[str, Value],
                      out: Fixes) -> list[str]:
    """What ``check`` says of the entry's identifiers, answered: a DOI that does not exist
    is replaced by the DOI the PMID's record lists (``doi-not-found``); a DOI and a PMID
    of two different papers, both found (``doi-pmid-conflict``), are shown and neither is
    chosen (which paper the entry cites is the editor's to say)."""
    _, found = verify_reference(ref, looks)
    codes = {p.code: p for p in found}
    if Code.DOI_NOT_FOUND in codes:
        listed = values.get("doi")
        if listed is not None and doi_key(str(listed.value)) != doi_key(ref.doi):
            return ["doi"]
        out.undecided.append(f"{ref.key}: doi: DOI {ref.doi} does not exist and no record lists the "
                             "work's DOI: correct it by hand (or remove it)")
    elif Code.DOI_PMID_CONFLICT in codes:
        conflict = codes[Code.DOI_PMID_CONFLICT].message.split(": ", 1)[-1]
        out.undecided.append(f"{ref.key}: doi, pmid: {conflict} Neither was changed.")
    return []


def shown(value: Value) -> str:
    """A value as a message shows it: plain text (names by family, a range with a dash)."""
    raw = value.value
    if isinstance(raw, Text):
        return raw.plain()
    if isinstance(raw, str):
        return raw
    families = [getattr(a, "family", "") for a in raw]
    if all(isinstance(p, str) for p in raw):
        return "-".join(str(p) for p in raw)
    return f"{len(families)} authors: " + ", ".join(families[:8]) + (", …" if len(families) > 8 else "")


def each_registry(records: list[Record], name: str) -> str:
    """Every registry's own value of field ``name``: "Crossref has 'A'; PubMed has 'B'"."""
    said = []
    for r in records:
        value = values_from([r]).get(name)
        if value is not None:
            said.append(f"{source_label(r.source)} has '{shown(value)}'")
    return "; ".join(dict.fromkeys(said)) or "no registry gives one"


def _propose(editor: BibEditor, ref: Reference, name: str, value: Optional[Value], records: list[Record],
             out: Fixes) -> None:
    if value is None:
        out.undecided.append(f"{ref.key}: {name}: the bib has '{ref.field(name) or getattr(ref, name, '')}' "
                             f"({each_registry(records, name)}), and no record gives a value to write: "
                             "correct it by hand")
        return
    trial = BibEditor(editor.text, editor.file)
    try:
        trial.write_field(ref.key, name, value)
    except BibError as exc:
        out.undecided.append(f"{ref.key}: {name}: not changed: {exc}")
        return
    after = parse_bib_text(trial.text, editor.file).references.get(ref.key)
    if after is None or _disagree(after, name, records):
        out.undecided.append(f"{ref.key}: {name}: the registries disagree ({each_registry(records, name)}); "
                             "not changed: choose the value by hand")
        return
    editor.write_field(ref.key, name, value)
    sources = ", ".join(dict.fromkeys(source_label(r.source) for r in records))
    out.changed.append(f"{ref.key}: {name} = {{{written(name, value)}}} ({sources})")
    out.notes += text_warnings(ref.key, {name: value})


def _disagree(ref: Reference, name: str, records: list[Record]) -> bool:
    """Whether some record still differs from ``ref`` on field ``name``."""
    return any(p.field == name for r in records for p in compare(ref, r))


# --------------------------------------------------------------------------- preprints

def _published(editor: BibEditor, refs: dict[str, Reference], preprints: dict[str, list[Published]],
               config: RegistryConfig, out: Fixes) -> None:
    """Each cited preprint published since, replaced by its published version (asked of the
    registries as ``citeproof add`` asks them)."""
    from .add import existing_key
    from .fetch import fetch_works

    wanted = {key: versions[0] for key, versions in preprints.items() if len(versions) == 1}
    for key, versions in preprints.items():
        if len(versions) > 1:
            out.undecided.append(f"{key}: this preprint has several published versions ("
                                 + ", ".join(f"doi:{p.doi} [{p.said}]" for p in versions)
                                 + "): choose one by hand")
    asked = {key: p for key, p in wanted.items()
             if not _already(key, p, existing_key(refs, doi=p.doi), out)}
    if not asked:
        return
    works = fetch_works(config, [Wanted(f"doi:{p.doi}", doi=p.doi) for p in asked.values()])
    for (key, p), work in zip(asked.items(), works):
        if work.missing or work.unavailable or not work.records:
            why = "; ".join(work.missing + work.unavailable) or "no record"
            (out.unavailable if work.unavailable and not work.missing else out.undecided).append(
                f"{key}: this preprint was published as doi:{p.doi} [{p.said}], but its record could "
                f"not be had ({why}): not changed")
            continue
        _replace(editor, refs[key], p, values_from(work.records), out)


def _already(key: str, p: Published, other: Optional[str], out: Fixes) -> bool:
    if other is None:
        return False
    out.undecided.append(f"{key}: this preprint was published as doi:{p.doi} [{p.said}], which the bib "
                         f"has already as '{other}': cite [@{other}] instead of [@{key}] and remove "
                         f"'{key}'")
    return True


def _replace(editor: BibEditor, ref: Reference, p: Published, values: dict[str, Value], out: Fixes) -> None:
    """The preprint's entry replaced by the published version's, under the same key; the
    entry's own fields kept but those of :data:`POSTING_FIELDS` and :data:`FIELDS`."""
    if doi_key(str(values["doi"].value) if "doi" in values else "") != doi_key(p.doi):
        out.undecided.append(f"{ref.key}: the record fetched for doi:{p.doi} is about another DOI: not changed")
        return
    keep = [name for name, _ in ref.fields if name not in FIELDS and name not in POSTING_FIELDS]
    trial = BibEditor(editor.text, editor.file)
    try:
        refused = trial.rebuild_entry(ref.key, "article", values, keep)
    except (BibError, ValueRefused) as exc:
        out.undecided.append(f"{ref.key}: the published version doi:{p.doi} was not written: {exc}")
        return
    editor.rebuild_entry(ref.key, "article", values, keep)
    out.notes += text_warnings(ref.key, values)
    sources = ", ".join(dict.fromkeys(v.origin for v in values.values() if v.origin))
    out.changed.append(f"{ref.key}: the preprint replaced by its published version doi:{p.doi} "
                       f"[{p.said}] ({sources})")
    out.undecided += refused
