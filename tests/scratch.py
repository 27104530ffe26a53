"""One way for the tests to build a scratch project: pages, a bib, mkdocs.yml, and runs of
the real ``mkdocs`` and ``citeproof`` commands in it.

    project = Scratch(tmp_path).write(page="# T\\n\\nSee [@a].\\n", bib=BIB)
    proc = project.build("--strict")          # mkdocs build, in a subprocess
    proc = project.citeproof("check", "--offline")
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Optional, Union

import yaml
from yaml_env_tag import construct_env_tag

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: MkDocs 1.6 prints a notice about MkDocs 2.0 on every build unless this is set.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
#: The plugin with the default theme: what a site that only lists the plugin gets.
PLAIN = "site_name: T\nplugins:\n  - citeproof\n"
#: Material with a site URL, as the article site is configured.
MATERIAL = ("site_name: Test\nsite_url: https://example.org/\ntheme:\n  name: material\n"
            "  font: false\nplugins:\n  - citeproof\n")


class _MkDocsLoader(yaml.SafeLoader):
    """SafeLoader with MkDocs's ``!ENV`` tag (``site_url: !ENV SITE_URL``)."""


_MkDocsLoader.add_constructor("!ENV", construct_env_tag)


def read_mkdocs_config(path: Path) -> dict:
    """A ``mkdocs.yml`` as MkDocs reads it (``!ENV`` values from the environment)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_MkDocsLoader) or {}


class Scratch:
    """A project directory: ``docs/``, ``references.bib`` and ``mkdocs.yml``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def bib(self) -> Path:
        return self.root / "references.bib"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, page: Union[str, Mapping[str, str], None] = None, bib: Optional[str] = None,
              mkdocs: Optional[str] = PLAIN, *, plugin_options: str = "") -> "Scratch":
        """Write the files given (``page``: the text of ``docs/index.md``, or a mapping of
        paths under ``docs/`` to texts). ``plugin_options`` is appended to the
        ``- citeproof`` line of ``mkdocs`` (e.g. ``":\\n      bib_file: other.bib"``)."""
        pages = {"index.md": page} if isinstance(page, str) else dict(page or {})
        for name, text in pages.items():
            path = self.docs / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if bib is not None:
            self.bib.write_text(bib, encoding="utf-8")
        if mkdocs is not None:
            if plugin_options:
                mkdocs = mkdocs.replace("  - citeproof\n", "  - citeproof" + plugin_options + "\n", 1)
            (self.root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
        return self

    def html(self, page: str = "index.html") -> str:
        """A built page's HTML."""
        return (self.site / page).read_text(encoding="utf-8")

    def build(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """``mkdocs build ARGS`` in the project, as a user runs it."""
        return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=self.root, env=ENV,
                              capture_output=True, text=True, timeout=timeout)

    def citeproof(self, *args: str, env: Optional[Mapping[str, str]] = None,
                  timeout: float = 60) -> subprocess.CompletedProcess:
        """``citeproof ARGS`` in the project, in a subprocess (stdout, stderr, exit code)."""
        return subprocess.run([sys.executable, "-m", "citeproof.cli", *args], cwd=self.root,
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
