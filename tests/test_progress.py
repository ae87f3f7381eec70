"""Progress lines (issue 16): `check`, `evaluate` and `capture` show one on a terminal's stderr, and nothing in
a pipe; the library functions behind them report each page through a callback instead of printing."""

from __future__ import annotations

import functools
import io
import os
import select
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import test_capture
from click.testing import CliRunner
from test_capture import Server, html_page, respond, write_warc
from test_cli import BUNDLED, bundled_pages
from test_quality import needs_rouge, tiny_corpus

import template_guard.tools.capture_command as capture_command_module
import template_guard.tools.evaluate_command as evaluate_command_module
from template_guard.engine.routing import load_layouts
from template_guard.tools.capture import Filing, capture_urls
from template_guard.tools.evaluate import corpus_pages, evaluate
from template_guard.tools.progress import progress
from template_guard.tools.warc import import_warc

# The page copies, corpus, loopback server and WARC come from the other tests (tests/ is on sys.path).
server, capture, layouts_dir, pages_dir = test_capture.server, test_capture.capture, test_capture.layouts_dir, test_capture.pages_dir

CLI = [sys.executable, "-c", "from template_guard.tools.cli import main; main()"]
PAGES = len(BUNDLED)
COLUMNS = 100
needs_pty = pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals on this system")


# ---------------------------------------------------------------------------------------------- helpers


class Terminal(io.StringIO):
    """A stream that says it is a terminal, so tqdm draws on it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """The evaluate and capture commands draw their progress line on a `Terminal` instead of stderr."""
    screen = Terminal()
    for module in (evaluate_command_module, capture_command_module):
        monkeypatch.setattr(module, "progress", functools.partial(progress, stream=screen))
    return screen


@pytest.fixture(scope="module")
def check_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundled_pages(tmp_path_factory.mktemp("progress"))


@pytest.fixture(scope="module")
def piped(check_pages: Path) -> subprocess.CompletedProcess[str]:
    """`template-guard check` with stdout and stderr both pipes, as in CI or a log."""
    return subprocess.run(
        [*CLI, "check", str(check_pages)], cwd=check_pages.parent, capture_output=True, text=True, check=False
    )


def run_on_terminal(args: list[str], cwd: Path, *, stdout_too: bool) -> tuple[str, str, int]:
    """Run the CLI with stderr (and with `stdout_too`, stdout) on a pseudo-terminal: what the terminal got,
    what stdout got when it is a file instead, and the exit status."""
    import fcntl
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    # Every update drawn, however fast the pages go, so the final count is on the terminal too.
    env = {**os.environ, "TQDM_MININTERVAL": "0"}
    with tempfile.TemporaryFile() as stdout_file:
        process = subprocess.Popen(
            [*CLI, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave if stdout_too else stdout_file,
            stderr=slave,
        )
        os.close(slave)
        received = bytearray()
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                if not select.select([master], [], [], 1)[0]:
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end of the terminal
                    break
                if not chunk:
                    break
                received += chunk
        finally:
            os.close(master)
            code = process.wait(timeout=30)
        stdout_file.seek(0)
        return received.decode("utf-8"), stdout_file.read().decode("utf-8"), code


def rendered(transcript: str) -> list[str]:
    """The lines a terminal shows for `transcript`: a carriage return goes back to the start of the line, and
    what is written next overwrites what was there."""
    lines = []
    for raw in transcript.split("\n"):
        cells: list[str] = []
        column = 0
        for char in raw:
            if char == "\r":
                column = 0
                continue
            if column < len(cells):
                cells[column] = char
            else:
                cells.append(char)
            column += 1
        lines.append("".join(cells).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


# ---------------------------------------------------------------------------------------------- check


def test_in_a_pipe_check_writes_no_progress(piped: subprocess.CompletedProcess[str]) -> None:
    assert piped.returncode == 0, piped.stdout + piped.stderr
    assert piped.stderr == ""
    assert "\r" not in piped.stdout
    assert "page/s" not in piped.stdout and "%|" not in piped.stdout
    assert f"{PAGES} pages checked: 0 errors" in piped.stdout


@needs_pty
def test_on_a_terminal_check_draws_a_progress_line_on_stderr_and_clears_it(
    check_pages: Path, piped: subprocess.CompletedProcess[str]
) -> None:
    screen, stdout, code = run_on_terminal(["check", str(check_pages)], check_pages.parent, stdout_too=False)

    assert code == 0
    assert "check:   0%|" in screen
    assert f"| {PAGES}/{PAGES} [" in screen and "page/s" in screen
    assert "almayadeen-english/" + BUNDLED[-1].stem in screen  # the page just done, after the count
    assert "check evidence:" in screen and "version/s" in screen  # the second phase has its own line
    assert stdout == piped.stdout  # the report itself is byte for byte what a pipe gets
    assert rendered(screen) == []  # the line is gone at the end: the terminal holds only the report


@needs_pty
def test_on_a_terminal_the_report_lines_and_the_progress_line_do_not_mix(
    check_pages: Path, piped: subprocess.CompletedProcess[str]
) -> None:
    screen, _, code = run_on_terminal(["check", str(check_pages)], check_pages.parent, stdout_too=True)

    assert code == 0
    assert "check:" in screen  # the progress line was drawn among the report lines ...
    # ... and lifted before each of them: what the terminal shows is exactly the report.
    assert rendered(screen) == [line.rstrip() for line in piped.stdout.splitlines()]


# ---------------------------------------------------------------------------------------------- the helper


def test_the_helper_draws_nothing_unless_its_stream_is_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    with progress("work", 2, stream=stream) as bar:
        bar.advance("one")
        bar.echo("a line")
        bar.echo("an error line", err=True)
        bar.advance("two")
    assert stream.getvalue() == ""
    assert capsys.readouterr() == ("a line\n", "an error line\n")


def test_the_helper_lifts_its_line_for_each_echoed_line() -> None:
    screen = Terminal()
    with progress("work", 2, stream=screen) as bar:
        bar.advance("first")
        drawn = screen.getvalue()
        bar.echo("a line")
        assert screen.getvalue()[len(drawn):].startswith("\r" + " " * len(rendered(drawn)[-1]))  # cleared ...
        assert "1/2" in screen.getvalue()[len(drawn) + 1:]  # ... then drawn again
    assert "work:   0%|" in screen.getvalue() and "first" in screen.getvalue()
    assert rendered(screen.getvalue()) == []


# ---------------------------------------------------------------------------------------------- evaluate


@needs_rouge
def test_evaluate_reports_each_page_scored_or_skipped(tmp_path: Path) -> None:
    corpus = tiny_corpus(tmp_path)
    done: list[str] = []

    report = evaluate(corpus, trafilatura=False, on_page=done.append)

    assert done == ["AlMayadeen_0", "Elsewhere_0"] == [page.key for page in corpus_pages(corpus)]
    assert [page.page for page in report.pages] == ["AlMayadeen_0"] and report.skipped == ("Elsewhere_0",)
    done.clear()
    evaluate(corpus, trafilatura=False, publishers=["AlMayadeen"], on_page=done.append)
    assert done == ["AlMayadeen_0"] == [page.key for page in corpus_pages(corpus, ["AlMayadeen"])]


@needs_rouge
@pytest.mark.parametrize(("publishers", "total"), [((), 2), (("--publisher", "AlMayadeen"), 1)])
def test_the_evaluate_command_counts_the_pages_it_will_go_through(
    tmp_path: Path, terminal: Terminal, publishers: tuple[str, ...], total: int
) -> None:
    corpus = tiny_corpus(tmp_path)
    result = CliRunner().invoke(
        evaluate_command_module.evaluate_command, [str(corpus), "--no-trafilatura", *publishers]
    )
    assert result.exit_code == 0, result.output
    assert "evaluate:   0%|" in terminal.getvalue() and f"| 0/{total} [" in terminal.getvalue()
    assert "\r" not in result.output and "ROUGE-LSum" in result.output  # the report is untouched


# ---------------------------------------------------------------------------------------------- capture


def test_capture_urls_reports_each_url_captured_or_failed(server: Server, layouts_dir: Path, pages_dir: Path) -> None:
    server.routes["/news/first"] = respond(200, html_page("First"))
    urls = [server.url("/news/first"), server.url("/news/missing")]  # the second one is a 404
    done: list[str] = []

    report = capture_urls(urls, Filing(load_layouts([layouts_dir]), pages_dir), on_page=done.append)

    assert done == urls
    assert [r.url for r in report.captured] == urls[:1] and [f.url for f in report.failed] == urls[1:]


def test_import_warc_reports_each_response_record(tmp_path: Path, layouts_dir: Path, pages_dir: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)  # a request record, then five responses: two pages, three skipped
    done: list[str] = []

    report = import_warc(warc, Filing(load_layouts([layouts_dir]), pages_dir), on_record=done.append)

    assert done == [
        "http://127.0.0.1/news/warc-article",
        "http://127.0.0.1/news/zipped-article",
        "http://127.0.0.1/news/gone",
        "http://127.0.0.1/images/photo.png",
        "http://elsewhere.example/news/other",
    ]
    assert len(report.captured) == 2 and sum(report.skipped.values()) == 3


def test_the_capture_command_counts_its_urls_and_the_records_of_a_warc(
    server: Server, capture, tmp_path: Path, terminal: Terminal
) -> None:
    server.routes["/news/one"] = respond(200, html_page("One"))
    server.routes["/news/two"] = respond(200, html_page("Two"))
    result = capture(server.url("/news/one"), server.url("/news/two"))
    assert result.exit_code == 0, result.output
    assert "capture:   0%|" in terminal.getvalue() and "| 0/2 [" in terminal.getvalue()
    assert "2 captured, 0 failed" in result.stdout and "\r" not in result.output  # the report is unchanged

    terminal.seek(0)
    terminal.truncate()
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)
    result = capture("--from-warc", str(warc))
    assert result.exit_code == 0, result.output
    assert "capture: 0 records [" in terminal.getvalue()  # a count: how many records a WARC holds is unknown
    assert "2 captured, 0 failed, 3 skipped" in result.stdout and "\r" not in result.output
