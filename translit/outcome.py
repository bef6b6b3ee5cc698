"""What became of one model input: the record the decoding pipeline and the glossary's repairs share.

It lives on its own low floor so that :mod:`translit.terms` (which repairs outcomes in place)
and :mod:`translit.pipeline` (which makes them) both type it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from translit.glossary import TermUse


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
