"""One way to open a user's file: glossaries, keep lists, config and models files get the article's checks.

Each case was a fault: ``--keep /dev/urandom`` grew to 22 GB, ``--glossary /dev/zero`` ended in a
MemoryError, a FIFO blocked for ever, a quoted newline split a CSV glossary into junk entries, NUL
bytes passed unnoticed, and a million-entry glossary took a minute to load.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from translit.errors import EXIT_INPUT, InputError
from translit.glossary import Glossary, load_glossary, read_file
from translit.userfiles import FileKind, read_user_bytes, read_user_text

from .conftest import COPY_MODEL, run_translit
from .test_cli_errors import assert_one_line_error


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: opening it for reading would block for ever."""
    path = tmp_path / "terms.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", ["--glossary", "--keep"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_glossary_or_keep_list_is_one_line(option: str, device: str) -> None:
    proc = run_translit(
        "translate", "--model", str(COPY_MODEL), option, device, "-t", "Der Hund.", timeout=60
    )
    assert_one_line_error(proc, EXIT_INPUT, device, "not a regular file")


def test_a_fifo_as_glossary_is_one_line_not_a_hang(fifo: Path) -> None:
    proc = run_translit(
        "translate", "--model", str(COPY_MODEL), "--glossary", str(fifo), "-t", "Der Hund.", timeout=60
    )
    assert_one_line_error(proc, EXIT_INPUT, str(fifo), "named pipe")


def test_a_fifo_as_config_or_models_file_is_one_line(fifo: Path) -> None:
    for variable in ("TRANSLIT_CONFIG", "TRANSLIT_MODELS"):
        proc = run_translit("models", "list", env={variable: str(fifo)}, timeout=60)
        assert proc.returncode != 0
        assert "named pipe" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()


def test_a_file_over_its_kind_limit_names_the_limit_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(
        InputError, match=r"2\.0 KiB is more than the 1\.0 KiB limit for one list \(split it\)"
    ):
        read_user_bytes(path, FileKind("list", 1024, "split it"))


def test_nul_bytes_in_a_glossary_are_refused_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_bytes(b"Hund,dog\nKatze,c\x00at\n")
    with pytest.raises(InputError, match=r"terms\.csv: line 2: a NUL byte"):
        read_file(path)


def test_a_glossary_not_in_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_bytes("Hund,dog\nStraße,street\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"terms\.csv: line 2: not UTF-8 .*save the glossary as UTF-8"):
        read_user_text(path, FileKind("glossary", None, ""))


def test_csv_glossary_reads_quoted_commas_and_refuses_a_quoted_newline(tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"Müller, Peter",Peter Müller\nHund,"dog"\n', encoding="utf-8")
    entries, problems = read_file(quoted)
    assert [(e.source, e.target) for e in entries] == [("Müller, Peter", "Peter Müller"), ("Hund", "dog")]
    assert not problems
    broken = tmp_path / "broken.csv"
    broken.write_text('Katze,cat\n"Hu\nnd",dog\nMaus,mouse\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.csv:2: a quoted cell runs over 2 lines"):
        read_file(broken)
    proc = run_translit("glossary", "check", str(broken))
    assert_one_line_error(proc, EXIT_INPUT, "broken.csv:2")


def test_comment_lines_keep_csv_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text('# a "comment\nHund,dog\n\nKatze,\n', encoding="utf-8")
    entries, problems = read_file(path)
    assert [e.where for e in entries] == [f"{path}:2"]
    assert [p.where for p in problems] == [f"{path}:4"]


def test_large_glossary_is_indexed_not_scanned(tmp_path: Path) -> None:
    """Loading looks at each entry's first word only, and a text touches only the entries whose
    first word it holds: 200,000 entries, of which a sentence works out two."""
    path = tmp_path / "big.tsv"
    lines = [f"Wort{i}\tword{i}" for i in range(100_000)] + [f"Ding{i}.x\tthing{i}" for i in range(100_000)]
    path.write_text("\n".join([*lines, "Hund\tdog", "AT&T\tAT&T"]) + "\n", encoding="utf-8")
    glossary = load_glossary([path])
    assert isinstance(glossary, Glossary) and len(glossary.entries) == 200_002
    found = glossary.find("Der Hund von AT&T bellt.")
    assert [(m.form, m.entry.target) for m in found] == [("Hund", "dog"), ("AT&T", "AT&T")]
    worked_out = [e for e in glossary.entries if "words" in e.__dict__ or "pattern" in e.__dict__]
    assert sorted(e.source for e in worked_out) == ["AT&T", "Hund"]


def test_a_large_glossary_is_kept_out_of_the_cycle_collector_s_full_passes(tmp_path: Path) -> None:
    """A glossary of 100,000 entries or more is frozen (:func:`gc.freeze`) once loaded: otherwise
    every full collection walks all its objects again (over a second for a million). Checked in a
    child process, whose collector no other test has touched."""
    import subprocess
    import sys

    path = tmp_path / "big.tsv"
    path.write_text("".join(f"Wort{i}\tword{i}\n" for i in range(120_000)), encoding="utf-8")
    code = (
        "import gc, sys; from translit.glossary import load_glossary; "
        "before = gc.get_freeze_count(); g = load_glossary([sys.argv[1]]); "
        "print(before, gc.get_freeze_count(), len(g.entries))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    before, frozen, entries = map(int, shown.stdout.split())
    assert entries == 120_000 and frozen - before >= entries, shown.stdout  # every entry, at least
