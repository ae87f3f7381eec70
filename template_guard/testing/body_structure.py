"""The body-structure property: the body rules are checked against the page, not taken on trust.

- coverage: every text inside a body container is read by a block rule, or removed as a region, an
  exclusion or noise (a block rule that went missing leaves its elements' text unread);
- structure: after wrapping body blocks in new `<div>`/`<section>` elements, adding a canaried copy of an
  element of every block kind (it must come out, as that kind) and an element for every exclude rule
  holding a canaried `<p>` (it must never reach the article), the article is the page's own plus exactly
  the kinds' canary blocks.

Each failure names the block or element, what was seen, and the layout key to change.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, given, note
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from lxml import etree

from template_guard.engine.layout import LayoutVersion
from template_guard.testing.body_mutations import (
    InsertBlockCopy,
    InsertExcluded,
    WrapBlocks,
    describe_element,
    exclusion_sources,
    kind_sources,
    template_fits,
    wrappable_runs,
)
from template_guard.testing.canaries import canary_token
from template_guard.testing.chrome_map import ChromeMap, iter_text_slots, quoted
from template_guard.testing.diff import describe_difference
from template_guard.testing.mutations import Mutation, describe_all
from template_guard.testing.profiles import property_settings
from template_guard.testing.properties import article_places
from template_guard.testing.subject import Subject

__all__ = ["StructureProbe", "assert_body_structure", "check_coverage", "check_structure", "structure_probes"]

WRAPPER_TAGS = ("div", "section")


@dataclass(frozen=True, repr=False)
class StructureProbe:
    """A page after body-structure changes: the tree, the changes, and what each canary must do."""

    root: etree._Element = field(compare=False)
    changes: tuple[Mutation, ...]
    kinds: dict[str, str]  # canary token -> the block kind it must come out as
    excluded: dict[str, int]  # canary token -> the exclude rule (0-based) that must keep it out

    def describe(self) -> str:
        """The changes in words."""
        return describe_all(self.changes)

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        printer.text(repr(self))


def structure_probes(base: etree._Element, version: LayoutVersion) -> SearchStrategy[StructureProbe]:
    """Pages with up to 3 wraps of body blocks, then one canaried copy per block kind and one canaried
    element per exclude rule that has an element on the page or a buildable selector."""
    page = ChromeMap(base, version)
    runs = wrappable_runs(page)
    kinds = {kind: len(kind_sources(page, kind)) for kind in dict.fromkeys(rule.kind for rule in version.body.blocks)}
    rules = range(len(version.body.exclude))
    sources = {rule: exclusion_sources(page, rule) for rule in rules}
    buildable = {rule: [c for c in range(len(page.containers)) if template_fits(page, rule, c)] for rule in rules}

    @st.composite
    def build(draw: DrawFn) -> StructureProbe:
        root = copy.deepcopy(base)
        changes: list[Mutation] = []
        tokens = (canary_token(n) for n in itertools.count(900))
        # Wraps go innermost first: each is addressed in the tree as the previous ones left it.
        for first, length in draw(st.lists(st.sampled_from(runs), max_size=3, unique=True)) if runs else []:
            start = draw(st.integers(first, first + length - 1), label="first wrapped block")
            count = draw(st.integers(1, first + length - start), label="blocks wrapped")
            changes.append(WrapBlocks(start, count, draw(st.sampled_from(WRAPPER_TAGS))))
        _apply(root, version, changes)
        expected: dict[str, str] = {}
        for kind, count in kinds.items():
            if count:  # a kind no element has on this page is untested here (`template-guard check` says so)
                source = draw(st.integers(0, count - 1), label=f"{kind} copied")
                token = next(tokens)
                expected[token] = kind
                changes.append(InsertBlockCopy(kind, source, token, _tag_of(root, version, kind, source)))
        kept_out: dict[str, int] = {}
        for rule in rules:
            choices = [(c, m) for c, m in sources[rule]] + [(c, None) for c in buildable[rule]]
            if choices:
                container, match = draw(st.sampled_from(choices), label=f"exclude rule {rule + 1} element")
                token = next(tokens)
                kept_out[token] = rule
                changes.append(InsertExcluded(rule, container, match, token, _exclusion_tag(version, rule)))
        _apply(root, version, changes[len(changes) - len(expected) - len(kept_out) :])
        return StructureProbe(root, tuple(changes), expected, kept_out)

    return build()


def _apply(root: etree._Element, version: LayoutVersion, changes: list[Mutation]) -> None:
    for change in changes:
        change.apply(root, version)  # a map per tree state: each change moves what the next one addresses


def _tag_of(root: etree._Element, version: LayoutVersion, kind: str, source: int) -> str:
    return f"<{kind_sources(ChromeMap(root, version), kind)[source].tag}>"


def _exclusion_tag(version: LayoutVersion, rule: int) -> str:
    return f"<{version.body.exclude[rule].expression}>"


# ---- Checks -----------------------------------------------------------------------------------------------


def _key(subject: Subject, rest: str) -> str:
    names = [version.name for version in subject.layouts.get(subject.layout).versions]
    index = names.index(subject.model.name) if subject.model.name in names else 0
    return f"versions[{index}].{rest}"


def check_coverage(subject: Subject) -> None:
    """Every text inside the body containers is in a block, a region, an exclusion or noise."""
    page = ChromeMap(subject.tree, subject.model)
    body = page.body
    skip = page.chrome | page.noise | body.inside_exclusions | frozenset(body.kinds)
    unread = [slot for container in body.containers for slot in iter_text_slots(container, skip) if slot.get().strip()]
    if unread:
        listed = "\n  ".join(
            f"{quoted(slot.get(), 60)} in {describe_element(slot.owner) if slot.owner is not None else 'the body'}"
            for slot in unread[:5]
        )
        more = f"\n  … and {len(unread) - 5} more" if len(unread) > 5 else ""
        raise AssertionError(
            f"{subject.page_id}: {len(unread)} text(s) inside the body container that no block rule reads and no "
            f"region or exclusion removes:\n  {listed}{more}\n"
            f"add a block rule ({_key(subject, 'fields.body.blocks')}) or an exclusion "
            f"({_key(subject, 'fields.body.exclude')}), or declare the chrome as a region "
            f"({_key(subject, 'boilerplate')})"
        )


def check_structure(subject: Subject, probe: StructureProbe) -> None:
    """Each kind's canary comes out once as that kind, no exclusion canary comes out, and the rest is unchanged."""
    article = subject.extract(probe.root)
    problems: list[str] = []
    blocks = article.blocks
    for token, kind in probe.kinds.items():
        found = [(i, b) for i, b in enumerate(blocks, 1) if token in b.text]
        if len(found) != 1 or found[0][1].kind != kind:
            seen = ", ".join(f"body block {i} ({b.kind})" for i, b in found) or "nowhere in the body"
            position = [rule.kind for rule in subject.model.body.blocks].index(kind)
            problems.append(
                f"the copy of a {kind} element holding {token} came out in {seen}, not as one {kind} block; "
                f"check {_key(subject, f'fields.body.blocks[{position}]')}"
            )
    for token, rule in probe.excluded.items():
        if any(token in text for _, text in article_places(article)):
            problems.append(
                f"the <p> holding {token} inside an element body exclude rule {rule + 1} "
                f"({subject.model.body.exclude[rule]}) matches reached the article; "
                f"check {_key(subject, f'fields.body.exclude[{rule}]')}"
            )
    kept = tuple(b for b in blocks if not any(token in b.text for token in probe.kinds))
    rest = dataclasses.replace(article, blocks=kept)
    if rest != subject.baseline:
        problems.append("the rest of the article changed:\n" + describe_difference(subject.baseline, rest))
    if problems:
        listed = "\n  ".join(problems)
        raise AssertionError(f"{subject.page_id}: the body rules do not hold after: {probe.describe()}\n  {listed}")


def _run(test: Callable[..., None], strategy: SearchStrategy[Any], chosen: Settings | None) -> None:
    (chosen or property_settings())(given(strategy)(test))()


def assert_body_structure(subject: Subject, *, settings: Settings | None = None) -> None:
    """Coverage first (one check, no search), then the structure changes searched by hypothesis."""
    check_coverage(subject)
    strategy = structure_probes(subject.tree, subject.model)

    def body_structure(probe: StructureProbe) -> None:
        note(probe.describe())
        for change in probe.changes:
            event(f"body mutation: {type(change).__name__}")
        check_structure(subject, probe)

    _run(body_structure, strategy, settings)
