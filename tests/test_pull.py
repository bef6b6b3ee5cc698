"""``translit models pull`` / ``verify`` against a local stand-in for the Hugging Face hub.

The hub cannot be reached from here, so :mod:`tests.hfserver` serves the copy model's folder
with the hub's file API; ``HF_ENDPOINT`` points huggingface_hub at it. These run the real CLI
in a subprocess, so the download code path is the one a user gets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import COPY_MODEL
from tests.hfserver import FakeHub

REPO_ID = "test/copy-de"
FILES = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A user home whose models.toml names the copy model under a hub repo id."""
    config = tmp_path / "config" / "translit"
    config.mkdir(parents=True)
    files = ", ".join(f'"{name}"' for name in FILES)
    (config / "models.toml").write_text(
        f'[models.copy]\ntask = "translation"\nrepo = "{REPO_ID}"\nrevision = "main"\nfiles = [{files}]\n',
        encoding="utf-8",
    )
    return tmp_path


def translit(home: Path, endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        HF_HOME=str(home / "hf"),
        HF_ENDPOINT=endpoint,
        HF_HUB_DISABLE_TELEMETRY="1",
    )
    for name in ("HF_HUB_OFFLINE", "HF_HUB_CACHE", "TRANSLIT_MODELS"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "translit", *args], env=env, capture_output=True, text=True, timeout=300
    )


def lock_of(home: Path) -> dict:
    return json.loads((home / "config" / "translit" / "models.lock.json").read_text(encoding="utf-8"))


def test_pull_downloads_records_and_translates(home: Path) -> None:
    with FakeHub(REPO_ID, COPY_MODEL) as hub:
        pulled = translit(home, hub.endpoint, "models", "pull", "copy")
        assert pulled.returncode == 0, pulled.stderr
        folder = Path(pulled.stdout.strip())
        assert folder.name == hub.commit and folder.is_dir()
        for name in FILES:
            assert (folder / name).read_bytes() == (COPY_MODEL / name).read_bytes()
        entry = lock_of(home)["models"]["copy"]
        assert entry["repo"] == REPO_ID and entry["commit"] == hub.commit
        assert sorted(entry["files"]) == sorted(FILES)

        verified = translit(home, hub.endpoint, "models", "verify", "copy")
        assert verified.returncode == 0, verified.stderr
        assert f"{len(FILES)} file(s) match" in verified.stdout

        # The model is found where the pull put it: translating needs no --model DIR.
        done = translit(home, hub.endpoint, "translate", "--model", "copy", "--text", "Das ist ein Test.")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "Das ist ein Test."


def test_interrupted_download_is_completed(home: Path) -> None:
    with FakeHub(REPO_ID, COPY_MODEL) as hub:
        hub.cut_after = 20_000  # the first GET of every larger file drops after 20 kB
        pulled = translit(home, hub.endpoint, "models", "pull", "copy")
        assert pulled.returncode == 0, pulled.stderr
        folder = Path(pulled.stdout.strip())
        weights = (COPY_MODEL / "model.safetensors").read_bytes()
        assert (folder / "model.safetensors").read_bytes() == weights
        gets = [r for r in hub.requests if r[0] == "GET" and r[1].endswith("/model.safetensors")]
        assert len(gets) >= 2  # the cut one and the one that finished it


def test_changed_file_on_the_hub_is_refused(home: Path) -> None:
    with FakeHub(REPO_ID, COPY_MODEL) as hub:
        assert translit(home, hub.endpoint, "models", "pull", "copy").returncode == 0
        shutil.rmtree(home / "hf")
        hub.tamper["vocab.json"] = b"{}"
        again = translit(home, hub.endpoint, "models", "pull", "copy")
        assert again.returncode == 3, again.stderr
        assert "vocab.json: sha256 mismatch" in again.stderr
        assert "Traceback" not in again.stderr


def test_verify_notices_a_file_changed_on_disk(home: Path) -> None:
    with FakeHub(REPO_ID, COPY_MODEL) as hub:
        pulled = translit(home, hub.endpoint, "models", "pull", "copy")
        folder = Path(pulled.stdout.strip())
        vocab = folder / "vocab.json"
        real = vocab.resolve()
        real.chmod(0o644)
        real.write_text("{}", encoding="utf-8")
        checked = translit(home, hub.endpoint, "models", "verify", "copy")
        assert checked.returncode == 3
        assert "vocab.json: sha256 mismatch" in checked.stderr


def test_unreachable_hub_is_one_line(home: Path) -> None:
    with FakeHub(REPO_ID, COPY_MODEL) as hub:
        endpoint = hub.endpoint
    # The server is shut down: nothing listens at that address any more.
    failed = translit(home, endpoint, "models", "pull", "copy")
    assert failed.returncode != 0
    lines = [line for line in failed.stderr.splitlines() if line.startswith("translit: error")]
    assert len(lines) == 1 and "cannot download test/copy-de" in lines[0], failed.stderr
    assert "Traceback" not in failed.stderr
