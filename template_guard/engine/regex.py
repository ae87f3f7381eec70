"""Layout regular expressions, compiled with RE2: matching takes linear time, whatever the pattern.

Layouts are shared and edited by many people, so a pattern such as `^(a+)+$` must not be able to hang
extraction on an unlucky line (Python's `re` backtracks exponentially on it). RE2 accepts Python's syntax
except backreferences (`\\1`, `(?P=name)`), lookaround (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`),
possessive quantifiers and atomic groups; inline flags such as `(?i)` and named groups `(?P<name>…)` work.
"""

from __future__ import annotations

import re
from typing import cast

import re2

__all__ = ["RegexError", "compile_regex"]


class RegexError(ValueError):
    """A pattern RE2 does not accept; the message says which construct and what to write instead."""


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would otherwise log every rejected pattern to stderr
# The constructs RE2 leaves out because they need backtracking, with what to write instead.
_UNSUPPORTED = (
    (re.compile(r"\(\?<?[=!]"), "lookaround (?=, (?!, (?<=, (?<! is not supported"),
    (re.compile(r"\\[1-9]|\(\?P="), "backreferences are not supported"),
    (re.compile(r"\(\?>|[*+?}][+]"), "atomic groups and possessive quantifiers are not supported"),
)


def compile_regex(text: str) -> re.Pattern[str]:
    """`text` compiled by RE2 (linear-time matching); `RegexError` with the reason when RE2 rejects it."""
    try:
        compiled = re2.compile(text, options=_OPTIONS)
    except re2.error as error:
        raise RegexError(_reason(text, error)) from None
    # RE2's pattern objects offer the `re.Pattern` methods the engine calls (search, groups, match.group).
    return cast("re.Pattern[str]", compiled)


def _reason(text: str, error: Exception) -> str:
    """Why RE2 rejects `text`: Python's own message for a plain syntax error (it gives the position), else
    the construct RE2 leaves out."""
    try:
        re.compile(text)  # compiling never backtracks; only matching can
    except re.error as python_error:
        return str(python_error)
    reason = next((why for construct, why in _UNSUPPORTED if construct.search(text)), None)
    detail = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else error
    return f"{reason or f'not supported by RE2 ({detail})'}; layouts use RE2 syntax, which matches in linear time"
