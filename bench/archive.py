"""An archive's cost: the 1,269 shared articles end to end, and what 100,000 take with opus-mt.

1. **End to end**, with a real learned translator (``tests/fixtures/models/mt-de-en-small``):
   ``translit batch ../shared/data/de_news -o OUT --outputs translation,brief,json`` with the
   default settings (cross-document batches, resume markers, atomic writes), in a fresh
   process and a fresh cache; then the same command again (everything resumed: the cost of
   looking). Articles per hour, and the share of the time that is not the model's.
2. **opus-mt's decoding cost** on a sample of the same articles (every 20th): translit's
   pipeline (``translate_many``, the defaults: beam 4, sentence units) on bench/engines.py's
   model of opus-mt-de-en's exact shape (random weights, every output forced to 1.1x its
   batch's longest source), with and without the vocabulary shortlist of bench/shortlist.py,
   and the small translator on the same sample.
3. **The estimate**: an article with opus-mt costs step 2's pipeline time (segmenting, decoding,
   guards, assembling: all but the files) plus step 1's cost of the files (the resumed rerun:
   reading every input and checking its markers; writing is a few small files); with Ray's
   per-worker efficiency (bench/ray_scaling.py's recorded result: two one-thread workers'
   time over the local batch's, read from bench/results/ray_scaling.md) this gives machines
   like this one for 100,000 articles in one 8-hour night. Step 1's own time is the small
   caption model's, which loops on news and is decoded again (hundreds of units), so it is no
   guide to opus-mt's.

Run ``python bench/shortlist.py`` first (it builds the opus-shaped model and its map).

    python bench/archive.py            # about 15 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engines as opus_bench  # bench/engines.py: the opus-mt-shaped model

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
NEWS = REPO.parent / "shared" / "data" / "de_news"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
SHORTLISTED = OUT / "opus-shaped-shortlist"


def ray_efficiency() -> float:
    """What a Ray worker does of a local one's work: 1 / (two one-thread workers' time over the
    local batch's), read from bench/ray_scaling.py's recorded result, so no figure is typed here."""
    result = REPO / "bench" / "results" / "ray_scaling.md"
    text = result.read_text(encoding="utf-8") if result.is_file() else ""
    found = re.search(r"ray x2 / local: ([\d.]+)", text)
    if found is None:
        sys.exit(f"{result}: no 'ray x2 / local' ratio; run `python bench/ray_scaling.py --record` first")
    return 1 / float(found.group(1))


NIGHT_HOURS = 8
ARCHIVE = 100_000


def end_to_end(out: Path, every: int = 1) -> tuple[int, float, float]:
    """(articles, seconds for the batch, seconds for the resumed rerun), over every ``every``-th
    shared article (copied to a folder of their own when not all)."""
    translit = Path(sys.executable).parent / "translit"
    shutil.rmtree(out, ignore_errors=True)
    source = NEWS
    if every > 1:
        source = OUT / "archive-sample"
        shutil.rmtree(source, ignore_errors=True)
        for path in sorted(NEWS.rglob("*.txt"))[::every]:
            target = source / path.relative_to(NEWS)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    env = {**os.environ, "TRANSLIT_CACHE_DIR": str(OUT / "archive-cache")}
    shutil.rmtree(OUT / "archive-cache", ignore_errors=True)
    command = [str(translit), "batch", str(source), "-o", str(out), "--model", str(SMALL)]
    command += ["--outputs", "translation,brief,json", "--no-cache"]
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    articles = len(list(source.rglob("*.txt")))
    return articles, times[0], times[1]


def decoding(sample: list[str]) -> dict[str, float]:
    """Seconds translit's pipeline takes for ``sample``, per model."""
    import translit
    from translit.engines import DEFAULT_MAX_BATCH_TOKENS, DecodeOptions, ct2
    from translit.engines.forced import ForcedLength

    seconds = {}
    small = translit.get_engine(str(SMALL), engine="ctranslate2")
    t0 = time.perf_counter()
    translit.translate_many(
        sample, engine=small, options=DecodeOptions(max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS)
    )
    seconds["small"] = time.perf_counter() - t0
    engine = ct2.CTranslate2Engine(
        SHORTLISTED, "opus-shaped", threads=len(os.sched_getaffinity(0)), vocabulary_map=True
    )
    for name, use in (("opus", False), ("opus+shortlist", True)):
        options = ForcedLength(
            beams=4,
            batch_size=64,
            max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS,
            ratio=opus_bench.FORCE_RATIO,
            shortlist=use,
        )
        t0 = time.perf_counter()
        translit.translate_many(sample, engine=engine, options=options, normalize=opus_bench.NORMALIZE)
        seconds[name] = time.perf_counter() - t0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--every", type=int, default=20, help="sample every N-th article for step 2")
    parser.add_argument(
        "--batch-every", type=int, default=1, help="step 1 on every N-th article only (1: all 1,269)"
    )
    args = parser.parse_args()
    os.environ.setdefault("TRANSLIT_CACHE_DIR", str(OUT / "cache"))
    if not (SHORTLISTED / "vmap.txt").is_file():
        raise SystemExit("run python bench/shortlist.py first (it builds the opus-shaped model and its map)")
    articles, batch_s, resumed_s = end_to_end(OUT / "archive-english", args.batch_every)
    files = sorted(NEWS.rglob("*.txt"))
    sample = [p.read_text(encoding="utf-8") for p in files[:: args.every]]
    seconds = decoding(sample)
    per_article = {k: v / len(sample) for k, v in seconds.items()}
    files_cost = resumed_s / articles
    print(f"1. End to end, {articles} articles, mt-de-en-small, default settings, all outputs:")
    print(
        f"   {batch_s:.0f} s -> {articles / batch_s * 3600:,.0f} articles/hour; "
        f"resumed rerun {resumed_s:.1f} s"
    )
    print(f"   files (the resumed rerun): {files_cost * 1000:.1f} ms per article")
    print(f"\n2. Decoding {len(sample)} sampled articles (translate_many, beam 4):")
    for name, value in seconds.items():
        print(f"   {name:16} {value:7.1f} s   {per_article[name]:.2f} s/article")
    print("\n3. opus-mt on this machine (2 cores), the pipeline + the files:")
    efficiency = ray_efficiency()
    for name in ("opus", "opus+shortlist"):
        cost = files_cost + per_article[name]
        rate = 3600 / cost
        machines = math.ceil(ARCHIVE / (rate * NIGHT_HOURS * efficiency))
        print(
            f"   {name:16} {cost:.2f} s/article = {rate:,.0f} articles/hour; "
            f"{ARCHIVE:,} articles in {NIGHT_HOURS} h: {machines} such machines (Ray efficiency "
            f"{efficiency:.2f}); one machine: {ARCHIVE / rate / 24:.1f} days"
        )


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("archive", main)
