"""Inputs no article should be: a corpus of bad files, FIFOs, folders, a hundred thousand lines — one clear line each."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from translit.errors import EXIT_INPUT
from translit.segment import make_units, parse_article

from .conftest import run_translit as run


def bad_inputs(folder: Path) -> dict[str, Path]:
    """The bad-input corpus, generated (nothing big is committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "empty": b"",
        "whitespace": b"  \n\n\t \n",
        "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "nul": b"Hallo\x00Welt",
        "invalid-utf8": "Größe und Übermaß.".encode() + b"\xff\xfe\xfa" + b" Ende.",
        "utf16": "Die Größe der Stadt.\n\nZweiter Absatz.".encode("utf-16"),
        "cp1252": "Die Größe der Straße – „Zitat“.\n\nZweiter Absatz.".encode("cp1252"),
        "huge": ("Wort " * 2_200_000).encode(),  # 11 MB, one paragraph
        "punctuation": "!!! ??? ... ;;; 🙂🙂🙂 ☃ — «» …\n\n🎉".encode(),
        "mixed-scripts": "Москва und 東京 sowie القاهرة: alle Städte.".encode(),
        "long-words": ("Siehe https://example.org/" + "a1b2c3" * 200 + " und " + "f" * 64 + ".").encode(),
    }
    paths = {}
    for name, data in files.items():
        path = folder / f"{name}.txt"
        path.write_bytes(data)
        paths[name] = path
    spaced = folder / "Datei mit Leerzeichen äöü.txt"
    spaced.write_text("Ein Satz in einer Datei mit seltsamem Namen.", encoding="utf-8")
    paths["spaced-name"] = spaced
    return paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return bad_inputs(tmp_path_factory.mktemp("bad"))


EXPECTED = {
    "empty": (0, None),
    "whitespace": (0, None),
    "png": (EXIT_INPUT, "binary"),
    "nul": (EXIT_INPUT, "binary"),
    "invalid-utf8": (0, None),
    "utf16": (0, None),
    "cp1252": (0, None),
    "huge": (EXIT_INPUT, "limit"),
    "punctuation": (0, None),
    "mixed-scripts": (0, None),
    "long-words": (0, None),
    "spaced-name": (0, None),
}


# --- inputs no article should be: a corpus of bad files, FIFOs, folders, huge inputs ---------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_corpus(corpus: dict[str, Path], copy_model_dir: Path, name: str) -> None:
    started = time.monotonic()
    proc = run("translate", "--no-cache", "--model", str(copy_model_dir), str(corpus[name]))
    assert time.monotonic() - started < 200
    stderr = proc.stderr.decode()
    code, needle = EXPECTED[name]
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    if code:
        assert proc.stdout == b""
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and str(corpus[name]) in lines[0] and needle in lines[0]
    elif name in ("empty", "whitespace"):
        assert proc.stdout == b""
    else:
        assert proc.stdout.strip(), "a result was expected"


def test_legacy_encodings_are_translated_correctly(corpus: dict[str, Path], copy_model_dir: Path) -> None:
    for name in ("utf16", "cp1252"):
        proc = run("translate", "--no-cache", "--model", str(copy_model_dir), str(corpus[name]))
        assert "Größe" in proc.stdout.decode()
    assert "cp1252" in run("translate", "--model", str(copy_model_dir), str(corpus["cp1252"])).stderr.decode()


def test_directory_fifo_and_unreadable_inputs(tmp_path: Path, copy_model_dir: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for target, needle in ((tmp_path, "directory"), (fifo, "not a regular file")):
        proc = run("translate", "--model", str(copy_model_dir), str(target), timeout=60)
        assert proc.returncode == EXIT_INPUT and needle in proc.stderr.decode()
        assert proc.stdout == b""


def test_hundred_thousand_one_word_lines(tmp_path: Path, copy_model_dir: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("Wort\n" * 100_000, encoding="utf-8")
    article = parse_article(words.read_text(encoding="utf-8"))
    assert article.paragraphs == [" ".join(["Wort"] * 100_000)]
    units = make_units(article.paragraphs, lambda t: len(t.split()), 94)
    assert sum(u.text.count("Wort") for u in units) == 100_000
    small = tmp_path / "small.txt"
    small.write_text("Wort\n" * 3_000, encoding="utf-8")
    started = time.monotonic()
    proc = run("translate", "--no-cache", "--model", str(copy_model_dir), str(small))
    assert time.monotonic() - started < 200
    # The tiny copy model garbles such monotonous input, but translit must finish cleanly.
    assert proc.returncode == 0 and "Traceback" not in proc.stderr.decode()
    assert "Wort" in proc.stdout.decode()
