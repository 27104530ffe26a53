"""Shared fixtures: the local registry emulator (tests reach no real registry)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `import emulator` works with or without tests/__init__.py
from emulator import Emulator, default_dataset  # noqa: E402

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
