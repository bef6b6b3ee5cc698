"""The reader interface: an input's bytes in, paragraphs and metadata out (and back, where kept).

A :class:`Document` is plain data — lists, strings and the reader's own layout record — so
that it can be read once and sent anywhere (a Ray worker, a server's translation thread)
and written back into its format there by the reader's :meth:`Reader.rebuild`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Rebuilt:
    """A translated document in its input's format, and the paragraphs whose markup was dropped."""

    text: str
    markup_dropped: list[int] = field(default_factory=list)


@dataclass
class Document:
    """One input, read and ready for translation.

    ``paragraphs`` are what gets translated, in order; ``removed`` is what the reader
    stripped as boilerplate; ``metadata`` what it knows about the source (title, author,
    date, site, URL for a web page). ``auxiliary`` lists paragraphs that are translated only
    to rebuild the input's format (link texts, emphasised words), not prose of their own;
    ``layout`` is the reader's record of that format (Markdown's blocks), plain data.
    ``name`` is how messages call the input; ``language`` is set when it did not look
    German (it was translated anyway); ``encoding`` is what its bytes were decoded as.
    """

    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    input_format: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    auxiliary: list[int] = field(default_factory=list)
    layout: Any = None
    name: str = "<input>"
    language: str | None = None
    encoding: str = "utf-8"

    @property
    def prose(self) -> str:
        """The document's own prose (auxiliary paragraphs left out), for checks such as its language."""
        skip = set(self.auxiliary)
        return "\n\n".join(p for i, p in enumerate(self.paragraphs) if i not in skip)

    @property
    def words(self) -> int:
        """Words of prose, for progress and reports."""
        return len(self.prose.split())


class Reader(Protocol):
    """What translit needs from a reader."""

    name: str

    def read(self, data: bytes | str, source: str) -> Document:
        """Read one input (its bytes, or text already decoded) called ``source`` (for messages)."""
        ...

    def rebuild(self, document: Document, translated: list[str]) -> Rebuilt | None:
        """The translated paragraphs written back into the input's format (None: not kept)."""
        ...
