"""`template-guard locate`: which elements hold a text, with a stable selector for each, and where the body is."""

from __future__ import annotations

from pathlib import Path

import click

from template_guard.drafting.compare import measure, text_of
from template_guard.drafting.metadata import read_structured_data
from template_guard.drafting.pages import DraftPage
from template_guard.drafting.selectors import SelectorCache, locate_selector
from template_guard.engine.article import clip, normalise_text
from template_guard.engine.boilerplate import strip_noise
from template_guard.engine.parse import parse_html
from template_guard.errors import DraftError
from template_guard.store.pages import read_page
from template_guard.tools.options import reporting_errors

MAX_SHOWN = 10
BODY_CANDIDATES = 3


@click.command("locate")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("text")
@reporting_errors
def locate_command(path: Path, text: str) -> None:
    """Print the elements of PAGE holding TEXT, each with a short stable selector, and the body candidates."""
    wanted = normalise_text(text).casefold()
    if not wanted:
        raise DraftError("give the text to look for (it is empty)")
    page = read_page(path)
    parsed = parse_html(page.content, page.meta.charset, source=str(path))
    data = read_structured_data(parsed.root)
    strip_noise(parsed.root)
    root = parsed.root
    body = root.find("body")
    visible = list(body.iter()) if body is not None else []  # the <head>'s <title> is not on the page
    holders = {e for e in visible if isinstance(e.tag, str) and wanted in text_of(e).casefold()}
    innermost = [e for e in visible if e in holders and not any(c in holders for c in e)]
    cache = SelectorCache()
    if not innermost:
        click.echo(f"no element of {path} holds {clip(text, 60)!r}")
    else:
        click.echo(f"elements holding {clip(text, 60)!r}:")
    for element in innermost[:MAX_SHOWN]:
        choice = locate_selector(element, root, cache)
        click.echo(f"  <{element.tag}>  {choice.css}")
        click.echo(f"      {clip(text_of(element), 90)!r}")
        if choice.hashed:
            click.echo(
                f"      warning: only hashed class names name this element ({choice.css}); "
                "they change with every build of the site's front end"
            )
        elif choice.rank >= 9:
            click.echo("      warning: nothing names this element; the selector is a positional path")
    if len(innermost) > MAX_SHOWN:
        click.echo(f"  … and {len(innermost) - MAX_SHOWN} more")
    _body_candidates(DraftPage(str(path), page.meta.url or "", page.meta.capture_date, root, data), cache)


def _body_candidates(page: DraftPage, cache: SelectorCache) -> None:
    stats = measure(page, set())
    total = max(sum(stats.prose.get(e, 0) for e in page.root.iter("body")), 1)
    ranked = sorted(((stats.score([e]), e) for e, prose in stats.prose.items() if prose), key=lambda row: -row[0])
    click.echo("\ncandidate body containers (most prose for the least chrome first):")
    seen: set[tuple[int, int]] = set()
    for score, element in ranked:
        size = (stats.prose[element], stats.total[element])
        if len(seen) >= BODY_CANDIDATES or score <= 0:
            break
        if size in seen:
            continue  # a wrapper around a container already shown, with nothing else in it
        seen.add(size)
        choice = locate_selector(element, page.root, cache)
        click.echo(
            f"  {choice.css}  holds {stats.prose[element] / total:.0%} of the page's prose, "
            f"{stats.chrome.get(element, 0)} characters of links and repeated text"
        )
        if choice.hashed:
            click.echo("      warning: only hashed class names name this container")
