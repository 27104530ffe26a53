"""``citeproof fix``: the registries' value for every mismatch and missing identifier ``check`` finds.

Each reference with a valid DOI or PMID is looked up as ``check`` does (the same
gathering, the same comparison). For each field that differs from a record, the value
built from the records (:func:`citeproof.editing.entry.values_from`) is proposed, and
kept only when the entry then matches *every* record on that field: a value the
registries disagree on is shown, never chosen. A DOI or PMID the bib lacks is added
when a record gives it. The edits go through the bib editor, so every other byte of the
file stays as it was; nothing is written unless asked (``write``), and then atomically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from ..bib import parse_bib_text
from ..bib.editor import BibEditor
from ..check import CheckOptions, gather
from ..errors import BibError
from ..identifiers import valid_ids
from ..model import Lookup, Record, Reference
from ..registries import source_label
from ..verify import compare
from .entry import values_from


@dataclass
class Fixes:
    """What ``fix`` changed (or would change), and what it left for the editor to decide."""

    diff: str = ""
    changed: list[str] = field(default_factory=list)  # "key: field ← value (Crossref, PubMed)"
    undecided: list[str] = field(default_factory=list)  # registries disagree, or an edit was refused
    unavailable: list[str] = field(default_factory=list)  # could not ask: not checked
    written: bool = False


def fix(options: CheckOptions, *, write: bool = False) -> Fixes:
    """Propose (and with ``write`` apply) the registries' values (see the module docstring)."""
    editor = BibEditor.open(options.bib)
    refs = parse_bib_text(editor.text, editor.file).references
    asked, _res = gather([r for r in refs.values() if any(valid_ids(r.doi, r.pmid))], options.registry)
    out = Fixes()
    for key, looks in asked.items():
        _fix_one(editor, refs[key], looks, out)
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
        if not getattr(ref, name) and values.get(name) and not down:
            fields.append(name)
    for name in fields:
        _propose(editor, ref, name, values.get(name, ""), records, out)


def _propose(editor: BibEditor, ref: Reference, name: str, value: str, records: list[Record], out: Fixes) -> None:
    said = "; ".join(f"{source_label(r.source)} has '{p.expected}'"
                     for r in records for p in compare(ref, r) if p.field == name)
    if not value:
        out.undecided.append(f"{ref.key}: {name}: {said}, and no record gives a value to write: "
                             "correct it by hand")
        return
    trial = BibEditor(editor.text, editor.file)
    try:
        trial.set_field(ref.key, name, value)
    except BibError as exc:
        out.undecided.append(f"{ref.key}: {name}: not changed: {exc}")
        return
    after = parse_bib_text(trial.text, editor.file).references.get(ref.key)
    still = _disagree(after, name, records)
    if still:
        out.undecided.append(f"{ref.key}: {name}: the registries disagree ({still}); not changed: "
                             "choose the value by hand")
        return
    editor.set_field(ref.key, name, value)
    sources = ", ".join(source_label(r.source) for r in records)
    out.changed.append(f"{ref.key}: {name} = {{{value}}} ({sources})")


def _disagree(ref: Optional[Reference], name: str, records: list[Record]) -> str:
    """How the records still differ from ``ref`` on field ``name`` ("" when all agree)."""
    if ref is None:
        return "the entry no longer parses"
    return "; ".join(f"{source_label(r.source)} has '{p.expected}'"
                     for r in records for p in compare(ref, r) if p.field == name)
