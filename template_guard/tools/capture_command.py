"""The `template-guard capture` command: live URLs or a WARC file into pages/<layout>/<slug>.html."""

from __future__ import annotations

from pathlib import Path

import click

from template_guard.engine.routing import load_layouts
from template_guard.errors import CaptureError
from template_guard.tools.capture import CaptureReport, CaptureResult, Filing, capture_urls, check_slug
from template_guard.tools.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    TOTAL_TIMEOUT_FACTOR,
    FetchLimits,
    new_session,
)
from template_guard.tools.options import EXIT_PROBLEMS, configured_directory, layouts_dir_option, reporting_errors
from template_guard.tools.progress import progress
from template_guard.tools.warc import import_warc


@click.command("capture")
@click.argument("urls", metavar="URL...", nargs=-1)
@click.option("--layout", "layout_name", metavar="NAME", help="Layout to file the pages under (default: by URL).")
@click.option("--name", metavar="SLUG", help="File name for the page, without extension (one URL only).")
@click.option(
    "--pages-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=configured_directory("pages"),
    help="Where <layout>/<slug>.html and its sidecar go (default: the project's pages directory, else ./pages).",
)
@layouts_dir_option
@click.option("--replace", is_flag=True, help="Overwrite a capture with the same name instead of dating the new one.")
@click.option("--gzip", "compress", is_flag=True, help="Store each page gzip-compressed, as <slug>.html.gz.")
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
    compress: bool,
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

    filing = Filing(layouts, pages_dir, layout_name, replace, compress)
    if warc:
        # How many records a WARC holds is known only once it is read: the progress line counts them
        # ("12 records"; without a total tqdm writes the unit right after the count, hence the space).
        with progress("capture", None, unit=" records") as bar:
            report = import_warc(warc, filing, url_pattern=url_pattern, max_bytes=max_bytes, on_record=bar.advance)
    else:
        limits = FetchLimits(timeout=timeout, max_bytes=max_bytes)
        with new_session() as session, progress("capture", len(urls)) as bar:
            report = capture_urls(urls, filing, name=name, limits=limits, session=session, on_page=bar.advance)
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
    stamp = meta.to_dict().get("captured_at", "unknown time")
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
