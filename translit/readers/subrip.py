"""SubRip subtitles (SRT): sentences joined across cues, the English shared back over the same cues.

``srt`` parses and composes the file; :mod:`translit.readers.subtitles` joins cues into whole
sentences and shares the translation back out. Numbering and timings come back unchanged.
"""

from __future__ import annotations

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

_TIME = r"(\d+):(\d{1,2}):(\d{1,2})(?:[,.:](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")


def _import_srt() -> Any:
    return library("srt", "reading subtitles", "srt", "documents")


def check_timings(lines: list[str], source: str) -> None:
    """Refuse, naming the line, a timing line that is not a valid SRT timing (``00:00:0X,000``,
    ``99:99:99,999``): a translation never rewrites a timing it could not read."""
    for number, line in enumerate(lines):
        if "-->" not in line:
            continue
        before = lines[number - 1].strip() if number else ""
        if number and before and not before.isdigit():
            continue  # an arrow inside a cue's text
        match = _TIMING.match(line)
        bad = match is None or any(
            int(match.group(k)) > 59 for k in (2, 3, 6, 7)
        )  # minutes and seconds of both times
        if bad:
            shown = line.strip()[:60]
            raise InputError(
                f"{source}: not a SubRip (.srt) file: line {number + 1} is not a valid timing ({shown!r})"
            )


class SrtReader:
    """SubRip subtitles."""

    name = "srt"

    def read(self, data: bytes | str, source: str) -> SubtitleDocument:
        """One segment per run of cues that makes whole sentences."""
        srt = _import_srt()
        text, lines, newline = subtitle_lines(data, source)
        check_timings(lines, source)
        try:
            subtitles = list(srt.parse("\n".join(lines)))
        except (srt.SRTParseError, ValueError) as exc:
            raise InputError(f"{source}: not a SubRip (.srt) file ({exc})") from None
        if not subtitles and text.strip():
            raise InputError(f"{source}: not a SubRip (.srt) file (no cues found)")
        # The lines are the authority (srt leaves out a cue without text; it is kept as it is).
        places = cue_places(lines, _TIMING, _TIMING)
        skeleton, segments = line_skeleton(lines, newline, places)
        return Document(
            segments,
            input_format="srt",
            skeleton=skeleton,
        )


Reader = SrtReader
Writer = LineWriter
