"""Cross-page evidence: a body block whose text recurs in the bodies of other articles is chrome.

Articles differ; "Related News", "Recommended", newsletter prompts and bios do not. Only pages extracted
with the same layout version are compared: they share one template. Captures of one article (the same
canonical URL and title) are not compared with each other. A follow-up story may reuse a passage
of an earlier one: a run of consecutive shared blocks that holds real prose is a reused passage, not chrome.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence

from template_guard.evidence.context import PageContext
from template_guard.evidence.finding import Finding, exclude_key
from template_guard.evidence.text import template_key

# Thresholds, measured on the bundled pages and the fundus-eval corpus (benchmarks/evidence_precision.py).
MIN_CHARS = 8  # "Advertisement" (13) is chrome; shorter repeats ("Yes.") are no evidence
MIN_WORDS = 1
NEAR_MAX_CHARS = 200  # short blocks (prompts, labels) that are no prose are also compared for near-identical text …
NEAR_RATIO = 0.9  # … at this similarity ("Sign up for our newsletter" / "Sign up to our newsletters")
PASSAGE_BLOCKS = 3  # consecutive blocks shared with one other article …
PASSAGE_PROSE_WORDS = 20  # … at least half of them of this many words: a reused passage


def cross_page_findings(pages: Sequence[PageContext]) -> dict[str, list[Finding]]:
    """For every page, its body blocks that (up to case, punctuation and numbers) are in another page's body."""
    keys = {page.id: [template_key(block.text) for block in page.extraction.article.blocks] for page in pages}
    seen: dict[str, set[str]] = defaultdict(set)  # template key -> ids of the pages whose body holds it
    for page_id, page_keys in keys.items():
        for block_key in page_keys:
            seen[block_key].add(page_id)
    _near_identical(seen)
    findings: dict[str, list[Finding]] = {page.id: [] for page in pages}
    article_of = {page.id: page.article for page in pages}
    for page in pages:
        page_keys = keys[page.id]
        # Another capture of the same article (a recapture, a page saved twice) repeats it all and proves nothing.
        same = {other for other in keys if article_of[other] == article_of[page.id]}
        reused = {other: _reused(page_keys, set(keys[other])) for other in keys if other not in same}
        for number, (block, block_key) in enumerate(zip(page.extraction.article.blocks, page_keys, strict=True), 1):
            if len(block_key) < MIN_CHARS or len(block_key.split()) < MIN_WORDS:
                continue
            others = sorted(other for other in seen[block_key] - same if number - 1 not in reused[other])
            if not others:
                continue
            named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            findings[page.id].append(
                Finding(
                    "cross-page", page.id, number, block.kind, block.text,
                    f"the same text is in the body of {len(others)} other article(s) of this layout version ({named})",
                    exclude_key(page.extraction),
                )
            )
    return findings


def _near_identical(seen: dict[str, set[str]]) -> None:
    """Let short keys that differ by a word or an ending count as the same text (in place).

    Only keys that share their first or their last word are compared, so the work grows with the number
    of similar lines, not with the square of all of them.
    """
    # Prose is left out: a follow-up story edits a reused sentence by a word, and that is no chrome.
    short = [k for k in seen if MIN_CHARS <= len(k) <= NEAR_MAX_CHARS and len(k.split()) < PASSAGE_PROSE_WORDS]
    buckets: dict[tuple[int, str], list[str]] = defaultdict(list)
    for text_key in short:
        words = text_key.split()
        buckets[(0, words[0])].append(text_key)
        buckets[(1, words[-1])].append(text_key)
    pages = {k: frozenset(seen[k]) for k in short}
    for bucket in buckets.values():
        bucket.sort(key=len)
        for index, first in enumerate(bucket):
            matcher = difflib.SequenceMatcher(None, first, autojunk=False)
            for second in bucket[index + 1 :]:
                if len(second) * NEAR_RATIO > len(first):
                    break  # sorted by length: the rest are too long to be this similar
                if pages[first] == pages[second]:
                    continue
                matcher.set_seq2(second)
                if matcher.real_quick_ratio() >= NEAR_RATIO and matcher.quick_ratio() >= NEAR_RATIO and matcher.ratio() >= NEAR_RATIO:
                    seen[first] |= pages[second]
                    seen[second] |= pages[first]


def _reused(page_keys: list[str], other: set[str]) -> set[int]:
    """The blocks of a page that another article shares as story text, not chrome.

    Two articles that share a passage (a run of consecutive blocks holding prose) are related stories: the
    passage and every other prose block they share are reused text.
    """
    runs: list[list[int]] = []
    for index, block_key in enumerate(page_keys):
        if block_key in other:
            if runs and runs[-1][-1] == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
    prose = {i for run in runs for i in run if len(page_keys[i].split()) >= PASSAGE_PROSE_WORDS}
    passages = [run for run in runs if len(run) >= PASSAGE_BLOCKS and 2 * len(prose.intersection(run)) >= len(run)]
    if not passages:
        return set()
    return prose | {i for run in passages for i in run}
