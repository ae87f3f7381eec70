"""What every `template-guard` command shares: the --layouts-dir option, exit codes, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import click

from template_guard.config import read_settings
from template_guard.errors import ConfigError, LayoutError, TemplateGuardError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 1
EXIT_INVALID_LAYOUTS = 2

def _with_configured_layouts(ctx: click.Context, param: click.Parameter, given: tuple[Path, ...]) -> tuple[Path, ...]:
    """The project's configured layout directories (pyproject.toml), then those given on the command line."""
    try:
        configured = read_settings().layouts
    except ConfigError as error:
        fail(str(error))
    directories: dict[Path, Path] = {}
    for directory in (*configured, *given):
        directories.setdefault(directory.resolve(), directory)  # a directory named twice loads once
    return tuple(directories.values())


layouts_dir_option = click.option(
    "--layouts-dir",
    "layouts_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    callback=_with_configured_layouts,
    help="Extra directory of layout TOML files (repeatable), after those in pyproject.toml's "
    "[tool.template_guard] layouts; a layout here replaces a packaged one of the same name or domain.",
)


def shown_path(path: Path) -> Path:
    """A configured path as the user would type it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def configured_directory(setting: Literal["pages", "snapshots"]) -> Callable[[click.Context, click.Parameter, Path | None], Path]:
    """A click callback: the directory given on the command line, else the project's (pyproject.toml), else ./NAME."""

    def callback(ctx: click.Context, param: click.Parameter, given: Path | None) -> Path:
        if given is not None:
            return given
        try:
            return shown_path(getattr(read_settings(), setting))
        except ConfigError as error:
            fail(str(error))

    return callback


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    """Print one error line and exit."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def reporting_errors(command: F) -> F:
    """Turn template_guard's own errors into one line on stderr and a non-zero exit, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LayoutError as error:
            fail(str(error), EXIT_INVALID_LAYOUTS)
        except TemplateGuardError as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]
