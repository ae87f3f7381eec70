"""A progress line on stderr for commands that work through many pages (check, evaluate, capture).

Drawn only when stderr is a terminal: in a pipe or a log nothing is written, so output stays as it was.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from tqdm import tqdm


class Progress:
    """One live progress line; lines printed through `echo` appear above it instead of through it."""

    def __init__(self, bar: tqdm, stream: TextIO) -> None:
        self._bar = bar
        self._stream = stream

    def advance(self, label: str | None = None) -> None:
        """Count one item done, showing `label` (its short name) after the count."""
        if label is not None:
            self._bar.set_postfix_str(label, refresh=False)
        self._bar.update(1)

    def echo(self, line: str, err: bool = False) -> None:
        """`click.echo` the line (to stderr with `err`) with the progress line lifted off the terminal meanwhile."""
        # stdout and stderr share the terminal: clear the bar, print, then redraw it below the new line.
        with self._bar.external_write_mode(file=self._stream):
            click.echo(line, err=err)


@contextlib.contextmanager
def progress(desc: str, total: int | None, *, unit: str = "page", stream: TextIO | None = None) -> Iterator[Progress]:
    """A progress line for `total` items (None: unknown, only a count is shown), cleared when the block ends."""
    from tqdm import tqdm  # here, not at the top: `template-guard --help` and `extract` do not pay for it

    stream = stream if stream is not None else sys.stderr  # read now: click's CliRunner swaps it while it runs
    # disable=None: tqdm draws nothing unless the stream is a terminal. leave=False: the line goes away at the
    # end, so the terminal holds only the command's own output.
    bar = tqdm(total=total, desc=desc, unit=unit, file=stream, disable=None, leave=False, dynamic_ncols=True)
    try:
        yield Progress(bar, stream)
    finally:
        bar.close()
