"""The fault suite (issue 11): every way a careless or hostile user lost work or crashed translit.

Each test is one row of the table in README ("What we tried"): it provokes the fault and
checks that nothing is lost or overwritten, and that what cannot work fails with one clear
line and a documented exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import translit
from translit.cache import TranslationCache
from translit.errors import EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT

from .conftest import REPO, SAMPLE, cache_with_conversions, shared_path
from .conftest import invoke as cli
from .conftest import run_translit as run

ROOT = os.geteuid() == 0


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("translit: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- names -------------------------------------------------------------------------------------------------


def test_inputs_that_would_share_outputs_each_keep_their_own(copy_model_dir: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text("Erster Text.\n", encoding="utf-8")
    (src / "a.de.txt").write_text("Zweiter Text.\n", encoding="utf-8")
    (src / "a.md").write_text("Dritter Text.\n", encoding="utf-8")
    (src / "b.txt").write_text("Vierter Text.\n", encoding="utf-8")
    args = ["batch", str(src), "-o", str(out), "-m", str(copy_model_dir), "-f", "json"]
    code, report, err = cli(*args, "--glob", "*.txt", "--glob", "*.md")
    assert code == 0, err
    assert json.loads(report)["done"] == 4
    assert (out / "a.txt.en.txt").read_text() == "Erster Text.\n"
    assert (out / "a.de.txt.en.txt").read_text() == "Zweiter Text.\n"
    assert (out / "a.md.en.md").read_text() == "Dritter Text.\n"
    assert (out / "b.en.txt").read_text() == "Vierter Text.\n"  # no collision: the short name
    code, report, _ = cli(*args, "--glob", "*.txt", "--glob", "*.md")
    assert json.loads(report)["skipped"] == 4, "a re-run redoes nothing"


def test_undecodable_file_name_is_reported_escaped_and_the_batch_goes_on(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "w", encoding="utf-8") as handle:
        handle.write("Ein Satz im Caf\u00e9.\n")
    for i in range(3):
        (src / f"z{i}.txt").write_text(f"Satz {i}.\n", encoding="utf-8")
    proc = run("batch", str(src), "-o", str(out), "-m", str(copy_model_dir), "--outputs", "translation,json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(Path(os.fsdecode(os.path.join(os.fsencode(out), b"caf\xe9.json"))).read_text())
    assert record["path"] == "caf\\xe9.txt"
    assert all((out / f"z{i}.en.txt").is_file() for i in range(3))


# --- the cache can never cost a translation -------------------------------------------------------------------


def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"TRANSLIT_CACHE_DIR": cache_with_conversions(tmp_path / "cache")}


def fill_cache(copy_model_dir: Path, env: dict[str, str]) -> Path:
    assert run("translate", "-m", str(copy_model_dir), "-t", "Ein Satz zum Merken.", env=env).returncode == 0
    return Path(env["TRANSLIT_CACHE_DIR"]) / "translations.sqlite3"


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


# --- pipes and streams --------------------------------------------------------------------------------------------


def make_tree(root: Path, count: int) -> None:
    root.mkdir()
    files = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))
    for path in files[:count]:
        shutil.copy(path, root / path.name)


def test_closed_pipe_with_an_output_folder_still_finishes_the_files(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", 12)
    cmd = [sys.executable, "-m", "translit", "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out")]
    cmd += ["-m", str(copy_model_dir), "--format", "jsonl", "--group-size", "2", "--no-cache"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    _, stderr = proc.communicate(timeout=300)
    assert json.loads(first)["path"]
    assert proc.returncode == 0, stderr
    assert len(list((tmp_path / "out").glob("*.en.txt"))) == 12
    assert b"stopped streaming" in stderr


def test_closed_pipe_without_an_output_folder_stops_like_a_filter(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", 12)
    cmd = [sys.executable, "-m", "translit", "batch", str(tmp_path / "in"), "-m", str(copy_model_dir)]
    cmd += ["--format", "jsonl", "--group-size", "2", "--no-cache", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 141, "the reader went away: work undone, never exit 0"
    assert b"error" not in stderr and b"Traceback" not in stderr


def test_full_disk_and_closed_stdout_are_one_line(copy_model_dir: Path) -> None:
    args = ["translate", "-m", str(copy_model_dir), "-t", "Ein Satz."]
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "translit", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=REPO,
            timeout=300,
        )
    assert proc.returncode == EXIT_OUTPUT
    assert "No space left on device" in one_line_error(proc.stderr.decode())
    closed = subprocess.run(
        f"{sys.executable} -m translit translate -m {copy_model_dir} -t 'Ein Satz.' >&-",
        shell=True,
        cwd=REPO,
        capture_output=False,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )
    assert closed.returncode == EXIT_OUTPUT
    assert "stdout" in one_line_error(closed.stderr.decode())


def test_ascii_only_stdout_does_not_crash(copy_model_dir: Path) -> None:
    proc = run("translate", "-m", str(copy_model_dir), "-t", "Größe", env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Gr\\xf6\\xdfe\n"
    plain = run("translate", "-m", str(copy_model_dir), "-t", "Größe", env={"LC_ALL": "C", "LANG": "C"})
    assert plain.returncode == 0 and plain.stdout == "Größe\n".encode()


# --- options in range ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--threads", "100000"],
        ["--threads", "5000"],
        ["--beams", "99999999999999999999"],
        ["--beams", "0"],
        ["--batch-size", "100000000"],
        ["--max-unit-tokens", "0"],
        ["--max-batch-tokens", "0"],
    ],
)
def test_absurd_options_are_refused_with_exit_2(copy_model_dir: Path, args: list[str]) -> None:
    proc = run("translate", "-m", str(copy_model_dir), "-t", "Ein Satz.", *args)
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert proc.stdout == b"" and b"Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[models.x]\ntask = 'translation'\npath = 5\n", "'path' must be a folder path"),
        ("[models.x]\ntask = 'translation'\nrepo = ['a', 'b']\n", "'repo' must be a repository id"),
        (
            "[models.x]\ntask = 'translation'\nrepo = 'a/b'\nflag_below = 'low'\n",
            "'flag_below' must be a number",
        ),
        ("[models.x]\ntask = 'translation'\nrepo = 'a/b'\nnormalize = 'nfkc'\n", "normalize must be one of"),
    ],
)
def test_models_toml_values_are_type_checked(tmp_path: Path, body: str, needle: str) -> None:
    models = tmp_path / "models.toml"
    models.write_text(body, encoding="utf-8")
    code, out, err = cli("--models", str(models), "models", "list")
    assert code == EXIT_MODEL and out == ""
    line = one_line_error(err)
    assert str(models) in line and needle in line


# --- conversions ---------------------------------------------------------------------------------------------------


def test_garbage_generation_config_fails_cleanly_and_leaves_nothing(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    shutil.copytree(copy_model_dir, model)
    (model / "generation_config.json").write_text("{ not json", encoding="utf-8")
    env = {"TRANSLIT_CACHE_DIR": str(tmp_path / "cache")}  # empty: nothing may be left in it
    for _ in range(2):
        code, out, err = cli("translate", "-m", str(model), "-t", "Ein Satz.", env=env)
        assert code == EXIT_MODEL and out == ""
        assert "generation_config.json: unreadable" in one_line_error(err)
    assert not list((tmp_path / "cache").glob("ctranslate2/*/model.bin"))
    shutil.copy(copy_model_dir / "generation_config.json", model / "generation_config.json")
    assert cli("translate", "-m", str(model), "-t", "Ein Satz.", env=env)[:2] == (0, "Ein Satz.\n")


def test_failed_conversion_falls_back_to_transformers(
    copy_model_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    from translit.engines import ct2, get_engine
    from translit.errors import ModelError

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))

    def broken(*args, **kwargs):
        raise ModelError("conversion to CTranslate2 failed (simulated)")

    monkeypatch.setattr(ct2, "convert", broken)
    engine = get_engine(str(copy_model_dir))
    assert engine.name == "transformers"
    assert not list(tmp_path.glob("ctranslate2/*"))
    with pytest.raises(ModelError):
        get_engine(str(copy_model_dir), engine="ctranslate2")


def test_interrupted_conversion_leaves_no_half_model(
    copy_model_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    from translit.engines import conversion, ct2

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(
        conversion, "_converter_class", lambda: lambda *a, **k: type("C", (), {"convert": interrupted})()
    )
    with pytest.raises(KeyboardInterrupt):
        ct2.convert(copy_model_dir)
    assert ct2.find_converted(copy_model_dir) is None
    assert not [p for p in (tmp_path / "ctranslate2").iterdir() if not p.name.endswith(".lock")]


# --- encodings ------------------------------------------------------------------------------------------------------


def test_utf8_with_a_stray_byte_stays_utf8(copy_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "artikel.txt"
    text = "Die Größe der Straße überraschte alle Bürger. " * 3
    article.write_bytes(text.encode() + b"\xff" + " Schön.".encode())
    code, out, err = cli("translate", "-m", str(copy_model_dir), str(article))
    assert code == 0
    assert "Größe der Straße" in out and "Ã" not in out
    offset = len(text.encode())
    assert "not UTF-8" in err and f"at byte {offset}" in err


def test_legacy_encoding_is_detected_by_a_library(copy_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "alt.txt"
    article.write_bytes("Die Größe der Straße überraschte alle Bürger in München.".encode("cp1252"))
    code, out, err = cli("translate", "-m", str(copy_model_dir), str(article))
    assert code == 0 and "Größe der Straße" in out
    assert "detected" in err


# --- killed runs, modes, links -----------------------------------------------------------------------------------


def test_orphan_temporary_files_are_removed_by_the_next_run(copy_model_dir: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text("Ein Satz.\n", encoding="utf-8")
    out.mkdir()
    orphans = [out / ".a.en.txt.k3j2h1g0.translit-tmp", out / ".a.en.txt.abcd1234.tmp"]
    for orphan in orphans:
        orphan.write_text("half")
    keep = out / ".notes.tmp"
    keep.write_text("someone else's")
    assert cli("batch", str(src), "-o", str(out), "-m", str(copy_model_dir))[0] == 0
    assert not any(o.exists() for o in orphans) and keep.exists()


def test_outputs_follow_the_umask_and_force_keeps_modes(copy_model_dir: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text("Ein Satz.\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert (
            cli(
                "batch", str(src), "-o", str(out), "-m", str(copy_model_dir), "--outputs", "translation,json"
            )[0]
            == 0
        )
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
        assert set(modes.values()) == {0o644}, modes
        (out / "a.en.txt").chmod(0o640)
        args = ["batch", str(src), "-o", str(out), "-m", str(copy_model_dir), "--outputs", "translation,json"]
        assert cli(*args, "--force")[0] == 0
        assert stat.S_IMODE((out / "a.en.txt").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_file_links_leaving_the_input_tree_are_skipped_unless_followed(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Geheimer Satz.\n", encoding="utf-8")
    (src / "a.txt").write_text("Ein Satz.\n", encoding="utf-8")
    (src / "link.txt").symlink_to(secret)
    (src / "inside.txt").symlink_to(src / "a.txt")
    code, _, err = cli("batch", str(src), "-o", str(out), "-m", str(copy_model_dir))
    assert code == 0
    assert not (out / "link.en.txt").exists() and (out / "inside.en.txt").exists()
    assert "link.txt (a link that leaves the input folder; --follow-links reads it)" in err
    assert cli("batch", str(src), "-o", str(out), "-m", str(copy_model_dir), "--follow-links")[0] == 0
    assert (out / "link.en.txt").read_text() == "Geheimer Satz.\n"


# --- other languages -------------------------------------------------------------------------------------------------

OTHER_LANGUAGES = {
    "pl": "Rząd przyjął w poniedziałek nową ustawę o podatkach. Opozycja zapowiedziała protesty w całym kraju.",
    "tr": "Hükümet pazartesi günü yeni bir vergi yasası kabul etti. Muhalefet ülke genelinde protesto düzenleyecek.",
    "ru": "Правительство в понедельник приняло новый налоговый закон. Оппозиция объявила о протестах по всей стране.",
    "sv": "Regeringen antog på måndagen en ny skattelag. Oppositionen har utlyst protester i hela landet i veckan.",
}


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_other_languages_are_named_and_refused_when_strict(copy_model_dir: Path, language: str) -> None:
    text = OTHER_LANGUAGES[language]
    code, _, err = cli("translate", "-m", str(copy_model_dir), "-t", text)
    assert code == 0 and f"('{language}'), not German" in err
    code, out, err = cli("translate", "--strict-lang", "-m", str(copy_model_dir), "-t", text)
    assert code == EXIT_INPUT and out == "" and "refused by --strict-lang" in one_line_error(err)


def test_batch_reports_other_languages_in_its_summary(copy_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "polnisch.txt").write_text(OTHER_LANGUAGES["pl"], encoding="utf-8")
    (src / "deutsch.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, report, err = cli(
        "batch", str(src), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir), "-f", "json"
    )
    assert code == 0
    assert json.loads(report)["not_german"] == [{"path": "polnisch.txt", "language": "pl"}]
    assert "not German (pl): polnisch.txt" in err


def test_no_shared_german_article_is_judged_another_language() -> None:
    from translit.language import guess_language

    files = sorted(shared_path("data", "de_news").glob("*/*.txt"))
    wrong = [f.name for f in files if guess_language(f.read_text(encoding="utf-8")).clearly_not_german]
    assert len(files) == 1269 and wrong == []
