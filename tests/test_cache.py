"""The translation cache: read-only, missing, corrupt or tampered with, it costs nothing and serves nothing wrong."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import translit
from translit.cache import TranslationCache

from .conftest import EngineDouble, cache_with_conversions
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


# --- what an interrupted run finished is kept --------------------------------------------------------


def test_units_finished_before_ctrl_c_are_kept_and_not_translated_again(tmp_path: Path) -> None:
    """Issue 28, fault 5: Ctrl-C in the middle of an engine call keeps the units it had finished.

    The interrupt is raised by the engine's progress hook, from inside the very wait that a
    real Ctrl-C interrupts, on the small real translator.
    """
    from translit import errors
    from translit.engines.batching import reporting_progress

    from .conftest import SMALL, shared_path

    lines = (shared_path("data", "parallel", "multi30k") / "val.de").read_text(encoding="utf-8").splitlines()
    text = "\n\n".join(lines[:240])
    reference = translit.Translator(SMALL, cache=False).translate(text)

    def stop_a_third_in(done: int, total: int) -> None:
        if total > 100 and done >= total // 3:
            raise KeyboardInterrupt

    cache = TranslationCache(tmp_path / "units.sqlite3")
    with reporting_progress(stop_a_third_in), pytest.raises(errors.Interrupted) as stop:
        translit.Translator(SMALL, cache=cache).translate(text)
    units = len(reference.unit_results)
    assert 0 < stop.value.kept < units, "the interrupt should land mid-call"

    cache.stats.hits = cache.stats.misses = 0
    again = translit.Translator(SMALL, cache=cache).translate(text)
    assert cache.stats.hits >= stop.value.kept, "a unit finished before the interrupt was translated again"
    # What was kept is what the uninterrupted run wrote (the same engine call): a unit kept under
    # another unit's text would show here. Units translated in other company may tip a near-tie
    # (README, "Company"), hence not byte-for-byte.
    differ = sum(a.text != b.text for a, b in zip(again.unit_results, reference.unit_results, strict=True))
    assert differ <= 2, differ


class _Interrupting(EngineDouble):
    """An engine double whose call is interrupted with some outputs finished: tests what is kept."""

    def __init__(self, finished: dict[str, tuple[str, bool]]) -> None:
        self.finished = finished  # source -> (output, ran into the length limit)

    def translate_batch(self, texts, options):
        from translit.engines.protocol import DecodeInterrupted, EngineOutput

        raise DecodeInterrupted(
            {
                i: EngineOutput(self.finished[t][0], 6, self.finished[t][1], -0.3)
                for i, t in enumerate(texts)
                if t in self.finished
            }
        )


def test_only_units_no_guard_would_redo_are_kept_on_an_interrupt(tmp_path: Path) -> None:
    from translit import errors
    from translit.engines import DecodeOptions
    from translit.glossary import Glossary, parse_glossary
    from translit.pipeline import cache_lookup, cached_translate

    clean, looping, cut_off, unfinished = (
        "Der Hund schläft im Garten.",
        "Die Katze sitzt auf dem Dach.",
        "Ein Mann liest ein Buch.",
        "Das Kind spielt im Park.",
    )
    term = "Die Frau trinkt einen Kaffee."
    engine = _Interrupting(
        {
            clean: ("The dog is sleeping in the garden.", False),
            looping: ("The cat the cat the cat the cat the cat the cat.", False),
            cut_off: ("A man reads a", True),
            term: ("The woman drinks a coffee.", False),  # the glossary wants "lady"
        }
    )
    glossary = Glossary(tuple(parse_glossary("Frau\tlady\n", "g.tsv")[0]))
    texts = [clean, looping, cut_off, unfinished, term]
    cache = TranslationCache(tmp_path / "units.sqlite3")
    with pytest.raises(errors.Interrupted) as stop:
        cached_translate(engine, texts, DecodeOptions(), cache, "k", glossary)
    assert stop.value.kept == 1
    kept = cache_lookup(engine, cache, "k", texts, glossary)
    assert list(kept) == [clean] and kept[clean].text == "The dog is sleeping in the garden."
