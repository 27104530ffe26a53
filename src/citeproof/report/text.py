"""The human report: problems grouped by severity and file, then one line per reference."""
from __future__ import annotations

from itertools import groupby

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


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def format_text(result, *, color: bool = False) -> str:
    def paint(text: str, what: str) -> str:
        return f"\033[{_COLORS[what]}m{text}\033[0m" if color and what in _COLORS else text

    out: list[str] = []
    if not result.official:
        source = "the lock entries trusted below were answered by" if result.offline else \
            "the answers below come from"
        out += [paint("Registry endpoints are overridden (CITEPROOF_*_URL): " + source + " "
                      + ", ".join(result.endpoints.values()) + ", not the real registries.", "warning"), ""]
    order = {"error": 0, "warning": 1}
    problems = sorted(result.problems, key=lambda p: (order[p.severity], p.file or "", p.line or 0))
    for severity, group in groupby(problems, key=lambda p: p.severity):
        group = list(group)
        out.append(paint(_n(len(group), severity) + ":", severity))
        for p in group:
            where = p.location() or "(no file)"
            out.append(f"  {where}: {paint(p.severity, p.severity)} [{p.code}] {p.message}")
        out.append("")
    if result.references:
        out.append(paint("References:", "bold"))
        width = max(len(r.key) for r in result.references)
        for r in result.references:
            word = _STATUS_WORDS.get(r.status, r.status)
            tone = {"verified": "verified", "unavailable": "warning", "not-checked": "dim",
                    "no-identifier": "warning"}.get(r.status, "error")
            if r.status == "unavailable":
                via = f" (answered: {', '.join(r.sources)})" if r.sources else ""
            else:
                via = f" via {', '.join(r.sources)}" if r.sources else ""
            out.append(f"  {r.key.ljust(width)}  {paint(word, tone)}{via}")
        out.append("")
    s = result.summary()
    statuses = ", ".join(f"{n} {k}" for k, n in s["statuses"].items()) or "no references"
    mode = "offline (from the lock file)" if s["offline"] else f"{s['requests']} registry requests"
    out.append(f"{_n(s['references'], 'reference')}: {statuses}. {_n(s['errors'], 'error')}, "
               f"{_n(s['warnings'], 'warning')}; {mode}; {s['elapsed_seconds']:.2f} s.")
    if s["lock"]:
        out.append(f"Lock: {s['lock']}.")
    if s["endpoints"] and (not s["offline"] or not s["official_endpoints"]):
        out.append("Registries: " + ", ".join(f"{k} {v}" for k, v in s["endpoints"].items()))
    return "\n".join(out) + "\n"
