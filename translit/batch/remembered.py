"""What a batch's resume marker says of the translation memory, and whether it still holds.

A document's outputs depend on the memory only through its units that the memory translates.
Its marker keeps a digest of each unit's German (:func:`~translit.memory.keys.key_hash`) and of
the English the memory gave (``matched``), with the memory's identity and version. A re-run
finds the document up to date when the memory is unchanged, or when its entries for those
units are still the same; otherwise the document is translated again, and the cache makes
every unit whose match did not change free — so exactly the units whose match changed are
translated anew.
"""

from __future__ import annotations

import hashlib
from typing import Any

from translit.memory import TranslationMemory, memory_key
from translit.memory.keys import key_hash
from translit.results import Translation


def _digest(pairs: set[tuple[str, str]]) -> str:
    text = "\n".join(f"{h}={target}" for h, target in sorted(pairs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def memory_record(translation: Translation, memory: TranslationMemory | None, version: int) -> dict[str, Any]:
    """The marker's record of a translated document: its units' German and the memory's English
    for those it translated (``version``: the memory's version before the translation began)."""
    units: list[str] = []
    matched: set[tuple[str, str]] = set()
    for unit, result in zip(translation.units, translation.unit_results, strict=True):
        if result.copied:
            continue
        h = key_hash(memory_key(unit.text))
        units.append(h)
        if result.memory is not None:
            matched.add((h, result.memory.target))
    return {
        "id": memory.identity if memory is not None else "",
        "version": version,
        "units": sorted(set(units)),
        "matched": _digest(matched),
    }


def record_holds(record: Any, memory: TranslationMemory | None) -> bool:
    """Whether a marker's memory record still describes what ``memory`` gives its units."""
    if not isinstance(record, dict):
        return memory is None or len(memory) == 0  # a marker from before the memory existed
    if memory is None:
        return record.get("matched") == _digest(set())
    if record.get("id") == memory.identity and record.get("version") == memory.version:
        return True
    units = [h for h in record.get("units", []) if isinstance(h, str)]
    targets = memory.targets_of(units)
    return record.get("matched") == _digest({(h, targets[h]) for h in units if h in targets})
