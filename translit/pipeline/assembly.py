"""Documents cut into units before translation, and translations assembled after it.

:func:`prepare` cuts every document's segments into units (sentences by default), takes the
units the translation memory holds out of the model's way (:mod:`translit.memory`) and
normalises what the model will see of the others; after the inputs are translated (behind the cache, or
pooled with other requests by the service), :func:`assemble` joins the outcomes back into
paragraphs, places the documents' formatting (:mod:`translit.placement`), marks what a
reader should check and builds one :class:`~translit.results.Translation` per document.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from translit import guards
from translit.engines import DecodeOptions, TranslationEngine
from translit.engines.protocol import aligner_of, engine_name
from translit.glossary import Glossary
from translit.memory import Entry, Near, TranslationMemory, memory_key
from translit.memory.near import nearest_many
from translit.normalize import get_normalizer
from translit.options import DEFAULT_FLAG_BELOW, Settings
from translit.options import Unit as UnitMode
from translit.outcome import Outcome
from translit.pipeline.unit_cache import cache_options
from translit.placement import MARKUP, lay_out
from translit.readers import Document, get_writer
from translit.results import Translation, UnitResult
from translit.segment import DEFAULT_UNIT_TOKENS, Unit, join_units, make_units

log = logging.getLogger("translit")


def unit_budget(settings: Settings, engine: TranslationEngine) -> int:
    """Tokens one unit may have: the option (default 128 for sentences), capped by the model."""
    wanted = settings.max_unit_tokens or (
        DEFAULT_UNIT_TOKENS if settings.unit is UnitMode.sentence else engine.max_input_tokens
    )
    return max(1, min(wanted, engine.max_input_tokens))


def decode_options(settings: Settings) -> DecodeOptions:
    """The engine's decoding options for ``settings``."""
    return DecodeOptions(
        beams=settings.beams,
        batch_size=settings.batch_size,
        max_batch_tokens=settings.max_batch_tokens,
        shortlist=settings.shortlist,
    )


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
    remembered: list[list[Entry | None]] | None = None
    """Per document and unit: the memory's entry that translates it (None: the model does)."""
    near: list[list[Near | None]] | None = None
    """Per document and unit: a near match in the memory, shown beside the model's translation."""
    remembered_inputs: list[str] | None = None
    """What the model would have seen of each remembered unit, in order (aligns its English)."""

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
    memory: TranslationMemory | None = None,
) -> Prepared:
    """Cut every document into units, find those the ``memory`` translates, and normalise
    what the model will see of the others."""
    started = time.perf_counter()
    settings = settings.for_model(engine.normalization, engine.flag_below)
    normalize = get_normalizer(settings.normalize.value)
    budget = unit_budget(settings, engine)

    def count(text: str) -> int:
        return engine.count_tokens(normalize(text))

    per_document = [make_units(d.paragraphs, count, budget, settings.unit) for d in documents]
    remembered: list[list[Entry | None]] | None = None
    near: list[list[Near | None]] | None = None
    inputs: list[str] = []
    remembered_inputs: list[str] = []
    if memory is not None:
        remembered, near = recall(memory, per_document)
    for d, units in enumerate(per_document):
        for u, unit in enumerate(units):
            if unit.copy:
                continue
            seen = model_input(unit.text, normalize)
            if remembered is not None and remembered[d][u] is not None:
                remembered_inputs.append(seen)
            else:
                inputs.append(seen)
    return Prepared(
        list(documents),
        per_document,
        inputs,
        settings,
        options or decode_options(settings),
        time.perf_counter() - started,
        glossary or None,
        remembered,
        near,
        remembered_inputs if remembered is not None else None,
    )


def recall(
    memory: TranslationMemory, per_document: Sequence[Sequence[Unit]]
) -> tuple[list[list[Entry | None]], list[list[Near | None]]]:
    """Per document and unit: the memory's entry for its German, and (for a unit it has none
    for) a near match to show."""
    found = memory.lookup(u.text for units in per_document for u in units if not u.copy)
    remembered = [
        [None if u.copy else found.get(memory_key(u.text)) for u in units] for units in per_document
    ]
    asked = [
        u.text
        for units, entries in zip(per_document, remembered, strict=True)
        for u, entry in zip(units, entries, strict=True)
        if not u.copy and entry is None
    ]
    close = iter(nearest_many(memory, asked))
    near = [
        [
            None if u.copy or entry is not None else next(close)
            for u, entry in zip(units, entries, strict=True)
        ]
        for units, entries in zip(per_document, remembered, strict=True)
    ]
    return remembered, near


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
    prepared: Prepared,
    outcomes: Sequence[Outcome],
    engine: TranslationEngine,
    seconds: float = 0.0,
    report: bool = True,
) -> list[Translation]:
    """One :class:`Translation` per prepared document, from the outcomes of its inputs, in order.

    ``seconds`` is the time the translation of the inputs took (shared out in the timings);
    ``report=False`` leaves the line about units to check to the caller (a batch's summary).
    """
    settings = prepared.settings
    fresh_loops = sum(1 for o in outcomes if "loop" in o.redone and not o.cached)
    flow = iter(outcomes)
    given = iter(prepared.inputs)  # what the model saw of each unit, in the outcomes' order
    share = 1 / max(1, len(prepared.documents))
    results = []
    recalled = iter(prepared.remembered_inputs or ())
    for d, (document, units) in enumerate(zip(prepared.documents, prepared.units, strict=True)):
        unit_results = []
        seen = []
        remembered = prepared.remembered[d] if prepared.remembered is not None else [None] * len(units)
        near = prepared.near[d] if prepared.near is not None else [None] * len(units)
        for unit, entry, close in zip(units, remembered, near, strict=True):
            if unit.copy:
                unit_results.append(UnitResult(unit.text, copied=True))
                seen.append(unit.text)
            elif entry is not None:
                # A person's English: used as written (no guard, no glossary, no [?]).
                unit_results.append(UnitResult(entry.target, memory=entry))
                seen.append(next(recalled))
            else:
                o = next(flow)
                seen.append(next(given))
                text = o.text.strip().upper() if shouting(unit.text) else o.text.strip()
                flags = tuple(o.flags)
                if "\ufffd" in unit.text:
                    flags = tuple(sorted({*flags, guards.REPLACED_BYTES}))
                unit_results.append(
                    UnitResult(text, o.score, False, flags, tuple(o.redone), tuple(o.terms), near=close)
                )
        paragraphs = join_units(units, [r.text for r in unit_results], len(document.paragraphs))
        layout = None
        if document.skeleton is not None and get_writer(document.input_format) is not None:
            layout = lay_out(
                document.segments,
                units,
                [r.text for r in unit_results],
                [r.copied for r in unit_results],
                seen,
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
    if report:
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
