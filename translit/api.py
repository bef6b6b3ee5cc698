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
from pathlib import Path

from translit.cache import TranslationCache
from translit.engines import DecodeOptions, TranslationEngine, get_engine
from translit.errors import InputError
from translit.pipeline import UnitSettings, translate_articles
from translit.registry import Registry, load_registry, resolve_model_dir
from translit.results import Brief, Translation
from translit.segment import parse_article
from translit.summarize import ExtractiveSummarizer, Summarizer, Summary

__all__ = [
    "Brief",
    "Translation",
    "brief",
    "brief_from_translation",
    "check_language",
    "get_engine",
    "get_summarizer",
    "looks_like_headline",
    "summarize",
    "translate",
    "translate_many",
]

log = logging.getLogger("translit")


def translate_many(
    texts: Sequence[str],
    model: str | Path | None = None,
    *,
    beams: int | None = None,
    batch_size: int = 32,
    max_batch_tokens: int | None = None,
    unit: str = "sentence",
    max_unit_tokens: int | None = None,
    normalize: str | None = None,
    flag_below: float | None = None,
    engine: TranslationEngine | None = None,
    registry: Registry | None = None,
    options: DecodeOptions | None = None,
    cache: TranslationCache | None = None,
) -> list[Translation]:
    """Translate several German articles, sharing length-sorted batches across all of them.

    Each article is cut into units — sentences (``unit="sentence"``, the default, as the
    model was trained) or paragraphs packed up to the model's limit (``"paragraph"``) —
    and the units of every article are pooled, so that short and long articles fill
    batches together; results come back per article, in the given order.

    ``max_unit_tokens`` lowers the unit budget (default 128 for sentences, the model's own
    limit for paragraphs). ``normalize`` overrides the model's input normalisation
    (``"moses"``, ``"none"``); ``flag_below`` its confidence threshold. ``max_batch_tokens``
    bounds each batch by padded source tokens. ``options`` (advanced) replaces the decoding
    options built from the other arguments. With a ``cache``, units translated before
    (same model files, engine and options) are served from it and new ones are stored.
    """
    started = time.perf_counter()
    articles = [parse_article(t) for t in texts]
    load_seconds = 0.0
    if engine is None:
        if not any(a.paragraphs for a in articles):
            return [_empty(str(model or ""), a.removed, unit) for a in articles]
        engine = get_engine(model, registry=registry)
        load_seconds = time.perf_counter() - started
    options = options or DecodeOptions(beams=beams, batch_size=batch_size, max_batch_tokens=max_batch_tokens)
    settings = UnitSettings(unit, max_unit_tokens, normalize, flag_below)
    results = translate_articles(articles, engine, options, settings, cache)
    share = 1 / max(1, len(results))
    for result in results:
        result.timings["load"] = round(load_seconds * share, 4)
        result.timings["total"] = round((time.perf_counter() - started) * share, 4)
    return results


def _empty(model: str, removed: list[str], unit: str) -> Translation:
    return Translation(model, [], [], [], [], removed, {"total": 0.0}, unit_mode=unit)


def translate(
    text: str,
    model: str | Path | None = None,
    *,
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
        beams=beams,
        unit=unit,
        max_unit_tokens=max_unit_tokens,
        engine=engine,
        registry=registry,
        cache=cache,
    )[0]


def check_language(text: str, name: str, *, strict: bool = False) -> None:
    """Warn (or, with ``strict``, refuse) when ``text`` is clearly not German."""
    from translit.language import guess_language

    guess = guess_language(text)
    if guess.clearly_not_german:
        message = f"{name}: looks like '{guess.language}', not German"
        if strict:
            raise InputError(message + " (refused by --strict-lang)")
        log.warning("%s; translating anyway", message)


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

    The default summariser chooses sentences of the text and keeps them in order.
    """
    return (summarizer or get_summarizer()).summarize(text, sentences, words=words)


def looks_like_headline(paragraph: str) -> bool:
    """A short first paragraph without final punctuation reads as a headline."""
    stripped = paragraph.strip()
    return 0 < len(stripped.split()) <= 20 and not stripped.endswith((".", "!", "?", ":", "…", "“", '"'))


def brief(
    text: str,
    model: str | Path | None = None,
    *,
    sentences: int = 3,
    beams: int | None = None,
    engine: TranslationEngine | None = None,
    summarizer: Summarizer | None = None,
    registry: Registry | None = None,
) -> Brief:
    """Translate a German article and condense the English into a brief of ``sentences`` sentences."""
    translation = translate(text, model, beams=beams, engine=engine, registry=registry)
    return brief_from_translation(translation, sentences, summarizer=summarizer)


def brief_from_translation(
    translation: Translation,
    sentences: int | None = 3,
    *,
    words: int | None = None,
    summarizer: Summarizer | None = None,
) -> Brief:
    """Condense an existing translation into a brief (the headline is left out of the choice)."""
    body = translation.paragraphs
    headline = None
    # Judge the headline on the German side: the source's shape does not depend on the model.
    if len(body) > 1 and looks_like_headline(translation.source_paragraphs[0]):
        headline, body = body[0], body[1:]
    started = time.perf_counter()
    summary = summarize("\n\n".join(body), sentences, words=words, summarizer=summarizer)
    translation.timings["summarize"] = round(time.perf_counter() - started, 4)
    return Brief(headline=headline, summary=summary, translation=translation)
