"""Pure citation bookkeeping: citations by identifier, unknown and unused keys, numbers,
Vancouver ranges."""
from __future__ import annotations

import difflib
from collections.abc import KeysView
from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from .identifiers import doi_key, normalize_doi, normalize_pmcid, normalize_pmid
from .markdown import cite_form
from .model import ParsedDocument, Problem, Reference
from .model import ProblemCode as Code

__all__ = ["by_identifier", "resolve_keys", "unused_entries", "number_citations", "compress_numbers",
           "format_ranges", "cited_keys", "identifier_of"]

#: The identifiers a citation may name instead of a key (``[@doi:10.1186/…]``,
#: ``[@pmid:31261549]``, ``[@pmcid:PMC6616307]``), as Manubot and MyST write them.
ID_PREFIXES = ("doi:", "pmid:", "pmcid:")


def identifier_of(key: str) -> tuple[str, str] | None:
    """``("doi", its compared form)`` for a citation key that names an identifier
    (:data:`ID_PREFIXES`, any case; the DOI normalised as the bib's are), else ``None``."""
    kind, colon, value = key.partition(":")
    kind = kind.lower()
    if not colon or kind + ":" not in ID_PREFIXES or not value:
        return None
    if kind == "doi":
        return "doi", doi_key(normalize_doi(value)[0])
    if kind == "pmid":
        return "pmid", normalize_pmid(value)[0]
    return "pmcid", (normalize_pmcid(value) or value).upper()


def _identifier_index(references: Mapping[str, Reference]) -> dict[tuple[str, str], str]:
    """Each entry's DOI, PMID and PMCID -> its key (the first entry, when two share one:
    ``duplicate-work`` reports that)."""
    index: dict[tuple[str, str], str] = {}
    for key, ref in references.items():
        for kind, value in (("doi", doi_key(ref.doi) if ref.doi else ""), ("pmid", ref.pmid),
                            ("pmcid", ref.pmcid.upper())):
            if value:
                index.setdefault((kind, value), key)
    return index


def by_identifier(doc: ParsedDocument, references: Mapping[str, Reference]) -> tuple[ParsedDocument, list[Problem]]:
    """``doc`` with each citation of an identifier (``[@doi:…]``) made a citation of the
    bib entry that has it, so the page, the list, the metadata and the checks are those of
    citing its key; and an ``unknown-key`` error for each identifier no entry has, naming
    the command that adds it (the citation is left as written)."""
    if not any(identifier_of(item.key) for group in doc.groups for item in group.items):
        return doc, []
    index = _identifier_index(references)
    problems: list[Problem] = []
    groups = []
    for group in doc.groups:
        items = []
        for item in group.items:
            named = identifier_of(item.key)
            key = index.get(named) if named else None
            if named and key is None:
                problems.append(Problem(
                    Code.UNKNOWN_KEY, "error", f"no bib entry has the {named[0].upper()} in '@{item.key}': "
                    f"add it with `citeproof add {item.key.partition(':')[2]}`, or cite an entry's key",
                    key=item.key, file=group.file, line=item.line, found=item.key))
            items.append(replace(item, key=key) if key else item)
        groups.append(replace(group, items=tuple(items)))
    return replace(doc, groups=tuple(groups)), problems


def cited_keys(docs: Sequence[ParsedDocument]) -> list[str]:
    """Every cited key once, in order of first citation across ``docs``."""
    return list(dict.fromkeys(item.key for doc in docs for group in doc.groups for item in group.items))


class _KeyIndex:
    """The bib keys, indexed for "did you mean": by case-folded key, and by every form with
    one character deleted (a symmetric-delete index), so a suggestion costs a few lookups
    instead of a comparison with every key."""

    #: At most this many candidates are compared with difflib per unknown key.
    MAX_CANDIDATES = 64

    def __init__(self, keys: Iterable[str]):
        self.folded: dict[str, str] = {}
        self.deletions: dict[str, list[str]] = {}
        for key in keys:
            folded = key.casefold()
            if folded in self.folded:
                continue
            self.folded[folded] = key
            for form in _forms(folded):
                self.deletions.setdefault(form, []).append(key)

    def suggestion(self, key: str) -> str:
        """The bib key the writer probably meant: the same letters in another case, else the
        closest (difflib ratio >= 0.75) of the keys one edit or transposition away."""
        folded = key.casefold()
        if folded in self.folded:
            return self.folded[folded]
        candidates: dict[str, None] = {}
        for form in _forms(folded):
            for known in self.deletions.get(form, ()):
                candidates.setdefault(known, None)
                if len(candidates) >= self.MAX_CANDIDATES:
                    break
        close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
        return close[0] if close else ""


def _forms(word: str) -> set[str]:
    """``word`` and every string made by deleting one of its characters."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


def resolve_keys(docs: Sequence[ParsedDocument], bib_keys: Iterable[str]) -> list[Problem]:
    """One ``unknown-key`` error per cited item whose key is not in the bib (exact match).

    The message suggests the bib key that differs only in case, or else a close match,
    and, for an item with a prefix (``[twitter @someone]``), how to escape the ``@``.
    """
    known = bib_keys if isinstance(bib_keys, (set, frozenset, dict, KeysView)) else set(bib_keys)
    index: _KeyIndex | None = None
    problems = [*_bare_keys(docs, known)]
    for doc in docs:
        for group in doc.groups:
            for item in group.items:
                if item.key in known or identifier_of(item.key):  # (by_identifier reports those)
                    continue
                if index is None:  # only a page with an unknown key pays for the index
                    index = _KeyIndex(known)
                guess = index.suggestion(item.key)
                message = f"unknown citation key '{item.key}'"
                if guess and guess.casefold() == item.key.casefold():
                    message += f"; did you mean '{guess}'? Keys must match exactly, including case."
                elif guess:
                    message += f"; did you mean '{guess}'?"
                else:
                    message += "; add an entry with this key to the bib file or correct the key."
                if item.prefix:
                    message += (f" If '@{item.key}' is not a citation, escape the @ as "
                                f"'\\@{item.key}'.")
                problems.append(Problem(Code.UNKNOWN_KEY, "error", message, key=item.key,
                                        file=group.file, line=item.line,
                                        expected=guess or None, found=item.key))
    return problems


def _bare_keys(docs: Sequence[ParsedDocument], known) -> list[Problem]:
    """A bracket holding a bib key without its ``@`` (``[kim2017]``): not a citation, so
    an error asking "did you mean [@kim2017]?"."""
    problems = []
    for doc in docs:
        for word, line, _column in doc.bare_words:
            if word in known:
                problems.append(Problem(
                    Code.MALFORMED_CITATION, "error", f"'[{word}]' holds the bib key '{word}' without "
                    f"its '@', so it is not a citation: did you mean [{cite_form(word)}]? (If it is "
                    f"not one, write \\[{word}\\].)", key=word, file=doc.file, line=line))
    return problems


def unused_entries(docs: Sequence[ParsedDocument], references: Mapping[str, Reference]) -> list[Problem]:
    """One ``unused-entry`` warning per bib entry no document cites, at the entry's line.

    An entry that :func:`resolve_keys` suggests for an unknown key (``[@Suh2019]`` for
    ``suh2019``) is left out: that ``unknown-key`` error already names it.
    """
    return unused_of({item.key for doc in docs for group in doc.groups for item in group.items}, references)


def unused_of(cited: set[str], references: Mapping[str, Reference]) -> list[Problem]:
    """:func:`unused_entries` of the keys the documents cite (``cited``: known and unknown
    ones, as written)."""
    unknown = [key for key in cited if key not in references]
    index = _KeyIndex(references) if unknown else None
    suggested = {index.suggestion(key) for key in unknown} if index else set()
    return [Problem(Code.UNUSED_ENTRY, "warning",
                    f"bib entry '{key}' is never cited; cite it as [{cite_form(key)}] or remove it.",
                    key=key, file=ref.file, line=ref.line)
            for key, ref in references.items() if key not in cited and key not in suggested]


def number_citations(docs: Sequence[ParsedDocument], bib_keys: Iterable[str]) -> dict[str, int]:
    """1-based numbers in order of first citation across ``docs``; unknown keys get none."""
    known = set(bib_keys)
    numbers: dict[str, int] = {}
    for key in cited_keys(docs):
        if key in known:
            numbers[key] = len(numbers) + 1
    return numbers


def compress_numbers(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated runs; 3+ consecutive numbers make a range (Vancouver).

    ``[1, 2, 3, 5] -> [(1, 3), (5, 5)]``; ``[1, 2] -> [(1, 1), (2, 2)]``.
    """
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    out: list[tuple[int, int]] = []
    for first, last in runs:
        if last - first >= 2:
            out.append((first, last))
        else:
            out.extend((n, n) for n in range(first, last + 1))
    return out


def format_ranges(runs: Iterable[tuple[int, int]]) -> str:
    """``[(1, 3), (5, 5)] -> "1–3, 5"`` (en dash)."""
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)
