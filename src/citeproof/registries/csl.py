"""Helpers for CSL-style JSON, which Crossref's works and doi.org's CSL-JSON share.

Dates are ``{"date-parts": [[2019, 6, 28]]}`` (partial or null parts allowed); text
fields may be a string, a number or a list of strings (the first counts).
"""
from __future__ import annotations

from typing import TypedDict


def text(value) -> str:
    """A CSL text field (lists and numbers tolerated) as one clean line."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, (dict, bool)) or value is None:
        return ""
    return " ".join(str(value).split())


def date_parts(value) -> tuple[int, ...]:
    """``{"date-parts": [[2019, 6, 28]]}`` -> (2019, 6, 28); partial or null dates allowed."""
    try:
        parts = value["date-parts"][0]
        return tuple(int(p) for p in parts if p is not None)
    except (TypeError, KeyError, IndexError, ValueError, OverflowError):
        return ()


def year(value) -> str:
    """The year of a CSL date, ``""`` when it has none."""
    parts = date_parts(value)
    return str(parts[0]) if parts else ""


def iso_date(value) -> str:
    """A CSL date as ``2019-06-28`` (as many parts as it has)."""
    parts = date_parts(value)
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


class WorkFields(TypedDict):
    """What :func:`work_fields` gives: ``Record`` fields by name."""

    journal: str
    year: str
    online_year: str
    volume: str
    issue: str
    pages: str
    article_number: str


def work_fields(item) -> WorkFields:
    """The ``Record`` fields CSL names alike in Crossref's works and doi.org's CSL-JSON:
    journal, the print (else issued) and online years, volume, issue, pages, article number."""
    return {"journal": text(item.get("container-title")),
            "year": year(item.get("published-print")) or year(item.get("issued")),
            "online_year": year(item.get("published-online")),
            "volume": text(item.get("volume")), "issue": text(item.get("issue")),
            "pages": text(item.get("page")), "article_number": text(item.get("article-number"))}
