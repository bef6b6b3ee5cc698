"""Corrections sent to the service (LibreTranslate's ``POST /suggest``, the page's edits), kept in
the translation memory.

A suggestion is taken only for German this service has translated (a bounded record of the
units it translated, :class:`Translated`) or that the memory already holds: a correction of a
text nobody translated here is a mistake or a probe. With API keys, a suggestion comes from a
known client and is used at once (``who`` is a short digest of its key, never the key); without
keys anyone who reaches the service may send one, so it is held until an editor accepts it
(``translit memory review``) — one anonymous request must not change what every later
translation says.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable

from translit.errors import InputError
from translit.memory import Entry, TranslationMemory, memory_key, sentence_pairs
from translit.results import Translation
from translit.serve.errors import ApiError

REMEMBERED_UNITS = 200_000
"""Units this service remembers having translated (the oldest are forgotten first)."""


class Translated:
    """The German units this service translated lately (their memory keys), bounded."""

    def __init__(self, size: int = REMEMBERED_UNITS) -> None:
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, translations: Iterable[Translation]) -> None:
        """Remember the units of ``translations``."""
        with self._lock:
            for translation in translations:
                for unit in translation.units:
                    key = memory_key(unit.text)
                    self._keys[key] = None
                    self._keys.move_to_end(key)
            while len(self._keys) > self.size:
                self._keys.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys


def who_of(key: str | None) -> str:
    """How a suggestion's author is kept: ``key:`` and a short digest of its API key."""
    return f"key:{hashlib.sha256(key.encode()).hexdigest()[:12]}" if key else "anonymous"


def suggest(
    memory: TranslationMemory,
    translated: Translated,
    german: str,
    english: str,
    *,
    origin: str,
    key: str | None,
    trusted: bool,
) -> list[Entry]:
    """Keep ``english`` as the translation of ``german`` (split into sentences alike): used at
    once when ``trusted`` (a valid API key), else held for review. A 400 for German this
    service did not translate and the memory does not hold."""
    try:
        pairs = sentence_pairs(german, english)
    except InputError as exc:
        raise ApiError(400, f"Invalid request: {exc}") from None
    unknown = [source for source, _ in pairs if memory_key(source) not in translated]
    if unknown and len(memory.lookup(unknown)) < len(set(map(memory_key, unknown))):
        raise ApiError(
            400,
            "Invalid request: this service has not translated that German (suggest a correction "
            "of a translation it gave)",
        )
    who = who_of(key)
    return memory.add(Entry(source, target, origin, who, review=not trusted) for source, target in pairs)
