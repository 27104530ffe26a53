"""The human report: problems grouped by severity and file, then one line per reference."""
from __future__ import annotations

from collections import Counter
from itertools import groupby

from ..visible import visible

_COLORS = {"error": "31", "warning": "33", "verified": "32", "bold": "1", "dim": "2"}

_STATUS_WORDS = {
    "verified": "verified",
    "mismatch": "MISMATCH",
    "not-found": "NOT FOUND",
    "retracted": "RETRACTED",
    "no-identifier": "no identifier",
    "unavailable": "could not verify (a registry did not answer)",
    "not-checked": "not checked",
}

_STATUS_TONES = {"verified": "verified", "unavailable": "warning", "not-checked": "dim",
                 "no-identifier": "warning"}

escape_controls = visible  # (its name here: every control and invisible character escaped)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _codes(problems, severity: str) -> str:
    """How many of the ``severity`` problems each code has, most first (`` (8160
    unknown-field, 2 …)``), so the summary under a long list says what it holds; ``""`` for none."""
    counts = Counter(str(p.code) for p in problems if p.severity == severity)
    return f" ({', '.join(f'{n} {code}' for code, n in sorted(counts.items(), key=lambda c: (-c[1], c[0])))})" \
        if counts else ""


def format_text(result, *, color: bool = False) -> str:
    def paint(text: str, what: str) -> str:
        return f"\033[{_COLORS[what]}m{text}\033[0m" if color and what in _COLORS else text

    out: list[str] = []
    if not result.official:
        source = "the lock entries trusted below were answered by" if result.offline else \
            "the answers below come from"
        out += [paint("Registry endpoints are overridden (CITEPROOF_*_URL): " + source + " "
                      + escape_controls(", ".join(result.endpoints.values()))
                      + ", not the real registries.", "warning"), ""]
    order = {"error": 0, "warning": 1}
    problems = sorted(result.problems, key=lambda p: (order[p.severity], p.file or "", p.line or 0))
    for severity, grouped in groupby(problems, key=lambda p: p.severity):
        group = list(grouped)
        out.append(paint(_n(len(group), severity) + ":", severity))
        for p in group:
            where = escape_controls(p.location() or "(no file)")
            out.append(f"  {where}: {paint(p.severity, p.severity)} [{p.code}] "
                       f"{escape_controls(p.message)}")
        out.append("")
    if result.references:
        out.append(paint("References:", "bold"))
        keys = [r.key for r in result.references]
        joined = " ".join(map(str, keys))
        if escape_controls(joined) != joined:  # else no key needs an escape
            keys = [escape_controls(key) for key in keys]
        width = max(map(len, keys))
        for r, key in zip(result.references, keys):
            word = _STATUS_WORDS.get(r.status, r.status)
            tone = _STATUS_TONES.get(r.status, "error")
            if not r.sources:
                via = ""
            elif r.status == "unavailable":
                via = escape_controls(f" (answered: {', '.join(r.sources)})")
            else:
                via = escape_controls(f" via {', '.join(r.sources)}")
            out.append(f"  {key.ljust(width)}  {paint(word, tone)}{via}")
        out.append("")
    s = result.summary()
    statuses = ", ".join(f"{n} {k}" for k, n in s["statuses"].items()) or "no references"
    mode = "offline: no registry asked" if s["offline"] else f"{s['requests']} registry requests"
    out.append(f"{_n(s['references'], 'reference')}: {statuses}. {_n(s['errors'], 'error')}"
               f"{_codes(result.problems, 'error')}, {_n(s['warnings'], 'warning')}"
               f"{_codes(result.problems, 'warning')}; {mode}; {s['elapsed_seconds']:.2f} s.")
    if s["lock"]:
        out.append(f"Lock: {escape_controls(s['lock'])}.")
    if s["endpoints"] and (not s["offline"] or not s["official_endpoints"]):
        out.append("Registries: " + escape_controls(", ".join(f"{k} {v}" for k, v in
                                                              s["endpoints"].items())))
    return "\n".join(out) + "\n"
