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
from translit.engines.marian import MarianEngine, load_marian

from .conftest import REPO, SAMPLE, WMT20


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
