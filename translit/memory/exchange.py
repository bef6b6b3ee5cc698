"""Memory files in and out: TMX 1.4 (what every translation tool exchanges) and TSV.

TMX is read and written with translate-toolkit's TMX store, whose parser expands no entity and
fetches nothing; a file that declares entities is refused before it is parsed, and every file
is read within :data:`~translit.userfiles.MEMORY_FILE`'s size limit. A translation unit's
German is its ``tuv`` in ``de`` (or ``de-DE`` …), its English the one in ``en`` (``en-GB`` …);
translit's own files also carry each entry's origin, author (``creationid``) and time
(``creationdate``), so an exported memory imports as the same entries.

Reading checks every entry before anything is stored (:func:`read_entries`): an empty side or a
German side of several sentences whose English does not split alike is one error naming the
file and line, and the memory is left as it was.
"""

from __future__ import annotations

import calendar
import io
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from translit.atomic import write_atomic
from translit.errors import InputError
from translit.memory.keys import sentence_pairs
from translit.memory.store import ORIGINS, Entry, TranslationMemory
from translit.userfiles import MEMORY_FILE, decode_utf8, read_user_bytes

FORMATS = ("tmx", "tsv")
"""The file formats of a memory, by extension."""
_ORIGIN_PROP = "x-translit-origin"


def file_format(path: str | Path) -> str:
    """``tmx`` or ``tsv`` from a file's extension (one error line for any other)."""
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(f"{path}: a translation memory file is .tmx or .tsv")
    return suffix


def _tmx_time(stamp: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(stamp))


def _from_tmx_time(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        return float(calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ")))
    except ValueError:
        return 0.0


def _toolkit() -> Any:
    try:
        from translate.storage import tmx
    except ImportError:
        raise InputError("TMX files need translate-toolkit (pip install 'translit[memory]')") from None
    return tmx


def _pairs(source: str, target: str, where: str) -> list[tuple[str, str]]:
    try:
        return sentence_pairs(source, target)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def read_tmx(data: bytes, name: str) -> list[Entry]:
    """The entries of a TMX file's bytes (German and English ``tuv`` of each ``tu``)."""
    if b"<!ENTITY" in data:
        raise InputError(f"{name}: the file declares XML entities; translit reads no TMX that does")
    tmx = _toolkit()
    language_of = "{http://www.w3.org/XML/1998/namespace}lang"
    try:
        store = tmx.tmxfile(io.BytesIO(data))
    except Exception as exc:  # lxml's XMLSyntaxError and the toolkit's asserts alike
        raise InputError(
            f"{name}: not a TMX file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    entries: list[Entry] = []
    for unit in store.units:
        element = unit.xmlelement
        where = f"{name}:{element.sourceline or '?'}"
        german = english = None
        for node in unit.getlanguageNodes():
            language = (
                (node.get(language_of) or node.get("lang") or "").lower().replace("_", "-").split("-")[0]
            )
            if language == "de" and german is None:
                german = unit.getNodeText(node) or ""
            elif language == "en" and english is None:
                english = unit.getNodeText(node) or ""
        if german is None or english is None:
            continue  # a unit of other languages: not German to English
        origin = "tmx"
        for prop in element.iterchildren(unit.namespaced("prop")):
            if prop.get("type") == _ORIGIN_PROP and prop.text in ORIGINS:
                origin = prop.text
        who = element.get("creationid") or ""
        created = _from_tmx_time(element.get("creationdate"))
        for source, target in _pairs(german, english, where):
            entries.append(Entry(source, target, origin, who, created))
    return entries


def read_tsv(text: str, name: str) -> list[Entry]:
    """The entries of a TSV file: German, a tab, English (then optionally origin, who, time);
    blank lines and lines starting with ``#`` are skipped."""
    entries: list[Entry] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        where = f"{name}:{number}"
        if len(columns) < 2:
            raise InputError(f"{where}: no tab between the German and the English")
        origin = columns[2] if len(columns) > 2 and columns[2] in ORIGINS else "tsv"
        who = columns[3] if len(columns) > 3 else ""
        created = _from_tmx_time(columns[4]) if len(columns) > 4 else 0.0
        for source, target in _pairs(columns[0], columns[1], where):
            entries.append(Entry(source, target, origin, who, created))
    return entries


def read_entries(path: str | Path) -> list[Entry]:
    """Every entry of a TMX or TSV file, checked; one :class:`InputError` line for the first
    problem (naming the file and line), so that an import stores all or nothing."""
    kind = file_format(path)
    data = read_user_bytes(path, MEMORY_FILE)
    name = str(path)
    if kind == "tmx":
        return read_tmx(data, name)
    return read_tsv(decode_utf8(data, name, MEMORY_FILE.noun), name)


def tmx_bytes(entries: Iterable[Entry]) -> bytes:
    """Entries as a TMX 1.4 file (German source, English target, translit's origin kept)."""
    tmx = _toolkit()
    from lxml import etree

    store = tmx.tmxfile(sourcelanguage="de", targetlanguage="en")
    for entry in entries:
        store.addtranslation(entry.source, "de", entry.target, "en")
        element = store.units[-1].xmlelement
        if entry.created:
            element.set("creationdate", _tmx_time(entry.created))
        if entry.who:
            element.set("creationid", entry.who)
        prop = etree.Element("prop", type=_ORIGIN_PROP)
        prop.text = entry.origin
        element.insert(0, prop)
    return bytes(store)


def tsv_text(entries: Iterable[Entry]) -> str:
    """Entries as TSV: German, English, origin, who, time (TMX's form)."""
    lines = ["# German\tEnglish\torigin\twho\tcreated"]
    for entry in entries:
        cells = [entry.source, entry.target, entry.origin, entry.who, _tmx_time(entry.created)]
        lines.append("\t".join(" ".join(cell.split()) for cell in cells))
    return "\n".join(lines) + "\n"


def entries_bytes(entries: Iterable[Entry], kind: str) -> bytes:
    """Entries as a file of ``kind`` (``tmx`` or ``tsv``)."""
    return tmx_bytes(entries) if kind == "tmx" else tsv_text(entries).encode("utf-8")


def import_files(memory: TranslationMemory, paths: Sequence[str | Path]) -> list[int]:
    """Import TMX or TSV files into ``memory``: every file is read and checked first, then all
    their entries are stored in one transaction (nothing is stored when one file is wrong).
    Returns how many entries each file gave."""
    read = [read_entries(path) for path in paths]
    memory.add(entry for entries in read for entry in entries)
    return [len(entries) for entries in read]


def export_file(memory: TranslationMemory, path: str | Path, kind: str | None = None) -> int:
    """Write the entries in use to ``path`` (TMX or TSV by its extension, or ``kind``),
    atomically; returns how many."""
    entries = list(memory.entries())
    write_atomic(Path(path), entries_bytes(entries, kind or file_format(path)))
    return len(entries)
