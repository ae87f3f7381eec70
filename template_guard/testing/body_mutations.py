"""Changes to the structure of a page's body, and synthetic elements for its body rules.

The chrome mutations (`template_guard.testing.mutations`) trust the layout to say where the chrome is; these
test the body rules themselves:

- `WrapBlocks` wraps consecutive body blocks in a new `<div>` or `<section>`: a front end's redesign that
  moves no text, so the article must not change (a selector that relies on the exact nesting fails);
- `InsertBlockCopy` puts a copy of an element of one block kind, holding a canary, right after the
  original: the canary must come out as a block of that kind;
- `InsertExcluded` puts an element the exclude rule matches, holding a `<p>` with a canary, into the body:
  the canary must never reach the article.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import ClassVar

import cssselect
from lxml import etree

from template_guard.engine.selectors import Selector
from template_guard.testing.chrome_map import ChromeMap, quoted
from template_guard.testing.mutations import Mutation

__all__ = [
    "FLOW_TAGS",
    "InsertBlockCopy",
    "InsertExcluded",
    "WrapBlocks",
    "exclusion_sources",
    "exclusion_template",
    "kind_sources",
    "template_fits",
    "wrappable_runs",
]

# A wrapper may only go where a <div> is valid and changes no meaning: not inside a list, a table or a quote.
FLOW_TAGS = frozenset({"div", "section", "article", "main", "body"})


def _tag_label(element: etree._Element) -> str:
    classes = (element.get("class") or "").split()
    return f"<{element.tag}{'.' + classes[0] if classes else ''}>"


@dataclass(frozen=True)
class WrapBlocks(Mutation):
    """Wrap `count` consecutive sibling body blocks, from block `first`, in a new element `tag`."""

    kind: ClassVar[str] = "structure"
    first: int
    count: int
    tag: str

    def change(self, page: ChromeMap) -> None:
        blocks = page.blocks[self.first : self.first + self.count]
        wrapper = etree.Element(self.tag)
        wrapper.text = "\n"
        blocks[0].addprevious(wrapper)
        wrapper.tail = blocks[-1].tail if blocks[-1].tail and not blocks[-1].tail.strip() else "\n"
        for block in blocks:
            wrapper.append(block)  # its tail (text between blocks) moves with it, in the same order

    def describe(self) -> str:
        last = self.first + self.count
        span = f"body block {self.first + 1}" if self.count == 1 else f"body blocks {self.first + 1}-{last}"
        return f"wrapped {span} in a new <{self.tag}>"


@dataclass(frozen=True)
class InsertBlockCopy(Mutation):
    """Put a copy of the `source`-th element of block kind `block_kind` (children dropped, the canary as its
    text) right after the original, where the same rules match it."""

    kind: ClassVar[str] = "synthetic"
    block_kind: str
    source: int
    token: str
    tag: str = ""

    def change(self, page: ChromeMap) -> None:
        original = kind_sources(page, self.block_kind)[self.source]
        clone = copy.deepcopy(original)
        for child in list(clone):
            clone.remove(child)
        clone.text = f"{self.token} synthetic {self.block_kind} text"
        clone.tail = "\n"
        original.addnext(clone)

    def describe(self) -> str:
        return f"added a copy of {self.tag or 'a'} {self.block_kind} element {self.source + 1} reading {self.token!r}"


@dataclass(frozen=True)
class InsertExcluded(Mutation):
    """Put an element that exclude rule `rule` matches, holding a `<p>` with the canary, into body container
    `container`: a copy of one the rule matched there (`source`), or one built from the selector."""

    kind: ClassVar[str] = "synthetic"
    rule: int
    container: int
    source: int | None
    token: str
    tag: str = ""

    def change(self, page: ChromeMap) -> None:
        container = page.containers[self.container]
        selector = page.version.body.exclude[self.rule]
        if self.source is not None:
            original = _exclusions(container, selector)[self.source]
            element = copy.deepcopy(original)
            for child in list(element):
                element.remove(child)
            element.text = None
            original.addnext(element)
        else:
            element = exclusion_template(selector)
            if element is None:  # the strategy draws this mutation only when `template_fits`
                raise ValueError(f"no element can be built for {selector}")
            container.insert(0, element)
        paragraph = etree.SubElement(element, "p")
        paragraph.text = f"{self.token} text of an excluded element"
        element.tail = "\n"

    def describe(self) -> str:
        what = f"a copy of {self.tag}" if self.source is not None else f"a new {self.tag or 'element'}"
        return f"added {what} (matched by body exclude rule {self.rule + 1}) holding <p>{self.token}</p>"


# ---- Where they can go -----------------------------------------------------------------------------------


def wrappable_runs(page: ChromeMap) -> list[tuple[int, int]]:
    """(first block, length) of every maximal run of sibling body blocks, one after another, in a flow element."""
    runs: list[tuple[int, int]] = []
    blocks = page.blocks
    index = 0
    while index < len(blocks):
        parent = blocks[index].getparent()
        end = index + 1
        if parent is None or parent.tag not in FLOW_TAGS:
            index = end
            continue
        while end < len(blocks) and _next_element(blocks[end - 1]) is blocks[end]:
            end += 1
        runs.append((index, end - index))
        index = end
    return runs


def _next_element(element: etree._Element) -> etree._Element | None:
    """The next sibling that is an element (comments and processing instructions are skipped)."""
    sibling = element.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return sibling


def kind_sources(page: ChromeMap, block_kind: str) -> list[etree._Element]:
    """The body blocks (outermost block elements with text) of kind `block_kind`, in document order.

    Outermost only: a copy of a nested block put after it would split its parent's text differently."""
    kinds = page.block_kinds
    return [element for element in page.blocks if kinds[element] == block_kind]


def _exclusions(container: etree._Element, selector: Selector) -> list[etree._Element]:
    return [element for element in selector.select(container) if element is not container]


def exclusion_sources(page: ChromeMap, rule: int) -> list[tuple[int, int]]:
    """(container, match) of every element exclude rule `rule` matches in the body containers."""
    selector = page.version.body.exclude[rule]
    return [
        (index, match)
        for index, container in enumerate(page.containers)
        for match in range(len(_exclusions(container, selector)))
    ]


def exclusion_template(selector: Selector) -> etree._Element | None:
    """A new element built from the rightmost compound of a CSS selector (`figure`, `div.ad`), or None when
    the selector is XPath or no compound is just a tag, classes and an id (see `template_fits`)."""
    if selector.kind != "css":
        return None
    for part in cssselect.parse(selector.expression):
        built = _from_compound(part.parsed_tree)
        if built is not None:
            return built
    return None


def template_fits(page: ChromeMap, rule: int, container: int) -> bool:
    """Whether exclude rule `rule` matches its `exclusion_template` put into body container `container`."""
    selector = page.version.body.exclude[rule]
    built = exclusion_template(selector)
    if built is None:
        return False
    where = page.containers[container]
    where.insert(0, built)
    try:
        return built in selector.select(where)
    finally:
        where.remove(built)


def _from_compound(tree: object) -> etree._Element | None:
    classes: list[str] = []
    ident = None
    node = tree
    if isinstance(node, cssselect.parser.CombinedSelector):
        node = node.subselector
    while not isinstance(node, cssselect.parser.Element):
        if isinstance(node, cssselect.parser.Class):
            classes.append(node.class_name)
            node = node.selector
        elif isinstance(node, cssselect.parser.Hash):
            ident = node.id
            node = node.selector
        else:
            return None
    element = etree.Element(node.element or "div")
    if classes:
        element.set("class", " ".join(reversed(classes)))
    if ident:
        element.set("id", ident)
    return element


def describe_element(element: etree._Element) -> str:
    """`<tag.class>` and a quoted excerpt of its text, for messages."""
    return f"{_tag_label(element)} {quoted(''.join(element.itertext()))}"
