"""Bad layouts: each mistake is one `LayoutError` naming the file, the key path and the problem, with a hint
where the fix is obvious; `template-guard check` reports it on one line and exits 2 before reading any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from template_guard import LayoutError, load_layout, load_layouts
from template_guard.tools.cli import EXIT_INVALID_LAYOUTS, main

NAME = "site"
VALID = """\
name = "site"
description = "A test site"
domains = ["site.example"]
url_patterns = ["https://site.example/news/*"]

[[versions]]
name = "2021"
valid_from = 2021-01-01
valid_until = 2024-01-01

[versions.boilerplate.menu]
css = "nav.menu"
items = "li"

[versions.fields.title]
css = "h1"

[versions.fields.published]
css = "time"
attribute = "datetime"

[versions.fields.body]
css = "div.body"
blocks = [{ kind = "paragraph", css = "p" }]

[[versions]]
name = "2024"
extends = "2021"
valid_from = 2024-01-01

[versions.fields.title]
css = "h1.headline"
"""


@dataclass(frozen=True)
class BadLayout:
    """A mistake made by editing the valid layout: the key it must be reported at, the problem and hint."""

    name: str
    edits: tuple[tuple[str, str], ...]  # (old, new) replacements applied to VALID, each exactly once
    key: str
    problem: str  # the exact problem, or its start when it ends with "…"
    hint: str | None = None
    file_name: str = NAME

    def text(self) -> str:
        text = VALID
        for old, new in self.edits:
            assert text.count(old) == 1, f"{self.name}: {old!r} must occur exactly once in the valid layout"
            text = text.replace(old, new)
        return text

    def write(self, directory: Path) -> Path:
        path = directory / f"{self.file_name}.toml"
        path.write_text(self.text(), encoding="utf-8")
        return path


def edit(old: str, new: str) -> tuple[tuple[str, str], ...]:
    return ((old, new),)


TITLE_2021 = '[versions.fields.title]\ncss = "h1"\n'
MENU_CSS = 'css = "nav.menu"'

CASES: list[BadLayout] = [
    # Unknown keys, with the closest valid key or the table the key belongs in.
    BadLayout("typo-in-section", edit("[versions.boilerplate.menu]", "[versions.boilerplat.menu]"), "versions[0].boilerplat", "unknown key", "did you mean 'boilerplate'?"),
    BadLayout("typo-in-selector-key", edit(MENU_CSS, 'csss = "nav.menu"'), "versions[0].boilerplate.menu.csss", "unknown key", "did you mean 'css'?"),
    BadLayout("typo-in-field-name", edit(TITLE_2021, '[versions.fields.titel]\ncss = "h1"\n'), "versions[0].fields.titel", "unknown key", "did you mean 'title'?"),
    BadLayout("typo-in-top-level-key", edit("domains =", "domain ="), "domain", "unknown key", "did you mean 'domains'?"),
    BadLayout("version-key-at-top-level", edit('description = "A test site"', "valid_from = 2021-01-01"), "valid_from", "unknown key", "it belongs in a version: put it under [[versions]]"),
    BadLayout("top-level-key-in-a-version", edit('valid_from = 2024-01-01\n', 'valid_from = 2024-01-01\ndomains = ["site.example"]\n'), "versions[1].domains", "unknown key", "it belongs at the top of the file, before the first [[versions]]"),
    BadLayout("field-without-fields-table", edit(TITLE_2021, '[versions.title]\ncss = "h1"\n'), "versions[0].title", "unknown key", "fields go in their own table: [versions.fields.title]"),
    BadLayout("unknown-key-no-close-match", edit(MENU_CSS, MENU_CSS + '\ncolour = "red"'), "versions[0].boilerplate.menu.colour", "unknown key", "allowed: css, xpath, items, placement, required, optional, description"),
    # Wrong types.
    BadLayout("domains-not-a-list", edit('domains = ["site.example"]', 'domains = "site.example"'), "domains", "must be a list of strings, not a string"),
    BadLayout("required-not-a-boolean", edit(MENU_CSS, MENU_CSS + '\nrequired = "yes"'), "versions[0].boilerplate.menu.required", "must be true or false, not a string"),
    BadLayout("date-in-quotes", edit("valid_from = 2021-01-01", 'valid_from = "2021-01-01"'), "versions[0].valid_from", "must be a date, not a string", "write a TOML date without quotes, e.g. 2024-01-31"),
    BadLayout("date-with-time", edit("valid_from = 2021-01-01", "valid_from = 2021-01-01T00:00:00"), "versions[0].valid_from", "must be a date, not a date-time", "write the day alone, without a time, e.g. 2024-01-31"),
    BadLayout("block-not-a-table", edit('blocks = [{ kind = "paragraph", css = "p" }]', 'blocks = ["p"]'), "versions[0].fields.body.blocks[0]", "must be a table, not a string", 'write { kind = "paragraph", css = "p" }'),
    BadLayout("region-not-a-table", edit("[versions.boilerplate.menu]\n" + MENU_CSS + '\nitems = "li"\n', '[versions.boilerplate]\nmenu = "nav.menu"\n'), "versions[0].boilerplate.menu", "must be a table, not a string"),
    BadLayout("versions-not-an-array", edit("[[versions]]\nname = \"2021\"", "[versions]\nname = \"2021\"").__add__(edit("[[versions]]\nname = \"2024\"\nextends = \"2021\"\nvalid_from = 2024-01-01\n\n[versions.fields.title]\ncss = \"h1.headline\"\n", "")), "versions", "must be a non-empty array of tables ([[versions]])"),
    # Selectors.
    BadLayout("css-does-not-parse", edit(MENU_CSS, 'css = "nav["'), "versions[0].boilerplate.menu.css", "invalid CSS selector 'nav[': Expected ident or '*', got <EOF at 4>"),
    BadLayout("css-pseudo-element", edit(TITLE_2021, '[versions.fields.title]\ncss = "h1::text"\n'), "versions[0].fields.title.css", "invalid CSS selector 'h1::text': Pseudo-elements are not supported."),
    BadLayout("items-css-does-not-parse", edit('items = "li"', 'items = "li >"'), "versions[0].boilerplate.menu.items", "invalid CSS selector 'li >': …"),
    BadLayout("xpath-does-not-compile", edit(MENU_CSS, 'xpath = "//nav["'), "versions[0].boilerplate.menu.xpath", "invalid XPath '//nav[': Invalid expression"),
    BadLayout("xpath-attribute", edit(TITLE_2021, '[versions.fields.title]\nxpath = "//a/@href"\n'), "versions[0].fields.title.xpath", "XPath '//a/@href' selects '@href', not elements, where elements are needed", "select the element: '//a'; a field reads an attribute with attribute = \"…\""),
    BadLayout("xpath-string-function", edit(TITLE_2021, '[versions.fields.title]\nxpath = "string(//h1)"\n'), "versions[0].fields.title.xpath", "XPath 'string(//h1)' returns a string where elements are needed", "drop string() and select the elements: '//h1'"),
    BadLayout("xpath-text-nodes", edit('{ kind = "paragraph", css = "p" }', '{ kind = "paragraph", xpath = "//p/text()" }'), "versions[0].fields.body.blocks[0].xpath", "XPath '//p/text()' selects 'text()', not elements, where elements are needed", "select the element: '//p'"),
    BadLayout("xpath-count", edit(MENU_CSS, 'xpath = "count(//nav)"'), "versions[0].boilerplate.menu.xpath", "XPath 'count(//nav)' returns a number where elements are needed", "drop count() and select the elements: '//nav'"),
    BadLayout("xpath-attribute-in-a-union", edit(MENU_CSS, 'xpath = "//nav | //a/@href"'), "versions[0].boilerplate.menu.xpath", "XPath '//nav | //a/@href' selects '@href', not elements, where elements are needed"),
    # Found before any page is read, though libxml2 itself would only fail once a <nav> matched.
    BadLayout("xpath-unknown-function", edit(MENU_CSS, "xpath = \"//nav[has-class('menu')]\""), "versions[0].boilerplate.menu.xpath", "XPath \"//nav[has-class('menu')]\" calls has-class(), which XPath 1.0 does not have", "for a class, write contains(concat(' ', normalize-space(@class), ' '), ' name ') or use css"),
    BadLayout("xpath-xpath-2-function", edit(TITLE_2021, "[versions.fields.title]\nxpath = \"//h1[ends-with(@class, 'title')]\"\n"), "versions[0].fields.title.xpath", "XPath \"//h1[ends-with(@class, 'title')]\" calls ends-with(), which XPath 1.0 does not have", "the XPath 1.0 functions are contains(), starts-with(), normalize-space(), translate() …"),
    BadLayout("xpath-namespace-prefix", edit(MENU_CSS, 'xpath = "//nav[svg:path]"'), "versions[0].boilerplate.menu.xpath", "XPath '//nav[svg:path]' uses the namespace prefix 'svg', and HTML pages have no namespaces", "match the local name instead: *[local-name()='path']"),
    BadLayout("xpath-variable", edit(MENU_CSS, 'xpath = "//nav[@id = $menu]"'), "versions[0].boilerplate.menu.xpath", "XPath '//nav[@id = $menu]' uses a variable, and a layout defines none"),
    BadLayout("xpath-evaluation-error", edit(MENU_CSS, 'xpath = "last()"'), "versions[0].boilerplate.menu.xpath", "XPath 'last()' cannot be evaluated: Invalid context size"),
    BadLayout("css-and-xpath", edit(MENU_CSS, MENU_CSS + '\nxpath = "//nav"'), "versions[0].boilerplate.menu", "has both 'css' and 'xpath'"),
    BadLayout("no-selector", edit(MENU_CSS + "\n", ""), "versions[0].boilerplate.menu", "needs a selector: 'css' or 'xpath'"),
    BadLayout("empty-selector", edit(MENU_CSS, 'css = " "'), "versions[0].boilerplate.menu.css", "the selector is empty"),
    # Other values.
    BadLayout("invalid-regex", edit('attribute = "datetime"', 'attribute = "datetime"\npattern = "(\\\\d+"'), "versions[0].fields.published.pattern", "invalid regular expression '(\\\\d+': missing ), unterminated subpattern at position 0"),
    BadLayout("date-format-on-title", edit(TITLE_2021, '[versions.fields.title]\ncss = "h1"\ndate_format = "%Y"\n'), "versions[0].fields.title.date_format", "only the 'published' field takes a date_format"),
    BadLayout("unknown-placement", edit('items = "li"', 'items = "li"\nplacement = "sidebar"'), "versions[0].boilerplate.menu.placement", "'sidebar' is not one of page, inline"),
    # Versions over time.
    BadLayout("ranges-overlap", edit("valid_until = 2024-01-01", "valid_until = 2025-01-01"), "versions[1].valid_from", "version '2024' starts 2024-01-01, inside version '2021' (until 2025-01-01): the ranges overlap"),
    BadLayout("ranges-leave-a-gap", edit("valid_until = 2024-01-01", "valid_until = 2023-01-01"), "versions[1].valid_from", "no version covers 2023-01-01 to 2024-01-01: the ranges leave a gap", "start version '2024' on 2023-01-01"),
    BadLayout("versions-unordered", edit("valid_from = 2024-01-01", "valid_from = 2020-01-01"), "versions[1].valid_from", "2020-01-01 is not after version '2021' (2021-01-01); list versions in date order"),
    BadLayout("older-version-without-end", edit("valid_until = 2024-01-01\n", ""), "versions[0].valid_until", "version '2021' has no end date but version '2024' follows it", "set valid_until = 2024-01-01"),
    BadLayout("ends-before-it-starts", edit("valid_until = 2024-01-01", "valid_until = 2020-01-01"), "versions[0].valid_until", "2020-01-01 is not after valid_from 2021-01-01"),
    BadLayout("extends-unknown-version", edit('extends = "2021"', 'extends = "2019"'), "versions[1].extends", "extends '2019', which is not an earlier version", "earlier versions: 2021"),
    BadLayout("version-defined-twice", edit('name = "2024"', 'name = "2021"'), "versions[1].name", "version '2021' is defined twice"),
    # Missing pieces and identity.
    BadLayout("missing-required-field", edit(TITLE_2021, ""), "versions[0].fields.title", "missing: every layout version needs it", "add a [versions.fields.title] table with a css or xpath selector"),
    BadLayout("missing-domains", edit('domains = ["site.example"]\n', ""), "domains", "missing required key"),
    BadLayout("missing-valid-from", edit("valid_from = 2021-01-01\n", ""), "versions[0].valid_from", "missing required key"),
    BadLayout("missing-body-blocks", edit('blocks = [{ kind = "paragraph", css = "p" }]\n', ""), "versions[0].fields.body.blocks", "missing: the body needs at least one block rule"),
    BadLayout("name-is-not-the-file-name", (), "name", "is 'site' but the file is other.toml", "name it 'other'", file_name="other"),
    # Not TOML at all.
    BadLayout("invalid-toml-missing-value", edit('css = "h1"\n\n[versions.fields.published]', 'css =\n\n[versions.fields.published]'), "", "invalid TOML at line 16, column 6: invalid value"),
    BadLayout("invalid-toml-unclosed-table", edit("[versions.boilerplate.menu]", "[versions.boilerplate.menu"), "", "invalid TOML at line 11, column 27: expected ']' at the end of a table declaration"),
    BadLayout("invalid-toml-unterminated-string", edit('css = "nav.menu"', 'css = "nav.menu'), "", "invalid TOML at line 12, column 16: illegal character '\\n'"),
    BadLayout("invalid-toml-duplicate-key", edit('items = "li"', 'items = "li"\nitems = "a"'), "", "invalid TOML at line 14, column 12: cannot overwrite a value"),
]


def matches(problem: str, expected: str) -> bool:
    return problem.startswith(expected[:-1]) if expected.endswith("…") else problem == expected


def test_the_valid_layout_is_valid(tmp_path: Path) -> None:
    # Every case is one edit away from this layout: the errors below come from the edits alone.
    path = tmp_path / f"{NAME}.toml"
    path.write_text(VALID, encoding="utf-8")
    layout = load_layout(path)
    assert [version.name for version in layout.versions] == ["2021", "2024"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_bad_layout_is_one_error_naming_file_key_and_problem(case: BadLayout, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    with pytest.raises(LayoutError) as raised:
        load_layout(path)
    error = raised.value
    assert (error.source, error.key) == (str(path), case.key)
    assert matches(error.problem, case.problem), error.problem
    assert error.hint == case.hint
    where = f"{path}: {case.key}: " if case.key else f"{path}: "
    assert str(error) == where + error.problem + (f" ({case.hint})" if case.hint else "")
    assert "\n" not in str(error)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_check_validates_layouts_first_and_reports_one_line(case: BadLayout, tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    path = case.write(layouts)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "no-pages"), "--layouts-dir", str(layouts)], catch_exceptions=False)
    assert result.exit_code == EXIT_INVALID_LAYOUTS
    assert result.stdout == ""  # nothing was checked: no page is read before every layout is valid
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {case.key}"), result.stderr


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / f"{NAME}.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_layout(path).name == NAME


def test_a_file_that_is_not_utf_8(tmp_path: Path) -> None:
    path = tmp_path / f"{NAME}.toml"
    path.write_bytes(VALID.replace("A test site", "Un site d\xe9mo").encode("latin-1"))
    with pytest.raises(LayoutError) as raised:
        load_layout(path)
    offset = VALID.index("A test site") + len("Un site d")
    assert (raised.value.key, raised.value.problem) == ("", f"the file is not UTF-8 text (invalid byte at offset {offset})")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError) as raised:
        load_layout(tmp_path / "gone.toml")
    assert raised.value.problem == "cannot read the file: No such file or directory"


def second_layout(directory: Path, name: str, extra: str = "") -> Path:
    path = directory / f"{name}.toml"
    path.write_text(VALID.replace('name = "site"', f'name = "{name}"', 1) + extra, encoding="utf-8")
    return path


def test_two_layouts_claiming_the_same_url_pattern(tmp_path: Path) -> None:
    first = second_layout(tmp_path, "site")
    second = second_layout(tmp_path, "site2")  # loaded second: files load in name order
    with pytest.raises(LayoutError) as raised:
        load_layouts([tmp_path], packaged=False)
    error = raised.value
    assert (error.source, error.key) == (str(second), "url_patterns")
    assert error.problem == f"site.example 'https://site.example/news/*' is already claimed by layout 'site' ({first})"
    assert error.hint == "give one of them url_patterns that tell their pages apart"


def test_two_layouts_with_the_same_name(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = second_layout(one, "site")
    second = second_layout(two, "site")
    with pytest.raises(LayoutError) as raised:
        load_layouts([one, two], packaged=False)
    assert (raised.value.source, raised.value.key) == (str(second), "name")
    assert raised.value.problem == f"layout 'site' is also defined in {first}"


def test_layouts_with_distinct_url_patterns_on_one_domain_are_fine(tmp_path: Path) -> None:
    second_layout(tmp_path, "site")
    (tmp_path / "site2.toml").write_text(
        VALID.replace('name = "site"', 'name = "site2"').replace("/news/*", "/live/*"), encoding="utf-8"
    )
    assert load_layouts([tmp_path], packaged=False).names == ("site", "site2")


def test_every_packaged_layout_is_valid() -> None:
    assert len(load_layouts()) >= 1


@pytest.mark.parametrize("expression", ["//p[@a and (@b or @c)]", "//p[(@a) or (@b)]", "//li[position() mod (2) = 0]"])
def test_operators_before_a_parenthesis_are_not_taken_for_functions(expression: str) -> None:
    from template_guard.engine.selectors import Selector

    assert Selector.compile("xpath", expression).expression == expression
