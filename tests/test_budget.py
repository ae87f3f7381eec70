"""Property budgets per layout version, and `--snapshot-update` without the property layer."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from xml.etree import ElementTree

import pytest
from format_pages import BUNDLED, write_layout
from test_format_variants import has_box, with_variants

from template_guard import load_layouts
from template_guard.testing.budget import ALL, Budget, default_seed, page_version, plan_budgets
from template_guard.testing.profiles import SMALL_MIN_EXAMPLES, SMALL_STEPS, budget_settings, property_settings

pytest_plugins = ["pytester"]

LAYOUT = """\
name = "mini"
domains = ["mini.example"]

[[versions]]
name = "old"
valid_from = 2020-01-01
valid_until = 2024-01-01

[versions.boilerplate.menu]
css = "nav"
items = "a"

[versions.fields.title]
css = "h1"

[versions.fields.body]
css = "article"
blocks = [{ kind = "paragraph", css = "p" }]

[[versions]]
name = "new"
extends = "old"
valid_from = 2024-01-01
"""

# slug -> capture date: three pages of version "old", two of "new"
PAGES = {"a": "2023-03-01", "b": "2023-04-01", "c": "2023-05-01", "d": "2024-06-01", "e": "2024-07-01"}


def test_each_version_gets_its_representatives_and_the_rest_a_small_budget() -> None:
    pages = [(f"site/{n}", "site@v1") for n in range(5)] + [(f"site/x{n}", "site@v2") for n in range(2)]
    for representatives in (0, 1, 2, 9):
        plan = plan_budgets(pages, seed=7, representatives=representatives)
        full = Counter(budget.version for budget in plan.values() if budget.tier == "full")
        assert full == Counter({v: min(representatives, n) for v, n in (("site@v1", 5), ("site@v2", 2)) if representatives})
    everything = plan_budgets(pages, seed=7, representatives=ALL)
    assert {budget.tier for budget in everything.values()} == {"full"}


def test_the_rotation_moves_by_one_page_a_day_and_covers_every_page() -> None:
    pages = [(f"site/{n}", "site@v1") for n in range(5)]
    chosen = []
    for seed in range(10, 15):
        plan = plan_budgets(pages, seed=seed)
        chosen.extend(page for page, budget in plan.items() if budget.tier == "full")
    assert sorted(chosen) == sorted(page for page, _ in pages)  # five days: each page once
    assert plan_budgets(pages, seed=3) == plan_budgets(list(reversed(pages)), seed=3)  # independent of order
    assert default_seed(dt.date(2026, 11, 30)) + 1 == default_seed(dt.date(2026, 12, 1))


def test_pages_that_cannot_be_routed_get_the_full_budget(tmp_path) -> None:
    stray = tmp_path / "pages" / "nowhere" / "x.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    assert page_version(stray, load_layouts()) == "?"
    plan = plan_budgets([("nowhere/x", "?"), ("nowhere/y", "?")], seed=0, representatives=1)
    assert plan == {"nowhere/x": Budget("full", "?"), "nowhere/y": Budget("full", "?")}


def test_pages_of_a_variant_are_budgeted_under_the_variant_version(tmp_path) -> None:
    # A variant has selectors of its own: its pages need representatives of their own.
    layouts = load_layouts([write_layout(tmp_path, with_variants()).parent])
    versions = {page.stem: page_version(page, layouts) for page in BUNDLED}
    expected = {
        page.stem: "almayadeen-english@" + (
            "attacks-2021" if "almaty-faced" in page.stem else "box-2021" if has_box(page) else "2021"
        )
        for page in BUNDLED
    }
    assert versions == expected and len(set(versions.values())) > 1
    assert {page_version(page, load_layouts()) for page in BUNDLED} == {"almayadeen-english@2021"}


def test_the_small_budget_is_a_small_share_of_the_active_profile() -> None:
    full, small = property_settings(), budget_settings("small")
    assert budget_settings("full").max_examples == full.max_examples
    assert SMALL_MIN_EXAMPLES <= small.max_examples < full.max_examples
    assert small.stateful_step_count == min(SMALL_STEPS, full.stateful_step_count) < full.stateful_step_count
    assert small.derandomize == full.derandomize and small.database == full.database


# ---- In a project ---------------------------------------------------------------------------------


@pytest.fixture
def mini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project of five pages over two versions of one layout, collecting the generated tests."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\ntemplate_guard_layouts = ["layouts"]\ntemplate_guard_tests = ["snapshot", "property"]\n'
    )
    (pytester.path / "layouts").mkdir()
    (pytester.path / "layouts" / "mini.toml").write_text(LAYOUT, encoding="utf-8")
    folder = pytester.path / "pages" / "mini"
    folder.mkdir(parents=True)
    for slug, day in PAGES.items():
        html = (
            f"<html><head><title>{slug}</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
            f"<article><h1>Story {slug}</h1><p>First paragraph of {slug}.</p><p>Second one.</p></article></body></html>"
        )
        (folder / f"{slug}.html").write_text(html, encoding="utf-8")
        meta = {"url": f"https://mini.example/news/{slug}", "captured_at": f"{day}T08:00:00Z"}
        (folder / f"{slug}.json").write_text(json.dumps(meta), encoding="utf-8")
    return pytester


def budgets_in(report: ElementTree.Element) -> dict[str, str]:
    """page id -> budget, from the JUnit XML of a run."""
    found = {}
    for case in report.iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "template_guard_budget" in properties:
            found[properties["template_guard_page"]] = properties["template_guard_budget"]
    return found


def test_the_report_says_which_pages_had_the_full_budget(mini: pytest.Pytester) -> None:
    mini.runpytest_subprocess("--snapshot-update", "-q")
    result = mini.runpytest_subprocess("-k", "test_invariance", "--template-guard-seed=4", "--junitxml=report.xml")
    result.assert_outcomes(passed=len(PAGES), deselected=len(PAGES) * 4)
    budgets = budgets_in(ElementTree.parse(mini.path / "report.xml").getroot())
    assert sorted(budgets) == [f"mini/{slug}" for slug in PAGES]
    assert Counter(budgets.values()) == Counter({"full": 2, "small": 3})  # one per version
    full = {page for page, tier in budgets.items() if tier == "full"}
    assert {page.rsplit("/", 1)[1] in "abc" for page in full} == {True, False}
    lines = result.stdout.str().splitlines()
    assert any("template_guard property budgets" in line for line in lines)
    old = next(line for line in lines if line.startswith("mini@old: full "))
    assert old.endswith("small 2 page(s)") and sum(f"mini/{s}" in old for s in "abc") == 1
    again = mini.runpytest_subprocess("-k", "test_invariance", "--template-guard-representatives=all")
    assert "mini@old: full mini/a, mini/b, mini/c; small 0 page(s)" in again.stdout.str()


def test_snapshot_update_writes_snapshots_without_running_the_property_layer(mini: pytest.Pytester) -> None:
    result = mini.runpytest_subprocess("--snapshot-update")
    result.assert_outcomes(passed=len(PAGES), deselected=len(PAGES) * 4)
    assert sorted(p.stem for p in (mini.path / "snapshots" / "mini").glob("*.txt")) == sorted(PAGES)
    result.stdout.fnmatch_lines(["*--snapshot-update ran the snapshots only; 20 generated property tests were deselected*"])
    assert "property budgets" not in result.stdout.str()
    plain = mini.runpytest_subprocess("-k", "test_no_leak")
    plain.assert_outcomes(passed=len(PAGES), deselected=len(PAGES) * 4)
    assert "deselected (run pytest without it" not in plain.stdout.str()


def test_a_bad_representatives_value_is_a_usage_error(mini: pytest.Pytester) -> None:
    result = mini.runpytest_subprocess("--template-guard-representatives=some")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*template_guard_representatives: expected a number ≥ 0 or 'all', got 'some'*"])
