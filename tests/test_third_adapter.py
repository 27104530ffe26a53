"""A third adapter (``tests/adapters/tiny_site.py``, at most 60 lines) builds the article's
body, its reference list and its verification record from the site core alone, and they
are what the MkDocs build makes."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from adapters import tiny_site
from scratch import Scratch, copy_article

ADAPTER = Path(tiny_site.__file__)


def test_the_adapter_is_small():
    assert len(ADAPTER.read_text(encoding="utf-8").splitlines()) <= 60


def test_a_third_adapter_builds_what_mkdocs_builds(tmp_path):
    project = copy_article(tmp_path / "article")
    proc = Scratch(project).build("--strict")
    assert proc.returncode == 0, proc.stderr
    site_name = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["site_name"]
    pages = tiny_site.build(project, tmp_path / "tiny", site_name)
    built = (project / "site" / "index.html").read_text(encoding="utf-8")
    article = pages["index.md"]
    assert article.listing in article.html and 'id="cite-1"' in article.html
    assert article.html in built  # the body: citations, header, list, byte for byte
    assert article.head in built  # the head's metadata
    for name in ("verification.json", *article.downloads):  # the record and the downloads
        assert (tmp_path / "tiny" / name).read_bytes() == (project / "site" / name).read_bytes(), name
    assert json.loads((tmp_path / "tiny" / "verification.json").read_text(encoding="utf-8"))["references"]
