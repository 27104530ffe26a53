#!/usr/bin/env python3
"""Benchmark whole `mkdocs build` runs with and without the citeproof plugin.

Two sites, each built N times with and without the plugin, interleaved (median wall
time, a fresh process each run, after one untimed warm-up build of each):

* the article site itself (docs/, references.bib, mkdocs.yml of this repo);
* a generated site: a 2,000-entry bib and 20 pages x 50 citations;
* the generated site again, each plugin build the first after a bib change (one
  title edited before it: the whole-bib cache misses, the per-entry records hit for all
  but the edited entry, so the bib is parsed again and one entry formatted);
* the generated site again, each plugin build the first ever (the cache directory
  removed before it: everything parsed, formatted and exported; no target).

Every build starts after the files of the one before (its site, the plugin's cache files)
were flushed to disk (``os.sync``, untimed), so no build pays for another's writes.

"Without the plugin" is the same pages and theme with the plugin removed (the
citation keys then stay as plain text). Target: the article <= 1.05x. The generated rows
have none: they show what a large bib costs, warm, after an edit and cold, so nothing is
hidden (``scripts/bench_ablation.py`` measures what each cache saves on them).

    python scripts/bench_build.py [--runs 5] [--json out.json] [--rows 2,3]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Builds as a user's repeated builds run: Python writes and reuses its bytecode caches
#: (``.pyc``), so the untimed warm-up builds warm them (``PYTHONDONTWRITEBYTECODE``, if the
#: caller sets it, would make every build compile its modules again, with the plugin more).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "NO_MKDOCS_2_WARNING": "1"}


def without_plugin(config: str) -> str:
    """The same mkdocs.yml minus the citeproof plugin entry (and its options)."""
    return re.sub(r"\n  - citeproof(:\n(    .*\n)*)?", "\n", config + "\n")


def copy_article(dest: Path) -> None:
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "overrides", dest / "overrides")  # mkdocs.yml's theme.custom_dir
    shutil.copy(ROOT / "references.bib", dest / "references.bib")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")


def generate_site(dest: Path, entries: int = 2000, pages: int = 20, cites: int = 50) -> None:
    rng = random.Random(20261127)
    bib = []
    for i in range(entries):
        bib.append(
            f"@article{{gen{i:04d},\n  author = {{Family{i}, A. B. and Other{i}, C.}},\n"
            f"  title = {{Synthetic study number {i} of walking and back pain}},\n"
            f"  journal = {{J Synth Res}},\n  year = {{{1990 + i % 35}}},\n  volume = {{{i % 60 + 1}}},\n"
            f"  number = {{{i % 12 + 1}}},\n  pages = {{{i % 900 + 1}--{i % 900 + 9}}},\n"
            f"  doi = {{10.5555/synth.{i:05d}}},\n  pmid = {{{30000000 + i}}}\n}}\n")
    (dest / "references.bib").write_text("\n".join(bib), encoding="utf-8")
    (dest / "docs").mkdir()
    nav = []
    for p in range(pages):
        lines = [f"# Page {p + 1}\n"]
        for c in range(cites):
            keys = rng.sample(range(entries), rng.choice((1, 1, 1, 2, 3)))
            group = "; ".join(f"@gen{k:04d}" for k in keys)
            lines.append(f"Sentence {c + 1} of page {p + 1} reports a finding about walking [{group}].\n")
        lines.append("## References\n\n\\bibliography\n")
        name = f"page{p + 1:02d}.md"
        (dest / "docs" / name).write_text("\n".join(lines), encoding="utf-8")
        nav.append(name)
    (dest / "docs" / "index.md").write_text("# Generated\n\nA benchmark site.\n", encoding="utf-8")
    (dest / "mkdocs.yml").write_text(
        "site_name: Generated\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - citeproof:\n      bib_file: references.bib\n", encoding="utf-8")


def timed_builds(site: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = Path(tempfile.mkdtemp(prefix="bench-out-"))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
                              cwd=site, env=ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        shutil.rmtree(out, ignore_errors=True)
        os.sync()  # untimed: this build's files reach the disk before the next build starts
        if proc.returncode != 0:
            sys.exit(f"build failed in {site}:\n{proc.stderr}")
    return times


def edit_bib(site: Path, run: int) -> None:
    """Change one title of the site's bib (a new one each run), as an author would."""
    bib = site / "references.bib"
    text = re.sub(r"(title = \{Synthetic study number 0 )(?:rev\d+ )?", rf"\g<1>rev{run} ",
                  bib.read_text(encoding="utf-8"), count=1)
    bib.write_text(text, encoding="utf-8")


def measure(name: str, make, runs: int, bib_changed: bool = False, cold: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        with_dir, without_dir = Path(tmp, "with"), Path(tmp, "without")
        with_dir.mkdir()
        make(with_dir)
        shutil.copytree(with_dir, without_dir)
        cfg = without_dir / "mkdocs.yml"
        cfg.write_text(without_plugin(cfg.read_text(encoding="utf-8")), encoding="utf-8")
        timed_builds(with_dir, 1)  # warm the OS caches, .pyc files and the bib cache, untimed
        timed_builds(without_dir, 1)
        with_times, without_times = [], []
        for run in range(runs):  # interleaved, so a slow spell of the machine hits both alike
            if bib_changed:
                edit_bib(with_dir, run)
            if cold:
                shutil.rmtree(with_dir / ".cache", ignore_errors=True)
            with_times += timed_builds(with_dir, 1)
            without_times += timed_builds(without_dir, 1)
        plugin, plain = statistics.median(with_times), statistics.median(without_times)
    return {"site": name, "with_plugin_s": round(plugin, 3), "without_plugin_s": round(plain, 3),
            "ratio": round(plugin / plain, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="builds per variant (median)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--rows", default="1,2,3,4", help="which rows to measure (e.g. 2,3)")
    args = parser.parse_args()
    wanted = {int(r) for r in args.rows.split(",")}
    plans = [("article (15 references)", copy_article, {}),
             ("generated (2,000 entries, 20 pages x 50 citations)", generate_site, {}),
             ("generated, first build after the bib changed", generate_site, {"bib_changed": True}),
             ("generated, first build ever (no cache)", generate_site, {"cold": True})]
    rows = [measure(name, make, args.runs, **kw) for n, (name, make, kw) in enumerate(plans, 1) if n in wanted]
    targets = {plans[0][0]: 1.05}
    print(f"mkdocs build, median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'site':55} {'plugin':>8} {'no plugin':>10} {'ratio':>6} {'target':>7}")
    for r in rows:
        target = targets.get(r["site"])
        ok = "" if target is None else "ok" if r["ratio"] <= target else "MISSED"
        print(f"{r['site']:55} {r['with_plugin_s']:8.2f} {r['without_plugin_s']:10.2f} "
              f"{r['ratio']:6.2f} {'<= ' + str(target) if target else '-':>7} {ok}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
