"""Conversions checked against their original, on a real model whose decoder-start row is not zero.

``mt-de-en-startrow`` is a small de→en Marian trained in transformers whose ``<pad>`` (decoder
start) embedding row is not zero. CTranslate2's usual Marian conversion starts decoding from
a zero vector and loses the first words of its sentences; translit must notice, convert
keeping the start token, and never use a conversion that translates differently.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import sacrebleu

from translit.engines import DecodeOptions, conversion, ct2, get_engine
from translit.errors import (
    EXIT_MODEL,
    NOTE,
    ModelError,
)

from .conftest import COPY_MODEL, REPO, shared_path
from .conftest import invoke as cli

STARTROW = REPO / "tests" / "fixtures" / "models" / "mt-de-en-startrow"


@pytest.fixture()
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def held_out(limit: int) -> tuple[list[str], list[str]]:
    folder = shared_path("data", "parallel", "multi30k")
    sources = (folder / "val.de").read_text(encoding="utf-8").splitlines()[:limit]
    references = (folder / "val.en").read_text(encoding="utf-8").splitlines()[:limit]
    return sources, references


def test_the_test_model_has_a_start_row_that_is_not_zero() -> None:
    from translit.engines.marian import MarianEngine

    assert MarianEngine(STARTROW, "startrow", threads=1).start_row_norm() > 1.0


def test_a_zero_start_conversion_is_caught_by_the_check(own_cache: Path, tmp_path: Path) -> None:
    """CTranslate2's usual conversion of this model disagrees with the model: the check says so."""
    out = tmp_path / "zero"
    conversion._build(STARTROW, "float32", out, keep_start=False)
    from translit.engines.ct2 import _checking_engine

    verdict = conversion.check_conversion(STARTROW, out, "zero", _checking_engine)
    assert not verdict.agrees
    assert verdict.first_words < conversion.MIN_FIRST_WORDS


def test_the_default_engine_translates_like_the_original(
    own_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`--engine auto` converts keeping the start token, says so once, and keeps the quality.

    Held out: 100 Multi30k validation sentences, beam 4. The default (int8) stays within
    1 BLEU of transformers (bench/int8.py measures 300 sentences: within 0.5), and starts
    its sentences as transformers does.
    """
    sources, references = held_out(100)
    options = DecodeOptions(beams=4)
    original = get_engine(str(STARTROW), engine="transformers").translate_batch(sources, options)
    with caplog.at_level(NOTE, logger="translit"):
        default = get_engine(str(STARTROW), engine="auto")
    assert getattr(default, "name", "") == "ctranslate2"
    said = [r.getMessage() for r in caplog.records if "keeping its start token" in r.getMessage()]
    assert len(said) == 1 and "nothing to do" in said[0] and "norm" not in said[0]
    recorded = json.loads((conversion.converted_dir(STARTROW, "int8") / "translit.json").read_text())
    assert recorded["start"] == "token" and recorded["check"]["agrees"]
    converted = default.translate_batch(sources, options)
    first_words = sum(
        a.text.split()[:1] == b.text.split()[:1] for a, b in zip(original, converted, strict=True)
    )
    assert first_words >= 0.9 * len(sources)
    bleu_original = sacrebleu.corpus_bleu([o.text for o in original], [references]).score
    bleu_default = sacrebleu.corpus_bleu([o.text for o in converted], [references]).score
    assert bleu_default >= bleu_original - 1.0, (bleu_default, bleu_original)
    # The check ran once: a second engine finds the recorded conversion and warns no more.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="translit"):
        ct2.convert(STARTROW, "int8")
    assert not caplog.records


def test_a_conversion_that_still_disagrees_is_refused_and_auto_falls_back(
    own_cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Never a conversion that changes translations silently: refused, recorded, one warning."""
    disagreeing = conversion.ConversionCheck(0.1, 30.0, 2.0, 0.0, "zero")
    calls: list[str] = []

    def check(model_dir: Path, converted: Path, start: str, opened: object) -> conversion.ConversionCheck:
        calls.append(start)
        return disagreeing

    monkeypatch.setattr(conversion, "check_conversion", check)
    with pytest.raises(ModelError, match="refused"):
        ct2.convert(COPY_MODEL, "int8", force=True)
    assert calls == ["zero", "token"], "both ways of converting were tried"
    target = conversion.converted_dir(COPY_MODEL, "int8")
    assert not target.exists()
    with caplog.at_level(logging.WARNING, logger="translit"):
        engine = get_engine(str(COPY_MODEL), engine="auto")
    assert getattr(engine, "name", "") == "transformers"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "refused" in warnings[0]
    assert calls == ["zero", "token"], "the refusal is recorded: the check does not run again"
    with pytest.raises(ModelError, match="refused"):
        get_engine(str(COPY_MODEL), engine="ctranslate2")


def test_a_model_whose_start_row_is_zero_keeps_ctranslate2_s_usual_conversion(own_cache: Path) -> None:
    target = ct2.convert(COPY_MODEL, "int8")
    recorded = json.loads((target / "translit.json").read_text())
    assert recorded["start"] == "zero" and recorded["check"]["agrees"]


def test_a_broken_conversion_is_made_again(tmp_path: Path, monkeypatch) -> None:
    from translit.engines import ct2, get_engine
    from translit.engines.ct2 import _LOADED

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))
    converted = ct2.convert(COPY_MODEL)
    (converted / "model.bin").write_bytes((converted / "model.bin").read_bytes()[:1000])
    _LOADED.clear()
    engine = get_engine(str(COPY_MODEL))
    assert engine.name == "ctranslate2"
    assert (converted / "model.bin").stat().st_size > 1000


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("translit: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- conversions that fail or are interrupted ------------------------------------------------------


def test_garbage_generation_config_fails_cleanly_and_leaves_nothing(
    copy_model_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    shutil.copytree(copy_model_dir, model)
    (model / "generation_config.json").write_text("{ not json", encoding="utf-8")
    env = {"TRANSLIT_CACHE_DIR": str(tmp_path / "cache")}  # empty: nothing may be left in it
    for _ in range(2):
        code, out, err = cli("translate", "-m", str(model), "-t", "Ein Satz.", env=env)
        assert code == EXIT_MODEL and out == ""
        assert "generation_config.json: unreadable" in one_line_error(err)
    assert not list((tmp_path / "cache").glob("ctranslate2/*/model.bin"))
    shutil.copy(copy_model_dir / "generation_config.json", model / "generation_config.json")
    assert cli("translate", "-m", str(model), "-t", "Ein Satz.", env=env)[:2] == (0, "Ein Satz.\n")


def test_failed_conversion_falls_back_to_transformers(
    copy_model_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    from translit.engines import ct2, get_engine
    from translit.errors import ModelError

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))

    def broken(*args, **kwargs):
        raise ModelError("conversion to CTranslate2 failed (simulated)")

    monkeypatch.setattr(ct2, "convert", broken)
    engine = get_engine(str(copy_model_dir))
    assert engine.name == "transformers"
    assert not list(tmp_path.glob("ctranslate2/*"))
    with pytest.raises(ModelError):
        get_engine(str(copy_model_dir), engine="ctranslate2")


def test_interrupted_conversion_leaves_no_half_model(
    copy_model_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    from translit.engines import conversion, ct2

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path))

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(
        conversion, "_converter_class", lambda: lambda *a, **k: type("C", (), {"convert": interrupted})()
    )
    with pytest.raises(KeyboardInterrupt):
        ct2.convert(copy_model_dir)
    assert ct2.find_converted(copy_model_dir) is None
    assert not [p for p in (tmp_path / "ctranslate2").iterdir() if not p.name.endswith(".lock")]
