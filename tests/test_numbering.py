"""Numbering, unknown and unused keys, Vancouver ranges (pure functions)."""
from __future__ import annotations

import random

import pytest

from citeproof.markdown import parse_citations
from citeproof.model import Reference
from citeproof.numbering import (cited_keys, compress_numbers, format_ranges, number_citations,
                                 resolve_keys, unused_entries)


def docs(*pages: str):
    return [parse_citations(text, f"docs/p{n}.md") for n, text in enumerate(pages, start=1)]


def ref(key: str, line: int) -> Reference:
    return Reference(key=key, entry_type="article", file="refs.bib", line=line)


# ------------------------------------------------------------------ numbering

def test_numbers_follow_first_citation_across_pages_in_order():
    parsed = docs("[@c] and [@a; @c]\n", "`[@z]` [@b] [@a] [@d]\n")
    assert number_citations(parsed, ["a", "b", "c", "d"]) == {"c": 1, "a": 2, "b": 3, "d": 4}
    assert number_citations(list(reversed(parsed)), "abcd") == {"b": 1, "a": 2, "d": 3, "c": 4}


def test_unknown_keys_get_no_number_and_do_not_skip_one():
    parsed = docs("[@a; @nope] [@b]\n")
    assert number_citations(parsed, {"a", "b"}) == {"a": 1, "b": 2}


def test_case_differing_key_is_not_numbered():
    assert number_citations(docs("[@Watson1953] [@watson1953]\n"), ["watson1953"]) == {"watson1953": 1}


def test_cited_keys_once_in_order():
    assert cited_keys(docs("[@b; @a] [@b]\n", "[@c; @a]\n")) == ["b", "a", "c"]


# ------------------------------------------------------------------ unknown keys

def test_unknown_key_problem_fields():
    (problem,) = resolve_keys(docs("line\nsee [@a;\n @nosuchkey]\n"), ["a"])
    assert (problem.code, problem.severity, problem.key, problem.file, problem.line) == (
        "unknown-key", "error", "nosuchkey", "docs/p1.md", 3)
    assert "'nosuchkey'" in problem.message and "did you mean" not in problem.message


def test_case_only_difference_is_an_error_with_the_suggestion():
    (problem,) = resolve_keys(docs("[@Watson1953]\n"), ["watson1953", "crick1953"])
    assert problem.severity == "error"
    assert "did you mean 'watson1953'?" in problem.message and "case" in problem.message
    assert problem.expected == "watson1953" and problem.found == "Watson1953"


def test_close_match_is_suggested():
    (problem,) = resolve_keys(docs("[@suh2091]\n"), ["suh2019", "kim2017", "lee2016"])
    assert "did you mean 'suh2019'?" in problem.message


def test_prefixed_unknown_key_gets_the_escape_hint():
    (problem,) = resolve_keys(docs("[twitter @someone]\n"), ["suh2019"])
    assert "\\@someone" in problem.message
    (plain,) = resolve_keys(docs("[@someone]\n"), ["suh2019"])
    assert "\\@" not in plain.message


def test_every_unknown_citation_is_reported_where_it_stands():
    problems = resolve_keys(docs("[@x]\n[@a; @x]\n", "\n\n[@y]\n"), ["a"])
    assert [(p.file, p.line, p.key) for p in problems] == [
        ("docs/p1.md", 1, "x"), ("docs/p1.md", 2, "x"), ("docs/p2.md", 3, "y")]


def test_known_keys_give_no_problem():
    assert resolve_keys(docs("[@a; @b:c.d]\n"), iter(["a", "b:c.d"])) == []


# ------------------------------------------------------------------ unused entries

def test_unused_entries_point_at_the_bib_line():
    refs = {"a": ref("a", 1), "b": ref("b", 9), "c": ref("c", 17)}
    problems = unused_entries(docs("[@a]\n", "`[@b]` [@c]\n"), refs)
    assert [(p.code, p.severity, p.key, p.file, p.line) for p in problems] == [
        ("unused-entry", "warning", "b", "refs.bib", 9)]
    assert "[@b]" in problems[0].message


@pytest.mark.parametrize("cited", ["[@Suh2019]", "[@suh2091]", "[@SUH2019; @kim2017]"])
def test_an_entry_suggested_for_an_unknown_key_is_not_also_unused(cited):
    refs = {"suh2019": ref("suh2019", 1), "kim2017": ref("kim2017", 9), "lee2016": ref("lee2016", 17)}
    parsed = docs(cited + "\n")
    (unknown,) = resolve_keys(parsed, refs)
    assert unknown.expected == "suh2019"  # one mistake, one message: not also "suh2019 unused"
    unused = [p.key for p in unused_entries(parsed, refs)]
    assert unused == (["lee2016"] if "kim2017" in cited else ["kim2017", "lee2016"])


def test_an_unknown_key_without_suggestion_leaves_unused_entries_reported():
    refs = {"suh2019": ref("suh2019", 1)}
    parsed = docs("[@completelydifferent]\n")
    assert resolve_keys(parsed, refs)[0].expected is None
    assert [p.key for p in unused_entries(parsed, refs)] == ["suh2019"]


def test_no_unused_entries_when_all_cited():
    assert unused_entries(docs("[@a; @b]\n"), {"a": ref("a", 1), "b": ref("b", 5)}) == []


# ------------------------------------------------------------------ ranges

@pytest.mark.parametrize("numbers, runs, shown", [
    ([1, 2, 3, 5], [(1, 3), (5, 5)], "1\u20133, 5"),
    ([1, 2], [(1, 1), (2, 2)], "1, 2"),
    ([5, 3, 4, 3, 1], [(1, 1), (3, 5)], "1, 3\u20135"),
    ([7], [(7, 7)], "7"),
    ([], [], ""),
    ([1, 2, 4, 5, 6, 7, 9, 10], [(1, 1), (2, 2), (4, 7), (9, 9), (10, 10)], "1, 2, 4\u20137, 9, 10"),
])
def test_compress_and_format(numbers, runs, shown):
    assert compress_numbers(numbers) == runs
    assert format_ranges(compress_numbers(numbers)) == shown


def test_compress_accepts_any_iterable():
    assert compress_numbers({3: "c", 1: "a", 2: "b"}) == [(1, 3)]
    assert compress_numbers(n for n in (2, 1)) == [(1, 1), (2, 2)]


def test_compressed_runs_expand_back_to_the_input():
    rng = random.Random(7)
    for _ in range(300):
        numbers = [rng.randint(1, 30) for _ in range(rng.randint(0, 15))]
        runs = compress_numbers(numbers)
        expanded = [n for a, b in runs for n in range(a, b + 1)]
        assert expanded == sorted(set(numbers))
        assert all(b == a or b - a >= 2 for a, b in runs)
        # no two separate items that could have been one range of 3+
        for (a1, b1), (a2, b2), (a3, b3) in zip(runs, runs[1:], runs[2:]):
            assert not (a1 == b1 and a2 == b2 == a1 + 1 and a3 == b3 == a2 + 1)
