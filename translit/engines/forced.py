"""Forced-length decoding, for benchmarks only: engines compared on the same inputs do the same work.

On random or small weights two engines stop at different lengths, and a timing then compares
lengths, not engines. :class:`ForcedLength` decoding options make every output of a batch exactly
``ceil(ratio × longest source in the batch)`` tokens. They are the core :class:`DecodeOptions` and
one field more, kept out of the core dataclass that every run reads; an engine asks
:func:`forced_ratio` whether it is to force lengths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from translit.engines.protocol import DecodeOptions


@dataclass(frozen=True)
class ForcedLength(DecodeOptions):
    """Decoding options whose outputs all have a forced length (benchmarks: ``bench/``)."""

    ratio: float = 1.0


def forced_ratio(options: DecodeOptions) -> float | None:
    """The forced-length ratio of ``options`` (None: decode as the model decides)."""
    return options.ratio if isinstance(options, ForcedLength) else None


def forced_length(ratio: float, source_lengths: Sequence[int]) -> int:
    """Output length for a forced-length batch."""
    return max(1, math.ceil(ratio * max(source_lengths)))
