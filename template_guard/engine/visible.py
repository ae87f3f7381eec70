"""The visible text of a parsed page, as the block lines a reader (or a text-mode capture) sees."""

from __future__ import annotations

import re
import unicodedata

from lxml import html

__all__ = ["visible_lines"]

# Elements that start and end a line of their own (CSS display other than inline in a browser's
# default style sheet). Everything else, e.g. a, span, em, strong, time, img, is inline.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
        "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)

# Elements whose content is never rendered as text: metadata, code, and embedded or replaced content.
SKIPPED_TAGS = frozenset(
    {
        "head", "title", "meta", "link", "base", "script", "style", "noscript", "template",
        "iframe", "object", "embed", "canvas", "svg", "audio", "video", "source", "track",
    }
)

_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\s*(?:!important\s*)?(?:;|$)", re.IGNORECASE)


def visible_lines(root: html.HtmlElement) -> list[str]:
    """Return the visible text under `root` as block lines in document order.

    Block elements and ``<br>`` end a line; inline elements do not. Metadata, scripts, styles,
    templates, comments and hidden elements (``hidden``, ``aria-hidden="true"``,
    ``style="display:none"``) contribute nothing. An ``<img>`` contributes its ``alt`` text, as a
    text-mode capture renders it. Whitespace inside a line is collapsed, empty lines are dropped
    and every line is NFC-normalised.
    """
    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        line = unicodedata.normalize("NFC", " ".join("".join(pending).split()))
        pending.clear()
        if line:
            lines.append(line)

    def add_text(text: str | None, preformatted: bool) -> None:
        if not text:
            return
        if not preformatted:
            pending.append(text)
            return
        # Inside <pre> a newline is a line break of its own, not collapsible whitespace.
        first, *rest = text.split("\n")
        pending.append(first)
        for part in rest:
            flush()
            pending.append(part)

    # An explicit stack instead of recursion, so a pathologically deep page cannot exhaust the Python stack.
    # Entries: (element to open, None) or (None, text to add), each with the <pre> state it is in.
    stack: list[tuple[html.HtmlElement | None, str | None, bool, bool]] = [(root, None, False, False)]
    while stack:
        element, text, preformatted, closes_block = stack.pop()
        if element is None:
            add_text(text, preformatted)
            if closes_block:
                flush()
            continue
        # Comments and processing instructions have a non-string tag and no visible content.
        if not isinstance(element.tag, str) or _is_hidden(element):
            continue
        tag = element.tag.lower()
        if tag == "br":
            flush()
        elif tag == "img":
            add_text(element.get("alt"), False)
        elif tag not in SKIPPED_TAGS:
            block = tag in BLOCK_TAGS
            inner = preformatted or tag == "pre"
            if block:
                flush()
            add_text(element.text, inner)
            stack.append((None, None, inner, block))
            for child in reversed(element):
                # A child's tail is its parent's text, visible even when the child itself is not.
                stack.append((None, child.tail, inner, False))
                stack.append((child, None, inner, False))
    flush()
    return lines


def _is_hidden(element: html.HtmlElement) -> bool:
    """Whether the element is hidden by markup alone (no style sheet is consulted)."""
    if element.get("hidden") is not None:
        return True
    if (element.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return bool(_DISPLAY_NONE.search(element.get("style") or ""))
