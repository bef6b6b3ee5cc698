"""Persistent translation cache: SQLite in WAL mode, safe for several processes at once.

A unit's translation (text, score, guard findings) is stored under a key made of the
engine's identity (model files, engine, quantisation), the decoding options, the unit mode,
the input normalisation and the unit's text, so re-running the same articles is
near-instant and a change of model or options never serves stale text.

The cache can never cost a translation. Every entry carries a checksum of its key and
payload; a damaged entry is dropped and translated again, never served. A cache that
cannot be created or opened is skipped, one that cannot be written is used read-only,
and a corrupt database file is moved aside and rebuilt — each with one warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translit.config import cache_root

log = logging.getLogger("translit")

TABLE = "units_v2"


def default_cache_path() -> Path:
    """``translations.sqlite3`` in translit's cache folder."""
    return cache_root() / "translations.sqlite3"


def unit_key(engine_key: str, options_key: str, text: str) -> str:
    """The cache key of one unit's model input."""
    return hashlib.sha256(f"{engine_key}\x1f{options_key}\x1f{text}".encode()).hexdigest()


def _checksum(key: str, payload: str) -> str:
    return hashlib.sha256(f"{key}\x1f{payload}".encode()).hexdigest()[:32]


@dataclass
class CacheStats:
    """Hits and misses of one run."""

    hits: int = 0
    misses: int = 0


_CORRUPT_MARKERS = ("not a database", "malformed", "corrupt", "file is encrypted")


def _is_corruption(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(m in str(exc).lower() for m in _CORRUPT_MARKERS)


class TranslationCache:
    """Unit translations keyed by :func:`unit_key`, in one SQLite file.

    ``state`` is ``"ok"``, ``"read-only"`` (entries are served, none stored) or ``"off"``.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self.stats = CacheStats()
        self.state = "off"
        self._db: sqlite3.Connection | None = None
        self._warned = False
        try:
            self._open()
        except (OSError, sqlite3.Error) as exc:
            if _is_corruption(exc) and self._move_aside():
                try:
                    self._open()
                    return
                except (OSError, sqlite3.Error) as again:
                    exc = again
            self._disable(f"cannot open it ({_reason(exc)})")

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Long busy timeout: a second translit process may be writing right now.
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # reads (and checks) the header
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {TABLE} "
                    "(key TEXT PRIMARY KEY, payload TEXT NOT NULL, checksum TEXT NOT NULL, created REAL)"
                )
                self.state = "ok"
            except sqlite3.OperationalError as exc:
                if _is_corruption(exc):
                    raise
                # A read-only file or folder: serve what is there, store nothing.
                exists = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)
                ).fetchall()
                if not exists:
                    raise
                self.state = "read-only"
                self._warn(
                    f"it is read-only ({_reason(exc)}); cached translations are used, new ones not kept"
                )
        except BaseException:
            db.close()
            raise
        self._db = db

    def _move_aside(self) -> bool:
        """Rename a corrupt database (and its WAL files) so a fresh one can be built."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    part.rename(Path(f"{self.path}.corrupt-{stamp}{suffix}"))
        except OSError:
            return False
        self._warn(f"the database was corrupt; moved aside to {self.path.name}.corrupt-{stamp} and rebuilt")
        return True

    def _warn(self, message: str) -> None:
        if not self._warned:
            log.warning("translation cache %s: %s", self.path, message)
            self._warned = True

    def _disable(self, why: str) -> None:
        self._warn(f"{why}; translating without the cache")
        self.state = "off"
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached payloads for those of ``keys`` that are present and intact."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, dict[str, Any]] = {}
        if self._db is None:
            return found
        damaged: list[str] = []
        try:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, payload, checksum FROM {TABLE} WHERE key IN ({marks})", part
                ).fetchall()
                for key, payload, checksum in rows:
                    entry = _decode(key, payload, checksum)
                    if entry is None:
                        damaged.append(key)
                    else:
                        found[key] = entry
        except sqlite3.Error as exc:
            self._disable(f"reading failed ({_reason(exc)})")
            return {}
        if damaged:
            log.warning(
                "translation cache: %d damaged entr%s dropped; translating again",
                len(damaged),
                "y" if len(damaged) == 1 else "ies",
            )
            self._delete(damaged)
        return found

    def put_many(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        """Store payloads (one transaction); a failure to write only costs the cache."""
        if not items or self._db is None or self.state != "ok":
            return
        now = time.time()
        rows = []
        for key, entry in items.items():
            payload = json.dumps(entry, ensure_ascii=False, sort_keys=True)
            rows.append((key, payload, _checksum(key, payload), now))
        try:
            with closing(self._db.cursor()) as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    cursor.executemany(
                        f"INSERT OR REPLACE INTO {TABLE} (key, payload, checksum, created) "
                        "VALUES (?, ?, ?, ?)",
                        rows,
                    )
                    cursor.execute("COMMIT")
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            self.state = "read-only"
            self._warn(f"cannot store translations ({_reason(exc)}); carrying on without storing them")

    def _delete(self, keys: list[str]) -> None:
        if self._db is None or self.state != "ok":
            return
        with suppress(sqlite3.Error):
            self._db.executemany(f"DELETE FROM {TABLE} WHERE key = ?", [(k,) for k in keys])

    def info(self) -> dict[str, object]:
        """Where the cache is, how many entries and bytes it holds, and its state."""
        entries = 0
        if self._db is not None:
            try:
                (entries,) = self._db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
            except sqlite3.Error:
                entries = 0
        return {
            "path": str(self.path),
            "state": self.state,
            "entries": entries,
            "bytes": cache_bytes(self.path),
        }

    def clear(self) -> int:
        """Delete every entry; returns how many there were. Works on a damaged cache too."""
        entries = 0
        if self._db is not None and self.state == "ok":
            try:
                (entries,) = self._db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
                self._db.execute(f"DELETE FROM {TABLE}")
                self._db.execute("VACUUM")
                return int(entries)
            except sqlite3.Error:
                pass
        self.close()
        remove_cache_files(self.path)
        return int(entries)

    def close(self) -> None:
        """Close the database connection."""
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
            self._db = None


def describe_cache(path: Path | None = None) -> dict[str, object]:
    """:meth:`TranslationCache.info` without creating anything: an absent cache stays absent."""
    path = path or default_cache_path()
    if not path.exists():
        return {"path": str(path), "state": "absent", "entries": 0, "bytes": 0}
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            (entries,) = db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
            state = "ok" if os.access(path, os.W_OK) else "read-only"
        finally:
            db.close()
    except sqlite3.Error as exc:
        entries, state = 0, "damaged" if _is_corruption(exc) else f"unreadable ({_reason(exc)})"
    return {"path": str(path), "state": state, "entries": int(entries), "bytes": cache_bytes(path)}


def cache_bytes(path: Path) -> int:
    """Bytes used by the database at ``path`` and its WAL files (0 when absent)."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with suppress(OSError):
            total += os.stat(str(path) + suffix).st_size
    return total


def remove_cache_files(path: Path) -> None:
    """Delete the database at ``path`` and its WAL files (a damaged cache's last resort)."""
    from translit.errors import TranslitError

    for suffix in ("", "-wal", "-shm"):
        part = Path(str(path) + suffix)
        try:
            part.unlink(missing_ok=True)
        except OSError as exc:
            raise TranslitError(f"{part}: cannot remove the translation cache ({exc.strerror})") from None


def _decode(key: str, payload: str, checksum: str) -> dict[str, Any] | None:
    """A stored payload, or None when it fails its checksum or does not parse."""
    if not isinstance(payload, str) or _checksum(key, payload) != checksum:
        return None
    try:
        entry = json.loads(payload)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and isinstance(entry.get("text"), str) else None


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__
