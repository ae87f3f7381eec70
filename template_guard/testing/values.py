"""The values a site's front end writes into its chrome overnight, as hypothesis strategies.

Replacement texts (any Unicode, right-to-left, samples), class names, tracking parameters, collapsible
whitespace and invisible noise; `reserved_names` says which names a layout reads, so they are never noise.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from template_guard.engine.layout import LayoutVersion
from template_guard.testing.invisible import Noise

__all__ = [
    "SAMPLE_TEXTS",
    "chrome_texts",
    "class_names",
    "comment_texts",
    "noise",
    "reserved_names",
    "rtl_texts",
    "tracking_params",
    "whitespace",
]

# Any character lxml can store as text: no surrogates, controls, unassigned or private-use code points.
_TEXT_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co"))
_ARABIC = st.characters(min_codepoint=0x0621, max_codepoint=0x064A)
_HEBREW = st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA)
_RTL_MARKS = st.sampled_from(("", "\u200f", "\u202b", "\u061c"))  # RLM, RLE, Arabic letter mark

SAMPLE_TEXTS = (
    "BREAKING: Talks resume in Doha",
    "عاجل: غارات على جنوب لبنان",
    "מבזק: הפסקת אש",
    "Срочно: переговоры возобновились",
    "速報：交渉が再開",
    "LIVE ● 24/7",
    "Read more »",
    "3 Min Read",
    "Most Read",
    "Ü-Bahn & Café — “quoted” <not a tag>",
)

rtl_texts: SearchStrategy[str] = st.builds(
    lambda mark, words: mark + " ".join(words),
    _RTL_MARKS,
    st.lists(st.text(_ARABIC | _HEBREW, min_size=1, max_size=8), min_size=1, max_size=6),
)
"""Right-to-left text: Arabic and Hebrew words, sometimes led by a bidi mark."""

chrome_texts: SearchStrategy[str] = st.one_of(
    st.text(_TEXT_CHARACTERS, max_size=60),
    rtl_texts,
    st.sampled_from(SAMPLE_TEXTS),
)
"""Replacement text for chrome: any Unicode text (empty included), right-to-left text, and samples."""

_CLASS_SAMPLES = ("is-active", "swiper-slide-active", "lazyloaded", "js-sticky", "ad-slot", "hidden-xs", "new")
class_names: SearchStrategy[str] = st.one_of(
    st.sampled_from(_CLASS_SAMPLES), st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
)
"""Class names, ids and `data-*` suffixes a site's front end adds overnight (see `reserved_names`)."""

_TRACKING_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "fbclid", "gclid", "ref", "_ga")
tracking_params: SearchStrategy[tuple[tuple[str, str], ...]] = st.lists(
    st.tuples(st.sampled_from(_TRACKING_KEYS), st.from_regex(r"[A-Za-z0-9_.-]{1,16}", fullmatch=True)),
    min_size=1,
    max_size=4,
    unique_by=lambda pair: pair[0],
).map(tuple)
"""Tracking parameters appended to chrome links."""

whitespace: SearchStrategy[str] = st.text(st.sampled_from(" \t\n\r"), min_size=1, max_size=8)
"""Collapsible whitespace (ASCII only: a no-break space is visible)."""

comment_texts: SearchStrategy[str] = st.one_of(
    st.sampled_from((" Google Tag Manager ", " ad slot: in-article ", " /.related-news ", "[if lt IE 9]><![endif]")),
    # A comment may not contain "--" nor end in "-"; none of these characters can make either.
    st.text(_TEXT_CHARACTERS.filter(lambda c: c not in "-<>"), max_size=40),
)
_SCRIPTS = (
    "window.dataLayer = window.dataLayer || [];",
    'googletag.cmd.push(function () { googletag.display("div-gpt-ad-1"); });',
    '{"@context": "https://schema.org", "@type": "NewsArticle"}',
)
_STYLES = (".ad-slot{display:none}", "@media (max-width:600px){.ticker{font-size:12px}}")
_RAW = st.text(_TEXT_CHARACTERS.filter(lambda c: c != "<"), max_size=40)  # "<" could end a raw-text element

noise: SearchStrategy[Noise] = st.one_of(
    st.builds(Noise, st.just("comment"), comment_texts),
    st.builds(Noise, st.just("script"), st.sampled_from(_SCRIPTS) | _RAW),
    st.builds(Noise, st.just("style"), st.sampled_from(_STYLES) | _RAW),
    st.builds(Noise, st.just("noscript"), st.sampled_from(("Please enable JavaScript.", "")) | _RAW),
)
"""Invisible markup: comments, scripts, style sheets and `<noscript>` with their content."""


def reserved_names(version: LayoutVersion) -> frozenset[str]:
    """Every name a version's selectors mention: a class, id or attribute that the layout reads is not noise."""
    selectors = [
        *(r.selector for r in version.boilerplate),
        *(r.items for r in version.boilerplate if r.items is not None),
        *(s.selector for f in version.fields.values() for s in f.all_sources),  # fallbacks too
        version.body.selector,
        *(b.selector for b in version.body.blocks),
        *version.body.exclude,
    ]
    return frozenset(token for s in selectors for token in re.findall(r"[A-Za-z0-9_-]+", s.expression))
