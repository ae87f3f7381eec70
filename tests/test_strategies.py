"""The chrome strategies and mutations: they change only declared chrome, keep it matchable, and say what they did."""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from lxml import etree

from template_guard import Article, LayoutSet, LayoutVersion, discover_pages, load_layout, load_layouts, read_page, run
from template_guard.engine.boilerplate import strip_boilerplate, strip_noise
from template_guard.engine.parse import parse_html
from template_guard.engine.visible import visible_lines
from template_guard.testing.canaries import CANARY_PATTERN, write_chrome_canaries
from template_guard.testing.chrome_map import ChromeMap
from template_guard.testing.invisible import InsertNoise, Noise, PadWhitespace
from template_guard.testing.mutations import (
    AddAttributes,
    AddItem,
    AddTracking,
    CopyInline,
    DuplicateItem,
    EmptyItems,
    MoveInline,
    MoveItem,
    Mutation,
    RemoveItem,
    ReplaceText,
    serialize,
)
from template_guard.testing.profiles import CI, DEV, THOROUGH, property_settings, register_profiles
from template_guard.testing.strategies import (
    MUTATION_KINDS,
    MutatedPage,
    body_probes,
    chrome_texts,
    class_names,
    mutated_pages,
    page_tree,
    reserved_names,
)

# The bundled pages only: a user's own pages under pages/ must not change what these tests run on.
PAGES = discover_pages(Path(__file__).parents[1] / "pages" / "almayadeen-english")
WITH_INLINE_BOX = next(p for p in PAGES if p.stem == "over-5000-arrested")
EXAMPLES = settings(
    max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

TINY_LAYOUT = """
name = "tiny"
domains = ["tiny.example"]
[[versions]]
name = "v1"
valid_from = 2020-01-01
[versions.boilerplate.menu]
css = "nav.menu"
items = "li"
[versions.boilerplate.related]
css = "div.body aside.related"
items = "a"
placement = "inline"
[versions.boilerplate.footer]
css = "footer"
[versions.fields.title]
css = "h1"
[versions.fields.body]
css = "div.body"
blocks = [{ kind = "paragraph", css = "p" }, { kind = "heading", css = "h2" }]
exclude = [{ css = "figure" }]
drop_text = ["^Read more:"]
"""

TINY_PAGE = b"""<html><head><title>T</title></head><body>
<nav class="menu"><ul><li class="first"><a href="/a#top">Alpha</a></li> <li><a href="/b?x=1">Beta</a></li>
<li>Gamma</li></ul></nav>
<h1>Title</h1>
<div class="body">
<p>First paragraph.</p>
<aside class="related"><a href="/r1">Related one</a><a href="/r2">Related two</a></aside>
<h2>Heading</h2>
<figure><figcaption>Caption</figcaption></figure>
<p>Second <b>bold</b> paragraph.</p>
<p>Read more: elsewhere</p>
</div>
<footer id="foot">  Footer   text  </footer>
</body></html>"""


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[etree._Element, LayoutVersion, LayoutSet]:
    (tmp_path / "tiny.toml").write_text(TINY_LAYOUT, encoding="utf-8")
    layout = load_layout(tmp_path / "tiny.toml")
    return parse_html(TINY_PAGE).root, layout.versions[0], LayoutSet((layout,))


def texts(root: etree._Element, css: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in root.cssselect(css)]


def tiny_article(root: etree._Element, layouts: LayoutSet) -> Article:
    return run(serialize(root), layout="tiny", layouts=layouts, http_charset="utf-8").article


# ---- Single mutations on a small page -----------------------------------------------------------


def test_replacing_text_keeps_the_spaces_around_it_and_says_what_it_replaced(tiny) -> None:
    root, version, _ = tiny
    change = ReplaceText("footer", 0, None, 0, "عاجل", was="  Footer   text  ")
    change.apply(root, version)
    assert root.cssselect("footer")[0].text == "  عاجل  "
    assert change.describe() == "replaced text 1 of footer ('Footer text') with 'عاجل'"
    assert ReplaceText("menu", 0, 1, 0, "x", was="Beta").describe() == "replaced menu item 2 ('Beta') with 'x'"


@pytest.mark.parametrize(
    ("change", "expected", "description"),
    [
        (RemoveItem("menu", 0, 1, of=3), ["Alpha", "Gamma"], "removed menu item 2 of 3"),
        (EmptyItems("menu", 0, of=3), [], "removed all 3 menu items"),
        (DuplicateItem("menu", 0, 0), ["Alpha", "Alpha", "Beta", "Gamma"], "duplicated menu item 1"),
        (MoveItem("menu", 0, 2, 0), ["Gamma", "Alpha", "Beta"], "moved menu item 3 before item 1"),
        (MoveItem("menu", 0, 0, None), ["Beta", "Gamma", "Alpha"], "moved menu item 1 to the end"),
        (
            AddItem("menu", 0, 1, None, "Delta"),
            ["Alpha", "Beta", "Gamma", "Delta"],
            "added a menu item reading 'Delta' (a copy of item 2) at the end",
        ),
    ],
)
def test_list_changes(tiny, change: Mutation, expected: list[str], description: str) -> None:
    root, version, _ = tiny
    change.apply(root, version)
    assert texts(root, "nav.menu li") == expected
    assert change.describe() == description


def test_an_added_item_is_a_copy_with_new_text_and_the_same_markup(tiny) -> None:
    root, version, _ = tiny
    AddItem("menu", 0, 0, 0, "New").apply(root, version)
    first = root.cssselect("nav.menu li")[0]
    assert (first.get("class"), first[0].tag, first[0].get("href"), first[0].text) == ("first", "a", "/a#top", "New")


def test_an_inline_box_moves_or_is_copied_between_body_blocks_only(tiny) -> None:
    root, version, layouts = tiny
    before = tiny_article(root, layouts)
    MoveInline("related", 0, 0).apply(root, version)
    body = root.cssselect("div.body")[0]
    assert [child.tag for child in body][:2] == ["aside", "p"]
    CopyInline("related", 0, 3).apply(root, version)  # after body block 3 ("Second bold paragraph.")
    assert [child.tag for child in body] == ["aside", "p", "h2", "figure", "p", "aside", "p"]
    assert len(ChromeMap(root, version).found("related")) == 2
    assert tiny_article(root, layouts) == before
    assert MoveInline("related", 0, 0).describe() == "moved the related box before body block 1"
    assert CopyInline("related", 0, 3).describe() == "added a second related box after body block 3"


def test_body_blocks_leave_out_chrome_exclusions_and_dropped_text(tiny) -> None:
    root, version, _ = tiny
    chrome_map = ChromeMap(root, version)
    assert [" ".join("".join(b.itertext()).split()) for b in chrome_map.blocks] == [
        "First paragraph.",
        "Heading",
        "Second bold paragraph.",
    ]
    assert chrome_map.block_label(1) == "body block 2 (heading)"
    assert [name for name, _ in chrome_map.field_elements] == ["title"]


def test_attributes_are_added_to_the_existing_ones(tiny) -> None:
    root, version, _ = tiny
    change = AddAttributes("footer", 0, 0, "footer", classes=("is-sticky",), id="other", data=(("ad", "1"),))
    change.apply(root, version)
    AddAttributes("menu", 0, 2, "li", classes=("new",)).apply(root, version)  # elements: nav, ul, li …
    footer = root.cssselect("footer")[0]
    assert (footer.get("class"), footer.get("id"), footer.get("data-ad")) == ("is-sticky", "foot", "1")
    assert root.cssselect("nav.menu li")[0].get("class") == "first new"
    assert change.describe() == "added class 'is-sticky', id 'other', data-ad='1' to <footer> (element 1) of footer"


def test_tracking_parameters_go_into_the_query_before_the_fragment(tiny) -> None:
    root, version, _ = tiny
    AddTracking("menu", 0, 0, (("utm_source", "x"),)).apply(root, version)
    AddTracking("menu", 0, 1, (("fbclid", "y"), ("ref", "z"))).apply(root, version)
    assert [a.get("href") for a in root.cssselect("nav.menu a")] == ["/a?utm_source=x#top", "/b?x=1&fbclid=y&ref=z"]
    assert AddTracking("menu", 0, 1, (("ref", "z"),)).describe() == "added '?ref=z' to link 2 of menu"


def test_noise_can_split_a_word_without_changing_what_a_reader_sees(tiny) -> None:
    root, version, layouts = tiny
    before, lines = tiny_article(root, layouts), visible_lines(root)
    targets = ChromeMap(root, version).noise_targets()
    paragraph = root.cssselect("div.body p")[0]
    change = InsertNoise(targets.index(paragraph), 0, 3, Noise("script", "var a = 1;"), where="body block 1")
    change.apply(root, version)
    assert (paragraph.text, paragraph[0].tag, paragraph[0].tail) == ("Fir", "script", "st paragraph.")
    for noise in (Noise("comment", " c "), Noise("style", "p{}"), Noise("noscript", "js")):
        InsertNoise(targets.index(paragraph), 1, 1, noise).apply(root, version)
    reparsed = parse_html(serialize(root)).root
    assert visible_lines(reparsed) == lines
    assert tiny_article(root, layouts) == before
    assert change.describe() == "inserted <script> into body block 1"


def test_whitespace_is_only_added_to_existing_runs(tiny) -> None:
    root, version, layouts = tiny
    before = tiny_article(root, layouts)
    chrome_map = ChromeMap(root, version)
    slots = chrome_map.whitespace_slots()
    assert all(slot.owner is not None and slot.owner.tag not in ("script", "pre") for slot in slots)
    for index in range(len(slots)):
        PadWhitespace(index, 0, " \n\t").apply(root, version)
    assert tiny_article(root, layouts) == before
    assert root.cssselect("div.body p b")[0].tail == " \n\t paragraph."


def test_canaries_go_into_every_chrome_text_and_never_into_the_article(tiny) -> None:
    root, version, layouts = tiny
    canaries = write_chrome_canaries(root, version)
    assert len({c.token for c in canaries}) == len(canaries) == 3 + 2 + 1  # menu items, related links, footer
    assert {c.place.split(",")[0] for c in canaries} == {"menu", "related", "footer"}
    assert not CANARY_PATTERN.search(tiny_article(root, layouts).to_json())
    assert len(CANARY_PATTERN.findall(" ".join(root.itertext()))) == len(canaries)


# ---- Generated pages of the bundled captures ------------------------------------------------------


@functools.cache
def bundled(path: Path) -> tuple[bytes, str | None, LayoutVersion, Article, LayoutSet]:
    page = read_page(path)
    layouts = load_layouts()
    meta = page.meta
    extraction = run(
        page.content, url=meta.url, captured_at=meta.captured_at, layouts=layouts, http_charset=meta.charset
    )
    return page.content, meta.charset, extraction.version, extraction.article, layouts


@functools.cache
def strategy(path: Path, kinds: tuple[str, ...]) -> st.SearchStrategy[MutatedPage]:
    content, charset, version, _, _ = bundled(path)
    return mutated_pages(content, version, kinds=kinds, charset=charset)


def outside_chrome(content: bytes, charset: str | None, version: LayoutVersion) -> list[str]:
    """What a reader sees of the page once every declared chrome region is gone."""
    root = parse_html(content, charset).root
    strip_noise(root)
    strip_boilerplate(root, version)
    return visible_lines(root)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_a_serialised_copy_of_a_page_extracts_as_the_page(path: Path) -> None:
    content, charset, version, article, layouts = bundled(path)
    copy = serialize(page_tree(content, charset))
    assert run(copy, url=read_page(path).meta.url, layouts=layouts, http_charset="utf-8").article == article


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
@EXAMPLES
@given(data=st.data())
def test_noise_and_whitespace_never_change_what_a_reader_sees(path: Path, data: st.DataObject) -> None:
    content, charset, version, _, _ = bundled(path)
    mutated = data.draw(strategy(path, ("noise", "whitespace")))
    seen = visible_lines(parse_html(mutated.content, "utf-8").root)
    assert seen == visible_lines(parse_html(content, charset).root), mutated.describe()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
@EXAMPLES
@given(data=st.data())
def test_only_declared_chrome_changes_and_it_stays_matchable(path: Path, data: st.DataObject) -> None:
    content, charset, version, _, _ = bundled(path)
    mutated = data.draw(strategy(path, MUTATION_KINDS))
    seen = outside_chrome(mutated.content, "utf-8", version)
    assert seen == outside_chrome(content, charset, version), mutated.describe()
    before = ChromeMap(parse_html(content, charset).root, version)
    after = ChromeMap(parse_html(mutated.content, "utf-8").root, version)
    copies = Counter(c.region for c in mutated.changes if isinstance(c, CopyInline))
    for region, matches in before.matches.items():
        assert len(after.found(region)) == len(matches) + copies.get(region, 0), (region, mutated.describe())


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("text", ReplaceText),
        ("items", RemoveItem),
        ("items", EmptyItems),
        ("items", DuplicateItem),
        ("items", MoveItem),
        ("items", AddItem),
        ("inline", MoveInline),
        ("inline", CopyInline),
        ("attributes", AddAttributes),
        ("attributes", AddTracking),
        ("noise", InsertNoise),
        ("whitespace", PadWhitespace),
    ],
)
def test_every_kind_of_change_is_generated_and_described(kind: str, cls: type[Mutation]) -> None:
    # Generation only: the point is that the kind turns up, not the smallest page on which it does.
    found = find(
        strategy(WITH_INLINE_BOX, (kind,)),
        lambda m: any(isinstance(c, cls) for c in m.changes),
        settings=settings(EXAMPLES, phases=[Phase.generate]),
    )
    change = next(c for c in found.changes if isinstance(c, cls))
    assert change.describe() and "\n" not in change.describe()
    assert change.describe() in repr(found) and change.kind == kind


def test_replacement_texts_include_right_to_left_and_other_scripts() -> None:
    rtl = find(chrome_texts, lambda t: any(unicodedata.bidirectional(c) in ("R", "AL") for c in t), settings=EXAMPLES)
    assert rtl
    assert find(chrome_texts, lambda t: any(ord(c) > 0x2FFF for c in t), settings=EXAMPLES)


@EXAMPLES
@given(data=st.data())
def test_attribute_names_never_use_a_name_the_layout_reads(data: st.DataObject) -> None:
    _, _, version, _, _ = bundled(WITH_INLINE_BOX)
    mutated = data.draw(strategy(WITH_INLINE_BOX, ("attributes",)))
    reserved = reserved_names(version)
    assert {"article-body", "related-news", "ticker-item"} <= reserved
    for change in mutated.changes:
        if isinstance(change, AddAttributes):
            assert not reserved & {*change.classes, change.id, *(f"data-{name}" for name, _ in change.data)}


def test_class_names_look_like_class_names() -> None:
    name = find(class_names, lambda n: len(n) > 3 and "-" in n, settings=EXAMPLES)
    assert name[0].isalpha() and name == name.lower()


def test_a_body_probe_marks_one_block_and_deletes_it() -> None:
    content, charset, version, article, layouts = bundled(WITH_INLINE_BOX)
    probe = find(body_probes(content, version, charset=charset), lambda p: p.block == 2, settings=EXAMPLES)
    marked = run(probe.with_canary, layout=article.layout, layouts=layouts, http_charset="utf-8").article
    assert [probe.canary.token in text for text in marked.body].count(True) == 1
    assert probe.canary.token in marked.body[2]
    without = run(probe.without_block, layout=article.layout, layouts=layouts, http_charset="utf-8").article
    assert without.body == article.body[:2] + article.body[3:]
    assert {c.place.split(" field")[0] for c in probe.field_canaries} >= {"the title", "the standfirst", "the tags"}


# ---- Profiles -----------------------------------------------------------------------------------


def test_the_profiles_are_registered_with_their_promises() -> None:
    register_profiles()
    ci, dev, thorough = (settings.get_profile(name) for name in (CI, DEV, THOROUGH))
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert HealthCheck.too_slow in ci.suppress_health_check
    assert ci.max_examples <= 100 < thorough.max_examples and thorough.max_examples >= 1000
    assert not dev.derandomize and dev.deadline is None


def test_the_property_tests_run_under_ci_unless_a_profile_was_chosen() -> None:
    previous = settings.get_current_profile_name()
    try:
        settings.load_profile("default")
        assert property_settings().max_examples == settings.get_profile(CI).max_examples
        assert property_settings().derandomize
        settings.load_profile(DEV)
        assert property_settings().max_examples == settings.get_profile(DEV).max_examples
        assert property_settings().deadline is None
    finally:
        settings.load_profile(previous)
