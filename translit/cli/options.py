"""The options and arguments several commands share: one definition, one help text."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


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


class EngineChoice(StrEnum):
    """Which translation backend runs the model."""

    auto = "auto"
    transformers = "transformers"
    ctranslate2 = "ctranslate2"


class UnitChoice(StrEnum):
    """What the model translates at a time."""

    sentence = "sentence"
    paragraph = "paragraph"


class NormalizeChoice(StrEnum):
    """Input normalisation for the model."""

    auto = "auto"
    moses = "moses"
    none = "none"


class InputFormat(StrEnum):
    """What the input is."""

    auto = "auto"
    text = "text"
    html = "html"
    markdown = "markdown"


class BriefStyle(StrEnum):
    """How a brief is laid out as text."""

    paragraph = "paragraph"
    bullets = "bullets"


ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model name from models.toml, or a folder with a Hugging Face MarianMT model.",
        metavar="NAME|PATH",
    ),
]
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
StrictLangOption = Annotated[
    bool, typer.Option("--strict-lang", help="Refuse input that is not German (default: warn).")
]
CacheOption = Annotated[
    bool | None,
    typer.Option("--cache/--no-cache", help="Use the persistent translation cache [default: cache]."),
]
BeamsOption = Annotated[
    int | None,
    typer.Option("--beams", min=1, max=64, help="Beam size, 1-64 (default: the model's generation_config)."),
]
BatchOption = Annotated[
    int, typer.Option("--batch-size", min=1, max=4096, help="Units translated together (1-4096).")
]
EngineOption = Annotated[
    EngineChoice | None,
    typer.Option(
        "--engine",
        "-e",
        help="auto (default): CTranslate2, converting the model once on first use; "
        "transformers: the reference engine; ctranslate2: CTranslate2 or fail.",
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="CPU threads for the engine (default: all usable cores)."),
]
UnitOption = Annotated[
    UnitChoice | None,
    typer.Option(
        "--unit",
        help="sentence (default): one sentence at a time, as the model was trained; "
        "paragraph: whole paragraphs, packed up to the model's limit.",
    ),
]
MaxUnitOption = Annotated[
    int | None,
    typer.Option(
        "--max-unit-tokens",
        min=1,
        max=100_000,
        help="Longest unit in model tokens; longer sentences are cut at clauses "
        "(default 128 for sentences, the model's limit for paragraphs).",
        metavar="N",
    ),
]
NormalizeOption = Annotated[
    NormalizeChoice | None,
    typer.Option(
        "--normalize",
        help="Normalise what goes into the model: auto (as models.toml says for the model), moses, none.",
    ),
]
FlagBelowOption = Annotated[
    float | None,
    typer.Option(
        "--flag-below",
        help="Mark units whose mean token log-probability is below this "
        "(default: the model's flag_below in models.toml, else -1.4).",
        metavar="SCORE",
    ),
]
InputFormatOption = Annotated[
    InputFormat,
    typer.Option(
        "--input-format",
        "-i",
        help="auto: by file extension (.html, .htm, .md, .markdown), then by content.",
    ),
]
TextOption = Annotated[
    str | None, typer.Option("--text", "-t", help="Use this text instead of files.", metavar="TEXT")
]
SentencesOption = Annotated[
    int | None, typer.Option("--sentences", "-n", min=1, max=1000, help="Sentences in the brief (default 3).")
]
WordsOption = Annotated[
    int | None,
    typer.Option(
        "--words",
        "-w",
        min=1,
        max=100_000,
        help="At most this many words, but always at least one whole sentence.",
    ),
]
SummarizerOption = Annotated[
    str | None,
    typer.Option(
        "--summarizer",
        help="extractive (built in, default), a summarization model from models.toml, or a model folder.",
        metavar="NAME|PATH",
    ),
]
StyleOption = Annotated[
    BriefStyle | None, typer.Option("--style", help="One paragraph (default), or one bullet per sentence.")
]
FilesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files to read; '-' reads stdin (also read when piped and no file is given).",
        metavar="FILE",
    ),
]
