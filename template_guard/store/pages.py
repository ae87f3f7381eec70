"""Captured pages on disk: `pages/<layout>/<slug>.html` (or `.htm`, or gzip-compressed `.html.gz`) with a
JSON sidecar `<slug>.json` of capture metadata."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from template_guard.errors import PageError

PAGE_SUFFIXES = (".html", ".htm")
GZIP_PAGE_SUFFIX = ".html.gz"  # a page stored compressed; its slug and sidecar drop the whole suffix
MAX_PAGE_BYTES = 10 * 1024 * 1024  # the largest page captured or decompressed (a gzip bomb stops here)


@dataclass(frozen=True)
class PageMeta:
    """What the capture knew about a page: where it came from, when, and how the server labelled it."""

    url: str | None = None
    captured_at: dt.datetime | None = None
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    redirects: tuple[str, ...] = ()
    source: str | None = None

    @property
    def capture_date(self) -> dt.date | None:
        """The UTC day of capture, which picks the layout version."""
        return utc_day(self.captured_at) if self.captured_at else None

    def to_json(self, *, indent: int | None = None) -> str:
        """The sidecar's JSON text (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        """The sidecar's JSON object (ISO 8601 UTC timestamp, `Z` suffix)."""
        data = asdict(self)
        data["redirects"] = list(self.redirects)
        if self.captured_at:
            data["captured_at"] = self.captured_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return {key: value for key, value in data.items() if value not in (None, [])}

    @classmethod
    def from_json(cls, data: Any, source: Path | str) -> PageMeta:
        """Validate a sidecar object; `PageError` names the sidecar and the bad key."""
        if not isinstance(data, dict):
            raise PageError(source, "the sidecar must hold a JSON object")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise PageError(source, f"unknown key {unknown[0]!r} in the sidecar (known: {', '.join(sorted(known))})")
        captured_at = data.get("captured_at")
        if captured_at is not None:
            captured_at = parse_timestamp(captured_at, source)
        for key in ("url", "content_type", "charset", "source"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise PageError(source, f"sidecar key {key!r} must be a string")
        if data.get("url") is not None:
            _check_url(data["url"], source)
        status = data.get("http_status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise PageError(source, "sidecar key 'http_status' must be an integer")
        redirects = data.get("redirects", [])
        if not isinstance(redirects, list) or not all(isinstance(r, str) for r in redirects):
            raise PageError(source, "sidecar key 'redirects' must be a list of URLs")
        return cls(
            url=data.get("url"),
            captured_at=captured_at,
            http_status=status,
            content_type=data.get("content_type"),
            charset=data.get("charset"),
            redirects=tuple(redirects),
            source=data.get("source"),
        )


@dataclass(frozen=True)
class Page:
    """A captured page: its bytes as received, its metadata, and where it lives."""

    content: bytes = field(repr=False)
    meta: PageMeta = PageMeta()
    path: Path | None = None

    @property
    def layout_hint(self) -> str | None:
        """The layout named by the page's directory (`pages/<layout>/<slug>.html`)."""
        return self.path.parent.name if self.path else None

    @property
    def slug(self) -> str | None:
        """The page's file name without suffix (`x` for `x.html` and for `x.html.gz`)."""
        return page_slug(self.path) if self.path else None

    @property
    def page_id(self) -> str:
        """`<layout>/<slug>`: how tests and snapshots name the page."""
        return f"{self.layout_hint}/{self.slug}" if self.path else "<page>"


def _check_url(url: str, source: Path | str) -> None:
    """`PageError` unless `url` is an absolute http(s) URL with a host: the layout is chosen by it."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise PageError(source, f"sidecar key 'url' is not a valid URL: {url!r} ({error})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise PageError(source, f"sidecar key 'url' must be an absolute http(s) URL, not {url!r}")


def parse_timestamp(value: Any, source: Path | str | None = None) -> dt.datetime:
    """An ISO 8601 date or timestamp, in UTC; a naive one is taken as UTC.

    Converted at once, so every use (the version choice, dated names, reports) sees the UTC day: a capture at
    `2026-03-01T01:00:00+02:00` was made on 28 February.
    """
    if not isinstance(value, str):
        raise PageError(source, f"capture time must be an ISO 8601 string, not {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())  # Python 3.11 reads the `Z` suffix
    except ValueError:
        raise PageError(source, f"capture time {value!r} is not ISO 8601 (e.g. 2025-12-01T09:30:00Z)") from None
    try:
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise PageError(source, f"capture time {value!r} is out of range in UTC") from None


def utc_day(moment: dt.datetime) -> dt.date:
    """The UTC day of `moment` (a naive one is taken as UTC): the day that picks a layout version."""
    if moment.tzinfo is None:
        return moment.date()
    try:
        return moment.astimezone(dt.UTC).date()
    except OverflowError:  # within a day of datetime's range: the local day is as close as it gets
        return moment.date()


def is_gzip_page(path: Path) -> bool:
    """Whether `path` names a gzip-compressed page (`<slug>.html.gz`, in any letter case)."""
    return path.name.lower().endswith(GZIP_PAGE_SUFFIX)


def is_page_file(path: Path) -> bool:
    """Whether the file name is a page's: `.html`, `.htm` or `.html.gz`, in any letter case."""
    return path.suffix.lower() in PAGE_SUFFIXES or is_gzip_page(path)


def page_slug(path: Path) -> str:
    """The page's name without its suffix: `x` for `x.html`, `x.htm` and `x.html.gz`."""
    return path.name[: -len(GZIP_PAGE_SUFFIX)] if is_gzip_page(path) else path.stem


def page_id(path: Path, pages_dir: Path) -> str:
    """`<layout>/<slug>` of a page file under `pages_dir`: how tests, snapshots and reports name it."""
    return (path.relative_to(pages_dir).parent / page_slug(path)).as_posix()


def sidecar_path(page_path: Path) -> Path:
    """Where a page's metadata lives: `<slug>.json` beside it."""
    return page_path.with_name(page_slug(page_path) + ".json")


def read_page(path: Path | str) -> Page:
    """Read a page's bytes (decompressed for `.html.gz`) and, when present, its sidecar metadata."""
    path = Path(path)
    try:
        content = path.read_bytes()
        if is_gzip_page(path):
            content = _gunzip(content, path)
    except FileNotFoundError:
        raise PageError(path, "no such file") from None
    except IsADirectoryError:
        raise PageError(path, "is a directory, not a page") from None
    except OSError as error:
        raise PageError(path, f"cannot read: {error.strerror or error}") from None
    meta_path = sidecar_path(path)
    meta = PageMeta()
    if meta_path.exists():
        try:
            data = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise PageError(meta_path, f"unreadable sidecar: {error}") from None
        except RecursionError:  # json recurses per nesting level; a sidecar is one flat object
            raise PageError(meta_path, "unreadable sidecar: nested too deeply") from None
        meta = PageMeta.from_json(data, meta_path)
    return Page(content=content, meta=meta, path=path)


def _gunzip(data: bytes, path: Path) -> bytes:
    """The decompressed page, at most `MAX_PAGE_BYTES`; `PageError` for a corrupt or oversized archive."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            content = stream.read(MAX_PAGE_BYTES + 1)  # bounded: a small archive may inflate enormously
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError; EOFError: truncated
        raise PageError(path, f"not a readable gzip file ({error})") from None
    if len(content) > MAX_PAGE_BYTES:
        raise PageError(path, f"decompresses to more than {MAX_PAGE_BYTES:,} bytes; refusing it as too large")
    return content


def discover_pages(root: Path | str) -> list[Path]:
    """Every page file under `root`, sorted (`root/<layout>/<slug>.html`, `.htm` or `.html.gz`)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if is_page_file(p) and p.is_file())


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that an interrupt leaves either the old file or the new one."""
    atomic_write_all([(path, data)])


def atomic_write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files, each atomically; all are staged before any is replaced.

    A failure while writing (a full disk, an interrupt) leaves every old file as it was; only the
    renames at the end, which do not fail for want of space, separate the old set from the new one.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)


def _stage(path: Path, data: bytes) -> str:
    """`data` in a temporary file beside `path`, synced to disk; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp creates the file private (0600); keep the mode of the file being replaced, else 0644.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def write_page(path: Path | str, content: bytes, meta: PageMeta) -> Page:
    """Store a captured page (gzip-compressed when `path` ends with `.gz`) and its sidecar.

    Neither file is replaced unless both could be written.
    """
    path = Path(path)
    sidecar = meta.to_json(indent=2) + "\n"
    # mtime=0: the same page compresses to the same bytes, so re-capturing it changes no file.
    stored = gzip.compress(content, mtime=0) if path.name.lower().endswith(".gz") else content
    atomic_write_all([(path, stored), (sidecar_path(path), sidecar.encode("utf-8"))])
    return Page(content=content, meta=meta, path=path)
