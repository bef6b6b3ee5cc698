"""What every batch runner shares: settings, the plan, the work on a group, results, the report.

A runner (local, or Ray) does three things per group of documents:

1. :func:`read_group` — on the machine that owns the folders: read and check the inputs,
   once each, into :class:`~translit.readers.Document` objects (plain data);
2. :func:`translate_group` — wherever the model is: translate the group's Documents with
   a :class:`~translit.translator.Translator` (shared batches), make the briefs, render
   every output as text;
3. :func:`finish_document` — back on the owner: write the outputs atomically, then the
   marker that says they are complete.

Because 2 is the same function for every runner, a Ray run's outputs are the local run's.
"""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translit.atomic import write_atomic
from translit.batch.files import (
    InputFile,
    Skipped,
    check_dirs,
    display_name,
    find_inputs,
    is_up_to_date,
    plan_outputs,
    recorded_checks,
    remove_orphans,
)
from translit.batch.remembered import memory_record
from translit.batch.settings import BatchSettings
from translit.errors import OutputError, TranslitError
from translit.memory import open_memory
from translit.options import BriefStyle
from translit.readers import Document
from translit.results import Brief, Translation
from translit.translator import Translator

log = logging.getLogger("translit")


@dataclass
class DocumentResult:
    """The outcome for one input file."""

    relative: Path
    display: str
    status: str  # "done", "skipped" or "failed"
    error: str | None = None
    words: int = 0
    paragraphs: int = 0
    flagged: int = 0  # units to check
    language: str | None = None  # set when the input does not look German
    translation: Translation | None = None
    brief: Brief | None = None
    rendered: dict[str, str | bytes] = field(default_factory=dict)
    memory: dict[str, Any] | None = None  # the marker's record of the memory (batch.remembered)


@dataclass
class BatchReport:
    """Totals of a batch run."""

    results: list[DocumentResult] = field(default_factory=list)
    skipped_links: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    orphans_removed: int = 0
    retries: int = 0

    def count(self, status: str) -> int:
        """How many documents ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def words(self) -> int:
        """Source words translated in this run."""
        return sum(r.words for r in self.results if r.status == "done")

    @property
    def failures(self) -> list[DocumentResult]:
        """The documents that failed."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def flagged_units(self) -> int:
        """Units a reader should check (a guard flag or low confidence) in this run."""
        return sum(r.flagged for r in self.results)

    @property
    def to_check(self) -> list[DocumentResult]:
        """The documents with units to check."""
        return [r for r in self.results if r.flagged and r.status in ("done", "skipped")]

    @property
    def not_german(self) -> list[DocumentResult]:
        """Documents that were translated although they did not look German."""
        return [r for r in self.results if r.language and r.status == "done"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``translit batch --format json``)."""
        return {
            "files": len(self.results),
            "done": self.count("done"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "cache_hits": self.cache_hits,
            "cache_lookups": self.cache_hits + self.cache_misses,
            "flagged_units": self.flagged_units,
            "to_check": [{"path": r.display, "units": r.flagged} for r in self.to_check],
            "retries": self.retries,
            "failures": [{"path": r.display, "error": r.error} for r in self.failures],
            "not_german": [{"path": r.display, "language": r.language} for r in self.not_german],
            "skipped_links": [str(s.relative) for s in self.skipped_links],
        }


@dataclass
class BatchPlan:
    """The inputs of a run, their output names, and which are already up to date."""

    in_dir: Path
    out_dir: Path | None
    inputs: list[InputFile]
    skipped_links: list[Skipped] = field(default_factory=list)


def plan_batch(in_dir: Path, out_dir: Path | None, settings: BatchSettings) -> BatchPlan:
    """Find the inputs and name all their outputs before any work starts."""
    check_dirs(in_dir, out_dir)
    sources, skipped = find_inputs(in_dir, out_dir, settings.patterns, settings.follow_links)
    inputs = plan_outputs(sources, in_dir.resolve(), out_dir, settings.outputs)
    return BatchPlan(in_dir, out_dir, inputs, skipped)


def split_done(plan: BatchPlan, settings: BatchSettings) -> tuple[list[InputFile], list[InputFile]]:
    """``(up to date, pending)``: with an output folder, finished files are not redone."""
    if plan.out_dir is None or settings.force:
        return [], list(plan.inputs)
    run = settings.signature()
    memory = open_memory(settings.translation.memory)
    try:
        done = [item for item in plan.inputs if is_up_to_date(item, run, memory)]
    finally:
        if memory is not None:
            memory.close()
    finished = {id(item) for item in done}
    return done, [item for item in plan.inputs if id(item) not in finished]


def start(plan: BatchPlan) -> BatchReport:
    """A new report; temporary files of an earlier, killed run are cleared away first."""
    report = BatchReport(skipped_links=list(plan.skipped_links))
    if plan.out_dir is not None:
        report.orphans_removed = remove_orphans(plan.out_dir)
    return report


def read_group(items: list[InputFile], translator: Translator) -> list[Document | DocumentResult]:
    """Read and check each input, once: a :class:`Document`, or a failed :class:`DocumentResult`.

    Reading happens on the machine that owns the folders; the Documents themselves travel to
    wherever the model is.
    """
    read: list[Document | DocumentResult] = []
    for item in items:
        try:
            read.append(translator.read(item.source, item.display))
        except TranslitError as exc:
            read.append(DocumentResult(item.relative, item.display, "failed", error=str(exc)))
        except (KeyboardInterrupt, OutputError):
            raise
        except Exception as exc:  # a reader's bug must not stop the batch: this file fails
            log.debug("reading %s failed", item.display, exc_info=True)
            read.append(
                DocumentResult(item.relative, item.display, "failed", error=_internal(item.display, exc))
            )
    return read


def _internal(name: str, exc: BaseException) -> str:
    detail = f"{type(exc).__name__}: {exc}"
    return f"{name}: internal error ({detail}); please report it (--debug shows the traceback)"


def translate_group_safely(
    translator: Translator, documents: list[Document], settings: BatchSettings
) -> list[DocumentResult]:
    """:func:`translate_group`; when it fails, each document again alone, so one bad file fails alone."""
    try:
        return translate_group(translator, documents, settings)
    except (KeyboardInterrupt, OutputError):
        raise
    except Exception:
        if len(documents) == 1:
            raise
    results = []
    for document in documents:
        try:
            results.extend(translate_group(translator, [document], settings))
        except (KeyboardInterrupt, OutputError):
            raise
        except Exception as exc:
            log.debug("translating %s failed", document.name, exc_info=True)
            failed = DocumentResult(Path(document.name), document.name, "failed")
            failed.error = str(exc) if isinstance(exc, TranslitError) else _internal(document.name, exc)
            results.append(failed)
    return results


def translate_group(
    translator: Translator, documents: list[Document], settings: BatchSettings
) -> list[DocumentResult]:
    """Translate a group of documents with shared batches; briefs and outputs rendered as text."""
    from translit.render import summary_text, to_json, translation_text

    memory = translator.memory
    version = memory.version if memory is not None else 0  # before: a change meanwhile is seen next run
    briefs = translator.brief_many(documents, report=False)  # the run's summary names them, once
    bullets = translator.settings.style is BriefStyle.bullets
    marks = translator.settings.marks
    results = []
    for document, brief in zip(documents, briefs, strict=True):
        translation = brief.translation
        rendered: dict[str, str | bytes] = {}
        for kind in settings.outputs:
            document_bytes = (
                translation.written(marks=marks) if kind == "translation" and translation.binary else None
            )
            if document_bytes is not None:
                rendered[kind] = document_bytes  # the document, in its own format
            elif kind == "translation":  # text (a PDF's text layer too: it is not written back)
                body = translation_text(translation, marks=marks)
                rendered[kind] = body if not body or body.endswith("\n") else body + "\n"
            elif kind == "brief":
                text = summary_text(
                    brief.marked_sentences() if marks else brief.summary.sentences, bullets=bullets
                )
                rendered[kind] = text + "\n" if text else ""
            else:
                # The whole object of 'translate --format json' (check, redone, flagged_units …),
                # without the run's timings, so that an output depends only on its input and options.
                record = {"path": document.name, **brief.to_dict()}
                record.pop("timings", None)
                rendered[kind] = to_json(record) + "\n"
        results.append(
            DocumentResult(
                Path(document.name),
                document.name,
                "done",
                words=document.words,
                paragraphs=len(translation.paragraphs),
                flagged=len(translation.units_to_check),
                language=document.language,
                translation=translation,
                brief=brief,
                rendered=rendered,
                memory=memory_record(translation, memory, version),
            )
        )
    return results


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def finish_document(item: InputFile, result: DocumentResult, settings: BatchSettings, write: bool) -> None:
    """Write a done document's outputs (atomically), then its marker, last.

    A full disk (or a read-only one) stops the run as :class:`~translit.errors.OutputError`
    (exit 6): every later file would fail too. Any other write failure (a name too long for
    the file system, a folder it may not create) fails this document alone.
    """
    result.relative = item.relative
    if not write or result.status != "done":
        return
    try:
        for kind, path in item.outputs.items():
            write_atomic(path, result.rendered.get(kind, ""))
        marker = {
            "signature": settings.signature(),
            "input_size": item.source.stat().st_size,
            "outputs": sorted(p.name for p in item.outputs.values()),
            "to_check": result.flagged,  # reported again when a re-run finds the file up to date
            "memory": result.memory,
        }
        # Written last: its presence says every output above is complete.
        write_atomic(item.marker, json.dumps(marker, ensure_ascii=True) + "\n")
    except OSError as exc:
        where = display_name(exc.filename) if exc.filename else item.display
        if exc.errno in _DISK_FULL:
            raise OutputError(
                f"{where}: cannot write the outputs ({exc.strerror}); a re-run resumes"
            ) from None
        result.status = "failed"
        result.error = f"{item.display}: cannot write {where} ({exc.strerror})"


ResultCallback = Callable[[DocumentResult], None]
StartCallback = Callable[[int], None]


def begin_run(
    plan: BatchPlan,
    settings: BatchSettings,
    on_result: ResultCallback | None,
    on_start: StartCallback | None,
) -> tuple[BatchReport, list[InputFile], ResultCallback]:
    """What every runner does first: a report, the finished files reported as skipped.

    Returns ``(report, pending inputs, finish)``; ``finish`` records a document's result in
    the report and passes it to ``on_result``.
    """
    report = start(plan)
    done, pending = split_done(plan, settings)
    if on_start:
        on_start(len(plan.inputs))

    def finish(result: DocumentResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    for item in done:
        finish(DocumentResult(item.relative, item.display, "skipped", flagged=recorded_checks(item)))
    return report, pending, finish


def finish_group(
    group: list[InputFile],
    read: list[Document | DocumentResult],
    translated: list[DocumentResult],
    settings: BatchSettings,
    plan: BatchPlan,
    finish: ResultCallback,
) -> None:
    """Write a group's outputs, in input order, and report each document.

    ``read`` is :func:`read_group`'s answer (a Document or an early result per input);
    ``translated`` holds the results of the documents, in order.
    """
    results = iter(translated)
    for item, outcome in zip(group, read, strict=True):
        result = outcome if isinstance(outcome, DocumentResult) else next(results)
        finish_document(item, result, settings, write=plan.out_dir is not None)
        finish(result)


def groups(items: list[InputFile], size: int) -> list[list[InputFile]]:
    """Consecutive groups of at most ``size`` inputs."""
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)]
