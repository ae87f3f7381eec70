"""Importing pages from a WARC archive: every HTML 200 response record becomes a captured page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from template_guard.engine.layout import Layout
from template_guard.errors import CaptureError, NoLayoutError, PageError
from template_guard.store.pages import PageMeta, parse_timestamp
from template_guard.tools.capture import (
    ALREADY_IMPORTED,
    CaptureFailure,
    CaptureReport,
    CaptureResult,
    Filing,
    check_filing,
    same_capture,
    slug_from_url,
    store_page,
)
from template_guard.tools.fetch import DEFAULT_MAX_BYTES, body_problem, not_html_reason, parse_content_type


def import_warc(
    path: Path,
    filing: Filing,
    *,
    url_pattern: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_record: Callable[[str], None] | None = None,
) -> CaptureReport:
    """Import every HTML 200 response record of a WARC file, gzipped or not.

    `on_record` is called with the target URI of each response record (or cut-off record) once it is
    imported, skipped or failed; requests, metadata and other records are not pages and are not reported.
    """
    importer = _WarcImporter(path, filing, url_pattern, max_bytes, on_record)
    failed = importer.report.failed
    try:
        with open(path, "rb") as stream:
            # check_digests: warcio compares WARC-Block-Digest and WARC-Payload-Digest once a record is read.
            records = ArchiveIterator(stream, check_digests=True)
            for record in records:
                # warcio reads any text as a legacy ARC record, so this is also how garbage shows up.
                if not record.format.startswith("warc"):
                    failed.append(CaptureFailure(str(path), "not a readable WARC file (not a WARC record)"))
                    break
                importer.add(record)
            else:
                # warcio stops without a word at a record whose headers are cut off: what it never read is one.
                unread = path.stat().st_size - records.offset
                if unread > 0:
                    where = f"{path} at byte {records.offset:,}"
                    failed.append(CaptureFailure(where, f"{unread:,} bytes at the end are not a whole record (cut short?)"))
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
    filing: Filing
    url_pattern: str | None
    max_bytes: int
    on_record: Callable[[str], None] | None = None
    report: CaptureReport = field(default_factory=CaptureReport)

    def add(self, record: ArcWarcRecord) -> None:
        """Import one record, or count why not."""
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        if record.rec_headers.get_header("Content-Length") is None:  # the file ends inside the record's headers
            where = url or f"{self.path} (last record)"
            self.report.failed.append(CaptureFailure(where, "the record is cut off inside its WARC headers"))
        elif record.rec_type != "response":
            return  # requests, metadata, warcinfo: not pages, and not worth counting
        else:
            self.add_response(record, url)
        if self.on_record is not None:
            self.on_record(url)

    def add_response(self, record: ArcWarcRecord, url: str) -> None:
        """Import one response record, or count why not."""
        try:
            self.report.captured.append(self.page(record, url))
        except _Skip as skip:
            if damage := _damage(record):  # a damaged record is a failure even when it would be skipped
                self.report.failed.append(CaptureFailure(url, damage))
            else:
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
        _check_whole(record)
        if not_html_reason(media_type, body):
            raise _Skip("not HTML")
        if reason := body_problem(media_type, body):
            raise CaptureError(reason)
        meta = PageMeta(
            url=url,
            captured_at=_warc_date(record),
            http_status=status,
            content_type=header,
            charset=charset,
            source=f"warc:{self.path.name}",
        )
        slug = slug_from_url(url)
        if not self.filing.replace and same_capture(self.filing.pages_dir / layout.name, slug, meta):
            raise _Skip(ALREADY_IMPORTED)
        return store_page(
            self.filing.pages_dir,
            layout,
            slug,
            body,
            meta,
            url=url,
            replace=self.filing.replace,
            compress=self.filing.compress,
        )

    def layout(self, url: str) -> Layout:
        try:
            layout = self.filing.layouts.choose(name=self.filing.layout_name, url=url)
        except NoLayoutError as error:
            if self.filing.layout_name:
                raise CaptureError(str(error)) from None
            raise _Skip("no layout for the site") from None
        check_filing(self.filing.layouts, layout, url)
        return layout


def _check_whole(record: ArcWarcRecord) -> None:
    """`CaptureError` unless the record is whole (see `_damage`)."""
    if damage := _damage(record):
        raise CaptureError(damage)


def _damage(record: ArcWarcRecord) -> str | None:
    """What is wrong with a record that lacks bytes its Content-Length declares or does not match its digests:
    a file cut mid-record, or a length that swallows the records after it, must not become a page."""
    raw = record.raw_stream
    while raw.read(64 * 1024):  # the rest of the record (a chunked body's trailer, say): digests cover it all
        pass
    missing = getattr(raw, "limit", 0)
    if missing:
        return f"the record is cut short: {missing:,} of its {record.length:,} bytes are missing (a truncated WARC file?)"
    checker = getattr(record, "digest_checker", None)
    if checker is not None and checker.passed is False:
        problem = checker.problems[0] if checker.problems else "digest mismatch"
        return f"the record does not match its digest ({problem}): its length or content is wrong"
    return None


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
