"""The reconstructed Al Mayadeen pages show exactly the text of the captures they were rebuilt from."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from template_guard.engine.parse import parse_html
from template_guard.engine.visible import visible_lines
from template_guard.store.pages import read_page

PAGES = Path(__file__).parents[1] / "pages" / "almayadeen-english"
SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"

# Page slug → the file-name prefix of the text capture it was reconstructed from.
SEED_FOR_PAGE = {
    "almaty-faced-6-waves": "000",
    "kazakhstan-terrorists-block-entry": "001",
    "kazakhstan-critical-red-level": "002",
    "over-5000-arrested": "004",
}

# The capture marks a list item with indentation and one bullet; a bullet after it is the item's own text.
_LIST_BULLET = re.compile(r"^\s+• ")


def capture_lines(text: str) -> list[str]:
    """The non-empty lines of a text capture, list bullets and indentation stripped, whitespace collapsed."""
    lines = (" ".join(_LIST_BULLET.sub("", raw, count=1).split()) for raw in text.splitlines())
    return [unicodedata.normalize("NFC", line) for line in lines if line]


def seed_text(prefix: str) -> str:
    """The capture whose file name starts with `prefix`; skips the test when the seeds are not there."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed capture {prefix}_*.txt not found in {SEEDS} (the shared seeds are not checked out)")
    return found[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", sorted(SEED_FOR_PAGE))
def test_page_shows_the_text_of_its_capture(slug: str) -> None:
    expected = capture_lines(seed_text(SEED_FOR_PAGE[slug]))
    page = read_page(PAGES / f"{slug}.html")
    root = parse_html(page.content, page.meta.charset).root
    assert visible_lines(root) == expected


def test_every_page_has_a_sidecar_naming_its_url() -> None:
    for slug in SEED_FOR_PAGE:
        meta = read_page(PAGES / f"{slug}.html").meta
        assert meta.url and meta.url.startswith("https://english.almayadeen.net/news/"), slug
        assert meta.captured_at is not None and meta.charset == "utf-8", slug


def test_capture_lines_strips_only_the_list_bullet() -> None:
    capture = "Menu\n\n  • News\n    • Politics\n  • • LIVE\n    caption\u00a0 text \n"
    assert capture_lines(capture) == ["Menu", "News", "Politics", "• LIVE", "caption text"]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # Inline elements do not split a line; block elements and <br> do.
        ("<div>a <a href='#'>b</a><span>c</span> <em>d</em></div><p>e<br>f</p>", ["a bc d", "e", "f"]),
        ("<ul><li>one</li><li><b>two</b> 2</li></ul><h2>h</h2><table><tr><td>x</td><td>y</td></tr></table>",
         ["one", "two 2", "h", "x", "y"]),
        # Nothing from scripts, styles, templates, comments or hidden elements; their tails stay visible.
        ("<p>a<script>s()</script>b<!-- c -->d<style>p{}</style>e</p>", ["abde"]),
        ("<p>a<span hidden>h</span>b<span aria-hidden='true'>h</span>c<span style='color:red; display: none'>h</span>d</p>",
         ["abcd"]),
        ("<div>keep</div><noscript>no</noscript><template><p>no</p></template><div hidden><p>no</p></div>", ["keep"]),
        # An image shows its alt text; whitespace (including no-break spaces) collapses within a line.
        ("<figure><img src='x.jpg' alt='An image'><figcaption> The\u00a0 caption </figcaption></figure>",
         ["An image", "The caption"]),
        ("<pre>line 1\nline 2</pre>", ["line 1", "line 2"]),
        ("<p>Cafe\u0301</p>", ["Caf\u00e9"]),
    ],
)
def test_visible_lines(markup: str, lines: list[str]) -> None:
    root = lxml.html.document_fromstring(f"<html><head><title>no</title></head><body>{markup}</body></html>")
    assert visible_lines(root) == lines


def test_visible_lines_of_a_subtree_ignores_its_tail() -> None:
    root = lxml.html.fragment_fromstring("<div><p>in <b>bold</b></p> after</div>")
    assert visible_lines(root[0]) == ["in bold"]


def test_visible_lines_of_a_very_deep_page() -> None:
    # Deeper than Python's recursion limit, but within what the page parser keeps (2048 levels).
    depth = 1500
    markup = "<div>" * depth + "deep <b>text</b>" + "</div>" * depth + "<p>after</p>"
    assert visible_lines(parse_html(markup.encode("utf-8")).root) == ["deep text", "after"]
