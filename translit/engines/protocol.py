"""What translit needs from a translation engine, and what only some engines can do.

:class:`TranslationEngine` is the protocol every engine satisfies; :class:`DecodeOptions` and
:class:`EngineOutput` are what goes in and comes out. A capability only some engines have is a
protocol of its own (:class:`Aligns`, :class:`Spells`, :class:`Parallel`, :class:`Prefixes`,
:class:`FromFolder`), asked through a typed accessor (:func:`aligner_of`, :func:`prefixer_of`,
…) that answers None where an engine lacks it — never by probing attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from translit.alignment import Alignment

# Padded source tokens per batch. Sentence units are short and vary in length; batches bounded
# by tokens rather than by count keep similar lengths together (bench/engines.py: 768-1024
# was fastest on the sample article, 4,096 no faster on the 118-article batch).
DEFAULT_MAX_BATCH_TOKENS = 1024


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings; ``None`` means the model's own generation_config decides.

    ``max_batch_tokens`` bounds a batch by padded source tokens instead of by count.
    Benchmarks force every output's length with :class:`~translit.engines.forced.ForcedLength`.
    """

    beams: int | None = None
    batch_size: int = 16
    max_length: int | None = None
    max_batch_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    repetition_penalty: float | None = None
    hypotheses: int = 1
    """How many hypotheses to return (the best first); the beam is widened to hold them."""
    suppress: tuple[str, ...] = ()
    """Words the output must not contain (as a word of their own or glued to the one before)."""
    shortlist: bool = True
    """Use the model's checked vocabulary shortlist, where its engine has one
    (:mod:`translit.engines.shortlist`)."""


@dataclass(frozen=True)
class EngineOutput:
    """One translated unit.

    ``hit_limit`` is True when generation stopped at the length limit rather than at
    ``</s>``. ``score`` is the mean log-probability of the output's tokens, ``</s>``
    included (the model's confidence: 0 is certain, lower is less sure); None when an
    engine cannot tell.
    """

    text: str
    tokens: int
    hit_limit: bool
    score: float | None = None
    alternatives: tuple[str, ...] = ()
    """The other hypotheses, best first, when more than one was asked for."""


class DecodeInterrupted(KeyboardInterrupt):
    """Ctrl-C during :meth:`TranslationEngine.translate_batch`, with what had finished.

    ``finished`` maps a position in the call's ``texts`` to its output. An engine that can
    tell raises this instead of a bare :class:`KeyboardInterrupt` (it *is* one, so every
    caller that stops on Ctrl-C still does), so that units translated before the interrupt
    can be kept rather than translated again by the next run.
    """

    def __init__(self, finished: dict[int, EngineOutput]) -> None:
        super().__init__()
        self.finished = finished


class TranslationEngine(Protocol):
    """What translit needs from a translation backend.

    What only some engines can do is declared by small protocols of its own (:class:`Aligns`,
    :class:`Spells`, :class:`Parallel`, :class:`Prefixes`, :class:`FromFolder`) and asked
    through :func:`aligner_of`, :func:`speller_of`, :func:`workers_of`, :func:`prefixer_of`
    and :func:`source_directory_of`.
    """

    name: str
    """The engine's kind: ``ctranslate2``, ``transformers``."""
    model_id: str
    max_input_tokens: int
    cache_key: str
    """Identity of the model files and engine settings, for the translation cache."""
    normalization: str
    """The input normalisation the model was trained with (see :mod:`translit.normalize`)."""
    flag_below: float | None
    """Units scoring below this are marked for checking (None: translit's default)."""

    def count_tokens(self, text: str) -> int:
        """Number of source tokens of ``text``, without the end-of-sentence token."""
        ...

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order."""
        ...


# --- what only some engines can do -------------------------------------------------------------


@runtime_checkable
class Aligns(Protocol):
    """An engine that aligns a source with a translation (source to target characters)."""

    def align(self, pairs: Sequence[tuple[str, str]]) -> list[Alignment]:
        """One alignment per (source, target) pair."""
        ...


@runtime_checkable
class Spells(Protocol):
    """An engine that says whether its vocabulary can spell a text (no ``<unk>``)."""

    def represents(self, text: str) -> bool:
        """Whether ``text`` reaches the model without unknown pieces."""
        ...


def engine_name(engine: TranslationEngine) -> str:
    """An engine's kind (``ctranslate2``, ``transformers``; a double's own name)."""
    return engine.name


@runtime_checkable
class Parallel(Protocol):
    """An engine that runs several batches at once (CTranslate2's workers on CPU)."""

    workers: int
    """Batches decoded at the same time."""


def workers_of(engine: object) -> int:
    """How many batches the engine decodes at once (1 for an engine without workers)."""
    return max(1, int(engine.workers)) if isinstance(engine, Parallel) else 1


def aligner_of(engine: object) -> Callable[[Sequence[tuple[str, str]]], list[Alignment]] | None:
    """The engine's word aligner, or None when it has none."""
    return engine.align if isinstance(engine, Aligns) else None


def speller_of(engine: object) -> Callable[[str], bool] | None:
    """The engine's vocabulary check, or None when it has none."""
    return engine.represents if isinstance(engine, Spells) else None


@runtime_checkable
class Prefixes(Protocol):
    """An engine that continues given beginnings of its outputs (a forced target prefix)."""

    def translate_with_prefix(
        self, texts: Sequence[str], prefixes: Sequence[str], options: DecodeOptions
    ) -> list[EngineOutput]:
        """Translate ``texts``, each output beginning with its prefix (the model continues it)."""
        ...


PrefixDecoder = Callable[[Sequence[str], Sequence[str], DecodeOptions], list[EngineOutput]]
"""An engine's :meth:`Prefixes.translate_with_prefix`."""


def prefixer_of(engine: object) -> PrefixDecoder | None:
    """The engine's forced-prefix decoding, or None when it has none."""
    return engine.translate_with_prefix if isinstance(engine, Prefixes) else None


@runtime_checkable
class FromFolder(Protocol):
    """An engine loaded from a model folder on disk."""

    source_directory: Path
    """The folder the model was loaded from (the original, for a conversion)."""


def source_directory_of(engine: object) -> Path | None:
    """The folder an engine's model was loaded from (None for an engine without one)."""
    return Path(engine.source_directory) if isinstance(engine, FromFolder) else None
