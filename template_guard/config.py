"""The project's settings (pages, snapshots, layout directories), read from the nearest pyproject.toml.

The command line and the pytest plugin read the same keys, so a project configures its directories once:
`[tool.template_guard]` (`pages`, `snapshots`, `layouts`) or, as before, the plugin's options in
`[tool.pytest.ini_options]` (`template_guard_pages`, `template_guard_snapshots`, `template_guard_layouts`).
Paths are relative to the directory of the pyproject.toml.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from template_guard.errors import ConfigError

PYPROJECT = "pyproject.toml"
DEFAULT_PAGES = "pages"
DEFAULT_SNAPSHOTS = "snapshots"
# Each setting: its key in [tool.template_guard], and the plugin's name for it in [tool.pytest.ini_options].
_KEYS = {"pages": "template_guard_pages", "snapshots": "template_guard_snapshots", "layouts": "template_guard_layouts"}


@dataclass(frozen=True)
class Settings:
    """Where a project keeps its pages, snapshots and own layouts (absolute paths)."""

    root: Path  # the directory of the pyproject.toml, or the start directory when there is none
    source: Path | None  # the pyproject.toml the settings came from
    pages: Path
    snapshots: Path
    layouts: tuple[Path, ...] = ()


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in `start` or one of its parents."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def read_settings(start: Path | None = None) -> Settings:
    """The settings of the project holding `start` (default: the working directory); defaults without one."""
    start = (start or Path.cwd()).resolve()
    source = find_pyproject(start)
    if source is None:
        return Settings(start, None, start / DEFAULT_PAGES, start / DEFAULT_SNAPSHOTS)
    return settings_from(source)


def settings_from(source: Path) -> Settings:
    """The settings in one pyproject.toml; `ConfigError` naming the key when a value is unusable."""
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(f"{source}: cannot read the file: {error.strerror or error}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    tool = document.get("tool", {})
    own = _table(tool.get("template_guard", {}), source, "tool.template_guard")
    ini = _table(tool.get("pytest", {}), source, "tool.pytest")
    ini = _table(ini.get("ini_options", {}), source, "tool.pytest.ini_options")
    unknown = sorted(set(own) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{source}: tool.template_guard.{unknown[0]}: unknown key (known: {', '.join(_KEYS)})")
    values: dict[str, Any] = {}
    for key, ini_key in _KEYS.items():
        mine, theirs = own.get(key), ini.get(ini_key)
        if mine is not None and theirs is not None and _as_list(mine) != _as_list(theirs):
            raise ConfigError(
                f"{source}: tool.template_guard.{key} = {mine!r} but tool.pytest.ini_options.{ini_key} = "
                f"{theirs!r}; keep one of them"
            )
        where = f"tool.template_guard.{key}" if mine is not None else f"tool.pytest.ini_options.{ini_key}"
        values[key] = _paths(mine if mine is not None else theirs, source, where)
    root = source.parent
    pages, snapshots = values["pages"], values["snapshots"]
    for key, found in (("pages", pages), ("snapshots", snapshots)):
        if len(found) > 1:
            raise ConfigError(f"{source}: {key}: must be one directory, not {len(found)}")
    return Settings(
        root=root,
        source=source,
        pages=root / (pages[0] if pages else DEFAULT_PAGES),
        snapshots=root / (snapshots[0] if snapshots else DEFAULT_SNAPSHOTS),
        layouts=tuple(root / path for path in values["layouts"]),
    )


def _table(value: Any, source: Path, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key}: must be a table")
    return value


def _as_list(value: Any) -> list[Any]:
    # pytest's linelist options may be written as one string of lines or as a TOML list.
    return value.split() if isinstance(value, str) else list(value) if isinstance(value, list) else [value]


def _paths(value: Any, source: Path, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _as_list(value)
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise ConfigError(f"{source}: {key}: must be a directory path or a list of them, not {value!r}")
    return tuple(item.strip() for item in items)
