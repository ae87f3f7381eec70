"""Decoding page bytes as a browser would, and refusing what is not an HTML page, with a reason."""

from __future__ import annotations

import codecs

import pytest

from template_guard import PageError
from template_guard.engine.parse import Decoded, decode, parse_again, parse_decoded, parse_html, sniff_binary

ARABIC = "ألماتي واجهت ست موجات من الهجمات، قال الرئيس الكازاخستاني في خطاب متلفز"
FRENCH = "Le président kazakh, très inquiet à Almaty, évoque « des étrangers » – voilà où en est la crise"
RUSSIAN = "Президент Казахстана заявил, что Алматы пережил шесть волн нападений"


def page(body: str, head: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}<title>t</title></head><body><p>{body}</p></body></html>'


def meta(charset: str) -> str:
    return f'<meta charset="{charset}">'


# ---- where the charset comes from ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_wins_over_every_declaration(bom: bytes, encoding: str) -> None:
    text = page(ARABIC, meta("windows-1256"))
    decoded = decode(bom + text.encode(encoding), http_charset="iso-8859-1")
    assert decoded == Decoded(text, encoding, "bom")


def test_the_http_charset_wins_over_the_meta_charset() -> None:
    decoded = decode(page(ARABIC, meta("iso-8859-6")).encode("cp1256"), http_charset="windows-1256")
    assert (decoded.text, decoded.encoding, decoded.origin) == (page(ARABIC, meta("iso-8859-6")), "cp1256", "http")


@pytest.mark.parametrize(
    "declaration",
    [meta("windows-1256"), meta("WINDOWS-1256"), "<meta charset='cp1256'>", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'],
)
def test_the_meta_charset_in_its_forms(declaration: str) -> None:
    text = page(ARABIC, declaration)
    assert decode(text.encode("cp1256")) == Decoded(text, "cp1256", "meta")


def test_iso_8859_1_means_windows_1252_as_in_browsers() -> None:
    text = page("“quoted” – €5 … naïve", meta("iso-8859-1"))
    decoded = decode(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_us_ascii_means_windows_1252_too() -> None:
    decoded = decode(page("café", meta("us-ascii")).encode("cp1252"))
    assert "café" in decoded.text and decoded.encoding == "cp1252"


def test_the_five_bytes_windows_1252_leaves_undefined_decode_to_c1_controls() -> None:
    decoded = decode(page("a\x81b\x8dc\x8fd\x90e\x9df", meta("windows-1252")).encode("latin-1"))
    assert "a\x81b\x8dc\x8fd\x90e\x9df" in decoded.text and decoded.origin == "meta"


def test_a_label_python_does_not_know_but_browsers_do() -> None:
    decoded = decode(page("ภาษาไทย", meta("windows-874")).encode("cp874"))
    assert ("ภาษาไทย" in decoded.text, decoded.encoding, decoded.origin) == (True, "cp874", "meta")


def test_a_meta_utf_16_label_on_ascii_compatible_bytes_means_utf_8() -> None:
    text = page(ARABIC, meta("utf-16"))
    assert decode(text.encode("utf-8")) == Decoded(text, "utf-8", "meta")


def test_utf_7_is_refused_as_browsers_refuse_it() -> None:
    text = page("a+AGEAYgBj-b", meta("utf-7"))
    decoded = decode(text.encode("ascii"))
    assert decoded == Decoded(text, "utf-8", "utf-8", "unknown meta charset 'utf-7' ignored")


def test_unknown_labels_are_noted_and_ignored() -> None:
    text = page(ARABIC, meta("klingon-8"))
    assert decode(text.encode(), http_charset="x-nonsense") == Decoded(
        text, "utf-8", "utf-8", "unknown HTTP charset 'x-nonsense' ignored; unknown meta charset 'klingon-8' ignored"
    )


# ---- declarations the bytes contradict -------------------------------------------------------------


@pytest.mark.parametrize("origin", ["meta", "http"])
def test_a_legacy_label_on_utf_8_bytes_is_a_mislabel(origin: str) -> None:
    text = page(ARABIC, meta("windows-1256") if origin == "meta" else "")
    decoded = decode(text.encode(), http_charset="windows-1256" if origin == "http" else None)
    assert decoded == Decoded(text, "utf-8", "utf-8", f"{origin} charset cp1256 contradicted by the bytes")


def test_a_utf_8_label_on_legacy_bytes_falls_back_to_detection() -> None:
    text = page(ARABIC, meta("utf-8"))
    decoded = decode(text.encode("cp1256"))
    assert decoded == Decoded(text, "cp1256", "detected", "meta charset utf-8 does not fit the bytes")


def test_a_page_cut_inside_a_utf_8_character_is_still_utf_8() -> None:
    content = page(ARABIC, meta("utf-8")).encode()
    cut = content[: content.index(ARABIC.encode()) + 5]  # two letters and half of the third
    decoded = decode(cut)
    assert decoded.text.endswith(ARABIC[:2] + "\ufffd") and decoded.encoding == "utf-8"
    assert decoded.note == "the page ends in the middle of a UTF-8 character (cut off?)"


def test_a_few_stray_bytes_in_a_utf_8_page_are_replaced_not_fatal() -> None:
    text = page(ARABIC + " \xe9 " + ARABIC)  # one latin-1 byte pasted into UTF-8 text
    content = text.encode().replace("\xe9".encode(), b"\xe9")
    decoded = decode(content, http_charset="utf-8")
    assert decoded == Decoded(text.replace("\xe9", "\ufffd"), "utf-8", "http", "1 invalid UTF-8 byte sequence(s) replaced by U+FFFD")


def test_a_valid_replacement_character_is_not_counted_as_invalid() -> None:
    text = page("\ufffd" * 50 + ARABIC)
    decoded = decode(text.encode() + b"\xff")
    assert decoded.note == "1 invalid UTF-8 byte sequence(s) replaced by U+FFFD"


# ---- no declaration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "lang"),
    [(ARABIC, "cp1256", "en"), (FRENCH, "cp1252", "en"), (RUSSIAN, "cp1251", "ru")],
)
def test_an_undeclared_legacy_charset_is_detected(text: str, encoding: str, lang: str) -> None:
    decoded = decode(page(text, lang=lang).encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.origin) == (page(text, lang=lang), encoding, "detected")


def test_western_text_prefers_windows_1252_over_look_alikes() -> None:
    # à, è and ù are ŕ, č and ů in windows-1250: a tie the HTML standard's default breaks.
    text = page("Voilà très bien, où est la crème brûlée ?")
    assert decode(text.encode("cp1252")).text == text


def test_utf_16_without_a_byte_order_mark() -> None:
    text = page(ARABIC)
    assert decode(text.encode("utf-16-be")) == Decoded(text, "utf-16-be", "detected", "UTF-16 without a byte-order mark")


def test_plain_ascii_is_utf_8() -> None:
    assert decode(b"<p>plain</p>") == Decoded("<p>plain</p>", "utf-8", "utf-8")


# ---- what is not a page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.4\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00", "a GIF image"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive (or an office document)"),
        (b"\x1f\x8b\x08\x00", "gzip-compressed data (store the decompressed page)"),
        (b"RIFF\x24\x00\x00\x00WEBP", "a RIFF media file (WebP, WAV or AVI)"),
        (bytes(range(32)) * 20, "binary data"),
    ],
)
def test_binary_files_are_named(content: bytes, kind: str) -> None:
    assert sniff_binary(content) == kind
    with pytest.raises(PageError) as raised:
        parse_html(content, source="page.html")
    assert str(raised.value) == f"page.html: not an HTML page: the file is {kind}"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32", "utf-16"])
def test_wide_unicode_text_is_not_binary(encoding: str) -> None:
    assert sniff_binary(page(ARABIC).encode(encoding)) is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the page is empty"),
        (b"  \n\t", "the page holds only whitespace"),
        (b"\xef\xbb\xbf", "the page holds no text after decoding"),
        (b"\x00\x01\x02 \x03", "not an HTML page: the file is binary data"),
        (b"<!DOCTYPE html><!-- nothing -->", "the page holds no HTML elements"),
        (b"<html>" + b"<div>" * 3000 + b"</html>", "elements are nested more than 2048 levels deep (line 1); the HTML parser stops there and everything after it would be lost"),
    ],
)
def test_pages_that_cannot_be_parsed(content: bytes, problem: str) -> None:
    with pytest.raises(PageError) as raised:
        parse_html(content)
    assert raised.value.problem == problem


def test_nesting_just_below_the_parser_limit_is_parsed_whole() -> None:
    root = parse_html(b"<html><body>" + b"<div>" * 2000 + b"deep" + b"</div>" * 2000 + b"<p>after</p></body></html>").root
    assert root.xpath("string()") == "deepafter"


def test_characters_xml_forbids_are_dropped() -> None:
    padding = b"<p>" + b"text " * 20 + b"</p>"  # a few control bytes in a page, not a binary file
    root = parse_html(padding + b"<p>a\x00b\x01c\x0bd" + "e\ufffef</p>".encode()).root
    assert root.xpath("string()").endswith("text abcdef")


# ---- the parser's shortcut for clean UTF-8 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "http_charset"),
    [
        (page(FRENCH).encode(), None),  # clean UTF-8: parsed as it is, decoded only when asked
        (page(FRENCH, meta("utf-8")).encode(), "utf-8"),
        (page(FRENCH).encode()[:-3] + "é".encode()[:1], None),  # cut off inside a character
        (page(FRENCH).encode().replace("é".encode(), b"\xe9", 1), None),  # one stray latin-1 byte
        (page(FRENCH).encode().replace(b"crise", b"cr\xed\xa0\x80ise"), None),  # an encoded surrogate
        (page("a\x01b\x0bc").encode(), None),  # characters XML forbids
        (page(FRENCH).encode("cp1252"), "utf-8"),  # a wrong label
        (page(RUSSIAN, meta("windows-1251")).encode("cp1251"), None),
        (page(FRENCH).encode("utf-8"), "iso-8859-1"),  # a legacy label the bytes contradict
    ],
)
def test_parsing_the_bytes_directly_gives_what_decoding_first_gives(content: bytes, http_charset: str | None) -> None:
    parsed = parse_html(content, http_charset)
    decoded = decode(content, http_charset)
    assert parsed.decoded == decoded
    assert parsed.root.xpath("string(//p)") == parse_decoded(decoded).root.xpath("string(//p)")


def test_parsing_again_gives_a_fresh_tree_of_the_same_page() -> None:
    for content in (page(FRENCH).encode(), page(RUSSIAN, meta("windows-1251")).encode("cp1251"), page("a\x01b").encode()):
        first = parse_html(content)
        first.root.find(".//p").getparent().remove(first.root.find(".//p"))  # as extraction changes its tree
        again = parse_again(first)
        assert again.root is not first.root and again.decoded == first.decoded
        assert again.root.xpath("string(//p)") == parse_decoded(decode(content)).root.xpath("string(//p)") != ""
