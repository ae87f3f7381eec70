"""Accepting findings in the layout: validation, matching, unused entries, `extends`, and `template-guard check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from evidence_pages import ARTICLES, extract, page_html, tiny_layouts, write_layout

from template_guard import LayoutError, load_layout
from template_guard.evidence import evidence_for
from template_guard.tools.cli import EXIT_PROBLEMS, main

BOX = "<p>Sign up for our morning newsletter</p>"
ACCEPT = """
[[versions.accept]]
kind = "cross-page"
text = "morning newsletter"
reason = "the newsletter prompt is part of the article template, reviewed 2024-05-01"
"""


def leaky_findings(layouts):
    pages = {f"tiny/{i}": extract(layouts, page_html(paragraphs, BOX), f"tiny/{i}") for i, paragraphs in enumerate(ARTICLES[:2])}
    return evidence_for(pages).judged


def test_an_accepted_finding_passes_and_says_why(tmp_path: Path) -> None:
    judged = leaky_findings(tiny_layouts(tmp_path, ACCEPT))
    assert judged.open == {"tiny/0": (), "tiny/1": ()}
    accepted = judged.accepted["tiny/0"]
    assert [(a.finding.kind, a.finding.block, a.rule.key) for a in accepted] == [("cross-page", 4, "versions[0].accept[0]")]
    assert "reviewed" in accepted[0].rule.reason
    assert judged.unused == ()


def test_a_pattern_accepts_too_but_only_findings_of_its_kind(tmp_path: Path) -> None:
    other_kind = ACCEPT.replace('kind = "cross-page"', 'kind = "link-dense"')
    assert leaky_findings(tiny_layouts(tmp_path / "a", other_kind)).open["tiny/0"]
    pattern = ACCEPT.replace('text = "morning newsletter"', "pattern = '^Sign up for our \\w+ newsletter$'")
    assert leaky_findings(tiny_layouts(tmp_path / "b", pattern)).open["tiny/0"] == ()


def test_an_accept_entry_that_matches_nothing_is_reported_unused(tmp_path: Path) -> None:
    layouts = tiny_layouts(tmp_path, ACCEPT)
    pages = {f"tiny/{i}": extract(layouts, page_html(paragraphs), f"tiny/{i}") for i, paragraphs in enumerate(ARTICLES)}
    judged = evidence_for(pages).judged
    assert [rule.describe() for rule in judged.unused] == ["versions[0].accept[0] (kind cross-page, 'morning newsletter')"]


def test_extends_inherits_the_accept_entries(tmp_path: Path) -> None:
    path = write_layout(tmp_path, ACCEPT)
    path.write_text(
        path.read_text(encoding="utf-8").replace("valid_from = 2020-01-01\n", "valid_from = 2020-01-01\nvalid_until = 2022-01-01\n", 1)
        + '\n[[versions]]\nname = "v2"\nextends = "v1"\nvalid_from = 2022-01-01\n',
        encoding="utf-8",
    )
    layout = load_layout(path)
    assert [rule.text for rule in layout.version("v2").accept] == ["morning newsletter"]


@pytest.mark.parametrize(
    ("entry", "key", "problem"),
    [
        ('kind = "cross-page"\ntext = "x"\n', "versions[0].accept[0].reason", "missing required key"),
        ('kind = "cross-page"\ntext = "x"\nreason = "  "\n', "versions[0].accept[0].reason", "is empty"),
        ('kind = "crosspage"\ntext = "x"\nreason = "r"\n', "versions[0].accept[0].kind", "not a kind of evidence"),
        ('kind = "cross-page"\nreason = "r"\n', "versions[0].accept[0]", "exactly one of 'text'"),
        ('kind = "cross-page"\ntext = "x"\npattern = "y"\nreason = "r"\n', "versions[0].accept[0]", "exactly one of"),
        ('kind = "cross-page"\npattern = "("\nreason = "r"\n', "versions[0].accept[0].pattern", "invalid regular"),
        ('kind = "cross-page"\ntext = "x"\nreason = "r"\nwhy = "r"\n', "versions[0].accept[0].why", "unknown key"),
        ('kind = "cross-page"\ntext = 3\nreason = "r"\n', "versions[0].accept[0].text", "must be a string"),
    ],
)
def test_a_bad_accept_entry_is_a_layout_error_naming_the_file_and_key(tmp_path: Path, entry: str, key: str, problem: str) -> None:
    path = write_layout(tmp_path, "\n[[versions.accept]]\n" + entry)
    with pytest.raises(LayoutError) as raised:
        load_layout(path)
    assert raised.value.key == key and problem in raised.value.problem
    assert str(raised.value).startswith(f"{path}: {key}: ")


def check_project(tmp_path: Path, accept: str = "", box: str = BOX) -> tuple[int, str]:
    write_layout(tmp_path / "layouts", accept)
    folder = tmp_path / "pages" / "tiny"
    folder.mkdir(parents=True)
    for index, paragraphs in enumerate(ARTICLES):
        (folder / f"p{index}.html").write_text(page_html(paragraphs, box), encoding="utf-8")
        meta = {"url": f"https://tiny.example/news/p{index}", "captured_at": "2024-05-01T10:00:00Z"}
        (folder / f"p{index}.json").write_text(json.dumps(meta), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "pages"), "--layouts-dir", str(tmp_path / "layouts")])
    return result.exit_code, result.stdout


def test_check_reports_each_finding_with_block_evidence_and_key_as_an_error(tmp_path: Path) -> None:
    code, out = check_project(tmp_path)
    assert code == EXIT_PROBLEMS, out
    line = next(line for line in out.splitlines() if "tiny/p0" not in line and "cross-page" in line and "error:" in line)
    assert "block 4 (paragraph) 'Sign up for our morning newsletter'" in line
    assert "other article(s)" in line and "change versions[0].fields.body.exclude" in line
    assert "tiny@v1 (3 pages): 3 finding(s), 0 accepted" in out
    assert "3 errors" in out


def test_check_passes_accepted_findings_and_warns_about_unused_entries(tmp_path: Path) -> None:
    code, out = check_project(tmp_path / "accepted", ACCEPT)
    assert code == 0, out
    assert "tiny@v1 (3 pages): 0 finding(s), 3 accepted" in out
    code, out = check_project(tmp_path / "unused", ACCEPT, box="")
    assert code == 0, out
    assert "warning: layout tiny version v1: accept entries match no finding" in out and "1 warnings" in out
