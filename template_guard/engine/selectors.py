"""Compiled CSS and XPath selectors, as declared in layout files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from cssselect import SelectorError
from lxml import etree, html
from lxml.cssselect import CSSSelector

from template_guard.errors import SelectorSyntaxError

SelectorKind = Literal["css", "xpath"]

# A location step that yields attributes, namespaces, text, comments or bare nodes, not elements.
_NON_ELEMENT_STEP = re.compile(
    r"^\s*(?:@|(?:attribute|namespace)\s*::|(?:[a-z-]+\s*::\s*)?(?:text|comment|node|processing-instruction)\s*\()"
)
_FUNCTION_CALL = re.compile(r"^\s*([\w-]+)\s*\((.*)\)\s*$", re.DOTALL)
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_CALLED_NAME = re.compile(r"(?<![\w.:-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
# Operator names look like calls when a parenthesis follows them: `@a and (@b or @c)`.
_XPATH_OPERATORS = frozenset({"and", "or", "div", "mod"})
_PREFIXED_NAME = re.compile(r"(?<![\w.:-])([A-Za-z_][\w.-]*):(?![:])([A-Za-z_*][\w.-]*)")
# XPath 1.0's functions and node tests: libxml2 knows no others, and it only notices an unknown one when
# a page makes it call it (inside a predicate, only once an element matches the step before).
_XPATH_FUNCTIONS = frozenset(
    ["last", "position", "count", "id", "local-name", "namespace-uri", "name", "string", "concat", "starts-with", "contains", "substring-before", "substring-after", "substring", "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "lang", "number", "sum", "floor", "ceiling", "round", "node", "text", "comment", "processing-instruction"]
)
# Evaluating once against a small page catches what only fails at run time (unknown functions,
# variables or namespace prefixes) and expressions whose value is a string, number or boolean.
_PROBE = html.document_fromstring(
    "<html><head><title>t</title></head><body><div id='d' class='c'><p>p <a href='#'>a</a></p></div></body></html>"
)


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
        try:
            compiled = etree.XPath(expression, smart_strings=False)
        except etree.XPathSyntaxError as error:
            raise SelectorSyntaxError(f"invalid XPath {expression!r}: {error}") from None
        _check_cost(expression)
        _check_selects_elements(expression, compiled)
        return cls(kind, expression, compiled)

    def select(self, context: etree._Element) -> list[etree._Element]:
        """Return the elements matched below (or at) `context`, in document order."""
        try:
            result = self.compiled(context)
        except etree.XPathEvalError as error:
            raise SelectorSyntaxError(f"XPath {self.expression!r} cannot be evaluated: {error}") from None
        if not isinstance(result, list) or any(not isinstance(node, etree._Element) for node in result):
            raise SelectorSyntaxError(f"XPath {self.expression!r} returns strings or numbers where elements are needed")
        # Comments and processing instructions are _Element subclasses too; they are never content.
        return [node for node in result if isinstance(node.tag, str)]

    def __str__(self) -> str:
        return f"{self.kind} {self.expression!r}"


def _check_selects_elements(expression: str, compiled: etree.XPath) -> None:
    """`SelectorSyntaxError` unless the XPath evaluates and its every branch ends on elements."""
    _check_names(expression)
    try:
        result = compiled(_PROBE)
    except etree.XPathEvalError as error:
        raise SelectorSyntaxError(f"XPath {expression!r} cannot be evaluated: {error}") from None
    if not isinstance(result, list):
        what = {bool: "a boolean", float: "a number"}.get(type(result), "a string")
        raise SelectorSyntaxError(
            f"XPath {expression!r} returns {what} where elements are needed", _function_hint(expression)
        )
    branches = _union_branches(expression)
    for branch in branches:
        step = _last_step(branch)
        if _NON_ELEMENT_STEP.match(step):
            path = _strip_predicates(branch)
            parent = path[: len(path) - len(step)].rstrip("/").rstrip()
            hint = f"select the element: {parent!r}" if parent and len(branches) == 1 else None
            if hint and step.lstrip().startswith(("@", "attribute")):
                hint += "; a field reads an attribute with attribute = \"…\""
            raise SelectorSyntaxError(
                f"XPath {expression!r} selects {step.strip()!r}, not elements, where elements are needed", hint
            )


def _check_cost(expression: str) -> None:
    """Reject predicates that scan the whole document: evaluated once per candidate element, they make a
    selector quadratic (and nested, worse), so `//*[count(//*[count(//*)>0])>0]` takes minutes on a page."""
    opened: list[str] = []
    previous = ""  # the last unquoted, non-blank character before the current one
    for index, char, _ in _unquoted(expression):
        if char in "([":
            opened.append(char)
        elif char in ")]" and opened:
            opened.pop()
        elif "[" in opened and char == "/" and _starts_path(expression, index, previous):
            raise SelectorSyntaxError(
                f"XPath {expression!r} has an absolute path inside a predicate, which scans the whole page once"
                " per candidate element",
                "search relative to the element: .//x, ancestor::x, following-sibling::x",
            )
        if "[" in opened and char == ":" and (axis := _SCANNING_AXIS.search(expression, 0, index + 2)):
            raise SelectorSyntaxError(
                f"XPath {expression!r} uses the {axis.group(1)}:: axis inside a predicate, which scans the rest"
                " of the page once per candidate element",
                f"use {axis.group(1)}-sibling:: or a relative path",
            )
        previous = char if not char.isspace() else previous


# `following::` and `preceding::` (not the -sibling axes) ending at the `::` just read.
_SCANNING_AXIS = re.compile(r"(?<![\w.-])(following|preceding)\s*::$")
# What can come right before a path that starts at the root: the start of a predicate or argument, an operator.
_BEFORE_ABSOLUTE = frozenset("[(,|=<>!+")
_OPERATOR_WORD = re.compile(r"(?:^|\s)(?:and|or|div|mod)\s*$")


def _starts_path(expression: str, index: int, previous: str) -> bool:
    """Whether the `/` at `index` begins an absolute location path (and does not separate two steps)."""
    if index > 0 and expression[index - 1] == "/":
        return False  # the second slash of `//`
    return previous in _BEFORE_ABSOLUTE or bool(_OPERATOR_WORD.search(expression[:index]))


def _check_names(expression: str) -> None:
    """Reject functions, variables and namespace prefixes that would fail only when a page exercises them."""
    code = _STRING_LITERAL.sub("''", expression)
    for name in _CALLED_NAME.findall(code):
        if name not in _XPATH_FUNCTIONS and name not in _XPATH_OPERATORS:
            raise SelectorSyntaxError(
                f"XPath {expression!r} calls {name}(), which XPath 1.0 does not have",
                "for a class, write contains(concat(' ', normalize-space(@class), ' '), ' name ') or use css"
                if name == "has-class"
                else "the XPath 1.0 functions are contains(), starts-with(), normalize-space(), translate() …",
            )
    if "$" in code:
        raise SelectorSyntaxError(f"XPath {expression!r} uses a variable, and a layout defines none")
    for prefix, local in _PREFIXED_NAME.findall(code):
        if prefix != "xml":  # the one prefix XPath always knows
            raise SelectorSyntaxError(
                f"XPath {expression!r} uses the namespace prefix {prefix!r}, and HTML pages have no namespaces",
                f"match the local name instead: *[local-name()='{local}']",
            )


def _function_hint(expression: str) -> str | None:
    """For `string(//h1)` and the like: the element-selecting argument, if it is one."""
    call = _FUNCTION_CALL.match(expression)
    if not call:
        return None
    try:
        inner = etree.XPath(call.group(2), smart_strings=False)(_PROBE)
    except (etree.XPathSyntaxError, etree.XPathEvalError):
        return None
    if isinstance(inner, list):
        return f"drop {call.group(1)}() and select the elements: {call.group(2).strip()!r}"
    return None


def _unquoted(expression: str) -> Iterator[tuple[int, str, int]]:
    """Each character of `expression` outside string literals (quotes excluded): index, character, and the
    bracket/parenthesis depth before it."""
    depth, quote = 0, ""
    for index, char in enumerate(expression):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        else:
            yield index, char, depth
            depth += 1 if char in "([" else -1 if char in ")]" else 0


def _top_level(expression: str) -> list[tuple[int, str]]:
    """Each character of `expression` outside quotes, brackets and parentheses (and not one), with its index."""
    return [(index, char) for index, char, depth in _unquoted(expression) if depth == 0 and char not in "()[]"]


def _top_level_openings(expression: str) -> list[int]:
    """The indices of the `[` and `(` that open a group at the top level of `expression`."""
    return [index for index, char, depth in _unquoted(expression) if depth == 0 and char in "(["]


def _union_branches(expression: str) -> list[str]:
    """The branches of a top-level union `a | b`, parenthesised groups opened up."""
    cuts = [index for index, char in _top_level(expression) if char == "|"]
    pieces = [expression[start + 1:end] for start, end in zip([-1, *cuts], [*cuts, len(expression)], strict=True)]
    branches: list[str] = []
    for piece in pieces:
        inner = _strip_predicates(piece)
        if inner.startswith("(") and inner.endswith(")") and not _top_level(inner):
            branches.extend(_union_branches(inner[1:-1]))
        else:
            branches.append(piece.strip())
    return branches


def _strip_predicates(text: str) -> str:
    """`text` without the predicates `[…]` that end it, trimmed."""
    text = text.strip()
    while text.endswith("]"):
        brackets = [index for index in _top_level_openings(text) if text[index] == "["]
        if not brackets:
            break
        text = text[: brackets[-1]].rstrip()
    return text


def _last_step(branch: str) -> str:
    """The last location step of a path, predicates removed: `//a/@href` → `@href`."""
    path = _strip_predicates(branch)
    slashes = [index for index, char in _top_level(path) if char == "/"]
    return path[slashes[-1] + 1:] if slashes else path
