"""`template-guard capture`: live captures from a loopback HTTP server, and imports from a WARC file."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from template_guard.engine.pipeline import extract_page
from template_guard.engine.routing import load_layouts
from template_guard.errors import CaptureError
from template_guard.tools.capture import free_slug, slug_from_url
from template_guard.tools.capture_command import capture_command
from template_guard.tools.fetch import FetchLimits, fetch, parse_content_type

LAYOUT_TOML = """\
name = "loopback"
description = "A fake news site served on 127.0.0.1 by the tests"
domains = ["127.0.0.1"]

[[versions]]
name = "2000"
valid_from = 2000-01-01
valid_until = 2025-01-01

[versions.fields.title]
css = "h1"

[versions.fields.body]
css = "div.article-body"
blocks = [{ kind = "paragraph", css = "p" }]

[[versions]]
name = "2025"
extends = "2000"
valid_from = 2025-01-01
"""

ARTICLE = (
    "<!DOCTYPE html><html><head><title>{title}</title></head><body>"
    "<nav>Menu</nav><h1>{title}</h1><div class='article-body'><p>{text}</p></div></body></html>"
)
ARABIC_TITLE = "الاقتصاد العالمي"
ARABIC_TEXT = "قال المسؤولون إن الأسواق استقرت اليوم."
# Declared only in the HTTP header: no <meta charset>, so the sidecar's charset is what makes it readable.
ARABIC_PAGE = ARTICLE.format(title=ARABIC_TITLE, text=ARABIC_TEXT).encode("windows-1256")
SLOW_SECONDS = 5.0  # how long the slow routes would take; the stop event cuts it short at teardown


def html_page(title: str = "Normal article", text: str = "The body paragraph.") -> bytes:
    return ARTICLE.format(title=title, text=text).encode("utf-8")


# ---------------------------------------------------------------------------------------------- server

Handler = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def respond(status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8", **headers: str):
    """A route answering with a fixed status, body and headers."""

    def handle(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        request.send_response(status)
        if content_type:
            request.send_header("Content-Type", content_type)
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", Location=location)


def slow_headers(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    stop.wait(SLOW_SECONDS)  # nothing at all until well past the client's read timeout
    respond(200, html_page())(request, stop)


def dripping_body(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Headers at once, then a byte every 50 ms: no single read times out, the whole download does."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    deadline = time.monotonic() + SLOW_SECONDS
    try:
        while time.monotonic() < deadline and not stop.wait(0.05):
            request.wfile.write(b" ")
            request.wfile.flush()
    except OSError:
        pass  # the client gave up, as it should


def dripping_headers(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """A status line and headers one byte every 0.1 s: no single read times out, the request as a whole does."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Padding: " + b"x" * 200 + b"\r\n\r\n"
    with contextlib.suppress(OSError):  # the client gave up, as it should
        for byte in head:
            if stop.wait(0.1):
                return
            request.wfile.write(bytes([byte]))
            request.wfile.flush()


def unannounced_big_body(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """No Content-Length (HTTP/1.0, body ends at close): the limit must be enforced while streaming."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    try:
        for _ in range(100):
            request.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
    except OSError:
        pass


@dataclass
class Server:
    """A loopback HTTP server whose routes the test sets; it records each request it gets."""

    base: str
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    stop = threading.Event()

    class RequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            route = state.routes.get(self.path, respond(404, b"<h1>Not found</h1>"))
            route(self, stop)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    state = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------------------------------------- helpers


@pytest.fixture
def layouts_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "layouts"
    directory.mkdir()
    (directory / "loopback.toml").write_text(LAYOUT_TOML, encoding="utf-8")
    return directory


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    return tmp_path / "pages"


@pytest.fixture
def capture(layouts_dir: Path, pages_dir: Path) -> Callable[..., Result]:
    """Run `template-guard capture` with the test layout and pages directory."""

    def run(*args: str) -> Result:
        options = ["--layouts-dir", str(layouts_dir), "--pages-dir", str(pages_dir), "--timeout", "2"]
        return CliRunner().invoke(capture_command, [*options, *args], catch_exceptions=False)

    return run


def snapshot_dir(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` and its bytes, to show that nothing changed."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def sidecar(path: Path) -> dict[str, object]:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def assert_one_failure_line(result: Result, url: str, reason: str) -> None:
    failures = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert failures == [f"FAILED {url}: {reason}"]
    assert result.exit_code == 1
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------- live captures


def test_captures_a_page_with_its_metadata(server: Server, capture, pages_dir: Path) -> None:
    body = html_page()
    server.routes["/news/world/normal-article.html"] = respond(200, body)
    url = server.url("/news/world/normal-article.html")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    result = capture(url)

    assert result.exit_code == 0, result.output
    page = pages_dir / "loopback" / "normal-article.html"
    assert page.read_bytes() == body
    meta = sidecar(page)
    assert meta["url"] == url
    assert meta["http_status"] == 200
    assert meta["content_type"] == "text/html; charset=utf-8"
    assert meta["charset"] == "utf-8"
    assert meta["source"] == "http"
    stamp = str(meta["captured_at"])
    assert stamp.endswith("Z") and "." not in stamp
    assert before <= dt.datetime.fromisoformat(stamp) <= dt.datetime.now(dt.UTC)
    # The capture date picks the version, and the output says which one.
    assert f"layout loopback, version 2025 (by capture time {stamp})" in result.stdout
    assert "pytest --snapshot-update" in result.stdout
    (_, headers), = server.requests
    assert headers["User-Agent"].startswith("template-guard/")
    assert headers["User-Agent"].endswith(" (+regression capture)")


def test_the_captured_page_extracts(server: Server, capture, pages_dir: Path, layouts_dir: Path) -> None:
    server.routes["/news/normal-article"] = respond(200, html_page("A headline", "First paragraph."))

    assert capture(server.url("/news/normal-article")).exit_code == 0

    article = extract_page(pages_dir / "loopback" / "normal-article.html", layouts=load_layouts([layouts_dir]))
    assert (article.title, article.body, article.layout, article.version) == (
        "A headline", ("First paragraph.",), "loopback", "2025"
    )



def test_gzip_stores_the_page_compressed_and_it_extracts(
    server: Server, capture, pages_dir: Path, layouts_dir: Path
) -> None:
    body = html_page("A headline", "First paragraph.")
    server.routes["/news/normal-article"] = respond(200, body)
    url = server.url("/news/normal-article")

    assert capture("--gzip", url).exit_code == 0
    # The same capture again is dated, not a second file under the same name in the other form.
    assert capture("--gzip", url).exit_code == 0

    stored = {p.name for p in (pages_dir / "loopback").iterdir()}
    assert {"normal-article.html.gz", "normal-article.json"} < stored and len(stored) == 4
    assert not any(name.endswith(".html") for name in stored)
    page = pages_dir / "loopback" / "normal-article.html.gz"
    assert gzip.decompress(page.read_bytes()) == body
    assert json.loads((pages_dir / "loopback" / "normal-article.json").read_text("utf-8"))["url"] == url
    article = extract_page(page, layouts=load_layouts([layouts_dir]))
    assert (article.title, article.body) == ("A headline", ("First paragraph.",))

def test_follows_and_records_a_redirect_chain(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/old"] = redirect("/older", 301)
    server.routes["/older"] = redirect(server.url("/news/moved-article"), 302)
    server.routes["/news/moved-article"] = respond(200, html_page())

    result = capture(server.url("/old"))

    assert result.exit_code == 0, result.output
    # Named after the final URL: that is the page's identity, and the URL the suite reads.
    meta = sidecar(pages_dir / "loopback" / "moved-article.html")
    assert meta["url"] == server.url("/news/moved-article")
    assert meta["redirects"] == [server.url("/old"), server.url("/older")]
    assert [path for path, _ in server.requests] == ["/old", "/older", "/news/moved-article"]


def test_a_redirect_to_a_site_without_layout_fails(server: Server, capture, pages_dir: Path) -> None:
    offsite = server.url("/news/moved").replace("127.0.0.1", "localhost")
    server.routes["/news/old"] = redirect(offsite)
    server.routes["/news/moved"] = respond(200, html_page())  # the same server, under a name no layout lists

    result = capture(server.url("/news/old"))

    assert_one_failure_line(
        result,
        server.url("/news/old"),
        f"redirected to {offsite}, which layout loopback does not serve"
        " (pass --layout loopback to file it there anyway)",
    )
    assert not pages_dir.exists()


def test_a_redirect_loop_fails(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/loop"] = redirect("/loop")

    result = capture(server.url("/loop"))

    assert_one_failure_line(result, server.url("/loop"), "too many redirects (more than 10)")
    assert not pages_dir.exists()


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_an_http_error_fails_and_writes_nothing(server: Server, capture, pages_dir: Path, status, reason) -> None:
    server.routes["/news/article"] = respond(status, b"<h1>Error</h1>")

    result = capture(server.url("/news/article"))

    assert_one_failure_line(result, server.url("/news/article"), reason)
    assert not pages_dir.exists()


def test_a_response_slower_than_the_timeout_fails(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/slow"] = slow_headers
    started = time.monotonic()

    result = capture("--timeout", "0.3", server.url("/news/slow"))

    assert time.monotonic() - started < SLOW_SECONDS - 1
    assert_one_failure_line(result, server.url("/news/slow"), "timed out after 0.3s")
    assert not pages_dir.exists()


@pytest.mark.parametrize("route", [dripping_body, dripping_headers], ids=["body", "headers"])
def test_a_response_dripping_past_the_total_deadline_fails(server: Server, route: Handler) -> None:
    # No read ever waits for the timeout; only the deadline on the whole request stops it (issue 11, R8).
    # Without it, the headers would take 25 s and end in an empty body: another message.
    server.routes["/news/drip"] = route

    with pytest.raises(CaptureError, match=r"^timed out \(the whole request took more than 0.5s\)$"):
        fetch(server.url("/news/drip"), FetchLimits(timeout=1, total=0.5))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/announced-big", "too large (200,007 bytes; the limit is 100,000)"),  # by Content-Length
        ("/news/unannounced-big", "too large (more than 100,000 bytes)"),  # counted while streaming
    ],
)
def test_an_oversized_body_fails(server: Server, capture, pages_dir: Path, path: str, reason: str) -> None:
    server.routes["/news/announced-big"] = respond(200, b"<p>" + b"x" * 200_000 + b"</p>")
    server.routes["/news/unannounced-big"] = unannounced_big_body

    result = capture("--max-bytes", "100000", server.url(path))

    assert_one_failure_line(result, server.url(path), reason)
    assert not pages_dir.exists()


def test_a_non_html_response_fails(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/photo.png"] = respond(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")

    result = capture(server.url("/news/photo.png"))

    assert_one_failure_line(result, server.url("/news/photo.png"), "not HTML (content type image/png)")
    assert not pages_dir.exists()


def test_a_page_without_content_type_is_judged_by_its_bytes(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/untyped"] = respond(200, html_page(), content_type=None)
    server.routes["/news/untyped-binary"] = respond(200, b"%PDF-1.7 ...", content_type=None)

    result = capture(server.url("/news/untyped"), server.url("/news/untyped-binary"))

    assert (pages_dir / "loopback" / "untyped.html").read_bytes() == html_page()
    assert "content_type" not in sidecar(pages_dir / "loopback" / "untyped.html")
    assert_one_failure_line(
        result, server.url("/news/untyped-binary"), "not HTML (no content type, and the body is a PDF document)"
    )


def test_gzip_content_encoding_is_undone(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/zipped"] = respond(200, gzip.compress(html_page()), Content_Encoding="gzip")

    assert capture(server.url("/news/zipped")).exit_code == 0

    assert (pages_dir / "loopback" / "zipped.html").read_bytes() == html_page()


def test_a_charset_declared_only_in_the_header_is_kept(
    server: Server, capture, pages_dir: Path, layouts_dir: Path
) -> None:
    server.routes["/news/arabic-article"] = respond(200, ARABIC_PAGE, "text/html; charset=windows-1256")

    assert capture(server.url("/news/arabic-article")).exit_code == 0

    page = pages_dir / "loopback" / "arabic-article.html"
    assert page.read_bytes() == ARABIC_PAGE  # not re-encoded
    assert sidecar(page)["charset"] == "windows-1256"
    article = extract_page(page, layouts=load_layouts([layouts_dir]))
    assert (article.title, article.body) == (ARABIC_TITLE, (ARABIC_TEXT,))


def test_dns_failure_and_refused_connection_fail_one_line_each(
    server: Server, capture, pages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):  # the resolver fails for this name only; no network involved
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with socket.socket() as probe:  # a port that was just free: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    server.routes["/news/fine"] = respond(200, html_page())
    unknown = "http://no-such-host.invalid/news/a"
    refused = f"http://127.0.0.1:{closed_port}/news/b"

    result = capture("--layout", "loopback", unknown, refused, server.url("/news/fine"))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"FAILED {unknown}: DNS lookup failed for no-such-host.invalid",
        f"FAILED {refused}: connection refused by 127.0.0.1",
    ]
    # One failure does not stop the others.
    assert (pages_dir / "loopback" / "fine.html").exists()
    assert "1 captured, 2 failed" in result.stdout


# ---------------------------------------------------------------------------------------------- naming


def test_never_overwrites_a_capture_silently(server: Server, capture, pages_dir: Path) -> None:
    versions = iter([html_page("First"), html_page("Second"), html_page("Third"), html_page("Fourth")])
    server.routes["/news/story"] = lambda request, stop: respond(200, next(versions))(request, stop)
    url = server.url("/news/story")
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    directory = pages_dir / "loopback"

    assert capture(url).exit_code == 0
    first = snapshot_dir(directory)
    second = capture(url)
    assert capture(url).exit_code == 0

    assert second.exit_code == 0
    assert "story already exists: saved under a dated name" in second.stdout
    assert (directory / "story.html").read_bytes() == html_page("First")
    assert snapshot_dir(directory)["story.json"] == first["story.json"]
    assert (directory / f"story-{day}.html").read_bytes() == html_page("Second")
    assert (directory / f"story-{day}-2.html").read_bytes() == html_page("Third")

    replaced = capture("--replace", url)

    assert replaced.exit_code == 0
    assert "replaced the earlier capture" in replaced.stdout
    assert (directory / "story.html").read_bytes() == html_page("Fourth")
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        f"{stem}.{ext}" for stem in ("story", f"story-{day}", f"story-{day}-2") for ext in ("html", "json")
    )


def test_a_failed_replace_keeps_the_existing_capture(server: Server, capture, pages_dir: Path) -> None:
    answers = iter([respond(200, html_page()), respond(500, b"oops")])
    server.routes["/news/flaky"] = lambda request, stop: next(answers)(request, stop)
    assert capture(server.url("/news/flaky")).exit_code == 0
    before = snapshot_dir(pages_dir)

    result = capture("--replace", server.url("/news/flaky"))

    assert result.exit_code == 1
    assert snapshot_dir(pages_dir) == before  # no temporary files left behind either


def test_name_option_sets_the_slug(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/12345"] = respond(200, html_page())

    assert capture("--name", "budget-speech", server.url("/news/12345")).exit_code == 0
    bad = capture("--name", "../escape", server.url("/news/12345"))

    assert (pages_dir / "loopback" / "budget-speech.html").exists()
    assert bad.exit_code == 2 and "invalid page name '../escape'" in bad.stderr
    assert sorted(p.name for p in (pages_dir / "loopback").iterdir()) == ["budget-speech.html", "budget-speech.json"]


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://example.com/news/politics/Some-Article_Title.html", "some-article-title"),
        ("https://example.com/news/world/", "world"),
        ("https://example.com/a/12345?utm=x#top", "12345"),
        ("https://example.com/news/caf%C3%A9-d%C3%A9j%C3%A0-vu", "cafe-deja-vu"),
    ],
)
def test_slug_from_url(url: str, slug: str) -> None:
    assert slug_from_url(url) == slug


def test_slug_falls_back_to_a_stable_hash() -> None:
    arabic = "https://example.com/news/%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF"
    assert slug_from_url(arabic) == slug_from_url(arabic)
    assert slug_from_url(arabic).startswith("page-") and slug_from_url(arabic) != slug_from_url("https://example.com/")


def test_free_slug_dates_then_numbers(tmp_path: Path) -> None:
    day = dt.datetime(2025, 12, 1, 9, 30, tzinfo=dt.UTC)
    for name in ("story.html", "story-20251201.json"):
        (tmp_path / name).write_text("")

    assert free_slug(tmp_path, "other", day) == "other"
    assert free_slug(tmp_path, "story", day) == "story-20251201-2"
    assert free_slug(tmp_path, "story", day, replace=True) == "story"


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("text/html; charset=windows-1256", ("text/html", "windows-1256")),
        ('TEXT/HTML; Charset="UTF-8"', ("text/html", "utf-8")),
        ("application/xhtml+xml", ("application/xhtml+xml", None)),
        (None, (None, None)),
    ],
)
def test_parse_content_type(header: str | None, parsed: tuple[str | None, str | None]) -> None:
    assert parse_content_type(header) == parsed


# ---------------------------------------------------------------------------------------------- layout choice


def test_an_unknown_site_is_a_clear_error_before_any_request(server: Server, capture, pages_dir: Path) -> None:
    url = server.url("/news/a").replace("127.0.0.1", "localhost")

    result = capture(url)

    assert_one_failure_line(
        result,
        url,
        f"no layout serves {url}: create template_guard/layouts/localhost.toml with domains = [\"localhost\"]"
        " (or put it in a directory passed with --layouts-dir)",
    )
    assert server.requests == []
    assert not pages_dir.exists()


def test_an_unknown_layout_name_is_a_usage_error(server: Server, capture) -> None:
    result = capture("--layout", "loopbak", server.url("/news/a"))

    assert result.exit_code == 1
    assert result.stderr == "error: unknown layout 'loopbak'; did you mean loopback?\n"
    assert server.requests == []


def test_an_invalid_layout_file_exits_2(server: Server, capture, layouts_dir: Path) -> None:
    (layouts_dir / "broken.toml").write_text('name = "broken"\ndomain = ["x.example"]\n', encoding="utf-8")

    result = capture(server.url("/news/a"))

    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {layouts_dir / 'broken.toml'}: ")
    assert server.requests == []


def test_a_page_is_not_filed_under_a_layout_its_url_does_not_route_to(
    server: Server, capture, layouts_dir: Path, pages_dir: Path
) -> None:
    other = LAYOUT_TOML.replace('"loopback"', '"other"').replace('["127.0.0.1"]', '["other.example"]')
    (layouts_dir / "other.toml").write_text(other, encoding="utf-8")
    server.routes["/news/a"] = respond(200, html_page())

    result = capture("--layout", "other", server.url("/news/a"))

    assert_one_failure_line(
        result,
        server.url("/news/a"),
        f"{server.url('/news/a')} belongs to layout loopback, not other; drop --layout or fix the layout's domains",
    )
    assert not pages_dir.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one URL, or --from-warc FILE"),
        (("--name", "x", "http://127.0.0.1/a", "http://127.0.0.1/b"), "--name needs exactly one URL"),
        (("--url-pattern", "*", "http://127.0.0.1/a"), "--url-pattern only applies to --from-warc"),
    ],
)
def test_usage_errors(capture, args: tuple[str, ...], message: str) -> None:
    result = capture(*args)

    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------------------------------------- WARC


def write_warc(path: Path, arabic_date: str = "2024-06-01T08:00:00.250Z") -> None:
    """A gzipped WARC with a request record and response records of every kind the import must sort."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)

        def response(uri: str, status: str, headers: list[tuple[str, str]], payload: bytes, date: str) -> None:
            http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), length=len(payload), http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},  # a length, or warcio spools into an unclosed temp file
            )
            writer.write_record(record)

        get = b"GET /news/warc-article HTTP/1.1\r\n\r\n"
        request = writer.create_warc_record(
            "http://127.0.0.1/news/warc-article", "request", payload=io.BytesIO(get), length=len(get)
        )
        writer.write_record(request)
        response("http://127.0.0.1/news/warc-article", "200 OK", [("Content-Type", "text/html; charset=windows-1256")],
                 ARABIC_PAGE, arabic_date)
        zipped = gzip.compress(html_page("Zipped"))
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
        response("http://127.0.0.1/news/zipped-article", "200 OK",
                 [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                 chunked, "2025-12-01T09:30:00Z")
        response("http://127.0.0.1/news/gone", "404 Not Found", [("Content-Type", "text/html")],
                 b"<h1>Not found</h1>", "2025-12-01T09:31:00Z")
        response("http://127.0.0.1/images/photo.png", "200 OK", [("Content-Type", "image/png")],
                 b"\x89PNG\r\n\x1a\n" + bytes(64), "2025-12-01T09:32:00Z")
        response("http://elsewhere.example/news/other", "200 OK", [("Content-Type", "text/html")],
                 html_page(), "2025-12-01T09:33:00Z")


def test_imports_html_responses_from_a_warc(
    capture, tmp_path: Path, pages_dir: Path, layouts_dir: Path
) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)

    result = capture("--from-warc", str(warc))

    assert result.exit_code == 0, result.output
    assert "2 captured, 0 failed, 3 skipped" in result.stdout
    assert "skipped: 1 no layout for the site, 1 not HTML, 1 not HTTP 200" in result.stdout
    assert sorted(p.name for p in (pages_dir / "loopback").iterdir()) == [
        "warc-article.html", "warc-article.json", "zipped-article.html", "zipped-article.json",
    ]
    arabic = pages_dir / "loopback" / "warc-article.html"
    assert arabic.read_bytes() == ARABIC_PAGE
    assert sidecar(arabic) == {
        "url": "http://127.0.0.1/news/warc-article",
        "captured_at": "2024-06-01T08:00:00Z",
        "http_status": 200,
        "content_type": "text/html; charset=windows-1256",
        "charset": "windows-1256",
        "source": "warc:crawl.warc.gz",
    }
    # The WARC-Date picks the version: this capture predates the 2025 redesign.
    article = extract_page(arabic, layouts=load_layouts([layouts_dir]))
    assert (article.title, article.version) == (ARABIC_TITLE, "2000")
    assert (pages_dir / "loopback" / "zipped-article.html").read_bytes() == html_page("Zipped")


def test_warc_url_pattern_and_existing_pages(capture, tmp_path: Path, pages_dir: Path) -> None:
    warc, later = tmp_path / "crawl.warc.gz", tmp_path / "later.warc.gz"
    write_warc(warc)
    write_warc(later, arabic_date="2024-07-01T08:00:00Z")
    assert capture("--from-warc", str(warc)).exit_code == 0
    before = snapshot_dir(pages_dir)

    again = capture("--from-warc", str(warc))
    result = capture("--from-warc", str(later), "--url-pattern", "*/news/warc-*")

    assert again.exit_code == 0
    assert "0 captured, 0 failed, 5 skipped" in again.stdout  # the same captures are not filed twice
    assert "2 already imported" in again.stdout
    assert result.exit_code == 0, result.output
    assert "1 captured, 0 failed, 4 skipped" in result.stdout
    assert "skipped: 4 not matching --url-pattern" in result.stdout
    after = snapshot_dir(pages_dir)
    assert {name: after[name] for name in before} == before
    assert sorted(set(after) - set(before)) == [
        "loopback/warc-article-20240701.html", "loopback/warc-article-20240701.json"
    ]


def test_a_warc_with_nothing_to_import_fails(capture, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)
    not_warc = tmp_path / "notes.warc.gz"
    not_warc.write_bytes(b"this is not a WARC file\n")

    nothing = capture("--from-warc", str(warc), "--url-pattern", "https://nowhere/*")
    broken = capture("--from-warc", str(not_warc))

    assert nothing.exit_code == 1 and "nothing imported" in nothing.stderr
    assert broken.exit_code == 1
    assert broken.stderr.startswith(f"FAILED {not_warc}: not a readable WARC file")
    assert "Traceback" not in broken.output


def test_a_malformed_url_is_one_failure_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from template_guard.tools.cli import main

    result = CliRunner().invoke(main, ["capture", "--pages-dir", str(tmp_path), "http://[abc/x"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "FAILED http://[abc/x: not a valid URL" in result.stderr
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_a_failed_sidecar_write_leaves_the_old_capture_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from template_guard.store import pages
    from template_guard.store.pages import PageMeta, read_page, write_page

    page = tmp_path / "site" / "story.html"
    write_page(page, b"<html>old</html>", PageMeta(url="https://site.example/old"))
    real_stage = pages._stage

    def full_disk_for_the_sidecar(path: Path, data: bytes) -> str:
        if path.suffix == ".json":
            raise OSError(28, "No space left on device")
        return real_stage(path, data)

    monkeypatch.setattr(pages, "_stage", full_disk_for_the_sidecar)
    with pytest.raises(OSError):
        write_page(page, b"<html>new</html>", PageMeta(url="https://site.example/new"))
    kept = read_page(page)
    assert (kept.content, kept.meta.url) == (b"<html>old</html>", "https://site.example/old")
    assert sorted(p.name for p in page.parent.iterdir()) == ["story.html", "story.json"]
