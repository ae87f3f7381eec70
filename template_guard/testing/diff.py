"""One diff vocabulary: how two articles differ, in the words of snapshot failures and property failures.

Block changes (difflib on whole blocks, an edited block paired with its old self), word diffs
(`[-removed-]{+added+}`), per-field lines in registry order, and the two snapshot failure reports.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from template_guard.engine.article import Article, Block, clip
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.pipeline import Extraction
from template_guard.engine.registry import METADATA_FIELDS
from template_guard.errors import SnapshotFormatError
from template_guard.store.snapshot_file import as_json, parse_snapshot, render_snapshot

__all__ = [
    "MAX_DETAILS",
    "BlockChange",
    "block_changes",
    "describe_changes",
    "describe_difference",
    "mismatch_report",
    "missing_report",
    "word_diff",
]

MAX_DETAILS = 8  # block changes spelled out in a failure report; the rest are only counted
CONTEXT_WORDS = 6  # unchanged words kept around each change in a block's word diff
MAX_SHOWN = 160  # characters of an added or removed block shown in a report


@dataclass(frozen=True)
class BlockChange:
    """One body block added, removed or changed; numbers count from 1, in the snapshot's body (the new
    extraction's for an added block)."""

    change: Literal["added", "removed", "changed"]
    old_number: int | None
    new_number: int | None
    old: Block | None
    new: Block | None

    def describe(self) -> str:
        """One line: which block, and what happened to it."""
        old, new = self.old, self.new
        if old is None:
            assert new is not None  # an added block has only its new side
            return f"block {self.new_number} ({new.kind}) added: {_shorten(new.text)}"
        if new is None:
            return f"block {self.old_number} ({old.kind}) removed: {_shorten(old.text)}"
        where = f"block {self.old_number}" + (f" (now {self.new_number})" if self.new_number != self.old_number else "")
        kind = old.kind if old.kind == new.kind else f"{old.kind} → {new.kind}"
        if old.text == new.text:
            text = "text unchanged"
        elif _similar(old, new):
            text = word_diff(old.text, new.text)
        else:  # rewritten: a word diff would only interleave two texts
            text = f"{_shorten(old.text)} → {_shorten(new.text)}"
        return f"{where} ({kind}) changed: {text}"


def block_changes(old: Sequence[Block], new: Sequence[Block]) -> list[BlockChange]:
    """What turns the `old` body into the `new` one, block by block (difflib on whole blocks)."""
    changes: list[BlockChange] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i, j = i1, j1
        # In a replaced run, pair a removed block with an added one when they are mostly the same words
        # (or are the run's only two), so an edited paragraph reads as "changed", not as removed + added.
        while i < i2 or j < j2:
            if i < i2 and j < j2 and (i2 - i1 == j2 - j1 == 1 or _similar(old[i], new[j])):
                changes.append(BlockChange("changed", i + 1, j + 1, old[i], new[j]))
                i, j = i + 1, j + 1
            elif j < j2 and (i == i2 or (j + 1 < j2 and _similar(old[i], new[j + 1]))):
                changes.append(BlockChange("added", None, j + 1, None, new[j]))
                j += 1
            else:
                changes.append(BlockChange("removed", i + 1, None, old[i], None))
                i += 1
    return changes


def _similar(a: Block, b: Block) -> bool:
    return difflib.SequenceMatcher(None, a.text.split(), b.text.split(), autojunk=False).ratio() >= 0.5


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """`old` → `new` as one line of words: `[-removed-]{+added+}`, long unchanged runs cut to `…`."""
    a, b = old.split(), new.split()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            # Keep the words next to a change (after the previous one, before the next one).
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                words = [*head, "…", *tail]
            parts.append(" ".join(words))
            continue
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        parts.append(removed + added)
    return " ".join(part for part in parts if part)


def _shorten(text: str, width: int = MAX_SHOWN) -> str:
    return json.dumps(clip(text, width), ensure_ascii=False)


def describe_changes(expected: Article, actual: Article) -> list[str]:
    """One line per field that differs, then one per changed body block (at most `MAX_DETAILS`)."""
    lines: list[str] = []
    if (expected.layout, expected.version) != (actual.layout, actual.version):
        lines.append(f"layout: {expected.layout}@{expected.version} → {actual.layout}@{actual.version}")
    # Text lines (title, standfirst) first, as a word diff; then the header's JSON values; the body last.
    for spec in sorted(METADATA_FIELDS, key=lambda spec: spec.in_header):
        name = spec.name
        old, new = getattr(expected, name), getattr(actual, name)
        if old == new:
            continue
        if spec.in_header:
            lines.append(f"{name}: {as_json(old)} → {as_json(new)}")
        elif old is None or new is None:
            lines.append(f"{name}: {'added ' + _shorten(new) if old is None else 'removed ' + _shorten(old)}")
        else:
            lines.append(f"{name}: {word_diff(old, new)}")
    changes = block_changes(expected.blocks, actual.blocks)
    if changes:
        summary = "; ".join(
            f"{kind} {', '.join(str(c.new_number if kind == 'added' else c.old_number) for c in group)}"
            for kind in ("changed", "added", "removed")
            if (group := [c for c in changes if c.change == kind])
        )
        lines.append(f"body: {len(expected.blocks)} → {len(actual.blocks)} blocks; {summary}")
        lines.extend(f"  {change.describe()}" for change in changes[:MAX_DETAILS])
        if len(changes) > MAX_DETAILS:
            lines.append(f"  … and {len(changes) - MAX_DETAILS} more block changes")
    return lines


def describe_difference(before: Article, after: Article, *, limit: int = 12) -> str:
    """The fields that differ between two articles, and the body blocks added or removed, in a few lines.

    The property tests' report: every difference spelled out as `-`/`+` lines, for a change a test made.
    """
    lines = []
    for name in (*(spec.name for spec in METADATA_FIELDS), "layout", "version"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            lines.append(f"  {name}: {clip(repr(old), 100)} -> {clip(repr(new), 100)}")
    old_blocks = [f"{b.kind}: {b.text}" for b in before.blocks]
    new_blocks = [f"{b.kind}: {b.text}" for b in after.blocks]
    matcher = difflib.SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.extend(f"  - body block {i + 1} {clip(old_blocks[i], 100)}" for i in range(i1, i2))
        lines.extend(f"  + body block {j + 1} {clip(new_blocks[j], 100)}" for j in range(j1, j2))
    if len(lines) > limit:
        lines = [*lines[:limit], f"  … and {len(lines) - limit} more differences"]
    return "\n".join(lines) or "  (no difference)"


def mismatch_report(page_id: str, where: str, expected_text: str, extraction: Extraction) -> str:
    """The failure message of a page whose article no longer equals its snapshot."""
    article = extraction.article
    head = f"{page_id}: the article differs from {where} (layout {article.layout}, version {article.version})"
    try:
        changes = describe_changes(parse_snapshot(expected_text), article)
    except SnapshotFormatError as error:
        # A hand-edited or foreign file: fall back to a plain line diff rather than hide the difference.
        plain = difflib.unified_diff(
            expected_text.splitlines(), render_snapshot(article).splitlines(), "snapshot", "now", n=1, lineterm=""
        )
        changes = [f"(the snapshot is not in template_guard's format: {error})", *plain]
    # Drift diagnostics often say why the article changed (a selector now matching twice, a body shrunk).
    findings = [f"  {finding.status}: {finding.message}" for finding in page_findings(extraction)]
    details = [*changes, *(["diagnostics:", *findings] if findings else [])]
    tail = "To accept the change, run `pytest --snapshot-update` and review it with `git diff`."
    return "\n".join([head, *(f"  {line}" for line in details), tail])


def missing_report(page_id: str, where: str, article: Article) -> str:
    """The failure message of a page that has no snapshot yet."""
    return (
        f"{page_id}: no snapshot yet (layout {article.layout}, version {article.version}): "
        f"run `pytest --snapshot-update` to write {where}, then review it and commit it"
    )
