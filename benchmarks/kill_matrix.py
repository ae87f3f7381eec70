"""Layout-mutation kill matrix: which generated tests notice a one-change mistake in a layout.

    python benchmarks/kill_matrix.py LAYOUT [--pages DIR] [--limit N] [--jobs N] [--json]
                                            [--skip-equivalent] [--rerun MODULE,...]

LAYOUT is a packaged layout's name or a layout file. Its one-change mutants come from `layout_mutants.py`
(next to this script): regions deleted, tightened, loosened; block, exclude and drop_text rules dropped;
fields pointed at a wrong element. Mutants `load_layout` rejects are counted and skipped. A mutant is
*equivalent* when it extracts every page exactly as the original (article and problems): listed, but
kept out of the denominators (`--skip-equivalent`: not run at all).

Each mutant runs in a temporary project (the layout's pages, snapshots blessed with the ORIGINAL layout)
under the `ci` profile, every generated module (`template_guard/testing/*_tests.py`, so new ones join the
matrix by themselves) in two scenarios: *reviewed*, the mutant against the reviewed snapshots; and *blind
update*, `pytest --snapshot-update` then `pytest` for the modules that read the snapshots (`--rerun`,
default snapshot); the other modules cannot see an update, so their reviewed outcomes stand.

Why a copy of the package: the plugin always loads the packaged layouts and `LayoutSet` rejects a second
layout of the same name or claiming the same URLs. So each project holds a copy of `template_guard/` with
the mutant in place of the packaged file, first on PYTHONPATH (the editable install's finder comes after
the path finders; checked before the runs). A layout that is not packaged goes in the project's
`layouts/`, named by `template_guard_layouts`.

Printed: a row per mutant (X killed, . survived, ! broken run, - not run), a column per generated test
and the suite after the blind update, killed / non-equivalent per column, and the baseline (the unmutated
layout must fail nothing). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from layout_mutants import Mutant, generate_mutants, layout_from_text, signature, valid_mutants

import template_guard
from template_guard import discover_pages, load_layout
from template_guard.errors import TemplateGuardError

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE = Path(template_guard.__file__).resolve().parent

# ---- running the generated tests ------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What every run shares: the layout, where it goes, the blessed base project, what runs when."""

    name: str
    packaged: bool
    base: Path  # a project with pages/<name>/ and the snapshots blessed with the original layout
    rerun: tuple[str, ...] = ("snapshot",)  # generated modules that read what --snapshot-update writes
    modules: tuple[str, ...] = ()  # generated modules of the reviewed run; () is the plugin's default set
    skip_equivalent: bool = False


def make_project(setup: Setup, directory: Path, layout_text: str) -> tuple[Path, dict[str, str]]:
    """A project in `directory` with the given layout text; returns it and the environment to run pytest in."""
    shutil.copytree(setup.base, directory)
    shutil.copytree(PACKAGE, directory / "site" / "template_guard", ignore=shutil.ignore_patterns("__pycache__"))
    layouts = directory / "site" / "template_guard" / "layouts" if setup.packaged else directory / "layouts"
    layouts.mkdir(exist_ok=True)
    (layouts / f"{setup.name}.toml").write_text(layout_text, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(directory / "site"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CI", None)  # hypothesis would pick its own ci profile; the plugin's ci is passed explicitly
    return directory, env


def only(modules: Sequence[str]) -> tuple[str, ...]:
    """pytest options collecting just these generated modules."""
    return ("-o", "template_guard_tests=" + "\n".join(modules))


def run_pytest(project: Path, env: Mapping[str, str], *extra: str) -> dict[str, bool]:
    """Run the generated tests; `{module::test: failed on any page}`; empty when pytest itself broke."""
    report = project / f"junit-{len(list(project.glob('junit-*')))}.xml"
    command = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=ci"]
    done = subprocess.run(
        [*command, f"--junitxml={report}", *extra], check=False, cwd=project, env=dict(env), capture_output=True, text=True
    )
    if not report.exists() or done.returncode not in (0, 1):
        return {}
    outcomes: dict[str, bool] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        column = f"{module}::{case.get('name', '').partition('[')[0]}"
        failed = any(child.tag in ("failure", "error") for child in case)
        outcomes[column] = outcomes.get(column, False) or failed
    return outcomes


@dataclass(frozen=True)
class Outcome:
    """One mutant's results per generated test: against the reviewed snapshots, and after a blind update."""

    mutant: Mutant
    equivalent: bool
    reviewed: dict[str, bool] = field(default_factory=dict)
    blind: dict[str, bool] = field(default_factory=dict)
    ran: bool = True

    @property
    def broken(self) -> bool:
        """Whether a pytest run produced no report (a crash, a usage error)."""
        return self.ran and (not self.reviewed or not self.blind)

    def cells(self, columns: Sequence[str]) -> list[str]:
        """X killed, . survived, ! broken, - not run: per column, then the suite after the blind update."""
        if not self.ran or self.broken:
            return ["-" if not self.ran else "!"] * (len(columns) + 1)
        return ["X" if self.reviewed.get(c) else "." for c in columns] + ["X" if any(self.blind.values()) else "."]


def run_mutant(setup: Setup, mutant: Mutant, equivalent: bool, scratch: Path) -> Outcome:
    """Both scenarios for one mutant, in a project of its own.

    Blind update: `--snapshot-update` then a plain run, of the modules that read the snapshots; the others
    cannot notice an update, so their reviewed outcomes stand (derandomized under `ci`).
    """
    if equivalent and setup.skip_equivalent:
        return Outcome(mutant, equivalent, ran=False)
    project, env = make_project(setup, scratch / mutant.id, mutant.text)
    reviewed = run_pytest(project, env, *(only(setup.modules) if setup.modules else ()))
    updated = run_pytest(project, env, "--snapshot-update", *only(setup.rerun))
    after = run_pytest(project, env, *only(setup.rerun)) if updated else {}
    shutil.rmtree(project, ignore_errors=True)
    kept = {c: failed for c, failed in reviewed.items() if c.partition("_tests::")[0] not in setup.rerun}
    return Outcome(mutant, equivalent, reviewed, {**kept, **after} if after and reviewed else {})


def prepare(setup: Setup, pages: Path, original: str, scratch: Path) -> None:
    """Fill `setup.base`: the pages, and snapshots blessed with the original layout; checks the package copy wins."""
    base = setup.base
    shutil.copytree(pages, base / "pages" / setup.name, ignore=shutil.ignore_patterns("*.txt"))
    (base / "tests").mkdir()
    layouts_line = "" if setup.packaged else '\ntemplate_guard_layouts = ["layouts"]'
    (base / "pyproject.toml").write_text(f'[tool.pytest.ini_options]\naddopts = ""{layouts_line}\n', "utf-8")
    project, env = make_project(setup, scratch / "bless", original)
    probe = [sys.executable, "-c", "import template_guard; print(template_guard.__file__)"]
    where = subprocess.run(probe, check=False, cwd=project, env=env, capture_output=True, text=True).stdout.strip()
    if not Path(where).is_relative_to(project):
        raise SystemExit(f"error: the package copy is not the one imported ({where}); cannot run mutants")
    blessed = run_pytest(project, env, "--snapshot-update", *only(["snapshot"]))
    if not blessed or any(blessed.values()):
        raise SystemExit(f"error: blessing the snapshots with the original {setup.name} failed: {blessed}")
    shutil.copytree(project / "snapshots", base / "snapshots")
    shutil.rmtree(project)


# ---- report ---------------------------------------------------------------------------------------------


def render(outcomes: Sequence[Outcome], baseline: Outcome, rejected: int, seconds: float) -> str:
    """The kill matrix as text."""
    columns = sorted({c for o in (*outcomes, baseline) for c in o.reviewed}, key=lambda c: (c.startswith("prop"), c))
    heads = [c.replace("_tests::test_", ":") for c in columns] + ["suite after blind update"]
    rows = [(f"{o.mutant.id} {o.mutant.description}" + (" (equivalent)" if o.equivalent else ""), o) for o in outcomes]
    rows.append((f"{baseline.mutant.id} {baseline.mutant.description}", baseline))
    width = max(len(label) for label, _ in rows)
    lines = [f"{'':{width}}  {i + 1} = {head}" for i, head in enumerate(heads)]
    lines.append(f"{'':{width}}  " + " ".join(str(i + 1) for i in range(len(heads))))
    lines += [f"{label:{width}}  " + " ".join(o.cells(columns)) for label, o in rows]
    counted = [o for o in outcomes if not o.equivalent and o.ran and not o.broken]
    lines.append("")
    for index, head in enumerate(heads):
        killed = sum(o.cells(columns)[index] == "X" for o in counted)
        lines.append(f"{head}: killed {killed}/{len(counted)} non-equivalent mutants")
    snapshot = [i for i, c in enumerate(columns) if c.startswith("snapshot_tests")]
    others = [i for i, c in enumerate(columns) if not c.startswith("snapshot_tests")]
    missed = [o for o in counted if not any(o.cells(columns)[i] == "X" for i in snapshot)]
    caught = [o.mutant.id for o in missed if any(o.cells(columns)[i] == "X" for i in others)]
    by_others = sum(any(o.cells(columns)[i] == "X" for i in others) for o in counted)
    lines.append(f"any generated test but the snapshot: killed {by_others}/{len(counted)} non-equivalent mutants")
    lines.append(f"missed by the snapshot test, killed by another generated test: {len(caught)}/{len(missed)} {caught}")
    equivalent = [o for o in outcomes if o.equivalent]
    flagged = [o.mutant.id for o in equivalent if "X" in o.cells(columns)]
    lines.append(
        f"mutants: {len(outcomes)} valid, {len(equivalent)} of them equivalent (failing anyway: {flagged}), "
        f"{sum(o.broken for o in outcomes)} broken runs; {rejected} rejected by load_layout"
    )
    alarms = sorted(c for c, failed in {**baseline.reviewed, **baseline.blind}.items() if failed)
    state = "broken run" if baseline.broken else ", ".join(alarms) or "none"
    lines.append(f"baseline (the unmutated layout, reviewed and after a blind update): false alarms: {state}")
    lines.append(f"run time: {seconds:.0f} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the mutants, run both scenarios for each, print the matrix."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("layout", help="a packaged layout name or a layout file")
    parser.add_argument("--pages", type=Path, help="the layout's pages (DIR/<layout>/ or DIR itself)")
    parser.add_argument("--limit", type=int, help="run only the first N valid mutants")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run in parallel (default 2)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the matrix")
    parser.add_argument("--skip-equivalent", action="store_true", help="do not run the tests on equivalent mutants")
    parser.add_argument(
        "--rerun",
        default="snapshot",
        help="generated modules that read what --snapshot-update writes, run again after it (default: snapshot)",
    )
    parser.add_argument(
        "--modules",
        default="",
        help="generated modules of the reviewed run, e.g. snapshot,property,evidence,structure (default: the plugin's)",
    )
    args = parser.parse_args(argv)

    given = Path(args.layout)
    path = given if given.suffix == ".toml" else PACKAGE / "layouts" / f"{args.layout}.toml"
    if not path.is_file():
        parser.error(f"no layout file {path}")
    try:
        name = load_layout(path).name
    except TemplateGuardError as error:
        parser.error(str(error))
    root = args.pages or REPOSITORY / "pages"
    pages_dir = root / name if (root / name).is_dir() else root
    pages = discover_pages(pages_dir)
    if not pages:
        parser.error(f"no captured pages in {pages_dir}")

    started = time.monotonic()
    original = path.read_text(encoding="utf-8-sig")
    with tempfile.TemporaryDirectory(prefix="kill-matrix-") as temporary:
        scratch = Path(temporary)
        mutants, rejected = valid_mutants(name, generate_mutants(original), scratch / "check")
        mutants = mutants[: args.limit] if args.limit else mutants
        reference = signature(load_layout(path), pages)
        equivalent = {m.id: signature(layout_from_text(name, m.text, scratch), pages) == reference for m in mutants}
        print(f"{len(mutants)} mutants ({len(rejected)} rejected), {len(pages)} pages; blessing", file=sys.stderr)
        packaged = (PACKAGE / "layouts" / f"{name}.toml").is_file()
        setup = Setup(
            name,
            packaged,
            scratch / "base",
            rerun=tuple(args.rerun.split(",")),
            modules=tuple(m for m in args.modules.split(",") if m),
            skip_equivalent=args.skip_equivalent,
        )
        prepare(setup, pages_dir, original, scratch)
        done: list[str] = []

        def one(mutant: Mutant) -> Outcome:
            outcome = run_mutant(setup, mutant, equivalent.get(mutant.id, False), scratch)
            done.append(mutant.id)
            print(f"[{len(done)}/{len(mutants) + 1}] {mutant.id} {mutant.description}", file=sys.stderr)
            return outcome

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(one, [Mutant("m00", "baseline: the unmutated layout", original), *mutants]))
    baseline, outcomes = results[0], results[1:]
    seconds = time.monotonic() - started
    if args.json:
        def shown(o: Outcome) -> dict[str, Any]:  # the mutant's id and description, not its whole text
            return {**asdict(o), "mutant": {"id": o.mutant.id, "description": o.mutant.description}}

        rejects = [{"id": m.id, "description": m.description, "reason": why} for m, why in rejected]
        payload = {"layout": name, "seconds": seconds, "rejected": rejects, "baseline": shown(baseline)}
        print(json.dumps({**payload, "mutants": [shown(o) for o in outcomes]}, indent=2))
    else:
        for mutant, why in rejected:
            print(f"rejected {mutant.id} {mutant.description}: {why}")
        print(render(outcomes, baseline, len(rejected), seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
