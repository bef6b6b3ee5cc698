"""Near matches: an entry whose German is at least 85 % like a unit's, found without reading
the whole memory.

The store names a few candidates through its index of rare words
(:meth:`~translit.memory.store.TranslationMemory.candidates`); rapidfuzz scores them by the
normalised edit distance of the keys (``fuzz.ratio``, as OmegaT and Okapi score fuzzy
matches by characters). Without rapidfuzz (the ``memory`` extra) there are no near matches;
exact matches need nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from translit.memory.keys import memory_key
from translit.memory.store import NEAR_THRESHOLD, Near, TranslationMemory


@functools.cache
def _ratio() -> Callable[..., float] | None:
    try:
        from rapidfuzz import fuzz
    except ImportError:
        return None
    scorer: Callable[..., float] = fuzz.ratio
    return scorer


def nearest(memory: TranslationMemory, text: str, threshold: float = NEAR_THRESHOLD) -> Near | None:
    """The entry in use most like ``text`` (at least ``threshold`` percent, below 100), or None."""
    ratio = _ratio()
    if ratio is None:
        return None
    key = memory_key(text)
    best: Near | None = None
    for other, source, target in memory.candidates(key):
        if other == key:
            continue
        score = ratio(key, other, score_cutoff=threshold)
        if score >= threshold and (best is None or score > best.similarity):
            best = Near(score, source, target)
    return best


def nearest_many(memory: TranslationMemory, texts: Sequence[str]) -> list[Near | None]:
    """:func:`nearest` for each of ``texts`` (once per distinct text)."""
    found: dict[str, Near | None] = {}
    for text in texts:
        if text not in found:
            found[text] = nearest(memory, text)
    return [found[text] for text in texts]
