"""What every `template-guard` command shares: the --layouts-dir option, exit codes, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from template_guard.errors import LayoutError, TemplateGuardError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 1
EXIT_INVALID_LAYOUTS = 2

layouts_dir_option = click.option(
    "--layouts-dir",
    "layouts_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra directory of layout TOML files (repeatable); the packaged layouts are always loaded.",
)


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
