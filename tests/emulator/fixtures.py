# EMULATOR TEST DATA. NOT REGISTRY ANSWERS.
# Everything in this file feeds the local registry emulator used by the tests and the
# benchmark. The values of the article's 15 references are copied from
# ../shared/references/facts.md (beside the repository) (itself partly unconfirmed), dressed in the field
# shapes the registries use; dates beyond the year, Crossref given names (initials here)
# and every 10.5555/... DOI and 8xxxxxxx/9xxxxxxx PMID are invented. Nothing here may be
# cited, locked or reported as what Crossref, doi.org or PubMed said.
"""Test data for the registry emulator: works rendered as Crossref items and esummary docs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class Work:
    """One emulated work, from which every registry's answer is derived."""

    key: str
    title: str
    authors: tuple[str, ...]  # PubMed style "Suh JH"
    journal: str  # full title: Crossref container-title, PubMed fulljournalname
    abbrev: str  # NLM abbreviation: PubMed source, Crossref short-container-title
    year: int
    month: int = 0
    volume: str = ""
    issue: str = ""
    pages: str = ""  # full range "786-792"
    article_number: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    online: tuple[int, ...] = ()  # online-first date (y, m, d) when earlier than the issue
    agency: str = "crossref"  # "crossref" | "datacite" (DataCite: unknown to Crossref)
    updated_by: tuple[dict, ...] = ()  # Crossref updated-by entries
    update_to: tuple[dict, ...] = ()  # Crossref update-to entries (on a notice)
    relation: dict = field(default_factory=dict)  # Crossref relation (preprints and their versions)
    kind: str = "journal-article"  # Crossref type
    subkind: str = ""  # Crossref subtype ("preprint")
    subtitle: str = ""  # Crossref subtitle (a real one or a running head)
    pubtypes: tuple[str, ...] = ("Journal Article",)
    elocation_only: bool = False  # PubMed: article number in elocationid, pages empty
    extra: dict = field(default_factory=dict)


def _w(key, title, authors, journal, abbrev, year, month, vol, issue, pages, doi, pmid, pmcid="", **kw):
    return Work(key, title, tuple(a.strip() for a in authors.split(",")), journal, abbrev, year, month,
                vol, issue, pages, doi=doi, pmid=pmid, pmcid=pmcid, **kw)


# The article's 15 references (facts.md). Their publication types are invented in PubMed's
# shape (NLM names, as esummary lists them), following each work's title and abstract. Stankovic 2012 has no identifier anywhere;
# Fahmy 2019 is in Crossref only; Paolucci 2019 and Barzilay 2016 were online first.
ARTICLE: tuple[Work, ...] = (
    _w("suh2019", "The effect of lumbar stabilization and walking exercises on chronic low back pain: A randomized controlled trial",
       "Suh JH, Kim H, Jung GP, Ko JY, Ryu JS", "Medicine", "Medicine (Baltimore)", 2019, 6, "98", "26", "e16173",
       "10.1097/MD.0000000000016173", "31261549", "PMC6616307",
       pubtypes=("Journal Article", "Randomized Controlled Trial")),
    _w("kim2017", "Association Between Walking and Low Back Pain in the Korean Population: A Cross-Sectional Study",
       "Kim H, Min TJ, Kang SH, Kim DK, Seo KM, Lee SY", "Annals of Rehabilitation Medicine", "Ann Rehabil Med",
       2017, 10, "41", "5", "786-792", "10.5535/arm.2017.41.5.786", "29201817", "PMC5698665"),
    _w("lee2016", "The effects of strength exercise and walking on lumbar function, pain level, and body composition in chronic back pain patients",
       "Lee JS, Kang SJ", "Journal of Exercise Rehabilitation", "J Exerc Rehabil", 2016, 10, "12", "5", "463-470",
       "10.12965/jer.1632650.325", "27807526", "PMC5091063"),
    _w("bozorgmehr2018", "Relationships between muscular impairments, pain, and disability in patients with chronic nonspecific low back pain: a cross sectional study",
       "Bozorgmehr A, Zahednejad S, Salehi R, Ansar NN, Abbasi S, Mohsenifar H, Villafañe JH",
       "Journal of Exercise Rehabilitation", "J Exerc Rehabil", 2018, 12, "14", "6", "1041-1047",
       "10.12965/jer.1836318.159", "30656167"),
    _w("lamoth2006", "Effects of chronic low back pain on trunk coordination and back muscle activity during walking: changes in motor control",
       "Lamoth CJC, Meijer OG, Daffertshofer A, Wuisman PIJM, Beek PJ", "European Spine Journal", "Eur Spine J",
       2006, 1, "15", "1", "23-40", "10.1007/s00586-004-0825-y", "15864670",
       pubtypes=("Comparative Study", "Journal Article")),
    _w("krein2013", "Pedometer-Based Internet-Mediated Intervention For Adults With Chronic Low Back Pain: Randomized Controlled Trial",
       "Krein SL, Kadri R, Hughes M, Kerr EA, Piette JD, Holleman R, Kim HM, Richardson CR",
       "Journal of Medical Internet Research", "J Med Internet Res", 2013, 8, "15", "8", "e181",
       "10.2196/jmir.2605", "23969029", "PMC3758050",
       pubtypes=("Journal Article", "Randomized Controlled Trial", "Research Support, U.S. Gov't, Non-P.H.S.")),
    _w("sculco2001", "Effects of aerobic exercise on low back pain patients in treatment",
       "Sculco AD, Paup DC, Fernhall B, Sculco MJ", "The Spine Journal", "Spine J", 2001, 3, "1", "2", "95-101",
       "10.1016/S1529-9430(01)00026-2", "14588388",
       pubtypes=("Clinical Trial", "Journal Article")),
    _w("callaghan1999", "Low back three-dimensional joint forces, kinematics, and kinetics during walking",
       "Callaghan JP, Patla AE, McGill SM", "Clinical Biomechanics", "Clin Biomech (Bristol)", 1999, 3, "14", "3",
       "203-216", "10.1016/S0268-0033(98)00069-2", "10619108"),
    _w("lee2014", "Facilitating Effects of Fast and Slope Walking on Paraspinal Muscles",
       "Lee HS, Shim JS, Lee ST, Kim M, Ryu JS", "Annals of Rehabilitation Medicine", "Ann Rehabil Med", 2014, 8,
       "38", "4", "514-522", "10.5535/arm.2014.38.4.514", "25229030", "PMC4163591"),
    _w("gordon2016", "A Systematic Review of the Effects of Exercise and Physical Activity on Non-Specific Chronic Low Back Pain",
       "Gordon R, Bloxham S", "Healthcare", "Healthcare (Basel)", 2016, 4, "4", "2", "",
       "10.3390/healthcare4020022", "27417610", "PMC4934575", article_number="22",
       pubtypes=("Journal Article", "Review")),
    _w("descarreaux2002", "Evaluation of a specific home exercise program for low back pain",
       "Descarreaux M, Normand MC, Laurencelle L, Dugas C", "Journal of Manipulative and Physiological Therapeutics",
       "J Manipulative Physiol Ther", 2002, 10, "25", "8", "497-503", "10.1067/mmt.2002.127078", "12381971",
       pubtypes=("Clinical Trial", "Journal Article", "Randomized Controlled Trial")),
    _w("stankovic2012", "Lumbar stabilization exercises in addition to strengthening and stretching exercises reduce pain and increase function in patients with chronic low back pain: randomized clinical open-label study",
       "Stankovic A, Lazovic M, Kocic M, Dimitrijevic L, Stankovic I, Zlatanovic D, Dimitrijevic I",
       "Türkiye Fiziksel Tıp ve Rehabilitasyon Dergisi", "Turk J Phys Med Rehabil", 2012, 0, "58", "3", "177-183",
       "", ""),
    _w("fahmy2019", "Efficacy of spinal extension exercise program versus muscle energy technique in treatment of chronic mechanical low back pain",
       "Fahmy E, Shaker H, Ragab W, Helmy H, Gaber M", "The Egyptian Journal of Neurology, Psychiatry and Neurosurgery",
       "Egypt J Neurol Psychiatry Neurosurg", 2019, 0, "55", "1", "", "10.1186/s41983-019-0124-5", "",
       article_number="77"),
    _w("paolucci2019", "Chronic low back pain and postural rehabilitation exercise: a literature review",
       "Paolucci T, Attanasi C, Cecchini W, Marazzi A, Capobianco SV, Santilli V", "Journal of Pain Research",
       "J Pain Res", 2019, 0, "12", "", "95-107", "10.2147/JPR.S171729", "30588084", "PMC6305160",
       online=(2018, 12, 20),
       pubtypes=("Journal Article", "Review")),
    _w("barzilay2016", "Patients with chronic non-specific low back pain who reported reduction in pain and improvement in function also demonstrated an improvement in gait pattern",
       "Barzilay Y, Segal G, Lotan R, Regev G, Beer Y, Lonner BS, Mor A, Elbaz A", "European Spine Journal",
       "Eur Spine J", 2016, 9, "25", "9", "2761-2766", "10.1007/s00586-015-4004-0", "26059480",
       online=(2015, 6, 10),
       pubtypes=("Journal Article", "Observational Study")),
)

EMU_JOURNAL, EMU_ABBREV = "Journal of Emulator Test Data", "J Emul Test Data"
RETRACTED_DOI, RETRACTION_NOTICE_DOI = "10.5555/citeproof.retracted", "10.5555/citeproof.retraction-notice"
CORRECTED_DOI, ERRATUM_DOI = "10.5555/citeproof.corrected", "10.5555/citeproof.erratum"
PARTIAL_DOI, WITHDRAWN_DOI = "10.5555/citeproof.partly-retracted", "10.5555/citeproof.withdrawn"
REMOVED_DOI, CONCERN_DOI = "10.5555/citeproof.removed", "10.5555/citeproof.concern"
ERRATA_DOI = "10.5555/citeproof.with-erratum"
TITLE_RETRACTED_DOI, TITLE_WITHDRAWN_DOI = "10.5555/citeproof.title-retracted", "10.5555/citeproof.title-withdrawn"
PREPRINT_DOI, PUBLISHED_DOI = "10.5555/citeproof.preprint", "10.5555/citeproof.published-version"
SELF_UPDATED_DOI = "10.5555/citeproof.new-version-on-its-own-doi"
DATACITE_DOI = "10.5061/dryad.citeproof-emulator"  # a handle exists; Crossref answers 404
UNKNOWN_DOI = "10.5555/citeproof.no-agency-knows-this"  # 404 everywhere
UNKNOWN_PMID = "99999999"  # esummary: "cannot get document summary"


def _update(kind, notice, date, source="publisher", label=""):
    return {"updated": {"date-parts": [list(date)]}, "DOI": notice, "type": kind, "source": source,
            "label": label or kind.replace("_", " ").capitalize()}


# Test works: retraction and correction (with their notices), a DataCite-only DOI.
TEST_WORKS: tuple[Work, ...] = (
    _w("emu-retracted", "An emulator test work that was retracted", "Tester A, Probe BC", EMU_JOURNAL, EMU_ABBREV,
       2020, 5, "1", "2", "10-19", RETRACTED_DOI, "90000001",
       updated_by=(_update("retraction", RETRACTION_NOTICE_DOI, (2021, 3, 1), "retraction-watch", "Retraction"),),
       pubtypes=("Journal Article", "Retracted Publication")),
    _w("emu-retraction-notice", "Retraction notice: An emulator test work that was retracted", "Tester A",
       EMU_JOURNAL, EMU_ABBREV, 2021, 3, "2", "1", "1", RETRACTION_NOTICE_DOI, "90000002",
       update_to=(_update("retraction", RETRACTED_DOI, (2021, 3, 1)),),
       pubtypes=("Retraction of Publication",)),
    _w("emu-corrected", "An emulator test work that was corrected", "Probe BC", EMU_JOURNAL, EMU_ABBREV,
       2020, 7, "1", "3", "", CORRECTED_DOI, "90000003", article_number="e0123", elocation_only=True,
       updated_by=(_update("correction", ERRATUM_DOI, (2020, 9, 15)),)),
    _w("emu-erratum", "Erratum: An emulator test work that was corrected", "Probe BC", EMU_JOURNAL, EMU_ABBREV,
       2020, 9, "1", "4", "5", ERRATUM_DOI, "90000004",
       update_to=(_update("correction", CORRECTED_DOI, (2020, 9, 15)),), pubtypes=("Published Erratum",)),
    # One work per kind of Crossref update (type and source as Crossref lists them), PubMed's
    # "Retracted Publication" alone, titles that say it, and notices cited as works.
    _w("emu-partial", "An emulator test work that was partly retracted", "Tester A", EMU_JOURNAL, EMU_ABBREV,
       2020, 2, "1", "1", "1-9", PARTIAL_DOI, "90000011",
       updated_by=(_update("partial_retraction", "10.5555/citeproof.partial-notice", (2021, 1, 5),
                           "retraction-watch", "Partial Retraction"),)),
    _w("emu-withdrawn", "An emulator test work that was withdrawn", "Tester A", EMU_JOURNAL, EMU_ABBREV,
       2020, 2, "1", "1", "20-29", WITHDRAWN_DOI, "",
       updated_by=(_update("withdrawal", "10.5555/citeproof.withdrawal-notice", (2021, 2, 6)),)),
    _w("emu-removed", "An emulator test work that was removed", "Tester A", EMU_JOURNAL, EMU_ABBREV,
       2020, 2, "1", "1", "30-39", REMOVED_DOI, "",
       updated_by=(_update("removal", "10.5555/citeproof.removal-notice", (2021, 3, 7)),)),
    _w("emu-concern", "An emulator test work with an expression of concern", "Tester A", EMU_JOURNAL,
       EMU_ABBREV, 2020, 2, "1", "1", "40-49", CONCERN_DOI, "90000012",
       updated_by=(_update("expression_of_concern", "10.5555/citeproof.concern-notice", (2021, 4, 8),
                           label="Expression of Concern"),)),
    _w("emu-errata", "An emulator test work with an erratum", "Tester A", EMU_JOURNAL, EMU_ABBREV,
       2020, 2, "1", "1", "50-59", ERRATA_DOI, "",
       updated_by=(_update("erratum", "10.5555/citeproof.erratum-notice", (2021, 5, 9)),)),
    _w("emu-pubmed-retracted", "An emulator test work that only PubMed marks as retracted", "Tester A",
       EMU_JOURNAL, EMU_ABBREV, 2019, 5, "3", "2", "60-69", "", "90000013",
       pubtypes=("Journal Article", "Retracted Publication")),
    _w("emu-title-retracted", "RETRACTED: An emulator test work retracted in its title only", "Tester A",
       EMU_JOURNAL, EMU_ABBREV, 2019, 6, "3", "2", "70-79", TITLE_RETRACTED_DOI, ""),
    _w("emu-title-withdrawn", "WITHDRAWN: An emulator test work withdrawn in its title only", "Tester A",
       EMU_JOURNAL, EMU_ABBREV, 2019, 7, "3", "2", "80-89", TITLE_WITHDRAWN_DOI, ""),
    _w("emu-concern-notice", "Expression of concern: An emulator test work", "Tester A", EMU_JOURNAL,
       EMU_ABBREV, 2021, 4, "2", "2", "2", "", "90000014", pubtypes=("Expression of Concern",)),
    _w("emu-datacite", "An emulator data set registered with DataCite", "Tester A", "Emulator Data Repository",
       "", 2022, 1, "", "", "", DATACITE_DOI, "", agency="datacite", pubtypes=()),
    # A preprint published since (Crossref's relation on each side, as bioRxiv and the
    # journal deposit them), and a work whose new version is deposited on its own DOI.
    _w("emu-preprint", "An emulator test work first posted as a preprint", "Tester A, Probe BC",
       "Emulator Preprint Server", "", 2023, 4, "", "", "", PREPRINT_DOI, "", kind="posted-content",
       subkind="preprint", pubtypes=("Preprint",),
       relation={"is-preprint-of": [{"id-type": "doi", "id": PUBLISHED_DOI, "asserted-by": "subject"}]}),
    _w("emu-published", "An emulator test work first posted as a preprint", "Tester A, Probe BC",
       EMU_JOURNAL, EMU_ABBREV, 2024, 2, "4", "1", "100-109", PUBLISHED_DOI, "90000021",
       relation={"has-preprint": [{"id-type": "doi", "id": PREPRINT_DOI, "asserted-by": "object"}]}),
    _w("emu-self-updated", "An emulator test work with a new version on its own DOI", "Tester A",
       EMU_JOURNAL, EMU_ABBREV, 2020, 1, "1", "1", "e1", SELF_UPDATED_DOI, "",
       updated_by=(_update("new_version", SELF_UPDATED_DOI, (2020, 1, 30)),),
       update_to=(_update("new_version", SELF_UPDATED_DOI, (2020, 1, 30)),)),
)


def synthetic_works(n: int, start: int = 1) -> Iterator[Work]:
    """``n`` fake but self-consistent works (every 10th has no PMID), for benchmarks."""
    for i in range(start, start + n):
        first = 100 + (i % 400)
        yield Work(
            key=f"synthetic{i:05d}", title=f"Synthetic emulator work number {i} on walking and back pain",
            authors=(f"Synthetic{i % 97} AB", f"Fixture{i % 89} C"), journal=EMU_JOURNAL, abbrev=EMU_ABBREV,
            year=2000 + i % 25, month=1 + i % 12, volume=str(1 + i % 40), issue=str(1 + i % 6),
            pages=f"{first}-{first + 9}", doi=f"10.5555/citeproof.synthetic.{i:05d}",
            pmid="" if i % 10 == 0 else str(80000000 + i), pmcid=f"PMC{70000000 + i}" if i % 3 == 0 else "")


# --- Rendering into the registries' field shapes -----------------------------------------

def _parts(*values) -> dict:
    return {"date-parts": [[v for v in values if v]]}


def medline_pages(pages: str) -> str:
    """``"786-792"`` -> ``"786-92"`` (MEDLINE drops the leading digits the end shares)."""
    first, sep, last = pages.partition("-")
    if not sep or len(first) != len(last) or not (first.isdigit() and last.isdigit()):
        return pages
    i = 0
    while i < len(last) - 1 and first[i] == last[i]:
        i += 1
    return f"{first}-{last[i:]}"


def crossref_item(w: Work) -> dict:
    """The work as a Crossref REST API ``message`` (full item, before ``select``)."""
    print_date = _parts(w.year, w.month)
    item = {
        "DOI": w.doi, "type": w.kind, "title": [w.title], "prefix": w.doi.split("/")[0],
        "publisher": "Emulated Publisher", "member": "0", "source": "Crossref", "reference-count": 0,
        "URL": f"https://doi.org/{w.doi}", "container-title": [w.journal],
        "short-container-title": [w.abbrev.split(" (")[0]] if w.abbrev else [],
        "author": [{"given": a.rpartition(" ")[2], "family": a.rpartition(" ")[0], "sequence":
                    "first" if n == 0 else "additional", "affiliation": []} for n, a in enumerate(w.authors)],
        "published-print": print_date, "issued": _parts(*w.online) if w.online else print_date,
        "indexed": {"date-parts": [[2025, 1, 1]], "date-time": "2025-01-01T00:00:00Z"},
    }
    _add_issue_fields(item, w)
    if w.updated_by:
        item["updated-by"] = list(w.updated_by)
    if w.update_to:
        item["update-to"] = list(w.update_to)
    if w.subkind:
        item["subtype"] = w.subkind
    item["subtitle"] = [w.subtitle] if w.subtitle else []
    item["relation"] = dict(w.relation)
    if not w.journal or w.kind == "posted-content":  # a preprint server is no container
        item["container-title"], item["short-container-title"] = [], []
        item["institution"] = [{"name": w.journal}]
    return item


def _add_issue_fields(item: dict, w: Work) -> None:
    """The fields Crossref's JSON and CSL-JSON share: online date, volume, issue, pages."""
    if w.online:
        item["published-online"] = _parts(*w.online)
    for key, value in (("volume", w.volume), ("issue", w.issue), ("page", w.pages or w.article_number),
                       ("article-number", w.article_number)):
        if value:
            item[key] = value


def csl_item(w: Work) -> dict:
    """The work as CSL-JSON, as doi.org content negotiation returns it from the agency.

    DataCite-style for DataCite works (type "dataset", the DOI upper-cased, the
    repository as ``publisher``, no container); Crossref-style otherwise.
    """
    people = [{"family": a.rpartition(" ")[0], "given": a.rpartition(" ")[2]} if " " in a
              else {"literal": a} for a in w.authors]
    item = {"id": f"https://doi.org/{w.doi}", "title": w.title, "author": people,
            "issued": _parts(*w.online) if w.online else _parts(w.year, w.month), "URL": f"https://doi.org/{w.doi}"}
    if w.agency == "datacite":
        return {**item, "type": "dataset", "DOI": w.doi.upper(), "publisher": w.journal,
                "language": "en", "version": "1", "copyright": "Creative Commons Zero v1.0 Universal"}
    item.update({"type": "article-journal", "DOI": w.doi, "publisher": "Emulated Publisher",
                 "container-title": w.journal, "published-print": _parts(w.year, w.month)})
    if w.abbrev:
        item["container-title-short"] = w.abbrev.split(" (")[0]
    _add_issue_fields(item, w)
    return item


def _pubmed_date(*parts) -> str:
    y, m, d = (list(parts) + [0, 0, 0])[:3]
    return " ".join(str(x) for x in (y, MONTHS[m - 1] if m else "", d or "") if x)


def esummary_doc(w: Work) -> dict:
    """The work as one E-utilities esummary (JSON) document."""
    ids = [{"idtype": "pubmed", "idtypen": 1, "value": w.pmid}]
    if w.doi:
        ids.append({"idtype": "doi", "idtypen": 3, "value": w.doi})
    if w.pmcid:
        ids += [{"idtype": "pmc", "idtypen": 8, "value": w.pmcid},
                {"idtype": "pmcid", "idtypen": 5, "value": f"pmc-id: {w.pmcid};"}]
    eloc = f"doi: {w.doi}" if w.doi else ""
    if w.elocation_only and w.article_number:
        eloc = f"{w.article_number}. {eloc}".strip()
    pages = "" if w.elocation_only else medline_pages(w.pages or w.article_number)
    return {
        "uid": w.pmid, "pubdate": _pubmed_date(w.year, w.month), "epubdate": _pubmed_date(*w.online),
        "source": w.abbrev, "authors": [{"name": a, "authtype": "Author", "clusterid": ""} for a in w.authors],
        "lastauthor": w.authors[-1] if w.authors else "", "title": w.title.rstrip(".") + ".",
        "sorttitle": w.title.lower(), "volume": w.volume, "issue": w.issue, "pages": pages,
        "lang": ["eng"], "issn": "", "essn": "", "pubtype": list(w.pubtypes), "recordstatus": "PubMed",
        "pubstatus": "4", "articleids": ids, "fulljournalname": w.journal, "elocationid": eloc,
        "doctype": "citation", "sortpubdate": f"{w.year}/{w.month or 1:02d}/01 00:00",
    }


class Dataset:
    """What each emulated registry knows, derived from a list of works."""

    def __init__(self, works):
        self.works = list(works)
        self.crossref = {w.doi.lower(): crossref_item(w) for w in self.works
                         if w.doi and w.agency == "crossref"}
        self.agencies = {w.doi.lower(): w.agency for w in self.works if w.doi}
        self.csl = {w.doi.lower(): csl_item(w) for w in self.works if w.doi}  # doi.org content negotiation
        self.summaries = {w.pmid: esummary_doc(w) for w in self.works if w.pmid}
        self.pmid_by_doi = {w.doi.lower(): w.pmid for w in self.works if w.doi and w.pmid}

    def by_key(self, key: str) -> Work:
        return next(w for w in self.works if w.key == key)


def default_dataset(n_synthetic: int = 0) -> Dataset:
    """The 15 article references, the test works, and ``n_synthetic`` synthetic works."""
    return Dataset([*ARTICLE, *TEST_WORKS, *synthetic_works(n_synthetic)])
