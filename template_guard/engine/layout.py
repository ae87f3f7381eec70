"""Layout definitions as typed, immutable values: versions, boilerplate regions, field and body rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from template_guard.engine.acceptance import AcceptRule
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
    optional: bool = False  # on some pages only: matching nothing on every page checked is not stale


SOURCE_KINDS = ("css", "xpath", "jsonld", "meta")


@dataclass(frozen=True)
class FieldSource:
    """One place a field's value may come from: elements (css, xpath), a JSON-LD path, or a `<meta>` tag.

    `selector` selects the elements the value is read from: for `meta`, the `<meta>` tags of that name
    (their `content`); for `jsonld`, the JSON-LD scripts, whose documents are read before noise is stripped.
    """

    kind: Literal["css", "xpath", "jsonld", "meta"]
    expression: str  # as the layout file spells it: the selector, the JSON-LD path, or the meta name
    selector: Selector
    attribute: str | None = None

    def __str__(self) -> str:
        if self.kind in ("css", "xpath"):
            return str(self.selector) + (f" @{self.attribute}" if self.attribute else "")
        return f"{self.kind} {self.expression!r}"


@dataclass(frozen=True)
class FieldRule:
    """How to read one metadata field (title, standfirst, authors, published, tags)."""

    name: str
    selector: Selector  # the first source's elements
    required: bool = False
    multiple: bool = False
    attribute: str | None = None
    pattern: re.Pattern[str] | None = None
    date_format: str | None = None
    split: str | None = None
    timezone: ZoneInfo | None = None
    # Where to look, in order: the first source that yields a value wins. Empty: `selector` and `attribute`.
    sources: tuple[FieldSource, ...] = ()

    @property
    def all_sources(self) -> tuple[FieldSource, ...]:
        """The sources in order, the rule's own selector as the only one for a rule built without `sources`."""
        kind: Literal["css", "xpath"] = "xpath" if self.selector.kind == "xpath" else "css"
        return self.sources or (FieldSource(kind, self.selector.expression, self.selector, self.attribute),)

    @property
    def described(self) -> str:
        """The sources as a layout's reader knows them: `jsonld 'datePublished', then meta '…'`.

        A rule with its selector alone is shown as that selector, as messages always have.
        """
        if not self.sources:
            return str(self.selector)
        return ", then ".join(str(source) for source in self.sources)


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
    accept: tuple[AcceptRule, ...] = ()  # evidence findings reviewed and accepted (template_guard.evidence)
    variant: str = ""  # the variant (concurrent template) it belongs to; "" is the layout's main template

    def __post_init__(self) -> None:
        # A plain dict (from a caller's dataclasses.replace, say) would make the version unhashable.
        if not isinstance(self.fields, FieldRules):
            object.__setattr__(self, "fields", FieldRules(self.fields))

    def covers(self, day: dt.date) -> bool:
        """Whether a page captured on `day` belongs to this version."""
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True)
class Variant:
    """A template the site serves next to its main one (live blogs, sport): chosen by URL and/or a page test."""

    name: str
    url_patterns: tuple[str, ...] = ()  # globs on the full URL; any one must match
    when: Selector | None = None  # a cheap page test: the selector must match the page as parsed


@dataclass(frozen=True)
class Layout:
    """A site layout: identity, the URLs it serves, and its versions over time."""

    name: str
    source: Path
    description: str
    domains: tuple[str, ...]
    url_patterns: tuple[str, ...]
    versions: tuple[LayoutVersion, ...]
    variants: tuple[Variant, ...] = ()

    def versions_of(self, variant: str = "") -> tuple[LayoutVersion, ...]:
        """The versions of one variant ("" for the main template), in date order."""
        return tuple(version for version in self.versions if version.variant == variant)

    def version_for(self, day: dt.date | None, variant: str = "") -> LayoutVersion:
        """The version of `variant` covering a capture date; its newest version when the date is unknown."""
        versions = self.versions_of(variant)
        if day is None:
            return versions[-1]
        for version in versions:
            if version.covers(day):
                return version
        ranges = ", ".join(
            f"{v.name}: {v.valid_from} to {v.valid_until or 'open'}" for v in versions
        )
        first = versions[0]
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
