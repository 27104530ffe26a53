"""``--format github``: GitHub Actions workflow commands, and the step-summary Markdown.

Both show text from bibs, pages, locks and registries. In the workflow commands (the job
log, which renders terminal colours) every control and invisible character is a visible
escape (:func:`citeproof.visible.visible`), then the command syntax is escaped. In the
step summary (Markdown that GitHub renders as HTML) the same escapes come first, then
every character that opens Markdown or HTML inline is backslash-escaped
(:func:`markdown_text`): a title is text, never an image, a link, emphasis, math, an
HTML tag or an entity.
"""
from __future__ import annotations

import re
from collections import Counter

from ..errors import EXIT_UNAVAILABLE
from ..registries import source_label
from ..visible import visible

#: What opens an inline construct in GitHub-flavoured Markdown: a backslash escape, code,
#: emphasis, strikethrough, a link or image (``[``, ``![``), an autolink or HTML tag
#: (``<``), an entity (``&``), a table cell (``|``), math (``$``). A backslash before any
#: of them makes it literal (CommonMark escapes every ASCII punctuation character); a
#: line of the summary never begins with registry text, so no block syntax is needed.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>&|~$!]")


def markdown_text(value: object) -> str:
    """``value`` as literal text in GitHub-flavoured Markdown (a table cell included):
    controls and invisible characters escaped visibly, then every character of
    :data:`_MARKDOWN` backslash-escaped, which GitHub shows as itself."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(), visible(value if value is not None else ""))


def _data(value: str) -> str:
    value = visible(value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(result, *, color: bool = False) -> str:
    """One ``::error``/``::warning`` command per problem, with file and line when known."""
    lines = []
    for p in result.problems:
        props = []
        if p.file:
            props.append(f"file={_prop(p.file)}")
            if p.line:
                props.append(f"line={p.line}")
                if p.column:
                    props.append(f"col={p.column}")
        props.append(f"title={_prop('citeproof ' + p.code)}")
        lines.append(f"::{p.severity} {','.join(props)}::{_data(p.message)}")
    s = result.summary()
    if s["exit_code"] == EXIT_UNAVAILABLE:
        lines.append(f"::warning title={_prop('citeproof could not verify')}::{_data(_incomplete(s))}")
    lines.append(_data(_headline(s)))
    return "\n".join(lines) + "\n"


def _incomplete(s: dict) -> str:
    """The exit-3 line: the run passes, and says plainly what it could not verify."""
    n = s["statuses"].get("unavailable", 0)
    return (f"Verification incomplete (exit 3): {n} of {s['references']} references could not be "
            "verified because a registry did not answer. The job passes, but those references "
            "carry no verdict; run the check again later.")


def _verified_line(result, s: dict) -> str:
    """How many of N references were verified, and by which registries (Markdown)."""
    by = Counter(src for r in result.references if r.status == "verified" for src in r.sources)
    via = ", ".join(f"{source_label(src)} ({n})" for src, n in sorted(by.items(), key=lambda x: -x[1]))
    where = " from the lock file" if s["offline"] else ""
    return (f"**{s['statuses'].get('verified', 0)} of {s['references']} references verified**{where}"
            + (f", by {markdown_text(via)}." if via else "."))


def _headline(s: dict) -> str:
    statuses = ", ".join(f"{n} {k}" for k, n in s["statuses"].items()) or "no references"
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"
    where = "" if s["official_endpoints"] else " (overridden endpoints, not the real registries)"
    return (f"citeproof: {n(s['references'], 'reference')} ({statuses}); {n(s['errors'], 'error')}, "
            f"{n(s['warnings'], 'warning')}; {n(s['requests'], 'registry request')}{where}")


def _cell(value) -> str:
    return markdown_text(value or "")


def format_step_summary(result) -> str:
    """Markdown appended to ``$GITHUB_STEP_SUMMARY``."""
    s = result.summary()
    st = s["statuses"]
    out = ["## citeproof check", "", _verified_line(result, s), "",
           "| verified | could not verify | not checked | errors | warnings |", "|---|---|---|---|---|",
           f"| {st.get('verified', 0)} | {st.get('unavailable', 0)} | {st.get('not-checked', 0)} | "
           f"{s['errors']} | {s['warnings']} |", ""]
    if s["exit_code"] == EXIT_UNAVAILABLE:
        out += [f"> **Warning:** {markdown_text(_incomplete(s))}", ""]
    out += [markdown_text(_headline(s)), ""]
    if s["offline"]:
        out += ["Offline run: verdicts come from the lock file, not from a registry asked now.", ""]
    out += ["| reference | DOI | PMID | status | sources |", "|---|---|---|---|---|"]
    for r in result.references:
        out.append(f"| {_cell(r.key)} | {_cell(r.doi)} | {_cell(r.pmid)} | {_cell(r.status)} | "
                   f"{_cell(', '.join(r.sources))} |")
    if result.problems:
        out += ["", "| severity | code | where | message |", "|---|---|---|---|"]
        for p in result.problems:
            out.append(f"| {_cell(p.severity)} | {_cell(p.code)} | {_cell(p.location())} | {_cell(p.message)} |")
    return "\n".join(out) + "\n"
