"""The search reads a light stand-in of each citing page (its citations as text); the
built site, search index included, is byte for byte what it is without the stand-in."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from citeproof import mkdocs_plugin
from citeproof.mkdocs_plugin import CiteproofPlugin
from citeproof.render import search_text
from scratch import MATERIAL, Scratch

BIB = r"""
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {An {DNA} study of walking},
  journal = {J Walk}, year = {2020}, volume = {1}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}
@article{beta2021,
  author = {Gamma, Carl}, title = {Second \& last work}, journal = {J Walk},
  year = {2021}, volume = {2}, pages = {e5}, doi = {10.1000/beta}
}
@article{gamma2019,
  author = {Delta, Dan}, title = {Third <work>}, journal = {J Walk},
  year = {2019}, doi = {10.1000/gamma}
}
"""

PAGES = {
    "index.md": "# Walking [@alpha2020]\n\nOne [@alpha2020]. Two [@beta2021; @gamma2019].\n\n"
                "Three [see @gamma2019, p. 3 & 4]. Unknown [@nosuch; @beta2021].\n\n"
                "![alt [@beta2021]](x.png)\n\n## Part\n\n- a list item [@alpha2020]\n\n\\bibliography\n",
    "other.md": "# Other\n\nNo list here [@beta2021] and `[@alpha2020]` in code.\n",
    "plain.md": "# Plain\n\nNo citation at all.\n",
}


def _build(root: Path, dest: Path) -> dict[str, bytes]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        cfg = load_config(str(root / "mkdocs.yml"), site_dir=str(dest))
        cfg.plugins.on_startup(command="build", dirty=False)
        build(cfg)
        cfg.plugins.on_shutdown()
    finally:
        os.chdir(cwd)
    return {str(p.relative_to(dest)): p.read_bytes() for p in sorted(dest.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("options", ["", ":\n      citation_format: superscript"])
def test_the_site_and_its_search_index_are_the_same_with_and_without_the_stand_in(
        tmp_path, monkeypatch, options):
    project = Scratch(tmp_path / "p").write(page=PAGES, bib=BIB, plugin_options=options,
                                            mkdocs=MATERIAL + "  - search\n")
    swapped = []
    original = CiteproofPlugin.on_page_context

    def spy(self, context, *, page, config, nav):
        done = self.pages.get(page.file.src_uri)
        swapped.append(bool(getattr(done, "search_html", "")) and page.content == done.search_html)
        return original(self, context, page=page, config=config, nav=nav)

    spy.mkdocs_priority = original.mkdocs_priority  # (after the search's handler)
    monkeypatch.setattr(CiteproofPlugin, "on_page_context", spy)
    with_standin = _build(project.root, tmp_path / "a")
    assert sorted(swapped) == [False, True, True]  # the two citing pages' stand-ins were read
    monkeypatch.setattr(mkdocs_plugin, "_last", lambda plugin, config: False)
    without = _build(project.root, tmp_path / "b")
    assert with_standin.keys() == without.keys()
    for name in with_standin:
        assert with_standin[name] == without[name], name
    page = with_standin["index.html"].decode()
    assert 'class="cp-ref"' in page and 'href="#ref-alpha2020"' in page  # the links are back
    assert "cp-references-index" not in page


def test_the_stand_in_is_not_used_when_another_plugin_handles_page_content_after_ours():
    ours = CiteproofPlugin()
    other = SimpleNamespace(on_page_content=lambda html, **kw: html)
    config = SimpleNamespace(plugins=SimpleNamespace(events={"page_content": [ours.on_page_content,
                                                                             other.on_page_content]}))
    assert mkdocs_plugin._last(ours, config) is False
    config.plugins.events["page_content"].reverse()
    assert mkdocs_plugin._last(ours, config) is True


def test_search_text_keeps_the_text_and_only_the_tags_an_index_keeps():
    html = ('<span class="cp-cite" id="cite-2">[<a class="cp-ref" href="#ref-a">1</a>&#8211;'
            '<a class="cp-ref" href="#ref-b">3</a>, see &amp; <sup class="x">2</sup>]</span>')
    assert search_text(html) == "[1&#8211;3, see &amp; <sup>2</sup>]"
    assert mkdocs_plugin.log.name == "mkdocs.plugins.citeproof"
