"""Translated HTML with its markup kept: segments in, tags put back by the model's alignment.

:func:`html_input` cuts an HTML text into segments (:mod:`translit.readers.html_fragment`)
and makes one :class:`~translit.readers.Document` of each segment with words; once they are
translated (like any document: sentence units, guards, cache), :func:`render_html` puts every
inline tag back around the words the model aligned with the words it wrapped, and writes the
HTML. A tag that cannot be placed by the alignment is kept around its whole sentence and the
sentence's units are flagged ``markup``.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field, replace
from typing import Any

from translit.normalize import get_normalizer
from translit.readers import Document
from translit.readers.html_fragment import (
    Alignment,
    Fragment,
    Placed,
    collapse,
    parse_fragment,
    place_spans,
    project_span,
    render,
    render_segment,
)
from translit.results import Translation

MARKUP_FLAG = "markup"


@dataclass
class HtmlInput:
    """An HTML text cut into segments, and a Document for each segment with words."""

    fragment: Fragment
    documents: list[Document]
    segments: list[int]  # the segment of each document
    collapsed: list[tuple[str, list[int]]] = field(default_factory=list)  # per document: text, offsets


@dataclass
class HtmlResult:
    """The translated HTML, and how its inline tags were put back."""

    text: str
    translations: list[Translation]
    tags: int = 0
    aligned: int = 0

    @property
    def at_edge(self) -> int:
        """Tags kept around their whole sentence (no alignment found for them)."""
        return self.tags - self.aligned


def html_input(markup: str, name: str = "<html>") -> HtmlInput:
    """Cut ``markup`` into segments; one Document (of one paragraph) per segment with words."""
    fragment = parse_fragment(markup)
    documents, segments, collapsed = [], [], []
    for index, segment in enumerate(fragment.segments):
        if not segment.translatable:
            continue
        text, where = collapse(segment.text)
        documents.append(Document([text], input_format="html", name=f"{name} segment {index + 1}"))
        segments.append(index)
        collapsed.append((text, where))
    return HtmlInput(fragment, documents, segments, collapsed)


def _offsets(units: list[Any], texts: list[str]) -> list[tuple[int, int]]:
    """Where each unit's text sits in the joined paragraph (as join_units joins them)."""
    spans, position = [], 0
    for i, (unit, text) in enumerate(zip(units, texts, strict=True)):
        piece = text.strip()
        if i and piece and position:
            position += len(unit.gap)
        spans.append((position, position + len(piece)))
        position += len(piece)
    return spans


def _char_map(original: str, changed: str) -> list[int]:
    """For each character of ``changed``, the position in ``original`` it came from."""
    mapping = [0] * len(changed)
    matcher = difflib.SequenceMatcher(a=original, b=changed, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        for k in range(b0, b1):
            mapping[k] = (
                a0 + (k - b0)
                if tag == "equal"
                else min(a1, a0 + (k - b0) * max(1, a1 - a0) // max(1, b1 - b0))
            )
    return mapping


def _unit_alignments(engine: Any, translation: Translation, normalization: str) -> list[Alignment]:
    """Per unit: its source characters aligned with its translation's (identity when copied)."""
    normalize = get_normalizer(normalization)
    wanted, pairs = [], []
    found: list[Alignment] = []
    for i, (unit, result) in enumerate(zip(translation.units, translation.unit_results, strict=True)):
        target = result.text.strip()
        if result.copied or not target:
            found.append([(k, k + 1, k, k + 1) for k in range(min(len(unit.text), len(target)))])
            continue
        found.append([])
        wanted.append(i)
        pairs.append((normalize(unit.text), target))
    aligner = getattr(engine, "align", None)
    aligned = aligner(pairs) if aligner is not None and pairs else [[] for _ in pairs]
    for i, (model_input, _target), alignment in zip(wanted, pairs, aligned, strict=True):
        source = translation.units[i].text
        back = _char_map(source, model_input) if model_input != source else None
        found[i] = [
            (back[a] if back else a, (back[b - 1] + 1) if back and b > 0 else b, c, d)
            for a, b, c, d in alignment
        ]
    return found


def render_html(source: HtmlInput, translations: list[Translation], engine: Any) -> HtmlResult:
    """The HTML with every translated segment written in, its tags put back (see the module docstring)."""
    fragment = source.fragment
    rendered = [_untranslated(segment) for segment in fragment.segments]
    result = HtmlResult("", [])
    for document_index, (segment_index, translation) in enumerate(
        zip(source.segments, translations, strict=True)
    ):
        segment = fragment.segments[segment_index]
        text, where = source.collapsed[document_index]
        target = translation.paragraphs[0] if translation.paragraphs else ""
        sources = _offsets(translation.units, [u.text for u in translation.units])
        targets = _offsets(translation.units, [r.text for r in translation.unit_results])
        alignments = _unit_alignments(engine, translation, translation.normalization)

        def collapsed_offset(original: int, where: list[int] = where) -> int:
            return bisect.bisect_left(where, original)

        projected: list[tuple[int, int] | None] = []
        edges: list[tuple[int, int]] = []
        owners: list[list[int]] = []
        for span in segment.spans:
            start, end = collapsed_offset(span.start), collapsed_offset(span.end)
            touched = [u for u, (a, b) in enumerate(sources) if a < max(end, start + 1) and b > start]
            owners.append(touched)
            edges.append(
                (min(targets[u][0] for u in touched), max(targets[u][1] for u in touched))
                if touched
                else (len(target), len(target))
            )
            pieces = []
            for u in touched:
                a, b = sources[u]
                local = project_span(
                    max(start, a) - a,
                    min(end, b) - a,
                    alignments[u],
                    translation.unit_results[u].text.strip(),
                )
                pieces.append(None if local is None else (local[0] + targets[u][0], local[1] + targets[u][0]))
            ok = pieces and all(p is not None for p in pieces)
            projected.append((min(p[0] for p in pieces if p), max(p[1] for p in pieces if p)) if ok else None)
        placed = place_spans(segment.spans, projected, edges)
        for i, span in enumerate(segment.spans):
            if span.protected is not None and not placed[i].aligned:
                # Its content cannot replace words it was not aligned with: it goes after the sentence.
                placed[i] = Placed(edges[i][1], edges[i][1], False)
        voids = []
        for offset, _raw in segment.voids:
            at = collapsed_offset(offset)
            if at <= 0:
                voids.append(0)
            elif at >= len(text):
                voids.append(len(target))
            else:
                inside = [u for u, (a, b) in enumerate(sources) if a <= at < b]
                hit = None
                if inside:
                    u = inside[0]
                    local = project_span(
                        at - sources[u][0],
                        at - sources[u][0] + 1,
                        alignments[u],
                        translation.unit_results[u].text.strip(),
                    )
                    hit = local[0] + targets[u][0] if local else targets[u][1]
                voids.append(hit if hit is not None else len(target))
        misplaced = {u for i, where_ in enumerate(placed) if not where_.aligned for u in owners[i]}
        result.tags += len(segment.spans)
        result.aligned += sum(1 for p in placed if p.aligned)
        if misplaced:
            translation.unit_results = [
                replace(r, flags=tuple(sorted({*r.flags, MARKUP_FLAG}))) if i in misplaced else r
                for i, r in enumerate(translation.unit_results)
            ]
        lead = segment.text[: where[0]] if where else segment.text
        trail = segment.text[where[-1] + 1 :] if where else ""
        rendered[segment_index] = lead + render_segment(segment, target, placed, voids) + trail
        result.translations.append(translation)
    result.text = render(fragment, rendered)
    return result


def _untranslated(segment: Any) -> str:
    """A segment without words, written back as it was (its tags at their places)."""
    placed = [Placed(span.start, span.end, True) for span in segment.spans]
    return render_segment(segment, segment.text, placed, [offset for offset, _ in segment.voids])
