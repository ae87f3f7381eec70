"""The pages tree as the test suite reads it, checked strictly: `<pages>/<layout>/<slug>.html`.

A tree that does not have that shape is an error, not an empty project: a wrong `template_guard_pages`
(one level too deep, misspelt), a layout directory that cannot be listed (permissions, an unmounted share
behind a symlink), two files for one page (`x.htm` beside `x.html`) or a page symlinked out of the tree
would otherwise make an update delete snapshots, or put text from elsewhere into them.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from template_guard.errors import PageError
from template_guard.store.pages import is_page_file, page_slug

__all__ = ["PagesTree", "leftover_temporaries", "scan_pages"]

# `atomic_write` stages `.<name>.<8 random characters>.tmp` beside the file it replaces (tempfile.mkstemp).
_STAGED = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


@dataclass(frozen=True)
class PagesTree:
    """Every page of a pages directory, each at `<layout>/<slug>.<suffix>`, sorted."""

    root: Path
    pages: tuple[Path, ...]


def scan_pages(root: Path) -> PagesTree:
    """The pages under `root`; `PageError` naming the first path that breaks the `<layout>/<slug>.html` shape."""
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise PageError(root, f"the pages directory {what}")
    pages: list[Path] = []
    for entry in _listing(root):
        path = Path(entry.path)
        if is_page_file(path):
            raise PageError(
                path, "a page directly in the pages directory; pages go in <pages>/<layout>/<slug>.html"
                " (is the pages directory set one level too deep?)"
            )
        if entry.name.startswith(".") or not _is_directory(entry):
            continue
        pages.extend(_layout_pages(path, root))
    return PagesTree(root, tuple(sorted(pages)))


def _layout_pages(directory: Path, root: Path) -> list[Path]:
    """The pages of one layout directory, refusing nested pages, clashing slugs and escaping symlinks."""
    by_slug: dict[str, list[Path]] = defaultdict(list)
    for entry in _listing(directory):
        path = Path(entry.path)
        if _is_directory(entry):
            nested = next(_pages_below(path), None)
            if nested is not None:
                raise PageError(nested, "a page nested below a layout directory; pages go in <pages>/<layout>/<slug>.html")
        elif is_page_file(path):
            _check_page_file(entry, root)
            by_slug[page_slug(path)].append(path)
    for slug, paths in by_slug.items():
        if len(paths) > 1:
            names = " and ".join(sorted(p.name for p in paths))
            raise PageError(directory, f"{names} are one page {slug!r} (one snapshot, one sidecar): keep one of them")
    return [path for paths in by_slug.values() for path in paths]


def _check_page_file(entry: os.DirEntry[str], root: Path) -> None:
    """A page must be a readable file inside the pages tree: a symlink out of it could leak into snapshots."""
    path = Path(entry.path)
    if not entry.is_symlink():
        return
    target = path.resolve()
    if not target.is_file():
        raise PageError(path, "a symlink to a missing file")
    if not target.is_relative_to(root.resolve()):
        raise PageError(path, f"a symlink to {target}, outside the pages directory; copy the page in instead")


def _listing(directory: Path) -> list[os.DirEntry[str]]:
    """The entries of `directory`; `PageError` when it cannot be listed (its pages must not count as gone)."""
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda entry: entry.name)  # the first problem reported is stable
    except OSError as error:
        raise PageError(directory, f"cannot list the directory: {error.strerror or error}") from None


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """Whether `entry` is a directory (through a symlink too); `PageError` for a symlink to nothing."""
    try:
        if entry.is_dir():
            return True
    except OSError:
        pass
    if entry.is_symlink() and not os.path.exists(entry.path):
        raise PageError(entry.path, "a symlink to a missing directory (an unmounted share?); its pages cannot be read")
    return False


def _pages_below(directory: Path) -> Iterator[Path]:
    for dirpath, _, files in os.walk(directory):
        yield from (Path(dirpath, name) for name in files if is_page_file(Path(name)))


def leftover_temporaries(*roots: Path) -> list[Path]:
    """Staging files an interrupted write left behind (`.<name>.<random>.tmp`) under `roots`, sorted."""
    found: list[Path] = []
    for root in roots:
        for dirpath, _, files in os.walk(root):  # unreadable directories are scan_pages' business, not this
            found.extend(Path(dirpath, name) for name in files if _STAGED.match(name))
    return sorted(found)
