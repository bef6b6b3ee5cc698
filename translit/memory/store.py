"""The translation memory's store: German units → English, in one SQLite file.

Like the cache, it is one SQLite file in WAL mode, so that many processes (a batch's workers,
the service, a CLI run) read it while one writes, and every change is one transaction. Each
entry says where it came from (``origin``: cli, tmx, tsv, suggest, page), who gave it and when.
A suggestion held for review (``review``) is kept but never used until it is accepted.

Every change raises the memory's ``version``; each entry keeps the version of its last change
(``changed``), so a batch's resume markers can tell which documents the change touches.

Near matches come from an index of words: ``postings`` lists the entries each word occurs in and
``vocabulary`` how many, so that a unit's rarest words name a few candidates, which rapidfuzz
then scores (:mod:`translit.memory.near`). No lookup reads the whole memory.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translit.config import cache_root
from translit.errors import InputError
from translit.memory.keys import key_hash, memory_key, words

ORIGINS = ("cli", "tmx", "tsv", "suggest", "page")
"""Where an entry may come from."""
NEAR_THRESHOLD = 85.0
"""The least similarity (percent) of a near match."""
CANDIDATE_WORDS = 3
"""A unit's rarest words that name the candidates of a near match."""
CANDIDATES = 40
"""Candidates scored per unit (those sharing most of its rare words)."""
POSTINGS_PER_WORD = 5000
"""Entries read per word at most (a word in more entries than this names no candidates)."""
SCHEMA = 1

_COLUMNS = "id, source, target, origin, who, created, review, changed"


def default_memory_path() -> Path:
    """``memory.sqlite3`` in translit's cache folder (beside the translation cache)."""
    return cache_root() / "memory.sqlite3"


@dataclass(frozen=True)
class Entry:
    """One German unit and a person's English for it, with where it came from."""

    source: str
    target: str
    origin: str = "cli"
    who: str = ""
    created: float = 0.0
    review: bool = False
    id: int = 0
    changed: int = 0

    @property
    def key(self) -> str:
        """The German as the memory matches it."""
        return memory_key(self.source)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (``created`` as an ISO 8601 time)."""
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "origin": self.origin,
            "who": self.who,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
            "review": self.review,
        }


@dataclass(frozen=True)
class Near:
    """An entry close to a unit's German: shown beside the model's translation, never used."""

    similarity: float
    source: str
    target: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"similarity": round(self.similarity, 1), "source": self.source, "target": self.target}


def _entry(row: Sequence[Any]) -> Entry:
    identifier, source, target, origin, who, created, review, changed = row
    return Entry(source, target, origin, who, created, bool(review), identifier, changed)


class TranslationMemory:
    """One memory file, open for reading and writing (or only reading: ``read_only``).

    Safe to share between threads (one lock around the connection); several processes may
    open the same file.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        try:
            if read_only:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(
                    uri, uri=True, timeout=60, isolation_level=None, check_same_thread=False
                )
                self._db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(
                    self.path, timeout=60, isolation_level=None, check_same_thread=False
                )
                self._create()
        except (OSError, sqlite3.Error) as exc:
            raise InputError(
                f"{self.path}: cannot open the translation memory ({exc}); --memory off translates without it"
            ) from None

    def _create(self) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS entries (
                id INTEGER PRIMARY KEY, key TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
                origin TEXT NOT NULL, who TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
                review INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0,
                length INTEGER NOT NULL, hash TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS entries_key ON entries (key, review);
            CREATE INDEX IF NOT EXISTS entries_hash ON entries (hash, review);
            CREATE TABLE IF NOT EXISTS postings (
                word TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (word, entry)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS vocabulary (
                word TEXT PRIMARY KEY, entries INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value NOT NULL);
            INSERT OR IGNORE INTO meta VALUES ('version', 0), ('schema', 1);
            """
        )
        # Which memory this is, whatever its file is called: versions compare within one memory.
        db.execute("INSERT OR IGNORE INTO meta VALUES ('id', ?)", (uuid.uuid4().hex,))

    def close(self) -> None:
        """Close the file."""
        with suppress(sqlite3.Error):
            self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Raised by every change: equal versions mean equal entries."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        return int(row[0]) if row else 0

    @property
    def identity(self) -> str:
        """This memory's own name (made when it was created), kept in a batch's markers."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'id'").fetchone()
        return str(row[0]) if row else ""

    def targets_of(self, hashes: Iterable[str]) -> dict[str, str]:
        """The English in use for German named by :func:`~translit.memory.keys.key_hash`."""
        return {h: target for h, target in self._in_use("hash, target", "hash", hashes)}

    def _in_use(self, columns: str, column: str, values: Iterable[str]) -> list[Any]:
        """``columns`` of the entries in use whose ``column`` is one of ``values`` (asked 500 at a
        time: SQLite bounds a statement's parameters)."""
        wanted = list(dict.fromkeys(values))
        rows: list[Any] = []
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                rows += self._db.execute(
                    f"SELECT {columns} FROM entries WHERE review = 0 AND {column} IN ({marks})", part
                ).fetchall()
        return rows

    def snapshot(self) -> bytes:
        """The whole memory as the bytes of a SQLite file (a consistent copy, made while others
        may write): how a batch ships it to Ray workers."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "memory.sqlite3"
            target = sqlite3.connect(copy)
            try:
                with self._lock:
                    self._db.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one file, no WAL beside it
            finally:
                target.close()
            return copy.read_bytes()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM entries WHERE review = 0").fetchone()[0])

    def lookup(self, texts: Iterable[str]) -> dict[str, Entry]:
        """The entries in use for those of ``texts`` the memory holds, by :func:`memory_key`."""
        rows = self._in_use(f"key, {_COLUMNS}", "key", (memory_key(text) for text in texts))
        return {row[0]: _entry(row[1:]) for row in rows}

    def candidates(self, key: str) -> list[tuple[str, str, str]]:
        """Entries in use that may be near ``key`` (key, German, English): those sharing most of
        its :data:`CANDIDATE_WORDS` rarest words, of a length that could be similar enough."""
        wanted = sorted(words(key))
        if not wanted:
            return []
        with self._lock:
            marks = ",".join("?" * len(wanted))
            counts = self._db.execute(
                f"SELECT word, entries FROM vocabulary WHERE word IN ({marks})", wanted
            ).fetchall()
            rare = [w for w, n in sorted(counts, key=lambda c: (c[1], c[0])) if n <= POSTINGS_PER_WORD]
            shared: Counter[int] = Counter()
            for word in rare[:CANDIDATE_WORDS]:
                shared.update(
                    entry
                    for (entry,) in self._db.execute("SELECT entry FROM postings WHERE word = ?", (word,))
                )
            if not shared:
                return []
            best = [entry for entry, _n in shared.most_common(CANDIDATES)]
            # A similarity of 85 % needs lengths within 74-135 % of each other.
            low, high = int(len(key) * 0.73), int(len(key) * 1.36) + 1
            rows = self._db.execute(
                f"SELECT key, source, target FROM entries WHERE id IN ({','.join('?' * len(best))}) "
                "AND review = 0 AND length BETWEEN ? AND ?",
                [*best, low, high],
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def entries(self, review: bool | None = False) -> Iterator[Entry]:
        """The entries in use (``review=False``), held for review (``True``) or all (``None``)."""
        where = "" if review is None else f"WHERE review = {int(review)}"
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM entries {where} ORDER BY id").fetchall()
        return (_entry(row) for row in rows)

    def get(self, identifier: int) -> Entry | None:
        """The entry numbered ``identifier``."""
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (identifier,)).fetchone()
        return _entry(row) if row else None

    # --- changing ------------------------------------------------------------------------------

    @contextmanager
    def _changing(self) -> Iterator[int]:
        """One transaction that raises the version (yielded): all of it is stored, or none."""
        if self.read_only:
            raise InputError(f"{self.path}: the translation memory is open read-only")
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                version = int(db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()[0]) + 1
                yield version
                db.execute("UPDATE meta SET value = ? WHERE name = 'version'", (version,))
                db.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise

    def add(self, entries: Iterable[Entry]) -> list[Entry]:
        """Store ``entries`` in one transaction; an entry in use replaces the one of its German.

        An entry held for review (``review``) is kept beside the one in use. Returns the entries
        as stored (numbered).
        """
        stored: list[Entry] = []
        now = time.time()
        with self._changing() as version:
            for entry in entries:
                key = entry.key
                if not key or not entry.target.strip():
                    raise InputError(f"the {'German' if not key else 'English'} side is empty")
                if entry.origin not in ORIGINS:
                    raise InputError(f"unknown origin '{entry.origin}' (choose from {', '.join(ORIGINS)})")
                if not entry.review:
                    self._retire(key)
                created = float(int(entry.created or now))  # whole seconds, as TMX keeps them
                cursor = self._db.execute(
                    "INSERT INTO entries (key, source, target, origin, who, created, review, changed, "
                    "length, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, entry.source, entry.target, entry.origin, entry.who, created, int(entry.review),
                     version, len(key), key_hash(key)),
                )  # fmt: skip
                identifier = int(cursor.lastrowid or 0)
                if not entry.review:
                    self._index(identifier, key)
                stored.append(replace(entry, created=created, id=identifier, changed=version))
        return stored

    def _retire(self, key: str) -> None:
        """Delete the entry in use for ``key`` (a new one takes its place)."""
        for (old,) in self._db.execute(
            "SELECT id FROM entries WHERE key = ? AND review = 0", (key,)
        ).fetchall():
            self._unindex(old, key)
            self._db.execute("DELETE FROM entries WHERE id = ?", (old,))

    def _index(self, identifier: int, key: str) -> None:
        found = sorted(words(key))
        self._db.executemany("INSERT OR IGNORE INTO postings VALUES (?, ?)", [(w, identifier) for w in found])
        self._db.executemany(
            "INSERT INTO vocabulary VALUES (?, 1) ON CONFLICT (word) DO UPDATE SET entries = entries + 1",
            [(w,) for w in found],
        )

    def _unindex(self, identifier: int, key: str) -> None:
        found = sorted(words(key))
        self._db.executemany(
            "DELETE FROM postings WHERE word = ? AND entry = ?", [(w, identifier) for w in found]
        )
        self._db.executemany(
            "UPDATE vocabulary SET entries = entries - 1 WHERE word = ?", [(w,) for w in found]
        )

    def _key_and_review(self, identifier: int) -> tuple[str, bool] | None:
        row = self._db.execute("SELECT key, review FROM entries WHERE id = ?", (identifier,)).fetchone()
        return (row[0], bool(row[1])) if row else None

    def remove(self, identifiers: Sequence[int]) -> int:
        """Delete the entries ``identifiers`` (in use or held); returns how many there were."""
        removed = 0
        with self._changing():
            for identifier in identifiers:
                found = self._key_and_review(identifier)
                if found is None:
                    continue
                key, review = found
                if not review:
                    self._unindex(identifier, key)
                self._db.execute("DELETE FROM entries WHERE id = ?", (identifier,))
                removed += 1
        return removed

    def accept(self, identifiers: Sequence[int]) -> int:
        """Put suggestions held for review into use (each replaces the entry of its German);
        returns how many were held."""
        accepted = 0
        with self._changing() as version:
            for identifier in identifiers:
                found = self._key_and_review(identifier)
                if found is None or not found[1]:
                    continue
                key = found[0]
                self._retire(key)
                self._db.execute(
                    "UPDATE entries SET review = 0, changed = ? WHERE id = ?", (version, identifier)
                )
                self._index(identifier, key)
                accepted += 1
        return accepted


def writable_memory(path: str | Path | None) -> TranslationMemory:
    """The memory at ``path`` (``None`` or ``""``: :func:`default_memory_path`) open for
    changes, made when it does not exist yet."""
    if path is not None and str(path) == "off":
        raise InputError("the translation memory is off ('off'); name a memory file")
    return TranslationMemory(Path(path).expanduser() if path else default_memory_path())


def open_memory(path: str | Path | None, *, read_only: bool = True) -> TranslationMemory | None:
    """The memory a run uses: ``path`` (``None`` or ``""``: :func:`default_memory_path`;
    ``"off"``: none). A default memory that does not exist yet is none; a named one must exist."""
    if path is not None and str(path) == "off":
        return None
    chosen = Path(path).expanduser() if path else default_memory_path()
    if not chosen.exists():
        if path:
            raise InputError(f"{chosen}: no such translation memory (make one with 'translit memory add')")
        return None
    return TranslationMemory(chosen, read_only=read_only)
