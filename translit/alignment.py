"""Text geometry shared by translation and placement: character alignments and spans.

An :data:`Alignment` says which characters of a source went to which characters of its
translation; :func:`project_span` follows a source span through it. Engines make alignments
(:class:`translit.engines.protocol.Aligns`), and :mod:`translit.placement` (inline formatting)
and :mod:`translit.terms` (glossary repairs) read them: both import this low-floor module,
not the engines.
"""

from __future__ import annotations

Alignment = list[tuple[int, int, int, int]]
"""Aligned pieces of one (source, target) pair: source start, end, target start, end, in characters."""


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` grown to whole words and trimmed of space and edge punctuation."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def project_span(start: int, end: int, alignment: Alignment, target: str) -> tuple[int, int] | None:
    """Where the source characters ``start:end`` went in ``target``, by the alignment (or None)."""
    hits = [(ts, te) for ss, se, ts, te in alignment if ss < end and se > start and te > ts]
    if not hits:
        return None
    left, right = word_bounds(target, min(ts for ts, _ in hits), max(te for _, te in hits))
    return (left, right) if right > left else None
