"""``translit translate``, ``brief`` and ``summarize``: documents in, results on stdout."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from translit.cli.common import (
    handled,
    load_engine,
    read_documents,
    registry_,
    results_to,
    source_arguments,
    translator_for,
    write,
    write_file,
    write_json,
)
from translit.cli.options import (
    BilingualOption,
    DocFormatOption,
    DocumentFormat,
    FilesArgument,
    OutputFileOption,
    ReportFormat,
    ReportFormatOption,
    TextOption,
    with_settings,
)
from translit.cli.progress import unit_progress
from translit.errors import InputError
from translit.formats import format_info, format_of_name
from translit.options import BriefStyle, Settings
from translit.textio import SourceText, read_source

log = logging.getLogger("translit")

FullOption = Annotated[
    bool, typer.Option("--full", help="Add the full translation under the brief, after a '---' line.")
]

# Inputs longer than this get a progress bar while they are translated (on a terminal).
LONG_INPUT_CHARS = 5_000


def _header(name: str, index: int, output_format: DocumentFormat) -> str:
    """What separates several documents: ``==> FILE <==`` in text; in Markdown the file's
    name in a line of its own, so that each headline stays a level-1 heading."""
    if output_format is DocumentFormat.markdown:
        return f"{'' if index == 0 else chr(10)}**File:** `{name}`\n\n"
    return f"{'' if index == 0 else chr(10)}==> {name} <=="


def register(app: typer.Typer) -> None:
    """Add the document commands to ``app``."""
    app.command(
        epilog="Examples:\n\n"
        "  translit translate article.txt\n\n"
        "  translit translate -t 'Der Bundestag tagt heute.'\n\n"
        "  cat article.txt | translit translate > article.en.txt\n\n"
        "  translit translate --bilingual --format markdown a.txt b.txt\n\n"
        "  translit translate article.txt -o article.en.txt\n\n"
        "  translit translate --format jsonl *.txt | jq -r '.paragraphs[].translation'"
    )(translate)
    app.command(
        epilog="Examples:\n\n"
        "  translit brief article.txt\n\n"
        "  translit brief -n 5 --style bullets a.txt b.txt\n\n"
        "  translit brief --full --format json article.txt\n\n"
        "  translit brief --bilingual -o brief.md -f markdown article.txt"
    )(brief)
    app.command(
        epilog="Examples:\n\n"
        "  translit summarize -n 2 article.en.txt\n\n"
        "  translit summarize --words 40 --style bullets a.en.txt b.en.txt\n\n"
        "  echo 'The president met the chancellor. They talked about trade.' | translit summarize -n 1"
    )(summarize)


@handled
@with_settings("model", "translation", "reading")
def translate(
    files: FilesArgument = None,
    text: TextOption = None,
    output_format: DocFormatOption = DocumentFormat.text,
    bilingual: BilingualOption = False,
    output: OutputFileOption = None,
    settings: Settings | None = None,
) -> None:
    """Translate German articles to English: one output paragraph per input paragraph.

    Reads files, '-' (stdin), stdin when it is piped, or --text. With several files their
    sentences share length-sorted batches; text output separates the files with
    '==> FILE <==' headers, Markdown with a '**File:**' line, and JSON output is a list.
    Units to check are marked [?] (--no-marks leaves the marks out).
    """
    assert settings is not None
    own = document_output(output, files, text, output_format, bilingual)
    if own is not None:
        _translate_document(own, output, settings)
        return
    with results_to(output, files):
        _translate(files, text, output_format, bilingual, settings)


def document_output(
    output: Path | None,
    files: list[str] | None,
    text: str | None,
    output_format: DocumentFormat,
    bilingual: bool,
) -> str | None:
    """The one input file to write back in its own binary format to ``-o`` (``-o out.docx`` for a
    Word file), or None when the results are text. A binary format's extension on ``-o`` for any
    other input is an error."""
    if output is None or str(output) == "-":
        return None
    wanted = format_of_name(str(output))
    info = format_info(wanted or "")
    if info is None or not info.binary:
        return None
    inputs = [f for f in files or [] if f != "-"]
    if text is not None or len(inputs) != 1 or len(files or []) != 1 or format_of_name(inputs[0]) != wanted:
        raise InputError(
            f"{output}: a {info.description} output needs one {', '.join(info.extensions)} input"
        )
    if output_format is not DocumentFormat.text or bilingual:
        raise InputError(f"{output}: --format and --bilingual write text; give a text file name for -o")
    return inputs[0]


def _translate_document(name: str, output: Path | None, settings: Settings) -> None:
    """Translate one document and write it back in its own format to ``output``, atomically."""
    with translator_for(settings) as translator:
        documents = read_documents(translator, [name], None)
        load_engine(translator, any(d.paragraphs for d in documents))
        with unit_progress(enabled=sum(len(p) for p in documents[0].paragraphs) > LONG_INPUT_CHARS):
            (result,) = translator.translate_many(documents)
    data = result.written(marks=settings.marks)
    assert output is not None and data is not None
    write_file(output, data, [name])


def _translate(
    files: list[str] | None,
    text: str | None,
    output_format: DocumentFormat,
    bilingual: bool,
    settings: Settings,
) -> None:
    from translit import render  # the renderers import the library: only when a command runs

    with translator_for(settings) as translator:
        documents = read_documents(translator, files, text)
        load_engine(translator, any(d.paragraphs for d in documents))
        long = sum(len(p) for d in documents for p in d.paragraphs) > LONG_INPUT_CHARS
        if output_format is DocumentFormat.jsonl:
            # Stream: each document is written (and flushed) as soon as it is translated.
            for document in documents:
                with unit_progress(enabled=long):
                    (result,) = translator.translate_many([document])
                record = render.document_record(document.name, result)
                if bilingual:
                    record["pairs"] = [
                        {"de": p["source"], "en": p["translation"]} for p in record["paragraphs"]
                    ]
                write(render.to_jsonl(record))
            return
        with unit_progress(enabled=long):
            results = list(zip(documents, translator.translate_many(documents), strict=True))
    if output_format is DocumentFormat.json:
        docs = [render.translation_json(document.name, result, bilingual) for document, result in results]
        write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (document, result) in enumerate(results):
        if len(results) > 1:
            write(_header(document.name, i, output_format))
        if not result.paragraphs and result.document is None:
            continue  # nothing to write (a subtitle file without cue text is written back whole)
        if output_format is DocumentFormat.markdown:
            write(render.translation_markdown(result, bilingual=bilingual, marks=settings.marks))
        else:
            write(render.translation_text(result, bilingual, marks=settings.marks))


@handled
@with_settings("model", "translation", "reading", "brief")
def brief(
    files: FilesArgument = None,
    text: TextOption = None,
    full: FullOption = False,
    output_format: DocFormatOption = DocumentFormat.text,
    bilingual: BilingualOption = False,
    output: OutputFileOption = None,
    settings: Settings | None = None,
) -> None:
    """Translate German articles and write a short English brief of each.

    The brief is sentences chosen from the translation, in article order (or an abstractive
    model's summary with --summarizer); the headline stays out of the choice.
    """
    assert settings is not None
    with results_to(output, files):
        _brief(files, text, full, output_format, bilingual, settings)


def _brief(
    files: list[str] | None,
    text: str | None,
    full: bool,
    output_format: DocumentFormat,
    bilingual: bool,
    settings: Settings,
) -> None:
    from translit import render  # the renderers import the library: only when a command runs

    bullets = settings.style is BriefStyle.bullets
    with translator_for(settings) as translator:
        documents = read_documents(translator, files, text)
        # Both models load before any work, so a missing one fails fast.
        load_engine(translator, any(d.paragraphs for d in documents))
        long = sum(len(p) for d in documents for p in d.paragraphs) > LONG_INPUT_CHARS
        with unit_progress(enabled=long):
            briefs = translator.brief_many(documents)
    results = list(zip(documents, briefs, strict=True))
    if output_format is DocumentFormat.json:
        docs = [{"path": d.name, **b.to_dict()} for d, b in results]
        write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (document, result) in enumerate(results):
        if output_format is DocumentFormat.jsonl:
            write(render.to_jsonl(render.document_record(document.name, result.translation, result)))
            continue
        if len(results) > 1:
            write(_header(document.name, i, output_format))
        if not result.translation.paragraphs:
            continue
        if output_format is DocumentFormat.markdown:
            write(
                render.brief_markdown(
                    result, full=full, bullets=bullets, marks=settings.marks, bilingual=bilingual
                )
            )
        else:
            write(render.brief_text(result, full, bullets=bullets, marks=settings.marks, bilingual=bilingual))


def _read_english(files: list[str] | None, text: str | None, limit: int | None) -> list[SourceText]:
    if text is not None:
        source_arguments(files, text)
        return [SourceText("<text>", text, "utf-8")]
    return [read_source(name, limit) for name in source_arguments(files, text)]


@handled
@with_settings("brief")
def summarize(
    files: FilesArgument = None,
    text: TextOption = None,
    output_format: ReportFormatOption = ReportFormat.text,
    settings: Settings | None = None,
) -> None:
    """Write a short brief of English text: sentences chosen from it, in order.

    A first line without end punctuation is taken as the headline and left out of the choice.
    """
    from translit import render  # the renderers import the library: only when a command runs
    from translit.summarize import summarize_text
    from translit.translator import get_summarizer

    assert settings is not None
    sources = _read_english(files, text, settings.byte_limit)
    bullets = settings.style is BriefStyle.bullets
    chosen = None
    if any(s.text.strip() for s in sources):
        chosen = get_summarizer(settings.summarizer, registry=registry_(settings.summarizer))
    summaries = [
        summarize_text(s.text, settings.brief_sentences, words=settings.words, summarizer=chosen)
        for s in sources
    ]
    if output_format is ReportFormat.json:
        docs = [
            {"path": s.name, "headline": m.headline, "brief": m.sentences, "method": m.method}
            for s, m in zip(sources, summaries, strict=True)
        ]
        write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (source, summary) in enumerate(zip(sources, summaries, strict=True)):
        if len(sources) > 1:
            write(_header(source.name, i, DocumentFormat.text))
        if summary.sentences:
            write(render.summary_text(summary.sentences, bullets=bullets))
