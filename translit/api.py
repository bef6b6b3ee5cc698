"""translit's module functions: thin wrappers over :class:`translit.Translator`, kept for compatibility.

Each builds a :class:`~translit.translator.Translator` from its arguments and calls it; new
code can use the Translator directly (it keeps the loaded model, the options and the cache
between calls)::

    import translit
    result = translit.translate(open("article.de.txt").read(), model="opus-mt-de-en")
    print(result.text)
    print(translit.brief(german_text).text)

Keyword options are those of :class:`translit.options.Settings` (``beams``, ``unit``,
``max_unit_tokens``, ``normalize``, ``flag_below``, ``batch_size``, ``max_batch_tokens`` …).
Without ``cache`` nothing is cached (as before the Translator).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translit.cache import TranslationCache
from translit.engines import DecodeOptions, TranslationEngine, get_engine
from translit.readers import Document
from translit.registry import Registry
from translit.results import Brief, Translation
from translit.segment import looks_like_headline, split_headline
from translit.summarize import Summarizer, Summary, summarize_text
from translit.translator import Source, Translator, get_summarizer

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
    "split_headline",
    "summarize",
    "translate",
    "translate_documents",
    "translate_many",
]


def _translator(
    model: str | Path | None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
    summarizer: Summarizer | None = None,
    **options: Any,
) -> Translator:
    return Translator(
        model, engine=engine, registry=registry, cache=cache or False, summarizer=summarizer, **options
    )


def translate(
    text: str,
    model: str | Path | None = None,
    *,
    input_format: str = "text",
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
    **options: Any,
) -> Translation:
    """Translate a German article into English, one output paragraph per input paragraph.

    ``model`` is a name from models.toml or a MarianMT folder; ``engine`` may be passed
    instead (a loaded :class:`~translit.engines.TranslationEngine`, see :func:`get_engine`).
    """
    return _translator(model, engine, registry, cache, input_format=input_format, **options).translate(text)


def translate_many(
    texts: Sequence[str],
    model: str | Path | None = None,
    *,
    input_format: str = "text",
    names: Sequence[str] | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
    options: DecodeOptions | None = None,
    **settings: Any,
) -> list[Translation]:
    """Translate several German articles, sharing length-sorted batches across all of them.

    ``input_format`` is ``text``, ``html``, ``markdown`` or ``auto`` (by each name's
    extension in ``names``, then by content). ``options`` (advanced) replaces the decoding
    options made from the other arguments.
    """
    translator = _translator(model, engine, registry, cache, input_format=input_format, **settings)
    return translator.translate_many(list(texts), names, options=options)


def translate_documents(
    documents: Sequence[Document],
    model: str | Path | None = None,
    *,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
    options: DecodeOptions | None = None,
    **settings: Any,
) -> list[Translation]:
    """Translate read documents (see :func:`read`), sharing length-sorted batches across all of them."""
    translator = _translator(model, engine, registry, cache, **settings)
    return translator.translate_many(list(documents), options=options)


def read(source: Source, name: str | None = None, input_format: str = "auto") -> Document:
    """Read one input into a :class:`~translit.readers.Document`: text, bytes, or a :class:`~pathlib.Path`.

    ``auto`` decides by ``name``'s extension (a path's own name), then by content. A web
    page without article text raises :class:`~translit.errors.InputError`. A ``str`` is
    always the text itself: pass ``Path("page.html")`` to read a file.
    """
    return Translator(cache=False).read(source, name, input_format=input_format)


def document_text(document: Document) -> str:
    """The prose of a read document, for checks such as its language."""
    return document.prose


def check_language(text: str, name: str, *, strict: bool = False) -> str | None:
    """Warn (or, with ``strict``, refuse) when ``text`` is clearly not German.

    Returns the language of a text translated although it is not German (see
    :mod:`translit.language`).
    """
    from translit.language import check_german

    return check_german(text, name, strict=strict)


def summarize(
    text: str, sentences: int | None = 3, *, words: int | None = None, summarizer: Summarizer | None = None
) -> Summary:
    """Summarise English text in at most ``sentences`` sentences and ``words`` words.

    A first line that reads as a headline is kept out of the choice (the summary's ``headline``).
    """
    return summarize_text(text, sentences, words=words, summarizer=summarizer)


def brief(
    text: str,
    model: str | Path | None = None,
    *,
    sentences: int = 3,
    input_format: str = "text",
    engine: TranslationEngine | None = None,
    summarizer: Summarizer | None = None,
    registry: Registry | None = None,
    cache: TranslationCache | None = None,
    **options: Any,
) -> Brief:
    """Translate a German article and condense the English into a brief of ``sentences`` sentences."""
    translator = _translator(
        model, engine, registry, cache, summarizer, input_format=input_format, sentences=sentences, **options
    )
    return translator.brief(text)


def brief_from_translation(
    translation: Translation,
    sentences: int | None = 3,
    *,
    words: int | None = None,
    summarizer: Summarizer | None = None,
) -> Brief:
    """Condense an existing translation into a brief (the headline is left out of the choice)."""
    translator = Translator(cache=False, summarizer=summarizer, sentences=sentences, words=words)
    return translator.brief_of(translation)
