"""Errors that translit reports to users, each with its documented exit code.

The CLI turns every :class:`TranslitError` into one line on stderr and exits with
``exit_code``; anything else is a bug and exits with :data:`EXIT_INTERNAL`.
"""

from __future__ import annotations

import logging

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_MODEL = 3
EXIT_NETWORK = 4
EXIT_PARTIAL = 5
EXIT_OUTPUT = 6
EXIT_INTERRUPTED = 130
EXIT_READER_GONE = 141  # 128 + SIGPIPE, what a shell reports for a filter whose reader left

# A log level for news that is neither a problem nor debug detail ("converting … once").
NOTE = 25
logging.addLevelName(NOTE, "NOTE")


class TranslitError(Exception):
    """Base class for errors with a message meant for the user."""

    exit_code = EXIT_INTERNAL


class InputError(TranslitError):
    """The input (a file, stdin, an option value) cannot be used."""

    exit_code = EXIT_INPUT


class ModelError(TranslitError):
    """A model is missing, incomplete or unusable."""

    exit_code = EXIT_MODEL


class RegistryError(ModelError):
    """models.toml is malformed or names an unknown model."""


class NetworkError(TranslitError):
    """A download (``translit models pull``) could not reach the network."""

    exit_code = EXIT_NETWORK


class OutputError(TranslitError):
    """Results cannot be written: a full disk, a closed stream."""

    exit_code = EXIT_OUTPUT


class Interrupted(KeyboardInterrupt):
    """Ctrl-C after some work was kept: ``kept`` translated units went into the cache.

    A :class:`KeyboardInterrupt`, so whatever stops on Ctrl-C still does; a front end can say
    that a rerun goes on from there.
    """

    def __init__(self) -> None:
        super().__init__()
        self.kept = 0
