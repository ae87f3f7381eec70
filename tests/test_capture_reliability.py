"""Reliability of `template-guard capture` (issue 11): one deadline per request, no broken page saved with
exit 0, one failure line per bad URL or WARC record. Loopback servers and generated WARCs only."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

# The loopback server, the CLI runner and the helpers of the capture tests (tests/ is on sys.path).
import test_capture
from test_capture import Server, assert_one_failure_line, dripping_headers, html_page, respond

server, capture, layouts_dir, pages_dir = test_capture.server, test_capture.capture, test_capture.layouts_dir, test_capture.pages_dir


def test_r8_the_cli_deadline_is_a_multiple_of_timeout(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/drip-headers"] = dripping_headers

    result = capture("--timeout", "0.2", server.url("/news/drip-headers"))

    assert_one_failure_line(result, server.url("/news/drip-headers"), "timed out (the whole request took more than 1s)")
    assert not pages_dir.exists()


def test_r9_a_redirect_to_a_malformed_url_fails_that_page_only(server: Server, capture, pages_dir: Path) -> None:
    server.routes["/news/bad-redirect"] = respond(302, b"", Location="http://[::1/x")
    server.routes["/news/fine"] = respond(200, html_page())

    result = capture(server.url("/news/bad-redirect"), server.url("/news/fine"))

    assert_one_failure_line(result, server.url("/news/bad-redirect"), "redirected to an invalid URL (Invalid IPv6 URL)")
    assert (pages_dir / "loopback" / "fine.html").exists()  # the batch went on


def longer_than_declared(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    body = html_page()
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Length", str(len(body) // 2))
    request.end_headers()
    request.wfile.write(body)


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (respond(200, b""), "empty response (0 bytes): nothing to capture"),
        (respond(200, b"\n  \n"), "empty response (4 bytes): nothing to capture"),
        (longer_than_declared,
         "the server sent {sent:,} bytes where its Content-Length says {half:,}: the page would be cut short"),
        (respond(200, gzip.compress(html_page() * 50), "text/html"),
         "labelled text/html but the body is gzip-compressed data (store the decompressed page)"),
    ],
    ids=["empty", "blank", "longer-than-content-length", "gzip-without-content-encoding"],
)
def test_r11_a_broken_200_response_is_a_failure_and_writes_nothing(
    server: Server, capture, pages_dir: Path, route, reason: str
) -> None:
    server.routes["/news/broken"] = route

    result = capture(server.url("/news/broken"))

    sent = len(html_page())
    assert_one_failure_line(result, server.url("/news/broken"), reason.format(sent=sent, half=sent // 2))
    assert not pages_dir.exists()


def test_r11_a_body_shorter_than_content_length_is_a_failure(capture, pages_dir: Path) -> None:
    # A raw socket server: http.server would not let the handler lie about the length and then close.
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/news/short"

    def answer() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<p>half")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        result = capture(url)
    finally:
        thread.join(timeout=5)
        listener.close()

    assert_one_failure_line(result, url, "the response was cut off or could not be decoded")
    assert not pages_dir.exists()


STORE_ONE = """
import datetime as dt, sys, time
from pathlib import Path
from template_guard.engine.routing import load_layouts
from template_guard.store.pages import PageMeta
from template_guard.tools.capture import store_page

layouts_dir, pages_dir, start, number = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
layout = load_layouts([layouts_dir]).get("loopback")
body = f"<html><body><h1>Capture {number}</h1></body></html>".encode()
meta = PageMeta(url=f"http://127.0.0.1/news/story?n={number}", captured_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
while not start.exists():
    time.sleep(0.001)
print(store_page(pages_dir, layout, "story", body, meta, url=meta.url).html_path.name)
"""


def test_r5_parallel_captures_of_one_slug_keep_every_page_whole(tmp_path: Path, layouts_dir: Path, pages_dir: Path) -> None:
    import json
    import subprocess
    import sys

    start = tmp_path / "start"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", STORE_ONE, str(layouts_dir), str(pages_dir), str(start), str(n)],
            stdout=subprocess.PIPE, text=True,
        )
        for n in range(6)
    ]
    time.sleep(1)  # let every process import and wait at the start line, so they race for the name
    start.touch()
    names = [run.communicate(timeout=120)[0].strip() for run in runs]

    assert all(run.returncode == 0 for run in runs)
    assert len(set(names)) == 6  # six captures reported, six distinct pages
    folder = pages_dir / "loopback"
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(names)
    for page in folder.glob("*.html"):
        number = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["url"].rpartition("=")[2]
        assert f"<h1>Capture {number}</h1>".encode() in page.read_bytes()  # page and sidecar of one capture


# ---------------------------------------------------------------------------------------------- R12: WARC


def three_record_warc() -> bytes:
    """An uncompressed WARC of three HTML responses, with the digests warcio writes."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for number in range(3):
        payload = html_page(f"Page {number}", "x" * 200)
        record = writer.create_warc_record(
            f"http://127.0.0.1/news/p{number}", "response", payload=io.BytesIO(payload), length=len(payload),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2025-06-01T00:00:00Z"},
        )
        writer.write_record(record)
    return out.getvalue()


def cut_mid_payload(data: bytes) -> bytes:
    return data[:-40]


def cut_in_warc_headers(data: bytes) -> bytes:
    return data[: data.rindex(b"WARC/1.0") + 60]


def cut_before_content_length(data: bytes) -> bytes:
    last = data.rindex(b"WARC/1.0")
    return data[: data.index(b"Content-Length: ", last) - 3]  # warcio yields nothing for this record


def cut_in_http_headers(data: bytes) -> bytes:
    last = data.rindex(b"WARC/1.0")
    return data[: data.index(b"HTTP/1.1 200 OK", last) + 10]  # inside the status line


def inflated_length(data: bytes) -> bytes:
    first = data.index(b"Content-Length: ")
    end = data.index(b"\r\n", first)
    declared = int(data[first + 16 : end])
    return data[:first] + b"Content-Length: %d" % (declared + 400) + data[end:]  # swallows part of the next record


@pytest.mark.parametrize(
    ("damage", "failure"),
    [
        (cut_mid_payload, "http://127.0.0.1/news/p2: the record is cut short: 36 of its"),
        (cut_in_warc_headers, "(last record): the record is cut off inside its WARC headers"),
        (cut_before_content_length, "bytes at the end are not a whole record (cut short?)"),
        (cut_in_http_headers, "http://127.0.0.1/news/p2: the record is cut short: 378 of its"),
        (inflated_length, "http://127.0.0.1/news/p0: the record does not match its digest (block digest failed"),
    ],
    ids=["cut-mid-payload", "cut-in-warc-headers", "cut-before-length", "cut-in-http-headers", "inflated-length"],
)
def test_r12_a_damaged_warc_record_is_failed_not_saved(capture, tmp_path: Path, pages_dir: Path, damage, failure) -> None:
    warc = tmp_path / "crawl.warc"
    whole = three_record_warc()
    warc.write_bytes(whole)
    assert capture("--from-warc", str(warc)).exit_code == 0  # the undamaged file imports all three
    import shutil

    shutil.rmtree(pages_dir)
    warc.write_bytes(damage(whole))

    result = capture("--from-warc", str(warc))

    failures = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    # An inflated length also leaves the rest of the next record unreadable: a second failure line.
    assert any(failure in line for line in failures), result.output
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # Whatever was saved is whole: each page equals the page that was archived.
    for page in (pages_dir / "loopback").glob("*.html"):
        number = page.stem.removeprefix("p")
        assert page.read_bytes() == html_page(f"Page {number}", "x" * 200)
