"""The manual page, ``translit.1``, generated from the CLI itself: ``man translit`` reads what
``--help`` says, so it cannot go stale.

Neither typer nor click writes man pages, and the command reference
(:mod:`translit.cli.reference`) already has every command's help; this module sets the same
text in roff (each help as a preformatted block, so click's layout is kept) with the sections a
man page has: name, synopsis, description, commands, exit status, environment.

    python -m translit.cli.manpage                # the page on stdout
    python -m translit.cli.manpage ~/.local/share/man/man1/translit.1   # installed: man translit
"""

from __future__ import annotations

import sys
from pathlib import Path

from translit.cli.reference import command_paths, help_text

SUMMARY = "translate German news into English and write briefs, offline"


def roff_text(text: str) -> str:
    """``text`` safe to set as roff lines: backslashes escaped, a line that starts with a control
    character (``.`` or ``'``) kept as text, and every non-ASCII character written as its
    code point (``\\[u2192]``), which any roff reads whatever its input encoding."""
    escaped = text.replace("\\", "\\e")
    escaped = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in escaped)
    lines = []
    for line in escaped.splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def _preformatted(text: str) -> str:
    return f".nf\n{roff_text(text.rstrip())}\n.fi"


def _exit_status() -> str:
    """The exit codes, one paragraph each, from the same text ``--help`` shows."""
    from translit.cli.common import EXIT_CODES_HELP

    codes = EXIT_CODES_HELP.removeprefix("Exit codes: ").rstrip(".").split("; ")
    parts = []
    for code in codes:
        number, _, meaning = code.partition(" ")
        parts.append(f".TP\n.B {number}\n{roff_text(meaning)}")
    return "\n".join(parts)


def _environment() -> str:
    """Every environment variable translit reads, from :data:`translit.config.ENVIRONMENT`."""
    from translit.config import ENVIRONMENT

    return "\n".join(
        f".TP\n.B {roff_text(name)}\n{roff_text(meaning)}" for name, meaning in ENVIRONMENT.items()
    )


def manual_page() -> str:
    """The whole page, in roff (``man -l`` shows it)."""
    from translit import __version__

    paths = command_paths()
    sections = [
        f'.TH TRANSLIT 1 "" "translit {__version__}" "User Commands"',
        f".SH NAME\ntranslit \\- {SUMMARY}",
        ".SH SYNOPSIS\n.B translit\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION\n" + _preformatted(help_text([])),
        ".SH COMMANDS",
    ]
    for path in paths[1:]:
        sections.append(f".SS translit {' '.join(path)}\n" + _preformatted(help_text(path)))
    sections += [
        ".SH EXIT STATUS\n" + _exit_status(),
        ".SH ENVIRONMENT\n" + _environment(),
        ".SH SEE ALSO\nThe documentation site, built from the repository's \\fIdocs/\\fR "
        "(\\fBmkdocs serve\\fR).",
    ]
    return "\n".join(sections) + "\n"


def main(argv: list[str]) -> int:
    """Print the page, or write it to the one path given (its folder made, written atomically)."""
    page = manual_page()
    if not argv:
        sys.stdout.write(page)
        return 0
    from translit.atomic import write_atomic

    target = Path(argv[0]).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, page)
    sys.stderr.write(f"translit: wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
