"""Helpers of the layout-format tests: the bundled pages and layout, copied so a test may change them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from template_guard.engine.routing import PACKAGED_LAYOUTS
from template_guard.tools.cli import main

REPO = Path(__file__).resolve().parents[1]
LAYOUT = "almayadeen-english"
BUNDLED = sorted((REPO / "pages" / LAYOUT).glob("*.html"))
PACKAGED_TOML = (PACKAGED_LAYOUTS / f"{LAYOUT}.toml").read_text(encoding="utf-8")


def copy_pages(target: Path, pages: list[Path] | None = None, layout: str = LAYOUT) -> Path:
    """`target/<layout>/` holding copies of `pages` (default: every bundled page) with their sidecars."""
    folder = target / layout
    folder.mkdir(parents=True, exist_ok=True)
    for page in BUNDLED if pages is None else pages:
        for path in (page, page.with_suffix(".json")):
            (folder / path.name).write_bytes(path.read_bytes())
    return target


def write_layout(directory: Path, text: str, name: str = LAYOUT) -> Path:
    """A layout file `name.toml` in `directory` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    """The CLI, as a user runs it (its errors are output, not exceptions)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)
