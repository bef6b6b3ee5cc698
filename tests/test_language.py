"""Which language an input is: guessed, named when it is not German, refused with --strict-lang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translit.errors import EXIT_INPUT
from translit.language import guess_language

from .conftest import SAMPLE, shared_path
from .conftest import invoke as cli
from .conftest import run_translit as run

GERMAN = SAMPLE.read_text(encoding="utf-8")


ENGLISH = "The government said on Monday that it would not change the law, and the opposition was angry."


FRENCH = "Le gouvernement a déclaré lundi qu'il ne changerait pas la loi, et l'opposition était en colère."


def test_language_guess() -> None:
    assert guess_language(GERMAN).language == "de" and not guess_language(GERMAN).clearly_not_german
    assert guess_language(ENGLISH * 3).clearly_not_german and guess_language(ENGLISH).language == "en"
    assert guess_language(FRENCH * 3).clearly_not_german and guess_language(FRENCH).language == "fr"
    assert not guess_language("Berlin 2024").clearly_not_german  # too little evidence


def test_strict_lang_refuses_and_default_warns(copy_model_dir: Path) -> None:
    english = (ENGLISH + " ") * 3
    warned = run("translate", "--model", str(copy_model_dir), "-", stdin=english.encode())
    assert warned.returncode == 0 and "looks like English ('en'), not German" in warned.stderr.decode()
    refused = run("translate", "--strict-lang", "--model", str(copy_model_dir), "-", stdin=english.encode())
    assert refused.returncode == EXIT_INPUT and refused.stdout == b""
    assert "refused by --strict-lang" in refused.stderr.decode()
    german = run("translate", "--strict-lang", "--model", str(copy_model_dir), str(SAMPLE))
    assert german.returncode == 0 and b"warning" not in german.stderr and b"error" not in german.stderr


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("translit: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


OTHER_LANGUAGES = {
    "pl": "Rząd przyjął w poniedziałek nową ustawę o podatkach. Opozycja zapowiedziała protesty w całym kraju.",
    "tr": "Hükümet pazartesi günü yeni bir vergi yasası kabul etti. Muhalefet ülke genelinde protesto düzenleyecek.",
    "ru": "Правительство в понедельник приняло новый налоговый закон. Оппозиция объявила о протестах по всей стране.",
    "sv": "Regeringen antog på måndagen en ny skattelag. Oppositionen har utlyst protester i hela landet i veckan.",
}


# --- other languages -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_other_languages_are_named_and_refused_when_strict(copy_model_dir: Path, language: str) -> None:
    text = OTHER_LANGUAGES[language]
    code, _, err = cli("translate", "-m", str(copy_model_dir), "-t", text)
    assert code == 0 and f"('{language}'), not German" in err
    code, out, err = cli("translate", "--strict-lang", "-m", str(copy_model_dir), "-t", text)
    assert code == EXIT_INPUT and out == "" and "refused by --strict-lang" in one_line_error(err)


def test_batch_reports_other_languages_in_its_summary(copy_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "polnisch.txt").write_text(OTHER_LANGUAGES["pl"], encoding="utf-8")
    (src / "deutsch.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, report, err = cli(
        "batch", str(src), "-o", str(tmp_path / "out"), "-m", str(copy_model_dir), "-f", "json"
    )
    assert code == 0
    assert json.loads(report)["not_german"] == [{"path": "polnisch.txt", "language": "pl"}]
    assert "not German (pl): polnisch.txt" in err


def test_no_shared_german_article_is_judged_another_language() -> None:
    from translit.language import guess_language

    files = sorted(shared_path("data", "de_news").glob("*/*.txt"))
    wrong = [f.name for f in files if guess_language(f.read_text(encoding="utf-8")).clearly_not_german]
    assert len(files) == 1269 and wrong == []
