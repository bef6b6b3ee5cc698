"""translit's library API: translate, summarise and brief German news articles.

Everything the CLI does is available here::

    import translit
    result = translit.translate(open("article.de.txt").read(), model="opus-mt-de-en")
    print(result.text)
    print(translit.brief(german_text).text)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from translit.cache import TranslationCache
from translit.engines import DEFAULT_MAX_BATCH_TOKENS, DecodeOptions, TranslationEngine, get_engine
from translit.pipeline import UnitSettings, translate_articles
from translit.readers import Document, read_document
from translit.registry import Registry, load_registry, resolve_model_dir
from translit.results import Brief, Translation
from translit.summarize import ExtractiveSummarizer, Summarizer, Summary

__all__ = [
    "Brief",
    "Translation",
    "brief",
    "brief_from_translation",
    "check_language",
    "document_text",
    "get_engine",
    "get_summarizer",
    "looks_like_headline",
    "read",
    "summarize",
    "translate",
    "translate_documents",
    "translate_many",
]

log = logging.getLogger("translit")


def translate_many(
    texts: Sequence[str],
    model: str | Path | None = None,
    *,
    input_format: str = "text",
    names: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[Translation]:
    """Translate several German articles, sharing length-sorted batches across all of them.

    ``input_format`` is ``text``, ``html``, ``markdown`` or ``auto`` (by each name's
    extension in ``names``, then by content); see :func:`translate_documents` for the
    other arguments.
    """
    labels = list(names) if names is not None else [f"<text {i + 1}>" for i in range(len(texts))]
    documents = [read_document(t, input_format, name) for t, name in zip(texts, labels, strict=True)]
    return translate_documents(documents, model, **kwargs)


def translate_documents(
    documents: Sequence[Document],
    model: str | Path | None = None,
    *,
    beams: int | None = None,
    batch_size: int = 32,
    max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS,
    unit: str = "sentence",
    max_unit_tokens: int | None = None,
    normalize: str | None = None,
    flag_below: float | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    options: DecodeOptions | None = None,
    cache: TranslationCache | None = None,
) -> list[Translation]:
    """Translate documents (see :func:`read`), sharing length-sorted batches across all of them.

    Each document is cut into units — sentences (``unit="sentence"``, the default, as the
    model was trained) or paragraphs packed up to the model's limit (``"paragraph"``) — and
    the units of every document are pooled, so that short and long articles fill batches
    together; results come back per document, in the given order.

    ``max_unit_tokens`` lowers the unit budget (default 128 for sentences, the model's own
    limit for paragraphs). ``normalize`` overrides the model's input normalisation
    (``"moses"``, ``"none"``); ``flag_below`` its confidence threshold. ``max_batch_tokens``
    bounds each batch by padded source tokens (``None``: by ``batch_size`` alone).
    ``options`` (advanced) replaces the decoding options built from the other arguments.
    With a ``cache``, units translated before (same model files, engine and options) are
    served from it and new ones are stored.
    """
    started = time.perf_counter()
    load_seconds = 0.0
    if engine is None:
        if not any(d.paragraphs for d in documents):
            return [_empty(str(model or ""), d, unit) for d in documents]
        engine = get_engine(model, registry=registry)
        load_seconds = time.perf_counter() - started
    options = options or DecodeOptions(beams=beams, batch_size=batch_size, max_batch_tokens=max_batch_tokens)
    settings = UnitSettings(unit, max_unit_tokens, normalize, flag_below)
    results = translate_articles(documents, engine, options, settings, cache)
    share = 1 / max(1, len(results))
    for result in results:
        result.timings["load"] = round(load_seconds * share, 4)
        result.timings["total"] = round((time.perf_counter() - started) * share, 4)
    return results


def read(text: str, name: str | None = None, input_format: str = "auto") -> Document:
    """Read one input (plain text, a web page, Markdown) into a :class:`~translit.readers.Document`.

    ``auto`` decides by ``name``'s extension, then by content. A web page without article
    text raises :class:`~translit.errors.InputError`.
    """
    return read_document(text, input_format, name)


def document_text(document: Document) -> str:
    """The prose of a read document, for checks such as its language."""
    skip = set(document.auxiliary)
    return "\n\n".join(p for i, p in enumerate(document.paragraphs) if i not in skip)


def _empty(model: str, document: Document, unit: str) -> Translation:
    return Translation(
        model,
        [],
        [],
        [],
        [],
        document.removed,
        {"total": 0.0},
        unit_mode=unit,
        input_format=document.input_format,
        metadata=document.metadata,
        document=document.rebuild([]).text if document.rebuild else None,
    )


def translate(
    text: str,
    model: str | Path | None = None,
    *,
    input_format: str = "text",
    beams: int | None = None,
    unit: str = "sentence",
    max_unit_tokens: int | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
) -> Translation:
    """Translate a German article into English, one output paragraph per input paragraph.

    ``model`` is a name from models.toml or a MarianMT folder; ``engine`` may be passed
    instead (a loaded :class:`~translit.engines.TranslationEngine`, see :func:`get_engine`).
    See :func:`translate_many` for ``unit`` and ``max_unit_tokens``.
    """
    return translate_many(
        [text],
        model,
        input_format=input_format,
        beams=beams,
        unit=unit,
        max_unit_tokens=max_unit_tokens,
        engine=engine,
        registry=registry,
        cache=cache,
    )[0]


def check_language(text: str, name: str, *, strict: bool = False) -> str | None:
    """Warn (or, with ``strict``, refuse) when ``text`` is clearly not German.

    Returns the language of a text translated although it is not German (see
    :mod:`translit.language`).
    """
    from translit.language import check_german

    return check_german(text, name, strict=strict)


def get_summarizer(name: str | Path | None = None, *, registry: Registry | None = None) -> Summarizer:
    """The summariser ``name``: ``None``/``"extractive"`` (built in), a models.toml name, or a folder.

    Abstractive models are loaded offline, once per process.
    """
    if name in (None, "extractive"):
        return ExtractiveSummarizer()
    registry = registry or load_registry()
    spec = registry.models.get(str(name))
    if spec is not None and spec.builtin:
        return ExtractiveSummarizer()
    model_id, directory = resolve_model_dir(name, registry, "summarization")
    from translit.abstractive import load_abstractive

    return load_abstractive(directory, model_id)


def summarize(
    text: str, sentences: int | None = 3, *, words: int | None = None, summarizer: Summarizer | None = None
) -> Summary:
    """Summarise English text in at most ``sentences`` sentences and ``words`` words.

    The default summariser chooses sentences of the text and keeps them in order. A first
    line that reads as a headline (short, no end punctuation) is kept out of the choice
    and returned as the summary's ``headline``.
    """
    headline, body = split_headline(text)
    summary = (summarizer or get_summarizer()).summarize(body, sentences, words=words)
    return replace(summary, headline=headline)


def split_headline(text: str) -> tuple[str | None, str]:
    """``(headline, rest)`` when the first line of ``text`` is a headline, else ``(None, text)``."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    if rest.strip() and looks_like_headline(first):
        return first.strip(), rest
    return None, text


def looks_like_headline(paragraph: str) -> bool:
    """A short first paragraph without final punctuation reads as a headline."""
    stripped = paragraph.strip()
    return 0 < len(stripped.split()) <= 20 and not stripped.endswith((".", "!", "?", ":", "…", "“", '"'))


def brief(
    text: str,
    model: str | Path | None = None,
    *,
    sentences: int = 3,
    input_format: str = "text",
    beams: int | None = None,
    engine: TranslationEngine | None = None,
    summarizer: Summarizer | None = None,
    registry: Registry | None = None,
) -> Brief:
    """Translate a German article and condense the English into a brief of ``sentences`` sentences."""
    translation = translate(
        text, model, input_format=input_format, beams=beams, engine=engine, registry=registry
    )
    return brief_from_translation(translation, sentences, summarizer=summarizer)


def brief_from_translation(
    translation: Translation,
    sentences: int | None = 3,
    *,
    words: int | None = None,
    summarizer: Summarizer | None = None,
) -> Brief:
    """Condense an existing translation into a brief (the headline is left out of the choice)."""
    prose = translation.prose
    body = [translation.paragraphs[i] for i in prose]
    sources = [translation.source_paragraphs[i] for i in prose]
    headline = None
    # Judge the headline on the German side: the source's shape does not depend on the model.
    if len(body) > 1 and looks_like_headline(sources[0]):
        headline, body = body[0], body[1:]
    started = time.perf_counter()
    summary = summarize("\n\n".join(body), sentences, words=words, summarizer=summarizer)
    translation.timings["summarize"] = round(time.perf_counter() - started, 4)
    return Brief(headline=headline, summary=summary, translation=translation)
