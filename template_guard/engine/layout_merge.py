"""`extends`: a layout version built from an earlier one, overriding it key by key and dropping regions."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from typing import Any

from template_guard.engine.layout import SOURCE_KINDS
from template_guard.errors import LayoutError

Fail = Callable[[str, str, str | None], LayoutError]
_STRUCTURED = ("jsonld", "meta")
_OWN_KEYS = ("name", "valid_from", "valid_until", "extends", "variant")  # a version's own, never inherited


def merge_version(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """An extending version: the parent's regions and fields, overridden key by key by the child's."""
    merged = {k: copy.deepcopy(v) for k, v in parent.items() if k not in _OWN_KEYS}
    for key, value in child.items():
        if key in ("boilerplate", "fields") and isinstance(value, dict) and isinstance(merged.get(key), dict):
            section = merged[key]
            for name, override in value.items():
                base = section.get(name)
                if isinstance(override, dict) and isinstance(base, dict):
                    if any(kind in override for kind in SOURCE_KINDS):
                        # A new source replaces the inherited one, whichever kind it is; a css or xpath
                        # selector keeps the inherited attribute, which a JSON-LD or meta source cannot read.
                        structured = any(kind in override for kind in _STRUCTURED)
                        base = {
                            k: v for k, v in base.items()
                            if k not in SOURCE_KINDS and not (structured and k == "attribute")
                        }
                    section[name] = {**base, **copy.deepcopy(override)}
                else:
                    section[name] = copy.deepcopy(override)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def check_dropped(
    table: Mapping[str, Any], parent: Mapping[str, Any] | None, key: str, name: str | None, fail: Fail
) -> None:
    """`region = false` must name a region the parent version `name` has: a typo would otherwise drop nothing."""
    regions = table.get("boilerplate", {})
    if not isinstance(regions, dict):
        return  # reported with its key when the version is read
    inherited = [r for r, value in (parent or {}).get("boilerplate", {}).items() if value is not False]
    for region, value in regions.items():
        if value is not False or region in inherited:
            continue
        where = f"{key}.boilerplate.{region}"
        if name is None:
            raise fail(where, "`false` drops an inherited region, but this version extends none", None)
        close = difflib.get_close_matches(region, inherited, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "its regions: " + (", ".join(inherited) or "none")
        raise fail(where, f"version {name!r} has no region {region!r} to drop", hint)
