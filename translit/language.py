"""A small offline language check: is this text German?

Counts very frequent function words of a few languages that a German press archive is
likely to contain by mistake (English, French, Spanish, Italian, Dutch). Needs no model
download and decides in microseconds; it only has to tell *clearly not German* apart,
not to identify every language.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

STOPWORDS: dict[str, frozenset[str]] = {
    "de": frozenset(
        "der die das und ist nicht ein eine einen dem den des mit sich auf für von zu im "
        "auch es als wie bei nach wird wurde sind hat haben aber oder dass noch nur über".split()
    ),
    "en": frozenset(
        "the and is are was were of to in that it with for on as by this be have has from "
        "at which not but they their there been would will an".split()
    ),
    "fr": frozenset(
        "le la les et est des du une un que qui dans pour pas sur au avec ce sont par plus "
        "mais ont été cette aux il elle nous vous leur".split()
    ),
    "es": frozenset(
        "el la los las y es del que en por con una para se no al lo como más pero sus le "
        "ha este está son fue".split()
    ),
    "it": frozenset(
        "il lo la gli le e è di che per con una un non del della sono alla anche come più "
        "ma ha nel questo".split()
    ),
    "nl": frozenset(
        "de het een en van is dat niet op te met voor zijn er aan ook als bij maar om dan "
        "naar wordt werd door".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    """The most likely language and the evidence for it."""

    language: str | None
    hits: dict[str, int]
    words: int

    @property
    def clearly_not_german(self) -> bool:
        """Enough evidence, and another language wins by a wide margin."""
        if self.language in (None, "de"):
            return False
        best = self.hits[self.language]
        return best >= 5 and best >= 3 * max(1, self.hits.get("de", 0))


def guess_language(text: str, sample_words: int = 2000) -> LanguageGuess:
    """Guess the language of ``text`` from its first ``sample_words`` words."""
    words = [w.lower() for w in _WORD.findall(text)[:sample_words]]
    counts = Counter(words)
    hits = {lang: sum(counts[w] for w in stop) for lang, stop in STOPWORDS.items()}
    best = max(hits, key=lambda lang: hits[lang])
    return LanguageGuess(best if hits[best] >= 3 else None, hits, len(words))
