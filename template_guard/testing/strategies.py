"""Hypothesis strategies for tomorrow's version of a page: the chrome changes, the article does not.

Every strategy takes a page (its bytes, or a parsed tree) and the `LayoutVersion` that says where its
chrome is, and generates pages in which only that chrome changed (plus invisible noise and collapsible
whitespace anywhere). Each generated page carries the list of mutations that made it, and reads as
words in a failure: "moved the related-inline box after body block 3; replaced ticker item 2 with '…'".

The building blocks are public values, composable like hypothesis' own::

    from template_guard.testing import strategies as tgs

    tgs.mutated_pages(page.content, version)                      # 1–6 chrome changes of any kind
    tgs.mutated_pages(page.content, version, kinds={"inline"})   # only move or copy inline boxes
    tgs.mutated_pages(page.content, version, texts=st.just("x")) # your own replacement texts
    tgs.canaried_pages(page.content, version)                     # canaries in every chrome region
    tgs.body_probes(page.content, version)                        # a canary in, or deletion of, a block
    tgs.chrome_mutations(root, version)                           # one change of a tree as it is now
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from lxml import etree

from template_guard.engine.layout import LayoutVersion
from template_guard.engine.parse import parse_html
from template_guard.testing.canaries import Canary, write_block_canary, write_chrome_canaries, write_field_canaries
from template_guard.testing.chrome_map import ChromeMap, visible_text
from template_guard.testing.draws import MUTATION_KINDS, available_kinds, chrome_changes, chrome_mutations
from template_guard.testing.mutations import DeleteBlock, Mutation, describe_all, serialize
from template_guard.testing.values import (
    chrome_texts,
    class_names,
    comment_texts,
    noise,
    reserved_names,
    rtl_texts,
    tracking_params,
    whitespace,
)

__all__ = [
    "MUTATION_KINDS",
    "BodyProbe",
    "CanariedPage",
    "MutatedPage",
    "PageSource",
    "article_echoes",
    "available_kinds",
    "body_probes",
    "canaried_pages",
    "chrome_mutations",
    "chrome_texts",
    "class_names",
    "comment_texts",
    "mutated_pages",
    "noise",
    "page_tree",
    "reserved_names",
    "rtl_texts",
    "texts_for",
    "tracking_params",
    "whitespace",
]

PageSource: TypeAlias = bytes | etree._Element
"""A page as its bytes (decoded like the extractor decodes them) or as an already parsed tree."""


def page_tree(page: PageSource, charset: str | None = None) -> etree._Element:
    """The parsed tree of a page (bytes are decoded as the extractor decodes them; a tree is copied)."""
    if isinstance(page, bytes):
        return parse_html(page, charset).root
    return copy.deepcopy(page)


# ---- Whole pages --------------------------------------------------------------------------------


class _Shown:
    """A generated value that hypothesis (and `repr`) shows as its description, in a falsifying example."""

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        printer.text(repr(self))


@dataclass(frozen=True, repr=False)
class MutatedPage(_Shown):
    """A page after chrome changes: its tree, the changes in the order they were made, and its UTF-8 bytes.

    The tree is the example's own: read it, do not change it (copy it first).
    """

    root: etree._Element = field(compare=False)
    changes: tuple[Mutation, ...]

    @cached_property
    def content(self) -> bytes:
        """The page as UTF-8 bytes (serialised on first use)."""
        return serialize(self.root)

    def describe(self) -> str:
        return describe_all(self.changes)


@dataclass(frozen=True, repr=False)
class CanariedPage(MutatedPage):
    """A page after chrome changes with a unique canary in every text of every chrome region."""

    canaries: tuple[Canary, ...] = ()

    def describe(self) -> str:
        return f"{describe_all(self.changes)}; then {len(self.canaries)} canaries written into the chrome"


@dataclass(frozen=True, repr=False)
class BodyProbe(_Shown):
    """Two edits of the article of a page: a canary written into one body block, and that block deleted.

    `with_canary` also carries canaries in every element a metadata field reads (`field_canaries`):
    none of those may turn up in the body.
    """

    block: int
    deletion: DeleteBlock
    canary: Canary
    field_canaries: tuple[Canary, ...]
    block_text: str
    marked: etree._Element = field(repr=False, compare=False)  # the page with the canaries
    deleted: etree._Element = field(repr=False, compare=False)  # the page without the block

    @cached_property
    def with_canary(self) -> bytes:
        """The page with the canaries, as UTF-8 bytes."""
        return serialize(self.marked)

    @cached_property
    def without_block(self) -> bytes:
        """The page without the block, as UTF-8 bytes."""
        return serialize(self.deleted)

    def describe(self) -> str:
        return f"canary {self.canary.describe()}; or {self.deletion.describe()} {self.block_text!r}"


def article_echoes(root: etree._Element, version: LayoutVersion) -> tuple[str, ...]:
    """Texts of the page's own article (title, first blocks): chrome that quotes the article is common."""
    page = ChromeMap(root, version)
    texts = [visible_text(e, page.chrome) for _, e in page.field_elements]
    texts.extend(visible_text(b, page.chrome) for b in page.blocks[:3])
    return tuple(dict.fromkeys(t for t in texts if t))


def texts_for(
    base: etree._Element, version: LayoutVersion, texts: SearchStrategy[str] | None = None
) -> SearchStrategy[str]:
    """`texts`, or by default `chrome_texts` plus quotes of the page's own article (`article_echoes`)."""
    if texts is not None:
        return texts
    echoes = article_echoes(base, version)
    return chrome_texts | st.sampled_from(echoes) if echoes else chrome_texts


def mutated_pages(
    page: PageSource,
    version: LayoutVersion,
    *,
    min_changes: int = 1,
    max_changes: int = 6,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] | None = None,
    charset: str | None = None,
) -> SearchStrategy[MutatedPage]:
    """Pages with between `min_changes` and `max_changes` chrome changes of the given `kinds`.

    `texts` replaces chrome text (default: `chrome_texts` plus quotes of the page's own article).
    The page is parsed once; each example mutates a fresh copy.
    """
    base = page_tree(page, charset)
    replacement = texts_for(base, version, texts)

    @st.composite
    def build(draw: DrawFn) -> MutatedPage:
        root = copy.deepcopy(base)
        changes = draw(chrome_changes(root, version, min_changes, max_changes, kinds, replacement))
        return MutatedPage(root, changes)

    return build()


def canaried_pages(
    page: PageSource,
    version: LayoutVersion,
    *,
    max_changes: int = 4,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] | None = None,
    charset: str | None = None,
) -> SearchStrategy[CanariedPage]:
    """Pages with up to `max_changes` chrome changes, then a unique canary in every chrome text."""
    base = page_tree(page, charset)
    replacement = texts_for(base, version, texts)

    @st.composite
    def build(draw: DrawFn) -> CanariedPage:
        root = copy.deepcopy(base)
        changes = draw(chrome_changes(root, version, 0, max_changes, kinds, replacement))
        canaries = write_chrome_canaries(root, version)
        return CanariedPage(root, changes, canaries)

    return build()


def body_probes(page: PageSource, version: LayoutVersion, *, charset: str | None = None) -> SearchStrategy[BodyProbe]:
    """Probes of one body block each: a canary at its start or end, and the page without it.

    Empty when the version finds no body block on the page.
    """
    base = page_tree(page, charset)
    chrome_map = ChromeMap(base, version)
    count = len(chrome_map.blocks)
    if not count:
        return st.nothing()
    labels = [chrome_map.block_label(i) for i in range(count)]
    excerpts = [visible_text(b, chrome_map.chrome)[:60] for b in chrome_map.blocks]

    @st.composite
    def build(draw: DrawFn) -> BodyProbe:
        block = draw(st.integers(0, count - 1))
        at_end = draw(st.booleans())
        marked = copy.deepcopy(base)
        canary = write_block_canary(marked, version, block, at_end=at_end, number=0)
        field_canaries = write_field_canaries(marked, version, start=1)
        deletion = DeleteBlock(block, labels[block])
        without = copy.deepcopy(base)
        deletion.apply(without, version)
        return BodyProbe(block, deletion, canary, field_canaries, excerpts[block], marked, without)

    return build()
