"""The vocabulary shortlist: a map built from the model, checked before use, and turned off by flag."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from translit.engines import conversion, ct2
from translit.engines.protocol import DecodeOptions
from translit.engines.shortlist import (
    MAP_FILE,
    RECORD_FILE,
    VocabularyMap,
    build_map,
    corpus_sentences,
    recorded,
    usable_map,
)
from translit.errors import InputError

from .conftest import SMALL, invoke, shared_path

pytestmark = pytest.mark.skipif(not conversion.available(), reason="needs ctranslate2")


@pytest.fixture(scope="module")
def _small_converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSLIT_CACHE_DIR", str(tmp_path_factory.mktemp("ct2-small")))
        return ct2.convert(SMALL, "int8")


@pytest.fixture
def small_converted(_small_converted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the small translator's conversion, where the CLI finds it."""
    monkeypatch.setenv("TRANSLIT_CACHE_DIR", str(tmp_path / "cache"))
    target = conversion.converted_dir(SMALL, "int8")
    shutil.copytree(_small_converted, target)
    return target


def captions(count: int) -> list[str]:
    """Multi30k training captions: the small translator's own kind of text."""
    path = shared_path("data", "parallel", "multi30k", "train.de")
    return path.read_text(encoding="utf-8").splitlines()[:count]


def forge_record(converted: Path, map_text: str) -> None:
    """A tiny map recorded as checked: to test that the engine and the flags use a map, not a check."""
    import hashlib

    (converted / MAP_FILE).write_text(map_text, encoding="utf-8")
    check = {
        "sentences": 1,
        "score_loss_beam": 0.0,
        "score_loss_greedy": 0.0,
        "identical_beam": 1.0,
        "identical_greedy": 1.0,
        "confidence_shift": 0.0,
    }
    record = {
        "pieces": 3,
        "vocabulary": 4001,
        "always": 3,
        "per_source": 0,
        "sentences": 1,
        "coverage": 1.0,
        "mean_candidates": 3,
        "check": check,
        "digest": hashlib.sha256((converted / MAP_FILE).read_bytes()).hexdigest(),
    }
    (converted / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")


def test_map_allows_frequent_specific_and_copied_pieces() -> None:
    pairs = [
        (["▁Hund", "▁läuft"], ["▁the", "▁dog", "▁runs"]),
        (["▁Hund", "▁schläft"], ["▁the", "▁dog", "▁sleeps"]),
        (["▁Katze", "▁läuft"], ["▁the", "▁cat", "▁runs"]),
        (["▁Berlin"], ["▁the", "▁Berlin"]),
    ]
    vocabulary = {"▁the", "▁dog", "▁runs", "▁sleeps", "▁cat", "▁Berlin", "▁Paris", "<0x41>"}
    vmap = build_map(pairs, vocabulary, frequent=1, per_source=1)
    assert vmap.always == ("▁the", "<0x41>")
    assert vmap.by_source["▁Hund"] == ("▁dog",)  # the most specific, not the most frequent
    assert vmap.by_source["▁Berlin"] == ("▁Berlin",)
    assert vmap.by_source["▁Paris"] == ("▁Paris",)  # never seen: may be copied
    assert vmap.candidates(["▁Katze"]) == {"▁the", "<0x41>", "▁cat"}
    assert "▁cat" not in vmap.candidates(["▁Hund"])


def test_map_is_written_in_ctranslate2s_format() -> None:
    vmap = VocabularyMap(("▁the", "."), {"▁Hund": ("▁dog", "▁hound")})
    assert vmap.text() == "\t▁the .\n▁Hund\t▁dog ▁hound\n"
    assert vmap.pieces == 4


def test_engine_decodes_with_the_map_and_no_shortlist_turns_it_off(small_converted: Path) -> None:
    forge_record(small_converted, "\t▁A ▁man\n")
    engine = ct2.CTranslate2Engine(small_converted, "small")
    assert engine.shortlist and "|vmap:" in engine.cache_key
    sentence = ["Zwei Hunde spielen im Schnee."]
    restricted = engine.translate_batch(sentence, DecodeOptions(beams=1, max_length=8))[0].text
    assert set(restricted.split()) <= {"A", "man"}
    full = engine.translate_batch(sentence, DecodeOptions(beams=1, shortlist=False))[0].text
    assert "dogs" in full
    model = str(SMALL)
    assert "dogs" not in invoke("translate", "-m", model, "-t", sentence[0])[1]
    assert "dogs" in invoke("translate", "-m", model, "--no-shortlist", "-t", sentence[0])[1]


def test_a_map_changed_after_its_check_is_not_used(small_converted: Path) -> None:
    forge_record(small_converted, "\t▁A ▁man\n")
    (small_converted / MAP_FILE).write_text("\t▁A ▁woman\n", encoding="utf-8")
    assert usable_map(small_converted) is None
    assert not ct2.CTranslate2Engine(small_converted, "small").shortlist


def test_a_map_that_loses_quality_is_refused_with_one_warning(
    small_converted: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="translit"):
        record = ct2.build_shortlist(small_converted, captions(700), frequent=20, per_source=1, held_out=100)
    assert not record.usable
    assert record.check.score_loss_greedy > 0.005
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "shortlist was refused" in warnings[0].getMessage()
    assert not (small_converted / MAP_FILE).exists()
    assert recorded(small_converted) == record
    assert not ct2.CTranslate2Engine(small_converted, "small").shortlist
    code, shown, _ = invoke("models", "shortlist", str(SMALL))
    assert code == 0 and "refused" in shown


def test_convert_shortlist_builds_a_map_that_passes_its_check(small_converted: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "captions.txt"
    corpus.write_text("\n".join(captions(6000)) + "\n", encoding="utf-8")
    code, out, err = invoke("models", "convert", str(SMALL), "--shortlist", str(corpus))
    assert code == 0, err
    assert out.strip() == str(small_converted)
    assert "vocabulary shortlist used" in err
    shown = json.loads(invoke("models", "shortlist", str(SMALL), "--format", "json")[1])
    assert shown["used"], shown
    check = shown["shortlist"]["check"]
    assert max(check["score_loss_beam"], check["score_loss_greedy"]) <= 0.005
    assert shown["shortlist"]["coverage"] > 0.99
    engine = ct2.CTranslate2Engine(small_converted, "small")
    assert engine.shortlist
    sentences = captions(6000)[-50:]  # held out of nothing, but the translations must agree
    short = engine.translate_batch(sentences, DecodeOptions(beams=1))
    full = engine.translate_batch(sentences, DecodeOptions(beams=1, shortlist=False))
    assert sum(a.text == b.text for a, b in zip(short, full, strict=True)) >= 48


def test_a_corpus_too_small_for_a_shortlist_is_one_clear_error(tmp_path: Path) -> None:
    corpus = tmp_path / "few.txt"
    corpus.write_text("Ein Hund läuft.\nEine Katze schläft.\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least 400 different sentences"):
        ct2.build_shortlist(tmp_path, corpus_sentences([corpus]))
    with pytest.raises(InputError, match="no such file"):
        corpus_sentences([tmp_path / "missing.txt"])


def test_corpus_sentences_take_every_file_in_turn(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Erster Satz. Zweiter Satz.\n\nDritter Satz.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Anderer Satz.\n", encoding="utf-8")
    assert corpus_sentences([tmp_path]) == ["Erster Satz.", "Anderer Satz.", "Zweiter Satz.", "Dritter Satz."]
    assert corpus_sentences([tmp_path], limit=2) == ["Erster Satz.", "Anderer Satz."]
