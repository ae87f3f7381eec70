"""The HTML report in a real browser: overlays where the elements are, the legend and panel work, and a
hostile page can neither run nor load nor navigate anything.

Needs the `browser` extra (Playwright for Python) and the system's Chromium at /usr/bin/chromium; never
downloads a browser. Screenshots of each report go to report-screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from template_guard import run, run_page
from template_guard.report import PageReport, ReportFinding, mark_page, render_report
from template_guard.report.marking import ROLES
from template_guard.testing.diff import describe_changes

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).parents[1]
PAGE = REPO / "pages" / "almayadeen-english" / "almaty-faced-6-waves.html"
PAGE_URL = "https://english.almayadeen.net/news/politics/almaty-faced-6-waves-of-attacks-kazakh-president"
SCREENSHOTS = REPO / "report-screenshots"
# Headless, and nothing of Chromium's own reaching out; every host but loopback resolves to nothing.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1400, "height": 900}

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright for Python: pip install 'template_guard[browser]'"
)
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def open_report(tab: Any, path: Path, report: PageReport) -> Any:
    """Write `report`, open it and wait until its script drew the overlays; the page frame's locator."""
    path.write_text(render_report(report), encoding="utf-8")
    tab.goto(path.as_uri())
    tab.wait_for_function("document.body.dataset.tgDrawn !== undefined")
    return tab.frame_locator("#tg-page")


def screenshot(tab: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return dict(found)


def assert_same_box(a: dict[str, float], b: dict[str, float]) -> None:
    assert all(abs(a[key] - b[key]) <= 1 for key in ("x", "y", "width", "height")), (a, b)


def test_overlays_sit_on_the_marked_elements(tab: Any, tmp_path: Path) -> None:
    extraction = run_page(PAGE)
    marks = mark_page(extraction).marks
    frame = open_report(tab, tmp_path / "report.html", PageReport("almayadeen-english/almaty", extraction))
    chosen = [
        next(m for m in marks if m.role == "region" and m.label == "ticker"),
        next(m for m in marks if m.role == "block" and m.label == "1 paragraph"),
        next(m for m in marks if m.role == "field" and m.label == "title"),
        next(m for m in marks if m.role == "field" and m.label == "body"),
    ]
    for mark in chosen:
        element = frame.locator(f'[data-tg-mark~="{mark.id}"]')
        overlay = frame.locator(f'#tg-overlays [data-tg-for="{mark.id}"]')
        assert overlay.get_attribute("class") == f"tg-box tg-role-{mark.role}"
        assert overlay.locator(".tg-box-label").text_content() == mark.label
        assert_same_box(box(element), box(overlay))
    # Every rendered mark has its overlay; the hidden search box and mobile menu are listed as not rendered.
    unrendered = tab.locator(".tg-entry.tg-unrendered")
    drawn = frame.locator("#tg-overlays .tg-box").count()
    assert drawn + unrendered.count() == len(marks) and drawn >= 40
    assert {"search", "mobile-menu"} <= set(unrendered.locator(".tg-label").all_text_contents())
    screenshot(tab, "almayadeen-overlays")


def test_a_panel_entry_scrolls_its_element_into_view(tab: Any, tmp_path: Path) -> None:
    extraction = run_page(PAGE)
    article = extraction.article
    last = f"{len(article.blocks)} {article.blocks[-1].kind}"
    mark = next(m for m in mark_page(extraction).marks if m.label == last)
    # As if the snapshot predated the last block: the panel shows the diff.
    diff = tuple(describe_changes(dataclasses.replace(article, blocks=article.blocks[:-1]), article))
    frame = open_report(tab, tmp_path / "report.html", PageReport("almayadeen-english/almaty", extraction, diff=diff))
    assert tab.locator("#tg-diff").is_visible() and f"block {len(article.blocks)} (paragraph) added" in (
        tab.locator("#tg-diff").text_content() or ""
    )
    frame_height = box(tab.locator("#tg-page"))["height"]
    element = frame.locator(f'[data-tg-mark~="{mark.id}"]')
    assert box(element)["y"] > frame_height  # below the fold before the click
    entry = tab.locator(f'.tg-entry[data-tg-target="{mark.id}"]')
    entry.click()
    tab.wait_for_function(
        "([id, h]) => { const r = document.getElementById('tg-page').contentDocument"
        ".querySelector(`[data-tg-mark~='${id}']`).getBoundingClientRect(); return r.top >= 0 && r.bottom <= h; }",
        arg=[mark.id, frame_height],
    )
    assert entry.get_attribute("aria-current") == "true"
    assert "tg-active" in (frame.locator(f'#tg-overlays [data-tg-for="{mark.id}"]').get_attribute("class") or "")
    assert_same_box(box(element), box(frame.locator(f'#tg-overlays [data-tg-for="{mark.id}"]')))
    screenshot(tab, "almayadeen-after-panel-click")


def test_the_legend_names_each_kind_in_its_colour_and_toggles_it(tab: Any, tmp_path: Path) -> None:
    extraction = run_page(PAGE)
    findings = (ReportFinding("leak", "a related-news box inside the body?", block=3),)
    frame = open_report(tab, tmp_path / "report.html", PageReport("almayadeen-english/almaty", extraction, findings))
    items = tab.locator(".tg-legend-item")
    assert [items.nth(i).get_attribute("data-tg-role") for i in range(items.count())] == list(ROLES)
    colour = "el => getComputedStyle(el).{}"
    for role in ("region", "field", "block", "finding"):
        swatch = tab.locator(f'.tg-legend-item[data-tg-role="{role}"] .tg-swatch')
        overlay = frame.locator(f"#tg-overlays .tg-role-{role}").first
        assert swatch.evaluate(colour.format("backgroundColor")) == overlay.evaluate(colour.format("borderTopColor"))
    swatches = {tab.locator(f".tg-legend-item[data-tg-role={r}] .tg-swatch").evaluate(colour.format("backgroundColor")) for r in ROLES}
    assert len(swatches) == len(ROLES)  # distinct colours

    regions = frame.locator("#tg-overlays .tg-role-region")
    toggle = tab.locator('.tg-legend-item[data-tg-role="region"]')
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert regions.first.evaluate("el => getComputedStyle(el).display") == "none"
    assert frame.locator("#tg-overlays .tg-role-block").first.is_visible()
    screenshot(tab, "almayadeen-regions-hidden")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true" and regions.first.is_visible()


class CountingServer(ThreadingHTTPServer):
    """A loopback server that counts every request it gets."""

    requests: list[str]


class CountingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server dispatches to
        assert isinstance(self.server, CountingServer)
        self.server.requests.append(self.path)
        body = b"window.owned = 'by a fetched script';" if self.path.endswith(".js") else b"x"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[CountingServer]:
    with CountingServer(("127.0.0.1", 0), CountingHandler) as counting:
        counting.requests = []
        thread = threading.Thread(target=counting.serve_forever, daemon=True)
        thread.start()
        yield counting
        counting.shutdown()
        thread.join()


def hostile_page(origin: str) -> bytes:
    """The bundled Al Mayadeen page with every kind of active content a capture might bring."""
    head = (
        f'<meta http-equiv="refresh" content="0; url={origin}/refreshed"><base href="{origin}/">'
        f'<link rel="stylesheet" href="{origin}/style.css"><link rel="preload" as="image" href="{origin}/preload.png">'
        f"<style>@import url('{origin}/import.css'); body {{ background-image: url('{origin}/bg.png') }}</style>"
        f"<script>window.owned = 'by an inline script';</script><script src='{origin}/x.js'></script>"
    )
    body = (
        f'<img id="hostile-img" src="{origin}/pixel.gif" onerror="window.owned = \'by onerror\'">'
        f'<a id="hostile-link" href="javascript:window.top.owned = \'by a javascript: link\'">click me</a>'
        f'<iframe src="{origin}/frame.html" width="200" height="100"></iframe>'
        f'<object data="{origin}/object.swf"></object><video poster="{origin}/poster.png" src="{origin}/v.mp4"></video>'
        f'<svg onload="window.owned = \'by svg onload\'"><image href="{origin}/svg.png"/></svg>'
    )
    content = PAGE.read_bytes().replace(b"</head>", head.encode() + b"</head>", 1)
    return content.replace(b"<body", b'<body onload="window.owned = \'by body onload\'"', 1).replace(
        b"</body>", body.encode() + b"</body>", 1
    )


def test_a_hostile_page_cannot_run_load_or_navigate_in_its_report(tab: Any, tmp_path: Path, server: CountingServer) -> None:
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    content = hostile_page(origin)
    extraction = run(content, url=PAGE_URL, source="hostile.html")
    report = tmp_path / "report.html"
    frame = open_report(tab, report, PageReport("almayadeen-english/hostile", extraction))
    frame.locator("#hostile-link").click(timeout=5000)
    tab.wait_for_timeout(1500)  # a meta refresh or a late load would have happened by now
    owned = "() => [window.owned, document.getElementById('tg-page').contentWindow.owned]"
    assert tab.evaluate(owned) == [None, None]
    assert tab.url == report.as_uri()
    assert tab.evaluate("document.getElementById('tg-page').contentWindow.location.href") == "about:srcdoc"
    assert frame.locator("[data-tg-mark]").count() == len(mark_page(extraction).marks)
    assert frame.locator("iframe, object, embed, script").count() == 0
    assert server.requests == []
    screenshot(tab, "hostile-report")

    # Control (last, so that its late requests, e.g. a favicon, cannot blur the count above): opened as it
    # is, the page does load from the server, and its meta refresh navigates away.
    raw = tmp_path / "raw.html"
    raw.write_bytes(content)
    tab.goto(raw.as_uri())
    tab.wait_for_url(f"{origin}/refreshed")
    assert {"/x.js", "/pixel.gif", "/style.css", "/refreshed"} <= set(server.requests)
