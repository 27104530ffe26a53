"""Screenshots of the built article for the README's reader section: light, dark, mobile
and print, in headless Chromium (Debian's ``chromium``), with an open preview and a
highlighted entry where they show something.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]   # default: screenshots/ (gitignored)
"""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", tmp], cwd=ROOT, check=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=tmp))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            shots = {"light": dict(color_scheme="light"), "dark": dict(color_scheme="dark"),
                     "mobile": dict(color_scheme="light", viewport={"width": 390, "height": 844},
                                    is_mobile=True, has_touch=True, device_scale_factor=1)}
            for name, options in shots.items():
                page = browser.new_page(**{"viewport": {"width": 1200, "height": 900}, **options})
                page.goto(url, wait_until="networkidle")
                page.locator("a.cp-ref").nth(8).scroll_into_view_if_needed()
                page.locator("a.cp-ref").nth(8).focus()  # an open preview
                page.screenshot(path=str(out / f"{name}.png"))
                page.goto(url + "#ref-gordon2016", wait_until="networkidle")  # a highlighted entry
                page.screenshot(path=str(out / f"{name}-list.png"))
                page.close()
            page = browser.new_page(viewport={"width": 800, "height": 1100})
            page.emulate_media(media="print")
            page.goto(url, wait_until="networkidle")
            page.screenshot(path=str(out / "print.png"))
            page.locator("#ref-kim2017").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "print-list.png"))
            browser.close()
        server.shutdown()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
