"""The Markdown citation parser: what cites, what is left alone, what is malformed."""
from __future__ import annotations

import random
import re
import time

import pytest

from citeproof.markdown import cite_form, parse_citations


def parse(text: str):
    return parse_citations(text, "docs/page.md")


def keys(text: str) -> list[tuple[str, ...]]:
    return [g.keys for g in parse(text).groups]


def malformed(text: str) -> list[str]:
    doc = parse(text)
    assert not doc.groups, doc.groups
    return [p.message for p in doc.problems if p.code == "malformed-citation"]


# ------------------------------------------------------------------ what cites

@pytest.mark.parametrize("text, expected", [
    ("x [@a] y", [("a",)]),
    ("x [@a; @b; @c] y", [("a", "b", "c")]),
    ("[@a][x]-less [@b]", [("b",)]),
    ("[@doe:2020]", [("doe:2020",)]),
    ("[@doe.j-2020_a]", [("doe.j-2020_a",)]),
    ("[@a/b+c#d]", [("a/b+c#d",)]),
    ("[@_x1]", [("_x1",)]),
    ("[@1999abc]", [("1999abc",)]),
    ("[-@a]", [("a",)]),
    ("[see -@a, p. 3]", [("a",)]),
    ("x[@a]y", [("a",)]),
    ("[@a;@b]", [("a", "b")]),
    ("[@пункт3]", [("пункт3",)]),
])
def test_citation_forms(text, expected):
    assert keys(text) == expected


def test_prefix_and_locator():
    (group,) = parse("[see @a, p. 3; also @b]").groups
    (a, b) = group.items
    assert (a.key, a.prefix, a.locator) == ("a", "see", "p. 3")
    assert (b.key, b.prefix, b.locator) == ("b", "also", "")


def test_locator_range_then_second_key():
    (group,) = parse("[@a, pp. 3-5; @b]").groups
    assert [(i.key, i.prefix, i.locator) for i in group.items] == [("a", "", "pp. 3-5"), ("b", "", "")]


def test_prefix_and_locator_keep_inner_text_and_collapse_whitespace():
    (group,) = parse("[see  also\n @a, pp. 3,\n 5 \\@ x]").groups
    assert group.items[0].prefix == "see also"
    assert group.items[0].locator == "pp. 3, 5 @ x"


def test_twitter_handle_is_a_prefixed_group():
    (group,) = parse("follow [twitter @someone] now").groups
    assert group.items[0].key == "someone" and group.items[0].prefix == "twitter"


@pytest.mark.parametrize("text, key", [
    ("[@doe:2020.]", "doe:2020"), ("[@doe:]", "doe"), ("[@doe--2020]", "doe")])
def test_trailing_punctuation_is_not_part_of_the_key(text, key):
    # what follows the key without a comma is not silently dropped: it is reported
    (message,) = malformed(text)
    assert f"after @{key} needs a comma" in message


# ------------------------------------------------------------------ positions

def test_offsets_cover_exactly_the_brackets():
    text = "Intro é 😀 [see @a, p. 3] and [@b; @c].\n"
    doc = parse(text)
    assert [text[g.start:g.end] for g in doc.groups] == ["[see @a, p. 3]", "[@b; @c]"]
    assert [g.raw for g in doc.groups] == ["[see @a, p. 3]", "[@b; @c]"]


def test_line_and_column_count_code_points_after_unicode():
    doc = parse("first line\nÅngström 😀 [@a; see @b]\n")
    (group,) = doc.groups
    assert (group.line, group.column) == (2, 12)
    assert [(i.line, i.column) for i in group.items] == [(2, 13), (2, 21)]


def test_multi_line_group_positions():
    text = "Text here\nand [@a;\n   @b, p. 4;\n see @c] end\n"
    (group,) = parse(text).groups
    assert text[group.start:group.end] == "[@a;\n   @b, p. 4;\n see @c]"
    assert (group.line, group.column) == (2, 5)
    assert [(i.key, i.line, i.column) for i in group.items] == [("a", 2, 6), ("b", 3, 4), ("c", 4, 6)]


def test_crlf_input_positions():
    text = "a line\r\n\r\nx [@a;\r\n @b]\r\n\\bibliography\r\n"
    doc = parse(text)
    (group,) = doc.groups
    assert text[group.start:group.end] == "[@a;\r\n @b]"
    assert (group.line, group.column) == (3, 3)
    assert [(i.line, i.column) for i in group.items] == [(3, 4), (4, 2)]
    (marker,) = doc.markers
    assert marker.line == 5 and text[marker.start:marker.end] == "\\bibliography"


def test_crlf_fenced_and_indented_code():
    text = "```\r\n[@a]\r\n```\r\n\r\n    [@b]\r\n\r\n[@c]\r\n"
    assert keys(text) == [("c",)]


def test_file_is_recorded():
    doc = parse("[@a]")
    assert doc.file == "docs/page.md" and doc.groups[0].file == "docs/page.md"


# ------------------------------------------------------------------ left alone

@pytest.mark.parametrize("text", [
    "```\n[@a]\n```\n",
    "~~~\n[@a]\n~~~\n",
    "```python title=\"x.py\"\n[@a]\n```\n",
    "````\n```\n[@a]\n```\n[@a]\n````\n",
    "~~~~ markdown\n[@a]\n~~~\n[@a]\n~~~~~\n",
    "- item\n\n    ```\n    [@a]\n    ```\n",
    "!!! note \"Title\"\n\n    ~~~\n    [@a]\n    ~~~\n",
    "> ```\n> [@a]\n> ```\n",
])
def test_fenced_code_is_left_alone(text):
    doc = parse(text + "\n[@z]\n")
    assert [g.keys for g in doc.groups] == [("z",)] and not doc.problems


def test_unclosed_fence_runs_to_the_end():
    assert keys("[@a]\n```\n[@b]\n\n[@c]\n") == [("a",)]


def test_text_after_a_fence_is_parsed_again():
    assert keys("```\n[@a]\n```\n[@b]\n~~~\n[@c]\n~~~\n[@d]\n") == [("b",), ("d",)]


def test_backtick_fence_with_backticks_in_info_is_inline_code():
    assert keys("```x``` [@a]\n") == [("a",)]


@pytest.mark.parametrize("text", [
    "Para.\n\n    [@a]\n",
    "    [@a]\n",
    "Para.\n\n\t[@a]\n",
    "Para.\n\n    code\n\n    [@a]\n",
    "- item\n\n        [@a]\n",
    "!!! note\n\n        [@a]\n",
    "- item\n\nParagraph.\n\n    [@a]\n",
])
def test_indented_code_is_left_alone(text):
    assert keys(text) == []


@pytest.mark.parametrize("text", [
    "- item\n\n    continued [@a]\n",
    "1. item\n\n    continued [@a]\n",
    "!!! note \"T\"\n\n    inside [@a]\n",
    "!!! note\n    inside [@a]\n",
    "=== \"Tab\"\n\n    inside [@a]\n",
    "[^1]: note\n\n    more [@a]\n",
    "Para\n    lazy indented [@a]\n",
    "- a\n    - b\n\n        nested continuation [@a]\n",
])
def test_container_continuations_are_text(text):
    assert keys(text) == [("a",)]


@pytest.mark.parametrize("text", [
    "`[@a]`", "``[@a] ` x``", "```[@a]```", "a `x\n[@a]` b",
    "<code>[@a]</code>", "<pre class=\"x\">\n[@a]\n</pre>", "<script>var s='[@a]'</script>",
    "<STYLE>/* [@a] */</STYLE>", "<!-- [@a] -->", "<!--\n\n[@a]\n\n-->",
    "<a href=\"x@y\" title=\"[@a]\">link</a>", "<img alt='[@a; @b]'>",
    "[@a paper](https://example.com)", "[@a](https://example.com/x_(y))",
    "[@key][ref]\n\n[ref]: https://example.com", "[@key][]\n\n[@KEY]: https://example.com",
    "![@a](img.png)", "[^1]: note", "<https://example.com/[@a]>", "<mail@example.com>",
    "[link](https://example.com/[@a])",
    "write to jane@example.com", "[write to jane@example.com]", "bare @key in text",
    "[\\@key]", "\\[@a]", "[^note]", "[@a]: https://example.com",
    "  [@a]: https://example.com \"Title\"",
])
def test_left_alone(text):
    doc = parse(text + "\n")
    assert doc.groups == () and doc.problems == ()


@pytest.mark.parametrize("text", ["[@a][@b]", "[@key][ref]", "[@key][]"])
def test_link_to_an_undefined_label_is_not_a_citation_but_warns(text):
    (message,) = malformed(text)
    assert "undefined reference label" in message and "[@a; @b]" in message


def test_footnote_reference_then_citation():
    assert keys("claim[^1][@a] and [@b][ref-not-closed\n") == [("a",), ("b",)]


def test_shortcut_reference_link_is_not_a_citation():
    assert keys("See [@Key].\n\n[@key]: https://example.com\n") == []


def test_reference_definition_looking_line_with_prose_is_a_citation():
    assert keys("[@a]: walking helps, says the trial.\n") == [("a",)]


def test_citations_next_to_left_alone_constructs_are_found():
    text = "`[@x]` [@a] <b title='[@y]'>[@b]</b> [t](u \"[@z]\") [@c] <!-- [@w] --> [@d]\n"
    assert keys(text) == [("a",), ("b",), ("c",), ("d",)]


def test_unclosed_backticks_are_literal():
    assert keys("a ` b [@a]\n") == [("a",)]


def test_unclosed_code_element_hides_nothing_but_script_hides_the_rest():
    assert keys("<code> [@a]\n") == [("a",)]
    assert keys("<script> [@a]\n\n[@b]\n") == []


def test_code_span_inside_a_group_is_skipped():
    (group,) = parse("[see `@x;` @a]").groups
    assert group.keys == ("a",) and group.items[0].prefix == "see `@x;`"


def test_email_in_a_locator_is_not_a_key():
    (group,) = parse("[@a, ask jane@example.com]").groups
    assert group.keys == ("a",) and group.items[0].locator == "ask jane@example.com"


# ------------------------------------------------------------------ escapes and markers

def test_escapes_are_recorded_outside_code_only():
    text = "[\\@a] and \\@b `\\@c` <a title=\"\\@d\">x</a>\n```\n\\@e\n```\n[\\@f](u) [x](\\@g)\n"
    doc = parse(text)
    assert [text[k:k + 2] for k in doc.escapes] == ["\\@"] * 3
    assert [text[k + 2] for k in doc.escapes] == ["a", "b", "f"]
    assert doc.groups == ()


def test_escaped_backslash_does_not_escape_what_follows():
    doc = parse("\\\\[@a] \\\\\\@b")
    assert [g.keys for g in doc.groups] == [("a",)]
    assert doc.escapes == (9,)  # only the odd, third backslash escapes the @


def test_escapes_never_fall_inside_a_group():
    doc = parse("[see \\@x @a]")
    (group,) = doc.groups
    assert group.items[0].prefix == "see @x"
    assert all(not group.start <= k < group.end for k in doc.escapes)


def test_bibliography_marker():
    text = "# T\n\nx [@a]\n\n## References\n\n\\bibliography\n\nafter \\bibliography inline\n"
    doc = parse(text)
    (marker,) = doc.markers
    assert marker.line == 7 and marker.file == "docs/page.md"
    assert text[marker.start:marker.end] == "\\bibliography"


@pytest.mark.parametrize("text", [
    "```\n\\bibliography\n```\n", "Para.\n\n    \\bibliography\n", "<!--\n\\bibliography\n-->\n",
    "\\bibliography2\n", "`\\bibliography`\n"])
def test_bibliography_marker_left_alone(text):
    assert parse(text).markers == ()


def test_bibliography_marker_mid_page_and_indented():
    doc = parse("a\n\n  \\bibliography  \n\nb\n")
    assert [m.line for m in doc.markers] == [3]


# ------------------------------------------------------------------ malformed

@pytest.mark.parametrize("text, words", [
    ("[@a @b]", "two keys in one item"),
    ("[@a;]", "is empty"),
    ("[@a;; @b]", "is empty"),
    ("[@]", "not followed by a citation key"),
    ("[@ a]", "not followed by a citation key"),
    ("[@a; see]", "'see' has no @key"),
    ("[Smith 2019; @a]", "'Smith 2019' has no @key"),
    ("[@a p. 3]", "needs a comma"),
    ("x [@a; @b\n\nnext paragraph\n", "is not closed"),
    ("x [@a", "is not closed"),
])
def test_malformed(text, words):
    (message,) = malformed(text)
    assert words in message and "\\@" in message


def test_malformed_problem_fields_and_text_left_alone():
    text = "line one\nsee [@a @b] here\n"
    doc = parse(text)
    (problem,) = doc.problems
    assert (problem.code, problem.severity, problem.file, problem.line) == (
        "malformed-citation", "error", "docs/page.md", 2)
    assert "[@a; @b]" in problem.message  # says how to write it


def test_unclosed_group_line_is_the_opening_bracket():
    (problem,) = parse("a\n\nb [@a;\n @b\n\nc\n").problems
    assert problem.line == 3


def test_malformed_group_does_not_hide_following_citations():
    assert keys("[@a;] then [@b]\n") == [("b",)]


def test_nested_brackets_are_not_a_group_but_inner_ones_are():
    doc = parse("[note [@a] here]")
    assert [g.raw for g in doc.groups] == ["[@a]"] and not doc.problems


@pytest.mark.parametrize("text", ["[see @a [p. 3]]", "[@a [link](https://e.org) more]"])
def test_nested_brackets_after_a_key_are_an_error(text):
    (message,) = malformed(text)
    assert "nested '['" in message and "not closed" not in message


@pytest.mark.parametrize("text, shown, before, line", [
    # the review's case: the next citation's '[' used to be called a nested one
    ("Walking helps [@suh2019. It also\nhelps [@kim2017].\n\nNext.\n", "'[@suh2019…'",
     "before the next '[' (line 2)", 1),
    ("x\n\nA [see @suh2019, p. 3 and a [link](https://e.org).\n", "'[see @suh2019…'",
     "before the next '[' (line 3)", 3),
    ("A [@suh2019\n\n[@kim2017]\n", "'[@suh2019'", "before the end of the paragraph", 1),
    ("A [@a; @suh2019 walks\n", "'[@a; @suh2019…'", "before the end of the paragraph", 1),
])
def test_unclosed_citation_is_reported_as_unclosed(text, shown, before, line):
    doc = parse(text)
    (problem,) = doc.problems
    assert (problem.code, problem.severity, problem.line) == ("malformed-citation", "error", line)
    assert f"citation {shown} is not closed: add ']' after its last key" in problem.message
    assert before in problem.message and "nested" not in problem.message
    assert [g.keys for g in doc.groups] == [("kim2017",)] * ("kim2017" in text)


# ------------------------------------------------------------------ randomised and performance

def test_random_documents_agree_with_their_construction():
    """Build documents from known pieces; the parser must find exactly the real citations."""
    rng = random.Random(1234)
    cites = [("[@k{n}]", True), ("[see @k{n}, p. {n}]", True), ("[@k{n}; -@j{n}]", True)]
    decoys = ["`[@c{n}]`", "<!-- [@c{n}] -->", "[@c{n} x](https://e.com/{n})", "[\\@c{n}]",
              "mail c{n}@example.com", "<span title='[@c{n}]'>t</span>", "@c{n}"]
    for _ in range(200):
        parts, expected = [], []
        for n in range(rng.randint(0, 8)):
            if rng.random() < 0.5:
                tmpl, _ = rng.choice(cites)
                raw = tmpl.format(n=n)
                expected.append(raw)
            else:
                raw = rng.choice(decoys).format(n=n)
            parts.append(raw)
            parts.append(rng.choice([" ", " é ", "\n", "\r\n", " 😀 "]))
        if rng.random() < 0.3:
            parts.append("\n\n```\n[@fenced]\n```\n")
        text = "".join(parts)
        doc = parse(text)
        assert [text[g.start:g.end] for g in doc.groups] == expected, text
        assert all(g.keys[0].startswith("k") for g in doc.groups) and not doc.problems


def test_twenty_pages_of_fifty_citations_parse_quickly():
    para = ("Walking helps [@suh2019; @kim2017, p. 3] as `code [@x]` and <b>bold</b> show "
            "[a link](https://example.com) [see @lee2016].\n\n")
    page = "# Title\n\n" + para * 17 + "```\n[@fenced]\n```\n" + "\\bibliography\n"
    start = time.perf_counter()
    for _ in range(20):
        doc = parse(page)
    elapsed = time.perf_counter() - start
    assert sum(len(g.items) for g in doc.groups) == 51
    assert elapsed < 0.5, f"20 pages took {elapsed:.3f}s"


@pytest.mark.parametrize("key", ["Anonymous:TB21-2-", "a(b)", "10.1:18", "x.", "smith2020"])
def test_every_bib_key_can_be_cited_in_the_form_the_hints_give(key):
    """pandoc's braced form cites a key its plain form cannot hold; ``cite_form`` is what
    every hint writes."""
    doc = parse_citations(f"See [{cite_form(key)}] and [see {cite_form(key)}, p. 3; @other].", "p.md")
    assert doc.problems == ()
    assert [[item.key for item in group.items] for group in doc.groups] == [[key], [key, "other"]]
    assert doc.groups[1].items[0].locator == "p. 3"


@pytest.mark.parametrize("key", ["Anonymous:TB21-2-", "a(b)", "x.", "k+"])
def test_a_key_written_plain_that_only_braces_can_hold_gets_the_braced_form_as_its_hint(key):
    """A bib key the plain form cannot hold, written plain, is malformed; the message offers
    the braced form, and that form, pasted back, cites the key."""
    (problem,) = parse_citations(f"See [@other; @{key}].", "p.md").problems
    braced = re.search(r"write it in braces: \[(@\{[^\]]+\})\]", problem.message)
    assert braced and braced.group(1) == cite_form(key), problem.message
    doc = parse_citations(f"See [@other; {braced.group(1)}].", "p.md")
    assert doc.problems == () and [item.key for item in doc.groups[0].items] == ["other", key]


def test_text_after_a_space_gets_no_braced_hint():
    (problem,) = parse_citations("See [@smith2020 p. 3].", "p.md").problems
    assert "needs a comma before it, as in [@smith2020, p. 3]." in problem.message
    assert "braces" not in problem.message


@pytest.mark.parametrize("text, hint", [("See [@a(b),p. 3].", "[@{a(b)}]"), ("See [@a{b}].", None),
                                        ("See [@a\\b].", None)])
def test_a_braced_hint_is_given_only_in_a_form_that_cites(text, hint):
    (problem,) = parse_citations(text, "p.md").problems
    found = re.search(r"write it in braces: (\[[^\]]+\])", problem.message)
    assert (found.group(1) if found else None) == hint
    if hint:
        assert parse_citations(f"See {hint}.", "p.md").problems == ()
