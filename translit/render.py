"""Renderers: turn results into text, JSON, JSON Lines or Markdown.

Pure functions from result objects to strings, shared by the CLI and the batch runner,
so that every output format is produced the same way wherever it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from translit.results import Brief, Translation
from translit.segment import join_units, looks_like_headline

FORMATS = ("text", "json", "jsonl", "markdown")
# Put after a unit a reader should check (a guard flag, or a score below --flag-below), in
# bilingual text and in Markdown. ASCII, so it survives any terminal and encoding.
CHECK_MARK = "[?]"


def marked_paragraphs(translation: Translation) -> list[str]:
    """The translated paragraphs with :data:`CHECK_MARK` after each unit to check."""
    if not any(translation.needs_check(i) for i in range(len(translation.unit_results))):
        return list(translation.paragraphs)
    texts = [
        f"{result.text} {CHECK_MARK}" if translation.needs_check(i) else result.text
        for i, result in enumerate(translation.unit_results)
    ]
    return join_units(translation.units, texts, len(translation.source_paragraphs))


def document_record(
    name: str, translation: Translation, brief: Brief | None = None, timings: bool = True
) -> dict[str, Any]:
    """The compact per-document record used by JSON Lines (one object per document).

    ``timings=False`` leaves the run's timings out, so that a stored record depends only
    on the input, the model and the options (batch outputs are reproducible byte for byte).
    """
    record: dict[str, Any] = {
        "path": name,
        "model": translation.model,
        "paragraphs": [
            {"source": s, "translation": t}
            for s, t in zip(translation.source_paragraphs, translation.paragraphs, strict=True)
        ],
        "units": [
            {
                "paragraph": unit.paragraph,
                "source": unit.text,
                "translation": result.text,
                "score": None if result.score is None else round(result.score, 4),
                "flags": list(result.flags),
            }
            for unit, result in zip(translation.units, translation.unit_results, strict=True)
        ],
    }
    if translation.input_format != "text":
        record["input_format"] = translation.input_format
    if translation.metadata:
        record["metadata"] = translation.metadata
    if brief is not None:
        record["headline"] = brief.headline
        record["brief"] = brief.summary.sentences
    if timings:
        record["timings"] = translation.timings
    return record


def to_jsonl(record: dict[str, Any]) -> str:
    """One line of JSON Lines (no trailing newline), non-ASCII kept as is."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def to_json(data: Any) -> str:
    """Pretty JSON, non-ASCII kept as is."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def translation_json(name: str, translation: Translation, bilingual: bool = False) -> dict[str, Any]:
    """The full JSON object of ``translit translate --format json``."""
    data = {"path": name, **translation.to_dict()}
    if bilingual:
        data["pairs"] = [
            {"de": s, "en": t}
            for s, t in zip(translation.source_paragraphs, translation.paragraphs, strict=True)
        ]
    return data


def translation_text(translation: Translation, bilingual: bool = False) -> str:
    """Plain text: English paragraphs; bilingual puts each German paragraph above its English."""
    if not bilingual:
        return translation.text
    pairs = zip(translation.source_paragraphs, marked_paragraphs(translation), strict=True)
    return "\n\n".join(f"{source}\n{target}" for source, target in pairs)


def _table_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def translation_markdown(
    translation: Translation, brief: Brief | None = None, bilingual: bool = False, level: int = 1
) -> str:
    """Markdown: headline as heading, brief as a quote, then the translation.

    Bilingual output is a two-column table, German beside English. Units to check are
    marked with :data:`CHECK_MARK`. ``level`` is the headline's heading level (2 when
    several documents are written one after another, each under its own name).
    """
    if translation.document is not None and not bilingual and brief is None:
        return translation.document  # Markdown in, Markdown out: the input's own structure
    paragraphs = marked_paragraphs(translation)
    sources = list(translation.source_paragraphs)
    headline = brief.headline if brief else None
    if headline is None and len(paragraphs) > 1 and looks_like_headline(sources[0]):
        headline = translation.paragraphs[0]
    parts = []
    if headline is not None and paragraphs and translation.paragraphs[0] == headline:
        parts.append(f"{'#' * level} {paragraphs[0]}")
        paragraphs, sources = paragraphs[1:], sources[1:]
    if brief is not None and brief.summary.sentences:
        parts.append("\n".join(f"> {line}" for line in brief.summary.sentences))
    if bilingual:
        rows = ["| Deutsch | English |", "|---|---|"]
        rows += [f"| {_table_cell(s)} | {_table_cell(t)} |" for s, t in zip(sources, paragraphs, strict=True)]
        parts.append("\n".join(rows))
    else:
        parts.extend(paragraphs)
    return "\n\n".join(parts)


_DIALOGUE_DASH = re.compile(r"^[–—-]\s+")


def summary_text(sentences: list[str], bullets: bool = False) -> str:
    """Brief sentences as one paragraph, or as a bullet list.

    A dialogue dash that opens a sentence ("– It seems …") is dropped from its bullet, so
    that it does not read "- – It seems …".
    """
    if bullets:
        return "\n".join(f"- {_DIALOGUE_DASH.sub('', sentence)}" for sentence in sentences)
    return " ".join(sentences)


FULL_SEPARATOR = "---"


def brief_text(brief: Brief, full: bool = False, bullets: bool = False) -> str:
    """Plain text of a brief; ``full`` adds the translation under a ``---`` line."""
    parts = [summary_text(brief.summary.sentences, bullets)] if brief.summary.sentences else []
    if full and brief.translation.paragraphs:
        parts += [FULL_SEPARATOR, brief.translation.text]
    return "\n\n".join(p for p in parts if p)


def brief_markdown(brief: Brief, full: bool = False, bullets: bool = True, level: int = 1) -> str:
    """Markdown of a brief: headline as a heading, the brief, and with ``full`` the translation."""
    if full:
        return translation_markdown(brief.translation, brief, level=level)
    heading = f"{'#' * level} {brief.headline}\n\n" if brief.headline else ""
    sentences = brief.summary.sentences
    body = summary_text(sentences, bullets=True) if bullets else " ".join(sentences)
    return heading + body
