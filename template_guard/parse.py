"""Page bytes to an lxml tree: sniffing, charset decoding, and a parser that never touches the network."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree, html

from .errors import PageError

CharsetOrigin = Literal["bom", "http", "meta", "utf-8", "detected", "fallback"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096
_BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "gzip-compressed data (store the decompressed page)"),
    (b"RIFF", "a RIFF media file (WebP, WAV or AVI)"),
    (b"\x00\x00\x00", "binary data"),
)
# Characters XML forbids; libxml2 would reject or truncate the text at them.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The text is re-encoded as UTF-8 before parsing, so the parser must not re-sniff a <meta> charset.
_UTF8_PARSER = html.HTMLParser(
    no_network=True,
    remove_pis=True,
    huge_tree=True,  # real pages exceed libxml2's default 10 MB text-node limit; entities are never expanded
    default_doctype=False,
    encoding="utf-8",
)


@dataclass(frozen=True)
class Decoded:
    """The page as text, with the charset used and where that choice came from."""

    text: str
    encoding: str
    origin: CharsetOrigin
    note: str | None = None


@dataclass(frozen=True)
class ParsedPage:
    """A parsed page: the root element, how it was decoded, and the URL it declares for itself."""

    root: html.HtmlElement
    decoded: Decoded
    declared_url: str | None


def sniff_binary(content: bytes) -> str | None:
    """Name the kind of binary file `content` is, or None if it may be text."""
    head = content[:16]
    for signature, name in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return name
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    sample = content[:_PRESCAN_BYTES]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if sample and controls / len(sample) > 0.1:
        return "binary data"
    return None


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def decode(content: bytes, http_charset: str | None = None) -> Decoded:
    """Decode page bytes the way a browser would: BOM, then HTTP charset, then `<meta>`, then UTF-8.

    A declaration the bytes contradict is not trusted blindly: the fallback is strict UTF-8, then
    statistical detection, then windows-1252 with replacement characters, and the `note` says so.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return Decoded(content[len(bom):].decode(encoding, errors="replace"), encoding, "bom")
    notes: list[str] = []
    candidates: list[tuple[str, CharsetOrigin]] = []
    if http_charset:
        if normalised := _normalise_charset(http_charset):
            candidates.append((normalised, "http"))
        else:
            notes.append(f"unknown HTTP charset {http_charset!r} ignored")
    match = _META_CHARSET.search(content[:_PRESCAN_BYTES])
    if match:
        declared = match.group(1).decode("ascii", "replace")
        if normalised := _normalise_charset(declared):
            candidates.append((normalised, "meta"))
        else:
            notes.append(f"unknown meta charset {declared!r} ignored")
    for encoding, origin in candidates:
        if origin == "meta" and encoding not in ("utf-8", "ascii") and not content.isascii():
            # A page that is valid UTF-8 but declares a legacy charset in <meta> is almost always mislabelled.
            try:
                return Decoded(content.decode("utf-8"), "utf-8", "utf-8", f"meta charset {encoding} contradicted by the bytes")
            except UnicodeDecodeError:
                pass
        try:
            return Decoded(content.decode(encoding), encoding, origin, "; ".join(notes) or None)
        except UnicodeDecodeError:
            notes.append(f"{origin} charset {encoding} does not fit the bytes")
    try:
        return Decoded(content.decode("utf-8"), "utf-8", "utf-8", "; ".join(notes) or None)
    except UnicodeDecodeError:
        pass
    detected = _detect(content)
    if detected:
        return Decoded(content.decode(detected, errors="replace"), detected, "detected", "; ".join(notes) or None)
    return Decoded(content.decode("windows-1252", errors="replace"), "windows-1252", "fallback", "; ".join(notes) or None)


def _detect(content: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # detection is a best effort; windows-1252 is the HTML standard's fallback
        return None
    best = from_bytes(content[:200_000]).best()
    return _normalise_charset(best.encoding) if best else None


def parse_html(content: bytes, http_charset: str | None = None, *, source: str | None = None) -> ParsedPage:
    """Parse page bytes into an lxml HTML tree; `PageError` when they are not an HTML page."""
    if not content.strip():
        raise PageError(source, "the page is empty" if not content else "the page holds only whitespace")
    binary = sniff_binary(content)
    if binary:
        raise PageError(source, f"not an HTML page: the file is {binary}")
    decoded = decode(content, http_charset)
    text = _FORBIDDEN_CHARS.sub("", decoded.text)
    if not text.strip():
        raise PageError(source, "the page holds no text after decoding")
    try:
        root = html.document_fromstring(text.encode("utf-8"), parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise PageError(source, f"cannot parse the page as HTML: {error}") from None
    if root is None:
        raise PageError(source, "cannot parse the page as HTML: no document element")
    return ParsedPage(root, decoded, _declared_url(root))




def _declared_url(root: html.HtmlElement) -> str | None:
    for expression in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for value in root.xpath(expression):
            if value.strip():
                return value.strip()
    return None
