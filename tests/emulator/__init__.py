# EMULATOR TEST DATA AND SERVERS: nothing in this package is a registry answer.
"""A local registry emulator (Crossref, doi.org, NCBI E-utilities) for tests and benchmarks.

    from tests.emulator import start          # or: from emulator import start (pytest)
    with start(n_synthetic=1000, latency=0.1) as emu:
        os.environ.update(emu.env())

``python -m tests.emulator --synthetic 1000 --latency 0.1`` serves one until Ctrl-C.
"""
from .fixtures import (ARTICLE, CORRECTED_DOI, DATACITE_DOI, ERRATUM_DOI, PREPRINT_DOI, PUBLISHED_DOI,
                       RETRACTED_DOI, RETRACTION_NOTICE_DOI, SELF_UPDATED_DOI, TEST_WORKS, UNKNOWN_DOI,
                       UNKNOWN_PMID, Dataset, Work, default_dataset, synthetic_works)
from .server import FAULTS, INVALID_API_KEY, SERVICES, TEST_API_KEY, Emulator, Logged, start

__all__ = ["ARTICLE", "CORRECTED_DOI", "DATACITE_DOI", "ERRATUM_DOI", "PREPRINT_DOI", "PUBLISHED_DOI",
           "SELF_UPDATED_DOI", "RETRACTED_DOI",
           "RETRACTION_NOTICE_DOI", "TEST_WORKS", "UNKNOWN_DOI", "UNKNOWN_PMID", "Dataset", "Work",
           "default_dataset", "synthetic_works", "FAULTS", "INVALID_API_KEY", "SERVICES", "TEST_API_KEY", "Emulator",
           "Logged", "start"]
