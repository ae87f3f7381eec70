"""The snapshot diff a report shows: how a page's article now differs from its reviewed snapshot."""

from __future__ import annotations

from pathlib import Path

from template_guard.engine.article import Article
from template_guard.errors import SnapshotFormatError
from template_guard.store.snapshot_file import parse_snapshot
from template_guard.testing.diff import describe_changes


def snapshot_path(snapshots_dir: Path, page_id: str) -> Path:
    """Where the snapshot of page `<layout>/<slug>` lives: `<snapshots_dir>/<layout>/<slug>.txt`."""
    return snapshots_dir.joinpath(*page_id.split("/")).with_suffix(".txt")


def snapshot_diff(snapshot: Path, article: Article) -> tuple[str, ...]:
    """One line per changed field and body block (`describe_changes`); empty when equal or not snapshotted."""
    if not snapshot.is_file():
        return ()
    try:
        expected = parse_snapshot(snapshot.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SnapshotFormatError) as error:
        return (f"cannot read the snapshot {snapshot}: {error}",)
    return tuple(describe_changes(expected, article))
