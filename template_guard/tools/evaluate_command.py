"""The `template-guard evaluate` command: extraction quality on a fundus-eval corpus."""

from __future__ import annotations

import json
from pathlib import Path

import click

from template_guard.engine.routing import load_layouts
from template_guard.tools.evaluate import corpus_pages, evaluate, format_report
from template_guard.tools.options import layouts_dir_option, reporting_errors
from template_guard.tools.progress import progress


@click.command("evaluate")
@click.argument("corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-trafilatura", is_flag=True, help="Do not run the trafilatura baseline (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of tables.")
@click.option(
    "--publisher", "publishers", multiple=True, help="Only this publisher (the page-key prefix, e.g. APNews); repeatable."
)
@layouts_dir_option
@reporting_errors
def evaluate_command(
    corpus_dir: Path, no_trafilatura: bool, as_json: bool, publishers: tuple[str, ...], layouts_dirs: tuple[Path, ...]
) -> None:
    """Score extraction quality on a fundus-eval corpus (ROUGE-LSum vs gold), next to trafilatura and Fundus.

    Needs the `eval` extra (rouge-score; trafilatura unless --no-trafilatura).
    """
    layouts = load_layouts(layouts_dirs)
    total = len(corpus_pages(corpus_dir, publishers or None))
    with progress("evaluate", total) as bar:
        report = evaluate(
            corpus_dir,
            trafilatura=not no_trafilatura,
            layouts=layouts,
            publishers=publishers or None,
            on_page=bar.advance,
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report), nl=False)
