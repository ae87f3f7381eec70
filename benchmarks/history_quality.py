"""Extraction quality on the redesign histories: every page of ``tests/gold/*.json`` against its reviewed gold.

    python benchmarks/history_quality.py [--pages DIR] [--corpus DIR] [--json]

Each ``tests/gold/<layout>.json`` maps a page slug to its gold: ``url``, ``captured_at``, ``body`` (the lead
first when there is one, then the headings and paragraphs; ``[...]`` paragraphs are optional), ``lead``,
``title``, ``parser_version`` (the Fundus parser that handled the capture: one per design), ``source`` (its
key in the fundus-history corpus) and ``review`` (why paragraphs were made optional, if any).

The pages are read from the committed captures, ``pages/<layout>/<slug>.html.gz`` (or ``.html``), with
``template_guard.read_page``; ``--pages DIR`` reads them from ``DIR/<layout>/<slug>.html[.gz]`` instead (plain
copies with sidecars), and ``--corpus DIR`` from a fundus-history corpus (``DIR/pages/<source>.html``, with the
URL and capture time of the gold). The score is ROUGE-LSum (``template_guard.tools.evaluate.score_body``) of
the standfirst, when the gold has a lead, followed by the body blocks. Needs the ``eval`` extra (rouge-score).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO / "tests" / "gold"
PAGES_DIR = REPO / "pages"
GZIP_MAGIC = b"\x1f\x8b"

if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from template_guard import LayoutSet, extract, load_layouts, read_page
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import parse_timestamp
from template_guard.tools.evaluate import THRESHOLD_PAGE_F1, Score, score_body


class HistoryError(TemplateGuardError):
    """A gold file or a page cannot be used for scoring."""


@dataclass(frozen=True)
class GoldPage:
    """One reviewed capture: where it is filed and what its article is."""

    layout: str
    slug: str
    url: str
    captured_at: dt.datetime
    body: tuple[str, ...]
    has_lead: bool
    parser_version: str
    source: str

    @property
    def page_id(self) -> str:
        """``<layout>/<slug>``, as the plugin names pages."""
        return f"{self.layout}/{self.slug}"


@dataclass(frozen=True)
class PageResult:
    """A page's score, with the layout version that extracted it, or why it could not be scored."""

    page: GoldPage
    score: Score | None
    version: str | None = None
    error: str | None = None


def read_gold(gold_dir: Path = GOLD_DIR) -> list[GoldPage]:
    """Every page of every ``<layout>.json`` in `gold_dir`, sorted by layout then capture time."""
    pages = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            for slug, entry in entries.items():
                pages.append(
                    GoldPage(
                        layout=path.stem,
                        slug=slug,
                        url=entry["url"],
                        captured_at=parse_timestamp(entry["captured_at"], path),
                        body=tuple(entry["body"]),
                        has_lead=bool(entry.get("lead")),
                        parser_version=entry["parser_version"],
                        source=entry["source"],
                    )
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise HistoryError(f"{path}: malformed gold file ({error!r})") from None
    return sorted(pages, key=lambda page: (page.layout, page.captured_at))


def page_file(pages_dir: Path, page: GoldPage) -> Path:
    """The stored page: ``<slug>.html.gz`` when present, else ``<slug>.html``."""
    compressed = pages_dir / page.layout / f"{page.slug}.html.gz"
    return compressed if compressed.is_file() else pages_dir / page.layout / f"{page.slug}.html"


def committed_reader(pages_dir: Path = PAGES_DIR) -> Callable[[GoldPage], tuple[bytes, str, dt.datetime]]:
    """Read pages with ``read_page``; a ``.html.gz`` page this template_guard returns undecompressed is an error."""

    def read(page: GoldPage) -> tuple[bytes, str, dt.datetime]:
        stored = read_page(page_file(pages_dir, page))
        if stored.content.startswith(GZIP_MAGIC):
            raise HistoryError(f"{stored.path}: this template_guard does not read .html.gz pages")
        return stored.content, stored.meta.url or page.url, stored.meta.captured_at or page.captured_at

    return read


def corpus_reader(corpus_dir: Path) -> Callable[[GoldPage], tuple[bytes, str, dt.datetime]]:
    """Read pages from a fundus-history corpus; URL and capture time come from the gold."""

    def read(page: GoldPage) -> tuple[bytes, str, dt.datetime]:
        path = corpus_dir / "pages" / f"{page.source}.html"
        try:
            return path.read_bytes(), page.url, page.captured_at
        except OSError as error:
            raise HistoryError(f"{path}: cannot read: {error.strerror or error}") from None

    return read


def score_page(page: GoldPage, content: bytes, url: str, captured_at: dt.datetime, layouts: LayoutSet) -> PageResult:
    """Extract one page and score it against its gold."""
    try:
        article = extract(content, url=url, captured_at=captured_at, layouts=layouts)
    except TemplateGuardError as error:
        return PageResult(page, None, error=str(error))
    # The gold body starts with the lead; the layout reads it as the standfirst.
    hypothesis = [article.standfirst] if page.has_lead and article.standfirst else []
    return PageResult(page, score_body([*hypothesis, *article.body], page.body), article.version)


def score_all(
    pages: Iterable[GoldPage],
    read: Callable[[GoldPage], tuple[bytes, str, dt.datetime]],
    layouts: LayoutSet | None = None,
) -> list[PageResult]:
    """Score every page; a page that cannot be read is a result with its error."""
    layouts = layouts if layouts is not None else load_layouts()
    results = []
    for page in pages:
        try:
            content, url, captured_at = read(page)
        except TemplateGuardError as error:
            results.append(PageResult(page, None, error=str(error)))
            continue
        results.append(score_page(page, content, url, captured_at, layouts))
    return results


def mean_score(results: Iterable[PageResult]) -> Score | None:
    """The mean P/R/F1 over the scored pages; None when none was scored."""
    return Score.mean(result.score for result in results if result.score is not None)


def format_report(results: Sequence[PageResult]) -> str:
    """Per page, per layout and overall P/R/F1, as a plain-text table."""

    def cells(score: Score | None) -> str:
        return (
            "     -      -      -" if score is None else f"{score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}"
        )

    lines = [f"{'page':80} {'version':8} {'P':>6} {'R':>6} {'F1':>6}"]
    for result in results:
        flag = "" if result.score and result.score.f1 >= THRESHOLD_PAGE_F1 else "  < threshold"
        detail = f"  {result.error}" if result.error else flag
        lines.append(f"{result.page.page_id:80} {result.version or '-':8} {cells(result.score)}{detail}")
    lines += ["", f"{'layout':24} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'min F1':>6}"]
    for layout in sorted({result.page.layout for result in results}):
        group = [result for result in results if result.page.layout == layout]
        scored = [result.score.f1 for result in group if result.score]
        lowest = f"{min(scored):6.3f}" if len(scored) == len(group) else "     -"
        lines.append(f"{layout:24} {len(group):5} {cells(mean_score(group))} {lowest}")
    scored_count = sum(result.score is not None for result in results)
    lines.append(f"{'mean':24} {scored_count:5} {cells(mean_score(results))}")
    return "\n".join(lines)


def to_json(results: Sequence[PageResult]) -> dict[str, Any]:
    """The report as JSON-ready data."""

    def figures(score: Score | None) -> dict[str, float] | None:
        return None if score is None else {"precision": score.precision, "recall": score.recall, "f1": score.f1}

    return {
        "pages": [
            {
                "page": result.page.page_id,
                "source": result.page.source,
                "parser_version": result.page.parser_version,
                "version": result.version,
                "score": figures(result.score),
                "error": result.error,
            }
            for result in results
        ],
        "mean": figures(mean_score(results)),
    }


def main(argv: Sequence[str]) -> int:
    """Print the report; exit 1 when a page is below the threshold or could not be scored."""
    parser = argparse.ArgumentParser(prog="benchmarks/history_quality.py", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=Path, help="read <layout>/<slug>.html[.gz] pages from this directory")
    source.add_argument("--corpus", type=Path, help="read the pages from a fundus-history corpus directory")
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="the directory of <layout>.json gold files")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        pages = read_gold(args.gold)
        read = corpus_reader(args.corpus) if args.corpus else committed_reader(args.pages or PAGES_DIR)
        results = score_all(pages, read)
    except TemplateGuardError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(to_json(results), indent=1) if args.json else format_report(results))
    return 0 if all(result.score and result.score.f1 >= THRESHOLD_PAGE_F1 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
