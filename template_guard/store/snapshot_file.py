"""The snapshot file format: an Article rendered for review, and read back.

A snapshot file `snapshots/<layout>/<slug>.txt` is a short header followed by the article's canonical
text (title, standfirst, one body block per line), so a reviewer reads it like the article and
`git diff` shows one changed line per changed block:

    layout: almayadeen-english@2021
    authors: ["Al Mayadeen Net"]
    published: "2022-01-07T23:41:00+02:00"
    tags: ["Kazakhstan", "Almaty"]
    blocks: paragraph×2 tweet×2 paragraph×3 heading paragraph
    ---
    Almaty faced 6 waves of attacks: Kazakh President
    …

The header holds the fields the registry marks `in_header`, as JSON, in registry order.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from template_guard.engine.article import Article, Block
from template_guard.engine.registry import FIELDS, HEADER_FIELDS, FieldSpec
from template_guard.errors import SnapshotFormatError

__all__ = ["SEPARATOR", "SUFFIX", "as_json", "parse_snapshot", "render_snapshot"]

SUFFIX = ".txt"
SEPARATOR = "---"

_PLAIN_KIND = re.compile(r'[^\s"×]+')
_KIND_RUN = re.compile(r'("(?:[^"\\]|\\.)*"|[^\s"×]+)(?:×([1-9][0-9]*))?(?:\s+|$)')
_HEADER_KEYS = ("layout", *(spec.name for spec in HEADER_FIELDS), "blocks")
# The fields written as text lines above the body (title, standfirst), each on one line.
_LINE_FIELDS = tuple(spec for spec in FIELDS if not spec.in_header and not spec.is_body)


def as_json(value: Any) -> str:
    """A header value as one line of JSON, non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False)


def _header_value(article: Article, spec: FieldSpec) -> Any:
    value = getattr(article, spec.name)
    return list(value) if spec.multiple else value


def render_snapshot(article: Article) -> str:
    """The snapshot text of an article: the metadata header, `---`, then `article.to_text()` verbatim."""
    one_line = [("layout", article.layout), ("version", article.version)]
    one_line += [(spec.name, getattr(article, spec.name) or "") for spec in _LINE_FIELDS]
    one_line += [("body block", block.text) for block in article.blocks]
    for name, value in one_line:
        if "\n" in value or "\r" in value:
            raise SnapshotFormatError(f"{name} {value!r} spans several lines; a snapshot keeps each on one line")
    header = [
        f"layout: {article.layout}@{article.version}",
        *(f"{spec.name}: {as_json(_header_value(article, spec))}" for spec in HEADER_FIELDS),
        " ".join(["blocks:", *_kind_runs(article.blocks)]),
    ]
    return "\n".join([*header, SEPARATOR]) + "\n" + article.to_text()


def parse_snapshot(text: str) -> Article:
    """The article a snapshot text describes; `SnapshotFormatError` if it was not written by `render_snapshot`."""
    lines = text.split("\n")
    if lines[-1] != "" or SEPARATOR not in lines:
        raise SnapshotFormatError("no header separator '---' or no final newline")
    cut = lines.index(SEPARATOR)
    header, body = lines[:cut], lines[cut + 1 : -1]
    keys = tuple(line.partition(":")[0] for line in header)
    if keys != _HEADER_KEYS:
        raise SnapshotFormatError(f"header keys {', '.join(keys)}; expected {', '.join(_HEADER_KEYS)}")
    values = {key: line[len(key) + 1 :].removeprefix(" ") for key, line in zip(keys, header, strict=True)}
    layout, at, version = values["layout"].partition("@")
    kinds = _parse_kinds(values["blocks"])
    if not at or len(body) - len(kinds) not in (1, 2):
        raise SnapshotFormatError(f"{len(body)} text lines for {len(kinds)} blocks")
    try:
        fields = {spec.name: json.loads(values[spec.name]) for spec in HEADER_FIELDS}
    except json.JSONDecodeError as error:
        raise SnapshotFormatError(f"header value is not JSON: {error}") from None
    if not all(_fits(spec, fields[spec.name]) for spec in HEADER_FIELDS):
        raise SnapshotFormatError(_HEADER_TYPES)
    standfirst = body[1] if len(body) - len(kinds) == 2 else None
    texts = body[-len(kinds) :] if kinds else []
    header_values: dict[str, Any] = {
        spec.name: tuple(fields[spec.name]) if spec.multiple else fields[spec.name] for spec in HEADER_FIELDS
    }
    return Article(
        title=body[0],
        standfirst=standfirst,
        blocks=tuple(Block(kind, text) for kind, text in zip(kinds, texts, strict=True)),
        **header_values,
        layout=layout,
        version=version,
    )


def _fits(spec: FieldSpec, value: Any) -> bool:
    """Whether a header value has its field's type: a list of strings, or a string or null."""
    if spec.multiple:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return value is None or isinstance(value, str)


# "authors and tags must be lists of strings, published a string or null"
_HEADER_TYPES = (
    " and ".join(spec.name for spec in HEADER_FIELDS if spec.multiple)
    + " must be lists of strings, "
    + " and ".join(spec.name for spec in HEADER_FIELDS if not spec.multiple)
    + " a string or null"
)


def _kind_runs(blocks: Sequence[Block]) -> Iterator[str]:
    """Block kinds run-length encoded: `paragraph×3 heading paragraph`; an odd kind is quoted as JSON."""
    for kind, run in itertools.groupby(block.kind for block in blocks):
        count = len(list(run))
        token = kind if _PLAIN_KIND.fullmatch(kind) else as_json(kind)
        yield token + (f"×{count}" if count > 1 else "")


def _parse_kinds(value: str) -> list[str]:
    kinds: list[str] = []
    position = 0
    while position < len(value):
        match = _KIND_RUN.match(value, position)
        if not match or match.end() == position:
            raise SnapshotFormatError(f"unreadable block kinds at {value[position:]!r}")
        token, count = match.groups()
        try:
            kind = json.loads(token) if token.startswith('"') else token
        except json.JSONDecodeError:
            raise SnapshotFormatError(f"unreadable block kind {token}") from None
        kinds.extend([kind] * int(count or 1))
        position = match.end()
    return kinds
