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
    ResultCallback,
    StartCallback,
    begin_run,
    finish_group,
    groups,
    plan_batch,
    read_group,
    translate_group_safely,
)
from translit.batch.settings import BatchSettings
from translit.readers import Document
from translit.translator import Translator

log = logging.getLogger("translit")


def as_translator(translator: Any, settings: BatchSettings, cache: Any = None) -> Translator:
    """A :class:`Translator` for a runner: the one given, or one around a loaded engine."""
    if isinstance(translator, Translator):
        return translator
    return Translator(engine=translator, settings=settings.translation, cache=cache or False)


def run_local(
    plan: BatchPlan,
    translator: Translator | Any,
    settings: BatchSettings,
    *,
    cache: Any = None,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
) -> BatchReport:
    """Translate the plan's pending inputs here; write outputs under ``plan.out_dir``.

    ``translator`` is a :class:`~translit.translator.Translator` (or a loaded engine, with
    ``cache``). Documents are processed in groups of ``settings.group_size`` whose units
    share batches. ``on_result`` is called for each document as soon as it is finished
    (streaming output, progress); ``on_start`` gets the number of input files.
    """
    translator = as_translator(translator, settings, cache)
    if not settings.model_key:
        settings = replace(settings, model_key=translator.model_key)
    started = time.perf_counter()
    report, pending, finish = begin_run(plan, settings, on_result, on_start)
    cache = translator.cache
    hits_before = cache.stats.hits if cache else 0
    misses_before = cache.stats.misses if cache else 0
    for group in groups(pending, settings.group_size):
        read = read_group(group, translator)
        documents = [document for document in read if isinstance(document, Document)]
        translated = translate_group_safely(translator, documents, settings) if documents else []
        finish_group(group, read, translated, settings, plan, finish)
    report.seconds = time.perf_counter() - started
    if cache:
        report.cache_hits = cache.stats.hits - hits_before
        report.cache_misses = cache.stats.misses - misses_before
    return report


def run_batch(
    in_dir: Path,
    out_dir: Path | None,
    translator: Translator | Any,
    settings: BatchSettings,
    *,
    cache: Any = None,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
) -> BatchReport:
    """Plan and run a local batch in one call (the library's entry point)."""
    plan = plan_batch(in_dir, out_dir, settings)
    return run_local(plan, translator, settings, cache=cache, on_result=on_result, on_start=on_start)
