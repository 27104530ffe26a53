"""Every format Citing Medicine sets, read from BibTeX and biblatex alike.

``tests/golden/kinds/kinds.bib`` holds entries of every format
(:data:`citeproof.dialect.KINDS`), each under a comment naming the Citing Medicine rule it
shows. The golden file of a format, ``tests/golden/kinds/<format>.txt``, pairs each rule
with the formatted text (and ``.html`` with the marks); ``UPDATE_GOLDEN=1`` rewrites them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from citeproof.bib import load_bib, validate_references
from citeproof.dialect import KINDS
from citeproof.style import format_entries
from scratch import assert_golden, golden_html

KINDS_BIB = Path(__file__).parent / "golden" / "kinds" / "kinds.bib"
FORMATS = sorted({*KINDS.values(), "preprint"})


@pytest.fixture(scope="module")
def kinds():
    result = load_bib(KINDS_BIB, label="kinds.bib")
    assert result.problems == []
    rules = dict((key, rule) for rule, key in re.findall(r"^% (.+)\n@\w+\{([^,]+),", KINDS_BIB.read_text("utf-8"),
                                                          re.M))
    assert set(rules) == set(result.references), "every entry has its rule"
    return result, rules, format_entries(result.data, refs=result.references)


def test_every_format_has_entries(kinds):
    result, _, _ = kinds
    assert {ref.kind for ref in result.references.values()} == set(FORMATS)


@pytest.mark.parametrize("kind", FORMATS)
def test_golden_per_format(kinds, kind):
    result, rules, entries = kinds
    keys = [key for key, ref in result.references.items() if ref.kind == kind]
    text = "".join(f"[{key}] {rules[key]}\n    {entries[key].text}\n" for key in keys)
    assert_golden(f"kinds/{kind}.txt", text)
    assert_golden(f"kinds/{kind}.html", golden_html(entries[key] for key in keys))


def test_the_only_warnings_are_missing_identifiers_and_the_unknown_type(kinds):
    """Valid BibTeX and biblatex: no error; the entries without DOI or PMID are warned of,
    and the one type neither dialect defines."""
    result, _, _ = kinds
    problems = validate_references(result.references)
    assert {p.severity for p in problems} == {"warning"}
    assert [(p.code, p.key) for p in problems if p.code != "missing-identifier"] == [("unknown-type", "iso2019")]


def test_marks_and_math_reach_the_html_and_not_the_text(kinds):
    _, _, entries = kinds
    marks = entries["marks2020"]
    assert "<i>E. coli</i>" in marks.html and "7<sup>th</sup>" in marks.html and "<sup>153</sup>Tb" in marks.html
    assert "E. coli and the 7ᵗʰ β-lactamase in ¹⁵³Tb" in marks.text
    assert "\\" not in marks.text and "$" not in marks.text


def test_an_eprint_is_linked_to_its_archive(kinds):
    _, _, entries = kinds
    assert '<a href="https://arxiv.org/abs/1706.03762" rel="noopener">arXiv:1706.03762</a> [cs.CL].' in \
        entries["vaswani2017"].html
