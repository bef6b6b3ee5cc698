"""Persistent translation cache: SQLite in WAL mode, safe for several processes at once.

A chunk's translation is stored under a key made of the engine's identity (model files,
engine, quantisation), the decoding options and the chunk text, so re-running the same
articles is near-instant and a change of model or options never serves stale text.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from translit.errors import TranslitError


def default_cache_path() -> Path:
    """``translations.sqlite3`` in translit's cache folder."""
    from translit.ct2 import cache_root

    return cache_root() / "translations.sqlite3"


def chunk_key(engine_key: str, options_key: str, text: str) -> str:
    """The cache key of one chunk."""
    return hashlib.sha256(f"{engine_key}\x1f{options_key}\x1f{text}".encode()).hexdigest()


@dataclass
class CacheStats:
    """Hits and misses of one run."""

    hits: int = 0
    misses: int = 0


class TranslationCache:
    """Chunk translations keyed by :func:`chunk_key`, in one SQLite file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self.stats = CacheStats()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Long busy timeout: a second translit process may be writing right now.
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS translations "
                "(key TEXT PRIMARY KEY, text TEXT NOT NULL, created REAL)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise TranslitError(f"{self.path}: cannot open the translation cache ({exc})") from None

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """Cached texts for those of ``keys`` that are present."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(f"SELECT key, text FROM translations WHERE key IN ({marks})", part)
            found.update(dict(rows.fetchall()))
        return found

    def put_many(self, items: Mapping[str, str]) -> None:
        """Store translations (one transaction)."""
        if not items:
            return
        now = time.time()
        with closing(self._db.cursor()) as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.executemany(
                    "INSERT OR REPLACE INTO translations (key, text, created) VALUES (?, ?, ?)",
                    [(k, v, now) for k, v in items.items()],
                )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

    def info(self) -> dict[str, object]:
        """Where the cache is, how many entries and bytes it holds."""
        (entries,) = self._db.execute("SELECT COUNT(*) FROM translations").fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {"path": str(self.path), "entries": entries, "bytes": size}

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        (entries,) = self._db.execute("SELECT COUNT(*) FROM translations").fetchone()
        self._db.execute("DELETE FROM translations")
        self._db.execute("VACUUM")
        return int(entries)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
