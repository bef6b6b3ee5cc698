"""The reader interface: text in, paragraphs and metadata out (and back, where structure is kept)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Rebuilt:
    """A translated document in its input's format, and the paragraphs whose markup was dropped."""

    text: str
    markup_dropped: list[int] = field(default_factory=list)


@dataclass
class Document:
    """One input, ready for translation.

    ``paragraphs`` are what gets translated, in order; ``removed`` is what the reader
    stripped as boilerplate; ``metadata`` what it knows about the source (title, author,
    date, site, URL for a web page). ``rebuild``, when set, writes translated paragraphs
    back into the input's own format (Markdown); ``auxiliary`` lists paragraphs that are
    translated only to rebuild it (link texts, emphasised words), not prose of their own.
    """

    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    input_format: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    rebuild: Callable[[list[str]], Rebuilt] | None = None
    auxiliary: list[int] = field(default_factory=list)


class Reader(Protocol):
    """What translit needs from a reader."""

    name: str

    def read(self, text: str, source: str) -> Document:
        """Read decoded ``text`` of the input called ``source`` (for messages)."""
        ...
