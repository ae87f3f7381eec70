"""Property tests generated for every captured page: the chrome may change any way it likes, the article may not.

Four properties, each run once per page by the pytest plugin:

- invariance: after any chrome changes, the extraction equals the unchanged page's extraction;
- no leak: unique canaries written into every text of every chrome region never reach the article;
- sensitivity: a canary written into a body block turns up in the body (and only there), deleting a
  body block removes exactly its blocks, and no canary written into a metadata field reaches the body —
  so a layout whose selectors catch nothing, or everything, fails;
- daily changes: a stateful test that changes the chrome day after day, checking the article each day.

The checks (`check_*`) take one example and raise `AssertionError` with the changes in words; the
runners (`assert_*`) search for a failing example with hypothesis and shrink it. Both work on a
`Subject` — a page, the layouts that extract it, and the layout version that says where its chrome is
(normally the page's own version) — so they can be used outside the plugin, e.g. for a corpus.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from hypothesis import event, given, note
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from lxml import etree

from template_guard.engine.article import Article, clip
from template_guard.engine.layout import LayoutVersion
from template_guard.engine.pipeline import Extraction, run, run_page
from template_guard.engine.routing import LayoutSet, layout_for_page
from template_guard.store.pages import Page
from template_guard.testing.mutations import CANARY_PATTERN, Canary, ChromeMap, Mutation, describe_all, serialize
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
    page_tree,
    texts_for,
)

__all__ = [
    "Subject",
    "assert_daily_changes",
    "assert_invariance",
    "assert_no_leak",
    "assert_sensitivity",
    "check_invariance",
    "check_no_leak",
    "check_sensitivity",
    "daily_changes_machine",
]


@dataclass(frozen=True)
class Subject:
    """One page under test: its bytes and capture metadata, the layouts that extract it, and its baseline.

    `model` is the layout version that says where the chrome, the body blocks and the fields are; it is
    the page's own version, unless a test checks a changed layout against the original one.
    """

    page_id: str
    content: bytes
    url: str | None
    captured_at: dt.datetime | dt.date | None
    charset: str | None
    layouts: LayoutSet
    layout: str
    model: LayoutVersion
    baseline: Article

    @classmethod
    def of(
        cls,
        page: Page,
        layouts: LayoutSet,
        *,
        extraction: Extraction | None = None,
        model: LayoutVersion | None = None,
    ) -> Subject:
        """The subject for a captured page (pass the page's `extraction` when it is already known)."""
        if extraction is None:
            extraction = run_page(page, layouts=layouts, layout=layout_for_page(page, layouts).name)
        return cls(
            page_id=page.page_id,
            content=page.content,
            url=page.meta.url,
            captured_at=page.meta.captured_at,
            charset=page.meta.charset,
            layouts=layouts,
            layout=extraction.layout.name,
            model=model or extraction.version,
            baseline=extraction.article,
        )

    @classmethod
    def from_content(
        cls,
        content: bytes,
        *,
        url: str | None,
        captured_at: dt.datetime | dt.date | None,
        layouts: LayoutSet,
        charset: str | None = None,
        layout: str | None = None,
        model: LayoutVersion | None = None,
        page_id: str = "<page>",
    ) -> Subject:
        """The subject for page bytes that are not stored as a captured page."""
        extraction = run(
            content, url=url, captured_at=captured_at, layout=layout, layouts=layouts, http_charset=charset
        )
        return cls(
            page_id, content, url, captured_at, charset, layouts, extraction.layout.name,
            model or extraction.version, extraction.article,
        )  # fmt: skip

    def extract(self, content: bytes) -> Article:
        """The article of a changed copy of the page (strategies serialise pages as UTF-8)."""
        return run(
            content,
            url=self.url,
            captured_at=self.captured_at,
            layout=self.layout,
            layouts=self.layouts,
            http_charset="utf-8",
        ).article

    @cached_property
    def tree(self) -> etree._Element:
        """The page parsed once; strategies copy it for each example."""
        return page_tree(self.content, self.charset)


# ---- Single-example checks ----------------------------------------------------------------------


def check_invariance(subject: Subject, content: bytes, changes: str) -> None:
    """The article of `content` (the page after `changes`) must equal the page's baseline article."""
    article = subject.extract(content)
    if article != subject.baseline:
        raise AssertionError(
            f"{subject.page_id}: the article changed after: {changes}\n{describe_difference(subject.baseline, article)}"
        )


def check_no_leak(subject: Subject, content: bytes, canaries: tuple[Canary, ...], changes: str) -> None:
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
    marked = subject.extract(probe.with_canary)
    places = [place for place, text in article_places(marked) if probe.canary.token in text]
    body_places = [place for place in places if place.startswith("body block")]
    if len(body_places) != 1:
        found = f"in {len(body_places)} body blocks" if body_places else "missing from the body"
        problems.append(f"canary {probe.canary.describe()} is {found}")
    if others := [place for place in places if not place.startswith("body block")]:
        problems.append(f"canary {probe.canary.describe()} also turned up in {', '.join(others)}")
    fields = {canary.token: canary for canary in probe.field_canaries}
    for place, text in article_places(marked):
        if place.startswith("body block"):
            problems.extend(
                f"canary {fields[token].describe()} turned up in {place}"
                for token in CANARY_PATTERN.findall(text)
                if token in fields
            )
    without = subject.extract(probe.without_block)
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
    places = [
        ("the title", article.title),
        ("the standfirst", article.standfirst or ""),
        ("the published date", article.published or ""),
    ]
    places.extend((f"author {i}", author) for i, author in enumerate(article.authors, 1))
    places.extend((f"tag {i}", tag) for i, tag in enumerate(article.tags, 1))
    places.extend((f"body block {i} ({block.kind})", block.text) for i, block in enumerate(article.blocks, 1))
    return places


def describe_difference(before: Article, after: Article, *, limit: int = 12) -> str:
    """The fields that differ between two articles, and the body blocks added or removed, in a few lines."""
    lines = []
    for name in ("title", "standfirst", "authors", "published", "tags", "layout", "version"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            lines.append(f"  {name}: {clip(repr(old), 100)} -> {clip(repr(new), 100)}")
    old_blocks = [f"{b.kind}: {b.text}" for b in before.blocks]
    new_blocks = [f"{b.kind}: {b.text}" for b in after.blocks]
    matcher = difflib.SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.extend(f"  - body block {i + 1} {clip(old_blocks[i], 100)}" for i in range(i1, i2))
        lines.extend(f"  + body block {j + 1} {clip(new_blocks[j], 100)}" for j in range(j1, j2))
    if len(lines) > limit:
        lines = [*lines[:limit], f"  … and {len(lines) - limit} more differences"]
    return "\n".join(lines) or "  (no difference)"


def _excerpt(text: str, token: str, width: int = 40) -> str:
    at = text.find(token)
    start, end = max(0, at - width), at + len(token) + width
    return repr(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))


def _is_subsequence(part: tuple[Any, ...], whole: tuple[Any, ...]) -> bool:
    remaining = iter(whole)
    return all(any(item == candidate for candidate in remaining) for item in part)


def _metadata(article: Article) -> tuple[Any, ...]:
    return (article.title, article.standfirst, article.authors, article.published, article.tags)


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
        check_invariance(subject, mutated.content, mutated.describe())

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
        check_no_leak(subject, page.content, page.canaries, page.describe())

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

    class DailyChromeChanges(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.root = copy.deepcopy(base)
            self.days: list[str] = []
            self.available = available_kinds(self.root, model, ("text", "items", "inline"))

        def change(self, data: st.DataObject, kinds: tuple[str, ...]) -> None:
            changes = []
            for _ in range(data.draw(st.integers(1, max_changes_per_day), label="changes today")):
                left = available_kinds(self.root, model, kinds)  # e.g. the last list item was removed
                if not left:
                    break
                mutation = data.draw(chrome_mutations(self.root, model, kinds=left, texts=texts), label="change")
                mutation.apply(self.root, model)
                changes.append(mutation)
            self.days.append(f"day {len(self.days) + 1}: {describe_all(changes)}")
            note(self.days[-1])
            self.available = available_kinds(self.root, model, ("text", "items", "inline"))

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
            check_invariance(subject, serialize(self.root), "; ".join(self.days) or "no change")

    DailyChromeChanges.__name__ = DailyChromeChanges.__qualname__ = "DailyChromeChanges"
    return DailyChromeChanges


def assert_daily_changes(subject: Subject, *, settings: Settings | None = None) -> None:
    """Chrome that changes every day, in any order of kinds of change, leaves the article as it was."""
    run_state_machine_as_test(daily_changes_machine(subject), settings=settings or property_settings())


# ---- The generated tests ------------------------------------------------------------------------


@pytest.fixture
def subject(page: Page, layouts: LayoutSet, extraction: Extraction) -> Subject:
    """The captured page under test, with its own layout version as the chrome model."""
    return Subject.of(page, layouts, extraction=extraction)


def test_invariance(subject: Subject) -> None:
    """Chrome changes (text, lists, inline boxes, attributes, noise, whitespace) leave the article as it was."""
    assert_invariance(subject)


def test_no_leak(subject: Subject) -> None:
    """No text of any chrome region reaches the article."""
    assert_no_leak(subject)


def test_sensitivity(subject: Subject) -> None:
    """Each body block is read into the body and nowhere else; no metadata field is read into the body."""
    assert_sensitivity(subject)


def test_daily_chrome_changes(subject: Subject) -> None:
    """A sequence of daily chrome changes leaves the article as it was after every day."""
    assert_daily_changes(subject)
