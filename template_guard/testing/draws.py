"""Drawing chrome mutations: which changes a page offers now, and a drawn sequence of them applied one by one.

Each drawer returns None, before drawing anything, when the page offers nothing of its kind; positions
are drawn so that the shrinker can delete any change and keep the others meaning the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from lxml import etree

from template_guard.engine.layout import LayoutVersion
from template_guard.errors import MutationError
from template_guard.testing import mutations as change
from template_guard.testing.chrome_map import COLLAPSIBLE_RUN, ChromeMap, links, solid_text_slots
from template_guard.testing.invisible import InsertNoise, PadWhitespace
from template_guard.testing.mutations import Mutation
from template_guard.testing.values import chrome_texts, class_names, noise, reserved_names, tracking_params, whitespace

__all__ = ["MUTATION_KINDS", "available_kinds", "chrome_changes", "chrome_mutations"]

MUTATION_KINDS = ("text", "items", "inline", "attributes", "noise", "whitespace")
"""What `mutated_pages` may change: chrome text, chrome list items, inline boxes, chrome attributes and
links, invisible noise anywhere, collapsible whitespace anywhere."""



def chrome_mutations(
    root: etree._Element,
    version: LayoutVersion,
    *,
    kinds: Collection[str] = MUTATION_KINDS,
    texts: SearchStrategy[str] = chrome_texts,
    page: ChromeMap | None = None,
) -> SearchStrategy[Mutation]:
    """One mutation of `root` as it is now (drawing does not change the tree; `mutation.apply` does).

    Kinds with nothing to change on this page (no inline box, no list) are skipped; when no kind is
    left the example is rejected. Pass `page`, the map of `root` as it is now, when you have it, and
    hand it on to `mutation.apply`: then the tree is mapped once per change.
    """
    unknown = set(kinds) - set(MUTATION_KINDS)
    if unknown:
        raise MutationError(f"unknown mutation kinds {sorted(unknown)}; known: {', '.join(MUTATION_KINDS)}")
    return _chrome_mutation(page or ChromeMap(root, version), tuple(k for k in MUTATION_KINDS if k in kinds), texts)


@st.composite
def _chrome_mutation(draw: DrawFn, page: ChromeMap, kinds: tuple[str, ...], texts: SearchStrategy[str]) -> Mutation:
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
            slots[key] = [s.get() for s in solid_text_slots(page.target(region, match, item))]
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
    return change.ReplaceText(region, match, item, node, draw(texts), was=old[node])


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
        return change.EmptyItems(region, match, of=count)
    item = draw(st.integers(0, count - 1))
    if operation == "remove":
        return change.RemoveItem(region, match, item, of=count)
    if operation == "duplicate":
        return change.DuplicateItem(region, match, item)
    # Positions are "before item b", with b == count meaning the end of the list (`before=None`).
    if operation == "add":
        before = draw(st.integers(0, count))
        return change.AddItem(region, match, item, None if before == count else before, draw(texts))
    before = draw(st.sampled_from([b for b in range(count + 1) if b not in (item, item + 1)]))
    return change.MoveItem(region, match, item, None if before == count else before)


def _draw_inline_move(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    if not page.blocks:
        return None
    inline = [region.name for region in page.version.boilerplate if region.placement == "inline"]
    region = _pick(draw, inline, lambda r: bool(page.found(r)))
    if region is None:
        return None
    match = draw(st.integers(0, len(page.found(region)) - 1))
    after = draw(st.integers(0, len(page.blocks)))
    return (change.CopyInline if draw(st.booleans()) else change.MoveInline)(region, match, after)  # shrinks to a move


def _draw_attribute_change(draw: DrawFn, page: ChromeMap, texts: SearchStrategy[str]) -> Mutation | None:
    region = _pick(draw, list(page.regions), lambda r: bool(page.found(r)))
    if region is None:
        return None
    match = draw(st.integers(0, len(page.found(region)) - 1))
    element = page.match(region, match)
    anchors = links(element)
    if bool(anchors) and draw(st.booleans()):
        return change.AddTracking(region, match, draw(st.integers(0, len(anchors) - 1)), draw(tracking_params))
    tags = [e.tag for e in element.iter() if isinstance(e.tag, str)]
    values = _attribute_values(reserved_names(page.version), texts)
    index = draw(st.integers(0, len(tags) - 1))
    return change.AddAttributes(
        region,
        match,
        index,
        tags[index],
        classes=tuple(draw(values.classes)),
        id=draw(values.id),
        data=tuple(draw(values.data)),
    )


@dataclass(frozen=True)
class _AttributeValues:
    classes: SearchStrategy[list[str]]
    id: SearchStrategy[str | None]
    data: SearchStrategy[list[tuple[str, str]]]


# Built once per layout version (its reserved names) and text strategy, not once per draw: hypothesis
# validates a strategy on its first draw, and for regex-built names that was a third of a small run.
@functools.lru_cache(maxsize=64)
def _attribute_values(reserved: frozenset[str], texts: SearchStrategy[str]) -> _AttributeValues:
    names = class_names.filter(lambda name: name not in reserved and f"data-{name}" not in reserved)
    return _AttributeValues(
        classes=st.lists(names, min_size=1, max_size=3, unique=True),
        id=st.none() | names,
        data=st.lists(st.tuples(names, texts), max_size=2, unique_by=lambda d: d[0]),
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
    root: etree._Element,
    version: LayoutVersion,
    kinds: Collection[str] = MUTATION_KINDS,
    *,
    page: ChromeMap | None = None,
) -> frozenset[str]:
    """Which of `kinds` have something to change on `root` as it is now (`page`: its map, if at hand)."""
    page = page or ChromeMap(root, version)
    matches = [(region, i) for region, found in page.matches.items() for i in range(len(found))]
    checks: dict[str, Callable[[], bool]] = {
        "text": lambda: any(page.has_solid_text(*m) for m in matches),
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


# Continue after each change with probability 2/3, so a page gets about three changes; shrinks to stop.
_another = st.sampled_from((False, True, True))


@st.composite
def chrome_changes(
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
    page = ChromeMap(root, version)  # the one map of this tree state: the draw and the change share it
    mutation = draw(chrome_mutations(root, version, kinds=kinds, texts=texts, page=page))
    mutation.apply(root, version, page)
    return (mutation, *draw(chrome_changes(root, version, min_changes - 1, max_changes - 1, kinds, texts)))
