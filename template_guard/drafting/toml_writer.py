"""Write a drafted layout as a commented TOML file that `load_layout` accepts as it is."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence

from template_guard.drafting.body import BodyDraft
from template_guard.drafting.draft import LayoutDraft
from template_guard.drafting.fields import FieldDraft
from template_guard.drafting.regions import RegionDraft

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_CONFIDENCE = (
    "# Confidence, in each table's comment: high = the selector fits every page and names stable things;\n"
    "# medium = it fits every page but may break (hashed class names, bare tags); low = it fits some pages only."
)


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, except that TOML also forbids a raw DEL)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def _regex_string(value: str) -> str:
    """A regular expression as a literal string when it can be one: no doubled backslashes to read."""
    if "'" not in value and "\n" not in value and value.isprintable():
        return f"'{value}'"
    return toml_string(value)


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else toml_string(name)


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def render_layout(draft: LayoutDraft, today: dt.date) -> str:
    """The whole layout file: header comment, identity, then one version."""
    lines = [f"# Drafted by `template-guard init` on {today} from {len(draft.sources)} pages:"]
    lines += [f"#   {source}" for source in draft.sources]
    lines += [_CONFIDENCE]
    lines += [_comment(note) for note in draft.notes]
    lines += [
        "# Review every table, then run `template-guard check` and `pytest --snapshot-update`.",
        "",
        f"name = {toml_string(draft.name)}",
        f"description = {toml_string(f'{draft.domains[0]} article pages (drafted from {len(draft.sources)} pages)')}",
        f"domains = [{', '.join(toml_string(d) for d in draft.domains)}]",
    ]
    if draft.url_patterns:
        lines.append(f"url_patterns = [{', '.join(toml_string(p) for p in draft.url_patterns)}]")
    elif draft.suggested_pattern:
        lines.append(
            f"# url_patterns = [{toml_string(draft.suggested_pattern)}]   # every page is in this section; "
            "uncomment if only it uses this design"
        )
    else:
        lines.append("# url_patterns: the pages share no first path segment, so every URL of the domain is served")
    lines += [
        "",
        "[[versions]]",
        f"name = {toml_string(draft.version)}",
        f"valid_from = {draft.valid_from}",
        *version_tables(draft.regions, draft.fields, draft.body),
    ]
    return "\n".join(lines) + "\n"


def version_tables(
    regions: Sequence[RegionDraft], fields: Sequence[FieldDraft], body: BodyDraft | None, dropped: Sequence[str] = ()
) -> list[str]:
    """The tables of one version: dropped regions, regions, fields, then the body (when given)."""
    lines: list[str] = []
    if dropped:
        lines += ["", "[versions.boilerplate]"]
        lines += [f"{_key(name)} = false   # matches nothing on the new pages" for name in dropped]
    if regions:
        lines += ["", "# ---- chrome " + "-" * 80]
    for region in regions:
        lines += ["", f"[versions.boilerplate.{_key(region.name)}]", *_region_comments(region)]
        lines.append(f"{region.kind} = {toml_string(region.expression)}")
        if region.items:
            lines.append(f"items = {toml_string(region.items)}")
        if region.placement != "page":
            lines.append(f"placement = {toml_string(region.placement)}")
    if fields or body:
        lines += ["", "# ---- the article " + "-" * 74]
    for field in fields:
        lines += [
            "",
            f"[versions.fields.{field.name}]",
            _comment(f"{field.confidence} confidence: " + "; ".join(field.notes)),
        ]
        lines.append(f"{field.kind} = {toml_string(field.expression)}")
        if field.attribute:
            lines.append(f"attribute = {toml_string(field.attribute)}")
        if field.multiple:
            lines.append("multiple = true")
        if field.split:
            lines.append(f"split = {toml_string(field.split)}")
    if body:
        lines += ["", *_body_table(body)]
    return lines


def _region_comments(region: RegionDraft) -> list[str]:
    if region.placement == "inline":
        what = f"a box inside the body container on {region.present} of {region.pages} pages"
    elif region.verbatim:
        what = f"repeats verbatim on {region.present} of {region.pages} pages"
    elif region.present > 1:
        what = f"same place on {region.present} of {region.pages} pages, different content"
    else:
        what = f"seen on {region.present} of {region.pages} pages"
    lines = [_comment(f"{what}: {region.preview!r}")]
    if region.present < region.pages:
        lines.append(f"# optional: absent on {region.pages - region.present} of {region.pages} pages")
    if region.hashed:
        lines.append("# hashed class name: the only selector found; check it after the next deploy")
    return lines


def _body_table(body: BodyDraft) -> list[str]:
    pages = len(body.containers)
    lines = [
        "[versions.fields.body]",
        _comment(
            f"{'high' if body.fits == pages and not body.hashed else 'low'} confidence: the container of the "
            f"prose on {body.fits} of {pages} pages; " + "; ".join(body.notes)
        ),
    ]
    if body.hashed:
        lines.append("# hashed class name: the only selector found; check it after the next deploy")
    lines.append(f"css = {toml_string(body.css)}")
    lines.append("blocks = [")
    lines += [f"  {{ kind = {toml_string(kind)}, css = {toml_string(css)} }}," for kind, css in body.blocks]
    lines.append("]")
    lines.append("exclude = [" + ", ".join(f"{{ css = {toml_string(css)} }}" for css in body.exclude) + "]")
    if body.drop_text:
        lines.append("# texts found verbatim in the body of two or more pages: plugs and credits, not the article")
        lines.append("drop_text = [")
        lines += [f"  {_regex_string(pattern)}," for pattern in body.drop_text]
        lines.append("]")
    return lines
