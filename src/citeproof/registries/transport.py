"""The sockets under :class:`~citeproof.registries.http.HttpClient`: a requests session
whose connections a watchdog can shut, and which looks host names up within the
request's budget.

It is imported when the first client is made (``http._new_session``), so a run that
asks no registry (``check --offline``, a site build) never imports requests or urllib3.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time

import requests
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from requests.adapters import HTTPAdapter

#: What a failed request raises (a socket the watchdog shut is an ``OSError``)
FAILURES = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError)
#: Those that mean the answer did not come in time
TIMEOUTS = (requests.exceptions.Timeout, TimeoutError)


class Watchdog:
    """Shuts the socket of the request running in this thread when its budget is spent.

    Per-read timeouts never fire on a server that drips one byte a second or sends
    endless ``100 Continue`` lines; shutting the socket from a timer ends any of those.
    """

    local = threading.local()

    def __init__(self, budget: float):
        self.budget, self.expired, self._conn, self._sock = budget, False, None, None
        self._lock = threading.Lock()
        self._timer = threading.Timer(budget, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        Watchdog.local.current = self
        self.started = time.monotonic()
        self._timer.start()
        return self

    def left(self) -> float:
        """Seconds left of this request's budget."""
        return max(0.0, self.budget - (time.monotonic() - self.started))

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        Watchdog.local.current = None

    def attach(self, conn) -> None:
        """The connection the request uses; called again once it has connected. Its socket
        is kept: an answer that ends when the server closes (no Content-Length) takes the
        socket from the connection (``conn.sock`` is then None) and reads it to the end."""
        with self._lock:
            self._conn = conn
            self._sock = getattr(conn, "sock", None) or self._sock
        if self.expired:
            self._fire()

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sock = getattr(self._conn, "sock", None) or self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _WatchedConnection:
    """Mixin: a pooled connection tells the running request's watchdog it is in use, and
    resolves its host name within what is left of the request's budget."""

    def request(self, *args, **kwargs):
        watchdog = getattr(Watchdog.local, "current", None)
        if watchdog is not None:
            watchdog.attach(self)
        return super().request(*args, **kwargs)

    def connect(self):
        super().connect()
        watchdog = getattr(Watchdog.local, "current", None)
        if watchdog is not None:
            watchdog.attach(self)  # (now with its socket)

    def _new_conn(self):
        """A new connection, its host's addresses looked up within the budget (a resolver
        that never answers would otherwise hold the request before any socket exists for
        the watchdog to shut), each address tried in turn as ``create_connection`` does."""
        host = self._dns_host
        watchdog = getattr(Watchdog.local, "current", None)
        seconds = watchdog.left() if watchdog is not None else max(t for t in (self.timeout, 30.0)
                                                                   if isinstance(t, (int, float)))
        addresses = [host] if _is_address(host) else _resolve(host, self.port, seconds, self)
        failure = None
        for address in addresses:
            self._dns_host = address
            try:
                return super()._new_conn()
            except urllib3.exceptions.NewConnectionError as exc:
                failure = exc
            finally:
                self._dns_host = host
        raise failure or urllib3.exceptions.NameResolutionError(host, self, socket.gaierror("no address"))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _resolve(host: str, port, seconds: float, conn) -> list[str]:
    """``host``'s addresses, looked up in a daemon thread that is abandoned (never waited
    for) when it takes longer than ``seconds``."""
    found: dict = {}
    done = threading.Event()

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            found["error"] = exc
        done.set()

    threading.Thread(target=lookup, daemon=True, name="citeproof-resolve").start()
    if not done.wait(seconds):
        raise urllib3.exceptions.NameResolutionError(
            host, conn, socket.gaierror(f"no answer from the resolver within {seconds:g} s"))
    if "error" in found:
        raise urllib3.exceptions.NameResolutionError(host, conn, found["error"])
    return list(dict.fromkeys(info[4][0] for info in found["infos"]))


class _HTTPConnection(_WatchedConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose connections a :class:`Watchdog` can shut."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def new_session() -> requests.Session:
    """A session whose connections a :class:`Watchdog` can shut."""
    session = requests.Session()
    for prefix in ("http://", "https://"):
        session.mount(prefix, _WatchedAdapter())
    return session
