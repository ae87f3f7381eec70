"""Hypothesis strategies for tomorrow's version of a page: the chrome changes, the article does not.

Every strategy takes a page (its bytes, or a parsed tree) and the `LayoutVersion` that says where its
chrome is, and generates pages in which only that chrome changed (plus invisible noise and collapsible
whitespace anywhere). Each generated page carries the list of mutations that made it, and reads as
words in a failure: "moved the related-inline box after body block 3; replaced ticker item 2 with '…'".

The building blocks are public values, composable like hypothesis' own::

    from template_guard import strategies as tgs

    tgs.mutated_pages(page.content, version)                      # 1–6 chrome changes of any kind
    tgs.mutated_pages(page.content, version, kinds={"inline"})   # only move or copy inline boxes
    tgs.mutated_pages(page.content, version, texts=st.just("x")) # your own replacement texts
    tgs.canaried_pages(page.content, version)                     # canaries in every chrome region
    tgs.body_probes(page.content, version)                        # a canary in, or deletion of, a block
    tgs.chrome_mutations(root, version)                           # one change of a tree as it is now
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from lxml import etree

from template_guard.engine.layout import LayoutVersion
from template_guard.engine.parse import parse_html
from template_guard.testing.mutations import (
    COLLAPSIBLE_RUN,
    AddAttributes,
    AddItem,
    AddTracking,
    Canary,
    ChromeMap,
    CopyInline,
    DeleteBlock,
    DuplicateItem,
    EmptyItems,
    InsertNoise,
    MoveInline,
    MoveItem,
    Mutation,
    Noise,
    PadWhitespace,
    RemoveItem,
    ReplaceText,
    describe_all,
    serialize,
    solid_text_slots,
    visible_text,
    write_block_canary,
    write_chrome_canaries,
    write_field_canaries,
)

__all__ = [
    "MUTATION_KINDS",
    "BodyProbe",
    "CanariedPage",
    "MutatedPage",
    "PageSource",
    "article_echoes",
    "available_kinds",
    "body_probes",
    "canaried_pages",
    "chrome_mutations",
    "chrome_texts",
    "class_names",
    "comment_texts",
    "mutated_pages",
    "noise",
    "page_tree",
    "reserved_names",
    "rtl_texts",
    "texts_for",
    "tracking_params",
    "whitespace",
]

MUTATION_KINDS = ("text", "items", "inline", "attributes", "noise", "whitespace")
"""What `mutated_pages` may change: chrome text, chrome list items, inline boxes, chrome attributes and
links, invisible noise anywhere, collapsible whitespace anywhere."""

PageSource: TypeAlias = bytes | etree._Element
"""A page as its bytes (decoded like the extractor decodes them) or as an already parsed tree."""

# ---- Values -------------------------------------------------------------------------------------

# Any character lxml can store as text: no surrogates, controls, unassigned or private-use code points.
_TEXT_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co"))
_ARABIC = st.characters(min_codepoint=0x0621, max_codepoint=0x064A)
_HEBREW = st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA)
_RTL_MARKS = st.sampled_from(("", "\u200f", "\u202b", "\u061c"))  # RLM, RLE, Arabic letter mark

SAMPLE_TEXTS = (
    "BREAKING: Talks resume in Doha",
    "عاجل: غارات على جنوب لبنان",
    "מבזק: הפסקת אש",
    "Срочно: переговоры возобновились",
    "速報：交渉が再開",
    "LIVE ● 24/7",
    "Read more »",
    "3 Min Read",
    "Most Read",
    "Ü-Bahn & Café — “quoted” <not a tag>",
)

rtl_texts: SearchStrategy[str] = st.builds(
    lambda mark, words: mark + " ".join(words),
    _RTL_MARKS,
    st.lists(st.text(_ARABIC | _HEBREW, min_size=1, max_size=8), min_size=1, max_size=6),
)
"""Right-to-left text: Arabic and Hebrew words, sometimes led by a bidi mark."""

chrome_texts: SearchStrategy[str] = st.one_of(
    st.text(_TEXT_CHARACTERS, max_size=60),
    rtl_texts,
    st.sampled_from(SAMPLE_TEXTS),
)
"""Replacement text for chrome: any Unicode text (empty included), right-to-left text, and samples."""

_CLASS_SAMPLES = ("is-active", "swiper-slide-active", "lazyloaded", "js-sticky", "ad-slot", "hidden-xs", "new")
class_names: SearchStrategy[str] = st.one_of(
    st.sampled_from(_CLASS_SAMPLES), st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
)
"""Class names, ids and `data-*` suffixes a site's front end adds overnight (see `reserved_names`)."""

_TRACKING_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "fbclid", "gclid", "ref", "_ga")
tracking_params: SearchStrategy[tuple[tuple[str, str], ...]] = st.lists(
    st.tuples(st.sampled_from(_TRACKING_KEYS), st.from_regex(r"[A-Za-z0-9_.-]{1,16}", fullmatch=True)),
    min_size=1,
    max_size=4,
    unique_by=lambda pair: pair[0],
).map(tuple)
"""Tracking parameters appended to chrome links."""

whitespace: SearchStrategy[str] = st.text(st.sampled_from(" \t\n\r"), min_size=1, max_size=8)
"""Collapsible whitespace (ASCII only: a no-break space is visible)."""

comment_texts: SearchStrategy[str] = st.one_of(
    st.sampled_from((" Google Tag Manager ", " ad slot: in-article ", " /.related-news ", "[if lt IE 9]><![endif]")),
    # A comment may not contain "--" nor end in "-"; none of these characters can make either.
    st.text(_TEXT_CHARACTERS.filter(lambda c: c not in "-<>"), max_size=40),
)
_SCRIPTS = (
    "window.dataLayer = window.dataLayer || [];",
    'googletag.cmd.push(function () { googletag.display("div-gpt-ad-1"); });',
    '{"@context": "https://schema.org", "@type": "NewsArticle"}',
)
_STYLES = (".ad-slot{display:none}", "@media (max-width:600px){.ticker{font-size:12px}}")
_RAW = st.text(_TEXT_CHARACTERS.filter(lambda c: c != "<"), max_size=40)  # "<" could end a raw-text element

noise: SearchStrategy[Noise] = st.one_of(
    st.builds(Noise, st.just("comment"), comment_texts),
    st.builds(Noise, st.just("script"), st.sampled_from(_SCRIPTS) | _RAW),
    st.builds(Noise, st.just("style"), st.sampled_from(_STYLES) | _RAW),
    st.builds(Noise, st.just("noscript"), st.sampled_from(("Please enable JavaScript.", "")) | _RAW),
)
"""Invisible markup: comments, scripts, style sheets and `<noscript>` with their content."""


def reserved_names(version: LayoutVersion) -> frozenset[str]:
    """Every name a version's selectors mention: a class, id or attribute that the layout reads is not noise."""
    selectors = [
        *(r.selector for r in version.boilerplate),
        *(r.items for r in version.boilerplate if r.items is not None),
        *(f.selector for f in version.fields.values()),
        version.body.selector,
        *(b.selector for b in version.body.blocks),
        *version.body.exclude,
    ]
    return frozenset(token for s in selectors for token in re.findall(r"[A-Za-z0-9_-]+", s.expression))


def page_tree(page: PageSource, charset: str | None = None) -> etree._Element:
    """The parsed tree of a page (bytes are decoded as the extractor decodes them; a tree is copied)."""
    if isinstance(page, bytes):
        return parse_html(page, charset).root
    return copy.deepcopy(page)


# ---- One mutation of a tree ---------------------------------------------------------------------
# Each drawer returns None, before drawing anything, when the page offers nothing of its kind.


def chrome_mutations(
    root: etree._Element,
    version: LayoutVersion,
    *,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] = chrome_texts,
) -> SearchStrategy[Mutation]:
    """One mutation of `root` as it is now (drawing does not change the tree; `mutation.apply` does).

    Kinds with nothing to change on this page (no inline box, no list) are skipped; when no kind is
    left the example is rejected.
    """
    unknown = set(kinds) - set(MUTATION_KINDS)
    if unknown:
        raise ValueError(f"unknown mutation kinds {sorted(unknown)}; known: {', '.join(MUTATION_KINDS)}")
    return _chrome_mutation(root, version, tuple(k for k in MUTATION_KINDS if k in kinds), texts)


@st.composite
def _chrome_mutation(
    draw: DrawFn, root: etree._Element, version: LayoutVersion, kinds: tuple[str, ...], texts: SearchStrategy[str]
) -> Mutation:
    page = ChromeMap(root, version)
    for kind in _cycled(draw, kinds):
        mutation = _DRAWERS[kind](draw, page, texts)
        if mutation is not None:
            return mutation
    reject()


T = TypeVar("T")


def _cycled(draw: DrawFn, options: Sequence[T]) -> Iterator[T]:
    """Every option once, starting at a drawn one and wrapping around.

    The caller takes the first option that is usable now. A drawn position among *all* options keeps a
    change pointing at the same region or kind when earlier changes made other options unusable (an
    emptied list, a region without text left), so the shrinker can delete any change and keep the rest.
    """
    if not options:
        return
    start = draw(st.integers(0, len(options) - 1))
    for step in range(len(options)):
        yield options[(start + step) % len(options)]


def _pick(draw: DrawFn, options: Sequence[T], usable: Callable[[T], bool]) -> T | None:
    """The first usable option from a drawn position (see `_cycled`); None when none is usable."""
    return next((option for option in _cycled(draw, options) if usable(option)), None)


def _matches(page: ChromeMap, region: str) -> range:
    return range(len(page.found(region)))


def _draw_text(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    slots: dict[tuple[str, int, int | None], list[str]] = {}

    def texts_of(region: str, match: int, item: int | None) -> list[str]:
        key = (region, match, item)
        if key not in slots:
            slots[key] = [s.get() for s in solid_text_slots(_target(page, region, match, item))]
        return slots[key]

    def targets(region: str, match: int) -> list[int | None]:
        # Items first: a shrunk failure then names an item ("ticker item 1") rather than the region.
        return [*range(len(page.items(region, match))), None]

    def match_has_text(region: str, match: int) -> bool:
        return any(texts_of(region, match, item) for item in targets(region, match))

    # A region first, so that a long menu is no likelier to change than a one-line caption.
    region = _pick(draw, list(page.regions), lambda r: any(match_has_text(r, m) for m in _matches(page, r)))
    if region is None:
        return None
    match = _pick(draw, _matches(page, region), lambda m: match_has_text(region, m))
    assert match is not None
    item = _pick(draw, targets(region, match), lambda i: bool(texts_of(region, match, i)))
    old = texts_of(region, match, item)
    node = draw(st.integers(0, len(old) - 1))
    return ReplaceText(region, match, item, node, draw(texts), was=old[node])


def _target(page: ChromeMap, region: str, match: int, item: int | None) -> etree._Element:
    return page.match(region, match) if item is None else page.items(region, match)[item]


def _draw_item_change(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    region = _pick(draw, list(page.regions), lambda r: any(page.items(r, m) for m in _matches(page, r)))
    if region is None:
        return None
    match = _pick(draw, _matches(page, region), lambda m: bool(page.items(region, m)))
    assert match is not None
    count = len(page.items(region, match))
    operations = ("remove", "duplicate", "add", "move", "empty")
    operation = draw(st.sampled_from(operations if count >= 2 else tuple(o for o in operations if o != "move")))
    if operation == "empty":
        return EmptyItems(region, match, of=count)
    item = draw(st.integers(0, count - 1))
    if operation == "remove":
        return RemoveItem(region, match, item, of=count)
    if operation == "duplicate":
        return DuplicateItem(region, match, item)
    # Positions are "before item b", with b == count meaning the end of the list (`before=None`).
    if operation == "add":
        before = draw(st.integers(0, count))
        return AddItem(region, match, item, None if before == count else before, draw(texts))
    before = draw(st.sampled_from([b for b in range(count + 1) if b not in (item, item + 1)]))
    return MoveItem(region, match, item, None if before == count else before)


def _draw_inline_move(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    if not page.blocks:
        return None
    inline = [region.name for region in page.version.boilerplate if region.placement == "inline"]
    region = _pick(draw, inline, lambda r: bool(page.found(r)))
    if region is None:
        return None
    match = draw(st.integers(0, len(page.found(region)) - 1))
    after = draw(st.integers(0, len(page.blocks)))
    return (CopyInline if draw(st.booleans()) else MoveInline)(region, match, after)  # shrinks to a move


def _draw_attribute_change(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    region = _pick(draw, list(page.regions), lambda r: bool(page.found(r)))
    if region is None:
        return None
    match = draw(st.integers(0, len(page.found(region)) - 1))
    element = page.match(region, match)
    links = [a for a in element.iter("a") if a.get("href")]
    if bool(links) and draw(st.booleans()):
        return AddTracking(region, match, draw(st.integers(0, len(links) - 1)), draw(tracking_params))
    tags = [e.tag for e in element.iter() if isinstance(e.tag, str)]
    reserved = reserved_names(page.version)
    names = class_names.filter(lambda name: name not in reserved and f"data-{name}" not in reserved)
    index = draw(st.integers(0, len(tags) - 1))
    return AddAttributes(
        region,
        match,
        index,
        tags[index],
        classes=tuple(draw(st.lists(names, min_size=1, max_size=3, unique=True))),
        id=draw(st.none() | names),
        data=tuple(draw(st.lists(st.tuples(names, texts), max_size=2, unique_by=lambda d: d[0]))),
    )


def _draw_noise(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    targets = page.noise_targets()
    if not targets:
        return None
    # Half the noise goes inside the article body, where a careless layout is most likely to trip on it.
    inside = frozenset(e for container in page.containers for e in container.iter())
    in_body = [i for i, e in enumerate(targets) if e in inside]
    pool: Sequence[int] = in_body if bool(in_body) and draw(st.booleans()) else range(len(targets))
    index = draw(st.sampled_from(pool))
    parent = targets[index]
    slot = draw(st.integers(0, len(parent)))
    text = (parent.text if slot == 0 else parent[slot - 1].tail) or ""
    offset = draw(st.integers(0, len(text)))
    return InsertNoise(index, slot, offset, draw(noise), where=page.where(parent))


def _draw_whitespace(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    slots = page.whitespace_slots()
    if not slots:
        return None
    index = draw(st.integers(0, len(slots) - 1))
    slot = slots[index]
    runs = len(COLLAPSIBLE_RUN.findall(slot.get()))
    owner = slot.owner
    where = page.where(owner) if owner is not None else "the page"
    return PadWhitespace(index, draw(st.integers(0, runs - 1)), draw(whitespace), where=where)


def available_kinds(
    root: etree._Element, version: LayoutVersion, kinds: Collection[str] = MUTATION_KINDS
) -> frozenset[str]:
    """Which of `kinds` have something to change on `root` as it is now."""
    page = ChromeMap(root, version)
    matches = [(region, i) for region, found in page.matches.items() for i in range(len(found))]
    checks: dict[str, Callable[[], bool]] = {
        "text": lambda: any(solid_text_slots(page.match(*m)) for m in matches),
        "items": lambda: any(page.items(*m) for m in matches),
        "inline": lambda: any(page.found(r.name) for r in version.boilerplate if r.placement == "inline")
        and bool(page.blocks),
        "attributes": lambda: bool(matches),
        "noise": lambda: bool(page.noise_targets()),
        "whitespace": page.has_whitespace,
    }
    return frozenset(kind for kind in MUTATION_KINDS if kind in kinds and checks[kind]())


_DRAWERS: dict[str, Callable[[DrawFn, ChromeMap, SearchStrategy[str]], Mutation | None]] = {
    "text": _draw_text,
    "items": _draw_item_change,
    "inline": _draw_inline_move,
    "attributes": _draw_attribute_change,
    "noise": _draw_noise,
    "whitespace": _draw_whitespace,
}


# ---- Whole pages --------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class MutatedPage:
    """A page after chrome changes: its UTF-8 bytes and the changes, in the order they were made."""

    content: bytes
    changes: tuple[Mutation, ...]

    def describe(self) -> str:
        return describe_all(self.changes)

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        printer.text(repr(self))


@dataclass(frozen=True, repr=False)
class CanariedPage:
    """A page after chrome changes with a unique canary in every text of every chrome region."""

    content: bytes
    changes: tuple[Mutation, ...]
    canaries: tuple[Canary, ...]

    def describe(self) -> str:
        return f"{describe_all(self.changes)}; then {len(self.canaries)} canaries written into the chrome"

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        printer.text(repr(self))


@dataclass(frozen=True, repr=False)
class BodyProbe:
    """Two edits of the article of a page: a canary written into one body block, and that block deleted.

    `with_canary` also carries canaries in every element a metadata field reads (`field_canaries`):
    none of those may turn up in the body.
    """

    block: int
    deletion: DeleteBlock
    canary: Canary
    field_canaries: tuple[Canary, ...]
    block_text: str
    with_canary: bytes = field(repr=False)
    without_block: bytes = field(repr=False)

    def describe(self) -> str:
        return f"canary {self.canary.describe()}; or {self.deletion.describe()} {self.block_text!r}"

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        printer.text(repr(self))


# Continue after each change with probability 2/3, so a page gets about three changes; shrinks to stop.
_another = st.sampled_from((False, True, True))


@st.composite
def _changes(
    draw: DrawFn,
    root: etree._Element,
    version: LayoutVersion,
    min_changes: int,
    max_changes: int,
    kinds: Collection[str],
    texts: SearchStrategy[str],
) -> tuple[Mutation, ...]:
    """Changes applied to `root` one after another, as they are drawn.

    Recursive on purpose: the changes after this one are a nested draw of the same strategy, so the
    shrinker can replace this span with that descendant, deleting any one change while the later ones
    keep their meaning. "Another change?" is drawn at every level (a forced level ignores a "no") so
    that every level has the same shape.
    """
    another = draw(_another)
    if max_changes <= 0 or (min_changes <= 0 and not another):
        return ()
    mutation = draw(chrome_mutations(root, version, kinds=kinds, texts=texts))
    mutation.apply(root, version)
    return (mutation, *draw(_changes(root, version, min_changes - 1, max_changes - 1, kinds, texts)))


def article_echoes(root: etree._Element, version: LayoutVersion) -> tuple[str, ...]:
    """Texts of the page's own article (title, first blocks): chrome that quotes the article is common."""
    page = ChromeMap(root, version)
    texts = [visible_text(e, page.chrome) for _, e in page.field_elements]
    texts.extend(visible_text(b, page.chrome) for b in page.blocks[:3])
    return tuple(dict.fromkeys(t for t in texts if t))


def texts_for(
    base: etree._Element, version: LayoutVersion, texts: SearchStrategy[str] | None = None
) -> SearchStrategy[str]:
    """`texts`, or by default `chrome_texts` plus quotes of the page's own article (`article_echoes`)."""
    if texts is not None:
        return texts
    echoes = article_echoes(base, version)
    return chrome_texts | st.sampled_from(echoes) if echoes else chrome_texts


def mutated_pages(
    page: PageSource,
    version: LayoutVersion,
    *,
    min_changes: int = 1,
    max_changes: int = 6,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] | None = None,
    charset: str | None = None,
) -> SearchStrategy[MutatedPage]:
    """Pages with between `min_changes` and `max_changes` chrome changes of the given `kinds`.

    `texts` replaces chrome text (default: `chrome_texts` plus quotes of the page's own article).
    The page is parsed once; each example mutates a fresh copy.
    """
    base = page_tree(page, charset)
    replacement = texts_for(base, version, texts)

    @st.composite
    def build(draw: DrawFn) -> MutatedPage:
        root = copy.deepcopy(base)
        changes = draw(_changes(root, version, min_changes, max_changes, kinds, replacement))
        return MutatedPage(serialize(root), changes)

    return build()


def canaried_pages(
    page: PageSource,
    version: LayoutVersion,
    *,
    max_changes: int = 4,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] | None = None,
    charset: str | None = None,
) -> SearchStrategy[CanariedPage]:
    """Pages with up to `max_changes` chrome changes, then a unique canary in every chrome text."""
    base = page_tree(page, charset)
    replacement = texts_for(base, version, texts)

    @st.composite
    def build(draw: DrawFn) -> CanariedPage:
        root = copy.deepcopy(base)
        changes = draw(_changes(root, version, 0, max_changes, kinds, replacement))
        canaries = write_chrome_canaries(root, version)
        return CanariedPage(serialize(root), changes, canaries)

    return build()


def body_probes(page: PageSource, version: LayoutVersion, *, charset: str | None = None) -> SearchStrategy[BodyProbe]:
    """Probes of one body block each: a canary at its start or end, and the page without it.

    Empty when the version finds no body block on the page.
    """
    base = page_tree(page, charset)
    chrome_map = ChromeMap(base, version)
    count = len(chrome_map.blocks)
    if not count:
        return st.nothing()
    labels = [chrome_map.block_label(i) for i in range(count)]
    excerpts = [visible_text(b, chrome_map.chrome)[:60] for b in chrome_map.blocks]

    @st.composite
    def build(draw: DrawFn) -> BodyProbe:
        block = draw(st.integers(0, count - 1))
        at_end = draw(st.booleans())
        marked = copy.deepcopy(base)
        canary = write_block_canary(marked, version, block, at_end=at_end, number=0)
        field_canaries = write_field_canaries(marked, version, start=1)
        deletion = DeleteBlock(block, labels[block])
        without = copy.deepcopy(base)
        deletion.apply(without, version)
        return BodyProbe(
            block, deletion, canary, field_canaries, excerpts[block], serialize(marked), serialize(without)
        )

    return build()
