"""What the install lines of README.md cost on this machine: each in a fresh virtual environment,
without pip's cache, timed from the first byte to the last.

    python bench/install.py [--variants plain,cpu-index-fast,cpu-index] [--record]

* ``plain``: ``pip install torch==2.13.0 -e '.[all]'`` — the README's line.
* ``cpu-index-fast``: the same with ``--extra-index-url https://download.pytorch.org/whl/cpu
  --retries 0 --timeout 5`` — PyTorch's CPU index, asked once per package.
* ``cpu-index``: the same extra index with pip's default retries and timeout — what README
  used to say costs "a warning and nothing else".

Each row gives the seconds, pip's exit code, how many "Retrying" warnings it printed, and the
torch build it installed (``+cpu``: the CPU build; without a suffix from the public index,
the CUDA build). Where PyTorch's index cannot be reached, the last two rows measure what an
unreachable extra index costs; where it can, what it costs to use it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
VARIANTS = {
    "plain": [],
    "cpu-index-fast": ["--extra-index-url", CPU_INDEX, "--retries", "0", "--timeout", "5"],
    "cpu-index": ["--extra-index-url", CPU_INDEX],
}


def install(extra: list[str], timeout: float) -> tuple[float, int | None, int, str]:
    """Seconds, exit code (None: stopped at ``timeout``), "Retrying" warnings and the torch
    version installed, for one install line in a fresh environment."""
    with tempfile.TemporaryDirectory() as folder:
        venv.create(folder, with_pip=True)
        pip = [str(Path(folder) / "bin" / "python"), "-m", "pip"]
        command = [*pip, "install", "--no-cache-dir", *extra, "torch==2.13.0", "-e", f"{REPO}[all]"]
        started = time.perf_counter()
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
            code: int | None = proc.returncode
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            code = None
            output = "".join(
                part.decode() if isinstance(part, bytes) else part or "" for part in (exc.stdout, exc.stderr)
            )
        seconds = time.perf_counter() - started
        torch = ""
        if code == 0:
            shown = subprocess.run([*pip, "show", "torch"], capture_output=True, text=True, check=False)
            torch = next(iter(re.findall(r"^Version: (\S+)", shown.stdout, flags=re.M)), "")
        return seconds, code, output.count("Retrying"), torch


def main() -> None:
    """Time each variant and print one row each."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a line is stopped")
    args = parser.parse_args()
    print("each line in a fresh venv, no pip cache; pip's own configuration as this machine has it")
    print(f"{'variant':16} {'seconds':>8} {'exit':>5} {'retries':>8}  torch")
    for name in args.variants.split(","):
        seconds, code, retries, torch = install(VARIANTS[name], args.timeout)
        shown = "stopped" if code is None else str(code)
        print(f"{name:16} {seconds:8.0f} {shown:>5} {retries:8}  {torch or '-'}", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("install", main)
