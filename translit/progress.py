"""Progress and summaries for ``translit batch``, on stderr only.

The bar appears only when stderr is a terminal (and not with ``--quiet``); pipelines
and logs get the per-file errors and the final summary as plain lines.
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any

from translit.batch import BatchReport, DocumentResult


def stderr_console() -> Any:
    """A rich console on stderr; rich itself drops colour for non-TTYs, and NO_COLOR is honoured."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, no_color="NO_COLOR" in os.environ)


class BatchProgress:
    """A rich progress bar (files, paragraphs, words/s, ETA) when stderr is a TTY."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = stderr_console()
        # A bar is for people at a terminal; pipelines and logs get plain lines.
        self.show_bar = enabled and sys.stderr.isatty() and "NO_COLOR" not in os.environ
        self._progress: Any = None
        self._task: Any = None
        self._words = 0
        self._paragraphs = 0
        self._started = time.perf_counter()

    def __enter__(self) -> BatchProgress:
        if self.show_bar:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("translating"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[paragraphs]} ¶  {task.fields[rate]} words/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

    def start(self, total: int) -> None:
        """Set the number of input files."""
        if self._progress is not None:
            self._task = self._progress.add_task("batch", total=total, paragraphs=0, rate=0)

    def advance(self, result: DocumentResult) -> None:
        """One document finished (done, skipped or failed)."""
        self._words += result.words
        self._paragraphs += result.paragraphs
        if self._progress is not None and self._task is not None:
            elapsed = max(1e-6, time.perf_counter() - self._started)
            self._progress.update(
                self._task, advance=1, paragraphs=self._paragraphs, rate=int(self._words / elapsed)
            )

    def error(self, message: str) -> None:
        """Report a failed file at once (errors are shown even with --quiet)."""
        self.console.print(f"[red]translit: error:[/] {message}", markup=True, soft_wrap=True)


def print_summary(report: BatchReport) -> None:
    """A summary table on stderr: files, words, seconds, failures, cache hits."""
    from rich.table import Table

    table = Table(title="translit batch", box=None, header_style="bold")
    for column in ("files", "done", "skipped", "failed", "words", "seconds", "words/s", "cache hits"):
        table.add_column(column, justify="right")
    rate = report.words / report.seconds if report.seconds else 0.0
    hits = f"{report.cache_hits}/{report.cache_hits + report.cache_misses}"
    table.add_row(
        str(len(report.results)),
        str(report.count("done")),
        str(report.count("skipped")),
        str(report.count("failed")),
        str(report.words),
        f"{report.seconds:.1f}",
        f"{rate:.0f}",
        hits,
    )
    console = stderr_console()
    console.print(table)
    for failure in report.failures:
        console.print(f"failed: {failure.error}", soft_wrap=True, markup=False)
