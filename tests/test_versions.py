"""Layout versions over time: choice by capture date, and `extends` overriding only what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from template_guard import NoLayoutError, extract, load_layout

LAYOUT = """
name = "example"
domains = ["news.example"]

[[versions]]
name = "v1"
valid_from = 2020-01-01
valid_until = 2023-06-01
[versions.boilerplate.ticker]
css = ".ticker"
items = "li"
[versions.boilerplate.share]
css = ".share"
[versions.fields.title]
css = "h1"
[versions.fields.body]
css = "div.body"
blocks = [{ kind = "paragraph", css = "p" }]

[[versions]]
name = "v2"
extends = "v1"
valid_from = 2023-06-01
valid_until = 2025-01-01
[versions.fields.title]
xpath = "//h2[@class='headline']"
[versions.boilerplate]
share = false

[[versions]]
name = "v3"
extends = "v2"
valid_from = 2025-01-01
[versions.fields.body]
css = "section.story"
"""

PAGE = b"""<html><body>
<ul class="ticker"><li>Breaking one</li></ul>
<h1>Old headline</h1><h2 class="headline">New headline</h2>
<div class="share">Share this</div>
<div class="body"><p>Old body.</p></div>
<section class="story"><p>New body.</p></section>
</body></html>"""


@pytest.fixture
def layout_dir(tmp_path: Path) -> Path:
    (tmp_path / "example.toml").write_text(LAYOUT, encoding="utf-8")
    return tmp_path


def test_version_is_chosen_by_capture_date(layout_dir: Path) -> None:
    layout = load_layout(layout_dir / "example.toml")
    assert layout.version_for(dt.date(2020, 1, 1)).name == "v1"
    assert layout.version_for(dt.date(2023, 5, 31)).name == "v1"
    assert layout.version_for(dt.date(2023, 6, 1)).name == "v2"  # valid_until is exclusive
    assert layout.version_for(dt.date(2030, 1, 1)).name == "v3"
    assert layout.version_for(None).name == "v3"


def test_a_date_before_the_first_version_is_a_clear_error(layout_dir: Path) -> None:
    layout = load_layout(layout_dir / "example.toml")
    with pytest.raises(NoLayoutError, match=r"no version of layout example covers the capture date 2019-12-31"):
        layout.version_for(dt.date(2019, 12, 31))


def test_extends_overrides_only_what_changed(layout_dir: Path) -> None:
    layout = load_layout(layout_dir / "example.toml")
    v1, v2, v3 = layout.versions
    assert [region.name for region in v1.boilerplate] == ["ticker", "share"]
    assert [region.name for region in v2.boilerplate] == ["ticker"]  # `share = false` drops the inherited region
    assert v2.fields["title"].selector.kind == "xpath"  # a new selector replaces the inherited CSS one
    assert v2.body == v1.body
    assert v3.fields["title"] == v2.fields["title"]
    assert v3.body.selector.expression == "section.story"
    assert v3.body.blocks == v1.body.blocks


@pytest.mark.parametrize(
    ("captured_at", "version", "title", "body"),
    [
        (dt.date(2022, 3, 1), "v1", "Old headline", ("Old body.",)),
        (dt.date(2024, 3, 1), "v2", "New headline", ("Old body.",)),
        (dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), "v3", "New headline", ("New body.",)),
    ],
)
def test_extraction_follows_the_version(layout_dir, captured_at, version, title, body) -> None:
    from template_guard import load_layouts

    layouts = load_layouts([layout_dir], packaged=False)
    article = extract(PAGE, url="https://news.example/a", captured_at=captured_at, layouts=layouts)
    assert (article.version, article.title, article.body) == (version, title, body)
    assert "Breaking one" not in article.to_text()
