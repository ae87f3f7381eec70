"""Scale benchmark: what the generated tests cost as a project grows from 48 to 1,000 captured pages.

    python benchmarks/suite_scale.py [--sizes 48,192,1000] [--workers 2] [--corpus DIR] [--keep DIR]
    python benchmarks/suite_scale.py --build-only DIR --sizes 48     # just write a project, e.g. to run pytest in

Each project is built from the fundus-eval corpus pages (16 publishers × 3 pages, one layout version each):
page number i is corpus page i mod 48 captured again, under a different slug and a capture time i // 48
seconds later (the same day, so the same layout version). So N = 48 holds each corpus page once, N = 192
four times, N = 1,000 about 21 times: several captures per layout version, as a real project has.

For every size, pytest runs in a fresh interpreter in the project directory (`-p no:cacheprovider`, the
default `ci` profile), phase by phase:

  update     `pytest --snapshot-update`: writes every snapshot (the property layer is deselected)
  snapshot   the snapshot tests alone (`-o template_guard_tests=snapshot`)
  default    the generated tests of `--layers` (default: the plugin's default set, snapshots, the four
             properties and the evidence; captures of one article are not evidence against each other; with
             `--workers W` also on `-n W` with pytest-xdist, wall time)

Printed per phase: the CPU seconds of the pytest process and its children (user + sys, from
`getrusage(RUSAGE_CHILDREN)`), wall seconds, CPU seconds per page, the largest resident set of any pytest
process so far (getrusage keeps only the maximum), and per generated test function the
summed CPU seconds of its tests (recorded by the project's conftest into the JUnit XML); then the ratio of
each phase's CPU seconds between consecutive sizes next to the ratio of their page counts (cost growing
with layout versions, not pages, shows as a CPU ratio well below the page ratio). Targets (issue 16): 192 pages
≤ 300 CPU-s for the default tests in one process; 1,000 pages ≤ 15 minutes wall on 2 cores with -n 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "fundus-eval"
TARGET_192_CPU_S = 300.0
TARGET_1000_WALL_S = 15 * 60.0

if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from template_guard.engine.routing import load_layouts
from template_guard.store.pages import PageMeta, write_page
from template_guard.tools.evaluate import read_corpus

PYPROJECT = """\
[tool.pytest.ini_options]
addopts = "-p no:cacheprovider"
template_guard_tests = {layers}
"""
# The project's conftest records each test's CPU seconds (setup, call and teardown) in its JUnit XML: on a
# shared machine the wall durations pytest reports say more about the other processes than about the test.
CONFTEST = """\
import time

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.process_time()
    try:
        return (yield)
    finally:
        item.user_properties.append(("cpu_s", time.process_time() - start))
"""


def build_project(dest: Path, corpus: Path, size: int, layers: list[str]) -> int:
    """Write a project of `size` captured pages (pages/<layout>/<slug>.html + sidecar) into `dest`.

    Returns the number of layout versions the pages use.
    """
    layouts = load_layouts()
    corpus_pages = read_corpus(corpus)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text(PYPROJECT.format(layers=json.dumps(layers)), encoding="utf-8")
    (dest / "tests").mkdir(exist_ok=True)
    (dest / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    versions: set[tuple[str, str]] = set()
    for number in range(size):
        source = corpus_pages[number % len(corpus_pages)]
        capture = number // len(corpus_pages)
        layout = layouts.for_url(source.url)
        captured_at = source.crawl_date.replace(tzinfo=dt.UTC) + dt.timedelta(seconds=capture)
        version = layout.version_for(captured_at.date())
        versions.add((layout.name, version.name))
        slug = source.key.lower().replace("_", "-") + (f"-c{capture}" if capture else "")
        meta = PageMeta(url=source.url, captured_at=captured_at, http_status=200, charset="utf-8")
        write_page(dest / "pages" / layout.name / f"{slug}.html", source.path.read_bytes(), meta)
    return len(versions)


@dataclass(frozen=True)
class Phase:
    """One timed pytest run."""

    name: str
    cpu_s: float
    wall_s: float
    exit_code: int
    per_test: dict[str, float]  # generated test function -> summed CPU seconds
    counts: dict[str, int]
    peak_rss_mib: float  # the largest resident set of any pytest process so far (getrusage keeps the maximum)


def run_phase(name: str, project: Path, args: list[str]) -> Phase:
    """Run pytest in `project` in a fresh interpreter and time it (CPU of the process and its children)."""
    report = project / f".{name}.xml"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--no-header", f"--junitxml={report}", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode not in (0,):
        tail = "\n".join(completed.stdout.splitlines()[-15:])
        print(f"  [{name}] pytest exited {completed.returncode}:\n{tail}", file=sys.stderr)
    per_test: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    if report.is_file():
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            function = case.get("name", "?").split("[", 1)[0]
            recorded = [p.get("value", "0") for p in case.iter("property") if p.get("name") == "cpu_s"]
            per_test[function] += float(recorded[0] if recorded else case.get("time", "0"))
            counts[function] += 1
        report.unlink()
    return Phase(name, cpu, wall, completed.returncode, dict(per_test), dict(counts), after.ru_maxrss / 1024)


def measure(
    size: int, corpus: Path, workers: int, keep: Path | None, layers: list[str], *, parallel_only: bool = False
) -> list[Phase]:
    """Build a project of `size` pages and run every phase on it."""
    with tempfile.TemporaryDirectory(prefix=f"tg-scale-{size}-") as scratch:
        project = (keep / f"project-{size}") if keep else Path(scratch)
        versions = build_project(project, corpus, size, layers)
        print(f"N = {size}: {size} pages over {versions} layout versions ({project}); layers {', '.join(layers)}", flush=True)
        phases = [
            run_phase("update", project, ["--snapshot-update"]),
            run_phase("snapshot", project, ["-o", "template_guard_tests=snapshot"]),
        ]
        if not parallel_only:
            phases.append(run_phase("default", project, []))
        if workers > 1:
            phases.append(run_phase(f"default -n {workers}", project, ["-n", str(workers)]))
        for phase in phases:
            show(phase, size)
        return phases


def show(phase: Phase, size: int) -> None:
    status = "" if phase.exit_code == 0 else f"  (pytest exit {phase.exit_code})"
    print(
        f"  {phase.name:<14} CPU {phase.cpu_s:8.1f} s  wall {phase.wall_s:8.1f} s  "
        f"CPU/page {phase.cpu_s / size:6.2f} s  peak RSS so far {phase.peak_rss_mib:6.0f} MiB{status}",
        flush=True,
    )
    for function, seconds in sorted(phase.per_test.items(), key=lambda item: -item[1]):
        count = phase.counts[function]
        print(f"      {function:<28} {count:5d} tests  CPU {seconds:8.1f} s  ({seconds / count:6.3f} s per test)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="48,192,1000", help="comma-separated page counts (default 48,192,1000)")
    parser.add_argument("--workers", type=int, default=2, help="also run the default tests on -n W (0: skip)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the fundus-eval corpus directory")
    parser.add_argument("--keep", type=Path, help="build the projects under this directory and keep them")
    parser.add_argument(
        "--layers",
        default="snapshot,property,evidence",
        help="generated test modules to run (default: the default set, snapshot,property,evidence; the opt-in "
        "structure layer judges pages by the other pages of their version, and copies of one article fail it)",
    )
    parser.add_argument("--parallel-only", action="store_true", help="skip the one-process run of the default tests")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="only write the project (first size) into DIR")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if not (args.corpus / "gold.json").is_file():
        print(f"suite_scale: no fundus-eval corpus at {args.corpus} (pass --corpus DIR)", file=sys.stderr)
        return 2
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    if args.build_only:
        versions = build_project(args.build_only, args.corpus, sizes[0], layers)
        print(f"wrote {sizes[0]} pages over {versions} layout versions into {args.build_only}")
        return 0
    results = {
        size: measure(size, args.corpus, args.workers, args.keep, layers, parallel_only=args.parallel_only)
        for size in sizes
    }
    print("\nRatios between consecutive sizes (CPU seconds; pages):")
    for smaller, larger in itertools.pairwise(sizes):
        before = {phase.name: phase for phase in results[smaller]}
        for high in results[larger]:
            if (low := before.get(high.name)) is None:
                continue
            print(f"  {high.name:<14} {larger}/{smaller}: CPU × {high.cpu_s / low.cpu_s:5.2f}  (pages × {larger / smaller:.2f})")
    for size, phases in results.items():
        default = next((p for p in phases if p.name == "default"), None)
        if size == 192 and default:
            verdict = "meets" if default.cpu_s <= TARGET_192_CPU_S else "misses"
            print(f"192 pages, default tests, one process: {default.cpu_s:.0f} CPU-s ({verdict} ≤ {TARGET_192_CPU_S:.0f})")
        parallel = [p for p in phases if p.name.startswith("default -n")]
        if size == 1000 and parallel:
            verdict = "meets" if parallel[0].wall_s <= TARGET_1000_WALL_S else "misses"
            print(f"1,000 pages, {parallel[0].name}: {parallel[0].wall_s:.0f} s wall ({verdict} ≤ 900 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
