"""`template-guard init`: a layout drafted from captures loads, extracts pages it never saw, and says what to review."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from template_guard import load_layout
from template_guard.drafting.selectors import SelectorCache, choose, is_hashed
from template_guard.drafting.toml_writer import toml_string
from template_guard.engine.parse import parse_html
from template_guard.engine.pipeline import run, run_page
from template_guard.engine.routing import LayoutSet
from template_guard.store.pages import read_page
from template_guard.store.snapshot_file import parse_snapshot
from template_guard.tools.cli import EXIT_PROBLEMS, main
from template_guard.tools.evaluate import read_corpus
from template_guard.tools.scoring import score_body

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "pages" / "almayadeen-english"
DRAFTING = [
    BUNDLED / f"{slug}.html"
    for slug in ("almaty-faced-6-waves", "kazakhstan-critical-red-level", "kazakhstan-terrorists-block-entry")
]
HELD_OUT = BUNDLED / "over-5000-arrested.html"
CORPUS = REPO.parent / "shared" / "corpora" / "fundus-eval"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "gold.json").is_file(), reason=f"fundus-eval corpus not found at {CORPUS}"
)


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_one_error_line(result: Result, *fragments: str) -> None:
    assert result.exit_code == EXIT_PROBLEMS, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("layouts")
    result = invoke("init", "--name", "almayadeen-draft", "--out", out, *DRAFTING)
    return out / "almayadeen-draft.toml", result


def test_the_draft_extracts_a_page_it_was_not_drafted_from(drafted: tuple[Path, Result]) -> None:
    path, result = drafted
    assert result.exit_code == 0, result.output
    layout = load_layout(path)
    extraction = run(
        HELD_OUT.read_bytes(),
        url=json.loads(HELD_OUT.with_suffix(".json").read_text())["url"],
        layout=layout.name,
        layouts=LayoutSet((layout,)),
    )
    expected = parse_snapshot((REPO / "snapshots" / "almayadeen-english" / "over-5000-arrested.txt").read_text("utf-8"))
    assert extraction.ok, extraction.problems
    assert extraction.article.title == expected.title
    assert score_body(extraction.article.body, expected.body).f1 >= 0.9


def test_the_draft_is_a_commented_review_job(drafted: tuple[Path, Result]) -> None:
    path, result = drafted
    text = path.read_text("utf-8")
    raw = tomllib.loads(text)
    assert raw["domains"] == ["english.almayadeen.net"]
    assert raw["url_patterns"] == ["https://english.almayadeen.net/news/*"]
    for page in DRAFTING:
        assert str(page) in text.split("\nname =")[0], "the header names every page it was drafted from"
    regions = raw["versions"][0]["boilerplate"]
    assert {"footer", "most-read", "cookie-notice"} <= set(regions)
    assert regions["footer"]["items"] == "li"
    inline = [name for name, region in regions.items() if region.get("placement") == "inline"]
    assert any("related" in name for name in inline), regions
    # The Related News box is on two of the three pages: the draft says so where the key would go.
    related = text[text.index("[versions.boilerplate.related-2]") :]
    assert "# optional: absent on 1 of 3 pages" in related.split("\n\n")[0]
    assert "confidence" in text.split("[versions.fields.title]")[1].splitlines()[1]
    # Then `check` ran on the pages and a to-do list followed.
    assert result.output.count("almayadeen-draft@2025") == len(DRAFTING)
    assert "to review:" in result.output


def test_an_existing_layout_is_not_overwritten(drafted: tuple[Path, Result]) -> None:
    path, _ = drafted
    before = path.read_text("utf-8")
    result = invoke("init", "--name", "almayadeen-draft", "--out", path.parent, *DRAFTING[:2])
    assert_one_error_line(result, "already exists", "--force")
    assert path.read_text("utf-8") == before


def test_one_page_is_not_enough() -> None:
    assert_one_error_line(invoke("init", "--name", "x", DRAFTING[0]), "2 or more pages", "got 1")


def test_pages_of_different_hosts(tmp_path: Path) -> None:
    result = invoke(
        "init",
        "--name",
        "x",
        "--out",
        tmp_path,
        "--url",
        "https://example.com/news/a",
        "--url",
        "https://english.almayadeen.net/news/b",
        *DRAFTING[:2],
    )
    assert_one_error_line(result, "different hosts", "example.com", "english.almayadeen.net")


def test_a_page_without_url(tmp_path: Path) -> None:
    bare = tmp_path / "bare.html"
    bare.write_text("<html><body><h1>Title</h1><p>Some article text that goes on.</p></body></html>")
    assert_one_error_line(invoke("init", "--name", "x", "--out", tmp_path, bare, DRAFTING[0]), str(bare), "--url")


def test_a_url_per_page_or_none(tmp_path: Path) -> None:
    result = invoke(
        "init", "--name", "x", "--out", tmp_path, "--url", "https://english.almayadeen.net/a", *DRAFTING[:2]
    )
    assert_one_error_line(result, "--url once per page")


def redesign(page: Path, out: Path) -> Path:
    """A bundled page in a "new design": the headline and the most-read list renamed, captured later."""
    html = page.read_text("utf-8").replace('class="article-title"', 'class="story-headline"')
    html = html.replace('class="most-read"', 'class="popular-now"')
    target = out / page.name
    target.write_text(html, "utf-8")
    meta = json.loads(page.with_suffix(".json").read_text())
    meta["captured_at"] = "2026-03-0" + str(len(list(out.glob("*.html")))) + "T10:00:00Z"
    target.with_suffix(".json").write_text(json.dumps(meta))
    return target


def test_a_new_version_overrides_only_what_no_longer_matches(tmp_path: Path) -> None:
    layout_file = tmp_path / "almayadeen-english.toml"
    shutil.copy(REPO / "template_guard" / "layouts" / "almayadeen-english.toml", layout_file)
    original = layout_file.read_text("utf-8")
    pages_dir = tmp_path / "new"
    pages_dir.mkdir()
    pages = [redesign(page, pages_dir) for page in DRAFTING]
    result = invoke("init", "--version", "2026-redesign", "--from", layout_file, *pages)
    assert result.exit_code == 0, result.output
    text = layout_file.read_text("utf-8")
    assert text.replace("\nvalid_until = 2026-03-01   # added by `template-guard init --version`", "", 1).startswith(
        original
    )
    layout = load_layout(layout_file)
    old, new = layout.versions
    assert old.valid_until == new.valid_from == min(read_page(p).meta.capture_date for p in pages)
    appended = tomllib.loads(text)["versions"][1]
    assert appended["extends"] == "2021"
    assert "title" in appended["fields"]  # h1.article-title matches nothing on the new pages
    # The old most-read selector matches nothing now: the region is pointed at the new list.
    assert appended["boilerplate"]["most-read"]["css"] == "section.popular-now"
    assert "body" not in appended["fields"] and "footer" not in appended["boilerplate"]
    for page in pages:
        extraction = run_page(page, layout=layout.name, layouts=LayoutSet((layout,)))
        assert extraction.version.name == "2026-redesign" and extraction.ok, extraction.problems
        assert "popular-now" not in "".join(extraction.article.body)


@needs_corpus
@pytest.mark.parametrize("publisher", ["APNews", "TheGuardian", "WashingtonTimes"])
def test_drafts_from_two_corpus_pages_extract_the_third(tmp_path: Path, publisher: str) -> None:
    pages = [p for p in read_corpus(CORPUS) if p.publisher == publisher]
    args = [a for p in pages[:2] for a in ("--url", p.url, "--captured-at", p.crawl_date.date().isoformat())]
    name = publisher.lower() + "-draft"
    result = invoke("init", "--name", name, "--out", tmp_path, *args, *(p.path for p in pages[:2]))
    assert result.exit_code == 0, result.output
    layout = load_layout(tmp_path / f"{name}.toml")
    extraction = run(pages[2].path.read_bytes(), url=pages[2].url, layout=name, layouts=LayoutSet((layout,)))
    assert score_body(extraction.article.body, pages[2].body).f1 >= 0.9


@pytest.mark.parametrize(
    ("token", "hashed"),
    [
        ("sc-1a2b3c", True),
        ("css-9xk2pq", True),
        ("Title_h1__3FqA2", True),
        ("hhylRt", True),
        ("e1x7yq0", True),
        ("article-body", False),
        ("RichTextStoryBody", False),
        ("col-md-8", False),
        ("article__body", False),
    ],
)
def test_hashed_class_names_are_told_from_written_ones(token: str, hashed: bool) -> None:
    assert is_hashed(token) is hashed


def test_a_data_attribute_beats_a_hashed_class_and_an_id_beats_both() -> None:
    html = (
        b"<html><body><div class='sc-9f8e7d' data-testid='Body'><p>one</p></div>"
        b"<div class='sc-1a2b3c'><p>two</p></div><main id='main'><p>three</p></main></body></html>"
    )
    root = parse_html(html).root
    cache = SelectorCache()
    body = root.xpath("//div[@data-testid]")[0]
    assert choose([(root, [body])], cache).css == "div[data-testid='Body']"  # type: ignore[union-attr]
    assert choose([(root, [root.xpath("//main")[0]])], cache).css == "main#main"  # type: ignore[union-attr]
    other = choose([(root, [root.xpath("//div")[1]])], cache)
    assert other is not None and other.hashed and other.confidence == "medium"


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "new\nline", "tab\tand\x7fdel", "naïve — ✓"])
def test_toml_strings_round_trip(value: str) -> None:
    assert tomllib.loads(f"key = {toml_string(value)}")["key"] == value


def test_a_new_version_needs_capture_dates(tmp_path: Path) -> None:
    bare = []
    for page in DRAFTING[:2]:
        copy = tmp_path / page.name  # no sidecar: no capture date
        copy.write_bytes(page.read_bytes())
        bare.append(copy)
    urls = [a for page in DRAFTING[:2] for a in ("--url", json.loads(page.with_suffix(".json").read_text())["url"])]
    result = invoke("init", "--version", "v2", "--from", "almayadeen-english", *urls, *bare)
    assert_one_error_line(result, "no capture date", "--captured-at")


def test_an_invalid_layout_name(tmp_path: Path) -> None:
    assert_one_error_line(
        invoke("init", "--name", "My Site", "--out", tmp_path, *DRAFTING[:2]), "'My Site'", "lower-case"
    )


def test_a_shared_section_is_only_suggested_as_url_pattern(tmp_path: Path) -> None:
    urls = ["https://english.almayadeen.net/politics/one", "https://english.almayadeen.net/politics/two"]
    result = invoke("init", "--name", "sections", "--out", tmp_path, "--url", urls[0], "--url", urls[1], *DRAFTING[:2])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "sections.toml").read_text("utf-8")
    assert "url_patterns" not in tomllib.loads(text)  # other sections most likely share the design
    assert '# url_patterns = ["https://english.almayadeen.net/politics/*"]' in text
