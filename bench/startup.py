"""How fast the CLI answers: whole processes, medians, and where the import time goes.

    python bench/startup.py [--repeats 10] [--model DIR]

Times, as whole processes (medians of ``--repeats``, after one warm-up run each; the bare
interpreter, ``python -c pass``, is the baseline of the same run):

* ``translit --help``
* ``translit models list``
* ``translit translate -t 'Der Hund bellt.'`` with ``--model`` (the copy model by default;
  warm: its CTranslate2 conversion is made by the warm-up run)

and prints the import time of each top-level module that ``import translit.cli`` loads
(``python -X importtime``, cumulative microseconds, largest first).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from record import recording  # bench/record.py, beside this script

REPO = Path(__file__).resolve().parent.parent
COPY = REPO / "tests" / "fixtures" / "models" / "copy-de"


def seconds(command: list[str], repeats: int) -> float:
    """The median wall time of ``command`` as a whole process."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(command, capture_output=True, env=env, check=True)  # warm-up (caches, conversion)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_times() -> list[tuple[int, str]]:
    """(µs, package) for every top-level package ``import translit.cli`` loads: the sum of its
    modules' own import times (``python -X importtime``), largest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import translit.cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            found[package] = found.get(package, 0) + int(match.group(1))
    return sorted(((us, name) for name, us in found.items()), reverse=True)


def main() -> None:
    """Time the three commands and show the imports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--model", type=Path, default=COPY)
    parser.add_argument("--record", action="store_true", help="also write bench/results/startup.md")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "translit"  # the console script, as users run it
    translit = [str(script)] if script.exists() else [sys.executable, "-m", "translit"]
    rows = [
        ("translit --help", [*translit, "--help"]),
        ("translit models list", [*translit, "models", "list"]),
        (
            "translit translate -t (warm)",
            [*translit, "translate", "--model", str(args.model), "-t", "Der Hund bellt."],
        ),
    ]
    with recording("startup", args.record):
        base = seconds([sys.executable, "-c", "pass"], args.repeats)  # the interpreter alone, this run
        print(f"medians of {args.repeats}, whole processes (translit's console script):")
        print(f"  {'python -c pass (baseline)':32} {base:.3f} s")
        for label, command in rows:
            took = seconds(command, args.repeats)
            print(f"  {label:32} {took:.3f} s  ({took / base:.1f}x the bare interpreter)")
        print("import translit.cli, by top-level package (ms, the modules' own times summed):")
        for us, name in import_times()[:15]:
            print(f"  {us / 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
