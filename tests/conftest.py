"""Shared fixtures: the local registry emulator (tests reach no real registry)."""
import pytest

from emulator import Emulator, default_dataset  # tests/ is on pytest's pythonpath
from scratch import Scratch

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
