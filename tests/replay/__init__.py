# REPLAY: real registry answers recorded by other projects (tests/data/recordings/); the
# server serves them as recorded, assembles Crossref batches from recorded items (and says
# so), and answers anything else "not recorded". It invents no answer.
"""Real registry answers, replayed to citeproof's clients over HTTP.

    from replay import Replay                 # tests/ is on pytest's pythonpath
    with Replay() as replay:
        env = replay.env("crossref", "doi")   # CITEPROOF_CROSSREF_URL, CITEPROOF_DOI_URL

The recordings and their matching rule: :mod:`.recordings`; what the server answers and
what it cannot: :mod:`.server`.
"""
from .recordings import BASES, IDENTITY, Recording, Recordings, Work
from .server import PREFIXES, Replay, Served, start

__all__ = ["BASES", "IDENTITY", "PREFIXES", "Recording", "Recordings", "Replay", "Served", "Work", "start"]
