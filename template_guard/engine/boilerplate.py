"""Boilerplate removal: every element a layout declares as chrome leaves the tree before fields are read."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from template_guard.engine.layout import LayoutVersion

# Never visible text; removed from every page whatever its layout says.
NOISE_TAGS = ("script", "style", "noscript", "template")


@dataclass(frozen=True)
class RemovedRegion:
    """What one boilerplate region removed from a page."""

    name: str
    elements: tuple[etree._Element, ...]


def strip_noise(root: etree._Element) -> None:
    """Remove scripts, styles, `<noscript>`, `<template>`, comments and processing instructions."""
    etree.strip_elements(root, *NOISE_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def strip_boilerplate(root: etree._Element, version: LayoutVersion) -> tuple[RemovedRegion, ...]:
    """Remove every region of `version` from `root` in place, keeping surrounding text intact.

    All regions are matched before anything is removed, so a region nested in another one is still
    reported as matched.
    """
    matched = [RemovedRegion(region.name, tuple(region.selector.select(root))) for region in version.boilerplate]
    for region in matched:
        for element in region.elements:
            remove_keeping_tail(element)
    return tuple(matched)


def remove_keeping_tail(element: etree._Element) -> None:
    """Detach `element`; the text that followed it stays where it was."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
