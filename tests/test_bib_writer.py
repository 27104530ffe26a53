"""The bib editor's validated writer (bib/editor.py: ``written``, ``write_field``,
``add_entry``, ``rebuild_entry``) and the values ``add`` and ``fix`` build from records
(editing/entry.py): identifiers through their syntax checks, text through the TeX writer,
nothing a registry sends can add a field, close an entry or start another."""
from __future__ import annotations

import pybtex.database
import pytest
from replay import Recordings

from citeproof.bib import parse_bib_text
from citeproof.bib.editor import BibEditor, Value, ValueRefused, written
from citeproof.editing.entry import pages_of, values_from
from citeproof.model import Author, Record
from citeproof.registries import crossref
from citeproof.text import from_markup, from_plain, from_tex

BIB = "@article{old,\n  title = {Old},\n  doi = {10.1/old},\n}\n"
RETRIEVED = "2026-01-05T10:00:00Z"


def fields_of(text: str, key: str) -> list[str]:
    return list(pybtex.database.parse_string(text, "bibtex").entries[key].fields.keys())


# --------------------------------------------------------------------------- identifiers

@pytest.mark.parametrize("name, value", [
    ("doi", "10.5555/x},note={injected"), ("doi", "10.5555/x}\n@misc{evil,"),
    ("doi", "@misc{evil, title={x}}"), ("doi", "see-the-publisher<script>"), ("doi", "10.5555/a\\input{x}"),
    ("doi", "10.5555/\u200bx"), ("pmid", "123},url={javascript:alert(1)"), ("pmid", "0123"),
    ("pmcid", "PMC1},url={javascript:alert(1)}"), ("pmcid", "javascript:alert(1)"),
    ("url", "javascript:alert(1)"), ("url", "https://e.org/a}b"), ("year", "2019},note={x"),
])
def test_an_identifier_that_is_not_one_is_refused_naming_who_sent_it(name, value):
    with pytest.raises(ValueRefused, match=f"PubMed sent a {name} that is not one"):
        written(name, Value(value, "PubMed"))


@pytest.mark.parametrize("name, value, out", [
    ("doi", " 10.1002/1096-9861(20010212)430:3<283::aid-cne1031>3.0.co;2-v ",
     "10.1002/1096-9861(20010212)430:3<283::aid-cne1031>3.0.co;2-v"),
    ("pmid", "31261549", "31261549"), ("pmcid", "pmc6616307", "PMC6616307"), ("year", "2019", "2019"),
])
def test_identifiers_that_are_ones_are_written_as_they_are(name, value, out):
    assert written(name, Value(value, "Crossref")) == out


# --------------------------------------------------------------------------- text

@pytest.mark.parametrize("value", [
    "x},note={injected", "}\n@misc{evil, title={", "\\input{/etc/passwd}", "a\x1b[31mred\x07", "{{{", "}}}",
    "50% of $5 & #1_x ~ ^",
])
def test_text_is_escaped_balanced_and_clean(value):
    for name in ("title", "journal", "volume", "number", "pages"):
        tex = written(name, Value(value, "Crossref"))
        entry = f"@article{{k,\n  {name} = {{{tex}}},\n}}\n"
        assert fields_of(entry, "k") == [name]  # one field: the value never closes it
        assert "\x1b" not in tex and "\x07" not in tex
        assert from_tex(tex).plain() == from_plain(value).plain()  # reads back as the text, controls gone


def test_markup_is_written_as_latex_that_reads_back_as_the_record():
    title = from_markup("Effect of the <i>Staphylococcus aureus</i> toxin on BiFeO<sub>3</sub> &amp; "
                        "<mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math>")
    tex = written("title", Value(title, "Crossref"))
    assert tex == (r"Effect of the \textit{Staphylococcus aureus} toxin on {BiFeO\textsubscript{3}} \& $x^{2}$")
    assert from_tex(tex).plain() == title.plain() and from_tex(tex).html() == title.html()


def test_names_cannot_split_the_list_and_organisations_stay_whole():
    people = (Author("Smith and Jones", "A"), Author("Doe, Jr", "B."), Author("World Health Organization"),
              Author("O}Brien", "C{"))
    tex = written("author", Value(people, "Crossref"))
    assert tex == (r"{Smith and Jones}, A and {Doe, Jr}, B. and {World Health Organization} and "
                   r"O\textbraceright{}Brien, C\textbraceleft{}")  # a lone brace: no brace of its own
    entry = pybtex.database.parse_string(f"@article{{k, author = {{{tex}}}}}", "bibtex").entries["k"]
    assert len(entry.persons["author"]) == 4


def test_a_page_range_is_written_with_two_dashes():
    assert written("pages", Value(("786", "792"), "PubMed")) == "786--792"
    assert written("pages", Value("04E109", "Crossref")) == "04E109"


# --------------------------------------------------------------------------- the editor

def test_write_field_refuses_and_changes_nothing():
    ed = BibEditor(BIB, "t.bib")
    with pytest.raises(ValueRefused, match="Crossref sent a doi"):
        ed.write_field("old", "doi", Value("10.1/x},note={y", "Crossref"))
    assert ed.text == BIB
    ed.write_field("old", "title", Value("New }, note = {x", "Crossref"))
    assert fields_of(ed.text, "old") == ["title", "doi"]


def test_add_entry_writes_exactly_the_fields_and_leaves_out_what_it_refuses():
    ed = BibEditor(BIB, "t.bib")
    refused = ed.add_entry("new", "article", {
        "title": Value("A title}, note = {evil", "Crossref"), "year": Value("2020", "Crossref"),
        "doi": Value("10.5555/x},note={injected", "PubMed"), "pmcid": Value("PMC1},url={javascript:x}", "PubMed")})
    assert fields_of(ed.text, "new") == ["title", "year"]
    assert len(refused) == 2 and all("PubMed sent a" in r for r in refused)
    assert fields_of(ed.text, "old") == ["title", "doi"] and ed.text.startswith(BIB)


def test_rebuild_entry_keeps_the_fields_asked_as_they_were_written():
    bib = '@misc{p,\n  title = {Preprint},\n  note = "posted",\n  keywords = {a} # {b},\n  doi = {10.1/p},\n}\n'
    ed = BibEditor(bib, "t.bib")
    ed.rebuild_entry("p", "article", {"title": Value("Published", "Crossref"), "doi": Value("10.1000/j", "Crossref")},
                     ["keywords"])
    assert ed.text == ("@article{p,\n  title    = {Published},\n  doi      = {10.1000/j},\n"
                       "  keywords = {a} # {b},\n}\n")


# --------------------------------------------------------------------------- values from records

RECORDINGS = Recordings()


def recorded(doi: str) -> Record:
    return crossref.parse_work(RECORDINGS.work(doi).item, doi, RETRIEVED)


def entry_from(records: list[Record]) -> str:
    ed = BibEditor("", "t.bib")
    assert ed.add_entry("k", "article", values_from(records)) == []
    return ed.text


def test_pages_keep_their_case_and_medline_ranges_are_spelt_out():
    assert pages_of(recorded("10.1116/1.4886095")) == "04E109"
    assert pages_of(Record("pubmed", "1", RETRIEVED, pages="188-91")) == ("188", "191")
    assert pages_of(Record("crossref", "10.1/x", RETRIEVED, pages="E550-556")) == ("E550", "556")
    assert pages_of(Record("pubmed", "1", RETRIEVED, pages="e00562-20")) == "e00562-20"  # an article id
    assert pages_of(Record("crossref", "10.1/x", RETRIEVED, pages="e16173", article_number="e16173")) == "e16173"
    assert "pages   = {04E109}" in entry_from([recorded("10.1116/1.4886095")])


def test_the_journal_is_the_full_title_without_pubmed_never_crossrefs_short_title():
    text = entry_from([recorded("10.1017/s0376892913000179")])  # short-container-title "Envir. Conserv."
    assert "journal = {Environmental Conservation}" in text and "Envir. Conserv." not in text
    pubmed = Record("pubmed", "1", RETRIEVED, title="T.", journal="Environmental conservation",
                    journal_abbrev="Environ Conserv", pmid="1")
    text = entry_from([recorded("10.1017/s0376892913000179"), pubmed])
    assert "journal = {Environ Conserv}" in text


@pytest.mark.parametrize("doi, title", [
    ("10.1002/etep.2028", "Harmonic interaction of the unified power flow controller with the electrical network"),
    ("10.1002/kin.20537", r"Kinetics of the substitution reactions of some {Pt(II)} complexes with 5′-{GMP} and "
                          r"\textsc{{L}} -histidine"),
    ("10.1145/3448016.3452841", "Vector Quotient Filters: Overcoming the Time/Space Trade-Off in Filter Design"),
    ("10.1103/physrevc.91.057301", r"Persistence of collective behavior at high spin in the$N=88$nucleus"
                                   r"${}^{153}\mathrm{Tb}$"),
])
def test_the_title_is_the_records_in_latex_with_a_real_subtitle_only(doi, title):
    text = entry_from([recorded(doi)])
    assert f"title   = {{{title}}}," in text, text
    ref = parse_bib_text(text, "t.bib").references["k"]
    assert ref.title and "<" not in text and "&amp;" not in text
