"""Layout assembly: body, fields and chrome regions drafted from the pages, with what a reviewer should check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from template_guard.drafting.body import BodyDraft, draft_body
from template_guard.drafting.compare import measure, repeated_texts
from template_guard.drafting.fields import (
    FieldDraft,
    draft_authors,
    draft_published,
    draft_standfirst,
    draft_tags,
    draft_title,
)
from template_guard.drafting.pages import DraftPage
from template_guard.drafting.regions import ArticleParts, RegionDraft, draft_regions, link_plugs
from template_guard.drafting.selectors import SelectorCache
from template_guard.errors import DraftError

# When no capture date is known the first version starts here: early enough for any archived page.
UNDATED_START = dt.date(2000, 1, 1)
# First path segments that say "an article" rather than name a section.
_ARTICLE_SEGMENTS = frozenset(
    ["news", "article", "articles", "story", "stories", "post", "posts", "blog", "blogs", "a", "p", "content"]
)


@dataclass(frozen=True)
class LayoutDraft:
    """A drafted layout: identity, one version's rules, and the evidence behind each choice."""

    name: str
    domains: tuple[str, ...]
    url_patterns: tuple[str, ...]
    suggested_pattern: str | None
    version: str
    valid_from: dt.date
    sources: tuple[str, ...]
    body: BodyDraft
    fields: tuple[FieldDraft, ...]
    regions: tuple[RegionDraft, ...]
    notes: tuple[str, ...]

    def todo(self) -> list[str]:
        """What a reviewer should look at: unsure choices, hashed class names, regions seen once."""
        items = []
        if self.body.fits < len(self.sources):
            items.append(f"body: {self.body.css!r} makes a body on {self.body.fits} of {len(self.sources)} pages only")
        if self.body.hashed:
            items.append(f"body: {self.body.css!r} uses a hashed class name")
        for field in self.fields:
            if field.confidence != "high":
                items.append(f"{field.name}: {field.confidence} confidence ({'; '.join(field.notes)})")
            elif field.hashed:
                items.append(f"{field.name}: {field.expression!r} uses a hashed class name")
        for region in self.regions:
            if region.hashed:
                items.append(f"region {region.name}: {region.expression!r} uses a hashed class name")
            if region.present == 1 and region.pages > 1:
                items.append(
                    f"region {region.name}: seen on one page only ({region.preview!r}); keep it if it is chrome"
                )
            if region.name in ("chrome", "inline-box") or region.name.startswith(("chrome-", "inline-box-")):
                items.append(f"region {region.name}: give it a name that says what it is ({region.preview!r})")
        return items


def draft_layout(pages: Sequence[DraftPage], name: str) -> LayoutDraft:
    """Draft one layout version from two or more pages of one design."""
    cache = SelectorCache()
    repeated = repeated_texts(pages)
    stats = [measure(page, repeated) for page in pages]
    body = draft_body(stats, cache)
    if body is None:
        raise DraftError("no article body found on the pages: no element holds paragraphs of prose")
    title = draft_title(pages, cache)
    if title is None:
        title = FieldDraft("title", "xpath", "/html/head/title", confidence="low", notes=("no <h1> or og:title found",))
    drafted = [
        title,
        draft_standfirst(pages, cache),
        draft_authors(pages, cache),
        draft_published(pages, cache),
        draft_tags(pages),
    ]
    fields = tuple(f for f in drafted if f is not None)
    body = _excluding_fields(body, fields)
    parts = [
        ArticleParts(page_stats, group, tuple(e for f in fields for e in (f.elements[i] if f.elements else ())))
        for i, (page_stats, group) in enumerate(zip(stats, body.containers, strict=True))
    ]
    plugs = link_plugs(parts, body.css)
    regions = tuple(draft_regions(parts, cache)) + ((plugs,) if plugs else ())
    first = min((p.captured for p in pages if p.captured), default=None)
    patterns, suggested = _url_patterns(pages)
    return LayoutDraft(
        name=name,
        domains=(pages[0].host,),
        url_patterns=patterns,
        suggested_pattern=suggested,
        version=str(first.year) if first else "v1",
        valid_from=dt.date(first.year, 1, 1) if first else UNDATED_START,
        sources=tuple(f"{p.label} ({p.captured or 'date unknown'})" for p in pages),
        body=body,
        fields=fields,
        regions=regions,
        notes=_notes(pages, fields),
    )


def _excluding_fields(body: BodyDraft, fields: Sequence[FieldDraft]) -> BodyDraft:
    """Field elements inside the body container (a byline in the article) are excluded from the body."""
    inside = [
        f.expression
        for f in fields
        if f.kind == "css"
        and any(
            any(a in group for a in element.iterancestors())
            for group, elements in zip(body.containers, f.elements, strict=True)
            for element in elements
        )
    ]
    return replace(body, exclude=body.exclude + tuple(e for e in inside if e not in body.exclude))


def _url_patterns(pages: Sequence[DraftPage]) -> tuple[tuple[str, ...], str | None]:
    """URL globs, and a suggestion left commented out.

    When every page shares its first path segment, the glob on it is emitted if the segment names
    articles (`/news/`, `/article/`); a section name (`/politics/`) shared by a few pages is only
    suggested: the site's other sections most likely use the same design.
    """
    parts = [urlsplit(p.url) for p in pages]
    segments = {part.path.strip("/").split("/")[0] for part in parts if part.path.count("/") >= 2}
    netlocs = {part.netloc for part in parts}
    if len(segments) != 1 or len(netlocs) != 1 or not (segment := next(iter(segments))):
        return (), None
    pattern = f"{parts[0].scheme}://{parts[0].netloc}/{segment}/*"
    return ((pattern,), None) if segment.lower() in _ARTICLE_SEGMENTS else ((), pattern)


def _notes(pages: Sequence[DraftPage], fields: Sequence[FieldDraft]) -> tuple[str, ...]:
    notes = []
    drafted = {f.name for f in fields}
    with_body = sum(1 for p in pages if p.data.article_body)
    if with_body:
        notes.append(f"JSON-LD articleBody on {with_body} of {len(pages)} pages was used to tell prose from chrome")
    if "published" not in drafted and any(p.data.published for p in pages):
        notes.append("published: only JSON-LD datePublished has the date (not yet a field source)")
    if "authors" not in drafted and any(p.data.authors for p in pages):
        notes.append("authors: only JSON-LD author has the names (not yet a field source)")
    if "tags" not in drafted and any(p.data.keywords for p in pages):
        notes.append("tags: only JSON-LD keywords has them (not yet a field source)")
    undated = sum(1 for p in pages if p.captured is None)
    if undated:
        notes.append(f"{undated} page(s) without a capture date: valid_from is a guess")
    return tuple(notes)
