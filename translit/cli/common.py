"""What every command shares: global options, error handling, output and inputs.

The option types shared by commands are in :mod:`translit.cli.options`.

Results go to stdout; warnings, errors and progress to stderr. Errors are one line
(``translit: error: …``) with a documented exit code; ``--debug`` adds the traceback and
changes nothing else.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

import typer

from translit import errors, registry
from translit.config import UserConfig
from translit.options import Settings

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 internal error (a bug: rerun with --debug and report it); "
    "2 bad usage or unusable input; 3 model missing or unusable; 4 network unavailable "
    "(models pull); 5 batch finished but some files failed; 6 output could not be written "
    "(full disk, closed stdout); 130 interrupted; 141 the reader of stdout went away."
)


@dataclass(frozen=True)
class GlobalOptions:
    """The global options of one invocation (``--debug``, ``--models``, ``--max-bytes``) and the
    user's config file, set by the top-level callback before the command runs."""

    debug: bool = False
    models_file: Path | None = None
    max_bytes: int | None = None  # --max-bytes, when given
    config: UserConfig = field(default_factory=UserConfig)


# Set by the callback of each invocation: a context variable rather than a module's mutable
# object, so that in-process runners (tests, an embedding program) each see their own.
_OPTIONS: ContextVar[GlobalOptions | None] = ContextVar("global_options", default=None)


def set_global_options(options: GlobalOptions) -> None:
    """Make ``options`` the global options of the invocation now running."""
    _OPTIONS.set(options)


log = logging.getLogger("translit")


@dataclass
class Environment:
    """Where a command's results and messages go, and what the terminal there allows.

    Every result a command writes goes through :meth:`write` of the current environment
    (:func:`environment`); by default that is the process's own streams as they are at that
    moment. A test builds one with its own streams and runs a command inside
    :func:`using` (as httpie's ``Environment``); ``-o FILE`` runs the command in one that
    holds the results (``captured``) until they are written, atomically, at the end.
    """

    stdout: TextIO | None = field(default_factory=lambda: sys.stdout)
    stderr: TextIO | None = field(default_factory=lambda: sys.stderr)
    no_color: bool = field(default_factory=lambda: "NO_COLOR" in os.environ)
    captured: list[str] | None = None
    """Results held for ``-o FILE`` (None: written to ``stdout`` as they come)."""
    console: Any = None
    """The rich console of a progress bar on ``stderr`` while it is shown: messages go
    through it, so that they are printed above the bar rather than into it."""

    @property
    def options(self) -> GlobalOptions:
        """The global options of the invocation the command runs in."""
        return _OPTIONS.get() or GlobalOptions()

    @property
    def colour(self) -> bool:
        """Colour and progress only for a person at a terminal: stderr is a TTY, NO_COLOR unset."""
        return not self.no_color and _is_tty(self.stderr)

    def write(self, text: str) -> None:
        """Write a result (a newline is added), flushed; output failures become exits."""
        line = text if text.endswith("\n") or not text else text + "\n"
        if self.captured is not None:
            self.captured.append(line)
            return
        if self.stdout is None:
            raise OutputError("cannot write results: stdout is closed")
        try:
            self.stdout.write(line)
            self.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise OutputError(f"cannot write results to stdout ({reason})") from None

    def message(self, line: str) -> None:
        """Write one message line on ``stderr``, flushed; a stderr that is gone takes nothing."""
        try:
            if self.stderr is not None:
                self.stderr.write(line + "\n")
                self.stderr.flush()
        except (OSError, ValueError):
            pass


def _is_tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


_ENVIRONMENT: ContextVar[Environment | None] = ContextVar("environment", default=None)


def environment() -> Environment:
    """The environment commands run in now: the one :func:`using` set, else the process's streams."""
    return _ENVIRONMENT.get() or Environment()


@contextmanager
def using(env: Environment) -> Iterator[Environment]:
    """Run what is inside with ``env``'s streams and terminal."""
    token = _ENVIRONMENT.set(env)
    try:
        yield env
    finally:
        _ENVIRONMENT.reset(token)


F = TypeVar("F", bound=Callable[..., Any])


# --- messages and errors ---------------------------------------------------------------


def colour_enabled() -> bool:
    """Colour and progress only for a person at a terminal (:attr:`Environment.colour`)."""
    return environment().colour


def stderr_console() -> Any:
    """A rich console on stderr; no escape codes at all unless :func:`colour_enabled`."""
    from rich.console import Console

    env = environment()
    if env.console is not None:
        return env.console
    if env.colour:
        return Console(file=env.stderr, highlight=False)
    return Console(file=env.stderr, highlight=False, color_system=None, force_terminal=False, width=200)


class _StderrHandler(logging.Handler):
    """Library log records as ``translit: warning: …`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        message = printable(record.getMessage())
        if not colour_enabled():
            environment().message(f"translit: {level}: {message}")
            return
        try:
            style = "yellow" if record.levelno == logging.WARNING else "red"
            stderr_console().print(f"[{style}]translit: {level}:[/] {message}", markup=True, soft_wrap=True)
        except (OSError, ValueError):
            pass


def setup_logging() -> None:
    """Route the library's log records to stderr (debug messages only with --debug)."""
    logger = logging.getLogger("translit")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.DEBUG if environment().options.debug else errors.NOTE)
    logger.propagate = False


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(message: str) -> str:
    """A message as one line: control characters (a newline in a file name, an escape
    sequence) shown as escapes, so no input can forge a line of its own."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], message)


def fail(message: str, code: int) -> typer.Exit:
    """Write one error line on stderr and return the Exit to raise."""
    environment().message(f"translit: error: {printable(message)}")
    return typer.Exit(code)


OutputError = errors.OutputError


class ReaderGone(Exception):
    """The reader of stdout went away (``| head``): stop quietly, as Unix filters do."""


def handled(func: F) -> F:
    """Turn errors into one stderr line and an exit code; ``--debug`` adds the traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_logging()
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except errors.TranslitError as exc:
            _traceback_if_debug()
            if isinstance(exc, errors.OutputError):
                _silence_stdout()  # what is still buffered must not fail again at exit
            raise fail(str(exc), exc.exit_code) from None
        except (KeyboardInterrupt, typer.Abort) as exc:  # Abort: Ctrl-C or end of input at a prompt
            _traceback_if_debug()
            raise fail(interrupted_message(exc), errors.EXIT_INTERRUPTED) from None
        except ReaderGone:
            _silence_stdout()
            raise typer.Exit(errors.EXIT_READER_GONE) from None
        except Exception as exc:
            _traceback_if_debug()
            raise fail(
                f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                errors.EXIT_INTERNAL,
            ) from None

    return wrapper  # type: ignore[return-value]


def interrupted_message(exc: BaseException) -> str:
    """What Ctrl-C ends with: "interrupted", and what was kept for the next run if anything was."""
    kept = exc.kept if isinstance(exc, errors.Interrupted) else 0
    if not kept:
        return "interrupted"
    return f"interrupted; {kept} translated unit(s) are kept in the cache: a rerun does not redo them"


def _traceback_if_debug() -> None:
    if environment().options.debug:
        traceback.print_exc(file=environment().stderr)


def silence_stdout_if_broken() -> None:
    """Flush stdout now; if its reader left or its device is full, point it at /dev/null, so
    that the interpreter's own flush at exit cannot print "Exception ignored" and exit 120."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# --- output --------------------------------------------------------------------------------


def prepare_stdout() -> None:
    """Write UTF-8 whatever the locale, so that no text is lost or crashes an ASCII stream.

    An encoding named explicitly in ``PYTHONIOENCODING`` is kept, with unencodable
    characters written as backslash escapes instead of failing.
    """
    stream = sys.stdout
    if stream is None or not hasattr(stream, "reconfigure"):
        return
    try:
        if os.environ.get("PYTHONIOENCODING"):
            stream.reconfigure(errors="backslashreplace")
        elif (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")
    except (OSError, ValueError):
        pass


def write(text: str) -> None:
    """Write a result through the current :class:`Environment` (a newline is added)."""
    environment().write(text)


def write_json(data: Any) -> None:
    """Pretty JSON on stdout, non-ASCII kept."""
    write(json.dumps(data, ensure_ascii=False, indent=2))


def _checked_output(output: Path, inputs: list[str] | None) -> Path:
    """``output`` resolved, refused where it is an input or a folder."""
    target = output.resolve()
    for name in inputs or []:
        if name != "-" and Path(name).resolve() == target:
            raise errors.InputError(f"{output}: is also an input; choose another output file")
    if target.is_dir():
        raise errors.InputError(f"{output}: is a directory; give a file name for -o")
    return target


def write_file(output: Path, data: str | bytes, inputs: list[str] | None = None) -> None:
    """Write a command's results to ``output`` atomically (never over an input)."""
    from translit.atomic import write_atomic

    target = _checked_output(output, inputs)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write ({exc.strerror})") from None


@contextmanager
def results_to(output: Path | None, inputs: list[str] | None = None) -> Iterator[None]:
    """Send what :func:`write` writes to ``output`` (``None`` or ``-``: stdout), atomically.

    The file is written once, when the command has succeeded: a failed or interrupted run
    leaves an existing file as it was. An input is never overwritten.
    """
    if output is None or str(output) == "-":
        yield
        return
    _checked_output(output, inputs)
    held = replace(environment(), captured=[])
    with using(held):
        yield
    write_file(output, "".join(held.captured or []), inputs)


@contextmanager
def spinner(message: str, enabled: bool = True) -> Iterator[Any]:
    """A spinner on stderr while something slow runs (only for a person at a terminal)."""
    if not (enabled and colour_enabled()):
        yield None
        return
    with stderr_console().status(message, spinner="dots") as status:
        yield status


# --- inputs ----------------------------------------------------------------------------------


_WARNED_BROKEN: set[str] = set()


def registry_(*using: object, quiet: bool = False) -> registry.Registry:
    """The registry with --models applied; an entry that cannot be used is named once (a
    warning) and unusable, while every other model and ``--model DIR`` still work.

    ``using``: the model names the command will look up (a broken one among them is
    reported by the lookup itself, as an error, not warned about first).
    """
    loaded = registry.load_registry(environment().options.models_file)
    for name, problem in loaded.broken.items():
        if not quiet and name not in using and name not in _WARNED_BROKEN:
            _WARNED_BROKEN.add(name)
            log.warning("%s; that entry is ignored", problem)
    return loaded


def source_arguments(files: list[str] | None, text: str | None, takes_text: bool = True) -> list[str]:
    """The inputs of a command: files, ``-``, or stdin when it is piped and nothing else is given.

    ``takes_text``: the command has ``--text`` (the message offers it).
    """
    if text is not None:
        if files:
            raise errors.InputError("give files or --text, not both")
        return []
    if files:
        return files
    if sys.stdin is not None and not sys.stdin.isatty():
        return ["-"]
    text_option = ", or --text" if takes_text else ""
    raise errors.InputError(f"no input: give a file, '-' for stdin{text_option} (see --help)")


def translator_for(settings: Settings) -> Any:
    """The :class:`~translit.translator.Translator` of a command (``--models`` applied)."""
    from translit.translator import Translator

    return Translator(settings=settings, registry=registry_(settings.model, settings.summarizer))


def load_engine(translator: Any, needed: bool = True) -> None:
    """Load the translator's engine now, with a spinner, so that a missing model fails first."""
    if needed:
        with spinner("loading the translation model …"):
            translator.engine  # noqa: B018 - loading is the point


def read_documents(translator: Any, files: list[str] | None, text: str | None) -> list[Any]:
    """The command's inputs — files, ``-`` (stdin), piped stdin or ``--text`` — read and checked."""
    if text is not None:
        source_arguments(files, text)
        return [translator.read(text, "<text>")]
    return [translator.read(Path(name)) for name in source_arguments(files, text)]
