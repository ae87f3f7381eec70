"""Small built pages and a tiny layout for the evidence tests (a helper module, not a test module)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from template_guard import Extraction, LayoutSet, load_layouts, run

LAYOUT = """\
name = "tiny"
domains = ["tiny.example"]

[[versions]]
name = "v1"
valid_from = 2020-01-01
{accept}
[versions.boilerplate.menu]
css = "nav.menu"

[versions.fields.title]
css = "h1"

[versions.fields.authors]
css = "span.byline"
multiple = true

[versions.fields.published]
css = "time"
attribute = "datetime"

[versions.fields.body]
css = "article div.body"
blocks = [{{ kind = "paragraph", css = "p" }}, {{ kind = "heading", css = "h2" }}]
"""

ARTICLES = [
    [
        "The river rose by two metres overnight, flooding the lower town for the first time since 1968.",
        "Residents of the lower town were moved to the school on the hill, where the council opened a shelter.",
        "The water is expected to fall by Friday, the environment agency said on Wednesday evening.",
    ],
    [
        "The council met on Tuesday to vote on the budget, which cuts spending on libraries by a tenth.",
        "The vote was postponed until next week after three members asked for more time to read it.",
        "Opposition members said the cuts would close four of the eleven branch libraries in the county.",
    ],
    [
        "A new bridge over the estuary will open in May, two years later than planned and over budget.",
        "Engineers found cracks in two of the piers during the final inspection last autumn, delaying it.",
        "The toll will be two pounds for cars, and free for bicycles and pedestrians, the operator said.",
    ],
]


def write_layout(directory: Path, accept: str = "") -> Path:
    """The tiny layout in `directory` (with optional `[[versions.accept]]` tables)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "tiny.toml"
    path.write_text(LAYOUT.format(accept=accept), encoding="utf-8")
    return path


def page_html(paragraphs: list[str], extra: str = "", *, jsonld: Any = None, head: str = "", title: str = "A headline",
              page_title: str | None = None) -> str:
    """A page of the tiny layout: body paragraphs, then `extra` markup inside the body container."""
    script = ""
    if jsonld is not None:
        text = jsonld if isinstance(jsonld, str) else json.dumps(jsonld)
        script = f'<script type="application/ld+json">{text}</script>'
    body = "".join(f"<p>{text}</p>" for text in paragraphs) + extra
    return (
        f"<html><head><title>{page_title or title}</title>{head}{script}</head><body><nav class='menu'><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1><span class='byline'>Jane Doe</span><time datetime='2024-03-01T10:00:00Z'>1 March</time>"
        f"<div class='body'>{body}</div></article></body></html>"
    )


def extract(layouts: LayoutSet, html: str, source: str = "page") -> Extraction:
    return run(html.encode("utf-8"), layout="tiny", layouts=layouts, source=source)


def tiny_layouts(directory: Path, accept: str = "") -> LayoutSet:
    write_layout(directory, accept)
    return load_layouts([directory])
