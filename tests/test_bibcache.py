"""The incremental bib cache (``bibcache.py``): after any edit, a build with the cache
makes exactly what a build without it makes, byte for byte, and formats only the
entries whose parsed value changed; a broken cache is a miss; the cache stays bounded."""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import markdown as md
import pytest
from bibedits import BIB, PAGES, edits as _edits, project as _project
from scratch import MATERIAL, Scratch

from citeproof import bibcache, cachefile, exports, style
from citeproof.bib import load_bib
from citeproof.config import SiteOptions
from citeproof.site import PageSource, SiteCore


def _outputs(root: Path, cache_dir: str) -> dict:
    """Everything the site core makes of the project: the loaded bib (references,
    problems, entries, downloads, COinS, metadata), and per page its HTML, list,
    verification record and head metadata."""
    core = SiteCore(SiteOptions(cache_dir=cache_dir), root)
    core.refresh()
    out = {"bib": core.bib, "problems": core.bib_problems(), "downloads": core.downloads()}
    for name, text in PAGES.items():
        pending = core.begin(PageSource(text, f"docs/{name}", meta={"date": "2026-01-02"},
                                        dest=name.replace(".md", "/index.html"), url="https://x.org/"))
        out[name] = (pending.markdown, core.finish(pending, md.markdown(pending.markdown)))
    return out


@pytest.fixture
def formatted(monkeypatch):
    """The keys pybtex formats, call by call."""
    calls: list[list[str]] = []
    real = style.format_entries

    def counting(data, keys=None, *args, **kwargs):
        calls.append(list(data.entries) if keys is None else list(keys))
        return real(data, keys, *args, **kwargs)

    monkeypatch.setattr(style, "format_entries", counting)
    return calls


def test_every_edit_builds_what_a_build_without_the_cache_builds(tmp_path, formatted):
    root = tmp_path / "site"
    for name, bib in _edits():
        _project(root, bib)
        os.utime(root / "references.bib", ns=(1, len(formatted)))  # a new signature each time
        formatted.clear()
        cached = _outputs(root, ".cache/citeproof")
        incremental = [k for call in formatted for k in call]
        cold = _outputs(root, "")
        assert cached == cold, name
        assert pickle.dumps(cached["bib"].downloads) == pickle.dumps(cold["bib"].downloads), name
        if name == "first build":
            assert len(incremental) == len(cached["bib"].entries)
        else:  # only what changed was formatted again
            assert len(incremental) < 4, (name, incremental)
    # the problems name the lines of the last bib: the site entry moved down 3 lines
    lines = [p.line for p in cold["problems"] if p.key == "site2022" and p.code == "invalid-url"]
    assert lines == [_line_of(bib, "url = {ftp://")]


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def _cached_builds_after_edits(root: Path, before):
    """For each of ``_edits()`` in turn (a new mtime each): ``before()``, then a build
    with the cache; yields ``(edit name, the build's outputs)``."""
    for n, (name, bib) in enumerate(_edits()):
        _project(root, bib)
        os.utime(root / "references.bib", ns=(1, n + 1))
        before()
        yield name, _outputs(root, ".cache/citeproof")


def test_what_each_edit_formats_again(tmp_path, formatted):
    runs = {}
    for name, _ in _cached_builds_after_edits(tmp_path / "site", formatted.clear):
        runs[name] = sorted(k for call in formatted for k in call)
    assert runs["a title edited"] == ["beta2021"]
    assert runs["an entry added, another removed"] == ["delta2023"]
    assert runs["the crossref parent changed"] == ["child2019", "proc2019"]  # the child inherits
    assert runs["an @string used by another entry changed"] == ["alpha2020"]
    assert runs["an entry became a duplicate"] == []  # the first alpha2020 is kept, unchanged
    assert runs["lines shifted above everything"] == []  # (a line break in a value is a space)
    assert runs["only the entry's layout changed"] == []
    assert runs["the duplicate removed"] == ["beta2021"]


@pytest.mark.slow
def test_a_real_build_after_edits_equals_a_build_without_the_cache(tmp_path):
    """Whole `mkdocs build` runs: every file of the site (the pages, downloads,
    verification records, search index) alike with and without the cache."""
    with_cache = Scratch(tmp_path / "with").write(page=PAGES, bib=BIB, mkdocs=MATERIAL)
    without = Scratch(tmp_path / "without").write(page=PAGES, bib=BIB, mkdocs=MATERIAL,
                                                  plugin_options=":\n      cache_dir: ''")
    steps = _edits()
    for name, bib in [steps[0], steps[1], steps[3], steps[7]]:
        for project in (with_cache, without):
            (project.root / "references.bib").write_text(bib, encoding="utf-8")
            proc = project.build()
            assert proc.returncode == 0, proc.stderr
        assert _tree(with_cache.root / "site") == _tree(without.root / "site"), name
        assert any((with_cache.root / ".cache" / "citeproof").glob("entries-*.pickle"))
        assert not (without.root / ".cache").exists()


def _tree(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.suffix != ".gz"}  # (a gzip header holds its time)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "wrong types", "empty",
                                    "a directory"])
def test_a_broken_cache_is_a_miss(tmp_path, damage, formatted):
    root = tmp_path / "site"
    steps = _edits()
    _project(root, steps[0][1])
    _outputs(root, ".cache/citeproof")
    cache = root / ".cache" / "citeproof"
    for path in [*cache.glob("entries-*.pickle"), *cache.glob("bib-*.pickle")]:
        data = path.read_bytes()
        if damage == "a directory":
            path.unlink()
            path.mkdir()
            continue
        path.write_bytes({
            "garbage": b"\x80\x05not a pickle at all",
            "truncated": data[: len(data) // 2],
            "wrong shape": pickle.dumps({"entries": 1}),
            "wrong types": pickle.dumps(bibcache._Records({"alpha2020": (b"x",) * 11},
                                                          {"chunk": (("k", 0, 99),)})),
            "empty": b"",
        }[damage])
    for name, bib in steps[:2]:
        _project(root, bib)
        os.utime(root / "references.bib", ns=(1, len(name)))
        assert _outputs(root, ".cache/citeproof") == _outputs(root, ""), (damage, name)


def test_an_unwritable_cache_builds_without_it(tmp_path):
    root = tmp_path / "site"
    _project(root, BIB)
    (root / ".cache").write_text("a file where the cache directory would be")
    assert _outputs(root, ".cache/citeproof") == _outputs(root, "")


def test_the_cache_stays_bounded(tmp_path):
    root = tmp_path / "site"
    for run in range(bibcache._KEEP + 4):
        _project(root, BIB.replace("Second work", f"Second work {run}"))
        os.utime(root / "references.bib", ns=(1, run + 1))
        _outputs(root, ".cache/citeproof")
    for authors in ("all", "three", "icmje"):
        SiteCore(SiteOptions(authors=authors), root).refresh()
    cache = root / ".cache" / "citeproof"
    assert len(list(cache.glob("bib-*.pickle"))) == bibcache._KEEP
    assert {p.stat().st_mode & 0o777 for p in cache.glob("*.pickle")} == {0o644}
    assert len(list(cache.glob("entries-*.pickle"))) == 3  # one per style options
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".pickle")) == [".gitignore"]
    # each entries-* file names the last bib file written for its options, which holds
    # (after the loaded bib) the records of that bib's entries only
    names = [cachefile.read(p) for p in cache.glob("entries-*.pickle")]
    records = [cachefile.read(cache / name, 2) for name in names]
    assert all(sorted(r.entries) == sorted(load_bib(root / "references.bib").references)
               for r in records)


def test_style_options_never_share_records(tmp_path):
    root = tmp_path / "site"
    _project(root, BIB.replace("Gamma, Carl and others", "A, A and B, B and C, C and D, D and "
                                                          "E, E and F, F and G, G"))
    three = SiteCore(SiteOptions(authors="three"), root)
    every = SiteCore(SiteOptions(authors="all"), root)
    assert three.bib.entries["beta2021"].text != every.bib.entries["beta2021"].text
    assert every.bib == SiteCore(SiteOptions(authors="all", cache_dir=""), root).bib


def test_a_repeated_key_keeps_the_first_entrys_bibtex():
    text = "@misc{a, title = {First}}\n@misc{a, title = {Second}}\n"
    assert exports.bibtex_entries(text) == {"a": "@misc{a, title = {First}}"}


def test_joined_csl_json_is_what_json_dumps_writes(tmp_path):
    import json
    _project(tmp_path, BIB)
    refs = list(load_bib(tmp_path / "references.bib").references.values())
    items = [exports.csl_item(r) for r in refs]
    assert exports.csl_json(refs) == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    assert exports.csl_json([]) == json.dumps([], indent=2) + "\n"
    assert exports.csl_json(refs[:1]) == json.dumps(items[:1], ensure_ascii=False, indent=2) + "\n"


def test_what_each_edit_checks_again(tmp_path, monkeypatch):
    """The offline checks (``validate_references``, a per-reference function) run again
    only for the entries whose Reference may differ (value, text, file or line); the
    problems are those of a load without the cache (the test above)."""
    import citeproof.bib as bib_package

    checked: list[str] = []
    real = bib_package.validate_references

    def counting(refs):
        checked.extend(refs)
        return real(refs)

    monkeypatch.setattr(bib_package, "validate_references", counting)
    root = tmp_path / "site"
    runs = {}
    for name, cached in _cached_builds_after_edits(root, checked.clear):
        runs[name] = sorted(checked)
        assert cached["problems"] == _outputs(root, "")["problems"], name
        if name == "lines shifted above everything":  # every entry is on other lines
            assert runs[name] == sorted(cached["bib"].references)
    assert len(runs["first build"]) == 6
    assert runs["a title edited"] == ["beta2021"]
    assert runs["an entry added, another removed"] == ["delta2023"]
    assert runs["only the entry's layout changed"] == ["child2019", "site2022"]  # (site2022 moved a line)
    assert runs["the fault fixed, a comment between entries changed"] == []



def test_the_caches_key_changes_with_python_and_its_unicode_tables(monkeypatch):
    """A Python upgrade may fold or normalise text differently: no cache made before it is read."""
    from types import SimpleNamespace

    def fingerprint() -> bytes:
        bibcache._code_fingerprint.cache_clear()
        bibcache.package_fingerprint.cache_clear()
        return bibcache.package_fingerprint()

    before = fingerprint()
    monkeypatch.setattr(bibcache, "unicodedata", SimpleNamespace(unidata_version="99.0.0"))
    assert fingerprint() != before
    monkeypatch.undo()
    monkeypatch.setattr(bibcache.sys, "version_info", (9, 9, 0))
    assert fingerprint() != before
    monkeypatch.undo()
    assert fingerprint() == before
