"""Changing the article on the record: declared changes pass, undeclared ones fail with the paragraph.

Every edit here is made on a scratch copy of the frozen article fixture (tests/fixtures/article),
never on the real docs; ``tests/test_article.py`` checks the live article's edition.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scratch import FIXTURE, copy_article

from citeproof.edition import (NOTE_START, Change, Edition, check_edition, load_edition, note_markdown, stale_note,
                               undeclared)
from citeproof.errors import InputError

COG = Path(sys.executable).with_name("cog")
SENTENCE = "Walking and stabilization exercise also help together [@suh2019; @kim2017]."
KIM_LINE = "Kim demonstrated an inverse proportional relationship between walking and low back pain [@kim2017]."


def copy_project(tmp_path: Path) -> Path:
    return copy_article(tmp_path)


def edit_page(root: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the scratch page; the 1-based line of the edit."""
    page = root / "docs" / "index.md"
    text = page.read_text(encoding="utf-8")
    assert text.count(old) == 1
    page.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def declare(root: Path, entry: str) -> None:
    changes = root / "edition" / "changes.yml"
    text = changes.read_text(encoding="utf-8")
    changes.write_text(text.replace("\nedition: >-", "\n" + entry.rstrip("\n") + "\nedition: >-", 1), encoding="utf-8")


def citeproof(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeproof.cli", *args], cwd=root, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})


ADDITION = f"""  - date: 2027-01-15
    kind: addition
    text: "{SENTENCE}"
    why: a sentence on the two studies' common finding, added by the editor
"""


def test_an_undeclared_sentence_fails_naming_file_line_and_paragraph(tmp_path):
    root = copy_project(tmp_path)
    line = edit_page(root, KIM_LINE, KIM_LINE + "\n" + SENTENCE)
    proc = citeproof(root, "check", "--offline")
    assert proc.returncode == 1, proc.stdout
    found = [ln for ln in proc.stdout.splitlines() if "[undeclared-change]" in ln]
    assert len(found) == 1, proc.stdout
    # the sentence joined the paragraph that starts with Suh's, on a line of its own: that line
    assert found[0].strip().startswith(f"docs/index.md:{line + 1}: error [undeclared-change]")
    assert "“Suh recommends walking" in found[0] and "also help together (1, 2)" in found[0]
    assert "declare it in edition/changes.yml" in found[0] and "kind: addition" in found[0]


@pytest.mark.slow
def test_the_same_sentence_declared_passes_and_appears_in_the_note(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, KIM_LINE, KIM_LINE + "\n" + SENTENCE)
    declare(root, ADDITION)
    # declared, so no undeclared change; but the note is rendered from the data: it is stale
    assert [p.code for p in check_edition(root)] == ["stale-note"]
    if not COG.exists():
        pytest.skip("cogapp is not installed")
    stale = subprocess.run([str(COG), "--check", "docs/index.md"], cwd=root, capture_output=True, text=True)
    assert stale.returncode != 0
    subprocess.run([str(COG), "-r", "docs/index.md"], cwd=root, check=True, capture_output=True)
    proc = citeproof(root, "check", "--offline")
    assert proc.returncode == 0, proc.stdout
    page = (root / "docs" / "index.md").read_text(encoding="utf-8")
    linked = SENTENCE.replace("[@suh2019; @kim2017]", "([Suh 2019](#ref-suh2019); [Kim 2017](#ref-kim2017))")
    assert f"Added on 2027-01-15: “{linked}”" in page
    assert "Corrections and additions made" in page and check_edition(root) == []
    build = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "-q"], cwd=root,
                           capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode == 0, build.stderr


def test_an_undeclared_word_change_names_the_words(tmp_path):
    root = copy_project(tmp_path)
    line = edit_page(root, "Lee and Kang demonstrated", "Lee and Kang showed")
    problems = check_edition(root)
    assert len(problems) == 1 and problems[0].line == line  # the sentence's line, not its paragraph's
    assert "the page has “and Kang showed that when”" in problems[0].message
    assert "the original has “and Kang demonstrated that when”" in problems[0].message


def test_undoing_the_declared_correction_is_itself_a_change(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, "Gordon and Bloxham reviewed", "Gorden and Bloxham reviewed")
    messages = [p.message for p in check_edition(root)]
    assert any("change 1 of edition/changes.yml (correction: “Gordon and Bloxham”) is not on the page"
               in m for m in messages), messages


def test_a_removed_paragraph_is_named():
    edition = Edition("Title\n\nFirst paragraph.\n\nSecond paragraph.\n", "page.md", ())
    problems = undeclared(edition, "# Title\n\nSecond paragraph.\n")
    assert [(p.line, p.code) for p in problems] == [(3, "undeclared-change")]
    assert "the original's paragraph “First paragraph.” is missing" in problems[0].message


def test_citations_count_as_their_printed_numbers_and_comments_as_nothing():
    edition = Edition("T\n\nA (1). B (2). A again (1).\n", "p.md", ())
    page = "---\ndate: 2020\n---\n# T\n\n<!-- a\ncomment -->\nA [@a]. B [@b]. A again [@a].\n"
    assert undeclared(edition, page) == []
    assert undeclared(edition, page.replace("B [@b]", "B [@a]"))  # numbering is text


def test_the_note_is_rendered_from_the_data(tmp_path):
    edition = load_edition(FIXTURE)
    note = note_markdown(edition)
    page = (FIXTURE / "docs" / "index.md").read_text(encoding="utf-8")
    assert note in page
    assert note.startswith('!!! note "Editorial note"\n') and "“Gorden” → “Gordon”" in note
    if COG.exists():  # the fixture's note is what its cog block writes (in a copy: cog reads ".")
        root = copy_project(tmp_path)
        proc = subprocess.run([str(COG), "--check", "docs/index.md"], cwd=root, capture_output=True, text=True)
        assert proc.returncode == 0, "the fixture's note is not what cog writes\n" + proc.stdout + proc.stderr


@pytest.mark.parametrize("entry, message", [
    ("  - kind: rewrite\n    why: x\n    date: 2027-01-01\n", "kind: correction, kind: addition or kind: removal"),
    ("  - kind: addition\n    date: 2027-01-01\n    text: x\n", "needs why:"),
    ("  - kind: addition\n    why: x\n    date: 2027-01-01\n", "needs text:"),
])
def test_a_bad_declaration_is_one_clear_message(tmp_path, entry, message):
    root = copy_project(tmp_path)
    declare(root, entry)
    with pytest.raises(InputError, match=re.escape(message)):
        load_edition(root)
    proc = citeproof(root, "check", "--offline")
    assert proc.returncode == 2 and "edition/changes.yml" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- issue 18, item 5: the edition in every view

def line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` where ``text`` first stands."""
    content = path.read_text(encoding="utf-8")
    return content[:content.index(text)].count("\n") + 1


def strict_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict"], cwd=root,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def check_lines(proc: subprocess.CompletedProcess, code: str) -> list[str]:
    """``file:line: message`` of each ``code`` problem in a text report."""
    found = [ln.strip() for ln in proc.stdout.splitlines() if f"[{code}]" in ln]
    return [ln.replace(f": error [{code}] ", ": ", 1) for ln in found]


def build_lines(proc: subprocess.CompletedProcess, code: str) -> list[str]:
    """``file:line: message`` of each ``code`` WARNING of a build's log."""
    return [m.group(1) for m in re.finditer(rf"^WARNING\s+-\s+(.*) \[{code}\]$", proc.stderr, re.M)]


def test_a_sentence_inside_a_paragraph_is_reported_at_its_own_line():
    edition = Edition("T\n\nOne. Two. Three.\n", "p.md", ())
    problems = undeclared(edition, "# T\n\nOne.\nTwo.\nA new one.\nThree.\n")
    assert [p.line for p in problems] == [5]
    assert "the page has “One. Two. A new one. Three.” where the original has “One. Two. Three.”" \
        in problems[0].message


def test_the_strict_build_and_check_report_an_undeclared_change_alike(tmp_path):
    root = copy_project(tmp_path)
    line = edit_page(root, KIM_LINE, KIM_LINE + "\n" + SENTENCE) + 1
    checked = check_lines(citeproof(root, "check", "--offline"), "undeclared-change")
    proc = strict_build(root)
    assert proc.returncode != 0
    built = build_lines(proc, "undeclared-change")
    assert built == checked and len(built) == 1 and built[0].startswith(f"docs/index.md:{line}: "), (built, checked)


def test_a_stale_note_fails_check_and_the_strict_build_alike(tmp_path):
    root = copy_project(tmp_path)
    changes = root / "edition" / "changes.yml"
    changes.write_text(changes.read_text(encoding="utf-8").replace(
        "the author’s name on the record", "the author’s name as on the record"), encoding="utf-8")
    problems = check_edition(root)
    note_line = line_of(root / "docs" / "index.md", "- “Gorden” → “Gordon”")
    assert [(p.code, p.line) for p in problems] == [("stale-note", note_line)]
    message = problems[0].message
    assert "make cog" in message and "the page has “author’s name on the” where it makes “author’s name as on the”" in message
    proc = citeproof(root, "check", "--offline")
    checked = check_lines(proc, "stale-note")
    assert proc.returncode == 1 and len(checked) == 1, proc.stdout
    build = strict_build(root)
    assert build.returncode != 0 and build_lines(build, "stale-note") == checked, build.stderr[-3000:]


def test_a_bad_declaration_names_its_line_in_changes_yml(tmp_path):
    root = copy_project(tmp_path)
    declare(root, "  - kind: addition\n    date: 2027-01-01\n    text: x\n")
    line = line_of(root / "edition" / "changes.yml", "  - kind: addition")
    with pytest.raises(InputError, match=re.escape(f"edition/changes.yml:{line}: change 2 needs why:")):
        load_edition(root)
    proc = citeproof(root, "check", "--offline")
    assert proc.returncode == 2 and f"edition/changes.yml:{line}: change 2 needs why:" in proc.stderr
    build = strict_build(root)  # the site says the same, at the same line, and fails strict
    assert build.returncode != 0 and "Traceback" not in build.stderr
    assert f"edition/changes.yml:{line}: change 2 needs why: (the reason)" in "\n".join(
        build_lines(build, "invalid-edition")), build.stderr[-3000:]


def test_yaml_that_does_not_parse_names_its_line(tmp_path):
    root = copy_project(tmp_path)
    declare(root, "  - kind: addition\n    why: [unclosed\n    date: 2027-01-01\n")
    with pytest.raises(InputError, match=r"edition/changes\.yml:\d+: not valid YAML") as err:
        load_edition(root)
    assert err.value.line >= line_of(root / "edition" / "changes.yml", "why: [unclosed")


def test_a_declared_change_the_page_lacks_is_reported_at_its_line_in_changes_yml(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, "Gordon and Bloxham reviewed", "Gorden and Bloxham reviewed")
    problems = [p for p in check_edition(root) if "is not on the page" in p.message]
    assert len(problems) == 1
    assert problems[0].file == str(root / "edition" / "changes.yml")
    assert problems[0].line == line_of(root / "edition" / "changes.yml", "in: Gordon and Bloxham")


def test_a_wrong_was_is_reported_at_changes_yml_and_never_quoted_as_the_pages(tmp_path):
    root = copy_project(tmp_path)
    changes = root / "edition" / "changes.yml"
    changes.write_text(changes.read_text(encoding="utf-8").replace("was: Gorden", "was: Gordan"), encoding="utf-8")
    problems = [p for p in check_edition(root) if p.code == "undeclared-change"]
    assert len(problems) == 1, [p.message for p in problems]
    assert (problems[0].file, problems[0].line) == (str(changes), line_of(changes, "was: Gordan"))
    message = problems[0].message
    assert re.search(r"the original has “[^”]*Gorden and Bloxham”", message) and "the page has “Gordon”" in message
    assert not re.search(r"page has “[^”]*Gordan", message)


NEW_PARAGRAPH = "Walking also helps those who have never had back pain [@suh2019]."
SUH = "Suh recommends walking and stabilization exercise to both relieve"


def test_a_new_paragraph_and_a_typo_fix_are_each_reported_at_their_own_place(tmp_path):
    root = copy_project(tmp_path)
    # a new paragraph just before the paragraph that gets a typo fix: both undeclared
    new_line = edit_page(root, SUH, NEW_PARAGRAPH + "\n\n" + SUH)
    typo_line = edit_page(root, "Krein found a significant effect", "Krein found a significant affect")
    problems = check_edition(root)
    assert [p.line for p in problems] == [new_line, typo_line], [p.message for p in problems]
    assert "the paragraph “Walking also helps those who have never had back pain (1).” is not in the " \
           "original" in problems[0].message
    assert "the page has “a significant affect on back”" in problems[1].message
    assert "the original has “a significant effect on back”" in problems[1].message
    # the new paragraph declared: only the typo is left, still at its own line
    declare(root, f'  - date: 2027-01-15\n    kind: addition\n    text: "{NEW_PARAGRAPH}"\n    why: x\n')
    assert [(p.code, p.line) for p in check_edition(root) if p.code == "undeclared-change"] == [
        ("undeclared-change", typo_line)]


def test_the_note_names_references_by_plain_links_and_never_cites(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, KIM_LINE, KIM_LINE + "\n" + SENTENCE)
    declare(root, ADDITION)
    note = note_markdown(load_edition(root))
    assert "[@" not in note
    assert "also help together ([Suh 2019](#ref-suh2019); [Kim 2017](#ref-kim2017))." in note
    if not COG.exists():
        pytest.skip("cogapp is not installed")
    subprocess.run([str(COG), "-r", "docs/index.md"], cwd=root, check=True, capture_output=True)
    assert strict_build(root).returncode == 0
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    note_html = re.search(r'<div class="admonition note">.*?</div>', html, re.S).group(0)
    body = html.replace(note_html, "")
    assert "Editorial note" in note_html and 'href="#ref-suh2019"' in note_html
    assert 'class="cp-ref' not in note_html and "cp-cite" not in note_html
    # each back-link of suh2019's entry leads to a citation in the text, none into the note
    entry = re.search(r'<li id="ref-suh2019".*?</li>', html, re.S).group(0)
    backs = re.findall(r'href="#([^"]+)" class="cp-backref"', entry)
    assert len(backs) == 2 and all(f'id="{b}"' in body for b in backs)


def test_the_note_links_only_to_entries_the_list_holds(tmp_path):
    """A work the page no longer cites has no entry in the list: the note names it without
    a link, which would lead nowhere."""
    root = copy_project(tmp_path)
    declare(root, ADDITION)  # its text cites suh2019 and kim2017
    edit_page(root, KIM_LINE, KIM_LINE.replace(" [@kim2017]", ""))  # kim2017's one citation on the page
    note = note_markdown(load_edition(root))
    assert "also help together ([Suh 2019](#ref-suh2019); Kim 2017)." in note


@pytest.mark.slow
def test_the_strict_build_reads_the_note_alike_from_any_directory(tmp_path):
    """The note the build compares with the record's is rendered from the page it builds,
    wherever the build runs from (``mkdocs build -f sub/mkdocs.yml``); a link of the
    record's to an entry the list lacks is reported at its line in changes.yml alike."""
    root = copy_project(tmp_path / "sub")
    run = [str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "-f", "sub/mkdocs.yml"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    edit_page(root, KREIN + " [@krein2013].", KREIN + ".")
    declare(root, REMOVAL)
    proc = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    line = line_of(root / "edition" / "changes.yml", "(#ref-krein2013)")
    assert re.search(rf"sub/edition/changes\.yml:{line}: the editorial note links to “#ref-krein2013”", proc.stderr), \
        proc.stderr


# --------------------------------------------------------------------------- removals

KREIN = "Krein found a significant effect on back pain related disability from using a 6 month walking regimen"
REMOVAL = """  - date: 2027-01-15
    kind: removal
    text: "(6)"
    in: "6 month walking regimen (6)."
    why: the cited study was withdrawn
"""


def test_a_middle_reference_removed_and_declared_is_no_change_to_the_prose(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, KREIN + " [@krein2013].", KREIN + ".")
    undeclared_now = [p for p in check_edition(root) if p.code == "undeclared-change"]
    # the citation taken out, and each later "(n)" moved down by one: named once, with their lines
    assert len(undeclared_now) == 2 and "only citation numbers differ" in undeclared_now[1].message
    assert "so do 8 later places, one removal moving them all (lines " in undeclared_now[1].message
    declare(root, REMOVAL)
    changes = root / "edition" / "changes.yml"
    link = "[Krein 2013](#ref-krein2013)"  # the record's references: name the entry by a link
    problems = check_edition(root)
    assert [p.code for p in problems] == ["stale-note", "unknown-key"]
    assert (problems[1].file, problems[1].line) == (str(changes), line_of(changes, link))
    assert "links to “#ref-krein2013”" in problems[1].message and "as “Krein 2013”" in problems[1].message
    changes.write_text(changes.read_text(encoding="utf-8").replace(link, "Krein 2013"), encoding="utf-8")
    assert [p.code for p in check_edition(root)] == ["stale-note"]
    note = note_markdown(load_edition(root))
    assert "Removed on 2027-01-15: “(6)” (from “6 month walking regimen (6).”): the cited study was withdrawn." \
        in note and "Corrections and removals made" in note


def test_a_removed_sentence_is_declared_by_its_original_text(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, KREIN + " [@krein2013].\n", "")
    declare(root, f'  - date: 2027-01-15\n    kind: removal\n    text: "{KREIN} (6)."\n    why: withdrawn\n')
    assert [p.code for p in check_edition(root)] == ["stale-note", "unknown-key"]  # (the note's link to it)


def test_a_removal_the_original_lacks_is_reported_at_its_line(tmp_path):
    root = copy_project(tmp_path)
    edit_page(root, KREIN + " [@krein2013].", KREIN + ".")
    declare(root, REMOVAL.replace('"(6)"', '"(7)"').replace("regimen (6).", "regimen (7)."))
    changes = root / "edition" / "changes.yml"
    wrong = [p for p in check_edition(root) if p.file == str(changes) and p.code == "undeclared-change"]
    assert len(wrong) == 1 and wrong[0].line == line_of(changes, 'in: "6 month walking regimen (7)."')
    assert "is not in the original edition" in wrong[0].message


def test_only_a_note_that_cog_renders_can_be_stale():
    edition = Edition("T\n\nText.\n", "p.md", (Change("correction", "why", "2027-01-01", "x", "Text."),))
    page = "# T\n\nText.\n\n" + NOTE_START + "\n    Written by hand.\n"
    assert stale_note(edition, page) == []  # no cog block renders it: cog would change nothing
    cogged = page.replace(NOTE_START, "<!-- [[[cog\ncog.out(note_markdown(e))\n]]] -->\n" + NOTE_START)
    assert [(p.code, p.line) for p in stale_note(edition, cogged)] == [("stale-note", 9)]


def test_an_empty_changes_yml_declares_nothing(tmp_path):
    (tmp_path / "edition").mkdir()
    (tmp_path / "edition" / "changes.yml").write_text("# nothing yet\n", encoding="utf-8")
    (tmp_path / "edition" / "original.txt").write_text("T\n\nText.\n", encoding="utf-8")
    assert load_edition(tmp_path).changes == ()


def test_words_the_page_adds_beside_a_declared_addition_point_at_that_declaration(tmp_path):
    """An addition declared without the full stop the page gives it: the one error says that
    the "." stands beside that change, at its text's line in changes.yml, and how to fix it;
    with the "." in its text, the page passes (but for the note, which cog renders)."""
    root = copy_project(tmp_path)
    edit_page(root, KIM_LINE, KIM_LINE + "\n" + SENTENCE)
    declare(root, ADDITION.replace(SENTENCE, SENTENCE.rstrip(".")))
    text_line = next(n for n, line in enumerate((root / "edition" / "changes.yml").read_text(
        encoding="utf-8").splitlines(), 1) if SENTENCE.rstrip(".") in line)
    (problem,) = [p for p in check_edition(root) if p.code == "undeclared-change"]
    assert f"“.” stands right beside change 2 of edition/changes.yml (the addition “{SENTENCE[:40]}" in problem.message
    assert f", line {text_line}), whose text: does not include it" in problem.message
    assert "add it to that text:; else declare it in edition/changes.yml" in problem.message
    declare_fixed = (root / "edition" / "changes.yml").read_text(encoding="utf-8").replace(
        SENTENCE.rstrip(".") + '"', SENTENCE + '"')
    (root / "edition" / "changes.yml").write_text(declare_fixed, encoding="utf-8")
    assert [p.code for p in check_edition(root)] == ["stale-note"]


@pytest.mark.parametrize("n", [1, 2, 12])
def test_a_change_s_words_never_match_the_marks_of_the_changes_before_it(n):
    """The places the earlier changes leave in the text carry their numbers; a later
    correction whose words are a number (``now: "1"``) finds the page's word, never a mark."""
    fillers = tuple(Change("addition", "why", "2027-01-01", text=f"Added sentence {k}.") for k in range(n))
    original = "T\n\nThe trial enrolled 2 patients. It ended.\n"
    page = "# T\n\n" + " ".join(c.text for c in fillers) + " The trial enrolled 1 patients. It ended.\n"
    fixed = Change("correction", "why", "2027-01-01", was="2", now="1")
    assert undeclared(Edition(original, "p.md", (*fillers, fixed)), page) == []
    assert undeclared(Edition(original, "p.md", (*fillers, Change("correction", "why", "2027-01-01",
                                                                   was="3", now="1"))), page)
