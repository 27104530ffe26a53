"""The hostile-input corpus (issue 11, item 10): one row per case.

Each case is a small project (``page`` = docs/index.md, ``bib`` = references.bib as text
or bytes, ``mkdocs`` = mkdocs.yml, ``files`` = any other file by path, a path ending in
``/`` a directory) and either a ``citeproof check`` run (``args``,
``env``) with the exit code and a regex the output must hold, or (``html`` set) a
Python-Markdown render whose HTML must match ``html`` and must not match ``not_html``.
``tests/test_corpus.py`` runs every case and also asserts that no traceback is shown
and no file of the project changed. ``CATEGORIES`` names the README table's rows.
"""
from __future__ import annotations

CATEGORIES = {
    "citations": "citations in Markdown",
    "bib": "bib dialects and broken bibs",
    "sizes": "hostile sizes (bounded work)",
    "html": "anchors and HTML",
    "cli": "CLI options",
    "config": "config and front matter",
    "settings": "registry settings (environment)",
    "lock": "lock files",
    "output": "output streams",
}

ENTRY_A = ("@article{alpha2020,\n  author = {Alpha, Ann},\n  title = {Walking},\n"
           "  journal = {J Walk},\n  year = {2020},\n  doi = {10.1000/alpha}\n}\n")
ENTRY_B = ("@article{beta2021,\n  author = {Beta, Bob},\n  title = {Running},\n"
           "  journal = {J Walk},\n  year = {2021},\n  doi = {10.1000/beta}\n}\n")
BIB = ENTRY_A + ENTRY_B
PAGE = "# T\n\nOne [@alpha2020]. Two [@beta2021].\n"
PLAIN = "site_name: T\nplugins:\n  - citeproof\n"
NO_ERRORS = r"0 errors"


def case(cat, name, *, page=PAGE, bib=BIB, mkdocs=PLAIN, files=None, args=(), env=None, exit=0,
         out=NO_ERRORS, html=None, not_html=None, subprocess=False):
    assert cat in CATEGORIES, cat
    return dict(cat=cat, name=name, page=page, bib=bib, mkdocs=mkdocs, files=files or {},
                args=list(args), env=env or {}, exit=exit, out=out, html=html, not_html=not_html,
                subprocess=subprocess)


def _missing_commas(n):
    return "".join(f"@misc{{k{i},\n  title = {{T}}\n  doi = {{10.1000/k{i}}}\n}}\n" for i in range(n))


def _deep_json(depth):
    return "[" * depth + "]" * depth


LOCK = "citations.lock.json"
#: A registry URL variable's refusal: the variable named, exit 2.
BAD_URL = r"CITEPROOF_CROSSREF_URL \(registry base URL\) is not a usable URL: "


def _rtl_entry(title):
    return ("@article{rtl2020,\n  author = {Doe, Jane},\n  title = {" + title + "},\n"
            "  journal = {J},\n  year = {2020},\n  doi = {10.1000/rtl}\n}\n")


CASES = [
    # ------------------------------------------------------------ citations in Markdown
    case("citations", "unknown key with a close match", page="[@alpha2021]\n",
         exit=1, out=r"index\.md:1: .*unknown citation key 'alpha2021'; did you mean 'alpha2020'"),
    case("citations", "unknown key differing in case", page="[@Alpha2020]\n",
         exit=1, out=r"did you mean 'alpha2020'\? Keys must match exactly"),
    case("citations", "unclosed citation", page="See [@alpha2020 and more\n",
         exit=1, out=r"index\.md:1: .*\[malformed-citation\] citation '\[@alpha2020.*is not closed"),
    case("citations", "two keys in one item", page="[@alpha2020 @beta2021]\n",
         exit=1, out=r"two keys in one item"),
    case("citations", "empty item", page="[@alpha2020;; @beta2021]\n",
         exit=1, out=r"an item between ';' separators is empty"),
    case("citations", "nested bracket", page="[@alpha2020 [see] ]\n",
         exit=1, out=r"holds a nested '\['"),
    case("citations", "citation in a code span is text", page="`[@nosuch]` [@alpha2020] [@beta2021]\n"),
    case("citations", "citation in a fenced block is text",
         page="```\n[@nosuch]\n```\n[@alpha2020] [@beta2021]\n"),
    case("citations", "e-mail address is no citation", page="me@nosuch.org [@alpha2020] [@beta2021]\n"),
    case("citations", "escaped at is no citation", page="[\\@nosuch] [@alpha2020] [@beta2021]\n"),
    case("citations", "terminal escape in a cited key",
         page="[@alpha2020] [@beta2021] [@x\x1b]\n", exit=1,
         out=r"malformed citation '\[@x\\x1b\]'"),
    case("citations", "right-to-left override in a page", page="\u202e [@alpha2020] [@beta2021]\n"),
    case("citations", "unused entry is a warning", page="[@alpha2020]\n",
         out=r"bib entry 'beta2021' is never cited"),
    case("citations", "page that is not UTF-8", page=b"[@alpha2020] \xff [@beta2021]\n", exit=2,
         out=r"index\.md.*UTF-8"),

    # ------------------------------------------------------------ bib dialects
    case("bib", "trailing backslash in a title",
         bib=BIB.replace("{Walking}", "{Folder C:\\}"),
         out=r"references\.bib:3: warning \[undecoded-latex\] alpha2020: the title holds LaTeX that "
             r"is not decoded"),
    case("bib", "crossref inheritance", page="[@child2020] [@alpha2020] [@beta2021]\n",
         bib=BIB + "@inproceedings{child2020, author = {Doe, J}, title = {Paper},\n"
                   "  crossref = {proc2020}, doi = {10.1000/child}}\n"
                   "@proceedings{proc2020, title = {Proc}, booktitle = {Proceedings},\n"
                   "  publisher = {P}, year = {2020}, doi = {10.1000/proc}}\n",
         out=r"0 errors"),
    case("bib", "crossref to nothing", bib=BIB.replace("  year = {2020},\n",
                                                       "  year = {2020}, crossref = {nosuch},\n"),
         out=r"references\.bib:5: warning .*crossref 'nosuch' names no entry"),
    case("bib", "UTF-16 with a BOM", bib=BIB.replace("Alpha, Ann", "Ålpha, Ann").encode("utf-16")),
    case("bib", "UTF-16 LE without a BOM", bib=BIB.encode("utf-16-le")),
    case("bib", "UTF-16 BE without a BOM", bib=BIB.encode("utf-16-be")),
    case("bib", "UTF-8 with a BOM", bib=b"\xef\xbb\xbf" + BIB.encode()),
    case("bib", "CR-only line ends", bib=BIB.replace("\n", "\r")),
    case("bib", "CRLF line ends", bib=BIB.replace("\n", "\r\n")),
    case("bib", "Latin-1 bytes", bib=BIB.replace("Ann", "Ånn").encode("latin-1"),
         exit=2, out=r"references\.bib:2: the bib file is not UTF-8"),
    case("bib", "1,000 nested braces", bib=BIB.replace("{Walking}", "{" * 1000 + "W" + "}" * 999),
         exit=1, out=r"references\.bib:3: error \[bib-syntax\] braces are nested more than 100 deep"),
    case("bib", "an @ line inside a braced value is data",
         bib=BIB.replace("  title = {Walking},\n", "  title = {Walking\n@misc{not, an entry}},\n")),
    case("bib", "missing comma after a field", bib=BIB.replace("{Walking},", "{Walking}"),
         exit=1, out=r"references\.bib:3: .*a comma is missing after the field 'title'"),
    case("bib", "unclosed brace", bib=BIB.replace("{Walking},", "{Walking,"),
         exit=1, out=r"references\.bib:3: .*'\{' of the field 'title' on line 3 is not closed"),
    case("bib", "duplicate key differing in case", bib=BIB + ENTRY_A.replace("alpha2020", "Alpha2020"),
         exit=1, out=r"\[duplicate-key\] the key 'Alpha2020'"),
    case("bib", "undefined @string", bib=BIB.replace("{J Walk}", "jwalk", 1),
         exit=1, out=r"'jwalk' in the entry 'alpha2020' is not a defined @string"),
    case("bib", "empty bib", bib="", exit=1, out=r"unknown citation key"),
    case("bib", "NUL bytes in the bib", bib=BIB.replace("Walking", "Walk\x00ing"), exit=0,
         out=r"^(?!.*\x00)"),
    case("bib", "terminal escape in a bib key", page="[@alpha2020] [@beta2021]\n",
         bib=BIB + ENTRY_A.replace("alpha2020", "evil\x1b[2J").replace("10.1000/alpha", "10.1000/e"),
         out=r"bib entry 'evil\\x1b\[2J' is never cited"),
    case("bib", "bib file missing", bib=None, exit=2, out=r"the bib file does not exist"),
    case("bib", "a year of superscript digits", page="Alpha and colleagues found it [@alpha2020]. "
         "Two [@beta2021].\n", bib=BIB.replace("{2020}", "{²⁰²⁰}"), exit=0, out=NO_ERRORS),

    # ------------------------------------------------------------ hostile sizes
    case("sizes", "20,000 unclosed '[@'", page="[@" * 20_000,
         exit=1, out=r"20000 errors"),
    case("sizes", "one group of 20,000 keys",
         page="[" + "; ".join(f"@alpha2020, p. {i}" for i in range(20_000)) + "] [@beta2021]\n"),
    case("sizes", "3,000 entries each missing a comma", page="[@k1]\n", bib=_missing_commas(3000),
         exit=1, out=r"3000 errors"),
    case("sizes", "1,000 unknown keys against 3,000 entries",
         page=" ".join(f"[@zz{i}]" for i in range(1000)), bib=_missing_commas(3000).replace(
             "{T}\n", "{T},\n"), exit=1, out=r"1000 errors"),
    case("sizes", "@string doubled 26 times", page="[@x]\n",
         bib="@string{a = {a}}\n" + "@string{a = a # a}\n" * 26 + "@misc{x, title = a, doi = {10.1/x}}\n",
         exit=1, out=r"references\.bib:18: error \[bib-syntax\] the field 'a' of the @string "
                     r"expands to more than 100,000 characters"),
    case("sizes", "a 1 MB title", bib=BIB.replace("{Walking}", "{" + "W" * 1_000_000 + "}")),

    # ------------------------------------------------------------ anchors and HTML
    case("html", "keys differing only in a non-ASCII letter", page="[@müller2020] [@möller2020]\n",
         bib=ENTRY_A.replace("alpha2020", "müller2020") + ENTRY_B.replace("beta2021", "möller2020"),
         html=r'id="ref-m~fc~ller2020".*id="ref-m~f6~ller2020"'),
    case("html", "keys differing only in punctuation", page="[@smith+2020] [@smith/2020]\n",
         bib=ENTRY_A.replace("alpha2020", "smith+2020") + ENTRY_B.replace("beta2021", "smith/2020"),
         html=r'id="ref-smith~2b~2020".*id="ref-smith~2f~2020"'),
    case("html", "plain keys keep their ids", html=r'<li id="ref-alpha2020"'),
    case("html", "a year and an edition of superscript digits",
         bib=BIB.replace("{2020}", "{²⁰²⁰}").replace("@article{beta2021", "@book{beta2021").replace(
             "title = {Running},", "title = {Running},\n  edition = {²},\n  publisher = {P},"),
         html=r"Alpha A\. Walking.*²⁰²⁰.*Running\. ² ed\."),
    case("html", "SVG animate values", page=PAGE + '\n<svg><animate attributeName="href" '
                                               'values="#a;javascript:alert(1)"/></svg>\n',
         html=r"#unsafe-link-removed", not_html=r"javascript:"),
    case("html", "SVG set to", page=PAGE + '\n<svg><set attributeName="href" to="javascript:alert(1)"/></svg>\n',
         html=r"#unsafe-link-removed", not_html=r"javascript:"),
    case("html", "xlink:href", page=PAGE + '\n<svg><a xlink:href="javascript:alert(1)">x</a></svg>\n',
         html=r"#unsafe-link-removed", not_html=r"javascript:"),
    case("html", "javascript link in Markdown", page=PAGE + "\n[x](javascript:alert(1))\n",
         html=r"#unsafe-link-removed", not_html=r"javascript:"),
    case("html", "right-to-left override in a title", bib=_rtl_entry("Evil \u202eeltit") + BIB,
         page="[@rtl2020] [@alpha2020] [@beta2021]\n",
         html=r"<bdi>Evil \u202eeltit</bdi>\..*10\.1000/rtl"),
    case("html", "script in a bib title is escaped", bib=_rtl_entry("<script>alert(1)</script>") + BIB,
         page="[@rtl2020]\n", html=r"&lt;script&gt;", not_html=r"<script>alert"),
    case("html", "javascript url in the bib is not linked",
         bib=BIB.replace("  doi = {10.1000/alpha}\n", "  doi = {10.1000/alpha},\n  url = {javascript:alert(1)}\n"),
         page="[@alpha2020]\n", not_html=r'href="javascript'),

    # ------------------------------------------------------------ CLI options
    case("cli", "--max-age 1e9", args=["--max-age", "1e9"], exit=2,
         out=r"Invalid value for '--max-age': 1000000000\.0 is not in the range 0<=x<=36500"),
    case("cli", "--max-age inf", args=["--max-age", "inf"], exit=2, out=r"--max-age"),
    case("cli", "--max-age nan", args=["--max-age", "nan"], exit=2, out=r"'nan' is not a finite number"),
    case("cli", "--deadline nan", args=["--deadline", "nan"], exit=2, out=r"'nan' is not a finite number"),
    case("cli", "--deadline -inf", args=["--deadline", "-inf"], exit=2, out=r"--deadline"),
    case("cli", "--timeout 0", args=["--timeout", "0"], exit=2, out=r"--timeout"),
    case("cli", "--timeout text", args=["--timeout", "soon"], exit=2, out=r"'soon' is not a valid float"),
    case("cli", "unknown format", args=["--format", "xml"], exit=2, out=r"'xml' is not one of"),
    case("cli", "--docs that does not exist", args=["--docs", "nowhere"], exit=2, out=r"nowhere"),

    # ------------------------------------------------------------ config and front matter
    case("config", "plugins: 5", mkdocs="site_name: T\nplugins: 5\n", exit=2,
         out=r"mkdocs\.yml:2: plugins must be a list or a mapping of plugins, not 5"),
    case("config", "bib_file: 5", mkdocs="site_name: T\nplugins:\n  - citeproof:\n      bib_file: 5\n",
         exit=2, out=r"mkdocs\.yml:4: plugins: citeproof: bib_file must be a path"),
    case("config", "docs_dir: a list", mkdocs="site_name: T\ndocs_dir: [a, b]\n", exit=2,
         out=r"mkdocs\.yml:2: docs_dir must be a path"),
    case("config", "YAML nested 20,000 deep", mkdocs="a: " + "[" * 20_000 + "]" * 20_000 + "\n",
         exit=2, out=r"mkdocs\.yml: the YAML is nested too deeply"),
    case("config", "invalid YAML", mkdocs="site_name: [\n", exit=2, out=r"mkdocs\.yml:\d+: invalid YAML"),
    case("config", "top level is a list", mkdocs="- a\n- b\n", exit=2,
         out=r"expected a mapping of settings at the top level"),
    case("config", "front matter that is a list stays text (as in MkDocs)",
         page="---\n- [@alpha2020]\n---\n[@beta2021]\n"),
    case("config", "MultiMarkdown meta lines are skipped (as in MkDocs)",
         page="Title: [@nosuch]\n\n[@alpha2020] [@beta2021]\n"),
    case("config", "front matter lines are counted", page="---\ntitle: T\n---\n\n[@nosuch]\n",
         exit=1, out=r"index\.md:5: .*unknown citation key 'nosuch'"),
    case("config", "front matter authors: 5", page="---\nauthors: 5\n---\n" + PAGE,
         html=r'<li id="ref-alpha2020"', not_html=r'citation_author'),
    case("config", "front matter authors as one string",
         page="---\nauthors: Jane Doe\n---\n" + PAGE, html=r"cp-references"),
    case("config", "mkdocs.yml that is not UTF-8", mkdocs=PLAIN.replace("T", "\xc5").encode("latin-1"),
         exit=2, out=r"mkdocs\.yml: not UTF-8 text \(byte 12\)"),
    case("config", "mkdocs.yml that is a directory", mkdocs=None, files={"mkdocs.yml/": ""}, exit=2,
         out=r"mkdocs\.yml: cannot read the MkDocs config \(Is a directory\)"),
    case("config", "mkdocs.yml with a 5,000-digit number", mkdocs=PLAIN + "extra:\n  n: " + "9" * 5000 + "\n",
         exit=2, out=r"mkdocs\.yml: it holds a number too long to read"),
    case("config", "pyproject.toml nested 100,000 deep", mkdocs=None,
         files={"pyproject.toml": "[tool.citeproof]\nx = " + _deep_json(100_000) + "\n"}, exit=2,
         out=r"pyproject\.toml: cannot read it \(nested too deeply\)"),
    case("config", "pyproject.toml with a 5,000-digit number", mkdocs=None,
         files={"pyproject.toml": "[tool.citeproof]\nx = " + "9" * 5000 + "\n"}, exit=2,
         out=r"pyproject\.toml: cannot read it \(a number too long to read"),
    case("config", "pyproject.toml that is a directory", mkdocs=None, files={"pyproject.toml/": ""},
         exit=2, out=r"pyproject\.toml: cannot read it \(.*Is a directory"),

    # ------------------------------------------------------------ registry settings
    case("settings", "credentials in a base URL",
         env={"CITEPROOF_CROSSREF_URL": "https://user:secret@api.example.org"}, exit=2,
         out=r"CITEPROOF_CROSSREF_URL holds credentials \(https://\*\*\*@api\.example\.org\)"),
    case("settings", "a base URL that is not http",
         env={"CITEPROOF_CROSSREF_URL": "ftp://x:pw@example.org"}, exit=2,
         out=r"must start with http:// or https://, got 'ftp://\*\*\*@example\.org'"),
    case("settings", "CITEPROOF_MAILTO with CR/LF", env={"CITEPROOF_MAILTO": "a@b.org\r\nX-Evil: 1"},
         exit=2, out=r"CITEPROOF_MAILTO holds a line break or control character"),
    case("settings", "NCBI_API_KEY with a line break (never shown)",
         env={"NCBI_API_KEY": "abc\ndef"}, exit=2,
         out=r"NCBI_API_KEY holds a line break or control character: set it"),
    case("settings", "a base URL with a line break",
         env={"CITEPROOF_EUTILS_URL": "https://eutils.example.org\n/x"}, exit=2,
         out=r"CITEPROOF_EUTILS_URL \(registry base URL\) must start with http"),
    case("settings", "an IPv6 host never closed", env={"CITEPROOF_CROSSREF_URL": "http://[::1"}, exit=2,
         out=BAD_URL + r"its \[IPv6\] host is not closed by '\]' \(got 'http://\[::1'\)"),
    case("settings", "a port past 65535", env={"CITEPROOF_CROSSREF_URL": "http://127.0.0.1:99999/x"},
         exit=2, out=BAD_URL + r"its port is not a number from 1 to 65535"),
    case("settings", "a port that is no number", env={"CITEPROOF_CROSSREF_URL": "http://[::1]:x/"},
         exit=2, out=BAD_URL + r"its port is not a number from 1 to 65535"),
    case("settings", "a base URL without a host", env={"CITEPROOF_CROSSREF_URL": "http:///x"}, exit=2,
         out=BAD_URL + r"it names no host"),
    case("settings", "a base URL with a space", env={"CITEPROOF_CROSSREF_URL": "http://a b.org"}, exit=2,
         out=BAD_URL + r"it holds a space"),
    case("settings", "the real registry's URL and a zero-width space",
         env={"CITEPROOF_CROSSREF_URL": "https://api.crossref.org\u200b"}, exit=2,
         out=BAD_URL + r"it holds a space, an invisible character .*'https://api\.crossref\.org\\u200b'"),
    case("settings", "a base URL of bytes that are not UTF-8", env={"CITEPROOF_CROSSREF_URL": "http://a\udcff.org"},
         exit=2, out=BAD_URL + r".*bytes that are not UTF-8 \(got 'http://a\\udcff\.org'\)"),
    case("settings", "CITEPROOF_MAILTO of bytes that are not UTF-8", env={"CITEPROOF_MAILTO": "a\udcff@b.org"},
         exit=2, out=r"CITEPROOF_MAILTO holds an invisible character or bytes that are not UTF-8 "
                     r"\('a\\udcff@b\.org'\)"),
    case("settings", "NCBI_API_KEY with a bidi override (never shown)", env={"NCBI_API_KEY": "k\u202ey"},
         exit=2, out=r"NCBI_API_KEY holds an invisible character or bytes that are not UTF-8: set it"),

    # ------------------------------------------------------------ lock files
    case("lock", "a lock nested 100,000 deep", files={LOCK: _deep_json(100_000)}, exit=2,
         out=r"citations\.lock\.json: the lock file is nested too deeply to be a lock; restore it"),
    case("lock", "a lock holding a 5,000-digit integer",
         files={LOCK: '{"version": 1, "references": {}, "n": ' + "9" * 5000 + "}"}, exit=2,
         out=r"citations\.lock\.json: the lock file holds a number of 5,000 digits, which no lock holds"),
    case("lock", "a lock version of 5,000 digits",
         files={LOCK: '{"version": ' + "1" * 5000 + ', "references": {}}'}, exit=2,
         out=r"citations\.lock\.json: the lock file holds a number of 5,000 digits"),
    case("lock", "a trusted lock nested 100,000 deep", files={"trusted.json": _deep_json(100_000)},
         args=["--trusted-lock", "trusted.json"], exit=2,
         out=r"trusted\.json: the lock file is nested too deeply"),
    case("lock", "a lock that is not UTF-8", files={LOCK: b'{"version": 1, "references": {"\xff": 1}}'},
         exit=2, out=r"citations\.lock\.json: cannot read the lock file"),

    # ------------------------------------------------------------ output streams
    case("output", "stdout is /dev/full", args=[">/dev/full"], subprocess=True, exit=2,
         out=r"cannot write the report to stdout \(No space left on device\)"),
    case("output", "stdout is closed", args=[">&-"], subprocess=True, exit=2,
         out=r"cannot write the report to stdout"),
    case("output", "JSON report of hostile keys is valid JSON", args=["--format", "json"],
         page="[@a\x1b] [@alpha2020] [@beta2021]\n", exit=1, out=r'"code": "malformed-citation"'),
    case("output", "JSON report on a closed stdout", args=["--format", "json", ">&-"], subprocess=True,
         exit=2, out=r"^citeproof: error: cannot write the report to stdout \(Bad file descriptor\): "
                     r"redirect it to a writable file\n$"),
    case("output", "GitHub report on /dev/full", args=["--format", "github", ">/dev/full"],
         subprocess=True, exit=2, out=r"^citeproof: error: cannot write the report to stdout "
                                      r"\(No space left on device\)"),
    case("output", "stdin closed", args=["<&-"], subprocess=True, out=r"0 errors, 1 warning"),
    case("output", "stderr on /dev/full, and an error to say", args=["--docs", "nowhere", "2>/dev/full"],
         subprocess=True, exit=2, out=r"^$"),
    case("output", "stderr closed, and stdout on /dev/full", args=["2>&-", ">/dev/full"],
         subprocess=True, exit=2, out=r"^$"),
    case("output", "stdout that can only take ASCII", args=[], subprocess=True,
         page="[@alpha2020] [@beta2021] [@caf\u00e9] \u202e[@x\u2014]\n", env={"PYTHONIOENCODING": "ascii"},
         exit=1, out=r"(?=.*unknown citation key 'caf\\xe9')(?=.*malformed citation '\[@x\\u2014\]')"),
    case("output", "JSON report on a stdout that can only take ASCII", args=["--format", "json"],
         subprocess=True, page="[@alpha2020] [@beta2021] [@caf\u00e9]\n",
         env={"PYTHONIOENCODING": "ascii"}, exit=1, out=r'"message": "unknown citation key \'caf\\u00e9\''),
    case("output", "the C locale", args=["--format", "github"], subprocess=True,
         page="[@alpha2020] [@beta2021] [@caf\u00e9\u202e]\n", env={"LC_ALL": "C", "LANG": "C"}, exit=1,
         out=r"::error file=docs/index\.md.*malformed citation '\[@caf\u00e9\\u202e\]'"),
    case("output", "a bib path of bytes that are not UTF-8, in the text report",
         args=["--bib", "$(printf 'r\\377.bib')"], subprocess=True, page="[@alpha2020]\n", bib=None,
         files={"r\udcff.bib": BIB}, env={"PYTHONIOENCODING": "utf-8"},
         out=r"r\\udcff\.bib:8: warning \[unused-entry\] bib entry 'beta2021' is never cited"),
    case("output", "a bib path of bytes that are not UTF-8, in the job summary",
         args=["--bib", "$(printf 'r\\377.bib')", "--format", "github"], subprocess=True,
         page="[@alpha2020]\n", bib=None, files={"r\udcff.bib": BIB},
         env={"GITHUB_STEP_SUMMARY": "/dev/stderr", "PYTHONIOENCODING": "utf-8"},
         out=r"::warning file=r\\udcff\.bib,line=8.*\| warning \| unused-entry \| r\\\\udcff\.bib:8 \|"),
]
