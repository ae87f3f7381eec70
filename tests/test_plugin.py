"""The pytest plugin, run on small throwaway projects: generated tests, reports, updates, xdist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from template_guard import discover_pages, extract_page, load_layouts
from template_guard.testing.plugin import Project
from template_guard.store.snapshot_file import render_snapshot

pytest_plugins = ["pytester"]

LAYOUT = """\
name = "tiny"
domains = ["tiny.example"]

[[versions]]
name = "v1"
valid_from = 2020-01-01

[versions.boilerplate.menu]
css = "nav"

[versions.fields.title]
css = "h1"

[versions.fields.tags]
css = "ul.tags li"
multiple = true

[versions.fields.body]
css = "article"
blocks = [{ kind = "paragraph", css = "p" }, { kind = "heading", css = "h2" }]
"""

PARAGRAPHS = {
    "one": ["The river rose by two metres overnight.", "Residents of the lower town were moved to the school."],
    "two": ["The council met on Tuesday to vote on the budget.", "The vote was postponed until next week."],
}


def page_html(slug: str, paragraphs: list[str], title: str | None = None) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs[:1]) + "<h2>Background</h2>"
    body += "".join(f"<p>{text}</p>" for text in paragraphs[1:])
    heading = f"<h1>{title or slug.capitalize() + ' headline'}</h1>"
    return (
        f"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article>{heading}{body}</article><ul class='tags'><li>local</li></ul></body></html>"
    )


@pytest.fixture
def isolated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose child runs do not believe they are xdist workers when this suite runs under -n."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    return pytester


@pytest.fixture
def project(isolated: pytest.Pytester) -> pytest.Pytester:
    """A project with one extra layout directory, two pages of it, and a check of its own."""
    pytester = isolated
    # The generated property tests are another suite's subject (and slow): these projects collect only snapshots.
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'template_guard_layouts = ["site-layouts"]\ntemplate_guard_tests = ["snapshot"]\ntestpaths = ["tests"]\n'
    )
    (pytester.path / "site-layouts").mkdir()
    (pytester.path / "site-layouts" / "tiny.toml").write_text(LAYOUT, encoding="utf-8")
    for slug, paragraphs in PARAGRAPHS.items():
        write_page(pytester.path / "pages", slug, page_html(slug, paragraphs))
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_own.py").write_text(
        "def test_fixtures(page, layout, extraction, article):\n"
        "    assert layout.name == article.layout == extraction.layout.name == 'tiny'\n"
        "    assert article.title.endswith(' headline') and page.meta.url.endswith(page.path.stem)\n",
        encoding="utf-8",
    )
    return pytester


def write_page(pages: Path, slug: str, html: str, layout: str = "tiny") -> None:
    folder = pages / layout
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.html").write_text(html, encoding="utf-8")
    meta = {"url": f"https://tiny.example/news/{slug}", "captured_at": "2024-05-01T10:00:00Z"}
    (folder / f"{slug}.json").write_text(json.dumps(meta), encoding="utf-8")


def stamps(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Each snapshot file's content and modification time, to tell exactly which files a run touched."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*.txt"))}


def write_snapshots(project: pytest.Pytester, pages: str = "pages", snapshots: str = "snapshots") -> None:
    """Snapshots as `--snapshot-update` writes them (the first test shows it does), without a pytest run."""
    layouts = load_layouts([project.path / "site-layouts"])
    for path in discover_pages(project.path / pages):
        target = project.path / snapshots / path.parent.name / f"{path.stem}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_snapshot(extract_page(path, layouts=layouts)), encoding="utf-8")


def update(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    result = project.runpytest_subprocess("--snapshot-update", *args)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    return result


def test_pages_without_snapshots_fail_until_the_update_writes_them(project: pytest.Pytester) -> None:
    named = project.runpytest_subprocess("--collect-only", "-q", "tests/test_own.py")
    named.stdout.fnmatch_lines(["tests/test_own.py::test_fixtures[[]tiny/one[]]", "*2 tests collected*"])

    result = project.runpytest_subprocess()
    result.assert_outcomes(failed=2, passed=2)
    result.stdout.fnmatch_lines(
        ["tiny/one: no snapshot yet (layout tiny, version v1): run `pytest --snapshot-update` to write snapshots/tiny/one.txt*"]
    )

    update(project)
    snapshots = project.path / "snapshots"
    assert sorted(stamps(snapshots)) == ["tiny/one.txt", "tiny/two.txt"]
    assert (snapshots / "tiny" / "one.txt").read_text(encoding="utf-8") == (
        'layout: tiny@v1\nauthors: []\npublished: null\ntags: ["local"]\nblocks: paragraph heading paragraph\n---\n'
        "One headline\nThe river rose by two metres overnight.\nBackground\n"
        "Residents of the lower town were moved to the school.\n"
    )

    before = stamps(snapshots)
    # A second update changes nothing; naming a test folder still collects each generated test once.
    result = update(project, "-v", "tests")
    result.assert_outcomes(passed=4)
    for name in ("template_guard/testing/snapshot_tests.py::test_snapshot", "tests/test_own.py::test_fixtures"):
        for page in ("tiny/one", "tiny/two"):
            assert result.stdout.str().count(f"{name}[{page}] PASSED") == 1
    assert stamps(snapshots) == before


def test_a_changed_paragraph_fails_with_a_block_report_and_the_update_rewrites_only_its_file(
    project: pytest.Pytester,
) -> None:
    write_snapshots(project)
    before = stamps(project.path / "snapshots")
    edited = PARAGRAPHS["one"][1].replace("lower town", "old harbour")
    write_page(project.path / "pages", "one", page_html("one", [PARAGRAPHS["one"][0], edited]))

    result = project.runpytest_subprocess()
    result.assert_outcomes(failed=1, passed=3)
    result.stdout.fnmatch_lines(
        [
            "tiny/one: the article differs from snapshots/tiny/one.txt (layout tiny, version v1)",
            "  body: 3 → 3 blocks; changed 3",
            "    block 3 (paragraph) changed: Residents of the [-lower town-]{+old harbour+} were moved to the school.",
            "To accept the change, run `pytest --snapshot-update`*",
        ]
    )
    assert "AssertionError" not in result.stdout.str()

    update(project)
    after = stamps(project.path / "snapshots")
    assert after["tiny/two.txt"] == before["tiny/two.txt"]
    assert edited in after["tiny/one.txt"][0].decode()


def test_a_page_that_fails_to_extract_fails_in_one_line_and_keeps_its_snapshot(project: pytest.Pytester) -> None:
    write_snapshots(project)
    before = stamps(project.path / "snapshots")
    write_page(project.path / "pages", "one", page_html("one", PARAGRAPHS["one"]).replace("h1>", "h3>"))
    (project.path / "pages" / "tiny" / "two.json").write_text('{"url": 2}', encoding="utf-8")

    result = project.runpytest_subprocess("--snapshot-update")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines_random(
        [
            "pages/tiny/one.html: layout tiny version v1 does not fit: required field 'title' (css 'h1') matched nothing;"
            " fix versions[0].fields.title in tiny.toml, or add a layout version if the site was redesigned",
            "pages/tiny/two.json: sidecar key 'url' must be a string",
        ]
    )
    assert "unused" not in result.stdout.str() and "Traceback" not in result.stdout.str()
    assert stamps(project.path / "snapshots") == before


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_a_removed_pages_snapshot_is_reported_then_removed_by_the_update(
    project: pytest.Pytester, workers: list[str]
) -> None:
    # Other directory names, to show the ini options are read.
    project.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'template_guard_layouts = ["site-layouts"]\ntemplate_guard_pages = "captures"\n'
        'template_guard_snapshots = "expected"\ntemplate_guard_tests = ["snapshot"]\ntestpaths = ["tests"]\n'
    )
    (project.path / "pages").rename(project.path / "captures")
    write_snapshots(project, "captures", "expected")
    for suffix in (".html", ".json"):
        (project.path / "captures" / "tiny" / f"two{suffix}").unlink()

    result = project.runpytest_subprocess(*workers)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*1 snapshot passed. 1 snapshot unused.", "Re-run pytest with --snapshot-update*"])

    result = update(project, *workers)
    result.stdout.fnmatch_lines(["Deleted tiny/two (expected/tiny/two.txt)"])
    assert sorted(stamps(project.path / "expected")) == ["tiny/one.txt"]


def test_without_a_pages_directory_nothing_is_generated(isolated: pytest.Pytester) -> None:
    isolated.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = isolated.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_an_unknown_generated_test_name_is_a_usage_error(isolated: pytest.Pytester) -> None:
    config = isolated.parseconfig("-o", "template_guard_tests=snapshots")
    with pytest.raises(pytest.UsageError, match="unknown generated tests snapshots .known: .*snapshot"):
        Project.from_config(config)
