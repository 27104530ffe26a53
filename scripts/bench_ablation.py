#!/usr/bin/env python3
"""What each performance mechanism of citeproof saves: every benchmark run WITH it and
WITHOUT it (turned off by ``_ablate.py``, no source edited), in one interleaved run.

Benchmarks (the sites and bib of ``bench_build.py`` and ``bench_offline.py``, imported):

* the article: ``mkdocs build`` of this repo's site, warm (caches filled by the warm-up);
* the 2,000-entry site: warm; the first build after a one-title bib edit; the first
  build ever (the cache directory removed before it);
* the 100,000-entry bib: ``citeproof check --offline`` with ``--format json`` and
  ``--format text`` (its peak RSS), a check repeated on the unchanged bib (the warm-up is
  two runs: the second check of a bib writes the checker's cache), and a first check (the
  cache folder removed before each run), against pybtex's ``parse_file`` of it.

Each variant (the code as it is, each mechanism off, and for reference the build without
the plugin and pybtex's own ``parse_file`` of the bib) has its own copy of the project
(no variant reads another's cache), one untimed warm-up, then N runs in a fresh process
each, the variants interleaved in a rotating order, each run once the files of the one
before are on disk (``os.sync``, untimed); medians are reported. A last untimed run of
each variant counts what each mechanism did (``_ablate.py --probe``) and keeps its
output. It is a fault (exit 1) when a patch did not run in every run, a cache that is
off left a file, or an output differs from the code as it is: the site (every file; the
search index may differ where ``NOT_SAME`` says) or the report (but its elapsed time).

    python scripts/bench_ablation.py [--runs 7] [--only page-cache,...] [--json out.json]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_build  # noqa: E402  (the generators and the builds' environment)
import bench_offline  # noqa: E402

LAUNCHER = HERE / "_ablate.py"
#: ``_ablate.py --off`` names, labelled with the brief's letters
MECHANISMS = {
    "bib-cache": "(a) bib cache (bib-*, entries-* files)", "bib-hit": "(a) whole-bib pickle only",
    "chunks": "(c) chunk re-parsing", "page-cache": "(d) page cache",
    "search-list": "(e) the list's plain-text stand-in for the search",
    "check-cache": "(f) the checker's parsed bib (refs-* files)"}
REFERENCES = {"no-plugin": "(ref) build without the plugin", "pybtex": "(ref) pybtex parse_file"}
#: without the list's plain-text stand-in the search indexes the full list (status marks,
#: back-links "↩"), not its text: the one output a mechanism may change
NOT_SAME = {("search-list", "search index")}
NA_BUILD = {"pybtex": "measured with the check", "check-cache": "the build does not read it"}
NA_WARM = {"chunks": "a warm build parses no bib (a cache hit)"}
NA_CHECK = {**dict.fromkeys(("bib-cache", "bib-hit", "chunks", "page-cache"), "the checker does not use it"),
            **dict.fromkeys(("search-list", "no-plugin"), "not a build")}
BUILDS = ["bib-cache", "bib-hit", "page-cache", "search-list", "no-plugin"]


@dataclass
class Row:
    name: str
    make: Callable[[Path], object]  # writes the project into a directory
    command: list[str]
    applies: list[str]  # the variants measured (besides "with")
    na: dict[str, str]  # the others, with the reason
    prep: Callable[[Path, int], object] = lambda site, run: None  # before each timed run
    check: bool = False  # the offline check: its report compared


def _no_cache(site: Path, run: int) -> None:
    shutil.rmtree(site / ".cache", ignore_errors=True)


def rows(entries: int) -> list[Row]:
    build, check = ["mkdocs", "build", "-q"], ["citeproof", "check", "--offline", "--format"]
    generate, big = bench_build.generate_site, (lambda dest: bench_offline.generate(dest, entries))
    chunks = ["chunks"]
    return [
        Row("article, warm", bench_build.copy_article, build, BUILDS, NA_BUILD | NA_WARM),
        Row("2,000 entries, warm", generate, build, BUILDS, NA_BUILD | NA_WARM),
        Row("2,000 entries, after a bib edit", generate, build, BUILDS + chunks, NA_BUILD,
            prep=bench_build.edit_bib),
        Row("2,000 entries, first build", generate, build, BUILDS + chunks, NA_BUILD, prep=_no_cache),
        Row(f"{entries:,} entries, check json", big, check + ["json"], ["check-cache", "pybtex"], NA_CHECK,
            check=True),
        Row(f"{entries:,} entries, check text", big, check + ["text"], ["check-cache", "pybtex"], NA_CHECK,
            check=True),
        Row(f"{entries:,} entries, first check json", big, check + ["json"], ["check-cache", "pybtex"], NA_CHECK,
            prep=_no_cache, check=True),
    ]


def run_one(row: Row, variant: str, site: Path, scratch: Path, probe: bool = False) -> dict:
    """One run of ``variant`` in a fresh process: its wall time, its CPU time (user and
    system, its children's included), the launcher's report (counts, peak RSS) and, when
    ``probe``, digests of its output."""
    out, report = scratch / "site", scratch / "report.json"
    shutil.rmtree(out, ignore_errors=True)
    command = (["parse_file", "references.bib"] if variant == "pybtex"
               else row.command if row.check else [*row.command, "-d", str(out)])
    argv = [sys.executable, str(LAUNCHER), "--off", variant if variant in MECHANISMS else "",
            "--report", str(report), *(["--probe"] if probe else []), "--", *command]
    with open(scratch / "stdout", "wb") as stdout:
        cpu, start = _cpu(), time.perf_counter()
        proc = subprocess.run(argv, cwd=site, env=bench_build.ENV, stdout=stdout, stderr=subprocess.PIPE)
        wall, cpu = time.perf_counter() - start, _cpu() - cpu
    os.sync()  # untimed: this run's files reach the disk before the next run starts
    if proc.returncode not in ((0, 1) if row.check else (0,)):
        sys.exit(f"{row.name}, {variant}: exit {proc.returncode}\n{proc.stderr.decode()[-3000:]}")
    done = {**json.loads(report.read_text(encoding="utf-8")), "wall": wall, "cpu": cpu}
    if probe:
        done["output"] = _digests(scratch / "stdout" if row.check else out)
    return done


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _digests(path: Path) -> dict[str, str]:
    """Digests of a report (its elapsed time left out), or of a site: its search index,
    and every other file (gzip ones unzipped)."""
    if path.is_file():
        text = re.sub(rb'("elapsed_seconds": |; )[0-9.]+( s\.)?', b"", path.read_bytes())
        return {"report": hashlib.sha256(text).hexdigest()}
    digests = {"site": hashlib.sha256(), "search index": hashlib.sha256()}
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        name, data = file.relative_to(path).as_posix(), file.read_bytes()
        part = digests["search index" if name == "search/search_index.json" else "site"]
        part.update(f"{name}\0".encode() + (gzip.decompress(data) if file.suffix == ".gz" else data))
    return {part: digest.hexdigest() for part, digest in digests.items()}


def measure(row: Row, variants: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ablation-") as tmp:
        base, scratch = Path(tmp, "base"), Path(tmp, "scratch")
        base.mkdir()
        scratch.mkdir()
        row.make(base)
        sites = {v: Path(tmp, v) for v in variants}
        for variant in variants:
            shutil.copytree(base, sites[variant])
            if variant == "no-plugin":
                cfg = sites[variant] / "mkdocs.yml"
                cfg.write_text(bench_build.without_plugin(cfg.read_text(encoding="utf-8")), encoding="utf-8")
        for variant in variants * (2 if row.check else 1):  # warm-up: OS caches, .pyc files,
            run_one(row, variant, sites[variant], scratch)  # the caches (the checker's: twice)
        timed: dict[str, list[dict]] = {v: [] for v in variants}
        for run in range(runs):
            for variant in variants[run % len(variants):] + variants[:run % len(variants)]:
                row.prep(sites[variant], run)
                timed[variant].append(run_one(row, variant, sites[variant], scratch))
        probes = {}
        for variant in variants:  # untimed: what each mechanism did, and the output
            row.prep(sites[variant], runs)
            probes[variant] = run_one(row, variant, sites[variant], scratch, probe=True)
            left = sites[variant].glob(".cache/citeproof/*")
            probes[variant]["cache"] = {p.name.split("-")[0] for p in left}
    return {"timed": timed, "probes": probes}


def faults(row: Row, measured: dict) -> list[str]:
    """A patch that did not run, a cache file where that cache is off, an output that
    differs from the code as it is."""
    timed, probes = measured["timed"], measured["probes"]
    out = [f"{v}: the patch did not run in every run" for v in timed
           if v in MECHANISMS and not all(r["counts"] for r in timed[v])]
    out += [f"{v}: its {part} differs" for v in timed if v in MECHANISMS
            for part in _differs(probes, v) if (v, part) not in NOT_SAME]
    for variant, prefixes in (("bib-cache", {"bib", "entries"}), ("page-cache", {"pages"}),
                              ("check-cache", {"refs"})):
        if variant in probes and probes[variant]["cache"] & prefixes:
            out.append(f"{variant}: a file of that cache was written")
    return [f"{row.name}: {fault}" for fault in out]


def _differs(probes: dict, variant: str) -> list[str]:
    same = probes["with"]["output"]
    return [part for part, digest in probes[variant]["output"].items() if digest != same[part]]


def summarise(row: Row, measured: dict, only: set[str]) -> list[dict]:
    timed, probes = measured["timed"], measured["probes"]
    stat = {(v, how, what): how(r[what] for r in runs) for v, runs in timed.items()
            for how in (statistics.median, min) for what in ("wall", "cpu")}
    lines = []
    for name in [n for n in [*MECHANISMS, *REFERENCES] if n in only]:
        line = {"benchmark": row.name, "mechanism": name}
        lines.append(line)
        if name not in timed:
            line["na"] = row.na[name]
            continue
        for how, what, key in ((statistics.median, "wall", ""), (min, "wall", "min_"),
                               (statistics.median, "cpu", "cpu_")):
            with_s, without_s = stat["with", how, what], stat[name, how, what]
            line.update({f"{key}with_s": round(with_s, 3), f"{key}without_s": round(without_s, 3),
                         f"{key}saving_pct": round(100 * (without_s - with_s) / without_s, 1)})
        line.update(runs_with=[round(r["wall"], 3) for r in timed["with"]],
                    runs_without=[round(r["wall"], 3) for r in timed[name]],
                    probe_with=probes["with"]["counts"], probe_without=probes[name]["counts"])
        if name in MECHANISMS:
            line["differs"] = _differs(probes, name)
        if "pybtex" in timed:  # the check's time over pybtex's, with and without
            check = line["with_s"] if name == "pybtex" else line["without_s"]
            line["per_pybtex"] = round(check / stat["pybtex", statistics.median, "wall"], 2)
        if row.check:  # (MB) the peak of the process itself (no child of it reads the bib)
            line.update({f"peak_rss_{v}_mb": round(max(r["peak_rss_mb"]["self"] for r in timed[key]))
                         for v, key in (("with", "with"), ("without", name))})
    return lines


def print_table(lines: list[dict], runs: int) -> None:
    print(f"{runs} runs per variant, interleaved, a fresh process each, {os.cpu_count()} cores. with, "
          "without: median wall s; saving: (without - with) / without of the median wall time, "
          "of the fastest run (min), and of the median CPU time (user + system); /pybtex: the "
          "check without (on the pybtex line: with) over pybtex's parse_file; RSS: peak MB of the "
          "process, with / without")
    print(f"{'benchmark':32} {'off':40} {'with':>6} {'without':>7} {'saving':>7} {'min':>7} {'cpu':>7}"
          "  notes")
    for x in lines:
        label = MECHANISMS.get(x["mechanism"]) or REFERENCES[x["mechanism"]]
        if "na" in x:
            print(f"{x['benchmark']:32} {label:40} {'n/a':>6} {'n/a':>7} {'n/a':>7} {'':7} {'':7}  {x['na']}")
            continue
        notes = [f"/pybtex {x['per_pybtex']:.2f}"] if "per_pybtex" in x else []
        if "peak_rss_with_mb" in x:
            notes.append(f"RSS {x['peak_rss_with_mb']} / {x['peak_rss_without_mb']}")
        notes += [f"{part} differs" for part in x.get("differs", ())]
        savings = " ".join(f"{x[key + 'saving_pct']:6.1f}%" for key in ("", "min_", "cpu_"))
        print(f"{x['benchmark']:32} {label:40} {x['with_s']:6.2f} {x['without_s']:7.2f} {savings}  "
              + "; ".join(notes))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs per variant (median)")
    ap.add_argument("--only", help="comma-separated mechanisms (and no-plugin, pybtex) to measure")
    ap.add_argument("--entries", type=int, default=100_000, help="entries of the offline check's bib")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    args = ap.parse_args()
    known = {*MECHANISMS, *REFERENCES}
    only = set(args.only.split(",")) if args.only else known
    if only - known:
        ap.error(f"unknown: {', '.join(sorted(only - known))}; known: {', '.join(known)}")
    lines, found = [], []
    for row in rows(args.entries):
        variants = ["with", *(v for v in row.applies if v in only)]
        measured = {"timed": {}, "probes": {}}
        if len(variants) > 1:
            print(f"{row.name}: {', '.join(variants)}", file=sys.stderr, flush=True)
            measured = measure(row, variants, args.runs)
            found += faults(row, measured)
        lines += summarise(row, measured, only)
    print_table(lines, args.runs)
    for fault in found:
        print("FAULT:", fault)
    if args.json:
        args.json.write_text(json.dumps({"runs": args.runs, "cores": os.cpu_count(), "rows": lines,
                                         "faults": found}, indent=2) + "\n", encoding="utf-8")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
