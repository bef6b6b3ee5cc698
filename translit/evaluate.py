"""Built-in evaluation: ROUGE for briefs (against lead baselines), BLEU/chrF for translations.

``translit eval summary DATA.jsonl`` scores translit's summariser and, in the same run,
the lead-1 and lead-3 baselines that news summarisation is judged against.
``translit eval translate SRC REF`` scores a model's translations with sacrebleu.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from translit.errors import InputError
from translit.summarize import Summarizer, split_english_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True)
class SummaryExample:
    """One article with its reference summary."""

    article: str
    summary: str


def read_summary_data(path: str | Path) -> list[SummaryExample]:
    """Rows of a JSON Lines file (``-``: stdin) with ``article`` and ``summary`` fields."""
    from translit.textio import read_source

    examples = []
    lines = read_source(path, max_bytes=None).text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(SummaryExample(str(row["article"]), str(row["summary"])))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(
                f"{path}:{number}: expected a JSON object with 'article' and 'summary'"
            ) from None
    if not examples:
        raise InputError(f"{path}: no rows")
    return examples


def lead(text: str, k: int) -> list[str]:
    """The first ``k`` sentences: the classic news baseline."""
    return split_english_sentences(text)[:k]


@dataclass
class RougeScores:
    """Mean F1 (×100) per ROUGE type."""

    rouge1: float
    rouge2: float
    rougeLsum: float  # the metric's conventional name

    def as_dict(self) -> dict[str, float]:
        """Rounded scores keyed by metric name."""
        return {name: round(getattr(self, name), 2) for name in ROUGE_TYPES}


def rouge(predictions: Sequence[Sequence[str]], references: Sequence[str]) -> RougeScores:
    """Mean ROUGE-1/2/Lsum F1 with stemming; sentences are newline-separated for Lsum."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        ref = "\n".join(split_english_sentences(reference))
        scores = scorer.score(ref, "\n".join(prediction))
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    n = max(1, len(references))
    return RougeScores(*(100 * totals[name] / n for name in ROUGE_TYPES))


@dataclass
class SummaryEvaluation:
    """ROUGE of translit and the baselines on one data set."""

    data: str
    rows: int
    sentences: int
    words: int | None
    systems: dict[str, RougeScores] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "data": self.data,
            "rows": self.rows,
            "sentences": self.sentences,
            "words": self.words,
            "scores": {name: scores.as_dict() for name, scores in self.systems.items()},
        }


def evaluate_summarizer(
    path: str | Path,
    summarizer: Summarizer,
    *,
    sentences: int = 3,
    words: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SummaryEvaluation:
    """Score ``summarizer`` and the lead-1/lead-3 baselines on a JSON Lines data set."""
    examples = read_summary_data(path)[:limit]
    references = [e.summary for e in examples]
    ours = []
    for i, example in enumerate(examples):
        ours.append(summarizer.summarize(example.article, sentences, words=words).sentences)
        if progress:
            progress(i + 1)
    result = SummaryEvaluation("<stdin>" if str(path) == "-" else str(path), len(examples), sentences, words)
    result.systems[f"translit ({summarizer.name})"] = rouge(ours, references)
    result.systems["lead-1"] = rouge([lead(e.article, 1) for e in examples], references)
    result.systems["lead-3"] = rouge([lead(e.article, 3) for e in examples], references)
    return result


@dataclass
class TranslationEvaluation:
    """Corpus BLEU and chrF of a translation against references."""

    source: str
    reference: str
    model: str
    lines: int
    bleu: float
    chrf: float
    seconds: float
    mean_score: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def read_lines(path: str | Path) -> list[str]:
    """Lines of a line-aligned test-set file; ``-`` reads standard input."""
    from translit.textio import read_bytes

    name, data = read_bytes(path, max_bytes=None)
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: cannot read ({exc})") from None


def score_translations(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[float, float]:
    """Corpus BLEU and chrF (sacrebleu defaults)."""
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    return (
        BLEU().corpus_score(list(hypotheses), [list(references)]).score,
        CHRF().corpus_score(list(hypotheses), [list(references)]).score,
    )
