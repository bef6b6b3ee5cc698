"""SubRip subtitles (SRT): sentences joined across cues, the English shared back over the same cues.

``srt`` parses and composes the file; :mod:`translit.readers.subtitles` joins cues into whole
sentences and shares the translation back out. Numbering and timings come back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from translit.errors import InputError
from translit.readers.base import Document, PlacedSegment, library
from translit.readers.subtitles import Cue, cue_segments, read_cue, shared_out
from translit.textio import decode_bytes


def _import_srt() -> Any:
    return library("srt", "reading subtitles", "srt", "documents")


@dataclass
class Skeleton:
    """The parsed cues (plain data) and which cues each segment joined."""

    cues: list[tuple[Any, Any, Any, str, str]]  # index, start, end, content, proprietary
    read: list[Cue]
    groups: list[list[int]]


class SrtReader:
    """SubRip subtitles."""

    name = "srt"

    def read(self, data: bytes | str, source: str) -> Document:
        """One segment per run of cues that makes whole sentences."""
        srt = _import_srt()
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        text = decoded.text if decoded else str(data)
        try:
            subtitles = list(srt.parse(text))
        except (srt.SRTParseError, ValueError) as exc:
            raise InputError(f"{source}: not a SubRip (.srt) file ({exc})") from None
        if not subtitles and text.strip():
            raise InputError(f"{source}: not a SubRip (.srt) file (no cues found)")
        read = [read_cue(s.content) for s in subtitles]
        groups, segments = cue_segments(read)
        cues = [(s.index, s.start, s.end, s.content, s.proprietary) for s in subtitles]
        return Document(
            segments,
            input_format="srt",
            skeleton=Skeleton(cues, read, groups),
            encoding=decoded.encoding if decoded else "utf-8",
        )


class SrtWriter:
    """Composes the subtitles again with each cue's share of the English."""

    def write(self, document: Document, segments: list[PlacedSegment], marks: bool = True) -> bytes:
        """The SRT file: same cues, numbers and timings; English text."""
        srt = _import_srt()
        skeleton: Skeleton = document.skeleton
        texts = {i: cue[3] for i, cue in enumerate(skeleton.cues)}
        for index, lines in shared_out(skeleton.read, skeleton.groups, segments, marks).items():
            texts[index] = "\n".join(lines)
        subtitles = [
            srt.Subtitle(index, start, end, texts[i], proprietary)
            for i, (index, start, end, _content, proprietary) in enumerate(skeleton.cues)
        ]
        return str(srt.compose(subtitles, reindex=False, strict=False)).encode("utf-8")


Reader = SrtReader
Writer = SrtWriter
