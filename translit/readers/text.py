"""Plain text: blank lines separate paragraphs; a breadcrumb trail and a tag line are stripped."""

from __future__ import annotations

from translit.readers.base import Document
from translit.segment import parse_article


class TextReader:
    """Plain-text articles (see :func:`translit.segment.parse_article`)."""

    name = "text"

    def read(self, text: str, source: str) -> Document:
        """The article's body paragraphs, boilerplate removed."""
        article = parse_article(text)
        return Document(article.paragraphs, article.removed, "text")
