"""WebVTT subtitles: sentences joined across cues, the English shared back over the same cues.

webvtt-py reads and checks the file; the English is written into the original text, so that
the header, ``STYLE`` and ``REGION`` blocks, notes, cue identifiers, timings and cue settings
(position, line, alignment) come back byte for byte — only each cue's text lines change.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from translit.errors import InputError
from translit.readers.base import Document, PlacedSegment, library
from translit.readers.subtitles import Cue, cue_segments, read_cue, shared_out
from translit.textio import decode_bytes

_TIMING = re.compile(r"^\s*(?:\d+:)?\d{2}:\d{2}\.\d{3}\s+-->\s+(?:\d+:)?\d{2}:\d{2}\.\d{3}")


def _import_webvtt() -> Any:
    return library("webvtt", "reading WebVTT", "webvtt-py", "documents")


@dataclass
class Skeleton:
    """The file's lines, where each cue's text lines are, and which cues each segment joined."""

    lines: list[str]
    places: list[tuple[int, int]]  # per cue: first text line, end (exclusive)
    read: list[Cue]
    groups: list[list[int]]


def _cue_places(lines: list[str]) -> list[tuple[int, int]]:
    """Where the text of every cue is: the lines after its timing line, up to a blank line."""
    places = []
    for number, line in enumerate(lines):
        if _TIMING.match(line):
            end = number + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            places.append((number + 1, end))
    return places


class VttReader:
    """WebVTT subtitles."""

    name = "vtt"

    def read(self, data: bytes | str, source: str) -> Document:
        """One segment per run of cues that makes whole sentences."""
        webvtt = _import_webvtt()
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        text = decoded.text if decoded else str(data)
        try:
            captions = list(webvtt.from_buffer(io.StringIO(text)))
        except Exception as exc:  # webvtt-py's MalformedFileError and friends
            raise InputError(f"{source}: not a WebVTT (.vtt) file ({exc})") from None
        lines = text.split("\n")
        places = _cue_places(lines)
        if len(places) != len(captions):
            raise InputError(f"{source}: the WebVTT cues could not be located ({len(captions)} cues read)")
        read = [read_cue("\n".join(lines[a:b])) for a, b in places]
        groups, segments = cue_segments(read)
        return Document(
            segments,
            input_format="vtt",
            skeleton=Skeleton(lines, places, read, groups),
            encoding=decoded.encoding if decoded else "utf-8",
        )


class VttWriter:
    """Writes each cue's share of the English into its text lines."""

    def write(self, document: Document, segments: list[PlacedSegment], marks: bool = True) -> bytes:
        """The WebVTT file with English cue text; everything else as it was."""
        skeleton: Skeleton = document.skeleton
        new = shared_out(skeleton.read, skeleton.groups, segments, marks)
        out = list(skeleton.lines)
        for index in sorted(new, reverse=True):  # bottom up: earlier line numbers stay valid
            start, end = skeleton.places[index]
            out[start:end] = new[index]
        return "\n".join(out).encode("utf-8")


Reader = VttReader
Writer = VttWriter
