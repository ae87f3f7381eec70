"""Page snapshots: the rendering reads like the article, parses back exactly, and failures say what changed."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from syrupy.data import Snapshot, SnapshotCollection

from template_guard.engine.article import Article, Block, normalise_text
from template_guard.engine.pipeline import extract_page
from template_guard.errors import SnapshotFormatError
from template_guard.store.snapshot_file import parse_snapshot, render_snapshot
from template_guard.testing.diff import MAX_DETAILS, block_changes, describe_changes, word_diff
from template_guard.testing.syrupy_extension import PageSnapshotExtension, SnapshotSite

ROOT = Path(__file__).parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

ARTICLE = Article(
    title="Storm hits the coast",
    standfirst="Thousands without power.",
    blocks=(
        Block("paragraph", "The storm reached the coast on Monday night."),
        Block("paragraph", "Winds of 150 km/h were measured at the harbour."),
        Block("heading", "What happens next"),
        Block("paragraph", "Schools stay closed until Thursday."),
    ),
    authors=("A. Writer", "B. Reporter"),
    published="2025-12-01T09:30:00+00:00",
    tags=("weather", "storms, coastal"),
    layout="example",
    version="2021",
)


def test_a_snapshot_is_a_short_header_then_the_canonical_text() -> None:
    text = render_snapshot(ARTICLE)
    header, separator, body = text.partition("---\n")
    assert separator and body == ARTICLE.to_text()
    assert header.splitlines() == [
        "layout: example@2021",
        'authors: ["A. Writer", "B. Reporter"]',
        'published: "2025-12-01T09:30:00+00:00"',
        'tags: ["weather", "storms, coastal"]',
        "blocks: paragraph×2 heading paragraph",
    ]


def test_a_bundled_page_renders_and_parses_back() -> None:
    article = extract_page(ROOT / "pages" / "almayadeen-english" / "almaty-faced-6-waves.html")
    text = render_snapshot(article)
    assert parse_snapshot(text) == article
    assert "tweet×2" in text.splitlines()[4]


def test_seed_000s_snapshot_holds_the_article_text_of_seed_003_verbatim() -> None:
    seeds = sorted(SEEDS.glob("003_*.txt"))
    snapshot = ROOT / "snapshots" / "almayadeen-english" / "almaty-faced-6-waves.txt"
    if not seeds or not snapshot.exists():
        pytest.skip("the shared seeds or the committed snapshot are not here")
    expected = [line for line in seeds[0].read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = snapshot.read_text(encoding="utf-8").splitlines()
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected


one_line = st.text(st.characters(codec="utf-8"), max_size=30).map(normalise_text)
articles = st.builds(
    Article,
    title=one_line,
    standfirst=st.none() | one_line.filter(bool),
    blocks=st.lists(st.builds(Block, kind=st.text(max_size=12), text=one_line), max_size=8).map(tuple),
    authors=st.lists(st.text(max_size=12), max_size=3).map(tuple),
    published=st.none() | st.text(max_size=25),
    tags=st.lists(st.text(max_size=12), max_size=4).map(tuple),
    layout=st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True),
    version=one_line,
)


@given(articles)
def test_every_article_survives_a_round_trip(article: Article) -> None:
    assert parse_snapshot(render_snapshot(article)) == article


def test_a_value_that_would_break_the_line_structure_is_refused() -> None:
    with pytest.raises(SnapshotFormatError, match="body block"):
        render_snapshot(replace(ARTICLE, blocks=(Block("paragraph", "two\nlines"),)))


@pytest.mark.parametrize(
    "text",
    [
        "no header at all\n",
        "layout: a@1\nauthors: []\npublished: null\ntags: []\nblocks: paragraph\n---\nTitle\n",  # a block short
        "layout: a@1\nauthors: []\ntags: []\npublished: null\nblocks:\n---\nTitle\n",  # keys out of order
        "layout: a@1\nauthors: [\npublished: null\ntags: []\nblocks:\n---\nTitle\n",
        "layout: a@1\nauthors: []\npublished: null\ntags: []\nblocks: para\"graph\n---\nTitle\nx\n",
        "layout: a@1\nauthors: []\npublished: null\ntags: []\nblocks: \"\\q\"\n---\nTitle\nx\n",
        "layout: a@1\nauthors: \"me\"\npublished: null\ntags: []\nblocks:\n---\nTitle\n",
    ],
)
def test_a_file_in_another_format_is_refused(text: str) -> None:
    with pytest.raises(SnapshotFormatError):
        parse_snapshot(text)


def test_block_changes_are_numbered_as_in_the_snapshot() -> None:
    old = list(ARTICLE.blocks)
    new = [
        old[0],
        Block("paragraph", "Winds of 180 km/h were measured at the harbour."),
        Block("paragraph", "A brand new paragraph about something else entirely."),
        Block("paragraph", "What happens next"),
    ]
    changes = [(c.change, c.old_number, c.new_number) for c in block_changes(old, new)]
    assert changes == [("changed", 2, 2), ("added", None, 3), ("changed", 3, 4), ("removed", 4, None)]


def test_a_word_diff_shows_the_change_with_little_context() -> None:
    old = " ".join(f"w{i}" for i in range(40))
    new = old.replace("w20", "CHANGED")
    assert word_diff(old, new, context=3) == "… w17 w18 w19 [-w20-]{+CHANGED+} w21 w22 w23 …"
    assert word_diff("a b", "a b c") == "a b {+c+}"


def test_the_report_lists_only_the_fields_that_differ() -> None:
    new = replace(
        ARTICLE,
        version="2026-redesign",
        title="Storm hits the north coast",
        tags=("weather",),
        blocks=(*ARTICLE.blocks[:3], Block("paragraph", "Schools stay closed until Friday.")),
    )
    assert describe_changes(ARTICLE, new) == [
        "layout: example@2021 → example@2026-redesign",
        "title: Storm hits the {+north+} coast",
        'tags: ["weather", "storms, coastal"] → ["weather"]',
        "body: 4 → 4 blocks; changed 4",
        "  block 4 (paragraph) changed: Schools stay closed until [-Thursday.-]{+Friday.+}",
    ]


def test_a_large_change_is_counted_not_spelled_out() -> None:
    new = replace(ARTICLE, blocks=tuple(Block("paragraph", f"new block {i}") for i in range(20)))
    lines = describe_changes(ARTICLE, new)
    assert lines[0].startswith("body: 4 → 20 blocks;")
    assert len(lines) == 1 + MAX_DETAILS + 1 and lines[-1].endswith("more block changes")


def test_the_extension_reports_per_field_for_any_snapshot_assertion() -> None:
    new = replace(ARTICLE, standfirst=None)
    extension = PageSnapshotExtension()
    lines = list(extension.diff_lines(extension.serialize(new), render_snapshot(ARTICLE)))
    assert lines == ['standfirst: removed "Thousands without power."']
    with pytest.raises(TypeError):
        extension.serialize(42)


def test_a_page_exists_whatever_the_case_of_its_suffix(tmp_path: Path) -> None:
    site = SnapshotSite(tmp_path, tmp_path / "pages", tmp_path / "snapshots")
    (tmp_path / "pages" / "site").mkdir(parents=True)
    (tmp_path / "pages" / "site" / "v1.2-notes.HTML").write_bytes(b"<p>x</p>")
    snapshot = tmp_path / "snapshots" / "site" / "v1.2-notes.txt"
    assert site.page_id(snapshot) == "site/v1.2-notes"
    assert site.page_exists(snapshot)
    assert not site.page_exists(tmp_path / "snapshots" / "site" / "v1.txt")
    assert not site.page_exists(tmp_path / "snapshots" / "gone" / "page.txt")


def test_an_interrupted_write_leaves_the_old_snapshot_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site" / "page.txt"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    collection = SnapshotCollection(location=str(target))
    collection.add(Snapshot(name="page", data="new\n"))

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        PageSnapshotExtension.write_snapshot_collection(snapshot_collection=collection)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_only_the_snapshot_of_a_page_that_is_gone_is_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = SnapshotSite(tmp_path, tmp_path / "pages", tmp_path / "snapshots")
    monkeypatch.setattr(PageSnapshotExtension, "site", site)
    (tmp_path / "pages" / "kept").mkdir(parents=True)
    (tmp_path / "pages" / "kept" / "page.html").write_bytes(b"<p>x</p>")
    for page_id in ("kept/page", "gone/page"):
        (tmp_path / "snapshots" / page_id).parent.mkdir(parents=True)
        (tmp_path / "snapshots" / f"{page_id}.txt").write_text("x\n", encoding="utf-8")
    extension = PageSnapshotExtension()
    for page_id in ("kept/page", "gone/page"):
        location = str(tmp_path / "snapshots" / f"{page_id}.txt")
        extension.delete_snapshots(snapshot_location=location, snapshot_names={page_id})
    assert (tmp_path / "snapshots" / "kept" / "page.txt").exists()
    assert not (tmp_path / "snapshots" / "gone").exists()  # the emptied layout folder goes too
