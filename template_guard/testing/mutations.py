"""Pure DOM mutations of a parsed page: the daily changes a site's chrome goes through.

A mutation is a small frozen dataclass. It addresses what it changes by position — region name, match,
item, body block — in the tree it was drawn from, applies itself to that tree in place, and describes
itself in words for failure messages ("moved the related-inline box after body block 3").

Mutations change only what a layout version declares as chrome, plus invisible noise (comments,
`<script>`, `<style>`, `<noscript>`) and collapsible whitespace anywhere. They keep the chrome
matchable by the layout's own selectors: classes are added to the existing ones, an existing id is
never replaced, and an inline box only moves between body blocks of the same body.

`ChromeMap` says where the chrome, the body blocks and the fields of a version are in one tree; the
canary helpers write unique tokens into chrome, body blocks and fields for the leak and sensitivity
properties.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from lxml import etree

from template_guard.engine.boilerplate import NOISE_TAGS, remove_keeping_tail
from template_guard.engine.fields import outermost
from template_guard.engine.layout import BoilerplateRegion, LayoutVersion

__all__ = [
    "AddAttributes",
    "AddItem",
    "AddTracking",
    "CANARY_PATTERN",
    "Canary",
    "ChromeMap",
    "CopyInline",
    "DeleteBlock",
    "DuplicateItem",
    "EmptyItems",
    "InsertNoise",
    "MoveInline",
    "MoveItem",
    "Mutation",
    "Noise",
    "PadWhitespace",
    "RemoveItem",
    "ReplaceText",
    "TextSlot",
    "apply_all",
    "canary_token",
    "iter_text_slots",
    "describe_all",
    "serialize",
    "solid_text_slots",
    "text_slots",
    "visible_text",
    "write_block_canary",
    "write_chrome_canaries",
    "write_field_canaries",
]

# Content the HTML parser takes as raw text or does not render: nothing may be inserted into it.
RAW_TEXT_TAGS = frozenset(
    "script style textarea title xmp iframe noembed noframes plaintext noscript template".split()
)
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Whitespace inside these is shown as it is, so it is never padded.
PRESERVING_TAGS = frozenset({"pre", "textarea", "listing", "plaintext"})
# Only ASCII whitespace collapses in a browser (a no-break space does not); form feed is not XML text.
COLLAPSIBLE_RUN = re.compile(r"[ \t\n\r]+")

CANARY_PREFIX = "tgcanary"
CANARY_PATTERN = re.compile(CANARY_PREFIX + r"\d{5}")


def canary_token(number: int) -> str:
    """The unique canary token number `number` (fixed width, so no token is a prefix of another)."""
    return f"{CANARY_PREFIX}{number:05d}"


# ---- Text and where it is -----------------------------------------------------------------------


@dataclass(frozen=True)
class TextSlot:
    """One text node of the tree: an element's `text` (before its first child) or its `tail`."""

    element: etree._Element
    attribute: Literal["text", "tail"]

    def get(self) -> str:
        return getattr(self.element, self.attribute) or ""

    def set(self, value: str) -> None:
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


def _in_document_order(root: etree._Element, members: set[etree._Element]) -> list[etree._Element]:
    return [e for e in root.iter() if e in members]


def _short(text: str, limit: int = 24) -> str:
    """A quoted excerpt for descriptions."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


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

    def label(self, region: str, index: int) -> str:
        """How descriptions name a region match: its name, numbered when the region matched more than once."""
        return region if len(self.found(region)) < 2 else f"{region} #{index + 1}"

    @cached_property
    def containers(self) -> list[etree._Element]:
        return outermost(self.version.body.selector.select(self.root))

    @cached_property
    def _excluded(self) -> frozenset[etree._Element]:
        excluded: set[etree._Element] = set()
        for container in self.containers:
            for selector in self.version.body.exclude:
                for found in selector.select(container):
                    if found is not container:
                        excluded.update(found.iter())
        return frozenset(excluded)

    @cached_property
    def block_kinds(self) -> dict[etree._Element, str]:
        """Every element a block rule matches outside chrome, exclusions and noise, with its kind."""
        kinds: dict[etree._Element, str] = {}
        hidden = self.chrome | self._excluded | self.noise
        for rule in self.version.body.blocks:
            for container in self.containers:
                for element in rule.selector.select(container):
                    if element not in hidden:
                        kinds.setdefault(element, rule.kind)
        return kinds

    @cached_property
    def blocks(self) -> list[etree._Element]:
        """The body blocks a reader sees: outermost block elements with text that no `drop_text` drops.

        Positions between these are where an inline box may move; each can take a canary or be deleted.
        """
        kinds = self.block_kinds
        ordered = outermost(_in_document_order(self.root, set(kinds)))
        hidden = self.chrome | self.noise
        kept = []
        for element in ordered:
            text = visible_text(element, hidden)
            if text and not any(pattern.search(text) for pattern in self.version.body.drop_text):
                kept.append(element)
        return kept

    def block_label(self, index: int) -> str:
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
        """Elements noise may be inserted into: any but void and raw-text elements and what they contain."""
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
                elif node.tag not in VOID_TAGS:
                    targets.append(node)
        return targets

    def whitespace_slots(self) -> list[TextSlot]:
        """Text nodes holding a collapsible whitespace run, outside noise and whitespace-preserving elements."""
        return list(self._whitespace_slots())

    def has_whitespace(self) -> bool:
        return next(self._whitespace_slots(), None) is not None

    def _whitespace_slots(self) -> Iterator[TextSlot]:
        preserving = frozenset(e for p in self.root.iter(*PRESERVING_TAGS) for e in p.iter())
        for slot in iter_text_slots(self.root):
            if slot.owner is not None and slot.owner not in preserving and COLLAPSIBLE_RUN.search(slot.get()):
                yield slot


def _tag_label(element: etree._Element) -> str:
    classes = (element.get("class") or "").split()
    return f"<{element.tag} class='{classes[0]}'>" if classes else f"<{element.tag}>"


# ---- Mutations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One change to a page, addressed by position in the tree it was drawn from."""

    kind: ClassVar[str] = "mutation"

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        """Change `root` in place."""
        raise NotImplementedError

    def describe(self) -> str:
        """What changed, in a few words."""
        raise NotImplementedError

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a drawn mutation
        printer.text(f"<{self.describe()}>")


def _region_target(page: ChromeMap, region: str, match: int, item: int | None) -> etree._Element:
    return page.match(region, match) if item is None else page.items(region, match)[item]


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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        page = ChromeMap(root, version)
        slot = solid_text_slots(_region_target(page, self.region, self.match, self.item))[self.node]
        old = slot.get()
        stripped = old.strip()
        lead = old[: len(old) - len(old.lstrip())]
        trail = old[len(old.rstrip()) :] if stripped else ""
        slot.set(lead + self.text + trail)

    def describe(self) -> str:
        target = _item_label(self.region, self.item)
        where = target if self.node == 0 and self.item is not None else f"text {self.node + 1} of {target}"
        was = f" ({_short(self.was)})" if self.was else ""
        return f"replaced {where}{was} with {_short(self.text, 40)}"


@dataclass(frozen=True)
class RemoveItem(Mutation):
    """Remove one item of a chrome list."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    item: int
    of: int

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        remove_keeping_tail(ChromeMap(root, version).items(self.region, self.match)[self.item])

    def describe(self) -> str:
        return f"removed {self.region} item {self.item + 1} of {self.of}"


@dataclass(frozen=True)
class EmptyItems(Mutation):
    """Remove every item of a chrome list."""

    kind: ClassVar[str] = "items"
    region: str
    match: int
    of: int

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        for element in ChromeMap(root, version).items(self.region, self.match):
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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        element = ChromeMap(root, version).items(self.region, self.match)[self.item]
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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        items = ChromeMap(root, version).items(self.region, self.match)
        element = items[self.item]
        anchor = items[-1] if self.before is None else items[self.before]
        remove_keeping_tail(element)
        element.tail = anchor.tail  # the whitespace that separates items where it lands
        if self.before is None:
            anchor.addnext(element)
        else:
            anchor.addprevious(element)

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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        items = ChromeMap(root, version).items(self.region, self.match)
        element = copy.deepcopy(items[self.template])
        slots = text_slots(element)
        if slots:
            slots[0].set(self.text)
        else:
            element.text = self.text
        anchor = items[-1] if self.before is None else items[self.before]
        element.tail = anchor.tail
        if self.before is None:
            anchor.addnext(element)
        else:
            anchor.addprevious(element)

    def describe(self) -> str:
        where = "at the end" if self.before is None else f"before item {self.before + 1}"
        text = _short(self.text, 40)
        return f"added a {self.region} item reading {text} (a copy of item {self.template + 1}) {where}"


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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        page = ChromeMap(root, version)
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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        page = ChromeMap(root, version)
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

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        match = ChromeMap(root, version).match(self.region, self.match)
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
            parts.append(f"class {_short(' '.join(self.classes))}")
        if self.id:
            parts.append(f"id {_short(self.id)}")
        parts.extend(f"data-{name}={_short(value, 16)}" for name, value in self.data)
        return f"added {', '.join(parts) or 'nothing'} to <{self.tag}> (element {self.element + 1}) of {self.region}"


@dataclass(frozen=True)
class AddTracking(Mutation):
    """Append tracking parameters to the URL of one link in a chrome region."""

    kind: ClassVar[str] = "attributes"
    region: str
    match: int
    link: int
    params: tuple[tuple[str, str], ...]

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        match = ChromeMap(root, version).match(self.region, self.match)
        anchor = _links(match)[self.link]
        anchor.set("href", with_query(anchor.get("href") or "", self.params))

    def describe(self) -> str:
        return f"added '?{urlencode(self.params)}' to link {self.link + 1} of {self.region}"


def _links(element: etree._Element) -> list[etree._Element]:
    return [a for a in element.iter("a") if a.get("href")]


def with_query(url: str, params: tuple[tuple[str, str], ...]) -> str:
    """`url` with `params` appended to its query (before any fragment)."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


@dataclass(frozen=True)
class Noise:
    """Invisible markup: a comment, a script, a style sheet or a `<noscript>` with its content."""

    tag: Literal["comment", "script", "style", "noscript"]
    content: str

    def build(self, root: etree._Element) -> etree._Element:
        if self.tag == "comment":
            return etree.Comment(self.content)
        element = root.makeelement(self.tag, {})
        element.text = self.content
        return element

    def describe(self) -> str:
        return "a comment" if self.tag == "comment" else f"<{self.tag}>"


@dataclass(frozen=True)
class InsertNoise(Mutation):
    """Insert invisible markup into any element, possibly splitting a text node (even inside a word)."""

    kind: ClassVar[str] = "noise"
    target: int  # position among `ChromeMap.noise_targets()`
    slot: int  # child position: the noise goes before child `slot` (or last)
    offset: int  # where the text node before that position is split
    noise: Noise
    where: str = ""

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        parent = ChromeMap(root, version).noise_targets()[self.target]
        before = TextSlot(parent, "text") if self.slot == 0 else TextSlot(parent[self.slot - 1], "tail")
        text = before.get()
        node = self.noise.build(root)
        node.tail = text[self.offset :] or None
        before.set(text[: self.offset])
        parent.insert(self.slot, node)

    def describe(self) -> str:
        return f"inserted {self.noise.describe()} into {self.where or f'element {self.target + 1}'}"


@dataclass(frozen=True)
class PadWhitespace(Mutation):
    """Lengthen a run of collapsible whitespace: invisible to a reader, but the bytes differ."""

    kind: ClassVar[str] = "whitespace"
    node: int  # position among `ChromeMap.whitespace_slots()`
    run: int  # which whitespace run of that text node
    whitespace: str
    where: str = ""

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        slot = ChromeMap(root, version).whitespace_slots()[self.node]
        text = slot.get()
        start = list(COLLAPSIBLE_RUN.finditer(text))[self.run].start()
        slot.set(text[:start] + self.whitespace + text[start:])

    def describe(self) -> str:
        return f"added whitespace {self.whitespace!r} in {self.where or f'text node {self.node + 1}'}"


@dataclass(frozen=True)
class DeleteBlock(Mutation):
    """Delete one body block (an article change, used by the sensitivity property)."""

    kind: ClassVar[str] = "article"
    block: int
    label: str = ""

    def apply(self, root: etree._Element, version: LayoutVersion) -> None:
        remove_keeping_tail(ChromeMap(root, version).blocks[self.block])

    def describe(self) -> str:
        return f"deleted {self.label or f'body block {self.block + 1}'}"


def apply_all(root: etree._Element, version: LayoutVersion, mutations: Iterable[Mutation]) -> None:
    """Apply `mutations` in order: each one is addressed in the tree the previous ones left."""
    for mutation in mutations:
        mutation.apply(root, version)


def describe_all(mutations: Iterable[Mutation]) -> str:
    """The descriptions joined with '; ', or 'no change'."""
    return "; ".join(m.describe() for m in mutations) or "no change"


def serialize(root: etree._Element) -> bytes:
    """The page as UTF-8 HTML bytes (extract them with `http_charset="utf-8"`)."""
    data: bytes = etree.tostring(root.getroottree(), method="html", encoding="utf-8")
    return data


# ---- Canaries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canary:
    """A unique token written into one place of a page, and where."""

    token: str
    place: str

    def describe(self) -> str:
        return f"{self.token} (written into {self.place})"


def _numbers(start: int) -> Iterator[int]:
    number = start
    while True:
        yield number
        number += 1


def write_chrome_canaries(root: etree._Element, version: LayoutVersion, *, start: int = 0) -> tuple[Canary, ...]:
    """Append a unique canary to every text node of every chrome region match (in place).

    A match without text gets one as its first text, so every region that is on the page carries at
    least one canary; a text node inside two nested regions is written once, for the region listed first.
    """
    page = ChromeMap(root, version)
    numbers = _numbers(start)
    canaries: list[Canary] = []
    done: set[TextSlot] = set()
    for region, matches in page.matches.items():
        for index, match in enumerate(matches):
            label = page.label(region, index)
            slots = [s for s in solid_text_slots(match) if s not in done]
            if not slots:
                token = canary_token(next(numbers))
                match.text = f"{token} {match.text or ''}"
                canaries.append(Canary(token, f"{label} (an empty match)"))
                done.add(TextSlot(match, "text"))
                continue
            for position, slot in enumerate(slots):
                token = canary_token(next(numbers))
                text = slot.get()
                slot.set(f"{text.rstrip()} {token}{text[len(text.rstrip()):]}")
                canaries.append(Canary(token, f"{label}, text {position + 1} {_short(text)}"))
                done.add(slot)
    return tuple(canaries)


def write_block_canary(
    root: etree._Element, version: LayoutVersion, block: int, *, at_end: bool, number: int
) -> Canary:
    """Write a canary at the start or the end of the text of body block `block` (in place)."""
    page = ChromeMap(root, version)
    element = page.blocks[block]
    slots = solid_text_slots(element, page.chrome)
    token = canary_token(number)
    slot = slots[-1] if at_end else slots[0]
    text = slot.get()
    if at_end:
        slot.set(f"{text.rstrip()} {token}{text[len(text.rstrip()):]}")
    else:
        slot.set(f"{text[: len(text) - len(text.lstrip())]}{token} {text.lstrip()}")
    return Canary(token, f"{page.block_label(block)} at its {'end' if at_end else 'start'}")


def write_field_canaries(root: etree._Element, version: LayoutVersion, *, start: int) -> tuple[Canary, ...]:
    """Append a canary to the text of every element a metadata field reads (in place).

    At the end, so that field patterns anchored at the start (`^By (.+)$`) still match.
    """
    page = ChromeMap(root, version)
    numbers = _numbers(start)
    canaries = []
    for name, element in page.field_elements:
        slots = solid_text_slots(element, page.chrome)
        if not slots:
            continue
        token = canary_token(next(numbers))
        text = slots[-1].get()
        slots[-1].set(f"{text.rstrip()} {token}{text[len(text.rstrip()):]}")
        canaries.append(Canary(token, f"the {name} field {_short(visible_text(element))}"))
    return tuple(canaries)
