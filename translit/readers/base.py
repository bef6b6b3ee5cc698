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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from translit.errors import InputError


@dataclass(frozen=True)
class Span:
    """Inline formatting over ``text[start:end]`` of a segment.

    ``payload`` is the format's own record of it (opaque to everything but the format's
    writer); ``translatable`` is False for text kept as written (code): the model sees it (a
    sentence reads whole), and the writer puts the original back where the model copied it.
    ``depth`` is how many spans enclose this one.
    """

    start: int
    end: int
    payload: Any
    translatable: bool = True
    depth: int = 0


@dataclass(frozen=True)
class Atom:
    """Something without text at ``offset`` of a segment (an image, a footnote mark, a break).

    ``glue`` says which word it sticks to: ``left`` (a footnote mark after its word, a closing
    tag), ``right`` (an opening tag, an image before the word it stands before); ``spaced``: it
    stood between two spaces, and a space follows it when it is written back in text.
    """

    offset: int
    payload: Any
    glue: str = "right"
    spaced: bool = False


@dataclass
class Segment:
    """One piece of a document translated whole: its plain text and the formatting over it."""

    text: str
    kind: str = "paragraph"
    spans: list[Span] = field(default_factory=list)
    atoms: list[Atom] = field(default_factory=list)


@dataclass
class Document:
    """One input, read and ready for translation (see the module docstring).

    ``removed`` is what the reader stripped as boilerplate; ``metadata`` what it knows about the
    source (title, author, date, site, URL for a web page); ``skeleton`` the reader's record
    of the format to write back from (None where the format is not written back: a web page's
    main text). ``name`` is how messages call the input; ``language`` is set when it did not
    look German (it was translated anyway); ``encoding`` is what its bytes were decoded as.
    """

    segments: list[Segment]
    removed: list[str] = field(default_factory=list)
    input_format: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    skeleton: Any = None
    name: str = "<input>"
    language: str | None = None
    encoding: str = "utf-8"

    @classmethod
    def of_paragraphs(cls, paragraphs: list[str], **fields: Any) -> Document:
        """A document of plain paragraphs (no formatting)."""
        return cls([Segment(p) for p in paragraphs], **fields)

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
class PlacedSpan:
    """A span on the translation: ``start:end`` of the translated text (empty: inserted whole).

    ``aligned`` says whether the engine's alignment placed it (else it went round its sentence).
    """

    start: int
    end: int
    payload: Any
    translatable: bool = True
    aligned: bool = True


@dataclass
class PlacedSegment:
    """A segment's translation with its formatting placed, ready for a writer.

    ``marks`` are the offsets after units a reader should check (where a writer puts ``[?]``
    when marks are asked for).
    """

    text: str
    kind: str = "paragraph"
    spans: list[PlacedSpan] = field(default_factory=list)
    atoms: list[Atom] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)

    @classmethod
    def plain(cls, segment: Segment) -> PlacedSegment:
        """A segment written back as it was (nothing translated): every span at its own place."""
        return cls(
            segment.text,
            segment.kind,
            [PlacedSpan(s.start, s.end, s.payload, s.translatable) for s in segment.spans],
            list(segment.atoms),
        )


class Reader(Protocol):
    """What translit needs from a reader."""

    name: str

    def read(self, data: bytes | str, source: str) -> Document:
        """Read one input (its bytes, or text already decoded) called ``source`` (for messages)."""
        ...


class Writer(Protocol):
    """What a format that is written back provides: the document in its own format, as bytes."""

    def write(self, document: Document, segments: list[PlacedSegment], marks: bool = True) -> bytes:
        """``document`` with each segment replaced by its placed translation (``[?]`` with ``marks``)."""
        ...


@dataclass(frozen=True)
class Tags:
    """The payload of a span or atom of a markup language: text written before and after it.

    A span kept as written (code) carries its whole original in ``opening``.
    """

    opening: str
    closing: str = ""


CHECK_MARK = "[?]"
"""Put after a unit a reader should check, in every output a person reads (ASCII: any terminal)."""


def weave(placed: PlacedSegment, escape: Callable[[str], str], marks: bool = True) -> str:
    """A placed segment in a markup language whose spans and atoms carry :class:`Tags`.

    Text is escaped with ``escape``; a span kept as written replaces the words it was found at
    with its original; each tag is written at its place, outer ones outside inner ones.
    """
    events: list[tuple[int, int, int, str]] = []  # (offset, kind, order, raw): closes first
    hidden: list[tuple[int, int]] = []
    for index, span in enumerate(placed.spans):
        tags: Tags = span.payload
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
        events.append((atom.offset, 3, 0, atom.payload.opening + atom.payload.closing + " " * atom.spaced))
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


RawSpan = tuple[int, int, Any, bool, int]
"""A span over a reader's raw text: start, end, payload, translatable, depth."""


def segment_from(
    raw: str,
    kind: str,
    spans: Sequence[RawSpan] = (),
    atoms: Sequence[tuple[int, Any]] = (),
    keep_empty: bool = True,
) -> tuple[Segment, list[int]]:
    """A segment of ``raw`` text as read (its whitespace as it came), with spans and atoms at
    offsets of ``raw``: the text collapsed (:func:`collapse`) and every offset carried over.

    Spans are ordered outermost first; ``keep_empty=False`` drops spans left without text (a
    run of spaces). Returns the segment and, for each of its characters, its offset in ``raw``.
    """
    text, where = collapse(raw)

    def at(offset: int) -> int:
        return bisect.bisect_left(where, offset)

    placed = [
        Span(at(start), at(end), payload, translatable, depth)
        for start, end, payload, translatable, depth in sorted(spans, key=lambda s: (s[4], s[0]))
        if keep_empty or at(end) > at(start)
    ]
    return Segment(text, kind, placed, place_atoms(raw, where, atoms)), where


def place_atoms(text: str, where: list[int], atoms: Sequence[tuple[int, Any]]) -> list[Atom]:
    """Atoms at offsets of ``text`` moved onto its collapsed form (:func:`collapse`'s ``where``).

    An atom right after a character sticks to that word; one after a space sticks to the next
    word, and one with space on both sides is ``spaced``.
    """
    placed = []
    for offset, payload in atoms:
        at = bisect.bisect_left(where, offset)
        if offset > 0 and not text[offset - 1].isspace():
            placed.append(Atom(at, payload, "left"))
            continue
        spaced = 0 < offset < len(text) and text[offset].isspace()
        while at < len(where) and where[at] < offset:
            at += 1
        if at < len(where) and text[where[at]].isspace():
            at += 1  # after the collapsed space, before the next word
        placed.append(Atom(at, payload, "right", spaced))
    return placed


def collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace as one space and no space at the ends, and for each
    character of the result its offset in ``text`` (to carry spans over)."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            where.append(i - 1)
            pending_space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


def marked_text(placed: PlacedSegment, marks: bool = True) -> str:
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
