"""Citation markers, the reference list and the head metadata (pure rendering)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import citeproof
from citeproof.markdown import parse_citations
from citeproof.model import Author, Reference
from citeproof.render import (BIBLIOGRAPHY_TOKEN, anchor_for, finish_html, head_metadata, plain_text,
                              readable_identifiers, render_bibliography, render_markdown, text_id)

KEYS = {"a", "b", "c", "d", "e", "doe:2020"}
#: HTML after each citation of a key (what the site core gives for a retracted work).
NOTICES = {"a": ' <span class="cp-notice">Retracted</span>'}


def render(text: str, **kw):
    """Markdown with tokens -> the tokens swapped for HTML (what the page finally shows)."""
    doc = parse_citations(text, "docs/page.md")
    out, page = render_markdown(text, doc, KEYS, NOTICES, **kw)
    return finish_html(out, page, "<section>LIST</section>"), page


def numbers_shown(html: str) -> list[str]:
    return re.findall(r'<a class="cp-ref"[^>]*>(\d+)</a>', html)


def test_numbers_follow_first_citation_and_ranges_compress():
    out, page = render("x [@c] y [@a; @b; @c; @e] z [@a]\n")
    assert page.numbers == {"c": 1, "a": 2, "b": 3, "e": 4}
    # second group: numbers 1,2,3,4 -> one range 1–4
    assert "&#8211;" in out
    second = out.split('id="cite-2"')[1].split("</span>")[0]
    assert numbers_shown(second) == ["1", "4"]


def test_two_consecutive_numbers_stay_separate():
    out, _ = render("[@a] [@a; @b]\n")
    group = out.split('id="cite-2"')[1]
    assert numbers_shown(group)[:2] == ["1", "2"] and "&#8211;" not in group.split("</span>")[0]


def test_every_number_links_to_its_entry_and_is_described_by_its_text():
    out, _ = render("see [@a] and [@b; @c]\n")
    assert f'href="#{anchor_for("a")}" aria-describedby="{text_id("a")}"' in out
    assert f'href="#{anchor_for("c")}" aria-describedby="{text_id("c")}"' in out
    assert "title=" not in out  # no browser tooltip: the preview shows the description
    html = render_bibliography(render("[@a]\n")[1], {"a": "Alpha A. Title &lt;one&gt;."})
    assert f'<span class="cp-entry-text" id="{text_id("a")}">Alpha A. Title &lt;one&gt;.</span>' in html


def test_a_notice_follows_every_citation_of_its_work_but_never_enters_a_tag():
    out, page = render("[@a] then [@b] then [@b; @a]\n")
    assert out.count('<span class="cp-notice">Retracted</span>') == 2
    assert out.split('id="cite-2"')[1].split("</a>")[1].startswith(" then")  # b has none
    text = "See [@a].\n"
    md, page = render_markdown(text, parse_citations(text, "p.md"), KEYS, NOTICES)
    token = re.findall(r"citeproof7f3a\d+X", md)[0]
    html = finish_html(f'<p><img alt="Fig {token}"></p>', page)
    assert html == '<p><img alt="Fig [1]"></p>'


def test_extras_and_downloads_go_into_the_list():
    _, page = render("[@a] [@b]\n")
    html = render_bibliography(page, {"a": "A", "b": "B"}, extras={"a": " <span>MARK</span>"},
                               downloads=[("RIS", "refs.ris")], bundle_href="refs.cite.json")
    entry_a = html.split('id="ref-a"')[1].split("</li>")[0]
    assert "</span> <span>MARK</span>" in entry_a and "MARK" not in html.split('id="ref-b"')[1]
    assert '<a href="refs.ris" download>RIS</a>' in html and 'data-cp-bundle="refs.cite.json"' in html


def test_identifiers_stay_whole_and_dois_break_only_after_slash_or_dot():
    entry = ('X. <a href="https://doi.org/10.1000/ab-cd.e" rel="noopener">doi:10.1000/ab-cd.e</a>. '
             '<a href="https://pubmed.ncbi.nlm.nih.gov/1/" rel="noopener">PMID: 1</a>.')
    html = readable_identifiers(entry)
    assert ('<a class="cp-doi" href="https://doi.org/10.1000/ab-cd.e" rel="noopener"><span>doi:10.</span>'
            '<wbr><span>1000/</span><wbr><span>ab-cd.</span><wbr><span>e</span></a>') in html
    assert '<a class="cp-id" href="https://pubmed.ncbi.nlm.nih.gov/1/" rel="noopener"><span>PMID: 1</span></a>' in html
    assert plain_text(html) == plain_text(entry)


def test_unknown_key_stays_visible_and_is_never_deleted():
    out, page = render("claim [@nosuchkey] and [@a; @missing_one]\n")
    assert "?nosuchkey" in out and "?missing_one" in out
    assert page.unknown == ["nosuchkey", "missing_one"]
    assert "cp-unknown" in out and "[@" not in out


def test_locators_and_prefixes_are_kept():
    out, _ = render("[see @a, p. 3] and [@b, pp. 4-5; also @c]\n")
    assert "see <a" in out and ", p. 3" in out
    assert ", pp. 4-5; also <a" in out


def test_markdown_sees_only_a_plain_token():
    text = "A [@doe:2020] b *[@a]* c\n"
    out, page = render_markdown(text, parse_citations(text, "p.md"), KEYS, NOTICES)
    assert out.startswith("A citeproof7f3a0X b *citeproof7f3a1X* c\n")
    assert len(page.markers) == 2 and 'href="#ref-doe:2020"' in page.markers[0]


def test_bibliography_token_where_the_marker_stands_else_appended():
    out, _ = render("Intro [@a]\n\n\\bibliography\n\nAfter.\n")
    assert out.index("LIST") < out.index("After.")
    text = "Intro [@a]\n"
    out2, _ = render_markdown(text, parse_citations(text, "p.md"), KEYS, NOTICES, references_heading="Works cited")
    assert out2.rstrip().endswith(BIBLIOGRAPHY_TOKEN) and "## Works cited" in out2
    out3, _ = render("No citations here.\n")
    assert "LIST" not in out3
    # the list replaces the whole paragraph Markdown wraps the token in
    assert finish_html(f"<p>{BIBLIOGRAPHY_TOKEN}</p>", _, "<ol></ol>") == "<ol></ol>"


def test_escaped_at_loses_its_backslash():
    out, page = render("mail [\\@someone] now\n")
    assert "[@someone]" in out and not page.numbers


def test_superscript_format():
    out, _ = render("x [@a; @b]\n", superscript=True)
    assert out.count("<sup") == 1 and "[" not in out


def test_bibliography_backlinks_every_citing_group():
    _, page = render("[@a] then [@b] then [@a]\n")
    html = render_bibliography(page, {"a": "<b>A</b>", "b": "B"}, download_href="references.bib")
    assert html.index('id="ref-a"') < html.index('id="ref-b"')
    entry_a = html.split('id="ref-a"')[1].split("</li>")[0]
    assert 'href="#cite-1"' in entry_a and 'href="#cite-3"' in entry_a
    assert 'value="1"' in html and 'value="2"' in html
    assert '<a href="references.bib" download>' in html


def test_head_metadata_is_escaped_and_json_ld_parses():
    ref = Reference(key="x", entry_type="article", file="r.bib", line=1,
                    title='A "quoted" </script><script>alert(1)</script> title',
                    authors=(Author("Suh", "JH"),), journal="Medicine (Baltimore)", year="2019",
                    volume="98", number="26", pages="e16173", doi="10.1097/MD.0000000000016173",
                    pmid="31261549")
    head = head_metadata(title="T & T", authors=["Michael C Remy"], date=None, url=None,
                         description=None, references=[ref])
    assert "<script>alert" not in head
    assert 'content="T &amp; T"' in head
    payload = head.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(payload)
    assert data["@type"] == "ScholarlyArticle"
    assert data["citation"][0]["sameAs"][0] == "https://doi.org/10.1097/MD.0000000000016173"
    assert "citation_doi=10.1097/MD.0000000000016173" in head


def test_a_token_inside_an_attribute_becomes_plain_text():
    text = "See [@a] and [@b; @c].\n"
    out, page = render_markdown(text, parse_citations(text, "p.md"), KEYS, NOTICES)
    tokens = re.findall(r"citeproof7f3a\d+X", out)
    html = finish_html(f'<p><img alt="Figure {tokens[1]}" title="{tokens[0]}"> {tokens[0]}</p>', page)
    assert '<img alt="Figure [2, 3]" title="[1]">' in html  # plain text inside the tag
    assert html.count("<a ") == 1 and 'id="cite-1"' in html  # a link outside it


def test_a_citation_in_a_heading_is_plain_text_for_the_toc():
    text = "# Walking helps [@a]\n\nBody [@a].\n\nSetext [@b]\n------\n"
    out, page = render_markdown(text, parse_citations(text, "p.md"), KEYS, NOTICES)
    assert out.startswith("# Walking helps \\[1\\]\n") and "Setext \\[2\\]\n---" in out
    assert page.backrefs["a"] == ["cite-2"] and page.backrefs["b"] == []


def test_anchor_ids_are_distinct_for_keys_that_differ_in_non_ascii_or_punctuation():
    from citeproof.render import anchor_for
    keys = ["müller2020", "möller2020", "m-ller2020", "smith+2020", "smith/2020", "smith-2020",
            "smith#2020", "smith~2020", "smith~2b~2020", "smith 2020", "李2020", "\u202e2020"]
    ids = [anchor_for(k) for k in keys]
    assert len(set(ids)) == len(keys), ids
    assert anchor_for("suh2019") == "ref-suh2019" and anchor_for("doe:2020") == "ref-doe:2020"
    assert anchor_for("müller2020") == "ref-m~fc~ller2020" == anchor_for("müller2020")
    assert all(re.fullmatch(r"ref-[A-Za-z0-9_:.~\-]+", i) for i in ids)


def test_plugin_css_covers_the_emitted_html():
    """The plugin's stylesheet (an engine asset, moved here from the article's tests)."""
    css = (Path(citeproof.__file__).parent / "assets" / "citeproof.css").read_text(encoding="utf-8")
    for selector in (".cp-cite", ".cp-ref", ".cp-unknown", ".cp-references", ".cp-entry",
                     ".cp-backref", ":focus-visible", ".cp-entry:target",
                     '[data-md-color-scheme="slate"]', "overflow-wrap: anywhere",
                     "var(--md-accent-fg-color)"):
        assert selector in css, f"citeproof.css lacks {selector}"
    assert "http" not in css  # no remote fonts or images
