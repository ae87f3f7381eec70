"""Reliability round 2 (issue 11): no lost snapshot, no hang, no traceback, the UTC day everywhere.

Each test names the review's id (R1…R13). Capture and WARC cases are in test_capture_reliability.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import test_plugin
from click.testing import CliRunner
from test_plugin import LAYOUT, PARAGRAPHS, page_html, write_snapshots

from template_guard.engine.layout_file import load_layout
from template_guard.engine.selectors import Selector
from template_guard.errors import LayoutError, PageError, SelectorSyntaxError
from template_guard.store.pages import PageMeta, atomic_write, read_page
from template_guard.store.tree import leftover_temporaries, scan_pages
from template_guard.testing.syrupy_extension import SnapshotSite
from template_guard.tools.cli import main

pytest_plugins = ["pytester"]


# The throwaway project of the plugin tests (tiny layout, two pages), here with its reviewed snapshots.
isolated, plugin_project = test_plugin.isolated, test_plugin.project


@pytest.fixture
def project(plugin_project: pytest.Pytester) -> pytest.Pytester:
    write_snapshots(plugin_project)
    return plugin_project


def snapshot_files(project: pytest.Pytester) -> dict[str, bytes]:
    root = project.path / "snapshots"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def one_error_line(result: pytest.RunResult, *parts: str) -> str:
    """The run stopped with a usage error: one `ERROR:` line holding `parts`, and no traceback."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str() + result.stderr.str()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr.str()
    assert all(part in errors[0] for part in parts), errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    return errors[0]


# ---- R1: an update deletes a snapshot only when its page is really gone ---------------------------------


def test_r1_pages_option_one_level_too_deep_is_an_error_and_keeps_snapshots(project: pytest.Pytester) -> None:
    before = snapshot_files(project)

    result = project.runpytest_subprocess("--snapshot-update", "-o", "template_guard_pages=pages/tiny", "-p", "no:cacheprovider")

    one_error_line(result, "pages/tiny/one.html", "one level too deep")
    assert snapshot_files(project) == before


def test_r1_a_dangling_layout_symlink_keeps_its_snapshots(project: pytest.Pytester) -> None:
    before = snapshot_files(project)
    pages = project.path / "pages"
    (pages / "tiny").rename(project.path / "share")
    (pages / "tiny").symlink_to(project.path / "unmounted-share")  # points at nothing

    result = project.runpytest_subprocess("--snapshot-update", "-p", "no:cacheprovider")

    one_error_line(result, "pages/tiny", "symlink to a missing directory")
    assert snapshot_files(project) == before


def test_r1_an_unlistable_page_directory_never_counts_as_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = SnapshotSite(tmp_path, tmp_path / "pages", tmp_path / "snapshots")
    (tmp_path / "pages" / "tiny").mkdir(parents=True)
    (tmp_path / "pages" / "other").mkdir()
    snapshot = tmp_path / "snapshots" / "tiny" / "one.txt"
    assert site.page_state(snapshot) == "gone"  # listed, and no page: an update may delete it
    assert site.page_state(tmp_path / "snapshots" / "removed-layout" / "x.txt") == "gone"
    real_scandir = os.scandir

    def denied(path: object) -> object:
        if Path(str(path)).name == "tiny":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", denied)
    assert site.page_state(snapshot) == "unknown"
    assert not site.page_gone(snapshot)


def test_r1_an_update_still_deletes_the_snapshot_of_a_deleted_page(project: pytest.Pytester) -> None:
    (project.path / "pages" / "tiny" / "two.html").unlink()

    result = project.runpytest_subprocess("--snapshot-update", "-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert sorted(snapshot_files(project)) == ["tiny/one.txt"]


# ---- R2: a missing or misspelt pages directory fails ------------------------------------------------------


def test_r2_a_misspelt_pages_option_fails_in_one_line(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-o", "template_guard_pages=pagez", "-p", "no:cacheprovider")

    one_error_line(result, "pagez", "does not exist")


def test_r2_missing_pages_with_snapshots_fails_and_a_plain_project_does_not(project: pytest.Pytester) -> None:
    os.rename(project.path / "pages", project.path / "old-pages")

    missing = project.runpytest_subprocess("-p", "no:cacheprovider")
    os.rename(project.path / "snapshots", project.path / "old-snapshots")
    plain = project.runpytest_subprocess("-p", "no:cacheprovider")

    one_error_line(missing, "pages", "does not exist")
    # No pages and no snapshots: a project that does not use them runs its own tests as before.
    assert plain.ret == pytest.ExitCode.OK and not plain.stderr.str(), plain.stderr.str()


def test_r2_an_empty_pages_directory_with_snapshots_fails(tmp_path: Path) -> None:
    from template_guard.testing.page_discovery import find_pages

    (tmp_path / "pages").mkdir()
    (tmp_path / "snapshots" / "tiny").mkdir(parents=True)
    (tmp_path / "snapshots" / "tiny" / "one.txt").write_text("x", encoding="utf-8")

    with pytest.raises(PageError, match=r"^pages: no pages, but snapshots holds snapshots"):
        find_pages(tmp_path / "pages", tmp_path / "snapshots", tmp_path, configured=False)


# ---- R3: x.htm beside x.html ----------------------------------------------------------------------------


def test_r3_two_files_for_one_page_are_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "pages" / "tiny"
    folder.mkdir(parents=True)
    (folder / "x.html").write_text("<p>a</p>", encoding="utf-8")
    (folder / "x.htm").write_text("<p>b</p>", encoding="utf-8")
    (folder / "y.html").write_text("<p>c</p>", encoding="utf-8")

    with pytest.raises(PageError, match=r"x\.htm and x\.html are one page 'x' \(one snapshot, one sidecar\)"):
        scan_pages(tmp_path / "pages")
    (folder / "x.htm").unlink()
    assert [p.name for p in scan_pages(tmp_path / "pages").pages] == ["x.html", "y.html"]


# ---- R4: staging files of an interrupted write ----------------------------------------------------------


def test_r4_leftover_temporaries_are_reported_then_removed_by_an_update(project: pytest.Pytester) -> None:
    leftover = project.path / "snapshots" / "tiny" / ".one.txt.k2j4h5g6.tmp"  # as a killed atomic_write leaves it
    leftover.write_text("half a snapshot", encoding="utf-8")

    plain = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert leftover.exists()
    updated = project.runpytest_subprocess("--snapshot-update", "-p", "no:cacheprovider")

    leftover_line = (
        "template_guard: 1 temporary file(s) left by an interrupted write: "
        "snapshots/tiny/.one.txt.k2j4h5g6.tmp; `pytest --snapshot-update` removes them*"
    )
    plain.stdout.fnmatch_lines([leftover_line])
    updated.stdout.fnmatch_lines(["template_guard: removed 1 temporary file(s)*snapshots/tiny/.one.txt.k2j4h5g6.tmp"])
    assert not leftover.exists()
    assert sorted(snapshot_files(project)) == ["tiny/one.txt", "tiny/two.txt"]


def test_r4_the_staging_name_is_the_one_that_is_cleaned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from template_guard.store import pages

    def killed(temporary: str, path: Path) -> None:
        raise KeyboardInterrupt

    target = tmp_path / "tiny" / "one.txt"
    monkeypatch.setattr(pages.os, "replace", killed)
    monkeypatch.setattr(pages.Path, "unlink", lambda self, missing_ok=False: None)  # killed before cleaning up
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"text")
    monkeypatch.undo()

    assert [p.parent for p in leftover_temporaries(tmp_path)] == [target.parent]


# ---- R6: layout regexes are RE2 -----------------------------------------------------------------------


def tiny_with(extra: str) -> str:
    """The tiny layout with one more line in its tags field."""
    return LAYOUT.replace('css = "ul.tags li"', f'css = "ul.tags li"\n{extra}')


def test_r6_a_backtracking_regex_runs_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_with('pattern = "^(a+)+$"'), encoding="utf-8")

    rule = load_layout(path).versions[0].fields["tags"]
    assert rule.pattern is not None
    # Python's re would take about 2**40 steps here; RE2 answers at once (no timing: the test would hang).
    assert rule.pattern.search("a" * 40 + "!") is None
    assert rule.pattern.search("a" * 40) is not None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"(\\w+) \\1", "backreferences are not supported"),
        ("(?<=By )\\\\w+", "lookaround (?=, (?!, (?<=, (?<! is not supported"),
        ("a++", "atomic groups and possessive quantifiers are not supported"),
    ],
)
def test_r6_constructs_re2_lacks_are_one_layout_error(tmp_path: Path, pattern: str, problem: str) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_with(f'pattern = "{pattern}"'), encoding="utf-8")

    with pytest.raises(LayoutError) as raised:
        load_layout(path)
    assert raised.value.key == "versions[0].fields.tags.pattern"
    assert problem in raised.value.problem and "RE2 syntax" in raised.value.problem
    assert "\n" not in str(raised.value)


# ---- R7: selectors that scan the page per candidate ------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    ["//*[count(//*[count(//*)>0])>0]", "//p[. = /html/head/title]", "//div[@a and //b]", "//p[following::h2]"],
)
def test_r7_document_scans_inside_predicates_are_refused(expression: str) -> None:
    with pytest.raises(SelectorSyntaxError, match="inside a predicate"):
        Selector.compile("xpath", expression)


@pytest.mark.parametrize(
    "expression",
    ["//div[.//h1]", "(//a | //b)[1]/c", "//p[following-sibling::h2]", "//a[contains(@href, '//x')]", "/html/body//p"],
)
def test_r7_relative_predicates_are_fine(expression: str) -> None:
    assert Selector.compile("xpath", expression).expression == expression


def test_r7_the_layout_error_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(LAYOUT.replace('css = "ul.tags li"', 'xpath = "//*[count(//*)>0]"'), encoding="utf-8")

    with pytest.raises(LayoutError, match=r"versions\[0\]\.fields\.tags\.xpath: XPath .* absolute path inside a predicate"):
        load_layout(path)


# ---- R9: no traceback for deep nesting or an extreme date -------------------------------------------------


def test_r9_a_deeply_nested_layout_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")

    with pytest.raises(LayoutError, match="nested too deeply"):
        load_layout(path)


def test_r9_a_deeply_nested_sidecar_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "x.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    with pytest.raises(PageError, match="unreadable sidecar: nested too deeply"):
        read_page(tmp_path / "x.html")


def test_r9_a_capture_time_out_of_range_in_utc_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "tiny" / "x.html"
    page.parent.mkdir()
    page.write_text(page_html("x", PARAGRAPHS["one"]), encoding="utf-8")
    meta = {"url": "https://tiny.example/news/x", "captured_at": "9999-12-31T23:59:59-12:00"}
    (tmp_path / "tiny" / "x.json").write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "tiny.toml").write_text(LAYOUT, encoding="utf-8")

    result = CliRunner().invoke(main, ["explain", str(page), "--layouts-dir", str(tmp_path / "layouts")])

    assert result.exit_code != 0
    assert "out of range in UTC" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)


# ---- R10: the UTC day picks the version ---------------------------------------------------------------


def test_r10_the_version_is_chosen_by_the_utc_day(tmp_path: Path) -> None:
    from template_guard.engine.pipeline import run_page
    from template_guard.engine.routing import load_layouts

    (tmp_path / "layouts").mkdir()
    two_versions = LAYOUT + '\n[[versions]]\nname = "march"\nextends = "v1"\nvalid_from = 2026-03-01\n'
    two_versions = two_versions.replace('valid_from = 2020-01-01', 'valid_from = 2020-01-01\nvalid_until = 2026-03-01')
    (tmp_path / "layouts" / "tiny.toml").write_text(two_versions, encoding="utf-8")
    layouts = load_layouts([tmp_path / "layouts"])
    page = tmp_path / "tiny" / "x.html"
    page.parent.mkdir()
    page.write_text(page_html("x", PARAGRAPHS["one"]), encoding="utf-8")

    def version_at(stamp: str) -> str:
        meta = {"url": "https://tiny.example/news/x", "captured_at": stamp}
        (tmp_path / "tiny" / "x.json").write_text(json.dumps(meta), encoding="utf-8")
        return run_page(read_page(page), layouts=layouts).version.name

    assert version_at("2026-03-01T01:00:00+02:00") == "v1"  # 28 February, 23:00 UTC
    assert version_at("2026-02-28T23:30:00-02:00") == "march"  # 1 March, 01:30 UTC
    assert read_page(page).meta.capture_date == dt.date(2026, 3, 1)
    direct = run_page(read_page(page), layouts=layouts, captured_at=dt.datetime(2026, 3, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert direct.version.name == "v1"
    assert PageMeta(captured_at=dt.datetime(2026, 3, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))).capture_date == dt.date(2026, 2, 28)


# ---- R13: pages symlinked out of the tree ---------------------------------------------------------------


def test_r13_a_page_symlinked_outside_the_pages_tree_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "private.html"
    secret.parent.mkdir()
    secret.write_text("<p>not for the snapshots</p>", encoding="utf-8")
    folder = tmp_path / "pages" / "tiny"
    folder.mkdir(parents=True)
    (folder / "fine.html").write_text("<p>a</p>", encoding="utf-8")
    (folder / "alias.html").symlink_to(folder / "fine.html")  # inside the tree: allowed
    assert [p.name for p in scan_pages(tmp_path / "pages").pages] == ["alias.html", "fine.html"]

    (folder / "leak.html").symlink_to(secret)

    with pytest.raises(PageError, match=r"leak\.html: a symlink to .*private\.html, outside the pages directory"):
        scan_pages(tmp_path / "pages")
