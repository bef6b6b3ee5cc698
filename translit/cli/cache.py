"""``translit cache``: inspect or clear the persistent translation cache."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from translit.cli.common import handled, write, write_json
from translit.cli.options import ReportFormat, ReportFormatOption
from translit.cli.usage import TranslitTyper

app = TranslitTyper(
    help="Inspect or clear the persistent translation cache.",
    epilog="Examples:\n\n  translit cache info\n\n  translit cache clear --yes",
    no_args_is_help=True,
)


@app.command("info", epilog="Examples:\n\n  translit cache info\n\n  translit cache info --format json")
@handled
def cache_info(output_format: ReportFormatOption = ReportFormat.text) -> None:
    """Show where the translation cache is, its state and size (creates nothing)."""
    from translit.cache import describe_cache

    info = describe_cache()
    if output_format is ReportFormat.json:
        write_json(info)
    else:
        write("\n".join(f"{key}: {value}" for key, value in info.items()))


@app.command("clear", epilog="Examples:\n\n  translit cache clear\n\n  translit cache clear --yes")
@handled
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every cached translation (asks first on a terminal; works on a damaged cache too)."""
    from translit.cache import TranslationCache, default_cache_path, describe_cache

    info = describe_cache()
    if info["state"] == "absent":
        write("removed 0 cached translations (there is no cache)")
        return
    if not yes and sys.stdin is not None and sys.stdin.isatty():
        question = f"Delete {info['entries']} cached translations in {info['path']}?"
        if not typer.confirm(question, err=True):  # Ctrl-C or end of input: exit 130 (handled)
            write(f"kept {info['entries']} cached translations")
            return
    cache = TranslationCache(default_cache_path())
    removed = cache.clear()
    cache.close()
    write(f"removed {removed} cached translations")
