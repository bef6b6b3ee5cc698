"""Glossary terms imposed on decoded units, and checked: what the model did not use, it is given.

After a batch is decoded (and its guards have acted), every unit whose source holds a
glossary term is checked for the term's fixed rendering (:func:`translit.glossary.honoured`).
Where the model did not use it, translit repairs the unit, cheapest first:

1. **substituted**: the model's own word for the term is found in its output — the word it
   gives the German form alone (one short batched decode of the distinct forms), in any
   number or possessive, else the words the model's alignment points to — and replaced by
   the rendering *in the same grammatical shape*: plural where the model's word is plural
   ("three lads", "two gentlemen"), possessive where it is ("the gentleman's"), capitalised
   at a sentence's start, with "a"/"an" before it made to agree (:mod:`translit.inflection`).
   The model's sentence is kept as it wrote it, so this costs no decoding of the sentence
   and the model's own word is never left beside the rendering.
2. **forced**: where no word of the model's can be found for the term, the output is cut
   where the alignment puts the term, the fixed rendering is put there, and the model
   continues the sentence from it (CTranslate2's ``target_prefix``, ``decoder_input_ids``
   in transformers), with the anti-repetition settings where its first output looped.

A repair is kept only if it passes the guards as well as the first output did (no more
omission flags, no loop). A term still missing is a ``glossary`` flag on the unit; every
unit's JSON lists its terms and whether each was honoured (:class:`translit.glossary.TermUse`).
Units without any term are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from translit import guards
from translit.alignment import project_span
from translit.engines import DecodeOptions, TranslationEngine
from translit.engines.protocol import PrefixDecoder, aligner_of, prefixer_of
from translit.glossary import Glossary, Match, TermUse, count_honoured
from translit.inflection import agree_article, is_plural, plural, possessive, possessive_base, singular
from translit.outcome import Outcome

GLOSSARY = guards.Flag.GLOSSARY  # the flag of a unit that misses a term
ALIGNED_WORDS = 3  # an aligned span longer than this is not taken for the model's word for a term
_ARTICLES = {"a", "an", "the"}
_SENTENCE_END = re.compile(r"(?:^|[.!?:]['\"’”»]?)\s*$")


def _acceptable(source: str, before: str, after: str) -> bool:
    """Does a repaired output pass the guards as well as the first one did?"""
    if guards.is_degenerate(source, after):
        return False
    return len(guards.omission_flags(source, after)) <= len(guards.omission_flags(source, before))


def _rendering(match: Match, at_start: bool) -> str:
    """The fixed rendering as it is written at this place (capitalised at a sentence's start)."""
    target = match.entry.target
    if at_start and not match.entry.keep and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target


def _has_word(text: str, word: str, plural: bool = False) -> bool:
    ending = "(?:s|es)?" if plural else ""
    return re.search(rf"(?<!\w){re.escape(word)}{ending}(?!\w)", text, re.IGNORECASE) is not None


def _word_forms(word: str) -> list[str]:
    """A word as the model may write it again: plural, capitalised (what to suppress)."""
    forms = [word, word + "s", word + "es"]
    return list(dict.fromkeys(forms + [f[:1].upper() + f[1:] for f in forms]))


def _occurrences(matches: list[Match]) -> list[int]:
    """For each match, which occurrence of its entry in the text it is (1, 2, ...).

    A term that stands twice in a sentence ("ein brauner Hund ... dem schwarzen Hund") needs
    its rendering twice: one "hound" beside one "dog" is not the glossary honoured.
    """
    seen: dict[str, int] = {}
    numbers = []
    for match in matches:
        seen[match.entry.source] = seen.get(match.entry.source, 0) + 1
        numbers.append(seen[match.entry.source])
    return numbers


def _honoured_each(matches: list[Match], output: str) -> list[bool]:
    """Per match: does ``output`` carry its entry's rendering as often as this is its occurrence?"""
    return [count_honoured(m.entry, output) >= n for m, n in zip(matches, _occurrences(matches), strict=True)]


def _honours_all(matches: list[Match], output: str) -> bool:
    return all(_honoured_each(matches, output))


def _cut(engine: TranslationEngine, source: str, output: str, match: Match) -> tuple[int, int]:
    """Where the model put its own rendering of ``match`` in ``output`` (start, end)."""
    aligner = aligner_of(engine)
    if aligner is not None:
        alignment = aligner([(source, output)])[0]
        found = project_span(match.start, match.end, alignment, output)
        if found is not None:
            return found
    # No alignment: the place in proportion to the source, at a word's start.
    at = round(len(output) * match.start / max(1, len(source)))
    while 0 < at < len(output) and not output[at - 1].isspace():
        at -= 1
    return at, at


def _word_cut(engine: TranslationEngine, source: str, output: str, match: Match) -> tuple[int, int]:
    """:func:`_cut` without what trails the model's word: punctuation, and function words the
    alignment took along from the German word's neighbours ("zum Unternehmen" → "company of")."""
    start, end = _cut(engine, source, output, match)
    words = output[start:end].rstrip(" ,.;:!?").split(" ")
    while len(words) > 1 and words[-1].lower() in _FUNCTION_WORDS:
        words.pop()
    return start, start + len(" ".join(words))


def enforce_terms(
    engine: TranslationEngine,
    texts: Sequence[str],
    outcomes: Sequence[Outcome],
    options: DecodeOptions,
    glossary: Glossary,
    on_repair: Callable[[], None] | None = None,
    loop_options: DecodeOptions | None = None,
) -> None:
    """Check every unit with glossary terms and repair those that miss one, in place.

    ``outcomes`` are :class:`translit.pipeline.Outcome` objects (text, flags, redone, terms).
    ``loop_options`` are the settings a unit whose first output looped was decoded again
    with (``"loop"`` in its ``redone``): its forced repair is decoded with them too, since the
    model loops on that source.
    """
    pending: dict[int, list[Match]] = {}
    for i, text in enumerate(texts):
        matches = glossary.find(text)
        if not matches:
            continue
        outcome = outcomes[i]
        outcome.terms = _model_uses(matches, outcome.text)
        if not all(use.honoured for use in outcome.terms):
            pending[i] = matches
    if not pending:
        return
    # 1. substituted: the model's own word for the term replaced by the rendering, inflected alike.
    naturals = _natural_words(engine, [m for i in pending for m in pending[i]], options)
    for i in list(pending):
        outcome, matches = outcomes[i], pending[i]
        repaired, done = _substituted(engine, texts[i], outcome.text, matches, naturals)
        if repaired == outcome.text or not _acceptable(texts[i], outcome.text, repaired):
            continue
        # The sentence is the model's, with its own word in the terms' places: its score stands.
        # A term whose word was not found is forced below, from the substituted sentence.
        _take(outcome, texts[i], repaired, outcome.score, matches, "substituted", done)
        if _honours_all(matches, repaired):
            del pending[i]
    # 2. forced: the fixed rendering put where the model's own was, the sentence continued from it
    # (by an engine that decodes from a given prefix; with another, a missing term stays flagged).
    prefixed = prefixer_of(engine)
    for i, matches in pending.items():
        outcome = outcomes[i]
        current, score = outcome.text, outcome.score
        unit_options = loop_options if loop_options and "loop" in outcome.redone else options
        swaps: list[tuple[str, str]] = []  # (rendering put in, the model's own word it replaced)
        for match, occurrence in zip(matches, _occurrences(matches), strict=True):
            if prefixed is not None and count_honoured(match.entry, current) < occurrence:
                current, score, swap = _force(
                    engine, prefixed, texts[i], current, match, unit_options, occurrence
                )
                swaps += [swap] if swap else []
        if (
            prefixed is not None
            and _honours_all(matches, current)
            and _acceptable(texts[i], outcome.text, current)
        ):
            score = _confidence_around_terms(prefixed, texts[i], current, score, swaps, unit_options)
            _take(outcome, texts[i], current, score, matches, "forced")
        else:
            outcome.flags = sorted({*outcome.flags, GLOSSARY})
            outcome.redone = sorted({*outcome.redone, GLOSSARY})
    if on_repair is not None:
        on_repair()


def terms_as_translated(glossary: Glossary, text: str, translation: str) -> list[TermUse] | None:
    """The terms of ``text`` as the model's own ``translation`` renders them; None if one is missing.

    What :func:`enforce_terms` records for a unit it needs to repair nothing in, without
    decoding anything (an interrupted run keeps such units).
    """
    uses = _model_uses(glossary.find(text), translation)
    return uses if all(use.honoured for use in uses) else None


def _model_uses(matches: list[Match], translation: str) -> list[TermUse]:
    done = _honoured_each(matches, translation) if matches else []
    return [
        TermUse(m.form, m.entry.source, m.entry.target, ok, "model" if ok else "")
        for m, ok in zip(matches, done, strict=True)
    ]


def _bare(translation: str) -> str:
    """A term's translation on its own as a word to look for: no article, no final stop."""
    words = translation.strip().strip(".!?,;:\"'„“”‚‘’()").split()
    while len(words) > 1 and words[0].lower() in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def _natural_words(
    engine: TranslationEngine, matches: list[Match], options: DecodeOptions
) -> dict[str, set[str]]:
    """For each German form and entry source: the model's own words for it, in every number.

    The model translates the distinct forms alone, in one greedy batch. A small model given
    one word may write a sentence around it ("Mann" → "A man is standing."), so the words
    kept are the whole rendering (for a term of several words) and its first word that can
    be a noun.
    """
    german = sorted({m.form for m in matches} | {m.entry.source for m in matches if not m.entry.literal})
    if not german:
        return {}
    outputs = engine.translate_batch(german, replace(options, beams=1, hypotheses=1, suppress=()))
    words: dict[str, set[str]] = {}
    for form, output in zip(german, outputs, strict=True):
        bare = _bare(output.text).lower()
        found = set()
        if bare and len(bare.split()) <= len(form.split()) + 1 and any(ch.isalpha() for ch in bare):
            found.add(bare)
        for word in bare.split():
            if _only_noun(word):
                found |= {word, singular(word)}
        words[form] = found | {plural(w) for w in found}
    return words


def _only_noun(word: str) -> bool:
    """Is ``word`` a noun and nothing that may stand beside one ("many", "young", "two")?"""
    from lemminflect import getAllLemmas

    word = word.strip(".,;:!?\"'()")
    if not word.isalpha() or word in _FUNCTION_WORDS or word.endswith("ing"):
        return False  # a gerund ("sitting") is more often the sentence the model made up
    lemmas = getAllLemmas(word)
    return "NOUN" in lemmas and not {"ADJ", "ADV", "DET", "NUM", "PRON"} & set(lemmas)


def _own_spans(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Where ``text`` holds any of ``words`` (whole words, any case, possessive included)."""
    spans: list[tuple[int, int]] = []
    for word in sorted(words, key=len, reverse=True):
        pattern = rf"(?<![\w'’-]){re.escape(word)}(?:'s|’s|'|’)?(?![\w-])"
        for found in re.finditer(pattern, text, re.IGNORECASE):
            if not any(a < found.end() and found.start() < b for a, b in spans):
                spans.append((found.start(), found.end()))
    return sorted(spans)


def _substituted(
    engine: TranslationEngine, source: str, output: str, matches: list[Match], naturals: dict[str, set[str]]
) -> tuple[str, list[bool]]:
    """``output`` with the model's own word for each missing term replaced by its rendering,
    and for each match whether it was substituted (a term whose word is not found is left for
    a forced repair)."""
    text = output
    done = [False] * len(matches)
    for k, (match, occurrence) in enumerate(zip(matches, _occurrences(matches), strict=True)):
        if count_honoured(match.entry, text) >= occurrence:
            done[k] = True  # the model's own, or put in with an earlier occurrence of the term
            continue
        words = naturals.get(match.form, set()) | naturals.get(match.entry.source, set())
        spans = [
            (a, b) for a, b in _own_spans(text, words) if match.entry.target.lower() not in text[a:b].lower()
        ]
        if not spans:
            start, end = _word_cut(engine, source, text, match)
            if not _may_render(match, text[start:end]):
                continue  # the model left the term out, or wrote it as something else
            spans = [(start, end)]
        # Every place the model wrote its word for the term gets the rendering (a model that
        # repeats itself would otherwise leave its word beside the imposed one), right to left
        # so that the earlier places stay where they are.
        for start, end in reversed(spans):
            text = text[:start] + _inflected(match, text[start:end], text[:start]) + text[end:]
            text = _with_article(text, start)
        done[k] = True
    return text, done


_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from and or but is are was were be been being has have had "
    "do does did it its this that these those he she they we you i his her their our your my not no "
    "many much some several few more most other another each every both all any".split()
)


def _may_render(match: Match, span: str) -> bool:
    """Could ``span`` be the model's rendering of ``match``'s term? A kept term (a name, a link)
    comes out of a model as anything — a misspelling, garbled letters — but never as a function
    word alone; any other term as a noun (:func:`_noun_like`)."""
    if match.entry.keep:
        words = span.strip(" ,.;:!?\"'„“”‚‘’()").lower().split()
        return bool(words) and not all(w in _FUNCTION_WORDS for w in words)
    return _noun_like(span)


def _noun_like(span: str) -> bool:
    """Could ``span`` (words the alignment points to) be the model's rendering of a term?

    A short phrase ending in a word English uses as a noun (``lemminflect``'s lexicon), or a
    capitalised name — never a function word like "is", which an alignment points to where the
    model left the term out.
    """
    from lemminflect import getAllLemmas

    words = span.strip(" ,.;:!?\"'„“”‚‘’()").split()
    if not words or len(words) > ALIGNED_WORDS or not any(ch.isalpha() for ch in span):
        return False
    last = possessive_base(words[-1])[0]
    if last.lower() in _FUNCTION_WORDS:
        return False
    lemmas = getAllLemmas(last.lower())
    return bool(lemmas.get("NOUN") or lemmas.get("PROPN")) or (last[:1].isupper() and not lemmas)


def _inflected(match: Match, own: str, before: str) -> str:
    """The term's rendering in the shape of the model's word ``own`` (number, possessive, capital)."""
    entry = match.entry
    base, ending = possessive_base(own)
    last = base.split()[-1] if base.split() else base
    many = not entry.keep and is_plural(last) and not is_plural(entry.target.split()[-1])
    rendering = entry.plural_target() if many else entry.target
    rendering = possessive(rendering, ending, many or is_plural(rendering.split()[-1]))
    if not entry.keep and _SENTENCE_END.search(before) and rendering[:1].islower():
        rendering = rendering[:1].upper() + rendering[1:]
    return rendering


def _with_article(text: str, start: int) -> str:
    """``text`` with an "a"/"an" just before ``start`` made to agree with the word at ``start``."""
    word = re.match(r"[\w'’-]+", text[start:])
    if word is None:
        return text
    before = agree_article(text[:start], word.group(0))
    return before + text[start:]


_GLUED = re.compile(r"^[^\W_]+")


def _confidence_around_terms(
    prefixed: PrefixDecoder,
    source: str,
    text: str,
    score: float | None,
    swaps: list[tuple[str, str]],
    options: DecodeOptions,
) -> float | None:
    """The confidence of a forced repair, the imposed words aside.

    A rendering the model would not have chosen ("hound") lowers its score for the whole
    sentence, and every repaired unit would look doubtful. So the model also scores the
    sentence with its own word back in each term's place, and the better of the two scores
    is the unit's: a sentence the model wrote badly around the term still scores badly.
    """
    back = text
    for rendering, own in swaps:
        back = re.sub(rf"(?<!\w){re.escape(rendering)}(?!\w)", own.replace("\\", "\\\\"), back, count=1)
    if back == text or score is None:
        return score
    (rescored,) = prefixed([source], [back], options)
    if rescored.score is None or not rescored.text.startswith(back):
        return score
    return max(score, rescored.score)


def _force(
    engine: TranslationEngine,
    prefixed: PrefixDecoder,
    source: str,
    output: str,
    match: Match,
    options: DecodeOptions,
    occurrence: int = 1,
) -> tuple[str, float | None, tuple[str, str] | None]:
    """``output`` decoded again so that it carries the term's rendering where the model put its own.

    Two candidates: the sentence continued from the rendering (the model's own word for the
    term, or letters glued onto the rendering — "hound dog", "Fischerman" — suppressed, a
    few tries at most), and the model's output with its own word replaced by the rendering,
    forced whole. A candidate that still carries the model's own word beside the rendering
    ("A hound dogs walking") loses to one that does not; then the model's score decides.
    ``occurrence`` is which occurrence of the term this is: the rendering must then stand
    that many times.
    """
    start, end = _word_cut(engine, source, output, match)
    if not _may_render(match, output[start:end]):
        end = start  # not a word for the term (the model left it out): the rendering goes in here
    rendering = (
        _inflected(match, output[start:end], output[:start]) if end > start else _rendering(match, start == 0)
    )
    prefix = _with_article(output[:start] + rendering, start)
    own = output[start:end].strip()
    avoid: list[str] = []
    if own and own.lower() not in rendering.lower():
        avoid.extend(_word_forms(own))
    candidates: list[tuple[str, float | None]] = []
    for _attempt in range(3):
        (forced,) = prefixed([source], [prefix], replace(options, suppress=tuple(avoid)))
        rest = forced.text[len(prefix) :] if forced.text.startswith(prefix) else ""
        glued = _GLUED.match(rest)
        if glued is None:
            candidates.append((forced.text, forced.score))
            break
        if glued.group(0) in avoid:
            break
        avoid.append(glued.group(0))
    if end > start:
        substituted = output[:start] + rendering + output[end:]
        (whole,) = prefixed([source], [substituted], options)
        candidates.append((whole.text, whole.score))
    honouring = [c for c in candidates if count_honoured(match.entry, c[0]) >= occurrence]
    if not honouring:
        return output, None, None

    def preference(candidate: tuple[str, float | None]) -> tuple[bool, float]:
        text, score = candidate
        beside = bool(avoid) and _has_word(text, own, True) and not _has_word(output[:start], own, True)
        return (not beside, score if score is not None else float("-inf"))

    text, score = max(honouring, key=preference)
    return text, score, ((rendering, own) if avoid else None)


_OMISSION_FLAGS = {guards.LENGTH_RATIO, guards.SENTENCE_COUNT, guards.NUMBERS}


def _take(
    outcome: Outcome,
    source: str,
    text: str,
    score: float | None,
    matches: list[Match],
    how: str,
    which: list[bool] | None = None,
) -> None:
    """Put a repaired rendering into ``outcome``; terms the model had already used keep ``model``.

    ``which`` names the matches this repair honoured (default: every one not yet honoured).
    The omission checks are made again on the new text (it may mend what the first lost).
    """
    before = list(outcome.terms)  # one per match, in order (enforce_terms set them)
    outcome.text = text
    outcome.score = score
    kept = [f for f in outcome.flags if f not in _OMISSION_FLAGS]
    outcome.flags = sorted({*kept, *guards.omission_flags(source, text)})
    outcome.redone = sorted({*outcome.redone, GLOSSARY})
    which = which or [True] * len(matches)
    outcome.terms = [
        use if use.honoured or not now else TermUse(m.form, m.entry.source, m.entry.target, True, how)
        for m, use, now in zip(matches, before, which, strict=True)
    ]
