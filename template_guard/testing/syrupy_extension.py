"""The syrupy side of page snapshots: where each page's snapshot file is, and the generated test's assertion.

`PageSnapshotExtension` stores each page's article in `<snapshots>/<layout>/<slug>.txt` in the format of
`template_guard.store.snapshot_file`; `assert_matches` fails with the per-field report of
`template_guard.testing.diff`. Misuse raises `SnapshotError`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import pytest
from syrupy.data import Snapshot, SnapshotCollection
from syrupy.extensions.base import AbstractSyrupyExtension

from template_guard.engine.article import Article
from template_guard.engine.pipeline import Extraction
from template_guard.errors import SnapshotError, SnapshotFormatError
from template_guard.store.pages import atomic_write, is_page_file, page_slug
from template_guard.store.snapshot_file import SUFFIX, parse_snapshot, render_snapshot
from template_guard.testing import PageRef, shown
from template_guard.testing.diff import describe_changes, mismatch_report, missing_report

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion
    from syrupy.location import PyTestLocation
    from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SnapshotIndex

__all__ = ["PageSnapshotExtension", "SnapshotSite", "assert_matches"]

PageState = Literal["present", "gone", "unknown"]


@dataclass(frozen=True)
class SnapshotSite:
    """Where a project keeps its pages and their snapshots (set by the plugin from its ini options)."""

    rootdir: Path
    pages: Path
    snapshots: Path

    def page_id(self, snapshot: Path) -> str:
        """The id of the page a snapshot file belongs to (`<layout>/<slug>`)."""
        return snapshot.relative_to(self.snapshots).as_posix().removesuffix(SUFFIX)

    def page_exists(self, snapshot: Path) -> bool:
        """Whether the page of a snapshot file is still captured (its suffix in any letter case)."""
        return self.page_state(snapshot) == "present"

    def page_gone(self, snapshot: Path) -> bool:
        """Whether the page of a snapshot file is certainly gone: only then may an update delete the snapshot."""
        return self.page_state(snapshot) == "gone"

    def page_state(self, snapshot: Path) -> PageState:
        """`present`, `gone` (its directory was listed and lacks it, or the pages directory was listed and
        lacks the layout directory), or `unknown` (a directory could not be listed: a permission, an unmounted
        share behind a symlink), which must count as present for deletion."""
        page = self.pages / self.page_id(snapshot)
        try:
            names = [entry.name for entry in os.scandir(page.parent)]
        except FileNotFoundError:
            if os.path.lexists(page.parent):
                return "unknown"  # a symlink to nothing: the share is not mounted, its pages are not gone
            return "gone" if self._lists(page.parent.parent) else "unknown"
        except OSError:
            return "unknown"
        return "present" if any(is_page_file(Path(n)) and page_slug(Path(n)) == page.name for n in names) else "gone"

    def _lists(self, directory: Path) -> bool:
        """Whether `directory`, inside the pages directory, can be listed."""
        if not directory.is_relative_to(self.pages):
            return False  # a snapshot nested deeper than <layout>/<slug> has no page directory to check
        try:
            os.scandir(directory).close()
        except OSError:
            return False
        return True


class PageSnapshotExtension(AbstractSyrupyExtension):
    """Stores each page's article in `<snapshots>/<layout>/<slug>.txt`, written by `render_snapshot`.

    Use it in tests parametrized by the plugin's `page_ref`: the file is named after that page.
    """

    file_extension = SUFFIX.lstrip(".")
    # One small file per page: batching gains nothing, and a write made at once is never lost to a crash.
    write_immediately = True
    # Set by the plugin for the whole run; a class attribute because syrupy instantiates extensions itself,
    # also on the xdist controller where no test runs (as syrupy does with `snapshot_dirname`).
    site: ClassVar[SnapshotSite | None] = None

    @classmethod
    def _site(cls) -> SnapshotSite:
        if cls.site is None:
            raise SnapshotError("PageSnapshotExtension needs the template_guard pytest plugin (it is disabled)")
        return cls.site

    @classmethod
    def _path(cls, test_location: PyTestLocation) -> Path:
        params = getattr(getattr(test_location.item, "callspec", None), "params", {})
        ref = params.get("page_ref")
        if not isinstance(ref, PageRef):
            raise SnapshotError(f"{test_location.nodeid}: page snapshots need a test parametrized by `page_ref`")
        return cls._site().snapshots / f"{ref.id}{SUFFIX}"

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> str:
        """An Article as its snapshot text; a string is taken as already rendered."""
        if isinstance(data, Article):
            return render_snapshot(data)
        if isinstance(data, str):
            return data
        raise SnapshotError(f"page snapshots hold an Article, not {type(data).__name__}")

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls._path(test_location).parent)

    @classmethod
    def get_file_basename(cls, *, test_location: PyTestLocation, index: SnapshotIndex) -> str:
        return cls._path(test_location).name.removesuffix(SUFFIX)

    @classmethod
    def discovery_dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls._site().snapshots)

    def owns_snapshot_collection(self, *, filepath: str, test_location: PyTestLocation) -> bool:
        # Only orphans are offered to syrupy's unused-snapshot detection. A snapshot whose page still
        # exists is never unused, even when its test failed before asserting, so an update can never
        # delete it; `-k` or a failing extraction must not cost a reviewed snapshot.
        return self.is_snapshot_location(location=filepath) and self._site().page_gone(Path(filepath))

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation, snapshot_location: str) -> bool:
        cls._site()  # a disabled plugin is an error; a test without `page_ref` only owns no page snapshot
        try:
            return Path(snapshot_location) == cls._path(test_location)
        except SnapshotError:
            return False

    def read_snapshot_collection(self, *, snapshot_location: str) -> SnapshotCollection:
        collection = SnapshotCollection(location=snapshot_location)
        collection.add(Snapshot(name=self._site().page_id(Path(snapshot_location))))
        return collection

    def read_snapshot_data_from_location(
        self, *, snapshot_location: str, snapshot_name: str, session_id: str
    ) -> str | None:
        try:
            return Path(snapshot_location).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    @classmethod
    def write_snapshot_collection(
        cls, *, snapshot_collection: SnapshotCollection, name_order: dict[str, int] | None = None
    ) -> None:
        data = next(iter(snapshot_collection)).data
        if not isinstance(data, str):
            raise SnapshotError(f"page snapshots are text, not {type(data).__name__}")
        atomic_write(Path(snapshot_collection.location), data.encode("utf-8"))

    def delete_snapshots(self, *, snapshot_location: str, snapshot_names: set[str]) -> None:
        path = Path(snapshot_location)
        if not self._site().page_gone(path):
            return  # the page came back since discovery, or its directory cannot be listed: the snapshot stays
        path.unlink(missing_ok=True)
        if path.parent != self._site().snapshots:
            with contextlib.suppress(OSError):  # not empty: other pages of the layout remain
                path.parent.rmdir()

    def diff_lines(self, serialized_data: SerializableData, snapshot_data: SerializableData) -> Iterator[str]:
        """Per field and per block, as in the generated tests' reports, when both sides parse."""
        try:
            yield from describe_changes(parse_snapshot(str(snapshot_data)), parse_snapshot(str(serialized_data)))
        except SnapshotFormatError:
            yield from super().diff_lines(serialized_data, snapshot_data)


# ---- the generated test's assertion ----------------------------------------------------------------


def assert_matches(snapshot: SnapshotAssertion, extraction: Extraction, ref: PageRef) -> None:
    """Fail with a readable report unless the page's article equals its snapshot (or the run updates it)."""
    __tracebackhide__ = True
    assertion = snapshot.use_extension(PageSnapshotExtension)
    if assertion == extraction.article:
        return
    result = assertion.executions[assertion.num_executions - 1]
    site = PageSnapshotExtension._site()
    where = shown(Path(result.snapshot_location), site.rootdir)
    if result.exception is not None:
        pytest.fail(f"{ref.id}: cannot compare with {where}: {result.exception}", pytrace=False)
    if result.recalled_data is None:
        pytest.fail(missing_report(ref.id, where, extraction.article), pytrace=False)
    pytest.fail(mismatch_report(ref.id, where, str(result.recalled_data), extraction), pytrace=False)
