"""The `template-guard` command line: extract, check, explain (and capture, evaluate)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from template_guard import __version__
from template_guard.engine.article import clip
from template_guard.engine.diagnostics import SelectorHealth, page_findings, preview, selector_health, worst
from template_guard.engine.pipeline import Extraction, run_page
from template_guard.engine.routing import layout_for_page, load_layouts
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import discover_pages, read_page
from template_guard.tools.capture import capture_command
from template_guard.tools.evaluate import evaluate_command
from template_guard.tools.init_command import init_command
from template_guard.tools.locate_command import locate_command
from template_guard.tools.options import EXIT_INVALID_LAYOUTS, EXIT_PROBLEMS, fail, layouts_dir_option, reporting_errors

__all__ = ["EXIT_INVALID_LAYOUTS", "EXIT_PROBLEMS", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="template-guard")
def main() -> None:
    """Declarative news-page layouts, guarded by snapshot and property tests."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--layout", "layout_name", help="Layout to use (default: chosen from the URL).")
@click.option("--url", help="The page's URL (default: its sidecar, else its canonical link).")
@click.option("--captured-at", type=click.DateTime(formats=["%Y-%m-%d"]), help="Capture date; picks the layout version.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@layouts_dir_option
@reporting_errors
def extract(
    paths: tuple[Path, ...],
    layout_name: str | None,
    url: str | None,
    captured_at: dt.datetime | None,
    output_format: str,
    layouts_dirs: tuple[Path, ...],
) -> None:
    """Extract the article from each page: canonical text, or JSON Lines (one object per page)."""
    layouts = load_layouts(layouts_dirs)
    failures = 0
    for index, path in enumerate(paths):
        try:
            extraction = run_page(path, layouts=layouts, layout=layout_name, url=url, captured_at=captured_at)
        except TemplateGuardError as error:
            click.echo(f"error: {error}", err=True)
            failures += 1
            continue
        for problem in extraction.problems:
            click.echo(f"warning: {path}: {problem}", err=True)
        failures += bool(extraction.problems)
        if output_format == "json":
            click.echo(json.dumps({"path": str(path), **extraction.article.to_dict()}, ensure_ascii=False))
        else:
            if len(paths) > 1:
                click.echo(("\n" if index else "") + f"==> {path} <==")
            click.echo(extraction.article.to_text(), nl=False)
    if failures:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("pages_dir", required=False, default="pages", type=click.Path(file_okay=False, path_type=Path))
@layouts_dir_option
@reporting_errors
def check(pages_dir: Path, layouts_dirs: tuple[Path, ...]) -> None:
    """Validate every layout, extract every page under PAGES_DIR, and report the health of every selector."""
    layouts = load_layouts(layouts_dirs)
    click.echo(f"layouts: {len(layouts)} loaded and valid ({', '.join(layouts.names)})")
    paths = discover_pages(pages_dir)
    if not paths:
        fail(f"no pages found under {pages_dir} (expected {pages_dir}/<layout>/<slug>.html)")
    extractions: list[Extraction] = []
    statuses = []
    click.echo(f"\npages ({pages_dir}):")
    for path in paths:
        label = str(path.relative_to(pages_dir).with_suffix(""))
        try:
            page = read_page(path)
            extraction = run_page(page, layouts=layouts, layout=layout_for_page(page, layouts).name)
        except TemplateGuardError as error:
            statuses.append("error")
            click.echo(f"  error    {label}: {error}")
            continue
        extractions.append(extraction)
        findings = page_findings(extraction)
        status = worst(f.status for f in findings)
        statuses.append(status)
        article = extraction.article
        click.echo(
            f"  {status:<8} {label}  {article.layout}@{article.version}  "
            f"{len(article.blocks)} blocks  {clip(article.title, 60)!r}"
        )
        for finding in findings:
            click.echo(f"           {finding.status}: {finding.message}")
    health = [row for layout in layouts for row in selector_health(layout, extractions)]
    if health:
        click.echo("\nselector health:")
        _print_health(health)
    statuses.extend(row.status for row in health)
    counts = {s: statuses.count(s) for s in ("error", "warning")}
    click.echo(f"\n{len(paths)} pages checked: {counts['error']} errors, {counts['warning']} warnings")
    if counts["error"]:
        sys.exit(EXIT_PROBLEMS)


def _print_health(rows: list[SelectorHealth]) -> None:
    current = None
    for row in rows:
        if (row.layout, row.version) != current:
            current = (row.layout, row.version)
            click.echo(f"  {row.layout}@{row.version} ({row.pages} pages)")
        click.echo(f"    {row.status:<8} {row.role:<11} {row.name:<18} {row.selector:<45} {row.message}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--layout", "layout_name", help="Layout to use (default: chosen from the URL).")
@click.option("--url", help="The page's URL (default: its sidecar, else its canonical link).")
@click.option("--captured-at", type=click.DateTime(formats=["%Y-%m-%d"]), help="Capture date; picks the layout version.")
@layouts_dir_option
@reporting_errors
def explain(
    path: Path, layout_name: str | None, url: str | None, captured_at: dt.datetime | None, layouts_dirs: tuple[Path, ...]
) -> None:
    """Show what each boilerplate selector removed and what each field selector matched on one page."""
    layouts = load_layouts(layouts_dirs)
    page = read_page(path)
    extraction = run_page(page, layouts=layouts, layout=layout_name, url=url, captured_at=captured_at)
    version = extraction.version
    decoded = extraction.decoded
    click.echo(f"page:    {path}")
    click.echo(f"decoded: {decoded.encoding} (from {decoded.origin})" + (f"; {decoded.note}" if decoded.note else ""))
    day = captured_at.date() if captured_at else page.meta.capture_date
    until = version.valid_until or "open"
    click.echo(
        f"layout:  {extraction.layout.name} ({extraction.layout.source.name}), version {version.name} "
        f"[{version.valid_from} – {until}], capture date {day or 'unknown (newest version)'}"
    )
    click.echo("\nboilerplate removed:")
    for region, rule in zip(extraction.removed, version.boilerplate, strict=True):
        click.echo(f"  {region.name:<18} {rule.selector}: {len(region.elements)} element(s)")
        for element in region.elements[:3]:
            click.echo(f"      {preview(element)!r}")
        if len(region.elements) > 3:
            click.echo(f"      … and {len(region.elements) - 3} more")
    click.echo("\nfields:")
    for match in extraction.fields.values():
        values = "; ".join(clip(v, 60) for v in match.values) or "(nothing)"
        click.echo(f"  {match.name:<11} {match.rule.selector}: matched {match.matched} → {values}")
    body = extraction.body
    click.echo(f"\nbody ({version.body.selector}): {body.containers} container(s), {body.excluded} element(s) excluded")
    for block_rule, count in zip(version.body.blocks, body.matched_per_rule, strict=True):
        click.echo(f"  block {block_rule.kind:<11} {block_rule.selector}: matched {count}")
    for block in body.dropped:
        click.echo(f"  dropped by drop_text: {clip(block.text, 60)!r}")
    click.echo("\nblocks:")
    for number, block in enumerate(body.blocks, 1):
        click.echo(f"  {number:>3} {block.kind:<10} {clip(block.text, 90)}")
    findings = page_findings(extraction)
    click.echo("\nproblems: " + ("none" if not findings else ""))
    for finding in findings:
        click.echo(f"  {finding.status}: {finding.message}")
    if not extraction.ok:
        sys.exit(EXIT_PROBLEMS)


main.add_command(capture_command)
main.add_command(evaluate_command)
main.add_command(init_command)
main.add_command(locate_command)
