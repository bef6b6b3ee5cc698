"""Is this text German? Language identification with py3langid (97 languages, offline).

py3langid is the maintained port of langid.py: a naive Bayes model over byte n-grams that
ships inside the package (no download) and loads in under a second. On the 1,269 German
articles in ``../shared/data/de_news`` it judged none as another language.

Only a clear verdict counts: the text has enough letters to judge, and German's
probability is below :data:`GERMAN_FLOOR`. Everything else is translated without a word.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from translit.errors import InputError

log = logging.getLogger("translit")

# Fewer letters than this and no verdict is given (a headline, "Ja.", a name).
MIN_LETTERS = 40
# German below this probability (normalised over 97 languages) is "not German".
GERMAN_FLOOR = 0.05
SAMPLE_CHARS = 5000

LANGUAGE_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fi": "Finnish", "fr": "French", "hr": "Croatian", "hu": "Hungarian", "it": "Italian",
    "ja": "Japanese", "lb": "Luxembourgish", "lt": "Lithuanian", "lv": "Latvian", "nb": "Norwegian",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_LOCK = threading.Lock()
_IDENTIFIER: Any = None


def _identifier() -> Any:
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _IDENTIFIER


@dataclass(frozen=True)
class LanguageGuess:
    """The most likely language, its probability, and German's."""

    language: str | None
    probability: float
    german: float

    @property
    def name(self) -> str:
        """The language's English name (its code when unknown)."""
        return LANGUAGE_NAMES.get(self.language or "", self.language or "unknown")

    @property
    def clearly_not_german(self) -> bool:
        """Enough text to judge, and German is (almost) ruled out."""
        return self.language not in (None, "de") and self.german < GERMAN_FLOOR


def guess_language(text: str) -> LanguageGuess:
    """Identify the language of ``text`` (its first few thousand characters)."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return LanguageGuess(None, 0.0, 0.0)
    ranked = _identifier().rank(sample)
    language, probability = ranked[0]
    german = next((p for code, p in ranked if code == "de"), 0.0)
    return LanguageGuess(language, float(probability), float(german))


def rank_languages(text: str, top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` likeliest languages of ``text`` with their probabilities (any length of text)."""
    sample = text[:SAMPLE_CHARS]
    if not _LETTER.search(sample):
        return []
    return [(code, float(p)) for code, p in _identifier().rank(sample)[:top]]


def check_german(text: str, name: str, *, strict: bool = False) -> str | None:
    """Warn (or, with ``strict``, refuse) when ``text`` is clearly not German.

    Returns the language code of a text that is translated although it is not German.
    """
    guess = guess_language(text)
    if not guess.clearly_not_german:
        return None
    message = f"{name}: looks like {guess.name} ('{guess.language}'), not German"
    if strict:
        raise InputError(message + " (refused by --strict-lang)")
    log.warning("%s; translating anyway", message)
    return guess.language
