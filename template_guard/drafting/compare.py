"""Cross-page comparison: how much text and prose each element holds, and what repeats from page to page.

Prose is what an article is made of: paragraphs, list items and headings with text that is not mostly
links (and <div> paragraphs of a sentence or more), outside figures and page landmarks, whose text is not
repeated verbatim on the other pages of the design (text that repeats is chrome), and which the page's
JSON-LD articleBody contains when it has one. Chrome is link text and text that repeats across pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from template_guard.drafting.pages import DraftPage
from template_guard.engine.article import normalise_text
from template_guard.engine.blocks import solid_length

Element: TypeAlias = etree._Element

PROSE_TAGS = frozenset({"p", "li", "h2", "h3", "h4", "pre", "dd"})
_LOOSE_TAGS = frozenset({"div", "section"})  # paragraphs some front ends write without <p>
_NOT_PROSE_INSIDE = frozenset({"figure", "figcaption", "nav", "footer", "header", "form", "button", "label", "select"})
_BOXES = PROSE_TAGS | _LOOSE_TAGS | {"aside", "span", "a", "button", "ul", "ol"}
BLOCK_CHILDREN = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "blockquote",
        "figure",
        "header",
        "footer",
    ]
)
MIN_PROSE_CHARS = 40
MAX_PROSE_LINK_SHARE = 0.5
# A body's score: its prose, minus its chrome (link text, text repeated across pages) at this cost, minus
# the rest of its text (captions, bylines: neither) at a small cost that prefers the tighter container.
CHROME_COST = 1.0
NEUTRAL_COST = 0.1


@dataclass(frozen=True)
class PageText:
    """Character counts per element of one page (text without spaces): all text, link text, prose, chrome."""

    page: DraftPage
    total: dict[Element, int]
    links: dict[Element, int]
    prose: dict[Element, int]
    chrome: dict[Element, int]
    prose_elements: list[Element]

    def score(self, elements: Iterable[Element]) -> float:
        """How good a body these elements make: their prose minus a cost for their chrome and other text."""
        chosen = outermost_of(elements)
        prose = sum(self.prose.get(e, 0) for e in chosen)
        chrome = sum(self.chrome.get(e, 0) for e in chosen)
        total = sum(self.total.get(e, 0) for e in chosen)
        return prose - CHROME_COST * chrome - NEUTRAL_COST * max(total - prose - chrome, 0)


def text_of(element: Element) -> str:
    """The element's text, whitespace-normalised (the text a reader sees, tags aside)."""
    return normalise_text("".join(str(part) for part in element.itertext()))


def outermost_of(elements: Iterable[Element]) -> list[Element]:
    """The elements that are not inside another one of them."""
    chosen = list(dict.fromkeys(elements))
    members = set(chosen)
    return [e for e in chosen if not any(a in members for a in e.iterancestors())]


def repeated_texts(pages: Sequence[DraftPage], tags: frozenset[str] = PROSE_TAGS | _LOOSE_TAGS) -> set[str]:
    """Normalised texts of text elements found verbatim on two or more of the pages: chrome, not content."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = {text_of(e) for e in page.root.iter(*tags)}
        counts.update(text for text in seen if text)
    return {text for text, count in counts.items() if count >= 2}


def measure(page: DraftPage, repeated: set[str]) -> PageText:
    """Count each element's text, link text and prose, bottom-up in one pass."""
    elements = [e for e in page.root.iter() if isinstance(e.tag, str)]
    own = {e: solid_length(e.text or "") + sum(solid_length(c.tail or "") for c in e) for e in elements}
    total = dict(own)
    links = {e: 0 for e in elements}
    for element in reversed(elements):
        if element.tag == "a":
            links[element] = total[element]
        parent = element.getparent()
        if parent is not None and parent in total:
            total[parent] += total[element]
            links[parent] += links[element]
    body_text = normalise_text(page.data.article_body)
    candidates = [e for e in elements if _prose_shaped(e, own, total, links, repeated)]
    if body_text:
        inside = [e for e in candidates if text_of(e)[:60] in body_text]
        # A truncated articleBody (some sites give the first paragraph only) is no evidence.
        if sum(total[e] for e in inside) >= 0.3 * sum(total[e] for e in candidates):
            candidates = inside
    boxed = [e for e in elements if e.tag in _BOXES and text_of(e) in repeated]
    repeated_chars = _sum_up(elements, outermost_of(boxed), {e: total[e] - links[e] for e in boxed})
    chrome = {e: links[e] + repeated_chars[e] for e in elements}
    return PageText(page, total, links, _sum_up(elements, candidates, total), chrome, candidates)


def _sum_up(elements: list[Element], chosen: Iterable[Element], size: dict[Element, int]) -> dict[Element, int]:
    """For every element, the sizes of the chosen elements inside it (or itself)."""
    sums = {e: 0 for e in elements}
    for element in chosen:
        sums[element] += size[element]
        for ancestor in element.iterancestors():
            if ancestor in sums:
                sums[ancestor] += size[element]
    return sums


def _prose_shaped(
    element: Element, own: dict[Element, int], total: dict[Element, int], links: dict[Element, int], repeated: set[str]
) -> bool:
    tag = element.tag
    if not total[element] or links[element] > MAX_PROSE_LINK_SHARE * total[element]:
        return False
    if tag not in PROSE_TAGS:
        if tag not in _LOOSE_TAGS or own[element] < MIN_PROSE_CHARS:
            return False
        if any(isinstance(child.tag, str) and child.tag in BLOCK_CHILDREN for child in element):
            return False
    if any(a.tag in _NOT_PROSE_INSIDE or a.tag in PROSE_TAGS for a in element.iterancestors()):
        return False
    return text_of(element) not in repeated
