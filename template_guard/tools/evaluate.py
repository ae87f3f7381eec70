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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from template_guard.engine.pipeline import extract
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import NoLayoutError, TemplateGuardError
from template_guard.tools.options import layouts_dir_option, reporting_errors

GOLD_FILE = "gold.json"
PAGES_DIR = "pages"
PUBLISHED_FILE = "published_rouge_lsum.tsv"
MAX_EXHAUSTIVE_OPTIONAL = 10
THRESHOLD_PAGE_F1 = 0.97  # every page of every publisher
THRESHOLD_MEAN_F1 = 0.99  # the mean over all pages

EVAL_EXTRA_HINT = "install the evaluation extra: pip install 'template_guard[eval]'"


class EvaluationError(TemplateGuardError):
    """The evaluation cannot run: a corpus file is missing or malformed, or a dependency is not installed."""


# --------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Score:
    """ROUGE-LSum precision, recall and F1, each in [0, 1]."""

    precision: float
    recall: float
    f1: float

    @staticmethod
    def mean(scores: Iterable[Score]) -> Score | None:
        """The arithmetic mean of each figure; None for no scores."""
        scores = list(scores)
        if not scores:
            return None
        n = len(scores)
        return Score(
            sum(s.precision for s in scores) / n, sum(s.recall for s in scores) / n, sum(s.f1 for s in scores) / n
        )


ZERO = Score(0.0, 0.0, 0.0)


def is_optional(paragraph: str) -> bool:
    """Whether a gold paragraph is optional: written as ``[...]``."""
    text = paragraph.strip()
    return len(text) >= 2 and text.startswith("[") and text.endswith("]")


def gold_variants(gold: Sequence[str], max_exhaustive: int = MAX_EXHAUSTIVE_OPTIONAL) -> list[list[str]]:
    """The reference paragraph lists to score against, whitespace-normalised, optional brackets removed.

    With k optional paragraphs: all 2**k include/exclude combinations when k <= `max_exhaustive`;
    otherwise exclude-all, include-all, and each optional paragraph alone included and alone excluded.
    Empty paragraphs are dropped; duplicate variants are returned once.
    """
    optional = [i for i, paragraph in enumerate(gold) if is_optional(paragraph)]
    if len(optional) <= max_exhaustive:
        subsets: Iterable[frozenset[int]] = (
            frozenset(combo) for r in range(len(optional) + 1) for combo in itertools.combinations(optional, r)
        )
    else:
        everything = frozenset(optional)
        subsets = [
            frozenset(),
            everything,
            *(frozenset({i}) for i in optional),
            *(everything - {i} for i in optional),
        ]
    variants: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for included in subsets:
        paragraphs = []
        for index, paragraph in enumerate(gold):
            if index in optional:
                if index not in included:
                    continue
                paragraph = paragraph.strip()[1:-1]
            text = normalise_paragraph(paragraph)
            if text:
                paragraphs.append(text)
        key = tuple(paragraphs)
        if key not in seen:
            seen.add(key)
            variants.append(paragraphs)
    return variants


def normalise_paragraph(text: str) -> str:
    """Whitespace collapsed to single spaces and trimmed (so a paragraph is one ROUGE "sentence")."""
    return " ".join(text.split())


class RougeLSum:
    """ROUGE-LSum of one hypothesis against many reference variants, as ``rouge-score`` computes it.

    ``RougeScorer(["rougeLsum"], use_stemmer=False).score(reference, hypothesis)`` tokenizes both texts
    (one "sentence" per line), takes for every reference sentence the union of its longest common
    subsequences with each hypothesis sentence, and counts the union's tokens, each at most as often as
    it occurs on both sides. This class does the same with rouge-score's tokenizer, but computes each
    reference sentence's union LCS once for all the variants of a gold body, and computes the LCS tables
    with numpy (`union_lcs`, the same table and the same backtracking as rouge-score's pure-Python
    ``_union_lcs``, about ten times faster). The tests check it against ``RougeScorer.score``.
    """

    def __init__(self, hypothesis: Sequence[str]) -> None:
        _, tokenizers = _import_rouge()
        self._tokenize = tokenizers.DefaultTokenizer(use_stemmer=False).tokenize
        self.hypothesis = [p for p in (normalise_paragraph(p) for p in hypothesis) if p]
        self._hypothesis_tokens = [self._tokenize(p) for p in self.hypothesis]
        self._cache: dict[str, list[str]] = {}

    def score(self, reference: Sequence[str]) -> Score:
        """The score of the hypothesis against one reference (a list of normalised paragraphs)."""
        reference = [p for p in reference if p]
        reference_tokens = [self._tokenize(p) for p in reference]
        candidate_tokens = self._hypothesis_tokens
        m = sum(map(len, reference_tokens))
        n = sum(map(len, candidate_tokens))
        if not reference_tokens or not candidate_tokens or not m or not n:
            return ZERO
        counts_reference = Counter(itertools.chain.from_iterable(reference_tokens))
        counts_candidate = Counter(itertools.chain.from_iterable(candidate_tokens))
        hits = 0
        for paragraph, tokens in zip(reference, reference_tokens, strict=True):
            union = self._cache.get(paragraph)
            if union is None:
                union = self._cache[paragraph] = union_lcs(tokens, candidate_tokens)
            for token in union:  # rouge-score's guard against counting a token more often than it occurs
                if counts_candidate[token] > 0 and counts_reference[token] > 0:
                    hits += 1
                    counts_candidate[token] -= 1
                    counts_reference[token] -= 1
        recall = hits / m
        precision = hits / n
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        return Score(precision, recall, f1)


_LCS_CELLS_PER_CHUNK = 4_000_000  # bounds the memory of one LCS table (8 bytes a cell)


def union_lcs(reference: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[str]:
    """The tokens of `reference` in the union of its LCS with each candidate, in reference order.

    Equal to rouge-score's ``_union_lcs(reference, candidates)``: the same LCS table and the same
    backtracking (on a tie, move up in the reference), so the same LCS is chosen among equally long ones.
    The candidates are laid side by side in one table, each after a sentinel column and offset by
    ``index * (len(reference) + 1)`` so that the row-wise running maximum never carries across them.
    """
    import numpy as np

    size = len(reference)
    if not size or not candidates:
        return []
    hits: set[int] = set()
    chunk: list[Sequence[str]] = []
    width = 0
    for candidate in [*candidates, None]:
        if candidate is not None and (not chunk or (size + 1) * (width + len(candidate) + 1) <= _LCS_CELLS_PER_CHUNK):
            chunk.append(candidate)
            width += len(candidate) + 1
            continue
        _union_lcs_chunk(np, reference, chunk, hits)
        chunk, width = ([candidate], len(candidate) + 1) if candidate is not None else ([], 0)
    return [reference[i] for i in sorted(hits)]


def _union_lcs_chunk(np: Any, reference: Sequence[str], candidates: list[Sequence[str]], hits: set[int]) -> None:
    size = len(reference)
    starts: list[int] = []
    positions: dict[str, list[int]] = {}
    offsets: list[int] = []
    column = 0
    for index, candidate in enumerate(candidates):
        starts.append(column)
        offsets.extend([index * (size + 1)] * (len(candidate) + 1))
        for j, token in enumerate(candidate, column + 1):
            positions.setdefault(token, []).append(j)
        column += len(candidate) + 1
    matches = {token: np.array(columns) for token, columns in positions.items()}
    table = np.empty((size + 1, column), dtype=np.int64)
    table[0] = offsets
    previous = table[0]
    for i, token in enumerate(reference, 1):
        row = previous.copy()
        at = matches.get(token)
        if at is not None:
            row[at] = previous[at - 1] + 1
        np.maximum.accumulate(row, out=table[i])
        previous = table[i]
    rows = table.tolist()
    for start, candidate in zip(starts, candidates, strict=True):
        i, j = size, len(candidate)
        while i > 0 and j > 0:
            if reference[i - 1] == candidate[j - 1]:
                hits.add(i - 1)
                i -= 1
                j -= 1
            elif rows[i][start + j - 1] > rows[i - 1][start + j]:
                j -= 1
            else:
                i -= 1


def score_body(hypothesis: Sequence[str], gold: Sequence[str]) -> Score:
    """ROUGE-LSum of extracted body paragraphs against gold paragraphs: the best F1 over optional variants."""
    rouge = RougeLSum(hypothesis)
    best: Score | None = None
    for variant in gold_variants(gold):
        score = rouge.score(variant)
        if best is None or score.f1 > best.f1:
            best = score
    return best or ZERO


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


def evaluate(
    corpus_dir: Path | str,
    *,
    trafilatura: bool = True,
    layouts: LayoutSet | None = None,
    publishers: Iterable[str] | None = None,
) -> EvaluationReport:
    """Extract and score every corpus page whose URL a layout serves (optionally only some publishers)."""
    corpus = read_corpus(corpus_dir)
    _import_rouge()  # fail before any work when the extra is missing
    traf_extract = _import_trafilatura() if trafilatura else None
    layouts = layouts if layouts is not None else load_layouts()
    published = read_published(corpus_dir)
    wanted = set(publishers) if publishers is not None else None
    if wanted is not None:
        known = {page.publisher for page in corpus}
        if unknown := sorted(wanted - known):
            raise EvaluationError(
                f"no publisher {', '.join(unknown)} in {corpus_dir} (publishers: {', '.join(sorted(known))})"
            )

    results: list[PageResult] = []
    skipped: list[str] = []
    for page in corpus:
        if wanted is not None and page.publisher not in wanted:
            continue
        try:
            layout = layouts.for_url(page.url)
        except NoLayoutError:
            skipped.append(page.key)
            continue
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
        results.append(
            PageResult(
                page.key,
                page.publisher,
                page.url,
                layout.name,
                ours,
                error,
                traf_score,
                {scraper: scores[page.key] for scraper, scores in sorted(published.items()) if page.key in scores},
            )
        )

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


def _import_rouge() -> tuple[Any, Any]:
    try:
        from rouge_score import rouge_scorer, tokenizers
    except ImportError:
        raise EvaluationError(f"scoring needs the rouge-score package ({EVAL_EXTRA_HINT})") from None
    return rouge_scorer, tokenizers


def _import_trafilatura() -> Callable[..., str | None]:
    try:
        import trafilatura
    except ImportError as error:
        missing = error.name or "trafilatura"
        raise EvaluationError(
            f"the trafilatura baseline needs {missing} ({EVAL_EXTRA_HINT}; or pass --no-trafilatura)"
        ) from None
    return trafilatura.extract


# --------------------------------------------------------------------------------------------- output


def format_report(report: EvaluationReport) -> str:
    """The report as aligned text tables: per page, per publisher, and the mean (ROUGE-LSum × 100)."""
    show_traf = any(r.trafilatura is not None for r in report.pages)
    show_fundus = any(r.fundus is not None for r in report.pages)
    groups = [("template_guard", lambda r: r.ours)]
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


@click.command("evaluate")
@click.argument("corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-trafilatura", is_flag=True, help="Do not run the trafilatura baseline (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of tables.")
@click.option(
    "--publisher", "publishers", multiple=True, help="Only this publisher (the page-key prefix, e.g. APNews); repeatable."
)
@layouts_dir_option
@reporting_errors
def evaluate_command(
    corpus_dir: Path, no_trafilatura: bool, as_json: bool, publishers: tuple[str, ...], layouts_dirs: tuple[Path, ...]
) -> None:
    """Score extraction quality on a fundus-eval corpus (ROUGE-LSum vs gold), next to trafilatura and Fundus.

    Needs the `eval` extra (rouge-score; trafilatura unless --no-trafilatura).
    """
    report = evaluate(
        corpus_dir,
        trafilatura=not no_trafilatura,
        layouts=load_layouts(layouts_dirs),
        publishers=publishers or None,
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report), nl=False)
