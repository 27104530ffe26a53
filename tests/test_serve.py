"""`mkdocs serve` rebuilds when only references.bib changes; the bib is parsed once per change."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html import unescape
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

import citeproof.site as site_mod
from scratch import ROOT, copy_article


def copy_site(dest: Path) -> Path:
    """A scratch copy of the frozen article fixture's site (docs, theme overrides, bib, mkdocs.yml)."""
    return copy_article(dest, parts=("docs", "overrides", "references.bib", "mkdocs.yml"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode("utf-8")


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


@pytest.mark.slow
def test_serve_rebuilds_when_only_the_bib_changes(tmp_path):
    site = copy_site(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=site, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: "cp-bibliography" in fetch(url), 60, "the first build")
        bib = site / "references.bib"
        bib.write_text(bib.read_text(encoding="utf-8").replace(
            "The effect of lumbar stabilization", "EDITED effect of lumbar stabilization", 1), encoding="utf-8")
        wait_for(lambda: "EDITED effect of lumbar stabilization" in fetch(url), 30,
                 "a rebuild after editing references.bib")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_bib_is_parsed_and_formatted_once_per_change(tmp_path, monkeypatch):
    site = copy_site(tmp_path)
    calls = {"load": 0}
    real_load = site_mod.load_formatted_bib

    def counting_load(*a, **k):
        calls["load"] += 1
        return real_load(*a, **k)

    monkeypatch.setattr(site_mod, "load_formatted_bib", counting_load)
    monkeypatch.chdir(site)
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    config.plugins.on_startup(command="serve", dirty=False)
    for _ in range(3):  # what `mkdocs serve` does on each rebuild: same plugin instance
        config.plugins.run_event("config", config)
        build(config)
    assert calls == {"load": 1}
    # a change to the bib is picked up on the next build
    bib = site / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(bib, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    config.plugins.run_event("config", config)
    build(config)
    assert calls == {"load": 2}


def serve(site: Path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=site, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    return proc, f"http://127.0.0.1:{port}/"


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.slow
def test_serve_shows_problems_on_the_page_and_a_missing_bib_as_a_notice(tmp_path):
    site = copy_site(tmp_path)
    page = site / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("[@kim2017]", "[@kim2071]", 1), encoding="utf-8")
    proc, url = serve(site)
    try:
        html = wait_for(lambda: (t := fetch(url)) and "cp-serve-notice" in t and t, 60, "the notice")
        notice = html.split('class="cp-serve-notice"', 1)[1].split("</div>", 1)[0]
        assert re.search(r"docs/index\.md:\d+</code> error: .*kim2071", notice), notice
        (site / "references.bib").write_text("@article{broken,\n  title = {unclosed\n", encoding="utf-8")
        wait_for(lambda: "references.bib" in fetch(url).split("cp-serve-notice", 1)[-1].split("</div>")[0],
                 30, "the notice of the broken bib")
        (site / "references.bib").unlink()
        started = time.monotonic()
        missing = wait_for(lambda: "the bib file does not exist" in fetch(url).split("cp-serve-notice", 1)[-1],
                           30, "the notice of the missing bib (not a hang)")
        assert missing and time.monotonic() - started < 30
    finally:
        stop(proc)


def test_a_built_site_never_has_the_notice(tmp_path):
    site = copy_site(tmp_path)
    page = site / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("[@kim2017]", "[@kim2071]", 1), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=site, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0 and "kim2071" in proc.stderr
    assert "cp-serve-notice" not in (site / "site" / "index.html").read_text(encoding="utf-8")


def test_make_serve_on_a_busy_port_says_so_in_one_line(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(["make", "-s", "serve", f"PORT={port}"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    ours = [line for line in proc.stderr.splitlines() if line.startswith("make serve:")]
    assert proc.returncode != 0 and len(ours) == 1 and "Traceback" not in proc.stderr
    assert f"127.0.0.1:{port}" in ours[0] and "make serve PORT=" in ours[0]


# --------------------------------------------------------------------------- the notice (issue 18, items 5 and 6)

def serve_build(site: Path, monkeypatch) -> str:
    """The page as ``mkdocs serve`` serves it (one build of a serve session, in-process)."""
    monkeypatch.chdir(site)
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "served"))
    config.plugins.on_startup(command="serve", dirty=False)
    config.plugins.run_event("config", config)
    build(config)
    return (site / "served" / "index.html").read_text(encoding="utf-8")


def notice_items(html: str) -> list[str]:
    """Each item of the page's serve notice, as text: ``file:line severity: message``."""
    if "cp-serve-notice" not in html:
        return []
    notice = html.split('class="cp-serve-notice"', 1)[1].split("</div>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>", notice, re.S)]


def test_the_notice_shows_errors_only_and_info_lines_stay_in_the_terminal(tmp_path, monkeypatch):
    from citeproof.model import Problem
    info = Problem("missing-identifier", "warning", "no DOI or PMID", file="references.bib", line=3)
    assert site_mod.serve_notice([info]) == ""  # the build logs it as INFO
    site = copy_site(tmp_path)  # the clean article: its one bib warning is an INFO line
    assert notice_items(serve_build(site, monkeypatch)) == []
    page = site / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("[@kim2017]", "[@kim2071]", 1), encoding="utf-8")
    items = notice_items(serve_build(site, monkeypatch))
    assert len(items) == 1 and " error: " in items[0] and "kim2071" in items[0], items


def test_the_notice_shows_undeclared_changes_and_a_stale_note_as_check_reports_them(tmp_path, monkeypatch):
    from citeproof.edition import check_edition
    site = copy_article(tmp_path)
    page = site / "docs" / "index.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("Lee and Kang demonstrated", "Lee and Kang showed"), encoding="utf-8")
    changes = site / "edition" / "changes.yml"
    changes.write_text(changes.read_text(encoding="utf-8").replace("name on the record", "name as on the record"),
                       encoding="utf-8")
    monkeypatch.chdir(site)
    checked = [f"{p.location()} error: {p.message}" for p in check_edition(Path("."))]
    assert sorted(p.split(" error: ")[0].split(":")[0] for p in checked) == ["docs/index.md"] * 2
    items = notice_items(serve_build(site, monkeypatch))
    assert sorted(items) == sorted(checked) and any("[stale-note]" not in i and "editorial note" in i for i in items)


def test_a_changes_yml_that_cannot_be_used_is_in_the_notice_at_its_line(tmp_path, monkeypatch):
    site = copy_article(tmp_path)
    changes = site / "edition" / "changes.yml"
    text = changes.read_text(encoding="utf-8")
    changes.write_text(text.replace("    kind: correction\n", "    kind: corection\n", 1), encoding="utf-8")
    line = text[:text.index("    kind: correction\n")].count("\n") + 1
    items = notice_items(serve_build(site, monkeypatch))  # serving goes on
    assert [i for i in items if "edition/changes.yml" in i.split(" ")[0]] == [
        f"edition/changes.yml:{line} error: change 1 needs kind: correction, kind: addition or kind: removal"]


def test_serve_watches_the_bib_the_lock_and_the_edition_record(tmp_path, monkeypatch):
    """A live server rebuilds when changes.yml (or anything in the edition folder) changes,
    as when the bib or the lock does: each is watched beside the pages."""
    site = copy_article(tmp_path)
    monkeypatch.chdir(site)
    config = load_config(str(site / "mkdocs.yml"))
    plugin = config.plugins["citeproof"]
    plugin.on_startup(command="serve", dirty=False)
    config = plugin.on_config(config)
    watched: list[Path] = []

    class Server:
        def watch(self, path):
            watched.append(Path(path).resolve())
    plugin.on_serve(Server(), config=config, builder=None)
    edition = site / "edition"
    assert (edition / "changes.yml").is_file()
    assert set(watched) == {(site / name).resolve() for name in ("references.bib", "citations.lock.json", "edition")}
