"""How a command's arguments read in ``--help``: as Unix tools write them (``IN_DIR``, ``[FILE]...``).

Typer writes a required argument as ``{IN_DIR}`` in the usage line and adds the Python type
beside it (``FILE <list[str]>``); both read as noise to a shell user. translit's commands are
made by :class:`TranslitTyper`, whose commands (:class:`TranslitCommand`) give their
arguments that plain look through the overridable methods of typer's and click's classes —
nothing of typer's is patched, so another typer app in the same process is not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


class PlainArgument(TyperArgument):
    """An argument shown by its metavar alone: no braces, no Python type."""

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        """``IN_DIR`` when required, ``[FILE]`` when not; ``...`` when it takes several."""
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return [name + ("..." if self.nargs != 1 else "")]

    def display_type_rich(self, ctx: Any) -> str | None:
        """No type column for an argument that has a metavar (it names what is wanted)."""
        return None if self.metavar else super().display_type_rich(ctx)


class TranslitCommand(TyperCommand):
    """A typer command whose arguments are :class:`PlainArgument`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            # Typer builds its argument objects itself and takes no class for them; only
            # their help differs, so the object is given the subclass's methods.
            if type(param) is TyperArgument:
                param.__class__ = PlainArgument


class TranslitTyper(typer.Typer):
    """A :class:`typer.Typer` whose commands are :class:`TranslitCommand` unless told otherwise."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunction], CommandFunction]:
        """As :meth:`typer.Typer.command`, with :class:`TranslitCommand` as the default class."""
        return super().command(name, cls=cls or TranslitCommand, **kwargs)
