"""The errors template_guard raises: each one renders as a single sentence a maintainer can act on."""

from __future__ import annotations

from pathlib import Path


class TemplateGuardError(Exception):
    """Base class of every error template_guard raises on purpose."""


class LayoutError(TemplateGuardError):
    """A layout definition is invalid: names the file, the key path and the problem."""

    def __init__(self, source: Path | str, key: str, problem: str, hint: str | None = None) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        self.hint = hint
        where = f"{self.source}: {key}: " if key else f"{self.source}: "
        super().__init__(where + problem + (f" ({hint})" if hint else ""))


class PageError(TemplateGuardError):
    """A page cannot be read, decoded or parsed."""

    def __init__(self, source: Path | str | None, problem: str) -> None:
        self.source = str(source) if source is not None else None
        self.problem = problem
        super().__init__(f"{self.source}: {problem}" if self.source else problem)


class NoLayoutError(TemplateGuardError):
    """No layout (or no version of a layout) applies to a page."""


class ExtractionError(TemplateGuardError):
    """The page was parsed, but its layout no longer fits it (a required field came out empty)."""

    def __init__(self, source: str | None, layout: str, version: str, problems: list[str]) -> None:
        self.source = source
        self.layout = layout
        self.version = version
        self.problems = tuple(problems)
        head = f"{source}: " if source else ""
        super().__init__(f"{head}layout {layout} version {version} does not fit: " + "; ".join(problems))


class DraftError(TemplateGuardError):
    """A layout cannot be drafted from the pages given (too few pages, several sites, no URL)."""
