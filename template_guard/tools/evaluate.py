"""Quality harness: template_guard against hand-made gold bodies, next to trafilatura and published Fundus.

The corpus is a fundus-eval style directory (see ``../shared/corpora/fundus-eval/README.md``)::

    CORPUS_DIR/gold.json                    {"<Publisher>_<n>": {"url", "crawl_date", "body": [paragraph, ...]}}
    CORPUS_DIR/pages/<Publisher>_<n>.html   the captured page
    CORPUS_DIR/published_rouge_lsum.tsv     scraper, page, precision, recall, f1 (optional)

Every page whose gold URL is served by a layout is extracted with template_guard and scored with the
corpus's metric: ROUGE-LSum (``rouge-score``, no stemming) of the body paragraphs, whitespace-normalised and
joined by newlines, against the gold paragraphs. A gold paragraph written ``[...]`` is optional; the score is
the best F1 over the variants that include or exclude optional paragraphs (brackets removed): every
combination when there are at most ``MAX_EXHAUSTIVE_OPTIONAL`` of them, otherwise all excluded, all
included, and each one alone included or alone excluded.

trafilatura (its default ``trafilatura.extract``) runs on the same pages in the same run, and the published
Fundus figures are read from ``published_rouge_lsum.tsv``. rouge-score and trafilatura are the optional
``eval`` extra: they are imported only when needed, with an error naming the extra when missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from template_guard.engine.pipeline import extract
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import EvaluationError, NoLayoutError, TemplateGuardError
from template_guard.tools.scoring import EVAL_EXTRA_HINT, ZERO, Score, import_rouge, score_body

GOLD_FILE = "gold.json"
PAGES_DIR = "pages"
PUBLISHED_FILE = "published_rouge_lsum.tsv"
THRESHOLD_PAGE_F1 = 0.97  # every page of every publisher
THRESHOLD_MEAN_F1 = 0.99  # the mean over all pages


# --------------------------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class GoldPage:
    """One corpus page: its key (``<Publisher>_<n>``), where it came from, and its gold body."""

    key: str
    publisher: str
    url: str
    crawl_date: dt.datetime
    body: tuple[str, ...]
    path: Path


def read_corpus(corpus_dir: Path | str) -> list[GoldPage]:
    """The pages listed in ``gold.json`` (in its order); `EvaluationError` when the corpus is unusable."""
    corpus_dir = Path(corpus_dir)
    gold_path = corpus_dir / GOLD_FILE
    if not gold_path.is_file():
        raise EvaluationError(f"{corpus_dir}: not a fundus-eval corpus (no {GOLD_FILE})")
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EvaluationError(f"{gold_path}: cannot read: {error}") from None
    if not isinstance(gold, dict):
        raise EvaluationError(f"{gold_path}: expected an object mapping page keys to gold entries")
    pages = []
    for key, entry in gold.items():
        try:
            url = entry["url"]
            crawl_date = dt.datetime.fromisoformat(entry["crawl_date"])
            body = tuple(entry["body"])
        except (KeyError, TypeError, ValueError) as error:
            raise EvaluationError(f"{gold_path}: {key}: malformed entry ({error!r})") from None
        path = corpus_dir / PAGES_DIR / f"{key}.html"
        if not path.is_file():
            raise EvaluationError(f"{gold_path}: {key}: page file {path} is missing")
        pages.append(GoldPage(key, key.rsplit("_", 1)[0], url, crawl_date, body, path))
    return pages


def read_published(corpus_dir: Path | str) -> dict[str, dict[str, Score]]:
    """Published scores by scraper, then page key; empty when the corpus has no ``published_rouge_lsum.tsv``."""
    path = Path(corpus_dir) / PUBLISHED_FILE
    if not path.is_file():
        return {}
    published: dict[str, dict[str, Score]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                published.setdefault(row["scraper"], {})[row["page"]] = Score(
                    float(row["precision"]), float(row["recall"]), float(row["f1"])
                )
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise EvaluationError(f"{path}: cannot read: {error!r}") from None
    return published


# --------------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class PageResult:
    """One page: template_guard's score (and error, if extraction failed), trafilatura's, and published ones."""

    page: str
    publisher: str
    url: str
    layout: str
    ours: Score
    error: str | None
    trafilatura: Score | None
    published: dict[str, Score] = field(default_factory=dict)

    @property
    def fundus(self) -> Score | None:
        """The published Fundus score of this page."""
        return self.published.get("fundus")


@dataclass(frozen=True)
class PublisherResult:
    """The mean scores over one publisher's pages."""

    publisher: str
    layout: str
    pages: int
    ours: Score
    min_f1: float
    trafilatura: Score | None
    fundus: Score | None


@dataclass(frozen=True)
class EvaluationReport:
    """Every scored page, per-publisher means and the overall mean, plus the pages no layout serves."""

    corpus: str
    pages: tuple[PageResult, ...]
    publishers: tuple[PublisherResult, ...]
    mean: Score | None
    trafilatura_mean: Score | None
    fundus_mean: Score | None
    skipped: tuple[str, ...]  # page keys whose URL no layout serves

    @property
    def passed(self) -> bool:
        """Whether every page reaches THRESHOLD_PAGE_F1 and the mean THRESHOLD_MEAN_F1."""
        return bool(self.pages) and self.mean is not None and self.mean.f1 >= THRESHOLD_MEAN_F1 and all(
            page.ours.f1 >= THRESHOLD_PAGE_F1 for page in self.pages
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {**asdict(self), "passed": self.passed}


def corpus_pages(corpus_dir: Path | str, publishers: Iterable[str] | None = None) -> list[GoldPage]:
    """The corpus pages `evaluate` goes through: all of them, or those of `publishers` (each must exist)."""
    corpus = read_corpus(corpus_dir)
    if publishers is None:
        return corpus
    wanted = set(publishers)
    known = {page.publisher for page in corpus}
    if unknown := sorted(wanted - known):
        raise EvaluationError(
            f"no publisher {', '.join(unknown)} in {corpus_dir} (publishers: {', '.join(sorted(known))})"
        )
    return [page for page in corpus if page.publisher in wanted]


def evaluate(
    corpus_dir: Path | str,
    *,
    trafilatura: bool = True,
    layouts: LayoutSet | None = None,
    publishers: Iterable[str] | None = None,
    on_page: Callable[[str], None] | None = None,
) -> EvaluationReport:
    """Extract and score every corpus page whose URL a layout serves (optionally only some publishers).

    `on_page` is called with each page's key once it is done, scored or skipped: once per `corpus_pages`.
    """
    corpus = corpus_pages(corpus_dir, publishers)
    import_rouge()  # fail before any work when the extra is missing
    traf_extract = _import_trafilatura() if trafilatura else None
    layouts = layouts if layouts is not None else load_layouts()
    published = read_published(corpus_dir)

    results: list[PageResult] = []
    skipped: list[str] = []
    for page in corpus:
        result = _evaluate_page(page, layouts, traf_extract, published)
        if result is None:
            skipped.append(page.key)
        else:
            results.append(result)
        if on_page is not None:
            on_page(page.key)

    by_publisher: dict[str, list[PageResult]] = {}
    for result in results:
        by_publisher.setdefault(result.publisher, []).append(result)
    per_publisher = []
    for publisher, group_list in by_publisher.items():
        per_publisher.append(
            PublisherResult(
                publisher,
                group_list[0].layout,
                len(group_list),
                Score.mean(r.ours for r in group_list) or ZERO,
                min(r.ours.f1 for r in group_list),
                Score.mean(r.trafilatura for r in group_list if r.trafilatura is not None),
                _mean_if_complete([r.fundus for r in group_list]),
            )
        )
    return EvaluationReport(
        str(corpus_dir),
        tuple(results),
        tuple(per_publisher),
        Score.mean(r.ours for r in results),
        Score.mean(r.trafilatura for r in results if r.trafilatura is not None),
        _mean_if_complete([r.fundus for r in results]),
        tuple(skipped),
    )


def _evaluate_page(
    page: GoldPage,
    layouts: LayoutSet,
    traf_extract: Callable[..., str | None] | None,
    published: dict[str, dict[str, Score]],
) -> PageResult | None:
    """One page scored by template_guard (and trafilatura); None when no layout serves its URL."""
    try:
        layout = layouts.for_url(page.url)
    except NoLayoutError:
        return None
    content = page.path.read_bytes()
    error = None
    try:
        article = extract(content, url=page.url, captured_at=page.crawl_date, layouts=layouts)
        ours = score_body(article.body, page.body)
    except TemplateGuardError as failure:
        error, ours = str(failure), ZERO
    traf_score = None
    if traf_extract is not None:
        traf_score = score_body(_trafilatura_paragraphs(traf_extract, content), page.body)
    return PageResult(
        page.key,
        page.publisher,
        page.url,
        layout.name,
        ours,
        error,
        traf_score,
        {scraper: scores[page.key] for scraper, scores in sorted(published.items()) if page.key in scores},
    )


def _mean_if_complete(scores: Sequence[Score | None]) -> Score | None:
    """The mean, unless a score is missing (a partial mean would not be comparable)."""
    if not scores or any(s is None for s in scores):
        return None
    return Score.mean(s for s in scores if s is not None)


def _trafilatura_paragraphs(traf_extract: Callable[..., str | None], content: bytes) -> list[str]:
    """trafilatura's default extraction of the page, one paragraph per line."""
    try:
        text = traf_extract(content)
    except Exception:  # noqa: BLE001 - a crash of the baseline is a score of zero, not an aborted run
        return []
    return (text or "").splitlines()


# --------------------------------------------------------------------------------------------- imports


def _import_trafilatura() -> Callable[..., str | None]:
    try:
        import trafilatura
    except ImportError as error:
        missing = error.name or "trafilatura"
        raise EvaluationError(
            f"the trafilatura baseline needs {missing} ({EVAL_EXTRA_HINT}; or pass --no-trafilatura)"
        ) from None
    # Typed or not depending on the installed version (it is an optional extra): say what it is used as.
    return cast(Callable[..., str | None], trafilatura.extract)



# --------------------------------------------------------------------------------------------- output


def format_report(report: EvaluationReport) -> str:
    """The report as aligned text tables: per page, per publisher, and the mean (ROUGE-LSum × 100)."""
    show_traf = any(r.trafilatura is not None for r in report.pages)
    show_fundus = any(r.fundus is not None for r in report.pages)
    # Each group picks its score from a page row or a publisher row (both have ours, trafilatura, fundus).
    groups: list[tuple[str, Callable[[Any], Score | None]]] = [("template_guard", lambda r: r.ours)]
    if show_traf:
        groups.append(("trafilatura (this run)", lambda r: r.trafilatura))
    if show_fundus:
        groups.append(("Fundus (published)", lambda r: r.fundus))

    def cells(score: Score | None) -> list[str]:
        if score is None:
            return ["-", "-", "-"]
        return [f"{100 * score.precision:.2f}", f"{100 * score.recall:.2f}", f"{100 * score.f1:.2f}"]

    def table(first: str, rows: list[tuple[str, list[Score | None], str]]) -> list[str]:
        head = [first] + ["P", "R", "F1"] * len(groups) + [""]
        body = [[label, *itertools.chain.from_iterable(cells(s) for s in scores), note] for label, scores, note in rows]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        for g, (name, _) in enumerate(groups):  # a group's name spans its three columns
            span = sum(widths[1 + 3 * g:4 + 3 * g]) + 4
            widths[1 + 3 * g] += max(0, len(name) - span)

        def line(row: list[str]) -> str:
            return "  ".join(
                cell.rjust(width) if 0 < i < len(row) - 1 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()

        names = [" " * widths[0]] + [
            name.rjust(sum(widths[1 + 3 * g:4 + 3 * g]) + 4) for g, (name, _) in enumerate(groups)
        ]
        return ["  ".join(names).rstrip(), line(head), *(line(row) for row in body)]

    out = [f"ROUGE-LSum (× 100) against the gold bodies of {report.corpus}", ""]
    page_rows = []
    for r in report.pages:
        note = "below 97" if r.ours.f1 < THRESHOLD_PAGE_F1 else ""
        if r.error:
            note = f"error: {r.error}"
        page_rows.append((r.page, [pick(r) for _, pick in groups], note))
    out += table("page", page_rows)
    out.append("")
    publisher_rows = []
    for p in report.publishers:
        scores: list[Score | None] = [p.ours]
        if show_traf:
            scores.append(p.trafilatura)
        if show_fundus:
            scores.append(p.fundus)
        note = f"{p.layout}, {p.pages} pages" + (", a page below 97" if p.min_f1 < THRESHOLD_PAGE_F1 else "")
        publisher_rows.append((p.publisher, scores, note))
    mean_scores: list[Score | None] = [report.mean]
    if show_traf:
        mean_scores.append(report.trafilatura_mean)
    if show_fundus:
        mean_scores.append(report.fundus_mean)
    publisher_rows.append((f"mean ({len(report.pages)} pages)", mean_scores, ""))
    out += table("publisher", publisher_rows)
    out.append("")
    if report.skipped:
        out.append(f"skipped (no layout serves the URL): {len(report.skipped)} pages: {', '.join(report.skipped)}")
    if report.pages:
        verdict = "pass" if report.passed else "FAIL"
        out.append(
            f"thresholds (every page F1 >= {100 * THRESHOLD_PAGE_F1:.0f}, mean F1 >= {100 * THRESHOLD_MEAN_F1:.0f}): {verdict}"
        )
    else:
        out.append("no page of the corpus is served by a layout")
    return "\n".join(out) + "\n"
