"""Field extraction: metadata fields and body blocks read from a page already stripped of boilerplate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from template_guard.engine.article import Block, normalise_text
from template_guard.engine.boilerplate import remove_keeping_tail
from template_guard.engine.layout import BodyRule, FieldRule, LayoutVersion

# Elements that start a new line in a browser; inside one block they become a space, so words stay apart.
_BREAKING_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)


@dataclass(frozen=True)
class FieldMatch:
    """What a field's selector matched and the values read from it."""

    name: str
    rule: FieldRule
    matched: int
    values: tuple[str, ...]
    problems: tuple[str, ...] = ()
    distinct: int = 0  # different values the matched elements held (a single-valued field keeps one)


@dataclass(frozen=True)
class BodyMatch:
    """What the body rule matched: containers, excluded elements, blocks kept and dropped."""

    rule: BodyRule
    containers: int
    excluded: int
    blocks: tuple[Block, ...]
    dropped: tuple[Block, ...]
    matched_per_rule: tuple[int, ...]
    container_chars: int  # non-space characters in the containers, to tell when block rules miss text
    # The elements behind `blocks` (one per block) and the containers, for evidence that needs the markup
    # (link density, ancestry, lost text); not part of the value, so equal extractions stay equal.
    block_elements: tuple[etree._Element, ...] = field(default=(), compare=False, repr=False)
    container_elements: tuple[etree._Element, ...] = field(default=(), compare=False, repr=False)

    @property
    def block_chars(self) -> int:
        """Non-space characters in the blocks kept and dropped."""
        return sum(solid_length(block.text) for block in (*self.blocks, *self.dropped))


def element_text(element: etree._Element) -> str:
    """The normalised text of an element, with a space wherever a browser would break the line."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if node.tag in _BREAKING_TAGS:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        else:
            if node.tag in _BREAKING_TAGS:
                parts.append(" ")
            if node is not element and node.tail:
                parts.append(node.tail)
    return normalise_text("".join(parts))


def read_field(root: etree._Element, rule: FieldRule) -> FieldMatch:
    """Read one metadata field: first value, or every distinct value when the rule is `multiple`."""
    elements = rule.selector.select(root)
    values: list[str] = []
    problems: list[str] = []
    for element in elements:
        raw = element.get(rule.attribute) if rule.attribute else element_text(element)
        pieces = (raw or "").split(rule.split) if rule.split else [raw or ""]
        for piece in pieces:
            value = _field_value(normalise_text(piece), rule, problems)
            if value and value not in values:
                values.append(value)
    # A single-valued field keeps the first value; the others still count, as a sign of drift.
    kept = values if rule.multiple else values[:1]
    return FieldMatch(rule.name, rule, len(elements), tuple(kept), tuple(problems), distinct=len(values))


def _field_value(value: str, rule: FieldRule, problems: list[str]) -> str:
    """Apply the rule's `pattern`, then its `date_format` (and `timezone`), to one raw value."""
    if rule.pattern and value:
        found = rule.pattern.search(value)
        value = normalise_text((found.group(1) if found.re.groups else found.group(0)) or "") if found else ""
    if value and rule.date_format:
        try:
            moment = dt.datetime.strptime(value, rule.date_format)
        except ValueError:
            problems.append(f"{value!r} does not match date_format {rule.date_format!r}")
            return ""
        if rule.timezone is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=rule.timezone)
        value = moment.isoformat()
    return value


def read_fields(root: etree._Element, version: LayoutVersion) -> dict[str, FieldMatch]:
    """Every metadata field of `version`, by name."""
    return {name: read_field(root, rule) for name, rule in version.fields.items()}


def read_body(root: etree._Element, rule: BodyRule) -> BodyMatch:
    """The body blocks, in document order; exclusions inside the body are removed first (in place)."""
    containers = outermost(rule.selector.select(root))
    excluded = 0
    for container in containers:
        for selector in rule.exclude:
            for element in selector.select(container):
                if element is not container:
                    remove_keeping_tail(element)
                    excluded += 1
    kinds: dict[etree._Element, str] = {}
    matched_per_rule = []
    for block_rule in rule.blocks:
        count = 0
        for container in containers:
            for element in block_rule.selector.select(container):
                count += 1
                kinds.setdefault(element, block_rule.kind)  # the first rule that matches names the kind
        matched_per_rule.append(count)
    blocks: list[Block] = []
    block_elements: list[etree._Element] = []
    dropped: list[Block] = []
    container_chars = 0
    for container in containers:
        found, chars = _blocks_in(container, kinds)
        container_chars += chars
        for block, element in found:
            if any(pattern.search(block.text) for pattern in rule.drop_text):
                dropped.append(block)
            else:
                blocks.append(block)
                block_elements.append(element)
    return BodyMatch(
        rule, len(containers), excluded, tuple(blocks), tuple(dropped), tuple(matched_per_rule), container_chars,
        tuple(block_elements), tuple(containers),
    )


def solid_length(text: str) -> int:
    """Characters that are not spaces, tabs or line breaks: what a body holds, however it is indented."""
    # Counts without splitting: this runs on every text node of the body.
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r") - text.count("\xa0")


def outermost(elements: Iterable[etree._Element]) -> list[etree._Element]:
    """The elements (in their order) that are not inside another one of them."""
    chosen = list(elements)
    members = set(chosen)
    return [e for e in chosen if not any(a in members for a in e.iterancestors())]


def _blocks_in(
    container: etree._Element, kinds: dict[etree._Element, str]
) -> tuple[list[tuple[Block, etree._Element]], int]:
    """Walk the container once; a block nested in another splits it, so text before and after are blocks too.

    Each block comes with the element that made it. Also counts the container's non-space characters,
    inside blocks or not.
    """
    blocks: list[tuple[Block, etree._Element]] = []
    chars = 0
    open_blocks: list[tuple[str, list[str], etree._Element]] = []

    def flush(kind: str, parts: list[str], element: etree._Element) -> None:
        text = normalise_text("".join(parts))
        if text:
            blocks.append((Block(kind, text), element))
        parts.clear()

    # iterwalk is iterative, so a pathologically deep body cannot exhaust the Python stack.
    for event, node in etree.iterwalk(container, events=("start", "end")):
        kind = kinds.get(node)
        if event == "start":
            if kind is not None:
                if open_blocks:
                    flush(*open_blocks[-1])
                open_blocks.append((kind, [], node))
            elif open_blocks and node.tag in _BREAKING_TAGS:
                open_blocks[-1][1].append(" ")
            if node.text:
                chars += solid_length(node.text)
                if open_blocks:
                    open_blocks[-1][1].append(node.text)
        else:
            if kind is not None:
                flush(*open_blocks.pop())
            elif open_blocks and node.tag in _BREAKING_TAGS:
                open_blocks[-1][1].append(" ")
            if node is not container and node.tail:
                chars += solid_length(node.tail)
                if open_blocks:
                    open_blocks[-1][1].append(node.tail)
    return blocks, chars
