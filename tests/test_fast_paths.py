"""The checker's fast paths give what the general code gives (issue 11, item 9).

Each fast path (a bare citation group, a group in the same sentence as the one before
it, ...) is compared with the general code it stands in for, on tricky hand-written
inputs and on many random ones built from the characters each rule looks at.
"""
from __future__ import annotations

import random

import pytest

from citeproof.claims import _BLOCK_START, _SENTENCE_END, _abbreviation, _Sentence, _sentences
from citeproof.markdown import _BARE_GROUP, _Scanner, parse_citations
from scratch import FIXTURE

#: Pieces of Markdown that the parser's and the sentence finder's rules look at.
PIECES = [
    "[@a]", "[@b]", "[-@a]", "[@a; @b]", "[@a;@b]", "[ @a ]", "[@a ;  -@b ]", "[@a.b]", "[@a.]",
    "[@a:b-c/d+e#f]", "[@a--b]", "[@a -@b]", "[@a @b]", "[@a;]", "[;@a]", "[@a; ]", "[@]",
    "[see @a, p. 3]", "[See @a]", "[@A]", "[1 @a]", "[@a, p. 3; @b]", "[@a](u)", "[@a] (x)", "[@a][x]", "[@a][]", "[x]: u",
    "[@a]: u", "\n[@a]: u\n", "![@a]", "[^a]", "[^1]: note", "\\[@a]", "\\@a", "[\\@a]", "[@a\\]",
    "`[@a]`", "``", "<b>", "<!-- [@a] -->", "<code>[@a]</code>", "[[@a]]", "[x [@a]]", "[@a",
    "@a]", "[", "]", "(", ")", "a@b.c", "\\bibliography", "\n\\bibliography\n",
    ".", "!", "?", "e.g.", "et al.", "Dr.", " J.", "...", "\"", "'", "”", "’", ")", "]", "(", "“",
    " ", "  ", "\t", "\u00a0", "\n", "\n\n", "\n \n", "\n- ", "\n1. ", "\n# ", "\n> ", "\n    ",
    "\n```\n", "\n!!! note\n", "|", "===", "A", "The", "Smith", "Smith et al. (2019)", "found",
    "walking", "x", "2019", "Krein showed", "According to Lee", ";", ",", ":", "-", "—",
]


def random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def fast_and_general(text: str):
    return _Scanner(text, "p.md", 3).run(), _Scanner(text, "p.md", 3, fast=False).run()


# --------------------------------------------------------------------------- markdown

@pytest.mark.parametrize("text", [
    "[@a]", "x [@a] y", "[@a; @b]", "[@a;@b;-@c]", "[ @a ]", "[@a ; -@b ]", "[-@a]",
    "[@a](u)", "[@a] (u)", "[@a][x]", "[@a][x]\n\n[x]: u", "[@a]: u\n\n[@a]", "[@a]\n\n[@A]: u",
    "![@a]", "\\[@a]", "[@a][@b]", "x[@a]y", "[@a.b] [@a.] [@a--b]", "    [@a]", "\n\n    [@a]",
    "```\n[@a]\n```\n[@b]", "`[@a]` [@b]", "<!-- [@a] --> [@b]", "[@пункт3; @_x1]",
    "[@a]\r\n[@b]", "[@a;\t@b]", "[@a;\n@b]", "line\n[@a] and [@b; @c] here\n",
])
def test_bare_groups_parse_as_the_general_path_parses_them(text):
    fast, general = fast_and_general(text)
    assert fast == general


def test_the_bare_pattern_takes_only_keys_spaces_and_semicolons():
    assert _BARE_GROUP.fullmatch("[@a; -@b ;@c]")
    for text in ("[see @a]", "[@a, p. 3]", "[@a;]", "[@a\t]", "[@a\n]", "[@a.]", "[@a @b]",
                 "[@a\\@b]", "[@a`]"):
        assert not _BARE_GROUP.fullmatch(text), text


def test_random_pages_parse_alike_on_both_paths():
    rng = random.Random(20261201)
    for _ in range(3000):
        text = random_text(rng, rng.randint(1, 40))
        fast, general = fast_and_general(text)
        assert fast == general, repr(text)


def test_the_article_parses_alike_on_both_paths():
    for page in sorted((FIXTURE / "docs").glob("*.md")):
        fast, general = fast_and_general(page.read_text(encoding="utf-8"))
        assert fast == general and (fast.groups or page.name != "index.md")


# --------------------------------------------------------------------------- sentences

def sentence_bounds_by_scanning(text: str, start: int, end: int) -> tuple[int, int]:
    """The oracle for ``claims._Bounds``: the sentence around ``text[start:end]``, found by
    scanning its paragraph (quadratic over many groups, but plainly right)."""
    lo = max(text.rfind("\n\n", 0, start), 0)
    hi = text.find("\n\n", end)
    hi = len(text) if hi < 0 else hi
    for m in _BLOCK_START.finditer(text, lo, hi):
        if m.start() < start:
            lo = m.start() + 1
        elif m.start() >= end:
            hi = min(hi, m.start())
            break
    s = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        if not _abbreviation(text, m.start()):
            s = m.end()
    e = hi
    for m in _SENTENCE_END.finditer(text, end, hi):
        if not _abbreviation(text, m.start()):
            e = m.end()
            break
    while s < e and text[s].isspace():
        s += 1
    return s, e


def _sentences_slow(text, groups):
    """The oracle: ``claims._sentences`` computing every group's own bounds by scanning."""
    sentences: list[_Sentence] = []
    for group in groups:
        s, e = sentence_bounds_by_scanning(text, group.start, group.end)
        if sentences and sentences[-1].start == s:
            sentences[-1].groups.append(group)
        else:
            sentences.append(_Sentence(s, e, [group]))
    return sentences


def sentences(text: str, slow: bool = False):
    groups = parse_citations(text, "p.md").groups
    found = (_sentences_slow if slow else _sentences)(text, groups)
    return [(s.start, s.end, [g.start for g in s.groups]) for s in found]


@pytest.mark.parametrize("text", [
    "[@a] [@b] [@c]", "Done. [See @a] and [@b].", "Done.  [@a] [@b]", "Done.) [@a] [@b] Next [@c]",
    "A [@a]. B [@b]! C [@c]? D [@d]", "Smith et al. [@a] [@b]", "e.g. [@a] [@b]",
    "x [@a]\n[@b]", "x [@a]\n\n[@b]", "x [@a]\n- [@b]", "x [@a]\n# [@b]", "x [@a] [@a.b] [@c]",
    "[@a] (“Quoted [@b]”) [@c]", "[@a]”. [@b]", "x.[@a] [@b]", "x\u00a0[@a]\u00a0[@b]. Y [@c]",
    "[see @a, p. 3] [@b]. Then [@c]", "A. [@a]\n \n[@b]", "Done.) [See @a] and [@b]",
    "Done.” [See @a] [@b]", "Done.\" [1 @a] [@b]", "Done. [(See @a)] [@b]",
    "Done.\n[See @a] [@b]", "Done.\n\n[See @a] [@b]", "Done.\n \n [See @a] [@b]", "x\n\n[@a] [@b]",
"[see @a, ends. Then] [@b]", "[@a, p. 3! So] [@b]",
        "x.\n\n[@a] [@b] [@c]", "# H\n[@a] [@b]", "- x [@a]\n- [See @a] [@b]", "x\n  [@a] [@b]",
])
def test_a_sentence_of_many_groups_is_found_as_group_by_group(text):
    assert sentences(text) == sentences(text, slow=True)


def test_the_bounds_index_finds_what_scanning_finds():
    from citeproof.claims import _Bounds
    rng = random.Random(2026_12_07)
    for _ in range(3000):
        text = random_text(rng, rng.randint(1, 40))
        groups = parse_citations(text, "p.md").groups
        bounds = _Bounds(text)
        for g in groups:
            assert bounds.around(g.start, g.end) == sentence_bounds_by_scanning(text, g.start, g.end), repr(text)


def test_random_paragraphs_split_into_the_same_sentences():
    rng = random.Random(11_9)
    for _ in range(3000):
        text = random_text(rng, rng.randint(1, 40))
        assert sentences(text) == sentences(text, slow=True), repr(text)


# --------------------------------------------------------------------------- reports

class _Item:
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return self.data


class _Result:
    def __init__(self, summary, references, problems):
        self._summary, self.references, self.problems = summary, references, problems

    def summary(self):
        return self._summary


# --------------------------------------------------------------------------- the text report

def test_the_text_report_escapes_every_key_and_aligns_on_the_escaped_width():
    from citeproof.model import ReferenceResult
    from citeproof.report.text import format_text

    refs = [ReferenceResult("plain", "", "", "not-checked"),
            ReferenceResult("bad\x1b[31m", "10.1/x", "", "verified", ["crossref\x07"]),
            ReferenceResult("b\u202eidi", "", "1", "unavailable", ["pubmed"])]
    result = _Result({"references": 3, "statuses": {}, "errors": 0, "warnings": 0, "offline": True,
                      "requests": 0, "elapsed_seconds": 0.0, "lock": "", "endpoints": {},
                      "official_endpoints": True}, refs, [])
    result.official = True
    lines = format_text(result).splitlines()
    rows = lines[lines.index("References:") + 1:lines.index("References:") + 4]
    assert rows == ["  plain" + " " * 6 + "  not checked",  # the width of the longest, escaped
                    "  bad\\x1b[31m  verified via crossref\\x07",
                    "  b\\u202eidi   could not verify (a registry did not answer) (answered: pubmed)"]
    result.references = refs[:1]
    assert format_text(result).splitlines()[1] == "  plain  not checked"


# --------------------------------------------------------------------------- the collector

def _small_check(tmp_path):
    from citeproof.check import CheckOptions, run_check

    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text("# T\n\nSee [@a].\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text(
        "@article{a,\n  author = {A, B},\n  title = {T},\n  journal = {J},\n  year = {2020},\n"
        "  doi = {10.1000/a}\n}\n", encoding="utf-8")
    return run_check(CheckOptions(bib=tmp_path / "references.bib", docs=tmp_path / "docs",
                                  lock=tmp_path / "lock.json", offline=True))


def test_a_check_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    import gc

    def frozen(objects) -> bool:  # in the permanent generation: tracked, in no generation
        live = {id(o) for o in gc.get_objects()}
        return all(gc.is_tracked(o) and id(o) not in live for o in objects)

    assert gc.isenabled()
    assert [r.status for r in _small_check(tmp_path).references] == ["not-checked"]
    assert gc.isenabled()
    if gc.get_freeze_count() == 0:  # (an in-process site build may have frozen its objects)
        made = [[] for _ in range(3)]
        _small_check(tmp_path)
        assert gc.get_freeze_count() == 0 and not frozen(made)
    gc.disable()
    try:
        _small_check(tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept = [[] for _ in range(3)]  # what a site build freezes stays frozen
    gc.freeze()
    try:
        _small_check(tmp_path)
        assert frozen(kept) and gc.isenabled()
    finally:
        gc.unfreeze()
    assert not frozen(kept)


def test_bracket_depths_without_anything_to_skip_are_the_scanned_ones():
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choice(["[", "]", "[@a", "x", " ", "@", ";", "\n"]) for _ in range(rng.randint(1, 30)))
        scanner = _Scanner(text, "p.md")
        for j in range(len(text)):
            assert scanner.bracket_depths(j, len(text)) == scanner.scanned_depths(j, len(text)), text


def test_a_mistake_repeated_is_reported_each_time_with_its_own_line():
    doc = parse_citations("[@" * 3 + "\n\n" + "[@" * 2 + "\n\n[@a [@b\n[@a [@b", "p.md", 10)
    found = [(p.line, p.message.split(" is not closed")[0], p.message.split("locator, ")[1][:29])
             for p in doc.problems]
    next_on = "before the next '[' (line {})"
    end = "before the end of the paragra"
    assert found == [
        (11, "citation '[@'", next_on.format(11)), (11, "citation '[@'", next_on.format(11)),
        (11, "citation '[@'", end), (13, "citation '[@'", next_on.format(13)),
        (13, "citation '[@'", end), (15, "citation '[@a'", next_on.format(15)),
        (15, "citation '[@b'", next_on.format(16)), (16, "citation '[@a'", next_on.format(16)),
        (16, "citation '[@b'", end)]
