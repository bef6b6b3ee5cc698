"""The segmenter: clean a German article and cut it into units the model takes whole.

* :mod:`translit.segment.clean` — newlines and Unicode, boilerplate (breadcrumb trail, tag
  line), paragraphs.
* :mod:`translit.segment.sentences` — the German sentence splitter.
* :mod:`translit.segment.units` — translation units (sentences by default) under a token
  budget, and joining their translations back into paragraphs.
* :mod:`translit.segment.links` — what never reaches the model as prose (links, wordless units).
* :mod:`translit.segment.english` — the English sentence splitter, for the output side.

The lowest room of the house: it imports nothing of translit's but itself.
"""

from translit.segment.clean import (
    Article,
    is_breadcrumb,
    is_tag_line,
    looks_like_headline,
    normalize_text,
    parse_article,
    split_headline,
    split_paragraphs,
    strip_boilerplate,
)
from translit.segment.english import split_english_sentences
from translit.segment.links import needs_model
from translit.segment.sentences import sentence_spans, split_sentences
from translit.segment.units import (
    DEFAULT_UNIT_TOKENS,
    UNIT_MODES,
    TokenCounter,
    Unit,
    join_units,
    make_units,
    paragraph_spans,
)

__all__ = [
    "DEFAULT_UNIT_TOKENS",
    "UNIT_MODES",
    "Article",
    "TokenCounter",
    "Unit",
    "is_breadcrumb",
    "is_tag_line",
    "join_units",
    "looks_like_headline",
    "make_units",
    "needs_model",
    "normalize_text",
    "paragraph_spans",
    "parse_article",
    "sentence_spans",
    "split_english_sentences",
    "split_headline",
    "split_paragraphs",
    "split_sentences",
    "strip_boilerplate",
]
