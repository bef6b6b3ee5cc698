"""``translit batch --ray`` on a local Ray instance: same outputs, same guarantees as a local batch."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from translit import Settings, Translator
from translit.batch import BatchSettings, plan_batch, run_local

from .conftest import REPO, cache_with_conversions, default_sigint, shared_path

ray = pytest.importorskip("ray")


def make_tree(root: Path, count: int, start: int = -1) -> list[Path]:
    """Held-out WMT20 articles (from the end of the folder) in nested folders."""
    files = sorted(shared_path("data", "de_news", "wmt20").glob("*.txt"))
    chosen = files[start - count + 1 : None if start == -1 else start + 1]
    made = []
    for i, path in enumerate(chosen):
        target = root / (f"teil{i % 3}" if i % 2 else "") / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        made.append(target)
    return made


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file of an output folder, the resume markers included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def ray_instance():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def settings_for(model: Path, engine: str = "auto", **kwargs) -> BatchSettings:
    translation = Settings(model=str(model), engine=engine, cache=False)
    base = {
        "outputs": ("translation", "brief", "json"),
        "group_size": 2,
        "translation": translation,
        "model_key": Translator(settings=translation).model_key,
    }
    return BatchSettings(**{**base, **kwargs})


def test_ray_outputs_are_the_local_outputs_byte_for_byte(
    ray_instance, copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translit.batch.ray_runner import RayOptions, run_on_ray
    from translit.engines import get_engine

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", cache_with_conversions(tmp_path / "cache"))
    make_tree(tmp_path / "in", 10)
    settings = settings_for(copy_model_dir)
    local = run_local(
        plan_batch(tmp_path / "in", tmp_path / "local", settings), get_engine(str(copy_model_dir)), settings
    )
    assert local.count("done") == 10
    options = RayOptions(workers=2, threads_per_worker=1)
    driver = Translator(settings=settings.translation)
    remote = run_on_ray(plan_batch(tmp_path / "in", tmp_path / "ray", settings), driver, settings, options)
    assert remote.count("done") == 10 and not remote.failures
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
    again = run_on_ray(plan_batch(tmp_path / "in", tmp_path / "ray", settings), driver, settings, options)
    assert again.count("skipped") == 10, "a second --ray run skips every file"
    # The markers are shared: a local run skips what Ray finished.
    assert (
        run_local(
            plan_batch(tmp_path / "in", tmp_path / "ray", settings), get_engine(str(copy_model_dir)), settings
        ).count("skipped")
        == 10
    )


def test_a_killed_worker_costs_a_retry_not_a_file(
    ray_instance, copy_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translit.batch.ray_runner import RayOptions, run_on_ray

    monkeypatch.setenv("TRANSLIT_CACHE_DIR", cache_with_conversions(tmp_path / "cache"))
    make_tree(tmp_path / "in", 24)
    settings = settings_for(copy_model_dir, engine="transformers", outputs=("translation",))
    options = RayOptions(workers=2, threads_per_worker=1)
    finished: list[str] = []
    killed: list[int] = []

    def kill_a_worker_after_two(result) -> None:
        finished.append(result.display)
        if len(finished) == 2 and not killed:
            pids = subprocess.run(
                ["pgrep", "-f", "ray::TranslitWorker"], capture_output=True, text=True
            ).stdout
            pid = int(pids.split()[0])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    report = run_on_ray(
        plan_batch(tmp_path / "in", tmp_path / "out", settings),
        Translator(settings=settings.translation),
        settings,
        options,
        on_result=kill_a_worker_after_two,
    )
    assert killed, "no worker was killed"
    assert report.retries >= 1
    assert report.count("done") == 24 and not report.failures
    assert len(list((tmp_path / "out").rglob("*.en.txt"))) == 24


def test_ray_cli_bad_file_interrupt_and_resume(copy_model_dir: Path, tmp_path: Path) -> None:
    """Through the real command: a bad file gives exit 5; Ctrl-C exits 130 with nothing partial."""
    src, out = tmp_path / "in", tmp_path / "out"
    make_tree(src, 30)
    (src / "kaputt.txt").write_bytes(b"\x00\x01binary")
    env = {**os.environ, "TRANSLIT_CACHE_DIR": cache_with_conversions(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "translit", "batch", str(src), "-o", str(out), "-m", str(copy_model_dir)]
    cmd += ["--ray", "--workers", "2", "--group-size", "1", "--no-cache", "-e", "transformers"]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(out.rglob("*.en.txt"))) < 3:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(("translit-tmp", ".tmp"))]
    done = list(out.rglob("*.en.txt"))
    assert 3 <= len(done) < 30
    for path in done:
        assert path.read_text(encoding="utf-8").strip(), f"{path} is empty"
    finish = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, timeout=600, check=False)
    assert finish.returncode == 5, finish.stderr
    assert b"kaputt.txt: looks like a binary file" in finish.stderr
    assert len(list(out.rglob("*.en.txt"))) == 30


def test_ray_is_imported_only_with_the_ray_option(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 1)
    code = (
        "import sys\n"
        "from translit.cli import app\n"
        "try:\n"
        f"    app(['batch', {str(tmp_path / 'in')!r}, '-o', {str(tmp_path / 'out')!r}, '-m', {str(copy_model_dir)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('ray' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.stdout.strip().endswith("False"), proc.stderr


def test_ray_cli_refuses_an_unreachable_cluster(copy_model_dir: Path, tmp_path: Path) -> None:
    make_tree(tmp_path / "in", 1)
    cmd = [sys.executable, "-m", "translit", "batch", str(tmp_path / "in"), "-o", str(tmp_path / "out")]
    cmd += ["-m", str(copy_model_dir), "--ray", "127.0.0.1:1"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "translit: error: --ray: cannot start or join 127.0.0.1:1" in proc.stderr
    assert "Traceback" not in proc.stderr


SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"


def local_and_ray(folder: Path, article: str, output: str, **options: Any) -> None:
    """One article batched locally and on Ray (one worker) with the small translator and
    ``options``: both done, and the Ray outputs (markers included) the local ones byte for byte."""
    from translit.batch.ray_runner import RayOptions, run_on_ray

    (folder / "in").mkdir()
    (folder / "in" / "a.txt").write_text(article, encoding="utf-8")
    translation = Settings(model=str(SMALL), engine="transformers", cache=False, **options)
    driver = Translator(settings=translation)
    settings = BatchSettings(outputs=(output,), translation=translation, model_key=driver.model_key)
    local = run_local(plan_batch(folder / "in", folder / "local", settings), driver, settings)
    remote = run_on_ray(
        plan_batch(folder / "in", folder / "ray", settings), driver, settings, RayOptions(workers=1)
    )
    assert local.count("done") == remote.count("done") == 1 and not remote.failures
    assert outputs(folder / "ray") == outputs(folder / "local")


def test_ray_workers_honour_the_glossary(ray_instance, tmp_path: Path) -> None:
    """The glossary travels with the model: a Ray batch writes the local batch's bytes, term and all."""
    terms = tmp_path / "terms.tsv"
    terms.write_text("Hund\thound\n", encoding="utf-8")
    local_and_ray(tmp_path, "Ein Hund rennt über eine grüne Wiese.\n", "translation", glossary=(str(terms),))
    english = (tmp_path / "ray" / "a.en.txt").read_text(encoding="utf-8")
    assert "hound" in english and "dog" not in english


def test_ray_workers_use_the_driver_s_translation_memory(ray_instance, tmp_path: Path) -> None:
    """The memory is shipped with the batch (a copy, keyed by its identity and version): the
    workers give the remembered sentence ``by: memory``, as the local batch does."""
    import json

    from translit.memory import Entry, TranslationMemory

    path = tmp_path / "newsroom.sqlite3"
    memory = TranslationMemory(path)
    memory.add([Entry("Ein Hund rennt über eine grüne Wiese.", "A dog races across a meadow (edited).")])
    article = "Ein Hund rennt über eine grüne Wiese. Zwei Kinder spielen im Sand.\n"
    local_and_ray(tmp_path, article, "json", memory=str(path))
    units = json.loads((tmp_path / "ray" / "a.json").read_text(encoding="utf-8"))["units"]
    assert [u["by"] for u in units] == ["memory", "model"]
    assert units[0]["translation"] == "A dog races across a meadow (edited)."
