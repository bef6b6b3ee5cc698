"""Reading articles: bytes from a file or stdin, decoded to text.

Decoding is strict about what is clearly not text (NUL bytes, binary headers) and careful
with everything else:

* UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such;
* text that is UTF-8 but for a few bad bytes (a stray byte from a copy-paste) stays UTF-8:
  the bad bytes become U+FFFD and their offsets are reported;
* anything else is handed to charset-normalizer, which detects the encoding (cp1252 and
  Latin-1 from old Windows tools are common in press archives) — with a warning naming it.
"""

from __future__ import annotations

import codecs
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from translit.errors import InputError
from translit.formats import looks_like
from translit.options import DEFAULT_MAX_BYTES
from translit.userfiles import FileKind, read_user_bytes, shown_name, too_big

__all__ = ["DEFAULT_MAX_BYTES", "BinaryInputError", "SourceText", "decode_bytes", "read_bytes", "read_source"]

log = logging.getLogger("translit")

STDIN_NAME = "-"
# Signatures of other binary files that may sneak into an article folder (the formats translit
# reads are told by their rows' magic bytes: translit.formats.looks_like).
_BINARY_MAGIC = {
    b"\xd0\xcf\x11\xe0": "an old Office document (.doc)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "a program",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document: save it as .docx or .odt",
}


class BinaryInputError(InputError):
    """The input is not text at all (a PDF, an image, a program)."""


def binary_kind(data: bytes) -> str | None:
    """What a binary input looks like ("a .pdf file"), or None for what may be text."""
    known = looks_like(data)
    if known is not None:
        return known
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    if b"\x00" in data:
        return "NUL bytes"
    return None


@dataclass(frozen=True)
class SourceText:
    """Decoded text of one input together with where it came from."""

    name: str
    text: str
    encoding: str


def _bad_utf8_offsets(data: bytes) -> list[int]:
    """Offsets of the byte sequences that are not valid UTF-8."""
    offsets = []
    position = 0
    while position < len(data):
        try:
            data[position:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            offsets.append(position + exc.start)
            position += exc.end
    return offsets


def _missing_file_hint(path: str) -> str:
    """What a missing "file" probably was: a URL, or text meant for ``-t``."""
    if path.startswith(("http:/", "https:/", "www.")):  # a Path keeps one slash of "//"
        return "; translit does not fetch URLs: save the page first (curl -o page.html URL) and give the file"
    if any(ch.isspace() for ch in path):
        return "; to translate text given on the command line, put -t before it (-t 'Der Satz.')"
    return ""


def decode_bytes(data: bytes, name: str) -> SourceText:
    """Decode an article's bytes; raise :class:`InputError` when they are not text."""
    if data.startswith(codecs.BOM_UTF8):
        return SourceText(name, _strict(data[3:], "utf-8", name), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        return SourceText(name, _strict(data, "utf-32", name), "utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return SourceText(name, _strict(data, "utf-16", name), "utf-16")
    kind = binary_kind(data)
    if kind is not None:
        raise BinaryInputError(f"{name}: looks like a binary file ({kind}), not text")
    try:
        return SourceText(name, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    bad = _bad_utf8_offsets(data)
    text = data.decode("utf-8", errors="replace")
    good_multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte and (len(bad) <= MOSTLY_UTF8 * (good_multibyte + len(bad)) or _mostly_utf8_lines(data)):
        # More lines are good UTF-8 (with umlauts) than not: this is UTF-8, and what is not
        # (a pasted Latin-1 line, a stray byte) is mended line by line.
        return SourceText(name, _mended(data, name, bad), "utf-8")
    marked = set(bad)
    malformed = all(o - 1 in marked or o + 1 in marked for o in bad)  # no lone byte (a cp1252 "–")
    if malformed and _as_german_windows_text(data) is None and len(bad) <= 3 * STRAY_SEQUENCES:
        # Plain ASCII with a few broken multi-byte sequences (an overlong "/", a lone surrogate),
        # not single Windows-1252 bytes: still UTF-8.
        _report_replaced(name, bad)
        return SourceText(name, text, "utf-8")
    return _detect(data, name)


MOSTLY_UTF8 = 0.1
"""A text stays UTF-8 when at most this share of its non-ASCII sequences is invalid (or when most
of its lines with non-ASCII letters are good UTF-8)."""
STRAY_SEQUENCES = 8
"""Broken sequences in otherwise plain ASCII text that are replaced rather than taken for another encoding."""


def _report_replaced(name: str, bad: list[int]) -> None:
    shown = ", ".join(str(o) for o in bad[:5]) + (", …" if len(bad) > 5 else "")
    log.warning(
        "%s: %d byte sequence(s) that are not UTF-8 (at byte %s); replaced with U+FFFD", name, len(bad), shown
    )


def _mostly_utf8_lines(data: bytes) -> bool:
    """Are more lines valid UTF-8 with non-ASCII letters than lines that are not UTF-8?

    A Windows-1252 file can hold a valid UTF-8 pair by chance ("ß“" is one), but hardly ever a
    whole line of them.
    """
    good = bad = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > bad


def _mended(data: bytes, name: str, bad: list[int]) -> str:
    """UTF-8 text with a few lines that are not: each such line read as Windows-1252 where that
    gives German letters (a line pasted from a Latin-1 file), else its bad bytes replaced."""
    lines = data.split(b"\n")
    out, windows, replaced = [], [], []
    position = 0
    for number, line in enumerate(lines, 1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            german = _as_german_windows_text(line, plain_share=0.5)  # one short line: fewer letters
            if german is not None:
                out.append(german)
                windows.append(number)
            else:
                out.append(line.decode("utf-8", errors="replace"))
                replaced += [o for o in bad if position <= o < position + len(line)]
        position += len(line) + 1
    if windows:
        shown = ", ".join(map(str, windows[:5])) + (", …" if len(windows) > 5 else "")
        log.warning("%s: UTF-8, but line(s) %s are Windows-1252 (Latin-1); read as such", name, shown)
    if replaced:
        _report_replaced(name, replaced)
    return "\n".join(out)


def _detect(data: bytes, name: str) -> SourceText:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    german = _as_german_windows_text(data)
    if german is not None and (best is None or _german_letters(german) >= _german_letters(str(best))):
        # Close candidates (cp1250, cp775, mac_iceland …) read "ü" as "³"; for German text the
        # Windows code page of Western Europe is the one that gives its letters.
        log.warning("%s: not UTF-8; decoded as cp1252 (detected)", name)
        return SourceText(name, german, "cp1252")
    if best is None or best.encoding is None:
        raise InputError(f"{name}: not UTF-8, and its encoding cannot be told")
    encoding = best.encoding
    log.warning("%s: not UTF-8; decoded as %s (detected)", name, encoding)
    return SourceText(name, str(best), encoding)


_GERMAN_LETTERS = frozenset("äöüÄÖÜß")


def _german_letters(text: str) -> int:
    return sum(1 for ch in text if ch in _GERMAN_LETTERS)


def _as_german_windows_text(data: bytes, plain_share: float = 0.85) -> str | None:
    """``data`` as cp1252, when that decodes cleanly and gives German letters (and at least
    ``plain_share`` of its letters are plain ASCII ones)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    plain = sum(1 for ch in letters if ch.isascii())
    # German is mostly plain letters with a few umlauts; Cyrillic or Greek bytes read as cp1252
    # are mostly accented letters.
    return text if _german_letters(text) and plain >= plain_share * len(letters) else None


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid {encoding} at byte {exc.start}") from None


ARTICLE_LIMIT_HINT = "raise it with --max-bytes"


def read_bytes(
    path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, display: str | None = None
) -> tuple[str, bytes]:
    """``(name for messages, bytes)`` of one input; ``-`` means standard input. ``max_bytes=None``: no limit.

    ``display`` is the name used in messages (default: the path; ``<stdin>`` for ``-``). A file
    goes through :func:`translit.userfiles.read_user_bytes` (regular, readable, within the limit).
    """
    name = display or shown_name(path)
    if str(path) == STDIN_NAME:
        if sys.stdin is None:
            raise InputError("<stdin>: standard input is closed")
        stream = sys.stdin.buffer
        data = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise too_big("<stdin>", None, max_bytes, "article", ARTICLE_LIMIT_HINT)
        return "<stdin>", data
    if not os.path.lexists(path):
        raise InputError(f"{name}: no such file{_missing_file_hint(str(path))}")
    if os.path.isdir(path):
        raise InputError(f"{name}: is a directory, expected a file (use 'translit batch' for folders)")
    return name, read_user_bytes(path, FileKind("article", max_bytes, ARTICLE_LIMIT_HINT), name)


def read_source(
    path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, display: str | None = None
) -> SourceText:
    """Read and decode one input; ``-`` means standard input. ``max_bytes=None``: no limit."""
    name, data = read_bytes(path, max_bytes, display)
    return decode_bytes(data, name)
