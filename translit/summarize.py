"""The summariser: condense English text into a short brief.

The default is extractive and fully offline: it picks whole sentences of the text, so
every name and number in the brief is in the translation by construction. Scores
combine centrality (TF-IDF cosine to the whole article), a position prior (news puts
the essentials first) and redundancy control (maximal marginal relevance); the chosen
sentences are returned in article order.

Other summarisers (an abstractive model, say) plug in through :class:`Summarizer`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from translit.segment import split_english_sentences, split_headline

__all__ = [
    "ExtractiveSummarizer",
    "Summarizer",
    "Summary",
    "content_words",
    "split_english_sentences",
    "summarize_text",
]


@dataclass(frozen=True)
class Summary:
    """A brief: the chosen sentences (in article order) and where they came from."""

    sentences: list[str]
    indices: list[int] = field(default_factory=list)
    method: str = "extractive"
    headline: str | None = None

    @property
    def text(self) -> str:
        """The brief as one paragraph."""
        return " ".join(self.sentences)


class Summarizer(Protocol):
    """What translit needs from a summariser."""

    @property
    def name(self) -> str:
        """Short name reported with the brief (e.g. ``extractive``)."""
        ...

    def summarize(self, text: str, sentences: int | None = 3, words: int | None = None) -> Summary:
        """Summarise English ``text`` in at most ``sentences`` sentences and ``words`` words."""
        ...


# --- extractive scoring ---------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own said same says she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves mr mrs ms one two new year years
    """.split()
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+(?:['’][a-z]+)?")


def content_words(sentence: str) -> list[str]:
    """Lower-cased words of a sentence without stopwords, lightly stemmed."""
    words = []
    for raw in _WORD.findall(sentence.lower()):
        if raw in STOPWORDS or len(raw) < 2:
            continue
        # Plural/possessive folding is enough to match "minister" with "ministers".
        word = re.sub(r"(['’]s|s)$", "", raw) if len(raw) > 3 else raw
        words.append(word)
    return words


def _tfidf(sentences_words: Sequence[list[str]]) -> list[dict[str, float]]:
    n = len(sentences_words)
    df: Counter[str] = Counter()
    for words in sentences_words:
        df.update(set(words))
    vectors = []
    for words in sentences_words:
        tf = Counter(words)
        vec = {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w]) + 1) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


@dataclass(frozen=True)
class ExtractiveSummarizer:
    """Centrality + a gated position prior + MMR over the text's own sentences.

    News puts the essentials first, so leading sentences get a bonus of weight
    ``position_weight`` — but only when the opening sentence is itself central (at least
    ``lead_centrality`` of the best sentence's centrality). When it is not (a scene-setting
    anecdote, a quote, a lede that is missing), the bonus drops to ``weak_position_weight``
    and centrality decides. ``redundancy`` is the MMR penalty for overlap with sentences
    already chosen; sentences outside ``min_words``..``max_words`` are damped, since
    fragments and run-on quotes make poor briefs.

    Defaults were set on ../shared/data/summ (CNN/DailyMail and XSum dev sets, checked on
    a held-out half of XSum); see README for the scores.
    """

    name: str = "extractive"
    position_weight: float = 0.6
    weak_position_weight: float = 0.2
    lead_centrality: float = 0.7
    redundancy: float = 0.6
    min_words: int = 8
    max_words: int = 60

    doubt_penalty: float = 0.5

    def _relevance(self, sentences: list[str], vectors: list[dict[str, float]]) -> list[float]:
        centroid: Counter[str] = Counter()
        for vec in vectors:
            centroid.update(vec)
        norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        centroid_vec = {w: v / norm for w, v in centroid.items()}
        centrality = [_cosine(vec, centroid_vec) for vec in vectors]
        best = max(centrality) or 1.0
        weight = (
            self.position_weight
            if centrality[0] >= self.lead_centrality * best
            else self.weak_position_weight
        )
        relevance = []
        for i, (sentence, central) in enumerate(zip(sentences, centrality, strict=True)):
            n_words = len(sentence.split())
            length_ok = 1.0 if self.min_words <= n_words <= self.max_words else 0.5
            score = (1 - weight) * central + weight / math.sqrt(i + 1)
            relevance.append(score * length_ok)
        return relevance

    def summarize(
        self, text: str, sentences: int | None = 3, words: int | None = None, doubtful: Collection[int] = ()
    ) -> Summary:
        """Pick sentences of ``text`` and return them in article order.

        At most ``sentences`` sentences (``None``: no cap) and, with ``words``, at most
        that many words, though never less than one sentence. ``doubtful`` sentences (by
        index; their translation is marked for checking) count for ``doubt_penalty`` of
        their relevance: a brief prefers sound sentences.
        """
        all_sentences = split_english_sentences(text)
        cap = len(all_sentences) if sentences is None else sentences
        if cap < 1 or not all_sentences:
            return Summary([], [], self.name)
        if words is None and len(all_sentences) <= cap:
            return Summary(all_sentences, list(range(len(all_sentences))), self.name)
        vectors = _tfidf([content_words(s) for s in all_sentences])
        relevance = self._relevance(all_sentences, vectors)
        for index in doubtful:
            if 0 <= index < len(relevance):
                relevance[index] *= self.doubt_penalty
        lengths = [len(s.split()) for s in all_sentences]
        chosen: list[int] = []
        used_words = 0
        candidates = set(range(len(all_sentences)))
        while candidates and len(chosen) < cap:

            def mmr(i: int) -> float:
                overlap = max((_cosine(vectors[i], vectors[j]) for j in chosen), default=0.0)
                return relevance[i] - self.redundancy * overlap

            best = max(sorted(candidates), key=mmr)
            candidates.discard(best)
            # Near-duplicates (the same sentence quoted twice) never enter the brief.
            if any(_cosine(vectors[best], vectors[j]) > 0.8 for j in chosen):
                continue
            if words is not None and chosen and used_words + lengths[best] > words:
                continue  # a shorter sentence further down may still fit
            chosen.append(best)
            used_words += lengths[best]
        chosen.sort()
        return Summary([all_sentences[i] for i in chosen], chosen, self.name)


def summarize_text(
    text: str,
    sentences: int | None = 3,
    *,
    words: int | None = None,
    summarizer: Summarizer | None = None,
    doubtful: Callable[[list[str]], Collection[int]] | None = None,
) -> Summary:
    """Summarise English text in at most ``sentences`` sentences and ``words`` words.

    The default summariser chooses sentences of the text and keeps them in order. A first
    line that reads as a headline (short, no end punctuation) is kept out of the choice
    and returned as the summary's ``headline``.
    """
    headline, body = split_headline(text)
    chosen = summarizer or ExtractiveSummarizer()
    if doubtful is not None and isinstance(chosen, ExtractiveSummarizer):
        avoid = doubtful(split_english_sentences(body))
        summary = chosen.summarize(body, sentences, words=words, doubtful=avoid)
    else:
        summary = chosen.summarize(body, sentences, words=words)
    return replace(summary, headline=headline)
