"""Page bytes to an lxml tree: sniffing, charset decoding, and a parser that never touches the network."""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from lxml import etree

from template_guard.errors import PageError

CharsetOrigin = Literal["bom", "http", "meta", "utf-8", "detected", "fallback"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HTML_LANG = re.compile(rb"""<html[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]{2,3})""", re.IGNORECASE)
_PRESCAN_BYTES = 4096
PRESCAN_BYTES = _PRESCAN_BYTES  # how far `decode` looks for a <meta> charset, as browsers do
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
_CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))
_FORBIDDEN_BYTES = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32))
_FORBIDDEN_BYTE_STRINGS = tuple(bytes([byte]) for byte in _FORBIDDEN_BYTES)
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Labels the HTML standard maps to a superset of what Python's codec of the same name decodes: pages
# labelled iso-8859-1 are written in windows-1252, and so on.
_WHATWG_ENCODINGS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
# Labels of the HTML standard that Python's codec registry does not know.
_EXTRA_LABELS = {"windows-874": "cp874", "x-sjis": "cp932", "x-user-defined": "cp1252", "x-cp1252": "cp1252"}
# Not an encoding a browser accepts (UTF-7 was an XSS vector); the label is ignored.
_REFUSED_ENCODINGS = frozenset({"utf-7"})
# The legacy encodings worth guessing between when a page declares none and is not UTF-8.
_DETECTABLE = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp874",
    "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_8", "koi8_r", "koi8_u", "cp866",
    "cp932", "euc_jp", "gb18030", "big5", "cp949",
)
# The legacy encoding usual for a page's declared language: it breaks ties between equally good guesses.
_LANGUAGE_ENCODINGS = {
    **dict.fromkeys(("ar", "fa", "ur"), "cp1256"),
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be"), "cp1251"),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "ro", "hr", "sl"), "cp1250"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    **dict.fromkeys(("he", "yi"), "cp1255"),
    **dict.fromkeys(("tr", "az"), "cp1254"),
    "el": "cp1253",
    "vi": "cp1258",
    "th": "cp874",
    "ja": "cp932",
    "ko": "cp949",
    "zh": "gb18030",
}
_DETECTION_SAMPLE_BYTES = 64 * 1024
_NON_ASCII_TEXT = re.compile(rb"[^<>]*[\x80-\xff][^<>]*")
# A UTF-8 page may carry a few stray bytes (a pasted snippet, a cut-off download); below one invalid
# sequence per this many valid non-ASCII characters it is still read as UTF-8, as a browser would.
_UTF8_VALID_PER_INVALID = 10
# What libxml2 reports when it stops parsing early, e.g. "Excessive depth in document: 2048, …".
_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_INVALID_ENCODING = etree.ErrorTypes.ERR_INVALID_ENCODING
_NUMBER = re.compile(r"\d+")


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """The HTML standard decodes the five bytes windows-1252 leaves undefined as the C1 controls."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start:error.end].decode("latin-1"), error.end


_WINDOWS_1252_ERRORS = "template_guard.windows-1252"
codecs.register_error(_WINDOWS_1252_ERRORS, _c1_controls)


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

    root: etree._Element
    decoder: Callable[[], Decoded] = field(repr=False, compare=False)
    raw: bytes | None = field(default=None, repr=False, compare=False)  # the page's bytes, when parsed as they are

    @functools.cached_property
    def decoded(self) -> Decoded:
        """The page as text; of a clean UTF-8 page, decoded only when asked (extraction needs just the tree)."""
        return self.decoder()

    @functools.cached_property
    def declared_url(self) -> str | None:
        """The page's own absolute http(s) URL (canonical link, else og:url), looked up only when needed."""
        return _declared_url(self.root)


def sniff_binary(content: bytes) -> str | None:
    """Name the kind of binary file `content` is, or None if it may be text."""
    head = content[:16]
    for signature, name in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return name
    if content.startswith(_BOM_PREFIXES) or _utf16_without_bom(content):
        return None
    sample = content[:_PRESCAN_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.1:
        return "binary data"
    return None


def _utf16_without_bom(content: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when `content` is ASCII-range text in UTF-16 without a byte-order mark."""
    sample = content[: _PRESCAN_BYTES & ~1]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for high, low, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # Markup is ASCII: many code units have a zero high byte, and none is a NUL character.
        if high.count(0) >= len(high) // 2 and low.count(0) <= len(low) // 100 and b"<" in low:
            text = sample.decode(encoding, errors="replace")
            if sum(1 for char in text if char < " " and char not in "\t\n\r") <= len(text) // 100:
                return encoding
    return None


def _normalise_charset(name: str | None) -> str | None:
    """Python's codec for a charset label, following the HTML standard's aliases; None when unusable."""
    if not name:
        return None
    label = name.strip().strip("'\"").lower()
    try:
        codec = codecs.lookup(_EXTRA_LABELS.get(label, label)).name
    except LookupError:
        return None
    if codec in _REFUSED_ENCODINGS:
        return None
    return _WHATWG_ENCODINGS.get(codec, codec)


def _meta_charset(name: str) -> str | None:
    """A `<meta>` label: one found by an ASCII prescan cannot really be UTF-16/32, so it means UTF-8."""
    codec = _normalise_charset(name)
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def decode(content: bytes, http_charset: str | None = None) -> Decoded:
    """Decode page bytes the way a browser would: BOM, then HTTP charset, then `<meta>`, then UTF-8.

    A declaration the bytes contradict is not trusted blindly: bytes that are UTF-8 win over a legacy
    label, and when nothing fits the fallback is UTF-8, then statistical detection, then windows-1252
    with replacement characters; the `note` says what happened.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return Decoded(content[len(bom):].decode(encoding, errors="replace"), encoding, "bom")
    if utf16 := _utf16_without_bom(content):
        return Decoded(content.decode(utf16, errors="replace"), utf16, "detected", "UTF-16 without a byte-order mark")
    candidates, notes = _declared_charsets(content, http_charset)
    for encoding, origin in candidates:
        # Text in a legacy charset is practically never valid UTF-8 by accident: the label is wrong.
        if encoding != "utf-8" and not content.isascii() and (utf8 := _utf8(content, tolerant=False)) is not None:
            text, note = utf8
            return Decoded(text, "utf-8", "utf-8", _join_notes(notes, f"{origin} charset {encoding} contradicted by the bytes", note))
        decoded = _decode_declared(content, encoding)
        if decoded is not None:
            text, note = decoded
            return Decoded(text, encoding, origin, _join_notes(notes, note))
        notes.append(f"{origin} charset {encoding} does not fit the bytes")
    if (utf8 := _utf8(content, tolerant=True)) is not None:
        text, note = utf8
        return Decoded(text, "utf-8", "utf-8", _join_notes(notes, note))
    detected = _detect(content)
    if detected:
        return Decoded(_decode_replacing(content, detected), detected, "detected", _join_notes(notes))
    return Decoded(_decode_replacing(content, "cp1252"), "windows-1252", "fallback", _join_notes(notes))


def _declared_charsets(content: bytes, http_charset: str | None) -> tuple[list[tuple[str, CharsetOrigin]], list[str]]:
    """The usable charset declarations (HTTP first, then `<meta>`), and notes on the unusable ones."""
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
        if normalised := _meta_charset(declared):
            candidates.append((normalised, "meta"))
        else:
            notes.append(f"unknown meta charset {declared!r} ignored")
    return candidates, notes


def _read_as_utf8_first(content: bytes, http_charset: str | None) -> bool:
    """Whether `decode` tries UTF-8 before anything else, with nothing to note: the common, clean case."""
    if content.startswith(_BOM_PREFIXES) or _utf16_without_bom(content):
        return False
    candidates, notes = _declared_charsets(content, http_charset)
    return not notes and (not candidates or candidates[0][0] == "utf-8")


def late_meta_charset(content: bytes) -> tuple[str, int] | None:
    """A `<meta>` charset that `decode` ignored as it lies past the prescan window: its label and byte offset.

    Browsers look for the declaration in the first bytes only, so a late one is a fact worth showing.
    """
    if _META_CHARSET.search(content[:_PRESCAN_BYTES]):
        return None
    match = _META_CHARSET.search(content)
    return (match.group(1).decode("ascii", "replace"), match.start()) if match else None


def _join_notes(*notes: list[str] | str | None) -> str | None:
    flat: list[str] = []
    for note in notes:
        if isinstance(note, list):
            flat.extend(note)
        elif note:
            flat.append(note)
    return "; ".join(flat) or None


def _decode_declared(content: bytes, encoding: str) -> tuple[str, str | None] | None:
    """`content` in a declared encoding with a note, or None when the bytes do not fit it."""
    if encoding == "utf-8":
        return _utf8(content, tolerant=True)
    try:
        return _decode_strict(content, encoding), None
    except UnicodeDecodeError:
        return None


def _decode_strict(content: bytes, encoding: str) -> str:
    return content.decode(encoding, _WINDOWS_1252_ERRORS if encoding == "cp1252" else "strict")


def _decode_replacing(content: bytes, encoding: str) -> str:
    return content.decode(encoding, _WINDOWS_1252_ERRORS if encoding == "cp1252" else "replace")


def _utf8(content: bytes, *, tolerant: bool) -> tuple[str, str | None] | None:
    """`content` as UTF-8 with a note, or None when it is not UTF-8.

    A page cut off inside a character is still UTF-8. With `tolerant`, so is a page with a few invalid
    byte sequences among many valid non-ASCII characters; each becomes U+FFFD, as in a browser.
    """
    try:
        return content.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(content, final=False)
    except UnicodeDecodeError:
        pass
    else:  # only the last character is incomplete
        return text + "\ufffd", "the page ends in the middle of a UTF-8 character (cut off?)"
    if not tolerant:
        return None
    text = content.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - content.count("\ufffd".encode("utf-8"))
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if valid < _UTF8_VALID_PER_INVALID * invalid:
        return None
    return text, f"{invalid} invalid UTF-8 byte sequence(s) replaced by U+FFFD"


def _detect(content: bytes) -> str | None:
    """Guess a legacy encoding from the page's non-ASCII text; None when there is no usable guess."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # detection is a best effort; windows-1252 is the HTML standard's fallback
        return None
    # Markup is ASCII and says nothing about the charset; the detector judges the non-ASCII text alone.
    sample = b"\n".join(match.group(0) for match in _NON_ASCII_TEXT.finditer(content, 0, 4 * _DETECTION_SAMPLE_BYTES))
    results = list(from_bytes(sample[:_DETECTION_SAMPLE_BYTES] or content[:_DETECTION_SAMPLE_BYTES], cp_isolation=list(_DETECTABLE)))
    if not results:
        return None
    least_chaos = min(result.chaos for result in results)
    tied = [
        encoding
        for result in results
        if result.chaos <= least_chaos + 0.01
        for name in (result.encoding, *result.could_be_from_charset)
        if (encoding := _normalise_charset(name))
    ]
    if not tied:
        return None
    lang = _HTML_LANG.search(content[:_PRESCAN_BYTES])
    preferred = (_LANGUAGE_ENCODINGS.get(lang.group(1).decode("ascii").lower()) if lang else None, "cp1252")
    for encoding in preferred:
        if encoding in tied:
            return encoding
    return tied[0]


def parse_html(content: bytes, http_charset: str | None = None, *, source: str | None = None) -> ParsedPage:
    """Parse page bytes into an lxml HTML tree; `PageError` when they are not an HTML page."""
    if not content or content.isspace():
        raise PageError(source, "the page is empty" if not content else "the page holds only whitespace")
    binary = sniff_binary(content)
    if binary:
        raise PageError(source, f"not an HTML page: the file is {binary}")
    if _read_as_utf8_first(content, http_charset) and not _has_forbidden_utf8(content):
        # Most pages are clean UTF-8: the parser reads their bytes as they are and its log tells whether they
        # really are UTF-8, so the common case never decodes the page in Python (a diagnostic may, later).
        try:
            root, log = _parse_utf8(content, source)
        except PageError:
            pass  # reported below, in the words of the full decoding
        else:
            if not any(entry.type == _INVALID_ENCODING for entry in log):
                _check_complete(log, source)
                return ParsedPage(root, functools.partial(decode, content, http_charset), content)
    decoded = decode(content, http_charset)
    clean_utf8 = decoded.encoding == "utf-8" and decoded.origin != "bom" and decoded.note is None
    return parse_decoded(decoded, source=source, raw=content if clean_utf8 else None)


def parse_decoded(decoded: Decoded, *, source: str | None = None, raw: bytes | None = None) -> ParsedPage:
    """Parse already decoded page text (e.g. `Extraction.decoded` again, for diagnostics).

    `raw` is the page's original bytes when they are exactly `decoded.text` in UTF-8: parsing them
    directly spares a copy of the whole page.
    """
    if raw is not None and not _has_forbidden_utf8(raw):
        data = raw
    else:
        raw = None
        text = _FORBIDDEN_CHARS.sub("", decoded.text)
        if not text.strip():
            raise PageError(source, "the page holds no text after decoding")
        data = text.encode("utf-8")
    root, log = _parse_utf8(data, source)
    _check_complete(log, source)
    return ParsedPage(root, lambda: decoded, raw)


def parse_again(page: ParsedPage, *, source: str | None = None) -> ParsedPage:
    """A fresh tree of a page parsed before (extraction changes its tree in place), e.g. for diagnostics."""
    if page.raw is None:
        return parse_decoded(page.decoded, source=source)
    root, log = _parse_utf8(page.raw, source)  # the page's own bytes: no decoding and no copy, once more
    _check_complete(log, source)
    return ParsedPage(root, page.decoder, page.raw)


def _parse_utf8(data: bytes, source: str | None) -> tuple[etree._Element, etree._ListErrorLog]:
    """Parse UTF-8 bytes: the root element and the parser's log of this page alone."""
    # A parser per page: its error log must describe this page only, whatever other threads parse.
    # The data is UTF-8 (the page's bytes, or its decoded text re-encoded): the parser must not re-sniff a
    # <meta> charset. The HTML parser never loads a DTD, expands an entity, follows an XInclude or opens a URL.
    # A plain etree parser: lxml.html's parser looks up a Python element class for every element the
    # code touches (millions of calls in a property run), and nothing here uses lxml.html's element API.
    parser = etree.HTMLParser(
        no_network=True,
        remove_pis=True,
        # Real pages exceed libxml2's default 10 MB text-node limit; huge_tree also lets elements nest
        # 2048 levels deep instead of 256. Entities are never expanded either way.
        huge_tree=True,
        default_doctype=False,
        encoding="utf-8",
    )
    try:
        root = etree.fromstring(data, parser=parser)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as error:
        if "empty" in str(error).lower():  # only a comment, a doctype or an XML declaration
            raise PageError(source, "the page holds no HTML elements") from None
        raise PageError(source, f"cannot parse the page as HTML: {error}") from None
    return root, parser.error_log


def _has_forbidden_utf8(raw: bytes) -> bool:
    """Whether UTF-8 bytes hold a character XML forbids (C0 controls, U+FFFE, U+FFFF).

    A clean UTF-8 page is handed to the parser as it is, without a re-encoded copy; `in` and `find` are
    plain C scans (memchr), many times faster than a regular expression over the whole page.
    """
    if any(byte in raw for byte in _FORBIDDEN_BYTE_STRINGS):  # a memchr per byte value: no copy of the page
        return True
    # Their UTF-8 starts with byte EF, rare in web text: hopping between EF bytes with find (memchr) is
    # far faster than searching for the three-byte sequences.
    position = raw.find(b"\xef")
    while position != -1:
        if raw[position + 1 : position + 3] in (b"\xbf\xbe", b"\xbf\xbf"):
            return True
        position = raw.find(b"\xef", position + 1)
    return False


def _check_complete(log: etree._ListErrorLog, source: str | None) -> None:
    """`PageError` when libxml2 gave up part-way: the rest of the page would be silently missing."""
    for entry in log:
        if entry.level != etree.ErrorLevels.FATAL:
            continue  # recoverable errors (mis-nested or unclosed tags) are repaired like a browser does
        if entry.type == _RESOURCE_LIMIT and "depth" in entry.message.lower():
            limit = _NUMBER.search(entry.message)
            raise PageError(
                source,
                f"elements are nested more than {limit.group(0) if limit else 'the allowed'} levels deep "
                f"(line {entry.line}); the HTML parser stops there and everything after it would be lost",
            )
        raise PageError(source, f"the HTML parser gave up at line {entry.line}: {entry.message.strip()}")


def _declared_url(root: etree._Element) -> str | None:
    """The page's own absolute http(s) URL (canonical link, else og:url); None when it declares no usable one."""
    for expression in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for value in root.xpath(expression):
            if url := _absolute_url(value):
                return url
    return None


def _absolute_url(value: str) -> str | None:
    url = value.strip()
    if any(char.isspace() or not char.isprintable() for char in url):  # a URL never holds either
        return None
    if url.startswith("//"):  # scheme-relative: news sites serve their pages over https
        url = "https:" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL a layout can route
        return None
    return url if parts.scheme in ("http", "https") and host else None
