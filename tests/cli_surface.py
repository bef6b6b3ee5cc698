"""What translit's command line shows a person: every command's ``--help`` and the usage errors.

``tests/data/cli_surface.txt`` holds it as it was when the CLI was rebuilt on click's own means;
``tests/test_cli_usage.py`` compares the CLI with it, so that no help text or message changes
unnoticed. After a deliberate change, write it again::

    python -m tests.cli_surface > tests/data/cli_surface.txt
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Usage errors and argument orders the CLI accepts besides the usual one (global options after
# the command, a command's options before it, --ray alone), each shown with what it prints.
CASES = [
    ["models", "lst"],
    ["models", "frobnicate"],
    ["modls"],
    ["article.txt"],
    ["translate", "-f", "jsn", "-t", "Hallo."],
    ["brief", "--sentence", "2", "x.txt"],
    ["brief", "--xyz", "2", "x.txt"],
    ["translate", "--unit", "word", "-t", "Hallo."],
    ["translate", "--beams", "0", "-t", "Hallo."],
    ["batch"],
    ["batch", "-f", "xml", "in"],
    ["translate", "--model", "/nonexistent/model", "-t", "Hallo."],
    ["translate", "-t", "Hallo.", "--model", "/nonexistent/model", "--debug"],
    ["--model", "/nonexistent/model", "translate", "-t", "Hallo."],
    ["translate", "--max-bytes", "3", "-t", "Hallo Welt."],
    ["translate", "--models", "/nonexistent/models.toml", "-t", "Hallo."],
    ["batch", "--ray", "/nonexistent/in", "-o", "/nonexistent/out"],
    ["batch", "/nonexistent/in", "--ray", "--workers", "2", "-o", "/nonexistent/out"],
    ["--version"],
]


def commands() -> list[list[str]]:
    """Every command path of the CLI (``[]`` for the top level): the reference's own list."""
    from translit.cli.reference import command_paths

    return command_paths()


def run(args: list[str]) -> str:
    """The exit code, stdout and stderr of ``translit ARGS``, as one block of text."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb", "HF_HOME": "/nonexistent/hf"}
    proc = subprocess.run(
        [sys.executable, "-m", "translit", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    stderr = proc.stderr
    if "Traceback" in stderr:  # --debug: the traceback's frames are the code's, not the surface
        lines = stderr.splitlines()
        stderr = f"{lines[0]}\n  …\n{lines[-1]}\n"
    return f"$ translit {' '.join(args)}\n[exit {proc.returncode}]\n{proc.stdout}{stderr}"


def surface() -> str:
    """Every command's --help and every case above, as the CLI prints them now."""
    blocks = [run([*path, "--help"]) for path in commands()]
    blocks += [run(case) for case in CASES]
    return "\n".join(blocks)


if __name__ == "__main__":
    sys.stdout.write(surface())
