"""Drift diagnostics: selector health per page and per layout, in sentences a maintainer can act on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from template_guard.engine.article import clip
from template_guard.engine.blocks import element_text, solid_length
from template_guard.engine.boilerplate import remove_keeping_tail, strip_boilerplate, strip_noise
from template_guard.engine.layout import Layout, LayoutVersion
from template_guard.engine.parse import parse_again
from template_guard.engine.pipeline import Extraction
from template_guard.engine.problems import Problem, ProblemKind, render
from template_guard.engine.visible import visible_lines
from template_guard.errors import TemplateGuardError

Status = Literal["ok", "notice", "warning", "error"]

# A body whose block rules keep less than this share of the container's text has probably lost its markup.
MIN_BLOCK_COVERAGE = 0.5
# A visible line of at least this many words reads as article prose rather than chrome (menus, headlines).
PROSE_MIN_WORDS = 20
# Below this much prose outside the body, a short body is not worth a report.
MIN_PROSE_OUTSIDE_CHARS = 200
# The body should hold most of a page's prose: on the fundus-eval pages (16 publishers) the prose left
# outside it (captions, teasers) is at most 0.28 of the body; above this share the body has lost text.
MAX_PROSE_OUTSIDE_SHARE = 0.5


@dataclass(frozen=True)
class SelectorHealth:
    """One selector of one layout version, summed over the pages checked."""

    layout: str
    version: str
    role: str  # "boilerplate", "field", "block" or "exclude"
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
    """Why a page no longer fits its layout: empty required fields, fields matching too much, a short body.

    The body is judged twice: against its own container (block rules that miss text) and against the
    page's visible text (article prose left outside the body container).
    """
    page = extraction.source or "<page>"
    findings = [Finding(page, "error", render(issue) + _advice(issue, extraction)) for issue in extraction.issues]
    for match in extraction.fields.values():
        # Repeated copies of one value (e.g. the same byline twice) are not drift; different values are.
        if not match.rule.multiple and match.distinct > 1:
            findings.append(
                Finding(
                    page,
                    "warning",
                    f"field {match.name!r} ({match.rule.described}) matched {match.matched} elements with "
                    f"{match.distinct} different values; the first was used",
                )
            )
    body = extraction.body
    block_chars, container_chars = body.block_chars, body.container_chars
    if body.blocks and container_chars and block_chars / container_chars < MIN_BLOCK_COVERAGE:
        findings.append(
            Finding(
                page,
                "error",
                f"the body blocks hold {block_chars} characters but the body container holds {container_chars}: "
                "the block rules no longer catch most of the body (did its paragraph markup change?); "
                f"fix {_key(extraction, 'fields.body.blocks')}",
            )
        )
    if (finding := _prose_outside_body(extraction)) is not None:
        findings.append(finding)
    return findings


def _key(extraction: Extraction, path: str) -> str:
    """Where a rule of the extraction's version lives: `versions[0].fields.title in almayadeen-english.toml`."""
    return f"versions[{_version_index(extraction.layout, extraction.version)}].{path} in {extraction.layout.source.name}"


def _version_index(layout: Layout, version: LayoutVersion) -> int:
    return next(index for index, candidate in enumerate(layout.versions) if candidate.name == version.name)


def _advice(problem: Problem, extraction: Extraction) -> str:
    """What to edit for a problem the extraction reported: the rule at the problem's key."""
    fix = f"fix {_key(extraction, problem.key)}"
    if problem.kind is ProblemKind.REGION_MISSING:
        return f": the page no longer has this chrome; {fix}, or set required = false there if the region is not on every page"
    if problem.kind is ProblemKind.BAD_DATE:
        return f"; {fix}"
    return f"; {fix}, or add a layout version if the site was redesigned"


def _prose_outside_body(extraction: Extraction) -> Finding | None:
    """An error when much article-like prose is visible outside the body: more than half as much as inside it.

    The page is parsed again from its decoded text, stripped of noise, boilerplate and the body
    containers; what remains visible should be short chrome, the title and the byline.
    """
    page = extraction.source or "<page>"
    try:
        root = parse_again(extraction.parsed, source=extraction.source).root
    except TemplateGuardError:  # the page parsed once already; nothing more to say if it cannot again
        return None
    strip_noise(root)
    strip_boilerplate(root, extraction.version)
    for container in extraction.version.body.selector.select(root):
        remove_keeping_tail(container)
    known = {value for match in extraction.fields.values() for value in match.values}
    prose = [
        line for line in visible_lines(root) if len(line.split()) >= PROSE_MIN_WORDS and line not in known
    ]
    outside = sum(solid_length(line) for line in prose)
    inside = extraction.body.block_chars
    if outside < MIN_PROSE_OUTSIDE_CHARS or outside <= MAX_PROSE_OUTSIDE_SHARE * inside:
        return None
    example = clip(prose[0], 70)
    return Finding(
        page,
        "error",
        f"the body holds {inside} characters, but {len(prose)} passage(s) of prose ({outside} characters) are "
        f"visible outside the body and every boilerplate region, e.g. {example!r}: the body selector "
        f"({extraction.version.body.selector}) no longer covers the article; fix {_key(extraction, 'fields.body')}, "
        "or declare that text as a boilerplate region if it is chrome",
    )



@dataclass(frozen=True)
class SelectorUse:
    """What the selectors of one extraction matched, as counts: what `selector_health` needs, without the page's
    tree, so a check of many pages need not keep them all."""

    layout: str
    version: str
    regions: tuple[bool, ...]  # per boilerplate region: whether it removed anything
    values: Mapping[str, int]  # per field: how many values it kept …
    distinct: Mapping[str, int]  # … and how many different ones it found
    containers: int
    matched_per_rule: tuple[int, ...]
    excluded_per_rule: tuple[int, ...]

    @classmethod
    def of(cls, extraction: Extraction) -> SelectorUse:
        """The counts of one extraction."""
        fields = extraction.fields
        return cls(
            extraction.layout.name,
            extraction.version.name,
            tuple(bool(region.elements) for region in extraction.removed),
            {name: len(match.values) for name, match in fields.items()},
            {name: match.distinct for name, match in fields.items()},
            extraction.body.containers,
            extraction.body.matched_per_rule,
            extraction.body.excluded_per_rule,
        )


def selector_health(layout: Layout, extractions: Sequence[Extraction | SelectorUse]) -> list[SelectorHealth]:
    """For every selector of every version used by `extractions`: on how many pages it matched.

    Boilerplate regions and fields that matched nothing on any page are errors (the rule is stale or
    the site changed); block and exclude rules that never matched, and optional regions that never did,
    are "untested" notices (a kind of block, e.g. a tweet, may simply be rare).
    """
    uses = [e if isinstance(e, SelectorUse) else SelectorUse.of(e) for e in extractions]
    health: list[SelectorHealth] = []
    for index, version in enumerate(layout.versions):
        runs = [use for use in uses if use.layout == layout.name and use.version == version.name]
        if runs:
            health.extend(_version_health(layout, index, version, runs))
    return health


def _version_health(layout: Layout, index: int, version: LayoutVersion, runs: list[SelectorUse]) -> list[SelectorHealth]:
    total = len(runs)
    where = f"versions[{index}]"
    file = layout.source.name
    health: list[SelectorHealth] = []

    def row(role: str, name: str, selector: str, matched: int, status: Status, message: str) -> None:
        health.append(SelectorHealth(layout.name, version.name, role, name, selector, total, matched, status, message))

    for position, region in enumerate(version.boilerplate):
        matched = sum(1 for use in runs if use.regions[position])
        key = f"{where}.boilerplate.{region.name}"
        if matched:
            row("boilerplate", region.name, str(region.selector), matched, "ok", f"removed on {matched}/{total} pages")
        elif region.required:
            row(
                "boilerplate", region.name, str(region.selector), 0, "error",
                f"required region matched nothing {_on_no_page(total)}; fix the selector of {key} in {file}",
            )
        elif region.optional:
            row(
                "boilerplate", region.name, str(region.selector), 0, "notice",
                f"untested: optional region: matched nothing {_on_no_page(total)} (it is on some pages only)",
            )
        else:
            row(
                "boilerplate", region.name, str(region.selector), 0, "error",
                f"stale rule: matched nothing {_on_no_page(total)}; fix the selector of {key} in {file}, "
                "or delete the region if the site dropped it, or set optional = true if only some pages have it",
            )
    for name, rule in version.fields.items():
        matched = sum(1 for use in runs if use.values[name])
        extra = sum(1 for use in runs if not rule.multiple and use.distinct[name] > 1)
        key = f"{where}.fields.{name}"
        status: Status
        if matched == total:
            status, message = "ok", f"found on {matched}/{total} pages"
        elif rule.required:
            status, message = "error", f"required, but empty on {total - matched}/{total} pages; fix the selector of {key} in {file}"
        elif matched:
            status, message = "notice", f"found on {matched}/{total} pages"
        else:
            status, message = "error", f"found no value {_on_no_page(total)}; fix the selector of {key} in {file}, or delete the field"
        if extra and status == "ok":
            status, message = "warning", f"{message}; different values on {extra} pages, the first was used"
        row("field", name, rule.described, matched, status, message)
    container_pages = sum(1 for use in runs if use.containers)
    if container_pages == total:
        row("field", "body", str(version.body.selector), container_pages, "ok", f"container found on {container_pages}/{total} pages")
    else:
        row(
            "field", "body", str(version.body.selector), container_pages, "error",
            f"container found on {container_pages}/{total} pages; fix the selector of {where}.fields.body in {file}",
        )
    for position, block_rule in enumerate(version.body.blocks):
        matched = sum(1 for use in runs if use.matched_per_rule[position])
        if matched:
            row("block", block_rule.kind, str(block_rule.selector), matched, "ok", f"blocks on {matched}/{total} pages")
        else:
            row(
                "block", block_rule.kind, str(block_rule.selector), 0, "notice",
                f"untested: no block {_on_no_page(total)}: a rare kind of block, or a stale rule "
                f"({where}.fields.body.blocks[{position}] in {file})",
            )
    for position, exclude in enumerate(version.body.exclude):
        # Pages extracted before the count existed (or built by hand) carry none: nothing to say then.
        counts = [use.excluded_per_rule[position] for use in runs if len(use.excluded_per_rule) > position]
        matched = sum(1 for count in counts if count)
        if matched:
            row("exclude", f"exclude[{position}]", str(exclude), matched, "ok", f"excluded on {matched}/{total} pages")
        elif counts:
            row(
                "exclude", f"exclude[{position}]", str(exclude), 0, "notice",
                f"untested: matched nothing {_on_no_page(total)}, so no page shows what it keeps out "
                f"({where}.fields.body.exclude[{position}] in {file})",
            )
    return health


def _on_no_page(total: int) -> str:
    return "on the 1 page checked" if total == 1 else f"on any of the {total} pages checked"


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status."""
    order: tuple[Status, ...] = ("ok", "notice", "warning", "error")
    return max(statuses, key=order.index, default="ok")


def preview(element: etree._Element, width: int = 70) -> str:
    """A one-line preview of an element's text."""
    return clip(element_text(element), width)
