"""Layout choice: the set of known layouts, and which layout and version apply to a page."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlsplit

from template_guard.engine.layout import Layout, normalise_host
from template_guard.engine.layout_file import load_layout
from template_guard.errors import LayoutError, NoLayoutError
from template_guard.store.pages import Page

PACKAGED_LAYOUTS = Path(__file__).parents[1] / "layouts"


@dataclass(frozen=True)
class Replacement:
    """A packaged layout left out because a user's layout has its name or one of its domains."""

    layout: str  # the user's layout that won
    source: Path  # its file
    packaged: str  # the packaged layout it replaces
    packaged_source: Path
    reason: str  # "same name", or "shares domain apnews.com"

    def __str__(self) -> str:
        return f"{self.source} replaces the packaged layout {self.packaged!r} ({self.reason})"


@dataclass(frozen=True)
class LayoutSet:
    """Every known layout by name, with the URL routing between them."""

    layouts: tuple[Layout, ...]
    replaced: tuple[Replacement, ...] = ()  # packaged layouts that a user's layout took the place of

    def __post_init__(self) -> None:
        seen: dict[str, Layout] = {}
        claims: dict[tuple[str, str], Layout] = {}
        for layout in self.layouts:
            if layout.name in seen:
                raise LayoutError(
                    layout.source, "name", f"layout {layout.name!r} is also defined in {seen[layout.name].source}"
                )
            seen[layout.name] = layout
            for domain in layout.domains:
                for pattern in layout.url_patterns or ("*",):
                    other = claims.setdefault((domain, pattern), layout)
                    if other is not layout:
                        key = "url_patterns" if layout.url_patterns else "domains"
                        raise LayoutError(
                            layout.source,
                            key,
                            f"{domain} {pattern!r} is already claimed by layout {other.name!r} ({other.source})",
                            "give one of them url_patterns that tell their pages apart",
                        )

    def __iter__(self) -> Iterator[Layout]:
        return iter(self.layouts)

    def __len__(self) -> int:
        return len(self.layouts)

    @property
    def names(self) -> tuple[str, ...]:
        """The layout names, in load order."""
        return tuple(layout.name for layout in self.layouts)

    def replacement(self, name: str) -> Replacement | None:
        """How layout `name` came to replace a packaged layout, if it did."""
        return next((r for r in self.replaced if r.layout == name), None)

    def get(self, name: str) -> Layout:
        """The layout called `name`; `NoLayoutError` with the closest names otherwise."""
        for layout in self.layouts:
            if layout.name == name:
                return layout
        close = difflib.get_close_matches(name, self.names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known layouts: {', '.join(self.names)}"
        raise NoLayoutError(f"unknown layout {name!r}{hint}")

    def for_url(self, url: str) -> Layout:
        """The one layout whose domains and URL patterns match `url`."""
        try:
            host = normalise_host(urlsplit(url).hostname or "")
        except ValueError as error:
            raise NoLayoutError(f"{url!r} is not a valid URL ({error})") from None
        matches = [
            layout
            for layout in self.layouts
            if host in layout.domains
            and (not layout.url_patterns or any(fnmatchcase(url, p) for p in layout.url_patterns))
        ]
        if not matches:
            raise NoLayoutError(
                f"no layout matches {_shown(url)} (host {host or 'missing'}); "
                f"create a layout file that lists {host or 'the host'} in its domains"
            )
        if len(matches) > 1:
            names = ", ".join(layout.name for layout in matches)
            raise NoLayoutError(f"several layouts match {_shown(url)}: {names}; make their url_patterns distinct")
        return matches[0]

    def choose(self, *, name: str | None = None, url: str | None = None) -> Layout:
        """The layout named `name`, else the one serving `url`."""
        if name:
            return self.get(name)
        if url:
            return self.for_url(url)
        raise NoLayoutError("cannot choose a layout: the page has no URL; pass a layout name or the page's URL")


def _shown(url: str) -> str:
    """A URL as it goes into a one-line message: quoted if it holds spaces or control characters."""
    return url if url.isprintable() and not any(char.isspace() for char in url) else repr(url)


def layout_for_page(page: Page, layouts: LayoutSet) -> Layout:
    """The layout of a captured page: its directory's name when that names a layout, else its URL's.

    A page filed under one layout whose URL routes to another is an error: one of the two is wrong.
    """
    hint = page.layout_hint
    if hint is not None and hint in layouts.names:
        chosen = layouts.get(hint)
        if page.meta.url:
            try:
                routed = layouts.for_url(page.meta.url)
            except NoLayoutError:
                routed = chosen
            if routed is not chosen:
                raise NoLayoutError(
                    f"{page.path}: filed under layout {hint!r} but its URL {page.meta.url} routes to layout {routed.name!r}"
                )
        return chosen
    if page.meta.url:
        return layouts.for_url(page.meta.url)
    raise NoLayoutError(
        f"{page.path}: cannot choose a layout: its directory {hint!r} names no layout and it has no URL in its sidecar"
    )


def load_layouts(extra_dirs: Iterable[Path | str] = (), *, packaged: bool = True) -> LayoutSet:
    """Load the packaged layouts plus every `*.toml` in `extra_dirs`, validating each.

    A layout in `extra_dirs` replaces a packaged layout of the same name or with a domain in common, so a
    user can take over a site without editing the package; two layouts of the user's own still conflict.
    """
    users: list[Layout] = []
    for directory in (Path(d) for d in extra_dirs):
        if not directory.is_dir():
            raise LayoutError(directory, "", "layout directory does not exist")
        users.extend(load_layout(path) for path in sorted(directory.glob("*.toml")))
    if not packaged:
        return LayoutSet(tuple(users))
    kept: list[Layout] = []
    replaced: list[Replacement] = []
    for layout in (load_layout(path) for path in sorted(PACKAGED_LAYOUTS.glob("*.toml"))):
        winner = next(((user, reason) for user in users if (reason := _replaces(user, layout))), None)
        if winner is None:
            kept.append(layout)
        else:
            user, reason = winner
            replaced.append(Replacement(user.name, user.source, layout.name, layout.source, reason))
    return LayoutSet((*kept, *users), tuple(replaced))


def _replaces(user: Layout, packaged: Layout) -> str:
    """Why `user` takes the place of `packaged` ("" when it does not)."""
    if user.name == packaged.name:
        return "same name"
    shared = [domain for domain in user.domains if domain in packaged.domains]
    return f"shares domain {shared[0]}" if shared else ""
