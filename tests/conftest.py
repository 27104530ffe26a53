"""Shared fixtures: the local registry emulator (tests reach no real registry), scratch
projects, and the root of the article that ``tests/test_article.py`` checks."""
import os
from pathlib import Path

import pytest

from emulator import Emulator, default_dataset  # tests/ is on pytest's pythonpath
from scratch import ROOT, Scratch

SYNTHETIC = 1200  # synthetic works (DOIs 10.5555/citeproof.synthetic.NNNNN) beside the 15 + test works


@pytest.fixture(scope="session")
def _emulator_session():
    with Emulator(default_dataset(SYNTHETIC)) as emu:
        yield emu


@pytest.fixture
def emulator(_emulator_session):
    """A running emulator, reset (no log, no faults, no latency, fresh rate limits) per test."""
    _emulator_session.reset()
    yield _emulator_session
    _emulator_session.reset()


@pytest.fixture
def scratch(tmp_path):
    """A scratch project in ``tmp_path``: ``scratch.write(page=..., bib=..., mkdocs=...)``."""
    return Scratch(tmp_path)


def pytest_addoption(parser):
    parser.addoption("--article-root", default=None, metavar="DIR",
                     help="the article project (docs/, references.bib, edition/, mkdocs.yml) that "
                          "tests/test_article.py checks; default: $CITEPROOF_ARTICLE_ROOT, else the repository")


@pytest.fixture(scope="session")
def article_root(pytestconfig) -> Path:
    """The article project the invariant tests check: ``--article-root``, else
    ``$CITEPROOF_ARTICLE_ROOT``, else the repository itself."""
    chosen = pytestconfig.getoption("--article-root") or os.environ.get("CITEPROOF_ARTICLE_ROOT") or ROOT
    return Path(chosen).resolve()
