"""Files written whole or not at all, and locks shared by every translit process on a machine.

One module for both, used by every writer: a batch's outputs, the CLI's ``-o``, the model lock
file, calibrations in models.toml, converted and shipped models. A write goes to a temporary
file beside its target and is renamed over it, so an interrupted run leaves the old file as it
was; a new file gets the mode the user's umask gives. Locks are ``filelock``'s (a well-kept
library: the same lock on every platform, released when the process dies).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".translit-tmp"
"""Temporary files end so; a batch clears those of a killed run away."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _short(name: str) -> str:
    """The start of a file name, for a temporary name that fits the file system's limit."""
    return os.fsencode(name)[:60].decode("utf-8", "ignore")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` via a temporary file in the same folder and a rename.

    A new file gets the mode the user's umask gives; a file that exists keeps its mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    data = text.encode("utf-8") if isinstance(text, str) else text
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
        "wb", dir=path.parent, prefix=f".{_short(path.name)}.", suffix=TEMP_SUFFIX, delete=False
    )
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """An exclusive lock on ``target`` (a lock file beside it), shared by all translit processes."""
    from filelock import FileLock

    with FileLock(str(target.parent / f".{target.name}.lock")):
        yield
