"""Formatting put back on the translated words: the one module where spans cross the translation.

A segment's inline spans (bold, a link, a Word run's properties …) and atoms (an image, a
footnote mark) sit on its German text; the model only saw plain sentences. Here each is put on
the English by the engine's word alignment (:meth:`align` of the engine, source characters to
target characters):

* a **span** goes round the translated words aligned with the words it wrapped, as long as it
  nests properly with the spans already placed (outermost first); where the alignment finds
  nothing, or a place that would cross another span, it goes round its whole sentence (the
  units it touched) and those units are flagged ``markup`` — a span is never dropped;
* a span **kept as written** (code) is looked for verbatim in its sentence's translation (a model
  copies code): found, the writer puts the original back over exactly those characters; not
  found, the original goes after the sentence (flagged ``markup``) — it never hides a translated
  word;
* an **atom** goes where the character after it went, else at its sentence's end.

A segment without spans or atoms needs no alignment, so plain documents cost nothing here.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic

from translit.alignment import Alignment, project_span
from translit.guards import Flag
from translit.readers.base import (
    Atom,
    AtomT,
    PayloadT,
    PlacedSegment,
    PlacedSpan,
    Segment,
    Span,
    SpanT,
    settle,
)
from translit.segment import Unit, join_units

MARKUP = Flag.MARKUP
"""The flag of a unit whose formatting could not be placed by alignment (it went round the sentence)."""

COPY_LIKENESS = 0.6
"""How alike (difflib's ratio) the model's words must be to a kept original to be taken for its copy."""

Aligner = Callable[[list[tuple[str, str]]], list[Alignment]]
"""Source/target pairs in, one alignment each out (an engine's ``align``)."""


def source_offsets(text: str, units: Sequence[Unit]) -> list[tuple[int, int]]:
    """Where each unit of a paragraph sits in the paragraph's text."""
    found, cursor = [], 0
    for unit in units:
        at = text.find(unit.text, cursor)
        if at < 0:
            at = cursor
        found.append((at, at + len(unit.text)))
        cursor = at + len(unit.text)
    return found


def target_offsets(units: Sequence[Unit], texts: Sequence[str]) -> list[tuple[int, int]]:
    """Where each unit's translation sits in the joined paragraph (as ``join_units`` joins them)."""
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


@dataclass
class UnitText:
    """One unit as placement needs it: its source, what the model saw, its translation."""

    source: str
    model_input: str
    translation: str
    copied: bool


def unit_alignments(units: Sequence[UnitText], align: Aligner | None) -> list[Alignment]:
    """Per unit: its source characters aligned with its translation's (identity when copied).

    The model saw a normalised input; its alignment is mapped back to the source's characters.
    """
    found: list[Alignment] = []
    wanted, pairs = [], []
    for i, unit in enumerate(units):
        target = unit.translation.strip()
        if unit.copied or not target:
            found.append([(k, k + 1, k, k + 1) for k in range(min(len(unit.source), len(target)))])
            continue
        found.append([])
        wanted.append(i)
        pairs.append((unit.model_input, target))
    aligned = align(pairs) if align is not None and pairs else [[] for _ in pairs]
    for i, (model_input, _target), alignment in zip(wanted, pairs, aligned, strict=True):
        source = units[i].source
        back = _char_map(source, model_input) if model_input != source else None
        found[i] = [
            (back[a] if back else a, (back[b - 1] + 1) if back and b > 0 else b, c, d)
            for a, b, c, d in alignment
        ]
    return found


@dataclass
class Placement(Generic[SpanT, AtomT]):
    """A placed segment, the units of its paragraph whose formatting went round their sentence,
    and where each unit ends in the translation (for ``[?]`` marks)."""

    segment: PlacedSegment[SpanT, AtomT]
    misplaced: set[int]
    unit_ends: list[int]


def place(
    segment: Segment[SpanT, AtomT],
    units: Sequence[Unit],
    translations: Sequence[str],
    alignments: Sequence[Alignment],
) -> Placement[SpanT, AtomT]:
    """Put ``segment``'s spans and atoms on its translation (see the module docstring).

    ``units`` are the segment's units, ``translations`` their texts, ``alignments`` theirs (only
    read when the segment has spans or atoms); indexes in ``misplaced`` are into ``units``.
    """
    texts = [t.strip() for t in translations]
    targets = target_offsets(units, texts)
    # The paragraph's translation, joined as the pipeline joins it (its units share one paragraph).
    target = join_units([replace(u, paragraph=0) for u in units], texts, 1)[0]
    ends = [end for _start, end in targets]
    if not segment.spans and not segment.atoms:
        return Placement(PlacedSegment[SpanT, AtomT](target, segment.kind), set(), ends)
    sources = source_offsets(segment.text, units)
    # A unit the model gave back unchanged (a name, a line of code, a sentence already English)
    # keeps every span and atom at its own characters, even inside a word.
    identical = [segment.text[a:b] == texts[u] for u, (a, b) in enumerate(sources)]

    source_ends = [b for _a, b in sources]

    def touched_by(start: int, end: int) -> list[int]:
        # Units are in order: bisect to the first that ends after ``start`` (a paragraph of
        # 100,000 runs must not cost units × spans).
        found, u = [], bisect.bisect_right(source_ends, start)
        while u < len(sources) and sources[u][0] < max(end, start + 1):
            found.append(u)
            u += 1
        return found

    def edge(touched: list[int]) -> tuple[int, int]:
        if not touched:
            return len(target), len(target)
        return min(targets[u][0] for u in touched), max(targets[u][1] for u in touched)

    projected: list[tuple[int, int] | None] = []
    edges: list[tuple[int, int]] = []
    owners: list[list[int]] = []
    for span in segment.spans:
        touched = touched_by(span.start, span.end)
        owners.append(touched)
        edges.append(edge(touched))
        if span.start == span.end:  # an empty element: a point, like an atom
            point: Atom[None] = Atom(span.start, None, "left" if span.start else "right")
            at = _atom_offset(
                point, segment.text, sources, targets, texts, alignments, len(target), identical, source_ends
            )
            projected.append((at, at))
            continue
        if not span.translatable:
            projected.append(_verbatim(segment.text[span.start : span.end], target, edges[-1]))
            continue
        if touched and all(identical[u] for u in touched):
            first, last = touched[0], touched[-1]
            projected.append(
                (
                    targets[first][0] + max(0, span.start - sources[first][0]),
                    targets[last][0] + min(span.end, sources[last][1]) - sources[last][0],
                )
            )
            continue
        if len(touched) == 1:
            u = touched[0]
            same = _same_words(segment.text, span.start, span.end, sources[u], texts[u])
            if same is not None:  # the model kept the words (a name, a number): that is their place
                projected.append((same[0] + targets[u][0], same[1] + targets[u][0]))
                continue
        pieces = []
        for u in touched:
            a, b = sources[u]
            local = project_span(max(span.start, a) - a, min(span.end, b) - a, alignments[u], texts[u])
            pieces.append(None if local is None else (local[0] + targets[u][0], local[1] + targets[u][0]))
        ok = bool(pieces) and all(p is not None for p in pieces)
        projected.append(
            _with_edge_punctuation(
                segment.text[span.start : span.end],
                target,
                (min(p[0] for p in pieces if p), max(p[1] for p in pieces if p)),
            )
            if ok
            else None
        )
    placed = _nest(segment.spans, projected, edges, owners)
    for i, span in enumerate(segment.spans):
        if not span.translatable and not placed[i].aligned:
            # Not copied by the model: the original goes after its sentence, hiding no word.
            placed[i] = PlacedSpan(edges[i][1], edges[i][1], span.payload, False, False)
    atoms = [
        replace(
            atom,
            offset=_atom_offset(
                atom, segment.text, sources, targets, texts, alignments, len(target), identical, source_ends
            ),
        )
        for atom in segment.atoms
    ]
    misplaced = {u for i, p in enumerate(placed) if not p.aligned for u in owners[i]}
    # Atoms at word boundaries take the place of the translation's whitespace there; the unit
    # ends ride along as marks so that they move with the text.
    settled = settle(PlacedSegment(target, segment.kind, placed, atoms, ends))
    return Placement(replace(settled, marks=[]), misplaced, settled.marks)


def _with_edge_punctuation(words: str, target: str, place: tuple[int, int]) -> tuple[int, int]:
    """A projection (which stops at letters) grown over the punctuation that the span's own words
    start or end with, where the translation has the same there (``1/2"``, ``(Mouse``)."""
    start, end = place
    words = words.strip()
    tail = len(words) - len(words.rstrip("".join(ch for ch in words if not ch.isalnum())))
    for ch in words[len(words) - tail :]:
        if end < len(target) and target[end] == ch:
            end += 1
        else:
            break
    head = len(words) - len(words.lstrip("".join(ch for ch in words if not ch.isalnum())))
    for ch in reversed(words[:head]):
        if start > 0 and target[start - 1] == ch:
            start -= 1
        else:
            break
    return start, end


def _same_words(
    source: str, start: int, end: int, unit: tuple[int, int], translation: str
) -> tuple[int, int] | None:
    """Where the words of ``source[start:end]`` (inside one unit) stand unchanged in its
    ``translation`` — a name, a number, a term the model kept — as whole words: the one place,
    or of several the one at about the same share of the sentence; None where they are not.

    Words the model keeps are the surest alignment there is: attention often points a word
    early or late, and a bold name must not slide onto its neighbour.
    """
    a, b = unit
    words = source[start:end].strip()
    if len(words) < 2 or not any(ch.isalnum() for ch in words):
        return None
    found = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", translation)]
    if not found:
        return None
    share = (start - a) / max(1, b - a)
    return min(found, key=lambda f: abs(f[0] / max(1, len(translation)) - share))


def _verbatim(original: str, target: str, within: tuple[int, int]) -> tuple[int, int] | None:
    """Where the model copied ``original`` in ``target[within]``: verbatim (spacing aside), else the
    run of words most like it (a model may mangle a bracket of code), or None."""
    wanted = " ".join(original.split())
    if not wanted:
        return None
    low, high = within[0], max(within[1], within[0] + len(wanted))
    at = target.find(wanted, low, high)
    if at >= 0:
        return at, at + len(wanted)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", target[low:high])]
    size = len(wanted.split())
    best, best_ratio = None, COPY_LIKENESS
    for n in {max(1, size - 1), size, size + 1}:
        for k in range(len(words) - n + 1):
            start, end = words[k][0] + low, words[k + n - 1][1] + low
            while end > start and target[end - 1] in ".,;:!?" and not wanted.endswith(target[end - 1]):
                end -= 1  # the sentence's own punctuation is not part of the copy
            ratio = difflib.SequenceMatcher(None, target[start:end], wanted, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = (start, end), ratio
    return best


def _atom_offset(
    atom: Atom[PayloadT],
    source: str,
    sources: list[tuple[int, int]],
    targets: list[tuple[int, int]],
    translations: Sequence[str],
    alignments: Sequence[Alignment],
    length: int,
    identical: Sequence[bool] = (),
    ends: Sequence[int] | None = None,
) -> int:
    """Where an atom goes: at the end of the translated word it sticks to on its left, or at the
    start of the one on its right; where that is not aligned, at its sentence's edge. In a unit
    given back unchanged, at its own character."""
    offset = atom.offset
    # The unit the atom is in, found by bisection (units are in order; atoms may be many).
    ends = [b for _a, b in sources] if ends is None else ends
    if atom.glue == "left":
        u = bisect.bisect_left(ends, offset)
        inside = u < len(sources) and sources[u][0] < offset <= sources[u][1]
    else:
        u = bisect.bisect_right(ends, offset)
        inside = u < len(sources) and sources[u][0] <= offset < sources[u][1]
    if inside and u < len(identical) and identical[u]:
        return targets[u][0] + offset - sources[u][0]
    if atom.glue == "left":
        if not inside:
            return length if offset >= (sources[-1][1] if sources else 0) else 0
        a, b = sources[u]
        if offset == b:
            return targets[u][1]
        local = project_span(offset - a - 1, offset - a, alignments[u], translations[u])
        if not local and atom.blank and offset + 1 < b:
            # Whitespace between two words (a tab, a cue break): where the word before it has
            # no alignment, the start of the word after it is as good a place.
            after = project_span(offset + 1 - a, offset + 2 - a, alignments[u], translations[u])
            if after:
                return after[0] + targets[u][0]
        if not local:
            return targets[u][1]
        at = local[1]
        if not source[offset - 1].isalnum():
            # The atom followed punctuation ("A)<tab/>", "Feld:<tab/>"); a projection stops at a
            # word's letters, so step over the punctuation that closes the same word in English.
            text = translations[u].strip()
            while (
                at < len(text)
                and not text[at].isalnum()
                and not text[at].isspace()
                and text[at] not in "([{„«"
            ):
                at += 1
        return at + targets[u][0]
    if not inside:  # between two sentences: after the one before
        before = bisect.bisect_right(ends, offset) - 1
        return targets[before][1] if before >= 0 else 0
    a = sources[u][0]
    if offset == a:
        return targets[u][0]
    local = project_span(offset - a, offset - a + 1, alignments[u], translations[u])
    return local[0] + targets[u][0] if local else targets[u][1]


def _nest(
    spans: Sequence[Span[PayloadT]],
    projected: Sequence[tuple[int, int] | None],
    edges: Sequence[tuple[int, int]],
    owners: Sequence[Sequence[int]],
) -> list[PlacedSpan[PayloadT]]:
    """Final places of the spans: their projections where these nest properly, else the edges.

    Spans are visited outermost first; a projection that crosses one already placed, or leaves
    its parent, is replaced by its sentence's edges clamped into the parent. Only spans that
    share a unit can meet (each unit's translation is a stretch of its own), so each span is
    checked against those of its own units: linear in the spans of a long paragraph.
    """
    placed: list[PlacedSpan[PayloadT] | None] = [None] * len(spans)
    order = sorted(range(len(spans)), key=lambda i: (spans[i].depth, spans[i].start, -spans[i].end))
    rank = {i: k for k, i in enumerate(order)}
    by_unit: dict[int, list[int]] = {}
    unowned: list[int] = []
    for i in order:
        units = owners[i]
        pool = (
            sorted({j for u in units for j in by_unit.get(u, [])} | set(unowned), key=rank.__getitem__)
            if units
            else [j for j in order if placed[j] is not None]
        )
        parent = next(
            (
                j
                for j in pool
                if spans[j].depth < spans[i].depth
                and spans[j].start <= spans[i].start
                and spans[j].end >= spans[i].end
                and spans[j].translatable
            ),
            None,
        )
        above = placed[parent] if parent is not None else None
        low, high = (above.start, above.end) if above is not None else (0, 10**9)
        candidate = projected[i]
        ok = candidate is not None and low <= candidate[0] and candidate[1] <= high
        if ok and candidate is not None:
            for j in pool:
                other = placed[j]
                if other is None or j == parent:
                    continue
                inside = other.start <= candidate[0] and candidate[1] <= other.end
                outside = candidate[0] <= other.start and other.end <= candidate[1]
                apart = candidate[1] <= other.start or other.end <= candidate[0]
                if not (inside or outside or apart) or (inside and not other.translatable):
                    ok = False
                    break
        span = spans[i]
        if ok and candidate is not None:
            placed[i] = PlacedSpan(candidate[0], candidate[1], span.payload, span.translatable, True)
        else:
            low_edge, high_edge = edges[i]
            start, end = max(low, low_edge), min(high, high_edge)
            placed[i] = PlacedSpan(start, max(start, end), span.payload, span.translatable, False)
        for u in units:
            by_unit.setdefault(u, []).append(i)
        if not units:
            unowned.append(i)
    return [
        p if p is not None else PlacedSpan(0, 0, s.payload, s.translatable, False)
        for p, s in zip(placed, spans, strict=True)
    ]


@dataclass
class Layout(Generic[SpanT, AtomT]):
    """A document's translation placed segment by segment, for its writer."""

    segments: list[PlacedSegment[SpanT, AtomT]]
    unit_ends: list[int]  # per unit of the document: where it ends in its paragraph's translation
    misplaced: set[int]  # units of the document whose formatting went round their sentence


def lay_out(
    segments: Sequence[Segment[SpanT, AtomT]],
    units: Sequence[Unit],
    translations: Sequence[str],
    copied: Sequence[bool],
    model_inputs: Sequence[str],
    align: Aligner | None,
) -> Layout[SpanT, AtomT]:
    """Place every segment of a document (``units``, what the model saw of each, and their
    ``translations``, in order).

    Only the units of segments with spans or atoms are aligned, in one call of ``align``.
    """
    by_paragraph: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        by_paragraph.setdefault(unit.paragraph, []).append(i)
    formatted = [
        i for p, members in by_paragraph.items() if segments[p].spans or segments[p].atoms for i in members
    ]
    aligned = unit_alignments(
        [UnitText(units[i].text, model_inputs[i], translations[i], copied[i]) for i in formatted],
        align,
    )
    alignment_of = dict(zip(formatted, aligned, strict=True))
    placed: list[PlacedSegment[SpanT, AtomT]] = []
    ends = [0] * len(units)
    misplaced: set[int] = set()
    for p, segment in enumerate(segments):
        members = by_paragraph.get(p, [])
        result = place(
            segment,
            [units[i] for i in members],
            [translations[i] for i in members],
            [alignment_of.get(i, []) for i in members],
        )
        placed.append(result.segment)
        for local, i in enumerate(members):
            ends[i] = result.unit_ends[local]
        misplaced.update(members[local] for local in result.misplaced)
    return Layout(placed, ends, misplaced)
