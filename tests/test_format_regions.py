"""Issue 12 items 3, 4 and 7: optional regions, `region = false` checked, user layouts over packaged ones.

Each runs `template-guard check` or `explain` on the bundled pages with a changed copy of their layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from format_pages import BUNDLED, LAYOUT, PACKAGED_TOML, copy_pages, invoke, write_layout

from template_guard import LayoutError, load_layout, load_layouts
from template_guard.tools.cli import EXIT_INVALID_LAYOUTS, EXIT_PROBLEMS

# A read-more box that none of the bundled pages has: the kind of region only some pages carry.
READ_MORE = '\n[versions.boilerplate.read-more]\ncss = "aside.read-more-box"\n'
FIRST_FIELDS = "[versions.fields.title]"


def with_region(extra: str) -> str:
    """The packaged layout with `extra` (a region table) added to its only version."""
    return PACKAGED_TOML.replace(FIRST_FIELDS, extra + "\n" + FIRST_FIELDS, 1)


def check_with(tmp_path: Path, layout_text: str, pages: list[Path] | None = None):
    layouts = tmp_path / "layouts"
    write_layout(layouts, layout_text)
    return invoke("check", str(copy_pages(tmp_path / "pages", pages)), "--layouts-dir", str(layouts))


# The bundled page without the inline "Related News" box: a young version with this one page only.
WITHOUT_BOX = next(page for page in BUNDLED if page.stem == "almaty-faced-6-waves")
BOX = 'placement = "inline"\n'


def test_a_region_missing_from_the_only_page_is_stale_and_the_message_offers_optional(tmp_path: Path) -> None:
    result = check_with(tmp_path, PACKAGED_TOML, [WITHOUT_BOX])
    assert result.exit_code == EXIT_PROBLEMS
    line = next(line for line in result.stdout.splitlines() if "related-inline" in line)
    assert line.split()[0] == "error" and "stale rule" in line and "set optional = true" in line


def test_an_optional_region_missing_from_every_page_is_a_notice_not_an_error(tmp_path: Path) -> None:
    result = check_with(tmp_path, PACKAGED_TOML.replace(BOX, BOX + "optional = true\n", 1), [WITHOUT_BOX])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "related-inline" in line)
    assert line.split()[0] == "notice" and "optional region: matched nothing on the 1 page checked" in line
    assert " 0 errors" in result.stdout


def test_an_optional_region_is_still_removed_where_it_is(tmp_path: Path) -> None:
    # The ticker is on every bundled page: marked optional, it is removed exactly as before.
    text = PACKAGED_TOML.replace('items = "div.ticker-item"', 'items = "div.ticker-item"\noptional = true', 1)
    layouts = load_layouts([write_layout(tmp_path, text).parent])
    region = next(r for r in layouts.get(LAYOUT).versions[0].boilerplate if r.name == "ticker")
    assert region.optional and not region.required
    result = invoke("check", str(copy_pages(tmp_path / "pages")), "--layouts-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    ticker = next(line for line in result.stdout.splitlines() if " ticker " in line)
    assert f"removed on {len(BUNDLED)}/{len(BUNDLED)} pages" in ticker


def test_required_and_optional_together_is_an_error(tmp_path: Path) -> None:
    path = write_layout(tmp_path, with_region(READ_MORE + "optional = true\nrequired = true\n"))
    with pytest.raises(LayoutError) as raised:
        load_layout(path)
    assert (raised.value.key, raised.value.problem) == (
        "versions[0].boilerplate.read-more.optional", "a region cannot be both required and optional"
    )


EXTENDING = """
[[versions]]
name = "2026"
extends = "2021"
valid_from = 2026-03-01
[versions.boilerplate]
{drop} = false
"""


def extended(drop: str) -> str:
    text = PACKAGED_TOML.replace('valid_from = 2021-01-01', 'valid_from = 2021-01-01\nvalid_until = 2026-03-01', 1)
    return text + EXTENDING.format(drop=drop)


def test_dropping_an_inherited_region_removes_it_from_the_new_version(tmp_path: Path) -> None:
    layout = load_layout(write_layout(tmp_path, extended("ticker")))
    old, new = (tuple(r.name for r in v.boilerplate) for v in layout.versions)
    assert "ticker" in old and "ticker" not in new
    assert [name for name in old if name != "ticker"] == list(new)


def test_dropping_a_misspelt_region_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(LayoutError) as raised:
        load_layout(write_layout(tmp_path, extended("tiker")))
    error = raised.value
    assert (error.key, error.problem, error.hint) == (
        "versions[1].boilerplate.tiker", "version '2021' has no region 'tiker' to drop", "did you mean 'ticker'?"
    )


def test_dropping_a_region_in_a_version_that_extends_none_is_an_error(tmp_path: Path) -> None:
    # Inline tables keep the key in the version's own boilerplate table, before its subtables.
    first_region = "[versions.boilerplate.language-switcher]"
    text = PACKAGED_TOML.replace(first_region, "[versions.boilerplate]\nteaser = false\n\n" + first_region, 1)
    with pytest.raises(LayoutError) as raised:
        load_layout(write_layout(tmp_path, text))
    assert raised.value.key == "versions[0].boilerplate.teaser"
    assert raised.value.problem == "`false` drops an inherited region, but this version extends none"


def test_region_true_hints_at_false(tmp_path: Path) -> None:
    layouts = write_layout(tmp_path / "layouts", extended("ticker").replace("ticker = false", "ticker = true")).parent
    result = invoke("check", str(tmp_path), "--layouts-dir", str(layouts))
    assert result.exit_code == EXIT_INVALID_LAYOUTS
    assert "versions[1].boilerplate.ticker: must be a table, not a boolean" in result.stderr
    assert "(write `name = false` to drop an inherited region)" in result.stderr


# ---- user layouts replace packaged ones (item 4) --------------------------------------------------


def test_a_user_layout_of_the_same_name_replaces_the_packaged_one(tmp_path: Path) -> None:
    mine = write_layout(tmp_path, with_region(READ_MORE + "optional = true\n"))
    layouts = load_layouts([tmp_path])
    assert layouts.names.count(LAYOUT) == 1 and layouts.get(LAYOUT).source == mine
    replacement = layouts.replacement(LAYOUT)
    assert replacement is not None and replacement.reason == "same name"
    result = invoke("explain", str(BUNDLED[0]), "--layouts-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"your layout {mine} replaces the packaged layout '{LAYOUT}' (same name)" in result.stdout
    assert "read-more" in result.stdout  # the user's layout was the one applied


def test_a_user_layout_sharing_a_domain_replaces_the_packaged_one(tmp_path: Path) -> None:
    text = PACKAGED_TOML.replace(f'name = "{LAYOUT}"', 'name = "my-almayadeen"', 1)
    write_layout(tmp_path, text, "my-almayadeen")
    layouts = load_layouts([tmp_path])
    assert LAYOUT not in layouts.names and "my-almayadeen" in layouts.names
    replacement = layouts.replacement("my-almayadeen")
    assert replacement is not None and replacement.packaged == LAYOUT
    assert replacement.reason == "shares domain english.almayadeen.net"
    result = invoke("extract", "--format", "json", str(BUNDLED[0]), "--layouts-dir", str(tmp_path))
    assert result.exit_code == 0 and '"layout": "my-almayadeen"' in result.stdout
    check = invoke("check", str(copy_pages(tmp_path / "pages", BUNDLED[:1])), "--layouts-dir", str(tmp_path))
    assert "replaces the packaged layout 'almayadeen-english' (shares domain english.almayadeen.net)" in check.stdout


def test_packaged_layouts_without_a_rival_stay(tmp_path: Path) -> None:
    write_layout(tmp_path, PACKAGED_TOML)
    names = load_layouts([tmp_path]).names
    assert set(load_layouts().names) == set(names) and not load_layouts().replaced


def test_two_user_layouts_still_conflict(tmp_path: Path) -> None:
    write_layout(tmp_path, PACKAGED_TOML)
    write_layout(tmp_path, PACKAGED_TOML.replace(f'name = "{LAYOUT}"', 'name = "twin"', 1), "twin")
    with pytest.raises(LayoutError) as raised:
        load_layouts([tmp_path])
    assert "is already claimed by layout 'almayadeen-english'" in raised.value.problem
