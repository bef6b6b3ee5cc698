"""WebVTT subtitles: sentences joined across cues, the English shared back over the same cues.

webvtt-py reads and checks the file; the English is written into the original text, so that
the header, ``STYLE`` and ``REGION`` blocks, notes, cue identifiers, timings and cue settings
(position, line, alignment) come back byte for byte — only each cue's text lines change.
"""

from __future__ import annotations

import io
import re
from typing import Any

from translit.errors import InputError
from translit.readers.base import Document, library
from translit.readers.subtitles import (
    LineWriter,
    SubtitleDocument,
    cue_places,
    line_skeleton,
    subtitle_lines,
)

_TIME = r"(?:\d+:)?\d{2}:\d{2}(?:\.\d{1,3})?"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}")


def _import_webvtt() -> Any:
    return library("webvtt", "reading WebVTT", "webvtt-py", "documents")


class VttReader:
    """WebVTT subtitles."""

    name = "vtt"

    def read(self, data: bytes | str, source: str) -> SubtitleDocument:
        """One segment per run of cues that makes whole sentences; a file without cue text (a
        header, regions, notes) is one without segments, written back whole."""
        webvtt = _import_webvtt()
        if isinstance(data, bytes) and 0 < data.count(b"\0") <= max(1, len(data) // 100):
            # WebVTT's parsing rules replace a NUL with U+FFFD; a file of NULs is still refused.
            data = data.replace(b"\0", "\ufffd".encode())
        _, lines, newline = subtitle_lines(data, source)
        try:
            captions = list(webvtt.from_buffer(io.StringIO("\n".join(lines))))
        except Exception as exc:  # webvtt-py's MalformedFileError and friends
            raise InputError(f"{source}: not a WebVTT (.vtt) file ({exc})") from None
        # webvtt-py checks the file; the lines are the authority on where cues are (it leaves out
        # a cue whose timing lacks milliseconds, which is kept as it is and translated).
        places = cue_places(lines, _TIMING, re.compile("-->"))
        if captions and not places:
            raise InputError(f"{source}: the WebVTT cues could not be located ({len(captions)} cues read)")
        skeleton, segments = line_skeleton(lines, newline, places)
        return Document(
            segments,
            input_format="vtt",
            skeleton=skeleton,
        )


Reader = VttReader
Writer = LineWriter
