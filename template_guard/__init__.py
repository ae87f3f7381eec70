"""template_guard: declarative news-page layouts, guarded by snapshot and property tests."""

from .article import Article, Block
from .choose import LayoutSet, load_layouts
from .errors import ExtractionError, LayoutError, NoLayoutError, PageError, TemplateGuardError
from .extract import Extraction, extract, extract_page, run, run_page
from .layout import Layout, LayoutVersion, load_layout
from .pages import Page, PageMeta, discover_pages, read_page, write_page

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
