"""Hostile registries against the editor commands: every registry field that `add`, `fix`
and `find --add` copy into the bib, with a value meant to break out of its field (close
the value, add a field, start an entry, run TeX, link ``javascript:``).

Each case runs the command against the emulator with one answer mangled, then checks the
bib: pybtex reads it, citeproof's loader finds no syntax fault, the entries are the ones
intended, each has only the fields intended, and nothing of the hostile value became a
field, an entry or a command. The command itself may succeed (the value escaped, or left
out with a warning naming the registry) or refuse (nothing changes): either way the bib
stays valid.
"""
from __future__ import annotations

import pybtex.database
import pytest
from emulator.server import Reply, crossref_items, decoded, json_reply
from scratch import FIXTURE_BIB, invoke

from citeproof.bib import parse_bib_text
from citeproof.bib.scan import scan
from citeproof.editing.entry import FIELDS

EMPTY = "% references\n"
FAHMY = "10.1186/s41983-019-0124-5"  # in Crossref only: the entry is Crossref's values
HOSTILE = "x}, note = {injected}, url = {javascript:alert(1)"
#: values meant to break out of a BibTeX field, each tried on every copied field
ESCAPES = {
    "closes the field": HOSTILE,
    "starts an entry": "x}\n}\n@misc{evil,\n  title = {owned",
    "runs TeX": "\\input{/etc/passwd}\\immediate\\write18{rm -rf x}",
    "unbalanced": "{{{ x",
    "controls": "x\x1b[31m\x00\x07y",
}


def project(tmp_path, bib: str = EMPTY):
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text("# A\n\nNo citation yet.\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - citeproof\n", encoding="utf-8")
    return tmp_path


def fields(text: str) -> dict[str, list[str]]:
    return {e.key: [f.name.lower() for f in e.fields] for e in scan(text) if e.key}


def assert_clean(root, before: str, result, *, new_keys: int = 0, changed: str = "") -> None:
    """The bib is valid, holds the entries it held (and ``new_keys`` more, made of
    :data:`FIELDS` only), and every old entry has the fields it had (``changed``: that
    entry's may have gained fields of :data:`FIELDS`)."""
    assert "Traceback" not in result.output
    text = (root / "references.bib").read_text(encoding="utf-8")
    read = pybtex.database.parse_string(text, "bibtex")  # pybtex reads it, as the same entries
    assert [p for p in parse_bib_text(text, "r.bib").problems if p.severity == "error"] == []
    old, new = fields(before), fields(text)
    assert list(read.entries) == list(new) and "evil" not in new
    assert "@misc{" not in (text.replace(before, "") if text.startswith(before) else text)
    assert list(new)[:len(old)] == list(old) and len(new) == len(old) + new_keys, (list(old), list(new))
    for key, names in new.items():
        if key in old and key != changed:
            assert names == old[key], key
        else:
            assert set(names) <= set(FIELDS) | set(old.get(key, ())), (key, names)
    assert "\x1b" not in text and "\x00" not in text and "\\input{" not in text and "\\write18" not in text


# --------------------------------------------------------------------------- manglers

def esummary_doc(mutate):
    """PubMed: ``mutate(doc)`` on every esummary document."""
    def mangle(reply: Reply, query, path):
        if not path.endswith("esummary.fcgi") or reply.status != 200:
            return reply
        data = decoded(reply)
        for uid in data.get("result", {}).get("uids", []):
            mutate(data["result"][uid])
        return json_reply(data)
    return mangle


def idconv_record(mutate):
    def mangle(reply: Reply, query, path):
        data = decoded(reply)
        for record in data.get("records", []):
            mutate(record)
        return json_reply(data)
    return mangle


def setter(key, value, wrap=lambda v: v):
    return lambda item: item.__setitem__(key, wrap(value))


def first_author(part, value):
    return lambda item: item["author"][0].__setitem__(part, value)


def article_id(idtype, value):
    def mutate(doc):
        doc["articleids"] = [a for a in doc.get("articleids", []) if a["idtype"] != idtype] + [
            {"idtype": idtype, "idtypen": 9, "value": value}]
    return mutate


CROSSREF_FIELDS = {  # what `add` copies from a Crossref work
    "title": lambda v: setter("title", v, lambda x: [x]),
    "subtitle": lambda v: setter("subtitle", f"A real subtitle {v}", lambda x: [x]),
    "author family": lambda v: first_author("family", v),
    "author given": lambda v: first_author("given", v),
    "container-title": lambda v: setter("container-title", v, lambda x: [x]),
    "volume": lambda v: setter("volume", v),
    "issue": lambda v: setter("issue", v),
    "page": lambda v: setter("page", v),
    "article-number": lambda v: setter("article-number", v),
}
PUBMED_FIELDS = {  # what `add` copies from a PubMed summary
    "title": lambda v: setter("title", v),
    "authors name": lambda v: lambda doc: doc["authors"][0].__setitem__("name", v),
    "source": lambda v: setter("source", v),
    "fulljournalname": lambda v: setter("fulljournalname", v),
    "volume": lambda v: setter("volume", v),
    "issue": lambda v: setter("issue", v),
    "pages": lambda v: setter("pages", v),
    "articleids doi": lambda v: article_id("doi", f"10.5555/{v}"),
    "articleids pmc": lambda v: article_id("pmc", f"PMC1{v}"),
}


@pytest.mark.parametrize("field", list(CROSSREF_FIELDS))
@pytest.mark.parametrize("escape", list(ESCAPES))
def test_add_copies_a_hostile_crossref_field_as_text_only(tmp_path, emulator, field, escape):
    emulator.set_mangler("crossref", crossref_items(CROSSREF_FIELDS[field](ESCAPES[escape])))
    root = project(tmp_path)
    result = invoke(root, ["add", FAHMY], emulator.env())
    assert result.exit_code in (0, 1, 3), result.output
    assert_clean(root, EMPTY, result, new_keys=1 if result.exit_code == 0 else 0)


@pytest.mark.parametrize("field", list(PUBMED_FIELDS))
@pytest.mark.parametrize("escape", ["closes the field", "starts an entry", "runs TeX"])
def test_add_copies_a_hostile_pubmed_field_as_text_only(tmp_path, emulator, field, escape):
    emulator.set_mangler("eutils", esummary_doc(PUBMED_FIELDS[field](ESCAPES[escape])))
    root = project(tmp_path)
    result = invoke(root, ["add", "31261549"], emulator.env())
    assert result.exit_code in (0, 1, 3), result.output
    assert_clean(root, EMPTY, result, new_keys=1 if result.exit_code == 0 else 0)
    if field.startswith("articleids") and result.exit_code == 0:
        assert "PubMed sent a" in result.stderr  # the identifier left out, its sender named


@pytest.mark.parametrize("field", ["doi", "pmid", "pmcid"])
def test_a_hostile_pmc_id_converter_answer_adds_nothing(tmp_path, emulator, field):
    emulator.set_mangler("idconv", idconv_record(setter(field, "10.5555/x},url={javascript:alert(1)"
                                                        if field == "doi" else "1},url={javascript:alert(1)")))
    root = project(tmp_path)
    result = invoke(root, ["add", "PMC6616307"], emulator.env())
    assert_clean(root, EMPTY, result, new_keys=1 if result.exit_code == 0 else 0)
    if field in ("doi", "pmid"):
        assert result.exit_code == 3 and "PMC ID converter sent a" in result.stderr


def test_find_add_never_adds_a_hostile_candidate_identifier(tmp_path, emulator):
    emulator.set_mangler("crossref", crossref_items(setter("DOI", "10.3390/healthcare4020022},note={injected")))
    root = project(tmp_path)
    printed = ("Gordon R, Bloxham S (2016) A Systematic Review of the Effects of Exercise and Physical "
               "Activity on Non-Specific Chronic Low Back Pain. Healthcare (Basel) 4:22.")
    result = invoke(root, ["find", "--add", "1", printed], emulator.env())
    assert "Crossref sent a candidate whose DOI" in result.stderr
    assert_clean(root, EMPTY, result, new_keys=1 if result.exit_code == 0 else 0)
    assert "injected" not in (root / "references.bib").read_text()


@pytest.mark.parametrize("escape", list(ESCAPES))
def test_fix_write_copies_a_hostile_value_as_text_only(tmp_path, emulator, escape):
    bib = FIXTURE_BIB.replace("volume  = {41}", "volume  = {40}")  # kim2017: a field fix rewrites
    emulator.set_mangler("crossref", crossref_items(
        lambda item: item.__setitem__("volume", ESCAPES[escape]) if item["DOI"].startswith("10.5535/arm.2017") else None))
    root = project(tmp_path, bib)
    result = invoke(root, ["fix", "--write"], emulator.env())
    assert_clean(root, bib, result, changed="kim2017")


@pytest.mark.parametrize("value", ["@misc{evil,\n  title = {x}", "see-the-publisher<script>", "10.5555/x},note={injected"])
def test_fix_write_refuses_a_doi_that_is_not_one_naming_pubmed(tmp_path, emulator, value):
    """An entry with a PMID and no DOI: fix adds the DOI PubMed lists, only when it is one."""
    bib = FIXTURE_BIB.replace("  doi     = {10.5535/arm.2017.41.5.786},\n", "")
    emulator.set_mangler("eutils", esummary_doc(article_id("doi", value)))
    root = project(tmp_path, bib)
    result = invoke(root, ["fix", "--write"], emulator.env())
    assert result.exit_code == 1, result.output
    assert "PubMed sent a doi that is not one" in result.stderr
    assert_clean(root, bib, result)
    assert (root / "references.bib").read_text(encoding="utf-8") == bib
