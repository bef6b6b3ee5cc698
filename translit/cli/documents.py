"""``translit translate``, ``brief`` and ``summarize``: documents in, results on stdout."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer

from translit import api, render
from translit.cli.common import (
    check_threads,
    handled,
    open_cache,
    pick,
    registry_,
    sentence_cap,
    source_arguments,
    spinner,
    state,
    write,
    write_json,
)
from translit.cli.options import (
    BatchOption,
    BeamsOption,
    BilingualOption,
    BriefStyle,
    CacheOption,
    DocFormatOption,
    DocumentFormat,
    EngineOption,
    FilesArgument,
    FlagBelowOption,
    InputFormat,
    InputFormatOption,
    MaxUnitOption,
    ModelOption,
    NormalizeOption,
    ReportFormat,
    ReportFormatOption,
    SentencesOption,
    StrictLangOption,
    StyleOption,
    SummarizerOption,
    TextOption,
    ThreadsOption,
    UnitOption,
    WordsOption,
)
from translit.engines.base import DEFAULT_MAX_BATCH_TOKENS
from translit.readers import Document
from translit.textio import SourceText, read_source

log = logging.getLogger("translit")

MaxBatchTokensOption = Annotated[
    int,
    typer.Option(
        "--max-batch-tokens", min=1, max=1_000_000, help="Padded source tokens per batch (default 1024)."
    ),
]
FullOption = Annotated[
    bool, typer.Option("--full", help="Add the full translation under the brief, after a '---' line.")
]

# Inputs longer than this get a spinner while they are translated (on a terminal).
LONG_INPUT_CHARS = 5_000


def read_inputs(files: list[str] | None, text: str | None) -> list[SourceText]:
    """The command's inputs, decoded: files, stdin, or ``--text``."""
    if text is not None:
        source_arguments(files, text)
        return [SourceText("<text>", text, "utf-8")]
    return [read_source(name, state.max_bytes) for name in source_arguments(files, text)]


def read_documents(sources: list[SourceText], input_format: InputFormat, strict_lang: bool) -> list[Document]:
    """Each input read in its format (a page without article text fails here), its language checked."""
    documents = []
    for source in sources:
        document = api.read(source.text, source.name, input_format.value)
        if not source.text.strip():
            log.warning("%s: empty; nothing to translate", source.name)
        api.check_language(api.document_text(document), source.name, strict=strict_lang)
        documents.append(document)
    return documents


def load_engine(model: str | None, engine: Any, threads: int | None) -> Any:
    """The translation engine, from options or config defaults, with a spinner while it loads."""
    check_threads(threads)
    defaults = state.defaults
    name = pick(model, defaults.model)
    choice = engine.value if engine is not None else defaults.engine
    with spinner("loading the translation model …"):
        return api.get_engine(
            name, engine=choice, threads=pick(threads, defaults.threads), registry=registry_()
        )


def translate_options(
    beams: int | None,
    batch_size: int,
    unit: Any,
    max_unit_tokens: int | None,
    normalize: Any,
    flag_below: float | None,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
) -> dict[str, Any]:
    """Keyword arguments for :func:`translit.translate_documents`, options over config defaults."""
    defaults = state.defaults
    normalization = normalize.value if normalize is not None else defaults.normalize
    return {
        "beams": pick(beams, defaults.beams),
        "batch_size": batch_size,
        "max_batch_tokens": max_batch_tokens,
        "unit": unit.value if unit is not None else defaults.unit,
        "max_unit_tokens": max_unit_tokens,
        "normalize": None if normalization == "auto" else normalization,
        "flag_below": pick(flag_below, defaults.flag_below),
    }


def _header(name: str, index: int, output_format: DocumentFormat) -> str:
    if output_format is DocumentFormat.markdown:
        return f"{'' if index == 0 else chr(10)}# {name}\n"
    return f"{'' if index == 0 else chr(10)}==> {name} <=="


def register(app: typer.Typer) -> None:
    """Add the document commands to ``app``."""
    app.command(
        epilog="Examples:\n\n"
        "  translit translate article.txt\n\n"
        "  translit translate -t 'Der Bundestag tagt heute.'\n\n"
        "  cat article.txt | translit translate > article.en.txt\n\n"
        "  translit translate --bilingual --format markdown a.txt b.txt\n\n"
        "  translit translate --format jsonl *.txt | jq -r '.paragraphs[].translation'"
    )(translate)
    app.command(
        epilog="Examples:\n\n"
        "  translit brief article.txt\n\n"
        "  translit brief -n 5 --style bullets a.txt b.txt\n\n"
        "  translit brief --full --format json article.txt"
    )(brief)
    app.command(
        epilog="Examples:\n\n"
        "  translit summarize -n 2 article.en.txt\n\n"
        "  translit summarize --words 40 --style bullets a.en.txt b.en.txt\n\n"
        "  echo 'The president met the chancellor. They talked about trade.' | translit summarize -n 1"
    )(summarize)


@handled
def translate(
    files: FilesArgument = None,
    text: TextOption = None,
    model: ModelOption = None,
    output_format: DocFormatOption = DocumentFormat.text,
    bilingual: BilingualOption = False,
    input_format: InputFormatOption = InputFormat.auto,
    use_cache: CacheOption = None,
    strict_lang: StrictLangOption = False,
    beams: BeamsOption = None,
    batch_size: BatchOption = 32,
    unit: UnitOption = None,
    max_unit_tokens: MaxUnitOption = None,
    normalize: NormalizeOption = None,
    flag_below: FlagBelowOption = None,
    engine: EngineOption = None,
    threads: ThreadsOption = None,
    max_batch_tokens: MaxBatchTokensOption = DEFAULT_MAX_BATCH_TOKENS,
) -> None:
    """Translate German articles to English: one output paragraph per input paragraph.

    Reads files, '-' (stdin), stdin when it is piped, or --text. With several files their
    sentences share length-sorted batches; text output separates the files with
    '==> FILE <==' headers, Markdown with headings, and JSON output is a list.
    """
    sources = read_inputs(files, text)
    documents = read_documents(sources, input_format, strict_lang)
    loaded = load_engine(model, engine, threads) if any(d.paragraphs for d in documents) else None
    kwargs = translate_options(
        beams, batch_size, unit, max_unit_tokens, normalize, flag_below, max_batch_tokens
    )
    with open_cache(pick(use_cache, state.defaults.cache)) as cache:
        _translate_and_write(sources, documents, loaded, cache, kwargs, output_format, bilingual)


def _translate_and_write(
    sources: list[SourceText],
    documents: list[Document],
    loaded: Any,
    cache: Any,
    kwargs: dict[str, Any],
    output_format: DocumentFormat,
    bilingual: bool,
) -> None:
    def run(indices: list[int]) -> list[api.Translation]:
        long = sum(len(sources[i].text) for i in indices) > LONG_INPUT_CHARS
        with spinner("translating …", enabled=long):
            return api.translate_documents(
                [documents[i] for i in indices], engine=loaded, cache=cache, **kwargs
            )

    if output_format is DocumentFormat.jsonl:
        # Stream: each document is written (and flushed) as soon as it is translated.
        for i, source in enumerate(sources):
            record = render.document_record(source.name, run([i])[0])
            if bilingual:
                record["pairs"] = [{"de": p["source"], "en": p["translation"]} for p in record["paragraphs"]]
            write(render.to_jsonl(record))
        return
    results = list(zip(sources, run(list(range(len(sources)))), strict=True))
    if output_format is DocumentFormat.json:
        docs = [render.translation_json(source.name, result, bilingual) for source, result in results]
        write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (source, result) in enumerate(results):
        if len(results) > 1:
            write(_header(source.name, i, output_format))
        if not result.paragraphs:
            continue
        if output_format is DocumentFormat.markdown:
            level = 2 if len(results) > 1 else 1
            write(render.translation_markdown(result, bilingual=bilingual, level=level))
        else:
            write(render.translation_text(result, bilingual))


@handled
def brief(
    files: FilesArgument = None,
    text: TextOption = None,
    model: ModelOption = None,
    sentences: SentencesOption = None,
    words: WordsOption = None,
    style: StyleOption = None,
    summarizer: SummarizerOption = None,
    full: FullOption = False,
    output_format: DocFormatOption = DocumentFormat.text,
    input_format: InputFormatOption = InputFormat.auto,
    beams: BeamsOption = None,
    batch_size: BatchOption = 32,
    unit: UnitOption = None,
    max_unit_tokens: MaxUnitOption = None,
    normalize: NormalizeOption = None,
    flag_below: FlagBelowOption = None,
    engine: EngineOption = None,
    threads: ThreadsOption = None,
    use_cache: CacheOption = None,
    strict_lang: StrictLangOption = False,
) -> None:
    """Translate German articles and write a short English brief of each.

    The brief is sentences chosen from the translation, in article order (or an abstractive
    model's summary with --summarizer); the headline stays out of the choice.
    """
    sources = read_inputs(files, text)
    documents = read_documents(sources, input_format, strict_lang)
    defaults = state.defaults
    words = pick(words, defaults.words)
    bullets = (style.value if style is not None else defaults.style) == BriefStyle.bullets.value
    results: list[tuple[SourceText, api.Brief | None]] = [(s, None) for s in sources]
    if any(d.paragraphs for d in documents):
        # Both models load before any work, so a missing one fails fast.
        loaded = load_engine(model, engine, threads)
        chosen = api.get_summarizer(pick(summarizer, defaults.summarizer), registry=registry_())
        kwargs = translate_options(beams, batch_size, unit, max_unit_tokens, normalize, flag_below)
        long = sum(len(s.text) for s in sources) > LONG_INPUT_CHARS
        with spinner("translating …", enabled=long), open_cache(pick(use_cache, defaults.cache)) as cache:
            translations = api.translate_documents(documents, engine=loaded, cache=cache, **kwargs)
        results = [
            (s, api.brief_from_translation(t, sentence_cap(sentences, words), words=words, summarizer=chosen))
            for s, t in zip(sources, translations, strict=True)
        ]
    if output_format is DocumentFormat.json:
        docs = [
            {"path": s.name, **(b.to_dict() if b else {"brief": [], "translations": []})} for s, b in results
        ]
        write_json(docs[0] if len(docs) == 1 else docs)
        return
    for i, (source, result) in enumerate(results):
        if output_format is DocumentFormat.jsonl:
            record = (
                render.document_record(source.name, result.translation, result)
                if result
                else {"path": source.name, "brief": [], "paragraphs": []}
            )
            write(render.to_jsonl(record))
            continue
        if len(results) > 1:
            write(_header(source.name, i, output_format))
        if result is None:
            continue
        if output_format is DocumentFormat.markdown:
            level = 2 if len(results) > 1 else 1
            write(render.brief_markdown(result, full=full, bullets=bullets, level=level))
        else:
            write(render.brief_text(result, full, bullets=bullets))


@handled
def summarize(
    files: FilesArgument = None,
    text: TextOption = None,
    sentences: SentencesOption = None,
    words: WordsOption = None,
    style: StyleOption = None,
    summarizer: SummarizerOption = None,
    output_format: ReportFormatOption = ReportFormat.text,
) -> None:
    """Write a short brief of English text: sentences chosen from it, in order.

    A first line without end punctuation is taken as the headline and left out of the choice.
    """
    sources = read_inputs(files, text)
    defaults = state.defaults
    words = pick(words, defaults.words)
    bullets = (style.value if style is not None else defaults.style) == BriefStyle.bullets.value
    chosen = None
    if any(s.text.strip() for s in sources):
        chosen = api.get_summarizer(pick(summarizer, defaults.summarizer), registry=registry_())
    summaries = [
        api.summarize(s.text, sentence_cap(sentences, words), words=words, summarizer=chosen) for s in sources
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
