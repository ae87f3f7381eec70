"""Precision and recall of each evidence detector on real pages (the thresholds in template_guard/evidence).

    python benchmarks/evidence_precision.py [CORPUS_DIR] [--show]

Runs every detector on the bundled pages and the fundus-eval corpus (default ../shared/corpora/fundus-eval),
grouped by layout version as the plugin does. A flagged block whose text is in the page's gold body is a
false alarm; one that is not is a real leak (bundled pages have no gold: every finding there counts as a
false alarm, since their snapshots were reviewed). Then leaks are injected into the body container of every
corpus page — the same boxes on every page of a publisher, as a template would — and each detector's recall
on the injected blocks is counted. `--show` prints every finding; `--regions` also removes each boilerplate region of the corpus layouts
in turn and counts how many of the blocks that then leak (real chrome, not in the gold body) are caught.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree, html

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "fundus-eval"
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from template_guard import Extraction, LayoutSet, discover_pages, load_layouts, run, run_page
from template_guard.engine.acceptance import EVIDENCE_KINDS
from template_guard.engine.fields import element_text
from template_guard.engine.parse import parse_html
from template_guard.evidence import by_version, evidence_for
from template_guard.evidence.context import page_context
from template_guard.evidence.structured import field_findings
from template_guard.evidence.text import key
from template_guard.tools.evaluate import GoldPage, read_corpus

# Leak boxes as they appeared on real sites (marked with data-leak so they can be told apart afterwards).
# {n} differs per page: headlines change, the box's template does not.
LEAKS = {
    "recommended": '<div class="recommended-box" data-leak="recommended"><p>Recommended</p>'
    '<p><a href="/r1">Five things to know about the markets this week {n}</a></p>'
    '<p><a href="/r2">What the new budget means for your household bills {n}</a></p></div>',
    "related-video": '<p data-leak="related-video">Related video: <a href="/v">Watch the moment the storm made landfall {n}</a></p>',
    "see-also": '<p data-leak="see-also"><strong>SEE ALSO:</strong> <a href="/s">Senators clash over border funding in late vote {n}</a></p>',
    "trending": '<div class="trending" data-leak="trending"><p>Trending</p><p><a href="/t1">Star quits show after row {n}</a>'
    ' <a href="/t2">Heatwave warning issued for the whole south coast</a> <a href="/t3">Club confirms the signing of '
    "its new striker {n}</a></p></div>",
    "registration": '<div class="regwall" data-leak="registration"><p>Create a free account to continue reading</p>'
    '<form><p>Email address <input type="email" name="email"></p><p>Password <input type="password" name="pw"></p>'
    '<p><button>Register</button></p></form><p>Already a subscriber? <a href="/login">Log in</a></p></div>',
    "newsletter": '<div class="newsletter-signup" data-leak="newsletter"><p>Sign up for our Morning Briefing newsletter</p>'
    "<p>The day's top stories in your inbox every weekday.</p><p><button>Subscribe</button></p></div>",
    "lost-prose": '<div class="standfirst-extra" data-leak="lost-prose">Officials said on Thursday that the inquiry into '
    "the collapse would report before the summer, and that every family affected would be contacted by the council "
    "within the next fortnight </div>",
}


@dataclass
class Tally:
    pages: int = 0
    findings: int = 0
    good: int = 0  # flagged blocks whose text is article text (false alarms)
    leaks: int = 0  # flagged blocks that are not article text (real leaks)
    injected: int = 0  # injected leak blocks this detector flagged


PLACES = ("Leeds", "Bristol", "Cardiff", "Dundee", "Derry", "Exeter", "Hull", "Bath", "York", "Ely", "Wells", "Ripon")


def inject(content: bytes, extraction: Extraction, n: int) -> bytes:
    """The page with every leak box inserted after the middle body block of its body container."""
    root = parse_html(content).root
    containers = extraction.version.body.selector.select(root)
    if not containers or not extraction.article.blocks:
        return content
    middle = extraction.article.blocks[len(extraction.article.blocks) // 2].text
    anchor = next((e for c in containers for e in c.iter() if isinstance(e.tag, str) and element_text(e) == middle), None)
    if anchor is None:
        anchor = containers[0][-1] if len(containers[0]) else containers[0]
    for name in reversed(list(LEAKS)):
        box = html.fragment_fromstring(LEAKS[name].format(n=PLACES[n % len(PLACES)]))
        anchor.addnext(box) if anchor is not containers[0] else anchor.append(box)
    return etree.tostring(root.getroottree(), encoding="utf-8", method="html")


def leak_texts(extraction: Extraction) -> dict[int, str]:
    """Body block number -> the leak it came from, for blocks made inside an injected box."""
    found = {}
    for number, element in enumerate(extraction.body.block_elements, 1):
        for candidate in (element, *element.iterancestors()):
            if candidate.get("data-leak"):
                found[number] = candidate.get("data-leak")
                break
    return found


def main(argv: list[str]) -> None:
    show = "--show" in argv
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else DEFAULT_CORPUS
    layouts = load_layouts()
    extractions: dict[str, Extraction] = {}
    gold: dict[str, str | None] = {}
    for path in discover_pages(REPO / "pages"):
        page_id = path.relative_to(REPO / "pages").with_suffix("").as_posix()
        extractions[page_id], gold[page_id] = run_page(path, layouts=layouts), None
    pages = read_corpus(corpus) if (corpus / "gold.json").is_file() else []
    for page in pages:
        extractions[page.key] = run(page.path.read_bytes(), url=page.url, captured_at=page.crawl_date, layouts=layouts)
        gold[page.key] = key(" ".join(page.body))
    clean = {kind: Tally() for kind in EVIDENCE_KINDS}
    for group in by_version(extractions).values():
        for page_id, findings in evidence_for(group).judged.open.items():
            for finding in findings:
                tally = clean[finding.kind]
                tally.findings += 1
                page_gold = gold[page_id]
                if page_gold is None or key(finding.text) in page_gold:
                    tally.good += 1
                else:
                    tally.leaks += 1
                if show:
                    print(f"clean  {page_id}: {finding.describe()}")
    for tally in clean.values():
        tally.pages = len(extractions)

    injected: dict[str, Extraction] = {}
    for n, page in enumerate(pages):
        content = inject(page.path.read_bytes(), extractions[page.key], n)
        injected[page.key] = run(content, url=page.url, captured_at=page.crawl_date, layouts=layouts)
    leak_blocks: Counter[str] = Counter()
    caught_by: dict[str, Counter[str]] = {kind: Counter() for kind in EVIDENCE_KINDS}
    any_caught: Counter[str] = Counter()
    false_on_injected: Counter[str] = Counter()
    for group in by_version(injected).values():
        for page_id, findings in evidence_for(group).judged.open.items():
            leaks = leak_texts(injected[page_id])
            leak_blocks.update(leaks.values())
            flagged: dict[int, set[str]] = {}
            for finding in findings:
                if finding.block is not None and finding.block in leaks:
                    flagged.setdefault(finding.block, set()).add(finding.kind)
                elif finding.kind == "lost-prose" and "within the next fortnight" in finding.text:
                    flagged.setdefault(-1, set()).add(finding.kind)
                elif key(finding.text) in (gold[page_id] or ""):
                    false_on_injected[finding.kind] += 1
                if show:
                    print(f"leaky  {page_id}: {finding.describe()}")
            for number, kinds in flagged.items():
                for kind in kinds:
                    caught_by[kind][leaks.get(number, "lost-prose")] += 1
                any_caught[leaks.get(number, "lost-prose")] += 1
            leak_blocks["lost-prose"] += 1  # lost prose is never a block: one case per page

    print(f"pages: {len(extractions)} ({len(pages)} fundus-eval, {len(extractions) - len(pages)} bundled)")
    print("\nclean pages (precision: flagged blocks that are not article text)")
    print(f"{'detector':<22}{'findings':>9}{'good flagged':>14}{'real leaks':>12}")
    for kind, tally in clean.items():
        print(f"{kind:<22}{tally.findings:>9}{tally.good:>14}{tally.leaks:>12}")
    print(f"\ninjected leaks ({len(pages)} corpus pages, every box on every page; blocks the layout kept)")
    print(f"{'leak':<16}{'blocks':>7}{'caught':>8}  by detector")
    for leak in LEAKS:
        detail = ", ".join(f"{kind} {caught_by[kind][leak]}" for kind in EVIDENCE_KINDS if caught_by[kind][leak])
        print(f"{leak:<16}{leak_blocks[leak]:>7}{any_caught[leak]:>8}  {detail}")
    total = sum(leak_blocks.values())
    print(f"{'all':<16}{total:>7}{sum(any_caught.values()):>8}")
    print(f"good blocks flagged on the injected pages: {sum(false_on_injected.values())} {dict(false_on_injected)}")
    swapped_fields(extractions, [page.key for page in pages])
    if "--regions" in argv:
        removed_regions(layouts, pages)


def without_region(layouts: LayoutSet, layout_name: str, region: str) -> LayoutSet:
    """The layouts with one boilerplate region removed from every version of one layout: its chrome leaks."""
    changed = []
    for layout in layouts:
        if layout.name == layout_name:
            versions = tuple(
                dataclasses.replace(v, boilerplate=tuple(r for r in v.boilerplate if r.name != region)) for v in layout.versions
            )
            layout = dataclasses.replace(layout, versions=versions)
        changed.append(layout)
    return LayoutSet(tuple(changed))


def removed_regions(layouts: LayoutSet, pages: list[GoldPage]) -> None:
    """Recall on real chrome: remove one region at a time; the body blocks that appear are real leaks."""
    by_layout: dict[str, list[GoldPage]] = {}
    originals: dict[str, set[str]] = {}
    for page in pages:
        extraction = run(page.path.read_bytes(), url=page.url, captured_at=page.crawl_date, layouts=layouts)
        by_layout.setdefault(extraction.layout.name, []).append(page)
        originals[page.key] = {block.text for block in extraction.article.blocks}
    leaked: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    good_flagged: Counter[str] = Counter()
    regions = 0
    for layout_name, layout_pages in by_layout.items():
        for region in {r.name for v in layouts.get(layout_name).versions for r in v.boilerplate}:
            weakened = without_region(layouts, layout_name, region)
            extractions = {
                p.key: run(p.path.read_bytes(), url=p.url, captured_at=p.crawl_date, layouts=weakened) for p in layout_pages
            }
            regions += 1
            for group in by_version(extractions).values():
                for page_id, findings in evidence_for(group).judged.open.items():
                    blocks = extractions[page_id].article.blocks
                    # A block that appears only once a boilerplate region is gone is that region's chrome.
                    leaks = {n for n, b in enumerate(blocks, 1) if b.text not in originals[page_id]}
                    leaked[layout_name] += len(leaks)
                    for number in {f.block for f in findings if f.block in leaks}:
                        caught[layout_name] += 1
                    good_flagged[layout_name] += len({f.block for f in findings if f.block is not None and f.block not in leaks})
    print(f"\nreal chrome leaking: each of {regions} boilerplate regions of the corpus layouts removed in turn")
    print(f"{'layout':<20}{'leaked blocks':>14}{'caught':>8}{'other blocks flagged':>22}")
    for layout_name in by_layout:
        print(f"{layout_name:<20}{leaked[layout_name]:>14}{caught[layout_name]:>8}{good_flagged[layout_name]:>22}")
    print(f"{'all':<20}{sum(leaked.values()):>14}{sum(caught.values()):>8}{sum(good_flagged.values()):>22}")


def swapped_fields(extractions: dict[str, Extraction], keys: list[str]) -> None:
    """Recall of the field checks: each corpus page's fields replaced by those of another publisher's page, as
    a field pointed at the wrong element would read them; then authors and tags pointed at each other's
    elements on the same page."""
    fields = ("title", "standfirst", "published", "authors", "tags")
    tried: Counter[str] = Counter()
    caught: Counter[str] = Counter()

    def judge(label: str, page_id: str, name: str, value: object) -> None:
        extraction = extractions[page_id]
        context = page_context(page_id, extraction)
        article = dataclasses.replace(extraction.article, **{name: value})
        changed = dataclasses.replace(context, extraction=dataclasses.replace(extraction, article=article))
        tried[label] += 1
        caught[label] += any(f.kind == f"structured-{name}" for f in field_findings(changed))

    for index, page_id in enumerate(keys):
        article = extractions[page_id].article
        donor = extractions[keys[(index + 3) % len(keys)]].article
        for name in fields:
            if getattr(donor, name) and getattr(article, name):
                judge(name, page_id, name, getattr(donor, name))
        for name, other in (("authors", "tags"), ("tags", "authors")):
            if getattr(article, name) and getattr(article, other):
                judge(f"{name} := {other}", page_id, name, getattr(article, other))
    print("\nfields read from the wrong element (another publisher's page's values, or the same page's other field),")
    print("where both have values")
    print(f"{'field':<16}{'pages':>6}{'caught':>8}")
    for label in tried:
        print(f"{label:<16}{tried[label]:>6}{caught[label]:>8}")

if __name__ == "__main__":
    main(sys.argv[1:])
