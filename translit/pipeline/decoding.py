"""Decoding behind the guards: model inputs in, outcomes out, what a model silently does wrong redone.

The guards, in the order they act on one batch (see :mod:`translit.guards` for the checks):

1. an output that loops is decoded again with anti-repetition settings (``loop``);
2. an output that ran into the length limit is halved and each half redone, at most
   twice (``limit``);
3. an output that fails an omission check (length ratio, sentence count, numbers) is
   redone once in parts — its sentences, or a single sentence's two halves
   (``omission``); the better of the two attempts is kept;
4. glossary terms and what is always kept verbatim (links, handles) are imposed
   (:mod:`translit.terms`).

Whatever a unit still fails is listed in its ``flags``. A stand-alone symbol the vocabulary
cannot spell is kept as it is and the words around it translated on their own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from translit import guards
from translit.engines import DecodeOptions, EngineOutput, TranslationEngine
from translit.engines.forced import forced_ratio
from translit.engines.protocol import DecodeInterrupted, speller_of
from translit.errors import Interrupted
from translit.glossary import Glossary
from translit.outcome import Outcome
from translit.segment import sentence_spans, split_sentences
from translit.terms import enforce_terms, terms_as_translated

NO_GLOSSARY = Glossary()  # still finds what is always kept verbatim (links, handles, code)
# How often a unit whose output ran into the length limit is split and retried.
MAX_SPLIT_DEPTH = 2
# Decoding settings for a retry of a unit whose output looped.
GUARD_NGRAM = 3
GUARD_PENALTY = 1.3


class UnitsInterrupted(Interrupted):
    """Ctrl-C during :func:`translate_units`, with the units that were finished by then.

    ``finished`` maps a position in the call's ``texts`` to its outcome: only units whose
    first output needed nothing redone or imposed, so each is exactly what the whole call
    would have returned. ``kept`` is how many of them went into the cache
    (:func:`~translit.pipeline.unit_cache.cached_translate` sets it), so a rerun does not
    translate them again.
    """

    def __init__(self, finished: dict[int, Outcome]) -> None:
        super().__init__()
        self.finished = finished


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


def loop_safe(options: DecodeOptions) -> DecodeOptions:
    """The settings a unit whose output looped is decoded again with."""
    return replace(options, no_repeat_ngram_size=GUARD_NGRAM, repetition_penalty=GUARD_PENALTY)


def _decode(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, depth: int = 0
) -> list[Outcome]:
    """Translate ``texts``, redoing loops and outputs cut off by the length limit."""
    if not texts:
        return []
    outputs: list[EngineOutput] = engine.translate_batch(texts, options)
    try:
        return _redo(engine, texts, outputs, options, depth)
    except KeyboardInterrupt:
        # Every first output is in: say so, whatever call of the redo was interrupted.
        raise DecodeInterrupted(dict(enumerate(outputs))) from None


def _redo(
    engine: TranslationEngine,
    texts: list[str],
    outputs: list[EngineOutput],
    options: DecodeOptions,
    depth: int,
) -> list[Outcome]:
    """The outcomes of ``outputs``, loops and outputs cut off by the length limit redone."""
    redone: list[list[str]] = [[] for _ in texts]
    benchmark = forced_ratio(options) is not None
    if not benchmark and options.no_repeat_ngram_size is None:
        suspects = [i for i, o in enumerate(outputs) if guards.is_degenerate(texts[i], o.text)]
        if suspects:
            safer = loop_safe(options)
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


def unknown_symbols(
    engine: TranslationEngine, text: str, memo: dict[str, bool] | None = None
) -> list[tuple[int, int]]:
    """Spans of stand-alone symbols in ``text`` that the model's vocabulary cannot spell.

    A symbol the vocabulary lacks ("Klimaproteste ǀ Wer …", a separator from a web page)
    reaches the model as ``<unk>``, and a model answers ``<unk>`` with whatever it likes
    ("Š Deutschland"). Such a symbol is kept as it is and the words on each side are
    translated on their own. ``memo`` keeps the answers of one call (symbols repeat).
    """
    represents = speller_of(engine)
    if represents is None:
        return []
    memo = {} if memo is None else memo
    spans = []
    for match in _STANDALONE.finditer(text):
        symbol = match.group()
        if symbol not in memo:
            memo[symbol] = bool(represents(symbol))
        if not memo[symbol]:
            spans.append(match.span())
    return spans


def _translate_around_symbols(
    engine: TranslationEngine, texts: list[str], options: DecodeOptions, glossary: Glossary | None
) -> list[Outcome] | None:
    """:func:`translate_units` for texts holding :func:`unknown_symbols`; None when none does."""
    memo: dict[str, bool] = {}
    found = {i: unknown_symbols(engine, text, memo) for i, text in enumerate(texts)}
    found = {i: spans for i, spans in found.items() if spans}
    if not found:
        return None
    pieces: dict[int, list[str]] = {}  # text i: words, symbol, words, symbol, ...
    for i, spans in found.items():
        cuts = [0, *(p for span in spans for p in span), len(texts[i])]
        pieces[i] = [texts[i][a:b].strip() for a, b in pairwise(cuts)]
    plain = [i for i in range(len(texts)) if i not in found]
    words = [piece for i in found for piece in pieces[i][0::2] if piece]
    try:
        done = iter(translate_units(engine, [texts[i] for i in plain] + words, options, glossary))
    except UnitsInterrupted as stop:  # what it kept, by position in ``texts``
        kept = {plain[k]: outcome for k, outcome in stop.finished.items() if k < len(plain)}
        raise UnitsInterrupted(kept) from None
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
    try:
        outcomes = _decode(engine, texts, options)
    except DecodeInterrupted as stop:
        first = {
            i: Outcome(o.text, o.score, o.tokens, [], [], o.alternatives)
            for i, o in stop.finished.items()
            if not o.hit_limit  # would have been halved and redone
        }
        raise UnitsInterrupted(_finished(texts, first, options, glossary)) from None
    if forced_ratio(options) is not None:
        return outcomes  # benchmarks: forced lengths say nothing about omissions
    first = {i: replace(o, flags=list(o.flags), redone=list(o.redone)) for i, o in enumerate(outcomes)}
    try:
        return _repair(engine, texts, outcomes, options, glossary)
    except KeyboardInterrupt:
        raise UnitsInterrupted(_finished(texts, first, options, glossary)) from None


def _finished(
    texts: list[str], first: dict[int, Outcome], options: DecodeOptions, glossary: Glossary | None
) -> dict[int, Outcome]:
    """Of the first outcomes of an interrupted call, those no guard would have redone or flagged."""
    if forced_ratio(options) is not None:
        return {}
    finished = {}
    for i, outcome in first.items():
        if outcome.flags or outcome.redone or guards.is_degenerate(texts[i], outcome.text):
            continue
        if guards.omission_flags(texts[i], outcome.text):
            continue
        uses = terms_as_translated(glossary or NO_GLOSSARY, texts[i], outcome.text)
        if uses is not None:
            finished[i] = replace(outcome, terms=uses)
    return finished


def _repair(
    engine: TranslationEngine,
    texts: list[str],
    outcomes: list[Outcome],
    options: DecodeOptions,
    glossary: Glossary | None,
) -> list[Outcome]:
    """Omissions redone in parts and glossary terms imposed, in place; ``outcomes`` returned."""
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
    enforce_terms(engine, texts, outcomes, options, glossary or NO_GLOSSARY, loop_options=loop_safe(options))
    return outcomes
