"""Renderers: turn results into text, JSON, JSON Lines or Markdown.

Pure functions from result objects to strings, shared by the CLI and the batch runner,
so that every output format is produced the same way wherever it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from translit.results import CHECK_MARK, Brief, Translation
from translit.segment import looks_like_headline

__all__ = [
    "CHECK_MARK",
    "FORMATS",
    "brief_markdown",
    "brief_text",
    "document_record",
    "summary_text",
    "to_json",
    "to_jsonl",
    "translation_json",
    "translation_markdown",
    "translation_text",
]

FORMATS = ("text", "json", "jsonl", "markdown")


def marked_paragraphs(translation: Translation, marks: bool = True) -> list[str]:
    """The translated paragraphs, with :data:`CHECK_MARK` after each unit to check (``marks``)."""
    return translation.marked_paragraphs() if marks else list(translation.paragraphs)


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


def translation_text(translation: Translation, bilingual: bool = False, marks: bool = True) -> str:
    """Plain text: English paragraphs; bilingual puts each German paragraph above its English.

    ``marks`` puts :data:`CHECK_MARK` after every unit a reader should check.
    """
    if not bilingual:
        return translation.marked_text() if marks else translation.text
    pairs = zip(translation.source_paragraphs, marked_paragraphs(translation, marks), strict=True)
    return "\n\n".join(f"{source}\n{target}" for source, target in pairs)


def _table_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def translation_markdown(
    translation: Translation,
    brief: Brief | None = None,
    bilingual: bool = False,
    level: int = 1,
    marks: bool = True,
) -> str:
    """Markdown: headline as heading, brief as a quote, then the translation.

    Bilingual output is a two-column table, German beside English. Units to check are
    marked with :data:`CHECK_MARK` (``marks``). ``level`` is the headline's heading level.
    With a brief, the translation follows it after a ``---`` line.
    """
    if translation.document is not None and not bilingual and brief is None:
        # Markdown in, Markdown out: the input's own structure.
        return translation.marked_text() if marks else translation.document
    paragraphs = marked_paragraphs(translation, marks)
    sources = list(translation.source_paragraphs)
    headline = brief.headline if brief else None
    if headline is None and len(paragraphs) > 1 and looks_like_headline(sources[0]):
        headline = translation.paragraphs[0]
    parts = []
    if headline is not None and paragraphs and translation.paragraphs[0] == headline:
        parts.append(f"{'#' * level} {paragraphs[0]}")
        if not bilingual:  # bilingual: the German headline stays, as the table's first row
            paragraphs, sources = paragraphs[1:], sources[1:]
    if brief is not None and brief.summary.sentences:
        lines = brief.marked_sentences() if marks else brief.summary.sentences
        parts.append("\n".join(f"> {line}" for line in lines))
        parts.append(FULL_SEPARATOR)
    if bilingual:
        rows = ["| Deutsch | English |", "|---|---|"]
        rows += [f"| {_table_cell(s)} | {_table_cell(t)} |" for s, t in zip(sources, paragraphs, strict=True)]
        parts.append("\n".join(rows))
    else:
        parts.extend(paragraphs)
    return "\n\n".join(parts)


_DIALOGUE_DASH = re.compile(r"^[–—-]\s+")


def summary_text(sentences: list[str], bullets: bool = False, sources: list[str] | None = None) -> str:
    """Brief sentences as one paragraph, or as a bullet list.

    A dialogue dash that opens a sentence ("– It seems …") is dropped from its bullet, so
    that it does not read "- – It seems …". With ``sources`` (bilingual) each sentence is
    followed by the German it was taken from.
    """
    if sources is not None:
        bullet = "- " if bullets else ""
        return "\n".join(
            f"{bullet}{_DIALOGUE_DASH.sub('', s) if bullets else s}\n  ({g})" if g else f"{bullet}{s}"
            for s, g in zip(sentences, sources, strict=True)
        )
    if bullets:
        return "\n".join(f"- {_DIALOGUE_DASH.sub('', sentence)}" for sentence in sentences)
    return " ".join(sentences)


FULL_SEPARATOR = "---"


def _brief_lines(brief: Brief, marks: bool) -> list[str]:
    return brief.marked_sentences() if marks else list(brief.summary.sentences)


def brief_text(
    brief: Brief, full: bool = False, bullets: bool = False, marks: bool = True, bilingual: bool = False
) -> str:
    """Plain text of a brief; ``full`` adds the translation under a ``---`` line.

    ``bilingual`` shows the German behind every brief sentence.
    """
    lines = _brief_lines(brief, marks)
    sources = brief.source_texts if bilingual else None
    parts = [summary_text(lines, bullets, sources)] if lines else []
    if full and brief.translation.paragraphs:
        parts += [FULL_SEPARATOR, translation_text(brief.translation, bilingual, marks)]
    return "\n\n".join(p for p in parts if p)


def brief_markdown(
    brief: Brief,
    full: bool = False,
    bullets: bool = True,
    level: int = 1,
    marks: bool = True,
    bilingual: bool = False,
) -> str:
    """Markdown of a brief: headline as a heading, the brief, and with ``full`` the translation.

    ``bilingual`` quotes the German behind every brief sentence under it.
    """
    if full and not bilingual:
        return translation_markdown(brief.translation, brief, level=level, marks=marks)
    heading = f"{'#' * level} {brief.headline}\n\n" if brief.headline else ""
    lines = _brief_lines(brief, marks)
    if bilingual:
        items = [
            (f"- {_DIALOGUE_DASH.sub('', line)}" if bullets else line) + (f"\n  > {german}" if german else "")
            for line, german in zip(lines, brief.source_texts, strict=True)
        ]
        body = "\n".join(items)
        if full:
            body += (
                "\n\n"
                + FULL_SEPARATOR
                + "\n\n"
                + translation_markdown(brief.translation, bilingual=True, marks=marks)
            )
        return heading + body
    body = summary_text(lines, bullets=True) if bullets else " ".join(lines)
    return heading + body
