"""Canaries: unique tokens written into the chrome, a body block or the fields of a page, to see where they end up.

The leak property writes one into every chrome text and expects none in the article; the sensitivity
property writes one into a body block (it must reach the body) and one into every field element (none
may reach the body).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lxml import etree

from template_guard.engine.layout import LayoutVersion
from template_guard.testing.chrome_map import ChromeMap, TextSlot, quoted, solid_text_slots, visible_text

__all__ = [
    "CANARY_PATTERN",
    "Canary",
    "canary_token",
    "write_block_canary",
    "write_chrome_canaries",
    "write_field_canaries",
]

CANARY_PREFIX = "tgcanary"
CANARY_PATTERN = re.compile(CANARY_PREFIX + r"\d{5}")


def canary_token(number: int) -> str:
    """The unique canary token number `number` (fixed width, so no token is a prefix of another)."""
    return f"{CANARY_PREFIX}{number:05d}"


@dataclass(frozen=True)
class Canary:
    """A unique token written into one place of a page, and where."""

    token: str
    place: str

    def describe(self) -> str:
        """The token and where it was written."""
        return f"{self.token} (written into {self.place})"


def _append(slot: TextSlot, token: str) -> None:
    """Write `token` after the text of `slot`, before its trailing whitespace (so patterns anchored at the
    start of a text still match)."""
    text = slot.get()
    slot.set(f"{text.rstrip()} {token}{text[len(text.rstrip()):]}")


def write_chrome_canaries(root: etree._Element, version: LayoutVersion, *, start: int = 0) -> tuple[Canary, ...]:
    """Append a unique canary to every text node of every chrome region match (in place).

    A match without text gets one as its first text, so every region that is on the page carries at
    least one canary; a text node inside two nested regions is written once, for the region listed first.
    """
    page = ChromeMap(root, version)
    numbers = itertools.count(start)
    canaries: list[Canary] = []
    done: set[TextSlot] = set()
    for region, matches in page.matches.items():
        for index, match in enumerate(matches):
            label = page.label(region, index)
            slots = [s for s in solid_text_slots(match) if s not in done]
            if not slots:
                token = canary_token(next(numbers))
                match.text = f"{token} {match.text or ''}"
                canaries.append(Canary(token, f"{label} (an empty match)"))
                done.add(TextSlot(match, "text"))
                continue
            for position, slot in enumerate(slots):
                token = canary_token(next(numbers))
                text = slot.get()
                _append(slot, token)
                canaries.append(Canary(token, f"{label}, text {position + 1} {quoted(text)}"))
                done.add(slot)
    return tuple(canaries)


def write_block_canary(
    root: etree._Element, version: LayoutVersion, block: int, *, at_end: bool, number: int
) -> Canary:
    """Write a canary at the start or the end of the text of body block `block` (in place)."""
    page = ChromeMap(root, version)
    slots = solid_text_slots(page.blocks[block], page.chrome)
    token = canary_token(number)
    if at_end:
        _append(slots[-1], token)
    else:
        text = slots[0].get()
        slots[0].set(f"{text[: len(text) - len(text.lstrip())]}{token} {text.lstrip()}")
    return Canary(token, f"{page.block_label(block)} at its {'end' if at_end else 'start'}")


def write_field_canaries(root: etree._Element, version: LayoutVersion, *, start: int) -> tuple[Canary, ...]:
    """Append a canary to the text of every element a metadata field reads (in place).

    At the end, so that field patterns anchored at the start (`^By (.+)$`) still match.
    """
    page = ChromeMap(root, version)
    numbers = itertools.count(start)
    canaries = []
    for name, element in page.field_elements:
        slots = solid_text_slots(element, page.chrome)
        if not slots:
            continue
        token = canary_token(next(numbers))
        _append(slots[-1], token)
        canaries.append(Canary(token, f"the {name} field {quoted(visible_text(element))}"))
    return tuple(canaries)
