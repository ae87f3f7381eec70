"""Bad pages: each one gets a correct extraction or one documented `TemplateGuardError`, never another exception.

Every input is generated from a real Al Mayadeen capture (re-encoded, truncated, padded, nested …) and
written to tmp_path with a sidecar, as `template-guard capture` would store it. Where an extraction is
expected, it must equal the capture's own extraction, with only what the test changed changed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from template_guard import (
    Article,
    ExtractionError,
    LayoutSet,
    NoLayoutError,
    PageError,
    TemplateGuardError,
    extract_page,
    load_layouts,
)
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.parse import parse_decoded
from template_guard.engine.pipeline import Extraction, checked, run_page
from template_guard.store.pages import PageMeta, read_page, sidecar_path
from template_guard.tools.cli import EXIT_PROBLEMS, main

SOURCE = Path(__file__).resolve().parents[1] / "pages" / "almayadeen-english" / "almaty-faced-6-waves.html"
LAYOUT = "almayadeen-english"
SECRET = "TOP-SECRET-7f3a9c-never-expand-me"  # the content of a local file the page tries to include

AR_TITLE = "ألماتي واجهت ست موجات من الهجمات: الرئيس الكازاخستاني"
AR_STANDFIRST = (
    "مع تصاعد العنف في كازاخستان، وبعد العثور على رجال شرطة مقطوعي الرؤوس، "
    "يقول الرئيس الكازاخستاني إن المسلحين تحدثوا لغات أجنبية."
)
FR_TITLE = "Almaty a subi six vagues d’attaques, déclare le président kazakh – « voilà »"
FR_STANDFIRST = (
    "Alors que la violence s’intensifie au Kazakhstan, le président affirme que les militants parlaient "
    "des langues étrangères ; à Almaty, la tension reste très élevée."
)
UTF8_META = '<meta charset="utf-8">'
DECLARATIONS = {  # how a page may declare its charset; "sidecar" is the HTTP header kept in the sidecar
    "meta": '<meta charset="{}">',
    "http-equiv": '<meta http-equiv="Content-Type" content="text/html; charset={}">',
    "sidecar": "",
    "undeclared": "",
}
BIG_PAGE_BYTES = 50 * 1024 * 1024
HUGE_TEXT_NODE_BYTES = 12 * 1024 * 1024  # beyond libxml2's 10 MB text-node limit without huge_tree


def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def source_bytes() -> bytes:
    return SOURCE.read_bytes()


def source_meta() -> PageMeta:
    return read_page(SOURCE).meta


@functools.cache
def original() -> Article:
    """The capture's own extraction: what every undamaged variant must give."""
    return extract_page(SOURCE)


# ---- page builders ---------------------------------------------------------------------------------


def retitled(title: str, standfirst: str) -> str:
    """The capture's HTML with another title and standfirst."""
    text = source_text()
    text, titles = re.subn(r'(<h1 class="article-title">)[^<]*(</h1>)', rf"\g<1>{title}\g<2>", text, count=1)
    text, standfirsts = re.subn(
        r'(<p class="article-standfirst">)[^<]*(</p>)', rf"\g<1>{standfirst}\g<2>", text, count=1
    )
    assert titles == standfirsts == 1, "the capture's title or standfirst markup changed"
    return text


def declared(text: str, how: str, charset: str) -> str:
    """`text` with its `<meta charset="utf-8">` replaced by another declaration (or none)."""
    assert UTF8_META in text
    return text.replace(UTF8_META, DECLARATIONS[how].format(charset), 1)


def in_cookie_notice(markup: bytes) -> bytes:
    """The capture with `markup` inside the cookie notice: chrome after every article field and region."""
    anchor = b"This website uses cookies"
    page = source_bytes()
    assert anchor in page
    return page.replace(anchor, markup + anchor, 1)


def cut_inside(page: bytes, marker: bytes, keep: int) -> bytes:
    """`page` cut off `keep` bytes into the last occurrence of `marker`."""
    start = page.rindex(marker)
    return page[: start + keep]


def nested(depth: int, tag: bytes = b"div", text: bytes = b"deep") -> bytes:
    """`text` inside `depth` nested `tag` elements."""
    return (b"<" + tag + b">") * depth + text + (b"</" + tag + b">") * depth


def big_page() -> bytes:
    """About 50 MB: the ticker repeated tens of thousands of times, and a 12 MB text node in the cookie notice."""
    page = source_bytes()
    items = re.search(rb'(<div class="swiper-slide ticker-item">.*?</div>\s*)+', page)
    assert items, "the capture's ticker markup changed"
    text_node = b"cookies " * (HUGE_TEXT_NODE_BYTES // 8)
    copies = (BIG_PAGE_BYTES - len(page) - len(text_node)) // len(items.group(0)) + 1
    padded = page[: items.start()] + items.group(0) * copies + page[items.end():]
    return padded.replace(b"This website uses cookies", text_node, 1)


def entity_bombs(secret_file: Path) -> bytes:
    """A DOCTYPE declaring a billion-laughs entity and an external entity, used in the chrome, plus XInclude."""
    doctype = (
        "<!DOCTYPE html [\n"
        '  <!ENTITY lol "lol">\n'
        + "".join(
            f'  <!ENTITY lol{n} "' + f"&lol{n - 1 if n > 2 else ''};" * 10 + '">\n' for n in range(2, 10)
        )
        + f'  <!ENTITY secret SYSTEM "{secret_file.as_uri()}">\n'
        + f'  <!ENTITY % dtd SYSTEM "{secret_file.as_uri()}"> %dtd;\n'
        + "]>"
    ).encode()
    xinclude = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret_file.as_uri()}" parse="text"/>'
    ).encode()
    page = in_cookie_notice(b"&lol9; &secret; " + xinclude)
    page = page.replace(b"<!DOCTYPE html>", doctype, 1)
    # An XInclude inside the article itself: an unknown element with no text, so it adds nothing.
    return page.replace(b'<div class="article-body">', b'<div class="article-body">' + xinclude, 1)


# ---- the cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadPage:
    """One bad input: how to build it, its sidecar, and the outcome it must have."""

    name: str
    build: Callable[[Path], bytes]  # given a scratch directory (for files the page may refer to)
    expected: Callable[[], Article] | None = None  # the article, when extraction must succeed
    error: type[TemplateGuardError] | None = None
    message: str = ""  # a fragment of the error message
    sidecar: bool = True  # a sidecar with the capture's URL and date (else the page stands alone)
    charset: str | None = "utf-8"  # the HTTP charset in the sidecar
    url: str | None = None  # a URL in the sidecar other than the capture's
    slow: bool = False  # big enough to leave out of the CLI round trip

    def write(self, directory: Path) -> Path:
        """Store the page as `directory/pages/<layout>/<name>.html` with its sidecar."""
        path = directory / "pages" / LAYOUT / f"{self.name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.build(directory))
        if self.sidecar:
            meta = dataclasses.replace(source_meta(), charset=self.charset, url=self.url or source_meta().url)
            sidecar_path(path).write_text(json.dumps(meta.to_dict()), encoding="utf-8")
        return path


def unchanged() -> Article:
    return original()


def arabic() -> Article:
    return dataclasses.replace(original(), title=AR_TITLE, standfirst=AR_STANDFIRST)


def charset_cases(language: str, text: Callable[[], str], encoding: str, label: str, expected: Callable[[], Article]) -> list[BadPage]:
    """The page in a legacy encoding, declared each way a page can declare it."""

    def build(how: str) -> Callable[[Path], bytes]:
        return lambda _directory: declared(text(), how, label).encode(encoding)

    return [
        BadPage(f"{language}-{label}-{how}", build(how), expected, charset=label if how == "sidecar" else None)
        for how in DECLARATIONS
    ]


def arabic_text() -> str:
    return retitled(AR_TITLE, AR_STANDFIRST)


def french_text() -> str:
    # Pages labelled iso-8859-1 are written in windows-1252 (curly quotes, dashes): browsers decode them so.
    return retitled(FR_TITLE, FR_STANDFIRST)


def french() -> Article:
    return dataclasses.replace(original(), title=FR_TITLE, standfirst=FR_STANDFIRST)


CASES: list[BadPage] = [
    BadPage("empty", lambda _d: b"", error=PageError, message="the page is empty"),
    BadPage("whitespace", lambda _d: b" \r\n\t \n" * 100, error=PageError, message="the page holds only whitespace"),
    BadPage("binary-garbage", lambda _d: random.Random(6).randbytes(64 * 1024), error=PageError, message="not an HTML page: the file is binary data"),
    BadPage("pdf", lambda _d: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(500), error=PageError, message="not an HTML page: the file is a PDF document"),
    BadPage("png", lambda _d: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(2000), error=PageError, message="not an HTML page: the file is a PNG image"),
    BadPage("doctype-only", lambda _d: b"<!DOCTYPE html>\n<!-- nothing else -->\n", error=PageError, message="the page holds no HTML elements"),
    BadPage("plain-text-no-sidecar", lambda _d: b"Almaty faced 6 waves of attacks\n", error=NoLayoutError, message="cannot choose a layout", sidecar=False),
    BadPage("broken-canonical-link-no-sidecar", lambda _d: source_bytes().replace(b'href="https://english.almayadeen.net/news/politics/almaty', b'href="https://[english.almayadeen.net/news/politics/almaty', 1).replace(b'<meta property="og:url"', b'<meta property="og:gone"', 1), error=NoLayoutError, message="cannot choose a layout", sidecar=False),
    BadPage("sidecar-url-not-a-url", lambda _d: source_bytes(), error=PageError, message="sidecar key 'url' is not a valid URL: 'https://[english.almayadeen.net/news' (Invalid IPv6 URL)", url="https://[english.almayadeen.net/news"),
    BadPage("scheme-relative-canonical-link-no-sidecar", lambda _d: source_bytes().replace(b'href="https://english.almayadeen.net/news/politics/almaty', b'href="//english.almayadeen.net/news/politics/almaty', 1), unchanged, sidecar=False),
    # Every space a NUL: the tags fall apart (`<div\0class=…>`), so nothing the layout needs is found.
    BadPage("nul-for-every-space", lambda _d: source_bytes().replace(b" ", b"\x00"), error=ExtractionError, message="required field 'title'"),
    # Cut inside the article: the required footer is gone, so the layout says the page does not fit.
    BadPage("cut-mid-tag-in-body", lambda _d: cut_inside(source_bytes(), b'<div class="article-body">', 200).rsplit(b"<p", 1)[0] + b"<p cla", error=ExtractionError, message="required boilerplate region"),
    BadPage("cut-after-title", lambda _d: cut_inside(source_bytes(), b"</h1>", 3), error=ExtractionError, message="required field 'body'"),
    # Cut after the article and its required chrome: the article is intact.
    BadPage("cut-mid-tag-after-article", lambda _d: cut_inside(source_bytes(), b'<script src="/Content/js/main', 12), unchanged),
    BadPage("cut-mid-entity", lambda _d: cut_inside(in_cookie_notice(b"Caf&eacute; &amp; more"), b"&amp;", 3), unchanged),
    BadPage("cut-mid-utf8", lambda _d: cut_inside(in_cookie_notice("ملاحظة".encode()), "ملاحظة".encode(), 3), unchanged),
    BadPage("cut-mid-utf8-arabic-page", lambda _d: cut_inside(arabic_text().replace("This website", "ملاحظة This website").encode(), "ملاحظة".encode(), 5), arabic),
    BadPage("unclosed-p-and-li", lambda _d: re.sub(rb"</p>(\s*<p[ >])", rb"\1", source_bytes()).replace(b"</li>", b""), unchanged),
    BadPage("mis-nested-tags", lambda _d: re.sub(rb'(<div class="article-body">.*?<p>)(\w+)', rb"\1<b><i>\2</b></i>", source_bytes(), count=1, flags=re.S).replace(b"<footer", b"<em><strong></em></strong><footer", 1), unchanged),
    BadPage("unclosed-div-in-chrome", lambda _d: in_cookie_notice(b"<div><div><span>"), unchanged),
    BadPage("bom-utf-8", lambda _d: b"\xef\xbb\xbf" + source_bytes(), unchanged),
    BadPage("bom-utf-16-le", lambda _d: "\ufeff".encode("utf-16-le") + source_text().encode("utf-16-le"), unchanged, charset=None),
    BadPage("bom-utf-16-be", lambda _d: "\ufeff".encode("utf-16-be") + source_text().encode("utf-16-be"), unchanged),
    BadPage("utf-16-le-without-bom", lambda _d: source_text().encode("utf-16-le"), unchanged, charset=None),
    *charset_cases("arabic", arabic_text, "cp1256", "windows-1256", arabic),
    *charset_cases("french", french_text, "cp1252", "iso-8859-1", french),
    BadPage("meta-says-utf-8-but-windows-1256", lambda _d: arabic_text().encode("cp1256"), arabic, charset=None),
    BadPage("meta-says-windows-1256-but-utf-8", lambda _d: declared(arabic_text(), "meta", "windows-1256").encode(), arabic, charset=None),
    BadPage("sidecar-says-utf-8-but-windows-1256", lambda _d: declared(arabic_text(), "meta", "windows-1256").encode("cp1256"), arabic, charset="utf-8"),
    BadPage("meta-says-utf-16", lambda _d: declared(arabic_text(), "meta", "utf-16").encode(), arabic, charset=None),
    BadPage("nul-bytes", lambda _d: source_bytes().replace(b"<p>", b"<p>\x00").replace(b'class="', b'class\x00="'), unchanged),
    BadPage("nested-2000-in-chrome", lambda _d: in_cookie_notice(nested(2000)), unchanged),
    BadPage("nested-2000-in-paragraph", lambda _d: re.sub(rb'(<div class="article-body">.*?<p>)([^<]+)', lambda m: m.group(1) + nested(2000, b"span", m.group(2)), source_bytes(), count=1, flags=re.S), unchanged),
    BadPage("nested-10000", lambda _d: in_cookie_notice(nested(10_000)), error=PageError, message="nested more than 2048 levels deep"),
    BadPage("nested-10000-after-many-errors", lambda _d: in_cookie_notice(b"<b><i></b></i></x>" * 300 + nested(10_000)), error=PageError, message="nested more than 2048 levels deep"),
    BadPage("entities-and-xinclude", lambda d: entity_bombs(secret_file(d)), unchanged),
    BadPage("page-50-mb", lambda _d: big_page(), unchanged, slow=True),
]


def secret_file(directory: Path) -> Path:
    path = directory / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def layouts() -> LayoutSet:
    return load_layouts()


def outcome(path: Path, layouts: LayoutSet) -> Extraction | TemplateGuardError:
    """The extraction of a page that fits its layout, or the documented error; any other exception fails the test."""
    try:
        return checked(run_page(path, layouts=layouts))
    except TemplateGuardError as error:
        return error


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_bad_page_is_extracted_correctly_or_refused_with_one_documented_error(case: BadPage, tmp_path: Path, layouts: LayoutSet) -> None:
    result = outcome(case.write(tmp_path), layouts)
    if case.error is None:
        assert case.expected is not None
        assert not isinstance(result, TemplateGuardError), f"{case.name}: {result}"
        assert result.article == case.expected()
        # page_findings parses the page again and walks it: it must cope with every page extraction copes with.
        assert [f for f in page_findings(result) if f.status in ("error", "warning")] == []
    else:
        assert type(result) is case.error, f"{case.name}: expected {case.error.__name__}, got {result!r}"
        assert case.message in str(result)
        assert "\n" not in str(result)


def test_the_cases_really_change_the_page(tmp_path: Path) -> None:
    # Guards the builders: a builder that silently produced the capture itself would prove nothing.
    original_bytes = source_bytes()
    for case in CASES:
        if not case.slow and case.url is None:
            assert case.build(tmp_path) != original_bytes, case.name


def charset_origin(case_name: str) -> str:
    """Where the charset of a `charset_cases` page must be found, by how the page declares it."""
    how = next(how for how in DECLARATIONS if case_name.endswith(f"-{how}"))
    return {"meta": "meta", "http-equiv": "meta", "sidecar": "http", "undeclared": "detected"}[how]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name.startswith(("arabic-", "french-"))], ids=lambda case: case.name
)
def test_a_legacy_charset_is_read_from_where_the_page_declares_it(case: BadPage, tmp_path: Path, layouts: LayoutSet) -> None:
    decoded = run_page(case.write(tmp_path), layouts=layouts).decoded
    expected_encoding = "cp1256" if case.name.startswith("arabic") else "cp1252"
    assert (decoded.encoding, decoded.origin) == (expected_encoding, charset_origin(case.name))


def test_a_page_cut_inside_a_utf_8_character_stays_utf_8(tmp_path: Path, layouts: LayoutSet) -> None:
    case = next(c for c in CASES if c.name == "cut-mid-utf8-arabic-page")
    decoded = run_page(case.write(tmp_path), layouts=layouts).decoded
    assert decoded.encoding == "utf-8"
    assert decoded.note == "the page ends in the middle of a UTF-8 character (cut off?)"


def test_entities_are_neither_expanded_nor_fetched_and_xinclude_is_not_followed(tmp_path: Path, layouts: LayoutSet) -> None:
    case = next(c for c in CASES if c.name == "entities-and-xinclude")
    extraction = run_page(case.write(tmp_path), layouts=layouts)
    rendered = extraction.article.to_json() + json.dumps([f.message for f in page_findings(extraction)])
    assert SECRET not in rendered and "lollollol" not in rendered
    # The whole parsed page, not only the article: nothing from the secret file entered the tree.
    tree_text = parse_decoded(extraction.decoded).root.xpath("string()")
    assert SECRET not in tree_text and "lollollol" not in tree_text
    assert "&lol9;" in tree_text  # the reference stays as written, unexpanded, as a browser shows it


# ---- the command line ------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("case", [c for c in CASES if not c.slow], ids=lambda case: case.name)
def test_extract_on_a_bad_page_prints_the_article_or_one_error_line(case: BadPage, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    result = invoke("extract", str(path))
    assert "Traceback" not in result.output
    if case.expected is not None:
        assert result.exit_code == 0, result.stderr
        assert result.stdout == case.expected().to_text()
    elif case.error is ExtractionError:
        # extract still prints what it found, and one error line per problem.
        assert result.exit_code == EXIT_PROBLEMS
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith(f"error: {path}: ") for line in lines)
        assert any(case.message in line for line in lines)
    else:
        assert result.exit_code == EXIT_PROBLEMS
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and case.message in lines[0], result.stderr


def test_check_reports_every_bad_page_on_one_line_and_fails(tmp_path: Path) -> None:
    # check takes the layout from the page's directory, so pages refused only for want of a URL are left out.
    refused = [case for case in CASES if case.error is not None and case.sidecar]
    for case in refused:
        case.write(tmp_path)
    result = invoke("check", str(tmp_path / "pages"))
    assert result.exit_code == EXIT_PROBLEMS
    assert "Traceback" not in result.output
    for case in refused:
        line = next(line for line in result.stdout.splitlines() if f"{LAYOUT}/{case.name}" in line)
        assert line.split()[0] == "error", line
