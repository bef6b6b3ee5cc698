"""Progress and summaries for ``translit batch``, on stderr only.

The bar appears only for a person at a terminal (stderr a TTY, no ``NO_COLOR``, not
``--quiet``); pipelines and logs get the per-file errors and the final summary as plain
lines, without escape codes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

from translit.cli.common import colour_enabled, environment, printable, stderr_console, using

if TYPE_CHECKING:  # for annotations only: importing the batch imports the translator
    from translit.batch import BatchReport, DocumentResult


class BatchProgress:
    """A rich progress bar (files, paragraphs, words/s, ETA) on a terminal; plain lines otherwise.

    The bars never redirect stdout and stderr (rich's default): redirected, results streamed
    to stdout (``batch --format jsonl > file``) were printed on the terminal and the file
    stayed empty. Messages go through the bar's console instead (``Environment.console``),
    which prints them above the bar.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = stderr_console()
        self.show_bar = enabled and colour_enabled()
        self._progress: Any = None
        self._messages: Any = None
        self._task: Any = None
        self._words = 0
        self._paragraphs = 0
        self._started = time.perf_counter()

    def __enter__(self) -> BatchProgress:
        if self.show_bar:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            # Every number says what it counts (a bare "3/10 42" left readers guessing).
            self._progress = Progress(
                TextColumn("translating"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} files"),
                TextColumn("{task.fields[paragraphs]} paragraphs  {task.fields[rate]} words/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._progress.__enter__()
            # Messages while the bar is shown go through its console, which prints them above it.
            self._messages = using(replace(environment(), console=self.console))
            self._messages.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._messages is not None:
            self._messages.__exit__(exc_type, exc, tb)
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
        self._line("error", message)

    def note(self, message: str) -> None:
        """A message about the run (not shown with --quiet)."""
        if self.enabled:
            self._line("note", message)

    def _line(self, level: str, message: str) -> None:
        message = printable(message)
        if colour_enabled():
            style = "red" if level == "error" else "cyan"
            self.console.print(f"[{style}]translit: {level}:[/] {message}", markup=True, soft_wrap=True)
        else:
            self.console.print(f"translit: {level}: {message}", markup=False, soft_wrap=True)


def print_summary(report: BatchReport) -> None:
    """A summary table on stderr: files, words, seconds, failures, cache hits, flagged units."""
    from rich.table import Table

    bold = "bold" if colour_enabled() else None
    table = Table(title="translit batch", box=None, header_style=bold, title_style=bold)
    # "up to date": files skipped because their outputs are (links not followed are listed below it).
    columns = (
        "files",
        "done",
        "up to date",
        "failed",
        "words",
        "seconds",
        "words/s",
        "cache hits",
        "to check",
    )
    for column in columns:
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
        str(report.flagged_units),
    )
    console = stderr_console()
    console.print(table)
    for failure in report.failures:
        console.print(f"failed: {printable(failure.error or failure.display)}", soft_wrap=True, markup=False)
    for document in report.not_german:
        console.print(f"not German ({document.language}): {document.display}", soft_wrap=True, markup=False)
    for link in report.skipped_links:
        console.print(
            f"not read: {link.relative} ({link.reason}; --follow-links reads it)",
            soft_wrap=True,
            markup=False,
        )
    if report.flagged_units:
        files = ", ".join(f"{printable(r.display)} ({r.flagged})" for r in report.to_check[:10])
        more = f" and {len(report.to_check) - 10} more" if len(report.to_check) > 10 else ""
        console.print(
            f"{report.flagged_units} unit(s) to check, marked [?] in the text outputs ('check' in JSON): "
            f"{files}{more}",
            soft_wrap=True,
            markup=False,
        )
    if report.retries:
        console.print(
            f"{report.retries} group(s) were retried after a worker died", soft_wrap=True, markup=False
        )


class CallCount:
    """Units done over several engine calls, each reported from 0: a count that never goes back."""

    def __init__(self) -> None:
        self.done = self.total = self.last_done = self.last_total = 0

    def update(self, done: int, total: int) -> tuple[int, int]:
        """This call's ``done`` of ``total``; returns all units done and all units so far."""
        if done < self.last_done or (done == 0 and self.last_done == self.last_total > 0):
            self.done += self.last_total  # a new call (a retry pass): the finished one counts on
            self.total += self.last_total
        self.last_done, self.last_total = done, total
        return self.done + done, self.total + total


@contextmanager
def unit_progress(enabled: bool = True) -> Iterator[None]:
    """A bar of the sentences translated so far, for one long article at a terminal.

    Only for a person at a terminal (as the batch bar); elsewhere nothing is shown and the
    engine is called exactly as without it. The engine reports each call; the guards'
    retries are calls of their own, added to the count, so the bar only ever moves forward
    (238/238, then 238/275 while 37 retries run, then 275/275).
    """
    from translit.engines.batching import reporting_progress

    if not (enabled and colour_enabled()):
        yield
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = stderr_console()
    with (
        Progress(
            TextColumn("translating"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as bar,
        using(replace(environment(), console=console)),
    ):
        task = bar.add_task("translate", total=None, count="")

        counted = CallCount()

        def show(done: int, total: int) -> None:
            all_done, all_total = counted.update(done, total)
            bar.update(task, completed=all_done, total=all_total, count=f"{all_done}/{all_total} sentences")

        with reporting_progress(show):
            yield
