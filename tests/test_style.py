"""The vancouver pybtex style: golden output for the article fixture's 15 references, hostile input, speed."""
from __future__ import annotations

import re
import time

import pytest
from pybtex.plugin import find_plugin
from pybtex.richtext import HRef, Text

from citeproof import text
from citeproof.bib import load_bib, parse_bib_text
from citeproof.style import HtmlBackend, VancouverStyle, format_entries
from scratch import FIXTURE, GOLDEN, assert_golden, golden_html, golden_text


def fmt(text: str, **kw):
    result = parse_bib_text(text, "refs.bib")
    assert [p.code for p in result.problems if p.severity == "error"] == []
    return format_entries(result.data, refs=result.references, **kw)


def one(text: str, **kw):
    (entry,) = fmt(text, **kw).values()
    return entry


# ---------------------------------------------------------------- golden files

def render_golden():
    """The golden lists are made from the frozen article fixture's bib (tests/fixtures/article)."""
    result = load_bib(FIXTURE / "references.bib", label="references.bib")
    entries = format_entries(result.data, refs=result.references)
    assert all(not e.problems for e in entries.values())
    return {"references.txt": golden_text(entries.values()),
            "references.html": golden_html(entries.values())}


@pytest.mark.parametrize("name", ["references.txt", "references.html"])
def test_golden_references(name):
    assert_golden(name, render_golden()[name])


def test_golden_text_has_the_records_values():
    """Spot checks against facts.md, so a wrong golden file cannot pass unnoticed."""
    text = (GOLDEN / "references.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 15
    assert lines[0] == (
        "[suh2019] Suh JH, Kim H, Jung GP, Ko JY, Ryu JS. The effect of lumbar stabilization and "
        "walking exercises on chronic low back pain: A randomized controlled trial. Medicine "
        "(Baltimore). 2019;98(26):e16173. doi:10.1097/MD.0000000000016173. PMID: 31261549; "
        "PMCID: PMC6616307.")
    assert "Gordon R, Bloxham S. " in text and "Healthcare (Basel). 2016;4(2):22." in text
    assert "Ann Rehabil Med. 2017;41(5):786-92." in text
    assert "2018;14(6):1041-7." in text and "2016;25(9):2761-6." in text and "2001;1(2):95-101." in text
    assert "Eur Spine J. 2006;15(1):23-40." in text
    assert "Korean Population: A Cross-Sectional Study." in text
    assert "Pedometer-Based Internet-Mediated Intervention" in text
    # 7 authors: the first six, then "et al." (ICMJE); 6 authors: all of them
    assert "Salehi R, Nakhostin Ansari N, Abbasi S, Mohsenifar H, et al. Relationships" in text
    assert "Villafañe" not in text
    assert "Kim DK, Seo KM, Lee SY. Association" in text
    assert "J Pain Res. 2019;12:95-107." in text
    assert "Egypt J Neurol Psychiatry Neurosurg. 2019;55(1):77. doi:10.1186/s41983-019-0124-5.\n" in text
    stankovic = next(line for line in lines if line.startswith("[stankovic2012]"))
    assert stankovic.endswith("2012;58(3):177-83. Available from: "
                              "https://search.pedro.org.au/search-results/record-detail/33914")
    assert "doi:" not in stankovic and "PMID" not in stankovic


# ---------------------------------------------------------------- the style's rules

ARTICLE = """@article{a,
  author = {Suh, J. H. and Kim, H. and Jung, G. P.},
  title = {{TITLE}},
  journal = {Medicine (Baltimore)}, year = {2019}, volume = {98}, number = {26}, pages = {e16173},
EXTRA}
"""


def article(title="Walking", **fields):
    """The ARTICLE entry with a title and extra fields (the first extra field is on line 5)."""
    extra = "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items())
    return one(ARTICLE.replace("TITLE", title).replace("EXTRA", extra))


def test_entry_point_finds_the_style():
    assert find_plugin("pybtex.style.formatting", "vancouver") is VancouverStyle


def with_authors(n: int, **kw):
    """The ARTICLE entry with ``n`` authors A1 A, A2 A, ..."""
    names = " and ".join(f"A{i}, A." for i in range(1, n + 1))
    return one(ARTICLE.replace("Suh, J. H. and Kim, H. and Jung, G. P.", names)
               .replace("TITLE", "W").replace("EXTRA", ""), **kw).text.split(". W.")[0]


def listed(n: int, et_al: bool = False) -> str:
    return ", ".join([f"A{i} A" for i in range(1, n + 1)] + ["et al"] * et_al)


def test_three_authors_are_listed_and_a_fourth_becomes_et_al_with_the_three_rule():
    assert article().text.startswith("Suh JH, Kim H, Jung GP. Walking.")
    assert with_authors(3, authors="three") == listed(3)
    assert with_authors(4, authors="three") == listed(3, et_al=True)


@pytest.mark.parametrize("n, shown", [(1, listed(1)), (5, listed(5)), (6, listed(6)),
                                      (7, listed(6, et_al=True)), (12, listed(6, et_al=True))])
def test_icmje_default_lists_up_to_six_then_et_al(n, shown):
    assert with_authors(n) == shown
    assert with_authors(n, authors="icmje") == shown


@pytest.mark.parametrize("n", [1, 6, 7, 30])
def test_all_rule_lists_every_author(n):
    assert with_authors(n, authors="all") == listed(n)


def test_unknown_author_or_page_rule_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="icmje, all, three"):
        VancouverStyle(authors="two")
    with pytest.raises(ValueError, match="abbreviated, full"):
        VancouverStyle(page_ranges="short")


def test_and_others_becomes_et_al():
    entry = one("@article{a, author = {Suh, J. H. and Kim, H. and others}, title = {T}, "
                "journal = {J}, year = 2000}\n")
    assert entry.text.startswith("Suh JH, Kim H, et al. T.")
    many = " and ".join(f"A{i}, A." for i in range(1, 9)) + " and others"
    text = f"@article{{a, author = {{{many}}}, title = {{T}}, journal = {{J}}, year = 2000}}\n"
    assert one(text, authors="all").text.startswith(listed(8, et_al=True) + ". T.")
    assert one(text).text.startswith(listed(6, et_al=True) + ". T.")


@pytest.mark.parametrize("authors", ["Suh, J. H. and and Kim, H.", "Suh, J. H. and Kim, H. and",
                                     "and Suh, J. H. and Kim, H.", "Suh, J. H. AND\n and Kim, H."])
def test_an_empty_name_is_an_error_and_is_left_out(authors):
    text = f"@article{{a,\n  title = {{T}},\n  author = {{{authors}}},\n  year = 2000,\n}}\n"
    result = parse_bib_text(text, "refs.bib")
    (problem,) = result.problems
    assert (problem.code, problem.severity, problem.line, problem.field, problem.key) == (
        "bib-syntax", "error", 3, "author", "a")
    assert "empty name" in problem.message and "remove the extra 'and'" in problem.message
    entry = format_entries(result.data)["a"]
    assert entry.text == "Suh JH, Kim H. T. 2000."
    assert result.references["a"].line_of("year") == 3 + authors.count("\n") + 1


def test_names_von_jr_accents_and_hyphenated_initials():
    entry = one("@article{a, author = {van der Berg, Jr, Anna-Maria and {\\'E}mile Zola and "
                "{World Health Organization}}, title = {T}, journal = {J}, year = 2000}\n")
    assert entry.text.startswith("van der Berg AM Jr, Zola É, World Health Organization. T.")


def test_title_case_is_kept_and_unbraced_dna_stays_dna():
    assert "DNA repair in Walking. Medicine" in article("DNA repair in Walking").text
    assert "a {Braced} title" not in article("a {Braced} title").text
    assert "a Braced title." in article("a {Braced} title").text


@pytest.mark.parametrize("title, shown", [
    ("Does walking help?", "Does walking help? Medicine"),
    ("Walk!", "Walk! Medicine"),
    ("Walking.", "Walking. Medicine"),
    ("Walking", "Walking. Medicine"),
])
def test_no_extra_period_after_a_title_ending_in_punctuation(title, shown):
    assert shown in article(title).text


def test_source_forms():
    assert "Medicine (Baltimore). 2019;98(26):e16173." in article().text
    no_issue = one("@article{a, title={T}, journal={J Pain Res}, year=2019, volume=12, pages={95--107}}\n")
    assert no_issue.text == "T. J Pain Res. 2019;12:95-107."
    only_year = one("@article{a, title={T}, journal={J}, year=2019}\n")
    assert only_year.text == "T. J. 2019."


def test_links_doi_pubmed_pmc():
    entry = article(doi="10.1097/MD.0000000000016173", pmid="31261549", pmcid="6616307",
                    url="https://example.org/not-shown")
    assert entry.html.endswith(
        '<a href="https://doi.org/10.1097/MD.0000000000016173" rel="noopener">'
        'doi:10.1097/MD.0000000000016173</a>. '
        '<a href="https://pubmed.ncbi.nlm.nih.gov/31261549/" rel="noopener">PMID: 31261549</a>; '
        '<a href="https://pmc.ncbi.nlm.nih.gov/articles/PMC6616307/" rel="noopener">'
        'PMCID: PMC6616307</a>.')
    assert "example.org" not in entry.html  # a url only when there is neither DOI nor PMID
    assert entry.text.endswith("e16173. doi:10.1097/MD.0000000000016173. PMID: 31261549; "
                               "PMCID: PMC6616307.")
    assert entry.problems == ()


@pytest.mark.parametrize("fields, ends", [
    ({"pmid": "1"}, "e16173. PMID: 1."),
    ({"pmcid": "PMC2"}, "e16173. PMCID: PMC2."),
    ({"doi": "10.1/x", "pmcid": "PMC2"}, "e16173. doi:10.1/x. PMCID: PMC2."),
    ({"doi": "10.1/x", "pmid": "1"}, "e16173. doi:10.1/x. PMID: 1."),
])
def test_identifier_sentences(fields, ends):
    assert article(**fields).text.endswith(ends)


@pytest.mark.parametrize("pages, shown", [
    ("786--792", "786-92"), ("1041--1047", "1041-7"), ("95--101", "95-101"), ("2761--2766", "2761-6"),
    ("23--40", "23-40"), ("e16173", "e16173"), ("100--109", "100-9"), ("S12--S19", "S12-9"),
    ("786-92", "786-92"), ("12--12", "12"), ("463\u2013470", "463-70"), ("1--9, 21--29", "1-9, 21-9"),
])
def test_page_ranges_drop_repeated_leading_digits(pages, shown):
    text = f"@article{{a, title={{T}}, journal={{J}}, year=2019, volume=1, pages={{{pages}}}}}\n"
    assert one(text).text == f"T. J. 2019;1:{shown}."


def test_full_page_ranges_on_request():
    text = "@article{a, title={T}, journal={J}, year=2019, volume=1, pages={786--792}}\n"
    assert one(text, page_ranges="full").text == "T. J. 2019;1:786-792."
    assert one(text, page_ranges="abbreviated").text == "T. J. 2019;1:786-92."


def test_pubmed_alias_is_linked():
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123/"' in article(pubmed="123").html


def test_url_is_linked_only_without_doi_and_pmid():
    entry = article(url="https://search.pedro.org.au/x?a=1&b=2")
    assert entry.html.endswith('Available from: <a href="https://search.pedro.org.au/x?a=1&amp;b=2"'
                               ' rel="noopener">https://search.pedro.org.au/x?a=1&amp;b=2</a>')
    assert entry.text.endswith("Available from: https://search.pedro.org.au/x?a=1&b=2")


def test_other_types_and_the_fallback():
    book = one("@book{b, editor = {Doe, Jane}, title = {A Book}, publisher = {Pub & Co},"
               " year = 2000, doi = {10.1000/b}}\n")
    assert book.text == "Doe J, editor. A Book. Pub & Co; 2000. doi:10.1000/b."
    assert "Pub &amp; Co; 2000." in book.html
    proc = one("@inproceedings{p, author = {Roe, R. and Poe, P.}, title = {Talk}, booktitle = "
               "{Proc Walk}, year = 2001}\n")
    assert proc.text == "Roe R, Poe P. Talk. In: Proc Walk. 2001."
    online = one("@online{o, title = {Page}, howpublished = {Web}, year = 2020, url = {https://x.org/}}\n")
    assert online.text == "Page [Internet]. Web; 2020. Available from: https://x.org/"


def test_format_entries_selects_keys_case_insensitively_and_skips_unknown():
    entries = fmt("@article{a, title={A}}\n@article{b, title={B}}\n@article{c, title={C}}\n",
                  keys=["C", "nosuch", "a", "c"])
    assert list(entries) == ["c", "a"]
    assert entries["c"].key == "c" and entries["c"].text == "C."


# ---------------------------------------------------------------- hostile fields

def test_script_in_a_title_is_escaped():
    entry = article("<script>alert(1)</script> & more")
    assert "<script>" not in entry.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in entry.html
    assert "<script>alert(1)</script> & more." in entry.text  # text is for escaping later


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x",
                                 "//evil.example/x", "vbscript:x"])
def test_non_http_url_is_dropped_and_reported(url):
    entry = article(url=url)
    assert "href" not in entry.html and url not in entry.html and url not in entry.text
    (problem,) = entry.problems
    assert (problem.code, problem.severity, problem.field, problem.key) == ("invalid-url", "error",
                                                                          "url", "a")
    assert (problem.file, problem.line) == ("refs.bib", 5)


def test_doi_with_markup_characters_is_percent_encoded_in_the_href():
    entry = article(doi='10.1000/a<b>"c" onmouseover=x')
    hrefs = re.findall(r'href="([^"]*)"', entry.html)
    assert hrefs == ["https://doi.org/10.1000/a%3Cb%3E%22c%22%20onmouseover=x"]
    assert "doi:10.1000/a&lt;b&gt;\"c\" onmouseover=x</a>" in entry.html


def test_url_with_quotes_cannot_break_out_of_the_attribute():
    entry = article(url='https://x.org/"onmouseover="alert(1)')
    (href,) = re.findall(r'<a href="([^"]*)" rel="noopener">', entry.html)
    assert href == "https://x.org/&quot;onmouseover=&quot;alert(1)"


def test_html_backend_escapes_hrefs_and_refuses_other_schemes():
    backend = HtmlBackend()
    assert Text(HRef("javascript:alert(1)", "x")).render(backend) == "x"
    assert Text(HRef('https://a.org/"><b>', "<i>")).render(backend) == (
        '<a href="https://a.org/&quot;&gt;&lt;b&gt;" rel="noopener">&lt;i&gt;</a>')


# ---------------------------------------------------------------- speed

def big_bib(n: int) -> str:
    return "".join(
        f"@article{{k{i},\n  author = {{M{{\\\"u}}ller{i}, J. H. and Villafa{{\\~n}}e, A. and "
        f"Smith{i}, B. and Doe, C.}},\n  title = {{{{DNA}} and the {{\\'e}}tude {i} -- a trial}},\n"
        f"  journal = {{J Exerc Rehabil}}, year = {{2019}}, volume = {{{i}}}, number = {{2}},\n"
        f"  pages = {{{i}--{i + 9}}}, doi = {{10.1000/t.{i}}}, pmid = {{{i + 1}}}, pmcid = {{PMC{i + 1}}},\n}}\n"
        for i in range(n))


@pytest.mark.slow
def test_formatting_time_grows_linearly_with_the_entries():
    """2,000 entries cost about ten times 200 (a ratio in one run: the machine is noisy;
    the absolute figures are in the README's benchmarks, from scripts/bench_build.py)."""
    def timed(n: int) -> tuple[float, dict]:
        text.cache_clear()
        result = parse_bib_text(big_bib(n), "big.bib")
        assert result.problems == [] and len(result.references) == n
        start = time.perf_counter()
        entries = format_entries(result.data, refs=result.references)
        return time.perf_counter() - start, entries

    small = min(timed(200)[0] for _ in range(3))
    elapsed, entries = timed(2000)
    assert len(entries) == 2000 and entries["k7"].text.startswith("Müller7 JH, Villafañe A, Smith7 B")
    assert elapsed < 25 * small, f"2,000 entries took {elapsed:.2f} s, 200 took {small:.3f} s"


def test_a_right_to_left_override_in_a_title_is_isolated_from_the_doi():
    entry = one("@article{a, author = {Doe, Jane}, title = {Evil \u202etitle}, journal = {J},"
                " year = {2020}, doi = {10.1234/abc}}")
    assert "<bdi>Evil \u202etitle</bdi>." in entry.html
    assert entry.html.index("</bdi>") < entry.html.index("10.1234/abc")
    assert "<bdi>" not in entry.text and "Evil \u202etitle." in entry.text
    hebrew = one("@misc{h, title = {\u05e9\u05dc\u05d5\u05dd}, howpublished = {x}, doi = {10.1/x}}")
    assert "<bdi>\u05e9\u05dc\u05d5\u05dd</bdi>" in hebrew.html
    plain = one("@misc{p, title = {Plain title}, doi = {10.1/x}}")
    assert "<bdi>" not in plain.html  # left-to-right titles are as before
