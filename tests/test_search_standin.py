"""The search reads a light stand-in of each citing page (its reference list as plain items);
the built pages are byte for byte what they are without the stand-in."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from citeproof import mkdocs_plugin
from citeproof.site import RenderedPage
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
def test_the_site_is_the_same_with_and_without_the_stand_in_and_the_index_reads_the_list_as_text(
        tmp_path, monkeypatch, options):
    """The search reads each citing page with its list as plain items (the full list's
    markup costs an index much time); the built pages are byte for byte the same as without
    the stand-in, and the index holds each reference's text, not its status or links."""
    project = Scratch(tmp_path / "p").write(page=PAGES, bib=BIB, plugin_options=options,
                                            mkdocs=MATERIAL + "  - search\n")
    with_standin = _build(project.root, tmp_path / "a")
    monkeypatch.setattr(RenderedPage, "indexed", lambda self: self.html)
    monkeypatch.setattr(RenderedPage, "restored", lambda self, content: content)
    without = _build(project.root, tmp_path / "b")
    assert with_standin.keys() == without.keys()
    for name in with_standin:
        if name != "search/search_index.json":
            assert with_standin[name] == without[name], name
    page = with_standin["index.html"].decode()
    assert 'class="cp-ref"' in page and 'href="#ref-alpha2020"' in page  # the links are back
    assert "cp-references-index" not in page
    index = json.loads(with_standin["search/search_index.json"])
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("#") or doc["location"] == "")
    assert "An DNA study of walking" in text and "Second &amp; last work" in text
    assert "Not yet checked" not in text and "Not yet checked" in json.dumps(json.loads(without["search/search_index.json"]))


def test_the_plugin_logs_as_mkdocs_plugins_do():
    assert mkdocs_plugin.log.name == "mkdocs.plugins.citeproof"
