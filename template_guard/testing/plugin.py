"""The pytest plugin: a snapshot test per captured page, and fixtures for writing your own page checks.

Registered through the `pytest11` entry point, so every project that installs template_guard gets it;
`-p no:template_guard` turns it off. Configured in `[tool.pytest.ini_options]` (paths relative to the
rootdir): `template_guard_pages`, `template_guard_layouts`, `template_guard_snapshots`, and
`template_guard_tests` (which generated tests to collect); the first three may instead be set once for the
CLI and the plugin in `[tool.template_guard]` (see `template_guard.config`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import pytest

from template_guard.config import read_settings
from template_guard.engine.article import Article
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.layout import Layout
from template_guard.engine.pipeline import Extraction, run_captured, run_page
from template_guard.engine.routing import LayoutSet, layout_for_page, load_layouts
from template_guard.errors import ConfigError, TemplateGuardError
from template_guard.store.pages import Page, read_page
from template_guard.testing import PageRef, default_modules, generated_modules, report_hook
from template_guard.testing.budget_plugin import BudgetPlugin, add_budget_options
from template_guard.testing.page_discovery import find_pages, handle_leftovers

if TYPE_CHECKING:
    from template_guard.testing.syrupy_extension import SnapshotSite

# Hypothesis profiles (ci, dev, thorough) must exist before hypothesis' own plugin reads
# `--hypothesis-profile`, so they are registered when this plugin is imported. Without the test extra
# there is no hypothesis, and nothing to register.
if importlib.util.find_spec("hypothesis") is not None:
    from template_guard.testing.profiles import register_profiles

    register_profiles()


@dataclass(frozen=True)
class Project:
    """What one pytest run knows about the project: where things live, its pages, its layouts."""

    rootdir: Path
    pages_dir: Path
    layout_dirs: tuple[Path, ...]
    snapshots_dir: Path
    modules: tuple[Path, ...]
    pages_configured: bool = False  # set explicitly (not the default `pages`): then it must exist

    @classmethod
    def from_config(cls, config: pytest.Config) -> Project:
        root = config.rootpath
        available = generated_modules()
        chosen = config.getini("template_guard_tests") or default_modules()
        unknown = [name for name in chosen if name not in available]
        if unknown:
            raise pytest.UsageError(
                f"template_guard_tests: unknown generated tests {', '.join(unknown)} (known: {', '.join(available)})"
            )
        # The plugin's ini options win; without them, [tool.template_guard] in pyproject.toml, as the CLI reads.
        try:
            settings = read_settings(root)
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None
        pages, snapshots = config.getini("template_guard_pages"), config.getini("template_guard_snapshots")
        layout_dirs = config.getini("template_guard_layouts")
        return cls(
            rootdir=root,
            pages_dir=root / pages if pages else settings.pages,
            layout_dirs=tuple(root / d for d in layout_dirs) if layout_dirs else settings.layouts,
            snapshots_dir=root / snapshots if snapshots else settings.snapshots,
            modules=tuple(available[name] for name in available if name in chosen),
            pages_configured=bool(pages) or settings.pages.resolve() != (root / "pages").resolve(),
        )

    @cached_property
    def pages(self) -> tuple[PageRef, ...]:
        """Every captured page, found once per run (xdist workers each find the same, sorted)."""
        return find_pages(self.pages_dir, self.snapshots_dir, self.rootdir, configured=self.pages_configured)

    @cached_property
    def layouts(self) -> LayoutSet:
        """The packaged layouts plus the configured extra directories, loaded once per run."""
        return load_layouts(self.layout_dirs)


T = TypeVar("T")

_PROJECT = pytest.StashKey[Project]()
_PREVIOUS_SITE: pytest.StashKey[SnapshotSite | None] = pytest.StashKey()
_LEFTOVERS = pytest.StashKey[str]()


def project(config: pytest.Config) -> Project:
    """The run's `Project`."""
    return config.stash[_PROJECT]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("template_guard_pages", "captured pages, <dir>/<layout>/<slug>.html (default: pages)", default="")
    parser.addini(
        "template_guard_layouts",
        "extra layout directories; one of them replaces a packaged layout of the same name or domain",
        type="linelist",
        default=[],
    )
    parser.addini("template_guard_snapshots", "page snapshots, <dir>/<layout>/<slug>.txt (default: snapshots)", default="")
    parser.addini(
        "template_guard_tests",
        "generated tests to collect: snapshot, property, evidence, structure (default: all but structure)",
        type="linelist",
        default=[],
    )
    add_budget_options(parser)
    report_hook.add_report_option(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_PROJECT] = found = Project.from_config(config)
    try:
        found.pages  # noqa: B018 - found now: a broken pages tree stops the run before any snapshot is touched
    except TemplateGuardError as error:
        raise pytest.UsageError(f"template_guard: {error}") from None
    if not hasattr(config, "workerinput"):  # the controller only: xdist workers may be writing already
        update = bool(getattr(config.option, "update_snapshots", False))
        note = handle_leftovers(found.pages_dir, found.snapshots_dir, found.rootdir, remove=update)
        if note:
            config.stash[_LEFTOVERS] = note
    # The property budgets per layout version, and no property layer on --snapshot-update.
    config.pluginmanager.register(BudgetPlugin(config, lambda: found.pages, lambda: found.layouts), "template_guard_budget")
    config.pluginmanager.register(report_hook, "template_guard.report")
    if importlib.util.find_spec("syrupy") is not None:
        from template_guard.testing.syrupy_extension import PageSnapshotExtension, SnapshotSite

        config.stash[_PREVIOUS_SITE] = PageSnapshotExtension.site
        PageSnapshotExtension.site = SnapshotSite(found.rootdir, found.pages_dir, found.snapshots_dir)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if _LEFTOVERS in config.stash:
        terminalreporter.write_line(f"template_guard: {config.stash[_LEFTOVERS]}", yellow=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _PREVIOUS_SITE in config.stash:  # an in-process pytester run must leave the outer run's site intact
        from template_guard.testing.syrupy_extension import PageSnapshotExtension

        PageSnapshotExtension.site = config.stash[_PREVIOUS_SITE]


# ---- collection ------------------------------------------------------------------------------------


class GeneratedModule(pytest.Module):
    """A test module shipped inside template_guard, imported by its module name."""

    def _getobj(self) -> ModuleType:
        # pytest's own import (importmode=prepend) would put the install directory, e.g. site-packages,
        # at the front of sys.path for the rest of the run; the package is importable as it is.
        return importlib.import_module(f"{__package__}.{self.path.stem}")


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Add the generated modules to the session's top-level collectors, so they are collected once."""
    report = yield
    if isinstance(collector, pytest.Session) and report.passed:
        report.result.extend(_generated_modules(collector))
    return report


def _generated_modules(session: pytest.Session) -> list[GeneratedModule]:
    config = session.config
    if not project(config).pages:
        return []  # no pages directory (or an empty one): nothing to generate
    targets = [Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args]
    folders = [target for target in targets if target.is_dir()]
    if not folders:
        return []  # only files were named (`pytest tests/test_x.py`): run just those
    return [
        GeneratedModule.from_parent(session, path=path, name=path.name, nodeid=f"{__package__.replace('.', '/')}/{path.name}")
        for path in project(config).modules
        # A module named on the command line is collected by pytest itself, unless a folder also named
        # contains it: pytest then drops the file argument as an overlap.
        if path.resolve() not in targets or any(path.resolve().is_relative_to(folder) for folder in folders)
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that needs a page (directly or through a fixture) once per captured page."""
    if "page_ref" in metafunc.fixturenames:
        refs = project(metafunc.config).pages
        metafunc.parametrize("page_ref", refs, ids=[ref.id for ref in refs], indirect=True)


# ---- fixtures --------------------------------------------------------------------------------------


def guarded(ref: PageRef, action: Callable[[], T]) -> T:
    """`action()`, or fail the test with its template_guard error in one line, paths as reports show them."""
    __tracebackhide__ = True
    try:
        return action()
    except TemplateGuardError as error:
        folder = ref.shown.rpartition("/")[0] or "."
        message = str(error).replace(f"{ref.path.parent}{os.sep}", f"{folder}/")
    # Name the page unless the message starts with its file; raised outside the except block, so the
    # report is this one line with no chained traceback.
    pytest.fail(message if message.startswith(f"{folder}/") else f"{ref.id}: {message}", pytrace=False)


def fitted(ref: PageRef, extraction: Extraction) -> Extraction:
    """`extraction`, or fail the test when the layout no longer fits the page: one line per problem, each
    saying what to fix (the drift diagnostics)."""
    __tracebackhide__ = True
    if extraction.problems:
        advice = [f.message for f in page_findings(extraction) if f.status == "error"] or list(extraction.problems)
        head = f"{ref.shown}: layout {extraction.layout.name} version {extraction.version.name} does not fit: "
        pytest.fail(head + "\n  ".join(advice), pytrace=False)
    return extraction


def extract_or_fail(ref: PageRef, layouts: LayoutSet) -> Extraction:
    """Read the page, choose its layout and extract it; the test fails in one line if any step fails."""
    __tracebackhide__ = True

    def extract() -> Extraction:
        page = read_page(ref.path)
        return run_captured(page, layouts)

    return fitted(ref, guarded(ref, extract))


@pytest.fixture
def page_ref(request: pytest.FixtureRequest) -> PageRef:
    """The captured page under test (the plugin parametrizes every test that needs one)."""
    ref: PageRef = request.param
    return ref


@pytest.fixture(scope="session")
def layouts(pytestconfig: pytest.Config) -> LayoutSet:
    """Every layout: the packaged ones plus those in `template_guard_layouts`."""
    try:
        return project(pytestconfig).layouts
    except TemplateGuardError as error:
        message = str(error).replace(f"{pytestconfig.rootpath}{os.sep}", "")
    pytest.fail(message, pytrace=False)  # outside the except block: one line, no chained traceback


@pytest.fixture
def page(page_ref: PageRef) -> Page:
    """The captured page: its bytes as received and its sidecar metadata."""
    return guarded(page_ref, lambda: read_page(page_ref.path))


@pytest.fixture
def layout(page_ref: PageRef, page: Page, layouts: LayoutSet) -> Layout:
    """The page's layout (named by its directory, else routed by its URL)."""
    return guarded(page_ref, lambda: layout_for_page(page, layouts))


@pytest.fixture
def extraction(page_ref: PageRef, page: Page, layout: Layout, layouts: LayoutSet) -> Extraction:
    """The page's extraction with its trace; required fields that came out empty are in `.problems`."""
    return guarded(page_ref, lambda: run_page(page, layouts=layouts, layout=layout.name))


@pytest.fixture
def article(page_ref: PageRef, extraction: Extraction) -> Article:
    """The page's article; the test fails in one line when the layout no longer fits the page."""
    return fitted(page_ref, extraction).article
