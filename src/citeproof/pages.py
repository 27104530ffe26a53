"""Markdown pages on disk: front matter and the docs tree (shared by the plugin and the checker)."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .model import ParsedDocument

# The same rule as MkDocs' own front-matter reader (mkdocs.utils.meta).
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)


def split_front_matter(raw: str) -> tuple[int, str]:
    """Return (lines before the body, body) as MkDocs sees the page."""
    m = _FRONT_MATTER.match(raw)
    if not m:
        return 0, raw
    rest = raw[m.end():]
    body = rest.lstrip("\n")
    return raw[: len(raw) - len(body)].count("\n"), body


def body_line_offset(raw: str, body: str) -> int:
    """How many lines of ``raw`` precede ``body`` (0 when it cannot tell)."""
    if not body:
        return 0
    at = raw.find(body[:400])
    return raw[:at].count("\n") if at > 0 else 0


def file_line_offset(path, body: str) -> int:
    """How many lines of the file at ``path`` precede ``body``, its text without the front
    matter (0 when the file cannot be read)."""
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, TypeError, UnicodeDecodeError):
        return 0
    return body_line_offset(raw, body)


def shift_lines(doc: ParsedDocument, offset: int) -> ParsedDocument:
    """``doc`` with every line moved down by ``offset`` (the front matter MkDocs strips),
    so messages name the line of the file itself."""
    if not offset:
        return doc
    return replace(
        doc,
        groups=tuple(replace(g, line=g.line + offset,
                             items=tuple(replace(i, line=i.line + offset) for i in g.items))
                     for g in doc.groups),
        markers=tuple(replace(m, line=m.line + offset) for m in doc.markers),
        problems=tuple(replace(p, line=p.line + offset) if p.line else p for p in doc.problems))


def markdown_files(docs_dir: Path) -> list[Path]:
    """Every Markdown page under ``docs_dir``, in a stable order (MkDocs' extensions)."""
    exts = {".md", ".markdown", ".mdown", ".mkdn", ".mkd"}
    return sorted(p for p in docs_dir.rglob("*") if p.suffix.lower() in exts and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(docs_dir).parts))
