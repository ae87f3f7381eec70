"""Gzip-compressed pages (`<slug>.html.gz`): found, read, written, checked and snapshotted like plain ones."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plugin import LAYOUT, page_html

from template_guard import PageError, discover_pages, read_page, write_page
from template_guard.store.pages import MAX_PAGE_BYTES, PageMeta, page_id, sidecar_path
from template_guard.tools.cli import main

pytest_plugins = ["pytester"]

# The plugin tests' tiny site: one layout, pages of a title, two paragraphs and a heading between them.
HTML = page_html("floods", ["The river rose by two metres overnight.", "Residents were moved to the school."])
META = {"url": "https://tiny.example/news/floods", "captured_at": "2024-05-01T10:00:00Z"}


def gz_page(folder: Path, slug: str = "floods", html: str = HTML) -> Path:
    """A compressed page and its sidecar `<slug>.json`, written by hand (not by `write_page`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.html.gz"
    path.write_bytes(gzip.compress(html.encode("utf-8")))
    (folder / f"{slug}.json").write_text(json.dumps(META), encoding="utf-8")
    return path


def test_a_gz_page_reads_as_its_decompressed_bytes_with_the_slug_sidecar(tmp_path: Path) -> None:
    path = gz_page(tmp_path / "pages" / "tiny")
    page = read_page(path)
    assert page.content == HTML.encode("utf-8")
    assert page.slug == "floods" and page.page_id == "tiny/floods"
    assert sidecar_path(path) == path.parent / "floods.json"
    assert page.meta.url == META["url"]
    assert page_id(path, tmp_path / "pages") == "tiny/floods"


def test_discovery_finds_html_htm_and_html_gz_pages_only(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    names = ["a.html", "b.htm", "c.html.gz", "D.HTML.GZ", "e.json", "f.txt.gz", "g.gz"]
    for name in names:
        (folder / name).write_bytes(b"")
    found = sorted(path.name for path in discover_pages(tmp_path))
    assert found == sorted(["a.html", "b.htm", "c.html.gz", "D.HTML.GZ"])


def test_write_page_compresses_a_gz_path_and_the_page_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "tiny" / "floods.html.gz"
    path.parent.mkdir()
    meta = PageMeta(url=META["url"])
    write_page(path, HTML.encode("utf-8"), meta)
    assert gzip.decompress(path.read_bytes()) == HTML.encode("utf-8")
    assert json.loads((path.parent / "floods.json").read_text(encoding="utf-8")) == {"url": META["url"]}
    assert read_page(path).content == HTML.encode("utf-8")
    first = path.read_bytes()
    write_page(path, HTML.encode("utf-8"), meta)
    assert path.read_bytes() == first  # same page, same archive bytes: re-capturing changes no file


def test_a_plain_path_is_written_uncompressed(tmp_path: Path) -> None:
    path = tmp_path / "floods.html"
    write_page(path, HTML.encode("utf-8"), PageMeta())
    assert path.read_bytes() == HTML.encode("utf-8")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>not compressed at all</html>", "not a readable gzip file"),
        (gzip.compress(HTML.encode("utf-8"))[:25], "not a readable gzip file"),  # truncated
        (gzip.compress(HTML.encode("utf-8"))[:-8] + b"\0" * 8, "not a readable gzip file"),  # bad CRC and size
    ],
    ids=["not-gzip", "truncated", "bad-checksum"],
)
def test_a_corrupt_gz_page_is_one_page_error_line(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.html.gz"
    path.write_bytes(data)
    with pytest.raises(PageError) as caught:
        read_page(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {reason}") and "\n" not in message


def test_a_gz_bomb_is_refused_without_inflating_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    chunk = b"\0" * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(MAX_PAGE_BYTES // len(chunk) * 4)]
    path.write_bytes(b"".join([*parts, compressor.flush()]))
    assert path.stat().st_size < MAX_PAGE_BYTES // 100  # small on disk, four times the limit inflated
    with pytest.raises(PageError, match=rf"decompresses to more than {MAX_PAGE_BYTES:,} bytes") as caught:
        read_page(path)
    assert "\n" not in str(caught.value)


def test_a_page_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "large.html.gz"
    content = b"<p>" + b"a" * (MAX_PAGE_BYTES - 3)
    path.write_bytes(gzip.compress(content, compresslevel=1))
    assert read_page(path).content == content


def cli_project(root: Path) -> tuple[Path, Path]:
    (root / "layouts").mkdir(parents=True)
    (root / "layouts" / "tiny.toml").write_text(LAYOUT, encoding="utf-8")
    return root / "layouts", gz_page(root / "pages" / "tiny")


def test_check_and_extract_read_a_gz_page(tmp_path: Path) -> None:
    layouts, page = cli_project(tmp_path)
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(tmp_path / "pages"), "--layouts-dir", str(layouts)])
    assert checked.exit_code == 0, checked.output
    assert "tiny/floods  tiny@v1  3 blocks  'Floods headline'" in checked.output
    assert "1 pages checked: 0 errors" in checked.output
    extracted = runner.invoke(main, ["extract", str(page), "--layouts-dir", str(layouts)])
    assert extracted.exit_code == 0, extracted.output
    assert extracted.output.splitlines() == [
        "Floods headline",
        "The river rose by two metres overnight.",
        "Background",
        "Residents were moved to the school.",
    ]


def test_check_reports_a_corrupt_gz_page_in_one_line(tmp_path: Path) -> None:
    layouts, page = cli_project(tmp_path)
    page.write_bytes(b"garbage")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "pages"), "--layouts-dir", str(layouts)])
    assert result.exit_code == 1
    assert f"  error    tiny/floods: {page}: not a readable gzip file" in result.output
    assert "Traceback" not in result.output


def test_the_plugin_snapshots_a_gz_page_under_its_slug(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)  # the child run is not an xdist worker of this suite
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'template_guard_layouts = ["layouts"]\ntemplate_guard_tests = ["snapshot"]\ntestpaths = ["tests"]\n'
    )
    cli_project(pytester.path)
    (pytester.path / "tests").mkdir()
    result = pytester.runpytest_subprocess("--snapshot-update")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    snapshot = pytester.path / "snapshots" / "tiny" / "floods.txt"
    assert sorted(p.name for p in (pytester.path / "snapshots").rglob("*.txt")) == ["floods.txt"]
    assert snapshot.read_text(encoding="utf-8").endswith(
        "---\nFloods headline\nThe river rose by two metres overnight.\nBackground\nResidents were moved to the school.\n"
    )
    again = pytester.runpytest_subprocess()  # the snapshot matches, and is not taken for an orphan
    assert again.ret == pytest.ExitCode.OK, again.stdout.str()
    assert snapshot.exists()
