"""One snapshot test per captured page: its article must equal `snapshots/<layout>/<slug>.txt`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from template_guard.testing.plugin import extract_or_fail

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion

    from template_guard.engine.routing import LayoutSet
    from template_guard.testing import PageRef

pytest.importorskip("syrupy", reason="snapshot tests need syrupy: pip install 'template_guard[test]'")

# Imported after the check above: the extension needs syrupy.
from template_guard.testing.syrupy_extension import assert_matches


def test_snapshot(page_ref: PageRef, layouts: LayoutSet, snapshot: SnapshotAssertion) -> None:
    """The page still extracts, and to the article that was reviewed."""
    assert_matches(snapshot, extract_or_fail(page_ref, layouts), page_ref)
