"""Calibrating a model's flag threshold on text its users translate.

One threshold for every model misleads: −1.4 marks 1–3 % of a caption model's in-domain
sentences, but most news lines, and two engines of one model score apart. So
``translit models calibrate NAME FILE…`` translates the user's own German text, takes the
chosen percentile (default 1 %) of the units' scores as ``flag_below``, and records it in
the model's entry of the user's models.toml: a flag then means "among the least confident
1 % of text like yours".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translit.atomic import write_atomic
from translit.config import config_dir
from translit.engines.protocol import engine_name
from translit.errors import InputError
from translit.registry import ModelSpec
from translit.translator import Translator


@dataclass(frozen=True)
class Calibration:
    """The score distribution of a sample, and the threshold taken from it."""

    model: str
    engine: str
    units: int
    percentile: float
    threshold: float
    quantiles: dict[str, float]


def _quantile(ordered: list[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def calibrate(translator: Translator, texts: list[str], percentile: float = 1.0) -> Calibration:
    """Translate ``texts`` and take the ``percentile``-th percent of their units' scores."""
    if not 0 < percentile < 50:
        raise InputError(f"--percentile {percentile}: choose a share between 0 and 50 (percent)")
    translations = translator.translate_many(texts)
    scores = sorted(r.score for t in translations for r in t.unit_results if r.score is not None)
    if len(scores) < 20:
        raise InputError(f"only {len(scores)} sentences to calibrate on; give at least 20 (better: hundreds)")
    quantiles = {f"p{p:g}": round(_quantile(scores, p / 100), 4) for p in (1, 5, 10, 50, 90)}
    engine = translator.engine
    return Calibration(
        engine.model_id,
        engine_name(engine),
        len(scores),
        percentile,
        round(_quantile(scores, percentile / 100), 3),
        quantiles,
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def record_threshold(
    name: str, spec: ModelSpec | None, directory: Path, threshold: float
) -> tuple[Path, str]:
    """Write ``flag_below`` into the model's entry of the user's models.toml; ``(file, entry name)``.

    A model named in models.toml keeps its name and fields; a folder gets an entry named
    after it, with its ``path``. The file's other entries are left as they are.
    """
    table: dict[str, Any]
    if spec is not None and not spec.builtin:
        entry = spec.name
        table = {"task": spec.task}
        if spec.repo:
            table["repo"] = spec.repo
            table["revision"] = spec.revision
        if spec.path is not None:
            table["path"] = str(spec.path)
        if spec.description:
            table["description"] = spec.description
        if spec.files:
            table["files"] = list(spec.files)
        table["normalize"] = spec.normalize
    else:
        entry = re.sub(r"[^A-Za-z0-9_-]", "-", directory.resolve().name) or "model"
        table = {"task": "translation", "path": str(directory.resolve())}
    table["flag_below"] = threshold
    block = [f'[models."{entry}"]'] + [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    file = config_dir() / "models.toml"
    file.parent.mkdir(parents=True, exist_ok=True)
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    header = re.compile(rf'^\[models\.(?:"{re.escape(entry)}"|{re.escape(entry)})\]\s*$', re.M)
    found = header.search(text)
    if found:
        following = re.compile(r"^\[", re.M).search(text, found.end())
        end = following.start() if following else len(text)
        text = text[: found.start()] + "\n".join(block) + "\n\n" + text[end:].lstrip("\n")
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + "\n".join(block) + "\n"
    write_atomic(file, text)  # never a half-written models.toml
    return file, entry
