"""Accepted evidence findings: the `[[versions.accept]]` entries of a layout, and how they are validated.

Acceptance lives in the layout, next to the selectors it excuses, so it is reviewed like any layout edit
and a snapshot update can never grant it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from template_guard.errors import LayoutError

# The kinds of evidence a finding can have (template_guard.evidence names them; kept here so the layout
# loader can validate `kind` without importing the evidence package).
EVIDENCE_KINDS = (
    "structured-body",
    "structured-missing",
    "structured-title",
    "structured-standfirst",
    "structured-published",
    "structured-authors",
    "structured-tags",
    "cross-page",
    "link-dense",
    "headline-list",
    "form",
    "chrome-ancestor",
    "wall",
    "lost-prose",
)
_ACCEPT_KEYS = ("kind", "text", "pattern", "reason")


@dataclass(frozen=True)
class AcceptRule:
    """One accepted finding: its kind, a substring (`text`) or regex (`pattern`) of the block, and why."""

    kind: str
    reason: str
    text: str | None = None
    pattern: re.Pattern[str] | None = None
    key: str = ""  # where it is written, e.g. versions[0].accept[2], for "unused" reports

    def matches(self, kind: str, text: str) -> bool:
        """Whether a finding of `kind` about a block (or value) `text` is accepted by this entry."""
        if kind != self.kind:
            return False
        if self.pattern is not None:
            return self.pattern.search(text) is not None
        return self.text is not None and self.text.casefold() in text.casefold()

    def describe(self) -> str:
        """The entry in words: `cross-page "Sign up"`."""
        what = f"pattern {self.pattern.pattern!r}" if self.pattern is not None else repr(self.text)
        return f"{self.key} (kind {self.kind}, {what})"


def read_accepts(value: Any, key: str, fail: Callable[[str, str, str | None], LayoutError]) -> tuple[AcceptRule, ...]:
    """Validate a version's `accept` list; `fail(key, problem, hint)` builds the loader's error."""
    if not isinstance(value, list):
        raise fail(key, "must be an array of tables ([[versions.accept]])", None)
    rules = []
    for index, entry in enumerate(value):
        entry_key = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise fail(entry_key, "must be a table with kind, text (or pattern) and reason", None)
        for name in entry:
            if name not in _ACCEPT_KEYS:
                raise fail(f"{entry_key}.{name}", "unknown key", "allowed: " + ", ".join(_ACCEPT_KEYS))
        kind = _string(entry, "kind", entry_key, fail)
        if kind not in EVIDENCE_KINDS:
            raise fail(f"{entry_key}.kind", f"{kind!r} is not a kind of evidence", "one of: " + ", ".join(EVIDENCE_KINDS))
        reason = _string(entry, "reason", entry_key, fail).strip()
        if not reason:
            raise fail(f"{entry_key}.reason", "is empty: say why the finding is not a leak", None)
        if ("text" in entry) == ("pattern" in entry):
            raise fail(entry_key, "needs exactly one of 'text' (a substring of the block) or 'pattern' (a regex)", None)
        text = _string(entry, "text", entry_key, fail) if "text" in entry else None
        if text is not None and not text.strip():
            raise fail(f"{entry_key}.text", "is empty: it would accept every finding of its kind", None)
        pattern = None
        if "pattern" in entry:
            source = _string(entry, "pattern", entry_key, fail)
            try:
                pattern = re.compile(source)
            except re.error as error:
                raise fail(f"{entry_key}.pattern", f"invalid regular expression {source!r}: {error}", None) from None
        rules.append(AcceptRule(kind, reason, text, pattern, entry_key))
    return tuple(rules)


def _string(entry: dict[str, Any], name: str, key: str, fail: Callable[[str, str, str | None], LayoutError]) -> str:
    if name not in entry:
        raise fail(f"{key}.{name}", "missing required key", None)
    value = entry[name]
    if not isinstance(value, str):
        raise fail(f"{key}.{name}", f"must be a string, not {type(value).__name__}", None)
    return value
