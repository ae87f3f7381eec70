"""Capturing pages into pages/<layout>/<slug>.html: live over HTTP, or imported from a WARC archive.

A capture stores the bytes exactly as the server sent them (after undoing transfer/content encoding) and a
sidecar with what the suite needs: the final URL picks the layout, the capture time picks its version, and
the HTTP charset is used to decode the page. Nothing is written until a page has been fully received and
checked, and an existing capture is never overwritten unless asked to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import socket
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import click
import requests
import urllib3.exceptions
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from template_guard import __version__
from template_guard.engine.layout import Layout, normalise_host
from template_guard.engine.parse import sniff_binary
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import NoLayoutError, PageError, TemplateGuardError
from template_guard.store.pages import PAGE_SUFFIXES, PageMeta, parse_timestamp, read_page, write_page
from template_guard.tools.options import EXIT_PROBLEMS, layouts_dir_option, reporting_errors

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The read timeout bounds each socket read, not the download: a server dripping a byte at a time would
# never trip it. The whole download therefore also gets this many times the timeout.
TOTAL_TIMEOUT_FACTOR = 5
MAX_SLUG_LENGTH = 80
ALREADY_IMPORTED = "already imported"
_SLUG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Extensions that say how the page was generated, not what it is about.
_PAGE_SUFFIXES = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", re.IGNORECASE)


class CaptureError(TemplateGuardError):
    """One page could not be captured; the message is a single line for the user."""


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


@dataclass(frozen=True)
class CaptureResult:
    """One page written into the pages directory."""

    url: str  # as given: the requested URL or the WARC record's target URI
    layout: str
    version: str | None  # the layout version the suite will pick by capture date; None: no version covers it
    html_path: Path
    meta: PageMeta
    size: int
    replaced: bool  # an earlier capture under the same name was overwritten (--replace)
    renamed_from: str | None  # the slug that was taken, when a dated name was used instead


@dataclass(frozen=True)
class CaptureFailure:
    """One page that could not be captured, and why (one line)."""

    url: str
    reason: str


@dataclass
class CaptureReport:
    """The outcome of one capture run."""

    captured: list[CaptureResult] = field(default_factory=list)
    failed: list[CaptureFailure] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # WARC records left out, by reason

    @property
    def ok(self) -> bool:
        """No page failed."""
        return not self.failed

    @property
    def pages_found(self) -> int:
        """Pages captured now or found captured already: zero means a WARC held nothing usable."""
        return len(self.captured) + self.skipped[ALREADY_IMPORTED]


# ---------------------------------------------------------------------------------------------- HTTP


def user_agent() -> str:
    """The User-Agent sent with every request, so site owners can tell what is fetching their pages."""
    return f"template-guard/{__version__} (+regression capture)"


def new_session() -> requests.Session:
    """A session with the capture User-Agent and headers that ask for HTML."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent()
    session.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
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


def fetch(url: str, limits: FetchLimits = FetchLimits(), session: requests.Session | None = None) -> Fetched:
    """GET `url`, following redirects, and return the HTML body; `CaptureError` with the reason otherwise."""
    own_session = session is None
    session = session or new_session()
    deadline = time.monotonic() + limits.deadline_seconds
    redirects: list[str] = []
    try:
        while True:
            _check_scheme(url)
            response = _get(session, url, limits)
            with response:
                location = response.headers.get("Location")
                if response.status_code in REDIRECT_STATUSES and location:
                    if len(redirects) >= limits.max_redirects:
                        raise CaptureError(f"too many redirects (more than {limits.max_redirects})")
                    redirects.append(url)
                    url = urljoin(url, location)
                    continue
                return _read_response(response, url, tuple(redirects), limits, deadline)
    finally:
        if own_session:
            session.close()


def _check_scheme(url: str) -> None:
    """Only web pages: a redirect to file:, ftp: or a mail link is not something to capture."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CaptureError(f"not an http(s) URL: {url}")


def _get(session: requests.Session, url: str, limits: FetchLimits) -> requests.Response:
    """One request, no redirect following; network failures become `CaptureError`."""
    try:
        return session.get(url, stream=True, allow_redirects=False, timeout=(limits.timeout, limits.timeout))
    except requests.RequestException as error:
        raise CaptureError(describe_network_error(error, url, limits)) from None


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
    body = _read_body(response, url, limits, deadline)
    if reason := not_html_reason(media_type, body):
        raise CaptureError(reason)
    # The sidecar keeps whole seconds: sub-second precision only adds noise to reviewed files.
    received_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Fetched(url, status, header, charset, redirects, body, received_at)


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
            if time.monotonic() > deadline:
                raise CaptureError(f"timed out (the download took more than {limits.deadline_seconds:g}s)")
            chunks.append(chunk)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise CaptureError(describe_network_error(error, url, limits)) from None
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


# ---------------------------------------------------------------------------------------------- naming


def slug_from_url(url: str) -> str:
    """A file-name slug from the URL's last path segment: ASCII, lower case, words joined by hyphens.

    Falls back to `page-<hash of the URL>` when nothing usable is left (a bare domain, or an Arabic-only
    segment), so the same URL always gives the same slug.
    """
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    slug = _slugify(_PAGE_SUFFIXES.sub("", segments[-1])) if segments else ""
    return slug or "page-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def check_slug(name: str) -> str:
    """`name` if it is safe as a file name (letters, digits, '.', '_', '-'); `CaptureError` otherwise."""
    if not _SLUG_NAME.match(name) or name.endswith((".html", ".json")):
        raise CaptureError(
            f"invalid page name {name!r}: use letters, digits, '.', '_' and '-', starting with a letter or digit,"
            " without an extension"
        )
    return name


def free_slug(directory: Path, slug: str, captured_at: dt.datetime, replace: bool = False) -> str:
    """`slug`, or when a capture already uses it, `<slug>-YYYYMMDD`, then `<slug>-YYYYMMDD-2`, …"""
    if replace or not _taken(directory, slug):
        return slug
    dated = f"{slug}-{captured_at:%Y%m%d}"
    candidate, number = dated, 1
    while _taken(directory, candidate):
        number += 1
        candidate = f"{dated}-{number}"
    return candidate


def _taken(directory: Path, slug: str) -> bool:
    """Whether any page (.html or .htm, in any letter case) or sidecar already uses `slug`."""
    if (directory / f"{slug}.json").exists():
        return True
    return directory.is_dir() and any(
        path.stem == slug and path.suffix.lower() in PAGE_SUFFIXES for path in directory.iterdir()
    )


def same_capture(directory: Path, slug: str, meta: PageMeta) -> Path | None:
    """An existing page under `slug` or its dated names with the same URL and capture time, if any.

    Importing a WARC twice must not file every page again under a dated name.
    """
    if meta.captured_at is None:
        return None
    dated = f"{slug}-{meta.captured_at:%Y%m%d}"  # the names free_slug gives a capture of that day
    for candidate in itertools.chain([slug, dated], (f"{dated}-{n}" for n in itertools.count(2))):
        if not _taken(directory, candidate):
            if candidate == slug:
                continue
            return None  # the chain of dated names ends here
        try:
            existing = read_page(directory / f"{candidate}.html").meta
        except PageError:
            continue
        if (existing.url, existing.captured_at) == (meta.url, meta.captured_at):
            return directory / f"{candidate}.html"
    return None


# ---------------------------------------------------------------------------------------------- storing


def choose_layout(layouts: LayoutSet, url: str, layout_name: str | None = None) -> Layout:
    """The layout named on the command line, else the one serving `url`; a hint to add one otherwise."""
    try:
        return layouts.choose(name=layout_name, url=url)
    except NoLayoutError as error:
        host = normalise_host(urlsplit(url).hostname or "the-site")
        if layout_name or any(host in layout.domains for layout in layouts):
            raise CaptureError(str(error)) from None  # a known site: the engine's message says what is wrong
        suggestion = re.sub(r"[^a-z0-9]+", "-", host).strip("-")
        raise CaptureError(
            f"no layout serves {url}: create template_guard/layouts/{suggestion}.toml with"
            f' domains = ["{host}"] (or put it in a directory passed with --layouts-dir)'
        ) from None


def check_filing(layouts: LayoutSet, layout: Layout, url: str) -> None:
    """Refuse to file a page under a layout other than the one its URL routes to: the suite would reject it."""
    try:
        routed = layouts.for_url(url)
    except NoLayoutError:
        return  # no layout claims the URL: the page's directory decides
    if routed is not layout:
        raise CaptureError(
            f"{url} belongs to layout {routed.name}, not {layout.name}; drop --layout or fix the layout's domains"
        )


def store_page(
    pages_dir: Path, layout: Layout, slug: str, body: bytes, meta: PageMeta, *, url: str, replace: bool = False
) -> CaptureResult:
    """Write one page and its sidecar under a free name (or over `slug` with `replace`)."""
    directory = pages_dir / layout.name
    captured_at = meta.captured_at or dt.datetime.now(dt.UTC)
    chosen = free_slug(directory, slug, captured_at, replace)
    html_path = directory / f"{chosen}.html"
    replaced = replace and _taken(directory, chosen)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_page(html_path, body, meta)
    except OSError as error:
        raise CaptureError(f"cannot write {html_path}: {error.strerror or error}") from None
    try:
        version: str | None = layout.version_for(captured_at.date()).name
    except NoLayoutError:
        version = None  # still worth keeping: the next step is to add the version that covers it
    renamed_from = slug if chosen != slug else None
    return CaptureResult(url, layout.name, version, html_path, meta, len(body), replaced, renamed_from)


def capture_url(
    url: str,
    *,
    layouts: LayoutSet,
    pages_dir: Path,
    layout_name: str | None = None,
    name: str | None = None,
    replace: bool = False,
    limits: FetchLimits = FetchLimits(),
    session: requests.Session | None = None,
) -> CaptureResult:
    """Fetch one live page and store it; `CaptureError` (and nothing written) when anything fails."""
    try:
        urlsplit(url).hostname  # noqa: B018 - parsing the host is the check: a malformed URL raises here
    except ValueError as error:
        raise CaptureError(f"not a valid URL ({error})") from None
    slug = check_slug(name) if name else slug_from_url(url)
    # Resolve before fetching, so an unknown site fails without touching the network ...
    layout = choose_layout(layouts, url, layout_name)
    fetched = fetch(url, limits, session)
    if not layout_name and fetched.url != url:
        # ... and again after redirects: the suite picks the layout from the final URL in the sidecar.
        try:
            layout = layouts.for_url(fetched.url)
        except NoLayoutError:
            raise CaptureError(
                f"redirected to {fetched.url}, which layout {layout.name} does not serve"
                f" (pass --layout {layout.name} to file it there anyway)"
            ) from None
        if name is None:
            slug = slug_from_url(fetched.url)
    check_filing(layouts, layout, fetched.url)
    meta = PageMeta(
        url=fetched.url,
        captured_at=fetched.received_at,
        http_status=fetched.status,
        content_type=fetched.content_type,
        charset=fetched.charset,
        redirects=fetched.redirects,
        source="http",
    )
    return store_page(pages_dir, layout, slug, fetched.body, meta, url=url, replace=replace)


def capture_urls(
    urls: Iterable[str],
    *,
    layouts: LayoutSet,
    pages_dir: Path,
    layout_name: str | None = None,
    name: str | None = None,
    replace: bool = False,
    limits: FetchLimits = FetchLimits(),
    session: requests.Session | None = None,
) -> CaptureReport:
    """Capture each URL in turn; one failure does not stop the others."""
    report = CaptureReport()
    for url in urls:
        try:
            result = capture_url(
                url, layouts=layouts, pages_dir=pages_dir, layout_name=layout_name, name=name,
                replace=replace, limits=limits, session=session,
            )
            report.captured.append(result)
        except CaptureError as error:
            report.failed.append(CaptureFailure(url, str(error)))
    return report


# ---------------------------------------------------------------------------------------------- WARC


def import_warc(
    path: Path,
    *,
    layouts: LayoutSet,
    pages_dir: Path,
    url_pattern: str | None = None,
    layout_name: str | None = None,
    replace: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CaptureReport:
    """Import every HTML 200 response record of a WARC file, gzipped or not."""
    importer = _WarcImporter(path, layouts, pages_dir, url_pattern, layout_name, replace, max_bytes)
    failed = importer.report.failed
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                # warcio reads any text as a legacy ARC record, so this is also how garbage shows up.
                if not record.format.startswith("warc"):
                    failed.append(CaptureFailure(str(path), "not a readable WARC file (not a WARC record)"))
                    break
                importer.add(record)
    except OSError as error:
        failed.append(CaptureFailure(str(path), f"cannot read the WARC file: {error.strerror or error}"))
    except ArchiveLoadFailed as error:
        failed.append(CaptureFailure(str(path), f"not a readable WARC file ({error.msg})"))
    return importer.report


class _Skip(Exception):
    """A WARC record that is left out by design, counted under `reason` in the summary."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _WarcImporter:
    """Turns response records into pages, tallying what it skips and what fails."""

    path: Path
    layouts: LayoutSet
    pages_dir: Path
    url_pattern: str | None
    layout_name: str | None
    replace: bool
    max_bytes: int
    report: CaptureReport = field(default_factory=CaptureReport)

    def add(self, record: ArcWarcRecord) -> None:
        """Import one record, or count why not."""
        if record.rec_type != "response":
            return  # requests, metadata, warcinfo: not pages, and not worth counting
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        try:
            self.report.captured.append(self.page(record, url))
        except _Skip as skip:
            self.report.skipped[skip.reason] += 1
        except CaptureError as error:
            self.report.failed.append(CaptureFailure(url, str(error)))

    def page(self, record: ArcWarcRecord, url: str) -> CaptureResult:
        """Store the record's page; `_Skip` for records that are not wanted, `CaptureError` for broken ones."""
        if record.http_headers is None or not url.lower().startswith(("http://", "https://")):
            raise _Skip("not an HTTP response")
        if self.url_pattern and not fnmatchcase(url, self.url_pattern):
            raise _Skip("not matching --url-pattern")
        status = _status(record.http_headers.get_statuscode())
        if status != 200:
            raise _Skip("not HTTP 200")
        header = record.http_headers.get_header("Content-Type")
        media_type, charset = parse_content_type(header)
        if not_html_reason(media_type, b""):
            raise _Skip("not HTML")
        layout = self.layout(url)
        # content_stream() undoes chunked transfer encoding and gzip/deflate/br content encoding.
        body = record.content_stream().read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            raise CaptureError(f"too large (more than {self.max_bytes:,} bytes)")
        if not_html_reason(media_type, body):
            raise _Skip("not HTML")
        meta = PageMeta(
            url=url,
            captured_at=_warc_date(record),
            http_status=status,
            content_type=header,
            charset=charset,
            source=f"warc:{self.path.name}",
        )
        slug = slug_from_url(url)
        if not self.replace and same_capture(self.pages_dir / layout.name, slug, meta):
            raise _Skip(ALREADY_IMPORTED)
        return store_page(self.pages_dir, layout, slug, body, meta, url=url, replace=self.replace)

    def layout(self, url: str) -> Layout:
        try:
            layout = self.layouts.choose(name=self.layout_name, url=url)
        except NoLayoutError as error:
            if self.layout_name:
                raise CaptureError(str(error)) from None
            raise _Skip("no layout for the site") from None
        check_filing(self.layouts, layout, url)
        return layout


def _warc_date(record: ArcWarcRecord) -> dt.datetime:
    """The record's WARC-Date in UTC, to the second."""
    date = record.rec_headers.get_header("WARC-Date")
    try:
        return parse_timestamp(date).astimezone(dt.UTC).replace(microsecond=0)
    except PageError:
        raise CaptureError(f"the record has no valid WARC-Date ({date!r})") from None


def _status(code: str | None) -> int | None:
    try:
        return int(code or "")
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- command


@click.command("capture")
@click.argument("urls", metavar="URL...", nargs=-1)
@click.option("--layout", "layout_name", metavar="NAME", help="Layout to file the pages under (default: by URL).")
@click.option("--name", metavar="SLUG", help="File name for the page, without extension (one URL only).")
@click.option(
    "--pages-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("pages"),
    show_default=True,
    help="Where <layout>/<slug>.html and its sidecar go.",
)
@layouts_dir_option
@click.option("--replace", is_flag=True, help="Overwrite a capture with the same name instead of dating the new one.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              help=f"Connect and per-read timeout in seconds; a whole download may take {TOTAL_TIMEOUT_FACTOR}× this.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Largest body accepted.")
@click.option("--from-warc", "warc", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Import the HTML responses of a WARC file instead of fetching URLs.")
@click.option("--url-pattern", metavar="GLOB", help="With --from-warc: import only target URIs matching this glob.")
@reporting_errors
def capture_command(
    urls: tuple[str, ...],
    layout_name: str | None,
    name: str | None,
    pages_dir: Path,
    layouts_dirs: tuple[Path, ...],
    replace: bool,
    timeout: float,
    max_bytes: int,
    warc: Path | None,
    url_pattern: str | None,
) -> None:
    """Capture pages into pages/<layout>/<slug>.html with their metadata sidecar.

    Fetches each URL (or imports a WARC file's responses), stores the bytes as received, and never
    overwrites an earlier capture unless --replace is given.
    """
    if warc and urls:
        raise click.UsageError("give either URLs or --from-warc, not both")
    if not warc and not urls:
        raise click.UsageError("give at least one URL, or --from-warc FILE")
    if name and (warc or len(urls) > 1):
        raise click.UsageError("--name needs exactly one URL")
    if url_pattern and not warc:
        raise click.UsageError("--url-pattern only applies to --from-warc")
    if name:
        try:
            check_slug(name)
        except CaptureError as error:
            raise click.BadParameter(str(error), param_hint="--name") from None
    layouts = load_layouts(layouts_dirs)
    if layout_name:
        layouts.get(layout_name)

    if warc:
        report = import_warc(warc, layouts=layouts, pages_dir=pages_dir, url_pattern=url_pattern,
                             layout_name=layout_name, replace=replace, max_bytes=max_bytes)
    else:
        limits = FetchLimits(timeout=timeout, max_bytes=max_bytes)
        with new_session() as session:
            report = capture_urls(urls, layouts=layouts, pages_dir=pages_dir, layout_name=layout_name,
                                  name=name, replace=replace, limits=limits, session=session)
    _echo_report(report, from_warc=warc is not None)
    if not report.ok or (warc and not report.pages_found):
        raise SystemExit(EXIT_PROBLEMS)


def _echo_report(report: CaptureReport, *, from_warc: bool) -> None:
    for result in report.captured:
        click.echo(_describe(result))
    if report.skipped:
        counts = ", ".join(f"{count} {reason}" for reason, count in sorted(report.skipped.items()))
        click.echo(f"skipped: {counts}")
    for failure in report.failed:
        click.echo(f"FAILED {failure.url}: {failure.reason}", err=True)
    summary = f"{len(report.captured)} captured, {len(report.failed)} failed"
    click.echo(summary + (f", {sum(report.skipped.values())} skipped" if from_warc else ""))
    if from_warc and not report.pages_found and not report.failed:
        click.echo("nothing imported: no record is an HTML 200 response for a known layout", err=True)
    if report.captured:
        click.echo(_next_steps(report.captured))
    if report.failed:
        click.echo("nothing was written for the failed pages; pages/ is unchanged for them", err=True)


def _describe(result: CaptureResult) -> str:
    """A few indented lines: what was fetched, where it went, and what the suite will make of it."""
    meta = result.meta
    stamp = meta.to_json().get("captured_at", "unknown time")
    if result.version:
        version = f"version {result.version} (by capture time {stamp})"
    else:
        version = f"NO version covers the capture time {stamp}: add one before running the suite"
    lines = [
        f"captured {meta.url}",
        f"  -> {result.html_path} (+ .json sidecar)",
        f"  layout {result.layout}, {version}",
        f"  HTTP {meta.http_status}, {meta.content_type or 'no content type'}, {result.size:,} bytes",
    ]
    if meta.redirects:
        lines.append(f"  redirected from {' -> '.join(meta.redirects)}")
    if result.renamed_from:
        lines.append(f"  {result.renamed_from} already exists: saved under a dated name (--replace overwrites)")
    if result.replaced:
        lines.append("  replaced the earlier capture of that name")
    return "\n".join(lines)


def _next_steps(captured: list[CaptureResult]) -> str:
    new = [r for r in captured if not r.replaced]
    lines = ["next: run `pytest` to check the suite against the captured pages."]
    if new:
        lines.append("  new pages have no snapshot yet: `pytest --snapshot-update` creates them; review and commit"
                     " the pages and snapshots together.")
    if any(r.replaced for r in captured):
        lines.append("  replaced pages may change their snapshots: review the `pytest` diff, then"
                     " `pytest --snapshot-update`.")
    return "\n".join(lines)
