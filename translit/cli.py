"""The ``translit`` command: parses arguments, calls the library, renders results.

Results go to stdout; warnings, errors and progress to stderr. Errors are one line
(``translit: error: …``) with a documented exit code; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from translit import api, errors, registry, render
from translit.cache import TranslationCache
from translit.progress import stderr_console
from translit.textio import read_source

EXIT_CODES_HELP = """
Exit codes: 0 success; 1 internal error (a bug: rerun with --debug and report it);
2 bad usage or unreadable/invalid input; 3 model missing or unusable;
4 network unavailable (models pull); 5 batch finished but some files failed;
130 interrupted.
"""

app = typer.Typer(
    name="translit",
    help="Offline German→English translation and briefs of news articles.\n\n"
    "Examples:\n\n"
    "  translit brief samples/musk-trump-interview.de.txt\n\n"
    "  cat article.txt | translit translate - > article.en.txt\n\n"
    "  translit translate --model ./my-marian-dir --format json a.txt b.txt\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(
    help="List, locate and download the models in models.toml.\n\n"
    "Examples:\n\n  translit models list\n\n  translit models pull opus-mt-de-en",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


class OutputFormat(StrEnum):
    """How results are written to stdout."""

    text = "text"
    json = "json"


class DocumentFormat(StrEnum):
    """How translated documents are written to stdout."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


class _State:
    debug = False
    models_file: Path | None = None
    max_bytes: int | None = None


state = _State()
F = TypeVar("F", bound=Callable[..., Any])


class _StderrHandler(logging.Handler):
    """Library log records as ``translit: warning: …`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        style = "yellow" if record.levelno == logging.WARNING else "red"
        try:
            stderr_console().print(
                f"[{style}]translit: {level}:[/] {record.getMessage()}", markup=True, soft_wrap=True
            )
        except Exception:
            sys.stderr.write(f"translit: {level}: {record.getMessage()}\n")


def _setup_logging() -> None:
    logger = logging.getLogger("translit")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.DEBUG if state.debug else logging.WARNING)
    logger.propagate = False


def fail(message: str, code: int) -> typer.Exit:
    """Write one error line on stderr and return the Exit to raise."""
    sys.stderr.write(f"translit: error: {message}\n")
    sys.stderr.flush()
    return typer.Exit(code)


def handled(func: F) -> F:
    """Turn library errors into one stderr line and an exit code (tracebacks only with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _setup_logging()
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except errors.TranslitError as exc:
            if state.debug:
                raise
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", errors.EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, like other Unix tools.
            _silence_stdout()
            raise typer.Exit(0) from None
        except Exception as exc:
            if state.debug:
                raise
            raise fail(
                f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                errors.EXIT_INTERNAL,
            ) from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _write(text: str) -> None:
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def _write_json(data: Any) -> None:
    _write(json.dumps(data, ensure_ascii=False, indent=2))


def _registry() -> registry.Registry:
    return registry.load_registry(state.models_file)


def _version(value: bool) -> None:
    if value:
        from translit import __version__

        _write(f"translit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug messages.")] = False,
    models: Annotated[
        Path | None,
        typer.Option(
            "--models", help="Extra models.toml (overrides $TRANSLIT_MODELS and ~/.config).", metavar="FILE"
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes", min=0, help="Largest input file accepted, in bytes (0: no limit).", metavar="N"
        ),
    ] = 2 * 1024 * 1024,
    allow_pickle: Annotated[
        bool,
        typer.Option("--allow-pickle", help="Allow pickled pytorch_model.bin weights (loaded weights-only)."),
    ] = False,
) -> None:
    """Offline German→English translation and briefs of news articles."""
    if allow_pickle:
        os.environ["TRANSLIT_ALLOW_PICKLE"] = "1"
    state.debug = debug
    state.models_file = models
    state.max_bytes = max_bytes or None
    _handle_sigterm()


def _handle_sigterm() -> None:
    """Treat SIGTERM (``kill``) like Ctrl-C, so batch runs clean up their temporary files."""
    import signal
    import threading

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model name from models.toml, or a folder with a Hugging Face MarianMT model.",
        metavar="NAME|PATH",
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
DocFormatOption = Annotated[
    DocumentFormat,
    typer.Option("--format", "-f", help="Output format; jsonl streams one JSON object per document."),
]
BilingualOption = Annotated[
    bool, typer.Option("--bilingual", help="German beside English: pairs (text/json), a table (markdown).")
]
StrictLangOption = Annotated[
    bool, typer.Option("--strict-lang", help="Refuse input that is clearly not German (default: warn).")
]
CacheOption = Annotated[
    bool, typer.Option("--cache/--no-cache", help="Use the persistent translation cache.")
]
BeamsOption = Annotated[
    int | None, typer.Option("--beams", min=1, help="Beam size (default: the model's generation_config).")
]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Units translated together.")]


class UnitChoice(StrEnum):
    """What the model translates at a time."""

    sentence = "sentence"
    paragraph = "paragraph"


UnitOption = Annotated[
    UnitChoice,
    typer.Option(
        "--unit",
        help="sentence: one sentence at a time, as the model was trained (default); "
        "paragraph: whole paragraphs, packed up to the model's limit.",
    ),
]
MaxUnitOption = Annotated[
    int | None,
    typer.Option(
        "--max-unit-tokens",
        min=1,
        help="Longest unit in model tokens; longer sentences are cut at clauses "
        "(default 128 for sentences, the model's limit for paragraphs).",
        metavar="N",
    ),
]


class NormalizeChoice(StrEnum):
    """Input normalisation for the model."""

    auto = "auto"
    moses = "moses"
    none = "none"


NormalizeOption = Annotated[
    NormalizeChoice,
    typer.Option(
        "--normalize",
        help="Normalise what goes into the model: auto (as models.toml says for the model), moses, none.",
    ),
]
FlagBelowOption = Annotated[
    float | None,
    typer.Option(
        "--flag-below",
        help="Mark units whose mean token log-probability is below this "
        "(default: the model's flag_below in models.toml, else -1.4).",
        metavar="SCORE",
    ),
]


class EngineChoice(StrEnum):
    """Which translation backend runs the model."""

    auto = "auto"
    transformers = "transformers"
    ctranslate2 = "ctranslate2"


EngineOption = Annotated[
    EngineChoice,
    typer.Option(
        "--engine",
        "-e",
        help="auto: CTranslate2 when a converted model exists, else transformers. "
        "ctranslate2 converts the model once if needed.",
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="CPU threads for the engine (default: all usable cores)."),
]
SentencesOption = Annotated[
    int | None, typer.Option("--sentences", "-n", min=1, help="Sentences in the brief (default 3).")
]
WordsOption = Annotated[
    int | None, typer.Option("--words", "-w", min=1, help="At most this many words in the brief.")
]


class BriefStyle(StrEnum):
    """How a brief is laid out as text."""

    paragraph = "paragraph"
    bullets = "bullets"


SummarizerOption = Annotated[
    str | None,
    typer.Option(
        "--summarizer",
        help="extractive (built in, default), a summarization model from models.toml, or a model folder.",
        metavar="NAME|PATH",
    ),
]
StyleOption = Annotated[
    BriefStyle, typer.Option("--style", help="One paragraph, or one bullet per sentence.")
]


def _sentence_cap(sentences: int | None, words: int | None) -> int | None:
    """--sentences defaults to 3, unless only --words limits the brief."""
    if sentences is None and words is None:
        return 3
    return sentences


@app.command(epilog="Examples:  translit translate article.txt   |   cat a.txt | translit translate -")
@handled
def translate(
    files: Annotated[
        list[str], typer.Argument(help="German text files; '-' reads stdin.", metavar="FILE...|-")
    ],
    model: ModelOption = None,
    output_format: DocFormatOption = DocumentFormat.text,
    bilingual: BilingualOption = False,
    use_cache: CacheOption = True,
    strict_lang: StrictLangOption = False,
    beams: BeamsOption = None,
    batch_size: BatchOption = 32,
    unit: UnitOption = UnitChoice.sentence,
    max_unit_tokens: MaxUnitOption = None,
    normalize: NormalizeOption = NormalizeChoice.auto,
    flag_below: FlagBelowOption = None,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
    max_batch_tokens: Annotated[
        int | None,
        typer.Option("--max-batch-tokens", min=1, help="Bound each batch by padded source tokens."),
    ] = None,
) -> None:
    """Translate German articles to English: one output paragraph per input paragraph.

    With several files, their units share length-sorted batches; text output separates
    the files with '==> FILE <==' headers and JSON output is a list.
    """
    sources = [read_source(f, state.max_bytes) for f in files]
    for source in sources:
        api.check_language(source.text, source.name, strict=strict_lang)
    loaded = None
    if any(source.text.strip() for source in sources):
        loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    cache = _open_cache(use_cache)

    def run(texts: list[str]) -> list[api.Translation]:
        return api.translate_many(
            texts,
            model,
            beams=beams,
            batch_size=batch_size,
            max_batch_tokens=max_batch_tokens,
            unit=unit.value,
            max_unit_tokens=max_unit_tokens,
            normalize=None if normalize is NormalizeChoice.auto else normalize.value,
            flag_below=flag_below,
            engine=loaded,
            cache=cache,
        )

    if output_format is DocumentFormat.jsonl:
        # Stream: each document is written (and flushed) as soon as it is translated.
        for source in sources:
            translation = run([source.text])[0]
            record = render.document_record(source.name, translation)
            if bilingual:
                record["pairs"] = [{"de": p["source"], "en": p["translation"]} for p in record["paragraphs"]]
            _write(render.to_jsonl(record))
        return
    # Several files share batches across documents.
    translations = run([source.text for source in sources])
    results = [(source.name, result) for source, result in zip(sources, translations, strict=True)]
    if output_format is DocumentFormat.json:
        docs = [render.translation_json(name, r, bilingual) for name, r in results]
        _write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (name, result) in enumerate(results):
        if len(results) > 1:
            _write(("\n" if i else "") + f"==> {name} <==")
        if not result.paragraphs:
            continue
        if output_format is DocumentFormat.markdown:
            _write(render.translation_markdown(result, bilingual=bilingual))
        else:
            _write(render.translation_text(result, bilingual))


def _open_cache(enabled: bool) -> TranslationCache | None:
    return TranslationCache() if enabled else None


@app.command(epilog="Example:  translit summarize -n 2 article.en.txt")
@handled
def summarize(
    file: Annotated[str, typer.Argument(help="English text file; '-' reads stdin.", metavar="FILE|-")],
    sentences: SentencesOption = None,
    words: WordsOption = None,
    style: StyleOption = BriefStyle.paragraph,
    summarizer: SummarizerOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Write a short brief of English text (by default, sentences chosen from it, in order)."""
    source = read_source(file, state.max_bytes)
    chosen = api.get_summarizer(summarizer, registry=_registry()) if source.text.strip() else None
    summary = api.summarize(source.text, _sentence_cap(sentences, words), words=words, summarizer=chosen)
    if output_format is OutputFormat.json:
        _write_json({"path": source.name, "brief": summary.sentences, "method": summary.method})
    elif summary.sentences:
        _write(render.summary_text(summary.sentences, bullets=style is BriefStyle.bullets))


@app.command(epilog="Examples:  translit brief article.txt   |   translit brief --full -n 5 article.txt")
@handled
def brief(
    file: Annotated[str, typer.Argument(help="German text file; '-' reads stdin.", metavar="FILE|-")],
    model: ModelOption = None,
    sentences: SentencesOption = None,
    words: WordsOption = None,
    style: StyleOption = BriefStyle.paragraph,
    summarizer: SummarizerOption = None,
    full: Annotated[bool, typer.Option("--full", help="Add the full translation under the brief.")] = False,
    output_format: DocFormatOption = DocumentFormat.text,
    beams: BeamsOption = None,
    batch_size: BatchOption = 32,
    unit: UnitOption = UnitChoice.sentence,
    max_unit_tokens: MaxUnitOption = None,
    normalize: NormalizeOption = NormalizeChoice.auto,
    flag_below: FlagBelowOption = None,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
    use_cache: CacheOption = True,
    strict_lang: StrictLangOption = False,
) -> None:
    """Translate a German article and write a short English brief of it."""
    source = read_source(file, state.max_bytes)
    api.check_language(source.text, source.name, strict=strict_lang)
    if not source.text.strip():
        if output_format in (DocumentFormat.json, DocumentFormat.jsonl):
            _write(render.to_jsonl({"path": source.name, "brief": [], "translations": []}))
        return
    # Both models load before any work, so a missing one fails fast.
    loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    chosen = api.get_summarizer(summarizer, registry=_registry())
    translation = api.translate_many(
        [source.text],
        beams=beams,
        batch_size=batch_size,
        unit=unit.value,
        max_unit_tokens=max_unit_tokens,
        normalize=None if normalize is NormalizeChoice.auto else normalize.value,
        flag_below=flag_below,
        engine=loaded,
        cache=_open_cache(use_cache),
    )[0]
    result = api.brief_from_translation(
        translation, _sentence_cap(sentences, words), words=words, summarizer=chosen
    )
    if output_format is DocumentFormat.json:
        _write_json({"path": source.name, **result.to_dict()})
    elif output_format is DocumentFormat.jsonl:
        _write(render.to_jsonl(render.document_record(source.name, translation, result)))
    elif output_format is DocumentFormat.markdown:
        _write(render.translation_markdown(translation, result) if full else _brief_markdown(result))
    else:
        _write(render.brief_text(result, full, bullets=style is BriefStyle.bullets))


def _brief_markdown(result: api.Brief) -> str:
    heading = f"# {result.headline}\n\n" if result.headline else ""
    return heading + "\n".join(f"- {sentence}" for sentence in result.summary.sentences)


class OutputKind(StrEnum):
    """Files written per input by ``translit batch``."""

    translation = "translation"
    brief = "brief"
    json = "json"


class BatchStream(StrEnum):
    """What ``translit batch`` writes to stdout."""

    none = "none"
    jsonl = "jsonl"


@app.command(
    epilog="Examples:  translit batch articles/ -o english/   |   "
    "translit batch articles/ --outputs translation,brief,json -o out/   |   "
    "translit batch articles/ --format jsonl | jq -r .brief[0]"
)
@handled
def batch(
    in_dir: Annotated[Path, typer.Argument(help="Folder of German articles (searched recursively).")],
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (mirrors the input tree).", metavar="OUT_DIR"),
    ] = None,
    outputs: Annotated[
        str, typer.Option("--outputs", help="Comma-separated: translation (NAME.en.txt), brief, json.")
    ] = "translation",
    patterns: Annotated[
        list[str] | None, typer.Option("--glob", help="File name pattern; repeatable (default *.txt).")
    ] = None,
    output_format: Annotated[
        BatchStream, typer.Option("--format", "-f", help="jsonl: also stream one JSON object per document.")
    ] = BatchStream.none,
    force: Annotated[bool, typer.Option("--force", help="Redo files whose outputs are up to date.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    model: ModelOption = None,
    sentences: SentencesOption = None,
    beams: BeamsOption = None,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
    group_size: Annotated[
        int, typer.Option("--group-size", min=1, help="Documents whose units share batches.")
    ] = 16,
    unit: UnitOption = UnitChoice.sentence,
    max_unit_tokens: MaxUnitOption = None,
    normalize: NormalizeOption = NormalizeChoice.auto,
    flag_below: FlagBelowOption = None,
    use_cache: CacheOption = True,
    strict_lang: StrictLangOption = False,
) -> None:
    """Translate every article in a folder tree, resumably.

    Per input NAME.txt the chosen outputs are written as NAME.en.txt, NAME.brief.txt
    and NAME.json under OUT_DIR, atomically. Files whose outputs are newer and were made
    with the same model and options are skipped (--force redoes them); an interrupted run
    finishes what is left. Bad files are reported and the batch goes on; the exit code is
    5 if any file failed.
    """
    from translit import batch as batch_mod
    from translit import progress

    kinds = tuple(dict.fromkeys(k.strip() for k in outputs.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in batch_mod.OUTPUT_KINDS]
    if unknown or not kinds:
        raise errors.InputError(
            f"--outputs: unknown kind {', '.join(unknown) or '(none)'} "
            f"(choose from {', '.join(batch_mod.OUTPUT_KINDS)})"
        )
    if out_dir is None and output_format is BatchStream.none:
        raise errors.InputError("give an output folder (-o OUT_DIR) or stream with --format jsonl")
    batch_mod.check_dirs(in_dir, out_dir)
    settings = batch_mod.BatchSettings(
        outputs=kinds,
        patterns=tuple(patterns or ["*.txt"]),
        force=force,
        sentences=sentences or 3,
        beams=beams,
        group_size=group_size,
        strict_lang=strict_lang,
        max_bytes=state.max_bytes,
        unit=unit.value,
        max_unit_tokens=max_unit_tokens,
        normalize=None if normalize is NormalizeChoice.auto else normalize.value,
        flag_below=flag_below,
    )
    loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    cache = _open_cache(use_cache)
    with progress.BatchProgress(enabled=not quiet) as bar:

        def on_result(result: batch_mod.DocumentResult) -> None:
            if result.status == "failed":
                bar.error(result.error or str(result.relative))
            elif result.status == "done" and output_format is BatchStream.jsonl:
                assert result.translation is not None
                record = render.document_record(str(result.relative), result.translation, result.brief)
                _write(render.to_jsonl(record))
            bar.advance(result)

        report = batch_mod.run_batch(
            in_dir, out_dir, loaded, settings, cache=cache, on_result=on_result, on_start=bar.start
        )
    if not quiet:
        progress.print_summary(report)
    if report.failures:
        raise typer.Exit(errors.EXIT_PARTIAL)


eval_app = typer.Typer(
    help="Measure quality: ROUGE of briefs against lead baselines, BLEU/chrF of translations.\n\n"
    "Examples:\n\n  translit eval summary ../shared/data/summ/cnndm_dev100.jsonl --sentences 3\n\n"
    "  translit eval translate test.de test.en --model opus-mt-de-en",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")


@eval_app.command("summary")
@handled
def eval_summary(
    data: Annotated[Path, typer.Argument(help="JSON Lines with 'article' and 'summary' per row.")],
    sentences: SentencesOption = None,
    words: WordsOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """ROUGE-1/2/Lsum (F1, stemmed) of translit's summariser, lead-1 and lead-3, in one run."""
    from translit import evaluate

    cap = _sentence_cap(sentences, words)
    result = evaluate.evaluate_summarizer(
        data, api.get_summarizer(), sentences=cap or 3, words=words, limit=limit
    )
    if as_json:
        _write_json(result.to_dict())
        return
    lines = [
        f"{data} ({result.rows} rows), translit with --sentences {cap}"
        + (f" --words {words}" if words else ""),
        "",
        f"{'system':24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-Lsum':>10}",
    ]
    for name, scores in result.systems.items():
        lines.append(f"{name:24} {scores.rouge1:8.2f} {scores.rouge2:8.2f} {scores.rougeLsum:10.2f}")
    _write("\n".join(lines))


@eval_app.command("translate")
@handled
def eval_translate(
    source: Annotated[Path, typer.Argument(help="German test set, one segment per line.")],
    reference: Annotated[Path, typer.Argument(help="English reference, line-aligned with SOURCE.")],
    model: ModelOption = None,
    beams: BeamsOption = None,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N lines.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """BLEU and chrF (sacrebleu) of translit's translation of SOURCE against REFERENCE."""
    import time

    from translit import evaluate

    sources = evaluate.read_lines(source)[:limit]
    references = evaluate.read_lines(reference)[:limit]
    if len(sources) != len(references):
        raise errors.InputError(f"{source} has {len(sources)} lines but {reference} has {len(references)}")
    loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    started = time.perf_counter()
    # Each line is its own document, so the segmenter's units apply line by line.
    translations = api.translate_many(sources, beams=beams, engine=loaded, batch_size=32)
    hypotheses = [" ".join(t.paragraphs) for t in translations]
    bleu, chrf = evaluate.score_translations(hypotheses, references)
    result = evaluate.TranslationEvaluation(
        str(source), str(reference), loaded.model_id, len(sources), bleu, chrf, time.perf_counter() - started
    )
    if as_json:
        _write_json(result.to_dict())
    else:
        _write(
            f"{source} → {reference} ({len(sources)} lines, model {loaded.model_id}): "
            f"BLEU {bleu:.2f}  chrF {chrf:.2f}  ({result.seconds:.1f}s)"
        )


cache_app = typer.Typer(
    help="Inspect or clear the persistent translation cache.\n\nExamples:\n\n  translit cache info\n\n"
    "  translit cache clear",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
@handled
def cache_info(output_format: FormatOption = OutputFormat.text) -> None:
    """Show where the translation cache is and how big it is."""
    info = TranslationCache().info()
    if output_format is OutputFormat.json:
        _write_json(info)
    else:
        _write(f"path: {info['path']}\nentries: {info['entries']}\nbytes: {info['bytes']}")


@cache_app.command("clear")
@handled
def cache_clear() -> None:
    """Delete every cached translation."""
    removed = TranslationCache().clear()
    _write(f"removed {removed} cached translations")


@models_app.command("list")
@handled
def models_list(output_format: FormatOption = OutputFormat.text) -> None:
    """List the models in models.toml and whether each is on this machine."""
    reg = _registry()
    rows: list[dict[str, Any]] = []
    for spec in reg.models.values():
        where = None if spec.builtin else registry.locate(spec)
        rows.append(
            {
                "name": spec.name,
                "task": spec.task,
                "repo": spec.repo,
                "revision": spec.revision,
                "present": spec.builtin or where is not None,
                "path": "(built in)" if spec.builtin else (str(where) if where else None),
            }
        )
    if output_format is OutputFormat.json:
        _write_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("name", "task", "repo", "present", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            row["task"],
            row["repo"] or "-",
            "yes" if row["present"] else "no",
            row["path"] or "-",
        )
    Console(no_color="NO_COLOR" in os.environ, width=200 if not sys.stdout.isatty() else None).print(table)


@models_app.command("path")
@handled
def models_path(name: Annotated[str, typer.Argument(help="Model name from models.toml.")]) -> None:
    """Print the folder that holds model NAME (exit 3 if it is not on this machine)."""
    reg = _registry()
    spec = reg.get(name)
    if spec.builtin:
        raise errors.ModelError(f"model '{name}' is built in and has no folder")
    where = registry.locate(spec)
    if where is None:
        raise errors.ModelError(
            f"model '{name}' is not on this machine (looked in {registry.looked_in(spec)}); "
            f"run 'translit models pull {name}' on a connected machine"
        )
    _write(str(where))


class Quantization(StrEnum):
    """Weight formats CTranslate2 can convert to."""

    int8 = "int8"
    int16 = "int16"
    float32 = "float32"


@models_app.command("convert")
@handled
def models_convert(
    model: Annotated[str, typer.Argument(help="Model name from models.toml, or a MarianMT folder.")],
    quantization: Annotated[Quantization, typer.Option("--quantization", "-q", help="Weight format.")] = (
        Quantization.int8
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Convert again even if a conversion exists.")
    ] = False,
) -> None:
    """Convert a MarianMT model for the fast CTranslate2 engine; prints the converted folder.

    The conversion is stored in translit's cache and found by later runs
    ('--engine auto' then picks CTranslate2).

    Example:  translit models convert opus-mt-de-en --quantization int8
    """
    from translit.engines import ct2

    _, directory = registry.resolve_model_dir(model, _registry(), "translation")
    _write(str(ct2.convert(directory, quantization.value, force=force)))


@models_app.command("pull")
@handled
def models_pull(name: Annotated[str, typer.Argument(help="Model name from models.toml.")]) -> None:
    """Download model NAME into the Hugging Face cache (needs the network)."""
    spec = _registry().get(name)
    stderr_console().print(f"translit: downloading {spec.repo}@{spec.revision} …")
    _write(str(registry.pull(spec)))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
