"""The extractive summariser, English sentence splitting, length control, faithfulness, evaluation and the abstractive path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translit import api, summarize
from translit.abstractive import AbstractiveSummarizer, pack_sentences
from translit.cli import app
from translit.errors import ModelError
from translit.summarize import ExtractiveSummarizer, split_english_sentences

from .conftest import shared_path

ARTICLE = (
    "Mr. Smith met Dr. Jones in Washington on Monday. The U.S. economy grew by 2.5 percent in the "
    'third quarter, officials said. Prices rose sharply. "We are happy," she said. Analysts expect '
    "the economy to slow next year as interest rates stay high. The economy grew faster than expected, "
    "officials in Washington said on Monday. Weather was fine in the afternoon."
)


def test_english_splitter_handles_titles_abbreviations_and_decimals() -> None:
    sentences = split_english_sentences(ARTICLE)
    assert sentences[0] == "Mr. Smith met Dr. Jones in Washington on Monday."
    assert sentences[1].startswith("The U.S. economy grew by 2.5 percent")
    assert '"We are happy," she said.' in sentences
    assert len(sentences) == 7


def test_summary_length_order_and_extractiveness() -> None:
    for n in (1, 2, 3):
        summary = summarize(ARTICLE, sentences=n)
        assert len(summary.sentences) == n
        assert summary.indices == sorted(summary.indices)
        for sentence in summary.sentences:
            assert sentence in ARTICLE


def test_numbers_and_names_in_brief_come_from_the_text() -> None:
    brief = summarize(ARTICLE, sentences=3).text
    for token in re.findall(r"\d+(?:[.,]\d+)?|\b[A-Z][a-z]+\b", brief):
        assert token in ARTICLE


def test_near_duplicates_are_not_both_chosen() -> None:
    text = "The minister resigned on Friday after the scandal. " * 2 + "Markets fell. Rain is expected soon."
    summary = summarize(text, sentences=2)
    assert len(set(summary.sentences)) == len(summary.sentences)


def test_short_and_empty_texts() -> None:
    assert summarize("", sentences=3).sentences == []
    assert summarize("Only one sentence here.", sentences=3).sentences == ["Only one sentence here."]


# --- length control, faithfulness, evaluation and the abstractive map-reduce path --------------------


def xsum_articles(n: int) -> list[str]:
    rows = shared_path("data", "summ", "xsum_dev500.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    return [json.loads(r)["article"] for r in rows]


def test_words_budget_is_respected() -> None:
    summarizer = ExtractiveSummarizer()
    for article in xsum_articles(30):
        for budget in (15, 40, 80):
            summary = summarizer.summarize(article, None, words=budget)
            assert summary.sentences, "at least one sentence"
            if len(summary.sentences) > 1:
                assert sum(len(s.split()) for s in summary.sentences) <= budget


def test_sentence_cap_and_order() -> None:
    for article in xsum_articles(30):
        for n in (1, 2, 4):
            summary = api.summarize(article, n)
            assert len(summary.sentences) <= n
            assert summary.indices == sorted(summary.indices)


def test_every_number_and_name_in_the_brief_is_in_the_source() -> None:
    token = re.compile(r"\d[\d.,]*\d|\d|\b[A-Z][\w'-]+")
    for article in xsum_articles(60):
        brief = api.summarize(article, 3).text
        for item in token.findall(brief):
            assert item in article, item


def test_style_and_words_from_the_cli(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(xsum_articles(1)[0], encoding="utf-8")
    result = CliRunner().invoke(app, ["summarize", "--style", "bullets", "-n", "2", str(article)])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("- ") for line in lines)
    result = CliRunner().invoke(app, ["summarize", "--words", "25", str(article)])
    assert result.exit_code == 0


def test_eval_summary_reports_translit_and_baselines_in_one_run() -> None:
    data = shared_path("data", "summ", "cnndm_dev100.jsonl")
    result = CliRunner().invoke(app, ["eval", "summary", str(data), "--limit", "10", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    scores = json.loads(result.stdout)["scores"]
    assert set(scores) == {"translit (extractive)", "lead-1", "lead-3"}
    for values in scores.values():
        assert 0 < values["rouge2"] < values["rouge1"] <= 100


def test_missing_abstractive_weights_is_one_line_error() -> None:
    with pytest.raises(ModelError, match=r"distilbart-cnn-12-6.*translit models pull distilbart-cnn-12-6"):
        api.get_summarizer("distilbart-cnn-12-6")
    result = CliRunner().invoke(
        app, ["summarize", "--summarizer", "distilbart-cnn-12-6", "-"], input="Some text."
    )
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and "distilbart-cnn-12-6" in result.stderr


def test_summarizer_config_not_an_object_is_one_line_error(tmp_path: Path) -> None:
    from translit.abstractive import check_summarizer_dir

    (tmp_path / "model.safetensors").write_bytes(b"")
    for text, problem in (("[1, 2]", "not a JSON object"), ("{oops", "unreadable")):
        (tmp_path / "config.json").write_text(text, encoding="utf-8")
        with pytest.raises(ModelError, match=rf"config\.json: {problem}"):
            check_summarizer_dir(tmp_path)


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny randomly initialised BART with a byte-level BPE trained here; 64-token limit."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    directory = tmp_path_factory.mktemp("tiny-bart")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        xsum_articles(50), vocab_size=600, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    )
    bpe.save_model(str(directory))
    tokenizer = BartTokenizer(
        str(directory / "vocab.json"), str(directory / "merges.txt"), model_max_length=64
    )
    tokenizer.save_pretrained(directory)
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=None,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    model.generation_config.max_length = 24
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def test_abstractive_map_reduce_never_exceeds_the_limit(tiny_bart: Path) -> None:
    summarizer = AbstractiveSummarizer(tiny_bart, "tiny-bart")
    article = " ".join(xsum_articles(3))
    assert summarizer.count_tokens(article) > 5 * summarizer.limit
    summary = summarizer.summarize(article, sentences=3)
    assert summary.method == "tiny-bart"
    # Map over many pieces, then reduce: more than one generate call, none over the limit.
    assert len(summarizer.generate_calls) > 2
    assert max(summarizer.generate_calls) <= summarizer.limit
    assert len(summary.sentences) <= 3


def test_abstractive_through_cli_and_registry(tiny_bart: Path, tmp_path: Path) -> None:
    models = tmp_path / "models.toml"
    models.write_text(f'[models.tiny-bart]\ntask = "summarization"\npath = "{tiny_bart}"\n')
    article = tmp_path / "a.txt"
    article.write_text(xsum_articles(1)[0], encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--models", str(models), "summarize", "--summarizer", "tiny-bart", str(article)]
    )
    assert result.exit_code == 0, result.stderr


def test_pack_sentences_loses_nothing() -> None:
    sentences = split_english_sentences(xsum_articles(1)[0])
    pieces = pack_sentences(sentences, lambda t: len(t.split()), 12)
    assert " ".join(pieces).split() == " ".join(sentences).split()
    assert all(len(p.split()) <= 12 for p in pieces)
