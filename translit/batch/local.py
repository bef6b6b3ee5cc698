"""The local runner: every group of documents translated in this process, one model loaded once."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from translit.batch.core import (
    BatchPlan,
    BatchReport,
    BatchSettings,
    DocumentResult,
    Job,
    ResultCallback,
    StartCallback,
    finish_document,
    groups,
    model_key_of,
    plan_batch,
    read_group,
    split_done,
    start,
    translate_group,
)

log = logging.getLogger("translit")


def run_local(
    plan: BatchPlan,
    engine: Any,
    settings: BatchSettings,
    *,
    cache: Any = None,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
) -> BatchReport:
    """Translate the plan's pending inputs here; write outputs under ``plan.out_dir``.

    Documents are processed in groups of ``settings.group_size`` whose units share
    batches. ``on_result`` is called for each document as soon as it is finished
    (streaming output, progress); ``on_start`` gets the number of input files.
    """
    if not settings.model_key:
        settings = replace(settings, model_key=model_key_of(engine))
    started = time.perf_counter()
    report = start(plan)
    done, pending = split_done(plan, settings)
    if on_start:
        on_start(len(plan.inputs))
    hits_before = cache.stats.hits if cache else 0
    misses_before = cache.stats.misses if cache else 0

    def finish(result: DocumentResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    for item in done:
        finish(DocumentResult(item.relative, item.display, "skipped"))
    for group in groups(pending, settings.group_size):
        read = read_group(group, settings)
        jobs = [(item, job) for item, job in zip(group, read, strict=True) if isinstance(job, Job)]
        translated = iter(translate_group(engine, [job for _, job in jobs], settings, cache) if jobs else [])
        for item, outcome in zip(group, read, strict=True):
            result = outcome if isinstance(outcome, DocumentResult) else next(translated)
            finish_document(item, result, settings, write=plan.out_dir is not None)
            finish(result)
    report.seconds = time.perf_counter() - started
    if cache:
        report.cache_hits = cache.stats.hits - hits_before
        report.cache_misses = cache.stats.misses - misses_before
    return report


def run_batch(
    in_dir: Path,
    out_dir: Path | None,
    engine: Any,
    settings: BatchSettings,
    *,
    cache: Any = None,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
) -> BatchReport:
    """Plan and run a local batch in one call (the library's entry point)."""
    plan = plan_batch(in_dir, out_dir, settings)
    return run_local(plan, engine, settings, cache=cache, on_result=on_result, on_start=on_start)
