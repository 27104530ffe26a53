#!/usr/bin/env python3
"""Run mkdocs, citeproof or pybtex's parse_file in this process with some of citeproof's
performance mechanisms turned off (for ``bench_ablation.py``):

    python scripts/_ablate.py [--off NAME,...] [--probe] [--report FILE] -- mkdocs build -q
    python scripts/_ablate.py [--off NAME,...] [--report FILE] -- citeproof check --offline
    python scripts/_ablate.py -- parse_file references.bib

Each NAME (see ``OFF``) is monkeypatched to the simplest code that does without it; then
the real entry point runs with the arguments after ``--``. ``--probe`` counts, without
changing anything, how often each mechanism was used. ``--report`` writes JSON on exit:
those counts (each patch counts its own calls, so the caller can check that it took
effect) and the peak RSS in MB of this process.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
from collections import Counter

COUNTS: Counter = Counter()
_BIB_FILES = ("bib-", "entries-")  # bibcache's own files (the page cache's are pages-*)


def _bib_cache(whole_only: bool):
    """bib-cache: no bib-*/entries-* file is read (a miss) or written: every build parses,
    formats and exports the whole bib, as on the first build. bib-hit (``whole_only``):
    only the whole formatted bib is never read back (its pickle is written as None); the
    per-chunk and per-entry records beside it are still written and used."""
    from types import SimpleNamespace

    from citeproof import bibcache, cachefile

    read, write = cachefile.read, cachefile.write

    def _read(path, which=1):
        if (path.name.startswith("bib-") and which == 1) if whole_only else path.name.startswith(_BIB_FILES):
            COUNTS["bib file read missed"] += 1
            return None
        return read(path, which)

    def _write(target, values, pattern, keep):
        if pattern.startswith(_BIB_FILES):
            COUNTS["bib file write dropped" if not whole_only else "bib pickle written as None"] += 1
            if not whole_only:
                return False
            if pattern.startswith("bib-"):
                values = (None, *values[1:])
        return write(target, values, pattern, keep)

    bibcache.cachefile = SimpleNamespace(**{**vars(cachefile), "read": _read, "write": _write})


def _chunks():
    """chunks: ``parse_bib_chunks`` parses the whole text every time (as it does itself
    when a @string ties chunks together) and remembers no chunk; each entry's digest is
    still taken, so the formatted records of unchanged entries are still reused."""
    from citeproof.bib import load

    def parse_bib_chunks(text, file, known=None, *, keep=None, all_entries=True):
        COUNTS["whole text parsed"] += 1
        result = load.parse_bib_text(text, file)
        keep = keep or load._nothing
        return result, {}, {key: keep(entry) for key, entry in result.data.entries.items()}

    load.parse_bib_chunks = parse_bib_chunks


def _page_cache():
    """page-cache: the page cache is never read or written: every page is rendered."""
    from citeproof.site import SiteCore

    def _cached(self, kind, make, cites, *inputs):
        COUNTS["page cache off"] += 1
        return make()

    SiteCore._cached = _cached


def _search_list():
    """search-list: the search reads the page with its full list (no plain-text stand-in
    for the list, none to put back afterwards)."""
    from citeproof.site import RenderedPage

    def indexed(self):
        COUNTS["full list indexed"] += bool(self.listing)
        return self.html

    RenderedPage.indexed = indexed
    RenderedPage.restored = lambda self, content: content


def _check_cache():
    """check-cache: the checker keeps no parsed bib (as ``--no-cache``): every check parses."""
    from citeproof import check

    real = check.load_checked_bib

    def load_checked_bib(path, cache_dir=None):
        COUNTS["check cache off"] += 1
        return real(path, None)

    check.load_checked_bib = load_checked_bib


OFF = {"bib-cache": lambda: _bib_cache(False), "bib-hit": lambda: _bib_cache(True), "chunks": _chunks,
       "page-cache": _page_cache, "search-list": _search_list, "check-cache": _check_cache}


def _count(owner, name: str, label, used=lambda result, *args: True) -> None:
    """Count ``owner.name``'s calls as ``label(...)`` when ``used(result, *args)``."""
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        result = original(*args, **kwargs)
        if used(result, *args):
            COUNTS[label if isinstance(label, str) else label(result, *args)] += 1
        return result

    setattr(owner, name, counted)


def _probe() -> None:
    """Count each mechanism's use, changing nothing (for an untimed run: it imports
    modules the run may not need)."""
    from types import SimpleNamespace

    from citeproof import bibcache, cachefile, checkcache
    from citeproof.bib import load
    from citeproof.site import RenderedPage, SiteCore

    counting = SimpleNamespace(**vars(cachefile))
    _count(counting, "read", lambda r, path, which=1: f"{path.name[:path.name.find('-')]} file "
           + ("hit" if r is not None else "miss"))
    bibcache.cachefile = checkcache.cachefile = counting
    _count(load, "parse_bib_chunks", "parse_bib_chunks calls")
    parse = load.parse_bib_text

    def parse_bib_text(text, file, entries=True):
        COUNTS["chars parsed"] += len(text)
        return parse(text, file, entries)

    load.parse_bib_text = parse_bib_text
    cached = SiteCore._cached

    def _cached(self, kind, make, *inputs, **kw):
        COUNTS["page cache lookups"] += 1
        return cached(self, kind, lambda: COUNTS.update(["page cache misses"]) or make(), *inputs, **kw)

    SiteCore._cached = _cached
    _count(RenderedPage, "indexed", "list stand-in placed", lambda r, page: bool(page.listing))


def _run(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "mkdocs":
        from mkdocs.__main__ import cli

        cli.main(args=args, prog_name="mkdocs")
    elif command == "citeproof":
        from citeproof.cli import main

        main.main(args=args, prog_name="citeproof")
    elif command == "parse_file":
        from pybtex.database import parse_file

        parse_file(args[0])
    else:
        sys.exit(f"_ablate.py: unknown command {command!r} (mkdocs, citeproof, parse_file)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--off", default="", help="mechanisms to turn off: " + ", ".join(OFF))
    ap.add_argument("--probe", action="store_true", help="count each mechanism's use")
    ap.add_argument("--report", help="write the counts and peak RSS here (JSON)")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command after --")
    if args.probe:
        _probe()
    for name in filter(None, args.off.split(",")):
        if name not in OFF:
            ap.error(f"unknown mechanism {name!r}: one of {', '.join(OFF)}")
        OFF[name]()
    code = 0
    try:
        _run(command)
    except SystemExit as exc:
        code = exc.code
    finally:
        if args.report:
            peak = {who: resource.getrusage(what).ru_maxrss / 1024 for who, what in
                    (("self", resource.RUSAGE_SELF), ("children", resource.RUSAGE_CHILDREN))}
            with open(args.report, "w", encoding="utf-8") as fh:
                json.dump({"counts": COUNTS, "peak_rss_mb": peak}, fh)
    sys.exit(code)


if __name__ == "__main__":
    main()
