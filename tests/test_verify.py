"""verify.py: normalisers, field-by-field comparison and per-reference verdicts.

Records here are hand-built test data shaped like the registries' answers; they are
never written to the repository's lock file.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from citeproof.model import (PROBLEM_CODES, REFERENCE_STATUSES, Author, Lookup, Record,
                             Reference, Update)
from citeproof.identifiers import doi_key
from citeproof.verify import (compare, journal_matches, norm_journal, norm_pages, norm_text,
                              verify_reference)

SUH_DOI, SUH_PMID = "10.1097/MD.0000000000016173", "31261549"
KIM_DOI = "10.5535/arm.2017.41.5.786"
SUH_TITLE = ("The effect of lumbar stabilization and walking exercises on chronic low back "
             "pain: A randomized controlled trial")
KIM_TITLE = ("Association Between Walking and Low Back Pain in the Korean Population: "
             "A Cross-Sectional Study")
SUH_AUTHORS = tuple(Author(f, g) for f, g in
                    [("Suh", "Jee Hyun"), ("Kim", "Hyun"), ("Jung", "Gil Pyo"), ("Ko", "Jae Young"),
                     ("Ryu", "Ju Seok")])
LINES = (("title", 3), ("author", 4), ("journal", 5), ("year", 6), ("volume", 7), ("number", 8),
         ("pages", 9), ("doi", 10), ("pmid", 11))


def suh_ref(**kw) -> Reference:
    base = Reference(key="suh2019", entry_type="article", file="docs/references.bib", line=2,
                     title=SUH_TITLE, authors=SUH_AUTHORS, journal="Medicine (Baltimore)",
                     year="2019", volume="98", number="26", pages="e16173", doi=SUH_DOI,
                     pmid=SUH_PMID, field_lines=LINES)
    return replace(base, **kw)


def crossref_rec(**kw) -> Record:
    base = Record(source="crossref", identifier=SUH_DOI, retrieved="2026-01-05T10:00:00Z",
                  title=SUH_TITLE, authors=SUH_AUTHORS, journal="Medicine",
                  journal_abbrev="Medicine", year="2019", volume="98", issue="26",
                  article_number="e16173", doi=SUH_DOI, agency="crossref")
    return replace(base, **kw)


def pubmed_rec(**kw) -> Record:
    authors = tuple(Author(a.family, a.initials) for a in SUH_AUTHORS)
    base = Record(source="pubmed", identifier=SUH_PMID, retrieved="2026-01-05T10:00:01Z",
                  title=SUH_TITLE + ".", authors=authors, journal="Medicine",
                  journal_abbrev="Medicine (Baltimore)", year="2019", volume="98", issue="26",
                  pages="e16173", doi=SUH_DOI, pmid=SUH_PMID, pmcid="PMC6616307",
                  pubtypes=("Journal Article", "Randomized Controlled Trial"))
    return replace(base, **kw)


def found(record: Record) -> Lookup:
    return Lookup(record.source, record.identifier, "found", record)


def answer(source: str, identifier: str, status: str, reason: str = "") -> Lookup:
    return Lookup(source, identifier, status, reason=reason)


def run(ref, crossref=None, handle=None, pubmed=None, esearch=None):
    """verify_reference plus the invariants every verdict must keep."""
    named = {"crossref": crossref, "doi.org": handle, "pubmed": pubmed, "esearch": esearch}
    result, problems = verify_reference(ref, {k: v for k, v in named.items() if v is not None})
    assert result.status in REFERENCE_STATUSES
    assert result.key == ref.key
    for p in problems:
        assert p.code in PROBLEM_CODES and p.key == ref.key and p.file == ref.file and p.line
        assert p.message.startswith(f"{ref.key}: ")
    return result, problems


def codes(problems) -> list[str]:
    return sorted(p.code for p in problems)


# ------------------------------------------------------------------ normalisers

@pytest.mark.parametrize("raw, want", [
    ("<i>Effects</i> of Exercise &amp; Gait", "effects of exercise and gait"),
    ("Villafañe", "villafane"),
    ("Türkiye Fiziksel Tıp ve Rehabilitasyon", "turkiye fiziksel tip ve rehabilitasyon"),
    ("Pedometer-Based Internet- Mediated", "pedometer based internet mediated"),
    (r"Gait in {\"o}lder \emph{adults}", "gait in older adults"),
    (r"Back pain \& walking---a review", "back pain and walking a review"),
    ("CO<sub>2</sub>  and\n O₂.", "co2 and o2"),
    ("Straße, Ørsted, Łódź", "strasse orsted lodz"),
    ("", ""),
])
def test_norm_text(raw, want):
    assert norm_text(raw) == want


@pytest.mark.parametrize("raw, want", [
    ("786-92", "786-792"),
    ("786--792", "786-792"),
    ("786\u2013792", "786-792"),
    ("786 - 792", "786-792"),
    ("1041-7", "1041-1047"),
    ("95-101", "95-101"),
    ("e16173", "e16173"),
    ("E16173", "e16173"),
    ("22", "22"),
    ("22-22", "22"),
    ("pp. 23-40", "23-40"),
    ("S12-4", "s12-s14"),
    ("", ""),
])
def test_norm_pages(raw, want):
    assert norm_pages(raw) == want


@pytest.mark.parametrize("raw, want", [
    ("The Spine Journal.", "spine journal"),
    ("Medicine (Baltimore)", "medicine (baltimore)"),
    ("J. Exerc. Rehabil.", "j exerc rehabil"),
    ("Journal of Exercise Rehabilitation", "journal exercise rehabilitation"),
    ("Healthcare (Basel, Switzerland)", "healthcare (basel switzerland)"),
    ("Journal of Manipulative & Physiological Therapeutics", "journal manipulative physiological therapeutics"),
])
def test_norm_journal(raw, want):
    assert norm_journal(raw) == want


@pytest.mark.parametrize("bib, names, ok", [
    ("Medicine (Baltimore)", ["Medicine", "Medicine (Baltimore)"], True),  # Crossref
    ("Medicine (Baltimore)", ["Medicine", "Medicine"], True),  # record without qualifier
    ("Medicine (Baltimore)", ["Medicine", ""], True),
    ("Medicine", ["Medicine (Baltimore)"], True),
    ("Healthcare (Basel)", ["Healthcare (Basel, Switzerland)", "Healthcare (Basel)"], True),
    ("Healthcare (Basal)", ["Healthcare (Basel, Switzerland)", "Healthcare (Basel)"], False),
    ("J Exerc Rehabil", ["Journal of Exercise Rehabilitation", ""], True),
    ("Clin Biomech (Bristol)", ["Clinical Biomechanics", "Clinical Biomechanics"], True),
    ("Spine J", ["The Spine Journal", "The Spine Journal"], True),
    ("J Manipulative Physiol Ther", ["Journal of Manipulative and Physiological Therapeutics"], True),
    ("Eur Spine J", ["Spine", "Spine"], False),
    ("J Pain Res", ["Journal of Pain", "J Pain"], False),
    ("Ann Rehabil Med", ["Annals of Physical and Rehabilitation Medicine"], False),
])
def test_journal_matches(bib, names, ok):
    assert journal_matches(bib, names) is ok


@pytest.mark.parametrize("raw, want", [
    (SUH_DOI, "10.1097/md.0000000000016173"),
    ("https://doi.org/10.2196/JMIR.2605", "10.2196/jmir.2605"),
    ("doi:10.1000/ABC ", "10.1000/abc"),
])
def test_doi_key_strips_prefixes_and_case(raw, want):
    assert doi_key(raw) == want


# ------------------------------------------------------------------ compare

def test_compare_matching_records_give_no_problem():
    assert compare(suh_ref(), crossref_rec()) == []
    assert compare(suh_ref(), pubmed_rec()) == []
    # HTML, case and punctuation are not differences
    assert compare(suh_ref(), crossref_rec(title="<i>The Effect</i> of Lumbar Stabilization and "
                                                 "Walking Exercises on Chronic Low Back Pain - "
                                                 "a Randomized Controlled Trial")) == []


def test_missing_subtitle_is_a_title_mismatch():
    bib_title = SUH_TITLE.split(":")[0]
    [p] = compare(suh_ref(title=bib_title), crossref_rec())
    assert (p.code, p.severity, p.field, p.line) == ("metadata-mismatch", "error", "title", 3)
    assert (p.expected, p.found) == (SUH_TITLE, bib_title)
    assert p.message.startswith(f"suh2019: title differs from Crossref: bib has '{bib_title}', "
                                f"Crossref has '{SUH_TITLE}'")
    assert "subtitle" in p.message


def test_first_author_family_gorden_vs_gordon():
    gordon = (Author("Gordon", "Rebecca"), Author("Bloxham", "Saul"))
    ref = suh_ref(authors=(Author("Gorden", "R"), Author("Bloxham", "S")))
    [p] = compare(ref, crossref_rec(authors=gordon))
    assert (p.field, p.expected, p.found, p.line) == ("author", "Gordon", "Gorden", 4)
    assert "first author differs from Crossref" in p.message


def test_author_family_diacritics_are_folded():
    rec = crossref_rec(authors=(Author("Villafane", "Jorge Hugo"),))
    assert compare(suh_ref(authors=(Author("Villafañe", "JH"),)), rec) == []


@pytest.mark.parametrize("n_bib, n_rec", [(4, 5), (5, 4)])
def test_author_count_differs(n_bib, n_rec):
    [p] = compare(suh_ref(authors=SUH_AUTHORS[:n_bib]), crossref_rec(authors=SUH_AUTHORS[:n_rec]))
    assert p.field == "author" and p.expected.startswith(f"{n_rec} (") and p.found.startswith(f"{n_bib} (")


def test_author_list_ending_in_others_allows_more_authors_on_record():
    ref = suh_ref(authors=SUH_AUTHORS[:2] + (Author("others"),))
    assert compare(ref, crossref_rec()) == []


@pytest.mark.parametrize("bib, year, online, ok", [
    ("2019", "2019", "", True),
    ("2017", "2016", "", False),
    ("2019", "2019", "2018", True),  # Paolucci: online Dec 2018, volume 2019
    ("2019", "", "2018", True),  # record knows only the online-first date
    ("2016", "2016", "2015", True),  # Barzilay: online first 2015, issue 2016
    ("2015", "2016", "2015", True),  # citing the online-first year
    ("2018", "2016", "2015", False),
    ("2017", "2016", "2015", False),
    ("2019", "2018", "2018", True),  # Paolucci as records give it: issued = online = 2018
    ("2017", "2015", "2015", False),
    ("2016", "2017", "2015", False),  # a distinct issue year is known, and it is not 2016
])
def test_year_rules(bib, year, online, ok):
    problems = compare(suh_ref(year=bib), crossref_rec(year=year, online_year=online))
    assert (problems == []) is ok
    if not ok:
        assert problems[0].field == "year" and problems[0].found == bib


def test_journal_basal_vs_basel():
    rec = pubmed_rec(journal="Healthcare (Basel, Switzerland)", journal_abbrev="Healthcare (Basel)")
    [p] = compare(suh_ref(journal="Healthcare (Basal)"), rec)
    assert (p.field, p.found, p.line) == ("journal", "Healthcare (Basal)", 5)
    assert "Healthcare (Basel)" in p.expected and "differs from PubMed" in p.message


def test_volume_and_issue():
    problems = compare(suh_ref(volume="99", number="2"), crossref_rec())
    assert {(p.field, p.expected, p.found) for p in problems} == {("volume", "98", "99"), ("number", "26", "2")}


@pytest.mark.parametrize("bib, pages, article, ok", [
    ("22-40", "", "22", False),  # Gordon: article number 22, printed as "22-40"
    ("22", "", "22", True),
    ("22", "22", "", True),
    ("e16173", "", "e16173", True),
    ("786-792", "786-92", "", True),  # MEDLINE style
    ("786-790", "786-92", "", False),
    ("1041-1047", "1041-7", "", True),
])
def test_pages_and_article_numbers(bib, pages, article, ok):
    problems = compare(suh_ref(pages=bib), crossref_rec(pages=pages, article_number=article))
    assert (problems == []) is ok
    if not ok:
        assert problems[0].field == "pages" and problems[0].found == bib


def test_pages_vs_article_number_message():
    [p] = compare(suh_ref(pages="22-40"), crossref_rec(article_number="22"))
    assert p.expected == "article number 22" and "article number" in p.message


def test_fields_the_record_lacks_are_not_compared():
    bare = Record(source="crossref", identifier=SUH_DOI, retrieved="2026-01-05T10:00:00Z", title=SUH_TITLE)
    assert compare(suh_ref(year="1999", volume="1", number="9", pages="1-2", journal="X"), bare) == []


# ------------------------------------------------------------------ verdicts

def test_verified_when_crossref_and_pubmed_match():
    result, problems = run(suh_ref(), found(crossref_rec()), None, found(pubmed_rec()))
    assert (result.status, result.sources, problems) == ("verified", ["crossref", "pubmed"], [])
    assert (result.doi, result.pmid) == (SUH_DOI, SUH_PMID)


def test_no_identifier():
    result, problems = run(suh_ref(doi="", pmid="", no_identifier=True))
    assert (result.status, problems) == ("no-identifier", [])


def test_nothing_asked_is_not_checked():
    result, problems = run(suh_ref())
    assert result.status == "not-checked" and codes(problems) == ["not-verified", "not-verified"]


def test_pmid_not_asked_keeps_reference_unverified():
    result, problems = run(suh_ref(), found(crossref_rec()))
    assert result.status == "unavailable" and result.sources == ["crossref"]
    [p] = problems
    assert (p.code, p.field, p.line) == ("not-verified", "pmid", 11) and SUH_PMID in p.message


def test_swapped_dois():
    kim = crossref_rec(identifier=KIM_DOI, doi=KIM_DOI, title=KIM_TITLE,
                       authors=(Author("Kim", "Hyun"),) * 6, journal="Annals of Rehabilitation Medicine",
                       journal_abbrev="Ann Rehabil Med", year="2017", volume="41", issue="5",
                       article_number="", pages="786")
    result, problems = run(suh_ref(doi=KIM_DOI), found(kim), None, found(pubmed_rec()))
    assert result.status == "mismatch"
    conflict = next(p for p in problems if p.code == "doi-pmid-conflict")
    assert (conflict.expected, conflict.found, conflict.severity) == (SUH_DOI, KIM_DOI, "error")
    assert {p.field for p in problems if p.code == "metadata-mismatch"} >= {"title", "author", "year"}


def test_doi_and_pmid_of_two_papers_without_a_doi_on_pubmed():
    other = pubmed_rec(title=KIM_TITLE, doi="", authors=(Author("Kim", "H"),))
    result, problems = run(suh_ref(), found(crossref_rec()), None, found(other))
    assert result.status == "mismatch"
    [conflict] = [p for p in problems if p.code == "doi-pmid-conflict"]
    assert KIM_TITLE in conflict.message and SUH_TITLE in conflict.message and conflict.field == "pmid"


def test_pubmed_title_without_subtitle_is_no_conflict_between_registries():
    short = pubmed_rec(title=SUH_TITLE.split(":")[0])
    result, problems = run(suh_ref(), found(crossref_rec()), None, found(short))
    assert "doi-pmid-conflict" not in codes(problems)
    assert codes(problems) == ["metadata-mismatch"]  # the bib's subtitle is not on PubMed


def test_pubmed_doi_compared_case_insensitively():
    rec = pubmed_rec(doi=SUH_DOI.lower())
    result, _ = run(suh_ref(), found(crossref_rec()), None, found(rec))
    assert result.status == "verified"


def test_fabricated_pmid():
    result, problems = run(suh_ref(pmid="99999999"), found(crossref_rec()), None,
                           answer("pubmed", "99999999", "not-found"))
    assert result.status == "not-found"
    [p] = problems
    assert (p.code, p.severity, p.field, p.line, p.found) == ("pmid-not-found", "error", "pmid", 11, "99999999")
    assert "PubMed" in p.message


def test_doi_no_agency_knows():
    doi = "10.1097/MD.0000000000099999"
    result, problems = run(suh_ref(doi=doi, pmid=""), answer("crossref", doi, "not-found"),
                           answer("doi.org", doi, "not-found"))
    assert result.status == "not-found" and result.sources == ["crossref", "doi.org"]
    [p] = problems
    assert (p.code, p.severity, p.field, p.line) == ("doi-not-found", "error", "doi", 10)
    assert "Crossref" in p.message and "doi.org" in p.message


def test_datacite_only_doi_is_not_verified_without_pubmed():
    doi = "10.5281/zenodo.1234"
    handle = found(Record(source="doi.org", identifier=doi, retrieved="2026-01-05T10:00:00Z", agency="exists"))
    result, problems = run(suh_ref(doi=doi, pmid=""), answer("crossref", doi, "not-found"), handle)
    assert result.status == "unavailable" and result.sources == ["crossref", "doi.org"]
    [p] = problems
    assert (p.code, p.severity) == ("not-verified", "warning") and "DataCite" in p.message


def test_datacite_doi_with_matching_pubmed_record_is_verified():
    doi = "10.5281/zenodo.1234"
    handle = found(Record(source="doi.org", identifier=doi, retrieved="2026-01-05T10:00:00Z", agency="exists"))
    result, problems = run(suh_ref(doi=doi), answer("crossref", doi, "not-found"), handle,
                           found(pubmed_rec(doi=doi)))
    assert result.status == "verified"
    assert codes(problems) == ["not-verified"] and "PubMed's record was compared" in problems[0].message


@pytest.mark.parametrize("crossref_status, handle", [
    ("unavailable", None),
    ("not-found", Lookup("doi.org", SUH_DOI, "unavailable", reason="HTTP 429 after 3 retries")),
])
def test_registry_unavailable(crossref_status, handle):
    cr = answer("crossref", SUH_DOI, crossref_status, reason="HTTP 429 after 3 retries")
    result, problems = run(suh_ref(pmid=""), cr, handle)
    assert result.status == "unavailable"
    [p] = problems
    assert (p.code, p.severity) == ("registry-unavailable", "warning") and "HTTP 429" in p.message


def test_crossref_not_found_without_doi_org_answer_is_undetermined():
    result, problems = run(suh_ref(pmid=""), answer("crossref", SUH_DOI, "not-found"))
    assert result.status == "unavailable" and codes(problems) == ["not-verified"]
    assert "doi.org was not asked" in problems[0].message


def test_pubmed_unavailable_keeps_reference_unverified():
    result, problems = run(suh_ref(), found(crossref_rec()), None,
                           answer("pubmed", SUH_PMID, "unavailable", reason="timeout"))
    assert result.status == "unavailable" and result.sources == ["crossref"]
    assert codes(problems) == ["registry-unavailable"]


def test_retracted_by_crossref_update():
    rec = crossref_rec(updates=(Update("retraction", "crossref", "10.1097/MD.0000000000099999", "2020-03-01"),))
    result, problems = run(suh_ref(title="Wrong title"), found(rec), None, found(pubmed_rec()))
    assert result.status == "retracted"  # outranks the mismatch
    [p] = [p for p in problems if p.code == "retracted"]
    assert p.severity == "error" and "10.1097/md.0000000000099999" in p.message


def test_retracted_by_pubmed_pubtype():
    rec = pubmed_rec(pubtypes=("Journal Article", "Retracted Publication"))
    result, problems = run(suh_ref(), found(crossref_rec()), None, found(rec))
    assert result.status == "retracted" and codes(problems) == ["retracted"]


def test_one_retraction_reported_by_both_registries_is_one_problem():
    cr = crossref_rec(updates=(Update("retraction", "crossref", "10.1097/MD.0000000000099999"),))
    pm = pubmed_rec(pubtypes=("Retracted Publication",),
                    updates=(Update("retraction", "pubmed", label="Retracted Publication"),))
    result, problems = run(suh_ref(), found(cr), None, found(pm))
    [p] = problems
    assert p.code == "retracted" and "Crossref; PubMed" in p.message


def test_corrected_is_a_warning_naming_the_notice():
    rec = crossref_rec(updates=(Update("correction", "crossref", "10.1097/MD.0000000000017000"),))
    result, problems = run(suh_ref(), found(rec), None, found(pubmed_rec()))
    assert result.status == "verified"
    [p] = problems
    assert (p.code, p.severity, p.expected) == ("updated", "warning", "10.1097/md.0000000000017000")
    assert "correction" in p.message and "10.1097/md.0000000000017000" in p.message


def test_esearch_suggests_the_missing_pmid():
    esearch = found(Record(source="pubmed", identifier=SUH_DOI, retrieved="2026-01-05T10:00:00Z",
                           pmid=SUH_PMID))
    result, problems = run(suh_ref(pmid=""), found(crossref_rec()), esearch=esearch)
    assert result.status == "verified" and result.sources == ["crossref", "pubmed"]
    [p] = problems
    assert (p.code, p.severity, p.field, p.expected) == ("missing-identifier", "warning", "pmid", SUH_PMID)
    assert f"add pmid = {{{SUH_PMID}}}" in p.message


def test_esearch_not_found_is_silent():
    result, problems = run(suh_ref(pmid=""), found(crossref_rec()),
                           esearch=answer("pubmed", SUH_DOI, "not-found"))
    assert (result.status, problems) == ("verified", [])


def test_pubmed_suggests_the_missing_doi():
    result, problems = run(suh_ref(doi=""), pubmed=found(pubmed_rec()))
    assert result.status == "verified"
    [p] = problems
    assert (p.code, p.field, p.expected) == ("missing-identifier", "doi", SUH_DOI)


@pytest.mark.parametrize("bib_year, online, year", [("2019", "2018", "2019"), ("2016", "2015", "2016")])
def test_online_first_references_pass(bib_year, online, year):
    ref = suh_ref(year=bib_year)
    result, problems = run(ref, found(crossref_rec(year=year, online_year=online)), None,
                           found(pubmed_rec(year=year, online_year=online)))
    assert (result.status, problems) == ("verified", [])


def test_medline_pages_pass():
    ref = suh_ref(pages="786--792")
    result, problems = run(ref, found(crossref_rec(article_number="", pages="786-792")), None,
                           found(pubmed_rec(pages="786-92")))
    assert (result.status, problems) == ("verified", [])
