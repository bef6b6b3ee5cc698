"""models.toml parsing, overrides and lookup (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translit.errors import ModelError, RegistryError
from translit.registry import cached_snapshot, load_registry, resolve_model_dir

from .conftest import COPY_MODEL, REPO


def test_packaged_registry_matches_top_level_file() -> None:
    assert (REPO / "models.toml").read_text() == (REPO / "translit" / "models.toml").read_text()
    registry = load_registry()
    spec = registry.get("opus-mt-de-en")
    assert spec.task == "translation" and spec.repo == "Helsinki-NLP/opus-mt-de-en"
    assert registry.default_translation == "opus-mt-de-en"
    assert registry.get("extractive").builtin


def test_user_file_overrides_and_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "models.toml"
    user.write_text(
        'default_translation = "copy"\n'
        f'[models.copy]\ntask = "translation"\npath = "{COPY_MODEL}"\n'
        '[models.copy.sha256]\n"config.json" = "00"\n'
    )
    monkeypatch.setenv("TRANSLIT_MODELS", str(user))
    registry = load_registry()
    assert registry.default_translation == "copy"
    assert "opus-mt-de-en" in registry.models
    name, directory = resolve_model_dir(None, registry, "translation")
    assert (name, directory) == ("copy", COPY_MODEL)


def test_relative_path_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    user = tmp_path / "models.toml"
    user.write_text('[models.rel]\ntask = "translation"\npath = "m"\n')
    registry = load_registry(user)
    assert resolve_model_dir("rel", registry, "translation")[1] == tmp_path / "m"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[models.x]\ntask = 'poetry'\nrepo = 'a/b'\n", "task"),
        ("[models.x]\ntask = 'translation'\n", "repo"),
        ("[models.x\n", "invalid TOML"),
        ("[models.x]\ntask = 'translation'\nrepo = 'a/b'\nfiles = 'x'\n", "files"),
    ],
)
def test_malformed_files_name_the_file(tmp_path: Path, body: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(body)
    with pytest.raises(RegistryError, match=message) as info:
        load_registry(bad).get("x")  # a bad entry: only its own name is unusable
    assert str(bad) in str(info.value)


def test_one_bad_entry_leaves_the_other_models_usable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[models.x]\ntask = 'poetry'\n\n[models.y]\ntask = 'translation'\nrepo = 'a/b'\n")
    registry = load_registry(bad)
    assert registry.get("y").repo == "a/b" and registry.get("opus-mt-de-en").repo
    assert set(registry.broken) == {"x"}
    # A bad entry replaces a good one of its name: that name is unusable, never the old entry.
    bad.write_text("[models.opus-mt-de-en]\ntask = 'translation'\npath = 5\n")
    with pytest.raises(RegistryError, match="'path' must be"):
        load_registry(bad).get("opus-mt-de-en")


def test_missing_models_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "none.toml")


def test_wrong_task_is_refused() -> None:
    with pytest.raises(ModelError, match="summarization model"):
        resolve_model_dir("distilbart-cnn-12-6", load_registry(), "translation")


def test_hf_cache_snapshot_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    root = tmp_path / "models--Helsinki-NLP--opus-mt-de-en"
    snapshot = root / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text("abc123")
    assert cached_snapshot("Helsinki-NLP/opus-mt-de-en", "main") == snapshot
    assert resolve_model_dir("opus-mt-de-en", load_registry(), "translation")[1] == snapshot


def test_an_unusable_entry_is_reported_once_never_as_warning_and_error(tmp_path: Path) -> None:
    """Issue 28, fault 3: a warning that the entry 'is ignored', then an error with the same text."""
    from .conftest import invoke

    models = tmp_path / "models.toml"
    models.write_text('[models.mine]\ntask = "translation"\npath = "/nowhere/mine"\n', encoding="utf-8")
    code, out, err = invoke("--models", str(models), "models", "list")
    assert code == 0 and err == "" and "mine" in out, "listed as not on this machine"
    code, out, err = invoke("--models", str(models), "translate", "-m", "mine", "-t", "Ein Satz.")
    assert code == 3 and out == "" and err.count("\n") == 1 and "ignored" not in err and "mine" in err, err
    models.write_text('[models.mine]\ntask = "translation"\n', encoding="utf-8")  # no repo, no path
    code, out, err = invoke("--models", str(models), "models", "list")
    assert code == 3 and out == "" and err.count("\n") == 1 and "ignored" not in err, err
