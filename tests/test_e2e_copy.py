"""End to end on the real MarianMT path with the repo's copy model.

The copy model reproduces its input, so each output paragraph must match its input
paragraph. That proves that nothing is truncated, dropped, duplicated or reordered
by segmentation, batching, generation and reassembly.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sacrebleu.metrics import CHRF
from typer.testing import CliRunner

import translit
from translit.cli import app

from .conftest import REPO, SAMPLE, shared_path

CHRF_MIN = 90.0
LENGTH_TOLERANCE = 0.10
_chrf = CHRF()


def expected_body_paragraphs(raw: str) -> list[str]:
    """Body paragraphs computed independently of translit: blank-line blocks minus boilerplate."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", raw) if b.strip()]
    if blocks and blocks[0].startswith("Home /"):
        blocks = blocks[1:]
    if blocks and blocks[-1].startswith("Markiert:"):
        blocks = blocks[:-1]
    return blocks


def check_copy(sources: list[str], outputs: list[str], name: str) -> None:
    """Each output paragraph must be its source paragraph, in order, none missing or extra."""
    assert len(outputs) == len(sources), f"{name}: {len(outputs)} paragraphs out, {len(sources)} in"
    for i, (src, out) in enumerate(zip(sources, outputs, strict=True)):
        score = _chrf.sentence_score(out, [src]).score
        assert score >= CHRF_MIN, f"{name} paragraph {i}: chrF {score:.1f}\n  in:  {src}\n  out: {out}"
    total_in = sum(len(s) for s in sources)
    total_out = sum(len(o) for o in outputs)
    assert abs(total_out - total_in) <= LENGTH_TOLERANCE * total_in, (
        f"{name}: {total_out} chars out, {total_in} in"
    )


def wmt20_articles(count: int = 50) -> list[Path]:
    files = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))
    assert len(files) >= count
    return files[:count]


def test_checker_catches_dropped_duplicated_and_reordered_paragraphs() -> None:
    """The copy check is not vacuous: it fails on each kind of damage it guards against."""
    sources = ["Erster Absatz mit Text.", "Zweiter Absatz, ganz anders.", "Dritter und letzter Absatz."]
    damaged = [
        sources[:2],  # dropped
        [sources[0], sources[0], sources[2]],  # duplicated
        [sources[1], sources[0], sources[2]],  # reordered
        [sources[0], sources[1], "Dritter und"],  # truncated
    ]
    for outputs in damaged:
        with pytest.raises(AssertionError):
            check_copy(sources, outputs, "damaged")


def test_sample_article_through_library(copy_engine) -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    result = translit.translate(raw, engine=copy_engine)
    assert result.source_paragraphs == expected_body_paragraphs(raw)
    # Sentence units: far more units than paragraphs, each within the copy model's budget.
    assert len(result.units) > 2 * len(result.source_paragraphs)
    assert all(u.tokens <= copy_engine.max_input_tokens for u in result.units)
    assert all(
        r.score is not None for u, r in zip(result.units, result.unit_results, strict=True) if not u.copy
    )
    check_copy(result.source_paragraphs, result.paragraphs, SAMPLE.name)


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_fifty_wmt20_articles_through_library(copy_ct2_engine, unit: str) -> None:
    # The default engine; the transformers engine goes end to end on the sample article.
    paths = wmt20_articles()
    raws = [p.read_text(encoding="utf-8") for p in paths]
    results = translit.translate_many(raws, engine=copy_ct2_engine, unit=unit)
    split = 0
    for path, raw, result in zip(paths, raws, results, strict=True):
        assert result.source_paragraphs == expected_body_paragraphs(raw), path.name
        split += len(result.units) > len(result.source_paragraphs)
        check_copy(result.source_paragraphs, result.paragraphs, path.name)
    assert split >= 10, "too few articles needed more than one unit per paragraph"


def test_brief_library(copy_engine) -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    result = translit.brief(raw, engine=copy_engine, sentences=2)
    assert result.headline == "Technische Probleme prägen Musks Interview mit Trump"
    assert 1 <= len(result.summary.sentences) <= 2
    for sentence in result.summary.sentences:
        assert sentence in result.translation.text


def test_cli_runner_translate_json(copy_model_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["translate", "--model", str(copy_model_dir), "--format", "json", str(SAMPLE)]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == str(copy_model_dir)
    assert {"source_paragraphs", "units", "translations", "timings"} <= data.keys()
    assert all(isinstance(u["score"], float) for u in data["units"] if not u["copied"])
    check_copy(data["source_paragraphs"], data["translations"], "json")


def test_cli_runner_brief_full(copy_model_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["brief", "--full", "-n", "2", "--model", str(copy_model_dir), str(SAMPLE)])
    assert result.exit_code == 0, result.stderr
    brief, translation = result.stdout.strip().split("\n\n---\n\n")
    assert brief
    body = expected_body_paragraphs(SAMPLE.read_text(encoding="utf-8"))
    check_copy(body, translation.split("\n\n"), "brief --full")


def test_subprocess_many_files_and_stdin(copy_model_dir: Path, tmp_path: Path) -> None:
    files = wmt20_articles(8)
    proc = subprocess.run(
        [sys.executable, "-m", "translit", "translate", "--model", str(copy_model_dir), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    documents = re.split(r"(?m)^==> (.+) <==\n", proc.stdout)[1:]
    names, bodies = documents[0::2], documents[1::2]
    assert names == [str(f) for f in files]
    for path, body in zip(files, bodies, strict=True):
        outputs = [p for p in body.strip().split("\n\n") if p]
        check_copy(expected_body_paragraphs(path.read_text(encoding="utf-8")), outputs, path.name)

    raw = SAMPLE.read_text(encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "translit", "translate", "--model", str(copy_model_dir), "-"],
        input=raw,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    check_copy(expected_body_paragraphs(raw), proc.stdout.strip().split("\n\n"), "stdin")
