"""``translit batch``: a folder tree of articles, translated resumably, locally or on Ray."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from translit import errors
from translit.batch.settings import BatchCommand
from translit.cli.common import handled, load_engine, translator_for, write
from translit.cli.options import with_declared_options, with_settings
from translit.options import Settings

log = logging.getLogger("translit")


def register(app: typer.Typer) -> None:
    """Add ``batch`` to ``app``."""
    app.command(
        epilog="Examples:\n\n"
        "  translit batch articles/ -o english/\n\n"
        "  translit batch articles/ -o out/ --outputs translation,brief,json\n\n"
        "  translit batch articles/ --format jsonl --quiet | jq -r '.brief[0]'\n\n"
        "  translit batch articles/ -o out/ --ray --workers 2"
    )(batch)


# The BatchCommand fields, taken out of the declared flags' values before the rest make BatchSettings.
COMMAND_FLAGS = tuple(BatchCommand.__dataclass_fields__)


def with_batch_options(func: Any) -> Any:
    """Give ``batch`` a flag for every option :class:`~translit.batch.BatchSettings` declares."""
    from translit.batch.settings import batch_options

    return with_declared_options(batch_options())(func)


@handled
@with_settings("model", "translation", "reading", "brief")
@with_batch_options
def batch(
    in_dir: Annotated[
        Path, typer.Argument(help="Folder of German articles (searched recursively).", metavar="IN_DIR")
    ],
    settings: Settings | None = None,
    declared: dict[str, Any] | None = None,
) -> None:
    """Translate every article in a folder tree, resumably.

    Per input NAME.EXT the chosen outputs are written under OUT_DIR, atomically: the
    translation in the input's own format where translit writes it back (a Word file stays
    Word: NAME.en.docx), else as text (NAME.en.txt), NAME.brief.txt and NAME.json.
    Files whose outputs are newer and were made with the same model and options are
    skipped (--force redoes them); an interrupted run finishes what is left. Bad files are
    reported and the batch goes on; the exit code is 5 if any file failed.
    """
    from translit import batch as batch_mod
    from translit import render  # the renderers import the library: only when a command runs
    from translit.cli import progress

    assert settings is not None
    given = dict(declared or {})
    command = BatchCommand(**{name: given.pop(name) for name in COMMAND_FLAGS if name in given})
    out_dir = Path(command.out) if command.out else None
    output_format, quiet = command.format, command.quiet
    kinds = tuple(dict.fromkeys(k.strip() for k in command.outputs.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in batch_mod.OUTPUT_KINDS]
    if unknown or not kinds:
        raise errors.InputError(
            f"--outputs: unknown kind {', '.join(unknown) or '(none)'} "
            f"(choose from {', '.join(batch_mod.OUTPUT_KINDS)})"
        )
    if out_dir is None and output_format != "jsonl":
        raise errors.InputError("give an output folder (-o OUT_DIR) or stream with --format jsonl")
    run = batch_mod.BatchSettings(
        outputs=kinds,
        patterns=command.glob or batch_mod.DEFAULT_PATTERNS,
        translation=settings,
        **given,
    )
    plan = batch_mod.plan_batch(in_dir, out_dir, run)
    if not plan.inputs:
        raise errors.InputError(
            f"{in_dir}: no files match {' '.join(run.patterns)} (use --glob to choose others)"
        )
    translator = translator_for(settings)
    # Markers record the model files and engine asked for, computed the same way for local
    # and Ray runs (without loading the model), so that either skips what the other finished.
    run = replace(run, model_key=translator.model_key)
    stream = output_format == "jsonl"
    with translator, progress.BatchProgress(enabled=not quiet) as bar:
        streaming = {"open": stream}
        finished = {"done": 0}

        def on_result(result: batch_mod.DocumentResult) -> None:
            finished["done"] += result.status == "done"
            if result.status == "failed":
                bar.error(result.error or result.display)
            elif result.status == "done" and streaming["open"] and result.translation is not None:
                record = render.document_record(result.display, result.translation, result.brief)
                try:
                    write(render.to_jsonl(record))
                except Exception:
                    if out_dir is None:
                        raise  # nothing but the stream: stop, as a Unix filter does
                    # With -o the files are the work: stop streaming, finish them.
                    streaming["open"] = False
                    bar.note("stdout closed: stopped streaming; the output files are still being written")
            bar.advance(result)

        try:
            report = _run(plan, translator, run, command, on_result, bar)
        except KeyboardInterrupt:
            if out_dir is not None:
                # Said before "interrupted": what was kept, and that the same command goes on.
                # (What the files in progress had finished is in the cache: "interrupted" says.)
                log.warning(
                    "%d file(s) finished this run are kept in %s; run the same command again to go on",
                    finished["done"],
                    out_dir,
                )
            raise
    if not quiet:
        progress.print_summary(report)
    if output_format == "json":
        write(render.to_json(report.to_dict()))
    if report.failures:
        raise typer.Exit(errors.EXIT_PARTIAL)


def _run(plan: Any, translator: Any, run: Any, command: BatchCommand, on_result: Any, bar: Any) -> Any:
    """The batch on Ray (``--ray``: an address, ``local`` or ``auto``) or here: its report."""
    from translit import batch as batch_mod

    ray = command.ray
    if not ray:
        load_engine(translator)
        return batch_mod.run_local(plan, translator, run, on_result=on_result, on_start=bar.start)
    from translit.batch.ray_runner import RayOptions, run_on_ray

    options = RayOptions(
        address=None if ray in ("local", "auto") else ray,
        local=ray == "local",
        workers=command.workers,
        threads_per_worker=command.threads_per_worker,
        gpus_per_worker=command.gpus_per_worker,
    )
    return run_on_ray(plan, translator, run, options, on_result=on_result, on_start=bar.start)
