"""What the generated property layer costs in one run: budgets per layout version, and none on `--snapshot-update`.

Registered by the template_guard plugin (`pytest_configure`). It

- deselects the generated property layer (every generated test but the snapshots and the evidence) when
  `--snapshot-update` is given: re-blessing snapshots should take seconds, and the properties do not
  depend on the snapshots (one line in the summary says so);
- gives each page's property tests its budget (the `property_budget` fixture, see
  `template_guard.testing.budget`) and records it in the test's report (`user_properties`, so JUnit XML
  has it too);
- prints one summary line per layout version: which pages had the full budget, how many the small one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import pytest

from template_guard.engine.routing import LayoutSet
from template_guard.testing import GENERATED_DIR, PageRef
from template_guard.testing.budget import ALL, Budget, default_seed, page_version, plan_budgets

__all__ = ["BudgetPlugin", "add_budget_options"]

# What `--snapshot-update` still runs: the snapshots it writes, and the evidence, which a blind update
# must not silence. Every other generated module (the properties, the body structure) is the property layer.
KEPT_ON_UPDATE = frozenset({"snapshot_tests.py", "evidence_tests.py"})
_BUDGET = "template_guard_budget"
_VERSION = "template_guard_version"
_PAGE = "template_guard_page"


def add_budget_options(parser: pytest.Parser) -> None:
    """The command-line options and ini keys of the property budgets."""
    group = parser.getgroup("template_guard")
    group.addoption(
        "--template-guard-representatives",
        metavar="N|all",
        help="pages per layout version whose property tests get the full budget (default: the ini value, else 1)",
    )
    group.addoption(
        "--template-guard-seed",
        type=int,
        metavar="N",
        help="seed of the rotation that picks each version's representatives (default: today's UTC day number)",
    )
    parser.addini(
        "template_guard_representatives",
        "pages per layout version whose property tests get the full budget: a number, or all (default: 1)",
        default="1",
    )


def _representatives(config: pytest.Config) -> int:
    value = str(config.getoption("template_guard_representatives") or config.getini("template_guard_representatives"))
    if value.strip().lower() == "all":
        return ALL
    try:
        count = int(value)
    except ValueError:
        count = -2
    if count < 0:
        raise pytest.UsageError(f"template_guard_representatives: expected a number ≥ 0 or 'all', got {value!r}")
    return count


class BudgetPlugin:
    """The hooks and the fixture of the property budgets, for one run."""

    def __init__(self, config: pytest.Config, pages: Callable[[], tuple[PageRef, ...]], layouts: Callable[[], LayoutSet]):
        self.config = config
        self._pages = pages
        self._layouts = layouts
        self.representatives = _representatives(config)
        seed = config.getoption("template_guard_seed")
        self.seed = default_seed() if seed is None else int(seed)
        self.deselected = 0
        self.ran: dict[str, dict[str, str]] = defaultdict(dict)  # version -> page id -> tier

    @cached_property
    def plan(self) -> dict[str, Budget]:
        """Every page's budget, planned on first use (each xdist worker plans the same)."""
        layouts = self._layouts()
        return plan_budgets(
            ((ref.id, page_version(ref.path, layouts)) for ref in self._pages()),
            seed=self.seed,
            representatives=self.representatives,
        )

    @pytest.fixture
    def property_budget(self, page_ref: PageRef, request: pytest.FixtureRequest) -> Budget:
        """The page's property budget (recorded in the test's report)."""
        budget = self.plan.get(page_ref.id, Budget("full", "?"))
        request.node.user_properties.extend([(_BUDGET, budget.tier), (_VERSION, budget.version), (_PAGE, page_ref.id)])
        return budget

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not config.getoption("update_snapshots", default=False):
            return
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            (dropped if _is_generated_property(item.path) else kept).append(item)
        if dropped:
            self.deselected = len(dropped)
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        found = dict(report.user_properties)
        if _BUDGET in found:
            self.ran[str(found[_VERSION])][str(found[_PAGE])] = str(found[_BUDGET])

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.config.getoption("update_snapshots", default=False) and (self.deselected or _worker_run(self.config)):
            shown = f"{self.deselected} " if self.deselected else ""
            terminalreporter.write_line(
                f"template_guard: --snapshot-update ran the snapshots only; {shown}generated property tests "
                "were deselected (run pytest without it to check them)"
            )
        if not self.ran:
            return
        who = "every page" if self.representatives == ALL else f"{self.representatives} page(s) per version"
        terminalreporter.section("template_guard property budgets")
        terminalreporter.write_line(f"full budget for {who}, rotation seed {self.seed}; the others a small budget")
        for version in sorted(self.ran):
            tiers = self.ran[version]
            full = sorted(page for page, tier in tiers.items() if tier == "full")
            small = len(tiers) - len(full)
            terminalreporter.write_line(f"{version}: full {', '.join(full) or '-'}; small {small} page(s)")


def _is_generated_property(path: Path) -> bool:
    return path.parent.resolve() == GENERATED_DIR.resolve() and path.name not in KEPT_ON_UPDATE


def _worker_run(config: pytest.Config) -> bool:
    """Whether xdist workers ran the tests (the controller itself collects nothing)."""
    return bool(getattr(config.option, "numprocesses", None))
