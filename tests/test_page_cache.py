"""The page cache (``pagecache.py``, behind ``SiteCore.begin`` and ``finish``): a page is
rendered again only when its Markdown, label, offset, the bib, the lock, the options or
the code changed; what it gives is what rendering gives, and a broken, planted or
tampered cache file is a miss."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from citeproof import cachefile, pagecache
from citeproof.config import SiteOptions
from citeproof.site import PageSource, SiteCore

BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob}, title = {An {DNA} study of walking},
  journal = {J Walk}, year = {2020}, volume = {1}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}
@article{beta2021,
  author = {Gamma, Carl}, title = {Second work}, journal = {J Walk},
  year = {2021}, volume = {2}, pages = {e5}, doi = {10.1000/beta}
}
"""
PAGES = {
    "a.md": "# A\n\nAlpha found it [@alpha2020]. Both [@alpha2020; @beta2021]. Bad [@nosuch].\n\n\\bibliography\n",
    "b.md": "# B\n\nGamma (2019) reports [see @beta2021, p. 3].\n",
}


@pytest.fixture
def root(tmp_path):
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    return tmp_path


def _render(root, pages=PAGES, **options) -> tuple[dict, list[str]]:
    """Each page's render by a new core (as a new build makes), and the pages it rendered
    itself rather than read from the cache."""
    core = SiteCore(SiteOptions(**options), root)
    made = []
    real = core._begin

    def spy(source):
        made.append(source.label)
        return real(source)

    core._begin = spy
    out = {name: core.begin(PageSource(text, name, offset=2)).render for name, text in pages.items()}
    core.save()
    return out, made


def _plain(root, pages=PAGES, **options) -> dict:
    return _render(root, pages, cache_dir="", **options)[0]


def test_a_second_build_reads_every_page_and_gets_the_same(root):
    first, made = _render(root)
    assert sorted(made) == ["a.md", "b.md"]
    again, made = _render(root)
    assert made == []
    assert again == first == _plain(root)
    assert any(p.code == "unknown-key" for p in again["a.md"].problems)


@pytest.mark.parametrize("change", ["page", "bib", "lock", "option", "code"])
def test_what_a_page_depends_on_renders_it_again(root, change, monkeypatch):
    _render(root)
    pages, options = dict(PAGES), {}
    if change == "page":
        pages["b.md"] = pages["b.md"].replace("p. 3", "p. 4")
    elif change == "bib":
        (root / "references.bib").write_text(BIB.replace("Gamma, Carl", "Gamma, Cy"), encoding="utf-8")
    elif change == "lock":
        (root / "citations.lock.json").write_text('{"version": 1, "references": {}}\n', encoding="utf-8")
    elif change == "option":
        options = {"citation_format": "superscript"}
    else:
        monkeypatch.setattr(pagecache, "package_fingerprint", lambda: b"other code")
    got, made = _render(root, pages, **options)
    assert sorted(made) == (["b.md"] if change == "page" else ["a.md", "b.md"])
    assert got == _plain(root, pages, **options)


@pytest.mark.parametrize("damage", [b"", b"garbage", pickle.dumps({b"k": "not bytes"}),
                                    pickle.dumps({"not bytes": b"x"})])
def test_a_broken_page_cache_is_a_miss(root, damage):
    first, _ = _render(root)
    for path in (root / ".cache" / "citeproof").glob("pages-*.pickle"):
        path.write_bytes(damage)
    got, made = _render(root)
    assert sorted(made) == ["a.md", "b.md"] and got == first


def test_a_tampered_record_is_not_used(root):
    """Each key given the other page's record, as the file's own pickle: the file no longer
    carries this user's digest, so both pages are rendered again."""
    _render(root)
    [path] = (root / ".cache" / "citeproof").glob("pages-*.pickle")
    data = path.read_bytes()
    records = pickle.loads(data[32:])
    swapped = dict(zip(records, reversed(list(records.values()))))  # each key, the other page
    path.write_bytes(data[:32] + pickle.dumps(swapped))
    got, made = _render(root)
    assert sorted(made) == ["a.md", "b.md"] and got == _plain(root)


def test_the_cache_keeps_only_the_pages_of_the_last_build(root):
    _render(root)
    _render(root, {"a.md": PAGES["a.md"]})
    [path] = (root / ".cache" / "citeproof").glob("pages-*.pickle")
    assert len(pickle.loads(path.read_bytes()[32:])) == 1
    assert dataclasses.is_dataclass(_render(root, {"a.md": PAGES["a.md"]})[0]["a.md"])


def _finish(root, html_of, **options):
    """Each page's render by a new core, and how many of them it finished itself."""
    core = SiteCore(SiteOptions(**options), root)
    made = []
    real = core._finish
    core._finish = lambda *a: made.append("_finish") or real(*a)
    out = {}
    for name, text in PAGES.items():
        pending = core.begin(PageSource(text, name, meta={"date": "2026-01-02"}, dest="p/index.html"))
        out[name] = core.finish(pending, html_of(pending.render))
    core.save()
    return out, made


def test_finished_pages_and_records_are_read_back_only_for_the_same_input(root):
    import markdown as md

    def html_of(page):
        return md.markdown(page.text)

    first, made = _finish(root, html_of)
    assert len(made) == 2
    again, made = _finish(root, html_of)
    assert made == [] and again == first == _finish(root, html_of, cache_dir="")[0]
    other, made = _finish(root, lambda page: html_of(page) + "<p>more</p>")
    assert made == ["_finish", "_finish"]  # new HTML: finished again
    assert other == _finish(root, lambda page: html_of(page) + "<p>more</p>", cache_dir="")[0]
    assert "<p>more</p>" in other["a.md"].html and 'class="cp-ref"' in other["a.md"].html


# ---------------------------------------------------------------- the finer key: per cited entry

EDIT_BIB = BIB.lstrip("\n") + r"""@article{delta2019,
  author = {Delta, Dan}, title = {Uncited work}, journal = {J Walk},
  year = {2019}, volume = {3}, pages = {1--2}, doi = {10.1000/delta}
}
@article{eps2018,
  author = {Epsilon, Eve}, title = {Another uncited work}, journal = {J Run},
  year = {2018}, volume = {4}, pages = {5--6}, pmid = {23456789}
}
"""
EDIT_PAGES = {
    "alpha.md": "# A\n\nAlpha found it [@alpha2020]. Beta (2020) agrees [@alpha2020].\n\n\\bibliography\n",
    "beta.md": "# B\n\nGamma reports it [see @beta2021, p. 3]. Delta found it too [@beta2021].\n",
    "unknown.md": "# U\n\nSee [@gamma2022] and [@alpah2020].\n\n\\bibliography\n",
    "none.md": "# N\n\nNo citation here.\n",
}
NEW_ENTRY = ("@article{gamma2022,\n  author = {Zeta, Zoe}, title = {New work}, journal = {J Walk},\n"
             "  year = {2022}, volume = {5}, pages = {7--8}, doi = {10.1000/gamma}\n}\n")
#: each kind of bib edit: the pages it must render again (the others are read back; "any":
#: either), and the pages whose render, HTML or record it changes
EDITS = {
    "a cited entry's title": (lambda b: b.replace("Second work", "Second work, revised"), ["beta.md"], ["beta.md"]),
    "an uncited entry's title": (lambda b: b.replace("Uncited work", "Uncited work, revised"), [], []),
    "an uncited entry's pages": (lambda b: b.replace("5--6", "5--7"), [], []),
    "an uncited author a page's prose names": (lambda b: b.replace("Delta, Dan", "Deltas, Dan"), "all",
                                               ["beta.md"]),
    "an uncited entry's given name": (lambda b: b.replace("Epsilon, Eve", "Epsilon, E."), [], []),
    "a key a page cited as unknown added": (lambda b: b + NEW_ENTRY, "all", ["unknown.md"]),
    "an uncited key removed": (lambda b: b[:b.index("@article{eps2018")], "all", []),
    "a cited key removed (and suggested)": (lambda b: b[b.index("@article{beta2021"):], "all",
                                            ["alpha.md", "unknown.md"]),
    "a cited key duplicated": (lambda b: b + b[:b.index("@article{beta2021")], [], []),
    "a cited key duplicated, another title after": (
        lambda b: b + b[b.index("@article{beta2021"):b.index("@article{delta")].replace("Second", "Dup"), "any", []),
    "a cited key duplicated, another title before": (
        lambda b: b[b.index("@article{beta2021"):b.index("@article{delta")].replace("Second", "Dup") + b, "all",
        ["beta.md"]),
    "lines shifted above a cited entry": (lambda b: "\n\n" + b, ["alpha.md", "beta.md"], []),
    "a cited entry's layout only": (lambda b: b.replace("title = {Second work}, ", "title = {Second work},\n  "),
                                    ["beta.md"], []),
    "an uncited entry moved first": (
        lambda b: b[b.index("@article{delta2019"):] + b[:b.index("@article{delta2019")], "all", []),
}


def _pipeline(root, pages, **options) -> tuple[dict, list[str]]:
    """Every page's render, finished HTML and verification record by a new core (as a
    build makes them), and the pages it rendered itself."""
    import markdown as md

    core = SiteCore(SiteOptions(**options), root)
    made = []
    real = core._begin
    core._begin = lambda source: made.append(source.label) or real(source)
    out = {}
    for name, text in pages.items():
        pending = core.begin(PageSource(text, name, offset=1, dest=name.replace(".md", "/index.html")))
        out[name] = (pending.render, core.finish(pending, md.markdown(pending.markdown)))
    core.save()
    return out, made


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_each_bib_edit_the_page_cache_gives_what_rendering_gives(tmp_path, edit):
    change, expected, _ = EDITS[edit]
    (tmp_path / "references.bib").write_text(EDIT_BIB, encoding="utf-8")
    first, made = _pipeline(tmp_path, EDIT_PAGES)
    assert sorted(made) == sorted(EDIT_PAGES)
    edited = change(EDIT_BIB)
    assert edited != EDIT_BIB
    (tmp_path / "references.bib").write_text(edited, encoding="utf-8")
    got, made = _pipeline(tmp_path, EDIT_PAGES)
    plain, _ = _pipeline(tmp_path, EDIT_PAGES, cache_dir="")
    for name in EDIT_PAGES:  # byte for byte what a build without the page cache makes
        assert got[name] == plain[name] and repr(got[name]) == repr(plain[name]), name
    if expected != "any":
        assert sorted(made) == (sorted(EDIT_PAGES) if expected == "all" else sorted(expected))
    again, made = _pipeline(tmp_path, EDIT_PAGES)  # and read back as made
    assert made == [] and again == plain


@pytest.mark.parametrize("edit", list(EDITS))
def test_the_edits_change_what_the_pages_show(tmp_path, edit):
    """(So the test above can fail: a page read back after an edit that changes it
    would differ from its render without the cache.)"""
    change, _, shows = EDITS[edit]
    (tmp_path / "references.bib").write_text(EDIT_BIB, encoding="utf-8")
    before, _ = _pipeline(tmp_path, EDIT_PAGES, cache_dir="")
    (tmp_path / "references.bib").write_text(change(EDIT_BIB), encoding="utf-8")
    after, _ = _pipeline(tmp_path, EDIT_PAGES, cache_dir="")
    assert sorted(n for n in EDIT_PAGES if repr(after[n]) != repr(before[n])) == shows


def test_a_stale_record_of_a_page_is_never_read_back(tmp_path):
    """A record made with an entry's old value is not used, even when its digests in the
    file are the only ones it has (the key set is unchanged)."""
    (tmp_path / "references.bib").write_text(EDIT_BIB, encoding="utf-8")
    _pipeline(tmp_path, EDIT_PAGES)
    (tmp_path / "references.bib").write_text(EDIT_BIB.replace("Second work", "Other"), encoding="utf-8")
    got, _ = _pipeline(tmp_path, EDIT_PAGES)
    assert "Other" in got["beta.md"][1].html and "Second work" not in got["beta.md"][1].html


def test_a_planted_cache_file_runs_no_code_and_is_a_miss(root, tmp_path):
    """A pickle whose loading would run code, put where the page cache looks, with or
    without a digest: nothing runs, and every page is rendered as without the cache."""
    _render(root)
    [path] = (root / ".cache" / "citeproof").glob("pages-*.pickle")
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    payload = pickle.dumps(Payload())
    signed = cachefile._digest(payload) + payload  # as if the key had leaked: the unpickler refuses it
    for planted in (payload, path.read_bytes()[:32] + payload, signed):
        path.write_bytes(planted)
        got, made = _render(root)
        assert not marker.exists() and sorted(made) == ["a.md", "b.md"] and got == _plain(root)
