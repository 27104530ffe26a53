"""The evidence a page shows its readers: what the committed lock proves about each reference.

Pure: the bib's references and a :class:`~citeproof.lock.Lock` in, per-reference
:class:`Evidence` (and the page's HTML for it, and ``verification.json``) out. Nothing
here asks a registry: a reference is shown as checked only when the lock holds the
registries' answers for the identifiers the bib has now, judged by the checker's own
``verify_reference``. Answers from endpoints other than the real registries' (a test
emulator's) are never called a check against Crossref or PubMed: the page names the
endpoint that gave them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from .identifiers import doi_url
from .lock import Lock, lookups_from_lock
from .model import Reference

if TYPE_CHECKING:
    from .verify import Published

#: What each status tells a reader (the checker's statuses, see model.REFERENCE_STATUSES).
_LABELS = {
    "verified": "Checked",
    "mismatch": "Differs from the registry record",
    "not-found": "Not found in the registries",
    "retracted": "Checked",
    "unavailable": "Not yet checked",
    "not-checked": "Not yet checked",
    "no-identifier": "No DOI or PMID",
}
_NOTICE_WORDS = {"retraction": "Retracted", "withdrawal": "Withdrawn", "removal": "Removed",
                 "correction": "Corrected", "erratum": "Corrected",
                 "expression_of_concern": "Expression of concern"}


@dataclass(frozen=True)
class Notice:
    """A retraction, correction or expression of concern a registry recorded for a work."""

    kind: str  # snake case, as verify.update_notices gives it
    doi: str  # the notice's DOI ("" when no registry names it)
    said_by: tuple[str, ...]  # "Crossref, 2021-03-01", "PubMed"

    @property
    def retraction(self) -> bool:
        from .verify import is_retraction
        return is_retraction(self.kind)

    @property
    def words(self) -> str:
        """The notice as a reader reads it: "Retracted", "Expression of concern"."""
        return _NOTICE_WORDS.get(self.kind, self.kind.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Evidence:
    """What the lock proves about one reference."""

    key: str
    status: str  # a checker status (model.REFERENCE_STATUSES)
    doi: str = ""
    pmid: str = ""
    sources: tuple[str, ...] = ()  # the registries that answered, as labels ("Crossref")
    checked: str = ""  # when the locked answers were fetched (ISO 8601 UTC), "" if never
    endpoints: Mapping[str, str] | None = None  # the base URLs that answered
    official: bool = False  # those are the real registries' endpoints
    notices: tuple[Notice, ...] = ()
    by_hand: str = ""  # no identifier: the public record to check by hand (the bib's url)
    changed: bool = False  # the bib's DOI/PMID changed since the answers were locked
    #: a preprint's published versions, as a locked record names them (``is-preprint-of``)
    published: tuple["Published", ...] = ()

    @property
    def label(self) -> str:
        return _LABELS.get(self.status, self.status)

    @property
    def date(self) -> str:
        """The day of the check (``2026-01-05``), "" when never checked."""
        return self.checked[:10]

    def to_dict(self) -> dict:
        return {"status": self.status, "doi": self.doi or None, "pmid": self.pmid or None,
                "sources": list(self.sources), "checked_at": self.checked or None,
                "official_registries": self.official if self.checked else None,
                "endpoints": dict(self.endpoints or {}),
                "notices": [{"kind": n.kind, "doi": n.doi or None, "said_by": list(n.said_by)}
                            for n in self.notices],
                "published_since": [{"doi": p.doi, "said_by": list(p.said_by)} for p in self.published],
                "check_by_hand": self.by_hand or None}


def official_endpoints() -> dict[str, str]:
    """The real registries' base URLs, by name (what a committed lock entry records)."""
    from . import registries
    return {r.name: r.default_url for r in registries.REGISTRIES}


def gather(refs: Mapping[str, Reference], lock: Lock) -> dict[str, Evidence]:
    """Every reference's evidence, in bib order, from the lock alone. (The registry table
    and the judge are imported only when the lock has entries to judge.)"""
    official = official_endpoints() if len(lock) else {}
    return {key: _evidence(ref, lock, official) for key, ref in refs.items()}


def _evidence(ref: Reference, lock: Lock, official: Mapping[str, str]) -> Evidence:
    if not ref.doi and not ref.pmid:
        return Evidence(ref.key, "no-identifier", by_hand=ref.url)
    entry = lock.get(ref.key)
    if entry is None or not entry.matches(ref):
        return Evidence(ref.key, "not-checked", ref.doi, ref.pmid, changed=entry is not None)
    from . import registries
    from .verify import judge, published_versions, update_notices
    looks = registries.replay(lookups_from_lock(entry))
    (verdict,), _ = judge({ref.key: ref}, {ref.key: looks})
    notices = tuple(Notice(kind, doi, tuple(dict.fromkeys(said)))
                    for (kind, doi), said in update_notices(entry.records).items())
    labels = tuple(dict.fromkeys(registries.source_label(s) for s in verdict.sources))
    return Evidence(ref.key, verdict.status, ref.doi, ref.pmid, labels, entry.retrieved,
                    dict(entry.endpoints), dict(entry.endpoints) == dict(official), notices,
                    published=tuple(published_versions(entry.records)))


def record(evidence: Mapping[str, Evidence], order: Sequence[str], *, generator: str,
           references: bool = True) -> dict:
    """``verification.json``: the page's references (in list order) and what the lock proves
    (without ``references``: all but them, for a caller that writes them itself)."""
    shown = [evidence[k] for k in order if k in evidence]
    data = {"generator": generator,
            "about": "What citations.lock.json (the registries' answers, committed with the "
                     "article) proves about each reference on the page; nothing here was asked "
                     "at build time.",
            "summary": summary_counts(shown)}
    if references:
        data["references"] = {e.key: e.to_dict() for e in shown}
    return data


def summary_counts(shown: Sequence[Evidence]) -> dict:
    counts: dict[str, int] = {}
    for e in shown:
        counts[e.status] = counts.get(e.status, 0) + 1
    return {"references": len(shown), "statuses": dict(sorted(counts.items()))}


# ---------------------------------------------------------------------------- HTML

def summary_line(shown: Sequence[Evidence]) -> str:
    """One honest line about the list: "15 references · 14 checked against Crossref and
    PubMed on 2026-01-05 · 1 without an identifier" (plain text, not escaped)."""
    n = len(shown)
    parts = [f"{n} reference{'s' if n != 1 else ''}"]
    checked = [e for e in shown if e.checked and e.status in ("verified", "retracted")]
    official = [e for e in checked if e.official]
    if official:
        parts.append(f"{len(official)} checked against {_and(_union(official))} {_dates(official)}")
    elsewhere = [e for e in checked if not e.official]
    if elsewhere:
        urls = sorted({u for e in elsewhere for u in (e.endpoints or {}).values()})
        parts.append(f"{len(elsewhere)} matched by test endpoints that are not the real "
                     f"registries ({', '.join(urls)})")
    differ = [e for e in shown if e.status in ("mismatch", "not-found")]
    if differ:
        parts.append(f"{len(differ)} not matching the registries' records")
    waiting = [e for e in shown if e.status in ("not-checked", "unavailable")]
    if waiting and not (official or elsewhere or differ):
        parts.append("none checked against the registries yet")
    elif waiting:
        parts.append(f"{len(waiting)} not yet checked")
    none = [e for e in shown if e.status == "no-identifier"]
    if none:
        parts.append(f"{len(none)} without an identifier")
    retracted = [e for e in shown if any(x.retraction for x in e.notices)]
    if retracted:
        parts.append(f"{len(retracted)} retracted")
    return " · ".join(parts)


def _union(shown: Sequence[Evidence]) -> list[str]:
    return list(dict.fromkeys(s for e in shown for s in e.sources))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _dates(shown: Sequence[Evidence]) -> str:
    days = sorted({e.date for e in shown})
    return f"on {days[0]}" if len(days) == 1 else f"between {days[0]} and {days[-1]}"


def mark_html(e: Evidence, escape) -> str:
    """The small status mark on one entry: what was checked, by whom, when; and, for a
    preprint published since, "Published since as doi:…" (:func:`published_html`)."""
    return _mark_html(e, escape) + "".join(" " + published_html(p, escape) for p in e.published)


def published_html(published: "Published", escape) -> str:
    """"Published since as doi:…" on a preprint's entry, linked to the published version,
    with who said so and when on hover."""
    link = f'<a href="{escape(doi_url(published.doi))}" rel="noopener">doi:{escape(published.doi)}</a>'
    return (f'<span class="cp-published" title="{escape(published.said)}">Published since as '
            f'{link}</span>')


def _mark_html(e: Evidence, escape) -> str:
    if e.status == "no-identifier":
        text = "No DOI or PMID: nothing to check it against"
        link = (f' · <a href="{escape(e.by_hand)}" rel="noopener">check the record by hand</a>'
                if e.by_hand.startswith(("https://", "http://")) else "")
        return f'<span class="cp-status cp-status-none">{escape(text)}{link}</span>'
    if not e.checked:
        text = ("Not checked: its DOI or PMID changed since the registries were last asked"
                if e.changed else "Not yet checked against the registries")
        return f'<span class="cp-status cp-status-unchecked">{escape(text)}</span>'
    who = _and(list(e.sources)) if e.sources else "the registries"
    if not e.official:
        urls = ", ".join(sorted((e.endpoints or {}).values()))
        who = f"test endpoints, not the real registries ({urls})"
    if e.status in ("verified", "retracted"):
        text, cls = f"Checked against {who} on {e.date}", "cp-status-verified"
    elif e.status in ("mismatch", "not-found"):
        text, cls = f"{e.label}: {who}, {e.date}", "cp-status-problem"
    else:
        text, cls = f"Not fully checked: {who} answered in part on {e.date}", "cp-status-unchecked"
    return (f'<span class="cp-status {cls}"><time datetime="{escape(e.checked)}">'
            f'{escape(text)}</time></span>')


def notice_html(notice: Notice, escape, *, short: bool = False) -> str:
    """A visible notice: "Retracted (notice doi:…; Crossref, 2021-03-01)", linked to the
    notice's DOI; ``short``: the compact form beside a citation in the text."""
    cls = "cp-notice cp-notice-retraction" if notice.retraction else "cp-notice"
    words = escape(notice.words)
    if short:
        inner = (f'<a href="{escape(doi_url(notice.doi))}" rel="noopener">{words}</a>'
                 if notice.doi else words)
        return f' <span class="{cls} cp-notice-short">{inner}</span>'
    said = escape("; ".join(notice.said_by))
    link = (f': <a href="{escape(doi_url(notice.doi))}" rel="noopener">notice doi:{escape(notice.doi)}</a>'
            if notice.doi else "")
    return f'<strong class="{cls}" role="note">{words}{link} ({said})</strong>'
