"""The evidence section of `template-guard check`: findings per page, accepted ones, unused accept entries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import click

from template_guard.engine.pipeline import Extraction
from template_guard.evidence import evidence_for
from template_guard.evidence.report import unused_message
from template_guard.tools.progress import progress


def report_evidence(
    groups: Mapping[tuple[str, str], Sequence[Path]], pages_dir: Path, extract: Callable[[Path], Extraction | None]
) -> list[str]:
    """Print the evidence of every layout version (its pages by path, each extracted with `extract` while its
    version is judged, so only one version's trees are held at a time); one status per open finding ("error")
    and per version with unused accept entries ("warning")."""
    statuses: list[str] = []
    click.echo("\nevidence (from outside the layouts: structured data, other pages, chrome markup):")
    # This takes about as long as extracting the pages did: a second progress line, counting layout versions.
    with progress("check evidence", len(groups), unit="version") as bar:
        for (layout, version), paths in groups.items():
            extractions = (extraction for path in paths if (extraction := extract(path)) is not None)
            group = {_page_id(extraction, pages_dir): extraction for extraction in extractions}
            evidence = evidence_for(group)
            judged = evidence.judged
            open_count = sum(len(findings) for findings in judged.open.values())
            accepted = sum(len(items) for items in judged.accepted.values())
            bar.echo(f"  {layout}@{version} ({len(group)} pages): {open_count} finding(s), {accepted} accepted")
            for page_id, findings in judged.open.items():
                if findings:
                    bar.echo(f"    {page_id}:")
                for finding in findings:
                    bar.echo(f"      error: {finding.describe()}")
                statuses.extend("error" for _ in findings)
            if judged.unused:
                bar.echo(f"    warning: {unused_message(evidence)}")
                statuses.append("warning")
            bar.advance(f"{layout}@{version}")
    return statuses


def _page_id(extraction: Extraction, pages_dir: Path) -> str:
    if extraction.source is None:
        return "?"
    path = Path(extraction.source)
    return path.relative_to(pages_dir).with_suffix("").as_posix() if path.is_relative_to(pages_dir) else str(path)
