"""Page snapshots: an Article rendered for review, its syrupy storage, and a per-field failure report.

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
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pytest
from syrupy.data import Snapshot, SnapshotCollection
from syrupy.extensions.base import AbstractSyrupyExtension

from template_guard.engine.article import Article, Block, clip
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.pipeline import Extraction
from template_guard.store.pages import PAGE_SUFFIXES, atomic_write
from template_guard.testing import PageRef, shown

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion
    from syrupy.location import PyTestLocation
    from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SnapshotIndex

SUFFIX = ".txt"
SEPARATOR = "---"
MAX_DETAILS = 8  # block changes spelled out in a failure report; the rest are only counted
CONTEXT_WORDS = 6  # unchanged words kept around each change in a block's word diff
MAX_SHOWN = 160  # characters of an added or removed block shown in a report

_PLAIN_KIND = re.compile(r'[^\s"×]+')
_KIND_RUN = re.compile(r'("(?:[^"\\]|\\.)*"|[^\s"×]+)(?:×([1-9][0-9]*))?(?:\s+|$)')
_HEADER_KEYS = ("layout", "authors", "published", "tags", "blocks")


class SnapshotFormatError(ValueError):
    """A snapshot file is not in the format `render_snapshot` writes."""


# ---- rendering and parsing -------------------------------------------------------------------------


def render_snapshot(article: Article) -> str:
    """The snapshot text of an article: the metadata header, `---`, then `article.to_text()` verbatim."""
    one_line = [("layout", article.layout), ("version", article.version), ("title", article.title)]
    one_line += [("standfirst", article.standfirst or ""), *(("body block", block.text) for block in article.blocks)]
    for name, value in one_line:
        if "\n" in value or "\r" in value:
            raise SnapshotFormatError(f"{name} {value!r} spans several lines; a snapshot keeps each on one line")
    header = [
        f"layout: {article.layout}@{article.version}",
        f"authors: {_json(list(article.authors))}",
        f"published: {_json(article.published)}",
        f"tags: {_json(list(article.tags))}",
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
        authors, published, tags = (json.loads(values[key]) for key in ("authors", "published", "tags"))
    except json.JSONDecodeError as error:
        raise SnapshotFormatError(f"header value is not JSON: {error}") from None
    if not (_strings(authors) and _strings(tags) and (published is None or isinstance(published, str))):
        raise SnapshotFormatError("authors and tags must be lists of strings, published a string or null")
    standfirst = body[1] if len(body) - len(kinds) == 2 else None
    texts = body[-len(kinds) :] if kinds else []
    return Article(
        title=body[0],
        standfirst=standfirst,
        blocks=tuple(Block(kind, text) for kind, text in zip(kinds, texts, strict=True)),
        authors=tuple(authors),
        published=published,
        tags=tuple(tags),
        layout=layout,
        version=version,
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _kind_runs(blocks: Sequence[Block]) -> Iterator[str]:
    """Block kinds run-length encoded: `paragraph×3 heading paragraph`; an odd kind is quoted as JSON."""
    for kind, run in itertools.groupby(block.kind for block in blocks):
        count = len(list(run))
        token = kind if _PLAIN_KIND.fullmatch(kind) else _json(kind)
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


# ---- failure reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockChange:
    """One body block added, removed or changed; numbers count from 1, in the snapshot's body (the new
    extraction's for an added block)."""

    change: Literal["added", "removed", "changed"]
    old_number: int | None
    new_number: int | None
    old: Block | None
    new: Block | None

    def describe(self) -> str:
        """One line: which block, and what happened to it."""
        old, new = self.old, self.new
        if old is None:
            assert new is not None  # an added block has only its new side
            return f"block {self.new_number} ({new.kind}) added: {_shorten(new.text)}"
        if new is None:
            return f"block {self.old_number} ({old.kind}) removed: {_shorten(old.text)}"
        where = f"block {self.old_number}" + (f" (now {self.new_number})" if self.new_number != self.old_number else "")
        kind = old.kind if old.kind == new.kind else f"{old.kind} → {new.kind}"
        if old.text == new.text:
            text = "text unchanged"
        elif _similar(old, new):
            text = word_diff(old.text, new.text)
        else:  # rewritten: a word diff would only interleave two texts
            text = f"{_shorten(old.text)} → {_shorten(new.text)}"
        return f"{where} ({kind}) changed: {text}"


def block_changes(old: Sequence[Block], new: Sequence[Block]) -> list[BlockChange]:
    """What turns the `old` body into the `new` one, block by block (difflib on whole blocks)."""
    changes: list[BlockChange] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i, j = i1, j1
        # In a replaced run, pair a removed block with an added one when they are mostly the same words
        # (or are the run's only two), so an edited paragraph reads as "changed", not as removed + added.
        while i < i2 or j < j2:
            if i < i2 and j < j2 and (i2 - i1 == j2 - j1 == 1 or _similar(old[i], new[j])):
                changes.append(BlockChange("changed", i + 1, j + 1, old[i], new[j]))
                i, j = i + 1, j + 1
            elif j < j2 and (i == i2 or (j + 1 < j2 and _similar(old[i], new[j + 1]))):
                changes.append(BlockChange("added", None, j + 1, None, new[j]))
                j += 1
            else:
                changes.append(BlockChange("removed", i + 1, None, old[i], None))
                i += 1
    return changes


def _similar(a: Block, b: Block) -> bool:
    return difflib.SequenceMatcher(None, a.text.split(), b.text.split(), autojunk=False).ratio() >= 0.5


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """`old` → `new` as one line of words: `[-removed-]{+added+}`, long unchanged runs cut to `…`."""
    a, b = old.split(), new.split()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            # Keep the words next to a change (after the previous one, before the next one).
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                words = [*head, "…", *tail]
            parts.append(" ".join(words))
            continue
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        parts.append(removed + added)
    return " ".join(part for part in parts if part)


def _shorten(text: str, width: int = MAX_SHOWN) -> str:
    return json.dumps(clip(text, width), ensure_ascii=False)


def describe_changes(expected: Article, actual: Article) -> list[str]:
    """One line per field that differs, then one per changed body block (at most `MAX_DETAILS`)."""
    lines: list[str] = []
    if (expected.layout, expected.version) != (actual.layout, actual.version):
        lines.append(f"layout: {expected.layout}@{expected.version} → {actual.layout}@{actual.version}")
    for name in ("title", "standfirst"):
        old, new = getattr(expected, name), getattr(actual, name)
        if old == new:
            continue
        if old is None or new is None:
            lines.append(f"{name}: {'added ' + _shorten(new) if old is None else 'removed ' + _shorten(old)}")
        else:
            lines.append(f"{name}: {word_diff(old, new)}")
    for name in ("authors", "published", "tags"):
        old, new = getattr(expected, name), getattr(actual, name)
        if old != new:
            lines.append(f"{name}: {_json(old)} → {_json(new)}")
    changes = block_changes(expected.blocks, actual.blocks)
    if changes:
        summary = "; ".join(
            f"{kind} {', '.join(str(c.new_number if kind == 'added' else c.old_number) for c in group)}"
            for kind in ("changed", "added", "removed")
            if (group := [c for c in changes if c.change == kind])
        )
        lines.append(f"body: {len(expected.blocks)} → {len(actual.blocks)} blocks; {summary}")
        lines.extend(f"  {change.describe()}" for change in changes[:MAX_DETAILS])
        if len(changes) > MAX_DETAILS:
            lines.append(f"  … and {len(changes) - MAX_DETAILS} more block changes")
    return lines


def mismatch_report(page_id: str, where: str, expected_text: str, extraction: Extraction) -> str:
    """The failure message of a page whose article no longer equals its snapshot."""
    article = extraction.article
    head = f"{page_id}: the article differs from {where} (layout {article.layout}, version {article.version})"
    try:
        changes = describe_changes(parse_snapshot(expected_text), article)
    except SnapshotFormatError as error:
        # A hand-edited or foreign file: fall back to a plain line diff rather than hide the difference.
        plain = difflib.unified_diff(
            expected_text.splitlines(), render_snapshot(article).splitlines(), "snapshot", "now", n=1, lineterm=""
        )
        changes = [f"(the snapshot is not in template_guard's format: {error})", *plain]
    # Drift diagnostics often say why the article changed (a selector now matching twice, a body shrunk).
    findings = [f"  {finding.status}: {finding.message}" for finding in page_findings(extraction)]
    details = [*changes, *(["diagnostics:", *findings] if findings else [])]
    tail = "To accept the change, run `pytest --snapshot-update` and review it with `git diff`."
    return "\n".join([head, *(f"  {line}" for line in details), tail])


def missing_report(page_id: str, where: str, article: Article) -> str:
    """The failure message of a page that has no snapshot yet."""
    return (
        f"{page_id}: no snapshot yet (layout {article.layout}, version {article.version}): "
        f"run `pytest --snapshot-update` to write {where}, then review it and commit it"
    )


# ---- syrupy storage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSite:
    """Where a project keeps its pages and their snapshots (set by the plugin from its ini options)."""

    rootdir: Path
    pages: Path
    snapshots: Path

    def page_id(self, snapshot: Path) -> str:
        """The id of the page a snapshot file belongs to (`<layout>/<slug>`)."""
        return snapshot.relative_to(self.snapshots).as_posix().removesuffix(SUFFIX)

    def page_exists(self, snapshot: Path) -> bool:
        """Whether the page of a snapshot file is still captured (its suffix in any letter case)."""
        page = self.pages / self.page_id(snapshot)
        with contextlib.suppress(OSError):
            return any(
                p.suffix.lower() in PAGE_SUFFIXES and p.name[: -len(p.suffix)] == page.name for p in page.parent.iterdir()
            )
        return False


class PageSnapshotExtension(AbstractSyrupyExtension):
    """Stores each page's article in `<snapshots>/<layout>/<slug>.txt`, written by `render_snapshot`.

    Use it in tests parametrized by the plugin's `page_ref`: the file is named after that page.
    """

    file_extension = SUFFIX.lstrip(".")
    # One small file per page: batching gains nothing, and a write made at once is never lost to a crash.
    write_immediately = True
    # Set by the plugin for the whole run; a class attribute because syrupy instantiates extensions itself,
    # also on the xdist controller where no test runs (as syrupy does with `snapshot_dirname`).
    site: ClassVar[SnapshotSite | None] = None

    @classmethod
    def _site(cls) -> SnapshotSite:
        if cls.site is None:
            raise RuntimeError("PageSnapshotExtension needs the template_guard pytest plugin (it is disabled)")
        return cls.site

    @classmethod
    def _path(cls, test_location: PyTestLocation) -> Path:
        params = getattr(getattr(test_location.item, "callspec", None), "params", {})
        ref = params.get("page_ref")
        if not isinstance(ref, PageRef):
            raise ValueError(f"{test_location.nodeid}: page snapshots need a test parametrized by `page_ref`")
        return cls._site().snapshots / f"{ref.id}{SUFFIX}"

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> str:
        """An Article as its snapshot text; a string is taken as already rendered."""
        if isinstance(data, Article):
            return render_snapshot(data)
        if isinstance(data, str):
            return data
        raise TypeError(f"page snapshots hold an Article, not {type(data).__name__}")

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls._path(test_location).parent)

    @classmethod
    def get_file_basename(cls, *, test_location: PyTestLocation, index: SnapshotIndex) -> str:
        return cls._path(test_location).name.removesuffix(SUFFIX)

    @classmethod
    def discovery_dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls._site().snapshots)

    def owns_snapshot_collection(self, *, filepath: str, test_location: PyTestLocation) -> bool:
        # Only orphans are offered to syrupy's unused-snapshot detection. A snapshot whose page still
        # exists is never unused, even when its test failed before asserting, so an update can never
        # delete it; `-k` or a failing extraction must not cost a reviewed snapshot.
        return self.is_snapshot_location(location=filepath) and not self._site().page_exists(Path(filepath))

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation, snapshot_location: str) -> bool:
        try:
            return Path(snapshot_location) == cls._path(test_location)
        except ValueError:
            return False

    def read_snapshot_collection(self, *, snapshot_location: str) -> SnapshotCollection:
        collection = SnapshotCollection(location=snapshot_location)
        collection.add(Snapshot(name=self._site().page_id(Path(snapshot_location))))
        return collection

    def read_snapshot_data_from_location(
        self, *, snapshot_location: str, snapshot_name: str, session_id: str
    ) -> str | None:
        try:
            return Path(snapshot_location).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    @classmethod
    def write_snapshot_collection(
        cls, *, snapshot_collection: SnapshotCollection, name_order: dict[str, int] | None = None
    ) -> None:
        data = next(iter(snapshot_collection)).data
        if not isinstance(data, str):
            raise TypeError(f"page snapshots are text, not {type(data).__name__}")
        atomic_write(Path(snapshot_collection.location), data.encode("utf-8"))

    def delete_snapshots(self, *, snapshot_location: str, snapshot_names: set[str]) -> None:
        path = Path(snapshot_location)
        if self._site().page_exists(path):
            return  # the page came back since discovery: its snapshot stays
        path.unlink(missing_ok=True)
        if path.parent != self._site().snapshots:
            with contextlib.suppress(OSError):  # not empty: other pages of the layout remain
                path.parent.rmdir()

    def diff_lines(self, serialized_data: SerializableData, snapshot_data: SerializableData) -> Iterator[str]:
        """Per field and per block, as in the generated tests' reports, when both sides parse."""
        try:
            yield from describe_changes(parse_snapshot(str(snapshot_data)), parse_snapshot(str(serialized_data)))
        except SnapshotFormatError:
            yield from super().diff_lines(serialized_data, snapshot_data)


# ---- the generated test's assertion ----------------------------------------------------------------


def assert_matches(snapshot: SnapshotAssertion, extraction: Extraction, ref: PageRef) -> None:
    """Fail with a readable report unless the page's article equals its snapshot (or the run updates it)."""
    __tracebackhide__ = True
    assertion = snapshot.use_extension(PageSnapshotExtension)
    if assertion == extraction.article:
        return
    result = assertion.executions[assertion.num_executions - 1]
    site = PageSnapshotExtension._site()
    where = shown(Path(result.snapshot_location), site.rootdir)
    if result.exception is not None:
        pytest.fail(f"{ref.id}: cannot compare with {where}: {result.exception}", pytrace=False)
    if result.recalled_data is None:
        pytest.fail(missing_report(ref.id, where, extraction.article), pytrace=False)
    pytest.fail(mismatch_report(ref.id, where, str(result.recalled_data), extraction), pytrace=False)
