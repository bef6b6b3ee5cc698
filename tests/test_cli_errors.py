"""Error paths: one line on stderr, the documented exit code, no traceback, nothing on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translit.cli import app
from translit.errors import EXIT_INPUT, EXIT_MODEL, EXIT_NETWORK

from .conftest import SAMPLE
from .conftest import run_translit as run_cli


def assert_one_line_error(proc: subprocess.CompletedProcess[bytes], code: int, *needles: str) -> str:
    stderr = proc.stderr.decode()
    assert proc.returncode == code, stderr
    assert proc.stdout == b""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("translit: error: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert_one_line_error(run_cli("translate", str(missing)), EXIT_INPUT, str(missing), "no such file")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("brief", str(tmp_path)), EXIT_INPUT, str(tmp_path), "directory")


def test_binary_input(tmp_path: Path) -> None:
    png = tmp_path / "bild.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert_one_line_error(run_cli("translate", str(png)), EXIT_INPUT, str(png), "binary")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Hallo.")
    locked.chmod(0)
    if os.geteuid() != 0:
        assert_one_line_error(run_cli("translate", str(locked)), EXIT_INPUT, str(locked))

    # Root reads anything, so simulate the refusal in-process as well.
    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = CliRunner().invoke(app, ["translate", str(locked)])
    assert result.exit_code == EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr.strip() == f"translit: error: {locked}: cannot read (Permission denied)"


def test_missing_default_model_names_model_place_and_remedy() -> None:
    line = assert_one_line_error(run_cli("brief", str(SAMPLE)), EXIT_MODEL, "opus-mt-de-en")
    assert "translit models pull opus-mt-de-en" in line and "--model" in line and "looked in" in line


def test_missing_model_directory(tmp_path: Path) -> None:
    line = assert_one_line_error(
        run_cli("translate", "--model", str(tmp_path / "x"), str(SAMPLE)), EXIT_MODEL
    )
    assert str(tmp_path / "x") in line


def test_folder_that_is_not_a_marian_model(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    line = assert_one_line_error(run_cli("translate", "--model", str(tmp_path), str(SAMPLE)), EXIT_MODEL)
    assert "missing" in line


def test_unknown_model_name() -> None:
    assert_one_line_error(
        run_cli("translate", "--model", "no-such-model", str(SAMPLE)), EXIT_MODEL, "no-such-model"
    )


def test_pull_without_network_is_one_line() -> None:
    # HF_HUB_OFFLINE makes the hub client refuse at once instead of timing out.
    proc = run_cli("models", "pull", "opus-mt-de-en", env={"HF_HUB_OFFLINE": "1"})
    assert proc.returncode == EXIT_NETWORK, proc.stderr
    assert proc.stdout == b""
    assert "Traceback" not in proc.stderr.decode()
    assert "translit: error: cannot download Helsinki-NLP/opus-mt-de-en" in proc.stderr.decode()


def test_models_path_of_absent_model() -> None:
    assert_one_line_error(run_cli("models", "path", "opus-mt-de-en"), EXIT_MODEL, "opus-mt-de-en")


def test_empty_input_gives_empty_output() -> None:
    for command in ("translate", "brief"):
        proc = run_cli(command, "-", stdin=b"")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == b""
        assert proc.stderr == b"translit: warning: <stdin>: empty; nothing to translate\n"
    proc = run_cli("summarize", "-", stdin=b"")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = run_cli("--debug", "translate", str(tmp_path / "nope.txt"))
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr.decode()


def test_bad_option_is_usage_error() -> None:
    result = CliRunner().invoke(app, ["translate", "--beams", "0", str(SAMPLE)])
    assert result.exit_code == EXIT_INPUT


def test_help_has_examples() -> None:
    for args in ([], ["translate"], ["brief"], ["summarize"], ["models"]):
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.stdout or "example" in result.stdout.lower()


def test_help_and_models_list_import_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from translit.cli import app\n"
        "r = CliRunner()\n"
        "assert r.invoke(app, ['--help']).exit_code == 0\n"
        "assert r.invoke(app, ['models', 'list']).exit_code == 0\n"
        "heavy = {'torch', 'transformers', 'ctranslate2', 'sentencepiece'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
