"""The file side of a batch: which inputs, which output names, markers, and safe writes.

Everything here happens on the machine that owns the output folder (the driver, with Ray):
inputs are found and named, and outputs are written, before and after any translation.

* Inputs: files under IN_DIR that match the patterns, never inside OUT_DIR, hidden files
  and folder links skipped; a file link that leaves IN_DIR is skipped unless followed on
  purpose. Names that are not valid UTF-8 are kept as the file system has them and shown
  with backslash escapes.
* Names: every input's outputs are planned for the whole run before work starts. When two
  inputs of one folder would share outputs (``a.txt``, ``a.de.txt``, ``a.md``; ``doc0.docx``,
  ``doc0.pdf``), each translation keeps the input's extension where it was (``a.en.txt``,
  ``a.de.en.txt``, ``a.en.md``; ``doc0.en.docx``, ``doc0.en.pdf.txt``) and the other outputs keep
  the whole file name (``a.txt.brief.txt``); nothing is ever overwritten by another input's output.
* Writes: a temporary file in the same folder, fsync, rename; new files get the user's
  umask, rewritten files keep their mode. Temporary files left by a killed run are removed
  when the next run starts.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from translit.atomic import TEMP_SUFFIX
from translit.errors import NOTE, InputError
from translit.readers import input_extensions, translation_suffix

if TYPE_CHECKING:
    from translit.memory import TranslationMemory

log = logging.getLogger("translit")

OUTPUT_KINDS = ("translation", "brief", "json")
# Every extension a reader takes (translit.readers.READERS, the one table of formats).
DEFAULT_PATTERNS = tuple(f"*{extension}" for extension in input_extensions())
# Temporary files of earlier versions: ".NAME.<8 random characters>.tmp".
_OLD_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def display_name(path: Path | str) -> str:
    """A path as text that can always be printed: undecodable bytes as backslash escapes."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class InputFile:
    """One input of a batch: where it is, its path relative to IN_DIR, and its outputs."""

    source: Path
    relative: Path
    outputs: dict[str, Path]
    marker: Path

    @property
    def display(self) -> str:
        """The relative path, printable."""
        return display_name(self.relative)


@dataclass(frozen=True)
class Skipped:
    """A file found but not read, and why (a link leaving IN_DIR)."""

    relative: Path
    reason: str


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def find_inputs(
    in_dir: Path, out_dir: Path | None, patterns: Iterable[str], follow_links: bool = False
) -> tuple[list[Path], list[Skipped]]:
    """Files under ``in_dir`` matching ``patterns``, sorted; and the ones skipped.

    Never descends into ``out_dir``; symbolic links to folders are not followed (no loops);
    a link to a file outside ``in_dir`` is skipped unless ``follow_links``.
    """
    root = in_dir.resolve()
    excluded = out_dir.resolve() if out_dir is not None else None
    if excluded is not None and _inside(root, excluded):
        # The input folder lies inside the output folder (``batch W/in -o W``): everything
        # under IN_DIR is input; outputs are written beside it, never under it.
        excluded = None
    patterns = tuple(patterns)
    found: list[Path] = []
    skipped: list[Skipped] = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and not (excluded and _inside(here / d, excluded))
        )
        for name in files:
            if name.startswith(".") or not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            path = here / name
            if path.is_symlink() and not follow_links:
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python 3.11)
                    skipped.append(Skipped(path.relative_to(root), f"a broken link ({type(exc).__name__})"))
                    continue
                if not _inside(target, root) or (excluded and _inside(target, excluded)):
                    skipped.append(Skipped(path.relative_to(root), "a link that leaves the input folder"))
                    continue
            found.append(path)
    return sorted(found), skipped


def output_stem(relative: Path, keep_extension: bool = False) -> Path:
    """``a/b/artikel.de.txt`` → ``a/b/artikel``; with ``keep_extension`` the whole name stays."""
    if keep_extension:
        return relative
    name = relative.name
    for suffix in input_extensions():
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    if name.endswith(".de") and len(name) > 3:
        name = name[:-3]
    return relative.with_name(name)


def _suffixes(relative: Path) -> dict[str, str]:
    return {"translation": translation_suffix(relative.name), "brief": ".brief.txt", "json": ".json"}


def _paths(out_dir: Path, relative: Path, kinds: tuple[str, ...], keep: bool) -> tuple[dict[str, Path], Path]:
    stem = output_stem(relative, keep)
    suffixes = _suffixes(relative)
    outputs = {kind: out_dir / stem.with_name(stem.name + suffixes[kind]) for kind in kinds}
    if keep and "translation" in outputs:
        outputs["translation"] = out_dir / relative.with_name(_translation_name(relative.name))
    return outputs, out_dir / stem.with_name(f".{stem.name}.translit.json")


def _translation_name(name: str) -> str:
    """The translation's name where the same article is there in several formats: the input's
    extension stays readable where it was (``doc0.en.docx``, ``doc0.en.pdf.txt``), not doubled
    (``doc0.docx.en.docx``)."""
    ext = PurePath(name).suffix
    suffix = translation_suffix(name)
    if not ext or len(name) == len(ext):
        return name + suffix
    base = name[: -len(ext)]
    if suffix.lower() == ".en" + ext.lower():
        return base + ".en" + ext
    return base + ".en" + ext + suffix.removeprefix(".en")


def plan_outputs(
    sources: list[Path], root: Path, out_dir: Path | None, kinds: tuple[str, ...]
) -> list[InputFile]:
    """Name every input's outputs so that no two inputs share one (see the module docstring).

    Raises :class:`InputError` naming the files when even whole file names collide.
    """
    base = out_dir if out_dir is not None else Path("<no output>")
    relatives = [s.relative_to(root) for s in sources]
    keep = [False] * len(sources)
    while True:  # each round keeps more whole names, or stops
        claimed: dict[Path, list[int]] = defaultdict(list)
        for i, relative in enumerate(relatives):
            outputs, marker = _paths(base, relative, kinds, keep[i])
            for path in {*outputs.values(), marker}:
                claimed[path].append(i)
        clashes = {i for owners in claimed.values() if len(owners) > 1 for i in owners}
        if not clashes:
            break
        if all(keep[i] for i in clashes):
            names = ", ".join(sorted(display_name(relatives[i]) for i in clashes))
            raise InputError(f"these inputs would write the same output files: {names}")
        for i in clashes:
            keep[i] = True
    kept = sorted(display_name(relatives[i]) for i in range(len(sources)) if keep[i])
    if kept:
        shown = ", ".join(kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
        log.log(NOTE, "%s would share output names; their outputs keep the whole file name", shown)
    plan = []
    for source, relative, keeps in zip(sources, relatives, keep, strict=True):
        outputs, marker = _paths(base, relative, kinds, keeps)
        plan.append(InputFile(source, relative, outputs, marker))
    return plan


def signature(parts: Iterable[str]) -> str:
    """A short digest of everything that shapes a document's outputs."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def is_up_to_date(item: InputFile, run_signature: str, memory: TranslationMemory | None = None) -> bool:
    """True when every output exists, is newer than the input, and was made the same way — the
    translation memory's entries for its units included (:mod:`translit.batch.remembered`)."""
    try:
        recorded = json.loads(item.marker.read_text(encoding="utf-8"))
        source_stat = item.source.stat()
        if recorded.get("signature") != run_signature or recorded.get("input_size") != source_stat.st_size:
            return False
        from translit.batch.remembered import record_holds  # the memory is read only for a marker

        if not record_holds(recorded.get("memory"), memory):
            return False
        return all(
            p.is_file() and p.stat().st_mtime_ns >= source_stat.st_mtime_ns for p in item.outputs.values()
        )
    except (OSError, ValueError, AttributeError):
        return False


def recorded_checks(item: InputFile) -> int:
    """The units to check that an up-to-date file's outputs carry (from its marker; 0 if unknown)."""
    try:
        value = json.loads(item.marker.read_text(encoding="utf-8")).get("to_check", 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and value >= 0 else 0


def remove_orphans(out_dir: Path) -> int:
    """Delete temporary files that a killed run left in ``out_dir``; returns how many."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for folder, subfolders, files in os.walk(out_dir, followlinks=False):
        subfolders[:] = [d for d in subfolders if not Path(folder, d).is_symlink()]
        for name in files:
            if name.startswith(".") and (name.endswith(TEMP_SUFFIX) or _OLD_TEMP.match(name)):
                try:
                    Path(folder, name).unlink()
                    removed += 1
                except OSError:
                    pass
    return removed


def check_dirs(in_dir: Path, out_dir: Path | None) -> None:
    """Refuse an input that is not a folder, and an output folder equal to the input."""
    if not in_dir.is_dir():
        raise InputError(f"{display_name(in_dir)}: not a directory")
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"{display_name(out_dir)}: exists and is not a directory")
        if out_dir.resolve() == in_dir.resolve():
            raise InputError(f"{display_name(out_dir)}: the output folder must differ from the input folder")
