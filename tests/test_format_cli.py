"""Issue 13 item 5 and issue 12 item 7: check's version table, extract's error lines, explain's late charset."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from format_pages import BUNDLED, LAYOUT, PACKAGED_TOML, copy_pages, invoke, write_layout

from template_guard.engine.parse import PRESCAN_BYTES
from template_guard.tools.cli import EXIT_PROBLEMS

SPLIT = dt.date(2025, 9, 1)  # inside the bundled pages' capture dates (June to December 2025)
LATER = """
[[versions]]
name = "autumn-2025"
extends = "2021"
valid_from = 2025-09-01
valid_until = 2026-03-01

[[versions]]
name = "2026"
extends = "autumn-2025"
valid_from = 2026-03-01
"""


def capture_day(page: Path) -> dt.date:
    stamp = json.loads(page.with_suffix(".json").read_text())["captured_at"]
    return dt.datetime.fromisoformat(stamp).date()


def test_check_prints_each_version_with_its_range_and_pages(tmp_path: Path) -> None:
    three = PACKAGED_TOML.replace("valid_from = 2021-01-01", f"valid_from = 2021-01-01\nvalid_until = {SPLIT}", 1)
    layouts = write_layout(tmp_path / "layouts", three + LATER).parent
    result = invoke("check", str(copy_pages(tmp_path / "pages")), "--layouts-dir", str(layouts))
    assert result.exit_code == 0, result.output
    table = result.stdout.split("\nversions:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[0].split() == ["layout", "version", "from", "until", "pages", "captured"]
    rows = {line.split()[1]: line.split() for line in table[1:]}
    assert list(rows) == ["2021", "autumn-2025", "2026"]  # every version, in order, also one without pages
    early = sorted(capture_day(p) for p in BUNDLED if capture_day(p) < SPLIT)
    late = sorted(capture_day(p) for p in BUNDLED if capture_day(p) >= SPLIT)
    assert early and late
    assert rows["2021"][:6] == [LAYOUT, "2021", "2021-01-01", str(SPLIT), str(len(early))] + [str(early[0])]
    assert rows["autumn-2025"][2:5] == [str(SPLIT), "2026-03-01", str(len(late))]
    assert " ".join(rows["autumn-2025"][5:]) == f"{late[0]} – {late[-1]}"
    assert rows["2026"][2:] == ["2026-03-01", "open", "0", "-"]


def test_the_table_lists_only_layouts_with_pages(tmp_path: Path) -> None:
    result = invoke("check", str(copy_pages(tmp_path / "pages", BUNDLED[:1])))
    table = result.stdout.split("\nversions:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] for line in table] == ["layout", LAYOUT]
    assert table[1].split()[4:] == ["1", str(capture_day(BUNDLED[0]))]


def test_extract_on_a_page_that_does_not_fit_prints_error_lines(tmp_path: Path) -> None:
    broken = copy_pages(tmp_path, BUNDLED[:1]) / LAYOUT / BUNDLED[0].name
    broken.write_bytes(broken.read_bytes().replace(b"article-title", b"renamed-title"))
    result = invoke("extract", str(broken), str(BUNDLED[1]))
    assert result.exit_code == EXIT_PROBLEMS
    errors = result.stderr.splitlines()
    assert errors == [f"error: {broken}: required field 'title' (css 'h1.article-title') matched nothing"]
    # Both pages are printed, each under its header: the one that does not fit shows what was found.
    fits = invoke("extract", str(BUNDLED[1])).stdout
    assert result.stdout.endswith(f"\n==> {BUNDLED[1]} <==\n" + fits)
    assert result.stdout.startswith(f"==> {broken} <==\n\n")  # no title line: the title is what failed


def test_explain_says_when_a_meta_charset_came_too_late(tmp_path: Path) -> None:
    # A Latin-1 page whose only charset declaration sits after a long <head> comment.
    filler = b"<!-- " + b"x" * PRESCAN_BYTES + b" -->"
    body = "<h1>Caf\u00e9 owners protest</h1><div class='article-body'><p>Na\u00efve prices.</p></div>"
    page = tmp_path / "late.html"
    page.write_bytes(b"<html><head>" + filler + b'<meta charset="windows-1252"></head><body>'
                     + body.encode("cp1252") + b"</body></html>")
    result = invoke("explain", "--layout", LAYOUT, str(page))
    decoded = next(line for line in result.stdout.splitlines() if line.startswith("decoded:"))
    offset = page.read_bytes().index(b"<meta charset")
    assert f"the page's <meta> charset 'windows-1252' at byte {offset} was ignored" in decoded
    assert f"past the first {PRESCAN_BYTES} bytes" in decoded


def test_explain_is_quiet_about_a_charset_in_time() -> None:
    result = invoke("explain", str(BUNDLED[0]))
    decoded = next(line for line in result.stdout.splitlines() if line.startswith("decoded:"))
    assert "ignored" not in decoded
