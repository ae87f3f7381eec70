"""Evidence from the page's own structured data: JSON-LD articleBody, headline, description, date, authors, tags."""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree

from template_guard.engine.dates import normalise_date
from template_guard.engine.structured_data import ARTICLE_TYPES, StructuredData, jsonld_values
from template_guard.evidence.context import PageContext
from template_guard.evidence.finding import Finding, exclude_key, version_key
from template_guard.evidence.markup import link_density
from template_guard.evidence.text import coverage, key, overlap, trigrams

# Thresholds, measured on the bundled pages and the fundus-eval corpus (benchmarks/evidence_precision.py).
MIN_ARTICLE_BODY = 200  # characters: shorter articleBody values are teasers, not the body
AGREEMENT = 0.6  # share of the body's text the articleBody must hold before single blocks are judged by it
ABSENT = 0.5  # a block whose trigrams articleBody holds less than this is absent from it
MIN_BLOCK_WORDS = 2
MIN_SENTENCE = 60  # characters: shorter articleBody sentences are not reported missing
TITLE_OVERLAP = 0.5
DESCRIPTION_OVERLAP = 0.1  # descriptions are SEO summaries: only no shared content word is evidence
SHORT_LINE_WORDS = 12
SUPPORTING_LINK_DENSITY = 0.3
MIN_KEYWORDS = 2  # a single keyword is often a name or a slug, not the page's tag list
MIN_KEYWORD_AUTHORS = 2  # authors who are all the page's keywords, at least this many: the tag list was read
DATE_SLACK = dt.timedelta(days=1)  # time zones: a date printed locally may be a day off UTC
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’']?\s+(?=[\"“‘'(]?[A-Z0-9À-Þ])")
_GENERIC_AUTHOR = re.compile(r"\b(?:staff|reporters?|desk|news|press|wire|agency|agencies|editors?|team|newsroom)\b", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PRINTED_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b")  # 09.01.2022, 1/9/22, 2022/01/09
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")  # "9 January 2022", "2022년 1월 9일": a year is enough to count
# An author value that is an address names nobody: "jane@example.com", "Deutsche Welle (www.dw.com)".
_ADDRESS = re.compile(r"\S@\S|https?://|\bwww\.", re.IGNORECASE)


def structured_findings(context: PageContext) -> list[Finding]:
    """Every disagreement between the extraction and what the page says about itself."""
    return [*body_findings(context), *field_findings(context)]


def body_findings(context: PageContext) -> list[Finding]:
    """Blocks absent from articleBody, and articleBody sentences on the page but missing from the body."""
    article_body = context.structured.article_body
    blocks = context.extraction.article.blocks
    if not article_body or len(article_body) < MIN_ARTICLE_BODY or not blocks:
        return []
    whole = key(article_body)
    whole_grams = trigrams(whole)
    keys = [key(block.text) for block in blocks]
    total = sum(len(k) for k in keys) or 1
    held = sum(len(k) for k in keys if coverage(k, whole, whole_grams) >= ABSENT)
    if held / total < AGREEMENT:
        return []  # the articleBody is another text (a teaser, a truncated or older version): no evidence
    findings = []
    elements = context.extraction.body.block_elements
    for number, (block, block_key, element) in enumerate(zip(blocks, keys, elements, strict=True), 1):
        if not _chrome_like(block.kind, block.text, element):
            continue  # headings and sentences missing from articleBody are usually edits, not chrome
        if len(block_key.split()) >= MIN_BLOCK_WORDS and coverage(block_key, whole, whole_grams) < ABSENT:
            findings.append(
                Finding(
                    "structured-body", context.id, number, block.kind, block.text,
                    "the page's JSON-LD articleBody does not contain this block", exclude_key(context.extraction),
                )
            )
    body = " ".join(keys)
    body_grams = trigrams(body)
    for sentence in _SENTENCE_END.split(article_body):
        sentence_key = key(sentence)
        if len(sentence) < MIN_SENTENCE or coverage(sentence_key, body, body_grams) >= ABSENT:
            continue
        if sentence_key not in context.page_key:
            continue  # not on the page at all (an older or longer version of the story): no evidence
        findings.append(
            Finding(
                "structured-missing", context.id, None, None, sentence,
                "this articleBody sentence is on the page but in no body block",
                version_key(context.extraction, "fields.body.blocks"),
            )
        )
    return findings


def field_findings(context: PageContext) -> list[Finding]:
    """Title, standfirst, published, authors and tags that contradict the page's own metadata."""
    article, data, extraction = context.extraction.article, context.structured, context.extraction
    findings = []

    def add(kind: str, field: str, value: str, evidence: str) -> None:
        findings.append(Finding(kind, context.id, None, field, value, evidence, version_key(extraction, f"fields.{field}")))

    if data.headlines and article.title and max(overlap(article.title, h) for h in data.headlines) < TITLE_OVERLAP:
        add("structured-title", "title", article.title, f"the page's headline is {data.headlines[0]!r}")
    if (
        data.descriptions
        and article.standfirst
        and max(overlap(article.standfirst, d) for d in data.descriptions) < DESCRIPTION_OVERLAP
    ):
        add("structured-standfirst", "standfirst", article.standfirst, f"the page's description is {data.descriptions[0]!r}")
    ours, theirs = _day(article.published), _day(data.date_published)
    if ours and theirs and abs(ours - theirs) > DATE_SLACK:
        add("structured-published", "published", article.published or "", f"the page's datePublished is {data.date_published}")
    elif theirs and "published" in extraction.version.fields:
        # The layout reads a date and the page states one: reading nothing, or something that is no date at
        # all, is a selector pointing at the wrong element (or at nothing since a redesign).
        if not article.published:
            add("structured-published", "published", "", f"nothing was read, but the page's datePublished is {data.date_published}")
        elif not _looks_like_a_date(article.published):
            add("structured-published", "published", article.published, f"this is no date, but the page's datePublished is {data.date_published}")
    if data.authors and article.authors and not _same_people(article.authors, data.authors, _publishers(data)):
        add("structured-authors", "authors", "; ".join(article.authors), f"the page's authors are {'; '.join(data.authors)}")
    elif not article.authors and "authors" in extraction.version.fields and _names_somebody(data):
        # As with the date: the page names its author and the layout's rule read nothing.
        add("structured-authors", "authors", "", f"nothing was read, but the page's authors are {'; '.join(data.authors)}")
    elif _all_keywords(article.authors, data.keywords) and len(article.authors) >= MIN_KEYWORD_AUTHORS:
        # One author who is also a keyword is a columnist tagged by name; several are the tag list.
        add("structured-authors", "authors", "; ".join(article.authors), f"these are the page's keywords ({_listed(data.keywords)})")
    if len(data.keywords) >= MIN_KEYWORDS and article.tags and not any(overlap(tag, keyword) > 0 for tag in article.tags for keyword in data.keywords):
        add("structured-tags", "tags", "; ".join(article.tags), f"no tag is among the page's keywords ({_listed(data.keywords)})")
    return findings


def _all_keywords(values: tuple[str, ...], keywords: tuple[str, ...]) -> bool:
    declared = {key(keyword) for keyword in keywords}
    return bool(values) and all(key(value) in declared for value in values)


def _listed(values: tuple[str, ...], shown: int = 5) -> str:
    return "; ".join(values[:shown]) + ("; …" if len(values) > shown else "")


def _chrome_like(kind: str, text: str, element: etree._Element) -> bool:
    """A block that articleBody's silence may convict: it holds a link, or it is a short line that is no sentence."""
    if "heading" in kind:
        return False
    if link_density(element, text) >= SUPPORTING_LINK_DENSITY:
        return True
    return len(text.split()) <= SHORT_LINE_WORDS and not text.rstrip("\"”’')").endswith((".", "!", "?", "…"))


def _looks_like_a_date(value: str) -> bool:
    """Whether a published value, as the page prints it, could be a date in any common way of writing one."""
    return bool(_DAY.search(value) or _PRINTED_DATE.search(value) or _YEAR.search(value) or normalise_date(value))


def _day(value: str | None) -> dt.datetime | None:
    found = _DAY.search(value or "")
    if not found:
        return None
    try:
        return dt.datetime(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _same_people(ours: tuple[str, ...], theirs: tuple[str, ...], publishers: frozenset[str] = frozenset()) -> bool:
    """Whether any name of one list shares a word with a name of the other ("By Jane Doe" and "Jane Doe"); a
    desk or agency credit ("Guardian staff reporter", "Associated Press"), an address or the publisher itself
    ("n-tv NACHRICHTEN", "Deutsche Welle (www.dw.com)") names nobody to compare with."""
    if any(_GENERIC_AUTHOR.search(name) for name in theirs):
        return True
    ours = tuple(name for name in ours if not _names_nobody(name, publishers))
    theirs = tuple(name for name in theirs if not _names_nobody(name, publishers))
    if not ours or not theirs:
        return True
    return any(overlap(a, b) > 0 for a in ours for b in theirs)


def _names_somebody(data: StructuredData) -> bool:
    """Whether the page's authors include a name that is no desk, agency, address or the publisher itself."""
    publishers = _publishers(data)
    return any(not _GENERIC_AUTHOR.search(name) and not _names_nobody(name, publishers) for name in data.authors)


def _publishers(data: StructuredData) -> frozenset[str]:
    """The site's own names (JSON-LD publisher, og:site_name), as compact keys ("n-tv" and "ntv" alike)."""
    names = [*jsonld_values(data.documents, "publisher.name", types=ARTICLE_TYPES), *data.meta_values("og:site_name")]
    return frozenset(_compact(name) for name in names if _compact(name))


def _names_nobody(name: str, publishers: frozenset[str]) -> bool:
    return bool(_ADDRESS.search(name)) or _compact(name) in publishers


def _compact(text: str) -> str:
    return key(text).replace(" ", "")
