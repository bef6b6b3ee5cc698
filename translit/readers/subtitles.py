"""What SRT and WebVTT share: cues joined into whole sentences, and the English shared back out.

Subtitles are cut for reading speed, not grammar: a sentence runs across two or three cues, and
a cue often ends in the middle of one. Translating cue by cue (LibreTranslate's file path)
translates fragments. Here consecutive cues are joined into one segment until a cue ends a
sentence (``.``, ``!``, ``?``, ``…``, a closing quote after one) — at most
:data:`MAX_CUES` cues, so a file without punctuation still comes back in pieces of its own
size. The segment is translated sentence by sentence like any text, and its English is shared
back over the **same cues** by the placer: the space where one cue ends is a cue break (an
atom), put after the English of the cue's last German word by the engine's alignment, so a cue
gets the words that translate its own. Where the alignment is unsure (breaks out of order, a cue
left without a word, a piece too long for its lines), the English is shared in proportion to
the German each cue held, at word boundaries, never more than :data:`LINES` lines of
:data:`LINE_CHARS` characters per cue where the words allow it.
Cue count, numbering and timings never change.

Formatting tags that wrap a whole cue (``<i>…</i>``, a WebVTT voice ``<v Anna>``) are kept round
its new text, and ASS/SSA override tags at its start (``{\\an8}``) stay at its start; tags inside
a cue's text are dropped (the words they marked may have moved cues), so none is left open.
Files are handled as lines: only cue text lines are written again.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Never

from translit.readers.base import CHECK_MARK, CLOSING, Document, PlacedSegment, RawAtom, Segment, segment_from
from translit.textio import decode_bytes

LINE_CHARS = 42
LINES = 2
MAX_CUES = 8
_SENTENCE_END = re.compile(r"[.!?…][\"'»«“”‚‘’)\]]*\s*$")
_TAG = re.compile(r"<(/?)([A-Za-z]+)[^>]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_LEADING_ASS = re.compile(r"^(?:\s*\{\\[^}]*\})+")
_PLACING = re.compile(r"\\(?:an\d|a\d|pos|move|org)")
_OPTIONAL_CLOSE = {"v", "lang"}  # WebVTT's voice and language spans need no closing tag


@dataclass(frozen=True)
class CueBreak:
    """An atom: where the ``cue``-th cue of a segment (counted from 1) ends and the next begins.
    Subtitle segments have no spans."""

    cue: int


CueSegment = Segment[Never, CueBreak]
PlacedCues = PlacedSegment[Never, CueBreak]


@dataclass(frozen=True)
class Cue:
    """One cue's text as read: the plain words, and the tags that wrap all of it."""

    text: str
    opening: str = ""
    closing: str = ""


def read_cue(raw: str) -> Cue:
    """A cue's text lines as plain words, and what goes round the whole cue: ASS/SSA override
    tags at its start (``{\\an8}``: kept at the start of the new text) and the HTML-style tags
    that wrap all of it (``<i>…</i>``; a voice ``<v Anna>``). Every other tag is left out — the
    words it marked may have moved — so no tag is ever left open."""
    joined = " ".join(line.strip() for line in raw.splitlines()).strip()
    ass = _LEADING_ASS.match(joined)
    prefix = "".join(ass.group(0).split()) if ass else ""
    rest = joined[ass.end() :] if ass else joined
    if _ASS_TAG.search(rest):
        # A later override closes one at the start ({\\i1}…{\\i0}): keep only the placing ones.
        prefix = "".join(block for block in _ASS_TAG.findall(prefix) if _PLACING.search(block))
    rest = _ASS_TAG.sub("", rest).strip()
    tags = list(_TAG.finditer(rest))
    leading: list[re.Match[str]] = []
    for match in tags:  # the tags at the very start, before any word
        if rest[(leading[-1].end() if leading else 0) : match.start()].strip() or match.group(1):
            break
        leading.append(match)
    trailing: list[re.Match[str]] = []
    for match in reversed(tags):  # the closing tags at the very end
        if rest[match.end() : (trailing[-1].start() if trailing else len(rest))].strip() or not match.group(
            1
        ):
            break
        trailing.append(match)
    opening: list[str] = []
    closing: list[str] = []
    pairs = 0
    for match in leading:
        name = match.group(2).lower()
        if pairs < len(trailing) and trailing[pairs].group(2).lower() == name:
            opening.append(match.group(0))
            closing.insert(0, trailing[pairs].group(0))
            pairs += 1
        elif name in _OPTIONAL_CLOSE:
            opening.append(match.group(0))
        else:
            break
    start = leading[len(opening) - 1].end() if opening else 0
    end = trailing[pairs - 1].start() if pairs else len(rest)
    inner = _TAG.sub("", rest[start:end]) if start <= end else ""
    return Cue(" ".join(inner.split()), prefix + "".join(opening), "".join(closing))


def split_lines(text: str) -> tuple[list[str], str]:
    """A subtitle file's lines, whatever ends them (LF, CRLF or a lone CR), and the line end to
    write back: the one the file uses most."""
    counts = {"\r\n": text.count("\r\n")}
    counts["\r"] = text.count("\r") - counts["\r\n"]
    counts["\n"] = text.count("\n") - counts["\r\n"]
    newline = max(counts, key=lambda k: (counts[k], k == "\n"))
    return re.split(r"\r\n|\r|\n", text), newline


def subtitle_lines(data: bytes | str, source: str) -> tuple[str, list[str], str]:
    """A subtitle file's text (decoded; a BOM left out), its lines and the line end to write back."""
    text = (decode_bytes(data, source).text if isinstance(data, bytes) else data).removeprefix("\ufeff")
    lines, newline = split_lines(text)
    return text, lines, newline


class LineWriter:
    """Writes each cue's share of the English into its text lines (SubRip and WebVTT alike);
    every other line as it was."""

    def write(self, document: SubtitleDocument, segments: list[PlacedCues], marks: bool = True) -> bytes:
        """The subtitle file: the same cues, numbers, timings and blocks; English cue text."""
        skeleton = document.kept()
        return skeleton.write(segments, marks)


def cue_places(lines: list[str], timing: re.Pattern[str], stop: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the text of every cue is: the lines after its timing line, up to a blank line or a
    line that ``stop`` finds (the next cue's timing, where a file leaves out the blank line)."""
    places = []
    for number, line in enumerate(lines):
        if timing.match(line):
            end = number + 1
            while end < len(lines) and lines[end].strip() and not stop.search(lines[end]):
                end += 1
            places.append((number + 1, end))
    return places


@dataclass
class LineSkeleton:
    """A subtitle file as lines: where each cue's text lines are and which cues each segment
    joined. Only those lines are written again, so that everything else — header, styles,
    notes, numbering, timings and their spelling, line ends — comes back byte for byte."""

    lines: list[str]
    newline: str
    places: list[tuple[int, int]]  # per cue: first text line, end (exclusive)
    read: list[Cue]
    groups: list[list[int]]

    def write(self, segments: list[PlacedCues], marks: bool) -> bytes:
        """The file with each translated cue's lines replaced by its share of the English."""
        new = shared_out(self.read, self.groups, segments, marks)
        out = list(self.lines)
        for index in sorted(new, reverse=True):  # bottom up: earlier line numbers stay valid
            start, end = self.places[index]
            out[start:end] = new[index]
        return self.newline.join(out).encode("utf-8")


SubtitleDocument = Document[LineSkeleton, Never, CueBreak]
"""A subtitle file as read: its lines, and its cues joined into sentences."""


def line_skeleton(
    lines: list[str], newline: str, places: list[tuple[int, int]]
) -> tuple[LineSkeleton, list[CueSegment]]:
    """The skeleton of a file whose cue text lines are at ``places``, and its segments."""
    read = [read_cue("\n".join(lines[a:b])) for a, b in places]
    groups, segments = cue_segments(read)
    return LineSkeleton(lines, newline, places, read, groups), segments


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


def cue_texts(
    cues: list[Cue], group: list[int], english: str, pieces: list[str] | None = None
) -> dict[int, list[str]]:
    """The new text lines of each cue of ``group``: its share of the English (``pieces`` where
    the alignment gave them, else shared out by the German's length), wrapped."""
    if pieces is None:
        pieces = share_out(english, [max(1, len(cues[i].text)) for i in group])
    found = {}
    for index, piece in zip(group, pieces, strict=True):
        cue = cues[index]
        lines = wrap(piece)
        lines[0] = cue.opening + lines[0]
        lines[-1] = lines[-1] + cue.closing
        found[index] = lines
    return found


def cue_segments(cues: list[Cue]) -> tuple[list[list[int]], list[CueSegment]]:
    """The cues grouped into whole sentences, and one segment (kind ``cue``) per group.

    Where a cue ends inside a group, the space that joins it to the next is an atom (a cue
    break): the placer puts it after the English word aligned with the cue's last German word,
    so each cue gets the words that translate its own (:func:`aligned_pieces`).
    """
    groups = group_cues(cues)
    segments: list[CueSegment] = []
    for group in groups:
        texts = [cues[i].text for i in group]
        raw = " ".join(texts)
        breaks: list[RawAtom[CueBreak]] = []
        offset = 0
        for k, text in enumerate(texts[:-1]):
            offset += len(text)
            breaks.append((offset, CueBreak(k + 1), 1))
            offset += 1
        segments.append(segment_from(raw, "cue", atoms=breaks)[0])
    return groups, segments


def aligned_pieces(placed: PlacedCues, texts: list[str], marks: bool) -> tuple[list[str], bool]:
    """A group's English cut at its placed cue breaks (``[?]`` marks where they fall), and
    whether those are each cue's piece: False where the breaks are out of order or leave a cue
    without a word, or give a cue more than its lines hold (then the English is shared out by
    length). ``texts`` are the group's German cue texts."""
    count = len(texts)
    breaks = sorted(placed.atoms, key=lambda a: a.offset)
    text = placed.text
    cuts = []
    for atom in breaks:
        cut = atom.offset
        while cut < len(text) and not text[cut].isspace() and text[cut] in CLOSING:
            cut += 1  # a cue ends after its word's punctuation, never before it
        cuts.append(cut)
    bounds = [0, *cuts, len(text)]
    pieces = []
    for k in range(len(bounds) - 1):
        start, end = bounds[k], bounds[k + 1]
        piece = text[start:end]
        if marks:
            for at in sorted(placed.marks, reverse=True):
                if start < at <= end or (start == at == 0):
                    piece = piece[: at - start] + " " + CHECK_MARK + piece[at - start :]
        pieces.append(" ".join(piece.split()))
    ordered = [a.payload.cue for a in breaks] == list(range(1, count)) and cuts == sorted(cuts)
    # A piece too long for its cue's lines, where the German fitted, is shared out by length
    # instead (which keeps to the lines); so is a cue left without a word.
    fits = all(len(p) <= LINES * LINE_CHARS or len(p) <= len(t) for p, t in zip(pieces, texts, strict=False))
    return pieces, ordered and len(pieces) == count and fits and all(
        any(ch.isalnum() for ch in p) for p in pieces
    )


def shared_out(
    cues: list[Cue], groups: list[list[int]], placed: list[PlacedCues], marks: bool
) -> dict[int, list[str]]:
    """Every translated cue's new text lines, each group's English shared over its cues."""
    lines: dict[int, list[str]] = {}
    for group, segment in zip(groups, placed, strict=True):
        pieces, aligned = aligned_pieces(segment, [cues[i].text for i in group], marks)
        lines.update(cue_texts(cues, group, " ".join(p for p in pieces if p), pieces if aligned else None))
    return lines
