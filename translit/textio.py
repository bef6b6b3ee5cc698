"""Reading articles: bytes from a file or stdin, decoded to text.

Decoding is strict about what is clearly not text (NUL bytes, binary headers) and
lenient about legacy encodings: UTF-8 (with or without BOM) first, UTF-16 when a BOM
says so, then cp1252 with a warning, because German text from old Windows tools is
common in press archives.
"""

from __future__ import annotations

import codecs
import logging
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from translit.errors import InputError

log = logging.getLogger("translit")

STDIN_NAME = "-"
# One news article is tens of kilobytes; anything this big is almost surely a mistake
# (a dump, a book) that would tie up the machine for hours.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Signatures of common binary formats that may sneak into an article folder.
_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"\x1f\x8b")


@dataclass(frozen=True)
class SourceText:
    """Decoded text of one input together with where it came from."""

    name: str
    text: str
    encoding: str


def decode_bytes(data: bytes, name: str) -> SourceText:
    """Decode an article's bytes; raise :class:`InputError` when they are not text."""
    if data.startswith(codecs.BOM_UTF8):
        return SourceText(name, _strict(data[3:], "utf-8", name), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return SourceText(name, _strict(data, "utf-16", name), "utf-16")
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        return SourceText(name, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    log.warning("%s: not valid UTF-8; decoded as cp1252 (Windows Western European)", name)
    return SourceText(name, text, "cp1252")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid {encoding} at byte {exc.start}") from None


def _too_big(name: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{name}: {size / 1048576:.1f} MiB is more than the {limit / 1048576:.1f} MiB limit for one article "
        "(raise it with --max-bytes)"
    )


def read_source(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> SourceText:
    """Read and decode one input; ``-`` means standard input. ``max_bytes=None``: no limit."""
    name = str(path)
    if name == STDIN_NAME:
        data = sys.stdin.buffer.read() if max_bytes is None else sys.stdin.buffer.read(max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise _too_big("<stdin>", len(data), max_bytes)
        return decode_bytes(data, "<stdin>")
    file = Path(path)
    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{name}: is a directory, expected a file (use 'translit batch' for folders)")
    if not stat.S_ISREG(mode):
        raise InputError(f"{name}: not a regular file")
    if not os.access(file, os.R_OK):
        raise InputError(f"{name}: permission denied")
    size = file.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise _too_big(name, size, max_bytes)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    return decode_bytes(data, name)
