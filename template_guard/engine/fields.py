"""Field extraction: metadata fields and body blocks read from a page already stripped of boilerplate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from template_guard.engine.article import Block, normalise_text
from template_guard.engine.blocks import element_text, locate_blocks, solid_length
from template_guard.engine.dates import from_format, normalise_date
from template_guard.engine.field_sources import jsonld_path
from template_guard.engine.layout import BodyRule, FieldRule, FieldSource, LayoutVersion
from template_guard.engine.problems import Problem
from template_guard.engine.structured_data import ARTICLE_TYPES, jsonld_values, read_structured_data


@dataclass(frozen=True)
class FieldMatch:
    """What a field's selector matched and the values read from it."""

    name: str
    rule: FieldRule
    matched: int
    values: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    distinct: int = 0  # different values the matched elements held (a single-valued field keeps one)
    source: FieldSource | None = None  # of a rule with several sources: the one that gave the values


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
    excluded_per_rule: tuple[int, ...] = ()  # matches of each exclude rule

    @property
    def block_chars(self) -> int:
        """Non-space characters in the blocks kept and dropped."""
        return sum(solid_length(block.text) for block in (*self.blocks, *self.dropped))


def read_field(root: etree._Element, rule: FieldRule, documents: Sequence[Any] = ()) -> FieldMatch:
    """Read one metadata field: first value, or every distinct value when the rule is `multiple`.

    A rule with several sources tries them in order and keeps the first that yields a value; JSON-LD
    sources read `documents`, the page's JSON-LD parsed before its scripts were stripped.
    """
    if not rule.sources:
        elements = rule.selector.select(root)
        raws = [element.get(rule.attribute) if rule.attribute else element_text(element) for element in elements]
        return _match(rule, raws, len(elements), None, structured=False)
    match = None
    for source in rule.sources:
        if source.kind == "jsonld":
            raws = _jsonld_raws(documents, source.expression)
            matched = len(raws)
        else:
            elements = source.selector.select(root)
            raws = [element.get(source.attribute) if source.attribute else element_text(element) for element in elements]
            matched = len(elements)
        match = _match(rule, raws, matched, source, structured=source.kind in ("jsonld", "meta"))
        if match.values:
            return match
    return replace(match, source=None) if match is not None else _match(rule, [], 0, None, structured=False)


def _jsonld_raws(documents: Sequence[Any], expression: str) -> list[str | None]:
    path = jsonld_path(expression)
    types = path.types or ARTICLE_TYPES
    values = jsonld_values(documents, path.path, types=types)
    if not values:  # `author` names the author objects: read their names, as schema.org nests them
        values = jsonld_values(documents, f"{path.path}.name", types=types)
    return list(values)


def _match(
    rule: FieldRule, raws: Sequence[str | None], matched: int, source: FieldSource | None, *, structured: bool
) -> FieldMatch:
    values: list[str] = []
    problems: list[Problem] = []
    for raw in raws:
        pieces = (raw or "").split(rule.split) if rule.split else [raw or ""]
        for piece in pieces:
            value = _field_value(normalise_text(piece), rule, problems, structured=structured)
            if value and value not in values:
                values.append(value)
    # A single-valued field keeps the first value; the others still count, as a sign of drift.
    kept = values if rule.multiple else values[:1]
    return FieldMatch(rule.name, rule, matched, tuple(kept), tuple(problems), distinct=len(values), source=source)


def _field_value(value: str, rule: FieldRule, problems: list[Problem], *, structured: bool) -> str:
    """Apply the rule's `pattern`, then its `date_format` (and `timezone`), to one raw value.

    A `published` value from JSON-LD or a meta tag without a date_format is normalised to ISO 8601 (kept
    as written when it is no date); one read from the page's elements stays as written, as it always has.
    """
    if rule.pattern and value:
        found = rule.pattern.search(value)
        value = normalise_text((found.group(1) if found.re.groups else found.group(0)) or "") if found else ""
    if value and rule.date_format:
        try:
            return from_format(value, rule.date_format, rule.timezone)
        except ValueError:
            problems.append(Problem.bad_date(rule.name, value, rule.date_format))
            return ""
    if value and structured and rule.name == "published":
        return normalise_date(value) or value
    return value


def read_fields(root: etree._Element, version: LayoutVersion, documents: Sequence[Any] = ()) -> dict[str, FieldMatch]:
    """Every metadata field of `version`, by name."""
    return {name: read_field(root, rule, documents) for name, rule in version.fields.items()}


def jsonld_documents(root: etree._Element) -> tuple[Any, ...]:
    """The page's JSON-LD documents; read from the tree as parsed, before noise stripping removes scripts."""
    return read_structured_data(root).documents


def reads_jsonld(version: LayoutVersion) -> bool:
    """Whether a field of `version` reads JSON-LD (which must then be read before scripts are stripped)."""
    return any(source.kind == "jsonld" for rule in version.fields.values() for source in rule.sources)


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
        text.sources,
        located.containers,
        located.excluded_per_rule,
    )
