"""`pytest --template-guard-report DIR`: a report for each page whose generated test failed, and an index.

Runs on the throwaway project of test_plugin.py (layout `tiny`, pages `one` and `two`, a test of its own).
"""

from __future__ import annotations

import pytest
from lxml import html
from test_plugin import PARAGRAPHS, isolated, page_html, project, write_page, write_snapshots

pytest_plugins = ["pytester"]
__all__ = ["isolated", "project"]  # fixtures of test_plugin.py, used here by name


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_failing_snapshot_gets_a_report_with_its_block_diff(project: pytest.Pytester, workers: list[str]) -> None:
    write_snapshots(project)
    write_page(project.path / "pages", "two", page_html("two", [PARAGRAPHS["two"][0], "A sentence that came later."]))
    result = project.runpytest_subprocess("--template-guard-report", "out", *workers)
    result.assert_outcomes(failed=1, passed=3)
    out = project.path / "out"
    result.stdout.fnmatch_lines([f"template_guard report of the failing pages: {out / 'index.html'}"])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == ["index.html", "tiny/two.html"]
    report = html.parse(str(out / "tiny" / "two.html")).getroot()
    diff = report.get_element_by_id("tg-diff").text_content()
    assert "block 3 (paragraph) changed" in diff and "came later" in diff
    notes = report.get_element_by_id("tg-notes").text_content()
    assert "test failed" in notes and "test_snapshot[tiny/two]" in notes
    index = html.parse(str(out / "index.html")).getroot()
    assert [(row.findtext(".//a"), row.xpath("string(td[2])")) for row in index.xpath("//tr")[1:]] == [
        ("tiny/two", "failing")
    ]

    # Fixed: the next run removes the old report, and writes none.
    write_page(project.path / "pages", "two", page_html("two", PARAGRAPHS["two"]))
    project.runpytest_subprocess("--template-guard-report", "out", *workers).assert_outcomes(passed=4)
    assert not list(out.rglob("*.html"))


def test_without_the_option_no_report_is_written(project: pytest.Pytester) -> None:
    write_snapshots(project)
    write_page(project.path / "pages", "one", page_html("one", ["Something else entirely."]))
    project.runpytest_subprocess().assert_outcomes(failed=1, passed=3)
    assert not list(project.path.rglob("index.html"))
