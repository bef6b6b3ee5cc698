"""Everyday use of the command line: defaults, conveniences, messages, consistency (issue 12)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import translit
from translit.cli import hoist_global_options
from translit.errors import EXIT_INPUT, EXIT_MODEL

from .conftest import COPY_MODEL, REPO, SAMPLE, invoke
from .conftest import invoke as cli
from .conftest import run_translit as run


def on_a_terminal(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: bytes = b"",
    tty_stdin: bool = False,
    stdout: Any = None,
) -> tuple[int, bytes]:
    """Run translit with stderr and stdout (and with ``tty_stdin`` stdin) on a pseudo-terminal;
    ``stdout``: an open file to send stdout to instead."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "translit", *args],
        stdin=secondary if tty_stdin else subprocess.PIPE,
        stdout=secondary if stdout is None else stdout,
        stderr=secondary,
        cwd=REPO,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", **(env or {})},
    )
    os.close(secondary)
    if tty_stdin:
        os.write(main, stdin)
    else:
        proc.stdin.write(stdin)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(timeout=300), b"".join(chunks)


def test_auto_engine_converts_once_on_first_use(copy_model_dir: Path, tmp_path: Path) -> None:
    env = {"TRANSLIT_CACHE_DIR": str(tmp_path / "cache")}
    first = run(
        "translate", "--no-cache", "-f", "json", "-m", str(copy_model_dir), "-t", "Ein Satz.", env=env
    )
    assert first.returncode == 0, first.stderr
    assert b"converted" in first.stderr and b"later runs reuse it" in first.stderr
    assert json.loads(first.stdout)["engine"] == "ctranslate2"
    assert list((tmp_path / "cache" / "ctranslate2").glob("*/model.bin"))
    second = run(
        "translate", "--no-cache", "-f", "json", "-m", str(copy_model_dir), "-t", "Ein Satz.", env=env
    )
    assert second.returncode == 0 and b"converted" not in second.stderr
    slow = run(
        "translate", "-e", "transformers", "-f", "json", "-m", str(copy_model_dir), "-t", "Ein Satz.", env=env
    )
    assert json.loads(slow.stdout)["engine"] == "transformers"


def test_two_processes_converting_at_once_both_succeed(copy_model_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TRANSLIT_CACHE_DIR": str(tmp_path / "cache")}
    args = [
        sys.executable,
        "-m",
        "translit",
        "translate",
        "--no-cache",
        "-m",
        str(copy_model_dir),
        "-t",
        "Ein Satz.",
    ]
    procs = [
        subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0] == b"Ein Satz.\n"
    assert len(list((tmp_path / "cache" / "ctranslate2").glob("*/model.bin"))) == 1
    assert not list((tmp_path / "cache" / "ctranslate2").glob(".convert-*"))


def test_eval_summary_reads_stdin_and_every_report_takes_format_json(tmp_path: Path) -> None:
    rows = "\n".join(
        json.dumps(
            {
                "article": f"The {w} rose sharply on Monday. Officials were surprised. More later.",
                "summary": f"The {w} rose.",
            }
        )
        for w in ("price", "index", "rate")
    )
    code, out, err = cli("eval", "summary", "-", "-f", "json", input=rows)
    assert code == 0, err
    assert json.loads(out)["rows"] == 3
    code, out, _ = cli("models", "list", "-f", "json")
    assert code == 0 and isinstance(json.loads(out), list)
    code, out, _ = cli("cache", "info", "-f", "json")
    assert code == 0 and json.loads(out)["state"] == "absent"


@pytest.mark.parametrize(
    "command",
    [
        ["translate"], ["brief"], ["summarize"], ["batch"],
        ["models"], ["models", "list"], ["models", "path"], ["models", "pull"], ["models", "verify"],
        ["models", "convert"], ["cache"], ["cache", "info"], ["cache", "clear"],
        ["eval"], ["eval", "summary"], ["eval", "translate"],
        ["models", "calibrate"], ["serve"], ["glossary"], ["glossary", "check"],
    ],
)  # fmt: skip
def test_every_command_has_examples_and_a_clean_usage_line(command: list[str]) -> None:
    code, out, _ = cli(*command, "--help")
    assert code == 0
    assert "Examples:" in out and "translit " in out.split("Examples:")[1]
    usage = out.splitlines()[0]
    assert "{" not in usage and "<list" not in usage and "[[" not in usage, usage
    assert "<list[str]>" not in out


def test_a_command_writes_through_an_environment_a_test_builds(copy_model_dir: Path, tmp_path: Path) -> None:
    """Issue 28: results and messages go through an :class:`Environment` (httpie's model), not a
    module global: a test gives a command its own streams, and ``-o`` holds results in one."""
    import io

    import typer

    from translit.cli import app
    from translit.cli.common import Environment, using

    out, err = io.StringIO(), io.StringIO()
    command = typer.main.get_command(app)
    translate = ["translate", "--no-cache", "-m", str(copy_model_dir), "-t", "Ein Satz."]
    with using(Environment(stdout=out, stderr=err, no_color=True)):
        assert command.main(translate, standalone_mode=False) == 0
        assert command.main(["translate", str(tmp_path / "missing.txt")], standalone_mode=False) == 2
        assert command.main([*translate, "-o", str(tmp_path / "out.txt")], standalone_mode=False) == 0
    assert out.getvalue() == "Ein Satz.\n"
    assert err.getvalue() == f"translit: error: {tmp_path / 'missing.txt'}: no such file\n"
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "Ein Satz.\n"


def test_plain_argument_help_patches_nothing_of_typer() -> None:
    """Issue 28: the plain usage line comes from translit's own command class, not from typer's
    classes patched for every typer app in the process."""
    from typer.core import TyperArgument

    import translit.cli  # noqa: F401 - the commands are built

    assert TyperArgument.display_type_rich.__module__ == "typer.core"
    assert TyperArgument._usage_display_name.__module__ == "typer.core"


def test_words_help_is_honest() -> None:
    _, out, _ = cli("brief", "--help")
    assert "at least one whole sentence" in " ".join(out.split())


def test_debug_adds_the_traceback_and_keeps_the_exit_code(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    plain = run("translate", missing)
    debug = run("--debug", "translate", missing)
    assert plain.returncode == debug.returncode == EXIT_INPUT
    assert b"Traceback" in debug.stderr and b"Traceback" not in plain.stderr
    model = run("--debug", "translate", "-m", str(tmp_path), "-t", "Ein Satz.")
    assert model.returncode == EXIT_MODEL


def test_messages_point_the_right_way(tmp_path: Path, copy_model_dir: Path) -> None:
    code, _, err = cli("brief", "--summarizer", "distilbart-cnn-12-6", "-m", str(copy_model_dir), str(SAMPLE))
    assert code == EXIT_MODEL and "--summarizer DIR" in err and "--model DIR" not in err
    code, _, err = cli("models", "convert", "opus-mt-de-en")
    assert code == EXIT_MODEL and "give its folder" in err and "--model DIR" not in err
    code, out, _ = cli("models", "path", str(copy_model_dir))
    assert code == 0 and out.strip() == str(copy_model_dir.resolve())
    code, _, err = cli("--max-bytes", "100", "translate", str(SAMPLE))
    assert code == EXIT_INPUT and "KiB is more than the 100 bytes limit" in err and "0.0 MiB" not in err
    code, _, err = cli("brief", "--summarizer", "opus-mt-de-en", "-m", str(copy_model_dir), str(SAMPLE))
    assert code == EXIT_MODEL and "translation model, not a summarization model" in err
    code, _, err = cli("brief", "--summarizer", str(copy_model_dir), "-m", str(copy_model_dir), str(SAMPLE))
    assert code == EXIT_MODEL and "not a summarization model" in err
    assert len(err.strip().splitlines()) == 1


def test_piped_stdin_is_read_without_a_dash(copy_model_dir: Path) -> None:
    proc = run("translate", "-m", str(copy_model_dir), stdin=b"Das ist ein Test.")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Das ist ein Test.\n"


def test_global_options_may_follow_the_subcommand(tmp_path: Path) -> None:
    assert hoist_global_options(["translate", "--debug", "a.txt"]) == ["--debug", "translate", "a.txt"]
    assert hoist_global_options(["batch", "in", "--models", "m.toml", "-o", "x"]) == [
        "--models", "m.toml", "batch", "in", "-o", "x"
    ]  # fmt: skip
    assert hoist_global_options(["translate", "--", "--debug"]) == ["translate", "--", "--debug"]
    proc = run("translate", str(tmp_path / "nope.txt"), "--debug")
    assert proc.returncode == EXIT_INPUT and b"Traceback" in proc.stderr


def test_version_and_completion() -> None:
    for flag in ("-V", "--version"):
        code, out, _ = cli(flag)
        assert code == 0 and out.strip() == f"translit {translit.__version__}"
    # typer finds the shell by looking at the parent process, so run it from a bash
    # (the trailing command keeps bash from exec-ing translit in its own place).
    proc = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m translit --show-completion; true"],
        capture_output=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert b"_TRANSLIT_COMPLETE" in proc.stdout, proc.stderr


def test_no_color_means_no_escape_codes_even_on_a_terminal(copy_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Ein Satz.\n", encoding="utf-8")
    code, output = on_a_terminal(
        "batch", str(src), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir), env={"NO_COLOR": "1"}
    )
    assert code == 0, output
    assert b"files" in output and b"\x1b[" not in output


def test_the_batch_bar_leaves_streamed_results_on_stdout_and_messages_above_it(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    """Issue 28: with stderr on a terminal, rich's bar used to take over stdout too, so
    ``batch --format jsonl > file`` printed the records on the terminal and left the file
    empty; and a warning was printed into the bar's line instead of above it."""
    src = tmp_path / "in"
    src.mkdir()
    for n in range(3):
        (src / f"{n}.txt").write_text(f"Ein Satz Nummer {n} über die Regierung.\n", encoding="utf-8")
    (src / "english.txt").write_text(
        "This text is written in English, not in German at all.\n", encoding="utf-8"
    )
    with (tmp_path / "out.jsonl").open("wb") as out:
        code, terminal = on_a_terminal(
            "batch", str(src), "--format", "jsonl", "-m", str(copy_model_dir), stdout=out
        )
    assert code == 0
    records = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 4 and all(json.loads(r)["path"] for r in records)
    assert b'"path"' not in terminal
    warning = terminal.index(b"translit: warning:")
    # Printed on a line of its own: the bar's line is cleared first (or nothing precedes it).
    before = terminal[:warning].rstrip(b"\x1b[0123456789;m")
    assert before == b"" or before.endswith((b"\n", b"\x1b[2K")), terminal[warning - 80 : warning + 40]


def test_spinner_only_on_a_terminal(copy_model_dir: Path) -> None:
    text = ("Die Regierung beschloss am Montag ein Gesetz. " * 200).encode()
    code, output = on_a_terminal("translate", "--no-cache", "-m", str(copy_model_dir), "-", stdin=text)
    assert code == 0
    assert b"translating" in output or b"loading" in output
    code, output = on_a_terminal(
        "translate", "-m", str(copy_model_dir), "-", stdin=text, env={"NO_COLOR": "1"}
    )
    assert code == 0 and b"\x1b[" not in output and b"loading" not in output
    piped = run("translate", "-m", str(copy_model_dir), "-", stdin=text)
    assert b"loading" not in piped.stderr and b"\x1b[" not in piped.stderr


def test_text_option_and_typos_in_file_names(copy_model_dir: Path) -> None:
    for flag in ("--text", "-t"):
        code, out, err = cli("translate", "-m", str(copy_model_dir), flag, "Das ist ein Test.")
        assert code == 0, err
        assert out == "Das ist ein Test.\n"
    code, out, err = cli("translate", "-m", str(copy_model_dir), "Das ist ein Test.")
    assert code == EXIT_INPUT and "no such file" in err and out == ""


def test_brief_and_summarize_take_several_files(copy_model_dir: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    b.write_text("Titel\n\nErster Satz hier. Zweiter Satz dort.\n", encoding="utf-8")
    code, out, err = cli("brief", "-n", "1", "-m", str(copy_model_dir), str(a), str(b))
    assert code == 0, err
    assert out.startswith(f"==> {a} <==\n") and f"\n==> {b} <==\n" in out
    code, out, _ = cli("brief", "-f", "json", "-n", "1", "-m", str(copy_model_dir), str(a), str(b))
    assert [d["path"] for d in json.loads(out)] == [str(a), str(b)]
    en_a, en_b = tmp_path / "a.en.txt", tmp_path / "b.en.txt"
    en_a.write_text("The minister resigned on Monday. Nobody expected it.", encoding="utf-8")
    en_b.write_text("Prices rose. Markets fell.", encoding="utf-8")
    code, out, _ = cli("summarize", "-n", "1", str(en_a), str(en_b))
    assert code == 0 and f"==> {en_b} <==" in out


def test_markdown_with_several_files_names_each_and_keeps_headlines(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Titel eins\n\nEin Satz.\n", encoding="utf-8")
    b.write_text("Titel zwei\n\nNoch ein Satz.\n", encoding="utf-8")
    code, out, _ = cli("translate", "-f", "markdown", "-m", str(copy_model_dir), str(a), str(b))
    assert code == 0
    assert "==>" not in out
    # The file names are lines of their own; each headline stays a level-1 heading.
    assert f"**File:** `{a}`\n\n# Titel eins" in out and f"**File:** `{b}`\n\n# Titel zwei" in out
    assert f"# {a}" not in out and "## Titel" not in out


def test_brief_full_separates_brief_and_translation(copy_model_dir: Path) -> None:
    code, out, _ = cli("brief", "--full", "-n", "1", "-m", str(copy_model_dir), str(SAMPLE))
    assert code == 0
    brief, rest = out.split("\n\n---\n\n", 1)
    assert brief.strip() and rest.startswith("Technische Probleme")


def test_empty_files_are_handled_alike_in_translate_and_batch(copy_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "leer.txt").write_text("", encoding="utf-8")
    (src / "voll.txt").write_text("Ein Satz.\n", encoding="utf-8")
    code, out, err = cli("translate", "-m", str(copy_model_dir), str(src / "leer.txt"))
    assert code == 0 and out == "" and "empty" in err
    code, _, err = cli("batch", str(src), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir))
    assert code == 0, err
    assert "empty" in err
    assert (tmp_path / "out" / "leer.en.txt").read_text() == ""


def test_batch_with_nothing_to_do_is_an_error_and_names_files_relative(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bild.png").write_bytes(b"\x89PNG")
    code, _, err = cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir))
    assert code == EXIT_INPUT and "no files match" in err
    (tmp_path / "in" / "sub").mkdir()
    (tmp_path / "in" / "sub" / "kaputt.txt").write_bytes(b"\x00\x01binary")
    code, _, err = cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir))
    assert code == 5
    assert "translit: error: sub/kaputt.txt: looks like a binary file" in err
    assert "failed: sub/kaputt.txt: looks like a binary file" in err


def test_summarize_keeps_a_headline_out_of_the_choice() -> None:
    text = "Minister Resigns After Scandal\nThe minister resigned on Monday after weeks of pressure. Nobody expected it."
    summary = translit.summarize(text, sentences=1)
    assert summary.headline == "Minister Resigns After Scandal"
    assert summary.sentences == ["The minister resigned on Monday after weeks of pressure."]
    code, out, _ = cli("summarize", "-n", "1", "-f", "json", input=text)
    assert code == 0 and json.loads(out)["headline"] == "Minister Resigns After Scandal"


def test_bullets_drop_dialogue_dashes() -> None:
    code, out, _ = cli("summarize", "--style", "bullets", "-n", "2", input="– It seems bad. – We will see.")
    assert code == 0
    assert "- – " not in out and out.startswith("- It seems bad.")


def test_config_file_sets_defaults(copy_model_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'model = "{copy_model_dir}"\nunit = "paragraph"\ncache = false\n\n[brief]\nstyle = "bullets"\nsentences = 1\n',
        encoding="utf-8",
    )
    env = {"TRANSLIT_CONFIG": str(config)}
    code, out, err = cli("translate", "-f", "json", "-t", "Ein Satz. Noch einer.", env=env)
    assert code == 0, err
    data = json.loads(out)
    assert data["model"] == str(copy_model_dir) and data["unit_mode"] == "paragraph"
    code, out, _ = cli("brief", str(SAMPLE), env=env)
    assert code == 0 and out.startswith("- ") and len(out.strip().splitlines()) == 1
    config.write_text('beams = "vier"\n', encoding="utf-8")
    code, _, err = cli("translate", "-t", "x", env=env)
    assert code == EXIT_INPUT and str(config) in err and "'beams' must be a whole number" in err


def test_models_list_shows_models_recorded_by_path(copy_model_dir: Path, tmp_path: Path) -> None:
    models = tmp_path / "models.toml"
    models.write_text(f'[models.kopie]\ntask = "translation"\npath = "{copy_model_dir}"\n', encoding="utf-8")
    code, out, _ = cli("--models", str(models), "models", "list", "-f", "json")
    assert code == 0
    row = next(r for r in json.loads(out) if r["name"] == "kopie")
    assert row["present"] and row["path"] == str(copy_model_dir) and row["source"] == str(models)


def test_cache_info_creates_nothing_and_clear_asks_on_a_terminal(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    env = {"TRANSLIT_CACHE_DIR": str(tmp_path / "c")}
    code, out, _ = cli("cache", "info", env=env)
    assert code == 0 and "state: absent" in out and not (tmp_path / "c").exists()
    assert cli("translate", "-m", str(copy_model_dir), "-t", "Ein Satz.", env=env)[0] == 0
    code, output = on_a_terminal("cache", "clear", env=env, stdin=b"n\n", tty_stdin=True)
    # Declining is an answer, not an error: exit 0, nothing removed, no "Abort".
    assert code == 0 and b"Delete 1 cached translations" in output and b"kept 1 cached" in output
    assert b"Abort" not in output
    # End of input at the prompt (Ctrl-D) ends it as an interruption, not as a bug.
    code, output = on_a_terminal("cache", "clear", env=env, stdin=b"\x04", tty_stdin=True)
    assert code == 130 and b"interrupted" in output and b"Abort" not in output
    assert json.loads(cli("cache", "info", "-f", "json", env=env)[1])["entries"] == 1
    code, out, _ = cli("cache", "clear", "--yes", env=env)
    assert code == 0 and out.strip() == "removed 1 cached translations"


def test_the_sentence_bar_only_moves_forward_across_retry_passes() -> None:
    """Issue 28, fault 8: the total jumped (0/238 → 186/186 → 0/37) as redo passes restarted it."""
    from translit.cli.progress import CallCount

    count = CallCount()
    shown = [
        count.update(d, t)
        for d, t in [(0, 238), (120, 238), (238, 238), (0, 37), (20, 37), (37, 37), (0, 2), (2, 2)]
    ]
    assert shown[-1] == (277, 277)
    from itertools import pairwise

    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in pairwise(shown)), shown


# --- the config file -------------------------------------------------------------------------------


def test_the_config_file_has_the_command_line_s_ranges(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    for line in ("threads = 100000", "beams = 100000", "[brief]\nsentences = 0"):
        config.write_text(line + "\n", encoding="utf-8")
        monkeypatch.setenv("TRANSLIT_CONFIG", str(config))
        code, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.")
        assert code == EXIT_INPUT and "out of range" in err, line


def test_in_process_callers_read_arguments_as_the_console_script_does() -> None:
    """The argument orders translit accepts (a global option after the command, a command's
    option before it) are read by the command group itself, so CliRunner gets them too."""
    code, _, err = invoke("translate", str(SAMPLE), "--model", str(COPY_MODEL), "--max-bytes", "3")
    assert code != 0 and "3 bytes limit for one article" in err, err
    code, out, _ = invoke("--model", str(COPY_MODEL), "translate", "-t", "Hallo Welt.")
    assert code == 0 and out.strip() == "Hallo Welt."
