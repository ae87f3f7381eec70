"""The package type-checks with mypy --strict, passes ruff, and starts its CLI without the heavy libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
PACKAGE = REPO / "template_guard"
# Imported only by the commands (or the test helpers) that need them, never to start `template-guard`.
HEAVY = ("requests", "warcio", "urllib3", "hypothesis", "syrupy", "rouge_score", "trafilatura", "pytest", "tqdm")


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("tool", ["mypy", "ruff"])
def test_the_tool_is_installed(tool: str) -> None:
    result = run_tool(tool, "--version")
    assert result.returncode == 0, f"{tool} is missing: pip install -e '.[test]'\n{result.stderr}"


def test_mypy_strict_finds_nothing() -> None:
    # pyproject.toml sets strict = true and the files to check.
    result = run_tool("mypy", "--no-incremental", str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    result = run_tool("ruff", "check", "--no-cache", str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{name.partition('.')[0] for name in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_cli_module_and_its_help_import_no_heavy_library() -> None:
    loaded = imported_after(
        "from click.testing import CliRunner\nfrom template_guard.tools.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0"
    )
    assert "template_guard" in loaded and "click" in loaded  # the probe did run the CLI
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_extract_imports_no_heavy_library(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><h1>Title</h1><p>Text.</p></article></body></html>", encoding="utf-8")
    loaded = imported_after(
        "from click.testing import CliRunner\nfrom template_guard.tools.cli import main\n"
        f"result = CliRunner().invoke(main, ['extract', '--layout', 'apnews', {str(page)!r}])\n"
        "assert 'Traceback' not in result.output, result.output"
    )
    assert "lxml" in loaded  # the page was parsed
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_capture_loads_its_libraries_when_it_runs() -> None:
    loaded = imported_after(
        "from click.testing import CliRunner\nfrom template_guard.tools.cli import main\n"
        "assert CliRunner().invoke(main, ['capture', '--help']).exit_code == 0"
    )
    assert {"requests", "warcio"} <= loaded
