"""The almayadeen-english layout extracts exactly the article from the reconstructed captures.

What counts as article and what as chrome is worked out from the text captures themselves (and, for
the inline "Related News" box, from the page), never from the layout under test.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from template_guard import Article, extract_page, read_page
from template_guard.engine.parse import parse_html
from template_guard.engine.visible import visible_lines

PAGES = Path(__file__).parents[1] / "pages" / "almayadeen-english"
SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"

# Page slug → the file-name prefix of the text capture it was reconstructed from.
SEED_FOR_PAGE = {
    "almaty-faced-6-waves": "000",
    "kazakhstan-terrorists-block-entry": "001",
    "kazakhstan-critical-red-level": "002",
    "over-5000-arrested": "004",
}
CLEAN_EXTRACTION = "003"  # the expected extraction of the page rebuilt from capture 000
CLEAN_PAGE = "almaty-faced-6-waves"

_LIST_BULLET = re.compile(r"^\s+• ")  # the capture's own list marker; a second bullet is item text
RELATED_LABEL = "Related News"  # the visible heading of the inline related-articles box
BYLINE_DATE_FORMAT = "%d %b %Y %H:%M"  # how the byline prints the publication time


def seed_text(prefix: str) -> str:
    """The capture whose file name starts with `prefix`; skips the test when the seeds are not there."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed capture {prefix}_*.txt not found in {SEEDS} (the shared seeds are not checked out)")
    return found[0].read_text(encoding="utf-8")


def clean(line: str) -> str:
    """A capture line as visible text: list bullet and indentation stripped, whitespace collapsed, NFC."""
    return unicodedata.normalize("NFC", " ".join(_LIST_BULLET.sub("", line, count=1).split()))


@dataclass(frozen=True)
class Capture:
    """A text capture split into the parts of the article template."""

    lines: tuple[str, ...]  # every visible line of the page
    title: str
    byline: tuple[str, ...]
    standfirst: str
    body: tuple[str, ...]  # the body as shown, inline boxes included
    tags: tuple[str, ...]


def read_capture(text: str) -> Capture:
    """Split a capture by its layout: chrome down to the ticker, then the title, then runs of list and text lines.

    The capture indents list items (and their continuation lines) and leaves blank lines between
    blocks, so after the title the non-blank lines fall into alternating runs: byline list,
    read time + standfirst, figure list, body, tags list, and the chrome below the article.
    """
    raw = text.splitlines()
    end_of_ticker = raw.index("", raw.index("BREAKING"))  # the ticker's items run up to the first blank line
    rest = [line for line in raw[end_of_ticker:] if line.strip()]
    runs: list[list[str]] = []
    for line in rest[1:]:
        indented = line[:1].isspace()
        if runs and runs[-1][0][:1].isspace() == indented:
            runs[-1].append(line)
        else:
            runs.append([line])
    byline, read_time_and_standfirst, _figure, body, tags = runs[:5]
    assert len(read_time_and_standfirst) == 2 and read_time_and_standfirst[0].endswith("Min Read"), runs[:5]
    return Capture(
        lines=tuple(clean(line) for line in raw if line.strip()),
        title=clean(rest[0]),
        byline=tuple(map(clean, byline)),
        standfirst=clean(read_time_and_standfirst[1]),
        body=tuple(map(clean, body)),
        tags=tuple(map(clean, tags)),
    )


def related_box_lines(slug: str) -> list[str]:
    """The visible lines of the page's inline related box: the smallest element that starts with its label."""
    page = read_page(PAGES / f"{slug}.html")
    root = parse_html(page.content, page.meta.charset).root
    boxes = [lines for element in root.iter() if (lines := visible_lines(element))[:1] == [RELATED_LABEL] and len(lines) > 1]
    return min(boxes, key=len) if boxes else []


def article_lines(capture: Capture, slug: str) -> list[str]:
    """The lines a clean extraction must give: title, standfirst, then the body without the related box."""
    box = related_box_lines(slug)
    body = list(capture.body)
    if box:
        start = body.index(box[0])
        assert body[start:start + len(box)] == box, "the related box is not a contiguous run of the body"
        del body[start:start + len(box)]
    return [capture.title, capture.standfirst, *body]


@pytest.fixture(params=sorted(SEED_FOR_PAGE))
def case(request: pytest.FixtureRequest) -> tuple[str, Capture, Article]:
    slug = request.param
    capture = read_capture(seed_text(SEED_FOR_PAGE[slug]))
    return slug, capture, extract_page(PAGES / f"{slug}.html")


def test_canonical_text_equals_the_clean_extraction() -> None:
    expected = seed_text(CLEAN_EXTRACTION).encode("utf-8")
    text = extract_page(PAGES / f"{CLEAN_PAGE}.html").to_text().encode("utf-8")
    assert text.removesuffix(b"\n") == expected.removesuffix(b"\n")


def test_the_tweet_gives_its_text_and_attribution_as_tweet_blocks() -> None:
    page = read_page(PAGES / f"{CLEAN_PAGE}.html")
    root = parse_html(page.content, page.meta.charset).root
    (tweet,) = root.cssselect("blockquote.twitter-tweet")
    article = extract_page(page.path)
    assert [block.text for block in article.blocks if block.kind == "tweet"] == visible_lines(tweet)


def test_title_and_standfirst_are_those_of_the_capture(case: tuple[str, Capture, Article]) -> None:
    _, capture, article = case
    assert (article.title, article.standfirst) == (capture.title, capture.standfirst)


def test_text_is_the_article_of_the_capture(case: tuple[str, Capture, Article]) -> None:
    slug, capture, article = case
    assert article.to_text().splitlines() == article_lines(capture, slug)


def test_no_chrome_line_in_the_text(case: tuple[str, Capture, Article]) -> None:
    slug, capture, article = case
    chrome = set(capture.lines) - set(article_lines(capture, slug))
    # Sanity: the computed chrome holds what the captures show around every article.
    assert {*capture.byline, *capture.tags, "BREAKING", "Most Read", "Read Next"} <= chrome
    leaked = [line for line in article.to_text().splitlines() if line in chrome]
    assert not leaked, f"chrome in the extracted text: {leaked}"


def test_authors_published_and_tags(case: tuple[str, Capture, Article]) -> None:
    _, capture, article = case
    authors = tuple(item.removeprefix("By ") for item in capture.byline if item.startswith("By "))
    assert article.authors == authors and authors
    assert article.tags == capture.tags

    shown = [when for item in capture.byline if (when := _byline_time(item))]
    assert article.published is not None and len(shown) == 1
    published = dt.datetime.fromisoformat(article.published)
    # The byline shows the site's local wall-clock time; the field keeps it with its UTC offset.
    assert published.utcoffset() is not None
    assert published.replace(tzinfo=None) == shown[0]


def test_layout_and_version(case: tuple[str, Capture, Article]) -> None:
    _, _, article = case
    assert (article.layout, article.version) == ("almayadeen-english", "2021")


def _byline_time(item: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(item, BYLINE_DATE_FORMAT)
    except ValueError:
        return None
