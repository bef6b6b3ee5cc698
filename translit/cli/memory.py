"""``translit memory``: the translation memory — corrections that stick.

Each command parses its arguments, calls :mod:`translit.memory` and renders the answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from translit.cli.common import handled, write, write_json
from translit.cli.options import ReportFormat, ReportFormatOption, command_settings
from translit.cli.usage import TranslitTyper

app = TranslitTyper(
    help="The translation memory: a person's English for a German sentence, used wherever it comes back.",
    epilog="Examples:\n\n"
    '  translit memory add "Die Polizei bittet um Hinweise." "Police are appealing for information."\n\n'
    "  translit memory import agency.tmx\n\n"
    "  translit memory review --accept 12",
    no_args_is_help=True,
)

MemoryOption = Annotated[
    str | None,
    typer.Option(
        "--memory",
        help="The memory file (default: the config's 'memory', else memory.sqlite3 in the cache folder).",
        metavar="FILE",
    ),
]


def _path(memory: str | None) -> str:
    """The memory file a command works on: ``--memory``, else the config's, else the default."""
    chosen = command_settings({"memory": memory}).memory
    return "" if chosen == "off" and memory is None else chosen


def _open(memory: str | None) -> Any:
    from translit.memory import writable_memory

    return writable_memory(_path(memory))


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _render(entries: list[Any], output_format: ReportFormat) -> None:
    if output_format is ReportFormat.json:
        write_json([entry.to_dict() for entry in entries])
        return
    lines = [
        "\t".join([str(e.id), e.source, e.target, e.origin, e.who, e.to_dict()["created"]]) for e in entries
    ]
    write("\n".join(lines) if lines else "")


@app.command(
    "add",
    epilog="Examples:\n\n"
    '  translit memory add "Die Polizei bittet um Hinweise." "Police are appealing for information."\n\n'
    '  translit memory add --who anna "Das ist gut. Das ist schlecht." "That is good. That is bad."',
)
@handled
def memory_add(
    german: Annotated[str, typer.Argument(help="The German sentence.", metavar="GERMAN")],
    english: Annotated[str, typer.Argument(help="Its English, as it should be used.", metavar="ENGLISH")],
    who: Annotated[
        str, typer.Option("--who", help="Who gave it (kept with the entry).", metavar="NAME")
    ] = "",
    memory: MemoryOption = None,
) -> None:
    """Add a German sentence and its English (several sentences are split into one entry each)."""
    from translit.memory import Entry, sentence_pairs

    with _open(memory) as store:
        stored = store.add(
            Entry(source, target, "cli", who) for source, target in sentence_pairs(german, english)
        )
    write(f"added {_entries(len(stored))} to {store.path}")


@app.command(
    "import",
    epilog="Examples:\n\n"
    "  translit memory import agency.tmx\n\n"
    "  translit memory import corrections.tsv old.tmx",
)
@handled
def memory_import(
    files: Annotated[
        list[str], typer.Argument(help="TMX 1.4 or TSV files (German<TAB>English).", metavar="FILE")
    ],
    memory: MemoryOption = None,
) -> None:
    """Import TMX or TSV files: all of them are checked first, then stored at once (or nothing)."""
    from translit.memory.exchange import import_files

    with _open(memory) as store:
        counts = import_files(store, files)
    write("\n".join(f"{name}: {_entries(count)} imported" for name, count in zip(files, counts, strict=True)))


@app.command(
    "export",
    epilog="Examples:\n\n  translit memory export memory.tmx\n\n  translit memory export - --to tsv | head",
)
@handled
def memory_export(
    file: Annotated[str, typer.Argument(help="A .tmx or .tsv file; '-' writes to stdout.", metavar="FILE|-")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="tmx or tsv (default: from FILE's extension; tsv for '-').", metavar="tmx|tsv"
        ),
    ] = None,
    memory: MemoryOption = None,
) -> None:
    """Write the entries in use to a TMX 1.4 or TSV file (atomically), or to stdout."""
    from translit.errors import InputError
    from translit.memory.exchange import FORMATS, entries_bytes, export_file

    if to is not None and to not in FORMATS:
        raise InputError(f"--to: '{to}' is not one of {', '.join(FORMATS)}")
    with _open(memory) as store:
        if file == "-":
            # Both formats are UTF-8 text: written as every result is (a closed pipe, a test's capture).
            write(entries_bytes(list(store.entries()), to or "tsv").decode("utf-8"))
            return
        count = export_file(store, Path(file), to)
    write(f"{file}: {_entries(count)} exported")


@app.command(
    "list",
    epilog="Examples:\n\n  translit memory list\n\n  translit memory list --search Polizei --format json",
)
@handled
def memory_list(
    search: Annotated[
        str | None, typer.Option("--search", help="Only entries whose German contains TEXT.", metavar="TEXT")
    ] = None,
    output_format: ReportFormatOption = ReportFormat.text,
    memory: MemoryOption = None,
) -> None:
    """List the entries in use: number, German, English, origin, who, when (tab-separated)."""
    with _open(memory) as store:
        entries = [e for e in store.entries() if search is None or search.lower() in e.source.lower()]
    _render(entries, output_format)


@app.command(
    "remove", epilog="Examples:\n\n  translit memory remove 12 13\n\n  translit memory list --search Polizei"
)
@handled
def memory_remove(
    numbers: Annotated[list[int], typer.Argument(help="Entry numbers (from 'memory list').", metavar="ID")],
    memory: MemoryOption = None,
) -> None:
    """Remove entries (in use or held for review) by their numbers."""
    from translit.errors import InputError

    with _open(memory) as store:
        missing = [n for n in numbers if store.get(n) is None]
        if missing:
            raise InputError(f"no entry numbered {', '.join(map(str, missing))} (see 'translit memory list')")
        removed = store.remove(numbers)
    write(f"removed {_entries(removed)}")


@app.command(
    "review",
    epilog="Examples:\n\n"
    "  translit memory review\n\n"
    "  translit memory review --accept 12 --accept 14\n\n"
    "  translit memory review --reject 13",
)
@handled
def memory_review(
    accept: Annotated[
        list[int] | None,
        typer.Option("--accept", help="Put this suggestion into use (repeatable).", metavar="ID"),
    ] = None,
    reject: Annotated[
        list[int] | None, typer.Option("--reject", help="Delete this suggestion (repeatable).", metavar="ID")
    ] = None,
    output_format: ReportFormatOption = ReportFormat.text,
    memory: MemoryOption = None,
) -> None:
    """List the suggestions held for review (from a service without API keys), or accept or reject them."""
    from translit.errors import InputError

    with _open(memory) as store:
        if not accept and not reject:
            _render(list(store.entries(review=True)), output_format)
            return
        chosen = [*(accept or []), *(reject or [])]
        wrong = [n for n in chosen if (entry := store.get(n)) is None or not entry.review]
        if wrong:
            numbers = ", ".join(map(str, wrong))
            raise InputError(
                f"no suggestion held for review numbered {numbers} (see 'translit memory review')"
            )
        accepted = store.accept(accept or [])
        rejected = store.remove(reject or [])
    write(f"accepted {accepted}, rejected {rejected}")
