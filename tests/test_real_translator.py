"""Sentence units, guards and confidence on real models: no doubles here.

``mt-de-en-small`` (``tests/fixtures/make_small_translator.py``) is a real German→English
Marian trained, like opus-mt, on single sentences (Multi30k captions). It shows the failure
that sentence units exist for: given several sentences at once it drops some and still ends
cleanly. The copy model shows that nothing is lost between segmenter and output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import translit
from translit import guards
from translit.cli import app
from translit.engines import DecodeOptions, ct2
from translit.engines.marian import MarianEngine, load_marian
from translit.results import DEFAULT_FLAG_BELOW
from translit.segment import parse_article, split_sentences
from translit.summarize import split_english_sentences

from .conftest import CAPTIONS, SMALL, shared_path

PARAGRAPH = " ".join(CAPTIONS)


@pytest.fixture(scope="module")
def small() -> MarianEngine:
    return load_marian(SMALL, "mt-de-en-small")


def test_the_real_model_drops_sentences_from_long_input(small: MarianEngine) -> None:
    """What translit guards against, shown on a real model: no error, no limit, sentences gone."""
    (raw,) = small.translate_batch([PARAGRAPH], DecodeOptions(beams=4))
    assert not raw.hit_limit, "it ended with </s>, as a model that drops sentences does"
    assert len(split_english_sentences(raw.text)) < len(CAPTIONS)
    assert guards.omission_flags(PARAGRAPH, raw.text), "the guard sees it"


def test_sentence_units_lose_nothing(small: MarianEngine) -> None:
    result = translit.translate(PARAGRAPH, engine=small)
    assert [u.text for u in result.units] == CAPTIONS
    assert len(split_english_sentences(result.paragraphs[0])) == len(CAPTIONS)
    assert result.flagged_units == []
    assert "bicycle" in result.paragraphs[0] and "dog" in result.paragraphs[0]


def test_paragraph_units_are_mended_by_the_guard(small: MarianEngine) -> None:
    result = translit.translate(PARAGRAPH, engine=small, unit="paragraph")
    (unit,) = result.unit_results
    assert "omission" in unit.redone
    assert unit.flags == ()
    assert len(split_english_sentences(result.paragraphs[0])) == len(CAPTIONS)


def test_confidence_separates_translations_from_hallucinations(small: MarianEngine) -> None:
    text = "Ein Mann fährt mit einem Fahrrad über eine Straße.\n\nqzx vvk plorb ütt wemmm."
    result = translit.translate(text, engine=small)
    good, noise = result.unit_results
    assert good.score is not None and noise.score is not None
    assert good.score > -1.0 and noise.score < DEFAULT_FLAG_BELOW
    assert result.low_confidence_units == [1]
    runner = CliRunner()
    out = runner.invoke(
        app, ["translate", "--no-cache", "--bilingual", "--model", str(SMALL), "-"], input=text
    )
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.strip().split("\n")
    assert not lines[1].endswith("[?]") and lines[-1].endswith("[?]")
    data = json.loads(
        runner.invoke(
            app, ["translate", "--no-cache", "-f", "json", "--model", str(SMALL), "-"], input=text
        ).stdout
    )
    assert [u["check"] for u in data["units"]] == [False, True]
    assert data["low_confidence_units"] == [1]


def test_flag_below_moves_the_mark(small: MarianEngine) -> None:
    result = translit.translate_many([PARAGRAPH], engine=small, flag_below=0.0)[0]
    assert result.low_confidence_units == list(range(len(CAPTIONS)))
    assert translit.translate_many([PARAGRAPH], engine=small, flag_below=-5.0)[0].low_confidence_units == []


def test_engines_agree_on_scores_of_a_real_translator(small: MarianEngine, tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))
        fast = ct2.load_ct2(ct2.convert(SMALL, "float32"), "small-ct2", compute_type="float32", threads=2)
    texts = [*CAPTIONS, "qzx vvk plorb ütt wemmm.", "Die Bundesregierung beschloss am Montag ein Gesetz."]
    for beams in (1, 4):
        for text, a, b in zip(
            texts,
            fast.translate_batch(texts, DecodeOptions(beams=beams)),
            small.translate_batch(texts, DecodeOptions(beams=beams)),
            strict=True,
        ):
            assert a.text == b.text, text
            assert a.score is not None and b.score is not None
            assert abs(a.score - b.score) <= 0.05, (text, a.score, b.score)


def test_held_out_articles_one_unit_per_sentence_and_separators_untouched(copy_engine) -> None:
    """Copy model, 20 WMT20 articles the model never saw, with separator paragraphs added."""
    paths = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))[-20:]
    texts = []
    for path in paths:
        paragraphs = parse_article(path.read_text(encoding="utf-8")).paragraphs
        texts.append("\n\n".join([paragraphs[0], "***", *paragraphs[1:], "–", "•"]))
    results = translit.translate_many(texts, engine=copy_engine)
    sentences = units = 0
    for result in results:
        assert result.source_paragraphs[1] == "***" and result.paragraphs[1] == "***"
        assert result.paragraphs[-2:] == ["–", "•"]
        for unit, outcome in zip(result.units, result.unit_results, strict=True):
            assert outcome.copied == (unit.text in ("***", "–", "•"))
            assert (outcome.score is None) == outcome.copied
            assert outcome.copied or outcome.score <= 0
        sentences += sum(len(split_sentences(p)) for p in result.source_paragraphs)
        units += len(result.units)
        assert [re.sub(r"\s+", " ", p) for p in result.paragraphs] == result.paragraphs
    # Sentences over the copy model's 94-token budget are cut at clauses: a few more units.
    assert sentences <= units <= 1.15 * sentences
