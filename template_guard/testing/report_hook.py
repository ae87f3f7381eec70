"""`pytest --template-guard-report DIR`: an HTML report of every page whose generated test failed.

Each failing test that ran on a captured page (it requested `page_ref`) writes that page's report to
`DIR/<layout>/<slug>.html`, with the snapshot's block diff when the article no longer equals it and the
test's failure as a finding; `DIR/index.html` links them at the end. Reports of an earlier run are removed first.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from template_guard.engine.article import clip
from template_guard.engine.pipeline import run_captured
from template_guard.errors import TemplateGuardError
from template_guard.report import PageReport, ReportFinding, remove_reports, write_index, write_report
from template_guard.report.diffing import snapshot_diff, snapshot_path
from template_guard.store.pages import read_page
from template_guard.testing import PageRef

OPTION = "--template-guard-report"


def add_report_option(parser: pytest.Parser) -> None:
    """Register `--template-guard-report DIR`."""
    parser.getgroup("template_guard").addoption(
        OPTION, dest="template_guard_report", metavar="DIR", default=None, type=Path,
        help="write an HTML report of each page whose generated test failed to DIR/<layout>/<slug>.html, "
        "and DIR/index.html linking them",
    )


def report_dir(config: pytest.Config) -> Path | None:
    """The report directory of this run, or None without the option."""
    value: Path | None = config.getoption("template_guard_report", None)
    return None if value is None else Path(config.invocation_params.dir, value)


def pytest_configure(config: pytest.Config) -> None:
    directory = report_dir(config)
    # xdist workers share the controller's directory: only the controller clears what an earlier run left.
    if directory is not None and not hasattr(config, "workerinput") and directory.is_dir():
        remove_reports(directory)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    directory = report_dir(item.config)
    callspec = getattr(item, "callspec", None)  # only parametrized tests have one
    ref = callspec.params.get("page_ref") if callspec is not None else None
    if directory is not None and report.failed and report.when != "teardown" and isinstance(ref, PageRef):
        write_page_report(item.config, directory, ref, report)
    return report


def write_page_report(config: pytest.Config, directory: Path, ref: PageRef, report: pytest.TestReport) -> Path | None:
    """Write the report of the page under a failed test; None when the page cannot be extracted."""
    from template_guard.testing.plugin import project  # the plugin imports this module: import it when used

    found = project(config)
    try:
        page = read_page(ref.path)
        extraction = run_captured(page, found.layouts)
    except TemplateGuardError:
        return None  # the test's own message says why; there is no page to draw
    failure = (report.longreprtext.strip().splitlines() or ["(no message)"])[0]
    findings = (ReportFinding("test failed", f"{report.nodeid}: {clip(failure, 300)}"),)
    diff = snapshot_diff(snapshot_path(found.snapshots_dir, ref.id), extraction.article)
    return write_report(directory, PageReport(ref.id, extraction, findings, diff, page.meta.url))


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The index is written once, by the controller after every xdist worker has written its pages.
    directory = report_dir(session.config)
    if directory is not None and not hasattr(session.config, "workerinput") and any(directory.glob("*/*.html")):
        write_index(directory)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    directory = report_dir(config)
    if directory is not None and (directory / "index.html").is_file():
        terminalreporter.write_line(f"template_guard report of the failing pages: {directory / 'index.html'}")
