"""Command-line options: each translation option's flag, declared once, and the shared ones.

The options of :class:`translit.options.Settings` are declared in :data:`SETTING_FLAGS`
(flag names and metavar; type, range, choices and help text come from the Settings field).
A command takes them with :func:`with_settings`, which adds the flags of the groups it names
to the command and hands it one ``settings`` object: the config file's values with the
command line's on top, checked by the same rules. So a new option is a Settings field, a row
here, and the code that uses it.

Why a computed ``__signature__``: typer makes a command's options from its function's
signature and from nothing else — the click it ships (``typer._click``, since 0.26) has no
``Option`` class or parameter types of its own, and typer's ``TyperOption`` needs typer's
private type descriptors. :pep:`362`'s ``__signature__`` is how a callable states its
signature to every reader of :func:`inspect.signature`, typer included; the flags' help and
usage errors read exactly as a hand-written parameter's (``tests/data/cli_surface.txt``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer

from translit.cli.common import environment
from translit.errors import InputError
from translit.options import (
    Group,
    OptionInfo,
    Settings,
    check_option,
    number_text,
    option_info,
    option_type,
)


class DocumentFormat(StrEnum):
    """How translated documents are written to stdout."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


class ReportFormat(StrEnum):
    """How a report is written to stdout."""

    text = "text"
    json = "json"


@dataclass(frozen=True)
class Flag:
    """How one Settings field is spelled on the command line."""

    names: tuple[str, ...]
    metavar: str | None = None


# Settings field -> its flags, from the fields' declarations (translit.options: help, flags,
# metavar, range and scope declared once). ``max_bytes`` is a global option (``translit --max-bytes``).
SETTING_FLAGS: dict[str, Flag] = {
    item.name: Flag(option_info(item.name).flags, option_info(item.name).metavar)
    for item in fields(Settings)
    if option_info(item.name).flags
}
GLOBAL_SETTINGS = ("max_bytes",)


def flag_name(name: str) -> str:
    """The long flag of Settings field ``name`` (``--max-unit-tokens``)."""
    return SETTING_FLAGS[name].names[0].split("/")[0]


def _annotation(name: str) -> Any:
    kinds = [k for k in option_type(name) if k is not type(None)]
    kind: Any = kinds[0] if kinds else str
    info = option_info(name)
    help_text = info.help
    upper = info.upper()
    if info.minimum is not None and upper is not None and kind in (int, float):
        help_text += f" [{number_text(info.minimum)}-{number_text(upper)}]"
    flag = SETTING_FLAGS[name]
    if info.choices is not None:  # a string option with listed values: typer offers an enum's
        kind = StrEnum(name.title().replace("_", ""), {c: c for c in info.choices})  # type: ignore[misc,no-redef]
    option = typer.Option(*flag.names, help=help_text, metavar=flag.metavar, show_default=False)
    if kind is tuple:  # a repeatable option
        return Annotated[list[str] | None, option]
    return Annotated[kind | None, option]


def setting_names(groups: tuple[Group, ...]) -> list[str]:
    """The Settings fields of ``groups`` that the command line sets per command."""
    return [
        f.name for f in fields(Settings) if option_info(f.name).group in groups and f.name in SETTING_FLAGS
    ]


F = TypeVar("F", bound=Callable[..., Any])


def with_settings(*groups: Group) -> Callable[[F], F]:
    """Give a command the flags of ``groups`` and one ``settings: Settings`` argument.

    The command's own ``settings`` parameter is replaced by one parameter per option; the
    values given (``None``: not given) go over the config file's through ``build``, a
    function ``overrides -> Settings`` the command module provides (see
    :func:`translit.cli.common.command_settings`).
    """

    def decorate(func: F) -> F:
        names = setting_names(groups)
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "settings"]
        added = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_annotation(n))
            for n in names
        ]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(n, None) for n in names}
            return func(*args, settings=command_settings(given), **kwargs)

        return cast(F, _shown_with(wrapper, signature, own, added))

    return decorate


def checked(name: str, value: Any) -> Any:
    """A command-line value for Settings field ``name``, or one :class:`InputError` naming the flag."""
    try:
        return check_option(name, value)
    except ValueError as exc:
        raise InputError(f"{flag_name(name)}: {exc}") from None


DocFormatOption = Annotated[
    DocumentFormat,
    typer.Option(
        "--format", "-f", help="text, json, jsonl (one JSON object per document, streamed), markdown."
    ),
]
ReportFormatOption = Annotated[ReportFormat, typer.Option("--format", "-f", help="text or json.")]
BilingualOption = Annotated[
    bool,
    typer.Option("--bilingual", help="German beside English: pairs (text/json), a table (markdown)."),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the results to FILE (atomically, when all is done) instead of stdout.",
        metavar="FILE",
    ),
]
TextOption = Annotated[
    str | None, typer.Option("--text", "-t", help="Use this text instead of files.", metavar="TEXT")
]
FilesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files to read; '-' reads stdin (also read when piped and no file is given).",
        metavar="FILE",
    ),
]


def command_settings(given: dict[str, Any]) -> Settings:
    """A command's Settings: the config file's values, then the global options, then ``given``.

    ``given`` maps Settings fields to command-line values (``None``: not given); a bad value
    is one error line naming its flag.
    """
    overrides = {name: checked(name, value) for name, value in given.items() if value is not None}
    options = environment().options
    if options.max_bytes is not None:
        overrides["max_bytes"] = options.max_bytes
    return options.config.settings(**overrides)


def _shown_with(
    wrapper: Any, signature: inspect.Signature, own: list[inspect.Parameter], added: list[inspect.Parameter]
) -> Any:
    """``wrapper`` as typer must see it: the command's own parameters plus the ``added`` flags
    (:func:`inspect.signature` reads ``__signature__`` before it follows ``__wrapped__``)."""
    parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + added
    wrapper.__signature__ = signature.replace(parameters=parameters)
    return wrapper


def declared_value(declaration: tuple[OptionInfo, Any], given: Any) -> Any:
    """The field's value from its flag's: a negating flag turns the default off, a repeatable
    flag's list becomes a tuple."""
    option, default = declaration
    if option.negates:
        return not given
    if isinstance(default, tuple):
        return tuple(given or ())
    return given


def with_declared_options(options: dict[str, tuple[OptionInfo, Any]]) -> Callable[[F], F]:
    """Give a command a flag for every declared option of its own settings (``ServeConfig``,
    ``BatchSettings``: default, help and range from the declaration), handed to the command as
    one ``declared`` dict of field name → value."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "declared"]
        added = []
        for name, (option, default) in options.items():
            flag = typer.Option(
                *option.flags,
                help=option.help,
                min=option.minimum,
                max=option.upper(),
                metavar=option.metavar,
            )
            # A negating flag is False unless given; a tuple is a repeatable flag.
            shown: Any = False if option.negates else None if isinstance(default, tuple) else default
            kind: Any = (
                bool if option.negates else list[str] | None if isinstance(default, tuple) else type(default)
            )
            added.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=shown, annotation=Annotated[kind, flag]
                )
            )

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            declared = {
                name: declared_value(options[name], kwargs.pop(name)) for name in options if name in kwargs
            }
            return func(*args, declared=declared, **kwargs)

        return cast(F, _shown_with(wrapper, signature, own, added))

    return decorate
