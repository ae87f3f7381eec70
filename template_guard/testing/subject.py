"""The page under test of a property: its bytes, the layouts that extract it, its chrome model and its baseline."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from template_guard.engine.article import Article
from template_guard.engine.boilerplate import strip_boilerplate, strip_noise
from template_guard.engine.fields import jsonld_documents, read_body, read_fields, reads_jsonld
from template_guard.engine.layout import LayoutVersion
from template_guard.engine.pipeline import Extraction, run, run_captured
from template_guard.engine.routing import LayoutSet
from template_guard.engine.variants import choose_version
from template_guard.store.pages import Page, utc_day
from template_guard.testing.mutations import Mutation, serialize
from template_guard.testing.strategies import page_tree

__all__ = ["ROUND_TRIP_KINDS", "Subject"]

ROUND_TRIP_KINDS = frozenset({"noise", "whitespace"})
"""Kinds of change checked through the page's bytes: whether they stay invisible depends on how the parser
reads them (a comment splitting a word, a script between blocks). Other changes are extracted straight
from the changed tree: what they test is the layout's selectors, not the parser."""


@dataclass(frozen=True)
class Subject:
    """One page under test: its bytes and capture metadata, the layouts that extract it, and its baseline.

    `model` is the layout version that says where the chrome, the body blocks and the fields are; it is
    the page's own version, unless a test checks a changed layout against the original one.
    """

    page_id: str
    content: bytes
    url: str | None
    captured_at: dt.datetime | dt.date | None
    charset: str | None
    layouts: LayoutSet
    layout: str
    model: LayoutVersion
    baseline: Article

    @classmethod
    def of(
        cls,
        page: Page,
        layouts: LayoutSet,
        *,
        extraction: Extraction | None = None,
        model: LayoutVersion | None = None,
    ) -> Subject:
        """The subject for a captured page (pass the page's `extraction` when it is already known)."""
        if extraction is None:
            extraction = run_captured(page, layouts)
        return cls(
            page_id=page.page_id,
            content=page.content,
            url=page.meta.url,
            captured_at=page.meta.captured_at,
            charset=page.meta.charset,
            layouts=layouts,
            layout=extraction.layout.name,
            model=model or extraction.version,
            baseline=extraction.article,
        )

    @classmethod
    def from_content(
        cls,
        content: bytes,
        *,
        url: str | None,
        captured_at: dt.datetime | dt.date | None,
        layouts: LayoutSet,
        charset: str | None = None,
        layout: str | None = None,
        model: LayoutVersion | None = None,
        page_id: str = "<page>",
    ) -> Subject:
        """The subject for page bytes that are not stored as a captured page."""
        extraction = run(
            content, url=url, captured_at=captured_at, layout=layout, layouts=layouts, http_charset=charset
        )
        return cls(
            page_id, content, url, captured_at, charset, layouts, extraction.layout.name,
            model or extraction.version, extraction.article,
        )  # fmt: skip

    def extract(self, content: bytes | etree._Element) -> Article:
        """The article of a changed copy of the page: its bytes (strategies serialise pages as UTF-8), or its
        tree, which is extracted straight from a copy, without a round trip through the parser."""
        if not isinstance(content, bytes):
            return self._extract_tree(copy.deepcopy(content))
        return run(
            content,
            url=self.url,
            captured_at=self.captured_at,
            layout=self.layout,
            layouts=self.layouts,
            http_charset="utf-8",
        ).article

    def page_after(self, root: etree._Element, changes: Iterable[Mutation]) -> bytes | etree._Element:
        """What to extract after `changes` to the tree `root`: the tree itself, or its bytes when a change is
        one the parser must see (noise and whitespace are about how the page parses, see `ROUND_TRIP_KINDS`)."""
        return serialize(root) if any(change.kind in ROUND_TRIP_KINDS for change in changes) else root

    @cached_property
    def version(self) -> LayoutVersion:
        """The layout version extraction uses for this page (its capture date picks it; `model` may differ)."""
        return self._version_of(self.tree)

    def _version_of(self, root: etree._Element) -> LayoutVersion:
        # As `pipeline.run` chooses: the variant whose page test fits this tree, then the UTC capture day.
        captured = self.captured_at
        day = utc_day(captured) if isinstance(captured, dt.datetime) else captured
        return choose_version(self.layouts.get(self.layout), day, self.url, root).version

    def _extract_tree(self, root: etree._Element) -> Article:
        # The steps of `pipeline.run` after parsing, on a tree that is already parsed.
        version = self._version_of(root)
        documents = jsonld_documents(root) if reads_jsonld(version) else ()
        strip_noise(root)
        strip_boilerplate(root, version)
        values = {name: match.values for name, match in read_fields(root, version, documents).items()}
        return Article.from_values(values, read_body(root, version.body).blocks, layout=self.layout, version=version.name)

    @cached_property
    def tree(self) -> etree._Element:
        """The page parsed once; strategies copy it for each example."""
        return page_tree(self.content, self.charset)
