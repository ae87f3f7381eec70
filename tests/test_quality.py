"""Extraction quality on real pages (the fundus-eval corpus in ../shared), and the scoring function itself.

The corpus tests skip when ../shared/corpora/fundus-eval is absent (a fresh clone) or rouge-score is not
installed; trafilatura is not run here (too slow). No extracted text of the corpus pages is written anywhere.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from template_guard import extract_page, load_layouts
from template_guard.errors import EvaluationError
from template_guard.tools.evaluate import (
    THRESHOLD_MEAN_F1,
    THRESHOLD_PAGE_F1,
    EvaluationReport,
    evaluate,
    read_corpus,
    read_published,
)
from template_guard.tools.evaluate_command import evaluate_command
from template_guard.tools.scoring import MAX_EXHAUSTIVE_OPTIONAL, gold_variants, is_optional, score_body, union_lcs

REPO = Path(__file__).parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "fundus-eval"

try:
    import rouge_score.rouge_scorer  # noqa: F401

    HAVE_ROUGE = True
except ImportError:
    HAVE_ROUGE = False

needs_rouge = pytest.mark.skipif(
    not HAVE_ROUGE, reason="rouge-score is not installed (pip install 'template_guard[eval]')"
)
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "gold.json").is_file(),
    reason=f"the fundus-eval corpus is not available at {CORPUS} (it lives outside the repository)",
)


def corpus_publishers() -> list[str]:
    if not (CORPUS / "gold.json").is_file():
        return ["(no corpus)"]
    return sorted({page.publisher for page in read_corpus(CORPUS)})


@pytest.fixture(scope="module")
def report() -> EvaluationReport:
    return evaluate(CORPUS, trafilatura=False)


# --------------------------------------------------------------------------------------------- corpus


@needs_rouge
@needs_corpus
@pytest.mark.parametrize("publisher", corpus_publishers())
def test_every_page_of_the_publisher_scores_at_least_97(report: EvaluationReport, publisher: str) -> None:
    pages = [page for page in report.pages if page.publisher == publisher]
    assert pages, (
        f"no layout serves the pages of {publisher} "
        f"(skipped: {', '.join(key for key in report.skipped if key.startswith(publisher + '_'))})"
    )
    low = {page.page: round(page.ours.f1, 4) for page in pages if page.ours.f1 < THRESHOLD_PAGE_F1}
    errors = {page.page: page.error for page in pages if page.error}
    assert not errors, f"extraction failed: {errors}"
    assert not low, f"ROUGE-LSum F1 below {THRESHOLD_PAGE_F1}: {low} (run: template-guard evaluate {CORPUS} --publisher {publisher})"


@needs_rouge
@needs_corpus
def test_mean_f1_over_all_pages_is_at_least_99(report: EvaluationReport) -> None:
    assert not report.skipped, f"pages no layout serves: {report.skipped}"
    assert report.mean is not None
    assert report.mean.f1 >= THRESHOLD_MEAN_F1, f"mean ROUGE-LSum F1 {report.mean.f1:.4f} < {THRESHOLD_MEAN_F1}"


@needs_rouge
@needs_corpus
def test_the_metric_reproduces_the_published_fundus_scores() -> None:
    """Scoring Fundus's published extractions gives its published per-page F1: our metric is the paper's."""
    extractions = json.loads((CORPUS / "published_extractions.json").read_text(encoding="utf-8"))["fundus"]
    published = read_published(CORPUS)["fundus"]
    gold = {page.key: page.body for page in read_corpus(CORPUS)}
    assert extractions.keys() == published.keys() == gold.keys()
    for key, entry in extractions.items():
        assert score_body(entry["body"] or [], gold[key]).f1 == pytest.approx(published[key].f1, abs=1e-9), key


# --------------------------------------------------------------------------------------------- scoring


@needs_rouge
def test_identical_body_scores_one() -> None:
    gold = ["First paragraph of the story.", "Second paragraph, with a quote."]
    score = score_body(gold, gold)
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


@needs_rouge
def test_empty_hypothesis_scores_zero() -> None:
    assert score_body([], ["Some gold text."]).f1 == 0.0
    assert score_body(["", "   "], ["Some gold text."]).f1 == 0.0


@needs_rouge
def test_extra_paragraph_costs_precision_not_recall() -> None:
    gold = ["one two three four", "five six seven eight"]
    score = score_body([*gold, "nine ten eleven twelve"], gold)
    assert score.recall == 1.0
    assert score.precision == pytest.approx(8 / 12)


@needs_rouge
def test_whitespace_is_normalised() -> None:
    assert score_body(["one   two\n three", "\tfour "], ["one two three", "four"]).f1 == 1.0


@needs_rouge
@pytest.mark.parametrize("with_lead", [True, False])
def test_an_optional_paragraph_may_be_included_or_left_out(with_lead: bool) -> None:
    gold = ["[The lead summary of the story]", "Body one is here.", "Body two is there."]
    hypothesis = (["The lead summary of the story"] if with_lead else []) + ["Body one is here.", "Body two is there."]
    assert score_body(hypothesis, gold).f1 == 1.0


@needs_rouge
def test_each_optional_paragraph_is_decided_on_its_own() -> None:
    gold = ["[alpha beta gamma]", "body words here", "[delta epsilon zeta]"]
    assert score_body(["body words here", "delta epsilon zeta"], gold).f1 == 1.0
    assert score_body(["alpha beta gamma", "body words here"], gold).f1 == 1.0


@needs_rouge
def test_required_paragraph_missing_costs_recall() -> None:
    gold = ["[optional lead words]", "required body words", "more required words"]
    score = score_body(["required body words"], gold)
    assert score.precision == 1.0
    assert score.recall == pytest.approx(3 / 6)


def test_is_optional() -> None:
    assert is_optional("[Editor's note: opinion]")
    assert is_optional("  [AP NFL: https://apnews.com/hub/nfl] ")
    assert is_optional("[::]")
    assert not is_optional("[Brackets] open a paragraph")
    assert not is_optional("A paragraph [that ends in brackets]")
    assert not is_optional("[")


def test_variants_enumerate_every_combination_up_to_the_limit() -> None:
    gold = ["[a]", "b", "[c]", "[d]"]
    variants = gold_variants(gold)
    assert len(variants) == 8
    assert ["b"] in variants and ["a", "b", "c", "d"] in variants and ["b", "d"] in variants
    assert all(variant.index("b") == (1 if variant[0] == "a" else 0) for variant in variants)  # order kept


def test_variants_beyond_the_limit_are_all_none_and_each_alone() -> None:
    k = MAX_EXHAUSTIVE_OPTIONAL + 2
    gold = ["body", *(f"[o{i}]" for i in range(k))]
    variants = gold_variants(gold)
    assert len(variants) == 2 + 2 * k
    assert ["body"] in variants
    assert ["body", *(f"o{i}" for i in range(k))] in variants
    assert ["body", "o3"] in variants
    assert ["body", *(f"o{i}" for i in range(k) if i != 3)] in variants


def test_variants_drop_empty_paragraphs_and_normalise_whitespace() -> None:
    assert gold_variants(["  one\n two ", "", "[ ]"]) == [["one two"]]


@needs_rouge
def test_scores_equal_rouge_score_on_multi_paragraph_texts() -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=False)
    rng = random.Random(7)
    words = "the a of news said minister court judge trump biden rate bank".split()
    for _ in range(60):
        gold = [" ".join(rng.choices(words, k=rng.randint(1, 14))) for _ in range(rng.randint(1, 6))]
        hypothesis = [" ".join(rng.choices(words, k=rng.randint(1, 14))) for _ in range(rng.randint(0, 6))]
        expected = scorer.score("\n".join(gold), "\n".join(hypothesis))["rougeLsum"]
        got = score_body(hypothesis, gold)
        assert (got.precision, got.recall, got.f1) == pytest.approx(
            (expected.precision, expected.recall, expected.fmeasure), abs=1e-12
        )


@needs_rouge
def test_union_lcs_equals_rouge_scores_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from rouge_score import rouge_scorer

    import template_guard.tools.scoring as evaluation

    rng = random.Random(11)
    for chunk_cells in (evaluation._LCS_CELLS_PER_CHUNK, 40):  # one table, and tables cut into chunks
        monkeypatch.setattr(evaluation, "_LCS_CELLS_PER_CHUNK", chunk_cells)
        for _ in range(400):
            alphabet = [str(i) for i in range(rng.randint(1, 6))]
            reference = rng.choices(alphabet, k=rng.randint(0, 20))
            candidates = [rng.choices(alphabet, k=rng.randint(0, 20)) for _ in range(rng.randint(0, 5))]
            assert union_lcs(reference, candidates) == rouge_scorer._union_lcs(reference, candidates)


# --------------------------------------------------------------------------------------------- harness


def tiny_corpus(tmp_path: Path) -> Path:
    """A corpus of one repository page (gold = its own extraction) and one page no layout serves."""
    page = sorted((REPO / "pages" / "almayadeen-english").glob("*.html"))[0]
    meta = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_page(page, layouts=load_layouts())
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "AlMayadeen_0.html").write_bytes(page.read_bytes())
    (tmp_path / "pages" / "Elsewhere_0.html").write_bytes(b"<html><body><p>x</p></body></html>")
    gold = {
        "AlMayadeen_0": {"url": meta["url"], "crawl_date": meta["captured_at"].rstrip("Z"), "body": list(article.body)},
        "Elsewhere_0": {"url": "https://unknown.example/a", "crawl_date": "2024-01-01 00:00:00", "body": ["x"]},
    }
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    (tmp_path / "published_rouge_lsum.tsv").write_text(
        "scraper\tpage\tprecision\trecall\tf1\nfundus\tAlMayadeen_0\t1.0\t0.5\t0.6666666666666666\n", encoding="utf-8"
    )
    return tmp_path


@needs_rouge
def test_evaluate_scores_served_pages_and_lists_the_others(tmp_path: Path) -> None:
    report = evaluate(tiny_corpus(tmp_path), trafilatura=False)
    assert [page.page for page in report.pages] == ["AlMayadeen_0"]
    assert report.skipped == ("Elsewhere_0",)
    (page,) = report.pages
    assert page.layout == "almayadeen-english" and page.error is None and page.trafilatura is None
    assert page.ours.f1 == 1.0
    assert page.fundus is not None and page.fundus.f1 == pytest.approx(2 / 3)
    assert report.passed
    assert [p.publisher for p in report.publishers] == ["AlMayadeen"]


@needs_rouge
def test_evaluate_command_prints_aligned_tables_and_json(tmp_path: Path) -> None:
    corpus = tiny_corpus(tmp_path)
    result = CliRunner().invoke(evaluate_command, [str(corpus), "--no-trafilatura"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("page "))
    row = next(line for line in lines if line.startswith("AlMayadeen_0"))
    assert header.split() == ["page", "P", "R", "F1", "P", "R", "F1"]
    assert row.split()[1:] == ["100.00", "100.00", "100.00", "100.00", "50.00", "66.67"]
    assert len(header) == len(row)  # right-aligned columns end together
    assert "template_guard" in result.output and "Fundus (published)" in result.output
    assert "skipped (no layout serves the URL): 1 pages: Elsewhere_0" in result.output

    result = CliRunner().invoke(evaluate_command, [str(corpus), "--no-trafilatura", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["passed"] is True and data["pages"][0]["ours"]["f1"] == 1.0 and data["skipped"] == ["Elsewhere_0"]


def test_evaluate_command_reports_a_missing_corpus_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(evaluate_command, [str(tmp_path / "nowhere"), "--no-trafilatura"])
    assert result.exit_code == 1
    assert "not a fundus-eval corpus (no gold.json)" in result.output


@needs_rouge
def test_missing_trafilatura_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes `import trafilatura` raise ImportError
    with pytest.raises(EvaluationError, match=r"template_guard\[eval\].*--no-trafilatura"):
        evaluate(tiny_corpus(tmp_path))


def test_missing_rouge_score_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "gold.json").write_text("{}", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "rouge_score", None)
    with pytest.raises(EvaluationError, match=r"rouge-score.*template_guard\[eval\]"):
        evaluate(tmp_path, trafilatura=False)
    with pytest.raises(EvaluationError, match="rouge-score"):
        score_body(["a"], ["a"])


def test_unknown_publisher_is_named(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "Known_0.html").write_bytes(b"<p>x</p>")
    (tmp_path / "gold.json").write_text(
        json.dumps({"Known_0": {"url": "https://a.example/", "crawl_date": "2024-01-01", "body": []}}), encoding="utf-8"
    )
    with pytest.raises(EvaluationError, match="no publisher Nope .*publishers: Known"):
        evaluate(tmp_path, trafilatura=False, publishers=["Nope"])
