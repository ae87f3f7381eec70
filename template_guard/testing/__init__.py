"""Test modules shipped with template_guard, collected by its pytest plugin in every project that uses it.

Each `*_tests.py` module here is collected once per run, next to the project's own tests, and every test
in it that requests a page fixture runs once per captured page. Their names deliberately do not match
pytest's default `test_*.py` pattern, so a directory walk never collects them a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GENERATED_DIR = Path(__file__).parent
OPT_IN_MODULES = frozenset({"structure"})
"""Generated modules collected only when `template_guard_tests` names them: `structure` (properties that do not
trust the layout) still fails on pages of several bundled layouts, whose owners must triage its findings first."""


@dataclass(frozen=True)
class PageRef:
    """A captured page as a test parameter: its id (`<layout>/<slug>`) and its file."""

    id: str
    path: Path
    shown: str  # the file's path as reports show it (relative to the rootdir when inside it)


def shown(path: Path, rootdir: Path) -> str:
    """`path` as reports show it: relative to the rootdir when inside it."""
    return path.relative_to(rootdir).as_posix() if path.is_relative_to(rootdir) else str(path)


def default_modules() -> list[str]:
    """The generated modules collected when `template_guard_tests` is not set: all but `OPT_IN_MODULES`."""
    return [name for name in generated_modules() if name not in OPT_IN_MODULES]


def generated_modules() -> dict[str, Path]:
    """The generated test modules by name (`snapshot` for `snapshot_tests.py`), in a stable order."""
    return {path.stem.removesuffix("_tests"): path for path in sorted(GENERATED_DIR.glob("*_tests.py"))}
