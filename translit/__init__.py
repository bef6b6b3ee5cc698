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

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from translit.lazy import lazy_attributes

if TYPE_CHECKING:  # the names, for type checkers and editors; at run time they load when first used
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

_WHERE = {
    **dict.fromkeys(
        (
            "Brief",
            "Translation",
            "brief",
            "brief_from_translation",
            "get_engine",
            "get_summarizer",
            "read",
            "summarize",
            "translate",
            "translate_documents",
            "translate_many",
        ),
        "translit.api",
    ),
    "TranslationCache": "translit.cache",
    **dict.fromkeys(("InputError", "ModelError", "NetworkError", "TranslitError"), "translit.errors"),
    "Settings": "translit.options",
    "Document": "translit.readers",
    "UnitResult": "translit.results",
    "Unit": "translit.segment",
    "Summary": "translit.summarize",
    "Translator": "translit.translator",
}
"""Where each public name lives: ``import translit`` stays cheap (the CLI's ``--help`` imports
no library), and ``from translit import Translator`` loads the library when it is asked for
(PEP 562)."""


class _Package(types.ModuleType):
    """The package, whose ``summarize`` is the API's function though a module has that name too.

    The import system sets a submodule as its package's attribute when it is first loaded; with
    the names loaded lazily, loading :mod:`translit.summarize` (the summariser's module) must
    not hide :func:`translit.summarize` (``from translit.summarize import …`` is unaffected).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__getattr__ = lazy_attributes(__name__, _WHERE, globals())


def __dir__() -> list[str]:
    """The public names too, though not loaded yet."""
    return sorted({*globals(), *_WHERE})


__version__ = "0.1.0"

# Listed, not computed from _WHERE: linters and type checkers read a literal __all__.
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
