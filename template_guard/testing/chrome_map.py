"""Where a layout version's chrome, body blocks, fields and noise targets are in one parsed page.

The mutations address what they change through a `ChromeMap` (region name, match, item, body block),
the canaries find the text nodes they write into with it, and the strategies draw positions from it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from lxml import etree

from template_guard.engine.article import clip
from template_guard.engine.blocks import LocatedBody, locate_blocks, outermost
from template_guard.engine.boilerplate import NOISE_TAGS
from template_guard.engine.layout import BoilerplateRegion, LayoutVersion

# Content the HTML parser takes as raw text or does not render: nothing may be inserted into it.
RAW_TEXT_TAGS = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript", "template"}
)
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Whitespace inside these is shown as it is, so it is never padded.
PRESERVING_TAGS = frozenset({"pre", "textarea", "listing", "plaintext"})
# Only ASCII whitespace collapses in a browser (a no-break space does not); form feed is not XML text.
COLLAPSIBLE_RUN = re.compile(r"[ \t\n\r]+")


# ---- Text and where it is -----------------------------------------------------------------------


@dataclass(frozen=True)
class TextSlot:
    """One text node of the tree: an element's `text` (before its first child) or its `tail`."""

    element: etree._Element
    attribute: Literal["text", "tail"]

    def get(self) -> str:
        """The text node's text ("" when there is none)."""
        return getattr(self.element, self.attribute) or ""

    def set(self, value: str) -> None:
        """Replace the text node's text (in place)."""
        setattr(self.element, self.attribute, value)

    @property
    def owner(self) -> etree._Element | None:
        """The element the text is rendered in."""
        return self.element if self.attribute == "text" else self.element.getparent()


def _is_noise(element: etree._Element) -> bool:
    return not isinstance(element.tag, str) or element.tag in NOISE_TAGS


def iter_text_slots(
    top: etree._Element, skip: Collection[etree._Element] = frozenset()
) -> Iterator[TextSlot]:
    """The non-empty rendered text nodes under `top`, in document order, excluding `top`'s own tail.

    Text inside noise (comments, scripts, styles, `<noscript>`, `<template>`) and inside elements in
    `skip` is left out; the tail of such an element is kept, because it is its parent's text.
    """
    skipping: etree._Element | None = None
    for event, node in etree.iterwalk(top, events=("start", "end")):
        if event == "start":
            if skipping is None and (_is_noise(node) or node in skip):
                skipping = node
            elif skipping is None and node.text:
                yield TextSlot(node, "text")
        else:
            if node is skipping:
                skipping = None
            if skipping is None and node is not top and node.tail:
                yield TextSlot(node, "tail")


def text_slots(top: etree._Element, skip: Collection[etree._Element] = frozenset()) -> list[TextSlot]:
    """`iter_text_slots` as a list."""
    return list(iter_text_slots(top, skip))


def solid_text_slots(top: etree._Element, skip: Collection[etree._Element] = frozenset()) -> list[TextSlot]:
    """The text nodes under `top` that hold more than whitespace (see `text_slots`)."""
    return [slot for slot in text_slots(top, skip) if slot.get().strip()]


def visible_text(top: etree._Element, skip: Collection[etree._Element] = frozenset()) -> str:
    """The text under `top` without noise and `skip`, whitespace collapsed."""
    return " ".join("".join(slot.get() for slot in text_slots(top, skip)).split())


def links(element: etree._Element) -> list[etree._Element]:
    """The links (`<a href>`) under `element`, in document order."""
    return [a for a in element.iter("a") if a.get("href")]


def quoted(text: str, width: int = 24) -> str:
    """A quoted one-line excerpt of `text` for descriptions."""
    return repr(clip(" ".join(text.split()), width))


# ---- The map ------------------------------------------------------------------------------------


class ChromeMap:
    """Where a layout version's chrome, body blocks and fields are in one tree.

    Built from the tree as it is; after the tree changes, build a new map (it is cheap).
    """

    def __init__(self, root: etree._Element, version: LayoutVersion) -> None:
        self.root = root
        self.version = version
        self.regions: dict[str, BoilerplateRegion] = {region.name: region for region in version.boilerplate}
        self._found: dict[str, list[etree._Element]] = {}
        self._items: dict[tuple[str, int], list[etree._Element]] = {}
        self._solid: dict[tuple[str, int], bool] = {}

    def found(self, region: str) -> list[etree._Element]:
        """What the region's selector matches (selected on first use: a mutation needs only its own region)."""
        if region not in self._found:
            self._found[region] = self.regions[region].selector.select(self.root)
        return self._found[region]

    @cached_property
    def matches(self) -> dict[str, list[etree._Element]]:
        """Every region's matches, by region name, in layout order."""
        return {name: self.found(name) for name in self.regions}

    @cached_property
    def chrome(self) -> frozenset[etree._Element]:
        """Every element inside a region match (the matches included)."""
        return frozenset(e for matches in self.matches.values() for match in matches for e in match.iter())

    @cached_property
    def noise(self) -> frozenset[etree._Element]:
        """Every element inside a script, style, `<noscript>` or `<template>`."""
        return frozenset(e for n in self.root.iter(*NOISE_TAGS) for e in n.iter())

    def match(self, region: str, index: int) -> etree._Element:
        """The region's match number `index`."""
        return self.found(region)[index]

    def items(self, region: str, index: int) -> list[etree._Element]:
        """The region's outermost items inside its match number `index` (none when it declares no `items`)."""
        key = (region, index)
        if key not in self._items:
            selector = self.regions[region].items
            match = self.match(region, index)
            found = [] if selector is None else selector.select(match)
            self._items[key] = outermost(e for e in found if e is not match)
        return self._items[key]

    def target(self, region: str, index: int, item: int | None) -> etree._Element:
        """The region's match number `index`, or its item number `item` inside that match."""
        return self.match(region, index) if item is None else self.items(region, index)[item]

    def label(self, region: str, index: int) -> str:
        """How descriptions name a region match: its name, numbered when the region matched more than once."""
        return region if len(self.found(region)) < 2 else f"{region} #{index + 1}"

    @cached_property
    def body(self) -> LocatedBody:
        """The body as extraction locates it (the engine's one locator), with chrome and noise never a block."""
        return locate_blocks(self.root, self.version.body, hidden=self.chrome | self.noise)

    @property
    def containers(self) -> tuple[etree._Element, ...]:
        """The body containers (outermost matches of the body selector)."""
        return self.body.containers

    @property
    def block_kinds(self) -> Mapping[etree._Element, str]:
        """Every element a block rule matches outside chrome, exclusions and noise, with its kind."""
        return self.body.kinds

    @cached_property
    def blocks(self) -> list[etree._Element]:
        """The body blocks a reader sees: outermost block elements with text that no `drop_text` drops.

        Positions between these are where an inline box may move; each can take a canary or be deleted.
        """
        hidden = self.chrome | self.noise
        patterns = self.version.body.drop_text
        kept = []
        for element in self.body.elements:
            if not patterns:  # any solid text will do: stop at the first (maps are built once per tree state)
                if any(slot.get().strip() for slot in iter_text_slots(element, hidden)):
                    kept.append(element)
                continue
            text = visible_text(element, hidden)
            if text and not any(pattern.search(text) for pattern in patterns):
                kept.append(element)
        return kept

    def has_solid_text(self, region: str, index: int) -> bool:
        """Whether the region's match number `index` holds any text beyond whitespace (remembered per map)."""
        key = (region, index)
        if key not in self._solid:
            self._solid[key] = any(slot.get().strip() for slot in iter_text_slots(self.match(region, index)))
        return self._solid[key]

    def block_label(self, index: int) -> str:
        """How descriptions name body block number `index`: its number from 1 and its kind."""
        return f"body block {index + 1} ({self.block_kinds[self.blocks[index]]})"

    @cached_property
    def field_elements(self) -> list[tuple[str, etree._Element]]:
        """(field name, element) for every element a metadata field reads, outside chrome and body blocks."""
        inside_blocks = frozenset(e for block in self.blocks for e in block.iter())
        hidden = self.chrome | self.noise | inside_blocks
        found = []
        for name, rule in self.version.fields.items():
            for element in rule.selector.select(self.root):
                if element in hidden or any(b in inside_blocks for b in element.iter()):
                    continue
                found.append((name, element))
        return found

    def where(self, element: etree._Element) -> str:
        """A reader's name for the place of `element`: a body block, a region, a field, or a tag."""
        places: dict[etree._Element, str] = {block: f"body block {i + 1}" for i, block in enumerate(self.blocks)}
        for region, matches in self.matches.items():
            for index, match in enumerate(matches):
                places.setdefault(match, self.label(region, index))
        for name, field_element in self.field_elements:
            places.setdefault(field_element, f"the {name}")
        for container in self.containers:
            places.setdefault(container, "the article body")
        for node in (element, *element.iterancestors()):
            if node in places:
                return places[node]
        return _tag_label(element)

    def noise_targets(self) -> list[etree._Element]:
        """Elements noise may be inserted into (see `_noise_targets`; found once per map)."""
        return self._noise_targets

    @cached_property
    def _noise_targets(self) -> list[etree._Element]:
        """Elements noise may be inserted into: any but `<html>` itself, void and raw-text elements and what
        raw-text elements contain.

        Real pages carry their snippets (tag managers, consent scripts) inside `<head>` or `<body>`. Markup
        put straight into `<html>` is moved by every HTML parser, and differently by each: libxml2 takes a
        `<noscript>` before `<head>` as the start of the body and moves the head's `<meta>` tags there, so
        such a page is not the same page with invisible noise but a broken one.
        """
        targets = []
        closed: etree._Element | None = None  # the raw-text element being walked through, if any
        for event, node in etree.iterwalk(self.root, events=("start", "end")):
            if not isinstance(node.tag, str) or closed is not None:
                if event == "end" and node is closed:
                    closed = None
                continue
            if event == "start":
                if node.tag in RAW_TEXT_TAGS:
                    closed = node
                elif node.tag not in VOID_TAGS and node.tag != "html":
                    targets.append(node)
        return targets

    def whitespace_slots(self) -> list[TextSlot]:
        """Text nodes holding a collapsible whitespace run, outside noise and whitespace-preserving elements."""
        return self._all_whitespace_slots

    @cached_property
    def _all_whitespace_slots(self) -> list[TextSlot]:
        return list(self._whitespace_slots())

    def has_whitespace(self) -> bool:
        """Whether any text node has whitespace that may be padded."""
        return next(self._whitespace_slots(), None) is not None

    def _whitespace_slots(self) -> Iterator[TextSlot]:
        preserving = frozenset(e for p in self.root.iter(*PRESERVING_TAGS) for e in p.iter())
        for slot in iter_text_slots(self.root):
            if slot.owner is not None and slot.owner not in preserving and COLLAPSIBLE_RUN.search(slot.get()):
                yield slot


def _tag_label(element: etree._Element) -> str:
    classes = (element.get("class") or "").split()
    return f"<{element.tag} class='{classes[0]}'>" if classes else f"<{element.tag}>"
