"""`template-guard locate`: the elements holding a text, each with a short stable selector, and the body candidates."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from template_guard.engine.parse import parse_html
from template_guard.engine.selectors import Selector
from template_guard.store.snapshot_file import parse_snapshot
from template_guard.tools.cli import EXIT_PROBLEMS, main

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "pages" / "almayadeen-english" / "over-5000-arrested.html"
SNAPSHOT = parse_snapshot((REPO / "snapshots" / "almayadeen-english" / "over-5000-arrested.txt").read_text("utf-8"))
BUILT_PAGE = """<html><body>
<div class="sc-1a2b3c"><div class="css-9xk2pq">Menu Home World</div></div>
<div class="sc-4d5e6f"><div class="css-7hj3kl">{title}</div>
<div class="css-2mn8op"><p>{para}</p><p>{para}</p><p>{para}</p></div></div>
<div class="sc-7g8h9i"><div class="css-5qr1st">Footer links</div></div>
</body></html>"""


def locate(page: Path, text: str) -> Result:
    return CliRunner().invoke(main, ["locate", str(page), text], catch_exceptions=False)


def selectors_of(output: str, tag: str) -> list[str]:
    return re.findall(rf"^  <{tag}>  (.+)$", output, re.MULTILINE)


def test_the_title_is_found_in_its_h1_with_a_stable_selector() -> None:
    result = locate(PAGE, SNAPSHOT.title)
    assert result.exit_code == 0, result.output
    (css,) = selectors_of(result.output, "h1")
    matched = Selector.compile("css", css).select(parse_html(PAGE.read_bytes()).root)
    assert len(matched) == 1 and "".join(matched[0].itertext()).strip() == SNAPSHOT.title
    assert "warning" not in result.output.split("candidate body containers")[0]


def test_the_first_body_candidate_holds_the_article() -> None:
    result = locate(PAGE, SNAPSHOT.body[0][:40])
    candidates = result.output.split("candidate body containers")[1].splitlines()[1:]
    first = candidates[0].split("  holds ")[0].strip()
    root = parse_html(PAGE.read_bytes()).root
    (container,) = Selector.compile("css", first).select(root)
    text = " ".join("".join(container.itertext()).split())
    assert all(paragraph[:60] in text for paragraph in SNAPSHOT.body)


def test_a_built_page_with_only_hashed_classes_gets_a_warning(tmp_path: Path) -> None:
    page = tmp_path / "built.html"
    para = "A paragraph of the article with enough words in it to read as prose, not as chrome."
    page.write_text(BUILT_PAGE.format(title="The headline of the built page", para=para))
    result = locate(page, "The headline of the built page")
    assert result.exit_code == 0, result.output
    (css,) = selectors_of(result.output, "div")
    assert "css-7hj3kl" in css
    assert "warning: only hashed class names" in result.output


def test_a_text_that_is_nowhere(tmp_path: Path) -> None:
    result = locate(PAGE, "no page says this 4f1c9")
    assert result.exit_code == 0
    assert "no element of" in result.output


def test_errors_are_one_line(tmp_path: Path) -> None:
    for result, fragment in ((locate(tmp_path / "missing.html", "x"), "no such file"), (locate(PAGE, "   "), "empty")):
        assert result.exit_code == EXIT_PROBLEMS
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
