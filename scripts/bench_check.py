#!/usr/bin/env python3
"""Benchmark `citeproof check` against the local registry emulator.

The emulator answers with 100 ms latency and enforces the published rate limits
(Crossref public pool: 5 requests/s, 1 at a time; NCBI without a key: 3/s). No
mailto is set, so citeproof stays in Crossref's public pool. For 15 and 1,000
references it runs a cold check (no lock), then a warm one (fresh lock), and a
naive checker that sends one request per identifier (as most checkers do),
retrying 429s after Retry-After.

The naive checker at 1,000 references would take minutes; by default it runs on
the first --naive-sample references and its figures are extrapolated (and labelled
so). Then 1,000 references with DOIs and no PMIDs (each PMID found by esearch), once
in the public pools (no mailto, no NCBI key) and once in the polite ones (mailto and
an NCBI key). Targets: 15 references in <= 4 requests; 1,000 in <= 25 requests, no
429, <= 5 s; warm runs: 0 requests; DOI-only: public <= 25 requests, no 429, <= 5 s,
polite <= 2.5 s.

    python scripts/bench_check.py [--latency 0.1] [--naive-sample 100] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.emulator import start, synthetic_works  # noqa: E402
from tests.emulator.fixtures import EMU_ABBREV  # noqa: E402


def bib_for(works, pmids: bool = True) -> str:
    """BibTeX entries matching the emulator's synthetic works."""
    out = []
    for w in works:
        authors = " and ".join(f"{a.split()[0]}, {'. '.join(a.split()[1])}." for a in w.authors)
        fields = [f"author = {{{authors}}}", f"title = {{{w.title}}}", f"journal = {{{EMU_ABBREV}}}",
                  f"year = {{{w.year}}}", f"volume = {{{w.volume}}}", f"number = {{{w.issue}}}",
                  f"pages = {{{w.pages.replace('-', '--')}}}", f"doi = {{{w.doi}}}"]
        if w.pmid and pmids:
            fields.append(f"pmid = {{{w.pmid}}}")
        out.append(f"@article{{{w.key},\n  " + ",\n  ".join(fields) + "\n}\n")
    return "\n".join(out)


def make_project(dest: Path, n: int, pmids: bool = True) -> list[tuple[str, str]]:
    """A docs/ + references.bib project of n references (``pmids=False``: DOIs only);
    returns their (doi, pmid) pairs."""
    (dest / "docs").mkdir(parents=True)
    (dest / "mkdocs.yml").write_text("site_name: Bench\nplugins:\n  - citeproof\n", encoding="utf-8")
    if n == 15:
        shutil.copy(ROOT / "references.bib", dest / "references.bib")
        shutil.copytree(ROOT / "docs", dest / "docs", dirs_exist_ok=True)
        from citeproof.bib import load_bib
        refs = load_bib(dest / "references.bib").references.values()
        return [(r.doi, r.pmid) for r in refs]
    works = list(synthetic_works(n))
    (dest / "references.bib").write_text(bib_for(works, pmids), encoding="utf-8")
    body = "".join(f"Finding {i} [@{w.key}].\n\n" for i, w in enumerate(works, 1))
    (dest / "docs" / "index.md").write_text("# Bench\n\n" + body, encoding="utf-8")
    return [(w.doi, w.pmid) for w in works]


def run_citeproof(project: Path, env: dict, emu) -> dict:
    before, before_429 = len(emu.requests), sum(emu.status_429.values())
    start_t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "citeproof.cli", "check", "--format", "json",
                           "--lock", str(project / "bench.lock.json")],
                          cwd=project, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start_t
    report = json.loads(proc.stdout)
    bad = {k: v for k, v in report["summary"]["statuses"].items() if k not in ("verified", "no-identifier")}
    if proc.returncode != 0 or bad:
        sys.exit(f"citeproof check failed (exit {proc.returncode}): {report['summary']}\n{proc.stderr}")
    return {"requests": len(emu.requests) - before, "status_429": sum(emu.status_429.values()) - before_429,
            "wall_s": round(wall, 2), "exit": proc.returncode}


def run_naive(pairs, emu, sample: int) -> dict:
    """One request per identifier, one after another; a 429 is retried after Retry-After."""
    subset = pairs[:sample]
    session = requests.Session()
    sent = throttled = 0
    start_t = time.perf_counter()
    for doi, pmid in subset:
        urls = []
        if doi:
            urls.append(f"{emu.crossref_url}/works/{quote(doi, safe='')}")
        if pmid:
            urls.append(f"{emu.eutils_url}/esummary.fcgi?db=pubmed&retmode=json&id={pmid}")
        for url in urls:
            for _attempt in range(6):
                sent += 1
                resp = session.get(url, timeout=10)
                if resp.status_code != 429:
                    break
                throttled += 1
                time.sleep(float(resp.headers.get("Retry-After", "1")))
    wall = time.perf_counter() - start_t
    scale = len(pairs) / len(subset)
    return {"requests": round(sent * scale), "status_429": round(throttled * scale),
            "wall_s": round(wall * scale, 1), "measured_on": len(subset)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.1, help="emulator latency per answer (s)")
    parser.add_argument("--naive-sample", type=int, default=100,
                        help="references the naive checker really runs at 1,000 (rest extrapolated)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    rows = []
    public = {k: v for k, v in os.environ.items() if k not in ("CITEPROOF_MAILTO", "NCBI_API_KEY")}
    with start(n_synthetic=1000, latency=args.latency) as emu:
        public.update(emu.env())
        polite = {**public, "CITEPROOF_MAILTO": "bench@example.org", "NCBI_API_KEY": "bench-key"}
        for n in (15, 1000):
            with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
                project = Path(tmp)
                pairs = make_project(project, n)
                cold, warm = cold_and_warm(project, public, emu, args.latency)
                emu.reset()
                emu.latency = args.latency
                naive = run_naive(pairs, emu, n if n <= args.naive_sample else args.naive_sample)
                rows.append({"references": n, "cold": cold, "warm": warm, "naive": naive})
        doi_only = {}
        for pool, env in (("public", public), ("polite", polite)):
            with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
                make_project(Path(tmp), 1000, pmids=False)
                doi_only[pool] = cold_and_warm(Path(tmp), env, emu, args.latency)[0]
    print_table(rows, doi_only, args)
    targets = [rows[0]["cold"]["requests"] <= 4, rows[1]["cold"]["requests"] <= 25,
               rows[1]["cold"]["status_429"] == 0, rows[1]["cold"]["wall_s"] <= 5,
               rows[0]["warm"]["requests"] == 0, rows[1]["warm"]["requests"] == 0,
               doi_only["public"]["requests"] <= 25, doi_only["public"]["status_429"] == 0,
               doi_only["public"]["wall_s"] <= 5, doi_only["polite"]["wall_s"] <= 2.5,
               doi_only["polite"]["status_429"] == 0]
    print("targets (15 <= 4 requests; 1,000 <= 25 requests, no 429, <= 5 s; warm 0 requests; "
          "DOI-only public <= 25 requests, no 429, <= 5 s; polite <= 2.5 s):",
          "all met" if all(targets) else "MISSED")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "doi_only": doi_only}, indent=2) + "\n",
                             encoding="utf-8")


def cold_and_warm(project: Path, env: dict, emu, latency: float) -> tuple[dict, dict]:
    """A check with no lock, then one with the lock it wrote."""
    emu.reset()
    emu.latency = latency
    return run_citeproof(project, env, emu), run_citeproof(project, env, emu)


def print_table(rows: list, doi_only: dict, args) -> None:
    print(f"citeproof check vs a naive checker; emulator latency {args.latency * 1000:.0f} ms, "
          "published rate limits, Crossref public pool (no mailto)")
    print(f"{'refs':>5} {'run':<34} {'requests':>9} {'429s':>5} {'wall s':>7}")
    for r in rows:
        for name in ("cold", "warm", "naive"):
            m = r[name]
            label = {"cold": "citeproof, cold", "warm": "citeproof, warm (lock)",
                     "naive": "naive, 1 req/identifier"}[name]
            if name == "naive" and m["measured_on"] != r["references"]:
                label += " (*)"
            print(f"{r['references']:>5} {label:<34} {m['requests']:>9} {m['status_429']:>5} {m['wall_s']:>7}")
    for pool, m in doi_only.items():
        label = f"DOI-only, cold, {pool} pools"
        print(f"{1000:>5} {label:<34} {m['requests']:>9} {m['status_429']:>5} {m['wall_s']:>7}")
    if any(r["naive"]["measured_on"] != r["references"] for r in rows):
        print(f"(*) measured on the first {args.naive_sample} references, scaled linearly")


if __name__ == "__main__":
    main()
