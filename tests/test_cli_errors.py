"""Error paths: one line on stderr, the documented exit code, no traceback, nothing on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translit.cli import app
from translit.errors import EXIT_INPUT, EXIT_MODEL, EXIT_NETWORK, EXIT_OUTPUT

from .conftest import COPY_MODEL, REPO, SAMPLE, run_translit, shared_path
from .conftest import run_translit as run
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
    def refuse(*args: object) -> bytes:
        raise PermissionError(13, "Permission denied", str(args[0]))

    monkeypatch.setattr("translit.userfiles.open", refuse, raising=False)
    result = CliRunner().invoke(app, ["translate", str(locked)])
    assert result.exit_code == EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr.strip() == f"translit: error: {locked}: cannot read the article (Permission denied)"


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


def test_messages_escape_control_characters(tmp_path: Path) -> None:
    name = tmp_path / "a\ntranslit: note: forged.txt"
    proc = run_translit("translate", "--model", str(COPY_MODEL), str(name))
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "\\n" in lines[0]


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("translit: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def make_tree(root: Path, count: int) -> None:
    root.mkdir()
    files = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))
    for path in files[:count]:
        shutil.copy(path, root / path.name)


# --- closed pipes, full disks, odd terminals, absurd options ---------------------------------------


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


def test_usage_messages_say_what_was_meant_in_translits_words() -> None:
    """A subcommand typo lists that group's commands; a choice has no validator's prefix; an
    option typo suggests the closest option only."""
    line = run_cli("models", "lst").stderr.decode().splitlines()[0]
    assert "Did you mean 'list'?" in line and "serve" not in line
    line = run_cli("models", "frobnicate").stderr.decode().splitlines()[0]
    assert "(commands: calibrate, convert, list, path, pull, shortlist, verify)" in line
    line = run_cli("translate", "-f", "jsn", "-t", "Hallo.").stderr.decode().splitlines()[0]
    assert "Value error" not in line and "'jsn' is not one of 'text', 'json'" in line
    line = run_cli("brief", "--sentence", "2", str(SAMPLE)).stderr.decode().splitlines()[0]
    assert line == "translit: error: No such option: --sentence. Did you mean --sentences?"
