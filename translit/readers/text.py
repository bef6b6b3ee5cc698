"""Plain text: blank lines separate paragraphs; a breadcrumb trail and a tag line are stripped."""

from __future__ import annotations

from translit.readers.base import Document
from translit.segment import parse_article
from translit.textio import decode_bytes


class TextReader:
    """Plain-text articles (see :func:`translit.segment.parse_article`)."""

    name = "text"

    def read(self, data: bytes | str, source: str) -> Document:
        """The article's body paragraphs, boilerplate removed."""
        decoded = decode_bytes(data, source) if isinstance(data, bytes) else None
        article = parse_article(decoded.text if decoded else str(data))
        return Document.of_paragraphs(
            article.paragraphs,
            removed=article.removed,
            input_format="text",
        )


Reader = TextReader
