"""Does `init --version` recover after a real redesign? Measured on the fundus-history corpus.

For each publisher with two or more captures before and after a parser change (`parser_version`, i.e. a
redesign), a layout is drafted from the old captures, then `init --version` drafts a version from the new
captures. Printed per publisher: the body F1 (ROUGE-LSum, `score_body`) of the old draft on the old and on
the new pages, of the revised layout on the new pages, and what the new version changed.

    .venv/bin/python benchmarks/init_history.py [CORPUS_DIR]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from template_guard.drafting import draft_layout, load_draft_pages, render_layout
from template_guard.drafting.revise import revise_layout
from template_guard.engine.layout_file import load_layout
from template_guard.engine.pipeline import run
from template_guard.engine.routing import LayoutSet
from template_guard.errors import TemplateGuardError
from template_guard.tools.scoring import score_body

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "fundus-history"


def mean_f1(corpus: Path, gold: dict[str, Any], layout_file: Path, keys: list[str]) -> float:
    """The mean body F1 of the layout in `layout_file` over the pages `keys`, each at its capture date."""
    layout = load_layout(layout_file)
    scores = []
    for key in keys:
        try:
            extraction = run(
                (corpus / "pages" / f"{key}.html").read_bytes(),
                url=gold[key]["url"],
                captured_at=day(gold, key),
                layout=layout.name,
                layouts=LayoutSet((layout,)),
            )
        except TemplateGuardError:
            scores.append(0.0)
            continue
        scores.append(score_body(list(extraction.article.body), gold[key]["body"]).f1)
    return sum(scores) / len(scores)


def day(gold: dict[str, Any], key: str) -> dt.date:
    return dt.date.fromisoformat(gold[key]["crawl_date"][:10])


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if not (corpus / "gold.json").is_file():
        print(f"no fundus-history corpus at {corpus}", file=sys.stderr)
        return 2
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    by_publisher: dict[str, list[str]] = defaultdict(list)
    for key in sorted(gold, key=lambda k: gold[k]["crawl_date"]):
        by_publisher[gold[key]["publisher"]].append(key)
    print(f"{'publisher':<14} {'old draft: old pages':>20} {'new pages':>9} {'revised: new pages':>18}  changed")
    with tempfile.TemporaryDirectory() as scratch:
        for publisher, keys in sorted(by_publisher.items()):
            first = gold[keys[0]]["parser_version"]
            old = [k for k in keys if gold[k]["parser_version"] == first]
            new = [k for k in keys if gold[k]["parser_version"] == gold[keys[-1]]["parser_version"] != first]
            if len(old) < 2 or len(new) < 2:
                continue
            name = publisher.lower()
            path = Path(scratch) / f"{name}.toml"
            pages = load_draft_pages(
                [corpus / "pages" / f"{k}.html" for k in old],
                [gold[k]["url"] for k in old],
                [day(gold, k) for k in old],
            )
            path.write_text(render_layout(draft_layout(pages, name), dt.date.today()), encoding="utf-8")
            before_old, before_new = mean_f1(corpus, gold, path, old), mean_f1(corpus, gold, path, new)
            new_pages = load_draft_pages(
                [corpus / "pages" / f"{k}.html" for k in new],
                [gold[k]["url"] for k in new],
                [day(gold, k) for k in new],
            )
            revision = revise_layout(load_layout(path), path.read_text("utf-8"), new_pages, "redesign", dt.date.today())
            path.write_text(revision.layout_text, encoding="utf-8")
            after_new = mean_f1(corpus, gold, path, new)
            changed = "; ".join(revision.changed)
            print(f"{publisher:<14} {before_old:>20.3f} {before_new:>9.3f} {after_new:>18.3f}  {changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
