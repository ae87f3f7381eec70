"""Layout definitions as typed, immutable values: versions, boilerplate regions, field and body rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from template_guard.engine.selectors import Selector
from template_guard.errors import NoLayoutError

PLACEMENTS = ("page", "inline")


@dataclass(frozen=True)
class BoilerplateRegion:
    """A named chrome region: every element it matches is removed before fields are read."""

    name: str
    selector: Selector
    items: Selector | None = None
    placement: Literal["page", "inline"] = "page"
    required: bool = False


@dataclass(frozen=True)
class FieldRule:
    """How to read one metadata field (title, standfirst, authors, published, tags)."""

    name: str
    selector: Selector
    required: bool = False
    multiple: bool = False
    attribute: str | None = None
    pattern: re.Pattern[str] | None = None
    date_format: str | None = None
    split: str | None = None
    timezone: ZoneInfo | None = None


@dataclass(frozen=True)
class BlockRule:
    """Elements inside the body container that make body blocks of one kind."""

    kind: str
    selector: Selector


@dataclass(frozen=True)
class BodyRule:
    """The body: its container(s), the block rules, and what is excluded inside it."""

    selector: Selector
    blocks: tuple[BlockRule, ...]
    exclude: tuple[Selector, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()
    required: bool = True


class FieldRules(Mapping[str, FieldRule]):
    """A version's field rules by name: read-only and hashable, so the version holding it is too."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Mapping[str, FieldRule] | None = None) -> None:
        self._rules: dict[str, FieldRule] = dict(rules or {})

    def __getitem__(self, name: str) -> FieldRule:
        return self._rules[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __hash__(self) -> int:
        return hash(tuple(self._rules.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"FieldRules({self._rules!r})"


@dataclass(frozen=True)
class LayoutVersion:
    """One version of a layout, valid for captures from `valid_from` (inclusive) to `valid_until` (exclusive)."""

    name: str
    valid_from: dt.date
    valid_until: dt.date | None
    boilerplate: tuple[BoilerplateRegion, ...]
    fields: Mapping[str, FieldRule]
    body: BodyRule

    def __post_init__(self) -> None:
        # A plain dict (from a caller's dataclasses.replace, say) would make the version unhashable.
        if not isinstance(self.fields, FieldRules):
            object.__setattr__(self, "fields", FieldRules(self.fields))

    def covers(self, day: dt.date) -> bool:
        """Whether a page captured on `day` belongs to this version."""
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True)
class Layout:
    """A site layout: identity, the URLs it serves, and its versions over time."""

    name: str
    source: Path
    description: str
    domains: tuple[str, ...]
    url_patterns: tuple[str, ...]
    versions: tuple[LayoutVersion, ...]

    def version_for(self, day: dt.date | None) -> LayoutVersion:
        """The version covering a capture date; the newest version when the date is unknown."""
        if day is None:
            return self.versions[-1]
        for version in self.versions:
            if version.covers(day):
                return version
        ranges = ", ".join(
            f"{v.name}: {v.valid_from} to {v.valid_until or 'open'}" for v in self.versions
        )
        first = self.versions[0]
        if day < first.valid_from:
            advice = f"start version {first.name!r} earlier, or add an earlier version, in {self.source.name}"
        else:
            advice = f"add a version whose range includes {day} to {self.source.name}"
        raise NoLayoutError(
            f"no version of layout {self.name} covers the capture date {day} (versions: {ranges}); {advice}"
        )

    def version(self, name: str) -> LayoutVersion:
        """The version called `name`."""
        for version in self.versions:
            if version.name == name:
                return version
        raise NoLayoutError(f"layout {self.name} has no version {name!r}")


def normalise_host(host: str) -> str:
    """A host name as layouts compare them: lower case, without a leading "www."."""
    return host.lower().removeprefix("www.")
