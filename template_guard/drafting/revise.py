"""A new version of an existing layout after a redesign: test the newest version on the new pages and
propose, in a version that `extends` it, only what no longer matches."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from template_guard.drafting.draft import LayoutDraft, draft_layout
from template_guard.drafting.fields import FieldDraft
from template_guard.drafting.pages import DraftPage
from template_guard.drafting.regions import RegionDraft
from template_guard.drafting.toml_writer import toml_string, version_tables
from template_guard.engine.blocks import solid_length
from template_guard.engine.boilerplate import strip_boilerplate
from template_guard.engine.fields import read_body, read_fields
from template_guard.engine.layout import Layout, LayoutVersion
from template_guard.engine.selectors import Selector
from template_guard.errors import DraftError

# The old body still fits a new page when its blocks hold this share of the prose the draft finds there.
MIN_BODY_SHARE = 0.7
_VERSIONS_HEADER = re.compile(r"^\s*\[\[\s*versions\s*\]\]\s*(?:#.*)?$", re.MULTILINE)
_VALID_FROM = re.compile(r"^\s*valid_from\s*=.*$", re.MULTILINE)


@dataclass(frozen=True)
class Revision:
    """The appended version, the whole new file text, and what was kept and what changed."""

    version_text: str
    layout_text: str
    kept: tuple[str, ...]
    changed: tuple[str, ...]
    draft: LayoutDraft  # with the proposed regions and fields only


@dataclass(frozen=True)
class _OldFit:
    """How the old version fares on the new pages."""

    region_pages: dict[str, int]
    field_pages: dict[str, int]
    body_ok: bool


def revise_layout(layout: Layout, text: str, pages: Sequence[DraftPage], name: str, today: dt.date) -> Revision:
    """Draft version `name` of `layout` (whose file holds `text`) from pages of the new design."""
    old = layout.versions[-1]
    if name in {v.name for v in layout.versions}:
        raise DraftError(f"layout {layout.name} already has a version {name!r}; choose another --version name")
    if old.valid_until is not None:
        raise DraftError(
            f"version {old.name!r} of {layout.name} already ends on {old.valid_until}; edit the file by hand"
        )
    dates = [p.captured for p in pages if p.captured]
    if not dates:
        raise DraftError(
            "the new pages have no capture date: give sidecars with captured_at, or --captured-at per page"
        )
    start = min(dates)
    if start <= old.valid_from:
        raise DraftError(
            f"the new pages were captured on {start}, not after version {old.name!r} starts ({old.valid_from})"
        )
    draft = draft_layout(pages, layout.name)
    fit = _old_fit(old, pages, draft)
    dropped = [r.name for r in old.boilerplate if not fit.region_pages[r.name]]
    old_css = {r.selector.expression for r in old.boilerplate}
    live = {r.name for r in old.boilerplate} - set(dropped)
    # A region proposed: one of the same kind as a region that no longer matches (it moved), or new
    # chrome the old version would let into the body.
    regions = [
        RegionDraft(**{**r.__dict__, "name": f"{r.name}-new" if r.name in live else r.name})
        for r in draft.regions
        if r.expression not in old_css
        and (r.name in dropped and _holds_no_field(r, old, pages) or _leaks_into_body(r, old, pages))
    ]
    replaced = {r.name for r in regions}
    dropped = [n for n in dropped if n not in replaced]
    fields = [f for f in draft.fields if _field_changed(f, old, fit, len(pages))]
    body = None if fit.body_ok else draft.body
    changed = [f"region {n}: matches nothing on the new pages, dropped" for n in dropped]
    changed += [f"region {r.name}: {r.expression}" for r in regions]
    changed += [f"field {f.name}: {f.expression}" for f in fields]
    changed += [f"body: {draft.body.css}"] if body else []
    kept = [f"region {r.name}" for r in old.boilerplate if r.name not in dropped and r.name not in replaced]
    kept += [f"field {n}" for n in old.fields if n not in {f.name for f in fields}]
    kept += [] if body else ["body"]
    lines = [
        "",
        f"# ---- version {name}: drafted by `template-guard init --version` on {today} from {len(pages)} pages:",
        *[f"#   {source}" for source in draft.sources],
        f"# kept from {old.name}: " + (", ".join(kept) or "nothing"),
        "[[versions]]",
        f"name = {toml_string(name)}",
        f"extends = {toml_string(old.name)}",
        f"valid_from = {start}",
        *version_tables(regions, fields, body, dropped),
    ]
    version_text = "\n".join(lines) + "\n"
    proposed = replace(draft, regions=tuple(regions), fields=tuple(fields))
    return Revision(version_text, _end_version(text, start) + version_text, tuple(kept), tuple(changed), proposed)


def _old_fit(old: LayoutVersion, pages: Sequence[DraftPage], draft: LayoutDraft) -> _OldFit:
    region_pages = {r.name: 0 for r in old.boilerplate}
    field_pages = {n: 0 for n in old.fields}
    body_ok = True
    for index, page in enumerate(pages):
        root = copy.deepcopy(page.root)
        for removed in strip_boilerplate(root, old):
            region_pages[removed.name] += bool(removed.elements)
        for field_name, match in read_fields(root, old).items():
            field_pages[field_name] += bool(match.values)
        body = read_body(root, old.body)
        chars = sum(solid_length(b.text) for b in body.blocks)
        body_ok = body_ok and bool(body.blocks) and chars >= MIN_BODY_SHARE * draft.body.prose[index]
    return _OldFit(region_pages, field_pages, body_ok)


def _leaks_into_body(region: RegionDraft, old: LayoutVersion, pages: Sequence[DraftPage]) -> bool:
    """Whether the drafted region is chrome the old version would let into the body (and holds no field)."""
    if not _holds_no_field(region, old, pages):
        return False
    selector = Selector.compile(region.kind, region.expression)
    for page in pages:
        covered = {e for r in old.boilerplate for m in r.selector.select(page.root) for e in m.iter()}
        bodies = set(old.body.selector.select(page.root))
        if any(m not in covered and any(a in bodies for a in m.iterancestors()) for m in selector.select(page.root)):
            return True
    return False


def _holds_no_field(region: RegionDraft, old: LayoutVersion, pages: Sequence[DraftPage]) -> bool:
    """Whether removing the region leaves every element the old fields read."""
    selector = Selector.compile(region.kind, region.expression)
    for page in pages:
        read = {e for rule in old.fields.values() for e in rule.selector.select(page.root)}
        if any(e in read for m in selector.select(page.root) for e in m.iter()):
            return False
    return True


def _field_changed(field: FieldDraft, old: LayoutVersion, fit: _OldFit, pages: int) -> bool:
    """A field is proposed when the old version lacks it, or its old rule came out empty on a new page."""
    if field.name not in old.fields:
        return field.confidence == "high"
    rule = old.fields[field.name]
    return fit.field_pages[field.name] < pages if rule.required else fit.field_pages[field.name] == 0


def _end_version(text: str, day: dt.date) -> str:
    """The layout text with `valid_until = day` added to its last version."""
    headers = list(_VERSIONS_HEADER.finditer(text))
    if not headers:
        raise DraftError("cannot find the last [[versions]] table in the layout file")
    start = _VALID_FROM.search(text, headers[-1].end())
    if start is None:
        raise DraftError("cannot find valid_from in the last version of the layout file")
    body = text if text.endswith("\n") else text + "\n"
    return (
        body[: start.end()]
        + f"\nvalid_until = {day}   # added by `template-guard init --version`"
        + body[start.end() :]
    )
