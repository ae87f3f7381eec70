"""Make a captured page inert for a report: nothing in it may run, load or navigate.

The report shows the page as captured, so layout and styles stay, but every way a page reaches out is
cut: scripts, event handlers, `javascript:` and other URLs, meta refresh, frames and plugins, `<base>`,
external stylesheets and `@import`/`url()` in CSS. URL attributes are kept under `data-tg-off-<name>`
so a reviewer can still read them. The report's CSP and iframe sandbox stop anything missed here, too.
"""

from __future__ import annotations

import re

from lxml import etree

# Elements removed with their content (their tail text stays).
REMOVED_TAGS = (
    "script", "noscript", "template", "base", "link", "meta", "applet", "param", "portal", "frameset",
    "noembed", "noframes", "xmp", "plaintext", "set", "animate", "animatemotion", "animatetransform", "handler",
)
# Elements that load another document: replaced by an empty box of the same size, so the layout holds.
PLACEHOLDER_TAGS = frozenset({"iframe", "frame", "object", "embed"})
# Attributes whose value a browser fetches or navigates to (compared without a namespace prefix).
URL_ATTRIBUTES = frozenset(
    {
        "src", "srcset", "href", "poster", "background", "action", "formaction", "data", "codebase", "ping",
        "manifest", "lowsrc", "dynsrc", "archive", "imagesrcset", "srcdoc", "classid", "longdesc",
    }
)
# Kept meta tags: they only describe the page (author, date, keywords), and fields may read them.
_INERT_META = frozenset({"name", "property", "itemprop", "content", "charset"})
OFF_PREFIX = "data-tg-off-"
MARK_PREFIX = "data-tg-"

_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(?:\"[^\"]*\"|'[^']*'|[^)]*)\s*\)", re.IGNORECASE)
_CSS_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\([^)]*\)", re.IGNORECASE)
_CSS_DATA_URL = re.compile(r"url\(\s*[\"']?data:image/", re.IGNORECASE)


def clear_marks(root: etree._Element) -> None:
    """Drop every `data-tg-*` attribute the page brought itself, so only the report's own marks exist."""
    for element in root.iter():
        if isinstance(element.tag, str):
            for name in [n for n in element.attrib if str(n).startswith(MARK_PREFIX)]:
                del element.attrib[name]


def sanitise(root: etree._Element) -> None:
    """Make the tree at `root` inert in place (see the module docstring for what goes)."""
    kept_meta = [m for m in root.iter("meta") if set(m.attrib) <= _INERT_META and "charset" not in m.attrib]
    for meta in kept_meta:
        meta.tag = "tg-meta"  # survives the removal below; renamed back afterwards
    etree.strip_elements(root, *REMOVED_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for meta in kept_meta:
        meta.tag = "meta"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in PLACEHOLDER_TAGS:
            _make_placeholder(element)
        for name in list(element.attrib):
            _sanitise_attribute(element, str(name))
        if element.tag == "style" and element.text:
            # `</` would let the browser end the style element early and read the rest as markup.
            element.text = sanitise_css(element.text).replace("</", "<\\/")


def _sanitise_attribute(element: etree._Element, name: str) -> None:
    value = element.get(name) or ""
    local = name.rsplit(":", 1)[-1].rsplit("}", 1)[-1].lower()
    if local.startswith("on"):
        del element.attrib[name]
    elif local == "style":
        element.set(name, sanitise_css(value))
    elif local in URL_ATTRIBUTES and not _harmless_url(element, local, value):
        del element.attrib[name]
        element.set(OFF_PREFIX + local, value)


def _harmless_url(element: etree._Element, local: str, value: str) -> bool:
    """In-page fragments (`#section`) stay links; inline `data:` images stay pictures."""
    value = value.strip()
    if local == "href" and value.startswith("#"):
        return True
    return local == "src" and element.tag == "img" and value.lower().startswith("data:image/")


def sanitise_css(css: str) -> str:
    """CSS with `@import` removed and every non-`data:image` `url()` (and `image-set()`) replaced by `none`."""
    css = _CSS_IMPORT.sub("", css)
    css = _CSS_URL.sub(lambda found: found[0] if _CSS_DATA_URL.match(found[0]) else "none", css)
    return _CSS_IMAGE_SET.sub("none", css)


def _make_placeholder(element: etree._Element) -> None:
    """Turn a frame or plugin into an empty, labelled box of its declared size."""
    was = element.tag
    size = "".join(
        f"{axis}:{element.get(axis)}px;" for axis in ("width", "height") if (element.get(axis) or "").isdigit()
    )
    for child in list(element):
        element.remove(child)
    element.tag = "div"
    element.text = f"[{was} removed]"
    element.set("style", size + "border:1px dashed #999;color:#999;font:12px sans-serif;" + (element.get("style") or ""))
    element.set("data-tg-placeholder", str(was))
