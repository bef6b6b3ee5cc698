"""The ``translit`` command: parses arguments, calls the library, renders results.

One module per command group, each readable top to bottom on its own:

* :mod:`translit.cli.documents` — ``translate``, ``brief``, ``summarize``
* :mod:`translit.cli.batch` — ``batch`` (local or on Ray)
* :mod:`translit.cli.serve` — ``serve`` (the HTTP service)
* :mod:`translit.cli.models` — ``models list|path|pull|verify|convert``
* :mod:`translit.cli.cache` — ``cache info|clear``
* :mod:`translit.cli.eval` — ``eval summary|translate``
* :mod:`translit.cli.glossary` — ``glossary check``
* :mod:`translit.cli.memory` — ``memory add|import|export|list|remove|review``
* :mod:`translit.cli.common` — global options, defaults, output, errors, shared option types
* :mod:`translit.cli.usage` — how commands and their arguments read in ``--help``
* :mod:`translit.cli.reference`, :mod:`translit.cli.manpage` — the command reference and the
  man page, made from ``--help``
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

# typer (0.26 and later, as pyproject asks) runs on its own copy of click: the usage errors
# translit words itself are that click's.
from typer._click.exceptions import (
    ClickException,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperGroup

from translit.cli import batch, cache, documents, eval, glossary, memory, models, serve
from translit.cli.common import (
    EXIT_CODES_HELP,
    GlobalOptions,
    environment,
    handled,
    prepare_stdout,
    printable,
    set_global_options,
    silence_stdout_if_broken,
    write,
)
from translit.cli.usage import TranslitTyper
from translit.config import load_config
from translit.readers import input_extensions


class TranslitGroup(TyperGroup):
    """The top-level command group, with translit's manners for usage errors.

    Click writes usage errors as a usage block and ``Error: …``; translit writes every error
    as one line, ``translit: error: …`` (exit 2), with a hint where a first try is likely
    to have meant something else (``translit article.txt``, ``echo … | translit``).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Click's parsing, after putting the arguments in the order click reads: global options
        before the command (``translit translate --debug``), a command's own options after it
        (``translit -m DIR translate``), and ``--ray`` alone as ``--ray=auto``. Done here, in the
        group, so that every caller — the console script, ``python -m translit``, a test's
        ``CliRunner`` — gets the same reading."""
        ordered = ray_option_value(sink_command_options(self, hoist_global_options(list(args))))
        return list(super().parse_args(ctx, ordered))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; usage errors as one line (exit 2), Ctrl-C as exit 130."""
        standalone = kwargs.pop("standalone_mode", True)
        argv = list(kwargs.pop("args", None) or (args[0] if args else None) or sys.argv[1:])
        args = args[1:]
        if not argv and sys.stdin is not None and not sys.stdin.isatty():
            return _usage_error(
                "no command given; to translate what you pipe in: ... | translit translate", standalone
            )
        try:
            code = super().main(argv, *args, **{**kwargs, "standalone_mode": False})
        except NoArgsIsHelpError as exc:
            exc.show()  # a group given no subcommand: its help, as click does
            code = 2
        except UsageError as exc:
            return _usage_error(_usage_message(exc) + _usage_hint(exc, argv), standalone, exc.ctx)
        except ClickException as exc:
            return _usage_error(exc.format_message(), standalone, code=exc.exit_code)
        except typer.Abort:
            environment().message("translit: interrupted")
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone:
            sys.exit(code)
        return code


def _usage_message(exc: Any) -> str:
    """Click's message in translit's words: the closest option only, no validator's prefix."""
    if isinstance(exc, NoSuchOption) and exc.possibilities:
        # Click offers every option within reach ("--engine, --sentences" for --sentence);
        # the closest one is what was meant.
        closest = difflib.get_close_matches(exc.option_name, exc.possibilities, n=1, cutoff=0.0)
        return f"No such option: {exc.option_name}. Did you mean {closest[0]}?"
    # typer validates choices with pydantic, whose messages begin "Value error, ".
    message: str = exc.format_message()
    return message.replace("Value error, ", "")


def _usage_hint(exc: Any, argv: list[str]) -> str:
    """A hint for the first tries that go wrong most often."""
    message = exc.format_message()
    if message.startswith("No such command"):
        word = message.split("'")[1] if "'" in message else ""
        if os.path.exists(word) or Path(word).suffix.lower() in (*input_extensions(), ".json"):
            return f" (to translate a file: translit translate {word})"
        if "Did you mean" in message:
            return ""
        # The commands of the group the word was given to ("translit models lst": models' own).
        group: Any = exc.ctx.command if exc.ctx is not None else typer.main.get_command(app)
        return " (commands: " + ", ".join(sorted(group.commands)) + ")"
    return ""


def _usage_error(message: str, standalone: bool, ctx: Any = None, code: int = 2) -> int:
    command = ctx.command_path if ctx is not None else "translit"
    environment().message(f"translit: error: {printable(message)}")
    if code == 2:
        environment().message(f"(see '{command} --help')")
    if standalone:
        sys.exit(code)
    return code


app = TranslitTyper(
    name="translit",
    cls=TranslitGroup,
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
    if allow_pickle:
        os.environ["TRANSLIT_ALLOW_PICKLE"] = "1"
    set_global_options(GlobalOptions(debug, models_file, max_bytes, load_config()))
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
app.add_typer(memory.app, name="memory")

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


def sink_command_options(group: Any, argv: list[str]) -> list[str]:
    """Move a command's own options given before it to after it (``translit -m DIR translate``).

    Only options that the named command knows are moved (with their values), so a typo
    still ends in a usage error; global options stay in front.
    """
    if not argv or not argv[0].startswith("-"):
        return argv  # the command comes first (the usual case): nothing to move
    names = set(group.commands)
    position = next((i for i, arg in enumerate(argv) if arg in names), None)
    if not position:
        return argv
    path_end = position + 1
    command = group.commands[argv[position]]
    while hasattr(command, "commands") and path_end < len(argv) and argv[path_end] in command.commands:
        command = command.commands[argv[path_end]]
        path_end += 1
    takes_value = {
        opt: not (param.is_flag or param.count)
        for param in command.params
        if hasattr(param, "is_flag")
        for opt in param.opts + param.secondary_opts
    }
    front: list[str] = []
    moved: list[str] = []
    i = 0
    while i < position:
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes = GLOBAL_OPTIONS[name] if "=" not in arg else 0
            front.extend(argv[i : i + 1 + takes])
            i += 1 + takes
        elif name in takes_value:
            takes = 1 if takes_value[name] and "=" not in arg else 0
            moved.extend(argv[i : i + 1 + takes])
            i += 1 + takes
        else:
            front.append(arg)
            i += 1
    return front + argv[position:path_end] + moved + argv[path_end:]


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
    try:
        app(prog_name="translit")
    except SystemExit as exc:
        if exc.code == 130:
            _leave_now(130)
        silence_stdout_if_broken()
        raise
    silence_stdout_if_broken()


def _leave_now(code: int) -> None:
    """Exit at once after Ctrl-C, without waiting for the engine's threads.

    Everything translit must finish has finished by now (temporary outputs removed, the
    cache closed, Ray shut down: all on the way out of the command); what is left is the
    engine's worker pool, which at interpreter exit would first translate the batches
    still queued — seconds, for a long article.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
