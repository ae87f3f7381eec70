"""Fuzzing the extractor: whatever the bytes, only a `TemplateGuardError` may come out, never another exception.

Two sources of input: arbitrary bytes, and real captures mutated the way pages get damaged (bytes
flipped, cut off, spliced with another page, stray markup inserted). Bounded for the default suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from template_guard import TemplateGuardError, load_layouts
from template_guard.engine.diagnostics import page_findings
from template_guard.engine.pipeline import checked, run
from template_guard.engine.routing import LayoutSet

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages" / "almayadeen-english"
PAGES = [path.read_bytes() for path in sorted(PAGES_DIR.glob("*.html"))]
URLS = [json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["url"] for path in sorted(PAGES_DIR.glob("*.html"))]
LAYOUTS: LayoutSet = load_layouts()

# Markup and bytes that are known to upset parsers, decoders or extractors.
SNIPPETS = [
    b"<div>", b"</div>", b"</p></div></main>", b"<p>", b"</body></html>", b"<html>", b"<body>", b"<head>",
    b"<!--", b"-->", b"<![CDATA[", b"]]>", b"<script>", b"</script>", b"<style>", b"<template>", b"<noscript>",
    b"<table><tr><td>", b"<svg><foreignObject><p>", b"<math><mi>", b"<plaintext>", b"<frameset>", b"<select>",
    b"<h1 class=\"article-title\">", b"<div class=\"article-body\">", b"<main class=\"main-content\">",
    b"<blockquote class=\"twitter-tweet\">", b"<time datetime=\"\">", b"<li class=\"author\">",
    b"&", b"&amp", b"&#0;", b"&#x0;", b"&#xD800;", b"&#1114112;", b"&#x110000;", b"&nbsp;", b"&lol;",
    b"\x00", b"\x01", b"\x1b", b"\x7f", b"\r", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xe2\x80",
    b"\xf0\x9f\x98", "\u2028\u202e\ufeff\ufffe".encode(), b"\xed\xa0\x80",
    b"<meta charset=\"utf-16\">", b"<meta charset=\"windows-1256\">", b"<meta charset=\"bogus\">",
    b"<meta charset=\"utf-7\">", b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\">",
    b"<?xml version=\"1.0\" encoding=\"ebcdic-cp-us\"?>", b"<?php echo 1; ?>",
    b"<!DOCTYPE x [<!ENTITY a SYSTEM \"file:///etc/passwd\"><!ENTITY b \"&a;&a;&a;\">]>", b"&a;&b;",
    b"<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\" parse=\"text\"/>",
    b"<link rel=\"canonical\" href=\"https://elsewhere.example/\">", b"<link rel=\"canonical\" href=\"http://[bad\">",
    b"<meta property=\"og:url\" content=\"//english.almayadeen.net/news/x\">", b"<base href=\"javascript:x\">",
    b"<div>" * 300, b"</div>" * 300, b"<span>" * 3000,
]
CHARSETS = [None, "utf-8", "utf-16", "windows-1256", "iso-8859-1", "shift_jis", "utf-7", "bogus", ""]


@st.composite
def damaged_pages(draw: st.DrawFn) -> tuple[bytes, str]:
    """A real capture with one to six mutations, and its URL."""
    index = draw(st.integers(0, len(PAGES) - 1))
    content = bytearray(PAGES[index])
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(content)))
        mutation = draw(st.sampled_from(["flip", "truncate", "splice", "insert", "delete", "bytes"]))
        if mutation == "flip" and content:
            position = min(position, len(content) - 1)
            content[position] ^= 1 << draw(st.integers(0, 7))
        elif mutation == "truncate":
            del content[position:]
        elif mutation == "splice":
            other = PAGES[draw(st.integers(0, len(PAGES) - 1))]
            start = draw(st.integers(0, len(other)))
            content[position:position] = other[start:start + draw(st.integers(0, 4000))]
        elif mutation == "insert":
            content[position:position] = draw(st.sampled_from(SNIPPETS))
        elif mutation == "delete":
            del content[position:position + draw(st.integers(1, 2000))]
        else:
            content[position:position] = draw(st.binary(max_size=64))
    return bytes(content), URLS[index]


def extract_anything(content: bytes, url: str | None, charset: str | None) -> None:
    """Run the whole pipeline a page goes through in `check`; let only documented errors escape."""
    try:
        extraction = run(content, url=url, layouts=LAYOUTS, http_charset=charset, source="fuzz.html")
        page_findings(extraction)  # diagnostics parse and walk the page again
        checked(extraction)
    except TemplateGuardError as error:
        assert str(error) and "\n" not in str(error).strip(), repr(error)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=4096), charset=st.sampled_from(CHARSETS), layout_by_url=st.booleans())
def test_arbitrary_bytes_give_an_article_or_a_documented_error(content: bytes, charset: str | None, layout_by_url: bool) -> None:
    extract_anything(content, URLS[0] if layout_by_url else None, charset)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(page=damaged_pages(), charset=st.sampled_from(CHARSETS), layout_by_url=st.booleans())
def test_damaged_real_pages_give_an_article_or_a_documented_error(
    page: tuple[bytes, str], charset: str | None, layout_by_url: bool
) -> None:
    content, url = page
    # Without a URL the layout comes from the page's own canonical link, which the damage may have broken.
    extract_anything(content, url if layout_by_url else None, charset)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1256", "cp1252", "gb18030"]))
def test_arbitrary_text_in_any_encoding_gives_an_article_or_a_documented_error(text: str, encoding: str) -> None:
    content = ("<html><body><h1 class=\"article-title\">" + text + "</h1></body></html>").encode(encoding, "replace")
    extract_anything(content, URLS[0], None)


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_the_fuzzed_pages_extract_cleanly_before_damage(index: int) -> None:
    # The mutations start from pages that fit: a failure above is the damage's doing, not the page's.
    assert checked(run(PAGES[index], url=URLS[index], layouts=LAYOUTS)).article.title
