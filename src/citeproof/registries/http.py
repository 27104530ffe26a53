"""One polite HTTP session for every registry: identity, rate limits, retries, limits.

This module knows HTTP, not any registry API. The registry modules ask it for
answers; it decides when a request may start (per-host rate limits and a global
deadline), retries only what is worth retrying, and turns every final failure
into :class:`RegistryUnavailable` with a short human reason that never carries
the NCBI ``api_key``.
"""
from __future__ import annotations

import email.utils
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping, Optional
from urllib.parse import urlsplit

import requests

from citeproof import __version__

PROJECT_URL = "https://github.com/citeproof/citeproof"
MAX_BYTES = 20 * 1024 * 1024
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # plus any other 5xx

_SECRET = re.compile(r"(api_key=)[^&\s'\"<>]*", re.IGNORECASE)


def redact(text: str) -> str:
    """Hide the value of every ``api_key=`` in ``text`` (URLs, messages)."""
    return _SECRET.sub(r"\1***", str(text))


class _RedactingFilter(logging.Filter):
    """urllib3 logs request lines (with their query) at DEBUG: hide any api_key there."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactingFilter())


def utc_now() -> str:
    """The current time as ISO 8601 UTC, to the second (``Record.retrieved``)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class RegistryUnavailable(Exception):
    """A registry could not be asked or did not answer usably. Never a verdict."""

    def __init__(self, reason: str):
        self.reason = redact(reason)
        super().__init__(self.reason)

    def __repr__(self) -> str:
        return f"RegistryUnavailable({self.reason!r})"


class RateLimit:
    """At most ``per_second`` request starts per second and ``max_concurrent`` in flight.

    Starts are spaced by ``1 / per_second`` (an interval limiter: no bursts), which
    stays inside any token-bucket or sliding-window policy of the same rate.
    Thread-safe; use :meth:`slot` as a context manager around one request.
    """

    def __init__(self, per_second: float, max_concurrent: int):
        if per_second <= 0 or max_concurrent < 1:
            raise ValueError("a rate limit needs per_second > 0 and max_concurrent >= 1")
        self.per_second = per_second
        self.max_concurrent = max_concurrent
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()
        self._sem = threading.BoundedSemaphore(max_concurrent)

    def __repr__(self) -> str:
        return f"RateLimit(per_second={self.per_second}, max_concurrent={self.max_concurrent})"

    def acquire(self, deadline: Optional[float] = None) -> bool:
        """Wait for a free slot; ``False`` if it would start after ``deadline`` (monotonic)."""
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._sem.acquire(timeout=timeout):
            return False
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            if deadline is not None and start > deadline:
                self._sem.release()
                return False
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)
        return True

    def release(self) -> None:
        self._sem.release()

    def delay(self) -> float:
        """Seconds until the next request may start by the rate (not counting the in-flight cap)."""
        with self._lock:
            return max(0.0, self._next - time.monotonic())


@dataclass
class Answer:
    """A complete HTTP answer, read in full (within the size cap)."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str  # redacted
    service: str  # human name of the registry, e.g. "Crossref"

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        """The body as JSON, or :class:`RegistryUnavailable` if it is not JSON."""
        try:
            return json.loads(self.content)
        except ValueError:
            kind = self.headers.get("Content-Type", "unknown type").split(";")[0]
            raise RegistryUnavailable(
                f"{self.service} sent an answer that is not valid JSON "
                f"(HTTP {self.status}, {kind}, {len(self.content)} bytes)") from None


@dataclass
class _Host:
    name: str
    limit: Optional[RateLimit] = None


@dataclass
class HttpClient:
    """One ``requests.Session`` for all registries, with the etiquette each one asks for.

    ``timeout`` is (connect, read) per request; ``deadline`` is an overall budget in
    seconds counted from construction, after which no new request starts (a request
    already running may still use its own timeout). ``progress`` (optional) is told
    ``(event, registry name, amount, reason)``: ``expect`` (requests a registry module
    plans), ``done`` (a request answered), ``wait`` (seconds before the next try or slot).
    """

    mailto: Optional[str] = None
    timeout: tuple[float, float] = (5.0, 30.0)
    deadline: Optional[float] = None
    max_bytes: int = MAX_BYTES
    max_retries: int = 3
    backoff: float = 0.5
    backoff_cap: float = 8.0
    requests: int = 0
    status_429: int = 0
    retries: int = 0
    progress: Optional[Callable[..., None]] = field(default=None, repr=False)
    _hosts: dict = field(default_factory=dict, repr=False)
    _session: "requests.Session" = field(default_factory=lambda: _new_session(), repr=False)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self._end = None if self.deadline is None else time.monotonic() + self.deadline
        self._session.headers["User-Agent"] = self.user_agent
        self._session.headers["Accept-Encoding"] = "gzip, deflate"

    @property
    def user_agent(self) -> str:
        mail = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"citeproof/{__version__} ({PROJECT_URL}{mail})"

    def register(self, base_url: str, name: str, limit: Optional[RateLimit] = None) -> None:
        """Name the host of ``base_url`` (for messages) and give it a rate limit."""
        self._hosts[urlsplit(base_url).netloc.lower()] = _Host(name, limit)

    def expect(self, base_url: str, n: int) -> None:
        """Tell the progress reporter that ``n`` requests to ``base_url``'s registry are coming."""
        if self.progress and n:
            self.progress("expect", self._host(base_url).name, n)

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc.lower()
        return self._hosts.get(netloc) or _Host(netloc)

    def remaining(self) -> Optional[float]:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self._end is None else self._end - time.monotonic()

    def close(self) -> None:
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, url: str, params=None, *, headers=None, follow_redirects: bool = True) -> Answer:
        return self.request("GET", url, params=params, headers=headers, follow_redirects=follow_redirects)

    def post(self, url: str, data=None, params=None) -> Answer:
        return self.request("POST", url, params=params, data=data)

    def _count(self, name: str, n: int = 1) -> None:
        with self._count_lock:
            setattr(self, name, getattr(self, name) + n)

    def request(self, method: str, url: str, *, params=None, data=None, headers=None,
                follow_redirects: bool = True) -> Answer:
        """Send one request, retrying transient failures; return any non-retryable answer.

        4xx answers other than 408/429 come back as :class:`Answer` for the caller to
        judge (a 404 can be a verdict). Connection errors, timeouts, 408, 429 and 5xx are
        retried with capped exponential backoff (``Retry-After`` honoured within the
        deadline); when the retries are spent it raises :class:`RegistryUnavailable`.
        ``headers`` are added to this request only; with ``follow_redirects=False`` a
        redirect comes back as an :class:`Answer`, so the caller vets (and rate-limits)
        each hop itself.
        """
        extra = {"headers": headers, "allow_redirects": follow_redirects}
        host = self._host(url)
        attempt, problem = 0, None
        while True:
            try:
                problem, wait = self._attempt(method, url, params, data, host, extra)
            except _DeadlinePassed:
                then = f"{problem}, and then" if problem else "not asked:"
                raise RegistryUnavailable(f"{host.name}: {then} the {self.deadline:g} s deadline passed") from None
            if isinstance(problem, Answer):
                if self.progress:
                    self.progress("done", host.name)
                return problem
            if attempt >= self.max_retries:
                raise RegistryUnavailable(f"{host.name}: {problem} (gave up after {attempt + 1} attempts)")
            wait = max(wait or 0.0, min(self.backoff_cap, self.backoff * 2 ** attempt))
            left = self.remaining()
            if left is not None and wait >= left:
                raise RegistryUnavailable(
                    f"{host.name}: {problem}; the next try would start after the {self.deadline:g} s deadline")
            if wait > 60 and left is None:
                raise RegistryUnavailable(f"{host.name}: {problem}; asked to wait {wait:.0f} s")
            if self.progress:
                self.progress("wait", host.name, wait, f"{problem}; retry {attempt + 1} of {self.max_retries}")
            time.sleep(wait)
            attempt += 1
            self._count("retries")

    def _attempt(self, method, url, params, data, host: _Host, extra: dict):
        """One try: an :class:`Answer` to return, or (problem sentence, Retry-After seconds)."""
        if self._end is not None and time.monotonic() >= self._end:
            raise _DeadlinePassed()
        if host.limit and self.progress and host.limit.delay() > 0.5:
            self.progress("wait", host.name, host.limit.delay(), "rate limit")
        if host.limit and not host.limit.acquire(self._end):
            raise _DeadlinePassed()
        try:
            self._count("requests")
            return self._send(method, url, params, data, host, extra), None
        except requests.exceptions.Timeout:
            return f"no answer within {self.timeout[1]:g} s", None
        except requests.exceptions.RequestException as exc:
            return _describe_connection_error(exc), None
        except _Retryable as exc:
            return exc.problem, exc.retry_after
        finally:
            if host.limit:
                host.limit.release()

    def _send(self, method, url, params, data, host: _Host, extra: dict) -> Answer:
        started = time.monotonic()
        budget = self.timeout[0] + self.timeout[1]
        with self._session.request(method, url, params=params, data=data,
                                   timeout=self.timeout, stream=True, **extra) as resp:
            size = int(resp.headers.get("Content-Length") or 0)
            if size > self.max_bytes:
                raise RegistryUnavailable(f"{host.name}: answer larger than the {_size(self.max_bytes)} cap")
            chunks, total = [], 0
            for chunk in resp.iter_content(65536):
                total += len(chunk)
                if total > self.max_bytes:
                    raise RegistryUnavailable(f"{host.name}: answer larger than the {_size(self.max_bytes)} cap")
                if time.monotonic() - started > budget:
                    raise requests.exceptions.ReadTimeout()
                chunks.append(chunk)
            status = resp.status_code
            if status == 429:
                self._count("status_429")
            if status in RETRY_STATUSES or 500 <= status <= 599:
                raise _Retryable(f"HTTP {status} {resp.reason or ''}".strip(),
                                 parse_retry_after(resp.headers.get("Retry-After")))
            return Answer(status, resp.headers, b"".join(chunks), redact(resp.url), host.name)


def _size(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n} bytes"


def _new_session() -> requests.Session:
    return requests.Session()


class _DeadlinePassed(Exception):
    """Internal: no request may start any more."""


class _Retryable(Exception):
    def __init__(self, problem: str, retry_after: Optional[float]):
        super().__init__(problem)
        self.problem, self.retry_after = problem, retry_after


def _describe_connection_error(exc: Exception) -> str:
    """A short sentence for a connection failure, without the URL (it may carry a key)."""
    text = repr(exc).lower()
    if "reset" in text or "remotedisconnected" in text or "aborted" in text:
        return "the connection was reset"
    if "refused" in text:
        return "the connection was refused"
    if "name or service" in text or "nodename" in text or "resolve" in text:
        return "the host name could not be resolved"
    if "chunkedencoding" in text or "incompleteread" in text:
        return "the answer was cut off"
    return "the connection failed"


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
