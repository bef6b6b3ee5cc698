"""Shared fixtures: the repo's tiny models and the project's shared data (../shared)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
COPY_MODEL = REPO / "tests" / "fixtures" / "models" / "copy-de"
# The small real translator (Multi30k captions; tests/fixtures/models/mt-de-en-small/README.md).
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
# Two captions whose int8 translation tips a near-tie when a long sentence pads their batch
# (found among the 1,014 Multi30k validation sentences: 2 of them), and that sentence.
COMPANY_SENSITIVE = [
    "Ein Polizist in Uniform trägt einen Ohrhörer.",
    "Bunt kostümierte Männer bei einer Aufführung.",
]
LONG_SENTENCE = (
    "Ein dunkelhäutiger Mann in weißen Shorts und einem ärmellosen schwarzen Shirt macht mit seinem "
    "Skateboard einen Flip auf einer Betonfläche, die von großen Gebäuden und Palmen umgeben ist."
)


# Five Multi30k-style captions (written for the tests, not from the data).
CAPTIONS = [
    "Ein Mann fährt mit einem Fahrrad über eine Straße.",
    "Zwei Kinder spielen im Sand am Strand.",
    "Eine Frau in einem roten Kleid singt auf einer Bühne.",
    "Ein Hund rennt über eine grüne Wiese.",
    "Mehrere Männer arbeiten an einem Haus.",
]
SAMPLE = REPO / "samples" / "musk-trump-interview.de.txt"
WMT20 = SHARED / "data" / "de_news" / "wmt20"


def run_translit(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 300, **kwargs
) -> subprocess.CompletedProcess[bytes]:
    """The real command in a subprocess, from the repo root; ``env`` adds to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "translit", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
        **kwargs,
    )


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    """The command in-process through typer's CliRunner: ``(exit code, stdout, stderr)``."""
    from typer.testing import CliRunner

    from translit.cli import app

    result = CliRunner().invoke(app, list(args), input=input, env=env)
    return result.exit_code, result.stdout, result.stderr


def shared_path(*parts: str) -> Path:
    """A path under ../shared; fails (never skips) when the shared data is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need the project's shared data beside the repo")
    return path


@pytest.fixture(scope="session")
def sample_article() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def copy_model_dir() -> Path:
    assert (COPY_MODEL / "model.safetensors").is_file(), "run tests/fixtures/make_tiny_models.py"
    return COPY_MODEL


@pytest.fixture(scope="session")
def copy_engine(copy_model_dir: Path):
    from translit.engines.marian import load_marian

    return load_marian(copy_model_dir, "copy-de")


@pytest.fixture(scope="session")
def _converted_copy_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copy model converted for CTranslate2 once per session (``--engine auto`` does it on first use)."""
    from translit.engines import ct2

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSLIT_CACHE_DIR", str(tmp_path_factory.mktemp("ct2-session")))
        return ct2.convert(COPY_MODEL, "int8")


def default_sigint() -> None:
    """``preexec_fn`` for a child that a test will Ctrl-C.

    pytest-xdist workers ignore SIGINT, and an ignored signal is inherited: without this the
    child would never see the test's Ctrl-C (a shell does the same for background jobs).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cache_with_conversions(folder: Path) -> str:
    """A fresh TRANSLIT_CACHE_DIR that already holds this test's CTranslate2 conversions.

    For tests that need their own cache folder but do not test the conversion itself
    (converting the copy model again costs seconds per process).
    """
    conversions = Path(os.environ["XDG_CACHE_HOME"]) / "translit" / "ctranslate2"
    shutil.copytree(conversions, folder / "ctranslate2", dirs_exist_ok=True)
    return str(folder)


@pytest.fixture(scope="session")
def copy_ct2_engine(_converted_copy_model: Path):
    """The copy model on CTranslate2, as ``--engine auto`` loads it (faster than transformers)."""
    from translit.engines.ct2 import load_ct2

    return load_ct2(_converted_copy_model, "copy-de")


@pytest.fixture(autouse=True)
def _isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, _converted_copy_model: Path
) -> None:
    """Keep the user's real config, caches and HF cache out of the tests.

    Each test gets a fresh cache folder that already holds the copy model's CTranslate2
    conversion, so tests do not all convert it again (tests of the conversion itself set
    their own TRANSLIT_CACHE_DIR).
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    for name in ("HF_HUB_CACHE", "TRANSLIT_MODELS", "TRANSLIT_CACHE_DIR", "TRANSLIT_CONFIG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    conversions = home / "cache" / "translit" / "ctranslate2"
    conversions.mkdir(parents=True)
    shutil.copytree(_converted_copy_model, conversions / _converted_copy_model.name)


class EngineDouble:
    """What every engine double has: an identity of its own (its class's name, so that two
    doubles never share cache entries), no input limit to speak of, and words for tokens.
    A test's double adds ``translate_batch`` and whatever capability it tests."""

    max_input_tokens, normalization, flag_below = 500, "none", None

    @property
    def model_id(self) -> str:
        return type(self).__name__.lower()

    @property
    def cache_key(self) -> str:
        return self.model_id

    @property
    def name(self) -> str:
        return self.model_id

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class Dictionary(EngineDouble):
    """An engine double: fixed sentence translations and a word alignment by a small lexicon.

    For tests of what is done with a translation and its alignment (formatting placed on the
    words), never of translation itself.
    """

    def __init__(self, sentences: dict[str, str], words: dict[str, str]) -> None:
        self.sentences, self.words = sentences, words

    def translate_batch(self, texts, options):
        from translit.engines import EngineOutput

        return [EngineOutput(self.sentences.get(t, t), 5, False, -0.2) for t in texts]

    def align(self, pairs):
        import re

        found = []
        for source, target in pairs:
            pieces = []
            for m in re.finditer(r"\w+", source):
                english = self.words.get(m.group())
                at = re.search(rf"\b{re.escape(english)}\b", target) if english else None
                if at:
                    pieces.append((m.start(), m.end(), at.start(), at.end()))
            found.append(pieces)
        return found
