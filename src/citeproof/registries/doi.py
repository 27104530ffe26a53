"""doi.org: does a DOI exist with *any* registration agency, and what does it describe?

Handle API: ``GET {base}/api/handles/{doi}`` answers JSON ``responseCode`` 1 (HTTP 200)
for an existing handle and 100 (HTTP 404) for an unknown one. doi.org blocks bots at
times (403, 429): anything but those two clear answers is "unavailable", never a verdict.

Content negotiation: ``GET {base}/{doi}`` with ``Accept: application/vnd.citationstyles.csl+json``
redirects to the registration agency (Crossref, DataCite, mEDRA), which answers CSL-JSON.
A hop is followed only on doi.org's own host or to an agency's metadata host over https
(:data:`AGENCY_HOSTS`); anything else is "unavailable".
:func:`describe` asks it for DOIs whose handle exists; when that fails in any way the
handle answer stands unchanged ("exists, nothing compared"), so it never gives a verdict.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Mapping
from urllib.parse import quote, urljoin, urlsplit

from ..identifiers import doi_key
from ..model import Author, Lookup, Record
from . import csl, schema
from .base import Answers, Ask, Policy, Rate, Registry, Role, Source
from .http import MAX_REDIRECTS, REDIRECTS, Client, RegistryUnavailable, utc_now

SOURCE = "doi.org"
CSL_JSON = "application/vnd.citationstyles.csl+json"
#: Where doi.org's content negotiation sends a client: the agencies' metadata services.
AGENCY_HOSTS = frozenset({"api.crossref.org", "data.crossref.org", "api.datacite.org",
                          "data.datacite.org", "data.medra.org", "data.jalc.jp"})
_NAME = schema.fields({k: schema.csl_text for k in ("family", "given", "literal", "name")})
#: The fields of a CSL-JSON object that :func:`parse_csl` reads, and their shapes.
CSL = schema.fields({
    **{k: schema.csl_text for k in ("DOI", "title", "subtitle", "container-title", "container-title-short",
                                    "journalAbbreviation", "volume", "issue", "page", "article-number", "type")},
    **{k: schema.csl_date for k in ("issued", "published-print", "published-online")},
    "author": schema.list_of(_NAME, 10000),
})


def handle_url(base: str, doi: str) -> str:
    """The Handle API address of ``doi``: every character but ``/`` percent-encoded."""
    return f"{base}/api/handles/{quote(doi, safe='/')}"


def doi_url(base: str, doi: str) -> str:
    """The resolver address of ``doi`` (content negotiation), encoded like :func:`handle_url`."""
    return f"{base}/{quote(doi, safe='/')}"


def fetch_handle(http: Client, base: str, doi: str) -> Lookup:
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


def fetch_handles(http: Client, base: str, dois: Iterable[str], workers: int = 2) -> dict[str, Lookup]:
    """Ask doi.org about each DOI (one request each, ``workers`` at a time).

    Keyed by ``doi_key``. The client's rate limit for doi.org still applies.
    """
    wanted = list({doi_key(d): d.strip() for d in dois if d.strip()}.values())
    if not wanted:
        return {}
    http.expect(base, len(wanted))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(wanted)))) as pool:
        answers = list(pool.map(lambda d: fetch_handle(http, base, d), wanted))
    return {doi_key(d): a for d, a in zip(wanted, answers)}


# --- content negotiation -----------------------------------------------------------------

def _redirect_target(current: str, location) -> str:
    """The next hop: the same scheme and host as ``current``, or an agency host over https."""
    target = urljoin(current, str(location or "").strip())
    parts, here = urlsplit(target), urlsplit(current)
    if not location or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise RegistryUnavailable("doi.org redirected to an unusable address (only http(s) is followed)")
    same = (parts.scheme.lower(), parts.netloc.lower()) == (here.scheme.lower(), here.netloc.lower())
    agency = parts.scheme.lower() == "https" and (parts.hostname or "").lower() in AGENCY_HOSTS
    if not (same or agency):
        raise RegistryUnavailable(f"doi.org redirected to {parts.netloc}, which is neither doi.org "
                                  "nor a registration agency's metadata service; not followed")
    return target


def fetch_csl(http: Client, base: str, doi: str) -> Lookup:
    """CSL-JSON for one DOI by content negotiation, as a ``Record`` (source "doi.org").

    Each hop is a request of its own (rate-limited, counted, within the deadline); at
    most ``MAX_REDIRECTS`` http(s) redirects are followed.
    Anything but a CSL object with a title or authors about this DOI is "unavailable".
    """
    url = doi_url(base, doi)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            answer = http.get(url, headers={"Accept": CSL_JSON}, follow_redirects=False)
            if answer.status not in REDIRECTS:
                break
            url = _redirect_target(url, answer.headers.get("Location"))
        else:
            raise RegistryUnavailable(f"doi.org: more than {MAX_REDIRECTS} redirects")
        if answer.status != 200:
            raise RegistryUnavailable(f"doi.org content negotiation answered HTTP {answer.status}")
        data = answer.json()
        if not isinstance(data, dict):
            raise RegistryUnavailable("doi.org content negotiation sent JSON that is not a CSL object")
        schema.check(data, CSL, "doi.org content negotiation")
        said = csl.text(data.get("DOI"))
        if said and doi_key(said) != doi_key(doi):
            raise RegistryUnavailable(f"doi.org content negotiation described another DOI ({said})")
        record = parse_csl(data, doi, utc_now())
        if not (record.title or record.authors):
            raise RegistryUnavailable("doi.org content negotiation gave no title or authors")
        return Lookup(SOURCE, doi, "found", record)
    except RegistryUnavailable as exc:
        return Lookup(SOURCE, doi, "unavailable", reason=exc.reason)


def describe(http: Client, base: str, handles: Mapping[str, Lookup], workers: int = 2) -> dict[str, Lookup]:
    """``handles`` with each found handle's record replaced by its CSL-JSON metadata.

    Where content negotiation fails the handle answer is kept as it is (the DOI exists,
    nothing to compare): a failure here is never a verdict.
    """
    out = dict(handles)
    found = [k for k, lk in handles.items() if lk.status == "found"]
    if not found:
        return out
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(found)))) as pool:
        answers = list(pool.map(lambda k: fetch_csl(http, base, handles[k].identifier), found))
    out.update({k: a for k, a in zip(found, answers) if a.status == "found"})
    return out


def _author(a) -> Author | None:
    if not isinstance(a, dict):
        return None
    family = csl.text(a.get("family")) or csl.text(a.get("literal")) or csl.text(a.get("name"))
    given = csl.text(a.get("given"))
    if not family and given:  # a mononym in "given"
        family, given = given, ""
    return Author(family=family, given=given) if family else None


def parse_csl(item: Mapping, identifier: str, retrieved: str) -> Record:
    """One CSL-JSON object (as doi.org content negotiation sends it) as a ``Record``."""
    authors = tuple(a for a in map(_author, item.get("author") or ()) if a) \
        if isinstance(item.get("author"), list) else ()
    kind = csl.text(item.get("type"))
    return Record(
        source=SOURCE, identifier=identifier, retrieved=retrieved,
        title=csl.text(item.get("title")), subtitle=csl.text(item.get("subtitle")), authors=authors,
        journal_abbrev=csl.text(item.get("container-title-short")) or csl.text(item.get("journalAbbreviation")),
        **csl.work_fields(item), doi=csl.text(item.get("DOI")) or identifier, agency="exists",
        pubtypes=(kind,) if kind else ())


def _fetch(ask: Ask) -> Answers:
    """The handle of each DOI, then, for each that exists, its CSL-JSON metadata (a
    failure there keeps the bare handle answer: "exists, not compared")."""
    workers = REGISTRY.policy.default.concurrent
    handles = fetch_handles(ask.http, ask.base, ask.dois, workers=workers)
    return {SOURCE: describe(ask.http, ask.base, handles, workers=workers)}


REGISTRY = Registry(
    name="doi.org", label="doi.org", env_var="CITEPROOF_DOI_URL", default_url="https://doi.org",
    # The DOI proxy's REST API (https://www.doi.org/factsheets/DOIProxy.html) publishes no
    # rate; doi.org answers bots with 403/429 at times, so stay gentle: 5 requests/s, 2 at a time.
    policy=Policy(page="https://www.doi.org/factsheets/DOIProxy.html", default=Rate(5.0, 2)),
    sources=(Source(SOURCE, "doi.org", Role.DOI_EXISTENCE, judges=True, complete=False, notation="markup"),),
    fetch=_fetch,
)
