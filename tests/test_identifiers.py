"""DOI / PMID / PMCID syntax, normalisation and URL building (table-driven)."""
from __future__ import annotations

import pytest

from citeproof.identifiers import (doi_key, doi_url, is_http_url, is_valid_doi, is_valid_pmcid,
                                   is_valid_pmid, normalize_doi, normalize_pmcid, pmc_url,
                                   pubmed_url)


@pytest.mark.parametrize("raw, doi, warned", [
    ("10.1097/MD.0000000000016173", "10.1097/MD.0000000000016173", False),
    ("  10.5535/arm.2017.41.5.786\n", "10.5535/arm.2017.41.5.786", False),
    ("https://doi.org/10.2196/jmir.2605", "10.2196/jmir.2605", True),
    ("http://dx.doi.org/10.2196/jmir.2605", "10.2196/jmir.2605", True),
    ("HTTPS://DOI.ORG/10.2196/JMIR.2605", "10.2196/JMIR.2605", True),
    ("doi:10.1007/s00586-004-0825-y", "10.1007/s00586-004-0825-y", True),
    ("DOI: 10.1007/s00586-004-0825-y", "10.1007/s00586-004-0825-y", True),
    ("https://doi.org/10.1016/S1529-9430%2801%2900026-2", "10.1016/S1529-9430(01)00026-2", True),
    ("", "", False),
])
def test_normalize_doi(raw, doi, warned):
    got, warning = normalize_doi(raw)
    assert got == doi
    assert (warning is not None) is warned
    if warned:
        assert "removed" in warning and doi in warning


@pytest.mark.parametrize("doi, valid", [
    ("10.1097/MD.0000000000016173", True),
    ("10.1016/S0268-0033(98)00069-2", True),
    ("10.1000.10/abc", True),  # registrant with a sub-division
    ("10.123/abc", False),  # registrant too short
    ("10.1097/", False),
    ("10.1097/MD 0001", False),  # whitespace
    ("11.1097/x", False),
    ("doi:10.1097/x", False),  # prefixes are for normalize_doi to remove
    ("", False),
])
def test_is_valid_doi(doi, valid):
    assert is_valid_doi(doi) is valid


def test_doi_key_ignores_case_and_space():
    assert doi_key(" 10.2147/JPR.S171729 ") == doi_key("10.2147/jpr.s171729") == "10.2147/jpr.s171729"


@pytest.mark.parametrize("pmid, valid", [
    ("31261549", True), ("1", True), ("99999999", True),
    ("123456789", False), ("031261549", False), ("0", False), ("3126154a", False),
    ("", False), (" 31261549", False),
])
def test_is_valid_pmid(pmid, valid):
    assert is_valid_pmid(pmid) is valid


@pytest.mark.parametrize("raw, expected", [
    ("PMC6616307", "PMC6616307"), ("pmc6616307", "PMC6616307"), ("6616307", "PMC6616307"),
    (" PMC 6616307 ", "PMC6616307"), ("PMC", ""), ("PMC06616307", ""), ("PMCx1", ""), ("", ""),
])
def test_normalize_pmcid(raw, expected):
    assert normalize_pmcid(raw) == expected
    assert is_valid_pmcid(raw) is bool(expected)


@pytest.mark.parametrize("doi, url", [
    ("10.1097/MD.0000000000016173", "https://doi.org/10.1097/MD.0000000000016173"),
    ("10.1016/S1529-9430(01)00026-2", "https://doi.org/10.1016/S1529-9430(01)00026-2"),
    ("10.1000/a b", "https://doi.org/10.1000/a%20b"),
    ('10.1000/<x>"#%?', "https://doi.org/10.1000/%3Cx%3E%22%23%25%3F"),
    ("10.1000/caf\u00e9", "https://doi.org/10.1000/caf%C3%A9"),
])
def test_doi_url_percent_encodes_what_a_path_cannot_hold(doi, url):
    assert doi_url(doi) == url


def test_pubmed_and_pmc_urls():
    assert pubmed_url("31261549") == "https://pubmed.ncbi.nlm.nih.gov/31261549/"
    assert pmc_url("PMC6616307") == "https://pmc.ncbi.nlm.nih.gov/articles/PMC6616307/"
    assert pmc_url("6616307") == "https://pmc.ncbi.nlm.nih.gov/articles/PMC6616307/"
    assert pubmed_url('1"><script>') == "https://pubmed.ncbi.nlm.nih.gov/1%22%3E%3Cscript%3E/"


@pytest.mark.parametrize("url, ok", [
    ("https://search.pedro.org.au/search-results/record-detail/33914", True),
    ("http://example.org", True),
    ("HTTPS://Example.org/x?y=1#z", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("data:text/html,<script>", False),
    ("ftp://example.org/file", False),
    ("//example.org/x", False),
    ("/relative/path", False),
    ("https://", False),
    ("https:///path-only", False),
    ("https://exa mple.org", False),
    ("https://example.org/\nx", False),
    ("https://[::1", False),
    ("", False),
])
def test_is_http_url(url, ok):
    assert is_http_url(url) is ok


# --------------------------------------------------------------------------- what no registry can be asked

def test_an_invisible_character_inside_a_doi_or_pmid_is_refused():
    from citeproof.identifiers import doi_fault, is_valid_doi, is_valid_pmid
    for ch in ("\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad"):
        doi = f"10.1097/MD.00000{ch}00016173"
        assert not is_valid_doi(doi) and "invisible" in doi_fault(doi)
    assert is_valid_doi("10.1097/MD.0000000000016173") and doi_fault("10.1097/MD.0000000000016173") == ""
    assert not is_valid_pmid("3126\u200b1549") and not is_valid_pmid("３１２６")  # nor full-width digits


def test_a_doi_longer_than_any_registry_can_be_asked_about_is_an_offline_error(tmp_path):
    """An 8,200-character DOI would get HTTP 414 from Crossref, which is "could not verify":
    a fabricated reference must not pass CI that way. It is refused before any request."""
    import json

    from citeproof.identifiers import MAX_DOI_BYTES, doi_fault
    from scratch import Scratch
    long = "10.5555/" + "x" * 8200
    assert "longer than any registry" in doi_fault(long)
    assert doi_fault("10.5555/" + "é" * 400)  # measured percent-encoded: 2,400 bytes of é ...
    assert not doi_fault("10.5555/" + "é" * 300)
    assert not doi_fault("10.5555/" + "x" * (MAX_DOI_BYTES - 8))  # ... the limit itself passes
    bib = f"@article{{k,\n  author = {{A, B}}, title = {{T}}, journal = {{J}}, year = {{2020}},\n  doi = {{{long}}}\n}}\n"
    project = Scratch(tmp_path).write(page="# T\n\nSee [@k].\n", bib=bib)
    proc = project.citeproof("check", "--offline", "--format", "json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and [p["code"] for p in report["problems"] if p["severity"] == "error"] == ["invalid-doi"]
    assert "longer than any registry can be asked about" in report["problems"][0]["message"]


def test_messages_show_invisible_characters_as_escapes(tmp_path):
    import json

    from scratch import Scratch
    bib = "@article{k,\n  author = {A, B}, title = {T}, journal = {J}, year = {2020},\n  doi = {10.1097/MD\u200b.1}\n}\n"
    proc = Scratch(tmp_path).write(page="# T\n\nSee [@k].\n", bib=bib).citeproof("check", "--offline")
    assert proc.returncode == 1 and "10.1097/MD\\u200b.1" in proc.stdout and "\u200b" not in proc.stdout
    report = json.loads(Scratch(tmp_path).citeproof("check", "--offline", "--format", "json").stdout)
    assert "invisible character" in report["problems"][0]["message"]


def test_invisible_is_every_format_character():
    """The written-out ranges of INVISIBLE are Unicode's category Cf, no more, no less."""
    import sys
    import unicodedata

    from citeproof.identifiers import INVISIBLE
    for c in range(sys.maxunicode + 1):
        assert bool(INVISIBLE.fullmatch(chr(c))) == (unicodedata.category(chr(c)) == "Cf"), hex(c)
