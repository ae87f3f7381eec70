"""Speed benchmark: lxml parse only vs template_guard extraction vs trafilatura, on real pages.

    python benchmarks/speed.py [PAGES_DIR] [--rounds N]

PAGES_DIR defaults to ../shared/corpora/fundus-eval/pages (relative to the repository). Its parent
holds gold.json with each page's URL and crawl date, which pick the layout and its version; pages
whose URL no layout serves are skipped (and counted).

For every page, in one process and interleaved (each round runs a, b, c on every page in turn):

  (a) lxml parse only: ``lxml.html.document_fromstring`` of the page bytes
  (b) full template_guard extraction: ``template_guard.extract`` (layouts loaded once beforehand)
  (c) trafilatura's default extraction: ``trafilatura.extract`` of the same bytes

The per-page figure is the median wall time over the rounds (``--stat min``: the fastest round). Printed: the ratios (b)/(a) and
(c)/(b) as the median of the per-page ratios and as the ratio of the summed medians, pages per
second of each, and peak memory: the tracemalloc peak of one pass of each over all pages (Python
allocations only; libxml2's own buffers are invisible to tracemalloc) and the process's ru_maxrss
after each pass. Needs the `eval` extra (trafilatura, lxml_html_clean).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO.parent / "shared" / "corpora" / "fundus-eval" / "pages"
TARGET_B_OVER_A = 1.25  # template_guard may cost at most 25 % more than parsing alone
TARGET_C_OVER_B = 10.0  # and must be at least ten times faster than trafilatura

if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import template_guard  # noqa: E402
from template_guard.errors import NoLayoutError, TemplateGuardError  # noqa: E402


@dataclass(frozen=True)
class Sample:
    """One benchmark page: its bytes and what picks its layout."""

    name: str
    content: bytes
    url: str
    captured_at: dt.datetime


def load_samples(pages_dir: Path, layouts: template_guard.LayoutSet) -> tuple[list[Sample], list[str]]:
    """The pages some layout serves, and the names of those skipped (with the reason)."""
    gold_path = pages_dir.parent / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    samples: list[Sample] = []
    skipped: list[str] = []
    for path in sorted(pages_dir.glob("*.html")):
        entry = gold.get(path.stem)
        if entry is None:
            skipped.append(f"{path.stem} (not in gold.json)")
            continue
        try:
            layouts.for_url(entry["url"])
        except NoLayoutError:
            skipped.append(f"{path.stem} (no layout)")
            continue
        captured = dt.datetime.fromisoformat(entry["crawl_date"])
        if captured.tzinfo is None:
            captured = captured.replace(tzinfo=dt.timezone.utc)
        samples.append(Sample(path.stem, path.read_bytes(), entry["url"], captured))
    return samples, skipped


def methods(layouts: template_guard.LayoutSet) -> dict[str, Callable[[Sample], object]]:
    """The three things timed, by label."""
    import trafilatura

    def parse_only(sample: Sample) -> object:
        return lxml.html.document_fromstring(sample.content)

    def template_guard_extract(sample: Sample) -> object:
        return template_guard.extract(sample.content, url=sample.url, captured_at=sample.captured_at, layouts=layouts)

    def trafilatura_extract(sample: Sample) -> object:
        return trafilatura.extract(sample.content)

    return {"a": parse_only, "b": template_guard_extract, "c": trafilatura_extract}


LABELS = {
    "a": "lxml parse only",
    "b": "template_guard extract",
    "c": "trafilatura extract",
}


def time_rounds(
    samples: list[Sample], funcs: dict[str, Callable[[Sample], object]], rounds: int, stat: Callable[[list[float]], float]
) -> dict[str, list[float]]:
    """Wall time per page for each method (`stat` over the rounds), rounds interleaved (a, b, c on every page)."""
    times: dict[str, list[list[float]]] = {key: [[] for _ in samples] for key in funcs}
    clock = time.perf_counter
    for _ in range(rounds):
        gc.collect()
        for index, sample in enumerate(samples):
            for key, func in funcs.items():
                start = clock()
                func(sample)
                times[key][index].append(clock() - start)
    return {key: [stat(per_page) for per_page in by_page] for key, by_page in times.items()}


def peak_memory(samples: list[Sample], funcs: dict[str, Callable[[Sample], object]]) -> dict[str, tuple[int, int]]:
    """For each method: the tracemalloc peak (bytes) of one pass over every page, and ru_maxrss (KiB) after it."""
    result: dict[str, tuple[int, int]] = {}
    for key, func in funcs.items():
        gc.collect()
        tracemalloc.start()
        for sample in samples:
            func(sample)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[key] = (peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES, help=f"page directory (default {DEFAULT_PAGES})")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--stat", choices=("median", "min"), default="median",
        help="per-page statistic over the rounds (default median; min is steadier on a busy machine)",
    )
    parser.add_argument("--per-page", action="store_true", help="print every page's figures")
    args = parser.parse_args(argv)

    if not args.pages.is_dir():
        print(f"no page directory at {args.pages}", file=sys.stderr)
        return 2
    layouts = template_guard.load_layouts()
    samples, skipped = load_samples(args.pages, layouts)
    if not samples:
        print(f"no page in {args.pages} is served by a layout", file=sys.stderr)
        return 2
    funcs = methods(layouts)

    usable = []
    for sample in samples:  # warm-up (imports, first-call costs), and pages the extraction rejects are left out
        try:
            for func in funcs.values():
                func(sample)
        except TemplateGuardError as error:
            skipped.append(f"{sample.name} ({type(error).__name__}: {str(error).splitlines()[0][:80]})")
        else:
            usable.append(sample)
    samples = usable
    if not samples:
        print("every page failed to extract", file=sys.stderr)
        return 2

    stat = statistics.median if args.stat == "median" else min
    medians = time_rounds(samples, funcs, args.rounds, stat)
    memory = peak_memory(samples, funcs)

    total = {key: sum(values) for key, values in medians.items()}
    b_over_a = [b / a for a, b in zip(medians["a"], medians["b"], strict=True)]
    c_over_b = [c / b for b, c in zip(medians["b"], medians["c"], strict=True)]

    print(f"pages: {len(samples)} served by a layout" + (f", {len(skipped)} skipped" if skipped else ""))
    for reason in skipped:
        print(f"  skipped {reason}")
    print(f"rounds: {args.rounds} (interleaved; per-page figure = {args.stat} over rounds)")
    print()
    if args.per_page:
        print(f"{'page':<22} {'(a) ms':>8} {'(b) ms':>8} {'(c) ms':>8} {'b/a':>6} {'c/b':>6}")
        for index, sample in enumerate(samples):
            a, b, c = (medians[key][index] * 1000 for key in "abc")
            print(f"{sample.name:<22} {a:8.2f} {b:8.2f} {c:8.2f} {b_over_a[index]:6.2f} {c_over_b[index]:6.1f}")
        print()
    print(f"{'method':<28} {'total s':>8} {'median ms/page':>15} {'pages/s':>9} {'py peak MiB':>12} {'maxrss MiB':>11}")
    for key in "abc":
        peak, rss = memory[key]
        print(
            f"({key}) {LABELS[key]:<24} {total[key]:8.3f} {statistics.median(medians[key]) * 1000:15.2f} "
            f"{len(samples) / total[key]:9.1f} {peak / 2**20:12.1f} {rss / 1024:11.1f}"
        )
    print()

    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    median_ba, totals_ba = statistics.median(b_over_a), total["b"] / total["a"]
    median_cb, totals_cb = statistics.median(c_over_b), total["c"] / total["b"]
    print(
        f"(b)/(a): median of per-page ratios {median_ba:.3f}, ratio of totals {totals_ba:.3f}  "
        f"(target <= {TARGET_B_OVER_A}: {verdict(max(median_ba, totals_ba) <= TARGET_B_OVER_A)})"
    )
    print(
        f"(c)/(b): median of per-page ratios {median_cb:.2f}, ratio of totals {totals_cb:.2f}  "
        f"(target >= {TARGET_C_OVER_B:g}: {verdict(min(median_cb, totals_cb) >= TARGET_C_OVER_B)})"
    )
    print("memory: tracemalloc counts Python allocations only; ru_maxrss is the process high-water mark after each pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
