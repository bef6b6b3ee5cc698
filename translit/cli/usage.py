"""How a command's arguments read in ``--help``: as Unix tools write them (``IN_DIR``, ``[FILE]...``).

Typer writes a required argument as ``{IN_DIR}`` in the usage line and adds the Python type
beside it (``FILE <list[str]>``); both read as noise to a shell user. translit's commands are
made by :class:`TranslitTyper`, whose commands (:class:`TranslitCommand`) build their usage
line and their help's argument list themselves, through the command's own overridable
methods — the argument objects are typer's, unchanged, and nothing of typer's is patched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


def plain_usage(argument: TyperArgument) -> str:
    """``IN_DIR`` when required, ``[FILE]`` when not; ``...`` when it takes several."""
    name = argument.display_name_raw if argument.required else f"[{argument.display_name_raw}]"
    return name + ("..." if argument.nargs != 1 else "")


class TranslitCommand(TyperCommand):
    """A typer command whose arguments read as :func:`plain_usage` says, without a type column."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line's pieces: ``[OPTIONS]``, then each parameter (arguments plainly)."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces += (
                [plain_usage(param)] if isinstance(param, TyperArgument) else param.get_usage_pieces(ctx)
            )
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The Arguments and Options sections; an argument with a metavar has no type beside it
        (the metavar names what is wanted)."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                shown = param.display_type_rich(ctx)
                if param.metavar and shown:
                    record = (record[0].removesuffix(f" {shown}"), record[1])
                arguments.append(record)
            elif param.param_type_name == "option":
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


class TranslitTyper(typer.Typer):
    """A :class:`typer.Typer` whose commands are :class:`TranslitCommand` unless told otherwise."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunction], CommandFunction]:
        """As :meth:`typer.Typer.command`, with :class:`TranslitCommand` as the default class."""
        return super().command(name, cls=cls or TranslitCommand, **kwargs)
