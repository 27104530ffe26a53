"""One polite HTTP session for every registry: identity, rate limits, retries, limits.

This module knows HTTP, not any registry API. The registry modules ask it for
answers; it decides when a request may start (per-host rate limits and a global
deadline), bounds how long one may take (a wall-clock budget that a watchdog
enforces by shutting the socket, whatever the server drips), follows redirects only
by GET and only on the same host (each hop rate-limited and counted), caps the size
and nesting of what it reads, retries only what is worth retrying, and turns every
final failure into :class:`RegistryUnavailable` with a short human reason that never
carries the NCBI ``api_key``.
"""
from __future__ import annotations

import email.utils
import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Union
from urllib.parse import urljoin, urlsplit

from citeproof import __version__

if TYPE_CHECKING:  # (imported with the first client: see transport.py)
    from requests import Session  # (in the class, `requests` is its request count)

    from .transport import Watchdog

PROJECT_URL = "https://github.com/citeproof/citeproof"
MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32  # JSON nesting; the deepest registry answer we read is about 8 levels
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # plus any other 5xx
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Starts are spaced this much wider than a policy's rate, so that a strict sliding-window
#: counter at the registry never sees one request too many when answers arrive unevenly.
RATE_MARGIN = 1.15

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

    Starts are spaced by ``RATE_MARGIN / per_second`` (an interval limiter: no bursts,
    and a margin for network jitter), which stays inside any token-bucket or strict
    sliding-window policy of the same rate.
    Thread-safe; use :meth:`slot` as a context manager around one request.
    """

    def __init__(self, per_second: float, max_concurrent: int):
        if per_second <= 0 or max_concurrent < 1:
            raise ValueError("a rate limit needs per_second > 0 and max_concurrent >= 1")
        self.per_second = per_second
        self.max_concurrent = max_concurrent
        self._interval = RATE_MARGIN / per_second
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
        """The body as JSON, or :class:`RegistryUnavailable` if it is not strict JSON
        (``NaN``/``Infinity`` and duplicated keys refused) or nests deeper than ``MAX_DEPTH``.
        A lone surrogate (``"\\ud800"``: legal JSON, but no text) is read as U+FFFD."""
        depth = json_depth(self.content)
        if depth > MAX_DEPTH:
            raise RegistryUnavailable(f"{self.service} sent JSON nested {depth} levels deep "
                                      f"(more than the {MAX_DEPTH} allowed)")
        try:
            data = json.loads(self.content, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
            return _without_surrogates(data) if _MAYBE_SURROGATE.search(self.content) else data
        except ValueError:
            kind = self.headers.get("Content-Type", "unknown type").split(";")[0]
            raise RegistryUnavailable(
                f"{self.service} sent an answer that is not valid JSON "
                f"(HTTP {self.status}, {kind}, {len(self.content)} bytes)") from None


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(content: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), in linear time."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(_JSON_STRING.sub(b"", content)):
        depth += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


#: A surrogate as JSON can spell it: an escape, or (json reads bytes with "surrogatepass")
#: its three bytes; a pair makes one character, so only a lone one is left in the text.
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value):
    """``value`` (decoded JSON, at most ``MAX_DEPTH`` deep) with each lone surrogate in its
    strings and keys replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return out


@dataclass(frozen=True)
class Identity:
    """Whom a request speaks for: a registry's label (in messages and progress), its rate
    limit (one ``RateLimit`` may serve several registries whose published policy says they
    share it), and whether the User-Agent carries the mailto (only the registry that asks
    for it). It goes by registry, never by host: registries behind one mirror or proxy
    keep their own."""

    name: str
    limit: Optional[RateLimit] = None
    identify: bool = False




@dataclass
class HttpClient:
    """One ``requests.Session`` for all registries, with the etiquette each one asks for.

    ``timeout`` is (connect, read) per request, and the larger of the two is also each
    request's wall-clock budget, from the first byte sent to the last byte read;
    ``deadline`` is an overall budget in seconds counted from construction, after which
    no new request starts. So a run ends within ``deadline`` plus one timeout.
    ``progress`` (optional) is told ``(event, registry name, amount, reason)``: ``expect``
    (requests a registry module plans), ``done`` (a request answered), ``wait`` (seconds
    before the next try or slot).
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
    _identities: dict[str, Identity] = field(default_factory=dict, repr=False)
    _session: Session = field(default_factory=lambda: _new_session(), repr=False)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self._end = None if self.deadline is None else time.monotonic() + self.deadline
        self._session.headers["User-Agent"] = self._agent(False)
        self._session.headers["Accept-Encoding"] = "gzip, deflate"

    @property
    def user_agent(self) -> str:
        """The User-Agent sent to a registry that asks for the mailto (Crossref)."""
        return self._agent(True)

    def _agent(self, identify: bool) -> str:
        mail = f"; mailto:{self.mailto}" if self.mailto and identify else ""
        return f"citeproof/{__version__} ({PROJECT_URL}{mail})"

    @property
    def budget(self) -> float:
        """Seconds one request may take in all (connect, headers, body)."""
        return max(self.timeout)

    def register(self, key: str, name: str, limit: Optional[RateLimit] = None,
                 identify: bool = False) -> None:
        """Declare registry ``key``'s identity: its label (for messages), its rate limit, and
        whether it gets the mailto in the User-Agent (see :meth:`speaking_for`)."""
        self._identities[key] = Identity(name, limit, identify)

    def speaking_for(self, key: str) -> "Speaking":
        """This client, sending every request as registry ``key`` (an unregistered key: its
        own name, no limit, no mailto)."""
        return Speaking(self, self._identities.get(key) or Identity(key))

    def concurrency(self, url: str, identity: Optional[Identity] = None) -> int:
        """How many requests at once the identity allows (1 when it has no limit)."""
        host = self._host(url, identity)
        return host.limit.max_concurrent if host.limit else 1

    def expect(self, base_url: str, n: int, identity: Optional[Identity] = None) -> None:
        """Tell the progress reporter that ``n`` requests of this registry are coming."""
        if self.progress and n:
            self.progress("expect", self._host(base_url, identity).name, n)

    def _host(self, url: str, identity: Optional[Identity] = None) -> Identity:
        """The identity a request speaks with: the one given, else its host's name alone."""
        return identity or Identity(urlsplit(url).netloc.lower())

    def map(self, url: str, ask, batches: list, identity: Optional[Identity] = None) -> list:
        """``[ask(b) for b in batches]``, as many at a time as the identity allows."""
        workers = min(self.concurrency(url, identity), len(batches))
        if workers <= 1:
            return [ask(b) for b in batches]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(ask, batches))

    def remaining(self) -> Optional[float]:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self._end is None else self._end - time.monotonic()

    def close(self) -> None:
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, url: str, params=None, *, headers=None, follow_redirects: bool = True,
            identity: Optional[Identity] = None) -> Answer:
        return self.request("GET", url, params=params, headers=headers, follow_redirects=follow_redirects,
                            identity=identity)

    def post(self, url: str, data=None, params=None, identity: Optional[Identity] = None) -> Answer:
        return self.request("POST", url, params=params, data=data, identity=identity)

    def _count(self, name: str, n: int = 1) -> None:
        with self._count_lock:
            setattr(self, name, getattr(self, name) + n)

    def request(self, method: str, url: str, *, params=None, data=None, headers=None,
                follow_redirects: bool = True, identity: Optional[Identity] = None) -> Answer:
        """Send one request, retrying transient failures; return any non-retryable answer.

        4xx answers other than 408/429 come back as :class:`Answer` for the caller to
        judge (a 404 can be a verdict). Connection errors, timeouts, 408, 429 and 5xx are
        retried with capped exponential backoff (``Retry-After`` honoured within the
        deadline); when the retries are spent it raises :class:`RegistryUnavailable`.
        ``headers`` are added to this request only. Redirects are followed only for a GET
        and only on the same scheme and host, each hop a request of its own (rate-limited
        and counted); any other redirect raises :class:`RegistryUnavailable` (a POST is
        never re-sent). With ``follow_redirects=False`` a redirect comes back as an
        :class:`Answer`, so the caller vets each hop itself. ``identity``: whom the request
        speaks for (see :meth:`speaking_for`).
        """
        answer = self._with_retries(method, url, params, data, headers, identity)
        for _ in range(MAX_REDIRECTS):
            if not follow_redirects or answer.status not in REDIRECTS:
                return answer
            url = self._same_host_target(method, url, answer)
            answer = self._with_retries(method, url, None, None, headers, identity)
        if follow_redirects and answer.status in REDIRECTS:
            raise RegistryUnavailable(f"{answer.service}: more than {MAX_REDIRECTS} redirects")
        return answer

    def _same_host_target(self, method: str, url: str, answer: Answer) -> str:
        """Where a redirect may be followed, or :class:`RegistryUnavailable` naming why not."""
        target = urljoin(url, str(answer.headers.get("Location") or "").strip())
        here, there = urlsplit(url), urlsplit(target)
        if method != "GET":
            raise RegistryUnavailable(f"{answer.service} redirected a {method} (HTTP {answer.status}); "
                                      "it is not sent again")
        if (there.scheme.lower(), there.netloc.lower()) != (here.scheme.lower(), here.netloc.lower()):
            raise RegistryUnavailable(f"{answer.service} redirected to another host "
                                      f"({there.netloc or 'none'}); not followed")
        return target

    def _with_retries(self, method: str, url: str, params, data, headers, identity) -> Answer:
        extra = {"headers": headers}
        host = self._host(url, identity)
        if host.identify and self.mailto:
            extra["headers"] = {**(headers or {}), "User-Agent": self.user_agent}
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

    def _attempt(self, method, url, params, data, host: Identity, extra: dict):
        """One try: an :class:`Answer` to return, or (problem sentence, Retry-After seconds)."""
        if self._end is not None and time.monotonic() >= self._end:
            raise _DeadlinePassed()
        if host.limit and self.progress and host.limit.delay() > 0.5:
            self.progress("wait", host.name, host.limit.delay(), "rate limit")
        if host.limit and not host.limit.acquire(self._end):
            raise _DeadlinePassed()
        from .transport import FAILURES, TIMEOUTS, Watchdog

        watchdog = Watchdog(self.budget)
        try:
            self._count("requests")
            with watchdog:
                return self._send(method, url, params, data, host, extra, watchdog), None
        except FAILURES as exc:
            if watchdog.expired or isinstance(exc, TIMEOUTS):
                return f"no complete answer within {self.budget:g} s", None
            return _describe_connection_error(exc), None
        except _Retryable as exc:
            return exc.problem, exc.retry_after
        finally:
            if host.limit:
                host.limit.release()

    def _send(self, method, url, params, data, host: Identity, extra: dict, watchdog: Watchdog) -> Answer:
        with self._session.request(method, url, params=params, data=data, timeout=self.timeout,
                                   stream=True, allow_redirects=False, **extra) as resp:
            try:
                size = int(resp.headers.get("Content-Length") or 0)
            except ValueError:
                size = 0
            if size > self.max_bytes:
                raise RegistryUnavailable(f"{host.name}: answer larger than the {_size(self.max_bytes)} cap")
            chunks, total = [], 0
            for chunk in resp.iter_content(65536):
                total += len(chunk)
                if total > self.max_bytes:
                    raise RegistryUnavailable(f"{host.name}: answer larger than the {_size(self.max_bytes)} cap")
                chunks.append(chunk)
            if watchdog.expired:
                raise TimeoutError("the watchdog shut the socket")  # (an OSError: a failure, timed out)
            status = resp.status_code
            if status == 429:
                self._count("status_429")
            if status in RETRY_STATUSES or 500 <= status <= 599:
                raise _Retryable(f"HTTP {status} {resp.reason or ''}".strip(),
                                 parse_retry_after(resp.headers.get("Retry-After")))
            return Answer(status, resp.headers, b"".join(chunks), redact(resp.url), host.name)


class Speaking:
    """An :class:`HttpClient` sending every request as one registry (its identity): what a
    registry module's fetch and search receive. Everything else is the client's."""

    def __init__(self, client: HttpClient, identity: Identity) -> None:
        object.__setattr__(self, "client", client)
        object.__setattr__(self, "identity", identity)

    def get(self, url: str, params=None, *, headers=None, follow_redirects: bool = True) -> Answer:
        return self.client.get(url, params, headers=headers, follow_redirects=follow_redirects,
                               identity=self.identity)

    def post(self, url: str, data=None, params=None) -> Answer:
        return self.client.post(url, data, params, identity=self.identity)

    def map(self, url: str, ask, batches: list) -> list:
        return self.client.map(url, ask, batches, self.identity)

    def expect(self, base_url: str, n: int) -> None:
        self.client.expect(base_url, n, self.identity)

    def concurrency(self, url: str) -> int:
        return self.client.concurrency(url, self.identity)

    def __getattr__(self, name: str):
        return getattr(self.client, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.client, name, value)


#: What a registry module's functions take: the client, or the client speaking as one registry.
Client = Union[HttpClient, Speaking]


def _size(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n} bytes"


def _new_session() -> Session:
    from .transport import new_session  # (requests is imported with the first client)

    return new_session()


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
