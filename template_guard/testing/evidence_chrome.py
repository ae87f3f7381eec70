"""Chrome the layout does not declare but the evidence finds, made part of the chrome model of a property.

The chrome properties mutate what the layout declares; a box it forgot is never touched, so a layout that
only works by accident there passes. Here the evidence detectors name more chrome on the page itself:

- signatures: elements whose own markup marks chrome (`<nav>`, `<form>`, `<figcaption>`, a chrome role
  or class name, a link-dense `<aside>`);
- cross-page: elements whose whole text recurs, as a line, on every other page of the layout version.

Each one outside the article (no field element, body block or body container in or around it, not inside
an exclusion) becomes a boilerplate region of the model, found by a `data-tg-evidence` mark, so
`assert_invariance` and `assert_no_leak` change it like declared chrome (its text, its attributes, and a box
inside the body moves between blocks) and the article must not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from lxml import etree

from template_guard.engine.blocks import element_text, outermost
from template_guard.engine.layout import BoilerplateRegion
from template_guard.engine.selectors import Selector
from template_guard.evidence.signatures import is_chrome_element
from template_guard.evidence.text import key
from template_guard.testing.chrome_map import ChromeMap
from template_guard.testing.mutations import serialize
from template_guard.testing.subject import Subject

__all__ = ["MARK", "MIN_REPEATED_CHARS", "evidence_chrome", "with_evidence_chrome"]

MARK = "data-tg-evidence"
MIN_REPEATED_CHARS = 20  # a repeated line this long is template text, not a coincidence ("Share", "Video")


def evidence_chrome(
    root: etree._Element, page: ChromeMap, repeated: Collection[str] = frozenset()
) -> list[tuple[etree._Element, str]]:
    """(element, why) for the outermost undeclared chrome of `root`: a chrome signature, or text in `repeated`
    (`key`s of lines on the other pages of the version)."""
    blocks = [e for block in page.body.elements for e in block.iter()]
    fields = [e for _, element in page.field_elements for e in element.iter()]
    article = [*page.body.elements, *(element for _, element in page.field_elements), *page.containers]
    # An element holding any of the article cannot change freely; one inside a block or field is article text.
    around = frozenset(a for element in article for a in (element, *element.iterancestors()))
    skip = page.chrome | page.noise | around | frozenset(blocks) | frozenset(fields) | page.body.inside_exclusions
    found: list[tuple[etree._Element, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element in skip:
            continue
        if is_chrome_element(element):
            found.append((element, "its markup marks chrome"))
        elif repeated and _repeated(element, repeated):
            found.append((element, "its text is on every other page of the version"))
    chosen = outermost(element for element, _ in found)
    why = dict(found)
    return [(element, why[element]) for element in chosen]


def _repeated(element: etree._Element, repeated: Collection[str]) -> bool:
    text = key(element_text(element))
    return len(text) >= MIN_REPEATED_CHARS and text in repeated


def repeated_lines(others: Sequence[etree._Element]) -> frozenset[str]:
    """`key`s of the element texts that every one of `others` (parsed pages of one version) holds."""
    if not others:
        return frozenset()
    sets = [{key(element_text(e)) for e in root.iter() if isinstance(e.tag, str)} for root in others]
    return frozenset.intersection(*(frozenset(s) for s in sets))


def with_evidence_chrome(subject: Subject, repeated: Collection[str] = frozenset()) -> tuple[Subject, int]:
    """The subject with its undeclared chrome marked and declared in its model, and how many elements that is.

    The mark is an attribute no selector reads: the marked page's baseline must equal the page's own (checked).
    """
    root = subject.tree
    page = ChromeMap(root, subject.model)
    containers = frozenset(page.containers)
    regions = []
    for number, (element, why) in enumerate(evidence_chrome(root, page, repeated)):
        classes = (element.get("class") or "").split()
        label = f"evidence {number + 1} <{element.tag}{'.' + classes[0] if classes else ''}> ({why})"
        element.set(MARK, str(number))
        # A box inside the body may move between its blocks, as the declared inline boxes do.
        inline = any(ancestor in containers for ancestor in element.iterancestors())
        selector = Selector.compile("xpath", f'//*[@{MARK}="{number}"]')
        regions.append(BoilerplateRegion(label, selector, placement="inline" if inline else "page"))
    content = serialize(root)
    for element in root.iter():
        if isinstance(element.tag, str):
            element.attrib.pop(MARK, None)  # the subject's own tree is shared: leave it as it was
    model = dataclasses.replace(subject.model, boilerplate=(*subject.model.boilerplate, *regions))
    marked = Subject.from_content(
        content, url=subject.url, captured_at=subject.captured_at, layouts=subject.layouts, charset="utf-8",
        layout=subject.layout, model=model, page_id=subject.page_id,
    )  # fmt: skip
    if marked.baseline != subject.baseline:
        raise AssertionError(f"{subject.page_id}: marking the undeclared chrome changed the article")
    return marked, len(regions)
