"""The command reference, generated from the CLI itself: every command's ``--help``, as Markdown.

The documentation site's commands page is made from this at build time (``docs/hooks.py``), so
a new command or option appears there without editing a page, and a test checks the page
against ``--help``. ``python -m translit.cli.reference`` prints it.
"""

from __future__ import annotations


def command_paths() -> list[list[str]]:
    """Every command of the CLI as the words that call it (``[]``: translit itself), in order."""
    import typer

    from translit.cli import app

    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def help_text(path: list[str]) -> str:
    """``translit PATH --help`` as a terminal without colour shows it (click's 80 columns)."""
    from typer.testing import CliRunner

    from translit.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], env={"NO_COLOR": "1", "TERM": "dumb"})
    return result.output.rstrip() + "\n"


def reference_markdown() -> str:
    """The whole reference: a heading and a ``text`` block per command."""
    parts = []
    for path in command_paths():
        name = " ".join(["translit", *path])
        level = "#" * min(2 + len(path), 4)
        parts.append(f"{level} `{name}`\n\n```text\n{help_text(path)}```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference_markdown())
