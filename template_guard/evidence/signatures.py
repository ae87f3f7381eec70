"""Generic chrome signatures of a kept body block's markup: links, form controls, chrome ancestors, walls,
headline lists; and prose inside the body container that no block keeps (lost text)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from template_guard.engine.blocks import element_text
from template_guard.engine.visible import visible_lines
from template_guard.evidence.context import PageContext
from template_guard.evidence.finding import Finding, exclude_key, version_key
from template_guard.evidence.markup import ancestors_inside, link_density, links
from template_guard.evidence.text import coverage, key, trigrams

# Thresholds, measured on the bundled pages and the fundus-eval corpus (benchmarks/evidence_precision.py).
LINK_DENSITY = 0.8  # share of a block's text inside links ("AP NFL: https://…" is 76%, and article text)
LINK_DENSE_MIN_WORDS = 3  # a one- or two-word link block ("Watch", "Read more") is judged by cross-page evidence
HEADLINE_MIN_LINKS = 3  # a block holding this many links of HEADLINE_WORDS words or more is a headline list
HEADLINE_WORDS = 4
# A line that starts with a teaser label and is mostly a link: "Related video: <a>…</a>", "SEE ALSO: <a>…</a>".
TEASER_LINK_DENSITY = 0.5
TEASER_LABEL = re.compile(
    r"^(?:related(?: \w+)?|see also|read (?:more|also|next)|watch(?: more)?|more on|recommended|most read|trending"
    r"|lire aussi|à lire aussi|lesen sie auch|mehr zum thema|leer más|lee también|te puede interesar|leggi anche)\s*:",
    re.IGNORECASE,
)
BOX_LINK_DENSITY = 0.5  # an <aside>/<footer>/<header> is chrome when this much of its text is links
LOST_MIN_CHARS = 120  # visible text this long that no block keeps is lost prose …
LOST_MIN_WORDS = 15
LOST_COVERAGE = 0.5  # … unless the blocks hold this share of its word trigrams
ALWAYS_CHROME = frozenset({"nav", "figcaption", "form"})
# Pull quotes and editorial footnotes are asides and footers too: these count only when link-dense.
BOX_TAGS = frozenset({"aside", "footer", "header"})
# Class or id names that front ends give to chrome boxes (the words readability-style extractors rely on);
# not "paywall": sites mark their gated article paragraphs with it.
CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:related|recommend\w*|more-from|morefrom|promo\w*|newsletter|trending|most-?read|popular|"
    r"caption|credit|author-?bio|bio|teaser|sponsor\w*|advert\w*|ads?|social|share|subscribe\w*|signup)"
    r"(?=$|[\s_-])",
    re.IGNORECASE,
)
CHROME_ROLES = frozenset({"navigation", "contentinfo", "banner", "dialog", "alertdialog", "search"})
CONTROL_TAGS = ("input", "select", "textarea")
# Wording of sign-up, subscription, consent and registration walls; only evidence together with markup that
# asks for input or sits in a box named for it (an article may well quote "subscribe").
WALL_WORDS = re.compile(
    r"sign ?up|subscri(?:be|ption)|newsletter|register|create (?:an|a free) account|log ?in\b|already a (?:member|subscriber)"
    r"|cookie|consent|abonn|inscri|suscr[ií]b|reg[ií]strate|anmeld|registrier|iscriviti|accedi|assine|cadastre",
    re.IGNORECASE,
)
WALL_BOX = re.compile(r"newsletter|subscri|signup|sign-up|register|regwall|consent|cookie|promo|piano", re.IGNORECASE)
_WALL_BOX_LOOKUP = 6  # ancestors (inside the container) whose class or id may name the box


def signature_findings(context: PageContext) -> list[Finding]:
    """Every kept block whose markup looks like chrome, then the lost prose of the body containers."""
    extraction = context.extraction
    body = extraction.body
    findings: list[Finding] = []
    fix = exclude_key(extraction)
    containers = set(body.container_elements)
    for number, (block, element) in enumerate(zip(extraction.article.blocks, body.block_elements, strict=True), 1):
        for kind, evidence in block_signatures(element, block.text, containers):
            findings.append(Finding(kind, context.id, number, block.kind, block.text, evidence, fix))
    findings.extend(lost_prose(context))
    return findings


def block_signatures(element: etree._Element, text: str, containers: set[etree._Element]) -> Iterator[tuple[str, str]]:
    """(kind, evidence) for each chrome signature of one block's element."""
    ancestors = [element, *ancestors_inside(element, containers)]
    chrome = next((a for a in ancestors if _is_chrome(a)), None)
    if chrome is not None:
        yield "chrome-ancestor", f"the block is inside <{_describe(chrome)}>, which marks chrome, not article text"
    controls = [c for c in element.iter(*CONTROL_TAGS) if (c.get("type") or "").lower() != "hidden"]
    if controls:
        yield "form", f"the block holds form controls ({', '.join(sorted({str(c.tag) for c in controls}))})"
    texts = links(element)
    density = link_density(element, text)
    headlines = [t for t in texts if len(t.split()) >= HEADLINE_WORDS]
    if len(headlines) >= HEADLINE_MIN_LINKS and density >= LINK_DENSITY:
        yield "headline-list", f"the block is a list of {len(headlines)} linked headlines"
    elif density >= LINK_DENSITY and len(text.split()) >= LINK_DENSE_MIN_WORDS:
        yield "link-dense", f"{density:.0%} of the block's text is link text ({len(texts)} link(s))"
    elif density >= TEASER_LINK_DENSITY and TEASER_LABEL.match(text):
        yield "link-dense", f"a teaser label and a link ({density:.0%} of the block's text is link text)"
    if WALL_WORDS.search(text):
        box = next((a for a in ancestors[:_WALL_BOX_LOOKUP] if WALL_BOX.search(_names(a))), None)
        buttons = list(element.iter("button"))
        if box is not None or controls or buttons or (texts and density >= 0.3):
            support = f"<{_describe(box)}>" if box is not None else "form controls" if controls or buttons else "links"
            yield "wall", f"sign-up/subscription/consent wording with {support}"


def lost_prose(context: PageContext) -> list[Finding]:
    """Visible prose inside the body containers that no block (kept or dropped) and no field holds."""
    body, article = context.extraction.body, context.extraction.article
    # A lead paragraph inside the container that the standfirst (or title) reads is not lost.
    fields = [text for text in (article.title, article.standfirst) if text]
    kept = key(" ".join([*(b.text for b in (*body.blocks, *body.dropped)), *fields]))
    kept_grams = trigrams(kept)
    fix = version_key(context.extraction, "fields.body.blocks")
    findings = []
    for container in body.container_elements:
        for line in visible_lines(container):
            line_key = key(line)
            if len(line) < LOST_MIN_CHARS or len(line_key.split()) < LOST_MIN_WORDS:
                continue
            if coverage(line_key, kept, kept_grams) >= LOST_COVERAGE:
                continue
            findings.append(
                Finding(
                    "lost-prose", context.id, None, None, line,
                    "visible text inside the body container that no block rule keeps", fix,
                )
            )
    return findings


def _is_chrome(element: etree._Element) -> bool:
    if element.tag in ALWAYS_CHROME or (element.get("role") or "").strip().lower() in CHROME_ROLES:
        return True
    if CHROME_NAMES.search(_names(element)):
        return True
    return element.tag in BOX_TAGS and link_density(element, element_text(element)) >= BOX_LINK_DENSITY


def _names(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _describe(element: etree._Element) -> str:
    names = _names(element).split()
    return f"{element.tag}" + (f" {' '.join(names[:2])}" if names else "")


def is_chrome_element(element: etree._Element) -> bool:
    """Whether an element's own markup marks chrome: nav, figcaption, form, a chrome role or class, a link-dense box."""
    return _is_chrome(element)
