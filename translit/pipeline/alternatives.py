"""Other renderings of translated texts: the engine's n-best hypotheses, joined like the best.

Decoded apart from the translations themselves (never cached), so asking for alternatives never
changes a translation. :meth:`translit.Translator.alternatives` decodes them directly; the HTTP
service sends :func:`alternative_inputs` through its scheduler and joins the outcomes with
:func:`joined_alternatives` — one way to make them, for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from translit.engines import DecodeOptions
from translit.pipeline.assembly import model_input
from translit.results import Translation
from translit.segment import join_units


class Hypotheses(Protocol):
    """A decoded unit with its other hypotheses (an :class:`~translit.outcome.Outcome` or an
    engine's output)."""

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The other hypotheses, best first."""
        ...


def alternative_inputs(translations: Sequence[Translation], normalize: Callable[[str], str]) -> list[str]:
    """What the model saw of every unit it translated (a copied unit has no alternatives)."""
    return [
        model_input(unit.text, normalize)
        for translation in translations
        for unit, result in zip(translation.units, translation.unit_results, strict=True)
        if not result.copied
    ]


def alternatives_options(options: DecodeOptions, count: int) -> DecodeOptions:
    """``options`` asking for ``count`` hypotheses besides the best (the engine widens its beam)."""
    return replace(options, hypotheses=count + 1)


def joined_alternatives(
    translations: Sequence[Translation], outcomes: Sequence[Hypotheses], count: int
) -> list[list[str]]:
    """Up to ``count`` other texts per translation: its units' k-th hypotheses joined as the
    translation's units are (a unit with fewer hypotheses keeps its best); none repeats the
    translation or another alternative."""
    remaining = iter(outcomes)
    answers = []
    for translation in translations:
        per_unit = [
            (r.text,) if r.copied else (r.text, *next(remaining).alternatives)
            for r in translation.unit_results
        ]
        texts: list[str] = []
        for k in range(1, count + 1):
            joined = join_units(
                translation.units,
                [hypotheses[k] if k < len(hypotheses) else hypotheses[0] for hypotheses in per_unit],
                len(translation.source_paragraphs),
            )
            text = "\n\n".join(joined)
            if text != translation.text and text not in texts:
                texts.append(text)
        answers.append(texts)
    return answers
