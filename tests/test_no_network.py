"""Nothing touches the network: the suite-wide guard works, and pages full of remote references fetch nothing.

The guard in conftest.py refuses Python-level connections and name lookups beyond loopback. libxml2
would fetch from C, below that guard, so the page test serves every referenced URL from a loopback
server and proves that server never hears a request.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from template_guard import extract_page, load_layouts
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.pipeline import run_page
from template_guard.tools.cli import main

SOURCE = Path(__file__).resolve().parents[1] / "pages" / "almayadeen-english" / "almaty-faced-6-waves.html"
UNROUTABLE = ("192.0.2.1", 80)  # TEST-NET-1: never a real host, so a broken guard cannot reach anything


class Recorder(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that records every request path."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                recorder.paths.append(self.path)
                body = b'<!ENTITY leaked "FETCHED-OVER-HTTP">' if "dtd" in self.path else b"FETCHED-OVER-HTTP"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ---- the guard -------------------------------------------------------------------------------------


def test_a_connection_beyond_loopback_is_refused_and_recorded(network_attempts: list[str]) -> None:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        with pytest.raises(RuntimeError, match="network access is forbidden during tests"):
            sock.connect(UNROUTABLE)
    assert network_attempts == [f"connect to {UNROUTABLE!r}"]
    network_attempts.clear()  # handled here: the guard would otherwise fail this test at teardown


def test_a_name_lookup_is_refused(network_attempts: list[str]) -> None:
    with pytest.raises(RuntimeError, match="network access is forbidden during tests"):
        requests.get("https://example.com/", timeout=0.5)
    assert network_attempts == ["look up 'example.com'"]
    network_attempts.clear()


def test_a_datagram_beyond_loopback_is_refused(network_attempts: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(RuntimeError, match="network access is forbidden during tests"):
            sock.sendto(b"\x00", ("192.0.2.1", 53))
    assert network_attempts == ["send to ('192.0.2.1', 53)"]
    network_attempts.clear()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_stays_open(recorder: Recorder, host: str, network_attempts: list[str]) -> None:
    response = requests.get(recorder.url("/ping").replace("127.0.0.1", host), timeout=5)
    assert response.text == "FETCHED-OVER-HTTP" and recorder.paths == ["/ping"]
    assert network_attempts == []


# ---- pages that refer to the network ---------------------------------------------------------------


def page_with_remote_references(recorder: Recorder, local_file: Path) -> bytes:
    """The capture with a remote DTD, external entities (general and parameter) and XIncludes, on loopback and off."""
    page = SOURCE.read_bytes()
    doctype = (
        f'<!DOCTYPE html SYSTEM "{recorder.url("/doctype.dtd")}" [\n'
        f'  <!ENTITY remote SYSTEM "{recorder.url("/entity")}">\n'
        f'  <!ENTITY local SYSTEM "{local_file.as_uri()}">\n'
        f'  <!ENTITY % parameter SYSTEM "{recorder.url("/parameter.dtd")}"> %parameter;\n'
        '  <!ENTITY offsite SYSTEM "http://198.51.100.7/offsite">\n'
        "]>"
    ).encode()
    references = (
        f'&remote; &local; &leaked; &offsite; <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        f'href="{recorder.url("/xinclude")}" parse="text"/>'
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{local_file.as_uri()}" parse="text"/>'
        f'<?xml-stylesheet href="{recorder.url("/style.xsl")}"?>'
        f'<img src="{recorder.url("/image.png")}"><iframe src="{recorder.url("/frame")}"></iframe>'
    ).encode()
    page = page.replace(b"<!DOCTYPE html>", doctype, 1)
    return page.replace(b"This website uses cookies", references + b"This website uses cookies", 1)


def test_a_page_full_of_remote_references_fetches_nothing(
    recorder: Recorder, tmp_path: Path, network_attempts: list[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET-CONTENT", encoding="utf-8")
    path = tmp_path / "pages" / "almayadeen-english" / SOURCE.name
    path.parent.mkdir(parents=True)
    path.write_bytes(page_with_remote_references(recorder, secret))
    path.with_suffix(".json").write_bytes(SOURCE.with_suffix(".json").read_bytes())

    layouts = load_layouts()
    article = extract_page(path, layouts=layouts)
    findings = page_findings(run_page(path, layouts=layouts))
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["extract", "--format", "json", str(path)], catch_exceptions=False).output,
        runner.invoke(main, ["explain", str(path)], catch_exceptions=False).output,
        runner.invoke(main, ["check", str(tmp_path / "pages")], catch_exceptions=False).output,
    ]

    assert recorder.paths == []  # libxml2 asked the loopback server for nothing
    assert network_attempts == []  # and nothing in Python tried a socket
    assert article == extract_page(SOURCE, layouts=layouts)
    seen = article.to_json() + json.dumps([f.message for f in findings]) + "".join(outputs)
    assert "FETCHED-OVER-HTTP" not in seen and "LOCAL-SECRET-CONTENT" not in seen
