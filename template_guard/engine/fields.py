"""Field extraction: metadata fields and body blocks read from a page already stripped of boilerplate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from template_guard.engine.article import Block, normalise_text
from template_guard.engine.blocks import element_text, locate_blocks, solid_length
from template_guard.engine.layout import BodyRule, FieldRule, LayoutVersion
from template_guard.engine.problems import Problem


@dataclass(frozen=True)
class FieldMatch:
    """What a field's selector matched and the values read from it."""

    name: str
    rule: FieldRule
    matched: int
    values: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
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

    @property
    def block_chars(self) -> int:
        """Non-space characters in the blocks kept and dropped."""
        return sum(solid_length(block.text) for block in (*self.blocks, *self.dropped))


def read_field(root: etree._Element, rule: FieldRule) -> FieldMatch:
    """Read one metadata field: first value, or every distinct value when the rule is `multiple`."""
    elements = rule.selector.select(root)
    values: list[str] = []
    problems: list[Problem] = []
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


def _field_value(value: str, rule: FieldRule, problems: list[Problem]) -> str:
    """Apply the rule's `pattern`, then its `date_format` (and `timezone`), to one raw value."""
    if rule.pattern and value:
        found = rule.pattern.search(value)
        value = normalise_text((found.group(1) if found.re.groups else found.group(0)) or "") if found else ""
    if value and rule.date_format:
        try:
            moment = dt.datetime.strptime(value, rule.date_format)
        except ValueError:
            problems.append(Problem.bad_date(rule.name, value, rule.date_format))
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
    located = locate_blocks(root, rule, remove_excluded=True)
    text = located.read()
    return BodyMatch(
        rule,
        len(located.containers),
        len(located.excluded),
        text.blocks,
        text.dropped,
        located.matched_per_rule,
        text.container_chars,
    )
