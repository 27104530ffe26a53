"""Bib loading: true line numbers for faults, duplicates, LaTeX, offline validation."""
from __future__ import annotations

import re

import pytest

from citeproof.bib import BibError, BibResult, load_bib, parse_bib_text, validate_references
from citeproof.model import require_identifiers
from citeproof.model import Author, Reference
from citeproof.bib.scan import Scanner
from scratch import FIXTURE

GOOD_BEFORE = "@article{before,\n  title = {Before},\n  year = {2019},\n}\n\n"
GOOD_AFTER = "\n@article{after,\n  title = {After},\n}\n"


def parse(text: str):
    return parse_bib_text(text, "refs.bib")


def only_problem(result, code="bib-syntax"):
    assert [p.code for p in result.problems] == [code], result.problems
    problem = result.problems[0]
    assert problem.file == "refs.bib" and problem.severity == "error"
    return problem


# Each broken entry sits between two good ones; "line" is where an editor must fix it
# (counted in the whole text, GOOD_BEFORE taking lines 1-5); "loads" tells whether the
# broken entry is still read (as if the missing character were where the message says).
SYNTAX_CASES = {
    "unclosed brace before other fields": (
        "@article{broken,\n  title = {Walking,\n  year = {2019},\n  journal = {J},\n}\n",
        7, ["'title'", "line 7", "'}'", "not closed"], True),
    "unclosed brace in the last field": (
        "@article{broken,\n  title = {Walking},\n  year = {2019,\n}\n", 8,
        ["'year'", "line 8", "not closed"], True),
    "entry never closed": (
        "@article{broken,\n  title = {Walking},\n  year = {2019},\n", 8,
        ["not closed", "after line 8"], True),
    "missing comma between fields": (
        "@article{broken,\n  title = {Walking}\n  year = {2019},\n}\n", 7,
        ["comma is missing", "'title'", "line 7"], True),
    "missing comma after the key": (
        "@article{broken\n  title = {Walking},\n}\n", 6, ["comma is missing", "'broken'"], True),
    "stray word": (
        "@article{broken,\n  title = {Walking},\n  oops\n  year = {2019},\n}\n", 8,
        ["'oops'", "remove the stray text"], True),
    "stray character after a value": (
        "@article{broken,\n  title = {Walking}.,\n  year = {2019},\n}\n", 7,
        ["'.'", "expected ','"], True),
    "stray character between fields": (
        "@article{broken,\n  title = {Walking},\n  ;\n  year = {2019},\n}\n", 8, ["';'"], True),
    "comment line inside the entry": (
        "@article{broken,\n  title = {Walking},\n  % year = {2018},\n  year = {2019},\n}\n", 8,
        ["'%' comment inside the entry 'broken'", "move it above the entry"], True),
    "missing key": (
        "@article{\n  title = {Walking},\n  year = {2019},\n}\n", 6, ["no citation key"], False),
    "empty key": ("@article{,\n  title = {Walking},\n}\n", 6, ["no citation key"], False),
    "unclosed quote": (
        '@article{broken,\n  title = "Walking,\n  year = {2019},\n}\n', 7,
        ["'\"'", "line 7", "not closed"], True),
    "field without value": (
        "@article{broken,\n  title = ,\n}\n", 7, ["'title' has no value", "not loaded"], False),
    "duplicate field": (
        "@article{broken,\n  title = {A},\n  title = {B},\n}\n", 8,
        ["'title' appears twice", "not loaded"], False),
}


@pytest.mark.parametrize("case", SYNTAX_CASES, ids=list(SYNTAX_CASES))
def test_syntax_fault_is_reported_at_its_true_line_and_other_entries_load(case, capsys):
    broken, line, words, loads = SYNTAX_CASES[case]
    result = parse(GOOD_BEFORE + broken + GOOD_AFTER)
    problem = only_problem(result)
    assert problem.line == line, problem.message
    for word in words:
        assert word in problem.message
    assert "stray" not in problem.message or "stray" in case
    assert list(result.references) == (["before", "broken", "after"] if loads else ["before", "after"])
    if loads:
        assert result.references["broken"].title == "Walking" and problem.key == "broken"
        if "year = {2019}" in broken:
            assert result.references["broken"].year == "2019"
    assert result.references["after"].line == GOOD_BEFORE.count("\n") + broken.count("\n") + 2
    assert capsys.readouterr() == ("", "")  # pybtex printed nothing


def test_extra_closing_brace_is_reported_and_the_entry_reads_on():
    result = parse("@article{a,\n  title = {A}},\n  year = {2019},\n}\n@article{b, title={B}}\n")
    problem = only_problem(result)
    assert problem.line == 2 and "ends the entry 'a' before its other fields" in problem.message
    assert "remove that extra brace" in problem.message
    assert result.references["a"].title == "A" and result.references["a"].year == "2019"
    assert "b" in result.references


def test_two_extra_braces_keep_what_came_before():
    result = parse("@article{a,\n  title = {A}},\n  year = {2019}},\n}\n@article{b, title={B}}\n")
    assert [p.line for p in result.problems] == [2]
    assert result.references["a"].title == "A" and result.references["a"].year == ""


# ------------------------------------------------ faults placed in the article fixture's bib

BIB_LINES = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n")


def mutated(edit) -> BibResult:
    lines = list(BIB_LINES)
    edit(lines)
    return parse_bib_text("\n".join(lines), "references.bib")


def test_unclosed_value_brace_is_reported_where_it_opened_and_nothing_vanishes():
    # the review's case: "note = {oops," as line 76, inside krein2013 (lines 75-86);
    # the entry's own '}' closes the note, and a '%' comment line (89) follows
    assert BIB_LINES[74] == "@article{krein2013," and BIB_LINES[87].startswith("%")
    result = mutated(lambda lines: lines.insert(75, "  note = {oops,"))
    (problem,) = result.problems
    assert (problem.code, problem.severity, problem.line, problem.key) == (
        "bib-syntax", "error", 76, "krein2013")
    assert "'{' of the field 'note' on line 76 is not closed" in problem.message
    assert "add the missing '}' at the end of its value on line 76" in problem.message
    assert "stray" not in problem.message and "'%'" not in problem.message
    assert list(result.references) == KEYS  # krein2013 itself and sculco2001 still load
    krein = result.references["krein2013"]
    assert krein.line == 75 and krein.pmcid == "PMC3758050" and krein.line_of("title") == 78
    assert result.references["sculco2001"].line == 90


def test_unclosed_value_brace_before_the_next_entry_does_not_take_it():
    # inside lamoth2006 (lines 63-73), whose end is followed by "@article{krein2013,"
    result = mutated(lambda lines: lines.insert(72, "  note = {oops,"))
    (problem,) = result.problems
    assert problem.line == 73 and "'note' on line 73 is not closed" in problem.message
    assert list(result.references) == KEYS
    assert result.references["krein2013"].line == 76


def edit_line(key: str, field_name: str, new):
    """``(0-based index, edit)``: replace the line of an entry's field (or "}" for its
    closing line, "last" for the line before it) by ``new(old line)``; None deletes it."""
    first = BIB_LINES.index(f"@article{{{key},")
    close = BIB_LINES.index("}", first)
    index = {"}": close, "last": close - 1}.get(field_name) or next(
        n for n in range(first, close) if BIB_LINES[n].lstrip().startswith(field_name))

    def edit(lines):
        if new is None:
            del lines[index]
        else:
            lines[index] = new(lines[index])
    return index, edit


# krein2013 is followed by a '%' comment line, suh2019 by the next @article, barzilay2016
# by the end of the file
PLACES = ["krein2013", "suh2019", "barzilay2016"]
FAULTS = {  # name -> (field line, its new text, words of the message, line offset)
    "unclosed year": ("year", lambda t: t.replace("},", ","),
                      ["'year'", "is not closed, so its value runs into the next fields",
                       "add the missing '}' at the end of its value on line {line}"], 0),
    "unclosed last field": ("last", lambda t: t.replace("},", ","),
                            ["is not closed, so it took the closing '}' of the @article",
                             "at the end of its value on line {line}"], 0),
    "title missing one brace": ("title", lambda t: t.replace("}},", "},"),
                                ["'title' on line {line} is not closed"], 0),
    "unclosed quote": ("year", lambda t: t.replace("{", '"').replace("}", ""),
                       ["the '\"' of the field 'year' on line {line} is not closed"], 0),
    "missing comma": ("year", lambda t: t.rstrip(","),
                      ["a comma is missing after the field 'year'", "on line {line}"], 0),
    "missing comma after the key": ("@article", lambda t: t.rstrip(","),
                                    ["a comma is missing after the key", "end of line {line}"], 0),
    "entry not closed": ("}", None, ["is not closed: add '}' after line {line}"], -1),
    "extra closing brace": ("year", lambda t: t.replace("},", "}},"),
                            ["the '}' on line {line} ends the entry", "remove that extra brace"], 0),
    "missing opening brace": ("year", lambda t: t.replace("{", ""),
                              ["the '}' on line {line} ends the entry", "add the '{'"], 0),
    "stray word": ("year", lambda t: "  oops\n" + t,
                   ["unexpected text 'oops'", "remove the stray text"], 0),
}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("fault", FAULTS)
def test_faults_in_the_project_bib_name_the_line_to_fix_and_keep_every_entry(fault, place):
    field_name, new, words, offset = FAULTS[fault]
    index, edit = edit_line(place, field_name, new)
    result = mutated(edit)
    (problem,) = result.problems
    line = index + 1 + offset
    assert (problem.code, problem.line, problem.key) == ("bib-syntax", line, place), problem.message
    for word in words:
        assert word.replace("{line}", str(line)) in problem.message
    assert "not loaded" not in problem.message
    assert list(result.references) == KEYS
    assert result.references[place].year == load_bib(FIXTURE / "references.bib").references[place].year


def test_a_field_without_value_is_not_loaded_but_the_next_entry_is():
    index, edit = edit_line("krein2013", "year", lambda t: "  year = ,")
    result = mutated(edit)
    (problem,) = result.problems
    assert problem.line == index + 1 and "not loaded" in problem.message
    assert [k for k in KEYS if k not in result.references] == ["krein2013"]


def test_comments_between_entries_are_not_faults():
    text = ("% unconfirmed: pages {and} doi = x\n@article{a, title={A}}\n"
            "free text between entries\n@comment{anything {here} = 1}\n@article{b, title={B}}\n")
    result = parse(text)
    assert result.problems == [] and list(result.references) == ["a", "b"]


def test_undefined_string_macro_is_a_problem_on_its_line():
    result = parse("@string{jer = {J Exerc Rehabil}}\n@article{a,\n  journal = jer,\n"
                   "  title = nosuch,\n}\n")
    problem = only_problem(result)
    assert problem.line == 4 and "'nosuch'" in problem.message and problem.key == "a"
    assert result.references["a"].journal == "J Exerc Rehabil"


def test_name_with_too_many_commas_points_at_the_author_field():
    result = parse("@article{a,\n  title = {T},\n  author = {A, B, C, D},\n}\n")
    problem = only_problem(result)
    assert problem.line == 3 and "too many commas" in problem.message


@pytest.mark.parametrize("second", ["suh2019", "Suh2019", "SUH2019"])
def test_duplicate_keys_name_both_lines_and_keep_the_first(second):
    text = f"@article{{suh2019,\n  title = {{First}},\n}}\n\n@article{{{second},\n  title = {{Second}},\n}}\n"
    result = parse(text)
    problem = only_problem(result, "duplicate-key")
    assert problem.line == 5 and "line 1" in problem.message and "line 5" in problem.message
    assert ("differ only in case" in problem.message) is (second != "suh2019")
    assert ("exact key 'suh2019'" in problem.message) is (second != "suh2019")
    assert "case-insensitive" not in problem.message
    assert list(result.references) == ["suh2019"]
    assert result.references["suh2019"].title == "First"
    assert list(result.data.entries) == ["suh2019"]


def test_reference_fields_are_decoded_and_located():
    text = r"""@Article{x2020,
  author = {Villafa{\~n}e, J. H. and M{\"u}ller, Hyun-Jung and van der Berg, Jr, Anna and {World Health Organization}},
  title = {{DNA} and Caf{\'e} walking: a {RCT} -- part~2},
  journal = {J {\"O}sterr Med},
  year = 2020, volume = "14", number = {3},
  pages = {786--792},
  doi = {https://doi.org/10.1000/X.1},
  pubmed = {123},
  pmcid = {6616307},
  url = {https://example.org/a},
}
"""
    result = parse(text)
    ref = result.references["x2020"]
    assert ref.entry_type == "article" and ref.line == 1 and ref.file == "refs.bib"
    assert ref.authors == (Author("Villafañe", "J. H."), Author("Müller", "Hyun-Jung"),
                           Author("van der Berg", "Anna"), Author("World Health Organization", "", corporate=True))
    assert ref.title == "DNA and Café walking: a RCT – part\u00a02"
    assert ref.journal == "J Österr Med"
    assert (ref.year, ref.volume, ref.number, ref.pages) == ("2020", "14", "3", "786-792")
    assert (ref.doi, ref.pmid, ref.pmcid, ref.url) == ("10.1000/X.1", "123", "PMC6616307",
                                                       "https://example.org/a")
    assert ref.line_of("title") == 3 and ref.line_of("pages") == 6 and ref.line_of("pubmed") == 8
    assert [p.code for p in result.problems] == ["invalid-doi"]
    assert result.problems[0].severity == "warning" and result.problems[0].line == 7


def test_a_bare_percent_sign_does_not_cut_the_title():
    ref = parse("@article{a, title = {50% of patients and 10\\% more}}\n").references["a"]
    assert ref.title == "50% of patients and 10% more"


def test_identifier_none_marks_a_reference_without_doi_or_pmid():
    ref = parse("@article{s, title={T}, identifier = {none}}\n@article{t, title={T}}\n").references
    assert ref["s"].no_identifier is True and ref["t"].no_identifier is False


def test_empty_text_has_no_entries_and_no_problems():
    result = parse("")
    assert result.references == {} and result.problems == [] and len(result.data.entries) == 0


def test_load_bib_reads_utf8_and_names_the_file(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("\ufeff@article{a, title = {Villafañe}}\n", encoding="utf-8")
    result = load_bib(path, label="docs/refs.bib")
    assert result.references["a"].title == "Villafañe" and result.file == "docs/refs.bib"
    assert result.references["a"].file == "docs/refs.bib"


def test_load_bib_missing_file(tmp_path):
    with pytest.raises(BibError, match=r"nosuch\.bib: the bib file does not exist") as info:
        load_bib(tmp_path / "nosuch.bib")
    assert "citeproof `bib_file`" in str(info.value) and "--bib" in str(info.value)


def test_load_bib_directory(tmp_path):
    with pytest.raises(BibError, match="cannot be read"):
        load_bib(tmp_path)


def test_load_bib_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.bib"
    path.write_bytes("@article{a,\n  title = {Villafañe},\n}\n".encode("latin-1"))
    with pytest.raises(BibError, match=r"latin1\.bib:2: .*not UTF-8.*save it as UTF-8"):
        load_bib(path)


# ---------------------------------------------------------------- validate_references

def ref(**kw) -> Reference:
    base = dict(key="k", entry_type="article", file="refs.bib", line=10, title="T",
                authors=(Author("Suh", "JH"),), journal="J", year="2019", doi="10.1000/x",
                field_lines=(("doi", 12), ("pmid", 13), ("url", 14), ("pmcid", 15),
                             ("identifier", 16)))
    base.update(kw)
    return Reference(**base)


def codes(problems):
    return [(p.code, p.severity, p.line, p.field) for p in problems]


def test_a_complete_reference_has_no_problems():
    assert validate_references({"k": ref(pmid="31261549", pmcid="PMC6616307",
                                         url="https://example.org")}) == []


@pytest.mark.parametrize("changes, expected", [
    (dict(doi="", pmid=""), [("missing-identifier", "warning", 12, "doi")]),
    (dict(doi="", no_identifier=True, url="https://search.pedro.org.au/x"),
     [("missing-identifier", "warning", 16, "identifier")]),
    (dict(doi="10.12/x"), [("invalid-doi", "error", 12, "doi")]),
    (dict(doi="doi:10.1000/x"), [("invalid-doi", "warning", 12, "doi")]),
    (dict(pmid="0123"), [("invalid-pmid", "error", 13, "pmid")]),
    (dict(pmcid="PMCx"), [("invalid-pmid", "warning", 15, "pmcid")]),
    (dict(url="javascript:alert(1)"), [("invalid-url", "error", 14, "url")]),
    (dict(doi="", no_identifier=True, url="javascript:alert(1)"),
     [("missing-identifier", "warning", 16, "identifier"), ("invalid-url", "error", 14, "url")]),
    (dict(title=""), [("missing-field", "warning", 10, None)]),
    (dict(authors=(), journal=""), [("missing-field", "warning", 10, None)] * 2),
    (dict(entry_type="misc", journal="", year=""), []),
])
def test_validate_references_codes(changes, expected):
    problems = validate_references({"k": ref(**changes)})
    assert codes(problems) == expected
    assert all(p.key == "k" and p.file == "refs.bib" and "k:" in p.message for p in problems)


def test_a_site_that_requires_identifiers_makes_their_absence_an_error():
    """Valid BibTeX without a DOI is a warning; ``require_identifier`` (this project's
    article) makes it an error, but not a reference marked ``identifier = {none}``."""
    problems = validate_references({"a": ref(key="a", doi=""), "b": ref(key="b", doi="", no_identifier=True)})
    assert [p.severity for p in problems] == ["warning", "warning"]
    assert [p.severity for p in require_identifiers(problems)] == ["error", "warning"]
    assert require_identifiers(problems, required=False) == problems


def test_marked_reference_names_the_url_to_check():
    (problem,) = validate_references({"k": ref(doi="", no_identifier=True, url="https://x.org/1")})
    assert "https://x.org/1" in problem.message and "by hand" in problem.message


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/1", "www.x.org/1"])
def test_marked_reference_never_names_a_url_that_is_not_http(url):
    problems = validate_references({"k": ref(doi="", no_identifier=True, url=url)})
    (problem,) = [p for p in problems if p.code == "missing-identifier"]
    assert url not in problem.message and "no usable url" in problem.message


def test_marked_reference_without_url_asks_for_one():
    (problem,) = validate_references({"k": ref(doi="", no_identifier=True, url="")})
    assert "add a url of a public record" in problem.message


def test_missing_field_messages_name_the_field():
    problems = validate_references({"k": ref(authors=(), year="")})
    assert ["author" in problems[0].message, "year" in problems[1].message] == [True, True]


# Per type: the fields of a complete entry (the required ones, as the table lists them).
COMPLETE = {
    "article": dict(author="A, B", title="T", journal="J", year="2000"),
    "book": dict(editor="E, F", title="T", publisher="P", year="2000"),
    "incollection": dict(author="A, B", title="T", booktitle="B", publisher="P", year="2000"),
    "inbook": dict(author="A, B", title="T", publisher="P", year="2000"),
    "online": dict(title="T", url="https://example.org"),
    "phdthesis": dict(author="A, B", title="T", school="S", year="2000"),
    "techreport": dict(author="A, B", title="T", institution="I", year="2000"),
}


def typed_entry(entry_type: str, drop: str = "", **extra) -> str:
    """The entry on line 2 (a comment on line 1), without the field ``drop``."""
    fields = {**COMPLETE[entry_type], **extra, **({} if entry_type == "online" else {"doi": "10.1000/x"})}
    body = ",\n  ".join(f"{name} = {{{value}}}" for name, value in fields.items() if name != drop)
    return f"%\n@{entry_type}{{k,\n  {body},\n}}\n"


def missing(text: str):
    return [(p.line, p.message, p.file) for p in validate_references(parse(text).references)
            if p.code == "missing-field"]


@pytest.mark.parametrize("entry_type", COMPLETE)
def test_each_type_with_its_required_fields_has_no_missing_field(entry_type):
    assert missing(typed_entry(entry_type)) == []


@pytest.mark.parametrize("entry_type, name", [
    (t, name) for t, fields in COMPLETE.items() for name in fields])
def test_each_required_field_missing_is_named_with_the_entry_line(entry_type, name):
    problems = missing(typed_entry(entry_type, drop=name))
    if entry_type in ("book", "inbook", "incollection") and name in ("author", "editor"):
        message = (f"k: the @{entry_type} has neither author nor editor, so its reference lacks it: "
                   "add author = {...} or editor = {...}")
    elif entry_type == "online" and name == "url":
        message = ("k: the @online has neither url nor eprint nor doi, so its reference lacks it: "
                   "add url = {...} or eprint = {...} or doi = {...}")
    else:
        message = f"k: the @{entry_type} has no {name}, so its reference lacks it: add {name} = {{...}}"
    assert problems == [(2, message, "refs.bib")]


@pytest.mark.parametrize("entry_type", ["book", "inbook"])
def test_a_book_needs_an_author_or_an_editor(entry_type):
    assert missing(typed_entry(entry_type, drop="editor", author="A, B")) == []
    assert missing(typed_entry(entry_type, drop="author", editor="E, F")) == []
    neither = typed_entry(entry_type, drop="editor" if entry_type == "book" else "author")
    assert [m for _, m, _ in missing(neither)] == [
        f"k: the @{entry_type} has neither author nor editor, so its reference lacks it: add author = "
        "{...} or editor = {...}"]


def test_a_miscellaneous_work_needs_nothing():
    """BibTeX requires nothing of @misc (nor of @unpublished, set as one)."""
    assert missing("@misc{k}\n") == []
    assert missing("@unpublished{k, doi = {10.1000/x}}\n") == []


@pytest.mark.parametrize("text", ["@online{k, author = {A, B}, title = {T}, date = {2021}, eprint = {2101.00001},"
                                  " eprinttype = {arxiv}}\n",
                                  "@online{k, title = {T}, doi = {10.1000/x}}\n",
                                  "@online{k, title = {T}, url = {https://x.org/}}\n"])
def test_a_web_page_needs_a_url_an_eprint_or_a_doi(text):
    assert missing(text) == []


def test_an_empty_required_value_counts_as_missing():
    assert [m for _, m, _ in missing(typed_entry("article", title=" "))] == [
        "k: the @article has no title, so its reference lacks it: add title = {...}"]


def test_pubmed_alias_line_is_used_for_pmid_problems():
    text = "@article{a,\n  title = {T}, author = {A, B}, journal = {J}, year = 2000,\n  pubmed = {x1},\n}\n"
    problems = validate_references(parse(text).references)
    assert codes(problems) == [("invalid-pmid", "error", 3, "pubmed")]


# ---------------------------------------------------------------- the article fixture's bib

# the frozen fixture's keys (tests/fixtures/article), in its order
KEYS = ("suh2019 kim2017 lee2016 bozorgmehr2018 lamoth2006 krein2013 sculco2001 callaghan1999 "
        "lee2014 gordon2016 descarreaux2002 stankovic2012 fahmy2019 paolucci2019 barzilay2016").split()


def test_fixture_bib_loads_cleanly_in_article_order():
    result = load_bib(FIXTURE / "references.bib", label="references.bib")
    assert result.problems == []
    assert list(result.references) == KEYS
    problems = validate_references(result.references)
    assert codes(problems) == [("missing-identifier", "warning",
                                result.references["stankovic2012"].line_of("identifier"),
                                "identifier")]
    stankovic = result.references["stankovic2012"]
    assert stankovic.no_identifier and not stankovic.doi and not stankovic.pmid
    assert stankovic.url == "https://search.pedro.org.au/search-results/record-detail/33914"
    assert result.references["bozorgmehr2018"].authors[-1] == Author("Villafañe", "J. H.")
    assert result.references["fahmy2019"].pmid == ""
    assert result.references["gordon2016"].authors[0].family == "Gordon"
    assert result.references["gordon2016"].journal == "Healthcare (Basel)"


_VALUE_DIALECTS = r"""
@string{jn = "Journal " # {of} # " Tests"}
@article{spans1,
  Author = {M{\"u}ller, Hans and {World Health Organization} and van der Berg, Jr, Piet},
  TITLE = "A {Quoted} title   with
           a line break",
  journal = jn # { (Online)},
  year = 2020, month = jun,
  editor = {},
  pages = {1--9}, note = {a # in braces},
}
@book(parens, title = {In parentheses}, year = {1999})
@inproceedings{child, author = {Kid, A.}, title = {Part}, crossref = {Proc2020}, year = 2020}
@proceedings{proc2020, title = {Whole}, booktitle = {Proceedings of Things},
  editor = {Ed, Itor}, publisher = {Pub}, year = {2020}}
"""


def test_entries_built_from_spans_equal_what_pybtex_parses():
    """The loader builds pybtex entries from the scanner's spans: each must be what
    pybtex's own parser makes of the same text (values, names, order, case)."""
    from pybtex.database.input.bibtex import Parser

    ours = parse_bib_text(_VALUE_DIALECTS, "d.bib")
    assert ours.problems == []
    theirs = Parser().parse_string(_VALUE_DIALECTS)
    assert list(ours.data.entries.keys()) == list(theirs.entries.keys())
    for key, entry in theirs.entries.items():
        mine = ours.data.entries[key]
        assert mine.original_type == entry.original_type
        if key == "child":  # crossref inheritance adds the parent's fields to ours
            continue
        assert list(mine.fields.items()) == list(entry.fields.items()), key
        assert {r: [str(p) for p in ps] for r, ps in mine.persons.items()} == \
               {r: [str(p) for p in ps] for r, ps in entry.persons.items()}, key
    assert ours.references["spans1"].journal == "Journal of Tests (Online)"
    assert ours.references["child"].field("publisher") == "Pub"


def test_every_kind_of_white_space_is_collapsed_as_pybtex_collapses_it():
    """The spans' values collapse white space as pybtex's parser does, for every character
    Unicode calls white space (and one that it does not: the zero-width space)."""
    import sys
    from pybtex.database.input.bibtex import Parser

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] + ["\u200b"]
    text = "".join(f"@misc{{k{i}, note = {{{c}a{c}{c} b {c}}}, title = {{x{c}}}}}\n" for i, c in enumerate(spaces))
    ours, theirs = parse_bib_text(text, "w.bib"), Parser().parse_string(text)
    for key, entry in theirs.entries.items():
        assert list(ours.data.entries[key].fields.items()) == list(entry.fields.items()), repr(key)


def test_loading_without_pybtex_entries_gives_the_same_references_and_problems():
    text = _VALUE_DIALECTS + "@article{bad, title = {x}\n  year = {2020}}\n"
    full, light = parse_bib_text(text, "d.bib"), parse_bib_text(text, "d.bib", entries=False)
    assert light.references == full.references and light.problems == full.problems
    assert len(full.data.entries) == 5 and len(light.data.entries) == 0


def test_pybtex_reading_past_an_error_adds_no_phantom_entry_or_string():
    """After a syntax error pybtex reads on from the next '@', even one inside a value
    (data): what it finds there must not become an entry or a @string."""
    text = ("@article{k, year = ٢٠٢٠, note = {a\n@misc{ghost, title = {Phantom}} b}}\n"
            "@article(ghost, title = {Real})\n")
    full, light = parse_bib_text(text, "g.bib"), parse_bib_text(text, "g.bib", entries=False)
    for result in (full, light):
        assert result.references["ghost"].title == "Real"
        assert not any("repeated" in p.message for p in result.problems)
    assert full.data.entries["ghost"].fields["title"] == "Real"
    text = "@article{k, year = ٢٠٢٠, note = {a\n@string{jn = {Phantom J}} b}}\n@article{z, journal = jn}\n"
    (undefined,) = [p for p in parse_bib_text(text, "g.bib").problems if "'jn'" in p.message]
    assert "not a defined @string" in undefined.message
    ok = parse_bib_text("@string{jn = {Real J}}\n@article{z, journal = jn}\n", "g.bib")
    assert ok.references["z"].journal == "Real J" and ok.problems == []


@pytest.mark.parametrize("value", ["{C# " + "a" * 100_001 + "}", "1" * 100_001, '"' + "b" * 100_001 + '"'])
def test_a_long_value_without_a_string_name_is_loaded(value, monkeypatch):
    """Only @string concatenation can expand past the file: a long literal is loaded, by
    either scanner path."""
    text = "@article{k, abstract = " + value + "}\n"
    quick = parse_bib_text(text, "l.bib")
    monkeypatch.setattr(Scanner, "QUICK", False)
    full = parse_bib_text(text, "l.bib")
    assert list(quick.references) == list(full.references) == ["k"]
    assert quick.problems == full.problems == []


# ---------------------------------------------------------------- what other projects' bibs hold

def test_a_percent_comments_out_an_entry_as_biber_reads_it():
    """``%@article{...}`` is no entry (biber's reading; a biblatex bib means it so), and a
    ``%`` inside a value is data."""
    text = ("%@article{old, title = {Commented out}}\n  % @book{older, title = {Also}\n"
            "@article{new, title = {A%B}, url = {https://x.org/a%20b}} @misc{next, title = {N}}\n")
    result = parse(text)
    assert list(result.references) == ["new", "next"] and result.problems == []
    assert result.references["new"].title == "A%B"


def test_a_short_doi_is_a_warning_and_never_asked_about():
    result = parse("@article{a, author = {A, B}, title = {T}, journal = {J}, year = 2000, doi = {fg6rf9}}\n"
                   "@article{b, author = {A, B}, title = {T}, journal = {J}, year = 2000, doi = {10/aabbe}}\n")
    assert [r.doi for r in result.references.values()] == ["", ""]  # (nothing for a registry)
    problems = validate_references(result.references)
    assert codes(problems) == [("invalid-doi", "warning", 1, "doi"), ("invalid-doi", "warning", 2, "doi")]
    assert "https://doi.org/fg6rf9" in problems[0].message and "shortDOI" in problems[0].message


def test_every_key_bibtex_reads_is_read():
    result = parse("@misc{a(b), title = {X}}\n@misc{Anonymous:TB21-2-, title = {Y}}\n@misc(c, title = {Z})\n")
    assert list(result.references) == ["a(b)", "Anonymous:TB21-2-", "c"] and result.problems == []


def test_an_unknown_type_is_a_warning_and_set_as_misc():
    result = parse("@whitepaper{w, title = {White}, year = 2020}\n@artwork{g, title = {Art}}\n")
    problems = [p for p in validate_references(result.references) if p.code == "unknown-type"]
    assert [(p.key, p.severity, p.line) for p in problems] == [("w", "warning", 1)]  # (@artwork is biblatex's)
    assert "miscellaneous" in problems[0].message
    assert result.references["w"].kind == "misc"


def test_biblatex_fields_are_read_as_their_bibtex_twins():
    result = parse("@article{s, author = {A, B}, title = {Main}, subtitle = {Sub},\n"
                   "  journaltitle = {J Name}, date = {2019-06-15/2019-07}, location = {Paris}}\n")
    ref = result.references["s"]
    assert (ref.title, ref.journal, ref.year) == ("Main: Sub", "J Name", "2019")
    assert (ref.field("month"), ref.field("day"), ref.field("address")) == ("6", "15", "Paris")
    assert ref.line_of("year") == 2 and ref.line_of("address") == 2


# ---------------------------------------------------------------- one work under two keys

def _dup(text: str):
    from citeproof.bib.checks import duplicate_works
    return [(p.code, p.severity, p.key, p.line, p.field) for p in duplicate_works(parse(text).references)]


def test_a_copied_entry_under_another_key_is_an_error_naming_both():
    entry = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n@")[1]
    copy = "@" + entry.replace("suh2019,", "suh2019b,", 1)
    text = "@" + entry + "\n" + copy + "\n"
    found = _dup(text)
    assert [(code, severity, key, fname) for code, severity, key, _, fname in found] == [
        ("duplicate-work", "error", "suh2019b", "doi")]
    from citeproof.bib.checks import duplicate_works
    (problem,) = duplicate_works(parse(text).references)
    assert "'suh2019' (line 1)" in problem.message and "10.1097/MD.0000000000016173" in problem.message


@pytest.mark.parametrize("second, why", [
    ("@article{b, author = {Suh, J}, title = {Other}, journal = {J}, year = 2019, pmid = {31261549}}", "pmid"),
    ("@article{b, author = {Suh, J}, title = {Other}, journal = {J}, year = 2019, pmcid = {pmc6616307}}", "pmcid"),
    ("@article{b, author = {Suh, Jee}, title = {THE EFFECT of walking!}, journal = {J}, year = 2019}", "title"),
])
def test_the_same_pmid_pmcid_or_title_year_and_author_is_one_work(second, why):
    first = ("@article{a, author = {Suh, J}, title = {The effect of walking}, journal = {J}, year = 2019,"
             " pmid = {31261549}, pmcid = {PMC6616307}}\n")
    assert [(key, fname) for _, _, key, _, fname in _dup(first + second + "\n")] == [("b", why)]


@pytest.mark.parametrize("second", [
    # a recurring column: one title, year and author, another issue
    "@article{b, author = {Anonymous}, title = {Official announcements}, journal = {TUGboat}, year = 1981,"
    " number = 3, pages = {3--4}}",
    # a chapter carrying its book's DOI
    "@incollection{b, author = {Lewin, K}, title = {Group decision}, booktitle = {Reader}, year = 1999,"
    " pages = {265--284}, doi = {10.1037/10319-000}}",
    # the same title as an article and as a preprint
    "@online{b, author = {Anonymous}, title = {Official announcements}, year = 1981, eprint = {1234.5678}}",
])
def test_works_something_tells_apart_are_not_duplicates(second):
    first = ("@article{a, author = {Anonymous}, title = {Official announcements}, journal = {TUGboat},"
             " year = 1981, number = 2, pages = {3--4}}\n"
             "@book{c, editor = {Gold, M}, title = {Reader}, year = 1999, doi = {10.1037/10319-000}}\n")
    assert _dup(first + second + "\n") == []


def test_a_duplicate_work_is_an_error_only_once_both_keys_are_cited():
    from citeproof.bib.checks import duplicate_works, same_works
    entry = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n@")[1]
    refs = parse("@" + entry + "\n@" + entry.replace("suh2019,", "suh2019b,", 1) + "\n").references
    assert same_works(refs) == [("suh2019b", "suh2019", "doi")]

    def graded(cited):
        return [(p.key, p.severity) for p in duplicate_works(refs, cited)]
    assert graded(None) == graded({"suh2019", "suh2019b", "other"}) == [("suh2019b", "error")]
    assert graded({"suh2019"}) == graded({"suh2019b"}) == graded(set()) == [("suh2019b", "warning")]
    (warning,) = duplicate_works(refs, {"suh2019"})
    assert "citing both is an error" in warning.message and "'suh2019' (line 1)" in warning.message


def test_two_later_copies_of_a_work_cited_together_are_errors_though_the_first_is_not_cited():
    """A work held three times, the page citing the second and the third: the third is an
    error naming the second (the first entry, uncited, is not what the reader sees twice)."""
    from citeproof.bib.checks import duplicate_works
    entry = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n@")[1]
    refs = parse("\n".join("@" + entry.replace("suh2019,", f"{key},", 1) for key in ("a", "b", "c")) + "\n").references
    found = [(p.key, p.severity, re.search(r"as '(\w+)'", p.message).group(1)) for p in duplicate_works(refs, {"b", "c"})]
    assert found == [("c", "error", "b")]
    assert all("both have the DOI" in p.message for p in duplicate_works(refs, {"b", "c"}))
    assert [(p.key, p.severity) for p in duplicate_works(refs, {"a"})] == [("b", "warning"), ("c", "warning")]


def test_an_entry_sharing_two_identities_with_two_entries_joins_all_three():
    """``d`` has a DOI, ``e`` a PMID, ``f`` both: one work; a page citing ``d`` and ``e``
    (which share no identity) cites it twice, said through the entry that joins them."""
    from citeproof.bib.checks import duplicate_works, same_works
    bib = ("@article{d, author = {Lee, K}, title = {Run}, journal = {J}, year = 2020, doi = {10.1000/run}}\n"
           "@article{e, author = {Lee, K}, title = {Running}, journal = {J}, year = 2020, pmid = {31261549}}\n"
           "@article{f, author = {Lee, K}, title = {Run}, journal = {J}, year = 2020, doi = {10.1000/run},"
           " pmid = {31261549}}\n")
    refs = parse(bib).references
    assert [(k, o, f) for k, o, f in same_works(refs)] == [("f", "d", "doi"), ("f", "e", "pmid")]
    assert [(p.key, p.severity) for p in duplicate_works(refs, {"d", "e"})] == [("e", "error"), ("f", "warning")]
    assert "as 'd'" in duplicate_works(refs, {"d", "e"})[0].message
    (problem,) = duplicate_works(refs, {"d", "f"})
    assert (problem.key, problem.severity) == ("f", "error") and "as 'd'" in problem.message
    (problem,) = duplicate_works(refs, {"e", "f"})
    assert (problem.key, problem.severity) == ("f", "error") and "both have the PMID 31261549" in problem.message


def test_a_shared_bib_holding_a_work_twice_passes_while_one_key_is_cited(scratch):
    entry = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n@")[1]
    bib = "@" + entry + "\n\n@" + entry.replace("suh2019,", "suh2019b,", 1) + "\n"
    scratch.write(page="# T\n\nOne [@suh2019].\n", bib=bib)
    check = scratch.citeproof("check", "--offline")
    assert check.returncode == 0 and "warning [duplicate-work] suh2019b" in check.stdout, check.stdout
    build = scratch.build("--strict")
    assert build.returncode == 0, build.stderr[-2000:]
    # two pages, one key each: the site cites the work under both keys
    scratch.write(page={"index.md": "# T\n\nOne [@suh2019].\n", "two.md": "# U\n\nTwo [@suh2019b].\n"})
    build = scratch.build("--strict")
    assert build.returncode != 0 and "the same work as 'suh2019'" in build.stderr
    check = scratch.citeproof("check", "--offline")
    assert check.returncode == 1 and "error [duplicate-work] suh2019b" in check.stdout
    # a --dirty build reads only the changed page: it cannot tell, so it says nothing of it
    (scratch.docs / "two.md").write_text("# U\n\nTwo [@suh2019b], again.\n", encoding="utf-8")
    dirty = scratch.build("--dirty")
    assert dirty.returncode == 0 and "duplicate-work" not in dirty.stderr, dirty.stderr[-2000:]


def test_a_duplicate_work_fails_the_check_and_the_strict_build(scratch):
    entry = (FIXTURE / "references.bib").read_text(encoding="utf-8").split("\n@")[1]
    bib = "@" + entry + "\n\n@" + entry.replace("suh2019,", "suh2019b,", 1) + "\n"
    scratch.write(page="# T\n\nOne [@suh2019], two [@suh2019b].\n", bib=bib)
    check = scratch.citeproof("check", "--offline")
    assert check.returncode == 1 and "error [duplicate-work] suh2019b" in check.stdout
    build = scratch.build("--strict")
    assert build.returncode != 0 and "the same work as 'suh2019'" in build.stderr
