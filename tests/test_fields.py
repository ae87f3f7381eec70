"""Field extraction: body blocks in document order, nesting, exclusions, text filters, metadata fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from template_guard import Block, ExtractionError, extract, load_layouts

HEADER = """
name = "example"
domains = ["news.example"]
[[versions]]
name = "v1"
valid_from = 2020-01-01
[versions.boilerplate.related]
css = "aside.related"
placement = "inline"
[versions.fields.title]
css = "h1"
"""


def extract_with(tmp_path: Path, fields: str, page: str):
    (tmp_path / "example.toml").write_text(HEADER + fields, encoding="utf-8")
    layouts = load_layouts([tmp_path], packaged=False)
    return extract(page.encode("utf-8"), url="https://news.example/story", layouts=layouts)


BODY = """
[versions.fields.body]
css = "article"
blocks = [
  { kind = "tweet", css = "blockquote.tweet, blockquote.tweet > p" },
  { kind = "paragraph", css = "p" },
  { kind = "heading", css = "h2" },
]
exclude = [{ css = "figure" }]
drop_text = ["^Read more:"]
"""


def test_blocks_come_in_document_order_with_their_kind(tmp_path: Path) -> None:
    page = """<h1>T</h1><article><p>One <b>bold</b>
      word.</p><h2>Sub</h2><p>Two</p></article>"""
    article = extract_with(tmp_path, BODY, page)
    assert article.blocks == (Block("paragraph", "One bold word."), Block("heading", "Sub"), Block("paragraph", "Two"))


def test_a_nested_block_splits_its_container_into_blocks(tmp_path: Path) -> None:
    page = """<h1>T</h1><article><p>Before</p><blockquote class="tweet"><p lang="en">Tweet text.</p>&mdash; Someone
      (@someone) <a href="#">January 7, 2022</a></blockquote><p>After</p></article>"""
    article = extract_with(tmp_path, BODY, page)
    assert article.body == ("Before", "Tweet text.", "— Someone (@someone) January 7, 2022", "After")
    assert [block.kind for block in article.blocks] == ["paragraph", "tweet", "tweet", "paragraph"]


def test_boilerplate_between_blocks_leaves_the_text_around_it(tmp_path: Path) -> None:
    page = """<h1>T</h1><article><p>First <aside class="related"><p>Related story</p></aside>half.</p>
      <aside class="related"><p>Other story</p></aside><p>Second</p></article>"""
    article = extract_with(tmp_path, BODY, page)
    assert article.body == ("First half.", "Second")


def test_exclusions_and_text_filters_apply_inside_the_body(tmp_path: Path) -> None:
    page = """<h1>T</h1><article><figure><p>A caption</p></figure><p>Kept</p>
      <p>Read more: something else</p><p>  </p></article>"""
    article = extract_with(tmp_path, BODY, page)
    assert article.body == ("Kept",)


def test_scripts_styles_and_comments_never_contribute_text(tmp_path: Path) -> None:
    page = """<h1>T<script>var x = 1;</script></h1><article><p>A<!-- hidden --><style>p{}</style>B
      <noscript>enable js</noscript></p></article>"""
    article = extract_with(tmp_path, BODY, page)
    assert (article.title, article.body) == ("T", ("AB",))


def test_text_is_nfc_and_whitespace_is_collapsed(tmp_path: Path) -> None:
    page = "<h1>Cafe\u0301\u00a0 news</h1><article><p>  a\n\t b\u200b c </p></article>"
    article = extract_with(tmp_path, BODY, page)
    assert article.title == "Café news"
    assert article.body == ("a b c",)


META = BODY + """
[versions.fields.authors]
css = ".byline li"
multiple = true
pattern = "^By (.+)$"
[versions.fields.published]
css = ".date"
date_format = "%d %b %Y %H:%M"
[versions.fields.tags]
css = ".tags a"
multiple = true
[versions.fields.standfirst]
xpath = "//meta[@name='description']"
attribute = "content"
"""


def test_metadata_fields(tmp_path: Path) -> None:
    page = """<head><meta name="description" content=" The lead. "></head><h1>T</h1>
      <ul class="byline"><li>By Jane Roe</li><li>Source: Agencies</li><li>By John Doe</li></ul>
      <span class="date">7 Jan 2022 23:41</span>
      <article><p>Body</p></article><div class="tags"><a>One</a><a>Two</a><a>One</a></div>"""
    article = extract_with(tmp_path, META, page)
    assert article.standfirst == "The lead."
    assert article.authors == ("Jane Roe", "John Doe")
    assert article.published == "2022-01-07T23:41:00"
    assert article.tags == ("One", "Two")


def test_a_missing_required_field_names_field_and_selector(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_with(tmp_path, BODY, "<h2>No title</h2><article><p>Body</p></article>")
    message = str(caught.value)
    assert "required field 'title' (css 'h1') matched nothing" in message
    assert "layout example version v1" in message


def test_a_body_container_without_blocks_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match=r"'body' matched 1 container\(s\) but no block rule matched text"):
        extract_with(tmp_path, BODY, "<h1>T</h1><article><div>Only divs</div></article>")


SPLIT = BODY + """
[versions.fields.tags]
xpath = "//meta[@name='keywords']"
attribute = "content"
multiple = true
split = ","
[versions.fields.published]
css = ".date"
pattern = "^(.+?)\\\\s+[A-Z]{2,4}$"
date_format = "%B %d, %Y %I:%M%p"
timezone = "America/New_York"
"""


def test_split_values_and_a_local_time_zone(tmp_path: Path) -> None:
    page = """<head><meta name="keywords" content="Politics, Senate,, politics ,Senate"></head><h1>T</h1>
      <span class="date">February 28, 2024 4:58pm EST</span><article><p>Body</p></article>"""
    article = extract_with(tmp_path, SPLIT, page)
    assert article.tags == ("Politics", "Senate", "politics")
    assert article.published == "2024-02-28T16:58:00-05:00"


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ('[versions.fields.tags]\ncss = "a"\nsplit = ","\n', "only a field with multiple = true takes a split separator"),
        ('[versions.fields.published]\ncss = "a"\ntimezone = "Europe/Paris"\n', "only a field with a date_format takes a timezone"),
        ('[versions.fields.published]\ncss = "a"\ndate_format = "%Y"\ntimezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_split_and_timezone_are_validated(tmp_path: Path, field: str, problem: str) -> None:
    from template_guard import LayoutError

    with pytest.raises(LayoutError, match=problem):
        extract_with(tmp_path, BODY + field, "<h1>T</h1><article><p>Body</p></article>")
