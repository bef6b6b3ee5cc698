"""What SRT and WebVTT share: cues joined into whole sentences, and the English shared back out.

Subtitles are cut for reading speed, not grammar: a sentence runs across two or three cues, and
a cue often ends in the middle of one. Translating cue by cue (LibreTranslate's file path)
translates fragments. Here consecutive cues are joined into one segment until a cue ends a
sentence (``.``, ``!``, ``?``, ``…``, a closing quote after one) — at most
:data:`MAX_CUES` cues, so a file without punctuation still comes back in pieces of its own
size. The segment is translated sentence by sentence like any text, and its English is shared
back over the **same cues**, in proportion to the German each held, at word boundaries, never
more than :data:`LINES` lines of :data:`LINE_CHARS` characters per cue where the words allow it.
Cue count, numbering and timings never change.

Formatting tags that wrap a whole cue (``<i>…</i>``, a WebVTT voice ``<v Anna>``) are kept round
its new text; tags inside a cue's text are dropped (the words they marked may have moved cues).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from translit.readers.base import PlacedSegment, Segment, marked_text

LINE_CHARS = 42
LINES = 2
MAX_CUES = 8
_SENTENCE_END = re.compile(r"[.!?…][\"'»«“”‚‘’)\]]*\s*$")
_LEADING_TAGS = re.compile(r"^(?:\s*<[^>/][^>]*>)+")
_TRAILING_TAGS = re.compile(r"(?:</[^>]+>\s*)+$")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Cue:
    """One cue's text as read: the plain words, and the tags that wrap all of it."""

    text: str
    opening: str = ""
    closing: str = ""


def read_cue(raw: str) -> Cue:
    """A cue's text lines as plain words, and the tags round the whole cue."""
    joined = " ".join(line.strip() for line in raw.splitlines())
    opening_match = _LEADING_TAGS.match(joined)
    opening = opening_match.group(0).strip() if opening_match else ""
    rest = joined[opening_match.end() :] if opening_match else joined
    closing_match = _TRAILING_TAGS.search(rest)
    closing = closing_match.group(0).strip() if closing_match else ""
    inner = rest[: closing_match.start()] if closing_match else rest
    return Cue(" ".join(_TAG.sub("", inner).split()), opening, closing)


def group_cues(cues: list[Cue]) -> list[list[int]]:
    """Consecutive cues that make whole sentences (indexes); cues without words stand alone."""
    groups: list[list[int]] = []
    current: list[int] = []
    for index, cue in enumerate(cues):
        if not any(ch.isalnum() for ch in cue.text):
            if current:
                groups.append(current)
                current = []
            continue
        current.append(index)
        if _SENTENCE_END.search(cue.text) or len(current) >= MAX_CUES:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def share_out(english: str, weights: list[int]) -> list[str]:
    """``english`` cut at word boundaries into one piece per cue, in proportion to ``weights``.

    A piece is kept within ``LINES × LINE_CHARS`` characters while the remaining cues can take
    the rest; every cue gets at least one word while words remain.
    """
    words = english.split()
    count = len(weights)
    if count == 1:
        return [" ".join(words)]
    total = max(1, sum(weights))
    length = max(1, len(english))
    capacity = LINES * LINE_CHARS
    pieces: list[list[str]] = [[] for _ in weights]
    position, cumulative = 0, 0.0
    for k in range(count):
        if k == count - 1:
            pieces[k] = words[position:]
            break
        cumulative += weights[k] / total * length
        used = sum(len(w) + 1 for piece in pieces[:k] for w in piece)
        size = 0
        while position < len(words):
            word = words[position]
            remaining_words = len(words) - position
            if remaining_words <= count - k - 1:
                break  # leave a word for every later cue
            rest = sum(len(w) + 1 for w in words[position:])
            later_room = capacity * (count - k - 1)
            fits = size + len(word) <= capacity
            wanted = used + size < cumulative
            if pieces[k] and not fits and rest <= later_room + capacity:
                break
            if pieces[k] and not wanted and rest <= later_room:
                break
            pieces[k].append(word)
            size += len(word) + 1
            position += 1
    return [" ".join(piece) for piece in pieces]


def wrap(text: str) -> list[str]:
    """A cue's text in at most :data:`LINES` lines of about :data:`LINE_CHARS` characters."""
    lines = textwrap.wrap(text, LINE_CHARS, break_long_words=False, break_on_hyphens=False) or [""]
    if len(lines) > LINES:
        lines = [*lines[: LINES - 1], " ".join(lines[LINES - 1 :])]
    return lines


def cue_texts(cues: list[Cue], group: list[int], english: str) -> dict[int, list[str]]:
    """The new text lines of each cue of ``group``, its English shared out and wrapped."""
    pieces = share_out(english, [max(1, len(cues[i].text)) for i in group])
    found = {}
    for index, piece in zip(group, pieces, strict=True):
        cue = cues[index]
        lines = wrap(piece)
        lines[0] = cue.opening + lines[0]
        lines[-1] = lines[-1] + cue.closing
        found[index] = lines
    return found


def cue_segments(cues: list[Cue]) -> tuple[list[list[int]], list[Segment]]:
    """The cues grouped into whole sentences, and one segment (kind ``cue``) per group."""
    groups = group_cues(cues)
    return groups, [Segment(" ".join(cues[i].text for i in group), "cue") for group in groups]


def shared_out(
    cues: list[Cue], groups: list[list[int]], placed: list[PlacedSegment], marks: bool
) -> dict[int, list[str]]:
    """Every translated cue's new text lines, each group's English shared over its cues."""
    lines: dict[int, list[str]] = {}
    for group, segment in zip(groups, placed, strict=True):
        lines.update(cue_texts(cues, group, marked_text(segment, marks)))
    return lines
