"""One way to open a file a user names: an article, a document, a glossary, a keep list, a config file.

Every such file passes the same checks before a byte of it is used, so that a wrong path fails in
one line rather than hanging or filling memory: it must be a regular file (a FIFO would block for
ever, ``/dev/zero`` or ``/dev/urandom`` never end, a directory is a different mistake), no larger
than its kind's limit (named in the message with what raises it), and readable. It is read in
chunks, so Ctrl-C and SIGTERM (which the CLI turns into an interrupt) stop a read at once. Text
kinds are then checked for NUL bytes and decoded as UTF-8, with the line of the first problem.

Articles decode with more care (other encodings are detected: :mod:`translit.textio`); the other
kinds are files people write for translit and are UTF-8.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from translit.errors import InputError

CHUNK = 1 << 20
"""Bytes read at a time (an interrupt is noticed between chunks)."""


@dataclass(frozen=True)
class FileKind:
    """What a file is to translit, for its messages and limits.

    ``noun``: how messages name it ("glossary"); ``max_bytes``: its limit (None: none);
    ``raise_with``: what the user can do about a file over the limit.
    """

    noun: str
    max_bytes: int | None
    raise_with: str


GLOSSARY = FileKind("glossary", 256 << 20, "split it into several files, each given with its option")
KEEP_LIST = FileKind("keep list", 256 << 20, "split it into several files, each given with --keep")
CONFIG = FileKind("config file", 1 << 20, "a config file holds a few settings")
MODELS_FILE = FileKind("models file", 1 << 20, "a models file lists a few models")
KEYS_FILE = FileKind("API keys file", 16 << 20, "give fewer keys")
MEMORY_FILE = FileKind(
    "translation memory file", 256 << 20, "split it into several files, each imported on its own"
)


def human_size(size: int) -> str:
    """``512 bytes``, ``3.4 KiB``, ``2.0 MiB``."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1048576:.1f} MiB"


def shown_name(path: str | os.PathLike[str]) -> str:
    """A path as messages show it (undecodable bytes escaped, never an error)."""
    return os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")


def checked_size(path: str | os.PathLike[str], noun: str, name: str | None = None) -> int:
    """The size of a regular, readable file; one :class:`InputError` line for anything else."""
    name = name or shown_name(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{name}: {noun} not found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the {noun} ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a directory, expected a {noun} file")
    if not stat.S_ISREG(info.st_mode):
        what = "a named pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise InputError(f"{name}: not a regular file ({what}); give the {noun} as a file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{name}: permission denied")
    return info.st_size


def too_big(name: str, size: int | None, limit: int, noun: str, raise_with: str) -> InputError:
    """The one line for a file over its limit."""
    amount = f"{human_size(size)} is " if size is not None else ""
    return InputError(
        f"{name}: {amount}more than the {human_size(limit)} limit for one {noun} ({raise_with})"
    )


def read_user_bytes(path: str | os.PathLike[str], kind: FileKind, name: str | None = None) -> bytes:
    """The bytes of a user's file of ``kind``, checked (see the module docstring)."""
    name = name or shown_name(path)
    size = checked_size(path, kind.noun, name)
    limit = kind.max_bytes
    if limit is not None and size > limit:
        raise too_big(name, size, limit, kind.noun, kind.raise_with)
    chunks: list[bytes] = []
    total = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
                if limit is not None and total > limit:  # it grew while being read
                    raise too_big(name, None, limit, kind.noun, kind.raise_with)
                chunks.append(chunk)
    except OSError as exc:
        raise InputError(f"{name}: cannot read the {kind.noun} ({exc.strerror})") from None
    return b"".join(chunks)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_utf8(data: bytes, name: str, noun: str) -> str:
    """UTF-8 text (a BOM allowed) of a file translit reads; one line naming the place otherwise."""
    nul = data.find(b"\x00")
    if nul >= 0:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputError(f"{name}: UTF-16; save the {noun} as UTF-8")
        raise InputError(f"{name}: line {_line_of(data, nul)}: a NUL byte; a {noun} is text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        raise InputError(
            f"{name}: line {_line_of(data, start)}: not UTF-8 (byte {start}); save the {noun} as UTF-8"
        ) from None


def read_user_text(path: str | os.PathLike[str], kind: FileKind, name: str | None = None) -> str:
    """The UTF-8 text of a user's file of ``kind``, checked (see the module docstring)."""
    name = name or shown_name(path)
    return decode_utf8(read_user_bytes(path, kind, name), name, kind.noun)


def user_file_digest(path: str | os.PathLike[str], kind: FileKind) -> str:
    """A short digest of what a user's file says (for cache keys); ``missing:PATH`` when unreadable."""
    import hashlib

    try:
        return hashlib.sha256(read_user_bytes(path, kind)).hexdigest()[:16]
    except InputError:
        return f"missing:{Path(path)}"
