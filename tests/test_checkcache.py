"""The checker's cache (``checkcache.py``): a check of an unchanged bib reads back what an
earlier one found, exactly what a check without the cache finds; it is written on the
second check of a bib, never the first; a broken file is a miss; the folder stays
bounded and out of git."""
from __future__ import annotations

import os
import pickle
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from bibedits import BIB, edits as _edits, every_bib as _bibs, project as _project

from citeproof import bibcache, cachefile, checkcache
from citeproof.check import CheckOptions, _offline
from citeproof.cli import main

CORPUS = Path(__file__).parent / "data" / "bibs"


def _checked(root: Path, cache: bool):
    """What ``citeproof check --offline`` finds in the project, with or without its cache:
    the references and every problem, in order."""
    refs, problems, _ = _offline(CheckOptions(
        bib=root / "references.bib", docs=root / "docs", lock=root / "citations.lock.json", root=root,
        cache_dir=root / ".cache" / "citeproof" if cache else None))
    return refs, problems


@pytest.fixture
def parsed(monkeypatch):
    """The bibs the checker parsed, call by call."""
    from citeproof.bib import load as bib_load

    calls: list[str] = []
    real = bib_load.parse_bib_text

    def counting(text, name, *args, **kwargs):
        calls.append(name)
        return real(text, name, *args, **kwargs)

    monkeypatch.setattr(bib_load, "parse_bib_text", counting)
    return calls


def _three_checks(root: Path, text: str, parsed: list) -> None:
    """Checks one, two and three of an unchanged bib each find what a check without the
    cache finds; the first two parse it (the second writes the file), the third does not."""
    _project(root, text)
    fresh = _checked(root, cache=False)
    cache = root / ".cache" / "citeproof"
    counts = []
    for _ in range(3):
        parsed.clear()
        assert _checked(root, cache=True) == fresh
        counts.append(len(parsed))
        if len(counts) == 1:  # a first check leaves a marker, no file
            assert [p.suffix for p in cache.glob("refs-*")] == [".seen"]
    assert counts == [1, 1, 0]
    assert [p.suffix for p in cache.glob("refs-*")] == [".pickle"]


@pytest.mark.parametrize("n", range(len(_bibs())))
def test_a_third_check_reads_back_what_the_first_found(tmp_path, n, parsed):
    """Every bib of the hostile corpus, the fixture's and the build cache's edits."""
    _three_checks(tmp_path / "project", _bibs()[n], parsed)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.bib")))
def test_a_third_check_of_a_real_bib_reads_back_what_the_first_found(tmp_path, name, parsed, monkeypatch):
    monkeypatch.setattr(checkcache, "_BATCH", 100)  # (several batches, read back in order)
    _three_checks(tmp_path / "project", (CORPUS / name).read_text(encoding="utf-8"), parsed)


def test_each_edit_is_checked_afresh(tmp_path, parsed):
    root = tmp_path / "project"
    for name, bib in _edits():
        _project(root, bib)
        for _ in range(2):
            parsed.clear()
            assert _checked(root, cache=True) == _checked(root, cache=False), name
            assert len(parsed) == 2, name  # the cached check parsed the new bib too
    cache = root / ".cache" / "citeproof"
    assert len(list(cache.glob("refs-*.pickle"))) == bibcache._KEEP
    assert list(cache.glob("refs-*.seen")) == []  # (each bib was checked twice)
    for _, bib in _edits()[:bibcache._KEEP + 2]:  # checked once each: markers, bounded too
        _project(root, bib + "\n% once\n")
        _checked(root, cache=True)
    assert len(list(cache.glob("refs-*.seen"))) == bibcache._KEEP


@pytest.mark.parametrize("damage", ["garbage", "truncated", "another user's file", "wrong types",
                                    "a batch of wrong types", "empty", "a pair naming no key",
                                    "a pair naming no identity"])
def test_a_broken_check_cache_is_a_miss(tmp_path, damage, parsed):
    root = tmp_path / "project"
    _project(root, BIB)
    fresh = _checked(root, cache=True)
    _checked(root, cache=True)
    [path] = (root / ".cache" / "citeproof").glob("refs-*.pickle")
    data = path.read_bytes()
    wrong = {"alpha2020": fresh[0]["beta2021"]}  # a reference under another key
    if damage == "wrong types":  # this user's own file, of the wrong shape
        assert cachefile.write(path, (checkcache._Kept(("text",), (), (), ()),), "refs-*", 8)
    elif damage == "a batch of wrong types":
        assert cachefile.write(path, (checkcache._Kept((cachefile.dumps(wrong),), (), (), ()),), "refs-*", 8)
    elif damage.startswith("a pair"):  # this user's own file: its references, and a pair it cannot name
        kept = cachefile.read(path)
        pair = ("alpha2020", "nobody", "doi") if damage == "a pair naming no key" else \
            ("beta2021", "alpha2020", "__class__")
        assert cachefile.write(path, (checkcache._Kept(kept.references, kept.loaded, kept.checked, (pair,)),),
                               "refs-*", 8)
    else:
        path.write_bytes({
            "garbage": b"\x80\x05not a pickle at all",
            "truncated": data[: len(data) // 2],
            "another user's file": pickle.dumps(checkcache._Kept((pickle.dumps(wrong),), (), (), ())),
            "empty": b"",
        }[damage])
    parsed.clear()
    assert _checked(root, cache=True) == fresh
    assert len(parsed) == 1


def test_a_check_without_the_cache_writes_none(tmp_path):
    """``--no-cache`` and ``cache_dir: ''`` keep nothing; by default the check keeps the
    parsed bib in the cache_dir option's folder, which keeps itself out of git."""
    root = tmp_path / "project"
    _project(root, BIB)
    config = root / "mkdocs.yml"
    runner = CliRunner()
    args = ["check", "--offline", "--config", str(config)]
    errors = 1  # (the bib's ftp url is an error)

    config.write_text("site_name: t\nplugins:\n  - citeproof\n", encoding="utf-8")
    for _ in range(2):
        assert runner.invoke(main, [*args, "--no-cache"]).exit_code == errors
    assert not (root / ".cache").exists()
    config.write_text("site_name: t\nplugins:\n  - citeproof:\n      cache_dir: ''\n", encoding="utf-8")
    for _ in range(2):
        assert runner.invoke(main, args).exit_code == errors
    assert not (root / ".cache").exists()

    config.write_text("site_name: t\nplugins:\n  - citeproof:\n      cache_dir: .kept\n", encoding="utf-8")
    runs = [runner.invoke(main, args) for _ in range(3)]
    assert [r.exit_code for r in runs] == [errors] * 3
    assert len({re.sub(r"[\d.]+ s\.", "", r.output) for r in runs}) == 1  # (but the time taken)
    assert len(list((root / ".kept").glob("refs-*.pickle"))) == 1
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    untracked = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
                               capture_output=True, text=True, check=True).stdout
    assert "references.bib" in untracked and ".kept" not in untracked


def test_an_unwritable_cache_folder_is_no_error(tmp_path, parsed):
    root = tmp_path / "project"
    _project(root, BIB)
    (root / ".cache").write_text("a file where the cache folder would be")
    fresh = _checked(root, cache=False)
    assert [_checked(root, cache=True) for _ in range(3)] == [fresh] * 3
    assert len(parsed) == 4


def _files(root: Path, text: str) -> Path:
    """The stem of the checker's files for the project's bib, as the check names them."""
    return root / ".cache" / "citeproof" / checkcache._stem(str(root / "references.bib"), text.encode())


@pytest.mark.parametrize("planted", ["a link to /dev/zero", "a link to a FIFO", "a FIFO", "a directory"])
def test_a_planted_cache_file_is_a_miss_that_reads_nothing(tmp_path, planted):
    """A cache folder may come with the project (committed, or planted by a pull request
    whose bib is known): what stands under the file's name is read only if it is a regular
    file, never through a link, and never more than its size."""
    root = tmp_path / "project"
    _project(root, BIB)
    stem = _files(root, BIB)
    stem.parent.mkdir(parents=True)
    pickle_path = stem.with_name(stem.name + ".pickle")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    {"a link to /dev/zero": lambda: pickle_path.symlink_to("/dev/zero"),
     "a link to a FIFO": lambda: pickle_path.symlink_to(fifo),
     "a FIFO": lambda: os.mkfifo(pickle_path),
     "a directory": pickle_path.mkdir}[planted]()
    stem.with_name(stem.name + ".seen").touch()  # (so the check would write the file)
    code = ("import sys; sys.path[:0] = sys.argv[1:3]; from test_checkcache import _checked; "
            "from pathlib import Path; print(len(_checked(Path(sys.argv[3]), cache=True)[0]))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(Path(__file__).parent / "corpus"),
                           str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "6", done.stderr
    assert pickle_path.is_symlink() or pickle_path.is_dir() or stat.S_ISREG(pickle_path.lstat().st_mode)


def test_a_planted_marker_is_never_written_through(tmp_path):
    """A marker's name taken by a link (to a file that does not exist yet) makes no file
    where it points."""
    root = tmp_path / "project"
    _project(root, BIB)
    stem = _files(root, BIB)
    stem.parent.mkdir(parents=True)
    target = tmp_path / "outside" / "made-by-citeproof"
    target.parent.mkdir()
    seen = stem.with_name(stem.name + ".seen")
    seen.symlink_to(target)
    for _ in range(3):
        _checked(root, cache=True)
    assert not target.exists()


@pytest.mark.parametrize("where", ["lstat", "unlink"])
def test_a_cache_folder_that_cannot_be_searched_is_no_error(tmp_path, monkeypatch, where):
    """(A folder left by another user, mode 700: root cannot be refused, so the refusal is
    made here.)"""
    root = tmp_path / "project"
    _project(root, BIB)
    fresh = _checked(root, cache=False)
    real = getattr(os, where)

    def refused(path, *args, **kwargs):
        if str(path).endswith(".seen"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    if where == "unlink":
        _checked(root, cache=True)  # (the marker is there: the next check writes, then unlinks it)
    monkeypatch.setattr(os, where, refused)
    assert [_checked(root, cache=True) for _ in range(2)] == [fresh] * 2


def test_where_no_cache_key_can_be_kept_the_check_writes_nothing(tmp_path):
    """A cache file is authenticated with a key kept in the user's cache directory; where
    none can be kept (a read-only home), no later check could read what one writes."""
    root = tmp_path / "project"
    _project(root, BIB)
    (tmp_path / "home").write_text("a file where the user's cache directory would be")
    code = ("import sys; sys.path[:0] = sys.argv[1:3]; from test_checkcache import _checked; "
            "from pathlib import Path; [_checked(Path(sys.argv[3]), cache=True) for _ in range(3)]")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home" / "cache")}
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent),
                           str(Path(__file__).parent / "corpus"), str(root)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (root / ".cache").exists()
