"""Markdown pages on disk: front matter and the docs tree (shared by the plugin and the checker)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

# The same rules as MkDocs' own front-matter reader (mkdocs.utils.meta): YAML between
# ``---`` lines when it is a mapping, else MultiMarkdown ``key: value`` lines up to a blank.
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
_META = re.compile(r"[ ]{0,3}[A-Za-z0-9_-]+:")
_META_MORE = re.compile(r"(?:[ ]{4}|\t)")


def split_front_matter(raw: str) -> tuple[int, str]:
    """Return (lines before the body, body) as MkDocs sees the page: YAML front matter
    that is not a mapping (or not YAML) stays in the body; MultiMarkdown meta lines go."""
    m = _FRONT_MATTER.match(raw)
    if m:
        if not isinstance(_yaml(m.group(1)), dict):
            return 0, raw
        rest = raw[m.end():]
    else:
        rest = _after_meta_lines(raw)
    if rest is raw:
        return 0, raw
    body = rest.lstrip("\n")
    return raw[: len(raw) - len(body)].count("\n"), body


def front_matter(raw: str) -> dict:
    """The page's YAML front matter as a mapping (``{}`` when it has none, or when it is not
    a YAML mapping: MkDocs then keeps it as text)."""
    m = _FRONT_MATTER.match(raw)
    meta = _yaml(m.group(1)) if m else None
    return meta if isinstance(meta, dict) else {}


def _yaml(text: str):
    """``text`` as YAML, or ``None`` when it is not (MkDocs then keeps it as text)."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _after_meta_lines(raw: str) -> str:
    """``raw`` after its MultiMarkdown meta lines (and the blank line ending them), or
    ``raw`` itself when it has none."""
    lines = raw.split("\n")
    k = 0
    while k < len(lines):
        line = lines[k].rstrip("\r")
        if not line.strip():
            k += 1
            break
        if not (_META.match(line) or (k and _META_MORE.match(line))):
            break
        k += 1
    return "\n".join(lines[k:]) if k else raw


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


def page_label(abs_src_path: str | None, src_uri: str) -> str:
    """A page's file as messages name it: relative to the current directory, when the
    generator knows where the file is (else its path in the docs)."""
    if not abs_src_path:
        return src_uri
    docs = os.path.relpath(os.path.dirname(abs_src_path))
    return os.path.join(docs, os.path.basename(src_uri))


def markdown_files(docs_dir: Path, exclude: str = "") -> list[Path]:
    """Every Markdown page MkDocs builds from ``docs_dir``, in a stable order: its walk
    follows symlinked folders (each real folder once), and it leaves out what MkDocs
    leaves out (names starting with ``.``, ``/templates/``, and ``exclude``: the
    ``exclude_docs`` and ``draft_docs`` patterns, gitignore-style, as MkDocs reads them)."""
    exts = {".md", ".markdown", ".mdown", ".mkdn", ".mkd"}
    skip = _excluded(exclude)
    found, seen = [], set()
    for folder, dirnames, filenames in os.walk(docs_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a symlink back up the tree: walked once
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in filenames:
            path = Path(folder) / name
            rel = path.relative_to(docs_dir).as_posix()
            if path.suffix.lower() in exts and not skip(rel) and path.is_file():
                found.append(path)
    return sorted(found)


def _excluded(patterns: str):
    """A test of a path relative to the docs folder: MkDocs' default exclusions and
    ``patterns`` (gitignore-style, through pathspec, which MkDocs brings; without it,
    only the defaults)."""
    def default(rel: str) -> bool:
        return any(part.startswith(".") for part in rel.split("/")) or rel.startswith("templates/")

    if not patterns.strip():
        return default
    try:
        import pathspec
    except ImportError:
        return default
    spec = pathspec.gitignore.GitIgnoreSpec.from_lines(patterns.splitlines())
    return lambda rel: default(rel) or spec.match_file(rel)


def front_matter_authors(meta) -> tuple[list[str], str]:
    """The page's authors from its front matter (``authors``, else ``author``): a name
    (one author, however many words), or a list of names. Anything else (a number, a
    mapping) gives no author and the message saying so (else ``""``)."""
    value = (meta.get("authors") or meta.get("author")) if isinstance(meta, dict) else None
    if not value:
        return [], ""
    if isinstance(value, str):
        return [value.strip()], ""
    if isinstance(value, list) and all(isinstance(a, str) for a in value):
        return [a.strip() for a in value if a.strip()], ""
    return [], (f"front matter 'authors' must be a name or a list of names, not "
                f"{str(value)[:60]!r}: the page's metadata names no author")
