"""Drafting layouts from captured pages: `template-guard init` and `template-guard locate`."""

from template_guard.drafting.draft import LayoutDraft, draft_layout
from template_guard.drafting.pages import DraftPage, load_draft_pages
from template_guard.drafting.toml_writer import render_layout

__all__ = ["DraftPage", "LayoutDraft", "draft_layout", "load_draft_pages", "render_layout"]
