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

from citeproof.edition import Edition, check_edition, load_edition, note_markdown, undeclared
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
