"""The translation cache: read-only, missing, corrupt or tampered with, it costs nothing and serves nothing wrong."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import translit
from translit.cache import TranslationCache

from .conftest import cache_with_conversions
from .conftest import invoke as cli
from .conftest import run_translit as run

ROOT = os.geteuid() == 0


def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"TRANSLIT_CACHE_DIR": cache_with_conversions(tmp_path / "cache")}


def fill_cache(copy_model_dir: Path, env: dict[str, str]) -> Path:
    assert run("translate", "-m", str(copy_model_dir), "-t", "Ein Satz zum Merken.", env=env).returncode == 0
    return Path(env["TRANSLIT_CACHE_DIR"]) / "translations.sqlite3"


class _Refusing:
    """A sqlite connection whose writes fail, as on a read-only file system."""

    def __init__(self, db: sqlite3.Connection, refuse) -> None:
        self._db, self._refuse = db, refuse

    def execute(self, sql: str, *args):
        return self._db.execute(sql, *args)

    def cursor(self):
        refuse = self._refuse

        class Cursor:
            def execute(self, sql: str, *args):
                if sql.startswith("INSERT"):
                    refuse()

            def executemany(self, sql: str, *args):
                refuse()

            def close(self) -> None:
                pass

        return Cursor()


def _copy(copy_model_dir: Path):
    from translit.engines.marian import load_marian

    return load_marian(copy_model_dir, "copy-de")


# --- a cache that is read-only, missing, corrupt or tampered with ----------------------------------


@pytest.mark.skipif(ROOT, reason="root ignores file permissions")
def test_read_only_cache_file_and_folder(copy_model_dir: Path, tmp_path: Path) -> None:
    env = cache_env(tmp_path)
    db = fill_cache(copy_model_dir, env)
    db.chmod(0o444)
    (tmp_path / "cache").chmod(0o555)
    try:
        code, out, err = cli("translate", "-m", str(copy_model_dir), "-t", "Ein neuer Satz.", env=env)
        assert code == 0 and out == "Ein neuer Satz.\n" and "read-only" in err
    finally:
        (tmp_path / "cache").chmod(0o755)


def test_cache_that_cannot_be_written_costs_nothing(
    copy_model_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(cache, "_db", _Refusing(cache._db, refuse))
    result = translit.translate("Ein Satz.", engine=_copy(copy_model_dir), cache=cache)
    assert result.paragraphs == ["Ein Satz."]
    assert cache.state == "read-only"


def test_cache_folder_that_cannot_be_created(copy_model_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {"TRANSLIT_CACHE_DIR": str(blocker / "cache")}
    code, out, err = cli("translate", "-m", str(copy_model_dir), "-t", "Ein Satz.", env=env)
    assert code == 0 and out == "Ein Satz.\n"
    assert "translating without the cache" in err


@pytest.mark.parametrize("damage", ["truncate", "garbage", "inside"])
def test_corrupt_cache_is_moved_aside_and_rebuilt(copy_model_dir: Path, tmp_path: Path, damage: str) -> None:
    env = cache_env(tmp_path)
    db = fill_cache(copy_model_dir, env)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = db.read_bytes()
    if damage == "truncate":
        db.write_bytes(data[:5000])
    elif damage == "garbage":
        db.write_bytes(os.urandom(len(data)))
    else:
        db.write_bytes(data[:100] + os.urandom(len(data) - 200) + data[-100:])
    proc = run("translate", "-m", str(copy_model_dir), "-t", "Ein Satz zum Merken.", env=env)
    assert proc.returncode == 0 and proc.stdout == b"Ein Satz zum Merken.\n", proc.stderr
    assert b"translation cache" in proc.stderr and b"Traceback" not in proc.stderr
    db.write_bytes(os.urandom(4096))  # damage it again: info and clear must cope
    assert cli("cache", "info", env=env)[0] == 0
    code, out, _ = cli("cache", "clear", "--yes", env=env)
    assert code == 0 and out.startswith("removed")
    assert cli("cache", "info", env=env)[0] == 0


def test_a_changed_byte_in_a_cached_translation_is_not_served(copy_model_dir: Path, tmp_path: Path) -> None:
    env = cache_env(tmp_path)
    db = fill_cache(copy_model_dir, env)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE units_v2 SET payload = replace(payload, 'Merken', 'Merkel')")
    proc = run("translate", "-m", str(copy_model_dir), "-t", "Ein Satz zum Merken.", env=env)
    assert proc.returncode == 0 and proc.stdout == b"Ein Satz zum Merken.\n"
    assert b"damaged" in proc.stderr
