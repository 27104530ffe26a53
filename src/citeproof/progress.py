"""Progress of online work on stderr: which registry, batches done of expected, waits.

The HTTP client calls a :class:`Progress` (an optional callback in ``RegistryConfig``;
the registry modules never print). On a terminal the line is redrawn in place; in a log
(CI) a line is written at most every ``interval`` seconds, and only when something
changed. ``Progress(quiet=True)`` writes nothing. Every text is shown through
:func:`citeproof.visible.visible` (a server's reason for a wait is registry text), and a
stream that cannot be written (closed, a full disk) silences the progress: it is never
an error of the run.
"""
from __future__ import annotations

import threading
import time
from typing import TextIO

from .visible import visible


class Progress:
    """Counts per registry (``expect``/``done``) and the current wait, written to ``stream``."""

    def __init__(self, stream: TextIO, *, tty: bool = False, quiet: bool = False, interval: float = 5.0):
        self.stream, self.tty, self.quiet, self.interval = stream, tty, quiet, interval
        self.expected: dict[str, int] = {}
        self.finished: dict[str, int] = {}
        self.waiting = ""
        self._last = float("-inf")
        self._shown = ""
        self._broken = False
        self._lock = threading.Lock()

    def __call__(self, event: str, service: str, amount: float = 1, reason: str = "") -> None:
        """One event from the HTTP client: ``expect`` (``amount`` requests planned), ``done``
        (one answered), ``wait`` (``amount`` seconds, for ``reason``)."""
        with self._lock:
            if event == "expect":
                self.expected[service] = self.expected.get(service, 0) + int(amount)
            elif event == "done":
                self.finished[service] = self.finished.get(service, 0) + 1
                self.waiting = ""
            elif event == "wait":
                self.waiting = f"{service}: waiting {amount:.1f} s ({reason})"
            self._show()

    def line(self) -> str:
        parts = [f"{name} {self.finished.get(name, 0)}/{max(total, self.finished.get(name, 0))}"
                 for name, total in self.expected.items()]
        parts += [f"{name} {n}" for name, n in self.finished.items() if name not in self.expected]
        text = "asking registries: " + ", ".join(parts) if parts else "asking registries"
        return text + (f"; {self.waiting}" if self.waiting else "")

    def _show(self, force: bool = False) -> None:
        if self.quiet:
            return
        text = visible(self.line())
        now = time.monotonic()
        if self.tty:
            self._write("\r\033[K" + text)
        elif text != self._shown and (force or now - self._last >= self.interval):
            self._write(f"citeproof: {text}\n")
            self._last, self._shown = now, text

    def _write(self, text: str) -> None:
        """Write and flush; a stream that failed once (or is ``None``) is written no more."""
        if self._broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError, AttributeError):
            self._broken = True

    def notice(self, text: str) -> None:
        """A message that must be seen before the run's report (not silenced by ``quiet``,
        unless the stream failed)."""
        with self._lock:
            self._write(("\r\033[K" if self.tty and self._shown else "") + f"citeproof: {visible(text)}\n")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the live line (terminal) or write the last state (log)."""
        with self._lock:
            if self.quiet or not (self.expected or self.finished):
                return
            if self.tty:
                self._write("\r\033[K")
            else:
                self._show(force=True)
