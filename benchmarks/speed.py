"""Speed benchmark: lxml parse only vs template_guard extraction vs trafilatura, on real pages.

    python benchmarks/speed.py [PAGES_DIR] [--rounds N] [--stat min] [--per-page]
    python benchmarks/speed.py [PAGES_DIR] --by-selector [--top N] [--layout NAME] [--layouts-dir DIR]
    python benchmarks/speed.py [PAGES_DIR] --by-step [--rounds N]

PAGES_DIR defaults to ../shared/corpora/fundus-eval/pages (relative to the repository). When its parent
holds gold.json (the fundus-eval corpus), that gives each page's URL and crawl date, which pick the
layout and its version; otherwise PAGES_DIR is a directory of captured pages (`pages/`, each page with
its JSON sidecar). Pages whose URL no layout serves are skipped (and counted).

For every page, in one process and interleaved (each round runs a, b, c on every page in turn):

  (a) lxml parse only: ``lxml.html.document_fromstring`` of the page bytes
  (b) full template_guard extraction: ``template_guard.run`` (layouts loaded once beforehand)
  (c) trafilatura's default extraction: ``trafilatura.extract`` of the same bytes

The per-page figure is the median wall time over the rounds (``--stat min``: the fastest round). Printed: the ratios (b)/(a) and
(c)/(b) as the median of the per-page ratios and as the ratio of the summed medians, pages per
second of each, and peak memory: the tracemalloc peak of one pass of each over all pages (Python
allocations only; libxml2's own buffers are invisible to tracemalloc) and the process's ru_maxrss
after each pass. Needs the `eval` extra (trafilatura, lxml_html_clean).

--by-step times each step of the extraction in turn on every page (the checks on the bytes, libxml2's
parse, the layout choice, noise, boilerplate regions, fields, the body's selectors and block walk, the
article), next to lxml.html's parse of the same bytes: where the time over a plain parse goes.

--by-selector times each selector of each layout instead, in the context the extraction runs it in
(boilerplate regions on the whole page, fields after the chrome is gone, exclusions and block rules
inside the body containers), and prints each layout's selector cost per page next to its parse time,
then the slowest selectors. Add your own layouts with --layouts-dir and time them on your captured
pages (PAGES_DIR = pages/); it does not need trafilatura. What makes a selector slow: each one is a
walk of its context by libxml2, which tests the attributes of every element that has the step's tag
name. An untagged step (`.x`, `#x`, `[data-x]`) tests every element; a tag (`div.x`) only the divs,
and a rare tag (`header`, `aside`, `bsp-story-page`) almost none. On div-heavy pages, anchor the div in
the landmark that holds it (`article div.x`, `main div.x`, `body > div.x`); read meta tags from
`/html/head/meta[...]`, not `//meta[...]`; in XPath, write `descendant::div[...]`, not `//div[...]`
(libxml2 walks `//x[...]` as the children of every node, text nodes included), and put a cheap test
(`contains(@class, 'x')`) before an expensive one (the class-token test with concat/normalize-space).
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
from typing import Any

import lxml.html

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO.parent / "shared" / "corpora" / "fundus-eval" / "pages"
TARGET_B_OVER_A = 1.25  # template_guard may cost at most 25 % more than parsing alone
TARGET_C_OVER_B = 10.0  # and must be at least ten times faster than trafilatura

if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import template_guard
from template_guard.engine import parse as parsing
from template_guard.engine import pipeline
from template_guard.engine.article import Article
from template_guard.engine.blocks import locate_blocks
from template_guard.engine.boilerplate import remove_keeping_tail, strip_boilerplate, strip_noise
from template_guard.engine.fields import jsonld_documents, read_body, read_fields, reads_jsonld
from template_guard.engine.parse import parse_html
from template_guard.engine.selectors import Selector
from template_guard.engine.variants import choose_version
from template_guard.errors import NoLayoutError, TemplateGuardError
from template_guard.store.pages import discover_pages, read_page


@dataclass(frozen=True)
class Sample:
    """One benchmark page: its bytes and what picks its layout."""

    name: str
    content: bytes
    url: str
    captured_at: dt.datetime | None
    charset: str | None = None


def load_samples(pages_dir: Path, layouts: template_guard.LayoutSet) -> tuple[list[Sample], list[str]]:
    """The pages some layout serves, and the names of those skipped (with the reason)."""
    gold_path = pages_dir.parent / "gold.json"
    if not gold_path.is_file():
        return load_captured(pages_dir, layouts)
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
            captured = captured.replace(tzinfo=dt.UTC)
        samples.append(Sample(path.stem, path.read_bytes(), entry["url"], captured))
    return samples, skipped


def load_captured(pages_dir: Path, layouts: template_guard.LayoutSet) -> tuple[list[Sample], list[str]]:
    """Captured pages (`<layout>/<slug>.html` with sidecars) whose URL some layout serves."""
    samples: list[Sample] = []
    skipped: list[str] = []
    for path in discover_pages(pages_dir):
        name = str(path.relative_to(pages_dir).with_suffix(""))
        try:
            page = read_page(path)
        except TemplateGuardError as error:
            skipped.append(f"{name} ({error})")
            continue
        if not page.meta.url:
            skipped.append(f"{name} (no URL in its sidecar)")
            continue
        try:
            layouts.for_url(page.meta.url)
        except NoLayoutError:
            skipped.append(f"{name} (no layout)")
            continue
        samples.append(Sample(name, page.content, page.meta.url, page.meta.captured_at, page.meta.charset))
    return samples, skipped


def methods(layouts: template_guard.LayoutSet) -> dict[str, Callable[[Sample], object]]:
    """The three things timed, by label."""
    import trafilatura

    def parse_only(sample: Sample) -> object:
        return lxml.html.document_fromstring(sample.content)

    def template_guard_extract(sample: Sample) -> object:
        return template_guard.run(
            sample.content, url=sample.url, captured_at=sample.captured_at, layouts=layouts, http_charset=sample.charset
        )

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


@dataclass(frozen=True)
class SelectorTiming:
    """One selector of one layout version: where it is used, and per page its time (s) and matches."""

    layout: str
    where: str  # "boilerplate.<region>", "fields.<name>", "body", "body.exclude[i]", "body.blocks[i] <kind>"
    selector: Selector
    seconds: list[float]
    matched: list[int]


class _PageTimer:
    """A `Select` for the block locator (and the regions and fields) that times each selector on one page.

    A selector run in several contexts (each body container) gets one time: the sum.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.matched: dict[str, tuple[Selector, int]] = {}

    def __call__(self, where: str, selector: Selector, context: Any) -> list[Any]:
        start = time.perf_counter()
        found = selector.select(context)
        self.seconds[where] = self.seconds.get(where, 0.0) + time.perf_counter() - start
        count = self.matched[where][1] if where in self.matched else 0
        self.matched[where] = (selector, count + len(found))
        return found


def time_selectors(
    samples: list[Sample], layouts: template_guard.LayoutSet, rounds: int, stat: Callable[[list[float]], float]
) -> tuple[list[SelectorTiming], dict[str, list[tuple[str, float]]]]:
    """Each selector's wall time on each page of its layout, run where the extraction runs it.

    Every round parses each page afresh, strips the noise, times every boilerplate region on the
    whole page, removes the chrome, times every field, then the body containers, the exclusions in
    them (removed next) and the block rules. Returns the timings (`stat` over the rounds) and, per
    layout, each page's lxml parse time (`stat` over the rounds) for scale.
    """
    clock = time.perf_counter
    seconds: dict[tuple[str, str, int], list[float]] = {}  # (layout, where, page index) -> one time per round
    matched: dict[tuple[str, str, int], tuple[Selector, int]] = {}  # ... -> the selector, elements it matched
    parse_times: dict[str, list[list[float]]] = {}

    for _ in range(rounds):
        gc.collect()
        for index, sample in enumerate(samples):
            layout = layouts.for_url(sample.url)
            version = layout.version_for(sample.captured_at.date() if sample.captured_at else None)
            start = clock()
            lxml.html.document_fromstring(sample.content)
            parse_times.setdefault(layout.name, [[] for _ in samples])[index].append(clock() - start)
            root = parse_html(sample.content, sample.charset, source=sample.name).root
            strip_noise(root)
            timed = _PageTimer()
            # All regions are matched before any is removed, as in the extraction.
            regions = [timed(f"boilerplate.{region.name}", region.selector, root) for region in version.boilerplate]
            for elements in regions:
                for element in elements:
                    remove_keeping_tail(element)
            for name, rule in version.fields.items():
                timed(f"fields.{name}", rule.selector, root)
            # The body: containers, exclusions (removed) and block rules, by the extraction's own locator.
            locate_blocks(root, version.body, remove_excluded=True, select=timed)
            for where, value in timed.seconds.items():
                key = (layout.name, where, index)
                seconds.setdefault(key, []).append(value)
                matched.setdefault(key, timed.matched[where])

    timings: dict[tuple[str, str], SelectorTiming] = {}
    for (layout_name, where, index), values in seconds.items():
        selector, count = matched[(layout_name, where, index)]
        entry = timings.setdefault((layout_name, where), SelectorTiming(layout_name, where, selector, [], []))
        entry.seconds.append(stat(values))
        entry.matched.append(count)
    parses = {
        name: [(samples[index].name, stat(values)) for index, values in enumerate(per_page) if values]
        for name, per_page in parse_times.items()
    }
    return list(timings.values()), parses


def report_by_selector(timings: list[SelectorTiming], parses: dict[str, list[tuple[str, float]]], top: int) -> None:
    """Per layout: selector cost per page next to its parse time; then the `top` slowest selectors."""

    def per_page(timing: SelectorTiming) -> float:
        return statistics.fmean(timing.seconds) * 1000

    print("selector cost per page (ms, mean over the layout's pages; (a) = lxml parse of the same pages)")
    print(
        f"{'layout':<20} {'pages':>5} {'(a) parse':>9} {'selectors':>9} {'sel/(a)':>7} "
        f"{'chrome':>7} {'fields':>7} {'body':>7} {'n':>3}"
    )
    totals = {"a": 0.0, "selectors": 0.0}
    for name in sorted(parses):
        mine = [t for t in timings if t.layout == name]
        parse_ms = statistics.fmean(value for _, value in parses[name]) * 1000
        groups = {
            group: sum(per_page(t) for t in mine if t.where.split(".")[0].split("[")[0].split(" ")[0] == group)
            for group in ("boilerplate", "fields", "body")
        }
        cost = sum(groups.values())
        pages = len(parses[name])
        totals["a"] += parse_ms * pages
        totals["selectors"] += cost * pages
        print(
            f"{name:<20} {pages:5d} {parse_ms:9.3f} {cost:9.3f} {cost / parse_ms:7.2f} "
            f"{groups['boilerplate']:7.3f} {groups['fields']:7.3f} {groups['body']:7.3f} {len(mine):3d}"
        )
    pages = sum(len(values) for values in parses.values())
    print(
        f"{'all':<20} {pages:5d} {totals['a'] / pages:9.3f} {totals['selectors'] / pages:9.3f} "
        f"{totals['selectors'] / totals['a']:7.2f}"
    )
    print()
    slowest = sorted(timings, key=per_page, reverse=True)[:top]
    print(f"slowest {len(slowest)} selectors (ms per page and elements matched per page, means over the layout's pages)")
    print(f"{'ms/page':>8} {'matched':>7}  {'layout':<18} {'where':<28} selector")
    for timing in slowest:
        print(
            f"{per_page(timing):8.3f} {statistics.fmean(timing.matched):7.1f}  {timing.layout:<18} {timing.where:<28} "
            f"{timing.selector.kind} {' '.join(timing.selector.expression.split())}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES, help=f"page directory (default {DEFAULT_PAGES})")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--stat", choices=("median", "min"), default="median",
        help="per-page statistic over the rounds (default median; min is steadier on a busy machine)",
    )
    parser.add_argument("--per-page", action="store_true", help="print every page's figures")
    parser.add_argument(
        "--by-selector", action="store_true",
        help="time every selector of every layout where the extraction runs it, and list the slowest",
    )
    parser.add_argument("--by-step", action="store_true", help="time each step of the extraction on every page")
    parser.add_argument("--top", type=int, default=25, help="with --by-selector: how many of the slowest to list (default 25)")
    parser.add_argument(
        "--layout", action="append", default=[], metavar="NAME", help="only the pages of this layout (repeatable)"
    )
    parser.add_argument(
        "--layouts-dir", action="append", default=[], type=Path, metavar="DIR",
        help="add the layouts in DIR to the packaged ones (repeatable)",
    )
    args = parser.parse_args(argv)

    if not args.pages.is_dir():
        print(f"no page directory at {args.pages}", file=sys.stderr)
        return 2
    try:
        layouts = template_guard.load_layouts(args.layouts_dir)
    except TemplateGuardError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    samples, skipped = load_samples(args.pages, layouts)
    if args.layout:
        unknown = sorted(set(args.layout) - set(layouts.names))
        if unknown:
            print(f"unknown layout {unknown[0]!r}; known: {', '.join(layouts.names)}", file=sys.stderr)
            return 2
        samples = [sample for sample in samples if layouts.for_url(sample.url).name in args.layout]
    if not samples:
        print(f"no page in {args.pages} is served by a layout", file=sys.stderr)
        return 2
    stat = statistics.median if args.stat == "median" else min
    if args.by_step:
        return by_step(samples, layouts, args.rounds)
    if args.by_selector:
        return by_selector(samples, skipped, layouts, args.rounds, args.stat, stat, args.top)
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


def by_step(samples: list[Sample], layouts: template_guard.LayoutSet, rounds: int) -> int:
    """The --by-step report: mean milliseconds per page of each step of the extraction."""
    totals: dict[str, float] = {}

    def timed(step: str, work: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        result = work(*args)
        totals[step] = totals.get(step, 0.0) + time.perf_counter() - start
        return result

    def article(layout: template_guard.Layout, version: template_guard.LayoutVersion, removed: Any, fields: Any, body: Any) -> None:
        values = {name: match.values for name, match in fields.items()}
        Article.from_values(values, body.blocks, layout=layout.name, version=version.name)
        pipeline._problems(version, removed, fields, body)

    for _ in range(rounds):
        for sample in samples:
            content = sample.content
            timed("(a) lxml.html parse", lxml.html.document_fromstring, content)
            timed("binary sniff, charset", parsing.sniff_binary, content)
            timed("binary sniff, charset", parsing._read_as_utf8_first, content, sample.charset)
            timed("forbidden-character scan", parsing._has_forbidden_utf8, content)
            root, _ = timed("libxml2 parse", parsing._parse_utf8, content, sample.name)
            layout = timed("layout and version", layouts.for_url, sample.url)
            day = sample.captured_at.date() if sample.captured_at else None
            version = timed("layout and version", choose_version, layout, day, sample.url, root).version
            documents = timed("JSON-LD", jsonld_documents, root) if reads_jsonld(version) else ()
            timed("noise", strip_noise, root)
            removed = timed("boilerplate selectors", strip_boilerplate, root, version)
            fields = timed("field selectors", read_fields, root, version, documents)
            body = timed("body selectors and block walk", read_body, root, version.body)
            timed("article and problems", article, layout, version, removed, fields, body)
    count = rounds * len(samples)
    print(f"pages: {len(samples)}, rounds: {rounds} (mean ms per page; a clean UTF-8 page takes every step shown)")
    for step, seconds in totals.items():
        print(f"  {step:<32}{1000 * seconds / count:8.3f}")
    ours = sum(seconds for step, seconds in totals.items() if not step.startswith("(a)"))
    print(f"  {'(b) the steps together':<32}{1000 * ours / count:8.3f}")
    return 0


def by_selector(
    samples: list[Sample],
    skipped: list[str],
    layouts: template_guard.LayoutSet,
    rounds: int,
    stat_name: str,
    stat: Callable[[list[float]], float],
    top: int,
) -> int:
    """The --by-selector report."""
    usable = []
    for sample in samples:  # warm-up, and pages the extraction rejects are left out
        try:
            template_guard.run(
                sample.content, url=sample.url, captured_at=sample.captured_at, layouts=layouts, http_charset=sample.charset
            )
        except TemplateGuardError as error:
            skipped.append(f"{sample.name} ({type(error).__name__}: {str(error).splitlines()[0][:80]})")
        else:
            usable.append(sample)
    if not usable:
        print("every page failed to extract", file=sys.stderr)
        return 2
    timings, parses = time_selectors(usable, layouts, rounds, stat)
    print(f"pages: {len(usable)} served by a layout" + (f", {len(skipped)} skipped" if skipped else ""))
    for reason in skipped:
        print(f"  skipped {reason}")
    print(f"rounds: {rounds} (per-page figure = {stat_name} over rounds)")
    print()
    report_by_selector(timings, parses, top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
