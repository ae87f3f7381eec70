"""Measures of a block's markup shared by the detectors: link text, ancestors inside the body container."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from template_guard.engine.blocks import element_text


def links(element: etree._Element) -> list[str]:
    """The texts of the non-empty links inside `element`."""
    texts = (element_text(anchor) for anchor in element.iter("a"))
    return [text for text in texts if text]


def link_density(element: etree._Element, text: str) -> float:
    """The share of `text` (the block's text) that is link text."""
    return min(1.0, sum(len(t) for t in links(element)) / len(text)) if text else 0.0


def ancestors_inside(element: etree._Element, containers: set[etree._Element]) -> Iterator[etree._Element]:
    """The ancestors of `element` below its body container, nearest first."""
    for ancestor in element.iterancestors():
        if ancestor in containers:
            return
        yield ancestor
