"""template_guard: declarative news-page layouts, guarded by snapshot and property tests.

The public API: load layouts, read captured pages, extract articles, and catch `TemplateGuardError`.
Everything else lives in the subpackages (engine, store, testing, tools) and may change.
"""

from template_guard.engine.article import Article, Block
from template_guard.engine.layout import Layout, LayoutVersion
from template_guard.engine.layout_file import load_layout
from template_guard.engine.pipeline import Extraction, PageOptions, RunOptions, extract, extract_page, run, run_page
from template_guard.engine.problems import Problem, ProblemKind
from template_guard.engine.registry import FIELD_NAMES, FIELDS, FieldSpec
from template_guard.engine.routing import LayoutSet, load_layouts
from template_guard.errors import (
    CaptureError,
    EvaluationError,
    ExtractionError,
    LayoutError,
    NoLayoutError,
    PageError,
    SelectorSyntaxError,
    SnapshotError,
    SnapshotFormatError,
    TemplateGuardError,
)
from template_guard.store.pages import Page, PageMeta, discover_pages, read_page, write_page

__version__ = "0.1.0"

__all__ = [
    "FIELDS",
    "FIELD_NAMES",
    "Article",
    "Block",
    "CaptureError",
    "EvaluationError",
    "Extraction",
    "ExtractionError",
    "FieldSpec",
    "Layout",
    "LayoutError",
    "LayoutSet",
    "LayoutVersion",
    "NoLayoutError",
    "Page",
    "PageError",
    "PageMeta",
    "PageOptions",
    "Problem",
    "ProblemKind",
    "RunOptions",
    "SelectorSyntaxError",
    "SnapshotError",
    "SnapshotFormatError",
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
