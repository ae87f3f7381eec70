"""Compiled CSS and XPath selectors, as declared in layout files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

SelectorKind = Literal["css", "xpath"]

# An XPath whose last step yields text, attributes or a number cannot select elements to remove or read.
_NON_ELEMENT_XPATH = re.compile(
    r"(/@[\w:*-]+|/text\(\)|/comment\(\)|/node\(\)|^\s*(string|normalize-space|count|concat|"
    r"substring[\w-]*|sum|number|boolean|name|local-name)\s*\()\s*\)*\s*$"
)


class SelectorSyntaxError(ValueError):
    """A selector expression does not compile; the message says why."""


@dataclass(frozen=True)
class Selector:
    """A CSS or XPath expression compiled once; `select` returns matching elements in document order."""

    kind: SelectorKind
    expression: str
    compiled: etree.XPath = field(repr=False, compare=False, hash=False)

    @classmethod
    def compile(cls, kind: SelectorKind, expression: str) -> Selector:
        """Compile `expression`; raise `SelectorSyntaxError` with the reason when it is invalid."""
        if not expression.strip():
            raise SelectorSyntaxError("the selector is empty")
        if kind == "css":
            try:
                compiled: etree.XPath = CSSSelector(expression, translator="html")
            except SelectorError as error:
                raise SelectorSyntaxError(f"invalid CSS selector {expression!r}: {error}") from None
            except etree.XPathSyntaxError as error:
                raise SelectorSyntaxError(f"unsupported CSS selector {expression!r}: {error}") from None
            return cls(kind, expression, compiled)
        if _NON_ELEMENT_XPATH.search(expression):
            raise SelectorSyntaxError(
                f"XPath {expression!r} returns strings or numbers where elements are needed"
            )
        try:
            compiled = etree.XPath(expression, smart_strings=False)
        except etree.XPathSyntaxError as error:
            raise SelectorSyntaxError(f"invalid XPath {expression!r}: {error}") from None
        return cls(kind, expression, compiled)

    def select(self, context: etree._Element) -> list[etree._Element]:
        """Return the elements matched below (or at) `context`, in document order."""
        result = self.compiled(context)
        if not isinstance(result, list) or any(not isinstance(node, etree._Element) for node in result):
            raise SelectorSyntaxError(
                f"XPath {self.expression!r} returns strings or numbers where elements are needed"
            )
        # Comments and processing instructions are _Element subclasses too; they are never content.
        return [node for node in result if isinstance(node.tag, str)]

    def __str__(self) -> str:
        return f"{self.kind} {self.expression!r}"
