"""doi.org Handle API: does a DOI exist with *any* registration agency?

``GET {base}/api/handles/{doi}`` answers JSON ``responseCode`` 1 (HTTP 200) for an
existing handle and 100 (HTTP 404) for an unknown one. doi.org blocks bots at times
(403, 429): anything but those two clear answers is "unavailable", never a verdict.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterable
from urllib.parse import quote

from ..model import Lookup, Record
from .http import HttpClient, RegistryUnavailable, utc_now

SOURCE = "doi.org"


def handle_url(base: str, doi: str) -> str:
    """The Handle API address of ``doi``: every character but ``/`` percent-encoded."""
    return f"{base}/api/handles/{quote(doi, safe='/')}"


def fetch_handle(http: HttpClient, base: str, doi: str) -> Lookup:
    """Ask doi.org whether one DOI exists."""
    try:
        answer = http.get(handle_url(base, doi))
        code = _response_code(answer)
        if answer.status == 200 and code == 1:
            record = Record(source=SOURCE, identifier=doi, retrieved=utc_now(), doi=doi,
                            agency="exists")
            return Lookup(SOURCE, doi, "found", record)
        if answer.status == 404 and code == 100:
            return Lookup(SOURCE, doi, "not-found")
        what = "refused the request" if answer.status in (401, 403) else "gave no usable answer"
        raise RegistryUnavailable(
            f"doi.org {what} (HTTP {answer.status}, responseCode {code if code is not None else 'none'})")
    except RegistryUnavailable as exc:
        return Lookup(SOURCE, doi, "unavailable", reason=exc.reason)


def _response_code(answer):
    try:
        data = answer.json()
    except RegistryUnavailable:
        return None
    code = data.get("responseCode") if isinstance(data, dict) else None
    return code if isinstance(code, int) else None


def fetch_handles(http: HttpClient, base: str, dois: Iterable[str], workers: int = 2) -> dict[str, Lookup]:
    """Ask doi.org about each DOI (one request each, ``workers`` at a time).

    Keyed by lower-cased DOI. The client's rate limit for doi.org still applies.
    """
    wanted = list({d.strip().lower(): d.strip() for d in dois if d.strip()}.values())
    if not wanted:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(wanted)))) as pool:
        answers = list(pool.map(lambda d: fetch_handle(http, base, d), wanted))
    return {d.lower(): a for d, a in zip(wanted, answers)}
