"""What Ray costs: a local batch against ``--ray`` with one and two workers, same process.

The 118 WMT20 articles of ``../shared/data/de_news/wmt20`` are translated with the copy model
(CTranslate2, as ``--engine auto`` gives it) three ways, each into a fresh output folder and
without the translation cache:

  local      translit.batch.run_local, the engine loaded inside the timing, default threads
             (all usable cores: two CTranslate2 workers here)
  local x1   the same with one thread (one CTranslate2 worker)
  ray x1     run_on_ray, 1 worker with 1 thread
  ray x2     run_on_ray, 2 workers with 1 thread each

One local Ray instance (``num_cpus=2``) is started first and its start-up timed on its own;
each Ray run includes starting its actors and shipping the model to them, which is what
every ``--ray`` batch pays. Variants are interleaved and repeated; medians are reported.

    python bench/ray_scaling.py [--reps 3]

Targets (issue 14): Ray's overhead ``(ray x1 - local x1) / documents`` at most 20 ms (one
thread each, so that only Ray differs), and ``ray x2`` within 1.2x the local batch on 2 cores.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "tests" / "fixtures" / "models" / "copy-de"
WMT20 = REPO.parent / "shared" / "data" / "de_news" / "wmt20"


def main() -> None:
    """Time the three variants and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    logging.getLogger("translit").setLevel(logging.ERROR)

    import ray

    from translit import Settings, Translator
    from translit.batch import BatchSettings, plan_batch, run_local
    from translit.batch.ray_runner import RayOptions, run_on_ray

    work = Path(tempfile.mkdtemp(prefix="translit-bench-ray-"))
    os.environ["TRANSLIT_CACHE_DIR"] = str(work / "cache")
    source = work / "in"
    source.mkdir()
    files = sorted(WMT20.glob("*.txt"))
    for path in files:
        shutil.copy(path, source / path.name)
    documents = len(files)
    translation = Settings(model=str(MODEL), cache=False)
    # Converts the copy model for CTranslate2 once, outside the timings.
    _ = Translator(settings=translation).engine
    settings = BatchSettings(
        outputs=("translation",),
        translation=translation,
        model_key=Translator(settings=translation).model_key,
    )

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray_start = time.perf_counter() - started

    single = work / "one"
    single.mkdir()
    shutil.copy(files[0], single / files[0].name)

    def local(folder: Path, count: int, threads: int | None = None) -> Callable[[Path], None]:
        def run(out: Path) -> None:
            translator = Translator(settings=translation.but(threads=threads))
            report = run_local(plan_batch(folder, out, settings), translator, settings)
            assert report.count("done") == count, report.failures[:1]

        return run

    def on_ray(folder: Path, count: int, workers: int) -> Callable[[Path], None]:
        options = RayOptions(workers=workers, threads_per_worker=1)

        def run(out: Path) -> None:
            report = run_on_ray(
                plan_batch(folder, out, settings), Translator(settings=translation), settings, options
            )
            assert report.count("done") == count, report.failures[:1]

        return run

    # One-document runs give the fixed costs (engine load; actors starting, model shipped).
    variants = {
        "local": local(source, documents),
        "local x1": local(source, documents, 1),
        "ray x1": on_ray(source, documents, 1),
        "ray x2": on_ray(source, documents, 2),
        "local x1, 1 doc": local(single, 1, 1),
        "ray x1, 1 doc": on_ray(single, 1, 1),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for rep in range(args.reps):
            for name, variant in variants.items():
                out = work / f"out-{rep}-{name.replace(' ', '')}"
                began = time.perf_counter()
                variant(out)
                times[name].append(time.perf_counter() - began)
                print(f"rep {rep + 1}: {name:7} {times[name][-1]:6.2f} s", file=sys.stderr)
    finally:
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["local"]
    print(f"{documents} documents, copy model (CTranslate2), medians of {args.reps} runs")
    print(f"Ray local instance start-up: {ray_start:.2f} s (once per --ray run)")
    print(f"{'variant':14} {'seconds':>8} {'x local':>8} {'docs/s':>7}")
    for name in ("local", "local x1", "ray x1", "ray x2"):
        seconds = median[name]
        print(f"{name:14} {seconds:8.2f} {seconds / base:8.2f} {documents / seconds:7.1f}")
    for name in ("local x1, 1 doc", "ray x1, 1 doc"):
        print(f"{name:14} {median[name]:8.2f}")
    one = median["local x1"]
    overhead = (median["ray x1"] - one) / documents * 1000
    print(f"Ray overhead per document (ray x1 - local x1) / {documents}: {overhead:.1f} ms (target <= 20)")
    fixed = median["ray x1, 1 doc"] - median["local x1, 1 doc"]
    per_document = (median["ray x1"] - one - fixed) / (documents - 1) * 1000
    print(f"  of which fixed per run (actors start, model shipped): {fixed:.2f} s")
    print(f"  and per document beyond that: {per_document:.1f} ms")
    ratio = median["ray x2"] / base
    print(f"ray x2 / local: {ratio:.2f} (target <= 1.2)")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("ray_scaling", main)
