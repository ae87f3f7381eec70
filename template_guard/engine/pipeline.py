"""The extraction pipeline: page → parse → layout choice → boilerplate removal → fields → article."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from template_guard.engine.article import Article
from template_guard.engine.boilerplate import RemovedRegion, strip_boilerplate, strip_noise
from template_guard.engine.fields import BodyMatch, FieldMatch, read_body, read_fields
from template_guard.engine.layout import Layout, LayoutVersion
from template_guard.engine.parse import Decoded, parse_html
from template_guard.engine.routing import PACKAGED_LAYOUTS, LayoutSet, load_layouts
from template_guard.errors import ExtractionError, NoLayoutError
from template_guard.store.pages import Page, read_page


@dataclass(frozen=True)
class Extraction:
    """Everything one extraction saw: the article plus what each selector matched, for reports."""

    article: Article
    layout: Layout
    version: LayoutVersion
    removed: tuple[RemovedRegion, ...]
    fields: Mapping[str, FieldMatch]
    body: BodyMatch
    decoded: Decoded
    source: str | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether every required field and region was found."""
        return not self.problems


def run(
    content: bytes,
    *,
    url: str | None = None,
    captured_at: dt.datetime | dt.date | None = None,
    layout: str | None = None,
    layouts: LayoutSet | None = None,
    http_charset: str | None = None,
    source: str | None = None,
) -> Extraction:
    """Extract a page and keep the trace; required fields that came out empty are listed in `problems`.

    The layout is `layout` if given, else the one serving `url`, else the one serving the URL the
    page declares (`<link rel="canonical">` or `og:url`). The capture date picks the version.
    """
    layouts = layouts if layouts is not None else default_layouts()
    parsed = parse_html(content, http_charset, source=source)
    try:
        chosen = layouts.choose(name=layout, url=url or parsed.declared_url)
    except NoLayoutError as error:
        raise NoLayoutError(f"{source}: {error}" if source else str(error)) from None
    day = captured_at.date() if isinstance(captured_at, dt.datetime) else captured_at
    version = chosen.version_for(day)
    root = parsed.root
    strip_noise(root)
    removed = strip_boilerplate(root, version)
    fields = read_fields(root, version)
    body = read_body(root, version.body)

    problems = [
        f"required boilerplate region {region.name!r} ({rule.selector}) matched nothing"
        for region, rule in zip(removed, version.boilerplate, strict=True)
        if rule.required and not region.elements
    ]
    for match in fields.values():
        problems.extend(f"field {match.name!r}: {problem}" for problem in match.problems)
        if match.rule.required and not match.values:
            what = "matched nothing" if not match.matched else f"matched {match.matched} element(s) with no text"
            problems.append(f"required field {match.name!r} ({match.rule.selector}) {what}")
    if version.body.required and not body.blocks:
        if not body.containers:
            problems.append(f"required field 'body' ({version.body.selector}) matched nothing")
        else:
            problems.append(f"required field 'body' matched {body.containers} container(s) but no block rule matched text")

    def first(name: str) -> str | None:
        match = fields.get(name)
        return match.values[0] if match and match.values else None

    def every(name: str) -> tuple[str, ...]:
        match = fields.get(name)
        return match.values if match else ()

    article = Article(
        title=first("title") or "",
        standfirst=first("standfirst"),
        blocks=body.blocks,
        authors=every("authors"),
        published=first("published"),
        tags=every("tags"),
        layout=chosen.name,
        version=version.name,
    )
    return Extraction(article, chosen, version, removed, fields, body, parsed.decoded, source, tuple(problems))


def extract(
    content: bytes,
    *,
    url: str | None = None,
    captured_at: dt.datetime | dt.date | None = None,
    layout: str | None = None,
    layouts: LayoutSet | None = None,
    http_charset: str | None = None,
    source: str | None = None,
) -> Article:
    """Extract the article from page bytes; `ExtractionError` when a required field came out empty."""
    extraction = run(
        content, url=url, captured_at=captured_at, layout=layout, layouts=layouts, http_charset=http_charset, source=source
    )
    return checked(extraction).article


def run_page(
    page: Page | Path | str,
    *,
    layouts: LayoutSet | None = None,
    layout: str | None = None,
    url: str | None = None,
    captured_at: dt.datetime | dt.date | None = None,
) -> Extraction:
    """`run` on a captured page, using its sidecar metadata unless overridden."""
    if not isinstance(page, Page):
        page = read_page(page)
    return run(
        page.content,
        url=url or page.meta.url,
        captured_at=captured_at or page.meta.captured_at,
        layout=layout,
        layouts=layouts,
        http_charset=page.meta.charset,
        source=str(page.path) if page.path else None,
    )


def extract_page(
    page: Page | Path | str,
    *,
    layouts: LayoutSet | None = None,
    layout: str | None = None,
    url: str | None = None,
    captured_at: dt.datetime | dt.date | None = None,
) -> Article:
    """The article of a captured page; `ExtractionError` when a required field came out empty."""
    return checked(run_page(page, layouts=layouts, layout=layout, url=url, captured_at=captured_at)).article


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
