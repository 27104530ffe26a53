# REPLAY: real registry answers recorded by other projects (tests/data/recordings/), served
# as they were recorded. Nothing here makes up an answer.
"""The recorded registry answers of ``tests/data/recordings/``, indexed by the request
that was recorded (see ``MANIFEST.json`` and ``SOURCES.md`` there).

Each recording is a response body that another project recorded from the real Crossref,
doi.org, PubMed, the PMC ID converter or DataCite, with the request it answered. This
module reads the manifest, checks every body against its SHA-256 (a changed body is an
error, not a recording), and answers two questions:

* :meth:`Recordings.match`: the recording of one request, by the matching rule below;
* :meth:`Recordings.work`: the recorded Crossref item of one DOI (from a ``/works/{doi}``
  answer, else from a work list), for a batch that no recording holds.

**The matching rule.** A request matches a recording when: the method is the same; the
registry is the same (the request's path prefix names it: ``/crossref``, ``/doi``,
``/eutils``, ``/idconv``, ``/datacite``, see :data:`BASES`); the path under the registry's
base URL is the same once percent-decoded (``/works/10.1002%2F1096-9861(2001…)`` is
``/works/10.1002/1096-9861(2001…)``); and the query parameters, with a POST's form
fields, are the same multiset of (name, value) pairs once percent-decoded, leaving out on
both sides the parameters that say who asks, not what is asked: ``mailto``, ``email``,
``tool`` and ``api_key``. Nothing else is loosened: not the order-free comparison of
values inside one parameter, not the case of a DOI in a path, not ``rows`` or ``select``.
The three Biopython files record no request (saved NCBI output): they never match.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import parse_qsl, unquote

ROOT = Path(__file__).resolve().parents[1] / "data" / "recordings"
#: The registries' recorded base URLs, by the path prefix the replay serves each under.
#: (The PMC ID converter was recorded at its older address; citeproof's default is the
#: newer one, so a converter request is matched under this base, path and all.)
BASES = {
    "crossref": "https://api.crossref.org",
    "doi": "https://doi.org",
    "eutils": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    "idconv": "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0",
    "datacite": "https://api.datacite.org",
    "crosscite": "https://citation.crosscite.org",
}
#: Query parameters that say who asks (left out on both sides when matching).
IDENTITY = frozenset({"mailto", "email", "tool", "api_key"})


def doi_key(doi: str) -> str:
    return doi.strip().lower()


def query_key(query: str, form: str = "") -> tuple[tuple[str, str], ...]:
    """A request's parameters as the matching rule compares them."""
    pairs = parse_qsl(query, keep_blank_values=True) + parse_qsl(form, keep_blank_values=True)
    return tuple(sorted((k, v) for k, v in pairs if k not in IDENTITY))


@dataclass(frozen=True)
class Recording:
    """One recorded answer: its manifest entry and where its body is."""

    entry: dict

    @property
    def file(self) -> str:
        return self.entry["file"]

    @property
    def status(self) -> Optional[int]:
        return self.entry["status"]

    @property
    def content_type(self) -> Optional[str]:
        return self.entry["content_type"]

    @property
    def kind(self) -> str:
        return self.entry["kind"]

    def body(self) -> bytes:
        return (ROOT / self.file).read_bytes()

    def json(self):
        return json.loads(self.body())

    def request(self) -> Optional[tuple[str, str, str, tuple]]:
        """(method, registry, decoded path, query key), or ``None`` when no request was
        recorded or it went to a base :data:`BASES` does not list."""
        url = self.entry["request"].get("url")
        if not url:
            return None
        for registry, base in BASES.items():
            if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
                path, _, query = url[len(base):].partition("?")
                form = self.entry["request"].get("body") or ""
                return self.entry["request"]["method"], registry, unquote(path or "/"), query_key(query, form)
        return None


@dataclass(frozen=True)
class Work:
    """A Crossref item recorded for one DOI, and where it comes from."""

    item: dict
    recording: Recording
    how: str  # "work": a /works/{doi} answer; "list": an item of a recorded work list


class Recordings:
    """Every recording of ``root``'s ``MANIFEST.json``, checked against its SHA-256."""

    def __init__(self, root: Path = ROOT):
        manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
        self.all = [Recording(e) for e in manifest]
        for rec in self.all:
            digest = hashlib.sha256((root / rec.file).read_bytes()).hexdigest()
            if digest != rec.entry["sha256"]:
                raise ValueError(f"{rec.file}: its body is not the one recorded (SHA-256 differs)")
        self._requests: dict[tuple, Recording] = {}
        for rec in self.all:
            key = rec.request()
            if key is not None:
                self._requests.setdefault(key, rec)
        self._works: dict[str, Work] = {}
        self._absent: dict[str, Recording] = {}
        self._index()

    def _index(self) -> None:
        """Crossref's recorded items by DOI: ``/works/{doi}`` answers first, then the items
        of work lists, each in manifest order (the first recording of a DOI wins); and the
        DOIs Crossref answered 404 for."""
        for rec in self.all:
            if rec.kind == "crossref-work" and rec.status == 200:
                item = rec.json().get("message")
                if isinstance(item, dict) and item.get("DOI"):
                    self._works.setdefault(doi_key(item["DOI"]), Work(item, rec, "work"))
            elif rec.kind == "crossref-not-found":
                for ident in self._asked_dois(rec):
                    self._absent.setdefault(doi_key(ident), rec)
        for rec in self.all:
            if rec.kind == "crossref-work-list" and rec.status == 200:
                for item in rec.json().get("message", {}).get("items", []):
                    if isinstance(item, dict) and item.get("DOI"):
                        self._works.setdefault(doi_key(item["DOI"]), Work(item, rec, "list"))

    @staticmethod
    def _asked_dois(rec: Recording) -> list[str]:
        key = rec.request()
        if key is None or not key[2].startswith("/works/"):
            return []
        return [key[2][len("/works/"):]]

    def match(self, method: str, registry: str, path: str, query: str, form: str = "") -> Optional[Recording]:
        """The recording of this request (the matching rule: module docstring), if any."""
        return self._requests.get((method, registry, unquote(path), query_key(query, form)))

    def work(self, doi: str) -> Optional[Work]:
        """The recorded Crossref item of ``doi`` (DOIs compare case-insensitively)."""
        return self._works.get(doi_key(doi))

    def crossref_absent(self, doi: str) -> Optional[Recording]:
        """Crossref's recorded 404 for ``doi`` (it does not know it), if one was recorded."""
        return self._absent.get(doi_key(doi))

    def works(self) -> Iterator[Work]:
        """Every recorded Crossref item, once per DOI."""
        return iter(self._works.values())
