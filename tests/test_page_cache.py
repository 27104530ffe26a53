"""The page cache (``SiteCore.render_markdown``): a page is rendered again only when its
Markdown, label, offset, the bib, the lock, the options or the code changed; what it
gives is what rendering gives, and a broken cache file is a miss."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from citeproof import site as site_module
from citeproof.site import SiteCore, SiteOptions

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
    real = core._render_markdown

    def spy(markdown, label, offset):
        made.append(label)
        return real(markdown, label, offset)

    core._render_markdown = spy
    out = {name: core.render_markdown(text, name, offset=2) for name, text in pages.items()}
    core.save_pages()
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
        monkeypatch.setattr(site_module, "package_fingerprint", lambda: b"other code")
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


def test_a_record_for_other_markdown_is_not_used(root):
    _render(root)
    [path] = (root / ".cache" / "citeproof").glob("pages-*.pickle")
    records = pickle.loads(path.read_bytes())
    swapped = dict(zip(records, reversed(list(records.values()))))  # each key, the other page
    path.write_bytes(pickle.dumps(swapped))
    got, made = _render(root)
    assert sorted(made) == ["a.md", "b.md"] and got == _plain(root)


def test_the_cache_keeps_only_the_pages_of_the_last_build(root):
    _render(root)
    _render(root, {"a.md": PAGES["a.md"]})
    [path] = (root / ".cache" / "citeproof").glob("pages-*.pickle")
    assert len(pickle.loads(path.read_bytes())) == 1
    assert dataclasses.is_dataclass(_render(root, {"a.md": PAGES["a.md"]})[0]["a.md"])


def _finish(root, html_of, **options):
    """Each page's finished HTML and verification record by a new core, and how many
    of them it made itself."""
    core = SiteCore(SiteOptions(**options), root)
    made = []
    for name in ("_finish_html", "_verification_record"):
        real = getattr(core, name)
        setattr(core, name, lambda *a, real=real, name=name: made.append(name) or real(*a))
    out = {}
    for name, text in PAGES.items():
        page = core.render_markdown(text, name)
        out[name] = (core.finish_html(html_of(page), page, download_href="../references.bib",
                                      after_title="<p>header</p>", list_slot=True),
                     core.verification_record(page))
    core.save_pages()
    return out, made


def test_finished_pages_and_records_are_read_back_only_for_the_same_input(root):
    import markdown as md

    def html_of(page):
        return md.markdown(page.text)

    first, made = _finish(root, html_of)
    assert len(made) == 4
    again, made = _finish(root, html_of)
    assert made == [] and again == first == _finish(root, html_of, cache_dir="")[0]
    other, made = _finish(root, lambda page: html_of(page) + "<p>more</p>")
    assert made == ["_finish_html", "_finish_html"]  # new HTML: finished again, records read back
    assert other == _finish(root, lambda page: html_of(page) + "<p>more</p>", cache_dir="")[0]
    assert "<p>more</p>" in other["a.md"][0].html and 'class="cp-ref"' in other["a.md"][0].html
