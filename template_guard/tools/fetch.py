"""Fetching one live page over HTTP, bounded in time and size, with one-line reasons for every failure."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from template_guard import __version__
from template_guard.engine.parse import sniff_binary
from template_guard.errors import CaptureError
from template_guard.store.pages import MAX_PAGE_BYTES
from template_guard.tools.deadline import DeadlineAdapter, remaining

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = MAX_PAGE_BYTES  # one limit for what is fetched and what is read back
# The read timeout bounds each socket read, not the exchange: a server dripping a byte at a time would
# never trip it. The whole request (connect, headers, body, redirects) therefore also gets a deadline of
# this many times the timeout, enforced by `DeadlineAdapter`.
TOTAL_TIMEOUT_FACTOR = 5


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much a live fetch may take."""

    timeout: float = DEFAULT_TIMEOUT  # connect timeout, and the timeout of each read
    max_bytes: int = DEFAULT_MAX_BYTES  # of the (decoded) body
    max_redirects: int = 10
    total: float | None = None  # for the whole fetch; TOTAL_TIMEOUT_FACTOR × timeout when None

    @property
    def deadline_seconds(self) -> float:
        return self.total if self.total is not None else self.timeout * TOTAL_TIMEOUT_FACTOR


DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class Fetched:
    """A successful HTML response, fully read."""

    url: str  # the final URL, after redirects
    status: int
    content_type: str | None
    charset: str | None
    redirects: tuple[str, ...]  # every URL that answered with a redirect, in order
    body: bytes
    received_at: dt.datetime



def user_agent() -> str:
    """The User-Agent sent with every request, so site owners can tell what is fetching their pages."""
    return f"template-guard/{__version__} (+regression capture)"


def new_session() -> requests.Session:
    """A session with the capture User-Agent and headers that ask for HTML."""
    session = requests.Session()
    # Every request through the session can then be held to an overall deadline (see `fetch`).
    adapter = DeadlineAdapter()  # one for both schemes: a redirect from http to https stays under the watch
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent()
    session.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
    session.headers["Connection"] = "close"  # one request per page: its end is the end of the connection
    return session


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """The media type and the charset parameter of a Content-Type header (lower case), or None each."""
    if not header or not header.strip():
        return None, None
    message = Message()
    message["content-type"] = header
    # Kept as declared even when Python does not know it: decoding notes and works around that later.
    return message.get_content_type(), message.get_content_charset()


def not_html_reason(media_type: str | None, body: bytes) -> str | None:
    """Why a response is not an HTML page (its declared type, or binary bytes when it declares none)."""
    if media_type is not None:
        return None if media_type in HTML_TYPES else f"not HTML (content type {media_type})"
    binary = sniff_binary(body)
    return f"not HTML (no content type, and the body is {binary})" if binary else None


def body_problem(media_type: str | None, body: bytes) -> str | None:
    """Why a body labelled as HTML is no page: empty, or binary (gzip bytes sent without Content-Encoding)."""
    if not body.strip():
        return f"empty response ({len(body)} bytes): nothing to capture"
    binary = sniff_binary(body)
    if binary:
        return f"labelled {media_type or 'HTML'} but the body is {binary}"
    return None


def fetch(url: str, limits: FetchLimits = DEFAULT_LIMITS, session: requests.Session | None = None) -> Fetched:
    """GET `url`, following redirects, and return the HTML body; `CaptureError` with the reason otherwise."""
    _check_scheme(url)
    own_session = session is None
    session = session or new_session()
    deadline = time.monotonic() + limits.deadline_seconds
    adapter = session.get_adapter(url)
    # A session from `new_session` enforces the deadline on connect and headers too; another only on the body.
    guard = adapter.within(limits.deadline_seconds) if isinstance(adapter, DeadlineAdapter) else nullcontext()
    try:
        with guard:
            return _follow(session, url, limits, deadline)
    finally:
        if own_session:
            session.close()


def _follow(session: requests.Session, url: str, limits: FetchLimits, deadline: float) -> Fetched:
    """Request `url`, following redirects up to the limit; the final response's page."""
    redirects: list[str] = []
    while True:
        _check_scheme(url)
        response = _get(session, url, limits, deadline)
        with response:
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                if len(redirects) >= limits.max_redirects:
                    raise CaptureError(f"too many redirects (more than {limits.max_redirects})")
                redirects.append(url)
                try:
                    url = urljoin(url, location)
                    urlsplit(url).hostname  # noqa: B018 - parsing the host is the check
                except ValueError:
                    raise CaptureError(f"redirected to an invalid URL: {location!r}") from None
                continue
            return _read_response(response, url, tuple(redirects), limits, deadline)


def _check_scheme(url: str) -> None:
    """Only web pages: a redirect to file:, ftp: or a mail link is not something to capture."""
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - a malformed host (`http://[::1/x`) raises here
    except ValueError:
        raise CaptureError(f"not a valid URL: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CaptureError(f"not an http(s) URL: {url}")


def _get(session: requests.Session, url: str, limits: FetchLimits, deadline: float) -> requests.Response:
    """One request, no redirect following; network failures become `CaptureError`."""
    timeout = min(limits.timeout, remaining(deadline)) or 0.001  # 0 would mean non-blocking to requests
    try:
        return session.get(url, stream=True, allow_redirects=False, timeout=(timeout, timeout))
    except requests.RequestException as error:
        raise CaptureError(_past_deadline(deadline, limits) or describe_network_error(error, url, limits)) from None
    except ValueError as error:  # requests parses the Location of a redirect before returning it
        raise CaptureError(f"redirected to an invalid URL ({error})") from None


def _past_deadline(deadline: float, limits: FetchLimits) -> str | None:
    """The failure to report once the deadline has passed: whatever broke, the watchdog broke it."""
    if time.monotonic() < deadline:
        return None
    return f"timed out (the whole request took more than {limits.deadline_seconds:g}s)"


def _read_response(
    response: requests.Response, url: str, redirects: tuple[str, ...], limits: FetchLimits, deadline: float
) -> Fetched:
    """Check status and type from the headers, then stream the body within the size and time limits."""
    status = response.status_code
    if status != 200:
        phrase = f" {response.reason}" if response.reason else ""
        raise CaptureError(f"HTTP {status}{phrase}" + (f" (at {url})" if redirects else ""))
    header = response.headers.get("Content-Type")
    media_type, charset = parse_content_type(header)
    if media_type is not None and (reason := not_html_reason(media_type, b"")):
        raise CaptureError(reason)  # known from the headers: do not download an image or a PDF
    declared = response.headers.get("Content-Length", "")
    # Only a body without Content-Encoding has a Content-Length comparable to the limit.
    if declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) > limits.max_bytes:
        raise CaptureError(f"too large ({int(declared):,} bytes; the limit is {limits.max_bytes:,})")
    length = int(declared) if declared.isdigit() else None
    if length is not None:
        _read_to_close(response)
    body = _read_body(response, url, limits, deadline)
    if length is not None and response.raw.tell() != length:
        raise CaptureError(
            f"the server sent {response.raw.tell():,} bytes where its Content-Length says {length:,}:"
            " the page would be cut short"
        )
    if reason := not_html_reason(media_type, body) or body_problem(media_type, body):
        raise CaptureError(reason)
    # The sidecar keeps whole seconds: sub-second precision only adds noise to reviewed files.
    received_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Fetched(url, status, header, charset, redirects, body, received_at)


def _read_to_close(response: requests.Response) -> None:
    """Read a response that ends with its connection to the end, not just to its Content-Length, so that a
    body longer than declared is noticed instead of silently cut (the request asks for `Connection: close`)."""
    raw = response.raw
    reader = getattr(raw, "_fp", None)  # http.client's response: it stops at Content-Length by itself
    if reader is not None and getattr(reader, "will_close", False) and hasattr(reader, "length"):
        reader.length = None
        raw.length_remaining = None  # urllib3's own count: the comparison is made after reading


def _read_body(response: requests.Response, url: str, limits: FetchLimits, deadline: float) -> bytes:
    """The body with content encoding undone, refused as soon as it passes `max_bytes` or the deadline."""
    # read1 returns whatever has arrived; iter_content would wait for a whole chunk, so a server dripping
    # bytes would never reach the deadline check. (urllib3 1.x has no read1: there the check is per chunk.)
    read = getattr(response.raw, "read1", None) or response.raw.read
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := read(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > limits.max_bytes:
                raise CaptureError(f"too large (more than {limits.max_bytes:,} bytes)")
            if reason := _past_deadline(deadline, limits):
                raise CaptureError(reason)
            chunks.append(chunk)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise CaptureError(_past_deadline(deadline, limits) or describe_network_error(error, url, limits)) from None
    return b"".join(chunks)


def describe_network_error(error: BaseException, url: str, limits: FetchLimits) -> str:
    """One line naming what went wrong on the network (DNS, refused, timeout, …) without a traceback."""
    host = urlsplit(url).hostname or url
    causes = list(_causes(error))
    if any(isinstance(c, (urllib3.exceptions.NameResolutionError, socket.gaierror)) for c in causes):
        return f"DNS lookup failed for {host}"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"connection refused by {host}"
    if any(isinstance(c, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)) for c in causes):
        return f"timed out after {limits.timeout:g}s"
    if any(isinstance(c, requests.exceptions.SSLError) for c in causes):
        return f"TLS error talking to {host}"
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return f"invalid URL: {url}"
    cut_off = (
        urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError, requests.exceptions.ChunkedEncodingError
    )
    if any(isinstance(c, cut_off) for c in causes):
        return "the response was cut off or could not be decoded"
    return f"connection to {host} failed ({type(causes[-1]).__name__})"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: requests and urllib3 nest the real cause several levels deep."""
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        wrapped += [arg for arg in current.args if isinstance(arg, BaseException)]
        stack.extend(w for w in wrapped if isinstance(w, BaseException))
