"""The snapshot diff a report shows: how a page's article now differs from its reviewed snapshot."""

from __future__ import annotations

from pathlib import Path

from template_guard.engine.article import Article


def snapshot_path(snapshots_dir: Path, page_id: str) -> Path:
    """Where the snapshot of page `<layout>/<slug>` lives: `<snapshots_dir>/<layout>/<slug>.txt`."""
    return snapshots_dir.joinpath(*page_id.split("/")).with_suffix(".txt")


def snapshot_diff(snapshot: Path, article: Article) -> tuple[str, ...]:
    """One line per changed field and body block (`describe_changes`); empty when equal or not snapshotted."""
    if not snapshot.is_file():
        return ()
    try:
        from template_guard.testing.snapshot import SnapshotFormatError, describe_changes, parse_snapshot
    except ImportError:  # the snapshot format lives with the test extra (pytest, syrupy); without it, no diff
        return ()
    try:
        expected = parse_snapshot(snapshot.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SnapshotFormatError) as error:
        return (f"cannot read the snapshot {snapshot}: {error}",)
    return tuple(describe_changes(expected, article))
