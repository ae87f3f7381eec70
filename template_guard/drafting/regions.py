"""Chrome regions: everything outside the article's own elements (menus, footers, lists, boxes in the body).

On each page the article's elements (body containers, title, byline, date, standfirst) and their ancestors
are kept; every other subtree with text is chrome. Each one gets the most stable selector that matches no
article element on any page; a region is `inline` when it sits inside the body container.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import urlsplit

from cssselect import HTMLTranslator
from lxml import etree

from template_guard.drafting.compare import PageText, text_of
from template_guard.drafting.selectors import LANDMARK_TAGS, SelectorCache, anchored_candidates, is_hashed
from template_guard.engine.article import clip
from template_guard.engine.layout import normalise_host
from template_guard.engine.selectors import SelectorKind

Element: TypeAlias = etree._Element
Harmless = Callable[[int, Element, bool], bool]  # (page index, element, inline) -> may a region remove it?

MIN_REGION_CHARS = 20
MAX_REGIONS = 30
MIN_PLUG_CHARS = 20  # a linked paragraph shorter than a headline ("here") is part of the text
# A box inside the body may hold some prose (teaser summaries) when links make up much of its text.
MAX_BOX_PROSE_SHARE = 0.1
MIN_BOX_LINK_SHARE = 0.3
# A box whose name says it is chrome may hold more prose, links or not.
MAX_NAMED_BOX_PROSE_SHARE = 0.25
_NAMED_CHROME = frozenset(
    {"author-bio", "newsletter", "related", "most-read", "ads", "share", "comments", "cookie-notice"}
)
_NAMES = (
    ("cookie-notice", r"cookie|consent|gdpr"),
    ("newsletter", r"newsletter|subscribe|sign-?up"),
    ("share", r"share|social"),
    ("breadcrumbs", r"breadcrumb"),
    ("most-read", r"most-?read|popular|trending|most-?viewed"),
    ("related", r"related|read-?next|recommend|more-?stories|recirc|also|read-?more|outbrain|taboola"),
    ("comments", r"comment|disqus"),
    ("ads", r"\bads?\b|advert|sponsor|dfp|gpt|promo|banner"),
    ("ticker", r"ticker|breaking"),
    ("search", r"search"),
    ("author-bio", r"author-?(?:bio|info|content|box|details|card)|\bbio\b|about-?the-?author"),
    ("media", r"figure|caption|video|image|photo|gallery|media"),
    ("navigation", r"\bnav|menu|navigation"),
    ("header", r"header|banner|masthead|top-?bar"),
    ("footer", r"footer|contentinfo"),
    ("sidebar", r"sidebar|aside|rail"),
    ("topics", r"\btags?\b|topics"),
)
# Phrasing elements: part of a paragraph's text, never a box of their own.
_INLINE_TAGS = frozenset(
    [
        "a",
        "span",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "small",
        "sup",
        "sub",
        "mark",
        "abbr",
        "cite",
        "q",
        "code",
        "time",
        "br",
        "img",
    ]
)
_BARE_CONTENT_TAG = re.compile(r"(?:^|[\s>])(?:ul|ol|li|p|h[1-6]|div|section|span|blockquote|a|table)$")
_TEXT_NAMES = (
    ("most-read", r"most (?:read|viewed|popular)|trending|popular"),
    ("related", r"related|read (?:more|next)|more (?:from|on|stories)|you may also|recommended|explore more"),
    ("newsletter", r"newsletter|sign up|subscribe"),
    ("comments", r"comments?\b"),
    ("share", r"^share\b"),
    ("ads", r"^advertisement"),
)
_HEADING_CHARS = 40
_TAG_NAMES = {
    "nav": "navigation",
    "footer": "footer",
    "header": "header",
    "aside": "sidebar",
    "form": "form",
    "figure": "media",
}


@dataclass(frozen=True)
class RegionDraft:
    """A drafted chrome region and what the pages say about it."""

    name: str
    expression: str
    items: str | None
    placement: str
    present: int
    pages: int
    verbatim: bool
    hashed: bool
    preview: str
    kind: SelectorKind = "css"


@dataclass(frozen=True)
class ArticleParts:
    """One page's article elements: the body containers and the elements fields read."""

    stats: PageText
    containers: tuple[Element, ...]
    fields: tuple[Element, ...]

    def kept(self) -> set[Element]:
        """The article elements and their ancestors: no region may match one."""
        kept: set[Element] = set()
        for element in (*self.containers, *self.fields):
            kept.add(element)
            kept.update(element.iterancestors())
        return kept


def region_name(element: Element) -> str | None:
    """What a region is, from its tag, id, classes, role and labels, else from its heading words."""
    words = " ".join(
        str(value)
        for name, value in element.attrib.items()
        if (name in ("id", "class", "role", "aria-label", "itemprop") or str(name).startswith("data-"))
        and "/" not in str(value)  # URLs in data-src and friends say nothing about the region
    ).lower()
    for name, pattern in _NAMES:
        if re.search(pattern, words):
            return name
    if tag_name := _TAG_NAMES.get(str(element.tag)):
        return tag_name
    # "Most viewed", "Related stories", "Sign up to our newsletter": a box often says what it is.
    heading = text_of(element)[:_HEADING_CHARS].lower()
    return next((name for name, pattern in _TEXT_NAMES if re.search(pattern, heading)), None)


def draft_regions(parts: Sequence[ArticleParts], cache: SelectorCache) -> list[RegionDraft]:
    """The chrome regions of the pages, outside the body first, then the boxes inside it."""
    kept = [p.kept() for p in parts]
    prose = [set(p.stats.prose_elements) for p in parts]

    def harmless(index: int, element: Element, inline: bool) -> bool:
        part = parts[index]
        if element in kept[index] or any(a in part.fields for a in element.iterancestors()):
            return False
        in_body = any(a in part.containers for a in element.iterancestors())
        if not inline:
            return not in_body
        return in_body and _boxed(part, element)

    regions: list[RegionDraft] = []
    for inline in (False, True):
        covered: list[set[Element]] = [set() for _ in parts]
        for index, part in enumerate(parts):
            for element in _chrome_elements(part, kept[index], prose[index], inline):
                if element in covered[index] or len(regions) >= MAX_REGIONS:
                    continue
                region = _region_for(element, index, parts, cache, inline, harmless)
                if region is None:
                    continue
                regions.append(region)
                for other, page in enumerate(parts):
                    for match in cache.select(region.expression, page.stats.page.root):
                        covered[other].update(match.iter())
    return _unique_names(regions)


def link_plugs(parts: Sequence[ArticleParts], body_css: str) -> RegionDraft | None:
    """Paragraphs in the body that are nothing but one link to another story of the site ("READ MORE" plugs)."""
    plugs = [[p for c in part.containers for p in c.iter("p") if _is_plug(p, part.stats.page.host)] for part in parts]
    present = sum(1 for found in plugs if found)
    if present < min(2, len(parts)):
        return None
    container = HTMLTranslator().css_to_xpath(body_css)
    return RegionDraft(
        name="related-links",
        expression=f"{container}/descendant::p[count(.//a) = 1 and normalize-space(.) = normalize-space(.//a)]",
        items=None,
        placement="inline",
        present=present,
        pages=len(parts),
        verbatim=False,
        hashed=False,
        preview=next(clip(text_of(found[0]), 60) for found in plugs if found),
        kind="xpath",
    )


def _is_plug(paragraph: Element, host: str) -> bool:
    links = paragraph.findall(".//a")
    if len(links) != 1 or len(text := text_of(paragraph)) < MIN_PLUG_CHARS or text != text_of(links[0]):
        return False
    target = urlsplit(links[0].get("href") or "")
    return not target.hostname or normalise_host(target.hostname) == host


def _chrome_elements(part: ArticleParts, kept: set[Element], prose: set[Element], inline: bool) -> list[Element]:
    stats = part.stats
    if inline:
        found = [
            e
            for c in part.containers
            for e in c.iterdescendants()
            if isinstance(e.tag, str)
            and e.tag not in _INLINE_TAGS
            and e not in kept
            and stats.total.get(e, 0) >= 10
            and not any(a in prose for a in e.iterancestors())
            and (
                stats.links.get(e, 0) * 2 >= stats.total[e]
                or region_name(e)
                or stats.chrome.get(e, 0) * 2 >= stats.total[e]
            )
            and _boxed(part, e)
        ]
        members = set(found)
        return [e for e in found if not any(a in members for a in e.iterancestors())]
    body = stats.page.root.find("body")
    found = []
    stack = [body] if body is not None else []
    while stack:
        for child in stack.pop():
            if not isinstance(child.tag, str) or child in part.fields or child in part.containers:
                continue
            if child in kept:
                stack.append(child)
            elif stats.total.get(child, 0) >= MIN_REGION_CHARS or child.tag in LANDMARK_TAGS and stats.total.get(child):
                found.append(child)
    order = {e: i for i, e in enumerate(stats.page.root.iter())}
    return sorted(found, key=lambda e: order.get(e, 0))


def _boxed(part: ArticleParts, element: Element) -> bool:
    """Whether a box in the body holds no prose, or only a little prose among many links (teaser cards)."""
    stats = part.stats
    prose = stats.prose.get(element, 0)
    if not prose:
        return True
    body_prose = sum(stats.prose.get(c, 0) for c in part.containers)
    if region_name(element) in _NAMED_CHROME:
        return prose <= MAX_NAMED_BOX_PROSE_SHARE * body_prose  # an author bio is prose, but not the article
    return (
        prose <= MAX_BOX_PROSE_SHARE * body_prose
        and stats.links.get(element, 0) >= MIN_BOX_LINK_SHARE * stats.total[element]
    )


def _region_for(
    element: Element, index: int, parts: Sequence[ArticleParts], cache: SelectorCache, inline: bool, check: Harmless
) -> RegionDraft | None:
    candidates = sorted(anchored_candidates(element, depth=4), key=lambda c: (c.rank, len(c.css)))
    for candidate in candidates:
        if _BARE_CONTENT_TAG.search(candidate.css):
            continue  # `article ul` would take tomorrow's lists out of the article too
        matches = [cache.select(candidate.css, part.stats.page.root) for part in parts]
        if element not in matches[index]:
            continue
        if all(check(i, e, inline) for i, found in enumerate(matches) for e in found):
            texts = [" ".join(text_of(e) for e in found) for found in matches if found]
            return RegionDraft(
                name=region_name(element) or ("inline-box" if inline else "chrome"),
                expression=candidate.css,
                items=_items(element),
                placement="inline" if inline else "page",
                present=len(texts),
                pages=len(parts),
                verbatim=len(texts) >= 2 and len(set(texts)) == 1,
                hashed=candidate.hashed,
                preview=clip(texts[0], 60) if texts else "",
            )
    return None


def _items(element: Element) -> str | None:
    """The region's repeating entries, as a CSS selector relative to it."""
    if len(element.findall(".//li")) >= 2:
        return "li"
    counts = Counter(
        f"{child.tag}.{c}"
        for child in element
        if isinstance(child.tag, str)
        for c in (child.get("class") or "").split()[:1]
        if not is_hashed(c) and re.match(r"^-?[A-Za-z_][\w-]*$", c)
    )
    common = [key for key, count in counts.most_common(1) if count >= 2]
    if common:
        return common[0]
    return "a" if len(element.findall(".//a")) >= 3 else None


def _unique_names(regions: list[RegionDraft]) -> list[RegionDraft]:
    seen: Counter[str] = Counter()
    named = []
    for region in regions:
        seen[region.name] += 1
        name = region.name if seen[region.name] == 1 else f"{region.name}-{seen[region.name]}"
        named.append(RegionDraft(**{**region.__dict__, "name": name}))
    return named
