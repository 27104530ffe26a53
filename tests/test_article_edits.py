"""Proof that the article can be edited on the record, and that its tests guard it.

Each test copies the live article (docs/, references.bib, edition/, mkdocs.yml, overrides/,
the lock) to a scratch directory, edits the copy as an editor does (docs/editing.md), and
runs the article's invariant tests (``tests/test_article.py``) against it in a subprocess
(``CITEPROOF_ARTICLE_ROOT``):

* a work added with ``citeproof add`` (against the local registry emulator), cited in a new
  paragraph, declared in ``edition/changes.yml`` and the note refreshed with cog: they pass;
* a reference removed with its citations, each declared as a removal (``kind: removal``):
  they pass, for the last-cited reference and for one in the middle of the list (the later
  "(n)" move down by one on the page, which is not a change to the prose);
* an undeclared edit: they fail, with the edition's message.

Nothing here names a key or a sentence of the article: what is edited is found in it.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scratch import ROOT, TESTS, copy_article

from citeproof.edition import load_edition
from citeproof.markdown import parse_citations
from citeproof.render import anchor_for

pytestmark = pytest.mark.slow

DATE = "2027-01-15"


def run_article_tests(root: Path) -> subprocess.CompletedProcess:
    """``pytest tests/test_article.py`` against the article at ``root``."""
    env = {**os.environ, "CITEPROOF_ARTICLE_ROOT": str(root), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", str(TESTS / "test_article.py"), "-p", "no:cacheprovider",
                           "-q", "-n", "0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def page_of(root: Path) -> Path:
    return root / load_edition(root).page


def first_citation_order(text: str) -> tuple[list[str], list]:
    groups = list(parse_citations(text, "page.md").groups)
    order: list[str] = []
    for group in groups:
        order += [k for k in group.keys if k not in order]
    return order, groups


def declare(root: Path, change: dict) -> None:
    """Append ``change`` to the copy's edition/changes.yml (as YAML: its comments go)."""
    path = root / "edition" / "changes.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["changes"] = [*(data.get("changes") or []), change]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def cog(root: Path) -> None:
    """What ``make cog`` does to the page: refresh its generated parts (the editorial note)."""
    page = page_of(root).relative_to(root).as_posix()
    proc = subprocess.run([sys.executable, "-m", "cogapp", "-r", page], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def passed(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0 and " passed" in proc.stdout and "failed" not in proc.stdout, \
        proc.stdout[-6000:] + proc.stderr[-2000:]


@pytest.fixture
def article(tmp_path) -> Path:
    if importlib.util.find_spec("cogapp") is None:
        pytest.skip("cogapp is not installed (pip install -e '.[test]')")
    return copy_article(tmp_path / "article", source=ROOT)


def test_a_work_added_cited_and_declared_passes_the_articles_tests(article, emulator):
    root = article
    bib = (root / "references.bib").read_text(encoding="utf-8")
    doi = next(d for d in (f"10.5555/citeproof.synthetic.{i:05d}" for i in range(42, 1042))
               if d.lower() not in bib.lower())
    add = subprocess.run([sys.executable, "-m", "citeproof.cli", "add", "--quiet", doi], cwd=root,
                         env={**os.environ, **emulator.env()}, capture_output=True, text=True, timeout=120)
    assert add.returncode == 0, add.stdout + add.stderr
    key = add.stdout.split()[-1]
    assert re.search(rf"^@\w+\{{{re.escape(key)},", (root / "references.bib").read_text(encoding="utf-8"), re.M)

    # a new paragraph after the one that cites a work first last, so no earlier number moves
    page = page_of(root)
    text = page.read_text(encoding="utf-8")
    order, groups = first_citation_order(text)
    last_first = next(g for g in groups if order[-1] in g.keys)
    end = text.find("\n\n", last_first.end) % (len(text) + 1)  # the paragraph's end (or the text's)
    sentence = f"Walking was also the subject of a further study [@{key}]."
    page.write_text(text[:end] + "\n\n" + sentence + text[end:], encoding="utf-8")
    declare(root, {"date": DATE, "kind": "addition", "text": sentence,
                   "why": "a further study, added by the editor"})
    cog(root)
    note = page.read_text(encoding="utf-8").split('!!! note "Editorial note"', 1)[1]
    # the note names the new work by a plain link to its entry: it never cites it
    assert f"Added on {DATE}: “Walking was also the subject of a further study ([" in note
    assert f"](#{anchor_for(key)}))." in note and "[@" not in note
    passed(run_article_tests(root))


def remove_reference(root: Path, pick) -> str:
    """Remove from the copy the reference ``pick(first-citation order)`` names, each sentence's
    citation of it, and its entry; declare each removed citation as a removal (the "(n)" the
    original prints, in the original's words around it); unlink the note's links to it;
    refresh the note. Its key."""
    page = page_of(root)
    text = page.read_text(encoding="utf-8")
    original = load_edition(root).original
    order, groups = first_citation_order(text)
    key = pick(order)
    number = order.index(key) + 1
    cites = [g for g in groups if key in g.keys]
    assert all(g.keys == (key,) for g in cites), \
        f"this proof removes a reference cited alone; {key} shares a citation: {[g.raw for g in cites]}"
    changes = []
    for group in sorted(cites, key=lambda g: -g.start):
        # "… the words before [@key]." becomes "… the words before."; the original printed "(n)"
        start = group.start - (len(text[:group.start]) - len(text[:group.start].rstrip()))
        after = re.match(r"\S*", text[group.end:]).group(0)
        words = text[:start].split()
        text = text[:start] + text[group.end:]
        n = 1
        while True:  # enough of the original's words before the place to find it once there
            at = " ".join(words[-n:]) + f" ({number}){after}"
            assert "[@" not in at, f"no run of words before the citation finds it once in the original: {at}"
            if len(re.findall(r"\s+".join(map(re.escape, at.split())), original)) == 1:
                break
            n += 1
        changes.append({"date": DATE, "kind": "removal", "text": f"({number})", "in": at,
                        "why": "the cited work was removed from the references by the editor"})
    page.write_text(text, encoding="utf-8")
    bib_path = root / "references.bib"
    bib = bib_path.read_text(encoding="utf-8")
    bib, removed = re.subn(rf"^@\w+\{{{re.escape(key)},.*?^\}}[ \t]*\n(?:[ \t]*\n)?", "", bib, flags=re.M | re.S)
    assert removed == 1
    bib_path.write_text(bib, encoding="utf-8")
    # the note's links to the removed entry would be broken anchors: its label stays, unlinked
    changes_path = root / "edition" / "changes.yml"
    unlinked = re.sub(rf"\[([^\[\]\n]+)\]\(#ref-{re.escape(key)}\)", r"\1", changes_path.read_text(encoding="utf-8"))
    changes_path.write_text(unlinked, encoding="utf-8")
    for change in reversed(changes):
        declare(root, change)
    cog(root)
    assert f"[@{key}]" not in page.read_text(encoding="utf-8")
    return key


def test_the_last_cited_reference_removed_and_declared_passes_the_articles_tests(article):
    remove_reference(article, lambda order: order[-1])
    passed(run_article_tests(article))


def test_a_reference_cited_in_the_middle_removed_and_declared_passes_the_articles_tests(article):
    remove_reference(article, lambda order: order[len(order) // 2])
    proc = run_article_tests(article)
    passed(proc)


def test_an_undeclared_edit_fails_the_articles_tests_with_the_editions_message(article):
    root = article
    page = page_of(root)
    text = page.read_text(encoding="utf-8")
    front = re.match(r"^-{3}[ \t]*\n.*?\n(?:\.{3}|-{3})[ \t]*\n", text, re.S)  # the front matter
    lines = text.split("\n")
    body = text[:front.end()].count("\n") if front else 0
    heading = next(i for i in range(body, len(lines)) if lines[i].startswith("# "))
    first = next(i for i in range(heading + 1, len(lines)) if lines[i].strip())
    lines[first] += " This sentence was added and not declared."
    page.write_text("\n".join(lines), encoding="utf-8")
    proc = run_article_tests(root)
    assert proc.returncode == 1, proc.stdout[-6000:]
    failed = re.findall(r"^FAILED \S+::(\w+)", proc.stdout, re.M)
    assert "test_every_change_from_the_original_edition_is_declared" in failed, proc.stdout[-6000:]
    assert "undeclared-change" in proc.stdout and "no change declares it" in proc.stdout, proc.stdout[-6000:]
