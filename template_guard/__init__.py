"""template_guard: declarative news-page layouts, guarded by snapshot and property tests."""

from template_guard.engine.article import Article, Block
from template_guard.engine.layout import Layout, LayoutVersion, load_layout
from template_guard.engine.pipeline import Extraction, extract, extract_page, run, run_page
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import ExtractionError, LayoutError, NoLayoutError, PageError, TemplateGuardError
from template_guard.store.pages import Page, PageMeta, discover_pages, read_page, write_page

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Block",
    "Extraction",
    "ExtractionError",
    "Layout",
    "LayoutError",
    "LayoutSet",
    "LayoutVersion",
    "NoLayoutError",
    "Page",
    "PageError",
    "PageMeta",
    "TemplateGuardError",
    "discover_pages",
    "extract",
    "extract_page",
    "load_layout",
    "load_layouts",
    "read_page",
    "run",
    "run_page",
    "write_page",
]
