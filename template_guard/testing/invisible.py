"""Invisible mutations: markup and whitespace a reader never sees, inserted anywhere in a page.

Comments, `<script>`, `<style>` and `<noscript>` go into any element that may hold them (even splitting a
word); collapsible whitespace runs get longer. Neither may change the article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from lxml import etree

from template_guard.testing.chrome_map import COLLAPSIBLE_RUN, ChromeMap, TextSlot
from template_guard.testing.mutations import Mutation

__all__ = ["InsertNoise", "Noise", "PadWhitespace"]


@dataclass(frozen=True)
class Noise:
    """Invisible markup: a comment, a script, a style sheet or a `<noscript>` with its content."""

    tag: Literal["comment", "script", "style", "noscript"]
    content: str

    def build(self, root: etree._Element) -> etree._Element:
        if self.tag == "comment":
            return etree.Comment(self.content)
        element = root.makeelement(self.tag, {})
        element.text = self.content
        return element

    def describe(self) -> str:
        return "a comment" if self.tag == "comment" else f"<{self.tag}>"


@dataclass(frozen=True)
class InsertNoise(Mutation):
    """Insert invisible markup into any element, possibly splitting a text node (even inside a word)."""

    kind: ClassVar[str] = "noise"
    target: int  # position among `ChromeMap.noise_targets()`
    slot: int  # child position: the noise goes before child `slot` (or last)
    offset: int  # where the text node before that position is split
    noise: Noise
    where: str = ""

    def change(self, page: ChromeMap) -> None:
        parent = page.noise_targets()[self.target]
        before = TextSlot(parent, "text") if self.slot == 0 else TextSlot(parent[self.slot - 1], "tail")
        text = before.get()
        node = self.noise.build(page.root)
        node.tail = text[self.offset :] or None
        before.set(text[: self.offset])
        parent.insert(self.slot, node)

    def describe(self) -> str:
        return f"inserted {self.noise.describe()} into {self.where or f'element {self.target + 1}'}"


@dataclass(frozen=True)
class PadWhitespace(Mutation):
    """Lengthen a run of collapsible whitespace: invisible to a reader, but the bytes differ."""

    kind: ClassVar[str] = "whitespace"
    node: int  # position among `ChromeMap.whitespace_slots()`
    run: int  # which whitespace run of that text node
    whitespace: str
    where: str = ""

    def change(self, page: ChromeMap) -> None:
        slot = page.whitespace_slots()[self.node]
        text = slot.get()
        start = list(COLLAPSIBLE_RUN.finditer(text))[self.run].start()
        slot.set(text[:start] + self.whitespace + text[start:])

    def describe(self) -> str:
        return f"added whitespace {self.whitespace!r} in {self.where or f'text node {self.node + 1}'}"
