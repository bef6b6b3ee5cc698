"""The results translit hands back: a translation unit by unit, and a brief.

Plain dataclasses with a ``to_dict`` each, shared by the library, the renderers and the
batch runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from translit.formats import format_info
from translit.glossary import TermUse
from translit.memory import Entry, Near
from translit.options import DEFAULT_FLAG_BELOW
from translit.readers import Document, PlacedSegment, write_document
from translit.readers.base import CHECK_MARK
from translit.segment import Unit, join_units
from translit.summarize import Summary

__all__ = ["CHECK_MARK", "DEFAULT_FLAG_BELOW", "Brief", "Translation", "UnitResult", "sentence_units"]


@dataclass(frozen=True)
class UnitResult:
    """The translation of one unit.

    ``score`` is the model's mean token log-probability (None for copied units);
    ``flags`` are the guard findings that remained after the unit was redone
    (``length_ratio``, ``sentence_count``, ``numbers``, ``degenerate``, ``length_limit``);
    ``redone`` says why it was translated again (``loop``, ``limit``, ``omission``,
    ``glossary``); ``terms`` the glossary terms of its source and whether each was honoured.
    """

    text: str
    score: float | None = None
    copied: bool = False
    flags: tuple[str, ...] = ()
    redone: tuple[str, ...] = ()
    terms: tuple[TermUse, ...] = ()
    memory: Entry | None = None
    """The translation memory's entry this unit's English is (None: the model's or a copy)."""
    near: Near | None = None
    """A near match in the memory, shown beside the model's translation (never used)."""

    @property
    def by(self) -> str:
        """Who translated the unit: ``memory`` (a person), ``copy`` (nothing to translate) or ``model``."""
        return "memory" if self.memory is not None else "copy" if self.copied else "model"


@dataclass
class Translation:
    """The translation of one article, paragraph for paragraph and unit for unit."""

    model: str
    source_paragraphs: list[str]
    units: list[Unit]
    unit_results: list[UnitResult]
    paragraphs: list[str]
    removed_boilerplate: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unit_mode: str = "sentence"
    engine: str = ""
    normalization: str = "none"
    flag_below: float = DEFAULT_FLAG_BELOW
    input_format: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    """What the input is called (a path, ``<stdin>``, ``q[0]``), for messages."""
    source: Document | None = field(default=None, repr=False)
    """The read document, where the translation is written back into its format."""
    placed: list[PlacedSegment] | None = field(default=None, repr=False)
    """Each segment's translation with its formatting placed (:mod:`translit.placement`)."""
    unit_ends: list[int] = field(default_factory=list, repr=False)
    """Per unit: where it ends in its paragraph's translation (where ``[?]`` goes)."""
    _written: dict[bool, bytes | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def written(self, marks: bool = True) -> bytes | None:
        """The translation in the input's own format, as bytes (None where that is not kept).

        ``marks`` puts :data:`CHECK_MARK` after every unit a reader should check.
        """
        if self.source is None or self.placed is None:
            return None
        marks = marks and bool(self.units_to_check)
        if marks not in self._written:
            segments = [replace(segment, marks=[]) for segment in self.placed]
            if marks:
                for i in self.units_to_check:
                    segments[self.units[i].paragraph].marks.append(self.unit_ends[i])
            self._written[marks] = write_document(self.source, segments, marks)
        return self._written[marks]

    @property
    def binary(self) -> bool:
        """Is the input's own format bytes rather than text (a Word file)?"""
        info = format_info(self.input_format)
        return bool(info and info.binary)

    @property
    def document(self) -> str | None:
        """The translation in the input's own format, where it is kept and is text (Markdown, HTML)."""
        data = self.written(marks=False)
        return None if data is None or self.binary else data.decode("utf-8")

    @property
    def marked_document(self) -> str | None:
        """:attr:`document` with :data:`CHECK_MARK` after each unit to check."""
        data = self.written(marks=True)
        return None if data is None or self.binary else data.decode("utf-8")

    @property
    def text(self) -> str:
        """The translation: the rebuilt document where the format is kept, else paragraphs."""
        if self.document is not None:
            return self.document
        return "\n\n".join(self.paragraphs)

    def marked_paragraphs(self) -> list[str]:
        """The translated paragraphs with :data:`CHECK_MARK` after each unit to check."""
        if not self.units_to_check:
            return list(self.paragraphs)
        texts = [
            f"{result.text} {CHECK_MARK}" if self.needs_check(i) else result.text
            for i, result in enumerate(self.unit_results)
        ]
        return join_units(self.units, texts, len(self.source_paragraphs))

    @property
    def units_to_check(self) -> list[int]:
        """Units a reader should check: a guard flag, or a score below ``flag_below``."""
        return [i for i in range(len(self.unit_results)) if self.needs_check(i)]

    def marked_text(self) -> str:
        """:attr:`text` with :data:`CHECK_MARK` after each unit to check."""
        if self.document is not None:
            return self.marked_document or self.document
        return "\n\n".join(self.marked_paragraphs())

    def low_confidence(self, index: int) -> bool:
        """Is unit ``index`` scored below the model's ``flag_below``?"""
        score = self.unit_results[index].score
        return score is not None and score < self.flag_below

    def needs_check(self, index: int) -> bool:
        """Should a reader check unit ``index``: a guard flag, or low confidence?"""
        return bool(self.unit_results[index].flags) or self.low_confidence(index)

    @property
    def flagged_units(self) -> list[int]:
        """Units that kept a guard flag after being redone."""
        return [i for i, r in enumerate(self.unit_results) if r.flags]

    @property
    def low_confidence_units(self) -> list[int]:
        """Units scored below ``flag_below``."""
        return [i for i in range(len(self.unit_results)) if self.low_confidence(i)]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of everything in the result."""
        units = []
        for i, (unit, result) in enumerate(zip(self.units, self.unit_results, strict=True)):
            units.append(
                {
                    "paragraph": unit.paragraph,
                    "source": unit.text,
                    "translation": result.text,
                    "tokens": unit.tokens,
                    "score": None if result.score is None else round(result.score, 4),
                    "copied": result.copied,
                    "flags": list(result.flags),
                    "redone": list(result.redone),
                    "low_confidence": self.low_confidence(i),
                    "check": self.needs_check(i),
                    **({"terms": [t.to_dict() for t in result.terms]} if result.terms else {}),
                    "by": result.by,
                    **({"memory": _memory_origin(result.memory)} if result.memory is not None else {}),
                    **({"near": result.near.to_dict()} if result.near is not None else {}),
                }
            )
        data = {
            "model": self.model,
            "engine": self.engine,
            "input_format": self.input_format,
            "metadata": self.metadata,
            "unit_mode": self.unit_mode,
            "normalization": self.normalization,
            "flag_below": self.flag_below,
            "source_paragraphs": self.source_paragraphs,
            "translations": self.paragraphs,
            "units": units,
            "flagged_units": self.flagged_units,
            "low_confidence_units": self.low_confidence_units,
            "check_units": self.units_to_check,
            "removed_boilerplate": self.removed_boilerplate,
            "timings": self.timings,
        }
        document = self.document
        if document is not None:
            data["document"] = document
        return data


def _memory_origin(entry: Entry) -> dict[str, Any]:
    """Where a remembered unit's English came from, for JSON."""
    shown = entry.to_dict()
    return {name: shown[name] for name in ("id", "origin", "who", "created")}


def sentence_units(translation: Translation, sentences: list[str]) -> list[list[int]]:
    """The units each English sentence was taken from (indexes into ``translation.units``).

    A brief of the extractive summariser is made of the translation's own sentences, so
    each is found in its paragraph, and the units it overlaps are its sources — usually one,
    the German sentence it translates. A sentence not found (an abstractive summary's own
    wording) has none.
    """
    texts: dict[int, str] = {}
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for p in range(len(translation.paragraphs)):
        norm = " ".join(translation.paragraphs[p].split())
        texts[p] = norm
        cursor = 0
        for i, (unit, result) in enumerate(zip(translation.units, translation.unit_results, strict=True)):
            piece = " ".join(result.text.split())
            if unit.paragraph != p or not piece:
                continue
            at = norm.find(piece, cursor)
            if at >= 0:
                spans.setdefault(p, []).append((at, at + len(piece), i))
                cursor = at + len(piece)
    found: list[list[int]] = []
    for sentence in sentences:
        wanted = " ".join(sentence.split())
        units: list[int] = []
        for p, norm in texts.items():
            at = norm.find(wanted) if wanted else -1
            if at >= 0:
                end = at + len(wanted)
                units = [i for start, stop, i in spans.get(p, []) if start < end and stop > at]
                break
        found.append(units)
    return found


@dataclass
class Brief:
    """A short English brief of a German article, with the translation it came from.

    ``sources`` gives, per brief sentence, the units it was taken from (indexes into
    ``translation.units``): the German behind every English sentence.
    """

    headline: str | None
    summary: Summary
    translation: Translation
    sources: list[list[int]] = field(default_factory=list)

    @property
    def doubtful(self) -> list[bool]:
        """Per brief sentence: does it come from a unit a reader should check?"""
        return [any(self.translation.needs_check(i) for i in found) for found in self.sources]

    def marked_sentences(self) -> list[str]:
        """The brief's sentences, :data:`CHECK_MARK` after those to check."""
        doubtful = self.doubtful
        return [
            f"{sentence} {CHECK_MARK}" if i < len(doubtful) and doubtful[i] else sentence
            for i, sentence in enumerate(self.summary.sentences)
        ]

    @property
    def source_texts(self) -> list[str]:
        """The German behind each brief sentence ("" where it is not known)."""
        units = self.translation.units
        return [" ".join(units[i].text for i in found) for found in self.sources]

    @property
    def text(self) -> str:
        """The brief as one paragraph."""
        return self.summary.text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the translation's fields plus headline and brief."""
        data = self.translation.to_dict()
        data["headline"] = self.headline
        data["brief"] = self.summary.sentences
        data["brief_method"] = self.summary.method
        data["brief_sources"] = [
            {"units": found, "source": text}
            for found, text in zip(self.sources, self.source_texts, strict=True)
        ]
        return data
