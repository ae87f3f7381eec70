"""Layout files: the TOML format, its validation, and compilation into `engine.layout` values."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from template_guard.engine.acceptance import read_accepts
from template_guard.engine.field_sources import read_fallbacks, read_source
from template_guard.engine.layout import (
    PLACEMENTS,
    BlockRule,
    BodyRule,
    BoilerplateRegion,
    FieldRule,
    FieldRules,
    Layout,
    LayoutVersion,
    normalise_host,
)
from template_guard.engine.layout_merge import check_dropped, merge_version
from template_guard.engine.regex import RegexError, compile_regex
from template_guard.engine.registry import FIELD_NAMES, REQUIRED_BY_DEFAULT
from template_guard.engine.selectors import Selector
from template_guard.engine.variants import read_variants
from template_guard.errors import LayoutError, SelectorSyntaxError

_TOP_KEYS = ("name", "description", "domains", "url_patterns", "variants", "versions")
_VERSION_KEYS = (
    "name", "valid_from", "valid_until", "extends", "variant", "description", "boilerplate", "fields", "accept"
)
_REGION_KEYS = ("css", "xpath", "items", "placement", "required", "optional", "description")
_FIELD_KEYS = (
    "css", "xpath", "jsonld", "meta", "fallback", "required", "multiple", "attribute", "split", "pattern", "date_format",
    "timezone",
)
_BODY_KEYS = ("css", "xpath", "required", "blocks", "exclude", "drop_text")
_BLOCK_KEYS = ("kind", "css", "xpath")
_SELECTOR_KEYS = ("css", "xpath")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TOML_POSITION = re.compile(r"^(?P<problem>.*?)\s*\(at (?P<where>line \d+, column \d+|end of document)\)$", re.DOTALL)
# Keys a user may put at the wrong level; the hint names the table they belong in.
_MISPLACED = {
    **{key: "it belongs at the top of the file, before the first [[versions]]" for key in _TOP_KEYS},
    **{key: "it belongs in a version: put it under [[versions]]" for key in _VERSION_KEYS if key not in _TOP_KEYS},
    **{name: f"fields go in their own table: [versions.fields.{name}]" for name in FIELD_NAMES},
}


def load_layout(path: Path | str) -> Layout:
    """Read, validate and compile one layout file; raise `LayoutError` naming the key and the problem."""
    path = Path(path)
    try:
        # utf-8-sig: editors on Windows may start the file with a byte-order mark, which TOML rejects.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise LayoutError(path, "", f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise LayoutError(path, "", f"the file is not UTF-8 text (invalid byte at offset {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(path, "", _toml_problem(error)) from None
    except RecursionError:  # tomllib recurses per nesting level of arrays and inline tables
        raise LayoutError(path, "", "the TOML is nested too deeply to read") from None
    return _LayoutReader(path).read(raw)


def _toml_problem(error: tomllib.TOMLDecodeError) -> str:
    """`invalid TOML at line 3, column 7: invalid value` from tomllib's message."""
    message = str(error)
    found = _TOML_POSITION.match(message)
    if not found:
        return f"invalid TOML: {message}"
    problem = found["problem"]
    return f"invalid TOML at {found['where']}: {problem[:1].lower()}{problem[1:]}"


class _LayoutReader:
    """Validates one parsed TOML document; every error names `self.path` and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str, hint: str | None = None) -> LayoutError:
        return LayoutError(self.path, key, problem, hint)

    def check_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                if close:
                    hint = f"did you mean {close[0]!r}?"
                else:
                    hint = _MISPLACED.get(name) or "allowed: " + ", ".join(allowed)
                raise self.fail(_join(key, name), "unknown key", hint)

    def table(self, value: Any, key: str, hint: str | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {_type_name(value)}", hint)
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {_type_name(value)}")
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {_type_name(value)}")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of strings, not {_type_name(value)}")
        return tuple(self.string(item, f"{key}[{index}]") for index, item in enumerate(value))

    def date(self, value: Any, key: str) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            hint = None
            if isinstance(value, str):
                hint = "write a TOML date without quotes, e.g. 2024-01-31"
            elif isinstance(value, dt.datetime):
                hint = "write the day alone, without a time, e.g. 2024-01-31"
            raise self.fail(key, f"must be a date, not {_type_name(value)}", hint)
        return value

    def regex(self, value: Any, key: str) -> re.Pattern[str]:
        text = self.string(value, key)
        try:
            return compile_regex(text)  # RE2: linear time, so a shared layout cannot hang extraction
        except RegexError as error:
            raise self.fail(key, f"invalid regular expression {text!r}: {error}") from None

    def selector(self, table: Mapping[str, Any], key: str) -> Selector:
        present = [kind for kind in _SELECTOR_KEYS if kind in table]
        if len(present) != 1:
            problem = "needs a selector: 'css' or 'xpath'" if not present else "has both 'css' and 'xpath'"
            raise self.fail(key, problem)
        kind = present[0]
        expression = self.string(table[kind], _join(key, kind))
        try:
            return Selector.compile(kind, expression)  # type: ignore[arg-type]
        except SelectorSyntaxError as error:
            raise self.fail(_join(key, kind), error.problem, error.hint) from None

    def read(self, raw: dict[str, Any]) -> Layout:
        self.check_keys(raw, _TOP_KEYS, "")
        for required in ("name", "domains", "versions"):
            if required not in raw:
                raise self.fail(required, "missing required key")
        name = self.string(raw["name"], "name")
        if name != self.path.stem:
            raise self.fail("name", f"is {name!r} but the file is {self.path.name}", f"name it {self.path.stem!r}")
        if not _NAME.match(name):
            raise self.fail("name", f"{name!r} must be lower-case letters, digits, '.', '_' or '-'")
        domains = tuple(normalise_host(d) for d in self.strings(raw["domains"], "domains"))
        if not domains:
            raise self.fail("domains", "must name at least one host")
        url_patterns = self.strings(raw.get("url_patterns", []), "url_patterns")
        description = self.string(raw.get("description", ""), "description")
        raw_versions = raw["versions"]
        if not isinstance(raw_versions, list) or not raw_versions:
            raise self.fail("versions", "must be a non-empty array of tables ([[versions]])")
        variants = read_variants(raw["variants"], self.fail) if "variants" in raw else ()
        versions = self.versions(raw_versions, tuple(variant.name for variant in variants))
        for variant in variants:
            if not any(version.variant == variant.name for version in versions):
                raise self.fail("variants", f"variant {variant.name!r} has no versions", f'add variant = "{variant.name}" to one')
        if not any(not version.variant for version in versions):
            raise self.fail("versions", "every version belongs to a variant", "the main template needs versions too")
        return Layout(name, self.path, description, domains, url_patterns, versions, variants)

    def versions(self, raw_versions: list[Any], variants: tuple[str, ...] = ()) -> tuple[LayoutVersion, ...]:
        resolved: dict[str, dict[str, Any]] = {}
        versions: list[LayoutVersion] = []
        for index, raw in enumerate(raw_versions):
            key = f"versions[{index}]"
            table = self.table(raw, key)
            self.check_keys(table, _VERSION_KEYS, key)
            for required in ("name", "valid_from"):
                if required not in table:
                    raise self.fail(_join(key, required), "missing required key")
            name = self.string(table["name"], _join(key, "name"))
            if name in resolved:
                raise self.fail(_join(key, "name"), f"version {name!r} is defined twice")
            if "extends" in table:
                parent = self.string(table["extends"], _join(key, "extends"))
                if parent not in resolved:
                    raise self.fail(
                        _join(key, "extends"),
                        f"extends {parent!r}, which is not an earlier version",
                        "earlier versions: " + (", ".join(resolved) or "none"),
                    )
                check_dropped(table, resolved[parent], key, parent, self.fail)
                merged = merge_version(resolved[parent], table)
            else:
                check_dropped(table, None, key, None, self.fail)
                merged = table
            resolved[name] = merged
            variant = self.string(table.get("variant", ""), _join(key, "variant"))  # never inherited
            if variant and variant not in variants:
                close = difflib.get_close_matches(variant, variants, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "declared variants: " + (", ".join(variants) or "none")
                raise self.fail(_join(key, "variant"), f"no variant {variant!r} is declared in [[variants]]", hint)
            versions.append(replace(self.version(merged, key, name), variant=variant))
        for variant in ("", *variants):  # each variant's versions follow one another in time
            self.check_dates([(index, v) for index, v in enumerate(versions) if v.variant == variant])
        return tuple(versions)

    def check_dates(self, numbered: list[tuple[int, LayoutVersion]]) -> None:
        for position, (index, version) in enumerate(numbered):
            key = f"versions[{index}]"
            if version.valid_until is not None and version.valid_until <= version.valid_from:
                raise self.fail(
                    _join(key, "valid_until"),
                    f"{version.valid_until} is not after valid_from {version.valid_from}",
                )
            if position == 0:
                continue
            previous_index, previous = numbered[position - 1]
            if version.valid_from <= previous.valid_from:
                raise self.fail(
                    _join(key, "valid_from"),
                    f"{version.valid_from} is not after version {previous.name!r} ({previous.valid_from}); "
                    "list versions in date order",
                )
            if previous.valid_until is None:
                raise self.fail(
                    f"versions[{previous_index}].valid_until",
                    f"version {previous.name!r} has no end date but version {version.name!r} follows it",
                    f"set valid_until = {version.valid_from}",
                )
            if previous.valid_until > version.valid_from:
                raise self.fail(
                    _join(key, "valid_from"),
                    f"version {version.name!r} starts {version.valid_from}, inside version "
                    f"{previous.name!r} (until {previous.valid_until}): the ranges overlap",
                )
            if previous.valid_until < version.valid_from:
                raise self.fail(
                    _join(key, "valid_from"),
                    f"no version covers {previous.valid_until} to {version.valid_from}: the ranges leave a gap",
                    f"start version {version.name!r} on {previous.valid_until}",
                )

    def version(self, table: dict[str, Any], key: str, name: str) -> LayoutVersion:
        valid_from = self.date(table["valid_from"], _join(key, "valid_from"))
        valid_until = None
        if "valid_until" in table:
            valid_until = self.date(table["valid_until"], _join(key, "valid_until"))
        self.string(table.get("description", ""), _join(key, "description"))
        regions_key = _join(key, "boilerplate")
        regions = tuple(
            self.region(region_name, value, _join(regions_key, region_name))
            for region_name, value in self.table(table.get("boilerplate", {}), regions_key).items()
            if value is not False  # `region = false` in an extending version drops an inherited region
        )
        fields_key = _join(key, "fields")
        raw_fields = self.table(table.get("fields", {}), fields_key)
        self.check_keys(raw_fields, FIELD_NAMES, fields_key)
        for required in sorted(REQUIRED_BY_DEFAULT, key=FIELD_NAMES.index):
            if required not in raw_fields:
                raise self.fail(
                    _join(fields_key, required),
                    "missing: every layout version needs it",
                    f"add a [versions.fields.{required}] table with a css or xpath selector",
                )
        fields = {
            field_name: self.field(field_name, value, _join(fields_key, field_name))
            for field_name, value in raw_fields.items()
            if field_name != "body"
        }
        body = self.body(raw_fields["body"], _join(fields_key, "body"))
        accept = read_accepts(table.get("accept", []), _join(key, "accept"), self.fail)
        return LayoutVersion(name, valid_from, valid_until, regions, FieldRules(fields), body, accept)

    def region(self, name: str, value: Any, key: str) -> BoilerplateRegion:
        # `region = true` reads as "keep it", but only `false` means anything outside a table.
        hint = "write `name = false` to drop an inherited region" if value is True else None
        table = self.table(value, key, hint)
        self.check_keys(table, _REGION_KEYS, key)
        items = None
        if "items" in table:
            try:
                items = Selector.compile("css", self.string(table["items"], _join(key, "items")))
            except SelectorSyntaxError as error:
                raise self.fail(_join(key, "items"), error.problem, error.hint) from None
        placement = self.string(table.get("placement", "page"), _join(key, "placement"))
        if placement not in PLACEMENTS:
            raise self.fail(_join(key, "placement"), f"{placement!r} is not one of {', '.join(PLACEMENTS)}")
        self.string(table.get("description", ""), _join(key, "description"))
        required = self.boolean(table.get("required", False), _join(key, "required"))
        optional = self.boolean(table.get("optional", False), _join(key, "optional"))
        if required and optional:
            raise self.fail(_join(key, "optional"), "a region cannot be both required and optional")
        selector = self.selector(table, key)
        return BoilerplateRegion(name, selector, items, placement, required, optional)  # type: ignore[arg-type]

    def field(self, name: str, value: Any, key: str) -> FieldRule:
        table = self.table(value, key)
        self.check_keys(table, _FIELD_KEYS, key)
        primary = read_source(table, key, self.fail)
        fallbacks = read_fallbacks(table["fallback"], _join(key, "fallback"), self.fail) if "fallback" in table else ()
        pattern = self.regex(table["pattern"], _join(key, "pattern")) if "pattern" in table else None
        date_format = None
        if "date_format" in table:
            date_format = self.string(table["date_format"], _join(key, "date_format"))
            if name != "published":
                raise self.fail(_join(key, "date_format"), "only the 'published' field takes a date_format")
        timezone = None
        if "timezone" in table:
            zone = self.string(table["timezone"], _join(key, "timezone"))
            if date_format is None:
                raise self.fail(_join(key, "timezone"), "only a field with a date_format takes a timezone")
            try:
                timezone = ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise self.fail(_join(key, "timezone"), f"unknown time zone {zone!r}", "use an IANA name such as 'America/New_York'") from None
        multiple = self.boolean(table.get("multiple", False), _join(key, "multiple"))
        split = None
        if "split" in table:
            split = self.string(table["split"], _join(key, "split"))
            if not split:
                raise self.fail(_join(key, "split"), "the separator is empty")
            if not multiple:
                raise self.fail(_join(key, "split"), "only a field with multiple = true takes a split separator")
        # A plain css/xpath field keeps `sources` empty: it reads exactly as before structured sources existed.
        plain = not fallbacks and primary.kind in ("css", "xpath")
        return FieldRule(
            name=name,
            selector=primary.selector,
            required=self.boolean(table.get("required", name in REQUIRED_BY_DEFAULT), _join(key, "required")),
            multiple=multiple,
            attribute=primary.attribute,
            pattern=pattern,
            date_format=date_format,
            split=split,
            timezone=timezone,
            sources=() if plain else (primary, *fallbacks),
        )

    def body(self, value: Any, key: str) -> BodyRule:
        table = self.table(value, key)
        self.check_keys(table, _BODY_KEYS, key)
        if "blocks" not in table:
            raise self.fail(_join(key, "blocks"), "missing: the body needs at least one block rule")
        raw_blocks = table["blocks"]
        if not isinstance(raw_blocks, list) or not raw_blocks:
            raise self.fail(_join(key, "blocks"), "must be a non-empty list of {kind, css|xpath} tables")
        blocks = []
        for index, raw_block in enumerate(raw_blocks):
            block_key = f"{_join(key, 'blocks')}[{index}]"
            block = self.table(raw_block, block_key, 'write { kind = "paragraph", css = "p" }')
            self.check_keys(block, _BLOCK_KEYS, block_key)
            if "kind" not in block:
                raise self.fail(_join(block_key, "kind"), "missing: name the kind of block (paragraph, heading …)")
            kind = self.string(block["kind"], _join(block_key, "kind"))
            blocks.append(BlockRule(kind, self.selector(block, block_key)))
        raw_exclude = table.get("exclude", [])
        if not isinstance(raw_exclude, list):
            raise self.fail(_join(key, "exclude"), f"must be a list of {{css|xpath}} tables, not {_type_name(raw_exclude)}")
        exclude = []
        for index, raw_selector in enumerate(raw_exclude):
            selector_key = f"{_join(key, 'exclude')}[{index}]"
            selector_table = self.table(raw_selector, selector_key, 'write { css = "figure" }')
            self.check_keys(selector_table, _SELECTOR_KEYS, selector_key)
            exclude.append(self.selector(selector_table, selector_key))
        raw_drop = table.get("drop_text", [])
        if not isinstance(raw_drop, list):
            raise self.fail(_join(key, "drop_text"), f"must be a list of regular expressions, not {_type_name(raw_drop)}")
        drop_text = tuple(self.regex(item, f"{_join(key, 'drop_text')}[{i}]") for i, item in enumerate(raw_drop))
        return BodyRule(
            selector=self.selector(table, key),
            blocks=tuple(blocks),
            exclude=tuple(exclude),
            drop_text=drop_text,
            required=self.boolean(table.get("required", True), _join(key, "required")),
        )


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _type_name(value: Any) -> str:
    names = {
        bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table",
        dt.datetime: "a date-time", dt.date: "a date", dt.time: "a time",
    }
    return names.get(type(value), type(value).__name__)
