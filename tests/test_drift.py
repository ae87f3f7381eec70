"""Drift diagnostics: when pages no longer fit their layout, `check` says why and where to fix it, and fails.

The layout under test is the real Al Mayadeen layout, copied under another name and host so that its
pages can live in a scratch pages directory; the pages are the real captures, changed the way a
redesign would change them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from template_guard import NoLayoutError, load_layouts
from template_guard.engine.diagnostics import Finding, SelectorHealth, SelectorUse, page_findings, selector_health
from template_guard.engine.pipeline import Extraction, run_page
from template_guard.engine.routing import LayoutSet
from template_guard.tools.cli import EXIT_PROBLEMS, main

REPO = Path(__file__).resolve().parents[1]
REAL_LAYOUT = REPO / "template_guard" / "layouts" / "almayadeen-english.toml"
REAL_PAGES = REPO / "pages" / "almayadeen-english"
NAME = "almayadeen-drift"
FILE = f"{NAME}.toml"
HOST = "drift.example"
TWEET_PAGE = "almaty-faced-6-waves"
PLAIN_PAGE = "over-5000-arrested"  # no tweet, no related box


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def drift_layout(*edits: tuple[str, str]) -> str:
    """The real layout, renamed and moved to HOST, with `edits` applied."""
    text = REAL_LAYOUT.read_text(encoding="utf-8")
    text = replace_once(text, 'name = "almayadeen-english"', f'name = "{NAME}"')
    text = replace_once(text, 'domains = ["english.almayadeen.net"]', f'domains = ["{HOST}"]')
    text = replace_once(text, '"https://english.almayadeen.net/news/*"', f'"https://{HOST}/news/*"')
    for old, new in edits:
        text = replace_once(text, old, new)
    return text


@dataclass
class Site:
    """A scratch layouts directory and pages directory for the drift layout."""

    root: Path

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    def layout(self, *edits: tuple[str, str]) -> None:
        self.layouts_dir.mkdir(exist_ok=True)
        (self.layouts_dir / FILE).write_text(drift_layout(*edits), encoding="utf-8")

    def page(self, slug: str, *edits: tuple[bytes, bytes], captured_at: str | None = None, source: str | None = None) -> Path:
        """A real capture (`source`, default `slug`) under the drift layout, with `edits` applied to its HTML."""
        content = (REAL_PAGES / f"{source or slug}.html").read_bytes()
        for old, new in edits:
            assert content.count(old) >= 1, old
            content = content.replace(old, new, 1)
        meta = json.loads((REAL_PAGES / f"{source or slug}.json").read_text(encoding="utf-8"))
        meta["url"] = f"https://{HOST}/news/{slug}"
        if captured_at:
            meta["captured_at"] = captured_at
        path = self.pages_dir / NAME / f"{slug}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        return path

    def real_pages(self) -> None:
        for page in sorted(REAL_PAGES.glob("*.html")):
            self.page(page.stem)

    def check(self) -> tuple[int, str]:
        result = CliRunner().invoke(
            main, ["check", str(self.pages_dir), "--layouts-dir", str(self.layouts_dir)], catch_exceptions=False
        )
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout

    def layouts(self) -> LayoutSet:
        return load_layouts([self.layouts_dir])

    def extractions(self) -> list[Extraction]:
        layouts = self.layouts()
        return [run_page(path, layouts=layouts) for path in sorted(self.pages_dir.glob(f"{NAME}/*.html"))]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    site.layout()
    yield site


def page_section(output: str, slug: str) -> list[str]:
    """The check output lines of one page: its status line and the findings under it."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^  \w+ +{NAME}/{slug}[ :]", line))
    section = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("           "):
            break
        section.append(line.strip())
    return section


def health_row(output: str, role: str, name: str) -> str:
    return next(line for line in output.splitlines() if re.match(rf"^\s+\w+\s+{role}\s+{re.escape(name)}\s", line))


def findings_of(site: Site, slug: str) -> list[Finding]:
    layouts = site.layouts()
    return page_findings(run_page(site.pages_dir / NAME / f"{slug}.html", layouts=layouts))


def test_the_undamaged_copy_passes(site: Site) -> None:
    # The control: every failure below comes from the change the test makes, not from the copy.
    site.real_pages()
    code, output = site.check()
    assert code == 0, output
    assert "4 pages checked: 0 errors, 0 warnings" in output


def test_a_required_field_that_matched_nothing(site: Site) -> None:
    site.real_pages()
    site.page(PLAIN_PAGE, (b'class="article-title"', b'class="headline"'))
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    status, *findings = page_section(output, PLAIN_PAGE)
    assert status.split()[0] == "error"
    assert findings == [
        "error: required field 'title' (css 'h1.article-title') matched nothing; "
        f"fix versions[0].fields.title in {FILE}, or add a layout version if the site was redesigned"
    ]
    assert health_row(output, "field", "title").split()[0] == "error"
    assert "required, but empty on 1/4 pages; fix the selector of versions[0].fields.title" in health_row(output, "field", "title")


def test_a_body_cut_short_by_a_redesign_is_far_shorter_than_the_visible_text(site: Site) -> None:
    # The redesign closes the body container after the first paragraph; the rest of the article follows it.
    page = site.page(PLAIN_PAGE)
    html = page.read_bytes()
    body = html.index(b'<div class="article-body">')
    first_paragraph_end = html.index(b"</p>", body) + len(b"</p>")
    page.write_bytes(html[:first_paragraph_end] + b'</div><div class="article-more">' + html[first_paragraph_end:])
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    (finding,) = [f for f in findings_of(site, PLAIN_PAGE) if f.status == "error"]
    assert re.fullmatch(
        r"the body holds \d+ characters, but \d+ passage\(s\) of prose \(\d+ characters\) are visible outside the "
        r"body and every boilerplate region, e\.g\. '.+': the body selector \(css 'div\.article-body'\) no longer "
        rf"covers the article; fix versions\[0\]\.fields\.body in {re.escape(FILE)}, or declare that text as a "
        r"boilerplate region if it is chrome",
        finding.message,
    ), finding.message
    numbers = re.match(r"the body holds (\d+) characters, but \d+ passage\(s\) of prose \((\d+) characters\)", finding.message)
    assert numbers is not None
    assert 0 < int(numbers[1]) < int(numbers[2])  # the first paragraph is in, the rest is out
    assert f"error: {finding.message}" in page_section(output, PLAIN_PAGE)


def test_an_empty_body_also_says_where_the_article_text_went(site: Site) -> None:
    site.page(PLAIN_PAGE, (b'<div class="article-body">', b'<div class="story-body">'))
    messages = [f.message for f in findings_of(site, PLAIN_PAGE)]
    assert messages[0] == (
        "required field 'body' (css 'div.article-body') matched nothing; "
        f"fix versions[0].fields.body in {FILE}, or add a layout version if the site was redesigned"
    )
    assert messages[1].startswith("the body holds 0 characters, but ")
    assert len(messages) == 2


def test_block_rules_that_no_longer_catch_the_paragraphs(site: Site) -> None:
    page = site.page(PLAIN_PAGE)
    html = page.read_bytes()
    start = html.index(b'<div class="article-body">')
    end = html.index(b"</main>", start)
    # The redesign writes paragraphs as <div class="para">; one <p> is left, so the body is not empty.
    middle = html[start:end].replace(b"<p>", b'<div class="para">').replace(b"</p>", b"</div>")
    middle = middle.replace(b'<div class="para">', b"<p>", 1).replace(b"</div>", b"</p>", 1)
    page.write_bytes(html[:start] + middle + html[end:])
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    messages = [f.message for f in findings_of(site, PLAIN_PAGE) if f.status == "error"]
    assert any(
        re.fullmatch(
            r"the body blocks hold \d+ characters but the body container holds \d+: the block rules no longer catch "
            rf"most of the body \(did its paragraph markup change\?\); fix versions\[0\]\.fields\.body\.blocks in {re.escape(FILE)}",
            message,
        )
        for message in messages
    ), messages


def test_a_stale_boilerplate_region_fails_check(site: Site) -> None:
    site.layout(("[versions.boilerplate.read-time]", '[versions.boilerplate.ad-banner]\ncss = "div.ad-banner"\n\n[versions.boilerplate.read-time]'))
    site.real_pages()
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    row = health_row(output, "boilerplate", "ad-banner")
    assert row.split()[0] == "error"
    assert row.endswith(
        f"stale rule: matched nothing on any of the 4 pages checked; fix the selector of "
        f"versions[0].boilerplate.ad-banner in {FILE}, or delete the region if the site dropped it, "
        "or set optional = true if only some pages have it"
    )
    assert "4 pages checked: 1 errors, 0 warnings" in output  # the pages themselves are fine


def test_a_field_that_never_matches_fails_check(site: Site) -> None:
    site.layout(('css = "ul.article-tags li"', 'css = "ul.tag-list li"'))
    site.real_pages()
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    row = health_row(output, "field", "tags")
    assert row.split()[0] == "error"
    assert row.endswith(
        f"found no value on any of the 4 pages checked; fix the selector of versions[0].fields.tags in {FILE}, "
        "or delete the field"
    )


def test_a_block_rule_that_never_matches_is_only_a_notice(site: Site) -> None:
    site.page(PLAIN_PAGE)  # a page without a tweet: the tweet block rule finds nothing
    code, output = site.check()
    assert code == 0, output
    row = health_row(output, "block", "tweet")
    assert row.split()[0] == "notice"
    assert row.endswith(
        f"no block on the 1 page checked: a rare kind of block, or a stale rule (versions[0].fields.body.blocks[0] in {FILE})"
    )


def test_a_capture_date_before_every_version(site: Site) -> None:
    site.real_pages()
    site.page(PLAIN_PAGE, captured_at="2019-05-01T12:00:00Z")
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    (line,) = page_section(output, PLAIN_PAGE)
    assert line.split()[0] == "error"
    assert line.endswith(
        f"no version of layout {NAME} covers the capture date 2019-05-01 (versions: 2021: 2021-01-01 to open); "
        f"start version '2021' earlier, or add an earlier version, in {FILE}"
    )


def test_a_capture_date_after_the_last_version_ends(site: Site) -> None:
    site.layout(('valid_from = 2021-01-01', "valid_from = 2021-01-01\nvalid_until = 2025-01-01"))
    site.page(PLAIN_PAGE)  # captured 2025-11-04
    code, output = site.check()
    assert code == EXIT_PROBLEMS
    assert page_section(output, PLAIN_PAGE)[0].endswith(
        f"no version of layout {NAME} covers the capture date 2025-11-04 (versions: 2021: 2021-01-01 to 2025-01-01); "
        f"add a version whose range includes 2025-11-04 to {FILE}"
    )


# ---- the same through the API ----------------------------------------------------------------------


def health(site: Site) -> dict[tuple[str, str], SelectorHealth]:
    (layout,) = [layout for layout in site.layouts() if layout.name == NAME]
    return {(row.role, row.name): row for row in selector_health(layout, site.extractions())}


def test_selector_health_statuses(site: Site) -> None:
    site.layout(
        ("[versions.boilerplate.read-time]", '[versions.boilerplate.ad-banner]\ncss = "div.ad-banner"\n\n[versions.boilerplate.read-time]'),
        ('css = "ul.article-tags li"', 'css = "ul.tag-list li"'),
    )
    site.page(PLAIN_PAGE)
    site.page(TWEET_PAGE)
    rows = health(site)
    assert rows[("boilerplate", "ad-banner")].status == "error"
    assert rows[("boilerplate", "ticker")].status == "ok"
    assert rows[("field", "tags")].status == "error"
    assert rows[("field", "title")].status == "ok"
    assert rows[("block", "tweet")].status == "ok"  # found on one of the two pages
    assert (rows[("block", "tweet")].pages, rows[("block", "tweet")].pages_matched) == (2, 1)


def test_selector_health_from_counts_alone_is_the_same(site: Site) -> None:
    site.layout(('css = "ul.article-tags li"', 'css = "ul.tag-list li"'))  # a field that finds nothing
    site.page(PLAIN_PAGE)
    site.page(TWEET_PAGE)
    (layout,) = [layout for layout in site.layouts() if layout.name == NAME]
    extractions = site.extractions()
    from_counts = selector_health(layout, [SelectorUse.of(extraction) for extraction in extractions])
    assert from_counts == selector_health(layout, extractions)
    assert {row.status for row in from_counts} >= {"ok", "error"}


def test_an_optional_region_absent_from_some_pages_is_fine(site: Site) -> None:
    site.page(PLAIN_PAGE)  # has no related box
    site.page(TWEET_PAGE)  # has one
    rows = health(site)
    assert (rows[("boilerplate", "related-inline")].status, rows[("boilerplate", "related-inline")].pages_matched) == ("ok", 1)


def test_page_findings_of_a_fitting_page_are_empty(site: Site) -> None:
    site.real_pages()
    assert all(page_findings(extraction) == [] for extraction in site.extractions())


def test_the_capture_date_picks_nothing_outside_the_versions(site: Site) -> None:
    (layout,) = [layout for layout in site.layouts() if layout.name == NAME]
    with pytest.raises(NoLayoutError) as raised:
        layout.version_for(dt.date(2020, 12, 31))
    assert str(raised.value).endswith(f"start version '2021' earlier, or add an earlier version, in {FILE}")


def test_a_single_valued_field_with_different_matches_is_a_warning(tmp_path) -> None:
    from template_guard import load_layouts, run
    from template_guard.engine.diagnostics import page_findings

    (tmp_path / "two.toml").write_text(
        'name = "two"\ndomains = ["two.example"]\n[[versions]]\nname = "v1"\nvalid_from = 2020-01-01\n'
        '[versions.fields.title]\ncss = "h1"\n[versions.fields.body]\ncss = "article"\n'
        'blocks = [{ kind = "paragraph", css = "p" }]\n'
    )
    layouts = load_layouts([tmp_path], packaged=False)
    page = "<h1>{}</h1><h1>{}</h1><article><p>Body</p></article>"
    same = run(page.format("One", "One").encode(), url="https://two.example/a", layouts=layouts)
    different = run(page.format("One", "Two").encode(), url="https://two.example/a", layouts=layouts)
    assert same.article.title == different.article.title == "One"
    assert page_findings(same) == []
    [finding] = page_findings(different)
    assert finding.status == "warning"
    assert "field 'title' (css 'h1') matched 2 elements with 2 different values; the first was used" in finding.message
