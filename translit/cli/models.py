"""``translit models``: list, locate, download, verify and convert the models of models.toml."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from translit import errors, registry
from translit.cli.common import (
    colour_enabled,
    environment,
    handled,
    load_engine,
    registry_,
    stderr_console,
    translator_for,
    write,
    write_json,
)
from translit.cli.options import ReportFormat, ReportFormatOption, with_settings
from translit.cli.usage import TranslitTyper
from translit.options import Settings

NameArgument = Annotated[str, typer.Argument(help="Model name from models.toml.", metavar="NAME")]

app = TranslitTyper(
    help="List, locate, download, verify and convert the models in models.toml.",
    epilog="Examples:\n\n"
    "  translit models list\n\n"
    "  translit models pull opus-mt-de-en\n\n"
    "  translit models verify opus-mt-de-en\n\n"
    "  translit models path opus-mt-de-en\n\n"
    "  translit models convert opus-mt-de-en --quantization int8\n\n"
    "  translit models calibrate opus-mt-de-en my-articles/*.txt",
    no_args_is_help=True,
)


@app.command("list", epilog="Examples:\n\n  translit models list\n\n  translit models list --format json")
@handled
def models_list(output_format: ReportFormatOption = ReportFormat.text) -> None:
    """List the models in models.toml (yours included) and whether each is on this machine."""
    reg = registry_(quiet=True)
    if reg.broken:  # the command that shows the registry says what is wrong with it, and fails
        raise errors.RegistryError(next(iter(reg.broken.values())))
    rows: list[dict[str, Any]] = []
    for spec in reg.models.values():
        where = None if spec.builtin else registry.locate(spec)
        rows.append(
            {
                "name": spec.name,
                "task": spec.task,
                "repo": spec.repo,
                "revision": spec.revision,
                "present": spec.builtin or where is not None,
                "path": "(built in)" if spec.builtin else (str(where) if where else None),
                "source": registry.spec_source(reg, spec.name),
            }
        )
    if output_format is ReportFormat.json:
        write_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold" if colour_enabled() else None)
    for column in ("name", "task", "repo", "present", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            row["task"],
            row["repo"] or "-",
            "yes" if row["present"] else "no",
            row["path"] or "-",
        )
    # Rendered to text and written as every result is (so -o and a closed stdout behave alike);
    # colour and the terminal's width only when the results go to a terminal.
    env = environment()
    on_terminal = env.captured is None and env.stdout is not None and env.stdout.isatty()
    rendered = io.StringIO()
    console = Console(
        file=rendered,
        force_terminal=on_terminal and colour_enabled(),
        color_system="auto" if on_terminal and colour_enabled() else None,
        width=Console().width if on_terminal else 200,
    )
    console.print(table)
    write(rendered.getvalue())


@app.command(
    "path", epilog="Examples:\n\n  translit models path opus-mt-de-en\n\n  translit models path ./my-model"
)
@handled
def models_path(
    name: Annotated[
        str, typer.Argument(help="Model name from models.toml, or a model folder.", metavar="NAME|DIR")
    ],
) -> None:
    """Print the folder that holds model NAME (exit 3 if it is not on this machine)."""
    reg = registry_(name)
    folder = Path(name).expanduser()
    if folder.is_dir():
        registry.check_model_folder(folder)
        write(str(folder.resolve()))
        return
    spec = reg.get(name)
    if spec.builtin:
        raise errors.ModelError(f"model '{name}' is built in and has no folder")
    where = registry.locate(spec)
    if where is None:
        raise errors.ModelError(
            f"model '{name}' is not on this machine (looked in {registry.looked_in(spec)}); "
            f"run 'translit models pull {name}' on a connected machine"
        )
    write(str(where))


@app.command(
    "pull",
    epilog="Examples:\n\n  translit models pull opus-mt-de-en\n\n"
    "  HF_ENDPOINT=https://mirror.example translit models pull opus-mt-de-en",
)
@handled
def models_pull(name: NameArgument) -> None:
    """Download model NAME into the Hugging Face cache and record what was fetched.

    The commit it resolved and the sha256 of every file are written to a lock file beside
    your models.toml, so that later pulls and 'translit models verify' check against them.
    """
    spec = registry_(name).get(name)
    if spec.builtin:
        raise errors.ModelError(f"model '{name}' is built in; there is nothing to download")
    if colour_enabled():
        stderr_console().print(f"translit: downloading {spec.repo}@{spec.revision} …")
    else:
        environment().message(f"translit: downloading {spec.repo}@{spec.revision} …")
    from translit.download import pull

    write(str(pull(spec, progress=colour_enabled())))


@app.command("verify", epilog="Examples:\n\n  translit models verify opus-mt-de-en")
@handled
def models_verify(name: NameArgument) -> None:
    """Check model NAME's files against the sha256 recorded by 'models pull' (and models.toml)."""
    spec = registry_(name).get(name)
    from translit.download import verify

    checked = verify(spec)
    write(f"{name}: {checked} file(s) match their recorded sha256")


class Quantization(StrEnum):
    """Weight formats CTranslate2 can convert to."""

    int8 = "int8"
    int16 = "int16"
    float32 = "float32"


ModelArgument = Annotated[
    str, typer.Argument(help="Model name from models.toml, or a MarianMT folder.", metavar="NAME|DIR")
]
QuantizationOption = Annotated[Quantization, typer.Option("--quantization", "-q", help="Weight format.")]


@app.command(
    "convert",
    epilog="Examples:\n\n  translit models convert opus-mt-de-en\n\n"
    "  translit models convert ./my-model -q float32\n\n"
    "  translit models convert opus-mt-de-en --shortlist ../archive/2024/",
)
@handled
def models_convert(
    model: ModelArgument,
    quantization: QuantizationOption = Quantization.int8,
    force: Annotated[
        bool, typer.Option("--force", help="Convert again even if a conversion exists.")
    ] = False,
    shortlist: Annotated[
        list[Path] | None,
        typer.Option(
            "--shortlist",
            help="Also build a vocabulary shortlist from German text like yours (files or folders "
            "of .txt; repeatable): faster decoding, used only if its check passes.",
            metavar="FILE|DIR",
        ),
    ] = None,
) -> None:
    """Convert a MarianMT model for the CTranslate2 engine; prints the converted folder.

    '--engine auto' does this by itself on first use; this command does it ahead of time
    (or again, with --force). The conversion is stored in translit's cache. With
    --shortlist, a few thousand sentences are translated to build the shortlist and 200
    held-out ones to check it; 'translit models shortlist' shows what the check measured.
    """
    from translit.engines import ct2
    from translit.engines.shortlist import corpus_sentences

    _, directory = registry.resolve_model_dir(
        model, registry_(model), "translation", option="give its folder"
    )
    converted = ct2.convert(directory, quantization.value, force=force)
    if shortlist:
        ct2.build_shortlist(converted, corpus_sentences(shortlist))
    write(str(converted))


@app.command(
    "shortlist",
    epilog="Examples:\n\n  translit models shortlist opus-mt-de-en\n\n"
    "  translit models shortlist ./my-model --format json",
)
@handled
def models_shortlist(
    model: ModelArgument,
    quantization: QuantizationOption = Quantization.int8,
    output_format: ReportFormatOption = ReportFormat.text,
) -> None:
    """Say whether the CTranslate2 conversion of NAME decodes with a vocabulary shortlist, and
    what its check measured (exit 3 when the model is not converted)."""
    from dataclasses import asdict

    from translit.engines import conversion
    from translit.engines.shortlist import recorded, usable_map

    _, directory = registry.resolve_model_dir(
        model, registry_(model), "translation", option="give its folder"
    )
    converted = conversion.find_converted(directory, quantization.value)
    if converted is None:
        raise errors.ModelError(f"{model}: not converted for CTranslate2 (translit models convert {model})")
    record = recorded(converted)
    used = usable_map(converted) is not None
    if output_format is ReportFormat.json:
        write_json(
            {
                "model": model,
                "converted": str(converted),
                "used": used,
                "shortlist": asdict(record) if record else None,
            }
        )
        return
    if record is None:
        write(f"{model}: no shortlist (translit models convert {model} --shortlist FILE builds one)")
    elif record.usable and not used:
        write(f"{model}: the shortlist's file changed since its check; not used (build it again)")
    else:
        write(f"{model}: shortlist {record.describe()}")


@app.command(
    "calibrate",
    epilog="Examples:\n\n"
    "  translit models calibrate opus-mt-de-en archive/2024/*.txt\n\n"
    "  translit models calibrate ./my-model sample.txt --percentile 2 --no-write",
)
@handled
@with_settings("translation")
def models_calibrate(
    model: Annotated[
        str, typer.Argument(help="Model name from models.toml, or a MarianMT folder.", metavar="NAME|DIR")
    ],
    files: Annotated[
        list[str], typer.Argument(help="German text like the text you translate.", metavar="FILE")
    ],
    percentile: Annotated[
        float, typer.Option("--percentile", help="Share of units to flag, in percent.", min=0.01, max=49.0)
    ] = 1.0,
    write_entry: Annotated[
        bool, typer.Option("--write/--no-write", help="Record flag_below in your models.toml.")
    ] = True,
    output_format: ReportFormatOption = ReportFormat.text,
    settings: Settings | None = None,
) -> None:
    """Measure the model's confidence on your text and set its flag threshold (flag_below).

    The units of FILEs are translated; the given percentile of their scores becomes the
    model's flag_below in ~/.config/translit/models.toml, so that a unit is flagged when it
    is among the least confident PERCENTILE % of text like yours.
    """
    from pathlib import Path as _Path

    from translit.calibrate import calibrate, record_threshold

    assert settings is not None
    translator = translator_for(settings.but(model=model, cache=False))
    load_engine(translator)
    documents = [translator.read(_Path(name)) for name in files]
    result = calibrate(translator, documents, percentile)
    where = None
    if write_entry:
        choice = translator.choice
        spec = registry_(quiet=True).models.get(choice.model_id)
        where = record_threshold(choice.model_id, spec, choice.directory, result.threshold)
    if output_format is ReportFormat.json:
        write_json({**result.__dict__, "written": str(where[0]) if where else None})
        return
    lines = [
        f"{result.model} on {result.engine}: {result.units} units; scores "
        + ", ".join(f"{k} {v}" for k, v in result.quantiles.items()),
        f"flag_below = {result.threshold} (the {result.percentile:g} % least confident units)",
    ]
    if where:
        lines.append(f"recorded in {where[0]} [models.{where[1]}]")
    write("\n".join(lines))
