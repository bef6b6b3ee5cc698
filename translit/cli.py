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

from translit import api, errors, registry
from translit.textio import read_source

EXIT_CODES_HELP = """
Exit codes: 0 success; 1 internal error (a bug: rerun with --debug and report it);
2 bad usage or unreadable/invalid input; 3 model missing or unusable;
4 network unavailable (models pull); 130 interrupted.
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


class _State:
    debug = False
    models_file: Path | None = None


state = _State()
F = TypeVar("F", bound=Callable[..., Any])


def _stderr_console() -> Any:
    from rich.console import Console

    # rich already drops colour for non-TTYs and when NO_COLOR is set.
    return Console(stderr=True, highlight=False, no_color="NO_COLOR" in os.environ)


class _StderrHandler(logging.Handler):
    """Library log records as ``translit: warning: …`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        style = "yellow" if record.levelno == logging.WARNING else "red"
        try:
            _stderr_console().print(
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
) -> None:
    """Offline German→English translation and briefs of news articles."""
    state.debug = debug
    state.models_file = models


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
BeamsOption = Annotated[
    int | None, typer.Option("--beams", min=1, help="Beam size (default: the model's generation_config).")
]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Chunks translated together.")]


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
SentencesOption = Annotated[int, typer.Option("--sentences", "-n", min=1, help="Sentences in the brief.")]


@app.command(epilog="Examples:  translit translate article.txt   |   cat a.txt | translit translate -")
@handled
def translate(
    files: Annotated[
        list[str], typer.Argument(help="German text files; '-' reads stdin.", metavar="FILE...|-")
    ],
    model: ModelOption = None,
    output_format: FormatOption = OutputFormat.text,
    beams: BeamsOption = None,
    batch_size: BatchOption = 16,
    max_chunk_tokens: Annotated[
        int | None, typer.Option("--max-chunk-tokens", min=1, help="Lower the per-chunk token budget.")
    ] = None,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
    max_batch_tokens: Annotated[
        int | None,
        typer.Option("--max-batch-tokens", min=1, help="Bound each batch by padded source tokens."),
    ] = None,
) -> None:
    """Translate German articles to English: one output paragraph per input paragraph.

    With several files, their chunks share length-sorted batches; text output separates
    the files with '==> FILE <==' headers and JSON output is a list.
    """
    sources = [read_source(f) for f in files]
    loaded = None
    if any(source.text.strip() for source in sources):
        loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    translations = api.translate_many(
        [source.text for source in sources],
        model,
        beams=beams,
        batch_size=batch_size,
        max_batch_tokens=max_batch_tokens,
        max_chunk_tokens=max_chunk_tokens,
        engine=loaded,
    )
    results = [(source.name, result) for source, result in zip(sources, translations, strict=True)]
    if output_format is OutputFormat.json:
        docs = [{"path": name, **r.to_dict()} for name, r in results]
        _write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (name, result) in enumerate(results):
        if len(results) > 1:
            _write(("\n" if i else "") + f"==> {name} <==")
        if result.paragraphs:
            _write(result.text)


@app.command(epilog="Example:  translit summarize -n 2 article.en.txt")
@handled
def summarize(
    file: Annotated[str, typer.Argument(help="English text file; '-' reads stdin.", metavar="FILE|-")],
    sentences: SentencesOption = 3,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Write a short brief of English text (sentences chosen from it, in order)."""
    source = read_source(file)
    summary = api.summarize(source.text, sentences)
    if output_format is OutputFormat.json:
        _write_json({"path": source.name, "brief": summary.sentences, "method": summary.method})
    elif summary.sentences:
        _write(summary.text)


@app.command(epilog="Examples:  translit brief article.txt   |   translit brief --full -n 5 article.txt")
@handled
def brief(
    file: Annotated[str, typer.Argument(help="German text file; '-' reads stdin.", metavar="FILE|-")],
    model: ModelOption = None,
    sentences: SentencesOption = 3,
    full: Annotated[bool, typer.Option("--full", help="Add the full translation under the brief.")] = False,
    output_format: FormatOption = OutputFormat.text,
    beams: BeamsOption = None,
    batch_size: BatchOption = 16,
    engine: EngineOption = EngineChoice.auto,
    threads: ThreadsOption = None,
) -> None:
    """Translate a German article and write a short English brief of it."""
    source = read_source(file)
    if not source.text.strip():
        if output_format is OutputFormat.json:
            _write_json({"path": source.name, "brief": [], "translations": []})
        return
    loaded = api.get_engine(model, engine=engine.value, threads=threads, registry=_registry())
    result = api.brief(source.text, sentences=sentences, beams=beams, batch_size=batch_size, engine=loaded)
    if output_format is OutputFormat.json:
        _write_json({"path": source.name, **result.to_dict()})
        return
    parts = [result.text] if result.summary.sentences else []
    if full:
        parts.append(result.translation.text)
    _write("\n\n".join(p for p in parts if p))


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
    from translit import ct2

    _, directory = registry.resolve_model_dir(model, _registry(), "translation")
    _write(str(ct2.convert(directory, quantization.value, force=force)))


@models_app.command("pull")
@handled
def models_pull(name: Annotated[str, typer.Argument(help="Model name from models.toml.")]) -> None:
    """Download model NAME into the Hugging Face cache (needs the network)."""
    spec = _registry().get(name)
    _stderr_console().print(f"translit: downloading {spec.repo}@{spec.revision} …")
    _write(str(registry.pull(spec)))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
