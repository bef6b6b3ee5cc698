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
import time
from pathlib import Path

import pytest

from translit.errors import EXIT_NETWORK, ModelError, NetworkError

from .conftest import COPY_MODEL
from .hfserver import FakeHub

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


def use_hub(monkeypatch, hub: FakeHub) -> None:
    """Point huggingface_hub, already imported in this process, at the stand-in hub."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.endpoint)
    monkeypatch.setattr(
        huggingface_hub.constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}",
    )


# --- hostile hubs and lock files -------------------------------------------------------------------


def test_a_file_the_lock_refused_is_never_used(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    files = tuple(f for f in FILES if f != "tokenizer_config.json")
    spec = ModelSpec("copy", "translation", repo="test/copy", files=files)
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        assert pull(spec, progress=False)
        # Another machine with the same lock file, and the hub now serves another vocab.json.
        shutil.rmtree(tmp_path / "hf")
        hub.tamper["vocab.json"] = b'{"x": 1}'
        with pytest.raises(ModelError, match="sha256 mismatch"):
            pull(spec, progress=False)
    assert locate(spec) is None, "the refused snapshot is gone: nothing uses the changed file"


def test_a_hub_that_serves_error_pages_is_refused(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.lockfile import read_lock
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json", "vocab.json"))
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        for name in hub.files:
            hub.tamper[name] = b"<!DOCTYPE html><html><body>Rate limited</body></html>"
        with pytest.raises(NetworkError, match="web page"):
            pull(spec, progress=False)
    assert "copy" not in read_lock() and locate(spec) is None


def test_a_commit_id_that_leaves_the_cache_is_refused(tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, cached_snapshot

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json",))
    with FakeHub("test/copy", COPY_MODEL, commit="../../../../etc") as hub:
        use_hub(monkeypatch, hub)
        with pytest.raises(NetworkError, match="as the commit"):
            pull(spec, progress=False)
    refs = tmp_path / "hf" / "hub" / "models--test--copy" / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text("../../../../etc")
    assert cached_snapshot("test/copy", "main") is None


@pytest.mark.parametrize("hostile", ["redirect_loop", "huge", "names", "drip"])
def test_a_hostile_hub_ends_a_pull_in_one_line(hostile: str, tmp_path: Path, monkeypatch) -> None:
    from translit.download import pull
    from translit.registry import ModelSpec, locate

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = ModelSpec("copy", "translation", repo="test/copy", files=("config.json", "vocab.json", "../evil"))
    with FakeHub("test/copy", COPY_MODEL) as hub:
        use_hub(monkeypatch, hub)
        if hostile == "redirect_loop":
            hub.redirect_loop = True
        elif hostile == "huge":
            hub.sizes["vocab.json"] = 10 << 30
        elif hostile == "names":
            hub.extra_names.append("../evil")
        else:
            hub.drip = 0.5
        started = time.monotonic()
        with pytest.raises(NetworkError) as raised:
            pull(spec, progress=False, patience=1.0)
        assert time.monotonic() - started < 60
    expected = {"redirect_loop": "redirect", "huge": "bytes", "names": "file name", "drip": "too slow"}[
        hostile
    ]
    assert expected in str(raised.value).lower(), str(raised.value)
    assert "\n" not in str(raised.value) and raised.value.exit_code == EXIT_NETWORK
    assert locate(spec) is None
