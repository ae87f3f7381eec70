"""Overlay marks: the page as captured, each element the layout touched tagged with `data-tg-*` attributes.

The extraction works on a tree it strips as it goes; the report needs the original. So the page is
parsed again, copied, and the pipeline's steps are replayed on the copy; every element they select is
traced back to its twin in the untouched original and marked there:

- `data-tg-region="ticker"` — removed as boilerplate (region names, space-separated);
- `data-tg-field="title"` — matched by a field (the body container is field `body`);
- `data-tg-block="3"` and `data-tg-kind="paragraph"` — body blocks, numbered as in the snapshot;
- `data-tg-excluded`, `data-tg-dropped`, `data-tg-finding` — excluded inside the body, dropped by
  `drop_text`, or named by a finding;
- `data-tg-mark="m4 m9"` — the ids of the report's panel entries for the element.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from template_guard.engine.article import clip
from template_guard.engine.blocks import locate_blocks
from template_guard.engine.boilerplate import strip_boilerplate, strip_noise
from template_guard.engine.diagnostics import preview
from template_guard.engine.parse import parse_again
from template_guard.engine.pipeline import Extraction
from template_guard.report.sanitise import clear_marks

Role = Literal["region", "field", "block", "excluded", "dropped", "finding"]
ROLES: tuple[Role, ...] = ("region", "field", "block", "excluded", "dropped", "finding")
MARK_ATTRIBUTE = "data-tg-mark"


@dataclass(frozen=True)
class ReportFinding:
    """Something to point out on the report: on a body block (numbered from 1, as in the snapshot) or the page."""

    label: str
    text: str
    block: int | None = None


@dataclass(frozen=True)
class Mark:
    """One panel entry and its overlay: what the layout did with one element."""

    id: str
    role: Role
    label: str
    text: str
    in_head: bool  # in the page's <head>: listed, but there is nothing to outline


@dataclass(frozen=True)
class MarkedPage:
    """The original page tree with `data-tg-*` marks, and the marks in panel order."""

    root: etree._Element
    marks: tuple[Mark, ...]
    notes: tuple[ReportFinding, ...]  # findings about the page as a whole (or on a block that was not found)


@dataclass
class _Marker:
    """Collects marks while the pipeline is replayed; one per `mark_page` call."""

    twin: dict[etree._Element, etree._Element]
    marks: list[Mark] = field(default_factory=list)

    def add(self, element: etree._Element, role: Role, label: str, text: str, *attributes: tuple[str, str]) -> None:
        original = self.twin.get(element, element)
        mark_id = f"m{len(self.marks) + 1}"
        in_head = any(ancestor.tag == "head" for ancestor in original.iterancestors())
        self.marks.append(Mark(mark_id, role, label, text, in_head))
        for name, value in ((MARK_ATTRIBUTE, mark_id), *attributes):
            current = original.get(name)
            values = current.split() if current else []
            if value not in values:
                original.set(name, " ".join([*values, value]))


def mark_page(extraction: Extraction, findings: Sequence[ReportFinding] = ()) -> MarkedPage:
    """The page of `extraction` as captured, marked with what its layout version removed, read and kept."""
    version = extraction.version
    original = parse_again(extraction.parsed, source=extraction.source).root
    clear_marks(original)
    work = copy.deepcopy(original)
    marker = _Marker(dict(zip(work.iter(), original.iter(), strict=True)))
    strip_noise(work)
    for region in strip_boilerplate(work, version):
        for element in region.elements:
            marker.add(element, "region", region.name, preview(element), ("data-tg-region", region.name))
    for name, rule in version.fields.items():
        for element in rule.selector.select(work):
            text = (element.get(rule.attribute) or "") if rule.attribute else preview(element)
            marker.add(element, "field", name, clip(text, 70), ("data-tg-field", name))
    body = version.body
    located = locate_blocks(work, body)
    for container in located.containers:
        marker.add(container, "field", "body", preview(container), ("data-tg-field", "body"))
    for element in located.excluded:
        marker.add(element, "excluded", "exclude", preview(element), ("data-tg-excluded", "true"))
    # Exclusions removed as the extraction removes them, before the blocks' text is read.
    text = locate_blocks(work, body, remove_excluded=True).read()
    for block, element in zip(text.dropped, text.dropped_sources, strict=True):
        marker.add(element, "dropped", block.kind, clip(block.text, 90), ("data-tg-dropped", "true"))
    kept = list(zip(text.blocks, text.sources, strict=True))
    for number, (block, element) in enumerate(kept, start=1):
        marker.add(
            element, "block", f"{number} {block.kind}", clip(block.text, 90),
            ("data-tg-block", str(number)), ("data-tg-kind", block.kind),
        )
    notes: list[ReportFinding] = []
    if [block for block, _ in kept] != list(extraction.article.blocks):
        notes.append(ReportFinding("report", "the marked blocks differ from the extracted ones; numbers may be off"))
    for finding in findings:
        if finding.block is not None and 1 <= finding.block <= len(kept):
            element = kept[finding.block - 1][1]
            marker.add(element, "finding", finding.label, finding.text, ("data-tg-finding", finding.label))
        else:
            notes.append(finding)
    return MarkedPage(original, tuple(marker.marks), tuple(notes))


