"""models.toml parsing, overrides and lookup (no network)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import translit
from translit.errors import (
    EXIT_INPUT,
    EXIT_MODEL,
    ModelError,
    RegistryError,
)
from translit.registry import cached_snapshot, load_registry, resolve_model_dir

from .conftest import COPY_MODEL, REPO, SAMPLE, invoke, run_translit
from .conftest import invoke as cli
from .conftest import run_translit as run
from .test_e2e_copy import check_copy, expected_body_paragraphs


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


def test_missing_tensors_are_refused(tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(COPY_MODEL, broken)
    weights = {
        k: v for k, v in load_file(broken / "model.safetensors").items() if "encoder.layers.1." not in k
    }
    save_file(weights, broken / "model.safetensors", metadata={"format": "pt"})
    for engine in ("transformers", "auto"):
        proc = run_translit("translate", "--engine", engine, "--model", str(broken), "-t", "Ein Satz.")
        assert proc.returncode == EXIT_MODEL, proc.stderr
        assert b"tensor(s) missing" in proc.stderr and b"Traceback" not in proc.stderr


def test_flag_below_nan_is_refused(tmp_path: Path, monkeypatch) -> None:
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), "--flag-below", "nan", "-t", "Ein Satz.")
    assert code == EXIT_INPUT and "--flag-below" in err and "finite" in err
    config = tmp_path / "config.toml"
    config.write_text("flag_below = nan\n", encoding="utf-8")
    monkeypatch.setenv("TRANSLIT_CONFIG", str(config))
    code, _, err = invoke("translate", "--model", str(COPY_MODEL), "-t", "Ein Satz.")
    assert code == EXIT_INPUT and "finite" in err


def test_a_tokenizer_problem_names_the_tokenizer(tmp_path: Path) -> None:
    broken = tmp_path / "m"
    shutil.copytree(COPY_MODEL, broken)
    os.remove(broken / "source.spm")
    (broken / "source.spm").write_bytes(b"not a sentencepiece model")
    proc = run_translit("translate", "--engine", "transformers", "--model", str(broken), "-t", "Ein Satz.")
    assert proc.returncode == EXIT_MODEL
    assert b"tokenizer" in proc.stderr and b"model.safetensors" not in proc.stderr


GERMAN = SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def model_copy(copy_model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(copy_model_dir, target)
    return target


def broken_model_error(model: Path, *extra: str) -> str:
    proc = run(*extra, "translate", "--model", str(model), str(SAMPLE), timeout=120)
    stderr = proc.stderr.decode()
    assert proc.returncode == EXIT_MODEL, stderr
    assert "Traceback" not in stderr and proc.stdout == b""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_missing_model_file(model_copy: Path) -> None:
    (model_copy / "vocab.json").unlink()
    assert "missing vocab.json" in broken_model_error(model_copy)


def test_truncated_weights(model_copy: Path) -> None:
    weights = model_copy / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    assert str(weights) in broken_model_error(model_copy)


def test_remote_code_is_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "evil.EvilModel"}
    (model_copy / "config.json").write_text(json.dumps(config))
    assert "remote code" in broken_model_error(model_copy)


def test_sha256_mismatch_names_the_file(model_copy: Path, tmp_path: Path) -> None:
    models = tmp_path / "models.toml"
    models.write_text(
        f'[models.copy]\ntask = "translation"\npath = "{model_copy}"\n'
        '[models.copy.sha256]\n"model.safetensors" = "' + "0" * 64 + '"\n'
    )
    proc = run("--models", str(models), "translate", "--model", "copy", str(SAMPLE))
    assert proc.returncode == EXIT_MODEL
    assert f"{model_copy / 'model.safetensors'}: sha256 mismatch" in proc.stderr.decode()


def test_pickled_weights_refused_unless_allowed(model_copy: Path) -> None:
    import torch
    from transformers import MarianMTModel

    state = MarianMTModel.from_pretrained(model_copy).state_dict()
    torch.save(state, model_copy / "pytorch_model.bin")
    (model_copy / "model.safetensors").unlink()
    assert "--allow-pickle" in broken_model_error(model_copy)
    proc = run(
        "--allow-pickle",
        "translate",
        "--no-cache",
        "--engine",
        "transformers",
        "--model",
        str(model_copy),
        str(SAMPLE),
    )
    assert proc.returncode == 0, proc.stderr.decode()
    check_copy(expected_body_paragraphs(GERMAN), proc.stdout.decode().strip().split("\n\n"), "pickle")


def test_model_error_is_a_translit_error() -> None:
    assert issubclass(ModelError, translit.TranslitError)


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("translit: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- models.toml values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[models.x]\ntask = 'translation'\npath = 5\n", "'path' must be a folder path"),
        ("[models.x]\ntask = 'translation'\nrepo = ['a', 'b']\n", "'repo' must be a repository id"),
        (
            "[models.x]\ntask = 'translation'\nrepo = 'a/b'\nflag_below = 'low'\n",
            "'flag_below' must be a number",
        ),
        ("[models.x]\ntask = 'translation'\nrepo = 'a/b'\nnormalize = 'nfkc'\n", "normalize must be one of"),
    ],
)
def test_models_toml_values_are_type_checked(tmp_path: Path, body: str, needle: str) -> None:
    models = tmp_path / "models.toml"
    models.write_text(body, encoding="utf-8")
    code, out, err = cli("--models", str(models), "models", "list")
    assert code == EXIT_MODEL and out == ""
    line = one_line_error(err)
    assert str(models) in line and needle in line
