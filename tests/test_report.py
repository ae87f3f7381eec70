"""The HTML report without a browser: the sanitiser, the overlay marks, the rendered file, the command."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from template_guard import Block, load_layouts, run, run_page
from template_guard.report import PageReport, ReportFinding, mark_page, page_status, render_report, sanitise
from template_guard.report.sanitise import sanitise_css
from template_guard.store.snapshot_file import render_snapshot
from template_guard.tools.cli import main

REPO = Path(__file__).parents[1]
PAGE = REPO / "pages" / "almayadeen-english" / "almaty-faced-6-waves.html"
PAGE_ID = "almayadeen-english/almaty-faced-6-waves"

HOSTILE = """<!DOCTYPE html><html><head>
<meta http-equiv="refresh" content="0; url=http://127.0.0.1:9/away">
<meta name="author" content="A. Writer"><base href="http://127.0.0.1:9/">
<link rel="stylesheet" href="http://127.0.0.1:9/style.css"><link rel="icon" href="/favicon.ico">
<style>@import url("http://127.0.0.1:9/more.css"); body { background: url(http://127.0.0.1:9/bg.png) }
h1 { background: url("data:image/png;base64,AAAA") } p:after { content: "</style><script>alert(1)</script>" }</style>
<script>window.owned = 1</script></head>
<body onload="window.owned = 2"><h1 onclick="window.owned = 3" style="background-image: url('http://127.0.0.1:9/x.png')">Title</h1>
<a href="javascript:window.owned = 4">bad</a> <a href="#top">top</a> <a href="http://127.0.0.1:9/next">next</a>
<img src="http://127.0.0.1:9/pixel.gif" srcset="http://127.0.0.1:9/big.gif 2x" onerror="window.owned = 5">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<iframe src="http://127.0.0.1:9/frame" width="300" height="200"></iframe><object data="x.swf"></object>
<svg><a xlink:href="javascript:alert(1)"><text>svg</text></a><animate attributeName="href" to="javascript:alert(1)"/></svg>
<form action="http://127.0.0.1:9/post"><button formaction="javascript:alert(1)">go</button></form>
<noscript><img src="http://127.0.0.1:9/noscript.gif"></noscript><!-- <script>alert(1)</script> --><p>kept text</p>
</body></html>"""


def sanitised(markup: str) -> etree._Element:
    root = html.document_fromstring(markup)
    sanitise(root)
    return root


def live_attributes(root: etree._Element) -> list[tuple[str, str, str]]:
    """Every attribute a browser would act on: all but the report's own `data-tg-*` ones."""
    return [
        (str(element.tag), str(name), str(value))
        for element in root.iter()
        if isinstance(element.tag, str)
        for name, value in element.attrib.items()
        if not str(name).startswith("data-tg-")
    ]


def test_the_sanitiser_leaves_nothing_that_runs_loads_or_navigates() -> None:
    root = sanitised(HOSTILE)
    tags = {str(element.tag) for element in root.iter() if isinstance(element.tag, str)}
    assert not tags & {"script", "base", "link", "iframe", "object", "noscript", "animate"}
    assert [m.attrib for m in root.iter("meta")] == [{"name": "author", "content": "A. Writer"}]
    attributes = live_attributes(root)
    assert not [a for a in attributes if a[1].lower().startswith("on")]
    assert not [a for a in attributes if "javascript:" in a[2] or "127.0.0.1" in a[2]]
    assert not [a for a in attributes if a[1].split(":")[-1] in ("src", "srcset", "href", "action", "formaction", "data")
                and not (a[2].startswith("#") or a[2].startswith("data:image/"))]
    assert root.xpath("//a[@href='#top']") and root.xpath("//img[starts-with(@src, 'data:image/gif')]")
    # What was cut stays readable for a reviewer, under data-tg-off-*.
    assert root.xpath("//a[not(ancestor::svg)]/@data-tg-off-href") == ["javascript:window.owned = 4", "http://127.0.0.1:9/next"]
    assert [p.get("data-tg-placeholder") for p in root.xpath("//div[@data-tg-placeholder]")] == ["iframe", "object"]
    assert "width:300px;height:200px;" in root.xpath("//div[@data-tg-placeholder='iframe']/@style")[0]
    assert "kept text" in root.text_content()
    style = root.find(".//style").text
    assert "@import" not in style and "127.0.0.1" not in style and "data:image/png" in style
    assert "</" not in style  # the browser cannot be made to end the style element early


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("a { background: url(http://x/y.png) }", "a { background: none }"),
        ("a { background: URL( 'x.png' ) red }", "a { background: none red }"),
        ('@import "x.css"; b { color: red }', " b { color: red }"),
        ("a { background: image-set('x.png' 1x) }", "a { background: none }"),
        ("a { background: url(data:image/png;base64,AA) }", "a { background: url(data:image/png;base64,AA) }"),
        ("a { background: url(data:text/html,<b>) }", "a { background: none }"),
    ],
)
def test_css_keeps_no_external_reference(css: str, expected: str) -> None:
    assert sanitise_css(css) == expected


def marked_elements(root: etree._Element, attribute: str, value: str) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str) and value in (e.get(attribute) or "").split()]


def test_marks_sit_on_the_elements_the_extraction_used() -> None:
    extraction = run_page(PAGE)
    marked = mark_page(extraction)
    root = marked.root
    for region in extraction.removed:
        elements = marked_elements(root, "data-tg-region", region.name)
        assert len(elements) == len(region.elements), region.name
        assert [(e.tag, e.sourceline, e.get("class")) for e in elements] == [
            (e.tag, e.sourceline, e.get("class")) for e in region.elements
        ]
    blocks = extraction.article.blocks
    assert len([m for m in marked.marks if m.role == "block"]) == len(blocks)
    for number, block in enumerate(blocks, 1):
        (element,) = marked_elements(root, "data-tg-block", str(number))
        assert block.kind in element.get("data-tg-kind", "").split()
        assert block.text[:40] in " ".join(element.xpath("string()").split())
    (title,) = marked_elements(root, "data-tg-field", "title")
    assert " ".join(title.xpath("string()").split()) == extraction.article.title
    # Each mark id names exactly one element, so a panel entry finds its overlay.
    for mark in marked.marks:
        assert len(marked_elements(root, "data-tg-mark", mark.id)) == 1
    assert marked.notes == ()


def test_findings_mark_their_block_and_the_rest_go_to_the_panel() -> None:
    extraction = run_page(PAGE)
    findings = [ReportFinding("leak", "looks like a related box", block=5), ReportFinding("page", "a page note"),
                ReportFinding("far", "beyond the last block", block=len(extraction.article.blocks) + 1)]
    marked = mark_page(extraction, findings)
    (element,) = marked_elements(marked.root, "data-tg-finding", "leak")
    assert element.get("data-tg-block") == "5"
    assert [note.label for note in marked.notes] == ["page", "far"]


def test_marks_a_page_brought_itself_are_dropped() -> None:
    content = PAGE.read_bytes().replace(b"<body", b'<body data-tg-mark="m1" data-tg-region="ticker"', 1)
    marked = mark_page(run(content, url="https://english.almayadeen.net/news/politics/x", source="forged.html"))
    assert marked.root.find("body").get("data-tg-mark") is None
    assert len(marked_elements(marked.root, "data-tg-mark", "m1")) == 1


def frame_of(report: str) -> etree._Element:
    """The page document embedded in a report."""
    (iframe,) = html.document_fromstring(report).xpath("//iframe[@id='tg-page']")
    return html.document_fromstring(iframe.get("srcdoc"))


def test_the_report_lets_only_its_own_script_run() -> None:
    report = render_report(PageReport(PAGE_ID, run_page(PAGE), diff=("body: 17 → 18 blocks",)))
    document = html.document_fromstring(report)
    (policy,) = document.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce and "default-src 'none'" in policy
    assert [s.get("nonce") for s in document.iter("script")] == [nonce[1]]
    (iframe,) = document.xpath("//iframe")
    assert "allow-scripts" not in iframe.get("sandbox") and iframe.get("src") is None
    page = frame_of(report)
    assert not list(page.iter("script")) and page.xpath("//meta[@http-equiv='Content-Security-Policy']")
    assert document.xpath("//meta[@name='template-guard-status']/@content") == ["failing"]
    assert "body: 17 → 18 blocks" in document.get_element_by_id("tg-diff").text_content()


def test_every_mark_has_a_panel_entry_pointing_at_it() -> None:
    extraction = run_page(PAGE)
    report = render_report(PageReport(PAGE_ID, extraction))
    targets = html.document_fromstring(report).xpath("//button[@class and @data-tg-target]/@data-tg-target")
    page = frame_of(report)
    marks = {m for e in page.iter() if isinstance(e.tag, str) for m in (e.get("data-tg-mark") or "").split()}
    assert sorted(targets) == sorted(marks) and len(targets) == len(mark_page(extraction).marks)


def test_status_says_failing_problems_or_ok() -> None:
    extraction = run_page(PAGE)
    report = PageReport(PAGE_ID, extraction)
    assert page_status(report, []) == "ok"
    assert page_status(report, [ReportFinding("warning", "two titles")]) == "problems"
    assert page_status(report, [ReportFinding("error", "body too short")]) == "failing"
    assert page_status(PageReport(PAGE_ID, extraction, diff=("title: a → b",)), []) == "failing"


def test_the_report_command_writes_a_report_per_page_and_an_index(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    changed = snapshots / "almayadeen-english" / "over-5000-arrested.txt"
    changed.parent.mkdir(parents=True)
    pages = [str(PAGE), str(REPO / "pages" / "almayadeen-english" / "over-5000-arrested.html")]
    article = run_page(pages[1]).article
    gone = Block("paragraph", "A paragraph the page no longer has.")
    changed.write_text(render_snapshot(dataclasses.replace(article, blocks=(*article.blocks, gone))), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", *pages, "-o", str(out), "--snapshots", str(snapshots)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"wrote {out / 'index.html'} (1 failing, 0 problems, 1 ok)"
    index = html.parse(str(out / "index.html")).getroot()
    rows = [(row.findtext(".//a"), row.xpath("string(td[2])"), row.find(".//a").get("href")) for row in index.xpath("//tr[@class='tg-row']")]
    assert rows == [
        (PAGE_ID, "ok", f"{PAGE_ID}.html"),
        ("almayadeen-english/over-5000-arrested", "failing", "almayadeen-english/over-5000-arrested.html"),
    ]
    diff = html.parse(str(out / "almayadeen-english" / "over-5000-arrested.html")).getroot().get_element_by_id("tg-diff")
    assert "A paragraph the page no longer has." in diff.text_content() and "removed" in diff.text_content()


def test_the_report_command_reports_a_bad_page_in_one_line_and_carries_on(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    result = CliRunner().invoke(main, ["report", str(missing), str(PAGE), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"error: {missing}: no such file" in result.output and "Traceback" not in result.output
    assert (tmp_path / "out" / "almayadeen-english" / "almaty-faced-6-waves.html").is_file()


EXCLUDING_LAYOUT = """\
name = "boxes"
domains = ["boxes.example"]

[[versions]]
valid_from = 2020-01-01
name = "first"

[versions.fields.body]
css = "div.body"
blocks = [{ kind = "quote", css = "blockquote" }, { kind = "paragraph", css = "p" }]
exclude = [{ css = "figure" }]
drop_text = ["^Read more:"]

[versions.fields.title]
css = "h1"

[versions.boilerplate.related]
css = "aside.related"
placement = "inline"
"""

BOXES_PAGE = b"""<html><body><h1>Boxes</h1><div class="body"><p>First.</p>
<figure><p>A caption.</p></figure><aside class="related"><p>Related story</p></aside>
<blockquote>Before <p>Inner.</p> after.</blockquote><p>Read more: elsewhere</p><p>Last.</p></div></body></html>"""


def test_exclusions_dropped_blocks_and_split_blocks_are_marked(tmp_path: Path) -> None:
    (tmp_path / "boxes.toml").write_text(EXCLUDING_LAYOUT, encoding="utf-8")
    extraction = run(BOXES_PAGE, layout="boxes", layouts=load_layouts([tmp_path]))
    assert [(b.kind, b.text) for b in extraction.article.blocks] == [
        ("paragraph", "First."), ("quote", "Before"), ("paragraph", "Inner."), ("quote", "after."), ("paragraph", "Last.")
    ]
    marked = mark_page(extraction)
    root = marked.root
    assert [e.tag for e in marked_elements(root, "data-tg-excluded", "true")] == ["figure"]
    assert [e.text for e in marked_elements(root, "data-tg-dropped", "true")] == ["Read more: elsewhere"]
    assert [e.tag for e in marked_elements(root, "data-tg-region", "related")] == ["aside"]
    # The quote split by its inner paragraph is one element carrying blocks 2 and 4.
    (quote,) = root.iter("blockquote")
    assert quote.get("data-tg-block") == "2 4" and quote.get("data-tg-kind") == "quote"
    assert [m.label for m in marked.marks if m.role == "block"] == [
        "1 paragraph", "2 quote", "3 paragraph", "4 quote", "5 paragraph"
    ]
    assert marked_elements(root, "data-tg-block", "5")[0].text == "Last."
    assert marked.notes == ()
