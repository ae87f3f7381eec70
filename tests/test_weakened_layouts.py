"""The guard must be able to fail: weakened copies of the Al Mayadeen layout break the property tests.

Each test writes a deliberately weakened copy of the packaged layout into a temporary directory and
runs the same property functions the generated suite runs. The chrome model (where the chrome, the body
blocks and the fields really are) stays the intact layout's version: the weakened copy plays a layout
edit that regressed. Each property must fail for the right reason, and the failure message must carry
the shrunk, human description of the changes that broke it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, settings

from template_guard import LayoutSet, LayoutVersion, Page, load_layouts, read_page
from template_guard.engine.routing import PACKAGED_LAYOUTS
from template_guard.testing.mutations import MoveInline
from template_guard.testing.properties import (
    Subject,
    assert_daily_changes,
    assert_invariance,
    assert_no_leak,
    assert_sensitivity,
)
from template_guard.testing.strategies import MutatedPage, mutated_pages

LAYOUT = "almayadeen-english"
LAYOUT_TEXT = (PACKAGED_LAYOUTS / f"{LAYOUT}.toml").read_text(encoding="utf-8")
PAGE = Path(__file__).parents[1] / "pages" / LAYOUT / "over-5000-arrested.html"  # has the inline box

# Fixed examples, nothing stored, and enough of them that a weakness the properties can see is found.
SEARCH = settings(
    max_examples=60,
    stateful_step_count=10,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,  # one failure is the point; do not search on for a second one
    suppress_health_check=[HealthCheck.too_slow],
)

BODY_TABLE = "[versions.fields.body]"


def drop_table(text: str, header: str) -> str:
    """The layout text without the TOML table `header` (up to the next table or comment heading)."""
    pattern = re.compile(rf"^{re.escape(header)}\n(?:(?!\[|# ----).*\n?)*", re.MULTILINE)
    weakened, count = pattern.subn("", text)
    assert count == 1, f"{header} is not in the packaged layout any more; update this test"
    return weakened


def with_selector(text: str, header: str, css: str) -> str:
    """The layout text with the CSS selector of table `header` replaced by `css`."""
    pattern = re.compile(rf"^({re.escape(header)}\n(?:(?!\[).*\n)*?)css = .*$", re.MULTILINE)
    weakened, count = pattern.subn(lambda m: f'{m.group(1)}css = "{css}"', text)
    assert count == 1, f"{header} has no css selector in the packaged layout any more; update this test"
    return weakened


def with_body(text: str, body: str) -> str:
    """The layout text with its body table replaced by `body`."""
    return drop_table(text, BODY_TABLE).rstrip() + f"\n\n{BODY_TABLE}\n{body}"


WEAKENINGS = {
    # The inline "Related News" box is not declared: its headlines are read as body blocks.
    "without-related-inline": lambda text: drop_table(text, "[versions.boilerplate.related-inline]"),
    # The lead figure is read as a body container and its caption as a block.
    "caption-in-body": lambda text: with_body(
        drop_table(text, "[versions.boilerplate.figure]"),
        'css = "div.article-body, figure.article-figure"\n'
        'blocks = [{ kind = "paragraph", css = "p" }, { kind = "heading", css = "h3" }, '
        '{ kind = "caption", css = "figcaption" }]\n',
    ),
    # A typo in the block selector: the body container is found, no block is.
    "blocks-catch-nothing": lambda text: with_body(
        text, 'css = "div.article-body"\nblocks = [{ kind = "paragraph", css = "p.paragraph" }]\n'
    ),
    # The inline box is found by its position among the body's children: right today, wrong tomorrow.
    "related-by-position": lambda text: with_selector(
        text, "[versions.boilerplate.related-inline]", "div.article-body > div.related-news:nth-child(8)"
    ),
    # The body is the whole page: title, byline, standfirst and tags are read as body blocks too.
    "body-catches-everything": lambda text: with_body(
        text, 'css = "body"\nblocks = [{ kind = "text", css = "h1, h2, h3, p, li" }]\n'
    ),
}


def weakened_layouts(tmp_path: Path, name: str) -> LayoutSet:
    """Only the weakened copy of the layout, loaded from its own directory."""
    folder = tmp_path / name
    folder.mkdir()
    text = WEAKENINGS[name](LAYOUT_TEXT)
    assert text != LAYOUT_TEXT
    (folder / f"{LAYOUT}.toml").write_text(text, encoding="utf-8")
    return load_layouts([folder], packaged=False)


@pytest.fixture(scope="module")
def page() -> Page:
    return read_page(PAGE)


@pytest.fixture(scope="module")
def model(page: Page) -> LayoutVersion:
    """The intact layout's version: where the chrome, the body blocks and the fields really are."""
    return load_layouts().get(LAYOUT).version_for(page.meta.capture_date)


def subject_for(tmp_path: Path, name: str, page: Page, model: LayoutVersion) -> Subject:
    return Subject.of(page, weakened_layouts(tmp_path, name), model=model)


def failure(check: Callable[..., None], subject: Subject, **options: Any) -> str:
    """The message of the property's failure: the assertion plus hypothesis' notes (the falsifying example)."""
    with pytest.raises(AssertionError) as raised:
        check(subject, settings=SEARCH, **options)
    return "\n".join([str(raised.value), *getattr(raised.value, "__notes__", [])])


def changes_in(message: str, after: str = "after: ") -> str:
    """The description of the changes in the first line of a failure message."""
    return message.splitlines()[0].split(after, 1)[1]


def test_the_intact_layout_passes_every_property(page: Page, model: LayoutVersion) -> None:
    subject = Subject.of(page, load_layouts())
    assert subject.model == model
    quick = settings(SEARCH, max_examples=15)
    for check in (assert_invariance, assert_no_leak, assert_sensitivity, assert_daily_changes):
        check(subject, settings=quick)


def test_invariance_fails_without_the_inline_box_and_shrinks_to_one_change(
    tmp_path: Path, page: Page, model: LayoutVersion
) -> None:
    message = failure(assert_invariance, subject_for(tmp_path, "without-related-inline", page, model))
    changes = changes_in(message)
    assert "related-inline" in changes and ";" not in changes, message  # one change, in the undeclared box
    assert re.search(r"^  [-+] body block \d+ (paragraph|heading): ", message, re.MULTILINE), message
    # Hypothesis' own report names the example too ("Falsifying example", "Failing test case" since 6.16x).
    assert re.search(r"^(Falsifying example|Failing test case): invariance\(", message, re.MULTILINE), message
    assert message.count(changes) >= 2, message


def test_invariance_fails_when_the_caption_is_read_as_body(tmp_path: Path, page: Page, model: LayoutVersion) -> None:
    # Text changes only: among ~3 random changes of any kind the one-line caption is rarely picked.
    message = failure(assert_invariance, subject_for(tmp_path, "caption-in-body", page, model), kinds={"text"})
    changes = changes_in(message)
    assert changes.startswith("replaced text 1 of figure") and ";" not in changes, message
    assert "caption: Thousands were arrested across Kazakhstan." in message, message


def test_no_leak_names_each_canary_of_the_undeclared_box(tmp_path: Path, page: Page, model: LayoutVersion) -> None:
    message = failure(assert_no_leak, subject_for(tmp_path, "without-related-inline", page, model))
    assert changes_in(message).startswith("no change; then "), message  # shrunk to the page as it is
    leaks = re.findall(r"written into (\S+), text \d+ .*\) turned up in body block \d+", message)
    assert leaks and set(leaks) == {"related-inline"}, message
    assert "'Related News'" in message


def test_no_leak_catches_the_caption(tmp_path: Path, page: Page, model: LayoutVersion) -> None:
    message = failure(assert_no_leak, subject_for(tmp_path, "caption-in-body", page, model))
    leak = r"written into figure, text 1 'Thousands were arrested.*\) turned up in body block 1 \(caption\)"
    assert re.search(leak, message), message


def test_sensitivity_fails_when_block_rules_catch_nothing(tmp_path: Path, page: Page, model: LayoutVersion) -> None:
    subject = subject_for(tmp_path, "blocks-catch-nothing", page, model)
    assert subject.baseline.blocks == ()
    message = failure(assert_sensitivity, subject)
    assert "written into body block 1 (paragraph) at its start) is missing from the body" in message, message
    assert "did not remove exactly its blocks (0 blocks before, 0 after)" in message, message


def test_sensitivity_fails_when_the_body_catches_everything(tmp_path: Path, page: Page, model: LayoutVersion) -> None:
    subject = subject_for(tmp_path, "body-catches-everything", page, model)
    message = failure(assert_sensitivity, subject)
    for field in ("title", "standfirst", "authors", "tags"):
        assert re.search(rf"written into the {field} field .*\) turned up in body block \d+", message), message


def test_the_stateful_test_fails_on_the_day_the_undeclared_box_changes(
    tmp_path: Path, page: Page, model: LayoutVersion
) -> None:
    message = failure(assert_daily_changes, subject_for(tmp_path, "without-related-inline", page, model))
    days = changes_in(message).split("; ")
    assert days == [days[0]] and days[0].startswith("day 1: ") and "related-inline" in days[0], message
    assert "state = DailyChromeChanges()" in message, message


def test_the_generated_suite_catches_a_box_found_by_its_position(tmp_path: Path, page: Page) -> None:
    # As the generated tests do: the layout under test is also the chrome model. Today it removes the box.
    subject = Subject.of(page, weakened_layouts(tmp_path, "related-by-position"))
    assert not any("Related News" in text for text in subject.baseline.body)
    message = failure(assert_invariance, subject)
    assert changes_in(message).startswith("moved the related-inline box "), message
    assert "+ body block" in message and "paragraph: Related News" in message, message


def test_find_shrinks_an_invariance_failure_to_one_readable_change(
    tmp_path: Path, page: Page, model: LayoutVersion
) -> None:
    subject = subject_for(tmp_path, "without-related-inline", page, model)

    def changes_the_article(mutated: MutatedPage) -> bool:
        return subject.extract(mutated.content) != subject.baseline

    strategy = mutated_pages(page.content, model, kinds={"inline"}, charset=page.meta.charset)
    minimal = find(strategy, changes_the_article, settings=SEARCH)
    assert len(minimal.changes) == 1
    (change,) = minimal.changes
    assert isinstance(change, MoveInline)
    assert change.describe() == "moved the related-inline box before body block 1"
