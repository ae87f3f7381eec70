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


class ConfigError(TemplateGuardError):
    """The project's settings (pyproject.toml) cannot be used: names the file and the key."""


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


class SelectorSyntaxError(TemplateGuardError, ValueError):
    """A selector expression does not compile, or cannot select elements; the message says why."""

    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(problem + (f" ({hint})" if hint else ""))


class CaptureError(TemplateGuardError):
    """One page could not be captured; the message is a single line for the user."""


class EvaluationError(TemplateGuardError):
    """The evaluation cannot run: a corpus file is missing or malformed, or a dependency is not installed."""


class SnapshotFormatError(TemplateGuardError, ValueError):
    """A snapshot file is not in the format `render_snapshot` writes."""


class SnapshotError(TemplateGuardError, TypeError):
    """The page snapshot extension is misused: wrong data, no `page_ref` parameter, or the plugin is disabled.

    Also a TypeError, as the misuse most often is handing it something that is not an Article.
    """


class MutationError(TemplateGuardError, ValueError):
    """A property-test mutation was asked for by an unknown name or with unusable arguments."""


class UnknownFieldError(TemplateGuardError, KeyError):
    """A name that is not one of the article fields (title, standfirst, body, authors, published, tags)."""

    def __str__(self) -> str:
        # KeyError would quote the message; this one is a sentence.
        return str(self.args[0]) if self.args else ""


class UnknownOptionError(TemplateGuardError, TypeError):
    """An extraction option that does not exist (a misspelt keyword argument): a TypeError, as Python raises."""


class DraftError(TemplateGuardError):
    """A layout cannot be drafted from the pages given (too few pages, several sites, no URL)."""
