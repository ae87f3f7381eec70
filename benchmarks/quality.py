"""Extraction quality on the fundus-eval corpus: template_guard vs trafilatura vs published Fundus.

    python benchmarks/quality.py [CORPUS_DIR] [--no-trafilatura] [--json] [--publisher NAME ...]

CORPUS_DIR defaults to ../shared/corpora/fundus-eval (relative to the repository). The same as
``template-guard evaluate CORPUS_DIR``: every page whose URL a layout serves is extracted and scored
with ROUGE-LSum against its gold body (see template_guard/evaluate.py for the metric), trafilatura's
default extraction is scored on the same pages in the same run, and the published Fundus figures are
read from the corpus. Needs the `eval` extra (rouge-score, trafilatura, lxml_html_clean).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "fundus-eval"

if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from template_guard.tools.evaluate_command import evaluate_command


def main(argv: list[str]) -> None:
    if not argv or argv[0].startswith("-"):
        argv = [str(DEFAULT_CORPUS), *argv]
    evaluate_command.main(args=argv, prog_name="benchmarks/quality.py")


if __name__ == "__main__":
    main(sys.argv[1:])
