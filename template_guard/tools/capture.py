"""Capturing pages into pages/<layout>/<slug>.html: naming, filing under a layout, storing, and live capture.

`fetch` does the HTTP, `warc` imports archives through `store_page`, `capture_command` is the CLI.

A capture stores the bytes exactly as the server sent them (after undoing transfer/content encoding) and a
sidecar with what the suite needs: the final URL picks the layout, the capture time picks its version, and
the HTTP charset is used to decode the page. Nothing is written until a page has been fully received and
checked, and an existing capture is never overwritten unless asked to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

try:
    import fcntl
except ImportError:  # Windows: captures into one directory are not serialised there
    fcntl = None  # type: ignore[assignment]

from template_guard.engine.layout import Layout, normalise_host
from template_guard.engine.routing import LayoutSet
from template_guard.errors import CaptureError, NoLayoutError, PageError
from template_guard.store.pages import (
    GZIP_PAGE_SUFFIX,
    PageMeta,
    is_page_file,
    page_slug,
    read_page,
    utc_day,
    write_page,
)
from template_guard.tools.fetch import DEFAULT_LIMITS, FetchLimits, fetch

MAX_SLUG_LENGTH = 80
ALREADY_IMPORTED = "already imported"
_SLUG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Extensions that say how the page was generated, not what it is about.
_PAGE_SUFFIXES = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", re.IGNORECASE)


@dataclass(frozen=True)
class Filing:
    """Where captured pages go: the layouts that route them, the pages directory, and how names are chosen."""

    layouts: LayoutSet
    pages_dir: Path
    layout_name: str | None = None  # file every page under this layout instead of routing by URL
    replace: bool = False  # overwrite a capture with the same name instead of dating the new one
    compress: bool = False  # store pages gzip-compressed, as <slug>.html.gz


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
    """Whether any page (.html, .htm or .html.gz, in any letter case) or sidecar already uses `slug`."""
    if (directory / f"{slug}.json").exists():
        return True
    return directory.is_dir() and any(
        is_page_file(path) and page_slug(path) == slug for path in directory.iterdir()
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
        for stored in (directory / f"{candidate}.html", directory / f"{candidate}{GZIP_PAGE_SUFFIX}"):
            try:
                existing = read_page(stored).meta
            except PageError:
                continue
            if (existing.url, existing.captured_at) == (meta.url, meta.captured_at):
                return stored
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
    pages_dir: Path,
    layout: Layout,
    slug: str,
    body: bytes,
    meta: PageMeta,
    *,
    url: str,
    replace: bool = False,
    compress: bool = False,
) -> CaptureResult:
    """Write one page and its sidecar under a free name (or over `slug` with `replace`), gzipped with `compress`."""
    directory = pages_dir / layout.name
    captured_at = meta.captured_at or dt.datetime.now(dt.UTC)
    suffix = GZIP_PAGE_SUFFIX if compress else ".html"
    html_path = directory / f"{slug}{suffix}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Choosing a free name and writing under it is one step for concurrent captures into the directory:
        # otherwise two could pick the same name, or interleave the page of one with the sidecar of another.
        with _locked(directory):
            chosen = free_slug(directory, slug, captured_at, replace)
            html_path = directory / f"{chosen}{suffix}"
            replaced = replace and _taken(directory, chosen)
            write_page(html_path, body, meta)
    except OSError as error:
        raise CaptureError(f"cannot write {html_path}: {error.strerror or error}") from None
    try:
        version: str | None = layout.version_for(utc_day(captured_at)).name
    except NoLayoutError:
        version = None  # still worth keeping: the next step is to add the version that covers it
    renamed_from = slug if chosen != slug else None
    return CaptureResult(url, layout.name, version, html_path, meta, len(body), replaced, renamed_from)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on `directory` among the processes of this machine (flock on the directory itself,
    so no lock file is left in the pages tree); no locking where flock does not exist."""
    if fcntl is None:
        yield
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def capture_url(
    url: str,
    filing: Filing,
    *,
    name: str | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    session: requests.Session | None = None,
) -> CaptureResult:
    """Fetch one live page and store it; `CaptureError` (and nothing written) when anything fails."""
    layouts, layout_name = filing.layouts, filing.layout_name
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
    return store_page(
        filing.pages_dir, layout, slug, fetched.body, meta, url=url, replace=filing.replace, compress=filing.compress
    )


def capture_urls(
    urls: Iterable[str],
    filing: Filing,
    *,
    name: str | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    session: requests.Session | None = None,
    on_page: Callable[[str], None] | None = None,
) -> CaptureReport:
    """Capture each URL in turn; one failure does not stop the others. `on_page(url)` follows each URL."""
    report = CaptureReport()
    for url in urls:
        try:
            result = capture_url(url, filing, name=name, limits=limits, session=session)
            report.captured.append(result)
        except CaptureError as error:
            report.failed.append(CaptureFailure(url, str(error)))
        if on_page is not None:
            on_page(url)
    return report
