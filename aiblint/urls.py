"""``--check-urls``: the only mode in which aiblint touches the network.

Each script or file URL gets a HEAD request (a ranged GET where HEAD is refused). Results
feed AIB022 (the URL cannot be fetched) and AIB301 (Content-Length over 20 MB). Blob
storage URLs without a SAS are fetched by the build through the template identity, so an
anonymous refusal proves nothing: those get a note, never a finding.

The URLs come from a pull request, so the checker must not become a way into the CI
machine's network (what link checkers such as lychee do):

- every host name is resolved here and each address checked before a connection is made,
  for the first hop and every redirect; loopback, private, link-local (cloud metadata at
  169.254.169.254), multicast and reserved addresses are refused unless
  ``--allow-private-urls``; the connection goes to the address that was checked, so a
  second DNS answer cannot swap it;
- redirects are followed by hand: http(s) only, at most five, and the result says where
  the chain went;
- what a server sends is never echoed (no banner, no status text): only the status code
  and fixed phrases;
- one time budget for the whole run and a total deadline per URL (a watchdog closes the
  socket, so a server that trickles a byte every few seconds cannot hold aiblint);
- any protocol error (a garbage status line, too many or too long headers) is an answer
  like any other, never a crash.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import queue
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

TIMEOUT_SECONDS = 5.0  # connect, and each read
URL_DEADLINE_SECONDS = 15.0  # everything for one URL, redirects included
RUN_BUDGET_SECONDS = 60.0  # every URL of the run together
MAX_REDIRECTS = 5
WORKERS = 8
_REDIRECTS = (301, 302, 303, 307, 308)
_PATH_SAFE = "/%:@!$&'()*+,;=~-._?"


@dataclass(frozen=True)
class UrlResult:
    url: str
    status: int | None  # HTTP status, None when no answer
    length: int | None  # Content-Length (or the total of a ranged answer)
    error: str | None  # what went wrong when there is no status
    note: str | None = None  # not checked, and why (a note, never a finding)
    chain: tuple[str, ...] = ()  # the redirects followed, in order

    @property
    def identity_fetched(self) -> bool:
        """Blob storage without a SAS: the build reads it through the template identity."""
        try:
            parts = urlsplit(self.url)
        except ValueError:
            return False
        return parts.hostname is not None and parts.hostname.endswith(".blob.core.windows.net") and "sig=" not in parts.query

    @property
    def unreachable(self) -> str | None:
        """Why the build cannot fetch it, or None."""
        if self.identity_fetched or self.note is not None:
            return None
        reason = None
        if self.status is not None and self.status >= 400:
            reason = f"HTTP {self.status}"
        elif self.status is None and self.error:
            reason = self.error
        if reason and self.chain:
            hops = "redirect" if len(self.chain) == 1 else f"{len(self.chain)} redirects"
            reason += f" after {hops} to {self.chain[-1][:200]}"
        return reason


class Budget:
    """One deadline for every URL of the run, started by the first check."""

    def __init__(self, seconds: float = RUN_BUDGET_SECONDS) -> None:
        self.seconds = seconds
        self._end: float | None = None

    def end(self) -> float:
        if self._end is None:
            self._end = time.monotonic() + self.seconds
        return self._end

    def note(self) -> str:
        return f"not checked: the --check-urls time budget ({self.seconds:g} s for the whole run) ran out"


RUN = Budget()


class _Refused(Exception):
    """Not checked on purpose: the message is a note."""


class _Failed(Exception):
    """No usable answer: the message is the finding's reason (fixed text only)."""


# -- addresses -------------------------------------------------------------------------


def is_public(address: str) -> bool:
    """A globally routable unicast address (IPv4 inside IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


def _resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to, checked; every address of the name must pass."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _Failed("no answer (the host name does not resolve)") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise _Failed("no answer (the host name does not resolve)")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise _Refused(
                    f"not checked: {host[:100]} is a loopback, private, link-local or reserved address ({address}); "
                    "pass --allow-private-urls to check it"
                )
    return addresses[0]


# -- one request -----------------------------------------------------------------------


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, sends the URL's own host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _hard_close(connection: http.client.HTTPConnection) -> None:
    """The watchdog: unblock a read that the deadline has passed (from another thread)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, under TLS too


def _exchange(url: str, address: str, method: str, deadline: float) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Failed(f"no answer within {URL_DEADLINE_SECONDS:g} s")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname or "", port, address, min(TIMEOUT_SECONDS, remaining))
    path = quote(parts.path or "/", safe=_PATH_SAFE) + (f"?{quote(parts.query, safe=_PATH_SAFE)}" if parts.query else "")
    headers = {"User-Agent": "aiblint --check-urls", "Accept-Encoding": "identity"}
    if method == "GET":
        headers["Range"] = "bytes=0-0"
    watchdog = threading.Timer(remaining, _hard_close, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.close()  # the body is never read
        return response
    except Exception as exc:  # every failure becomes a fixed phrase; the server's bytes are never shown
        raise _Failed(_reason(exc, deadline)) from None
    finally:
        watchdog.cancel()
        connection.close()


def _reason(exc: Exception, deadline: float) -> str:
    if time.monotonic() >= deadline - 0.05:
        return f"no answer within {URL_DEADLINE_SECONDS:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "no answer (its TLS certificate does not verify)"
    if isinstance(exc, ssl.SSLError):
        return "no answer (the TLS handshake failed)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "no answer (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "no answer (connection refused)"
    if isinstance(exc, http.client.HTTPException):
        return "no valid HTTP answer"
    if isinstance(exc, OSError):
        return "no answer (connection failed)"
    return "no valid HTTP answer"


def _length(response: http.client.HTTPResponse) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    total = content_range.rsplit("/", 1)[1].strip() if "/" in content_range else ""
    length = total if total.isdigit() else (response.headers.get("Content-Length") or "").strip()
    return int(length) if length.isdigit() and len(length) < 20 else None


def _one_hop(url: str, allow_private: bool, deadline: float) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _Failed("not a valid URL (bad port)") from None
    if not parts.hostname:
        raise _Failed("not a valid URL (no host)")
    address = _resolve(parts.hostname, port, allow_private)
    response = _exchange(url, address, "HEAD", deadline)
    if response.status in (403, 405, 501):  # some servers refuse HEAD: try a one-byte GET
        response = _exchange(url, address, "GET", deadline)
    return response


def check(url: str, allow_private: bool = False, run_end: float | None = None) -> UrlResult:
    """HEAD the URL (following at most MAX_REDIRECTS http(s) redirects) within its deadline."""
    deadline = time.monotonic() + URL_DEADLINE_SECONDS
    if run_end is not None:
        deadline = min(deadline, run_end)
    chain: list[str] = []
    current = url
    try:
        while True:
            response = _one_hop(current, allow_private, deadline)
            location = response.headers.get("Location") if response.status in _REDIRECTS else None
            if not location:
                return UrlResult(url, response.status, _length(response), None, chain=tuple(chain))
            target = urljoin(current, location.strip())
            if len(chain) == MAX_REDIRECTS:
                return UrlResult(url, None, None, None, note=f"not checked past {MAX_REDIRECTS} redirects", chain=tuple(chain))
            chain.append(target)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):
                return UrlResult(
                    url, None, None, f"it redirects to a {scheme[:20]}: URL, which is not followed", chain=tuple(chain)
                )
            current = target
    except _Refused as exc:
        note = str(exc) if not chain else f"{exc} (reached by redirect)"
        return UrlResult(url, None, None, None, note=note, chain=tuple(chain))
    except ValueError:  # urlsplit/urljoin on a malformed URL or Location (an invalid IPv6 host, a bad port)
        where = " (reached by redirect)" if chain else ""
        return UrlResult(url, None, None, f"not a valid URL{where}", chain=tuple(chain))
    except _Failed as exc:
        if run_end is not None and deadline == run_end and time.monotonic() >= run_end - 0.05:
            return UrlResult(url, None, None, None, note=RUN.note(), chain=tuple(chain))  # the run's budget, not the URL
        return UrlResult(url, None, None, str(exc), chain=tuple(chain))


def check_all(urls: list[str], allow_private: bool = False) -> dict[str, UrlResult]:
    """Every URL once, a few at a time, all within the run's budget (RUN)."""
    unique = sorted(set(urls))
    if not unique:
        return {}
    end = RUN.end()
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for url in unique:
        todo.put(url)
    results: dict[str, UrlResult] = {}
    lock = threading.Lock()
    finished = threading.Event()

    def work() -> None:
        while True:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                return
            if time.monotonic() >= end:
                result = UrlResult(url, None, None, None, RUN.note())
            else:
                result = check(url, allow_private, end)
            with lock:
                results[url] = result
                if len(results) == len(unique):
                    finished.set()

    # daemon threads: one stuck in a DNS lookup cannot keep aiblint from exiting
    for _ in range(min(WORKERS, len(unique))):
        threading.Thread(target=work, daemon=True).start()
    finished.wait(timeout=max(0.0, end - time.monotonic()) + 1.0)
    with lock:
        answered = dict(results)
    return {url: answered.get(url) or UrlResult(url, None, None, None, RUN.note()) for url in unique}
