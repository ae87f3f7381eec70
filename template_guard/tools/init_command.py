"""`template-guard init`: draft a layout (or a new version of one) from a few captured pages."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

import click

from template_guard.drafting.draft import draft_layout
from template_guard.drafting.pages import DraftPage, load_draft_pages
from template_guard.drafting.review import Review, review_layout
from template_guard.drafting.revise import revise_layout
from template_guard.drafting.toml_writer import render_layout
from template_guard.engine.layout import Layout
from template_guard.engine.layout_file import load_layout
from template_guard.engine.routing import load_layouts
from template_guard.errors import DraftError, LayoutError, NoLayoutError
from template_guard.store.pages import atomic_write
from template_guard.tools.options import EXIT_PROBLEMS, layouts_dir_option, reporting_errors

DEFAULT_OUT = Path("layouts")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@click.command("init")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", help="Name of the new layout: lower-case letters, digits, '.', '_' or '-'.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for NAME.toml (default: ./layouts; with --version: the layout's own file).",
)
@click.option(
    "--url", "urls", multiple=True, help="Each page's URL, in page order (default: sidecar, else canonical link)."
)
@click.option(
    "--captured-at",
    "dates",
    multiple=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Each page's capture date, in page order (default: its sidecar).",
)
@click.option("--version", "version_name", help="Draft a new version NAME of the layout given by --from.")
@click.option("--from", "from_layout", help="Layout file, or layout name, that the new --version extends.")
@click.option("--force", is_flag=True, help="Overwrite an existing NAME.toml.")
@layouts_dir_option
@reporting_errors
def init_command(
    paths: tuple[Path, ...],
    name: str | None,
    out_dir: Path | None,
    urls: tuple[str, ...],
    dates: tuple[dt.datetime, ...],
    version_name: str | None,
    from_layout: str | None,
    force: bool,
    layouts_dirs: tuple[Path, ...],
) -> None:
    """Draft a layout from two or more captured PAGES of one design, write it, and check it on them."""
    if bool(version_name) != bool(from_layout):
        raise DraftError("--version and --from go together: --version NAME --from LAYOUT")
    if not version_name and not name:
        raise DraftError("name the new layout with --name NAME (or give --version NAME --from LAYOUT)")
    for value in (name, version_name):
        if value is not None and not _NAME.match(value):
            raise DraftError(f"{value!r} is not a valid name: use lower-case letters, digits, '.', '_' or '-'")
    pages = load_draft_pages(list(paths), list(urls), [d.date() for d in dates])
    today = dt.datetime.now(dt.UTC).date()
    if version_name and from_layout:
        _new_version(pages, version_name, from_layout, out_dir, layouts_dirs, today)
        return
    assert name is not None
    target = (out_dir or DEFAULT_OUT) / f"{name}.toml"
    if target.exists() and not force:
        raise DraftError(f"{target} already exists: pass --force to replace it, or choose another --name")
    draft = draft_layout(pages, name)
    layout = _write(target, render_layout(draft, today))
    fields = ", ".join(f.name for f in draft.fields)
    click.echo(f"wrote {target}: {len(draft.regions)} chrome regions; fields {fields}; body {draft.body.css!r}")
    _warn_if_served(pages[0], layout, layouts_dirs)
    _report(review_layout(layout, pages, draft.todo()))


def _new_version(
    pages: list[DraftPage],
    version: str,
    source: str,
    out_dir: Path | None,
    layouts_dirs: tuple[Path, ...],
    today: dt.date,
) -> None:
    path = Path(source)
    layout = load_layout(path) if path.suffix == ".toml" or path.is_file() else load_layouts(layouts_dirs).get(source)
    text = layout.source.read_text(encoding="utf-8-sig")
    revision = revise_layout(layout, text, pages, version, today)
    target = out_dir / f"{layout.name}.toml" if out_dir else layout.source
    new_layout = _write(target, revision.layout_text)
    click.echo(f"appended version {version!r} to {target}:")
    click.echo(revision.version_text.rstrip("\n"))
    click.echo("\nchanged: " + ("; ".join(revision.changed) or "nothing: the old version still fits"))
    _report(review_layout(new_layout, pages, revision.draft.todo()))


def _write(target: Path, text: str) -> Layout:
    """Validate the text as a layout file of that name, then write it in one step."""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / target.name
        trial.write_text(text, encoding="utf-8")
        load_layout(trial)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, text.encode("utf-8"))
    return load_layout(target)


def _warn_if_served(page: DraftPage, layout: Layout, layouts_dirs: tuple[Path, ...]) -> None:
    try:
        other = load_layouts(layouts_dirs).for_url(page.url)
    except NoLayoutError:
        return
    except LayoutError as error:  # the new file, in a --layouts-dir, claims a host another layout claims
        click.echo(f"note: {error}")
        return
    if other.source.resolve() != layout.source.resolve():
        click.echo(
            f"note: layout {other.name} ({other.source}) already serves {page.host}: "
            f"use init --version NAME --from {other.name} to extend it instead"
        )


def _report(review: Review) -> None:
    click.echo("\ncheck:")
    for line in review.pages:
        click.echo(f"  {line}")
    click.echo("\nto review:" + ("" if review.todo else " nothing flagged"))
    for item in review.todo:
        click.echo(f"  - {item}")
    if review.failed:
        click.echo(f"\n{review.failed} page(s) do not extract with the draft: fix it before use", err=True)
        sys.exit(EXIT_PROBLEMS)
