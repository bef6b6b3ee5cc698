"""Translation units: the pieces of a paragraph that the model translates one at a time.

Two modes:

* ``sentence`` (the default): every sentence is one unit, as opus-mt was trained — on
  sentence pairs of at most 250 SentencePiece tokens. A sentence over the unit budget
  (128 tokens by default, bergamot's wrap length) is cut at clause boundaries.
* ``paragraph``: a paragraph that fits the model's budget is one unit; a longer one is
  cut into sentences that are packed greedily up to the budget.

The one rule that matters most: **nothing is lost**. Units are spans of their paragraph
and each remembers the exact text between it and the unit before (its ``gap``: usually
one space, empty where a word too long for the budget was cut), so that the units and
their gaps rebuild the paragraph character for character, and translations are joined
back with the paragraph's own whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from translit.options import Unit as UnitMode
from translit.segment.links import needs_model
from translit.segment.sentences import sentence_spans

TokenCounter = Callable[[str], int]
"""Counts the model tokens of a text, without the end-of-sentence token."""

UNIT_MODES = tuple(mode.value for mode in UnitMode)
DEFAULT_UNIT_TOKENS = 128


@dataclass(frozen=True)
class Unit:
    """A piece of one paragraph that the model translates whole.

    ``gap`` is the source text between the previous unit of the paragraph and this one
    ("" for the first unit); ``copy`` marks a unit without words (``***``, ``–``, a bare
    URL) that is passed through unchanged instead of reaching the model.
    """

    paragraph: int
    text: str
    tokens: int
    gap: str = ""
    copy: bool = False


Span = tuple[int, int]

# Clause boundaries, strongest first: a long sentence is cut at the first level that works.
# Each pattern matches the whitespace to cut at.
_CLAUSE_LEVELS = (
    re.compile(r"(?<=[;])\s+"),
    re.compile(r"(?<=:)\s+|\s+(?=[–—]\s)"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+"),
)


def _cut_at(text: str, span: Span, pattern: re.Pattern[str]) -> list[Span]:
    """Sub-spans of ``span`` between the matches of ``pattern`` (matches are dropped)."""
    start, end = span
    parts: list[Span] = []
    cursor = start
    for match in pattern.finditer(text, start, end):
        if match.start() > cursor:
            parts.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        parts.append((cursor, end))
    return parts


def _cut_characters(text: str, span: Span, count: TokenCounter, budget: int) -> list[Span]:
    """Last resort for a single 'word' over budget (a URL, a hash): longest prefixes that fit."""
    parts: list[Span] = []
    start, end = span
    while start < end:
        if count(text[start:end]) <= budget:
            parts.append((start, end))
            break
        lo, hi = start + 1, end
        while lo < hi:  # the longest prefix whose count fits
            mid = (lo + hi + 1) // 2
            if count(text[start:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        parts.append((start, lo))
        start = lo
    return parts


def _fit(text: str, span: Span, count: TokenCounter, budget: int, level: int = 0) -> list[Span]:
    """Cut an over-budget span at the strongest clause boundary that helps."""
    if count(text[span[0] : span[1]]) <= budget:
        return [span]
    while level < len(_CLAUSE_LEVELS):
        parts = _cut_at(text, span, _CLAUSE_LEVELS[level])
        level += 1
        if len(parts) > 1:
            return [piece for part in parts for piece in _fit(text, part, count, budget, level)]
    return _cut_characters(text, span, count, budget)


def _pack(text: str, spans: list[Span], count: TokenCounter, budget: int) -> list[Span]:
    """Greedily merge consecutive spans while the merged text fits the budget."""
    packed: list[Span] = []
    for span in spans:
        if packed and count(text[packed[-1][0] : span[1]]) <= budget:
            packed[-1] = (packed[-1][0], span[1])
        else:
            packed.append(span)
    return packed


def paragraph_spans(
    paragraph: str, count: TokenCounter, budget: int, mode: str | UnitMode = "sentence"
) -> list[Span]:
    """The unit spans of one paragraph (see the module docstring for the two modes)."""
    if budget < 1:
        raise ValueError(f"token budget must be positive, got {budget}")
    mode = UnitMode(mode)
    stripped = paragraph.strip()
    if not stripped:
        return []
    start = paragraph.index(stripped[0])
    whole = (start, start + len(stripped))
    if mode == "paragraph" and count(stripped) <= budget:
        return [whole]
    if mode == "paragraph":
        pieces = [
            piece for span in sentence_spans(paragraph) for piece in _fit(paragraph, span, count, budget)
        ]
        return _pack(paragraph, pieces, count, budget)
    # Sentence units: the pieces of an over-budget sentence are packed back up to the
    # budget, but never across a sentence boundary.
    return [
        unit
        for span in sentence_spans(paragraph)
        for unit in _pack(paragraph, _fit(paragraph, span, count, budget), count, budget)
    ]


def make_units(
    paragraphs: list[str], count: TokenCounter, budget: int, mode: str | UnitMode = "sentence"
) -> list[Unit]:
    """Cut every paragraph into units of at most ``budget`` tokens, in paragraph order."""
    units: list[Unit] = []
    for index, paragraph in enumerate(paragraphs):
        previous_end: int | None = None
        for start, end in paragraph_spans(paragraph, count, budget, mode):
            text = paragraph[start:end]
            gap = "" if previous_end is None else paragraph[previous_end:start]
            units.append(Unit(index, text, count(text), gap, copy=not needs_model(text)))
            previous_end = end
    return units


def join_units(units: list[Unit], texts: list[str], paragraph_count: int) -> list[str]:
    """Reassemble per-unit texts (e.g. translations) into one text per paragraph.

    Each text goes in with its unit's gap, so the paragraph's own spacing is kept; a gap
    that was empty (a word cut for the budget) stays empty.
    """
    joined: list[str] = [""] * paragraph_count
    for unit, text in zip(units, texts, strict=True):
        piece = text.strip()
        current = joined[unit.paragraph]
        if not current:
            joined[unit.paragraph] = piece
        elif not piece:
            continue
        else:
            joined[unit.paragraph] = current + unit.gap + piece
    return joined
