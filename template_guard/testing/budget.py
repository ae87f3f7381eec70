"""Property budgets per layout version: a few representative pages get the full profile, the rest a small one.

Pages of one layout version share its selectors, so a full search on every one of them mostly repeats
itself: the suite's cost would grow with pages, not with versions. Each version's representatives are
chosen by rotation from a seed (by default today's UTC date), so a daily CI run gives the full budget to
another page of the version each day and the coverage accumulates. Snapshots run on every page regardless.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

from template_guard.engine.parse import parse_html
from template_guard.engine.routing import LayoutSet, layout_for_page
from template_guard.engine.variants import choose_version
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import Page, PageMeta, read_page, sidecar_path

__all__ = ["ALL", "Budget", "default_seed", "plan_budgets"]

ALL = -1
"""`representatives` value giving every page the full budget."""

Tier = Literal["full", "small"]


@dataclass(frozen=True)
class Budget:
    """The property budget of one page: `full` (the active profile) or `small`, and the version it stands for."""

    tier: Tier
    version: str  # "<layout>@<version>", or "?" when the page cannot be routed (its tests say why)


def default_seed(today: dt.date | None = None) -> int:
    """The rotation seed: the UTC day number, so each day's run picks the next representatives."""
    return (today or dt.datetime.now(dt.UTC).date()).toordinal()


def page_version(path: Path, layouts: LayoutSet) -> str:
    """`<layout>@<version>` of a captured page, from its directory, URL and capture date, and from its markup
    only when the layout has a variant chosen by a page test (a variant has selectors of its own)."""
    try:
        sidecar = sidecar_path(path)
        meta = PageMeta.from_json(json.loads(sidecar.read_text(encoding="utf-8")), sidecar) if sidecar.is_file() else PageMeta()
        layout = layout_for_page(Page(b"", meta, path), layouts)
        if not layout.variants:
            return f"{layout.name}@{layout.version_for(meta.capture_date).name}"
        tested = any(variant.when is not None for variant in layout.variants)
        root = parse_html(read_page(path).content, meta.charset).root if tested else etree.Element("html")
        return f"{layout.name}@{choose_version(layout, meta.capture_date, meta.url, root).version.name}"
    except (TemplateGuardError, OSError, ValueError):
        return "?"  # the page's own tests report what is wrong with it


def plan_budgets(pages: Iterable[tuple[str, str]], *, seed: int, representatives: int = 1) -> dict[str, Budget]:
    """The budget of every page, given `(page id, version)` pairs.

    In each version, `representatives` pages (all of them for `ALL`, and always every page of an unknown
    version "?") get the full budget: the window of that many pages, in page-id order, starting at a
    position that moves by one with each seed, offset per version so that versions do not rotate in step.
    """
    by_version: dict[str, list[str]] = defaultdict(list)
    for page_id, version in pages:
        by_version[version].append(page_id)
    plan: dict[str, Budget] = {}
    for version, ids in by_version.items():
        ids.sort()
        count = len(ids) if representatives == ALL or version == "?" else min(max(representatives, 0), len(ids))
        start = (seed + zlib.crc32(version.encode())) % len(ids)
        full = {ids[(start + step) % len(ids)] for step in range(count)}
        plan.update((page_id, Budget("full" if page_id in full else "small", version)) for page_id in ids)
    return plan
