#!/usr/bin/env python3
"""Soak `citeproof check` against the local emulator with random faults.

1,000 references (half with a PMID, half with a DOI only, so esearch runs too) are
checked --runs times in a row against the emulator with the published rate limits and a
random fault (5xx, HTML, cut-off answers, resets, hangs, 403, 429) on --fault-rate of all
requests. Each run asks every registry again (--max-age 0) and keeps the same lock. The
soak fails when a run crashes (an exit code other than 0 or 3, or a traceback), gives a
wrong verdict (any status but "verified" or "could not verify", or any error) or leaves
a lock that does not load or whose entries differ from a clean run's answers.

    python scripts/soak.py [--runs 20] [--fault-rate 0.05] [--latency 0.01] [--seed 1]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
from bench_check import bib_for  # noqa: E402
from tests.emulator import start, synthetic_works  # noqa: E402

from citeproof.lock import Lock  # noqa: E402

N = 1000


def make_project(dest: Path) -> None:
    works = list(synthetic_works(N))
    half = N // 2
    (dest / "docs").mkdir(parents=True)
    (dest / "mkdocs.yml").write_text("site_name: Soak\nplugins:\n  - citeproof\n", encoding="utf-8")
    (dest / "references.bib").write_text(bib_for(works[:half]) + "\n" + bib_for(works[half:], pmids=False),
                                         encoding="utf-8")
    body = "".join(f"Finding {i} [@{w.key}].\n\n" for i, w in enumerate(works, 1))
    (dest / "docs" / "index.md").write_text("# Soak\n\n" + body, encoding="utf-8")


def run(project: Path, env: dict, deadline: float) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "citeproof.cli", "check", "--format", "json", "--max-age", "0",
                           "--timeout", "1", "--deadline", str(deadline), "--lock", str(project / "soak.lock.json")],
                          cwd=project, env=env, capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        report = {}
    return proc.returncode, report, proc.stderr


def answers(lock_path: Path) -> dict:
    """Every entry's records, without their retrieval times (those change from run to run)."""
    return {key: [{k: v for k, v in r.to_dict().items() if k != "retrieved"} for r in entry.records]
            for key, entry in Lock.load(lock_path).references.items()}


def faults_of(code: int, report: dict, stderr: str, lock: dict, clean: dict) -> list[str]:
    """What went wrong in one run (empty: nothing)."""
    out = []
    if code not in (0, 3) or "Traceback" in stderr or not report:
        out.append(f"crash: exit {code}: {stderr.strip()[-300:]}")
        return out
    statuses = report["summary"]["statuses"]
    wrong = {s: n for s, n in statuses.items() if s not in ("verified", "unavailable")}
    if wrong or report["summary"]["errors"]:
        out.append(f"wrong verdict: {wrong} / {report['summary']['errors']} errors")
    changed = [k for k, v in lock.items() if clean.get(k) != v]
    if changed:
        out.append(f"lock entries differ from a clean run's: {changed[:5]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--latency", type=float, default=0.01, help="emulator latency per answer (s)")
    parser.add_argument("--deadline", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("CITEPROOF_MAILTO", "NCBI_API_KEY")}
    problems, tally, started = [], Counter(), time.perf_counter()
    with start(n_synthetic=N, latency=args.latency, hang_seconds=1.5, retry_after="0") as emu, \
            tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        env.update(emu.env())
        project = Path(tmp)
        make_project(project)
        code, report, stderr = run(project, env, args.deadline)
        if code != 0:
            sys.exit(f"the clean run failed (exit {code}): {report.get('summary')}\n{stderr[-500:]}")
        clean = answers(project / "soak.lock.json")
        for i in range(args.runs):
            emu.reset()
            emu.set_random_faults(args.fault_rate, seed=args.seed + i)
            code, report, stderr = run(project, env, args.deadline)
            got = faults_of(code, report, stderr, answers(project / "soak.lock.json"), clean)
            problems += [f"run {i + 1}: {p}" for p in got]
            tally["requests"] += len(emu.requests)
            tally["faults"] += sum(emu.injected.values())
            tally[f"exit {code}"] += 1
            for status, n in (report.get("summary", {}).get("statuses") or {}).items():
                tally[status] += n
    wall = time.perf_counter() - started
    print(f"soak: {args.runs} runs x {N} references, {args.fault_rate:.0%} random faults, "
          f"latency {args.latency * 1000:.0f} ms, {wall:.0f} s in all")
    print(f"  requests {tally['requests']}, random faults {tally['faults']}, exits " + ", ".join(
        f"{k[5:]}: {v}" for k, v in sorted(tally.items()) if k.startswith("exit ")))
    print(f"  reference results: verified {tally['verified']}, could not verify {tally['unavailable']}")
    print("  crashes, wrong verdicts, damaged locks:", len(problems))
    for p in problems:
        print("   ", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
