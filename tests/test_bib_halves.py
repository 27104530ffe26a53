"""A bib read in two processes gives exactly what one reading gives (bib/halves.py)."""
from __future__ import annotations

import os
import signal
import threading

import pytest

from citeproof.bib import halves, load, parse_bib_text
from citeproof.bib.load import parse_range

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="halves need os.fork (POSIX)")


def _entry(i: int, extra: str = "") -> str:
    return (f"@article{{k{i},\n  author = {{Family{i}, Anna B. and Other{i}, Carl}},\n"
            f"  title = {{Study {i}}},\n  journal = {{J}},\n  year = {{{1990 + i % 30}}},\n"
            f"  pages = {{{i}--{i + 9}}},\n  doi = {{10.5555/x.{i}}}{extra}\n}}\n\n")


def _bib(n: int = 400, **changes: str) -> str:
    """``n`` entries; ``changes`` replaces entry ``k<i>``'s text (keyword ``k<i>``)."""
    return "".join(changes.get(f"k{i}", _entry(i)) for i in range(n))


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(halves, "MIN_CHARS", 0)


def _same(text: str) -> bool:
    """Whether the halves were used; either way the result equals one reading."""
    whole = parse_range(text, "h.bib", False)
    split = halves.parse_in_halves(text, "h.bib")
    joined = parse_bib_text(text, "h.bib", entries=False)
    assert list(joined.references.items()) == list(whole.references.items())
    assert joined.problems == whole.problems and joined.keys == whole.keys
    if split is not None:
        assert list(split.references.items()) == list(whole.references.items())
        assert split.problems == whole.problems
    return split is not None


def test_a_clean_bib_is_read_in_halves_with_the_same_result(small):
    assert _same(_bib())


def test_faults_in_both_halves_keep_their_lines_and_order(small):
    text = _bib(k3=_entry(3).replace("title", "title title"),  # a stray word
                k10=_entry(10).replace("},\n  journal", "}\n  journal"),  # a missing comma
                k300=_entry(300).replace("{Study 300}", "{Study 300"),  # an unclosed brace
                k350=_entry(350, ",\n  url = {ftp://x}"), k399=_entry(399).replace("doi = {", "doi = {https://doi.org/"))
    assert _same(text)
    assert len(parse_bib_text(text, "h.bib", entries=False).problems) >= 4


def test_a_key_in_both_halves_is_read_once(small):
    text = _bib(k350=_entry(350).replace("{k350,", "{K5,"))
    assert not _same(text)  # the duplicate's message needs the first half: one reading
    (dup,) = [p for p in parse_bib_text(text, "h.bib", entries=False).problems
              if p.code == "duplicate-key"]
    assert "'K5'" in dup.message and "'k5'" in dup.message


@pytest.mark.parametrize("link", ["@string{jn = {Journal}}\n", "@preamble{{x}}\n"])
def test_a_string_or_preamble_in_the_first_half_means_one_reading(small, link):
    assert not _same(link + _bib())
    assert _same(_bib() + link)  # after every entry it links nothing


def test_a_crossref_means_one_reading(small):
    assert not _same(_bib(k390=_entry(390, ",\n  crossref = {k1}")))


def test_an_entry_over_the_cut_means_one_reading(small):
    """A braced value may hold a line that starts with @ (legal BibTeX): when that line is
    where the text would be cut, the entry runs over the cut and the text is read once."""
    text = _bib()
    middle = len(text) // 2
    i = text.count("@article{", 0, middle) - 1  # the entry the middle falls in
    spanning = _entry(i, ",\n  note = {see\n@misc{inside} the note}")
    text = text.replace(_entry(i), spanning)
    cut = halves._LINE_START_AT.search(text, len(text) // 2)
    assert text.startswith("@misc{inside}", cut.start())  # the cut falls inside the value
    assert not _same(text)
    assert parse_bib_text(text, "h.bib", entries=False).references[f"k{i}"].field("note") \
        == "see @miscinside the note"  # (braces removed, as LaTeX reads them)


def test_crlf_and_a_failing_child_fall_back(small, monkeypatch):
    assert _same(_bib().replace("\n", "\r\n"))

    def failing(text, file, entries, scanner=None, start=0, end=None):
        if start:
            raise RuntimeError("the child fails")
        return parse_range(text, file, entries, scanner, start, end)

    monkeypatch.setattr(halves, "parse_range", failing)
    assert halves.parse_in_halves(_bib(), "h.bib") is None


def test_halves_only_when_it_is_safe_and_pays(monkeypatch):
    assert halves.parse_in_halves(_bib(), "h.bib") is None  # too small
    monkeypatch.setattr(halves, "MIN_CHARS", 0)
    assert halves.parse_in_halves(_bib(), "h.bib") is not None
    gate = threading.Event()
    thread = threading.Thread(target=gate.wait)
    thread.start()
    try:  # another thread (a server): never fork
        assert halves.parse_in_halves(_bib(), "h.bib") is None
    finally:
        gate.set()
        thread.join()
    assert parse_bib_text(_bib(), "h.bib", entries=True).data.entries  # pybtex data: one reading
    assert load.parse_bib_text  # (the loader is the entry point)


def test_a_failing_first_half_does_not_wait_on_the_child_forever(small, monkeypatch):
    """The child may be blocked writing a full pipe: closing it first lets it end."""
    big = _bib(3000)  # far more than a pipe holds

    def failing(text, file, entries, scanner=None, start=0, end=None):
        if not start:
            raise KeyboardInterrupt  # e.g. Ctrl-C while the first half is read
        return parse_range(text, file, entries, scanner, start, end)

    def hung(signum, frame):
        raise AssertionError("parse_in_halves waited on a child blocked on its pipe")

    monkeypatch.setattr(halves, "parse_range", failing)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with pytest.raises(KeyboardInterrupt):
            halves.parse_in_halves(big, "h.bib")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_no_process_to_spare_means_one_reading(small, monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert halves.parse_in_halves(_bib(), "h.bib") is None
    assert not _same(_bib())


def test_an_unknowable_child_status_means_one_reading(small):
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps children
    try:
        assert halves.parse_in_halves(_bib(), "h.bib") is None
        assert not _same(_bib())
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_the_joined_halves_say_a_second_half_string_was_read(small):
    joined = halves.parse_in_halves(_bib() + "@string{jn = {J}}\n", "h.bib")
    assert joined is not None and joined.defines
    assert parse_range(_bib() + "@string{jn = {J}}\n", "h.bib", False).defines
