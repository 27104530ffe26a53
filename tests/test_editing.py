"""`citeproof add`, `fix` and `find` against the registry emulator (no real registry)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from emulator.fixtures import UNKNOWN_DOI
from scratch import FIXTURE_BIB, check, invoke, statuses

from citeproof import atomic
from citeproof.editing.entry import make_key, parse_identifier
from citeproof.editing.find import read_printed
from citeproof.errors import InputError
from citeproof.model import Author

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "article.txt"
EMPTY_BIB = "% references\n"


def project(tmp_path: Path, bib: str = EMPTY_BIB, cites: tuple[str, ...] = ()) -> Path:
    (tmp_path / "docs").mkdir(parents=True, exist_ok=True)
    body = "".join(f"Claim [@{k}].\n\n" for k in cites) or "No citation yet.\n"
    (tmp_path / "docs" / "index.md").write_text("# Article\n\n" + body, encoding="utf-8")
    (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof\n", encoding="utf-8")
    return tmp_path


def cite(root: Path, keys) -> None:
    (root / "docs" / "index.md").write_text("# Article\n\n" + "".join(f"Claim [@{k}].\n\n" for k in keys),
                                            encoding="utf-8")


# --------------------------------------------------------------------------- identifiers and keys

@pytest.mark.parametrize("text, kind, value", [
    ("10.1097/MD.0000000000016173", "doi", "10.1097/MD.0000000000016173"),
    ("doi:10.1097/MD.0000000000016173", "doi", "10.1097/MD.0000000000016173"),
    ("https://doi.org/10.1016/S1529-9430%2801%2900026-2", "doi", "10.1016/S1529-9430(01)00026-2"),
    ("31261549", "pmid", "31261549"), ("PMID: 31261549", "pmid", "31261549"),
    ("pmid:31261549", "pmid", "31261549"),
    ("https://pubmed.ncbi.nlm.nih.gov/31261549/", "pmid", "31261549"),
    ("PMC6616307", "pmcid", "PMC6616307"),
    ("https://pmc.ncbi.nlm.nih.gov/articles/PMC6616307/", "pmcid", "PMC6616307"),
    ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6616307", "pmcid", "PMC6616307"),
])
def test_identifiers_are_read_in_every_form_an_editor_pastes(text, kind, value):
    assert getattr(parse_identifier(text), kind) == value


def test_anything_else_is_bad_usage():
    with pytest.raises(InputError, match="is not a DOI"):
        parse_identifier("walking is good")


def test_keys_are_family_year_in_ascii_then_a_b():
    authors = (Author("Villafañe", "JH"),)
    assert make_key(authors, "2018", "", []) == "villafane2018"
    assert make_key((Author("Ó Súilleabháin-Kim", "A"),), "2020", "", []) == "osuilleabhainkim2020"
    assert make_key(authors, "2018", "", ["Villafane2018"]) == "villafane2018a"
    assert make_key(authors, "2018", "", ["villafane2018", "villafane2018a"]) == "villafane2018b"


# --------------------------------------------------------------------------- add

def test_add_a_doi_a_pmid_and_a_pmc_url_then_check_verifies_them(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "https://doi.org/10.1097/MD.0000000000016173", "PMID: 29201817",
                           "https://pmc.ncbi.nlm.nih.gov/articles/PMC4934575/"], emulator.env())
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["suh2019", "kim2017", "gordon2016"]
    assert emulator.count("idconv") == 1
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert bib.startswith(EMPTY_BIB)
    assert "pages   = {786--792}" in bib and "pmcid   = {PMC4934575}" in bib
    assert "author  = {Gordon, R. and Bloxham, S.}" in bib and "pages   = {22}" in bib
    cite(root, ["suh2019", "kim2017", "gordon2016"])
    code, report = check(root, emulator)
    assert code == 0 and report["problems"] == []
    assert set(statuses(report).values()) == {"verified"}


def test_add_keeps_the_rest_of_the_file_and_dry_run_changes_nothing(tmp_path, emulator):
    root = project(tmp_path, re.sub(r"@article\{lee2016,.*?\n\}\n\n", "", FIXTURE_BIB, flags=re.S))
    before = (root / "references.bib").read_bytes()
    dry = invoke(root, ["add", "--dry-run", "10.12965/jer.1632650.325"], emulator.env())
    assert dry.exit_code == 0
    assert (root / "references.bib").read_bytes() == before
    assert dry.stdout.startswith("--- a/") and "+@article{lee2016," in dry.stdout
    done = invoke(root, ["add", "10.12965/jer.1632650.325"], emulator.env())
    after = (root / "references.bib").read_bytes()
    assert done.exit_code == 0 and done.stdout == "lee2016\n"
    assert after.startswith(before) and after.count(b"@article{lee2016,") == 1


def test_a_clashing_key_gets_a_letter(tmp_path, emulator):
    root = project(tmp_path, "@article{lee2016,\n  title = {Something else},\n  identifier = {none},\n}\n")
    result = invoke(root, ["add", "27807526"], emulator.env())
    assert result.exit_code == 0 and result.stdout == "lee2016a\n"


@pytest.mark.parametrize("ident", ["10.5535/ARM.2017.41.5.786", "29201817", "PMC5698665"])
def test_the_same_work_twice_is_refused_under_any_identifier(tmp_path, emulator, ident):
    root = project(tmp_path, FIXTURE_BIB)
    before = (root / "references.bib").read_bytes()
    result = invoke(root, ["add", ident], emulator.env())
    assert result.exit_code == 1
    assert "already in" in result.stderr and "'kim2017'" in result.stderr
    assert (root / "references.bib").read_bytes() == before


def test_a_work_already_there_under_another_identifier_is_found_after_asking(tmp_path, emulator):
    bib = "@article{kim2017,\n  title = {Walking},\n  doi = {10.5535/arm.2017.41.5.786},\n}\n"
    root = project(tmp_path, bib)
    result = invoke(root, ["add", "29201817"], emulator.env())  # its PMID: the DOI comes from PubMed
    assert result.exit_code == 1 and "'kim2017'" in result.stderr
    assert (root / "references.bib").read_text() == bib


def test_a_doi_no_agency_knows_changes_nothing_and_says_which(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "10.1097/MD.0000000000016173", UNKNOWN_DOI], emulator.env())
    assert result.exit_code == 1
    assert UNKNOWN_DOI in result.stderr and "no registration agency knows" in result.stderr
    assert (root / "references.bib").read_text() == EMPTY_BIB and result.stdout == ""


@pytest.mark.slow
def test_a_registry_down_changes_nothing_and_exits_3(tmp_path, emulator):
    root = project(tmp_path)
    emulator.set_fault("eutils", "503")
    result = invoke(root, ["add", "--deadline", "3", "31261549"], emulator.env())
    assert result.exit_code == 3
    assert "could not ask PubMed about PMID 31261549" in result.stderr
    assert (root / "references.bib").read_text() == EMPTY_BIB


def test_an_unknown_pmcid_is_refused(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "PMC1"], emulator.env())
    assert result.exit_code == 1 and "PMC ID converter does not know PMCID PMC1" in result.stderr


# --------------------------------------------------------------------------- fix

PRINTED_ERRORS = (  # the printed list's errors, put back into a copy of the bib
    ("author  = {Gordon, R. and Bloxham, S.}", "author  = {Gorden, R. and Bloxham, S.}"),
    ("journal = {Healthcare (Basel)}", "journal = {Healthcare (Basal)}"),
    ("pages   = {22},", "pages   = {22--40},"),
    (": A randomized controlled trial}}", "}}"),
    ("  pmid    = {15864670},\n", ""),  # lamoth2006 without its PMID
)


def with_printed_errors() -> str:
    bib = FIXTURE_BIB
    for right, wrong in PRINTED_ERRORS:
        assert bib.count(right) == 1, right
        bib = bib.replace(right, wrong)
    return bib


def test_fix_write_restores_the_record_values_and_nothing_else(tmp_path, emulator):
    root = project(tmp_path, with_printed_errors())
    before = (root / "references.bib").read_bytes()
    shown = invoke(root, ["fix"], emulator.env())
    assert shown.exit_code == 0, shown.stderr
    assert (root / "references.bib").read_bytes() == before  # without --write: a diff only
    assert "-  author  = {Gorden, R. and Bloxham, S.}" in shown.stdout
    assert "+  pmid    = {15864670}," in shown.stdout
    written = invoke(root, ["fix", "--write"], emulator.env())
    assert written.exit_code == 0 and "Wrote 5 changes to" in written.stderr
    # byte for byte, but the title fix writes braces only where capitals must stay (none here)
    suh = FIXTURE_BIB.split("@article{suh2019,", 1)[1].split("\n}", 1)[0]
    title = next(line for line in suh.splitlines() if line.lstrip().startswith("title"))
    expected = FIXTURE_BIB.replace(title, title.replace("{{", "{").replace("}}", "}"))
    assert (root / "references.bib").read_text(encoding="utf-8") == expected


#: Each kind of problem ``fix`` can answer, made in a copy of the bib: (what check reports, the edit)
FIXABLE = {
    "metadata-mismatch": ("volume  = {98},", "volume  = {97},"),
    "doi-not-found": ("doi     = {10.1097/MD.0000000000016173}", "doi     = {10.1097/MD.0000000000016137}"),
    "missing-identifier": ("  pmid    = {15864670},\n", ""),
}


@pytest.mark.parametrize("kind", FIXABLE)
def test_check_then_fix_write_then_check_is_clean(tmp_path, emulator, kind):
    """What ``check`` reports of each fixable kind, ``fix --write`` answers: the next
    check has no such problem, and every reference is verified."""
    right, wrong = FIXABLE[kind]
    assert FIXTURE_BIB.count(right) == 1
    _, clean = check(project(tmp_path / "clean", FIXTURE_BIB), emulator)
    root = project(tmp_path / "edited", FIXTURE_BIB.replace(right, wrong))
    _, before = check(root, emulator)

    def found(report):
        return {(p["code"], p["key"]) for p in report["problems"] if p["code"] == kind}
    assert found(before) > found(clean)
    fixed = invoke(root, ["fix", "--write"], emulator.env())
    assert fixed.exit_code == 0 and "Wrote 1 change to" in fixed.stderr, fixed.stderr
    _, after = check(root, emulator)
    assert found(after) == found(clean)
    assert {p["code"] for p in after["problems"] if p["severity"] == "error"} == set()
    assert (root / "references.bib").read_text(encoding="utf-8") == FIXTURE_BIB


def test_fix_shows_a_doi_and_pmid_of_two_papers_and_chooses_neither(tmp_path, emulator):
    bib = FIXTURE_BIB.replace("pmid    = {31261549}", "pmid    = {29201817}")  # suh2019 with kim2017's PMID
    root = project(tmp_path, bib)
    _, report = check(root, emulator)
    assert "doi-pmid-conflict" in {p["code"] for p in report["problems"]}
    result = invoke(root, ["fix", "--write"], emulator.env())
    assert result.exit_code == 1
    assert "suh2019: doi, pmid: the DOI and the PMID point to different papers" in result.stderr
    assert "Neither was changed." in result.stderr and "need" in result.stderr.splitlines()[-1]
    assert (root / "references.bib").read_text(encoding="utf-8") == bib


def test_fix_says_what_it_did_in_a_sentence(tmp_path, emulator):
    root = project(tmp_path, FIXTURE_BIB)
    result = invoke(root, ["fix"], emulator.env())
    assert result.exit_code == 0 and result.stderr.strip().endswith("references.bib needs no change.")


def test_fix_shows_a_value_the_registries_disagree_on(tmp_path, emulator):
    kim = emulator.dataset.summaries["29201817"]
    emulator.dataset.summaries["29201817"] = {**kim, "volume": "42"}  # PubMed says otherwise
    try:
        bib = FIXTURE_BIB.replace("volume  = {41}", "volume  = {40}")
        root = project(tmp_path, bib)
        result = invoke(root, ["fix", "--write"], emulator.env())
    finally:
        emulator.dataset.summaries["29201817"] = kim
    assert result.exit_code == 1
    # each registry named once, with its own value
    assert "kim2017: volume: the registries disagree (Crossref has '41'; PubMed has '42')" in result.stderr
    assert "volume  = {40}" in (root / "references.bib").read_text()


def test_fix_names_each_registry_once_for_the_authors(tmp_path, emulator):
    kim = emulator.dataset.summaries["29201817"]
    authors = kim["authors"][:-1]  # PubMed lists one author fewer than Crossref
    emulator.dataset.summaries["29201817"] = {**kim, "authors": authors}
    try:
        root = project(tmp_path, FIXTURE_BIB.replace("Kim, H. and Min, T. J.", "Kin, H. and Min, T. J."))
        result = invoke(root, ["fix"], emulator.env())
    finally:
        emulator.dataset.summaries["29201817"] = kim
    [line] = [x for x in result.stderr.splitlines() if "kim2017: author:" in x]
    assert line.count("Crossref has") == 1 and line.count("PubMed has") == 1, line
    assert "Crossref has '6 authors: Kim, Min" in line and "PubMed has '5 authors: Kim, Min" in line


def test_add_takes_the_nlm_abbreviation_else_the_full_title_never_the_short_title(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "10.1186/s41983-019-0124-5", "10.1097/MD.0000000000016173"], emulator.env())
    assert result.exit_code == 0, result.stderr
    bib = (root / "references.bib").read_text(encoding="utf-8")
    # Fahmy 2019 is in Crossref only: its full title, not Crossref's short-container-title
    assert "journal = {The Egyptian Journal of Neurology, Psychiatry and Neurosurgery}" in bib
    assert "Egypt J Neurol" not in bib
    assert "journal = {Medicine (Baltimore)}" in bib  # PubMed's NLM abbreviation


def test_add_of_a_preprint_published_since_says_so(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "10.5555/citeproof.preprint"], emulator.env())
    assert result.exit_code == 0, result.stderr
    assert ("is a preprint that has since been published as doi:10.5555/citeproof.published-version"
            in result.stderr) and "citeproof add 10.5555/citeproof.published-version" in result.stderr


def test_fix_replaces_a_preprint_by_its_published_version(tmp_path, emulator):
    bib = ("@misc{tester2023,\n  author = {Tester, A. and Probe, B. C.},\n"
           "  title = {An emulator test work first posted as a preprint},\n"
           "  howpublished = {Emulator Preprint Server},\n  year = {2023},\n  keywords = {walking},\n"
           "  doi = {10.5555/citeproof.preprint},\n}\n")
    root = project(tmp_path, bib, cites=("tester2023",))
    code, report = check(root, emulator)
    assert [p["code"] for p in report["problems"]] == ["preprint-published"]
    shown = invoke(root, ["fix"], emulator.env())
    assert shown.exit_code == 0, shown.stderr
    assert "-@misc{tester2023," in shown.stdout and "+@article{tester2023," in shown.stdout
    assert (root / "references.bib").read_text() == bib  # a diff only
    assert invoke(root, ["fix", "--write"], emulator.env()).exit_code == 0
    written = (root / "references.bib").read_text()
    assert re.search(r"\n  doi +=  ?\{10\.5555/citeproof\.published-version\},", written), written
    assert re.search(r"\n  pmid +=  ?\{90000021\},", written)
    assert "keywords = {walking}" in written and "howpublished" not in written  # its own fields kept, not the posting's
    code, report = check(root, emulator)
    assert code == 0 and report["problems"] == [] and statuses(report) == {"tester2023": "verified"}


def test_a_fix_interrupted_mid_write_leaves_the_file_whole(tmp_path, emulator, monkeypatch):
    root = project(tmp_path, with_printed_errors())
    before = (root / "references.bib").read_bytes()

    def killed(fd):
        raise KeyboardInterrupt  # the process is stopped after writing, before the rename

    monkeypatch.setattr(atomic.os, "fsync", killed)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        from click.testing import CliRunner
        from citeproof.cli import main
        result = CliRunner().invoke(main, ["fix", "--write"], env=emulator.env())
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1 and "Aborted" in result.output  # click's answer to the interrupt
    assert (root / "references.bib").read_bytes() == before
    assert sorted(p.name for p in root.iterdir()) == ["docs", "mkdocs.yml", "references.bib"]


# --------------------------------------------------------------------------- find

def printed_references() -> dict[int, str]:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    refs = SEED.read_text(encoding="utf-8").split("\nReferences\n", 1)[1]
    return {int(n): text.strip() for n, text in re.findall(r"^(\d+)\. (.+)$", refs, re.M)}


def test_the_printed_reference_is_read():
    printed = read_printed("Gorden R, Bloxham S (2016) A Systematic Review of the Effects of Exercise. "
                           "Healthcare (Basal) 4:22-40.")
    assert (printed.first_author, printed.year) == ("Gorden", "2016")
    assert printed.title == "A Systematic Review of the Effects of Exercise"


@pytest.mark.parametrize("printed, title", [
    ("Tester A, Probe BC. An emulator test work that was retracted. 2020", "An emulator test work that was retracted"),
    ("Suh JH, Kim H, Jung GP, et al. The effect of walking. Medicine (Baltimore). 2019;98(26):e16173.",
     "The effect of walking"),
    ("Roe R. Does walking help? J Test. 2019;1:1-2.", "Does walking help"),
    ("World Health Organization. Guidelines on physical activity. Geneva: WHO; 2020.",
     "Guidelines on physical activity"),
    ("Roe R. Vitamin D. A review. J Test. 2019.", "Vitamin D. A review"),  # a capital before a full stop
    ("van der Berg JH, de Vries A. Walking and pain. J Test. 2019;1:2.", "Walking and pain"),
    ("Smith, J. and Doe, A., 2019. Walking helps.", "Walking helps"),  # not Vancouver: the general reading
])
def test_a_vancouver_reference_is_read_after_its_authors_initials(printed, title):
    """Vancouver's author list ends at the full stop after the last initials (``BC.``) or
    ``et al.``: the title is what follows, up to its own full stop."""
    assert read_printed(printed).title == title


def test_find_reads_the_manuals_vancouver_example_as_the_manual_says(tmp_path, emulator):
    """The retracted work first, its title read whole; not confident, as its near twin
    ("… partly retracted") is too close behind."""
    root = project(tmp_path)
    result = invoke(root, ["find", "Tester A, Probe BC. An emulator test work that was retracted. 2020"],
                    emulator.env())
    first = result.stdout.split("\n2. ")[0]
    assert first.startswith("1. title similarity 1.00") and "doi:10.5555/citeproof.retracted" in first
    assert "partly retracted" in result.stdout.split("\n2. ")[1]
    assert result.exit_code == 1 and "no confident match" in result.stderr


@pytest.mark.parametrize("number, doi", [
    (1, "10.1097/MD.0000000000016173"), (6, "10.2196/jmir.2605"), (10, "10.3390/healthcare4020022"),
    (14, "10.2147/JPR.S171729")])
def test_find_ranks_the_right_record_first_for_printed_references(tmp_path, emulator, number, doi):
    root = project(tmp_path)
    result = invoke(root, ["find", printed_references()[number]], emulator.env())
    assert result.exit_code == 0, result.output
    first = result.stdout.split("\n2. ")[0]
    assert first.startswith("1. ") and f"doi:{doi}" in first
    assert "title similarity" in first and "[Crossref, PubMed]" in first
    assert "confident match" in result.stderr


def test_find_then_add(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["find", "--add", "1", printed_references()[10]], emulator.env())
    assert result.exit_code == 0 and result.stdout.endswith("gordon2016\n")
    assert "doi     = {10.3390/healthcare4020022}" in (root / "references.bib").read_text()


def test_find_says_no_confident_match_for_a_weak_best_candidate(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["find", "Smith J (1990) Walking in the rain and back pain. Nature 3(4)."],
                    emulator.env())
    assert result.exit_code == 1
    assert "no confident match" in result.stderr
    assert result.stdout.startswith("1. ")  # the candidates are still shown, with their evidence
    assert (root / "references.bib").read_text() == EMPTY_BIB


def test_find_reads_a_printed_reference_without_a_year(tmp_path, emulator):
    """No year printed: the year is no evidence (it was once ``""``, not ``False``, and a
    candidate's score, ``author + year + journal``, raised a TypeError)."""
    root = project(tmp_path)
    result = invoke(root, ["find", "Smith J. Walking in the rain and back pain. Nature 3(4)."],
                    emulator.env())
    assert result.exit_code == 1, result.output
    assert "no confident match" in result.stderr
    assert result.stdout.startswith("1. ")  # the candidates, ranked by their score
    assert read_printed("Smith J. Walking in the rain and back pain. Nature 3(4).").year == ""


def test_add_writes_what_it_cannot_convert_as_its_text_and_warns(tmp_path, emulator):
    from emulator.server import decoded, json_reply

    def mangle(reply, query, path):
        if reply.status != 200 or not path.startswith("/works"):
            return reply
        data = decoded(reply)
        for item in data["message"]["items"]:
            item["title"] = ["A <mml:math><mml:mtable><mml:mtr><mml:mtd><mml:mi>x</mml:mi></mml:mtd></mml:mtr>"
                             "</mml:mtable></mml:math> matrix with <i>E. coli</i> and <blink>odd</blink> tags"]
        return json_reply(data)

    emulator.set_mangler("crossref", mangle)
    root = project(tmp_path)
    result = invoke(root, ["add", "10.1186/s41983-019-0124-5"], emulator.env())
    assert result.exit_code == 0, result.stderr
    assert "title: MathML <mtable> is not converted" in result.stderr and "in Crossref's value" in result.stderr
    assert "unknown element <blink>" in result.stderr
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert r"title   = {A $x$ matrix with \textit{{E}. coli} and odd tags}," in bib


# --------------------------------------------------------------------------- add and notices

@pytest.mark.parametrize("doi", ["10.5555/citeproof.retracted", "10.5555/citeproof.withdrawn",
                                 "10.5555/citeproof.removed"])
def test_add_refuses_a_retracted_withdrawn_or_removed_work_naming_the_notice(tmp_path, emulator, doi):
    root = project(tmp_path)
    before = (root / "references.bib").read_bytes()
    refused = invoke(root, ["add", doi], emulator.env())
    assert refused.exit_code == 1 and "nothing was added" in refused.stderr
    assert re.search(r"has been (RETRACTED|WITHDRAWN|REMOVED)", refused.stderr) and "--allow-retracted" in refused.stderr
    assert (root / "references.bib").read_bytes() == before
    allowed = invoke(root, ["add", "--allow-retracted", doi], emulator.env())
    assert allowed.exit_code == 0 and "warning:" in allowed.stderr
    assert doi in (root / "references.bib").read_text(encoding="utf-8")


def test_add_names_the_notice_of_a_corrected_work(tmp_path, emulator):
    root = project(tmp_path)
    result = invoke(root, ["add", "10.5555/citeproof.corrected"], emulator.env())
    assert result.exit_code == 0
    assert re.search(r"warning: .*was corrected \(notice doi:10\.5555/citeproof\.erratum", result.stderr)


def test_add_from_docs_adds_every_work_cited_by_identifier_in_one_run(tmp_path, emulator):
    root = project(tmp_path, FIXTURE_BIB)
    (root / "docs" / "index.md").write_text(
        "# A\n\nOne [@doi:10.1097/MD.0000000000016173]. Two [@doi:10.5535/arm.2017.41.5.786].\n\n"
        "Three [@pmid:29201817]. Four [@doi:10.5555/citeproof.corrected; @pmid:90000001].\n", encoding="utf-8")
    (root / "references.bib").write_text(EMPTY_BIB, encoding="utf-8")
    emulator.reset()
    result = invoke(root, ["add", "--from-docs", "--allow-retracted"], emulator.env())
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 4  # kim2017 cited by DOI and by PMID: one entry
    _, report = check(root, emulator)
    assert not [p for p in report["problems"] if p["code"] in ("unknown-key", "unused-entry")]
    nothing = invoke(root, ["add", "--from-docs"], emulator.env())
    assert nothing.exit_code == 2 and "the docs cite no identifier that the bib lacks" in nothing.stderr


def test_an_anonymous_check_keeps_to_ncbis_three_requests_a_second(tmp_path, emulator):
    """Without an API key (the emulator's other tests run keyed), NCBI's requests go at
    its anonymous rate: the emulator's strict window never answers 429, and every answer
    is the same as the keyed run's."""
    keyed = check(project(tmp_path / "keyed", FIXTURE_BIB), emulator)
    emulator.reset()
    root = project(tmp_path / "anonymous", FIXTURE_BIB)
    result = invoke(root, ["check", "--format", "json", "--lock", str(root / "lock.json")],
                    emulator.env(identified=False))
    ncbi = [r for r in emulator.requests if r.service in ("eutils", "idconv")]
    assert ncbi and all("api_key" not in r.query for r in ncbi)
    assert sum(emulator.status_429.values()) == 0
    assert (result.exit_code, statuses(json.loads(result.stdout))) == (keyed[0], statuses(keyed[1]))
