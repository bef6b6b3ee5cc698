"""English inflection for glossary renderings: plurals, number, possessives, "a" or "an".

A glossary gives a term's English in one form ("gentleman"); the sentence may need another
("two gentlemen", "the gentleman's", "an edifice"). Nouns are inflected by ``lemminflect``
(a lexicon of English word forms, irregular ones included: gentleman → gentlemen, analysis →
analyses, crisis → crises; and it reads "bus" as singular), the indefinite article is
chosen by ``inflect`` (by sound: "an hour", "a union", "an NGO"). ``inflect``'s own plurals
were tried first and gave "gentlemans" and "Agencys", and it read "bus" as the plural of
"bu". What this module adds is applying them to a rendering of several words and keeping
its capitals.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_APOSTROPHES = ("'s", "’s", "'", "’")
_ARTICLE = re.compile(r"(?<![\w'’])(an?|An?|AN?)(\s+)$")


@cache
def _articles() -> Any:
    import inflect

    return inflect.engine()


def _noun_plural(word: str) -> str:
    from lemminflect import getInflection

    if word.isupper() and len(word) > 1:  # an acronym: "NGO" → "NGOs"
        return word + "s"
    if not word.islower() and not (word[:1].isupper() and word[1:].islower()):  # "iPhone", "McKinsey"
        return word + "s"
    found = getInflection(word.lower(), "NNS")
    inflected = found[0] if found else word.lower() + "s"
    return inflected[:1].upper() + inflected[1:] if word[:1].isupper() else inflected


def plural(rendering: str) -> str:
    """The plural of a rendering (its last word inflected: "Federal Network Agencies")."""
    words = rendering.split(" ")
    last = words[-1]
    if not last[:1].isalpha():
        return rendering
    return " ".join([*words[:-1], _noun_plural(last)])


def is_plural(word: str) -> bool:
    """Is ``word`` (an English noun, as a model wrote it) plural?"""
    from lemminflect import getLemma

    bare = possessive_base(word)[0].lower()
    if not bare[:1].isalpha():
        return False
    lemmas = getLemma(bare, "NOUN")
    return bool(lemmas) and bare not in lemmas


def singular(word: str) -> str:
    """The singular of an English noun ("men" → "man"; a singular stays as it is)."""
    from lemminflect import getLemma

    lemmas = getLemma(word.lower(), "NOUN")
    return str(lemmas[0]) if lemmas else word


def possessive_base(word: str) -> tuple[str, str]:
    """``word`` without its possessive ending, and the ending ("man's" → ("man", "'s"))."""
    for ending in _APOSTROPHES:
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)], ending
    return word, ""


def possessive(rendering: str, ending: str, plural_form: bool) -> str:
    """``rendering`` made possessive like the model's word ("gentlemen's", "ladies'")."""
    if not ending:
        return rendering
    apostrophe = ending[0]
    if plural_form and rendering.endswith("s"):
        return rendering + apostrophe
    return rendering + apostrophe + "s"


def indefinite_article(word: str) -> str:
    """ "a" or "an" before ``word``, by its sound ("an hour", "a union", "an NGO")."""
    return str(_articles().a(word)).split(" ", 1)[0]


def agree_article(before: str, rendering: str) -> str:
    """``before`` (the text up to a rendering) with a final "a"/"an" made to fit the rendering."""
    found = _ARTICLE.search(before)
    if found is None:
        return before
    wanted = indefinite_article(rendering)
    written = found.group(1)
    if written.lower() == wanted:
        return before
    if written.isupper() and len(written) > 1:
        wanted = wanted.upper()
    elif written[:1].isupper():
        wanted = wanted.capitalize()
    return before[: found.start(1)] + wanted + found.group(2)
