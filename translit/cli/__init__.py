"""The ``translit`` command: parses arguments, calls the library, renders results.

One module per command group, each readable top to bottom on its own:

* :mod:`translit.cli.documents` — ``translate``, ``brief``, ``summarize``
* :mod:`translit.cli.batch` — ``batch`` (local or on Ray)
* :mod:`translit.cli.serve` — ``serve`` (the HTTP service)
* :mod:`translit.cli.models` — ``models list|path|pull|verify|convert``
* :mod:`translit.cli.cache` — ``cache info|clear``
* :mod:`translit.cli.eval` — ``eval summary|translate``
* :mod:`translit.cli.glossary` — ``glossary check``
* :mod:`translit.cli.common` — global options, defaults, output, errors, shared option types
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from translit.cli import batch, cache, documents, eval, glossary, models, serve
from translit.cli.common import EXIT_CODES_HELP, handled, prepare_stdout, state, write
from translit.config import load_config


def _plain_argument_help() -> None:
    """Arguments in --help as Unix tools write them: ``IN_DIR``, ``[FILE]...``.

    Typer writes a required argument as ``{IN_DIR}`` and adds the Python type
    (``FILE <list[str]>``); both read as noise to a shell user.
    """
    from typer.core import TyperArgument

    original = TyperArgument.display_type_rich

    def display_type(self: TyperArgument, ctx: typer.Context) -> str | None:
        return None if self.metavar else original(self, ctx)

    def usage_name(self: TyperArgument) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    TyperArgument.display_type_rich = display_type  # type: ignore[method-assign,assignment]
    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]


_plain_argument_help()

app = typer.Typer(
    name="translit",
    help="Offline German→English translation and briefs of news articles.\n\n"
    "Examples:\n\n"
    "  translit brief samples/musk-trump-interview.de.txt\n\n"
    "  translit translate -t 'Das ist ein Test.'\n\n"
    "  cat article.txt | translit translate > article.en.txt\n\n"
    "  translit translate --format json a.txt b.html c.md\n\n"
    "  translit batch articles/ -o english/\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from translit import __version__

        write(f"translit {__version__}")
        raise typer.Exit()


@app.callback()
@handled
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Add tracebacks and debug messages to errors.")
    ] = False,
    models_file: Annotated[
        Path | None,
        typer.Option(
            "--models", help="Extra models.toml (overrides $TRANSLIT_MODELS and ~/.config).", metavar="FILE"
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes",
            min=0,
            max=1 << 40,
            help="Largest input file accepted, in bytes (0: no limit; default 2 MiB).",
            metavar="N",
        ),
    ] = None,
    allow_pickle: Annotated[
        bool,
        typer.Option("--allow-pickle", help="Allow pickled pytorch_model.bin weights (loaded weights-only)."),
    ] = False,
) -> None:
    """Offline German→English translation and briefs of news articles."""
    state.debug = debug
    if allow_pickle:
        os.environ["TRANSLIT_ALLOW_PICKLE"] = "1"
    state.models_file = models_file
    state.config = load_config()
    state.max_bytes = max_bytes
    prepare_stdout()
    _handle_sigterm()


def _handle_sigterm() -> None:
    """Treat SIGTERM (``kill``) like Ctrl-C, so batch runs clean up their temporary files."""
    import signal
    import threading

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


documents.register(app)
batch.register(app)
serve.register(app)
app.add_typer(models.app, name="models")
app.add_typer(cache.app, name="cache")
app.add_typer(eval.app, name="eval")
app.add_typer(glossary.app, name="glossary")

# Global options and how many values each takes, so they may also follow the subcommand.
GLOBAL_OPTIONS = {"--debug": 0, "--allow-pickle": 0, "--models": 1, "--max-bytes": 1}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options that follow the subcommand in front of it (``translit translate --debug``)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and rest:
            takes = GLOBAL_OPTIONS[name] if "=" not in arg else 0
            front.extend(argv[i : i + 1 + takes])
            i += 1 + takes
            continue
        rest.append(arg)
        i += 1
    return front + rest


def ray_option_value(argv: list[str]) -> list[str]:
    """Let ``--ray`` stand alone: ``--ray`` alone means ``--ray=auto``.

    A following token is taken as the address only when it looks like one (``host:port``,
    ``ray://…``, ``local``, ``auto``), so ``--ray --workers 2`` and ``--ray IN_DIR`` work.
    """
    fixed: list[str] = []
    for i, arg in enumerate(argv):
        fixed.append(arg)
        if arg == "--ray":
            following = argv[i + 1] if i + 1 < len(argv) else ""
            looks_like_address = ":" in following or following in ("local", "auto")
            if not looks_like_address or following.startswith("-"):
                fixed[-1] = "--ray=auto"
    return fixed


def main() -> None:
    """Console-script entry point."""
    app(args=ray_option_value(hoist_global_options(sys.argv[1:])), prog_name="translit")


if __name__ == "__main__":
    main()
