"""``translit glossary``: check glossary files before a run uses them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from translit import errors
from translit.cli.common import handled, write, write_json
from translit.cli.options import ReportFormat, ReportFormatOption
from translit.cli.usage import TranslitTyper

app = TranslitTyper(
    help="Check glossaries (fixed renderings) and do-not-translate lists.",
    epilog="Examples:\n\n  translit glossary check terms.tsv\n\n  translit glossary check --keep names.txt",
    no_args_is_help=True,
)


@app.command(
    "check",
    epilog="Examples:\n\n"
    "  translit glossary check terms.tsv deepl-export.csv\n\n"
    "  translit glossary check --keep names.txt --format json",
)
@handled
def glossary_check(
    files: Annotated[list[str], typer.Argument(help="Glossary files (.tsv, .csv, .tbx).", metavar="FILE")],
    keep: Annotated[
        bool, typer.Option("--keep", help="The files are do-not-translate lists (one term per line).")
    ] = False,
    output_format: ReportFormatOption = ReportFormat.text,
) -> None:
    """Report every problem of glossary files, with its line: duplicates, empty sides, terms that never match.

    Exit 0 when the files can be used (duplicates are only warned about: the later line
    wins), 2 when a line cannot be used.
    """
    from translit.glossary import check_file

    report: list[dict[str, Any]] = []
    fatal = 0
    for name in files:
        entries, problems = check_file(name, keep_only=keep)
        fatal += sum(p.fatal for p in problems)
        report.append(
            {
                "file": name,
                # A source given twice is one entry (the later line wins).
                "entries": len({e.source for e in entries}),
                "keep": len({e.source for e in entries if e.keep}),
                "problems": [{"where": p.where, "error": p.fatal, "message": p.message} for p in problems],
            }
        )
    if output_format is ReportFormat.json:
        write_json(report[0] if len(report) == 1 else report)
    else:
        lines = []
        for item in report:
            for problem in item["problems"]:
                level = "error" if problem["error"] else "warning"
                lines.append(f"{problem['where']}: {level}: {problem['message']}")
            noun = "entry" if item["entries"] == 1 else "entries"
            lines.append(f"{item['file']}: {item['entries']} {noun} ({item['keep']} never translated)")
        write("\n".join(lines))
    if fatal:
        raise typer.Exit(errors.EXIT_INPUT)
