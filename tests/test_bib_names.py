"""The loader's fast paths agree with the general ones they stand in for.

- ``bib.names``: plain names split here, everything else by pybtex; both must give
  pybtex's ``Person`` parts, and the same complaints.
- ``Scanner.quick``: the common entry shape read in one regex step per field; it must
  give the spans :meth:`Scanner.entry` gives, for every text.
- the loader's own reading of values and names must equal pybtex's parser's.
"""
from __future__ import annotations

import functools
import itertools
import random

import pybtex.errors
import pytest
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.database.input.bibtex import Parser

from citeproof.bib import parse_bib_text
from citeproof.bib.latex import latex_warnings
from citeproof.bib.names import people, person
from citeproof.bib.scan import Scanner, scan
from scratch import FIXTURE, GOLDEN

_WORDS = ["John", "von", "de", "la", "Jr", "J.", "Müller", "ßer", "d'Artagnan", "ÉTIENNE",
          "van", "Der", "O'Neil", "Jean-Paul", "ärger", "Ab", "x", "1st", "-x", "(Ed.)",
          "{Brace}", "{de la}", "M{\\\"u}ller", "a~b", "\\relax", "ǅemal", "Ω", "ω", "_"]


def _parts(p: Person) -> tuple:
    return (p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names)


def _names(count: int) -> list[str]:
    rng = random.Random(20261201)
    out = ["", " ", ",", ", ,", "a, b, c, d", "Smith,", ", John", "von", "Smith, Jr, John",
           "von der Berg, Jr., Piet K.", "Anna B. Family", "anna", "A b C d", "Family123, Anna"]
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 5))]
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            words.insert(rng.randint(0, len(words)), ",")
        seps = [rng.choice((" ", " ", "  ", "\t", " \n ")) for _ in words]
        out.append("".join(w + s for w, s in zip(words, seps)).replace(" ,", ","))
    return out


def test_a_name_splits_as_pybtex_splits_it():
    differ = []
    for name in _names(5000):
        with pybtex.errors.capture() as theirs_errors:
            theirs = Person(name)
        with pybtex.errors.capture() as ours_errors:
            ours = person(name)
        if _parts(ours) != _parts(theirs) or [str(e) for e in ours_errors] != [
                str(e) for e in theirs_errors]:
            differ.append((name, _parts(ours), _parts(theirs)))
    assert differ == []


@pytest.mark.parametrize("value", ["", "A", "A and B", "A AND b and and C", "and A", "A and",
                                   "{A and B} and C", "Smith, J. and Doe, Jane and others",
                                   "a, b, c, d and e", "X andy and Y"])
def test_a_name_list_splits_as_pybtex_splits_it(value):
    with pybtex.errors.capture() as theirs_errors:
        theirs = [Person(n) for n in split_name_list(value)]
    with pybtex.errors.capture() as ours_errors:
        ours = people(value)
    assert [_parts(p) for p in ours] == [_parts(p) for p in theirs]
    assert [str(e) for e in ours_errors] == [str(e) for e in theirs_errors]


def test_only_tex_syntax_can_leave_a_word_undecoded():
    """Random text without a backslash is never reported as undecoded LaTeX but for unclosed
    math (a lone ``$``) and unbalanced braces, which are."""
    rng = random.Random(7)
    alphabet = "~-'`a^_%&#\"ö.,:;!?()[]@ 0\t"
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
             for _ in range(20000)]
    assert [w for w in words if latex_warnings(w)] == []
    assert [w.code for w in latex_warnings("C:\\")] == ["trailing-backslash"]  # the check can fail
    assert [w.code for w in latex_warnings("a $b")] == ["unclosed-math"]


# ------------------------------------------------------------ the quick scanner

@functools.lru_cache(maxsize=1)
def _texts() -> list[str]:
    texts = [(FIXTURE / "references.bib").read_text(encoding="utf-8"),
             (GOLDEN / "bib-editor" / "odd.bib").read_text(encoding="utf-8")]
    base = texts[0]
    # other projects' bibs: quoted values, @string names, biblatex
    texts += [p.read_text(encoding="utf-8") for p in sorted((FIXTURE.parent.parent / "data" / "bibs").glob("*.bib"))]
    texts.append('@string{jn = "J Name"}\n@article{q, journal = jn, title = "A {"}quoted{"} title", month = jan,'
                 ' note = "x" # jn, year = 2020}\n')
    rng = random.Random(11)
    # one-character damage of every kind the scanner words, at random places
    for _ in range(150):
        i = rng.randrange(len(base))
        texts.append(base[:i] + rng.choice(["{", "}", ",", "#", '"', "=", "@misc{", "\n@",
                                            "", "%", " # jn", "9"]) + base[i + 1:])
    texts.append("@article{a, title = {One {two {three {four}}}}, year = 2020}\n")
    texts.append("@article{a, title = {x}, title = {y}}\n@article{b, year = ٢٠٢٠}\n")
    texts.append("@article{a, title = {x},}\n@article{b,\n}\n@article{c}\n@article{d,")
    return texts


@pytest.mark.parametrize("index", range(len(_texts())))
def test_the_quick_scanner_reads_what_the_full_scanner_reads(index, monkeypatch):
    text = _texts()[index]
    quick = scan(text)
    loaded = parse_bib_text(text, "t.bib")
    monkeypatch.setattr(Scanner, "QUICK", False)
    full = scan(text)
    assert [(e.command, e.key, e.start, e.end, e.fields, e.fault, e.fault_line) for e in quick] \
        == [(e.command, e.key, e.start, e.end, e.fields, e.fault, e.fault_line) for e in full]
    slow = parse_bib_text(text, "t.bib")
    assert loaded.references == slow.references and loaded.problems == slow.problems


def test_the_quick_scanner_is_used_for_the_common_entry():
    assert all(e.plain for e in scan((FIXTURE / "references.bib").read_text(encoding="utf-8")))
    assert not scan("@article{a, title = {x} # {y}}")[0].plain


# ------------------------------------------------------------ values and names

def _clean_bib() -> str:
    entries = []
    for i, (first, second) in enumerate(itertools.combinations(_names(60)[14:], 2)):
        if i == 400:
            break
        names = " and ".join(n for n in (first, second) if n.strip().strip(","))
        if not names or names.count(",") > 2 * 2:
            continue
        entries.append(f"@Article{{k{i},\n  AUTHOR = {{{names}}},\n  Title = {{T {i}\n  more}},\n"
                       f"  year = {1990 + i % 30}, pages = {{1--{i}}}\n}}\n")
    return "".join(entries)


def test_loaded_entries_equal_what_pybtex_parses_for_many_names():
    text = _clean_bib()
    with pybtex.errors.capture():
        theirs = Parser().parse_string(text)
        ours = parse_bib_text(text, "n.bib")
    assert len(theirs.entries) > 100
    assert list(ours.data.entries.keys()) == list(theirs.entries.keys())
    for key, entry in theirs.entries.items():
        mine = ours.data.entries[key]
        assert mine.type == entry.type and mine.original_type == entry.original_type
        assert list(mine.fields.items()) == list(entry.fields.items()), key
        assert list(mine.persons) == list(entry.persons), key
        assert {r: [_parts(p) for p in ps] for r, ps in mine.persons.items()} == \
               {r: [_parts(p) for p in ps] for r, ps in entry.persons.items()}, key


def test_the_empty_name_prefilter_misses_no_empty_name(monkeypatch):
    """``_empty_names`` skips lists its prefilter clears; unfiltered, it finds the same."""
    from citeproof.bib import load

    rng = random.Random(3)
    tokens = ["and", "AND", "And", "A", "b.", "{}", ",", "{,}", "{ }", "\\relax", "{and}", "x,",
              "sand", "andy", "{A and B}", "Ø"]
    texts = []
    for i in range(3000):
        words = [rng.choice(tokens) for _ in range(rng.randint(1, 6))]
        seps = [rng.choice((" ", "  ", "\n  ", "\t")) for _ in words]
        value = "".join(s + w for s, w in zip(seps, words))[rng.randint(0, 1):]
        texts.append(f"@article{{k{i}, author = {{{value}}}, title = {{T}}}}\n")
    text = "".join(texts)
    scanner = Scanner(text)
    items = [item for item, _, _ in scanner.commands()]
    filtered = [load._empty_names(scanner, item) for item in items]
    monkeypatch.setattr(load, "_maybe_empty", lambda inner: True)
    unfiltered = [load._empty_names(scanner, item) for item in items]
    assert filtered == unfiltered
    assert sum(map(bool, filtered)) > 300  # the case is common in this corpus


# ------------------------------------------------------------ compact field lines

def test_field_lines_equal_their_pairs_and_survive_a_pickle():
    import pickle

    from citeproof.model import FieldLines

    pairs = (("author", 3), ("title", 4), ("abstract", 5), ("doi", 900))  # a step over 255
    lines = FieldLines.of(pairs)
    assert tuple(lines) == pairs and lines == pairs and pairs == lines and len(lines) == 4
    assert hash(lines) == hash(pairs) and lines[1] == ("title", 4) and list(lines)[-1] == pairs[-1]
    assert pickle.loads(pickle.dumps(lines)) == pairs
    assert FieldLines.of(()) == () and FieldLines.of(pairs[:2]) != pairs
    text = "@article{a,\n  author = {A, B},\n\n  title = {T}}\n@article{b,\n  author = {C, D},\n\n  title = {U}}\n"
    refs = parse_bib_text(text, "l.bib").references
    assert tuple(refs["a"].field_lines) == (("author", 2), ("title", 4))
    assert tuple(refs["b"].field_lines) == (("author", 6), ("title", 8))
    assert refs["a"].field_lines.names is refs["b"].field_lines.names  # one tuple for both
    assert refs["b"].line_of("title") == 8 and refs["b"].line_of("doi") == 5
    assert [lines.line(name) for name in ("author", "title", "abstract", "doi", "year")] == [3, 4, 5, 900, None]
    twice = FieldLines.of((("title", 2), ("note", 3), ("title", 7)))
    assert twice.line("title") == 2 and twice.line("note") == 3  # the first of a name
