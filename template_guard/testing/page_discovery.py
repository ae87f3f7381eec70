"""Which pages a test run covers, found strictly, and the leftovers of interrupted snapshot updates.

A run must never mistake a broken pages tree for an empty project: an update would then delete every
snapshot as orphaned. So a pages directory that is missing while the project evidently has one (it is
configured, or snapshots exist), one that holds no page while snapshots exist, or one with the wrong shape
(see `store.tree`) stops the run with one line.
"""

from __future__ import annotations

from pathlib import Path

from template_guard.errors import PageError
from template_guard.store.pages import page_id
from template_guard.store.snapshot_file import SUFFIX
from template_guard.store.tree import leftover_temporaries, scan_pages
from template_guard.testing import PageRef, shown

__all__ = ["find_pages", "handle_leftovers"]


def find_pages(pages_dir: Path, snapshots_dir: Path, rootdir: Path, *, configured: bool) -> tuple[PageRef, ...]:
    """The captured pages, sorted; `PageError` when the pages tree is missing or malformed for this project.

    `configured`: the pages directory was set explicitly (ini option or pyproject.toml), so it must exist.
    """
    snapshots = _has_snapshots(snapshots_dir)
    if not pages_dir.exists() and not pages_dir.is_symlink() and not configured and not snapshots:
        return ()  # a project that does not use template_guard's pages: nothing to generate
    where = shown(pages_dir, rootdir)
    try:
        tree = scan_pages(pages_dir)
    except PageError as error:
        hint = "" if configured or pages_dir.exists() else " (set template_guard_pages, or capture pages first)"
        raise PageError(None, str(error).replace(str(pages_dir), where, 1) + hint) from None
    if not tree.pages and snapshots:
        raise PageError(
            where, f"no pages, but {shown(snapshots_dir, rootdir)} holds snapshots: is the pages directory set right?"
        )
    return tuple(PageRef(id=page_id(path, pages_dir), path=path, shown=shown(path, rootdir)) for path in tree.pages)


def _has_snapshots(snapshots_dir: Path) -> bool:
    return snapshots_dir.is_dir() and any(snapshots_dir.glob(f"*/*{SUFFIX}"))


def handle_leftovers(pages_dir: Path, snapshots_dir: Path, rootdir: Path, *, remove: bool) -> str | None:
    """One line about staging files an interrupted write left behind; with `remove`, they are deleted first."""
    leftovers = leftover_temporaries(*(d for d in (pages_dir, snapshots_dir) if d.is_dir()))
    if not leftovers:
        return None
    names = ", ".join(shown(path, rootdir) for path in leftovers[:3]) + (", …" if len(leftovers) > 3 else "")
    if remove:
        for path in leftovers:
            path.unlink(missing_ok=True)
        return f"removed {len(leftovers)} temporary file(s) left by an interrupted write: {names}"
    return (
        f"{len(leftovers)} temporary file(s) left by an interrupted write: {names};"
        " `pytest --snapshot-update` removes them (do not commit them)"
    )
