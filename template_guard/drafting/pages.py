"""The pages a layout is drafted from: parsed, with their URL, capture date and structured data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html

from template_guard.drafting.metadata import StructuredData, read_structured_data
from template_guard.engine.boilerplate import strip_noise
from template_guard.engine.layout import normalise_host
from template_guard.engine.parse import parse_html
from template_guard.errors import DraftError, PageError
from template_guard.store.pages import read_page

MIN_PAGES = 2


@dataclass(frozen=True)
class DraftPage:
    """One page of the design being drafted: its tree without scripts and styles, and what it declares."""

    label: str
    url: str
    captured: dt.date | None
    root: html.HtmlElement
    data: StructuredData

    @property
    def host(self) -> str:
        """The page's host as layouts compare them."""
        return normalise_host(urlsplit(self.url).hostname or "")


def load_draft_pages(
    paths: Sequence[Path], urls: Sequence[str] = (), dates: Sequence[dt.date] = (), *, minimum: int = MIN_PAGES
) -> list[DraftPage]:
    """Read and parse the pages; `DraftError` when there are too few, or they come from several sites."""
    if len(paths) < minimum:
        raise DraftError(
            f"{minimum} or more pages of one design are needed to tell content from chrome, got {len(paths)}"
        )
    for option, values in (("--url", urls), ("--captured-at", dates)):
        if values and len(values) != len(paths):
            raise DraftError(f"give {option} once per page ({len(paths)} pages) or not at all, got {len(values)}")
    pages = []
    for index, path in enumerate(paths):
        page = read_page(path)
        parsed = parse_html(page.content, page.meta.charset, source=str(path))
        url = urls[index] if urls else page.meta.url or parsed.declared_url
        if not url or not urlsplit(url).hostname:
            raise PageError(path, "no URL: the page has no sidecar URL and no canonical link; pass --url for each page")
        captured = dates[index] if dates else page.meta.capture_date
        data = read_structured_data(parsed.root)
        strip_noise(parsed.root)
        pages.append(DraftPage(str(path), url, captured, parsed.root, data))
    hosts = sorted({page.host for page in pages})
    if len(hosts) > 1:
        raise DraftError(f"the pages come from different hosts ({', '.join(hosts)}): draft one layout per site")
    return pages
