"""The one body-block locator: containers, exclusions, block kinds and block text, as a body rule defines them.

Extraction, the property tests' chrome map and the speed benchmark all call `locate_blocks`, so the three
cannot disagree about where the body blocks are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from template_guard.engine.article import Block, normalise_text
from template_guard.engine.boilerplate import remove_keeping_tail
from template_guard.engine.layout import BodyRule
from template_guard.engine.selectors import Selector

# Elements that start a new line in a browser; inside one block they become a space, so words stay apart.
BREAKING_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "  # noqa: SIM905
    "li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)

Select = Callable[[str, Selector, etree._Element], list[etree._Element]]
"""Runs one selector of the body rule: (where in the layout, selector, context element) → matches.

`where` is "body", "body.exclude[i]" or "body.blocks[i] kind"; the benchmark passes a timing wrapper.
"""


def select_plainly(where: str, selector: Selector, context: etree._Element) -> list[etree._Element]:
    """The default `Select`: the selector's matches, nothing else."""
    return selector.select(context)


@dataclass(frozen=True)
class BlockText:
    """The text of the located blocks: kept, dropped by `drop_text`, and the containers' size."""

    blocks: tuple[Block, ...]
    dropped: tuple[Block, ...]
    container_chars: int  # non-space characters in the containers, inside blocks or not
    # The element each block's text came from, parallel to `blocks` and `dropped` (a nested block splits its
    # parent, so several blocks may name one element): what reports and evidence point at.
    sources: tuple[etree._Element, ...] = field(default=(), repr=False)
    dropped_sources: tuple[etree._Element, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class LocatedBody:
    """Where a body rule's parts are in one tree."""

    rule: BodyRule
    root: etree._Element = field(repr=False)
    containers: tuple[etree._Element, ...]  # outermost matches of the body selector, in document order
    excluded: tuple[etree._Element, ...]  # what the `exclude` selectors matched inside the containers
    kinds: Mapping[etree._Element, str] = field(repr=False)  # block element → kind (the first rule to match it)
    matched_per_rule: tuple[int, ...]  # matches of each block rule, hidden elements included
    excluded_per_rule: tuple[int, ...] = ()  # matches of each exclude rule (`template-guard check`: untested rules)

    @cached_property
    def elements(self) -> tuple[etree._Element, ...]:
        """The outermost block elements, in document order (an XPath block rule may reach outside the containers)."""
        members = set(self.kinds)
        return tuple(outermost(e for e in self.root.iter() if e in members))

    @cached_property
    def inside_exclusions(self) -> frozenset[etree._Element]:
        """Every element inside an excluded element (the excluded elements included)."""
        return frozenset(e for excluded in self.excluded for e in excluded.iter())

    def read(self) -> BlockText:
        """The blocks' text in document order; a block nested in another splits it, so both keep their text."""
        kept: list[tuple[Block, etree._Element]] = []
        dropped: list[tuple[Block, etree._Element]] = []
        container_chars = 0
        for container in self.containers:
            found, chars = _blocks_in(container, self.kinds)
            container_chars += chars
            for block, source in found:
                if any(pattern.search(block.text) for pattern in self.rule.drop_text):
                    dropped.append((block, source))
                else:
                    kept.append((block, source))
        return BlockText(
            blocks=tuple(block for block, _ in kept),
            dropped=tuple(block for block, _ in dropped),
            container_chars=container_chars,
            sources=tuple(source for _, source in kept),
            dropped_sources=tuple(source for _, source in dropped),
        )


def locate_blocks(
    root: etree._Element,
    rule: BodyRule,
    *,
    hidden: frozenset[etree._Element] = frozenset(),
    remove_excluded: bool = False,
    select: Select = select_plainly,
) -> LocatedBody:
    """Locate the body of `root` as `rule` defines it.

    With `remove_excluded` the excluded elements are removed from the tree (their tails kept), as extraction
    does; without, the tree is left alone and excluded elements only stop being blocks. Elements in `hidden`
    (chrome and noise still in the tree, for the property tests) never become blocks.
    """
    containers = tuple(outermost(select("body", rule.selector, root)))
    excluded: list[etree._Element] = []
    excluded_per_rule = [0] * len(rule.exclude)
    for container in containers:
        for number, selector in enumerate(rule.exclude):
            # Removing as we go means a later exclusion does not count what an earlier one already removed.
            for element in select(f"body.exclude[{number}]", selector, container):
                if element is not container:
                    excluded.append(element)
                    excluded_per_rule[number] += 1
                    if remove_excluded:
                        remove_keeping_tail(element)
    if not remove_excluded and excluded:
        hidden = hidden | frozenset(e for element in excluded for e in element.iter())
    kinds: dict[etree._Element, str] = {}
    matched_per_rule: list[int] = []
    for number, block_rule in enumerate(rule.blocks):
        count = 0
        for container in containers:
            for element in select(f"body.blocks[{number}] {block_rule.kind}", block_rule.selector, container):
                count += 1
                if element not in hidden:
                    kinds.setdefault(element, block_rule.kind)  # the first rule that matches names the kind
        matched_per_rule.append(count)
    return LocatedBody(
        rule, root, containers, tuple(excluded), kinds, tuple(matched_per_rule), tuple(excluded_per_rule)
    )


def outermost(elements: Iterable[etree._Element]) -> list[etree._Element]:
    """The elements (in their order) that are not inside another one of them."""
    chosen = list(elements)
    members = set(chosen)
    return [e for e in chosen if not any(a in members for a in e.iterancestors())]


def solid_length(text: str) -> int:
    """Characters that are not spaces, tabs or line breaks: what a body holds, however it is indented."""
    # Counts without splitting: this runs on every text node of the body.
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r") - text.count("\xa0")


def element_text(element: etree._Element) -> str:
    """The normalised text of an element, with a space wherever a browser would break the line."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if node.tag in BREAKING_TAGS:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        else:
            if node.tag in BREAKING_TAGS:
                parts.append(" ")
            if node is not element and node.tail:
                parts.append(node.tail)
    return normalise_text("".join(parts))


def _blocks_in(
    container: etree._Element, kinds: Mapping[etree._Element, str]
) -> tuple[list[tuple[Block, etree._Element]], int]:
    """Walk the container once; a block nested in another splits it, so text before and after are blocks too.

    Returns each block with the element it came from, and the container's non-space characters, inside
    blocks or not.
    """
    blocks: list[tuple[Block, etree._Element]] = []
    open_blocks: list[tuple[str, list[str], etree._Element]] = []

    def flush(kind: str, parts: list[str], source: etree._Element) -> None:
        text = normalise_text("".join(parts))
        if text:
            blocks.append((Block(kind, text), source))
        parts.clear()

    # iterwalk is iterative, so a pathologically deep body cannot exhaust the Python stack.
    for event, node in etree.iterwalk(container, events=("start", "end")):
        kind = kinds.get(node)
        if event == "start":
            if kind is not None:
                if open_blocks:
                    flush(*open_blocks[-1])
                open_blocks.append((kind, [], node))
            elif open_blocks and node.tag in BREAKING_TAGS:
                open_blocks[-1][1].append(" ")
            if node.text and open_blocks:
                open_blocks[-1][1].append(node.text)
        else:
            if kind is not None:
                flush(*open_blocks.pop())
            elif open_blocks and node.tag in BREAKING_TAGS:
                open_blocks[-1][1].append(" ")
            if node is not container and node.tail and open_blocks:
                open_blocks[-1][1].append(node.tail)
    # Counted once over the joined text (a C-level join), not per text node: only a diagnostic reads it.
    return blocks, solid_length("".join(container.itertext()))
