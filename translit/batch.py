"""Batch translation of a directory tree: resumable, atomic, batched across documents.

For every input file the chosen outputs (translation, brief, JSON) are written into a
mirrored tree. Each output is written to a temporary file in the same folder and renamed
into place, so an interrupted run never leaves a partial output. A hidden marker file,
written last, records the model and options that made the outputs; a re-run skips a file
whose outputs are complete, newer than the input, and made the same way.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from translit import api
from translit.cache import TranslationCache
from translit.engines import TranslationEngine
from translit.errors import InputError, TranslitError
from translit.render import document_record, to_json, translation_text
from translit.results import Brief, Translation
from translit.textio import DEFAULT_MAX_BYTES, read_source

OUTPUT_KINDS = ("translation", "brief", "json")
_SUFFIXES = {"translation": ".en.txt", "brief": ".brief.txt", "json": ".json"}


@dataclass(frozen=True)
class BatchSettings:
    """What a batch run produces and how."""

    outputs: tuple[str, ...] = ("translation",)
    patterns: tuple[str, ...] = ("*.txt",)
    force: bool = False
    sentences: int = 3
    beams: int | None = None
    group_size: int = 16
    max_batch_tokens: int | None = 4096
    strict_lang: bool = False
    max_bytes: int | None = DEFAULT_MAX_BYTES
    unit: str = "sentence"
    max_unit_tokens: int | None = None
    normalize: str | None = None
    flag_below: float | None = None


@dataclass
class DocumentResult:
    """The outcome for one input file."""

    source: Path
    relative: Path
    status: str  # "done", "skipped" or "failed"
    error: str | None = None
    words: int = 0
    paragraphs: int = 0
    translation: Translation | None = None
    brief: Brief | None = None


@dataclass
class BatchReport:
    """Totals of a batch run."""

    results: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0

    def count(self, status: str) -> int:
        """How many documents ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def words(self) -> int:
        """Source words translated in this run."""
        return sum(r.words for r in self.results if r.status == "done")

    @property
    def failures(self) -> list[DocumentResult]:
        """The documents that failed."""
        return [r for r in self.results if r.status == "failed"]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def find_inputs(in_dir: Path, out_dir: Path | None, patterns: tuple[str, ...]) -> list[Path]:
    """Files under ``in_dir`` matching ``patterns``, sorted; never descends into ``out_dir``.

    Symbolic links to folders are not followed, so a link loop cannot hang the walk.
    """
    root = in_dir.resolve()
    excluded = out_dir.resolve() if out_dir is not None else None
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not (excluded and _inside(here / d, excluded)))
        for name in files:
            if name.startswith(".") or not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            found.append(here / name)
    return sorted(found)


def output_stem(relative: Path) -> Path:
    """``a/b/artikel.de.txt`` → ``a/b/artikel`` (the suffixes of outputs go on this)."""
    name = relative.name
    for suffix in (".txt", ".md"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if name.endswith(".de"):
        name = name[:-3]
    return relative.with_name(name)


def output_paths(out_dir: Path, relative: Path, outputs: tuple[str, ...]) -> dict[str, Path]:
    """Where each requested output of one input goes."""
    stem = output_stem(relative)
    return {kind: out_dir / stem.with_name(stem.name + _SUFFIXES[kind]) for kind in outputs}


def marker_path(out_dir: Path, relative: Path) -> Path:
    """The hidden file that records how a document's outputs were made."""
    stem = output_stem(relative)
    return out_dir / stem.with_name(f".{stem.name}.translit.json")


def run_signature(engine: TranslationEngine, settings: BatchSettings) -> str:
    """Identity of everything that shapes the outputs: model files, engine, options."""
    parts = [engine.cache_key, engine.model_id, ",".join(settings.outputs), str(settings.sentences)]
    parts += [str(settings.beams), settings.unit, str(settings.max_unit_tokens), str(settings.normalize)]
    parts += [str(settings.flag_below)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def is_up_to_date(source: Path, paths: dict[str, Path], marker: Path, signature: str) -> bool:
    """True when every output exists, is newer than the input, and was made the same way."""
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        source_stat = source.stat()
        if recorded.get("signature") != signature:
            return False
        if recorded.get("input_size") != source_stat.st_size:
            return False
        return all(p.is_file() and p.stat().st_mtime_ns >= source_stat.st_mtime_ns for p in paths.values())
    except (OSError, ValueError, AttributeError):
        return False


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _groups(items: list[tuple[Path, Path]], size: int) -> Iterator[list[tuple[Path, Path]]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def check_dirs(in_dir: Path, out_dir: Path | None) -> None:
    """Refuse an input that is not a folder, and an output folder equal to the input."""
    if not in_dir.is_dir():
        raise InputError(f"{in_dir}: not a directory")
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"{out_dir}: exists and is not a directory")
        if out_dir.resolve() == in_dir.resolve():
            raise InputError(f"{out_dir}: the output folder must differ from the input folder")


def run_batch(
    in_dir: Path,
    out_dir: Path | None,
    engine: TranslationEngine,
    settings: BatchSettings,
    *,
    cache: TranslationCache | None = None,
    on_result: Callable[[DocumentResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchReport:
    """Translate every matching file under ``in_dir``; write outputs under ``out_dir``.

    Documents are processed in groups of ``settings.group_size`` whose units share
    batches. ``on_result`` is called for each document as soon as it is finished
    (streaming output, progress); ``on_start`` gets the number of input files.
    With ``out_dir`` None nothing is written (streaming only).
    """
    check_dirs(in_dir, out_dir)
    started = time.perf_counter()
    report = BatchReport()
    inputs = find_inputs(in_dir, out_dir, settings.patterns)
    if on_start:
        on_start(len(inputs))
    signature = run_signature(engine, settings)
    hits_before = cache.stats.hits if cache else 0
    misses_before = cache.stats.misses if cache else 0

    def finish(result: DocumentResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    pending: list[tuple[Path, Path]] = []
    for source in inputs:
        relative = source.relative_to(in_dir.resolve())
        if out_dir is not None and not settings.force:
            paths = output_paths(out_dir, relative, settings.outputs)
            if is_up_to_date(source, paths, marker_path(out_dir, relative), signature):
                finish(DocumentResult(source, relative, "skipped"))
                continue
        pending.append((source, relative))

    for group in _groups(pending, settings.group_size):
        texts: list[str] = []
        members: list[DocumentResult] = []
        for source, relative in group:
            try:
                text = read_source(source, settings.max_bytes).text
                if not text.strip():
                    raise InputError(f"{relative}: empty file")
                api.check_language(text, str(relative), strict=settings.strict_lang)
            except TranslitError as exc:
                finish(DocumentResult(source, relative, "failed", error=str(exc)))
                continue
            texts.append(text)
            members.append(DocumentResult(source, relative, "done", words=len(text.split())))
        if not members:
            continue
        translations = api.translate_many(
            texts,
            engine=engine,
            beams=settings.beams,
            batch_size=max(32, settings.group_size),
            max_batch_tokens=settings.max_batch_tokens,
            unit=settings.unit,
            max_unit_tokens=settings.max_unit_tokens,
            normalize=settings.normalize,
            flag_below=settings.flag_below,
            cache=cache,
        )
        for result, translation in zip(members, translations, strict=True):
            result.translation = translation
            result.paragraphs = len(translation.paragraphs)
            result.brief = api.brief_from_translation(translation, settings.sentences)
            if out_dir is not None:
                _write_outputs(out_dir, result, settings, signature)
            finish(result)

    report.seconds = time.perf_counter() - started
    if cache:
        report.cache_hits = cache.stats.hits - hits_before
        report.cache_misses = cache.stats.misses - misses_before
    return report


def _write_outputs(out_dir: Path, result: DocumentResult, settings: BatchSettings, signature: str) -> None:
    assert result.translation is not None and result.brief is not None
    paths = output_paths(out_dir, result.relative, settings.outputs)
    for kind, path in paths.items():
        if kind == "translation":
            write_atomic(path, translation_text(result.translation) + "\n")
        elif kind == "brief":
            write_atomic(path, result.brief.text + "\n")
        else:
            record = document_record(str(result.relative), result.translation, result.brief)
            write_atomic(path, to_json(record) + "\n")
    stat = result.source.stat()
    marker = {
        "signature": signature,
        "input_size": stat.st_size,
        "outputs": sorted(str(p.name) for p in paths.values()),
    }
    # Written last: its presence says every output above is complete.
    write_atomic(marker_path(out_dir, result.relative), json.dumps(marker) + "\n")
