"""Issue 12 item 5: one configuration, read by the CLI and the pytest plugin from the nearest pyproject.toml."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from format_pages import BUNDLED, LAYOUT, PACKAGED_TOML, copy_pages, invoke, write_layout
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from template_guard.config import find_pyproject, read_settings
from template_guard.errors import ConfigError
from template_guard.testing.plugin import Project
from template_guard.tools.cli import EXIT_PROBLEMS

pytest_plugins = ["pytester"]

# The user's own site: the bundled layout under another name and host, and a bundled page moved to that host.
MY_LAYOUT = PACKAGED_TOML.replace(f'name = "{LAYOUT}"', 'name = "mysite"', 1).replace(
    "english.almayadeen.net", "news.mysite.test"
)
PAGE = next(page for page in BUNDLED if page.stem == "over-5000-arrested")  # has every region, so check passes


def user_project(root: Path, config: str) -> Path:
    """A project with its own layout in `my-layouts/`, one page of it in `captures/`, and `config` in pyproject."""
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    write_layout(root / "my-layouts", MY_LAYOUT, "mysite")
    copy_pages(root / "captures", [PAGE], layout="mysite")
    sidecar = root / "captures" / "mysite" / PAGE.with_suffix(".json").name
    sidecar.write_text(sidecar.read_text().replace("english.almayadeen.net", "news.mysite.test"), encoding="utf-8")
    return root


OWN_TABLE = '[tool.template_guard]\npages = "captures"\nlayouts = ["my-layouts"]\nsnapshots = "reviewed"\n'
INI_OPTIONS = '[tool.pytest.ini_options]\ntemplate_guard_pages = "captures"\ntemplate_guard_layouts = ["my-layouts"]\n'


@pytest.mark.parametrize("config", [OWN_TABLE, INI_OPTIONS], ids=["tool.template_guard", "ini_options"])
def test_settings_come_from_the_nearest_pyproject(tmp_path: Path, config: str) -> None:
    root = user_project(tmp_path, config)
    nested = root / "docs" / "deep"
    nested.mkdir(parents=True)
    settings = read_settings(nested)
    assert settings.source == root / "pyproject.toml"
    assert (settings.pages, settings.layouts) == (root / "captures", (root / "my-layouts",))
    assert settings.snapshots == root / ("reviewed" if "snapshots" in config else "snapshots")


def test_without_a_pyproject_the_defaults_apply(tmp_path: Path) -> None:
    if find_pyproject(tmp_path) is not None:
        pytest.skip("a pyproject.toml above the temporary directory would be found first")
    settings = read_settings(tmp_path)
    assert (settings.pages, settings.snapshots, settings.layouts) == (tmp_path / "pages", tmp_path / "snapshots", ())


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.template_guard]\npage = "x"\n', "tool.template_guard.page: unknown key (known: pages, snapshots, layouts)"),
        ('[tool.template_guard]\nlayouts = [1]\n', "tool.template_guard.layouts: must be a directory path or a list"),
        ('[tool.template_guard]\npages = ["a", "b"]\n', "pages: must be one directory, not 2"),
        (OWN_TABLE + '[tool.pytest.ini_options]\ntemplate_guard_pages = "pages"\n',
         "tool.template_guard.pages = 'captures' but tool.pytest.ini_options.template_guard_pages = 'pages'"),
        ("[tool.template_guard\n", "not valid TOML"),
    ],
    ids=["unknown-key", "not-paths", "two-page-dirs", "conflict", "bad-toml"],
)
def test_a_bad_setting_is_one_config_error(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_settings(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / 'pyproject.toml'}: ") and message in str(raised.value)


def test_check_uses_the_configured_pages_and_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(user_project(tmp_path, OWN_TABLE))
    result = invoke("check")  # no PAGES_DIR, no --layouts-dir
    assert result.exit_code == 0, result.output
    assert "pages (captures):" in result.stdout
    assert f"mysite/{PAGE.stem}  mysite@2021" in result.stdout


def test_extract_and_explain_use_the_configured_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = user_project(tmp_path, INI_OPTIONS)
    page = root / "captures" / "mysite" / PAGE.name
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")  # the nearest pyproject.toml is one level up
    assert '"layout": "mysite"' in invoke("extract", "--format", "json", str(page)).stdout
    assert "layout:  mysite (mysite.toml)" in invoke("explain", str(page)).stdout


def test_a_bad_configuration_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.template_guard]\npage = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check")
    assert result.exit_code == EXIT_PROBLEMS
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "tool.template_guard.page: unknown key" in result.stderr


@pytest.mark.parametrize("config", [OWN_TABLE, INI_OPTIONS], ids=["tool.template_guard", "ini_options"])
def test_the_plugin_reads_the_same_settings(pytester: pytest.Pytester, config: str) -> None:
    root = user_project(pytester.path, config)
    project = Project.from_config(pytester.parseconfig(root))
    assert (project.pages_dir, project.layout_dirs) == (root / "captures", (root / "my-layouts",))
    assert [ref.id for ref in project.pages] == [f"mysite/{PAGE.stem}"]
    assert project.layouts.get("mysite").source == root / "my-layouts" / "mysite.toml"


def test_the_plugin_takes_unset_ini_options_from_tool_template_guard(pytester: pytest.Pytester) -> None:
    root = user_project(pytester.path, OWN_TABLE + '[tool.pytest.ini_options]\ntemplate_guard_tests = ["snapshot"]\n')
    project = Project.from_config(pytester.parseconfig(root))
    assert project.snapshots_dir == root / "reviewed"


def test_capture_and_report_use_the_configured_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = user_project(tmp_path, OWN_TABLE)
    monkeypatch.chdir(root)
    page = root / "captures" / "mysite" / PAGE.name
    url = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    warc = root / "crawl.warc.gz"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(PAGE.read_bytes()), length=len(PAGE.read_bytes()),
            http_headers=headers, warc_headers_dict={"WARC-Date": "2022-02-01T10:00:00Z"},
        )
        writer.write_record(record)

    captured = invoke("capture", "--from-warc", str(warc))  # no --pages-dir

    assert captured.exit_code == 0, captured.output
    assert "1 captured" in captured.stdout
    assert len(list((root / "captures" / "mysite").glob("*.html"))) == 2 and not (root / "pages").exists()

    # A reviewed snapshot in the configured directory that no longer matches: the report shows the page failing.
    written = invoke("report", str(page), "-o", str(root / "report"))  # no --snapshots
    assert written.exit_code == 0 and "(0 failing, 0 problems, 1 ok)" in written.stdout
    reviewed = root / "reviewed" / "mysite" / f"{PAGE.stem}.txt"
    reviewed.parent.mkdir(parents=True)
    reviewed.write_text("layout: mysite@2021\n---\nAnother title\n", encoding="utf-8")
    assert "(1 failing, 0 problems, 0 ok)" in invoke("report", str(page), "-o", str(root / "report")).stdout
