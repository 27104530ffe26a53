"""DOI, PMID and PMCID syntax, normalisation and link building (pure, no network).

Only syntax is checked here; whether an identifier exists is the registries' job.
Every URL built here is an ``https://`` URL with its identifier percent-encoded, so
it can go into an ``href`` without further escaping of the path.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

#: ``10.`` + a registrant code of 4-9 digits (optionally with ``.sub`` parts) + ``/`` + suffix.
_DOI_RE = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
#: Prefixes people paste in front of a DOI; removed with a warning.
_DOI_PREFIX_RE = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
#: A shortDOI (shortdoi.org: ``10/aabbe``, or bare ``fg6rf9``: then letters and digits, both).
_SHORT_DOI_RE = re.compile(r"10/[a-z0-9]{3,12}|(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{4,12}", re.IGNORECASE)
_PMID_RE = re.compile(r"[1-9]\d{0,7}")
#: ``PMID:`` / ``pmid:`` (any case, spaces allowed) people paste in front of a PMID.
_PMID_PREFIX_RE = re.compile(r"pmid\s*:\s*", re.IGNORECASE)
_PMCID_RE = re.compile(r"(?:pmc)?\s*([1-9]\d{0,9})", re.IGNORECASE)
#: Characters left as they are in a DOI path; everything else (spaces, < > " # % ? and
#: non-ASCII) is percent-encoded.
_DOI_SAFE = "/:;()[]-._~!$&'*+,=@"
_BAD_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f]")
#: Invisible format characters (Unicode category Cf: zero-width spaces and joiners, bidi
#: controls, the soft hyphen, the BOM ...): never part of an identifier. The ranges of
#: Unicode 14 (Python 3.11's unicodedata), written out: finding them at import took half
#: a second (tests/test_identifiers.py checks them against unicodedata).
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
#: The longest DOI a registry can be asked about, in bytes of its percent-encoded form
#: (as it goes into a request line). Crossref's deposit schema caps a DOI at 2,048
#: characters (``doi_t``: its suffix at 200); a longer one cannot be registered there, and
#: once percent-encoded it risks the registries' request-line limits (HTTP 414), which
#: would turn a fabricated identifier into "could not verify".
MAX_DOI_BYTES = 2048


def normalize_doi(raw: str) -> tuple[str, str | None]:
    """Return ``(bare DOI, warning or None)``.

    Strips whitespace and a ``https://doi.org/``, ``http://dx.doi.org/`` or ``doi:``
    prefix (the warning then says what was removed). A DOI taken from a URL is
    percent-decoded. The DOI's case is kept: DOIs compare case-insensitively
    (see :func:`doi_key`), but registries print them as registered.
    """
    doi = raw.strip()
    match = _DOI_PREFIX_RE.match(doi)
    if not match:
        return doi, None
    prefix = match.group(0)
    doi = doi[match.end():].strip()
    if prefix.lower().startswith("http"):
        doi = unquote(doi)
    return doi, f"the DOI was written with the prefix '{prefix.strip()}', which was removed: write just {doi}"


def is_short_doi(doi: str) -> bool:
    """True for a shortDOI (``10/fg6rf9``, ``fg6rf9``), as written or after
    :func:`normalize_doi`: a short name doi.org resolves, but no registry's metadata key."""
    return bool(_SHORT_DOI_RE.fullmatch(normalize_doi(doi)[0]))


def is_valid_doi(doi: str) -> bool:
    """True for a bare DOI that a registry can be asked about (:func:`doi_fault` finds nothing)."""
    return not doi_fault(doi)


def doi_fault(doi: str) -> str:
    """What makes ``doi`` no DOI a registry can be asked about (``""``: nothing): not the
    syntax ``10.NNNN/suffix`` (4-9 digit registrant, no whitespace), an invisible
    character inside it, or a length past :data:`MAX_DOI_BYTES`."""
    if INVISIBLE.search(doi):
        return "it holds an invisible character (a zero-width space, a bidi control ...)"
    if not _DOI_RE.fullmatch(doi):
        return "it is not 10.NNNN/suffix without spaces"
    # (a character takes at most 12 bytes percent-encoded: most DOIs need no encoding to tell)
    if len(doi) * 12 > MAX_DOI_BYTES and len(quote(doi, safe=_DOI_SAFE)) > MAX_DOI_BYTES:
        return (f"it is longer than any registry can be asked about ({MAX_DOI_BYTES:,} bytes once "
                "percent-encoded; Crossref registers none longer than 2,048 characters)")
    return ""


def doi_key(doi: str) -> str:
    """The one form DOIs are compared and keyed by: bare (as :func:`normalize_doi` leaves
    it) and lower-cased, since DOIs are case-insensitive."""
    return normalize_doi(doi or "")[0].lower()


def valid_ids(doi: str, pmid: str) -> tuple[str, str]:
    """The DOI and the PMID worth asking a registry about: each kept only when valid."""
    doi, pmid = doi or "", pmid or ""
    return (doi if doi and is_valid_doi(doi) else "", pmid if pmid and is_valid_pmid(pmid) else "")


def normalize_pmid(raw: str) -> tuple[str, str | None]:
    """Return ``(bare PMID, warning or None)``: whitespace and a ``PMID:`` prefix (any
    case) removed, the warning saying what was removed, as :func:`normalize_doi` does."""
    pmid = raw.strip()
    match = _PMID_PREFIX_RE.match(pmid)
    if not match:
        return pmid, None
    pmid = pmid[match.end():].strip()
    return pmid, f"the PMID was written with the prefix '{match.group(0).strip()}', which was removed: write just {pmid}"


def is_valid_pmid(pmid: str) -> bool:
    """True for a PubMed id: 1 to 8 ASCII digits, no leading zero."""
    return pmid.isascii() and bool(_PMID_RE.fullmatch(pmid))


def normalize_pmcid(pmcid: str) -> str:
    """``"6616307"``, ``"pmc6616307"`` or ``"PMC6616307"`` -> ``"PMC6616307"``; invalid -> ``""``."""
    match = _PMCID_RE.fullmatch(pmcid.strip())
    return f"PMC{match.group(1)}" if match else ""


def is_valid_pmcid(pmcid: str) -> bool:
    """True when :func:`normalize_pmcid` can read ``pmcid`` (with or without ``PMC``)."""
    return bool(normalize_pmcid(pmcid))


def doi_url(doi: str) -> str:
    """``https://doi.org/<doi>``, percent-encoding what a URL path cannot hold."""
    return "https://doi.org/" + quote(doi, safe=_DOI_SAFE)


def pubmed_url(pmid: str) -> str:
    """``https://pubmed.ncbi.nlm.nih.gov/<pmid>/``."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid.strip(), safe='')}/"


def pmc_url(pmcid: str) -> str:
    """``https://pmc.ncbi.nlm.nih.gov/articles/<PMCID>/`` (the id normalised when valid)."""
    ident = normalize_pmcid(pmcid) or pmcid.strip()
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(ident, safe='')}/"


def linked_url(url: str, doi: str, pmid: str) -> str:
    """The one link a reference's ``url`` gives: the url when it is an http(s) URL and the
    work has neither DOI nor PMID to link instead, else ``""`` (the style, the metadata)."""
    url = (url or "").strip()
    return url if url and not doi and not pmid and is_http_url(url) else ""


def is_http_url(url: str) -> bool:
    """True only for an ``http``/``https`` URL with a host and no whitespace or control characters."""
    if not url or _BAD_URL_CHAR.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal or port
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)
