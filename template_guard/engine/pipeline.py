"""The extraction pipeline: page → parse → layout choice → boilerplate removal → fields → article."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

from template_guard.engine.article import Article
from template_guard.engine.boilerplate import RemovedRegion, strip_boilerplate, strip_noise
from template_guard.engine.fields import BodyMatch, FieldMatch, jsonld_documents, read_body, read_fields, reads_jsonld
from template_guard.engine.layout import Layout, LayoutVersion
from template_guard.engine.parse import Decoded, ParsedPage, parse_html
from template_guard.engine.problems import Problem, render
from template_guard.engine.routing import PACKAGED_LAYOUTS, LayoutSet, layout_for_page, load_layouts
from template_guard.engine.variants import choose_version
from template_guard.errors import ExtractionError, NoLayoutError, UnknownOptionError
from template_guard.store.pages import Page, read_page, utc_day


@dataclass(frozen=True)
class Extraction:
    """Everything one extraction saw: the article plus what each selector matched, for reports."""

    article: Article
    layout: Layout
    version: LayoutVersion
    removed: tuple[RemovedRegion, ...]
    fields: Mapping[str, FieldMatch]
    body: BodyMatch
    parsed: ParsedPage = field(repr=False, compare=False)
    source: str | None
    issues: tuple[Problem, ...]
    chosen_because: str = ""  # of a layout with variants: which variant the page took, and why

    @property
    def decoded(self) -> Decoded:
        """How the page's bytes were decoded, and its text (decoded on first use)."""
        return self.parsed.decoded

    @property
    def problems(self) -> tuple[str, ...]:
        """The issues as sentences, for messages and reports."""
        return tuple(render(issue) for issue in self.issues)

    @property
    def ok(self) -> bool:
        """Whether every required field and region was found."""
        return not self.issues


class PageOptions(TypedDict, total=False):
    """How to extract a captured page; each option overrides what the page's sidecar says."""

    layouts: LayoutSet | None  # the layouts to choose from (default: the packaged ones)
    layout: str | None  # the layout to use (default: the one serving the URL)
    url: str | None  # the page's URL, which picks the layout
    captured_at: dt.datetime | dt.date | None  # the capture date, which picks the layout version


class RunOptions(PageOptions, total=False):
    """How to extract page bytes: the page options, plus what a sidecar would say about the bytes."""

    http_charset: str | None  # the charset the server declared
    source: str | None  # where the bytes came from, for messages


def run(content: bytes, **options: Unpack[RunOptions]) -> Extraction:
    """Extract a page and keep the trace; required fields that came out empty are listed in `problems`.

    The layout is `layout` if given, else the one serving `url`, else the one serving the URL the
    page declares (`<link rel="canonical">` or `og:url`). The capture date picks the version.
    """
    _known_options(options, RunOptions)
    layouts, source = options.get("layouts"), options.get("source")
    layout, url, captured_at = options.get("layout"), options.get("url"), options.get("captured_at")
    http_charset = options.get("http_charset")
    layouts = layouts if layouts is not None else default_layouts()
    parsed = parse_html(content, http_charset, source=source)
    try:
        chosen = layouts.choose(name=layout, url=url or parsed.declared_url)
    except NoLayoutError as error:
        raise NoLayoutError(f"{source}: {error}" if source else str(error)) from None
    day = utc_day(captured_at) if isinstance(captured_at, dt.datetime) else captured_at  # the UTC day picks it
    root = parsed.root
    choice = choose_version(chosen, day, url or parsed.declared_url, root)
    version = choice.version
    # JSON-LD lives in <script>, which noise stripping removes: read it first, and only when a field asks.
    documents = jsonld_documents(root) if reads_jsonld(version) else ()
    strip_noise(root)
    removed = strip_boilerplate(root, version)
    fields = read_fields(root, version, documents)
    body = read_body(root, version.body)

    problems = _problems(version, removed, fields, body)
    values = {name: match.values for name, match in fields.items()}
    article = Article.from_values(values, body.blocks, layout=chosen.name, version=version.name)
    return Extraction(article, chosen, version, removed, fields, body, parsed, source, problems, choice.reason)


def _problems(
    version: LayoutVersion, removed: tuple[RemovedRegion, ...], fields: Mapping[str, FieldMatch], body: BodyMatch
) -> tuple[Problem, ...]:
    """Required regions and fields that came out empty, and values a field rule could not read."""
    problems = [
        Problem.region_missing(region.name, str(rule.selector))
        for region, rule in zip(removed, version.boilerplate, strict=True)
        if rule.required and not region.elements
    ]
    for match in fields.values():
        problems.extend(match.problems)
        if match.rule.required and not match.values:
            problems.append(Problem.field_empty(match.name, match.rule.described, match.matched))
    if version.body.required and not body.blocks:
        if not body.containers:
            problems.append(Problem.field_empty("body", str(version.body.selector), 0))
        else:
            problems.append(Problem.body_without_blocks(body.containers))
    return tuple(problems)


def extract(content: bytes, **options: Unpack[RunOptions]) -> Article:
    """Extract the article from page bytes; `ExtractionError` when a required field came out empty."""
    return checked(run(content, **options)).article


def run_page(page: Page | Path | str, **options: Unpack[PageOptions]) -> Extraction:
    """`run` on a captured page, using its sidecar metadata unless overridden."""
    _known_options(options, PageOptions)
    if not isinstance(page, Page):
        page = read_page(page)
    return run(
        page.content,
        url=options.get("url") or page.meta.url,
        captured_at=options.get("captured_at") or page.meta.captured_at,
        layout=options.get("layout"),
        layouts=options.get("layouts"),
        http_charset=page.meta.charset,
        source=str(page.path) if page.path else None,
    )


def run_captured(page: Page, layouts: LayoutSet) -> Extraction:
    """`run_page` with the layout the page is filed under (its directory, checked against its URL), as `check`
    and the pytest plugin extract captured pages."""
    return run_page(page, layouts=layouts, layout=layout_for_page(page, layouts).name)


def extract_page(page: Page | Path | str, **options: Unpack[PageOptions]) -> Article:
    """The article of a captured page; `ExtractionError` when a required field came out empty."""
    return checked(run_page(page, **options)).article


def _known_options(options: Mapping[str, object], kind: type[PageOptions]) -> None:
    """Reject a misspelt option as Python rejects an unknown keyword argument (the type checker would too)."""
    unknown = sorted(set(options) - set(kind.__annotations__))  # a TypedDict's annotations include inherited keys
    if unknown:
        raise UnknownOptionError(f"unexpected keyword argument(s): {', '.join(unknown)}")


def checked(extraction: Extraction) -> Extraction:
    """`extraction` itself, or `ExtractionError` listing its problems."""
    if extraction.problems:
        raise ExtractionError(
            extraction.source, extraction.layout.name, extraction.version.name, list(extraction.problems)
        )
    return extraction


def default_layouts() -> LayoutSet:
    """The packaged layouts, reloaded only when one of their files changed."""
    signature = tuple((path.name, path.stat().st_mtime_ns) for path in sorted(PACKAGED_LAYOUTS.glob("*.toml")))
    return _packaged_layouts(signature)


@functools.lru_cache(maxsize=1)
def _packaged_layouts(signature: tuple[tuple[str, int], ...]) -> LayoutSet:
    # `signature` (file names and modification times) is the cache key: an edited layout is loaded afresh.
    return load_layouts()
