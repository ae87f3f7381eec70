"""Why an extraction does not fit its layout, as data; `render` is the one place that words it in English.

Diagnostics and advice read a problem's kind, field and key, never its sentence, so rewording a message
cannot lose the advice attached to it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProblemKind(enum.Enum):
    """What went wrong, and so which rule of the layout to fix."""

    REGION_MISSING = "region-missing"  # a required boilerplate region matched nothing
    FIELD_EMPTY = "field-empty"  # a required field matched nothing, or only elements without text
    BAD_DATE = "bad-date"  # a value did not match the field's date_format
    BODY_WITHOUT_BLOCKS = "body-without-blocks"  # body containers were found, but no block rule matched text


@dataclass(frozen=True)
class Problem:
    """One problem of one extraction."""

    kind: ProblemKind
    name: str  # the region or field name
    key: str  # where the rule is in the layout version: "boilerplate.nav", "fields.published.date_format"
    selector: str | None = None  # the rule's selector, as the layout file spells it
    matched: int = 0  # elements (or body containers) the selector matched
    value: str | None = None  # the offending value (BAD_DATE)
    expected: str | None = None  # what the value should have matched: the date_format (BAD_DATE)

    def __str__(self) -> str:
        return render(self)

    @classmethod
    def region_missing(cls, name: str, selector: str) -> Problem:
        """A required boilerplate region that matched nothing."""
        return cls(ProblemKind.REGION_MISSING, name, f"boilerplate.{name}", selector)

    @classmethod
    def field_empty(cls, name: str, selector: str, matched: int) -> Problem:
        """A required field (or the body) with no value: `matched` elements, none with text."""
        return cls(ProblemKind.FIELD_EMPTY, name, f"fields.{name}", selector, matched)

    @classmethod
    def bad_date(cls, name: str, value: str, date_format: str) -> Problem:
        """A value of field `name` that `date_format` cannot parse."""
        return cls(ProblemKind.BAD_DATE, name, f"fields.{name}.date_format", value=value, expected=date_format)

    @classmethod
    def body_without_blocks(cls, containers: int) -> Problem:
        """Body containers with no block rule matching text inside them."""
        return cls(ProblemKind.BODY_WITHOUT_BLOCKS, "body", "fields.body", matched=containers)


def render(problem: Problem) -> str:
    """The problem as one English sentence (without advice; diagnostics add that)."""
    kind, name = problem.kind, problem.name
    if kind is ProblemKind.REGION_MISSING:
        return f"required boilerplate region {name!r} ({problem.selector}) matched nothing"
    if kind is ProblemKind.BAD_DATE:
        return f"field {name!r}: {problem.value!r} does not match date_format {problem.expected!r}"
    if kind is ProblemKind.BODY_WITHOUT_BLOCKS:
        return f"required field {name!r} matched {problem.matched} container(s) but no block rule matched text"
    what = "matched nothing" if not problem.matched else f"matched {problem.matched} element(s) with no text"
    return f"required field {name!r} ({problem.selector}) {what}"
