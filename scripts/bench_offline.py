#!/usr/bin/env python3
"""Benchmark `citeproof check --offline` on a clean bib of 100,000 entries (about 29 MB).

The bib is generated (each entry: two authors, title, journal, year, volume, number,
pages, doi, pmid; one page cites every key, ten to a line). Three commands run N times
each, interleaved, each in a fresh process: a first check (the project's cache folder
removed before it, untimed: the bib is parsed, as on a fresh clone), a repeated check
(another copy of the project, checked twice before the timed runs: the checker's cache
holds the parsed bib), and pybtex's own ``parse_file`` of the same bib. Reported: each
check's median wall time, its ratio to pybtex's median, and its peak memory (max RSS).
Targets: <= 0.75x pybtex's ``parse_file`` and <= 500 MB.

    python scripts/bench_offline.py [--entries 100000] [--runs 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(dest: Path, entries: int) -> int:
    """Write references.bib and docs/index.md into ``dest``; return the bib's size in bytes."""
    bib = "".join(
        f"@article{{big{i:06d},\n  author = {{Family{i}, Anna B. and Other{i}, Carl}},\n"
        f"  title = {{Synthetic study number {i} of walking and low back pain in adults}},\n"
        f"  journal = {{Journal of Synthetic Research}},\n  year = {{{1990 + i % 35}}},\n"
        f"  volume = {{{i % 60 + 1}}},\n  number = {{{i % 12 + 1}}},\n"
        f"  pages = {{{i % 900 + 1}--{i % 900 + 9}}},\n  doi = {{10.5555/big.{i:06d}}},\n"
        f"  pmid = {{{30000000 + i}}}\n}}\n\n" for i in range(entries))
    (dest / "references.bib").write_text(bib, encoding="utf-8")
    (dest / "docs").mkdir()
    lines = ["# Every reference\n"]
    for start in range(0, entries, 10):
        lines.append(" ".join(f"[@big{i:06d}]" for i in range(start, min(start + 10, entries))) + "\n")
    (dest / "docs" / "index.md").write_text("\n".join(lines), encoding="utf-8")
    return len(bib.encode("utf-8"))


#: the check's own peak RSS, printed by the child as it exits (the children's maximum
#: would be pybtex's, which runs in between)
_PEAK = ("import atexit, resource, sys; atexit.register(lambda: print('peak-kb', "
         "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); "
         "from citeproof.cli import main; main(prog_name='citeproof')")


def run_once(cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the check's process, exit code) of one offline check."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, "check", "--offline", "--format", "json"],
                          cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"check failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak = int(proc.stderr.rsplit("peak-kb ", 1)[1].split()[0])
    return wall, peak / 1024, proc.returncode


def run_pybtex(cwd: Path) -> float:
    """Wall seconds of pybtex's ``parse_file`` of the bib, in a fresh process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from pybtex.database import parse_file; "
                    "parse_file('references.bib')"], cwd=cwd, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, repeated = Path(tmp, "first"), Path(tmp, "repeated")
        first.mkdir()
        size = generate(first, args.entries)
        shutil.copytree(first, repeated)
        for _ in range(2):  # the second check of a bib keeps it in the cache
            run_once(repeated)
        runs: dict[str, list] = {"first": [], "repeated": [], "pybtex": []}
        for _ in range(args.runs):  # interleaved: the machine's drift hits all alike
            shutil.rmtree(first / ".cache", ignore_errors=True)
            runs["first"].append(run_once(first))
            runs["repeated"].append(run_once(repeated))
            runs["pybtex"].append(run_pybtex(first))
    pybtex = statistics.median(runs["pybtex"])
    figures = {"entries": args.entries, "bib_mb": round(size / 1e6, 1), "pybtex_median_s": round(pybtex, 2)}
    for name in ("first", "repeated"):
        walls = [w for w, _, _ in runs[name]]
        figures[name] = {"median_s": round(statistics.median(walls), 2), "min_s": round(min(walls), 2),
                         "ratio_to_pybtex": round(statistics.median(walls) / pybtex, 2),
                         "peak_rss_mb": round(max(p for _, p, _ in runs[name])), "exit_code": runs[name][0][2]}
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
