"""The `template-guard` command line: the group and extract, check, explain (capture and evaluate load lazily)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from template_guard import __version__
from template_guard.engine.article import clip
from template_guard.engine.diagnostics import (
    SelectorHealth,
    SelectorUse,
    page_findings,
    preview,
    selector_health,
    worst,
)
from template_guard.engine.parse import PRESCAN_BYTES, Decoded, late_meta_charset
from template_guard.engine.pipeline import Extraction, run_captured, run_page
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import Page, discover_pages, page_id, read_page
from template_guard.tools.evidence_check import report_evidence
from template_guard.tools.lazy import LazyCommand, LazyGroup
from template_guard.tools.options import (
    EXIT_INVALID_LAYOUTS,
    EXIT_PROBLEMS,
    configured_directory,
    fail,
    layouts_dir_option,
    reporting_errors,
)
from template_guard.tools.progress import progress
from template_guard.tools.version_table import render_rows, version_rows

__all__ = ["EXIT_INVALID_LAYOUTS", "EXIT_PROBLEMS", "main"]


# Imported only when they run: capture needs requests and warcio, evaluate rouge-score and trafilatura.
LAZY_COMMANDS = {
    "capture": LazyCommand(
        "template_guard.tools.capture_command:capture_command",
        "Capture pages into pages/<layout>/<slug>.html with their metadata sidecar.",
    ),
    "evaluate": LazyCommand(
        "template_guard.tools.evaluate_command:evaluate_command",
        "Score extraction quality on a fundus-eval corpus (ROUGE-LSum vs gold), next to trafilatura and Fundus.",
    ),
    "init": LazyCommand(
        "template_guard.tools.init_command:init_command",
        "Draft a layout (or a new version of one) from two or more captures of a site.",
    ),
    "locate": LazyCommand(
        "template_guard.tools.locate_command:locate_command",
        "Print the elements holding a text, with a short stable selector for each.",
    ),
    "report": LazyCommand(
        "template_guard.tools.report_command:report_command",
        "Write an HTML report per page: the page as captured, with what its layout keeps, strips and suspects.",
    ),
}


@click.group(cls=LazyGroup, lazy_commands=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
        # A page that does not fit its layout is an error (README), though what was found is still printed.
        for problem in extraction.problems:
            click.echo(f"error: {path}: {problem}", err=True)
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
@click.argument(
    "pages_dir", required=False, type=click.Path(file_okay=False, path_type=Path), callback=configured_directory("pages")
)
@layouts_dir_option
@reporting_errors
def check(pages_dir: Path, layouts_dirs: tuple[Path, ...]) -> None:
    """Validate every layout, extract every page under PAGES_DIR, and report the health of every selector.

    PAGES_DIR defaults to the project's pages directory (pyproject.toml), else ./pages.
    """
    layouts = load_layouts(layouts_dirs)
    click.echo(f"layouts: {len(layouts)} loaded and valid ({', '.join(layouts.names)})")
    for replacement in layouts.replaced:
        click.echo(f"  {replacement}")
    paths = discover_pages(pages_dir)
    if not paths:
        fail(f"no pages found under {pages_dir} (expected {pages_dir}/<layout>/<slug>.html)")
    # Only counts are kept per page (its tree would make a check of a thousand pages hold them all); the
    # evidence extracts a version's pages again while it judges them.
    uses: list[SelectorUse] = []
    groups: dict[tuple[str, str], list[Path]] = {}
    used: list[tuple[str, str, dt.date | None]] = []
    statuses = []
    click.echo(f"\npages ({pages_dir}):")
    with progress("check", len(paths)) as bar:
        for path in paths:
            label = page_id(path, pages_dir)
            try:
                page = read_page(path)
                extraction = run_captured(page, layouts)
            except TemplateGuardError as error:
                statuses.append("error")
                bar.echo(f"  error    {label}: {error}")
                bar.advance(label)
                continue
            uses.append(SelectorUse.of(extraction))
            groups.setdefault((extraction.layout.name, extraction.version.name), []).append(path)
            used.append((extraction.layout.name, extraction.version.name, page.meta.capture_date))
            findings = page_findings(extraction)
            status = worst(f.status for f in findings)
            statuses.append(status)
            article = extraction.article
            bar.echo(
                f"  {status:<8} {label}  {article.layout}@{article.version}  "
                f"{len(article.blocks)} blocks  {clip(article.title, 60)!r}"
            )
            for finding in findings:
                bar.echo(f"           {finding.status}: {finding.message}")
            bar.advance(label)
    if used:
        click.echo("\nversions:")
        for line in render_rows(version_rows(layouts, used)):
            click.echo(f"  {line}")
    statuses.extend(report_evidence(groups, pages_dir, lambda path: _extract_again(path, layouts)))  # evidence
    health = [row for layout in layouts for row in selector_health(layout, uses)]
    if health:
        click.echo("\nselector health:")
        _print_health(health)
    statuses.extend(row.status for row in health)
    counts = {s: statuses.count(s) for s in ("error", "warning")}
    click.echo(f"\n{len(paths)} pages checked: {counts['error']} errors, {counts['warning']} warnings")
    if counts["error"]:
        sys.exit(EXIT_PROBLEMS)


def _extract_again(path: Path, layouts: LayoutSet) -> Extraction | None:
    """A page `check` extracted before; None if it no longer extracts (its error was reported already)."""
    try:
        return run_captured(read_page(path), layouts)
    except TemplateGuardError:
        return None


def _fitting_versions(page: Page, extraction: Extraction, layouts: LayoutSet, url: str | None) -> str:
    """For a page without a capture date that the newest version does not fit: the versions that do fit."""
    layout, newest = extraction.layout, extraction.version
    fitting = [
        version.name
        for version in layout.versions_of(newest.variant)
        if version is not newest
        and run_page(page, layouts=layouts, layout=layout.name, url=url, captured_at=version.valid_from).ok
    ]
    said = f"the capture date is unknown, so the newest version {newest.name!r} was used, and it does not fit"
    if not fitting:
        return f"{said}; no other version fits either"
    return f"{said}; version(s) {', '.join(map(repr, fitting))} fit: pass --captured-at, or add captured_at to the sidecar"


def _charset_origin(decoded: Decoded, content: bytes) -> str:
    """The charset used and where it came from, including a <meta> charset too late for the prescan to see."""
    text = f"{decoded.encoding} (from {decoded.origin})" + (f"; {decoded.note}" if decoded.note else "")
    late = late_meta_charset(content) if decoded.origin not in ("bom", "http", "meta") else None
    if late is not None:
        label, offset = late
        text += (
            f"; the page's <meta> charset {label!r} at byte {offset} was ignored: it is past the first "
            f"{PRESCAN_BYTES} bytes, where browsers look for it (move it to the top of <head>)"
        )
    return text


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
    click.echo(f"decoded: {_charset_origin(decoded, page.content)}")
    day = captured_at.date() if captured_at else page.meta.capture_date
    until = version.valid_until or "open"
    click.echo(
        f"layout:  {extraction.layout.name} ({extraction.layout.source.name}), version {version.name} "
        f"[{version.valid_from} – {until}], capture date {day or 'unknown (newest version)'}"
    )
    replacement = layouts.replacement(extraction.layout.name)
    if replacement is not None:
        click.echo(f"         your layout {replacement}")
    if extraction.chosen_because:
        click.echo(f"         chosen: {extraction.chosen_because}")
    if day is None and not extraction.ok:
        click.echo("         " + _fitting_versions(page, extraction, layouts, url))
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
        used = match.source or match.rule.described  # of several sources, the one that gave the value
        click.echo(f"  {match.name:<11} {used}: matched {match.matched} → {values}")
        if len(match.rule.sources) > 1:
            click.echo(f"  {'':<11} sources, first value wins: {match.rule.described}")
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
