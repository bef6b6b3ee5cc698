"""Shared fixtures: the repo's tiny models and the project's shared data (../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
COPY_MODEL = REPO / "tests" / "fixtures" / "models" / "copy-de"
SAMPLE = REPO / "samples" / "musk-trump-interview.de.txt"
WMT20 = SHARED / "data" / "de_news" / "wmt20"


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


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's real config and HF cache out of the tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("TRANSLIT_MODELS", raising=False)
