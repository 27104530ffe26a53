"""The bib editor: golden diffs on a bib full of oddities, every other byte kept, safe writes."""
from __future__ import annotations

import codecs
import difflib
import os
from pathlib import Path

import pytest

from citeproof.bib import parse_bib_text
from citeproof.bib.editor import BibEditor
from citeproof.bib.scan import scan
from citeproof.errors import BibError

GOLDEN = Path(__file__).parent / "golden" / "bib-editor"
ODD = (GOLDEN / "odd.bib").read_bytes().decode("utf-8")
NEW_ENTRY = ("@misc{nice2020,\n  title = {Low back pain: assessment},\n"
             "  url = {https://www.nice.org.uk/guidance/ng59},\n}")

# Each operation on odd.bib: an editor method and its arguments. Its golden unified diff is
# tests/golden/bib-editor/<name>.diff.
OPERATIONS = {
    "set-braced-value": ("set_field", "aligned2019", "title", "Walking for low back pain"),
    "set-quoted-value": ("set_field", "quoted2017", "title", "Gait {DNA}, revisited"),
    "set-concatenation": ("set_field", "quoted2017", "journal", "J Back Rehabil"),
    "set-bare-number": ("set_field", "quoted2017", "year", "2018"),
    "set-non-ascii": ("set_field", "unicode2012", "title", "Ćwiczenia — wydanie drugie"),
    "set-upper-case-name": ("set_field", "Upper2016", "year", "2015"),
    "add-aligned": ("set_field", "aligned2019", "pmid", "31261549"),
    "add-aligned-as-long": ("set_field", "aligned2019", "urldate", "2024-05-01"),
    "add-aligned-longer": ("set_field", "aligned2019", "keywords", "walking"),
    "add-parentheses-no-trailing-comma": ("set_field", "quoted2017", "doi", "10.5535/x"),
    "add-tabs-no-trailing-comma": ("set_field", "Upper2016", "doi", "10.1016/y"),
    "add-one-line": ("set_field", "inline2020", "url", "https://example.org/a"),
    "add-unspaced": ("set_field", "unicode2012", "address", "Kraków"),
    "add-to-empty-entry": ("set_field", "bare", "title", "Bare no more"),
    "remove-middle": ("remove_field", "aligned2019", "journal"),
    "remove-last-trailing-comma": ("remove_field", "aligned2019", "pages"),
    "remove-last-no-trailing-comma": ("remove_field", "quoted2017", "pages"),
    "remove-first": ("remove_field", "Upper2016", "author"),
    "remove-one-line": ("remove_field", "inline2020", "title"),
    "insert-after": ("insert_entry", NEW_ENTRY, "quoted2017"),
    "insert-after-no-blank-line": ("insert_entry", NEW_ENTRY, "Upper2016"),
    "insert-at-end": ("insert_entry", NEW_ENTRY),
    "replace": ("replace_entry", "inline2020", "@misc{inline2020,\n  title = {Two lines},\n}"),
}


def edited(name: str, text: str = ODD) -> BibEditor:
    ed = BibEditor(text, file="odd.bib")
    method, *args = OPERATIONS[name]
    getattr(ed, method)(*args)
    return ed


@pytest.mark.parametrize("name", OPERATIONS)
def test_golden_diff(name):
    actual = edited(name).diff()
    path = GOLDEN / f"{name}.diff"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    if actual != expected:
        meta = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/bib-editor/{name}.diff", "diff now"))
        pytest.fail(f"the edit '{name}' differs from its golden diff "
                    f"(if the change is right, rerun with UPDATE_GOLDEN=1):\n{meta}")


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_edit_parses_cleanly_and_keeps_the_other_entries(name):
    before = parse_bib_text(ODD, "odd.bib")
    after = parse_bib_text(edited(name).text, "odd.bib")
    assert after.problems == []
    method, *args = OPERATIONS[name]
    touched = "nice2020" if method == "insert_entry" else args[0]
    for key, ref in before.references.items():
        if key != touched:
            assert _content(after.references[key]) == _content(ref), key
    assert touched in after.references


def _content(ref):
    return ref.entry_type, ref.fields, ref.authors, ref.editors


@pytest.mark.parametrize("name", OPERATIONS)
def test_crlf_file_gets_the_same_edit_with_crlf(name):
    crlf = ODD.replace("\n", "\r\n")
    ed = edited(name, crlf)
    assert ed.newline == "\r\n"
    assert ed.text == edited(name).text.replace("\n", "\r\n")
    assert "\n" not in ed.text.replace("\r\n", "")


# ---------------------------------------------------------------- every other byte

def _changed_span(old: str, new: str) -> tuple[int, int]:
    """``(a, b)``: old[:a] and old[b:] are both kept in ``new``, as large as possible."""
    a = 0
    while a < min(len(old), len(new)) and old[a] == new[a]:
        a += 1
    b = 0
    while b < min(len(old), len(new)) - a and old[-1 - b] == new[-1 - b]:
        b += 1
    return a, len(old) - b


def _cases():
    """Every field of every entry of odd.bib: changed, removed; every entry: a field added."""
    for entry in scan(ODD):
        if entry.key:
            yield entry.key, "add", "isbn"
            for f in entry.fields:
                yield entry.key, "set", f.name
                yield entry.key, "remove", f.name


CASES = list(_cases())


def _allowed_span(text: str, key: str, what: str, name: str) -> tuple[int, int]:
    """The part of ``text`` an edit may change: the value it sets; a removed field and the
    space and comma around it; after the last field for a new one."""
    entry = next(e for e in scan(text) if e.key == key)
    names = [f.name for f in entry.fields]
    if what == "add":
        return (entry.fields[-1].value_end if entry.fields else entry.start), entry.end
    i = names.index(name)
    if what == "set":
        return entry.fields[i].value_start, entry.fields[i].value_end
    return (entry.fields[i - 1].value_end if i else entry.start,
            entry.fields[i + 1].name_start if i + 1 < len(names) else entry.end)


@pytest.mark.parametrize("key, what, name", CASES, ids=[" ".join(c) for c in CASES])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_every_byte_outside_the_edited_span_is_unchanged(key, what, name, newline):
    old = ODD.replace("\n", newline)
    ed = BibEditor(old, file="odd.bib")
    if what == "remove":
        ed.remove_field(key, name)
    else:
        ed.set_field(key, name, "Zz, Q")
    a, b = _changed_span(old, ed.text)
    lo, hi = _allowed_span(old, key, what, name)
    assert ed.changed and lo <= a and b <= hi, (old[lo:hi], old[a:b], ed.text[a:a + 80])
    assert parse_bib_text(ed.text, "odd.bib").problems == []
    new_ref = parse_bib_text(ed.text, "odd.bib").references[key]
    people = getattr(new_ref, name + "s", None) if name in ("author", "editor") else None
    if what == "remove":
        assert not new_ref.field(name) and not people
    elif people is not None:
        assert [p.family for p in people] == ["Zz"]
    else:
        assert new_ref.field(name) == "Zz, Q"


def test_edits_accumulate_and_the_text_round_trips_through_a_file(tmp_path):
    path = tmp_path / "odd.bib"
    path.write_bytes(ODD.encode())
    ed = BibEditor.open(path, label="odd.bib")
    assert not ed.changed and ed.diff() == ""
    ed.set_field("aligned2019", "pmid", "31261549")
    ed.set_field("aligned2019", "pmid", "31261550")
    ed.insert_entry(NEW_ENTRY, after="aligned2019")
    ed.remove_field("nice2020", "url")
    assert ed.changed
    ed.save()
    assert path.read_bytes() == ed.text.encode() and not ed.changed
    refs = parse_bib_text(path.read_text(), "odd.bib").references
    assert refs["aligned2019"].pmid == "31261550" and refs["nice2020"].url == ""
    assert list(refs)[:2] == ["aligned2019", "nice2020"]


def test_a_byte_order_mark_and_crlf_are_written_back_exactly(tmp_path):
    path = tmp_path / "refs.bib"
    raw = codecs.BOM_UTF8 + ODD.replace("\n", "\r\n").encode()
    path.write_bytes(raw)
    ed = BibEditor.open(path)
    ed.set_field("inline2020", "year", "2021")
    ed.save()
    written = path.read_bytes()
    assert written == raw.replace(b"year = 2020}", b"year = {2021}}")


def test_a_file_without_final_newline_gets_one_only_before_an_inserted_entry():
    ed = BibEditor("@misc{a, title = {A}}", file="x.bib")
    ed.set_field("a", "year", "2000")
    assert ed.text == "@misc{a, title = {A}, year = {2000}}"
    ed.insert_entry("@misc{b, title = {B}}")
    assert ed.text == "@misc{a, title = {A}, year = {2000}}\n\n@misc{b, title = {B}}\n"


def test_an_empty_file_gets_the_entry_alone():
    ed = BibEditor("", file="x.bib")
    ed.insert_entry("\n\n@misc{b, title = {B}}\n\n")
    assert ed.text == "@misc{b, title = {B}}\n"


def test_the_diff_names_both_files_and_marks_a_missing_final_newline():
    ed = BibEditor("@misc{a, title = {A}}", file="refs.bib")
    ed.set_field("a", "title", "B")
    assert ed.diff() == ("--- a/refs.bib\n+++ b/refs.bib\n@@ -1 +1 @@\n-@misc{a, title = {A}}\n"
                         "\\ No newline at end of file\n+@misc{a, title = {B}}\n"
                         "\\ No newline at end of file\n")


# ---------------------------------------------------------------- refusals

TWO_ENTRIES = NEW_ENTRY + "\n" + NEW_ENTRY.replace("nice", "n")


@pytest.mark.parametrize("edit, words", [
    (("set_field", "nosuch", "title", "x"), ["odd.bib:", "no entry has the key 'nosuch'"]),
    (("set_field", "upper2016", "title", "x"), ["did you mean 'Upper2016'", "case-sensitive"]),
    (("set_field", "", "title", "x"), ["no entry has the key ''"]),
    (("set_field", "bare", "bad name", "x"), ["odd.bib:46:", "'bad name' is not a field name"]),
    (("set_field", "bare", "1st", "x"), ["'1st' is not a field name"]),
    (("set_field", "bare", "title", "a {b"), ["odd.bib:46:", "unbalanced braces"]),
    (("set_field", "bare", "title", "a} {b"), ["unbalanced braces"]),
    (("remove_field", "bare", "title"), ["odd.bib:46:", "has no field 'title'"]),
    (("insert_entry", TWO_ENTRIES), ["holds 2 @commands"]),
    (("insert_entry", "% note\n" + NEW_ENTRY), ["text outside the entry"]),
    (("insert_entry", "@string{x = {y}}"), ["no citation key"]),
    (("insert_entry", "title = {x}"), ["holds 0 @commands"]),
    (("insert_entry", "@misc{n,\n  title = {x\n}"), ["not closed", "of the new entry"]),
    (("insert_entry", "@misc{UPPER2016, title = {x}}"),
     ["odd.bib:31:", "already used by the entry 'Upper2016'"]),
    (("insert_entry", NEW_ENTRY, "nosuch"), ["no entry has the key 'nosuch'"]),
    (("replace_entry", "bare", "@misc{inline2020, title = {x}}"), ["already used"]),
    (("set_field", "bare", "author", "A and and B"), ["the edit was not made", "empty name"]),
])
def test_refused_edits_name_the_file_and_line_and_change_nothing(edit, words):
    ed = BibEditor(ODD, file="odd.bib")
    method, *args = edit
    with pytest.raises(BibError) as info:
        getattr(ed, method)(*args)
    message = str(info.value)
    assert all(w in message for w in words), message
    assert "\n" not in message.strip() and ed.text == ODD and not ed.changed
    assert info.value.exit_code == 2


BROKEN = "@misc{ok, title = {Fine}}\n\n@misc{broken,\n  title = {Open,\n  year = {2019},\n}\n"


def test_an_entry_with_a_syntax_fault_is_not_edited_but_the_others_are():
    ed = BibEditor(BROKEN, file="refs.bib")
    with pytest.raises(BibError, match=r"refs\.bib:4: the entry 'broken' has a syntax fault"):
        ed.set_field("broken", "year", "2020")
    with pytest.raises(BibError, match="syntax fault"):
        ed.replace_entry("broken", "@misc{broken, title = {Fixed}}")
    ed.set_field("ok", "year", "2020")  # the fault elsewhere stays, it is not made worse
    assert ed.text == BROKEN.replace("{Fine}}", "{Fine}, year = {2020}}")


def test_an_entry_with_a_stray_brace_is_not_edited():
    ed = BibEditor("@misc{a, title = {A}}, year = {2000},\n}\n", file="refs.bib")
    with pytest.raises(BibError, match="refs.bib:1: the entry 'a' has a syntax fault"):
        ed.set_field("a", "note", "x")


def test_a_duplicate_key_is_not_edited():
    ed = BibEditor("@misc{a, title = {A}}\n@misc{a, title = {B}}\n", file="refs.bib")
    with pytest.raises(BibError, match="refs.bib:2: the key 'a' is used by the entries on lines 1 "
                                       "and 2"):
        ed.set_field("a", "note", "x")


def test_unreadable_and_non_utf8_files_are_bib_errors(tmp_path):
    with pytest.raises(BibError, match="does not exist"):
        BibEditor.open(tmp_path / "missing.bib")
    (tmp_path / "latin1.bib").write_bytes(b"@misc{a, title = {M\xfcller}}\n")
    with pytest.raises(BibError, match="latin1.bib:1: the bib file is not UTF-8"):
        BibEditor.open(tmp_path / "latin1.bib")


# ---------------------------------------------------------------- failed writes

def test_a_failed_write_leaves_the_original_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_bytes(ODD.encode())
    ed = BibEditor.open(path, label="refs.bib")
    ed.set_field("bare", "title", "Changed")

    def no_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(BibError, match=r"refs\.bib: the bib file cannot be written \(No space left "
                                       r"on device\), so it is unchanged"):
        ed.save()
    assert path.read_bytes() == ODD.encode()
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]  # no temporary file left
    assert ed.changed  # the edit is still there, to save elsewhere
    monkeypatch.undo()
    ed.save(tmp_path / "copy.bib")
    assert (tmp_path / "copy.bib").read_text() == ed.text and path.read_bytes() == ODD.encode()


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_bytes(ODD.encode())
    ed = BibEditor.open(path, label="refs.bib")
    ed.set_field("bare", "title", "Changed")
    path.write_bytes(ODD.encode() + b"\n% someone else's edit\n")
    with pytest.raises(BibError, match=r"refs\.bib: the bib file was changed by someone else since "
                                       r"it was read, so it was not written"):
        ed.save()
    assert path.read_bytes().endswith(b"% someone else's edit\n")
    fresh = BibEditor.open(path, label="refs.bib")  # read again: the edit goes in
    fresh.set_field("bare", "title", "Changed")
    fresh.save()
    fresh.set_field("bare", "year", "2021")
    fresh.save()  # its own last save is what it knows the file to be
    assert b"someone else's edit" in path.read_bytes() and b"2021" in path.read_bytes()


def test_saving_an_editor_without_a_path_asks_for_one():
    ed = BibEditor(ODD, file="odd.bib")
    with pytest.raises(BibError, match="give save\\(\\) the path"):
        ed.save()


def test_a_line_starting_with_at_inside_a_braced_value_is_data():
    """BibTeX reads ``@misc{`` inside a braced value as text (issue 11 replaced the old
    refusal of this edit: the scanner no longer ends the entry there)."""
    ed = BibEditor(ODD, file="odd.bib")
    ed.set_field("bare", "note", "a\n@misc{b}")
    result = parse_bib_text(ed.text, "odd.bib")
    assert result.references["bare"].field("note") == "a @miscb"
    assert not [p for p in result.problems if p.key == "bare" and p.severity == "error"]
