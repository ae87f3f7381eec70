"""Text comparison for evidence: normalised keys and word-trigram coverage, tolerant of punctuation and case."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def key(text: str) -> str:
    """Lower-case words separated by single spaces: punctuation, quotes and dashes do not count."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def template_key(text: str) -> str:
    """`key` with every number replaced: "3 comments" and "12 comments" are the same template."""
    return _DIGITS.sub("0", key(text))


def trigrams(text_key: str) -> set[tuple[str, ...]]:
    """The word trigrams of a key (the words themselves when it has fewer than three)."""
    words = text_key.split()
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def coverage(part_key: str, whole_key: str, whole_trigrams: set[tuple[str, ...]]) -> float:
    """How much of `part_key` the whole text holds: 1.0 when it is a substring, else its share of trigrams."""
    if not part_key:
        return 1.0
    if part_key in whole_key:
        return 1.0
    grams = trigrams(part_key)
    if len(part_key.split()) < 3:
        return 0.0
    return len(grams & whole_trigrams) / len(grams)


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's content words (four letters or more) that the other holds (0.0 when either
    has none): "the" and "of" make no two texts alike."""
    words_a, words_b = _content_words(a), _content_words(b)
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / min(len(words_a), len(words_b))


def _content_words(text: str) -> set[str]:
    words = key(text).split()
    return {word for word in words if len(word) >= 4} or set(words)
