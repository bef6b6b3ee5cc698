"""The command line on a first try: what a reader sees, each through the real command."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import COPY_MODEL, REPO, SAMPLE, SMALL, invoke, run_translit, shared_path


def test_command_options_may_come_before_the_command() -> None:
    done = run_translit("-m", str(COPY_MODEL), "-f", "json", "translate", "-t", "Ein Satz.")
    assert done.returncode == 0, done.stderr
    assert b'"translation": "Ein Satz."' in done.stdout


def test_usage_errors_are_one_translit_line_with_exit_2() -> None:
    done = run_translit("translate", "--frob")
    assert done.returncode == 2
    assert done.stderr.startswith(b"translit: error: No such option: --frob")
    assert b"Usage:" not in done.stderr and b"Traceback" not in done.stderr


def test_a_file_given_as_the_command_gets_a_hint() -> None:
    done = run_translit(str(SAMPLE))
    assert done.returncode == 2 and b"translit translate " + str(SAMPLE).encode() in done.stderr


def test_piping_into_translit_without_a_command_gets_a_hint() -> None:
    done = run_translit(stdin=b"Ein Satz.\n")
    assert done.returncode == 2 and b"| translit translate" in done.stderr


def test_text_given_as_a_file_suggests_dash_t_and_a_url_is_not_fetched() -> None:
    code, _, err = invoke("translate", "-m", str(COPY_MODEL), "Der Satz.")
    assert code == 2 and "-t 'Der Satz.'" in err
    code, _, err = invoke("translate", "-m", str(COPY_MODEL), "https://www.zeit.de/politik")
    assert code == 2 and "does not fetch URLs" in err


def test_output_file_is_written_once_and_never_over_an_input(tmp_path: Path) -> None:
    target = tmp_path / "out.en.txt"
    code, out, _ = invoke("translate", "-m", str(COPY_MODEL), "-t", "Ein Satz.", "-o", str(target))
    assert code == 0 and out == "" and target.read_text(encoding="utf-8") == "Ein Satz.\n"
    source = tmp_path / "a.txt"
    source.write_text("Ein Satz.\n", encoding="utf-8")
    code, _, err = invoke("brief", "-m", str(COPY_MODEL), str(source), "-o", str(source))
    assert code == 2 and "is also an input" in err
    assert source.read_text(encoding="utf-8") == "Ein Satz.\n"


DAMAGED = "Ein Mann f\ufffdhrt mit dem Fahrrad. Zwei Hunde spielen im Park."


def test_units_to_check_are_marked_where_people_read(tmp_path: Path) -> None:
    # The damaged byte flags its unit (JSON "check"); text, brief and batch outputs show [?].
    code, out, err = invoke("translate", "-m", str(SMALL), "--no-cache", "-t", DAMAGED)
    assert code == 0 and out.count("[?]") == 1 and "1 unit(s) to check" in err
    code, out, _ = invoke("translate", "-m", str(SMALL), "--no-cache", "--no-marks", "-t", DAMAGED)
    assert code == 0 and "[?]" not in out
    code, out, _ = invoke("brief", "-m", str(SMALL), "--no-cache", "-n", "2", "-f", "markdown", "-t", DAMAGED)
    assert code == 0 and "[?]" in out
    source = tmp_path / "in" / "a.txt"
    source.parent.mkdir()
    source.write_text(DAMAGED + "\n", encoding="utf-8")
    code, _, err = invoke(
        "batch", str(source.parent), "-o", str(tmp_path / "out"), "-m", str(SMALL), "--no-cache"
    )
    assert code == 0
    assert "[?]" in (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8")


def test_models_pull_offline_says_what_to_do_and_a_builtin_model_is_not_downloaded(
    monkeypatch,
) -> None:
    import socket

    with socket.socket() as sock:  # a port on this machine that nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed}")
    code, _, err = invoke("models", "pull", "opus-mt-de-en")
    assert code == 4
    assert "models--Helsinki-NLP--opus-mt-de-en" in err and "--model DIR" in err
    assert "model.safetensors" in err and f"HF_ENDPOINT (http://127.0.0.1:{closed})" in err
    code, _, err = invoke("models", "pull", "extractive")
    assert code == 3 and "built in" in err and "None" not in err and "downloading" not in err


def test_markdown_on_stdin_is_read_as_markdown_and_plain_articles_stay_text() -> None:
    from translit.readers import detect_format

    markdown = (REPO / "samples" / "iran-notizen.de.md").read_bytes()
    assert detect_format(markdown, None) == "markdown"
    assert detect_format(markdown, "notes.txt") == "text", "a name that says text wins"
    articles = sorted(shared_path("data", "de_news").rglob("*.txt"))
    assert len(articles) > 1000
    assert [p.name for p in articles if detect_format(p.read_bytes(), None) != "text"] == []
    done = run_translit("translate", "-m", str(COPY_MODEL), "-f", "json", stdin=markdown)
    assert done.returncode == 0 and b'"input_format": "markdown"' in done.stdout


def test_one_bad_models_entry_does_not_break_other_commands(tmp_path: Path) -> None:
    models = tmp_path / "models.toml"
    models.write_text("[models.broken]\npath = 5\n", encoding="utf-8")
    code, out, err = invoke("--models", str(models), "translate", "-m", str(COPY_MODEL), "-t", "Ein Satz.")
    assert code == 0 and out == "Ein Satz.\n"
    assert "model 'broken'" in err and "ignored" in err and err.count("\n") == 1
    code, _, err = invoke("--models", str(models), "translate", "-m", "broken", "-t", "Ein Satz.")
    assert code == 3 and err.count("\n") == 1 and "model 'broken'" in err


def test_eval_commands_read_piped_stdin(tmp_path: Path) -> None:
    source = tmp_path / "s.de"
    source.write_text("Ein Satz.\nNoch ein Satz.\n", encoding="utf-8")
    reference = tmp_path / "r.en"
    reference.write_text("Ein Satz.\nNoch ein Satz.\n", encoding="utf-8")
    done = run_translit(
        "eval",
        "translate",
        "-m",
        str(COPY_MODEL),
        "-",
        str(reference),
        "-f",
        "json",
        stdin=source.read_bytes(),
    )
    assert done.returncode == 0, done.stderr
    assert b'"bleu": 100' in done.stdout
    rows = '{"article": "Police arrested two men on Monday. The weather was fine.", "summary": "Two men were arrested."}\n'
    done = run_translit("eval", "summary", "-f", "json", stdin=rows.encode())
    assert done.returncode == 0, done.stderr
    assert b'"rows": 1' in done.stdout


def test_engine_progress_is_reported_without_changing_the_translation() -> None:
    """A long article shows how many sentences are done; the engine's output is unchanged."""
    from translit.engines import DecodeOptions, get_engine
    from translit.engines.batching import reporting_progress

    engine = get_engine(str(SMALL), engine="ctranslate2")
    sentences = (
        (shared_path("data", "parallel", "multi30k") / "val.de").read_text(encoding="utf-8").splitlines()
    )
    sentences = sentences[:80]
    plain = engine.translate_batch(sentences, DecodeOptions(beams=4))
    seen: list[tuple[int, int]] = []
    with reporting_progress(lambda done, total: seen.append((done, total))):
        reported = engine.translate_batch(sentences, DecodeOptions(beams=4))
    assert [o.text for o in reported] == [o.text for o in plain]
    assert [o.score for o in reported] == [o.score for o in plain]
    assert seen[-1] == (80, 80) and all(total == 80 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_long_article_on_a_terminal_shows_sentences_done() -> None:
    from .test_cli import on_a_terminal

    article = (shared_path("data", "parallel", "multi30k") / "val.de").read_text(encoding="utf-8")
    text = "\n\n".join(article.splitlines()[:300]).encode()
    code, output = on_a_terminal("translate", "--no-cache", "-m", str(COPY_MODEL), "-", stdin=text)
    assert code == 0
    assert b"/300 sentences" in output or b"300/" in output


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system), from /proc."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_ends_a_long_translation_at_once(tmp_path: Path) -> None:
    """Ctrl-C mid-article exits 130 at once (it used to wait for the engine's queued batches),
    and the sentences it had finished are kept in the cache (issue 28, fault 5)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import translit

    from .conftest import cache_with_conversions, default_sigint

    assert translit.Translator(SMALL).engine  # converted here, so that the CPU time below is translating

    lines = (
        (shared_path("data", "parallel", "multi30k") / "train.de").read_text(encoding="utf-8").splitlines()
    )
    article = "\n\n".join(" ".join(lines[i : i + 4]) for i in range(0, 16000, 4))
    proc = subprocess.Popen(
        [sys.executable, "-m", "translit", "translate", "-m", str(SMALL), "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "TRANSLIT_CACHE_DIR": cache_with_conversions(tmp_path / "cache")},
        preexec_fn=default_sigint,
    )
    assert proc.stdin is not None
    proc.stdin.write(article.encode())
    proc.stdin.close()
    # Loaded and well into the article (16,000 sentences take far longer): a condition on the work
    # done (its CPU time), not a fixed sleep that a loaded machine would spend still loading.
    deadline = time.monotonic() + 600
    while cpu_seconds(proc.pid) < 6.0:
        assert proc.poll() is None, "the article was translated before the test could interrupt it"
        assert time.monotonic() < deadline, "the translation never got going"
        time.sleep(0.1)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    assert code == 130 and time.monotonic() - sent < 2.0
    stderr = proc.stderr.read() if proc.stderr else b""
    assert re.search(rb"interrupted; [1-9]\d* translated unit\(s\) are kept in the cache", stderr), stderr


def test_every_help_and_usage_error_reads_as_recorded() -> None:
    """Every command's --help and the usage errors (and the argument orders translit accepts
    besides the usual one) print what ``tests/data/cli_surface.txt`` records: the CLI's
    plumbing may change, what a person reads may not without a deliberate update."""
    from .cli_surface import surface

    recorded = (REPO / "tests" / "data" / "cli_surface.txt").read_text(encoding="utf-8")
    assert surface() == recorded, (
        "the CLI reads differently: python -m tests.cli_surface | diff - tests/data/cli_surface.txt"
    )
