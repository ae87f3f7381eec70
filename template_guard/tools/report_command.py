"""`template-guard report PAGE...`: an HTML report per page, showing what its layout keeps, strips and suspects."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from template_guard.engine.pipeline import Extraction, run_captured, run_page
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import TemplateGuardError
from template_guard.report import PageReport, report_entries, write_index, write_report
from template_guard.report.diffing import snapshot_diff, snapshot_path
from template_guard.store.pages import Page, read_page
from template_guard.tools.options import EXIT_PROBLEMS, configured_directory, layouts_dir_option, reporting_errors

DEFAULT_OUTPUT = Path("template-guard-report")


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUTPUT,
    show_default=True, help="Directory to write <layout>/<slug>.html and index.html into.",
)
@click.option(
    "--snapshots", "snapshots_dir", type=click.Path(file_okay=False, path_type=Path),
    callback=configured_directory("snapshots"),
    help="Reviewed snapshots, <dir>/<layout>/<slug>.txt: a page that differs shows the block diff "
    "(default: the project's snapshots directory, else ./snapshots).",
)
@layouts_dir_option
@reporting_errors
def report_command(paths: tuple[Path, ...], output_dir: Path, snapshots_dir: Path, layouts_dirs: tuple[Path, ...]) -> None:
    """Write an HTML report per page: the page as captured, with its boilerplate regions, fields, body blocks,
    exclusions and findings outlined, a legend and a side panel; and DIR/index.html linking them by status.

    Reports are self-contained and inert: the page's scripts, handlers, frames and external resources are
    removed and a strict content security policy lets only the report's own script run.
    """
    layouts = load_layouts(layouts_dirs)
    failures = 0
    for path in paths:
        try:
            page = read_page(path)
            extraction = _extract(page, layouts)
        except TemplateGuardError as error:
            click.echo(f"error: {error}", err=True)
            failures += 1
            continue
        page_id = f"{extraction.layout.name}/{path.stem}"
        diff = snapshot_diff(snapshot_path(snapshots_dir, page_id), extraction.article)
        written = write_report(output_dir, PageReport(page_id, extraction, diff=diff, url=page.meta.url))
        click.echo(f"wrote {written}")
    index = write_index(output_dir)
    statuses = [entry.status for entry in report_entries(output_dir)]
    summary = ", ".join(f"{statuses.count(status)} {status}" for status in ("failing", "problems", "ok"))
    click.echo(f"wrote {index} ({summary})")
    if failures:
        sys.exit(EXIT_PROBLEMS)


def _extract(page: Page, layouts: LayoutSet) -> Extraction:
    """The page's extraction, its layout chosen as `check` and the pytest plugin choose it when they can."""
    if page.layout_hint in layouts.names or page.meta.url:
        return run_captured(page, layouts)
    return run_page(page, layouts=layouts)  # no sidecar, no layout directory: the page's canonical URL
