"""The unit cache: each distinct model input translated once, ever, for the same model and options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from translit.cache import TranslationCache, unit_key
from translit.engines import DecodeOptions, TranslationEngine
from translit.engines.forced import forced_ratio
from translit.glossary import Glossary, TermUse
from translit.options import Settings
from translit.outcome import Outcome
from translit.pipeline.decoding import NO_GLOSSARY, UnitsInterrupted, translate_units

# Bumped whenever the guards change what ends up in the cache.
GUARDS_VERSION = 6


def cache_options(settings: Settings, options: DecodeOptions) -> str:
    """Everything besides the engine and the text that shapes a unit's cached translation.

    ``settings`` must be resolved for the model (:meth:`Settings.for_model`), so that
    ``normalize=auto`` never stands for two different normalisations.
    """
    return (
        f"{settings.key('unit')}|max_length={options.max_length}|force={forced_ratio(options)}"
        f"|guards={GUARDS_VERSION}"
    )


def unit_keys(
    engine: TranslationEngine, key_options: str, texts: Sequence[str], glossary: Glossary | None = None
) -> dict[str, str]:
    """The cache key of each text; a text with glossary terms adds its matched entries."""
    glossary = glossary or NO_GLOSSARY
    return {text: unit_key(engine.cache_key, key_options + glossary.key_for(text), text) for text in texts}


def cache_lookup(
    engine: TranslationEngine,
    cache: TranslationCache | None,
    key_options: str,
    texts: Sequence[str],
    glossary: Glossary | None = None,
) -> dict[str, Outcome]:
    """The cached outcomes of those of ``texts`` (distinct model inputs) that the cache has."""
    if cache is None or not texts:
        return {}
    keys = unit_keys(engine, key_options, texts, glossary)
    found = cache.get_many(keys.values())
    outcomes = {}
    for text, key in keys.items():
        entry = found.get(key)
        if entry is not None:
            outcomes[text] = Outcome(
                entry["text"],
                entry.get("score"),
                int(entry.get("tokens") or 0),
                list(entry.get("flags") or []),
                list(entry.get("redone") or []),
                terms=[TermUse.from_dict(t) for t in entry.get("terms") or []],
                cached=True,
            )
    return outcomes


def cache_store(
    engine: TranslationEngine,
    cache: TranslationCache | None,
    key_options: str,
    fresh: dict[str, Outcome],
    glossary: Glossary | None = None,
) -> None:
    """Keep fresh outcomes in the cache (alternatives are not kept)."""
    if cache is None or not fresh:
        return
    keys = unit_keys(engine, key_options, list(fresh), glossary)
    entries = {}
    for text, o in fresh.items():
        entry: dict[str, Any] = {
            "text": o.text,
            "score": o.score,
            "tokens": o.tokens,
            "flags": o.flags,
            "redone": o.redone,
        }
        if o.terms:
            entry["terms"] = [t.to_dict() for t in o.terms]
        entries[keys[text]] = entry
    cache.put_many(entries)


def cached_translate(
    engine: TranslationEngine,
    texts: list[str],
    options: DecodeOptions,
    cache: TranslationCache | None,
    key_options: str,
    glossary: Glossary | None = None,
) -> list[Outcome]:
    """:func:`translate_units` behind the persistent cache; each distinct text is translated once."""
    unique = list(dict.fromkeys(texts))
    found = cache_lookup(engine, cache, key_options, unique, glossary)
    missing = [text for text in unique if text not in found]
    try:
        translated = translate_units(engine, missing, options, glossary)
    except UnitsInterrupted as stop:
        # Ctrl-C: what was finished is kept, so the next run does not translate it again.
        kept = {missing[i]: outcome for i, outcome in stop.finished.items()}
        cache_store(engine, cache, key_options, kept, glossary)
        stop.kept = len(kept) if cache is not None else 0
        raise
    fresh = dict(zip(missing, translated, strict=True))
    cache_store(engine, cache, key_options, fresh, glossary)
    if cache is not None:
        served = sum(1 for text in texts if text in found)
        cache.stats.hits += served
        cache.stats.misses += len(texts) - served
    return [fresh[text] if text in fresh else found[text] for text in texts]
