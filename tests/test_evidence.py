"""Each evidence detector on small built pages, and on real pages (bundled; fundus-eval when present)."""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_pages import ARTICLES, LAYOUT, extract, page_html, tiny_layouts, write_layout
from lxml import etree

from template_guard import Extraction, discover_pages, load_layouts, run, run_page
from template_guard.engine.blocks import element_text
from template_guard.engine.parse import parse_html
from template_guard.evidence import by_version, evidence_for
from template_guard.evidence.text import key
from template_guard.tools.evaluate import read_corpus

REPO = Path(__file__).parents[1]
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "fundus-eval"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "gold.json").is_file(),
    reason=f"the fundus-eval corpus is not available at {CORPUS} (it lives outside the repository)",
)


@pytest.fixture
def layouts(tmp_path):
    return tiny_layouts(tmp_path / "layouts")


def findings_of(layouts, pages: dict[str, str]):
    """Open findings by page id for built pages of the tiny layout."""
    extractions = {page_id: extract(layouts, markup, page_id) for page_id, markup in pages.items()}
    return evidence_for(extractions).judged.open


def kinds(findings) -> set[tuple[str, int | None]]:
    return {(f.kind, f.block) for f in findings}


def test_clean_built_pages_give_no_finding(layouts) -> None:
    open_findings = findings_of(layouts, {f"tiny/{i}": page_html(paragraphs) for i, paragraphs in enumerate(ARTICLES)})
    assert open_findings == {"tiny/0": (), "tiny/1": (), "tiny/2": ()}


def test_a_box_repeated_on_other_pages_is_cross_page_chrome(layouts) -> None:
    box = "<p>Sign up for our morning newsletter</p>"
    pages = {f"tiny/{i}": page_html(paragraphs, box) for i, paragraphs in enumerate(ARTICLES[:2])}
    open_findings = findings_of(layouts, pages)
    for page_id, findings in open_findings.items():
        assert kinds(findings) == {("cross-page", 4)}, page_id
        (finding,) = findings
        assert finding.text == "Sign up for our morning newsletter"
        assert "versions[0].fields.body.exclude" in finding.key and "versions[0].boilerplate" in finding.key
        assert "1 other article" in finding.evidence


def test_near_identical_prompts_on_other_pages_are_cross_page_chrome(layouts) -> None:
    pages = {
        "tiny/0": page_html(ARTICLES[0], "<p>Sign up for our daily newsletter</p>"),
        "tiny/1": page_html(ARTICLES[1], "<p>Sign up to our daily newsletters!</p>"),
        "tiny/2": page_html(ARTICLES[2]),
    }
    open_findings = findings_of(layouts, pages)
    assert {page: kinds(findings) for page, findings in open_findings.items()} == {
        "tiny/0": {("cross-page", 4)}, "tiny/1": {("cross-page", 4)}, "tiny/2": set()
    }


def test_captures_of_one_article_are_not_evidence_against_each_other(layouts) -> None:
    box = "<p>Sign up for our morning newsletter</p>"

    def canonical(slug: str) -> str:
        return f"<link rel='canonical' href='https://tiny.example/{slug}'>"

    pages = {
        "tiny/floods": page_html(ARTICLES[0], box, head=canonical("floods")),
        "tiny/floods-again": page_html(ARTICLES[0], box, head=canonical("floods")),  # recaptured a day later
    }
    assert {page: kinds(findings) for page, findings in findings_of(layouts, pages).items()} == {
        "tiny/floods": set(), "tiny/floods-again": set()
    }
    pages["tiny/council"] = page_html(ARTICLES[1], box, head=canonical("council"))  # another article: the box is chrome
    assert {page: kinds(findings) for page, findings in findings_of(layouts, pages).items()} == {
        page: {("cross-page", 4)} for page in pages
    }
    # A site that points every canonical link at its home page still has articles that differ by title.
    home = canonical("")
    retitled = {
        "tiny/floods": page_html(ARTICLES[0], box, head=home, title="Floods hit town"),
        "tiny/council": page_html(ARTICLES[1], box, head=home, title="Council votes"),
    }
    assert {page: kinds(findings) for page, findings in findings_of(layouts, retitled).items()} == {
        page: {("cross-page", 4)} for page in retitled
    }


def test_a_passage_reused_by_a_follow_up_story_is_not_chrome(layouts) -> None:
    follow_up = ["Officials gave an update on Thursday morning about the state of the flooded lower town.", *ARTICLES[0]]
    long_story = [p + " It was, the mayor said, a night nobody in the town would forget for a long time." for p in follow_up]
    open_findings = findings_of(
        layouts, {"tiny/first": page_html(long_story[1:]), "tiny/update": page_html(long_story)}
    )
    assert open_findings == {"tiny/first": (), "tiny/update": ()}


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ("<p>SEE ALSO: <a href='/x'>Senators clash over border funding in a late vote</a></p>", "link-dense"),
        ("<p>Related video: <a href='/v'>Watch the moment the storm made landfall here</a></p>", "link-dense"),
        (
            (
                "<p><a href='/1'>Star quits the show after a row</a> <a href='/2'>Heatwave warning issued for the coast</a> "
                "<a href='/3'>Club confirms the signing of a striker</a></p>"
            ),
            "headline-list",
        ),
        ("<p>Email address <input type='email' name='e'></p>", "form"),
        ("<nav><p>Home News Sport Weather</p></nav>", "chrome-ancestor"),
        ("<aside><p><a href='/a'>More on this story from our archive</a></p></aside>", "chrome-ancestor"),
        ("<div class='newsletter-box'><p>Sign up to our newsletter</p></div>", "wall"),
        ("<div class='story-related'><p>More coverage of the floods</p></div>", "chrome-ancestor"),
        ("<div class='image-caption'><p>The flooded high street on Tuesday morning</p></div>", "chrome-ancestor"),
        ("<div class='regwall'><p>Jetzt registrieren und weiterlesen</p></div>", "wall"),
    ],
)
def test_chrome_signatures_inside_the_body(layouts, extra: str, kind: str) -> None:
    findings = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], extra)})["tiny/0"]
    assert (kind, 4) in kinds(findings)
    assert {f.block for f in findings} == {4}  # only the leaked block, never an article paragraph


def test_a_pull_quote_aside_and_a_linked_sentence_are_not_chrome(layouts) -> None:
    extra = (
        "<aside class='pullquote'><p>We lost everything we had in one night.</p></aside>"
        "<div class='paywall'><p>The rest of the story, for subscribers, goes on here at some length.</p></div>"
        "<p>The mayor <a href='/m'>said in a statement</a> that help was on its way to every street.</p>"
    )
    assert findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], extra)})["tiny/0"] == ()


def test_prose_in_the_container_that_no_block_keeps_is_lost(layouts) -> None:
    lost = (
        "Officials said on Thursday that the inquiry into the collapse would report before the summer, and that "
        "every family affected would be contacted within the next fortnight."
    )
    findings = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], f"<div class='x'>{lost}</div>")})["tiny/0"]
    assert [(f.kind, f.text, f.key) for f in findings] == [("lost-prose", lost, "versions[0].fields.body.blocks")]


def test_a_lead_inside_the_container_that_the_standfirst_reads_is_not_lost(tmp_path) -> None:
    directory = tmp_path / "with-standfirst"
    directory.mkdir()
    standfirst = '[versions.fields.standfirst]\ncss = "article div.body div.lead"\n\n[versions.fields.authors]'
    (directory / "tiny.toml").write_text(LAYOUT.format(accept="").replace("[versions.fields.authors]", standfirst))
    layouts = load_layouts([directory])
    lead = (
        "The river burst its banks overnight and the lower town is under water for the first time in half a "
        "century, with hundreds of residents moved to a shelter on the hill."
    )
    as_lead = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], f"<div class='lead'>{lead}</div>")})["tiny/0"]
    as_box = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], f"<div class='x'>{lead}</div>")})["tiny/0"]
    assert as_lead == ()
    assert [f.kind for f in as_box] == ["lost-prose"]


def news_article(**fields: object) -> dict[str, object]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


def test_a_block_absent_from_article_body_is_a_finding(layouts) -> None:
    body = " ".join(ARTICLES[0])
    extra = "<p>Related coverage <a href='/r'>Storm damage in pictures</a></p>"
    markup = page_html(ARTICLES[0], extra, jsonld=news_article(articleBody=body, headline="A headline"))
    findings = findings_of(layouts, {"tiny/0": markup})["tiny/0"]
    assert ("structured-body", 4) in kinds(findings)


def test_an_article_body_sentence_on_the_page_but_in_no_block_is_missing(layouts) -> None:
    hidden = "The mayor thanked the volunteers who filled sandbags through the night in the rain."
    body = " ".join([*ARTICLES[0], hidden])
    markup = page_html(ARTICLES[0], f"<div>{hidden}</div>", jsonld=news_article(articleBody=body))
    findings = findings_of(layouts, {"tiny/0": markup})["tiny/0"]
    assert [(f.kind, f.text) for f in findings] == [("structured-missing", hidden)]


def test_an_article_body_that_is_another_text_is_no_evidence(layouts) -> None:
    teaser = "A completely different summary of another story about trains, buses and timetables. " * 5
    markup = page_html(ARTICLES[0], "<p>Short line here</p>", jsonld=news_article(articleBody=teaser))
    assert not [f for f in findings_of(layouts, {"tiny/0": markup})["tiny/0"] if f.kind.startswith("structured")]


def test_title_date_and_authors_against_the_page_metadata(layouts) -> None:
    metadata = news_article(headline="Council approves the new bridge", datePublished="2023-05-20T08:00:00Z",
                            author={"@type": "Person", "name": "Peter Smith"})
    findings = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], jsonld=metadata, title="Floods hit town",
                                                       page_title="Council approves the new bridge | Tiny")})["tiny/0"]
    assert {(f.kind, f.key) for f in findings} == {
        ("structured-title", "versions[0].fields.title"),
        ("structured-published", "versions[0].fields.published"),
        ("structured-authors", "versions[0].fields.authors"),
    }
    agreeing = news_article(headline="Floods hit town", datePublished="2024-03-01T23:30:00-05:00",
                            author=[{"name": "Jane Doe"}])
    assert findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], jsonld=agreeing, title="Floods hit town")})["tiny/0"] == ()



@pytest.mark.parametrize(
    ("time_element", "flagged"),
    [
        ("", True),  # the layout reads a date, the page states one, and nothing was read
        ("<time datetime='Floods hit town'>Floods hit town</time>", True),  # a selector on the wrong element
        ("<time datetime='01.03.2024'>1 March</time>", False),  # a printed date is a date
        ("<time datetime='March 1, 2024'>1 March</time>", False),
    ],
)
def test_a_published_value_that_is_no_date_is_a_finding(layouts, time_element: str, flagged: bool) -> None:
    metadata = news_article(datePublished="2024-03-01T10:00:00Z")
    markup = page_html(ARTICLES[0], jsonld=metadata).replace(
        "<time datetime='2024-03-01T10:00:00Z'>1 March</time>", time_element
    )
    findings = findings_of(layouts, {"tiny/0": markup})["tiny/0"]
    assert [(f.kind, f.key) for f in findings] == (
        [("structured-published", "versions[0].fields.published")] if flagged else []
    )
    assert findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], jsonld=metadata)})["tiny/0"] == ()

@pytest.mark.parametrize(
    ("author", "publisher", "flagged"),
    [
        ("Peter Smith", "Tiny News", True),  # a person who is not the byline's
        ("peter.smith@example.com", "Tiny News", False),  # an address names nobody
        ("Deutsche Welle (www.dw.com)", "DW", False),
        ("n-tv NACHRICHTEN", "ntv NACHRICHTEN", False),  # the publisher crediting itself
    ],
)
def test_authors_are_compared_only_with_the_people_the_metadata_names(layouts, author: str, publisher: str,
                                                                      flagged: bool) -> None:
    metadata = news_article(author={"name": author}, publisher={"@type": "Organization", "name": publisher})
    findings = findings_of(layouts, {"tiny/0": page_html(ARTICLES[0], jsonld=metadata)})["tiny/0"]
    assert [f.kind for f in findings] == (["structured-authors"] if flagged else [])


@pytest.mark.parametrize(
    ("author", "flagged"),
    [
        ("Peter Smith", True),  # the page names its author and the rule read nothing
        ("Associated Press", False),  # an agency credit names nobody in particular
        ("Tiny News", False),  # nor does the publisher crediting itself
    ],
)
def test_authors_read_as_nothing_while_the_page_names_one(layouts, author: str, flagged: bool) -> None:
    metadata = news_article(author={"name": author}, publisher={"@type": "Organization", "name": "Tiny News"})
    markup = page_html(ARTICLES[0], jsonld=metadata).replace("<span class='byline'>Jane Doe</span>", "")
    findings = findings_of(layouts, {"tiny/0": markup})["tiny/0"]
    assert [(f.kind, f.text) for f in findings] == ([("structured-authors", "")] if flagged else [])


TAGS_MARKUP = "<ul class='tags'><li>Floods</li><li>River levels</li></ul></article>"


@pytest.mark.parametrize(
    ("authors_css", "tags_css", "keywords", "expected"),
    [
        ("span.byline", "ul.tags li", "Floods, River levels, Weather", []),
        ("ul.tags li", "ul.tags li", "Floods, River levels", ["structured-authors"]),  # authors read the tag list
        ("span.byline", "span.byline", "Floods, River levels", ["structured-tags"]),  # tags read the byline
        ("span.byline", "span.byline", "Floods", []),  # one keyword is too little to judge the tags by
        ("span.byline", "ul.tags li", "Jane Doe, Floods", []),  # a columnist tagged by name is still the author
    ],
)
def test_authors_and_tags_against_the_page_keywords(tmp_path, authors_css: str, tags_css: str, keywords: str,
                                                    expected: list[str]) -> None:
    directory = tmp_path / "layouts"
    write_layout(directory)
    layout = (directory / "tiny.toml").read_text(encoding="utf-8").replace('css = "span.byline"', f'css = "{authors_css}"')
    layout += f'\n[versions.fields.tags]\ncss = "{tags_css}"\nmultiple = true\n'
    (directory / "tiny.toml").write_text(layout, encoding="utf-8")
    head = f"<meta name='keywords' content='{keywords}'>"
    markup = page_html(ARTICLES[0], head=head).replace("</article>", TAGS_MARKUP)
    findings = findings_of(load_layouts([directory]), {"tiny/0": markup})["tiny/0"]
    assert [f.kind for f in findings] == expected
    assert [f.key for f in findings] == [f"versions[0].fields.{kind.removeprefix('structured-')}" for kind in expected]


def test_a_page_without_structured_data_gives_no_structured_finding(layouts) -> None:
    assert findings_of(layouts, {"tiny/0": page_html(ARTICLES[0])})["tiny/0"] == ()


def test_evidence_for_refuses_pages_of_several_versions(layouts) -> None:
    other = run(
        (REPO / "pages" / "almayadeen-english" / "over-5000-arrested.html").read_bytes(), layout="almayadeen-english"
    )
    with pytest.raises(ValueError, match="one layout version"):
        evidence_for({"a": extract(layouts, page_html(ARTICLES[0])), "b": other})


# ---- real pages --------------------------------------------------------------------------------------


def test_every_bundled_page_is_green() -> None:
    layouts = load_layouts()
    bundled = discover_pages(REPO / "pages" / "almayadeen-english")  # not a user's own pages under pages/
    extractions = {path.stem: run_page(path, layouts=layouts) for path in bundled}
    assert extractions
    for group in by_version(extractions).values():
        assert all(not findings for findings in evidence_for(group).judged.open.values())


def corpus_extractions() -> dict[str, tuple[Extraction, bytes, str]]:
    layouts = load_layouts()
    found = {}
    for page in read_corpus(CORPUS):
        content = page.path.read_bytes()
        found[page.key] = (run(content, url=page.url, captured_at=page.crawl_date, layouts=layouts), content, page.url)
    return found


@needs_corpus
def test_every_fundus_eval_page_is_green() -> None:
    extractions = {page_id: item[0] for page_id, item in corpus_extractions().items()}
    assert len(extractions) == 48
    for group in by_version(extractions).values():
        open_findings = evidence_for(group).judged.open
        assert {page: findings for page, findings in open_findings.items() if findings} == {}


def with_box(content: bytes, extraction: Extraction, box: str) -> bytes:
    """The page with `box` inserted after the middle body block, where a template would put an inline box."""
    root = parse_html(content).root
    middle = extraction.article.blocks[len(extraction.article.blocks) // 2].text
    containers = extraction.version.body.selector.select(root)
    anchor = next(e for c in containers for e in c.iter() if isinstance(e.tag, str) and element_text(e) == middle)
    anchor.addnext(etree.fromstring(box, etree.HTMLParser()).find(".//div"))
    return etree.tostring(root.getroottree(), encoding="utf-8", method="html")


@needs_corpus
def test_leaks_injected_into_real_pages_are_found_on_every_page() -> None:
    layouts = load_layouts()
    pages = {page_id: item for page_id, item in corpus_extractions().items() if page_id.startswith(("TheIndependent", "WashingtonTimes"))}
    boxes = [
        "<div class='rec'><p>Recommended</p><p><a href='/a'>Five things to know about the markets this week {n}</a></p></div>",
        "<div><p>Related video: <a href='/v'>Watch the moment the storm made landfall in {n}</a></p></div>",
        "<div><p><strong>SEE ALSO:</strong> <a href='/s'>Senators clash over funding in {n}</a></p></div>",
    ]
    leaky = {}
    for number, (page_id, (extraction, content, url)) in enumerate(pages.items()):
        for box in boxes:
            content = with_box(content, extraction, box.format(n=["Leeds", "York", "Hull", "Bath", "Ely", "Wells"][number]))
        leaky[page_id] = run(content, url=url, layouts=layouts)
    for group in by_version(leaky).values():
        for page_id, findings in evidence_for(group).judged.open.items():
            flagged = {key(f.text) for f in findings}
            texts = [key(b.text) for b in leaky[page_id].article.blocks]
            for leak in ("recommended", "five things to know", "related video", "see also"):
                block = next(t for t in texts if t.startswith(leak))
                assert block in flagged, f"{page_id}: {leak!r} not flagged"
            assert len(flagged) == 4, f"{page_id}: only the four leaked blocks are flagged"
