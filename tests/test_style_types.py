"""Entry types: one Vancouver form per type, and metadata (JSON-LD, Highwire) that follows it.

Golden files: ``tests/golden/types/<type>.txt`` / ``.html`` (the entries of that type in
``types.bib``) and ``metadata.json``; ``UPDATE_GOLDEN=1`` rewrites them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from citeproof.bib import load_bib, parse_bib_text
from citeproof.render import citation_reference, head_metadata
from citeproof.style import VancouverStyle, format_entries
from scratch import assert_golden, golden_html, golden_text

TYPES_BIB = Path(__file__).parent / "golden" / "types" / "types.bib"
TYPES = ["article", "book", "incollection", "inbook", "misc", "online", "phdthesis", "techreport"]


@pytest.fixture(scope="module")
def typed():
    result = load_bib(TYPES_BIB, label="types.bib")
    assert result.problems == []
    return result


def one(text: str, **kw):
    result = parse_bib_text(text, "refs.bib")
    (entry,) = format_entries(result.data, refs=result.references, **kw).values()
    return entry


def ld(ref) -> dict:
    """The JSON-LD citation item of one reference, parsed."""
    head = head_metadata(title="T", authors=[], date=None, url=None, description=None,
                         references=[ref])
    return json.loads(head.split('<script type="application/ld+json">')[1].split("</script>")[0])[
        "citation"][0]


# ---------------------------------------------------------------- golden files

@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("ext", ["txt", "html"])
def test_golden_per_type(typed, kind, ext):
    keys = [k for k, r in typed.references.items() if r.entry_type == kind]
    assert keys, f"types.bib has no @{kind}"
    entries = format_entries(typed.data, keys, refs=typed.references).values()
    assert all(not e.problems for e in entries)
    assert_golden(f"types/{kind}.{ext}", golden_text(entries) if ext == "txt" else golden_html(entries))


def test_golden_metadata(typed):
    data = {key: {"citation_reference": citation_reference(ref), "json_ld": ld(ref)}
            for key, ref in typed.references.items()}
    assert_golden("types/metadata.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def test_golden_types_read_as_citing_medicine():
    """Spot checks of the golden text against the ICMJE / Citing Medicine samples."""
    text = "".join((TYPES_BIB.parent / f"{kind}.txt").read_text(encoding="utf-8") for kind in TYPES)
    for sample in [
        "Murray PR, Rosenthal KS, Kobayashi GS, Pfaller MA. Medical microbiology. 4th ed. "
        "St. Louis: Mosby; 2002.\n",
        "Gilstrap LC 3rd, Cunningham FG, VanDorsten JP, editors. Operative obstetrics. 2nd ed. "
        "New York: McGraw-Hill; 2002.\n",
        "Meltzer PS, Kallioniemi A, Trent JM. Chromosome alterations in human solid tumors. In: "
        "Vogelstein B, Kinzler KW, editors. The genetic basis of human cancer. New York: "
        "McGraw-Hill; 2002. p. 93-113.\n",
        "Borkowski MM. Infant sleep and feeding: a telephone survey of Hispanic Americans "
        "[dissertation]. Mount Pleasant (MI): Central Michigan University; 2002.\n",
        "Laboratory; 2002. Report No.: AFRLSRBLTR020123.\n",
        "[nice2016] National Institute for Health and Care Excellence. Low back pain and sciatica "
        "in over 16s: assessment and management [Internet]. London: NICE; 2016 [cited 2026 Nov 27]. "
        "Available from: https://www.nice.org.uk/guidance/ng59\n",
        "Walking and Back Pain Study Group, Roe R, et al. A synthetic",
        "Philadelphia: Lippincott Williams & Wilkins; 2005. Chapter 29; p. 1103-33.\n",
    ]:
        assert sample in text


# ---------------------------------------------------------------- dispatch and pieces

def test_each_format_is_set_by_its_own_method():
    class Marked(VancouverStyle):
        def format_report(self, fields):
            return super().format_report(fields) + " (report)"

    data = parse_bib_text("@TechReport{r, author={Yen, G. G.}, title={T}, institution={I}, year=2002}\n"
                          "@article{a, title={A}, journal={J}, year=2001}\n", "r.bib").data
    assert str(Marked().format_entry("", data.entries["r"]).text).endswith("(report)")
    assert not str(Marked().format_entry("", data.entries["a"]).text).endswith("(report)")


def test_an_unknown_type_falls_back_to_misc():
    entry = one("@manual{m, author={{World Health Organization}}, title={Guide}, "
                "organization={WHO}, address={Geneva}, year=2020}\n")
    assert entry.text == "World Health Organization. Guide. Geneva: WHO; 2020."


@pytest.mark.parametrize("name", ["{National Institute for Health and Care Excellence}",
                                  "{National Institute for Health {and} Care Excellence}"])
def test_a_corporate_author_is_printed_whole(name):
    entry = one(f"@misc{{n, author={{{name}}}, title={{Guideline}}, year=2016}}\n")
    assert entry.text == "National Institute for Health and Care Excellence. Guideline. 2016."


@pytest.mark.parametrize("urldate, cited", [("2026-11-27", "2026 Nov 27"), ("2026-01-05", "2026 Jan 5"),
                                            ("2026-03", "2026 Mar"), ("2026", "2026"),
                                            ("27 Nov 2026", "27 Nov 2026"), ("2026-13-01", "2026-13-01")])
def test_the_access_date_reads_as_nlm_writes_it(urldate, cited):
    entry = one("@online{o, title={Page}, year=2020, url={https://x.org/}, "
                f"urldate={{{urldate}}}}}\n")
    assert entry.text == f"Page [Internet]. 2020 [cited {cited}]. Available from: https://x.org/"


def test_a_web_page_without_year_or_url():
    assert one("@online{o, title={Page}, url={https://x.org/}, urldate={2026-11-27}}\n").text == (
        "Page [Internet]. [cited 2026 Nov 27]. Available from: https://x.org/")
    assert one("@misc{m, title={Leaflet}, howpublished={Printed leaflet}, year=2001}\n").text == (
        "Leaflet. Printed leaflet; 2001.")  # no url: not [Internet]


@pytest.mark.parametrize("edition, shown", [("2", "2nd ed."), ("3rd", "3rd ed."), ("11", "11th ed."),
                                            ("21", "21st ed."), ("Rev. ed.", "Rev. ed."),
                                            ("2nd edition", "2nd edition.")])
def test_editions(edition, shown):
    entry = one(f"@book{{b, author={{Doe, J.}}, title={{B}}, edition={{{edition}}}, publisher={{P}}, "
                "year=2000}\n")
    assert entry.text == f"Doe J. B. {shown} P; 2000."


def test_chapter_page_ranges_follow_the_page_rule():
    text = ("@incollection{c, author={Roe, R.}, title={Ch}, booktitle={Book}, publisher={P}, "
            "year=2000, pages={93--113}}\n")
    assert one(text).text.endswith("P; 2000. p. 93-113.")
    text = text.replace("93--113", "112--119")
    assert one(text).text.endswith("P; 2000. p. 112-9.")
    assert one(text, page_ranges="full").text.endswith("P; 2000. p. 112-119.")


def test_editors_of_a_book_follow_the_author_rule():
    editors = " and ".join(f"E{i}, E." for i in range(1, 8))
    entry = one(f"@book{{b, editor={{{editors}}}, title={{B}}, publisher={{P}}, year=2000}}\n")
    assert entry.text.startswith("E1 E, E2 E, E3 E, E4 E, E5 E, E6 E, et al, editors. B.")


def test_hostile_fields_of_other_types_are_escaped():
    entry = one('@book{b, author={{<b>Org</b>}}, title={T}, publisher={<script>x</script>}, '
                'address={A & B}, year=2000, url={javascript:alert(1)}}\n')
    assert "<script>" not in entry.html and "<b>" not in entry.html and "href" not in entry.html
    assert "&lt;b&gt;Org&lt;/b&gt;. T. A &amp; B: &lt;script&gt;x&lt;/script&gt;; 2000." == entry.html
    assert [p.code for p in entry.problems] == ["invalid-url"]


# ---------------------------------------------------------------- metadata by type

def test_json_ld_types_follow_the_entry_types(typed):
    kinds = {key: ld(ref)["@type"] for key, ref in typed.references.items()}
    assert kinds == {"synthetic2020": "ScholarlyArticle", "murray2002": "Book", "gilstrap2002": "Book",
                     "patrias2007": "Book", "meltzer2002": "Chapter", "speroff2005": "Chapter",
                     "nice2016": "WebPage", "who2023": "WebPage", "borkowski2002": "Thesis",
                     "yen2002": "Report"}


def test_corporate_authors_are_organizations(typed):
    nice = ld(typed.references["nice2016"])
    assert nice["author"] == [{"@type": "Organization",
                               "name": "National Institute for Health and Care Excellence"}]
    assert nice["url"] == "https://www.nice.org.uk/guidance/ng59"
    article = ld(typed.references["synthetic2020"])
    assert article["author"][0] == {"@type": "Organization", "name": "Walking and Back Pain Study Group"}
    assert article["author"][1:] == [{"@type": "Person", "familyName": "Roe", "givenName": "R."}]
    tag = citation_reference(typed.references["nice2016"])
    assert "citation_author=National Institute for Health and Care Excellence; " in tag
    assert "citation_publisher=NICE" in tag and "citation_public_url=https://www.nice.org.uk/" in tag


def test_articles_carry_issue_volume_journal_pages_and_pmid(typed):
    article = ld(typed.references["synthetic2020"])
    assert article["isPartOf"] == {
        "@type": "PublicationIssue", "issueNumber": "3",
        "isPartOf": {"@type": "PublicationVolume", "volumeNumber": "12",
                     "isPartOf": {"@type": "Periodical", "name": "J Synth Test"}}}
    assert (article["pageStart"], article["pageEnd"]) == ("1041", "1047")  # full, not abbreviated
    assert article["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.5555/citeproof.types.1"},
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "1"},
        {"@type": "PropertyValue", "propertyID": "PMCID", "value": "PMC2"}]
    assert article["sameAs"][1] == "https://pubmed.ncbi.nlm.nih.gov/1/"
    tag = citation_reference(typed.references["synthetic2020"])
    assert "citation_firstpage=1041; citation_lastpage=1047" in tag and "citation_pmid=1" in tag
    assert "citation_author=Roe, R.; citation_journal" in tag  # "and others" is no author


def test_an_article_number_is_pagination_and_a_volume_alone_is_a_volume():
    ref = load_text("@article{a, title={T}, journal={J}, year=2019, volume=98, pages={e16173}, "
                    "identifier={none}}\n")
    work = ld(ref)
    assert work["pagination"] == "e16173" and "pageStart" not in work
    assert work["isPartOf"] == {"@type": "PublicationVolume", "volumeNumber": "98",
                                "isPartOf": {"@type": "Periodical", "name": "J"}}


def test_chapters_books_theses_and_reports_in_both_metadata(typed):
    chapter = ld(typed.references["meltzer2002"])
    assert chapter["isPartOf"]["@type"] == "Book"
    assert chapter["isPartOf"]["name"] == "The genetic basis of human cancer"
    assert chapter["isPartOf"]["editor"][0] == {"@type": "Person", "familyName": "Vogelstein",
                                                "givenName": "B."}
    assert chapter["isPartOf"]["publisher"] == {"@type": "Organization", "name": "McGraw-Hill",
                                                "location": "New York"}
    assert (chapter["pageStart"], chapter["pageEnd"]) == ("93", "113")
    tags = {key: citation_reference(ref) for key, ref in typed.references.items()}
    assert "citation_book_title=The genetic basis of human cancer" in tags["meltzer2002"]
    assert "citation_publisher=McGraw-Hill" in tags["meltzer2002"]
    assert "citation_journal_title" not in tags["meltzer2002"]
    assert "citation_dissertation_institution=Central Michigan University" in tags["borkowski2002"]
    assert "citation_technical_report_number=AFRLSRBLTR020123" in tags["yen2002"]
    assert "citation_technical_report_institution=Air Force Office" in tags["yen2002"]
    assert "citation_issue" not in tags["yen2002"]
    assert ld(typed.references["yen2002"])["reportNumber"] == "AFRLSRBLTR020123"
    book = ld(typed.references["gilstrap2002"])
    assert book["editor"][0]["familyName"] == "Gilstrap" and book["bookEdition"] == "2nd"
    assert book["publisher"]["name"] == "McGraw-Hill" and "author" not in book
    assert ld(typed.references["borkowski2002"])["publisher"]["name"] == "Central Michigan University"
    speroff = ld(typed.references["speroff2005"])  # classic @inbook: the title is the book's
    assert speroff["isPartOf"]["name"] == "Clinical gynecologic endocrinology and infertility"
    assert speroff["position"] == "29" and "name" not in speroff


def test_isbn_is_in_both_metadata():
    ref = load_text("@book{b, author={Doe, J.}, title={B}, publisher={P}, year=2000, "
                    "isbn={978-0-00-000000-2}, identifier={none}}\n")
    assert "citation_isbn=978-0-00-000000-2" in citation_reference(ref)
    assert ld(ref)["isbn"] == "978-0-00-000000-2"


def load_text(text: str):
    (ref,) = parse_bib_text(text, "refs.bib").references.values()
    return ref


# ---------------------------------------------------------------- acceptance: a site

SITE_BIB = """\
@book{patrias2007,
  author     = {Patrias, Karen},
  title      = {Citing medicine: the {NLM} style guide for authors, editors, and publishers},
  edition    = {2nd},
  address    = {Bethesda (MD)}, publisher = {National Library of Medicine (US)}, year = {2007},
  url        = {https://www.ncbi.nlm.nih.gov/books/NBK7256/}, urldate = {2026-11-27},
  identifier = {none},
}

@misc{nice2016,
  author     = {{National Institute for Health and Care Excellence}},
  title      = {Low back pain and sciatica in over 16s: assessment and management},
  address    = {London}, publisher = {NICE}, year = {2016},
  url        = {https://www.nice.org.uk/guidance/ng59}, urldate = {2026-11-27},
  identifier = {none},
}
"""


def test_a_book_and_a_web_page_in_a_strict_site_build(scratch):
    scratch.write(page="# Guidance\n\nStyle as in [@patrias2007]; care as in [@nice2016].\n",
                  bib=SITE_BIB)
    proc = scratch.build("--strict")
    assert proc.returncode == 0, proc.stderr
    html = scratch.html()
    (references,) = re.findall(r'<ol class="cp-references">.*?</ol>', html, re.S)
    assert_golden("types/site_book_misc.html", references.replace("</li>", "</li>\n"))
    assert '<a href="https://www.nice.org.uk/guidance/ng59" rel="noopener">' in references
    assert "[Internet]. London: NICE; 2016 [cited 2026 Nov 27]. Available from: " in references
    assert '"@type": "Book"' in html and '{"@type": "Organization", "name": "National Institute' in html
