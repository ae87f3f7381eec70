"""Command-line options shared by every `template-guard` command."""

from __future__ import annotations

from pathlib import Path

import click

layouts_dir_option = click.option(
    "--layouts-dir",
    "layouts_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra directory of layout TOML files (repeatable); the packaged layouts are always loaded.",
)
