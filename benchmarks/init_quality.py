"""How good is a drafted layout? Draft from two pages of each fundus-eval publisher, score the third.

For every publisher of the corpus, `template-guard init` drafts a layout from pages 0 and 1 (their gold
URL and crawl date stand in for the sidecar), then the held-out page 2 and the two drafting pages are
extracted with the draft alone and scored against the hand-made gold (ROUGE-LSum F1, `score_body`).
With --rotate, each of the three pages is held out in turn (three drafts per publisher).

    .venv/bin/python benchmarks/init_quality.py [CORPUS_DIR] [--publisher NAME ...] [--rotate]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from template_guard.drafting import draft_layout, load_draft_pages, render_layout
from template_guard.engine.layout_file import load_layout
from template_guard.engine.pipeline import run
from template_guard.engine.routing import LayoutSet
from template_guard.errors import TemplateGuardError
from template_guard.tools.evaluate import GoldPage, read_corpus
from template_guard.tools.scoring import score_body

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "fundus-eval"


def score(page: GoldPage, layouts: LayoutSet, name: str) -> float:
    """F1 of the draft's body on one page; 0 when the draft does not fit it."""
    try:
        extraction = run(page.path.read_bytes(), url=page.url, layout=name, layouts=layouts)
    except TemplateGuardError:
        return 0.0
    return score_body(list(extraction.article.body), list(page.body)).f1


def draft_and_score(train: list[GoldPage], test: GoldPage, scratch: Path) -> tuple[float, float, int, float, str]:
    """Draft from `train`; the F1 on `test`, the mean F1 on `train`, regions, seconds to draft, body selector."""
    name = test.publisher.lower() + "-draft"
    started = time.perf_counter()
    pages = load_draft_pages([p.path for p in train], [p.url for p in train], [p.crawl_date.date() for p in train])
    draft = draft_layout(pages, name)
    path = scratch / f"{name}.toml"
    path.write_text(render_layout(draft, dt.date.today()), encoding="utf-8")
    layouts = LayoutSet((load_layout(path),))
    seconds = time.perf_counter() - started
    train_f1 = sum(score(p, layouts, name) for p in train) / len(train)
    return score(test, layouts, name), train_f1, len(draft.regions), seconds, draft.body.css


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--publisher", action="append", default=[])
    parser.add_argument("--rotate", action="store_true", help="hold out each page in turn")
    args = parser.parse_args()
    if not (args.corpus / "gold.json").is_file():
        print(f"no fundus-eval corpus at {args.corpus}", file=sys.stderr)
        return 2
    by_publisher: dict[str, list[GoldPage]] = {}
    for page in read_corpus(args.corpus):
        by_publisher.setdefault(page.publisher, []).append(page)
    print(f"{'publisher':<18} {'held-out F1':>11} {'drafting F1':>11} {'regions':>7} {'seconds':>7}  body selector")
    held_out, drafting = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for publisher, pages in sorted(by_publisher.items()):
            if args.publisher and publisher not in args.publisher:
                continue
            for held in range(len(pages)) if args.rotate else [len(pages) - 1]:
                train, test = [p for i, p in enumerate(pages) if i != held], pages[held]
                test_f1, train_f1, regions, seconds, body = draft_and_score(train, test, Path(scratch))
                held_out.append(test_f1)
                drafting.append(train_f1)
                label = f"{publisher}{f' (held {held})' if args.rotate else ''}"
                print(f"{label:<18} {test_f1:>11.3f} {train_f1:>11.3f} {regions:>7} {seconds:>7.1f}  {body}")
    if held_out:
        mean_test, mean_train = sum(held_out) / len(held_out), sum(drafting) / len(drafting)
        print(f"{'mean':<18} {mean_test:>11.3f} {mean_train:>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
