"""Issue 12 item 2: variants (concurrent templates) chosen by URL pattern and/or a page test, then by date."""

from __future__ import annotations

from pathlib import Path

import pytest
from format_pages import BUNDLED, LAYOUT, PACKAGED_TOML, invoke, write_layout
from lxml import html

from template_guard import LayoutError, extract_page, load_layout, load_layouts
from template_guard.store.pages import read_page
from template_guard.testing.property_tests import Subject, assert_invariance

BOX = "article div.article-body div.related-news"  # the inline "Related News" box, on some pages only
VARIANTS = f"""
[[variants]]
name = "with-box"
when = {{ css = "{BOX}" }}

[[variants]]
name = "attacks"
url_patterns = ["https://english.almayadeen.net/news/*/almaty-faced-*"]
"""
VARIANT_VERSIONS = """
[[versions]]
name = "box-2021"
variant = "with-box"
extends = "2021"
valid_from = 2021-01-01

[[versions]]
name = "attacks-2021"
variant = "attacks"
extends = "2021"
valid_from = 2021-01-01
"""


def with_variants(variants: str = VARIANTS, versions: str = VARIANT_VERSIONS) -> str:
    # Top-level keys go before the first [[versions]]; variant versions after the main ones.
    head, tail = PACKAGED_TOML.split("[[versions]]", 1)
    return head + variants + "\n[[versions]]" + tail + versions


def has_box(page: Path) -> bool:
    return bool(html.fromstring(page.read_bytes()).cssselect(BOX))


@pytest.fixture
def variant_layouts(tmp_path: Path):
    return load_layouts([write_layout(tmp_path, with_variants()).parent])


def test_a_page_takes_the_variant_whose_page_test_or_url_fits(variant_layouts) -> None:
    expected = {
        page.stem: "attacks-2021" if "almaty-faced" in page.stem else "box-2021" if has_box(page) else "2021"
        for page in BUNDLED
    }
    assert set(expected.values()) == {"attacks-2021", "box-2021"}  # the bundled pages exercise both tests
    chosen = {page.stem: extract_page(page, layouts=variant_layouts).version for page in BUNDLED}
    assert chosen == expected


def test_the_main_template_serves_pages_no_variant_fits(tmp_path: Path) -> None:
    only_box = with_variants(VARIANTS.split("[[variants]]\nname = \"attacks\"")[0], VARIANT_VERSIONS.split(
        "[[versions]]\nname = \"attacks-2021\"")[0])
    layouts = load_layouts([write_layout(tmp_path, only_box).parent])
    without = [page for page in BUNDLED if not has_box(page)]
    assert without and all(extract_page(page, layouts=layouts).version == "2021" for page in without)
    # Same article either way: the variant version extends the main one without changes.
    plain = load_layouts()
    for page in BUNDLED:
        assert extract_page(page, layouts=layouts).body == extract_page(page, layouts=plain).body


def test_explain_says_why_a_variant_was_chosen(tmp_path: Path) -> None:
    layouts_dir = write_layout(tmp_path, with_variants()).parent
    boxed = next(page for page in BUNDLED if has_box(page) and "almaty" not in page.stem)
    out = invoke("explain", str(boxed), "--layouts-dir", str(layouts_dir)).stdout
    assert f"chosen: variant 'with-box': the page test css '{BOX}' matched" in out
    attacks = next(page for page in BUNDLED if "almaty-faced" in page.stem)
    out = invoke("explain", str(attacks), "--layouts-dir", str(layouts_dir)).stdout
    assert "chosen: variant 'attacks': the URL matches 'https://english.almayadeen.net/news/*/almaty-faced-*'" in out


def test_without_a_capture_date_explain_names_the_version_that_fits(tmp_path: Path) -> None:
    redesign = PACKAGED_TOML.replace("valid_from = 2021-01-01", "valid_from = 2021-01-01\nvalid_until = 2026-03-01", 1)
    redesign += '\n[[versions]]\nname = "2026"\nextends = "2021"\nvalid_from = 2026-03-01\n'
    redesign += '[versions.fields.title]\ncss = "h1.headline-2026"\n'
    layouts_dir = write_layout(tmp_path / "layouts", redesign).parent
    bare = tmp_path / "page.html"  # no sidecar: no capture date, so the newest version is tried
    bare.write_bytes(BUNDLED[0].read_bytes())
    assert read_page(bare).meta.capture_date is None
    result = invoke("explain", str(bare), "--layouts-dir", str(layouts_dir))
    assert result.exit_code == 1
    assert ("the capture date is unknown, so the newest version '2026' was used, and it does not fit; "
            "version(s) '2021' fit") in result.stdout


@pytest.mark.parametrize(
    ("variants", "versions", "key", "problem"),
    [
        (VARIANTS, VARIANT_VERSIONS.replace('variant = "attacks"', 'variant = "atacks"'), "versions[2].variant",
         "no variant 'atacks' is declared in [[variants]] (did you mean 'attacks'?)"),
        (VARIANTS, VARIANT_VERSIONS.split('[[versions]]\nname = "attacks-2021"')[0], "variants",
         "variant 'attacks' has no versions"),
        (VARIANTS.replace('url_patterns = ["https://english.almayadeen.net/news/*/almaty-faced-*"]', ""),
         VARIANT_VERSIONS, "variants[1]", "variant 'attacks' needs url_patterns or a page test (when)"),
        (VARIANTS.replace("when = {", "when = { xpath = 'x', "), VARIANT_VERSIONS, "variants[0].when",
         "must be a table with one selector"),
        (VARIANTS, VARIANT_VERSIONS + '\n[[versions]]\nname = "box-2020"\nvariant = "with-box"\nextends = "2021"\n'
         "valid_from = 2020-01-01\n", "versions[3].valid_from", "is not after version 'box-2021'"),
    ],
    ids=["misspelt-variant", "variant-without-versions", "variant-without-test", "bad-page-test", "dates-per-variant"],
)
def test_a_bad_variant_is_one_layout_error(tmp_path: Path, variants: str, versions: str, key: str, problem: str) -> None:
    with pytest.raises(LayoutError) as raised:
        load_layout(write_layout(tmp_path, with_variants(variants, versions)))
    assert raised.value.key == key and problem in str(raised.value)


def test_variants_overlap_in_time_with_the_main_template(tmp_path: Path) -> None:
    layout = load_layout(write_layout(tmp_path, with_variants()))
    assert [v.name for v in layout.versions_of("")] == ["2021"]
    assert [(v.variant, v.valid_from) for v in layout.versions[1:]] == [
        ("with-box", layout.versions[0].valid_from), ("attacks", layout.versions[0].valid_from)
    ]
    assert layout.name == LAYOUT


def test_the_chrome_properties_hold_on_a_variant_page(variant_layouts) -> None:
    # The property tests extract changed trees without reparsing them: they must choose the variant as `run` does.
    page = next(page for page in BUNDLED if has_box(page) and "almaty" not in page.stem)
    subject = Subject.of(read_page(page), variant_layouts)
    assert subject.version.name == "box-2021" == subject.baseline.version
    assert_invariance(subject)
