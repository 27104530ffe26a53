"""citeproof as a package for other sites: the built wheel, installed into a clean venv.

In that venv a plain Python-Markdown script cites from its own bib (with the
``markdown`` extra only: MkDocs is not there, so the core does not need it), then a
minimal MkDocs site with the default theme builds with ``--strict`` (with the ``mkdocs``
extra). Installing needs PyPI (pip's cache makes a rerun quick); without it the test
skips with a reason, but only when ``CI`` is unset.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
ENV["NO_MKDOCS_2_WARNING"] = "1"

pytestmark = [pytest.mark.wheel, pytest.mark.slow]

BIB = r"""
@article{walker2020,
  author = {Walker, Wendy and Stride, Sam},
  title = {Walking and the lower back},
  journal = {J Walk}, year = {2020}, volume = {3}, pages = {1--9},
  doi = {10.1000/walker}
}
"""

SCRIPT = """
import markdown
md = markdown.Markdown(extensions=["citeproof"], extension_configs={"citeproof": {"bib_file": "own.bib"}})
print(md.convert("# Notes\\n\\nWalking helps [@walker2020].\\n"))
print("problems:", len(md.citeproof_problems))
"""


def run(*args, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def pip_install(venv: Path, requirement: str) -> None:
    proc = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt",
               requirement)
    if proc.returncode != 0:
        _skip_or_fail(f"pip install {requirement} failed:\n{proc.stderr[-2000:]}")


def _skip_or_fail(message: str) -> None:
    if not os.environ.get("CI") and not _pypi_reachable():
        pytest.skip("installing the wheel needs PyPI, which is out of reach (CI is unset)")
    pytest.fail(message)


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


def build_wheel(tmp: Path) -> Path:
    """The wheel of a copy of the project (so the build leaves nothing in the work tree)."""
    tree = tmp / "project"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    proc = run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", tree)
    if proc.returncode != 0:
        _skip_or_fail(f"the wheel did not build:\n{proc.stderr[-2000:]}")
    (wheel,) = (tmp / "dist").glob("citeproof-*.whl")
    return wheel


def test_the_wheel_serves_a_markdown_script_then_an_mkdocs_site(tmp_path):
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    python = venv / "bin" / "python"

    # (a) the core and the Markdown extension, without MkDocs
    pip_install(venv, f"{wheel}[markdown]")
    no_mkdocs = run(python, "-c", "import mkdocs")
    assert no_mkdocs.returncode != 0 and "No module named 'mkdocs'" in no_mkdocs.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "own.bib").write_text(BIB, encoding="utf-8")
    (plain / "script.py").write_text(SCRIPT, encoding="utf-8")
    proc = run(python, "script.py", cwd=plain)
    assert proc.returncode == 0, proc.stderr
    assert '<a class="cp-cite cp-ref" id="cite-1" href="#ref-walker2020"' in proc.stdout
    assert ('<li id="ref-walker2020" class="cp-entry" value="1"><span class="cp-entry-text" '
            'id="ref-walker2020-text">Walker W, Stride S. Walking and the lower back.') \
        in proc.stdout
    assert "problems: 0" in proc.stdout
    assert run(python, "-c", "import mkdocs").returncode != 0  # the script did not need it either

    # (b) a minimal external MkDocs site with the default theme
    pip_install(venv, f"{wheel}[mkdocs]")
    site = tmp_path / "site-project"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Notes\n\nWalking helps [@walker2020].\n", encoding="utf-8")
    (site / "references.bib").write_text(BIB, encoding="utf-8")
    (site / "mkdocs.yml").write_text("site_name: Notes\nplugins:\n  - citeproof\n", encoding="utf-8")
    proc = run(venv / "bin" / "mkdocs", "build", "--strict", cwd=site)
    assert proc.returncode == 0, proc.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a class="cp-cite cp-ref" id="cite-1" href="#ref-walker2020"' in html
    assert '<section class="cp-bibliography"' in html
    assert 'value="1"><span class="cp-entry-text" id="ref-walker2020-text">Walker W, Stride S.' in html
    assert "assets/citeproof/citeproof-preview.js" in html  # no Material: citeproof's own previews
    assert (site / "site" / "assets" / "citeproof" / "citeproof-preview.js").exists()
