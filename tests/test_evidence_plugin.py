"""The generated evidence test, run by the plugin on throwaway projects: a blind snapshot update does not silence it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evidence_pages import ARTICLES, page_html, write_layout

pytest_plugins = ["pytester"]

BOX = "<p>Sign up for our morning newsletter</p>"


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Three pages of the tiny layout; the generated snapshot and evidence tests (property tests are slow)."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'template_guard_layouts = ["site-layouts"]\ntemplate_guard_tests = ["snapshot", "evidence"]\n'
    )
    write_layout(pytester.path / "site-layouts")
    for index, paragraphs in enumerate(ARTICLES):
        write(pytester.path, f"p{index}", page_html(paragraphs))
    return pytester


def write(root: Path, slug: str, html: str) -> None:
    folder = root / "pages" / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.html").write_text(html, encoding="utf-8")
    meta = {"url": f"https://tiny.example/news/{slug}", "captured_at": "2024-05-01T10:00:00Z"}
    (folder / f"{slug}.json").write_text(json.dumps(meta), encoding="utf-8")


def test_a_leaked_box_fails_the_evidence_test_even_after_a_blind_snapshot_update(project: pytest.Pytester) -> None:
    project.runpytest_subprocess("--snapshot-update").assert_outcomes(passed=6)
    for index, paragraphs in enumerate(ARTICLES[:2]):  # a redesign: the box now sits inside the body
        write(project.path, f"p{index}", page_html(paragraphs, BOX))
    project.runpytest_subprocess("--snapshot-update")
    result = project.runpytest_subprocess()
    result.assert_outcomes(passed=4, failed=2)  # snapshots updated; the evidence still fails
    result.stdout.fnmatch_lines(
        [
            "*test_evidence[[]tiny/p0[]]*",
            "tiny/p0: 1 finding(s) of evidence against layout tiny version v1 (tiny.toml)",
            (
                "  cross-page: block 4 (paragraph) 'Sign up for our morning newsletter': the same text is in the body "
                "of 1 other article(s) of this layout version (tiny/p1); change versions[0].fields.body.exclude or "
                "versions[0].boilerplate (add a region)"
            ),
            "*a snapshot update does not silence it.",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_new_page_without_a_snapshot_gets_its_evidence_test_too(project: pytest.Pytester) -> None:
    write(project.path, "p0", page_html(ARTICLES[0], BOX))
    write(project.path, "p1", page_html(ARTICLES[1], BOX))
    result = project.runpytest_subprocess("-k", "evidence")
    result.assert_outcomes(passed=1, failed=2)


def test_an_accepted_finding_passes_and_an_unused_entry_warns(project: pytest.Pytester) -> None:
    write_layout(
        project.path / "site-layouts",
        '\n[[versions.accept]]\nkind = "cross-page"\ntext = "morning newsletter"\nreason = "template prompt"\n',
    )
    clean = project.runpytest_subprocess("-k", "evidence")
    clean.assert_outcomes(passed=3, warnings=1)
    clean.stdout.fnmatch_lines(["*UnusedAcceptWarning: layout tiny version v1: accept entries match no finding*"])
    for index, paragraphs in enumerate(ARTICLES):
        write(project.path, f"p{index}", page_html(paragraphs, BOX))
    project.runpytest_subprocess("-k", "evidence").assert_outcomes(passed=3)


def test_a_page_the_layout_no_longer_fits_fails_in_one_line(project: pytest.Pytester) -> None:
    write(project.path, "p2", page_html(ARTICLES[2]).replace("h1>", "h3>"))
    result = project.runpytest_subprocess("-k", "evidence")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["pages/tiny/p2.html: layout tiny version v1 does not fit: *title*"])
    assert "Traceback" not in result.stdout.str()
