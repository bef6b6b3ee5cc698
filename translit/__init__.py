"""translit: offline German→English translation and summarisation of news articles.

The library's front door is :class:`Translator` (the CLI, batch, Ray workers and the HTTP
service all go through it)::

    from pathlib import Path
    import translit

    translator = translit.Translator("opus-mt-de-en", beams=4)
    translator.translate(text)                        # -> Translation
    translator.brief(Path("page.html"))               # -> Brief
    translator.translate_many([a, b, c])              # shared batches

The module functions are thin wrappers kept for compatibility::

    translit.translate(text, model="opus-mt-de-en")   # -> Translation
    translit.summarize(english_text, sentences=3)     # -> Summary
    translit.brief(text)                              # -> Brief
    translit.read(Path("page.html"))                  # -> Document (text, HTML, Markdown)

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
    translate_documents,
    translate_many,
)
from translit.cache import TranslationCache
from translit.errors import InputError, ModelError, NetworkError, TranslitError
from translit.options import Settings
from translit.readers import Document
from translit.results import UnitResult
from translit.segment import Unit
from translit.summarize import Summary
from translit.translator import Translator

__version__ = "0.1.0"

__all__ = [
    "Brief",
    "Document",
    "InputError",
    "ModelError",
    "NetworkError",
    "Settings",
    "Summary",
    "Translation",
    "TranslationCache",
    "Translator",
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
    "translate_documents",
    "translate_many",
]
