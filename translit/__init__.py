"""translit: offline German→English translation and summarisation of news articles.

The library API (the CLI is a thin layer over it)::

    import translit
    translit.translate(text, model="opus-mt-de-en")   # -> Translation
    translit.summarize(english_text, sentences=3)     # -> Summary
    translit.brief(text)                              # -> Brief
    translit.read("page.html")                        # -> Document (text, HTML, Markdown)
    translit.translate_many(texts, cache=translit.TranslationCache())  # shared batches

Heavy libraries (torch, transformers, ctranslate2) are imported only when a model is loaded.
"""

from translit.api import (
    Brief,
    Translation,
    brief,
    brief_from_translation,
    get_engine,
    get_summarizer,
    read,
    summarize,
    translate,
    translate_many,
)
from translit.cache import TranslationCache
from translit.errors import InputError, ModelError, NetworkError, TranslitError
from translit.results import UnitResult
from translit.segment import Unit
from translit.summarize import Summary

__version__ = "0.1.0"

__all__ = [
    "Brief",
    "InputError",
    "ModelError",
    "NetworkError",
    "Summary",
    "Translation",
    "TranslationCache",
    "TranslitError",
    "Unit",
    "UnitResult",
    "__version__",
    "brief",
    "brief_from_translation",
    "get_engine",
    "get_summarizer",
    "read",
    "summarize",
    "translate",
    "translate_many",
]
