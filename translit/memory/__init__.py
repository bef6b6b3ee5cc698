"""The translation memory: corrections that stick.

A person's English for a German unit (a sentence, by default) is kept in one SQLite file
beside the cache (:mod:`translit.memory.store`). Wherever translit translates, a unit whose
German is in the memory gets the memory's English instead of the model's (``by: memory``),
and a unit whose German is close to an entry (85 % or more, :mod:`translit.memory.near`)
is translated by the model as usual and shown beside the entry. Matching is on the German
as :func:`~translit.memory.keys.memory_key` normalises it (whitespace, quotes, dashes), so
the memory does not depend on the model. Entries come from the CLI, TMX 1.4 and TSV files
(:mod:`translit.memory.exchange`), the service's ``/suggest`` and the page.
"""

from translit.memory.keys import memory_key, sentence_pairs
from translit.memory.store import (
    ORIGINS,
    Entry,
    Near,
    TranslationMemory,
    default_memory_path,
    open_memory,
    writable_memory,
)

__all__ = [
    "ORIGINS",
    "Entry",
    "Near",
    "TranslationMemory",
    "default_memory_path",
    "memory_key",
    "open_memory",
    "sentence_pairs",
    "writable_memory",
]
