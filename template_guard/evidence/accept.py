"""Acceptance: the findings a layout version's `[[versions.accept]]` entries excuse, and entries that excuse nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from template_guard.engine.acceptance import AcceptRule
from template_guard.evidence.finding import Finding


@dataclass(frozen=True)
class Accepted:
    """A finding and the accept entry that excuses it."""

    finding: Finding
    rule: AcceptRule


@dataclass(frozen=True)
class Judged:
    """The findings of one layout version's pages, split into open and accepted; entries that matched nothing."""

    open: Mapping[str, tuple[Finding, ...]]
    accepted: Mapping[str, tuple[Accepted, ...]]
    unused: tuple[AcceptRule, ...]


def judge(findings: Mapping[str, Sequence[Finding]], rules: Sequence[AcceptRule]) -> Judged:
    """Apply the accept entries of one version to its pages' findings."""
    used: set[int] = set()
    open_findings: dict[str, tuple[Finding, ...]] = {}
    accepted: dict[str, tuple[Accepted, ...]] = {}
    for page, page_findings in findings.items():
        kept, excused = [], []
        for finding in page_findings:
            index = next((i for i, rule in enumerate(rules) if rule.matches(finding.kind, finding.text)), None)
            if index is None:
                kept.append(finding)
            else:
                used.add(index)
                excused.append(Accepted(finding, rules[index]))
        open_findings[page], accepted[page] = tuple(kept), tuple(excused)
    unused = tuple(rule for i, rule in enumerate(rules) if i not in used)
    return Judged(open_findings, accepted, unused)
