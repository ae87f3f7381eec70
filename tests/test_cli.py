"""The command line: outputs, JSON fields, and exit codes (one error line, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from template_guard.tools.cli import EXIT_INVALID_LAYOUTS, EXIT_PROBLEMS, main

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "pages"
BUNDLED = sorted((PAGES / "almayadeen-english").glob("*.html"))
JSON_FIELDS = {"title", "standfirst", "body", "blocks", "authors", "published", "tags", "layout", "version"}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_one_error_line(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_extract_json_lines_one_object_per_page() -> None:
    result = invoke("extract", "--format", "json", *map(str, BUNDLED))
    assert result.exit_code == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == len(BUNDLED) >= 2
    for path, obj in zip(BUNDLED, objects, strict=True):
        assert JSON_FIELDS <= set(obj)
        assert obj["path"] == str(path)
        assert obj["body"] == [block["text"] for block in obj["blocks"]]
        assert obj["layout"] == "almayadeen-english"


def test_extract_text_is_the_canonical_rendering() -> None:
    result = invoke("extract", str(BUNDLED[0]))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    json_result = json.loads(invoke("extract", "--format", "json", str(BUNDLED[0])).stdout)
    assert lines == [json_result["title"], json_result["standfirst"], *json_result["body"]]


def test_extract_with_layout_and_url_overrides(tmp_path: Path) -> None:
    bare = tmp_path / "page.html"  # no sidecar: the layout must come from an option or the page itself
    bare.write_bytes(BUNDLED[0].read_bytes())
    by_name = json.loads(invoke("extract", "--format", "json", "--layout", "almayadeen-english", str(bare)).stdout)
    by_canonical = json.loads(invoke("extract", "--format", "json", str(bare)).stdout)
    assert by_name["title"] == by_canonical["title"] != ""


def test_missing_file() -> None:
    assert_one_error_line(invoke("extract", "no/such/page.html"), EXIT_PROBLEMS, "no/such/page.html", "no such file")


def test_unknown_layout_suggests_close_names() -> None:
    result = invoke("extract", "--layout", "almayaden-english", str(BUNDLED[0]))
    assert_one_error_line(result, EXIT_PROBLEMS, "unknown layout 'almayaden-english'", "almayadeen-english")


def test_no_layout_matches_the_url() -> None:
    result = invoke("extract", "--url", "https://unknown.example/a", str(BUNDLED[0]))
    assert_one_error_line(result, EXIT_PROBLEMS, "no layout matches https://unknown.example/a")


def test_unreadable_page(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert_one_error_line(invoke("extract", "--layout", "almayadeen-english", str(empty)), EXIT_PROBLEMS, "empty")


def test_a_failing_page_does_not_stop_the_others(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = invoke("extract", "--format", "json", str(empty), str(BUNDLED[0]))
    assert result.exit_code == EXIT_PROBLEMS
    assert len(result.stdout.splitlines()) == 1


def test_invalid_layout_directory_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('name = "broken"\ndomains = ["x.example"]\nversion = []\n')
    result = invoke("check", str(tmp_path), "--layouts-dir", str(tmp_path))
    assert_one_error_line(result, EXIT_INVALID_LAYOUTS, "broken.toml", "version", "did you mean 'versions'")


def bundled_pages(tmp_path: Path) -> Path:
    """A pages directory holding the bundled pages only: a user's own pages under pages/ do not change the test."""
    target = tmp_path / "pages" / "almayadeen-english"
    target.mkdir(parents=True)
    for page in BUNDLED:
        for path in (page, page.with_suffix(".json")):
            (target / path.name).write_bytes(path.read_bytes())
    return tmp_path / "pages"


def test_check_bundled_pages_passes(tmp_path: Path) -> None:
    result = invoke("check", str(bundled_pages(tmp_path)))
    assert result.exit_code == 0, result.output
    for path in BUNDLED:
        assert f"almayadeen-english/{path.stem}" in result.stdout
    assert "selector health:" in result.stdout
    assert " 0 errors" in result.stdout


def test_check_fails_when_a_required_field_is_empty(tmp_path: Path) -> None:
    page_dir = tmp_path / "pages" / "almayadeen-english"
    page_dir.mkdir(parents=True)
    source = BUNDLED[0]
    html = source.read_bytes().replace(b"article-title", b"renamed-title")
    (page_dir / source.name).write_bytes(html)
    (page_dir / source.with_suffix(".json").name).write_bytes(source.with_suffix(".json").read_bytes())
    result = invoke("check", str(tmp_path / "pages"))
    assert result.exit_code == EXIT_PROBLEMS
    assert "required field 'title'" in result.stdout


def test_check_without_pages(tmp_path: Path) -> None:
    assert_one_error_line(invoke("check", str(tmp_path)), EXIT_PROBLEMS, "no pages found")


def test_explain_shows_removals_and_matches() -> None:
    result = invoke("explain", str(BUNDLED[0]))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("boilerplate removed:", "fields:", "blocks:", "problems: none"):
        assert heading in out
    assert "ticker" in out and "element(s)" in out
    assert "title" in out and "matched 1" in out


@pytest.mark.parametrize("command", ["extract", "explain"])
def test_captured_at_before_every_version_is_one_error_line(command: str) -> None:
    result = invoke(command, "--captured-at", "1999-01-01", str(BUNDLED[0]))
    assert_one_error_line(result, EXIT_PROBLEMS, "no version of layout almayadeen-english covers the capture date 1999-01-01")


@pytest.mark.parametrize("declared", ["https://bad\nhost.example/x", "https://unknown.example/a b"])
def test_a_broken_declared_url_still_gives_one_error_line(tmp_path: Path, declared: str) -> None:
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><link rel="canonical" href="{declared}"></head><body><h1>T</h1></body></html>')
    assert_one_error_line(invoke("extract", str(page)), EXIT_PROBLEMS, str(page))
