"""Property tests that do not trust the layout: body structure, synthetic elements per rule, chrome the
evidence finds, layouts that do not fit the page, and `check`'s untested rules.

Weakened copies of the Al Mayadeen layout, in the style of test_weakened_layouts.py: each drops or narrows one
body rule, and the body-structure property must fail for that reason, naming the layout key to change. Where
the chrome model is the weakened layout itself (as in the generated suite, and after a blind update), only
what the page shows can catch it: the text no rule reads, or a wrap that a selector depends on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from lxml import etree

from template_guard import LayoutSet, LayoutVersion, Page, load_layouts, read_page
from template_guard.engine.routing import PACKAGED_LAYOUTS
from template_guard.engine.selectors import Selector
from template_guard.testing.body_mutations import WrapBlocks, exclusion_template, wrappable_runs
from template_guard.testing.body_structure import assert_body_structure, check_coverage
from template_guard.testing.chrome_map import ChromeMap
from template_guard.testing.evidence_chrome import evidence_chrome, repeated_lines, with_evidence_chrome
from template_guard.testing.properties import Subject, assert_invariance, assert_no_leak
from template_guard.tools.cli import main

pytest_plugins = ["pytester"]

LAYOUT = "almayadeen-english"
LAYOUT_TEXT = (PACKAGED_LAYOUTS / f"{LAYOUT}.toml").read_text(encoding="utf-8")
PAGES = Path(__file__).parents[1] / "pages" / LAYOUT
WITH_TWEET = PAGES / "almaty-faced-6-waves.html"
PLAIN = PAGES / "over-5000-arrested.html"

SEARCH = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)

TWEET_RULE = '  { kind = "tweet", css = "blockquote.twitter-tweet, blockquote.twitter-tweet > p" },\n'
HEADING_RULE = '  { kind = "heading", css = "h2, h3" },\n'
PARAGRAPH_RULE = '  { kind = "paragraph", css = "p" },\n'
EXCLUDE = 'exclude = [{ css = "figure" }]\n'

WEAKENINGS = {
    "without-tweet-rule": (TWEET_RULE, ""),
    "without-heading-rule": (HEADING_RULE, ""),
    "without-exclude": (EXCLUDE, ""),
    # Right today (every paragraph is a child of the body container), wrong after the next redesign.
    "paragraphs-by-nesting": (PARAGRAPH_RULE, '  { kind = "paragraph", css = "div.article-body > p" },\n'),
}


def weakened(tmp_path: Path, name: str) -> LayoutSet:
    """Only the weakened copy of the layout, loaded from its own directory."""
    old, new = WEAKENINGS[name]
    assert old in LAYOUT_TEXT, f"{old!r} is not in the packaged layout any more; update this test"
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{LAYOUT}.toml").write_text(LAYOUT_TEXT.replace(old, new), encoding="utf-8")
    return load_layouts([folder], packaged=False)


def own_model(layouts: LayoutSet, page: Page) -> LayoutVersion:
    return layouts.get(LAYOUT).version_for(page.meta.capture_date)


def failure(subject: Subject) -> str:
    """The body-structure property's failure message, with hypothesis' notes."""
    with pytest.raises(AssertionError) as raised:
        assert_body_structure(subject, settings=SEARCH)
    return "\n".join([str(raised.value), *getattr(raised.value, "__notes__", [])])


# ---- No false alarm ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.html")), ids=lambda path: path.stem)
def test_the_intact_layout_passes_the_body_structure_property(path: Path) -> None:
    assert_body_structure(Subject.of(read_page(path), load_layouts()), settings=SEARCH)


# ---- The mutations themselves ------------------------------------------------------------------------------


def test_wrapping_blocks_moves_them_into_one_new_element_in_order() -> None:
    page = read_page(PLAIN)
    subject = Subject.of(page, load_layouts())
    root = subject.tree
    before = ChromeMap(root, subject.model)
    first, length = max(wrappable_runs(before), key=lambda run: run[1])
    assert length >= 3
    texts = ["".join(block.itertext()) for block in before.blocks]
    WrapBlocks(first + 1, 2, "section").apply(root, subject.model)
    after = ChromeMap(root, subject.model)
    assert ["".join(block.itertext()) for block in after.blocks] == texts
    wrapped = after.blocks[first + 1 : first + 3]
    assert {block.getparent().tag for block in wrapped} == {"section"}
    assert wrapped[0].getparent() is wrapped[1].getparent() is not after.blocks[first].getparent()
    assert subject.extract(root) == subject.baseline


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("figure", "<figure/>"),
        ("div.article-body aside.promo#box", '<aside class="promo" id="box"/>'),
        ("p:has(a), div.ad", '<div class="ad"/>'),
        ("p:has(a)", None),
    ],
)
def test_an_exclusion_template_is_built_from_the_rightmost_simple_compound(css: str, expected: str | None) -> None:
    built = exclusion_template(Selector.compile("css", css))
    assert (None if built is None else etree.tostring(built, encoding="unicode")) == expected


# ---- Weakened layouts: the chrome model is the intact layout ------------------------------------------------


def test_an_element_the_dropped_exclude_rule_matched_leaks_its_paragraph(tmp_path: Path) -> None:
    page = read_page(PLAIN)
    intact = own_model(load_layouts(), page)
    message = failure(Subject.of(page, weakened(tmp_path, "without-exclude"), model=intact))
    assert "inside an element body exclude rule 1 (css 'figure') matches reached the article" in message, message
    assert "check versions[0].fields.body.exclude[0]" in message, message
    assert "added a new <figure> (matched by body exclude rule 1) holding <p>tgcanary" in message, message


def test_a_copy_of_a_tweet_must_come_out_as_a_tweet(tmp_path: Path) -> None:
    page = read_page(WITH_TWEET)
    intact = own_model(load_layouts(), page)
    subject = Subject.of(page, weakened(tmp_path, "without-tweet-rule"), model=intact)
    message = failure(subject)
    assert "the copy of a tweet element holding tgcanary" in message, message
    assert "not as one tweet block; check versions[0].fields.body.blocks[0]" in message, message


# ---- Weakened layouts that are their own chrome model (the generated suite after a blind update) -------------


def test_text_no_block_rule_reads_fails_coverage_with_the_key_to_change(tmp_path: Path) -> None:
    page = read_page(PLAIN)
    layouts = weakened(tmp_path, "without-heading-rule")
    subject = Subject.of(page, layouts, model=own_model(layouts, page))
    with pytest.raises(AssertionError) as raised:
        check_coverage(subject)
    message = str(raised.value)
    assert "inside the body container that no block rule reads" in message, message
    assert " in <h2" in message or " in <h3" in message, message
    assert "add a block rule (versions[0].fields.body.blocks)" in message, message


def test_a_dropped_tweet_rule_leaves_the_attribution_unread(tmp_path: Path) -> None:
    page = read_page(WITH_TWEET)
    layouts = weakened(tmp_path, "without-tweet-rule")
    message = failure(Subject.of(page, layouts, model=own_model(layouts, page)))
    assert "no block rule reads" in message and "in <blockquote.twitter-tweet>" in message, message


def test_a_block_rule_that_relies_on_nesting_fails_when_blocks_are_wrapped(tmp_path: Path) -> None:
    page = read_page(PLAIN)
    layouts = weakened(tmp_path, "paragraphs-by-nesting")
    subject = Subject.of(page, layouts, model=own_model(layouts, page))
    check_coverage(subject)  # today every text is read: only a change of structure shows the weakness
    message = failure(subject)
    assert "wrapped body block" in message, message
    assert "the rest of the article changed" in message or "nowhere in the body" in message, message


# ---- A layout that does not fit fails every property, in one line -------------------------------------------

TINY_HEAD = 'name = "tiny"\ndomains = ["tiny.example"]\n\n[[versions]]\nname = "v1"\nvalid_from = 2020-01-01\n\n'
TINY = TINY_HEAD + (
    '[versions.boilerplate.menu]\ncss = "nav"\n\n[versions.fields.title]\ncss = "h1.headline"\nrequired = true\n\n'
    '[versions.fields.body]\ncss = "article"\nblocks = [{ kind = "paragraph", css = "p" }]\n'
)


def test_a_page_whose_required_title_matched_nothing_fails_every_property(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'template_guard_layouts = ["site-layouts"]\ntemplate_guard_tests = ["property", "structure"]\n'
    )
    (pytester.path / "site-layouts").mkdir()
    (pytester.path / "site-layouts" / "tiny.toml").write_text(TINY, encoding="utf-8")
    folder = pytester.path / "pages" / "tiny"
    folder.mkdir(parents=True)
    html = "<html><body><nav><a href='/'>Home</a></nav><article><h1>Title</h1><p>One.</p><p>Two.</p></article></body></html>"
    (folder / "one.html").write_text(html, encoding="utf-8")
    (folder / "one.json").write_text('{"url": "https://tiny.example/one", "captured_at": "2024-05-01T10:00:00Z"}')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rfE")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0 and outcomes.get("failed", 0) + outcomes.get("errors", 0) == 6, outcomes
    lines = [line for line in result.stdout.lines if "does not fit" in line]
    assert len(lines) >= 6 and all("'title' (css 'h1.headline') matched nothing" in line for line in lines), lines
    assert "Traceback" not in result.stdout.str()


# ---- Chrome the evidence finds, changed like declared chrome ----------------------------------------------


def test_undeclared_chrome_is_found_by_its_markup_and_on_the_other_pages() -> None:
    layouts = load_layouts()
    subjects = {path.stem: Subject.of(read_page(path), layouts) for path in sorted(PAGES.glob("*.html"))}
    subject = subjects[PLAIN.stem]
    others = [other.tree for stem, other in subjects.items() if stem != PLAIN.stem]
    page = ChromeMap(subject.tree, subject.model)
    found = {element: why for element, why in evidence_chrome(subject.tree, page, repeated_lines(others))}
    described = {f"{element.tag}.{element.get('class')}": why for element, why in found.items()}
    assert described.get("ul.share-list") == "its markup marks chrome", described
    assert described.get("footer.site-footer") == "its text is on every other page of the version", described
    article = {*page.blocks, *page.containers, *(element for _, element in page.field_elements)}
    assert not any(a in article for element in found for a in (*element.iter(), *element.iterancestors())), described
    marked, count = with_evidence_chrome(subject, repeated_lines(others))
    assert count == len(found) and len(marked.model.boilerplate) == len(subject.model.boilerplate) + count
    quick = settings(SEARCH, max_examples=10)
    assert_invariance(marked, settings=quick, kinds=("text", "attributes", "inline"))
    assert_no_leak(marked, settings=quick, kinds=("text", "attributes", "inline"))


TINY_BY_POSITION = TINY_HEAD + (
    '[versions.fields.title]\ncss = "h1"\n\n[versions.fields.standfirst]\ncss = "div.article-body > p:first-child"\n\n'
    '[versions.fields.body]\ncss = "div.article-body"\nblocks = [{ kind = "paragraph", css = "p" }]\n'
)

PROMO_FIRST = (
    "<html><body><article><h1>Headline</h1><div class='article-body'>"
    "<div class='promo-box'>Subscribe <a href='/s'>today</a></div>"
    "<p>The river rose by two metres overnight.</p><p>Residents were moved to the school.</p>"
    "</div></article></body></html>"
)


def test_a_field_that_counts_on_undeclared_chrome_staying_put_fails(tmp_path: Path) -> None:
    (tmp_path / "tiny.toml").write_text(TINY_BY_POSITION, encoding="utf-8")
    layouts = load_layouts([tmp_path], packaged=False)
    subject = Subject.from_content(
        PROMO_FIRST.encode(), url="https://tiny.example/a", captured_at=None, layouts=layouts, charset="utf-8"
    )
    assert subject.baseline.standfirst is None  # today the promo box is the first child: no standfirst is read
    marked, count = with_evidence_chrome(subject)
    assert count == 1
    with pytest.raises(AssertionError) as raised:
        assert_invariance(marked, settings=SEARCH, kinds=("inline",))
    message = str(raised.value)
    assert "moved the evidence 1 <div.promo-box> (its markup marks chrome) box after body block" in message, message
    assert "standfirst" in message, message


# ---- check: rules no page tests are reported as untested ---------------------------------------------------


def test_check_reports_untested_exclude_rules_and_optional_regions_as_notices(tmp_path: Path) -> None:
    pages = tmp_path / "pages" / LAYOUT
    pages.mkdir(parents=True)
    for suffix in (".html", ".json"):
        (pages / PLAIN.with_suffix(suffix).name).write_bytes(PLAIN.with_suffix(suffix).read_bytes())
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    text = LAYOUT_TEXT.replace(EXCLUDE, 'exclude = [{ css = "figure" }, { css = "h2, h3" }]\n')
    text = text.replace(
        "[versions.fields.title]",
        '[versions.boilerplate.promo]\ncss = "div.no-such-promo"\noptional = true\n\n[versions.fields.title]',
    )
    (layouts / f"{LAYOUT}.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "pages"), "--layouts-dir", str(layouts)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    rows = {
        line.split()[2]: line
        for line in result.output.splitlines()
        if line.split()[1:2] in (["exclude"], ["boilerplate"])
    }
    assert rows["exclude[0]"].split()[0] == "notice", rows
    assert "untested: matched nothing on the 1 page checked" in rows["exclude[0]"], rows
    assert "(versions[0].fields.body.exclude[0] in almayadeen-english.toml)" in rows["exclude[0]"], rows
    assert rows["exclude[1]"].split()[0] == "ok" and "excluded on 1/1 pages" in rows["exclude[1]"], rows
    assert rows["promo"].split()[0] == "notice" and "untested: optional region" in rows["promo"], rows
