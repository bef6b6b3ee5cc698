"""Batch over a directory, streaming JSONL, bilingual output and the translation cache."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import translit
from translit import Translator
from translit import batch as batch_mod
from translit.api import translate_many
from translit.cache import TranslationCache
from translit.cli import app
from translit.errors import (
    EXIT_INPUT,
    EXIT_OUTPUT,
    EXIT_PARTIAL,
)

from .conftest import COPY_MODEL, REPO, SAMPLE, default_sigint, invoke
from .conftest import run_translit as run
from .test_e2e_copy import check_copy, expected_body_paragraphs, wmt20_articles


def make_tree(root: Path, count: int = 6) -> list[Path]:
    """An input tree: WMT20 articles spread over nested folders, plus the sample."""
    files = []
    for i, source in enumerate(wmt20_articles(count)):
        target = root / ("" if i % 3 == 0 else f"teil{i % 3}/sub") / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        files.append(target)
    shutil.copy(SAMPLE, root / "musk.de.txt")
    files.append(root / "musk.de.txt")
    return files


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def subprocess_env(cache_home: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONUNBUFFERED": "1"}


def test_batch_mirrors_the_tree_with_all_outputs(copy_model_dir: Path, tmp_path: Path) -> None:
    inputs = make_tree(tmp_path / "in")
    code, _, stderr = cli(
        "batch",
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "out"),
        "--model",
        str(copy_model_dir),
        "--outputs",
        "translation,brief,json",
    )
    assert code == 0, stderr
    for source in inputs:
        relative = source.relative_to(tmp_path / "in")
        stem = relative.name.removesuffix(".txt").removesuffix(".de")
        folder = tmp_path / "out" / relative.parent
        translation = (folder / f"{stem}.en.txt").read_text(encoding="utf-8")
        body = expected_body_paragraphs(source.read_text(encoding="utf-8"))
        check_copy(body, translation.strip().split("\n\n"), str(relative))
        assert (folder / f"{stem}.brief.txt").read_text(encoding="utf-8").strip()
        record = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        # The full JSON of `translate --format json`: source paragraphs, units with check/redone.
        assert record["source_paragraphs"] == body
        assert {"check", "redone", "flags", "low_confidence"} <= set(record["units"][0])
        assert "check_units" in record and "flagged_units" in record and "timings" not in record
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_resume_skips_done_files_and_force_redoes_them(copy_model_dir: Path, tmp_path: Path) -> None:
    inputs = make_tree(tmp_path / "in", 3)
    args = ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(copy_model_dir)]
    assert cli(*args)[0] == 0
    outputs = sorted((tmp_path / "out").rglob("*.en.txt"))
    stamps = {p: p.stat().st_mtime_ns for p in outputs}

    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", translit.get_engine(str(copy_model_dir)), batch_mod.BatchSettings()
    )
    assert report.count("skipped") == len(inputs) and report.count("done") == 0
    assert {p: p.stat().st_mtime_ns for p in outputs} == stamps

    # A changed input is redone; the others are still skipped.
    time.sleep(0.01)
    inputs[0].write_text(
        inputs[0].read_text(encoding="utf-8") + "\n\nNeuer Absatz am Ende.", encoding="utf-8"
    )
    engine = translit.get_engine(str(copy_model_dir))
    report = batch_mod.run_batch(tmp_path / "in", tmp_path / "out", engine, batch_mod.BatchSettings())
    assert report.count("done") == 1 and report.count("skipped") == len(inputs) - 1

    # Other options (here: another output kind) make earlier outputs stale.
    other = batch_mod.BatchSettings(outputs=("translation", "brief"))
    assert batch_mod.run_batch(tmp_path / "in", tmp_path / "out", engine, other).count("done") == len(inputs)

    forced = batch_mod.BatchSettings(outputs=("translation", "brief"), force=True)
    assert batch_mod.run_batch(tmp_path / "in", tmp_path / "out", engine, forced).count("done") == len(inputs)


def test_bad_files_are_reported_and_the_batch_goes_on(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 2)
    (tmp_path / "in" / "leer.txt").write_text("")
    (tmp_path / "in" / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "in" / "kaputt.txt").write_bytes("Größe".encode("utf-16-le")[2:] + b"\xff\xfe")
    code, _, stderr = cli(
        "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(copy_model_dir)
    )
    assert code == EXIT_PARTIAL
    assert "bild.txt: looks like a binary file" in stderr
    assert "Traceback" not in stderr
    # UTF-16 without a BOM is full of NUL bytes: refused as binary like the PNG.
    assert "kaputt.txt" in stderr
    # An empty article is not a failure (as in 'translit translate'): a warning, empty outputs.
    assert "leer.txt: empty; nothing to translate" in stderr
    assert len(list((tmp_path / "out").rglob("*.en.txt"))) == 4
    assert (tmp_path / "out" / "leer.en.txt").read_text() == ""


def test_output_inside_input_is_excluded_and_same_folder_refused(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", 2)
    args = ["--model", str(copy_model_dir)]
    assert cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "in" / "out"), *args)[0] == 0
    assert cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "in" / "out"), *args)[0] == 0
    assert not list((tmp_path / "in" / "out").rglob("*.en.en.txt"))
    code, _, stderr = cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "in"), *args)
    assert code == EXIT_INPUT and "must differ" in stderr


def test_symlink_loop_does_not_hang(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 1)
    (tmp_path / "in" / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    code, _, stderr = cli(
        "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(copy_model_dir)
    )
    assert code == 0, stderr


@pytest.mark.parametrize("follow", [False, True])
def test_a_file_that_links_to_itself_never_stops_a_batch(
    copy_model_dir: Path, tmp_path: Path, follow: bool
) -> None:
    """Issue 28, fault 1: `ln -s selfref.txt selfref.txt` ended the batch with 'unexpected RuntimeError'."""
    make_tree(tmp_path / "in", 1)
    (tmp_path / "in" / "selfref.txt").symlink_to("selfref.txt")
    code, _, stderr = cli(
        "batch",
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "out"),
        "--model",
        str(copy_model_dir),
        *(["--follow-links"] if follow else []),
    )
    assert code in (0, 5), stderr
    assert "unexpected" not in stderr and "selfref.txt" in stderr
    assert any((tmp_path / "out").rglob("*.en.txt")), "the other files are done"


def comparable(path: Path) -> object:
    """File content for comparing runs: JSON outputs without their (run-dependent) timings."""
    if path.suffix == ".json" and not path.name.startswith("."):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("timings", None)
        return data
    return path.read_bytes()


def test_sigint_leaves_no_partial_files_and_rerun_completes_identically(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    for source in wmt20_articles(60):
        shutil.copy(source, tmp_path / "in" / source.name)
    env = subprocess_env(tmp_path / "cache")
    base = [sys.executable, "-m", "translit", "batch", str(tmp_path / "in"), "--model", str(copy_model_dir)]
    base += ["--outputs", "translation,json", "--group-size", "2", "--no-cache"]
    reference = subprocess.run(
        [*base, "-o", str(tmp_path / "ref")], env=env, cwd=REPO, capture_output=True, timeout=600, check=False
    )
    assert reference.returncode == 0, reference.stderr

    proc = subprocess.Popen(
        [*base, "-o", str(tmp_path / "out")],
        env=env,
        cwd=REPO,
        stderr=subprocess.PIPE,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((tmp_path / "out").rglob("*.en.txt"))) < 6:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    # Issue 28, fault 5: the message says what was kept and that the same command goes on.
    assert b"file(s) finished this run are kept in" in stderr and b"run the same command again" in stderr, (
        stderr
    )
    partial = sorted((tmp_path / "out").rglob("*.en.txt"))
    assert 0 < len(partial) < 60, "the interrupt should land mid-batch"
    assert not list((tmp_path / "out").rglob("*.tmp")), "temporary files left behind"
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert path.stat().st_size > 0, f"empty output {path}"
            assert comparable(path) == comparable(tmp_path / "ref" / path.relative_to(tmp_path / "out"))

    rerun = subprocess.run(
        [*base, "-o", str(tmp_path / "out")], env=env, cwd=REPO, capture_output=True, timeout=600, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    produced = {
        p.relative_to(tmp_path / "out"): comparable(p) for p in (tmp_path / "out").rglob("*") if p.is_file()
    }
    expected = {
        p.relative_to(tmp_path / "ref"): comparable(p) for p in (tmp_path / "ref").rglob("*") if p.is_file()
    }
    assert produced == expected


def test_jsonl_streams_before_the_process_ends(copy_model_dir: Path, tmp_path: Path) -> None:
    for source in wmt20_articles(40):
        (tmp_path / "in").mkdir(exist_ok=True)
        shutil.copy(source, tmp_path / "in" / source.name)
    cmd = [sys.executable, "-m", "translit", "batch", str(tmp_path / "in"), "--format", "jsonl", "--quiet"]
    cmd += ["--model", str(copy_model_dir), "--group-size", "1", "--no-cache"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, cwd=REPO, env=subprocess_env(tmp_path / "c")
    )
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    still_running = proc.poll() is None
    rest = [json.loads(line) for line in proc.stdout]
    proc.wait(timeout=300)
    assert still_running, "the first document should arrive while the batch is still running"
    assert proc.returncode == 0
    records = [first, *rest]
    assert len(records) == 40
    assert {"path", "model", "paragraphs", "brief", "timings"} <= first.keys()
    assert first["paragraphs"][0]["source"] and first["paragraphs"][0]["translation"]


def test_translate_jsonl_from_stdin(copy_model_dir: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "translit",
            "translate",
            "--format",
            "jsonl",
            "--model",
            str(copy_model_dir),
            "-",
        ],
        input=SAMPLE.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["path"] == "<stdin>"
    check_copy(
        [p["source"] for p in record["paragraphs"]], [p["translation"] for p in record["paragraphs"]], "jsonl"
    )


def test_bilingual_renderings(copy_model_dir: Path) -> None:
    code, text, _ = cli("translate", "--bilingual", "--model", str(copy_model_dir), str(SAMPLE))
    assert code == 0
    pairs = [block.split("\n") for block in text.strip().split("\n\n")]
    body = expected_body_paragraphs(SAMPLE.read_text(encoding="utf-8"))
    assert [p[0] for p in pairs] == body and all(len(p) == 2 for p in pairs)

    code, markdown, _ = cli(
        "translate", "--bilingual", "--format", "markdown", "--model", str(copy_model_dir), str(SAMPLE)
    )
    assert code == 0
    assert markdown.startswith("# Technische Probleme prägen Musks Interview mit Trump")
    assert "| Deutsch | English |" in markdown
    # header row + one row per paragraph: the German headline stays beside the English one
    assert markdown.count("\n| ") == len(body) + 1
    assert "| Technische Probleme prägen Musks Interview mit Trump |" in markdown

    code, raw, _ = cli(
        "translate", "--bilingual", "--format", "json", "--model", str(copy_model_dir), str(SAMPLE)
    )
    assert [p["de"] for p in json.loads(raw)["pairs"]] == body


def test_markdown_brief(copy_model_dir: Path) -> None:
    code, markdown, _ = cli(
        "brief", "--format", "markdown", "--full", "--model", str(copy_model_dir), str(SAMPLE)
    )
    assert code == 0
    assert markdown.startswith("# Technische Probleme")
    assert "\n> " in markdown


def test_cache_serves_the_second_run(copy_engine, tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    texts = [p.read_text(encoding="utf-8") for p in wmt20_articles(12)]
    t0 = time.perf_counter()
    first = translate_many(texts, engine=copy_engine, cache=cache)
    cold = time.perf_counter() - t0
    units = sum(sum(1 for u in t.units if not u.copy) for t in first)
    assert cache.stats.hits == 0 and cache.stats.misses == units
    t0 = time.perf_counter()
    second = translate_many(texts, engine=copy_engine, cache=cache)
    warm = time.perf_counter() - t0
    assert cache.stats.hits == units
    assert [t.paragraphs for t in second] == [t.paragraphs for t in first]
    assert warm < cold / 5, f"cached run {warm:.2f}s vs {cold:.2f}s"
    assert cache.info()["entries"] == len({u.text for t in first for u in t.units if not u.copy})


def test_cache_cli_info_and_clear(copy_model_dir: Path) -> None:
    assert cli("translate", "--model", str(copy_model_dir), str(SAMPLE))[0] == 0
    code, info, _ = cli("cache", "info", "--format", "json")
    assert code == 0 and json.loads(info)["entries"] > 0
    code, out, _ = cli("cache", "clear")
    assert code == 0 and out.startswith("removed ")
    assert json.loads(cli("cache", "info", "--format", "json")[1])["entries"] == 0


def test_two_processes_share_the_cache(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 10)
    env = subprocess_env(tmp_path / "shared-cache")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "translit",
                "batch",
                str(tmp_path / "in"),
                "-o",
                str(tmp_path / f"out{i}"),
                "--model",
                str(copy_model_dir),
                "--group-size",
                "1",
                "--quiet",
            ],
            env=env,
            cwd=REPO,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    first = sorted(p.relative_to(tmp_path / "out0") for p in (tmp_path / "out0").rglob("*.en.txt"))
    assert len(first) == 11
    for relative in first:
        assert (tmp_path / "out0" / relative).read_bytes() == (tmp_path / "out1" / relative).read_bytes()


@pytest.mark.parametrize("flag", ["--no-cache", "--cache"])
def test_no_cache_flag_is_accepted(copy_model_dir: Path, flag: str) -> None:
    assert cli("translate", flag, "--model", str(copy_model_dir), str(SAMPLE))[0] == 0


def test_no_ansi_codes_when_not_a_tty(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 2)
    (tmp_path / "in" / "bad.txt").write_bytes(b"\x00\x01")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "translit",
            "batch",
            str(tmp_path / "in"),
            "-o",
            str(tmp_path / "out"),
            "--model",
            str(copy_model_dir),
            "--format",
            "jsonl",
        ],
        capture_output=True,
        cwd=REPO,
        timeout=300,
        env=subprocess_env(tmp_path / "c"),
        check=False,
    )
    assert proc.returncode == EXIT_PARTIAL
    assert b"\x1b[" not in proc.stdout and b"\x1b[" not in proc.stderr
    assert b"bad.txt" in proc.stderr and b"files" in proc.stderr  # error line and summary table
    assert len(proc.stdout.strip().splitlines()) == 3


def test_units_to_check_are_named_once_and_again_when_resumed(tmp_path: Path) -> None:
    """Issue 28, fault 8: per-group warnings beside the summary, and 'to check 0' on a resumed run."""
    from .conftest import SMALL

    src = tmp_path / "in"
    src.mkdir()
    for name in ("shz-83671.de.txt", "tagesspiegel-87045.de.txt", "ntrex-warren.de.txt"):
        shutil.copy(REPO / "samples" / name, src / name)
    args = (
        "batch",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "--model",
        str(SMALL),
        "--no-cache",
        "--group-size",
        "1",
    )
    code, _, first = cli(*args)
    assert code == 0, first
    assert first.count("to check, marked [?]") == 1, first
    total = int(re.search(r"(\d+) unit\(s\) to check", first).group(1))
    assert total > 0
    code, _, again = cli(*args)
    assert code == 0 and f"{total} unit(s) to check" in again, again


def copy_translator() -> Translator:
    return Translator(COPY_MODEL, cache=False)


def test_an_input_folder_inside_the_output_folder_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "W" / "in" / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "W" / "in" / "top.txt")
    shutil.copy(SAMPLE, tmp_path / "W" / "in" / "sub" / "deep.txt")
    code, _, err = invoke(
        "batch", str(tmp_path / "W" / "in"), "-o", str(tmp_path / "W"), "--model", str(COPY_MODEL)
    )
    assert code == 0, err
    assert (tmp_path / "W" / "top.en.txt").is_file() and (tmp_path / "W" / "sub" / "deep.en.txt").is_file()


def test_one_bad_file_never_stops_a_batch(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "good.txt")
    (tmp_path / "in" / "bad.md").write_text("Ein Satz.\n", encoding="utf-8")
    from translit.readers import get_reader

    reader = get_reader("markdown")

    def broken(data, source):
        raise AttributeError("'Protected' object has no attribute 'plain'")

    monkeypatch.setattr(reader, "read", broken)
    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", copy_translator(), batch_mod.BatchSettings()
    )
    assert report.count("done") == 1 and report.count("failed") == 1
    assert "internal error" in report.failures[0].error


def test_long_input_names_fail_alone(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "ok.txt")
    long_name = "a" * 250 + ".txt"  # its outputs' names are longer than 255 bytes
    shutil.copy(SAMPLE, tmp_path / "in" / long_name)
    shutil.copy(SAMPLE, tmp_path / "in" / ("b" * 225 + ".txt"))  # fits; its temporary names must too
    report = batch_mod.run_batch(
        tmp_path / "in", tmp_path / "out", copy_translator(), batch_mod.BatchSettings()
    )
    assert report.count("done") == 2 and report.count("failed") == 1
    assert (tmp_path / "out" / ("b" * 225 + ".en.txt")).is_file()


def test_a_full_disk_during_a_batch_is_exit_6(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "a.txt")
    from translit.batch import core

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(core, "write_atomic", full)
    code, _, err = invoke(
        "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(COPY_MODEL)
    )
    assert code == EXIT_OUTPUT and "No space left on device" in err


# --- outputs that never overwrite, names, links, modes, leftovers ----------------------------------


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
    # The translations keep the input's extension where it was; briefs, records and markers keep
    # the whole name (a.txt.brief.txt).
    assert (out / "a.en.txt").read_text() == "Erster Text.\n"
    assert (out / "a.de.en.txt").read_text() == "Zweiter Text.\n"
    assert (out / "a.en.md").read_text() == "Dritter Text.\n"
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


def test_batch_options_are_declared_once() -> None:
    """Issue 28: cli/batch.py restated BatchSettings' group size and its default."""
    import inspect as inspect_module

    from translit.batch import BatchSettings, batch_options
    from translit.batch.settings import BatchCommand
    from translit.cli import batch as batch_cli

    declared = batch_options()
    assert {"force", "group_size", "follow_links", "out", "ray", "workers"} <= set(declared)
    source = inspect_module.getsource(batch_cli)
    for name, (option, default) in declared.items():
        assert f'"{option.flags[0]}"' not in source, f"{option.flags[0]} is declared again in cli/batch.py"
        owner = BatchCommand() if name in BatchCommand.__dataclass_fields__ else BatchSettings()
        assert getattr(owner, name) == default
    code, out, _ = invoke("batch", "--help")
    assert code == 0 and "--group-size" in out and "--follow-links" in out and "--force" in out
