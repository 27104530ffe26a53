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

from citeproof.bib import load_bib, parse_bib_text, validate_references
from citeproof.dates import parse_date
from citeproof.dialect import KINDS, is_eprint, journal_series, list_items, localized, patent_office, unlabelled
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


# ---------------------------------------------------------------- the dialect's readings

@pytest.mark.parametrize("written, nlm", [
    ("2012-22", "2012 Summer"), ("2012-21/2012-23", "2012 Spring-Autumn"),
    ("2012-24/2013-21", "2012 Winter-2013 Spring"),
    ("2012-25", "2012 Spring"), ("2012-32", "2012 Winter"),  # EDTF's northern and southern seasons
    ("2012-13", "2012"), ("2012-22-05", "2012"),  # no month and no season
])
def test_edtf_seasons_follow_the_year(written, nlm):
    assert parse_date(written).nlm == nlm


@pytest.mark.parametrize("fields, source", [
    ("year = {2019}, month = {summer}, volume = {2}, number = {3}", "2019 Summer;2(3)."),
    ("year = {2019}, month = {{Summer}}, volume = {2}, number = {3}", "2019 Summer;2(3)."),  # braced
    ("year = {2020}, volume = {3}, issue = {Spring}", "2020 Spring;3."),
    ("year = {2002}, volume = {58}, number = {12}, issue = {Suppl 7}, pages = {S6--12}", "2002;58(12 Suppl 7):S6-12."),
    ("year = {2019}, volume = {44}, number = {3}, issue = {138}", "2019;44(3, 138)."),
    ("date = {2019-06}, volume = {44}, number = {no. 3}, issue = {Winter}", "2019 Jun;44(3)."),  # the month wins
])
def test_an_articles_season_and_issue(fields, source):
    result = parse_bib_text(f"@article{{a, author = {{Roe, R.}}, title = {{T}}, journal = {{J}}, {fields}}}",
                            "refs.bib")
    (entry,) = format_entries(result.data, refs=result.references).values()
    assert entry.text == f"Roe R. T. J. {source}"


def test_biblatex_keys_are_read_as_their_words_and_only_whole_exact_values():
    assert localized("type", "resreport") == "Research report"
    assert localized("type", "Resreport") == "Resreport"  # (biblatex's keys are case-sensitive)
    assert localized("pubstate", "inpress") == "in press"
    assert localized("location", "countryfr and countryde") == "France and Germany"
    assert localized("title", "techreport") == "techreport"  # no key is read where biblatex reads none
    assert patent_office("", "countryfr and countryde") == "France, Germany patent"
    assert patent_office("patrequs", "") == "United States patent application"


def test_lists_numbers_series_and_eprints():
    assert list_items("{Johnson and Johnson} and London") == ["{Johnson and Johnson}", "London"]
    assert list_items("Durham and London")[0] == "Durham" and list_items("") == [""]
    assert [unlabelled(n) for n in ("no. 80", "Vol. 5.2", "Volume 3", "Nr.\u00a04", "12", "Nova 3", "Part no. 3")] \
        == ["80", "5.2", "3", "4", "12", "Nova 3", "Part no. 3"]
    assert journal_series("3") == "3rd series" and journal_series("new series") == "new series"
    eprints = {"1706.03762": True, "hep-th/9603067v2": True, "arXiv:2004.01234": True, "Facebook": False}
    assert {e: is_eprint(lambda name, e=e: e if name == "eprint" else "") for e in eprints} == eprints
    assert is_eprint(lambda name: {"eprint": "hal-01234", "eprinttype": "hal"}.get(name, ""))
