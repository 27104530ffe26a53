"""Bibliographies nobody here wrote, checked and rendered as a new site owner would.

``tests/data/bibs`` holds public ``.bib`` files of other projects (their sources, commits
and licences: ``tests/data/bibs/SOURCES.md``): a biblatex example set, a reference
manager's sample libraries, a TeX journal's bibliography, scientific toolkits'
references. Valid BibTeX or biblatex is never an error; no LaTeX reaches a reader as raw
TeX; what an entry holds (its month, its pages, its proceedings) reaches its reference.
"""
from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from citeproof.bib import load_bib, validate_references
from citeproof.bib.checks import duplicate_works
from citeproof.markdown import cite_form
from citeproof.style import format_entries

BIBS = Path(__file__).parent / "data" / "bibs"
NAMES = sorted(p.name for p in BIBS.glob("*.bib"))
#: a TeX control word, a math shift or a tie left in a formatted reference (a brace may be
#: the text's own: ``$\{$Meta$\}$Font``)
RAW_TEX = re.compile(r"\\[A-Za-z]+|\$|(?<!\w)~(?!\w)")
#: text shown as code on purpose (a title about a TeX command: ``\cs{special}``)
CODE = re.compile(r"<code>.*?</code>", re.S)


@functools.lru_cache(maxsize=None)
def loaded(name: str):
    result = load_bib(BIBS / name, label=name)
    return result, format_entries(result.data, refs=result.references)


def test_the_corpus_is_other_projects_bibs_with_their_sources():
    """At least five files from different projects, 2,000 entries together, each with its
    source, commit and licence recorded."""
    sources = (BIBS / "SOURCES.md").read_text(encoding="utf-8")
    rows = {row.split("|")[1].strip(" `"): row for row in sources.splitlines()
            if row.startswith("| `") and row.count("|") > 8}
    assert set(rows) == set(NAMES) and len(NAMES) >= 5
    assert len({row.split("|")[2].strip() for row in rows.values()}) >= 5, "five projects at least"
    assert all(re.search(r"`[0-9a-f]{40}`", row) for row in rows.values()), "each with its commit"
    assert all((BIBS / "LICENSES" / name.replace(".bib", ".txt")).exists() for name in NAMES)
    assert sum(len(loaded(name)[0].references) for name in NAMES) >= 2000


#: The works the corpus holds twice, under two keys (``duplicate-work``, an error: a reader
#: would see one paper twice): biblatex's example set shows one work with and without
#: biblatex's ``related`` field. Each pair read by hand: same title, year, authors,
#: publisher and place.
DUPLICATES = {"biblatex-examples.bib": {("knuth:ct:related", "knuth:ct"),
                                        ("kullback:related", "kullback:reprint"),
                                        ("vangennep:related", "vangennep")}}


#: Entries pybtex's own parser cannot read, which BibTeX and biber read: a key of digits,
#: a dot and a colon (pybtex stops at ``10.1`` and reports "'}' expected").
PYBTEX_CANNOT = {"biblatex-apa-test-references.bib": {"10.1:18"}}


@pytest.mark.parametrize("name", NAMES)
def test_the_loader_reads_every_entry_as_pybtex_parses_it(name):
    """The loader reads values from the scanner's spans, not through pybtex's parser: on
    every entry of every public bib, its fields (value, case, order) and names are what
    pybtex's parser makes of the file, but where BibTeX's ``crossref`` adds the parent's
    fields (which pybtex leaves to the style) and where pybtex cannot read an entry."""
    import contextlib
    import io

    import pybtex.errors
    from pybtex.database.input.bibtex import Parser

    ours = loaded(name)[0].data.entries
    strict = pybtex.errors.strict
    pybtex.errors.set_strict_mode(False)  # (its complaint about the entry it cannot read: a warning)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            theirs = Parser().parse_file(str(BIBS / name)).entries
    finally:
        pybtex.errors.set_strict_mode(strict)
    assert list(ours.keys()) == list(theirs.keys())
    differ = set()
    for key, entry in theirs.items():
        if "crossref" in entry.fields:
            continue
        mine = ours[key]
        if list(mine.fields.items()) != list(entry.fields.items()) or \
                {r: [str(p) for p in ps] for r, ps in mine.persons.items()} != \
                {r: [str(p) for p in ps] for r, ps in entry.persons.items()}:
            differ.add(key)
    assert differ == PYBTEX_CANNOT.get(name, set())
    assert len(theirs) > 10


@pytest.mark.parametrize("name", NAMES)
def test_valid_bibs_have_no_error_and_no_undecoded_tex(name):
    """No error but the works the bib really holds twice; no LaTeX left undecoded."""
    result, _ = loaded(name)
    problems = [*result.problems, *validate_references(result.references), *duplicate_works(result.references)]
    errors = [p for p in problems if p.severity == "error"]
    assert {(p.key, re.search(r"as '([^']+)'", p.message).group(1)) for p in errors} == DUPLICATES.get(name, set())
    assert all(p.code == "duplicate-work" for p in errors)
    assert [p.message for p in problems if p.code == "undecoded-latex"] == []


@pytest.mark.parametrize("name", NAMES)
def test_no_raw_tex_reaches_a_reference(name):
    """The HTML of no reference holds a TeX macro, math shift or tie but in code shown on
    purpose (a title about ``\\special``), nor its text a math shift."""
    _, entries = loaded(name)
    raw = {key: RAW_TEX.findall(CODE.sub("", e.html)) + re.findall(r"\$", e.text)
           for key, e in entries.items()}
    assert {key: found for key, found in raw.items() if found} == {}


@pytest.mark.parametrize("name", NAMES)
def test_what_an_entry_holds_reaches_its_reference(name):
    """An entry's month, a conference paper's pages and proceedings, a book's series are
    in its reference (the counts are the bib's own, read without the style)."""
    result, entries = loaded(name)
    lost = []
    for key, ref in result.references.items():
        text = entries[key].text
        month = ref.field("month")
        if month and ref.year and not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", text):
            lost.append((key, "month"))
        if ref.kind in ("paper", "chapter") and ref.pages and "p. " not in text:
            lost.append((key, "pages"))
        if ref.kind == "paper" and ref.field("booktitle") and ref.field("booktitle")[:20] not in text:
            lost.append((key, "booktitle"))
        if ref.kind in ("book", "proceedings") and ref.field("series") and ref.field("series")[:20] not in text:
            lost.append((key, "series"))
        if not text.strip():
            lost.append((key, "everything"))
    assert lost == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_strict_build_citing_every_entry_passes(name, tmp_path):
    """A new site owner's MkDocs site with this bib, citing every work once (in the form
    the checker's hint gives), builds with ``--strict``; a work the bib holds twice is
    named, as an INFO line (a warning: only one of its keys is cited)."""
    result, _ = loaded(name)
    twice = {key for key, _ in DUPLICATES.get(name, ())}
    (tmp_path / "docs").mkdir()
    (tmp_path / "references.bib").write_bytes((BIBS / name).read_bytes())
    (tmp_path / "docs" / "index.md").write_text(
        "# Cited\n\n" + "\n\n".join(f"Cited [{cite_form(key)}]." for key in result.references
                                     if key not in twice) + "\n",
        encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    errors = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert errors == [] and done.returncode == 0, done.stderr[-2000:]
    named = {re.search(r"^INFO .*\.bib:\d+: (\S+): the same work as '([^']+)'", line).groups()
             for line in done.stderr.splitlines() if "[duplicate-work]" in line}
    assert named == DUPLICATES.get(name, set())
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="cp-entry-text"') == len(result.references) - len(twice)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_check_and_the_build_report_the_same_bib_problems(name, tmp_path):
    """Every problem of the bib, with its line, the same in ``citeproof check`` (offline)
    and in the site's build (two of one code on one line are two)."""
    from citeproof.check import CheckOptions, _offline
    from citeproof.config import SiteOptions
    from citeproof.site import SiteCore

    (tmp_path / "docs").mkdir()
    (tmp_path / "references.bib").write_bytes((BIBS / name).read_bytes())
    checked = _offline(CheckOptions(bib=tmp_path / "references.bib", docs=tmp_path / "docs",
                                    lock=tmp_path / "citations.lock.json", root=tmp_path))[1]
    core = SiteCore(SiteOptions(cache_dir=""), tmp_path)
    built = [*core.bib_problems(), *core.duplicate_works()]

    def keyed(problems):
        return sorted((p.code, p.severity, p.line or 0, p.key or "", p.message) for p in problems
                      if p.code != "unused-entry")  # (the pages' business: these docs cite nothing)
    assert keyed(built) == keyed(checked)
