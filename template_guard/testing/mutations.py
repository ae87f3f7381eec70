"""Pure DOM mutations of a parsed page: the daily changes a site's chrome goes through.

A mutation is a small frozen dataclass. It addresses what it changes by position — region name, match,
item, body block — in the tree it was drawn from (through a `ChromeMap`), applies itself to that tree in
place, and describes itself in words for failure messages ("moved the related-inline box after body block 3").

Mutations change only what a layout version declares as chrome (the invisible changes anywhere are in
`template_guard.testing.invisible`), plus a body block deletion for the sensitivity property. They keep the chrome
matchable by the layout's own selectors: classes are added to the existing ones, an existing id is
never replaced, and an inline box only moves between body blocks of the same body.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from lxml import etree

from template_guard.engine.boilerplate import remove_keeping_tail
from template_guard.engine.layout import LayoutVersion
from template_guard.testing.chrome_map import (
    ChromeMap,
    links,
    quoted,
    solid_text_slots,
    text_slots,
)

__all__ = [
    "AddAttributes",
    "AddItem",
    "AddTracking",
    "CopyInline",
    "DeleteBlock",
    "DuplicateItem",
    "EmptyItems",
    "MoveInline",
    "MoveItem",
    "Mutation",
    "RemoveItem",
    "ReplaceText",
    "apply_all",
    "describe_all",
    "serialize",
]


# ---- Mutations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One change to a page, addressed by position in the tree it was drawn from."""

    kind: ClassVar[str] = "mutation"

    def apply(self, root: etree._Element, version: LayoutVersion, page: ChromeMap | None = None) -> None:
        """Change `root` in place. `page` is the map of `root` as it is now, when the caller has it already
        (the one the mutation was drawn from): a map is a walk of the whole tree, so it is built once per
        tree state, not once per step. After the change the map is stale."""
        self.change(ChromeMap(root, version) if page is None else page)

    def change(self, page: ChromeMap) -> None:
        """Change the tree `page` maps, in place, through the map."""
        raise NotImplementedError

    def describe(self) -> str:
        """What changed, in a few words."""
        raise NotImplementedError

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a drawn mutation
        printer.text(f"<{self.describe()}>")


def _item_label(region: str, item: int | None) -> str:
    return region if item is None else f"{region} item {item + 1}"


@dataclass(frozen=True)
class ReplaceText(Mutation):
    """Replace one text node of a chrome item (or of a region without items), keeping its surrounding spaces."""

    kind: ClassVar[str] = "text"
    region: str
    match: int
    item: int | None
    node: int
    text: str
    was: str = ""

    def change(self, page: ChromeMap) -> None:
        slot = solid_text_slots(page.target(self.region, self.match, self.item))[self.node]
        old = slot.get()
        stripped = old.strip()
        lead = old[: len(old) - len(old.lstrip())]
        trail = old[len(old.rstrip()) :] if stripped else ""
        slot.set(lead + self.text + trail)

    def describe(self) -> str:
        target = _item_label(self.region, self.item)
        where = target if self.node == 0 and self.item is not None else f"text {self.node + 1} of {target}"
        was = f" ({quoted(self.was)})" if self.was else ""
        return f"replaced {where}{was} with {quoted(self.text, 40)}"


@dataclass(frozen=True)
class RemoveItem(Mutation):
    """Remove one item of a chrome list."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    item: int
    of: int

    def change(self, page: ChromeMap) -> None:
        remove_keeping_tail(page.items(self.region, self.match)[self.item])

    def describe(self) -> str:
        return f"removed {self.region} item {self.item + 1} of {self.of}"


@dataclass(frozen=True)
class EmptyItems(Mutation):
    """Remove every item of a chrome list."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    of: int

    def change(self, page: ChromeMap) -> None:
        for element in page.items(self.region, self.match):
            remove_keeping_tail(element)

    def describe(self) -> str:
        return f"removed all {self.of} {self.region} items"


@dataclass(frozen=True)
class DuplicateItem(Mutation):
    """Repeat one item of a chrome list right after itself."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    item: int

    def change(self, page: ChromeMap) -> None:
        element = page.items(self.region, self.match)[self.item]
        element.addnext(copy.deepcopy(element))

    def describe(self) -> str:
        return f"duplicated {self.region} item {self.item + 1}"


@dataclass(frozen=True)
class MoveItem(Mutation):
    """Move one item of a chrome list before another one, or to the end (`before` is None)."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    item: int
    before: int | None

    def change(self, page: ChromeMap) -> None:
        items = page.items(self.region, self.match)
        element = items[self.item]
        anchor = items[-1] if self.before is None else items[self.before]
        remove_keeping_tail(element)
        _insert_at(anchor, element, after=self.before is None)

    def describe(self) -> str:
        where = "to the end" if self.before is None else f"before item {self.before + 1}"
        return f"moved {self.region} item {self.item + 1} {where}"


@dataclass(frozen=True)
class AddItem(Mutation):
    """Insert a new item into a chrome list: a copy of an existing one with new text (`before` None: last)."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    template: int
    before: int | None
    text: str

    def change(self, page: ChromeMap) -> None:
        items = page.items(self.region, self.match)
        element = copy.deepcopy(items[self.template])
        slots = text_slots(element)
        if slots:
            slots[0].set(self.text)
        else:
            element.text = self.text
        _insert_at(items[-1] if self.before is None else items[self.before], element, after=self.before is None)

    def describe(self) -> str:
        where = "at the end" if self.before is None else f"before item {self.before + 1}"
        text = quoted(self.text, 40)
        return f"added a {self.region} item reading {text} (a copy of item {self.template + 1}) {where}"


def _insert_at(anchor: etree._Element, element: etree._Element, *, after: bool) -> None:
    """Put a list item right before `anchor` (or after it), with the whitespace that separates items there."""
    element.tail = anchor.tail
    if after:
        anchor.addnext(element)
    else:
        anchor.addprevious(element)


def _place_between_blocks(page: ChromeMap, element: etree._Element, after_block: int) -> None:
    """Put `element` right before body block 1 (`after_block` = 0) or right after block `after_block`."""
    if after_block == 0:
        anchor = page.blocks[0]
        element.tail = anchor.tail if anchor.tail and not anchor.tail.strip() else "\n"
        anchor.addprevious(element)
    else:
        anchor = page.blocks[after_block - 1]
        element.tail = "\n"  # the anchor keeps its own tail, which stays before the box
        anchor.addnext(element)


def _between_blocks_label(after_block: int) -> str:
    return "before body block 1" if after_block == 0 else f"after body block {after_block}"


@dataclass(frozen=True)
class MoveInline(Mutation):
    """Move an inline chrome box to another place between body blocks."""

    kind: ClassVar[str] = "inline"
    region: str
    match: int
    after_block: int

    def change(self, page: ChromeMap) -> None:
        box = page.match(self.region, self.match)
        remove_keeping_tail(box)
        _place_between_blocks(page, box, self.after_block)

    def describe(self) -> str:
        return f"moved the {self.region} box {_between_blocks_label(self.after_block)}"


@dataclass(frozen=True)
class CopyInline(Mutation):
    """Add a second copy of an inline chrome box between body blocks."""

    kind: ClassVar[str] = "inline"
    region: str
    match: int
    after_block: int

    def change(self, page: ChromeMap) -> None:
        _place_between_blocks(page, copy.deepcopy(page.match(self.region, self.match)), self.after_block)

    def describe(self) -> str:
        return f"added a second {self.region} box {_between_blocks_label(self.after_block)}"


@dataclass(frozen=True)
class AddAttributes(Mutation):
    """Add classes (after the existing ones), an id (only where there is none) and `data-*` attributes."""

    kind: ClassVar[str] = "attributes"
    region: str
    match: int
    element: int  # position among the match's elements, the match itself first
    tag: str
    classes: tuple[str, ...] = ()
    id: str | None = None
    data: tuple[tuple[str, str], ...] = ()

    def change(self, page: ChromeMap) -> None:
        match = page.match(self.region, self.match)
        element = [e for e in match.iter() if isinstance(e.tag, str)][self.element]
        if self.classes:
            element.set("class", " ".join([*(element.get("class") or "").split(), *self.classes]))
        if self.id and element.get("id") is None:
            element.set("id", self.id)
        for name, value in self.data:
            element.set(f"data-{name}", value)

    def describe(self) -> str:
        parts = []
        if self.classes:
            parts.append(f"class {quoted(' '.join(self.classes))}")
        if self.id:
            parts.append(f"id {quoted(self.id)}")
        parts.extend(f"data-{name}={quoted(value, 16)}" for name, value in self.data)
        return f"added {', '.join(parts) or 'nothing'} to <{self.tag}> (element {self.element + 1}) of {self.region}"


@dataclass(frozen=True)
class AddTracking(Mutation):
    """Append tracking parameters to the URL of one link in a chrome region."""

    kind: ClassVar[str] = "attributes"
    region: str
    match: int
    link: int
    params: tuple[tuple[str, str], ...]

    def change(self, page: ChromeMap) -> None:
        match = page.match(self.region, self.match)
        anchor = links(match)[self.link]
        anchor.set("href", with_query(anchor.get("href") or "", self.params))

    def describe(self) -> str:
        return f"added '?{urlencode(self.params)}' to link {self.link + 1} of {self.region}"


def with_query(url: str, params: tuple[tuple[str, str], ...]) -> str:
    """`url` with `params` appended to its query (before any fragment)."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


@dataclass(frozen=True)
class DeleteBlock(Mutation):
    """Delete one body block (an article change, used by the sensitivity property)."""

    kind: ClassVar[str] = "article"
    block: int
    label: str = ""

    def change(self, page: ChromeMap) -> None:
        remove_keeping_tail(page.blocks[self.block])

    def describe(self) -> str:
        return f"deleted {self.label or f'body block {self.block + 1}'}"


def apply_all(root: etree._Element, version: LayoutVersion, mutations: Iterable[Mutation]) -> None:
    """Apply `mutations` in order: each one is addressed in the tree the previous ones left."""
    for mutation in mutations:
        mutation.apply(root, version)  # a map per tree state: each one changes what the next one sees


def describe_all(mutations: Iterable[Mutation]) -> str:
    """The descriptions joined with '; ', or 'no change'."""
    return "; ".join(m.describe() for m in mutations) or "no change"


def serialize(root: etree._Element) -> bytes:
    """The page as UTF-8 HTML bytes (extract them with `http_charset="utf-8"`)."""
    data: bytes = etree.tostring(root.getroottree(), method="html", encoding="utf-8")
    return data
