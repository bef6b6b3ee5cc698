"""The CTranslate2 engine: conversion, parity with transformers, engine selection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import translit
from translit.cli import app
from translit.engines import DecodeOptions, ct2, get_engine
from translit.engines.batching import (
    BATCHES_PER_WORKER,
    MIN_SPREAD_BATCH_TOKENS,
    plan_batches,
    spread_batches,
)
from translit.engines.forced import ForcedLength
from translit.engines.marian import MarianEngine, load_marian

from .conftest import COMPANY_SENSITIVE, LONG_SENTENCE, REPO, SAMPLE, SMALL, WMT20


@pytest.fixture(scope="module")
def converted_float32(copy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("ct2cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSLIT_CACHE_DIR", str(cache))
        return ct2.convert(copy_model_dir, "float32")


def parity_sentences(engine: MarianEngine) -> list[str]:
    text = (
        SAMPLE.read_text(encoding="utf-8")
        + "\n\n"
        + sorted(WMT20.glob("*.txt"))[60].read_text(encoding="utf-8")
    )
    sentences = []
    for paragraph in translit.segment.parse_article(text).paragraphs:
        sentences.extend(translit.segment.split_sentences(paragraph))
    return [s for s in sentences if engine.count_tokens(s) <= engine.max_input_tokens][:40]


def test_tokenization_matches_marian_tokenizer(copy_engine: MarianEngine, converted_float32: Path) -> None:
    pieces = ct2.MarianPieces(converted_float32)
    for sentence in parity_sentences(copy_engine):
        ids = copy_engine.tokenizer(sentence, add_special_tokens=False)["input_ids"]
        assert pieces.encode(sentence) == copy_engine.tokenizer.convert_ids_to_tokens(ids)


def test_float32_greedy_matches_transformers_token_for_token(
    copy_engine: MarianEngine, converted_float32: Path
) -> None:
    engine = ct2.load_ct2(converted_float32, "copy-ct2", compute_type="float32", threads=2)
    sentences = parity_sentences(copy_engine)
    batch = copy_engine.tokenizer(sentences, return_tensors="pt", padding=True)
    generated = copy_engine.model.generate(**batch, num_beams=1, max_length=copy_engine.limit)
    expected = [
        [t for t in copy_engine.tokenizer.convert_ids_to_tokens(row[1:]) if t not in ("</s>", "<pad>")]
        for row in generated.tolist()
    ]
    results = engine.translator.translate_batch(
        [[*engine.pieces.encode(s), "</s>"] for s in sentences],
        beam_size=1,
        max_decoding_length=copy_engine.limit - 1,
    )
    actual = [r.hypotheses[0] for r in results]
    assert actual == expected
    # And through the engines' own interface, texts agree as well.
    options = DecodeOptions(beams=1)
    assert [o.text for o in engine.translate_batch(sentences, options)] == [
        o.text for o in copy_engine.translate_batch(sentences, options)
    ]


# Inputs the copy model is unsure about (other languages, noise), so that scores spread out
# and the agreement below is not trivially true of near-zero scores.
UNCERTAIN = [
    "The committee will publish its findings next week.",
    "Komisja opublikuje swoje wnioski w przyszłym tygodniu.",
    "qzx vvk plorb ütt wemmm.",
    "1234 5678 90!!",
    "Zażółć gęślą jaźń.",
]


def test_both_engines_score_alike(copy_engine: MarianEngine, converted_float32: Path) -> None:
    """Mean token log-probabilities from CTranslate2 and from transformers agree within 0.05."""
    engine = ct2.load_ct2(converted_float32, "copy-ct2", compute_type="float32", threads=2)
    texts = parity_sentences(copy_engine)[:20] + UNCERTAIN
    for beams in (1, 4):
        options = DecodeOptions(beams=beams)
        fast = engine.translate_batch(texts, options)
        reference = copy_engine.translate_batch(texts, options)
        for text, a, b in zip(texts, fast, reference, strict=True):
            assert a.score is not None and b.score is not None
            assert a.score <= 0 and b.score <= 0
            assert abs(a.score - b.score) <= 0.05, (text, a.score, b.score)
    scores = [o.score or 0.0 for o in reference]
    assert min(scores) < -0.5, "no uncertain output: the comparison would be vacuous"
    assert max(scores) > -0.05


def test_spread_batches_shares_a_call_among_workers() -> None:
    """One article's units are cut into enough batches for every worker, never above the budget."""
    lengths = [9, 10, 11, 14, 19, 23, 24, 29, 36, 37, 37, 50, 56, 59, 59, 61, 67, 82, 88]
    options = DecodeOptions(batch_size=32, max_batch_tokens=1024)
    assert spread_batches(lengths, options, 1) == (32, 1024)
    assert len(plan_batches(lengths, 32, 1024)) <= 2
    for workers in (2, 4):
        size, tokens = spread_batches(lengths, options, workers)
        assert tokens is not None and MIN_SPREAD_BATCH_TOKENS <= tokens < 1024
        assert len(plan_batches(lengths, size, tokens)) >= workers * BATCHES_PER_WORKER
    # A big call keeps the full budget; a tiny one is not cut below the floor.
    assert spread_batches([100] * 500, options, 2) == (32, 1024)
    assert spread_batches([3, 4], options, 8)[1] == MIN_SPREAD_BATCH_TOKENS
    # Batches by count are spread the same way.
    assert spread_batches([5] * 20, DecodeOptions(batch_size=32), 2) == (5, None)


def test_workers_keep_results_in_order(copy_engine: MarianEngine, converted_float32: Path) -> None:
    """Two CPU workers give the very outputs of one, in input order, on both decoding paths."""
    one = ct2.load_ct2(converted_float32, "copy-ct2", compute_type="float32", threads=1)
    two = ct2.load_ct2(converted_float32, "copy-ct2", compute_type="float32", threads=2)
    assert (one.workers, two.workers) == (1, 2)
    assert two.translator.num_translators == 2
    texts = parity_sentences(copy_engine)
    for options in (
        DecodeOptions(beams=2, batch_size=32, max_batch_tokens=1024),
        DecodeOptions(beams=2, batch_size=8),
    ):
        expected = one.translate_batch(texts, options)
        assert [o.text for o in expected] == texts
        assert [o.text for o in two.translate_batch(texts, options)] == texts
    # The benchmarks' forced-length path batches differently, so outputs differ past the copy;
    # each still belongs to its own input and is at least as long as it.
    forced = ForcedLength(beams=2, batch_size=32, max_batch_tokens=1024, ratio=1.0)
    for text, output in zip(texts, two.translate_batch(texts, forced), strict=True):
        assert output.text.startswith(text[:5])
        assert output.tokens >= two.count_tokens(text)


def test_ct2_end_to_end_copies_the_sample(converted_float32: Path) -> None:
    engine = ct2.load_ct2(converted_float32, "copy-ct2", compute_type="float32", threads=2)
    result = translit.translate(SAMPLE.read_text(encoding="utf-8"), engine=engine)
    assert len(result.units) > len(result.paragraphs)
    for source, output in zip(result.source_paragraphs, result.paragraphs, strict=True):
        assert output.split() == source.split() or len(output) == pytest.approx(len(source), rel=0.1)


def test_auto_engine_prefers_a_converted_model(
    copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))
    assert ct2.find_converted(copy_model_dir) is None
    assert isinstance(get_engine(str(copy_model_dir), engine="transformers"), MarianEngine)
    assert ct2.find_converted(copy_model_dir) is None, "the transformers engine converts nothing"
    # auto converts once on first use and records it; later runs find it.
    engine = get_engine(str(copy_model_dir))
    assert isinstance(engine, ct2.CTranslate2Engine)
    assert ct2.find_converted(copy_model_dir) == ct2.converted_dir(copy_model_dir, "int8")
    assert get_engine(str(copy_model_dir), engine="ctranslate2") is engine


def test_models_convert_cli(copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["models", "convert", str(copy_model_dir), "--quantization", "int16"])
    assert result.exit_code == 0, result.stderr
    converted = Path(result.stdout.strip())
    assert (converted / "model.bin").is_file()
    assert json.loads((converted / "translit.json").read_text())["quantization"] == "int16"
    assert not list(tmp_path.rglob(".convert-*")), "staging folder left behind"


def test_ct2_run_never_imports_torch(copy_model_dir: Path, tmp_path: Path) -> None:
    code = (
        "import sys, translit\n"
        f"engine = translit.get_engine({str(copy_model_dir)!r}, engine='ctranslate2')\n"
        f"translit.translate(open({str(SAMPLE)!r}, encoding='utf-8').read(), engine=engine)\n"
        "assert type(engine).__name__ == 'CTranslate2Engine'\n"
        "heavy = {'torch', 'transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    # Convert first (that needs torch), then translate in a fresh process.
    env = {"TRANSLIT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "translit", "models", "convert", str(copy_model_dir)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_wrong_engine_name_is_usage_error(copy_model_dir: Path) -> None:
    with pytest.raises(translit.InputError):
        get_engine(str(copy_model_dir), engine="onnx")


def test_loaded_once_per_process(copy_model_dir: Path) -> None:
    assert load_marian(copy_model_dir, "x") is load_marian(copy_model_dir, "x")


def test_float32_gives_a_sentence_the_same_bytes_whoever_shares_its_batch() -> None:
    """Issue 32: what an article gets must not depend on who else is translated with it.

    int8 arithmetic over a padded batch depends on the padding: on the small real translator
    these captions come out differently beside a long sentence than alone. ``--compute
    float32`` (the same weights, float32 arithmetic) does not depend on it.
    """
    converted = translit.Translator(SMALL, cache=False).engine.directory  # type: ignore[attr-defined]
    options = DecodeOptions()

    def alone_and_beside(compute: str) -> list[tuple[str, str]]:
        engine = ct2.load_ct2(converted, "mt-de-en-small", compute_type=compute, threads=1)
        return [
            (
                engine.translate_batch([text], options)[0].text,
                engine.translate_batch([text, LONG_SENTENCE], options)[0].text,
            )
            for text in COMPANY_SENSITIVE
        ]

    assert all(alone == beside for alone, beside in alone_and_beside("float32"))
    # The premise, int8 depending on its company, is the machine's arithmetic (its CPU's int8
    # kernels): where it does not hold, there is nothing for float32 to be compared against.
    if all(alone == beside for alone, beside in alone_and_beside("default")):
        pytest.skip(
            "int8 gives these captions the same bytes in any company on this CPU; the premise does not hold"
        )
