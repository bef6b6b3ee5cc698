"""The translation stage: units in, guarded translations out, joined back into paragraphs.

For a list of articles this module cuts every paragraph into units (sentences by
default), normalises what goes into the model, pools the units of all articles into
length-sorted batches, translates them behind the persistent cache and the output guards
(:mod:`translit.guards`), and reassembles one :class:`~translit.results.Translation` per
article.

The guards, in the order they act on one batch:

1. an output that loops is decoded again with anti-repetition settings (``loop``);
2. an output that ran into the length limit is halved and each half redone, at most
   twice (``limit``);
3. an output that fails an omission check (length ratio, sentence count, numbers) is
   redone once in parts — its sentences, or a single sentence's two halves
   (``omission``); the better of the two attempts is kept.

Whatever a unit still fails is listed in its ``flags``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from translit import guards
from translit.cache import TranslationCache, unit_key
from translit.engines import DecodeOptions, EngineOutput, TranslationEngine
from translit.engines.base import aligner_of, engine_name, speller_of
from translit.glossary import Glossary, TermUse
from translit.normalize import get_normalizer
from translit.options import DEFAULT_FLAG_BELOW, Settings
from translit.options import Unit as UnitMode
from translit.placement import MARKUP, lay_out
from translit.readers import Document, get_writer
from translit.results import Translation, UnitResult
from translit.segment import (
    DEFAULT_UNIT_TOKENS,
    Unit,
    join_units,
    make_units,
    sentence_spans,
    split_sentences,
)
from translit.terms import enforce_terms

log = logging.getLogger("translit")

NO_GLOSSARY = Glossary()  # still finds what is always kept verbatim (links, handles, code)
# How often a unit whose output ran into the length limit is split and retried.
MAX_SPLIT_DEPTH = 2
# Decoding settings for a retry of a unit whose output looped.
GUARD_NGRAM = 3
GUARD_PENALTY = 1.3
# Bumped whenever the guards change what ends up in the cache.
GUARDS_VERSION = 6


def unit_budget(settings: Settings, engine: TranslationEngine) -> int:
    """Tokens one unit may have: the option (default 128 for sentences), capped by the model."""
    wanted = settings.max_unit_tokens or (
        DEFAULT_UNIT_TOKENS if settings.unit is UnitMode.sentence else engine.max_input_tokens
    )
    return max(1, min(wanted, engine.max_input_tokens))


def decode_options(settings: Settings) -> DecodeOptions:
    """The engine's decoding options for ``settings``."""
    return DecodeOptions(
        beams=settings.beams, batch_size=settings.batch_size, max_batch_tokens=settings.max_batch_tokens
    )


@dataclass
class Outcome:
    """What became of one model input: its translation, score, remaining flags and retries.

    ``alternatives`` are other hypotheses of the engine (only when asked for; never cached).
    """

    text: str
    score: float | None
    tokens: int
    flags: list[str] = field(default_factory=list)
    redone: list[str] = field(default_factory=list)
    alternatives: tuple[str, ...] = ()
    terms: list[TermUse] = field(default_factory=list)
    cached: bool = False  # served from the cache (what was redone, was redone in an earlier run)


_FINAL_STOP = re.compile(r"[.!?…]+$")


def _join_halves(parts: list[str]) -> list[str]:
    """Halves of one sentence translated apart, mended: no full stop inside, no capital after it."""
    mended = []
    for k, part in enumerate(parts):
        text = part.strip()
        if k < len(parts) - 1:
            text = _FINAL_STOP.sub("", text)
        if k > 0 and text[:1].isupper() and text[1:2].islower() and not text.startswith(("I ", "I'")):
            text = text[:1].lower() + text[1:]
        mended.append(text)
    return mended


def _merge(parts: list[Outcome], halves: bool = False) -> Outcome:
    """The outcomes of a unit's parts as one; the score is the token-weighted mean of the parts'.

    ``halves``: the parts are pieces of one sentence (see :func:`_join_halves`).
    """
    score = None
    if all(p.score is not None for p in parts):
        weights = [p.tokens + 1 for p in parts]
        score = sum((p.score or 0.0) * w for p, w in zip(parts, weights, strict=True)) / sum(weights)
    texts = [p.text.strip() for p in parts if p.text.strip()]
    return Outcome(
        text=" ".join(_join_halves(texts) if halves else texts),
        score=score,
        tokens=sum(p.tokens for p in parts),
        flags=sorted({f for p in parts for f in p.flags}),
        redone=sorted({r for p in parts for r in p.redone}),
    )


_CLAUSE_END = re.compile(r"[;:,]\s+|\s+[–—]\s+")


def split_in_two(text: str) -> tuple[str, str] | None:
    """Cut a unit near its middle: between sentences, else at a clause, else between words."""
    middle = len(text) / 2
    spans = sentence_spans(text)
    if len(spans) > 1:
        cut = min(range(1, len(spans)), key=lambda i: abs(spans[i][0] - middle))
        return text[: spans[cut - 1][1]], text[spans[cut][0] :]
    return _split_sentence_in_two(text)


def split_for_retry(text: str) -> list[str] | None:
    """The parts a flagged unit is redone in: its sentences, or else its two halves.

    A model that lost a sentence of a long unit gets each sentence on its own — the unit it
    was trained on; a single sentence is cut at the clause nearest its middle.
    """
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    if len(sentences) > 1:
        return sentences
    halves = _split_sentence_in_two(text)
    return list(halves) if halves else None


def _split_sentence_in_two(text: str) -> tuple[str, str] | None:
    """Cut one sentence near its middle: at a clause, else between words."""
    middle = len(text) / 2
    clauses = [m.end() for m in _CLAUSE_END.finditer(text)]
    if clauses:
        cut = min(clauses, key=lambda position: abs(position - middle))
        return text[:cut].rstrip(), text[cut:]
    words = text.split()
    if len(words) > 1:
        half = len(words) // 2
        return " ".join(words[:half]), " ".join(words[half:])
    return None


def _decode(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, depth: int = 0
) -> list[Outcome]:
    """Translate ``texts``, redoing loops and outputs cut off by the length limit."""
    if not texts:
        return []
    outputs: list[EngineOutput] = engine.translate_batch(texts, options)
    redone: list[list[str]] = [[] for _ in texts]
    benchmark = options.force_ratio is not None
    if not benchmark and options.no_repeat_ngram_size is None:
        suspects = [i for i, o in enumerate(outputs) if guards.is_degenerate(texts[i], o.text)]
        if suspects:
            safer = replace(options, no_repeat_ngram_size=GUARD_NGRAM, repetition_penalty=GUARD_PENALTY)
            for i, output in zip(
                suspects, engine.translate_batch([texts[i] for i in suspects], safer), strict=True
            ):
                outputs[i] = output
                redone[i].append("loop")
    outcomes = [
        Outcome(o.text, o.score, o.tokens, [], redone[i], o.alternatives) for i, o in enumerate(outputs)
    ]
    for i, outcome in enumerate(outcomes):
        if "loop" in outcome.redone and guards.is_degenerate(texts[i], outcome.text):
            outcome.flags.append(guards.DEGENERATE)
    limited = [i for i, o in enumerate(outputs) if o.hit_limit]
    halves = {i: split_in_two(texts[i]) for i in limited} if depth < MAX_SPLIT_DEPTH else {}
    splittable = [i for i in limited if halves.get(i)]
    for i in limited:
        if not halves.get(i):
            outcomes[i].flags.append(guards.LENGTH_LIMIT)
    if splittable:
        flat = [half for i in splittable for half in halves[i] or ()]
        parts = _decode(engine, flat, options, depth + 1)
        for n, i in enumerate(splittable):
            merged = _merge(parts[2 * n : 2 * n + 2])
            merged.redone = sorted({*merged.redone, *outcomes[i].redone, "limit"})
            outcomes[i] = merged
    return outcomes


# A stand-alone symbol: one or two characters between spaces (letters such as "ǀ" included:
# web pages use look-alikes as separators). Longer words stay with the model.
_STANDALONE = re.compile(r"(?<!\S)\S{1,2}(?!\S)")


def unknown_symbols(engine: TranslationEngine, text: str) -> list[tuple[int, int]]:
    """Spans of stand-alone symbols in ``text`` that the model's vocabulary cannot spell.

    A symbol the vocabulary lacks ("Klimaproteste ǀ Wer …", a separator from a web page)
    reaches the model as ``<unk>``, and a model answers ``<unk>`` with whatever it likes
    ("Š Deutschland"). Such a symbol is kept as it is and the words on each side are
    translated on their own.
    """
    represents = speller_of(engine)
    if represents is None:
        return []
    spans = []
    for match in _STANDALONE.finditer(text):
        key = (engine.cache_key, match.group())
        known = _SPELLED.get(key)
        if known is None:
            if len(_SPELLED) > 100_000:  # short tokens are few; this only bounds a pathological input
                _SPELLED.clear()
            known = _SPELLED[key] = bool(represents(match.group()))
        if not known:
            spans.append(match.span())
    return spans


_SPELLED: dict[tuple[str, str], bool] = {}


def _translate_around_symbols(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, glossary: Glossary | None
) -> list[Outcome] | None:
    """:func:`translate_units` for texts holding :func:`unknown_symbols`; None when none does."""
    found = {i: unknown_symbols(engine, text) for i, text in enumerate(texts)}
    found = {i: spans for i, spans in found.items() if spans}
    if not found:
        return None
    pieces: dict[int, list[str]] = {}  # text i: words, symbol, words, symbol, ...
    for i, spans in found.items():
        cuts = [0, *(p for span in spans for p in span), len(texts[i])]
        pieces[i] = [texts[i][a:b].strip() for a, b in pairwise(cuts)]
    plain = [i for i in range(len(texts)) if i not in found]
    words = [piece for i in found for piece in pieces[i][0::2] if piece]
    done = iter(translate_units(engine, [texts[i] for i in plain] + words, options, glossary))
    outcomes: dict[int, Outcome] = {i: next(done) for i in plain}
    for i in found:
        parts: list[Outcome] = []
        for k, piece in enumerate(pieces[i]):
            if k % 2:
                parts.append(Outcome(piece, None, 0, [], []))
            elif piece:
                parts.append(next(done))
        translated = [p for p in parts if p.tokens or p.score is not None]
        merged = _merge(translated) if translated else Outcome("", None, 0, [], [])
        merged.text = " ".join(p.text.strip() for p in parts if p.text.strip())
        merged.terms = [t for p in parts for t in p.terms]
        outcomes[i] = merged
    return [outcomes[i] for i in range(len(texts))]


def translate_units(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, glossary: Glossary | None = None
) -> list[Outcome]:
    """Translate model inputs behind every guard (see the module docstring), glossary terms imposed."""
    around = _translate_around_symbols(engine, texts, options, glossary)
    if around is not None:
        return around
    outcomes = _decode(engine, texts, options)
    if options.force_ratio is not None:
        return outcomes  # benchmarks: forced lengths say nothing about omissions
    suspects: dict[int, list[str]] = {}
    for i, outcome in enumerate(outcomes):
        found = guards.omission_flags(texts[i], outcome.text)
        if found:
            suspects[i] = found
    pieces = {i: split_for_retry(texts[i]) for i in suspects}
    retry = [i for i in suspects if pieces[i]]
    flat = [piece for i in retry for piece in pieces[i] or ()]
    parts = iter(_decode(engine, flat, options) if retry else [])
    for i in retry:
        halves = len(split_sentences(texts[i])) < 2  # one sentence, redone in two halves
        second = _merge([next(parts) for _ in pieces[i] or ()], halves=halves)
        again = guards.omission_flags(texts[i], second.text)
        first = outcomes[i]
        # Keep the attempt that is known to have lost less (not merely the one with fewer flags).
        if guards.evidence(texts[i], second.text, second.score) < guards.evidence(
            texts[i], first.text, first.score
        ):
            second.redone = sorted({*second.redone, *first.redone, "omission"})
            if halves:
                # Two half-translations glued together read as one sentence only by luck.
                second.flags = sorted({*second.flags, guards.SPLIT})
            outcomes[i], suspects[i] = second, again
        else:
            first.redone = sorted({*first.redone, "omission"})
    for i, found in suspects.items():
        outcomes[i].flags = sorted({*outcomes[i].flags, *found})
    # Links and the like are kept verbatim in every run, so terms are checked with or without a glossary.
    enforce_terms(engine, texts, outcomes, options, glossary or NO_GLOSSARY)
    return outcomes


def cache_options(settings: Settings, options: DecodeOptions) -> str:
    """Everything besides the engine and the text that shapes a unit's cached translation.

    ``settings`` must be resolved for the model (:meth:`Settings.for_model`), so that
    ``normalize=auto`` never stands for two different normalisations.
    """
    return (
        f"{settings.key('unit')}|max_length={options.max_length}|force={options.force_ratio}"
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
    fresh = dict(zip(missing, translate_units(engine, missing, options, glossary), strict=True))
    cache_store(engine, cache, key_options, fresh, glossary)
    if cache is not None:
        served = sum(1 for text in texts if text in found)
        cache.stats.hits += served
        cache.stats.misses += len(texts) - served
    return [fresh[text] if text in fresh else found[text] for text in texts]


@dataclass
class Prepared:
    """Documents cut into units, and the model inputs of the units that reach the model.

    A translation in three steps — :func:`prepare`, translate
    ``inputs`` (behind the cache), :func:`assemble` — so that a caller may translate the
    inputs of many requests together (the HTTP service pools them).
    """

    documents: list[Document]
    units: list[list[Unit]]
    inputs: list[str]
    settings: Settings
    options: DecodeOptions
    seconds: float = 0.0
    glossary: Glossary | None = None

    @property
    def cache_options(self) -> str:
        """The options part of the inputs' cache keys."""
        return cache_options(self.settings, self.options)


def prepare(
    documents: Sequence[Document],
    engine: TranslationEngine,
    settings: Settings,
    options: DecodeOptions | None = None,
    glossary: Glossary | None = None,
) -> Prepared:
    """Cut every document into units and normalise what the model will see of them."""
    started = time.perf_counter()
    settings = settings.for_model(engine.normalization, engine.flag_below)
    normalize = get_normalizer(settings.normalize.value)
    budget = unit_budget(settings, engine)

    def count(text: str) -> int:
        return engine.count_tokens(normalize(text))

    per_document = [make_units(d.paragraphs, count, budget, settings.unit) for d in documents]
    inputs = [model_input(u.text, normalize) for units in per_document for u in units if not u.copy]
    return Prepared(
        list(documents),
        per_document,
        inputs,
        settings,
        options or decode_options(settings),
        time.perf_counter() - started,
        glossary or None,
    )


_LETTERS = re.compile(r"[^\W\d_]+")


def shouting(text: str) -> bool:
    """An ALL-CAPS line ("SCHWERES UNWETTER IN BAYERN"): a model trained on ordinary text
    turns it into letter soup."""
    letters = [ch for ch in text if ch.isalpha()]
    words = [w for w in _LETTERS.findall(text) if len(w) >= 2]
    return len(letters) >= 8 and len(words) >= 2 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


def model_input(text: str, normalize: Callable[[str], str]) -> str:
    """What the model sees of a unit: normalised, and an ALL-CAPS line with its words capitalised
    (German writes nouns so; the case style is put back on the translation, :func:`assemble`)."""
    if shouting(text):
        text = _LETTERS.sub(lambda m: m.group(0)[:1] + m.group(0)[1:].lower(), text)
    return normalize(text)


def assemble(
    prepared: Prepared, outcomes: Sequence[Outcome], engine: TranslationEngine, seconds: float = 0.0
) -> list[Translation]:
    """One :class:`Translation` per prepared document, from the outcomes of its inputs, in order.

    ``seconds`` is the time the translation of the inputs took (shared out in the timings).
    """
    settings = prepared.settings
    fresh_loops = sum(1 for o in outcomes if "loop" in o.redone and not o.cached)
    flow = iter(outcomes)
    share = 1 / max(1, len(prepared.documents))
    normalize = get_normalizer(settings.normalize.value)
    results = []
    for document, units in zip(prepared.documents, prepared.units, strict=True):
        unit_results = []
        for unit in units:
            if unit.copy:
                unit_results.append(UnitResult(unit.text, copied=True))
            else:
                o = next(flow)
                text = o.text.strip().upper() if shouting(unit.text) else o.text.strip()
                flags = tuple(o.flags)
                if "\ufffd" in unit.text:
                    flags = tuple(sorted({*flags, guards.REPLACED_BYTES}))
                unit_results.append(UnitResult(text, o.score, False, flags, tuple(o.redone), tuple(o.terms)))
        paragraphs = join_units(units, [r.text for r in unit_results], len(document.paragraphs))
        layout = None
        if document.skeleton is not None and get_writer(document.input_format) is not None:
            layout = lay_out(
                document.segments,
                units,
                [r.text for r in unit_results],
                [r.copied for r in unit_results],
                lambda text: model_input(text, normalize),
                aligner_of(engine),
            )
            # Formatting that alignment could not place went round its sentence: flag those units.
            unit_results = [
                replace(r, flags=tuple(sorted({*r.flags, MARKUP}))) if i in layout.misplaced else r
                for i, r in enumerate(unit_results)
            ]
        translation = Translation(
            model=engine.model_id,
            source_paragraphs=document.paragraphs,
            units=units,
            unit_results=unit_results,
            paragraphs=paragraphs,
            removed_boilerplate=document.removed,
            input_format=document.input_format,
            metadata=document.metadata,
            unit_mode=settings.unit.value,
            engine=engine_name(engine),
            normalization=settings.normalize.value,
            flag_below=settings.flag_below if settings.flag_below is not None else DEFAULT_FLAG_BELOW,
            timings={
                "segment": round(prepared.seconds * share, 4),
                "translate": round(seconds * share, 4),
            },
            name=document.name,
            source=document if layout is not None else None,
            placed=layout.segments if layout is not None else None,
            unit_ends=layout.unit_ends if layout is not None else [],
        )
        results.append(translation)
    _report(results, fresh_loops)
    return results


def _report(results: list[Translation], fresh_loops: int) -> None:
    """One line per run for what a reader should know: loops redone, units to check and where."""
    if fresh_loops:
        log.warning("%d unit(s) looped (repetition) and were decoded again", fresh_loops)
    doubtful = [
        (t.name or f"document {i + 1}", len(t.units_to_check))
        for i, t in enumerate(results)
        if t.units_to_check
    ]
    if doubtful:
        total = sum(n for _, n in doubtful)
        shown = ", ".join(f"{name} ({n})" for name, n in doubtful[:5])
        more = f" and {len(doubtful) - 5} more file(s)" if len(doubtful) > 5 else ""
        log.warning(
            "%d unit(s) to check, marked [?] (a guard flag or low confidence; 'check' in JSON): %s%s",
            total,
            shown,
            more,
        )
