"""One-change mutants of a layout file, for benchmarks/kill_matrix.py: generated, validated, compared.

Mutants are written as TOML text (tomllib reads the layout; a small writer covers what layouts use: no
dev dependency). Operators: each boilerplate region deleted, tightened (only the first of several
selectors, else matching nothing) and loosened (the subject reduced to its tag); each block rule, exclude
rule and drop_text dropped; each field pointed at a wrong element (another field's selector; the body at
`body` and at the first region). `signature` is what a layout extracts from pages: two layouts with equal
signatures are equivalent on those pages.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from template_guard import Layout, LayoutSet, load_layout, run_page
from template_guard.engine.selectors import _strip_predicates, _top_level  # the engine's own bracket-aware scans
from template_guard.errors import TemplateGuardError

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# Field → the field whose selector it is wrongly pointed at (a neighbour on the page, same shape of value).
WRONG_FIELD = {"title": "standfirst", "standfirst": "title", "authors": "tags", "tags": "authors", "published": "title"}

# ---- a TOML writer for what layouts use: strings, booleans, numbers, dates, arrays and tables ----------


def toml_value(value: Any) -> str:
    """One TOML value; arrays of tables are written inline (block and exclude rules)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date, dt.time)):
        return value.isoformat() if not isinstance(value, (int, float)) else repr(value)
    if isinstance(value, str):
        escaped = "".join(
            {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}.get(c, c)
            if ord(c) >= 0x20 and ord(c) != 0x7F or c in "\n\t"
            else f"\\u{ord(c):04x}"
            for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_key(key: str) -> str:
    """A key, quoted unless bare."""
    return key if BARE_KEY.match(key) else toml_value(key)


def _is_table_array(value: Any) -> bool:
    # Arrays of tables holding tables of their own (the versions) need [[headers]]; flat ones stay inline.
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value) and any(
        isinstance(x, (dict, list)) for v in value for x in v.values()
    )


def dump_toml(data: Mapping[str, Any], path: tuple[str, ...] = ()) -> str:
    """`data` as TOML text that `tomllib.loads` reads back equal."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict) and not _is_table_array(v)]
    for key, value in data.items():
        header = ".".join(toml_key(part) for part in (*path, key))
        if isinstance(value, dict):
            lines += ["", f"[{header}]", dump_toml(value, (*path, key))]
        elif _is_table_array(value):
            for item in value:
                lines += ["", f"[[{header}]]", dump_toml(item, (*path, key))]
    text = "\n".join(lines)
    return text.strip("\n") + "\n" if not path else text


# ---- selector edits -------------------------------------------------------------------------------------


def top_level_split(selector: str, separator: str) -> list[str]:
    """`selector` split on the one-character `separator` outside brackets, parentheses and quotes."""
    cuts = [index for index, char in _top_level(selector) if char == separator]
    bounds = zip([-1, *cuts], [*cuts, len(selector)], strict=True)
    return [selector[start + 1 : end].strip() for start, end in bounds]


def loosen_css(selector: str) -> str:
    """Each alternative's subject (its last compound) reduced to its tag: `nav ul.menu > li.x` → `nav ul.menu > li`."""
    loosened = []
    for alternative in top_level_split(selector, ","):
        start = max((i + 1 for i, char in _top_level(alternative) if char.isspace() or char in ">+~"), default=0)
        tag = re.match(r"[A-Za-z][\w-]*|\*", alternative[start:])
        loosened.append(alternative[:start] + (tag.group(0) if tag else "*"))
    return ", ".join(loosened)


def loosen_xpath(selector: str) -> str:
    """Each alternative's predicates on its last step dropped: `//div[@id='x'][1]` → `//div`."""
    return " | ".join(_strip_predicates(alternative) for alternative in top_level_split(selector, "|"))


def tightened(table: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The first of several alternatives of the table's selector, else a selector that matches nothing."""
    key = "css" if "css" in table else "xpath"
    alternatives = top_level_split(table[key], "," if key == "css" else "|")
    if len(alternatives) > 1:
        return "only its first selector", {**table, key: alternatives[0]}
    nothing = f"{table[key]}.template-guard-mutant" if key == "css" else f"({table[key]})[false()]"
    return "matching nothing", {**table, key: nothing}


def loosened(table: Mapping[str, Any]) -> dict[str, Any]:
    """The table with its selector loosened to the subject's tag."""
    key = "css" if "css" in table else "xpath"
    return {**table, key: (loosen_css if key == "css" else loosen_xpath)(table[key])}


def selector_of(table: Mapping[str, Any]) -> dict[str, str]:
    """Just the `css` or `xpath` entry of a rule table."""
    return {k: table[k] for k in ("css", "xpath") if k in table}


# ---- mutants --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """A one-change edit of a layout file."""

    id: str
    description: str
    text: str


Edit = tuple[str, tuple[str, ...], Any]  # description, keys inside the version table, new value (None: delete)


def _edits(version: Mapping[str, Any]) -> Iterator[Edit]:
    """Every one-change mutation of one version table."""
    regions = {k: v for k, v in version.get("boilerplate", {}).items() if isinstance(v, dict)}
    fields = version.get("fields", {})
    for name, region in regions.items():
        where = ("boilerplate", name)
        yield f"delete region {name}", where, None
        if not selector_of(region):
            continue  # an `extends` override of other keys only
        how, tight = tightened(region)
        yield f"tighten region {name}: {how}", where, tight
        loose = loosened(region)
        if loose != region:
            yield f"loosen region {name} to {next(iter(selector_of(loose).values()))}", where, loose
    body = fields.get("body", {})
    for key, what in (("blocks", "block rule"), ("exclude", "exclude rule"), ("drop_text", "drop_text")):
        rules = body.get(key, [])
        for index, rule in enumerate(rules):
            shown = rule if isinstance(rule, str) else rule.get("kind", next(iter(selector_of(rule).values()), ""))
            yield f"drop {what} {index} ({shown})", ("fields", "body", key), rules[:index] + rules[index + 1 :]
    for name, rule in fields.items():
        targets = []
        if name == "body":
            targets = [("body", {"css": "body"})]
            targets += [(f"region {first}", selector_of(regions[first])) for first in list(regions)[:1]]
        elif WRONG_FIELD.get(name) in fields and selector_of(fields[WRONG_FIELD[name]]):
            targets = [(WRONG_FIELD[name], selector_of(fields[WRONG_FIELD[name]]))]
        for label, selector in targets:
            pointed = {k: v for k, v in rule.items() if k not in ("css", "xpath")} | selector
            yield f"point field {name} at {label}'s selector", ("fields", name), pointed


def generate_mutants(text: str) -> list[Mutant]:
    """Every one-change mutant of a layout's TOML text (not yet validated)."""
    raw = tomllib.loads(text)
    mutants: list[Mutant] = []
    for index, version in enumerate(raw.get("versions", [])):
        prefix = f"{version.get('name', index)}: " if len(raw["versions"]) > 1 else ""
        for description, keys, value in _edits(version):
            copy = tomllib.loads(text)  # a fresh deep copy to edit
            table = copy["versions"][index]
            for key in keys[:-1]:
                table = table[key]
            if value is None:
                del table[keys[-1]]
            else:
                table[keys[-1]] = value
            mutants.append(Mutant(f"m{len(mutants) + 1:02d}", prefix + description, dump_toml(copy)))
    return mutants


def layout_from_text(name: str, text: str, workdir: Path) -> Layout:
    """The layout in `text`, validated by `load_layout` (from `workdir/<name>.toml`, as it names itself)."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return load_layout(path)


def valid_mutants(name: str, mutants: Sequence[Mutant], workdir: Path) -> tuple[list[Mutant], list[tuple[Mutant, str]]]:
    """The mutants `load_layout` accepts, and the rejected ones with the reason."""
    accepted, rejected = [], []
    for mutant in mutants:
        try:
            layout_from_text(name, mutant.text, workdir)
        except TemplateGuardError as error:
            rejected.append((mutant, str(error).replace(f"{workdir / name}.toml: ", "")))
        else:
            accepted.append(mutant)
    return accepted, rejected


def signature(layout: Layout, pages: Sequence[Path]) -> tuple[object, ...]:
    """What the layout extracts from each page: the article and the problems, or the error."""
    layouts = LayoutSet((layout,))
    out: list[object] = []
    for page in pages:
        try:
            extraction = run_page(page, layouts=layouts, layout=layout.name)
            out.append((extraction.article, extraction.problems))
        except TemplateGuardError as error:
            out.append(str(error))
    return tuple(out)
