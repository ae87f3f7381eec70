"""The six article fields, declared once: every layout check, rendering and report reads them from here."""

from __future__ import annotations

from dataclasses import dataclass

from template_guard.errors import UnknownFieldError


@dataclass(frozen=True)
class FieldSpec:
    """One article field and how each part of template_guard treats it."""

    name: str
    multiple: bool  # the article holds a tuple of values, not one (or none)
    required: bool  # a layout must declare it, and it is required unless the layout says otherwise
    in_header: bool  # a snapshot keeps it as a JSON value in the header, not as a text line
    place: str  # how a report names one of its values: "the title", "author 2", "body block 3"

    @property
    def is_body(self) -> bool:
        """Whether this is the body, read as blocks by a body rule rather than by a field rule."""
        return self.name == "body"

    def describe(self, number: int | None = None) -> str:
        """A reader's name for the field's value number `number` (1-based), or for its single value."""
        return f"{self.place} {number}" if number is not None and self.multiple else self.place


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", multiple=False, required=True, in_header=False, place="the title"),
    FieldSpec("standfirst", multiple=False, required=False, in_header=False, place="the standfirst"),
    FieldSpec("body", multiple=True, required=True, in_header=False, place="body block"),
    FieldSpec("authors", multiple=True, required=False, in_header=True, place="author"),
    FieldSpec("published", multiple=False, required=False, in_header=True, place="the published date"),
    FieldSpec("tags", multiple=True, required=False, in_header=True, place="tag"),
)
"""Every field, in canonical order: the order of layouts, snapshots, JSON output and reports."""

FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
"""The field names, in canonical order."""

METADATA_FIELDS: tuple[FieldSpec, ...] = tuple(spec for spec in FIELDS if not spec.is_body)
"""The fields a field rule reads (every field but the body)."""

HEADER_FIELDS: tuple[FieldSpec, ...] = tuple(spec for spec in FIELDS if spec.in_header)
"""The fields a snapshot header holds as JSON values, in order."""

REQUIRED_BY_DEFAULT: frozenset[str] = frozenset(spec.name for spec in FIELDS if spec.required)
"""The names of the fields every layout version must declare."""

_BY_NAME = {spec.name: spec for spec in FIELDS}


def field_spec(name: str) -> FieldSpec:
    """The field called `name`; `UnknownFieldError` naming the known fields otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownFieldError(f"no field {name!r}; fields: {', '.join(FIELD_NAMES)}") from None
