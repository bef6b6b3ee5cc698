"""Benchmark results as the documentation shows them: a table with the command, the date and the
machine that produced it, written by the benchmark itself (``--record``) to ``bench/results/``.

The site's pages include a result with ``<!-- bench: NAME -->`` (``docs/hooks.py``), so a figure
on a page is the one the script last measured, never one typed by hand.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """This machine in a few words: CPU model, usable cores, memory."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {cores} cores{memory}"


def record(name: str, table: str, argv: list[str] | None = None) -> Path:
    """Write ``table`` (Markdown) as result ``name``, headed by the command line that ran
    (``argv``, default ``sys.argv``), the date and the machine."""
    RESULTS.mkdir(exist_ok=True)
    command = " ".join(["python", *(a if " " not in a else repr(a) for a in (argv or sys.argv))])
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    path = RESULTS / f"{name}.md"
    path.write_text(f"`{command}` on {stamp}, {machine()}:\n\n{table.strip()}\n", encoding="utf-8")
    return path


class _Tee:
    """Writes to the real stdout and keeps a copy."""

    def __init__(self, stream: object) -> None:
        self.stream = stream
        self.kept: list[str] = []

    def write(self, text: str) -> int:
        self.kept.append(text)
        return self.stream.write(text)  # type: ignore[attr-defined,no-any-return]

    def flush(self) -> None:
        self.stream.flush()  # type: ignore[attr-defined]


@contextlib.contextmanager
def recording(name: str, enabled: bool, argv: list[str] | None = None) -> Iterator[None]:
    """With ``enabled``, what the benchmark prints inside is also recorded as result ``name``
    (a ``text`` block: the script's own report, as printed)."""
    if not enabled:
        yield
        return
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):  # type: ignore[type-var]
        yield
    block = "```text\n" + "".join(tee.kept).strip("\n") + "\n```"
    print(f"recorded in {record(name, block, argv)}")


def run(name: str, main: Callable[[], int | None]) -> int | None:
    """Run a benchmark's ``main()`` and return what it returns (an exit code, or None);
    ``--record`` on its command line (taken off before ``main`` reads it) records everything it
    prints as result ``name``."""
    argv = list(sys.argv)
    enabled = "--record" in sys.argv
    if enabled:
        sys.argv.remove("--record")
    with recording(name, enabled, argv):
        return main()
