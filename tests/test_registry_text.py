"""Registry text is markup: real Crossref records (tests/data/recordings/) read with the text
model, compared with bib entries written as people write them; subtitles and running
heads; notices that point at their own DOI; the severity of every update type; preprints
published since (in the checker, the prose checks, the lock and the page)."""
from __future__ import annotations

import json

import pytest
from emulator import PREPRINT_DOI, PUBLISHED_DOI
from replay import Recordings
from scratch import Scratch, check

from citeproof import evidence as ev
from citeproof.bib import parse_bib_text
from citeproof.claims import check_claims
from citeproof.lock import Lock
from citeproof.markdown import parse_citations
from citeproof.model import Lookup, Record, Relation, Update
from citeproof.registries import crossref, markup
from citeproof.verify import UPDATE_KINDS, compare, is_retraction, published_versions, verify_reference

RECORDINGS = Recordings()
RETRIEVED = "2026-01-05T10:00:00Z"


def recorded(doi: str) -> Record:
    """The Crossref record citeproof makes of the recorded item of ``doi``."""
    work = RECORDINGS.work(doi)
    assert work is not None, doi
    return crossref.parse_work(work.item, doi, RETRIEVED)


def ref(title: str, doi: str = "10.1/x", **fields):
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in {"title": title, "doi": doi, **fields}.items())
    return parse_bib_text(f"@article{{k,\n{body}\n}}\n", "t.bib").references["k"]


def title_problems(bib_title: str, record: Record) -> list:
    return [p for p in compare(ref(bib_title, record.doi), record) if p.field == "title"]


# --------------------------------------------------------------------------- markup read

@pytest.mark.parametrize("doi, bib_title", [
    ("10.1103/physrevc.91.057301",  # MathML: an isotope as <mml:mmultiscripts>, no space around the math
     "Persistence of collective behavior at high spin in the $N=88$ nucleus $^{153}$Tb"),
    ("10.1103/physrevc.91.057301",
     r"Persistence of collective behavior at high spin in the {$N = 88$} nucleus \textsuperscript{153}Tb"),
    ("10.1103/physrevmaterials.5.064417",
     r"Understanding magnetic phase coexistence in {Ru$_2$Mn$_{1-x}$Fe$_x$Sn} Heusler alloys: "
     "A neutron scattering, thermodynamic, and phenomenological analysis"),
    ("10.1021/jp502220m",  # <sub>
     "Drift Transport in {Al$_2$O$_3$}-Sheathed {3-D} Transparent Conducting Oxide Photoanodes "
     "Observed in Liquid Electrolyte-Based Dye-Sensitized Solar Cells"),
    ("10.1021/jp502220m",
     r"Drift transport in Al\textsubscript{2}O\textsubscript{3}-sheathed 3-D transparent conducting "
     "oxide photoanodes observed in liquid electrolyte-based dye-sensitized solar cells"),
    ("10.14814/phy2.12263",  # <i>, <sup> and a minus sign
     r"\textit{Ost$\alpha$}\textsuperscript{\textit{$-$/$-$}} mice are not protected from western "
     "diet-induced weight gain"),
    ("10.1002/fee.70021",  # <scp> with indentation inside the title
     r"The role of {\textsc{AI}} in ecology's computational carbon footprint"),
    ("10.1136/jclinpath-2020-206745",  # <i> runs separated by newlines
     r"Construction of a reference material panel for detecting \textit{KRAS}/\textit{NRAS}/"
     r"\textit{EGFR}/\textit{BRAF}/\textit{MET} mutations in plasma {ctDNA}"),
    ("10.1155/s0161171292000589", "Fixed point theorems for $d$-complete topological spaces I"),
    ("10.1002/zaac.19271660112",  # nested <i> in <sub>, German
     r"Eigenschaftszusammenh{\"a}nge der spezifischen W{\"a}rmen $c_p$ -- $C_v$ im fl{\"u}ssigen Zustande"),
    ("10.1001/archpedi.1951.02040040742008",  # an entity-escaped <subtitle> inside the title
     "Idiopathic acquired hemolytic anemia in an infant: successful treatment with corticotropin (ACTH)"),
])
def test_a_title_written_in_latex_matches_the_records_markup(doi, bib_title):
    assert title_problems(bib_title, recorded(doi)) == []


def test_a_wrong_title_is_still_a_mismatch_shown_as_plain_text():
    record = recorded("10.1103/physrevc.91.057301")
    [p] = title_problems("Persistence of collective behavior at high spin in the nucleus $^{152}$Tb", record)
    assert p.expected == "Persistence of collective behavior at high spin in theN=88nucleus¹⁵³Tb"
    assert "<mml" not in p.message


def test_journal_and_names_are_read_as_markup():
    record = recorded("10.1116/1.4886095")  # "Journal of Vacuum Science &amp; Technology B ..."
    journal = ("Journal of Vacuum Science & Technology B, Nanotechnology and Microelectronics: "
               "Materials, Processing, Measurement, and Phenomena")
    assert [p for p in compare(ref("Characterization of surface defects on Be-implanted GaSb",
                                   record.doi, journal=journal.replace("&", r"\&")), record)
            if p.field == "journal"] == []


# --------------------------------------------------------------------------- subtitles

RUNNING_HEADS = [  # (DOI, what the subtitle is): recorded Crossref works whose subtitle is no subtitle
    ("10.1002/etep.2028", "a running head in capitals"),
    ("10.1002/kin.20537", "the title again, in title case"),
    ("10.1111/j.1368-5031.2005.00652.x", "a short title made of the title's words"),
    ("10.2210/pdb4hhb/pdb", "an identifier"),
]
REAL_SUBTITLES = ["10.1145/3448016.3452841", "10.1007/s00142-022-00530-w", "10.1001/archneur.1985.04060100075026",
                  "10.1001/jama.1914.02560410006002", "10.1007/s40278-023-41815-2", "10.1111/j.1439-0469.1987.tb00914.x"]


@pytest.mark.parametrize("doi, what", RUNNING_HEADS)
def test_a_running_head_is_not_part_of_the_title(doi, what):
    record = recorded(doi)
    title, subtitle = markup.plain(record, record.title), markup.plain(record, record.subtitle)
    assert subtitle and not markup.subtitle_is_title(title, subtitle), what
    assert markup.title_plain(record) == title
    # and never a mismatch: the bib may have the title alone or with it
    assert title_problems(title, record) == [] and title_problems(f"{title}: {subtitle}", record) == []


@pytest.mark.parametrize("doi", REAL_SUBTITLES)
def test_a_real_subtitle_is_part_of_the_title(doi):
    record = recorded(doi)
    title, subtitle = markup.plain(record, record.title), markup.plain(record, record.subtitle)
    assert markup.subtitle_is_title(title, subtitle)
    assert markup.title_plain(record) == f"{title}: {subtitle}"
    assert title_problems(title, record) == [] and title_problems(f"{title}: {subtitle}", record) == []


@pytest.mark.parametrize("title, subtitle", [
    ("Statins and colorectal cancer", "FLUVASTATIN AND RISK OF CANCER"),
    ("A year of change", "Editorials"),
    ("Sulfur", "New data and interpretations are yielding new insights into this fascinating substance."),
])
def test_running_heads_sections_and_decks(title, subtitle):
    assert not markup.subtitle_is_title(title, subtitle)


def test_another_registrys_title_decides_the_subtitle():
    crossref_rec = Record("crossref", "10.1/x", RETRIEVED, title="Harmonic interaction",
                          subtitle="HARMONIC INTERACTION OF THE UPFC")
    pubmed_rec = Record("pubmed", "1", RETRIEVED, title="Harmonic interaction: harmonic interaction of the UPFC.")
    assert markup.title_plain(crossref_rec) == "Harmonic interaction"
    assert markup.title_plain(crossref_rec, [pubmed_rec]) == "Harmonic interaction: HARMONIC INTERACTION OF THE UPFC"
    real = Record("crossref", "10.1/x", RETRIEVED, title="Bacteremic Hypocalcemia", subtitle="A Comparison")
    said_alone = Record("pubmed", "1", RETRIEVED, title="Bacteremic hypocalcemia.")
    assert markup.title_plain(real, [said_alone]) == "Bacteremic Hypocalcemia"


def test_a_bib_title_lacking_the_rest_of_the_title_is_still_a_mismatch():
    record = recorded("10.1145/3448016.3452841")
    [p] = title_problems("Vector Quotient", record)
    assert "lacks the rest of the title" in p.message
    assert p.expected == "Vector Quotient Filters: Overcoming the Time/Space Trade-Off in Filter Design"


# --------------------------------------------------------------------------- notices

def looks(record: Record) -> dict:
    return {"crossref": Lookup("crossref", record.identifier, "found", record)}


@pytest.mark.parametrize("doi", ["10.1103/physrevb.98.104436", "10.1371/journal.ppat.1008184"])
def test_an_update_pointing_at_its_own_doi_is_no_notice(doi):
    record = recorded(doi)
    assert not record.updates and not [t for t in record.pubtypes if t.startswith("update-to:")]
    bib = ref(markup.plain(record, record.title), doi)
    result, problems = verify_reference(bib, looks(record))
    assert result.status == "verified" and problems == []


def test_a_lock_made_before_still_reads_a_self_pointing_update_as_none():
    record = Record("crossref", "10.1/own", RETRIEVED, title="T", doi="10.1/own",
                    updates=(Update("new_version", "crossref", "10.1/OWN", "2020-01-30"),))
    result, problems = verify_reference(ref("T", "10.1/own"), looks(record))
    assert problems == []


def test_an_update_of_another_doi_stays_a_notice():
    corrigendum = recorded("10.1111/ijal.12281")  # update-to 10.1111/ijal.12157
    _, problems = verify_reference(ref(markup.plain(corrigendum, corrigendum.title), corrigendum.doi),
                                   looks(corrigendum))
    assert [p.code for p in problems] == ["notice-cited"]
    corrected = recorded("10.1371/journal.pone.0033693")  # updated-by a correction notice
    _, problems = verify_reference(ref(markup.plain(corrected, corrected.title), corrected.doi), looks(corrected))
    [p] = problems
    assert (p.code, p.severity) == ("updated", "warning") and "10.1371/annotation/" in p.expected


CROSSREF_UPDATE_TYPES = ("addendum", "clarification", "correction", "corrigendum", "erratum",
                         "expression_of_concern", "new_edition", "new_version", "partial_retraction",
                         "removal", "retraction", "withdrawal")


def test_every_crossref_update_type_has_a_documented_severity():
    assert set(CROSSREF_UPDATE_TYPES) <= set(UPDATE_KINDS)
    assert {k for k in UPDATE_KINDS if is_retraction(k)} == {"retraction", "partial_retraction", "withdrawal", "removal"}
    from scratch import ROOT
    manual = (ROOT / "docs" / "manual" / "checking.md").read_text(encoding="utf-8")
    for kind in UPDATE_KINDS:
        assert f"`{kind}`" in manual, kind


@pytest.mark.parametrize("kind, code, severity", [
    ("new_version", "updated", "warning"), ("addendum", "updated", "warning"),
    ("clarification", "updated", "warning"), ("partial_retraction", "retracted", "error"),
    ("something_new", "updated", "warning")])
def test_each_update_of_another_doi_has_its_severity(kind, code, severity):
    record = Record("crossref", "10.1/w", RETRIEVED, title="T", doi="10.1/w",
                    updates=(Update(kind, "crossref", "10.1/notice", "2021-01-01"),))
    _, [p] = verify_reference(ref("T", "10.1/w"), looks(record))
    assert (p.code, p.severity) == (code, severity) and kind.replace("_", " ") in p.message


# --------------------------------------------------------------------------- preprints

def test_relations_are_read_and_asked_for_in_the_same_request():
    assert "relation" in crossref.SELECT.split(",")
    preprint = recorded("10.1101/2024.04.01.587366")
    assert [(r.kind, r.doi) for r in preprint.relations] == [("is-preprint-of", "10.1016/j.xgen.2025.100814")]
    [published] = published_versions([preprint])
    assert published.doi == "10.1016/j.xgen.2025.100814" and published.said == "Crossref, 2026-01-05"
    journal = recorded("10.3389/fgene.2017.00147")
    assert [r.kind for r in journal.relations] == ["has-preprint"] and published_versions([journal]) == []


def test_relations_round_trip_through_the_lock_and_old_entries_stay_as_they_were():
    plain = Record("crossref", "10.1/x", RETRIEVED, title="T", doi="10.1/x")
    assert "relations" not in plain.to_dict() and "subtitle" not in plain.to_dict()
    rich = Record("crossref", "10.1/x", RETRIEVED, title="T", subtitle="S", doi="10.1/x",
                  relations=(Relation("is-preprint-of", "10.1/y", "subject"),))
    assert Record.from_dict(rich.to_dict()) == rich
    entry = Lock().put("k", "10.1/x", "", [rich], RETRIEVED, {"crossref": "https://api.crossref.org"})
    assert entry.records == (rich,)
    text = json.dumps(Lock({"k": entry}).to_data())
    assert Lock.from_text(text, "l.json").get("k").records == (rich,)


def _preprint_records() -> dict:
    preprint = recorded("10.1101/2024.04.01.587366")
    return {"p": [preprint]}


def test_a_cited_preprint_published_since_is_a_warning_at_its_first_citation():
    bib = parse_bib_text("@article{p,\n  title = {High-throughput screening},\n  doi = {10.1101/2024.04.01.587366},\n}\n"
                         "@article{j,\n  title = {X},\n  doi = {10.3389/fgene.2017.00147},\n}\n", "t.bib").references
    text = "First [@p].\n\nAgain [@p; @j].\n"
    problems = check_claims(text, parse_citations(text, "page.md"), bib,
                            {**_preprint_records(), "j": [recorded("10.3389/fgene.2017.00147")]})
    [p] = problems
    assert (p.code, p.severity, p.key, p.line, p.column) == ("preprint-published", "warning", "p", 1, 8)
    assert "doi:10.1016/j.xgen.2025.100814" in p.message and "Crossref, 2026-01-05" in p.message
    assert p.expected == "10.1016/j.xgen.2025.100814"


def test_the_page_shows_published_since():
    records = _preprint_records()["p"]
    e = ev.Evidence("p", "verified", "10.1101/2024.04.01.587366", checked=RETRIEVED,
                    published=tuple(published_versions(records)))
    html = ev.mark_html(e, lambda s: s)
    assert 'Published since as <a href="https://doi.org/10.1016/j.xgen.2025.100814" rel="noopener">' \
           "doi:10.1016/j.xgen.2025.100814</a>" in html
    assert e.to_dict()["published_since"] == [{"doi": "10.1016/j.xgen.2025.100814", "said_by": ["Crossref, 2026-01-05"]}]


def test_the_emulator_flags_its_preprint_and_not_its_published_version(tmp_path, emulator):
    bib = (f"@misc{{emu-preprint,\n  author = {{Tester, A. and Probe, B. C.}},\n"
           f"  title = {{An emulator test work first posted as a preprint}},\n  year = {{2023}},\n"
           f"  doi = {{{PREPRINT_DOI}}},\n}}\n"
           f"@article{{emu-published,\n  author = {{Tester, A. and Probe, B. C.}},\n"
           f"  title = {{An emulator test work first posted as a preprint}},\n"
           f"  journal = {{J Emul Test Data}},\n  year = {{2024}},\n  volume = {{4}},\n  number = {{1}},\n"
           f"  pages = {{100--109}},\n  doi = {{{PUBLISHED_DOI}}},\n  pmid = {{90000021}},\n}}\n"
           "@article{emu-self-updated,\n  author = {Tester, A.},\n"
           "  title = {An emulator test work with a new version on its own DOI},\n  journal = {J Emul Test Data},\n"
           "  year = {2020},\n  volume = {1},\n  number = {1},\n  pages = {e1},\n"
           "  doi = {10.5555/citeproof.new-version-on-its-own-doi},\n}\n")
    root = Scratch(tmp_path).write(page="A [@emu-preprint], B [@emu-published], C [@emu-self-updated].\n",
                                   bib=bib).root
    code, report = check(root, emulator)
    assert code == 0, report["problems"]
    [p] = report["problems"]
    assert (p["code"], p["severity"], p["key"]) == ("preprint-published", "warning", "emu-preprint")
    assert f"doi:{PUBLISHED_DOI}" in p["message"] and p["file"].endswith("index.md")
    assert set(r["status"] for r in report["references"]) == {"verified"}


def test_the_strict_build_reports_a_preprint_published_since_and_the_page_says_so(tmp_path, emulator):
    """A warning, as in `check` (exit 0): the build logs it with its page and line."""
    from scratch import MATERIAL
    bib = (f"@misc{{emu-preprint,\n  author = {{Tester, A. and Probe, B. C.}},\n"
           f"  title = {{An emulator test work first posted as a preprint}},\n  year = {{2023}},\n"
           f"  doi = {{{PREPRINT_DOI}}},\n}}\n")
    site = Scratch(tmp_path).write(page="# A\n\nSee [@emu-preprint].\n\n\\bibliography\n", bib=bib,
                                   mkdocs=MATERIAL, plugin_options=":\n      lock_file: other.lock.json")
    proc = site.citeproof("check", "--lock", "other.lock.json", "--format", "json", env=emulator.env())
    assert proc.returncode == 0 and '"preprint-published"' in proc.stdout, proc.stdout + proc.stderr
    strict = site.build("--strict")
    assert strict.returncode == 0, strict.stderr
    [line] = [x for x in strict.stderr.splitlines() if "[preprint-published]" in x]
    assert "index.md:3:" in line and f"doi:{PUBLISHED_DOI}" in line
    entry = site.html().split('id="ref-emu-preprint"')[1].split("</li>")[0]
    assert ('<span class="cp-published" title="Crossref, ' in entry
            and f'Published since as <a href="https://doi.org/{PUBLISHED_DOI}" rel="noopener">doi:{PUBLISHED_DOI}</a>'
            in entry)
