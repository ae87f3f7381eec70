"""The four properties of a page under chrome changes, as single-example checks and as hypothesis searches.

- invariance: after any chrome changes, the extraction equals the unchanged page's extraction;
- no leak: unique canaries written into every text of every chrome region never reach the article;
- sensitivity: a canary written into a body block turns up in the body (and only there), deleting a
  body block removes exactly its blocks, and no canary written into a metadata field reaches the body —
  so a layout whose selectors catch nothing, or everything, fails;
- daily changes: a stateful test that changes the chrome day after day, checking the article each day.

The checks (`check_*`) take one example and raise `AssertionError` with the changes in words; the
runners (`assert_*`) search for a failing example with hypothesis and shrink it. Both work on a
`Subject`, so they can be used outside the plugin, e.g. for a corpus.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

from hypothesis import event, given, note
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from lxml import etree

from template_guard.engine.article import Article
from template_guard.engine.registry import METADATA_FIELDS, field_spec
from template_guard.testing.canaries import CANARY_PATTERN, Canary
from template_guard.testing.chrome_map import ChromeMap
from template_guard.testing.diff import describe_difference
from template_guard.testing.mutations import Mutation, describe_all
from template_guard.testing.profiles import property_settings
from template_guard.testing.strategies import (
    MUTATION_KINDS,
    BodyProbe,
    CanariedPage,
    MutatedPage,
    available_kinds,
    body_probes,
    canaried_pages,
    chrome_mutations,
    mutated_pages,
    texts_for,
)
from template_guard.testing.subject import Subject

__all__ = [
    "Subject",
    "article_places",
    "assert_daily_changes",
    "assert_invariance",
    "assert_no_leak",
    "assert_sensitivity",
    "check_invariance",
    "check_no_leak",
    "check_sensitivity",
    "daily_changes_machine",
]

_BODY = field_spec("body")
_RULE_KINDS = ("text", "items", "inline")  # the kinds the state machine's rules need something to change in


# ---- Single-example checks ----------------------------------------------------------------------


def check_invariance(subject: Subject, content: bytes | etree._Element, changes: str) -> None:
    """The article of `content` (the page after `changes`, bytes or tree) must equal the page's baseline article."""
    article = subject.extract(content)
    if article != subject.baseline:
        raise AssertionError(
            f"{subject.page_id}: the article changed after: {changes}\n{describe_difference(subject.baseline, article)}"
        )


def check_no_leak(
    subject: Subject, content: bytes | etree._Element, canaries: tuple[Canary, ...], changes: str
) -> None:
    """No canary written into the chrome of `content` may appear anywhere in its article."""
    article = subject.extract(content)
    written = {canary.token: canary for canary in canaries}
    leaks = [
        f"  {written[token].describe()} turned up in {place}: {_excerpt(text, token)}"
        for place, text in article_places(article)
        for token in CANARY_PATTERN.findall(text)
        if token in written
    ]
    if leaks:
        raise AssertionError(f"{subject.page_id}: chrome leaked into the article after: {changes}\n" + "\n".join(leaks))


def check_sensitivity(subject: Subject, probe: BodyProbe) -> None:
    """A body block's canary reaches the body only, field canaries never do, and deleting a block removes it."""
    problems = []
    marked = subject.extract(probe.marked)  # article edits: the layout's selectors are tested, not the parser
    places = [place for place, text in article_places(marked) if probe.canary.token in text]
    body_places = [place for place in places if place.startswith(_BODY.place)]
    if len(body_places) != 1:
        found = f"in {len(body_places)} body blocks" if body_places else "missing from the body"
        problems.append(f"canary {probe.canary.describe()} is {found}")
    if others := [place for place in places if not place.startswith(_BODY.place)]:
        problems.append(f"canary {probe.canary.describe()} also turned up in {', '.join(others)}")
    fields = {canary.token: canary for canary in probe.field_canaries}
    for place, text in article_places(marked):
        if place.startswith(_BODY.place):
            problems.extend(
                f"canary {fields[token].describe()} turned up in {place}"
                for token in CANARY_PATTERN.findall(text)
                if token in fields
            )
    without = subject.extract(probe.deleted)
    before, after = subject.baseline.blocks, without.blocks
    difference = "" if without == subject.baseline else "\n" + describe_difference(subject.baseline, without)
    if not (len(after) < len(before) and _is_subsequence(after, before)):
        problems.append(
            f"{probe.deletion.describe()} {probe.block_text!r} did not remove exactly its blocks "
            f"({len(before)} blocks before, {len(after)} after){difference}"
        )
    elif _metadata(without) != _metadata(subject.baseline):
        problems.append(f"{probe.deletion.describe()} changed more than the body{difference}")
    if problems:
        listed = "\n  ".join(problems)
        raise AssertionError(f"{subject.page_id}: the body is not read where the article is:\n  {listed}")


def article_places(article: Article) -> list[tuple[str, str]]:
    """Every text of an article with a name for where it is: 'the title', 'tag 2', 'body block 3 (paragraph)'."""
    places: list[tuple[str, str]] = []
    for spec in (*METADATA_FIELDS, _BODY):  # the body last: its blocks are the longest list
        if spec.is_body:
            places.extend((f"{spec.describe(i)} ({b.kind})", b.text) for i, b in enumerate(article.blocks, 1))
        elif spec.multiple:
            places.extend((spec.describe(i), value) for i, value in enumerate(getattr(article, spec.name), 1))
        else:
            places.append((spec.describe(), getattr(article, spec.name) or ""))
    return places


def _excerpt(text: str, token: str, width: int = 40) -> str:
    at = text.find(token)
    start, end = max(0, at - width), at + len(token) + width
    return repr(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))


def _is_subsequence(part: tuple[Any, ...], whole: tuple[Any, ...]) -> bool:
    remaining = iter(whole)
    return all(any(item == candidate for candidate in remaining) for item in part)


def _metadata(article: Article) -> tuple[Any, ...]:
    return tuple(getattr(article, spec.name) for spec in METADATA_FIELDS)


# ---- Properties (hypothesis searches and shrinks) -------------------------------------------------


def _run(test: Callable[..., None], strategy: st.SearchStrategy[Any], chosen: Settings | None) -> None:
    (chosen or property_settings())(given(strategy)(test))()


def assert_invariance(
    subject: Subject,
    *,
    settings: Settings | None = None,
    max_changes: int = 6,
    kinds: Collection[str] = MUTATION_KINDS,
) -> None:
    """Any chrome changes (of the given `kinds`) leave the article as it was."""
    strategy = mutated_pages(subject.tree, subject.model, max_changes=max_changes, kinds=kinds)

    def invariance(mutated: MutatedPage) -> None:
        _record(mutated.changes)
        check_invariance(subject, subject.page_after(mutated.root, mutated.changes), mutated.describe())

    _run(invariance, strategy, settings)


def assert_no_leak(
    subject: Subject,
    *,
    settings: Settings | None = None,
    max_changes: int = 4,
    kinds: Collection[str] = MUTATION_KINDS,
) -> None:
    """Canaries in every chrome text never reach the article, whatever else changed in the chrome."""
    strategy = canaried_pages(subject.tree, subject.model, max_changes=max_changes, kinds=kinds)

    def no_leak(page: CanariedPage) -> None:
        _record(page.changes)
        check_no_leak(subject, subject.page_after(page.root, page.changes), page.canaries, page.describe())

    _run(no_leak, strategy, settings)


def assert_sensitivity(subject: Subject, *, settings: Settings | None = None) -> None:
    """Every body block is read, only into the body, and deleting one removes it."""
    if not ChromeMap(subject.tree, subject.model).blocks:
        raise AssertionError(
            f"{subject.page_id}: layout version {subject.model.name!r} finds no body block on the page "
            f"(body {subject.model.body.selector}; block rules: "
            + ", ".join(str(rule.selector) for rule in subject.model.body.blocks)
            + ")"
        )
    strategy = body_probes(subject.tree, subject.model)

    def sensitivity(probe: BodyProbe) -> None:
        note(probe.describe())
        check_sensitivity(subject, probe)

    _run(sensitivity, strategy, settings)


def _record(changes: tuple[Mutation, ...]) -> None:
    note(describe_all(changes))
    for mutation in changes:
        event(f"mutation kind: {mutation.kind}")


def daily_changes_machine(subject: Subject, *, max_changes_per_day: int = 3) -> type[RuleBasedStateMachine]:
    """A state machine that changes the page's chrome day after day and checks the article every day."""
    base = subject.tree
    model = subject.model
    texts = texts_for(base, model)
    initial = available_kinds(base, model, _RULE_KINDS)

    class DailyChromeChanges(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.root = copy.deepcopy(base)
            self.days: list[str] = []
            self.changes: list[Mutation] = []
            # The map of the tree as it is now, built when first needed: one per tree state, shared by what
            # is available, the draw and the change (a map walks the whole tree; one per step was most of
            # the cost). The first state is the page itself, whose kinds are known already.
            self.page: ChromeMap | None = None
            self.available = initial

        def current_map(self) -> ChromeMap:
            if self.page is None:
                self.page = ChromeMap(self.root, model)
            return self.page

        def change(self, data: st.DataObject, kinds: tuple[str, ...]) -> None:
            changes = []
            for _ in range(data.draw(st.integers(1, max_changes_per_day), label="changes today")):
                page = self.current_map()
                left = available_kinds(self.root, model, kinds, page=page)  # e.g. the last list item was removed
                if not left:
                    break
                mutation = data.draw(chrome_mutations(self.root, model, kinds=left, texts=texts, page=page), label="change")
                mutation.apply(self.root, model, page)
                self.page = None
                changes.append(mutation)
            self.changes.extend(changes)
            self.days.append(f"day {len(self.days) + 1}: {describe_all(changes)}")
            note(self.days[-1])
            self.available = available_kinds(self.root, model, _RULE_KINDS, page=self.current_map())

        @precondition(lambda self: "text" in self.available)
        @rule(data=st.data())
        def news_moves_on(self, data: st.DataObject) -> None:
            """New ticker headlines, list entries, captions and dates."""
            self.change(data, ("text",))

        @precondition(lambda self: "items" in self.available)
        @rule(data=st.data())
        def lists_change(self, data: st.DataObject) -> None:
            """Items added to, dropped from, repeated in and reordered in chrome lists."""
            self.change(data, ("items",))

        @precondition(lambda self: "inline" in self.available)
        @rule(data=st.data())
        def inline_box_moves(self, data: st.DataObject) -> None:
            """An inline box moves to another place between body blocks, or appears twice."""
            self.change(data, ("inline",))

        @rule(data=st.data())
        def front_end_deploys(self, data: st.DataObject) -> None:
            """New classes, ids, data attributes, tracking parameters, scripts, comments and whitespace."""
            self.change(data, ("attributes", "noise", "whitespace"))

        @invariant()
        def article_is_unchanged(self) -> None:
            check_invariance(subject, subject.page_after(self.root, self.changes), "; ".join(self.days) or "no change")

    DailyChromeChanges.__name__ = DailyChromeChanges.__qualname__ = "DailyChromeChanges"
    return DailyChromeChanges


def assert_daily_changes(subject: Subject, *, settings: Settings | None = None) -> None:
    """Chrome that changes every day, in any order of kinds of change, leaves the article as it was."""
    run_state_machine_as_test(daily_changes_machine(subject), settings=settings or property_settings())
