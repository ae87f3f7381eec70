"""Drift diagnostics: selector health per page and per layout, in sentences a maintainer can act on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .extract import Extraction
from .fields import element_text
from .layout import Layout

Status = Literal["ok", "notice", "warning", "error"]

# A body whose block rules keep less than this share of the container's text has probably lost its markup.
MIN_BLOCK_COVERAGE = 0.5


@dataclass(frozen=True)
class SelectorHealth:
    """One selector of one layout version, summed over the pages checked."""

    layout: str
    version: str
    role: str  # "boilerplate", "field" or "block"
    name: str
    selector: str
    pages: int
    pages_matched: int
    status: Status
    message: str


@dataclass(frozen=True)
class Finding:
    """A problem with one page's extraction."""

    page: str
    status: Status
    message: str


def page_findings(extraction: Extraction) -> list[Finding]:
    """Required fields that came out empty, fields that matched more than expected, a body that shrank."""
    page = extraction.source or "<page>"
    findings = [Finding(page, "error", problem) for problem in extraction.problems]
    for match in extraction.fields.values():
        if not match.rule.multiple and match.matched > 1 and len(set(match.values)) == 1 and match.values:
            continue  # repeated copies of one value (e.g. two identical bylines) are not drift
        if not match.rule.multiple and match.matched > 1:
            findings.append(
                Finding(page, "warning", f"field {match.name!r} ({match.rule.selector}) matched {match.matched} elements; the first was used")
            )
    body = extraction.body
    block_chars, container_chars = body.block_chars, body.container_chars
    if body.blocks and container_chars and block_chars / container_chars < MIN_BLOCK_COVERAGE:
        findings.append(
            Finding(
                page,
                "error",
                f"the body blocks hold {block_chars} characters but the body container holds {container_chars}: "
                "the block rules no longer catch most of the body (did its paragraph markup change?)",
            )
        )
    return findings


def selector_health(layout: Layout, extractions: Sequence[Extraction]) -> list[SelectorHealth]:
    """For every selector of every version used by `extractions`: on how many pages it matched."""
    health: list[SelectorHealth] = []
    for version in layout.versions:
        runs = [e for e in extractions if e.layout.name == layout.name and e.version.name == version.name]
        if not runs:
            continue
        total = len(runs)
        for index, region in enumerate(version.boilerplate):
            matched = sum(1 for e in runs if e.removed[index].elements)
            if matched:
                status, message = "ok", f"removed on {matched}/{total} pages"
            elif region.required:
                status, message = "error", f"required region matched nothing on any of {total} pages"
            else:
                status, message = "warning", f"stale rule: matched nothing on any of {total} pages"
            health.append(
                SelectorHealth(layout.name, version.name, "boilerplate", region.name, str(region.selector), total, matched, status, message)
            )
        for name, rule in version.fields.items():
            matched = sum(1 for e in runs if e.fields[name].values)
            extra = sum(1 for e in runs if not rule.multiple and e.fields[name].matched > 1)
            if matched == total:
                status, message = "ok", f"found on {matched}/{total} pages"
            elif rule.required:
                status, message = "error", f"required, but empty on {total - matched}/{total} pages"
            elif matched:
                status, message = "notice", f"found on {matched}/{total} pages"
            else:
                status, message = "warning", f"matched nothing on any of {total} pages"
            if extra and status == "ok":
                status, message = "warning", f"{message}; matched more than one element on {extra} pages"
            health.append(SelectorHealth(layout.name, version.name, "field", name, str(rule.selector), total, matched, status, message))
        container_pages = sum(1 for e in runs if e.body.containers)
        body_status: Status = "ok" if container_pages == total else "error"
        health.append(
            SelectorHealth(
                layout.name, version.name, "field", "body", str(version.body.selector), total, container_pages,
                body_status, f"container found on {container_pages}/{total} pages",
            )
        )
        for index, block_rule in enumerate(version.body.blocks):
            matched = sum(1 for e in runs if e.body.matched_per_rule[index])
            status = "ok" if matched else "warning"
            message = f"blocks on {matched}/{total} pages" if matched else f"stale rule: no block on any of {total} pages"
            health.append(
                SelectorHealth(layout.name, version.name, "block", block_rule.kind, str(block_rule.selector), total, matched, status, message)
            )
    return health


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status."""
    order: tuple[Status, ...] = ("ok", "notice", "warning", "error")
    return max(statuses, key=order.index, default="ok")


def preview(element: object, width: int = 70) -> str:
    """A one-line preview of an element's text."""
    text = element_text(element)  # type: ignore[arg-type]
    return text if len(text) <= width else text[: width - 1] + "…"
