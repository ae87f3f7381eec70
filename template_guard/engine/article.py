"""The normalised article: an immutable value and its two renderings, canonical text and JSON."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from template_guard.engine.registry import FIELDS, field_spec

# Zero-width characters are invisible in a browser, so they must not make two extractions differ.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_text(text: str) -> str:
    """Unicode NFC, invisible characters removed, whitespace collapsed to single spaces and trimmed."""
    # str.split() without arguments splits on every Unicode space (NBSP included), faster than a regex.
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` characters, an ellipsis marking the cut: for one-line previews."""
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Block:
    """One body block: its kind (paragraph, heading, quote, tweet, …) and its normalised text."""

    kind: str
    text: str


@dataclass(frozen=True)
class Article:
    """What a layout extracts from a page; nothing in it depends on the chrome around the article."""

    title: str
    standfirst: str | None
    blocks: tuple[Block, ...]
    authors: tuple[str, ...]
    published: str | None
    tags: tuple[str, ...]
    layout: str
    version: str

    @classmethod
    def from_values(
        cls, values: Mapping[str, Sequence[str]], blocks: Sequence[Block], *, layout: str, version: str
    ) -> Article:
        """The article holding each field's values: a single-valued field keeps its first (a missing title is "")."""
        picked: dict[str, str | tuple[str, ...] | None] = {
            spec.name: tuple(values.get(spec.name, ())) if spec.multiple else next(iter(values.get(spec.name, ())), None)
            for spec in FIELDS
            if not spec.is_body
        }
        picked["title"] = picked["title"] or ""
        return cls(blocks=tuple(blocks), layout=layout, version=version, **picked)  # type: ignore[arg-type]

    @property
    def body(self) -> tuple[str, ...]:
        """The text of each body block, in reading order."""
        return tuple(block.text for block in self.blocks)

    def to_text(self) -> str:
        """Canonical text: the title line, the standfirst line (if any), then one body block per line."""
        lines = [self.title, *([self.standfirst] if self.standfirst else []), *self.body]
        return "\n".join(lines) + "\n"

    def value(self, name: str) -> str | tuple[str, ...] | None:
        """The value of the field called `name` (the body as its block texts)."""
        return self.body if field_spec(name).is_body else getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping with a stable key order: the fields in canonical order, then layout and version."""
        mapping: dict[str, Any] = {}
        for spec in FIELDS:
            value = self.value(spec.name)
            mapping[spec.name] = list(value) if isinstance(value, tuple) else value
            if spec.is_body:
                mapping["blocks"] = [{"kind": block.kind, "text": block.text} for block in self.blocks]
        return {**mapping, "layout": self.layout, "version": self.version}

    def to_json(self, *, indent: int | None = None) -> str:
        """The article as JSON (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
