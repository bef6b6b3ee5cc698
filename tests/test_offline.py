"""The offline guarantee: translate, brief and batch work with every socket forbidden."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translit.cli import app

from .conftest import SAMPLE

# --- nothing leaves the machine --------------------------------------------------------------------


def test_translate_brief_batch_work_with_sockets_forbidden(
    copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    attempts: list[object] = []

    class NoSocket(socket.socket):
        def __init__(self, *args: object, **kwargs: object) -> None:
            attempts.append(args)
            raise OSError("network access is forbidden in this test")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(
        socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(OSError("no network"))
    )
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "a.txt")
    runner = CliRunner()
    for args in (
        ["translate", "--model", str(copy_model_dir), str(SAMPLE)],
        ["translate", "--engine", "ctranslate2", "--model", str(copy_model_dir), str(SAMPLE)],
        ["brief", "--model", str(copy_model_dir), str(SAMPLE)],
        ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(copy_model_dir)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.stderr, result.exception)
    assert attempts == [], "something tried to open a socket"
