"""The document model: what a reader makes of an input, and what a writer turns back into bytes.

A reader turns an input's bytes into a :class:`Document` — plain data, so that it can be read
once and sent anywhere (a Ray worker, the service's translation thread):

* **segments** (a paragraph, a heading, a list item, a table cell …) whose ``text`` is plain —
  the model only ever sees plain sentences;
* over each segment's text, **inline spans** (:class:`Span`: ``start:end``, an opaque
  ``payload`` that only the format understands — an HTML tag pair, Markdown's ``**`` or a link —
  and whether the text under it is translated or kept as written, like code);
* **atoms** (:class:`Atom`: things without text at a point of the text — an image, a footnote
  mark, a line break);
* the reader's private **skeleton**: whatever it needs to write the document back.

After translation, :mod:`translit.placement` puts every span and atom on the translated words
(the engine's alignment) and hands each segment to the writer as a :class:`PlacedSegment`; the
format's :class:`Writer` returns the document as **bytes**.
"""

from __future__ import annotations

import bisect
import html
import importlib
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol

from typing_extensions import TypeVar

from translit.errors import InputError
from translit.readers.child import stop_if_given_up

PayloadT = TypeVar("PayloadT", default=Any)
"""A format's own record of a span or an atom (a small dataclass, or a union of them)."""
SpanT = TypeVar("SpanT", default=Any)
"""The payload of a format's spans."""
AtomT = TypeVar("AtomT", default=Any)
"""The payload of a format's atoms."""


@dataclass(frozen=True)
class Span(Generic[PayloadT]):
    """Inline formatting over ``text[start:end]`` of a segment.

    ``payload`` is the format's own record of it (opaque to everything but the format, which
    types its own: :class:`Tags` for the markup languages, a run's properties or a link for
    Office paragraphs); ``translatable`` is False for text kept as written (code): the model
    sees it (a sentence reads whole), and the writer puts the original back where the model
    copied it.
    ``depth`` is how many spans enclose this one.
    """

    start: int
    end: int
    payload: PayloadT
    translatable: bool = True
    depth: int = 0


@dataclass(frozen=True)
class Atom(Generic[PayloadT]):
    """Something without text at ``offset`` of a segment (an image, a field, a tab, a break).

    ``glue`` says which word it sticks to: ``left`` (a footnote mark after its word, a closing
    tag), ``right`` (an opening tag, an image before the word it stands before). ``before`` and
    ``after`` are the source's whitespace beside it, and ``blank`` says the atom *is* whitespace
    (a tab, a line break: the model saw a space there): where either holds, the writer puts the
    atom in place of the translation's whitespace at its place, with the source's whitespace
    round it (:func:`settle`) — a field between two words never glues them, a tab never gains
    spaces.
    """

    offset: int
    payload: PayloadT
    glue: str = "right"
    before: str = ""
    after: str = ""
    blank: bool = False

    @property
    def at_boundary(self) -> bool:
        """Whether the atom stood at a word boundary in the source (whitespace beside it or itself)."""
        return self.blank or bool(self.before or self.after)


@dataclass
class Segment(Generic[SpanT, AtomT]):
    """One piece of a document translated whole: its plain text and the formatting over it
    (spans and atoms whose payloads are the format's own types)."""

    text: str
    kind: str = "paragraph"
    spans: list[Span[SpanT]] = field(default_factory=list)
    atoms: list[Atom[AtomT]] = field(default_factory=list)


SkeletonT = TypeVar("SkeletonT", default=Any)
"""A reader's own record of its format, to write a document back from (each format has its own)."""


@dataclass
class Document(Generic[SkeletonT, SpanT, AtomT]):
    """One input, read and ready for translation (see the module docstring).

    ``removed`` is what the reader stripped as boilerplate; ``metadata`` what it knows about the
    source (title, author, date, site, URL for a web page); ``skeleton`` the reader's record
    of the format to write back from (None where the format is not written back: a web page's
    main text). ``name`` is how messages call the input; ``language`` is set when it did not
    look German (it was translated anyway).
    """

    segments: list[Segment[SpanT, AtomT]]
    removed: list[str] = field(default_factory=list)
    input_format: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    skeleton: SkeletonT | None = None
    name: str = "<input>"
    language: str | None = None

    @classmethod
    def of_paragraphs(cls, paragraphs: list[str], **fields: Any) -> Document:
        """A document of plain paragraphs (no formatting)."""
        return cls([Segment(p) for p in paragraphs], **fields)

    def kept(self) -> SkeletonT:
        """The skeleton, for the writer of a document that is written back (it always has one)."""
        if self.skeleton is None:
            raise ValueError(f"{self.name}: the {self.input_format} reader kept no skeleton to write it back")
        return self.skeleton

    @property
    def paragraphs(self) -> list[str]:
        """The plain text of every segment, in order: what gets translated."""
        return [segment.text for segment in self.segments]

    @property
    def prose(self) -> str:
        """The document's text, for checks such as its language."""
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        """Words of prose, for progress and reports."""
        return len(self.prose.split())


@dataclass(frozen=True)
class PlacedSpan(Generic[PayloadT]):
    """A span on the translation: ``start:end`` of the translated text (empty: inserted whole).

    ``aligned`` says whether the engine's alignment placed it (else it went round its sentence).
    """

    start: int
    end: int
    payload: PayloadT
    translatable: bool = True
    aligned: bool = True


@dataclass
class PlacedSegment(Generic[SpanT, AtomT]):
    """A segment's translation with its formatting placed, ready for a writer.

    ``marks`` are the offsets after units a reader should check (where a writer puts ``[?]``
    when marks are asked for).
    """

    text: str
    kind: str = "paragraph"
    spans: list[PlacedSpan[SpanT]] = field(default_factory=list)
    atoms: list[Atom[AtomT]] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)

    @classmethod
    def plain(cls, segment: Segment[SpanT, AtomT]) -> PlacedSegment[SpanT, AtomT]:
        """A segment written back as it was (nothing translated): every span at its own place."""
        return cls(
            segment.text,
            segment.kind,
            [PlacedSpan(s.start, s.end, s.payload, s.translatable) for s in segment.spans],
            list(segment.atoms),
        )


class Reader(Protocol[SkeletonT, SpanT, AtomT]):
    """What translit needs from a reader (of documents with skeletons and payloads of its kind)."""

    name: str

    def read(self, data: bytes | str, source: str) -> Document[SkeletonT, SpanT, AtomT]:
        """Read one input (its bytes, or text already decoded) called ``source`` (for messages)."""
        ...


class Writer(Protocol[SkeletonT, SpanT, AtomT]):
    """What a format that is written back provides: the document in its own format, as bytes
    (from the skeleton its reader kept and the payloads of its spans and atoms)."""

    def write(
        self,
        document: Document[SkeletonT, SpanT, AtomT],
        segments: list[PlacedSegment[SpanT, AtomT]],
        marks: bool = True,
    ) -> bytes:
        """``document`` with each segment replaced by its placed translation (``[?]`` with ``marks``)."""
        ...


@dataclass(frozen=True)
class Tags:
    """The payload of a span or atom of a markup language: text written before and after it.

    A span kept as written (code) carries its whole original in ``opening``.
    """

    opening: str
    closing: str = ""


MarkupSegment = Segment[Tags, Tags]
"""A segment of a markup language (HTML, Markdown): its spans and atoms are tags."""
PlacedMarkup = PlacedSegment[Tags, Tags]


CHECK_MARK = "[?]"
"""Put after a unit a reader should check, in every output a person reads (ASCII: any terminal)."""


def weave(placed: PlacedMarkup, escape: Callable[[str], str], marks: bool = True) -> str:
    """A placed segment in a markup language whose spans and atoms carry :class:`Tags`.

    Text is escaped with ``escape``; a span kept as written replaces the words it was found at
    with its original; each tag is written at its place, outer ones outside inner ones.
    """
    events: list[tuple[int, int, int, str]] = []  # (offset, kind, order, raw): closes first
    hidden: list[tuple[int, int]] = []
    for index, span in enumerate(placed.spans):
        tags = span.payload
        width = span.end - span.start
        if not span.translatable and not span.aligned:
            # An original the model did not copy, put after its sentence: spaced, before a mark.
            events.append((span.start, 5, index, " " + tags.opening + tags.closing))
            continue
        if width == 0 or not span.translatable:
            events.append((span.start, 3, index, tags.opening + tags.closing))
            if width and not span.translatable:
                hidden.append((span.start, span.end))
            continue
        events.append((span.start, 1, -width * 1000 + index, tags.opening))
        events.append((span.end, 0, width * 1000 - index, tags.closing))
    for atom in placed.atoms:
        events.append((atom.offset, 3, 0, atom.payload.opening + atom.payload.closing))
    if marks:
        for at in placed.marks:
            events.append((at, 4, 0, " " + escape(CHECK_MARK)))
    # At one offset: closing tags, an original put after its sentence, then a mark (after the
    # unit, outside what opens next), then the rest.
    events.sort(key=lambda e: (e[0], {0: 0, 5: 1, 4: 2}.get(e[1], 3), e[2]))
    text = placed.text
    out: list[str] = []
    cursor = 0
    for offset, _kind, _order, raw in events:
        if offset > cursor:
            out.append(escape(_visible(text, cursor, offset, hidden)))
            cursor = offset
        out.append(raw)
    out.append(escape(_visible(text, cursor, len(text), hidden)))
    return "".join(out)


def _visible(text: str, start: int, end: int, hidden: list[tuple[int, int]]) -> str:
    """``text[start:end]`` without the characters replaced by kept originals."""
    if not hidden:
        return text[start:end]
    return "".join(
        ch for i, ch in enumerate(text[start:end], start) if not any(a <= i < b for a, b in hidden)
    )


def escape_html(text: str) -> str:
    """Text as HTML shows it (``<``, ``>``, ``&`` escaped; quotes need not be outside attributes)."""
    return html.escape(text, quote=False)


RawSpan = tuple[int, int, PayloadT, bool, int]
"""A span over a reader's raw text: start, end, payload, translatable, depth."""

RawAtom = tuple[int, PayloadT] | tuple[int, PayloadT, int]
"""An atom at an offset of a reader's raw text: offset, payload and, for an atom that stands for
whitespace (a tab, a line break), how many whitespace characters of the raw text are its own."""


def segment_from(
    raw: str,
    kind: str,
    spans: Sequence[RawSpan[SpanT]] = (),
    atoms: Sequence[RawAtom[AtomT]] = (),
    keep_empty: bool = True,
) -> tuple[Segment[SpanT, AtomT], list[int]]:
    """A segment of ``raw`` text as read (its whitespace as it came), with spans and atoms at
    offsets of ``raw``: the text collapsed (:func:`collapse`) and every offset carried over.

    Spans are ordered outermost first; ``keep_empty=False`` drops spans left without text (a
    run of spaces). Returns the segment and, for each of its characters, its offset in ``raw``.
    """
    stop_if_given_up()  # a cancelled job's document stops here, one segment at a time
    text, where = collapse(raw)

    def at(offset: int) -> int:
        return bisect.bisect_left(where, offset)

    placed = [
        Span(at(start), at(end), payload, translatable, depth)
        for start, end, payload, translatable, depth in sorted(spans, key=lambda s: (s[4], s[0]))
        if keep_empty or at(end) > at(start)
    ]
    return Segment(text, kind, placed, place_atoms(raw, where, atoms)), where


CLOSING = frozenset(".,;:!?)]}»›“”\"'’")
"""Punctuation that ends what comes before it: an atom before it belongs to the word before."""
OPENING = frozenset("([{«‹„‚")


def place_atoms(text: str, where: list[int], atoms: Sequence[RawAtom[PayloadT]]) -> list[Atom[PayloadT]]:
    """Atoms at offsets of ``text`` moved onto its collapsed form (:func:`collapse`'s ``where``).

    Atoms with only whitespace between them are one cluster, which sticks to one word: to the
    word before it where nothing (or punctuation that closes) separates them, else to the word
    after it. Each atom keeps the source's whitespace before it; the cluster's last one the
    whitespace after it (see :class:`Atom`).
    """
    ordered = sorted(((a[0], a[1], a[2] if len(a) > 2 else 0) for a in atoms), key=lambda a: a[0])
    clusters: list[list[tuple[int, PayloadT, int]]] = []
    for atom in ordered:
        if clusters:
            last = clusters[-1][-1]
            if not text[last[0] + last[2] : atom[0]].strip():
                clusters[-1].append(atom)
                continue
        clusters.append([atom])
    placed: list[Atom[PayloadT]] = []
    for cluster in clusters:
        start, end = cluster[0][0], cluster[-1][0] + cluster[-1][2]
        lead = start
        while lead > 0 and text[lead - 1].isspace():
            lead -= 1
        trail = end
        while trail < len(text) and text[trail].isspace():
            trail += 1
        word_before, word_after = lead > 0, trail < len(text)
        glued_before, glued_after = word_before and lead == start, word_after and trail == end
        blank = any(width for _o, _p, width in cluster)
        if glued_before or (word_before and (not word_after or text[trail] in CLOSING)):
            glue = "left"
        elif glued_after or word_after:
            glue = "left" if blank and word_before else "right"
        else:
            glue = "right"
        if glue == "left":
            offset = bisect.bisect_right(where, lead - 1) if word_before else 0
        else:
            offset = bisect.bisect_left(where, trail)
        previous_end = lead
        for k, (raw_offset, payload, width) in enumerate(cluster):
            before = text[previous_end:raw_offset]
            after = text[raw_offset + width : trail] if k == len(cluster) - 1 else ""
            placed.append(Atom(offset, payload, glue, before, after, width > 0))
            previous_end = raw_offset + width
    return placed


def settle(placed: PlacedSegment[SpanT, AtomT]) -> PlacedSegment[SpanT, AtomT]:
    """A placed segment whose atoms that stood at a word boundary replace the translation's
    whitespace at their place, with the source's whitespace round them (see :class:`Atom`).

    The translation's text changes (a tab replaces a space; a field gets its spaces back), and
    every span, atom and mark offset is carried over: an edge at the start of the replaced
    whitespace stays before what is put there, one at its end after it.
    """
    groups: dict[int, list[Atom[AtomT]]] = {}
    for atom in placed.atoms:
        groups.setdefault(atom.offset, []).append(atom)
    text = placed.text
    edits: list[tuple[int, int, str, list[tuple[int, Atom[AtomT]]]]] = []  # (i, j, inserted, atoms at)
    taken = 0
    for x in sorted(groups):
        group = groups[x]
        if not any(atom.at_boundary for atom in group):
            continue
        i, j = x, x
        while i > taken and text[i - 1].isspace():
            i -= 1
        while j < len(text) and text[j].isspace():
            j += 1
        if i == j and 0 < x < len(text):
            # The translation has no space here: keep the source's spacing, but none against
            # punctuation that closes (after) or opens (before) the words round it.
            group = [
                replace(
                    atom,
                    before="" if text[x - 1] in OPENING else atom.before,
                    after="" if text[x] in CLOSING else atom.after,
                )
                for atom in group
            ]
        spacing: list[str] = []
        at: list[tuple[int, Atom[AtomT]]] = []
        length = 0
        for atom in group:
            length += len(atom.before)
            at.append((length, atom))
            length += len(atom.after)
            spacing.append(atom.before + atom.after)
        edits.append((i, j, "".join(spacing), at))
        taken = j
    if not edits:
        return placed
    starts = [e[0] for e in edits]

    def moved(offset: int, side: str) -> int:
        """Where ``offset`` of the old text is in the new (``side``: an edge that ends or starts)."""
        shift = 0
        k = bisect.bisect_right(starts, offset) - 1
        for i, j, inserted, _at in edits[: max(0, k)]:
            shift += len(inserted) - (j - i)
        if k < 0:
            return offset
        i, j, inserted, _at = edits[k]
        if offset > j or (offset == j and (side == "start" or i == j)):
            if i == j and side == "end":
                return offset + shift
            return offset + shift + len(inserted) - (j - i)
        if offset == i:
            return offset + shift
        return i + shift if side == "end" else i + shift + len(inserted)

    out: list[str] = []
    cursor = 0
    atoms: list[Atom[AtomT]] = []
    for i, j, inserted, at in edits:
        out.append(text[cursor:i])
        base = sum(len(piece) for piece in out)
        out.append(inserted)
        cursor = j
        for local, atom in at:
            atoms.append(replace(atom, offset=base + local, before="", after="", blank=False))
    out.append(text[cursor:])
    boundary_offsets = {x for x, group in groups.items() if any(a.at_boundary for a in group)}
    for atom in placed.atoms:
        if atom.offset not in boundary_offsets:
            atoms.append(replace(atom, offset=moved(atom.offset, "end" if atom.glue == "left" else "start")))
    atoms.sort(key=lambda a: a.offset)
    return PlacedSegment(
        "".join(out),
        placed.kind,
        [replace(s, start=moved(s.start, "start"), end=moved(s.end, "end")) for s in placed.spans],
        atoms,
        [moved(m, "end") for m in placed.marks],
    )


LINE_BREAK = "\u2028"
"""What a reader puts in its raw text for a line break inside a paragraph (with a blank atom on
it): whitespace, which :func:`collapse` turns into ``\n`` — a unit boundary — where the break
separates the lines of a list (:func:`breaks_lines`), else into a space."""

_LIST_MARK = re.compile(r"^(?:[-–—•·*▪◦‣]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_LINE_END = re.compile(r"[.!?:;…][\"'»«“”‚‘’)\]]*$")
SHORT_LINE_WORDS = 8


def breaks_lines(lines: list[str]) -> list[bool]:
    """For each line break between ``lines``: does it separate two lines (units of their own)?

    Yes after a line that ends a sentence or announces (``:``, ``;``), before a list item (a
    bullet, ``1.``, ``a)``), and in a paragraph of three lines or more that are all short (a
    list, an address, a vertical title); no inside a sentence carried onto the next line.
    """
    short = len(lines) >= 3 and all(len(line.split()) <= SHORT_LINE_WORDS for line in lines)
    return [
        short or bool(_LINE_END.search(before.rstrip())) or bool(_LIST_MARK.match(after.lstrip()))
        for before, after in itertools.pairwise(lines)
    ]


def collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace as one space and no space at the ends, and for each
    character of the result its offset in ``text`` (to carry spans over). A run with a
    :data:`LINE_BREAK` becomes ``\n`` where the break separates lines (:func:`breaks_lines`)."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    pending_break = False
    for i, ch in enumerate(text):
        if ch.isspace():
            pending_space = bool(out)
            pending_break = pending_break or (ch == LINE_BREAK and bool(out))
            continue
        if pending_space:
            out.append(LINE_BREAK if pending_break else " ")
            where.append(i - 1)
            pending_space = pending_break = False
        out.append(ch)
        where.append(i)
    joined = "".join(out)
    if LINE_BREAK in joined:
        lines = joined.split(LINE_BREAK)
        cuts = iter(breaks_lines(lines))
        joined = "".join(
            line + ("\n" if next(cuts) else " ") if k < len(lines) - 1 else line
            for k, line in enumerate(lines)
        )
    return joined, where


def marked_text(placed: PlacedSegment[Any, Any], marks: bool = True) -> str:
    """A placed segment's plain text, with ``[?]`` after each unit to check when ``marks``."""
    if not marks or not placed.marks:
        return placed.text
    out, cursor = [], 0
    for at in sorted(placed.marks):
        out.append(placed.text[cursor:at] + " " + CHECK_MARK)
        cursor = at
    out.append(placed.text[cursor:])
    return "".join(out)


def library(module: str, purpose: str, package: str, extra: str) -> Any:
    """Import ``module`` for a reader (when first used: parsers are heavy), or one
    :class:`InputError` line saying which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise InputError(f"{purpose} needs {package} (pip install 'translit[{extra}]'): {exc}") from None
