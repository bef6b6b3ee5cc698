"""The model's own input normalisation, applied to what goes into the model and nothing else.

A model works best on text that looks like its training data. OPUS-MT models (opus-mt-de-en
among them) were trained on text passed through two Moses scripts,
``replace-unicode-punctuation.perl`` and ``remove-non-printing-char.perl``, and with runs of
spaces collapsed; MarianTokenizer does none of this. ``moses`` does the same with sacremoses'
``MosesPunctNormalizer`` (its ``replace_unicode_punct`` and ``remove_control_chars``).

The normaliser is named per model in models.toml (``normalize = "moses"``). It never touches
``source_paragraphs``, the units' source text or anything shown to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from translit.errors import InputError, ModelError

NORMALIZERS = ("none", "moses")
_GERMAN_QUOTES = str.maketrans({"„": '"', "‚": "'", "‘": "'"})

Normalizer = Callable[[str], str]


def _identity(text: str) -> str:
    return text


@lru_cache(maxsize=4)
def get_normalizer(name: str | None) -> Normalizer:
    """The normaliser called ``name`` (``None`` or ``"none"``: text goes in unchanged)."""
    if name in (None, "", "none"):
        return _identity
    if name != "moses":
        raise InputError(f"unknown normalization '{name}' (choose from {', '.join(NORMALIZERS)})")
    try:
        from sacremoses import MosesPunctNormalizer
    except ImportError:
        raise ModelError(
            "this model wants Moses normalisation, but sacremoses is not installed (pip install sacremoses)"
        ) from None
    moses = MosesPunctNormalizer(lang="de")

    def normalize(text: str) -> str:
        text = moses.remove_control_chars(moses.replace_unicode_punct(text))
        # replace-unicode-punctuation turns the closing “ into " but leaves the opening „ (and
        # ‚ ‘): "„Wir …"" would reach the model with mismatched quotes. Moses'
        # normalize-punctuation.perl maps them all; so do we.
        text = text.translate(_GERMAN_QUOTES)
        return " ".join(text.split())

    return normalize
