"""The body: the container that holds the prose of every page, its block rules, and what to leave out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from template_guard.drafting.compare import PROSE_TAGS, PageText, outermost_of, text_of
from template_guard.drafting.selectors import Candidate, SelectorCache, anchored_candidates, is_hashed

Element: TypeAlias = etree._Element

_LEVELS_UP = 2  # ancestors of each page's best container tried as the body
_STANDARD_BLOCKS = (("heading", "h2, h3, h4"), ("list_item", "ul > li, ol > li"), ("quote", "blockquote"))
MAX_DROP_CHARS = 80
_NUMBERED = re.compile(r"^(?P<stem>.*?[-_])\d+$")


@dataclass(frozen=True)
class BodyDraft:
    """The drafted body rule, with the containers it matched on each page."""

    css: str
    blocks: tuple[tuple[str, str], ...]
    exclude: tuple[str, ...]
    drop_text: tuple[str, ...]
    containers: tuple[tuple[Element, ...], ...]  # per page
    prose: tuple[int, ...]  # per page: characters of prose in the containers
    fits: int
    hashed: bool
    notes: tuple[str, ...]


def best_container(stats: PageText) -> Element | None:
    """The element with the best body score on one page (most prose for the least chrome)."""
    scored = [(stats.score([e]), e) for e, prose in stats.prose.items() if prose > 0]
    return max(scored, key=lambda row: row[0])[1] if scored else None


def draft_body(stats: Sequence[PageText], cache: SelectorCache) -> BodyDraft | None:
    """Choose the body selector that makes the best body on every page at once."""
    bests = [best_container(page) for page in stats]
    if all(best is None for best in bests):
        return None
    pool: dict[str, Candidate] = {}
    for best in bests:
        if best is None:
            continue
        levels = [best, *list(best.iterancestors())[:_LEVELS_UP]]
        for element in levels:
            if element.tag in ("body", "html"):
                continue
            for candidate in anchored_candidates(element, depth=5):
                if candidate.css not in pool or candidate.rank < pool[candidate.css].rank:
                    pool[candidate.css] = candidate
    ceilings = [
        max(page.score([best]), 1.0) if best is not None else 1.0 for page, best in zip(stats, bests, strict=True)
    ]
    ranked: list[tuple[float, Candidate]] = []
    paragraphs = {e for page in stats for e in page.prose_elements}
    for candidate in pool.values():
        value = 0.0
        for page, ceiling in zip(stats, ceilings, strict=True):
            matched = cache.select(candidate.css, page.page.root)
            if paragraphs.intersection(matched):
                value = -1.0  # a selector of paragraphs, not of their container
                break
            value += max(page.score(matched), 0.0) / ceiling
        # Stability breaks near-ties: a hashed or long selector must earn its place with a better body.
        value -= 0.01 * candidate.rank + (0.05 if candidate.hashed else 0.0) + 0.0005 * len(candidate.css)
        ranked.append((value, candidate))
    value, chosen = max(ranked, key=lambda row: row[0])
    containers = tuple(tuple(outermost_of(cache.select(chosen.css, page.page.root))) for page in stats)
    fits = sum(1 for page, found in zip(stats, containers, strict=True) if found and page.score(found) > 0)
    notes = [f"body score {value / len(stats):.2f} of the best possible on each page"]
    blocks = _block_rules(stats, containers)
    exclude = ["figure"] + [css for css in ("aside", "form") if any(c.iter(css) for cs in containers for c in cs)]
    prose = tuple(sum(page.prose.get(c, 0) for c in found) for page, found in zip(stats, containers, strict=True))
    return BodyDraft(
        chosen.css,
        blocks,
        tuple(exclude),
        _drop_texts(containers),
        containers,
        prose,
        fits,
        chosen.hashed,
        tuple(notes),
    )


def _block_rules(stats: Sequence[PageText], containers: Sequence[Sequence[Element]]) -> tuple[tuple[str, str], ...]:
    """Paragraphs (and <div> paragraphs when the containers are written so), headings, list items, quotes."""
    rules: list[tuple[str, str]] = []
    loose = [
        e
        for page, group in zip(stats, containers, strict=True)
        for e in page.prose_elements
        if e.tag not in PROSE_TAGS and any(c in group for c in e.iterancestors())
    ]
    prose = sum(page.prose[c] for page, group in zip(stats, containers, strict=True) for c in group)
    if loose and sum(len(text_of(e)) for e in loose) > 0.3 * prose and (key := _common_key(loose)):
        rules.append(("paragraph", key))
    rules.append(("paragraph", "p"))
    # Headings, lists and quotes are article text wherever a body has them, even if these pages have none.
    rules.extend((kind, css) for kind, css in _STANDARD_BLOCKS)
    return tuple(rules)


def _common_key(elements: Sequence[Element]) -> str | None:
    """A selector for paragraphs written as <div>s: their shared class, or a numbered data-* attribute's stem."""
    counts: Counter[str] = Counter()
    for element in elements:
        keys = {f"{element.tag}.{c}" for c in (element.get("class") or "").split() if not is_hashed(c)}
        for raw_name, raw_value in element.attrib.items():
            name, value = str(raw_name), str(raw_value)
            numbered = _NUMBERED.match(value)
            if name.startswith("data-") and numbered:
                keys.add(f"{element.tag}[{name}^='{numbered['stem']}']")
        counts.update(keys)
    if not counts:
        return None
    key, count = max(counts.items(), key=lambda row: (row[1], "[" in row[0]))
    return key if count >= len(elements) / 2 else None


def _drop_texts(containers: Sequence[Sequence[Element]]) -> tuple[str, ...]:
    """Short block texts found in the body of two or more pages: plugs and credits, not the article."""
    counts: Counter[str] = Counter()
    for group in containers:
        texts = {text_of(e) for c in group for e in c.iter("p", "h2", "h3", "h4", "li")}
        counts.update(t for t in texts if t)
    # On every page, and short: a quote two articles share is content, a "Related News" label is not.
    shared = sorted(text for text, count in counts.items() if count == len(containers) and len(text) <= MAX_DROP_CHARS)
    return tuple(f"^{re.escape(text).replace(chr(92) + ' ', ' ')}$" for text in shared)[:10]
