"""Vocabulary shortlist benchmark: speed against raw CTranslate2, quality on the real small models.

Speed — on bench/engines.py's random-weight model of opus-mt-de-en's exact shape (vocabulary
58,101), CTranslate2 int8, the sample article's sentence units, every output forced to 1.1x
its batch's longest source, two one-thread workers, in one process, variants interleaved,
medians of --reps:

  (d) raw ctranslate2 translate_batch, full vocabulary, translit's batches and workers
  (v) the same with use_vmap (raw CTranslate2 as its docs advise, with translit's map)
  (s) translit's CTranslate2 engine with the shortlist (what a user gets once it is built)

A random model's translations say nothing about which target pieces a sentence needs, so its
map is built by translit's own builder (same defaults) from the shared parallel news, with
the references' pieces standing in for the model's translations; the table gives the target
pieces a batch may use, which is what the speed depends on.

Quality — the two small real translators (tests/fixtures/models): a shortlist built by
translit (``translit models convert --shortlist``) from Multi30k's training captions, at
several corpus sizes; its check's verdict, coverage, and BLEU/chrF on the held-out Multi30k
validation set with and without it, at beam 4 and greedily.

    python bench/shortlist.py              # about 10 minutes on 2 cores
    python bench/shortlist.py --reps 5 --skip-quality
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engines as opus_bench  # bench/engines.py: the opus-mt-shaped model

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
PARALLEL = REPO.parent / "shared" / "data" / "parallel"
MULTI30K = PARALLEL / "multi30k"
MODELS = REPO / "tests" / "fixtures" / "models"


def speed(reps: int, threads: int) -> None:
    import ctranslate2

    from translit.engines import DEFAULT_MAX_BATCH_TOKENS, ct2
    from translit.engines.batching import plan_batches, spread_batches
    from translit.engines.forced import ForcedLength

    opus_bench.build_model()
    vmap = opus_bench.build_shortlisted()
    folder = opus_bench.SHORTLISTED

    engine = ct2.CTranslate2Engine(folder, "opus-shaped", threads=threads, vocabulary_map=True)
    units = opus_bench.sample_units(engine)
    sources = [[*engine.pieces.encode(u), "</s>"] for u in units]
    lengths = [len(s) for s in sources]
    raw = ctranslate2.Translator(str(folder), device="cpu", intra_threads=1, inter_threads=threads)

    print(
        f"map: {vmap.pieces:,} of {len(engine.pieces.vocab):,} target pieces; "
        f"{len(vmap.always)} always allowed",
        flush=True,
    )
    print(
        f"\nSample article ({len(units)} units), output forced to {opus_bench.FORCE_RATIO}x, "
        f"{threads} one-thread workers, median of {reps}, one process, interleaved:\n"
    )
    print(
        f"{'beam':>4} {'pieces/batch':>12} {'(d) raw s':>10} {'(v) vmap s':>11} {'(s) translit s':>15} "
        f"{'(d)/(v)':>8} {'(d)/(s)':>8}"
    )
    for beams in (4, 1):
        options = ForcedLength(
            beams=beams,
            batch_size=32,
            max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS,
            ratio=opus_bench.FORCE_RATIO,
        )
        batches = list(plan_batches(lengths, *spread_batches(lengths, options, threads)))
        widths = [len(vmap.candidates(p for i in b for p in sources[i])) for b in batches]

        def raw_run(use_vmap: bool, batches=batches, beams=beams) -> float:
            t0 = time.perf_counter()
            opus_bench.raw_decode(raw, sources, batches, beams, use_vmap)
            return time.perf_counter() - t0

        def translit_run(options=options) -> float:
            t0 = time.perf_counter()
            engine.translate_batch(units, options)
            return time.perf_counter() - t0

        times: dict[str, list[float]] = {"d": [], "v": [], "s": []}
        raw_run(False), raw_run(True), translit_run()  # warm-up
        for _ in range(reps):
            times["d"].append(raw_run(False))
            times["v"].append(raw_run(True))
            times["s"].append(translit_run())
        d, v, s = (statistics.median(times[k]) for k in "dvs")
        print(
            f"{beams:>4} {statistics.mean(widths):>12,.0f} {d:>10.2f} {v:>11.2f} {s:>15.2f} "
            f"{d / v:>8.2f} {d / s:>8.2f}",
            flush=True,
        )


def quality(sizes: list[int]) -> None:
    from sacrebleu.metrics import BLEU, CHRF

    from translit.engines import DecodeOptions, ct2
    from translit.errors import ModelError

    val = (MULTI30K / "val.de").read_text(encoding="utf-8").splitlines()
    refs = (MULTI30K / "val.en").read_text(encoding="utf-8").splitlines()
    train = (MULTI30K / "train.de").read_text(encoding="utf-8").splitlines()
    print("\nQuality: Multi30k validation (1,014 held-out captions), map built from N training captions\n")
    print(
        f"{'model':18} {'N':>6} {'verdict':>8} {'pieces/sent':>11} {'coverage':>8} {'loss b/g':>14} "
        f"{'BLEU b4 full→map':>17} {'BLEU greedy':>14} {'chrF b4':>14} {'speed b4':>8}"
    )
    for name in ("mt-de-en-small", "mt-de-en-startrow"):
        converted = ct2.convert(MODELS / name, "int8")
        for size in sizes:
            folder = OUT / f"{name}-shortlist"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(converted, folder)
            try:
                record = ct2.build_shortlist(folder, train[:size])
            except ModelError as exc:
                print(f"{name:18} {size:>6} refused before building: {exc}", flush=True)
                break
            engine = ct2.CTranslate2Engine(folder, name, vocabulary_map=True)
            row = []
            seconds = {}
            for beams in (4, 1):
                texts = {}
                for use in (False, True):
                    t0 = time.perf_counter()
                    outputs = engine.translate_batch(val, DecodeOptions(beams=beams, shortlist=use))
                    seconds[beams, use] = time.perf_counter() - t0
                    texts[use] = [o.text for o in outputs]
                bleu = [BLEU().corpus_score(texts[u], [refs]).score for u in (False, True)]
                chrf = [CHRF().corpus_score(texts[u], [refs]).score for u in (False, True)]
                row.append((bleu, chrf))
            (b4, c4), (g, _) = row
            verdict = "passed" if record.usable else "refused"
            print(
                f"{name:18} {size:>6} {verdict:>8} {record.mean_candidates:>11,.0f} {record.coverage:>8.1%} "
                f"{record.check.score_loss_beam:>6.4f}/{record.check.score_loss_greedy:<7.4f} "
                f"{b4[0]:>7.2f}→{b4[1]:<8.2f} {g[0]:>6.2f}→{g[1]:<6.2f} {c4[0]:>6.2f}→{c4[1]:<6.2f} "
                f"{seconds[4, False] / seconds[4, True]:>7.2f}x",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--sizes", default="1000,3000,10000,20000", help="corpus sizes for the quality table")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TRANSLIT_CACHE_DIR", str(OUT / "cache"))
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_speed:
        speed(args.reps, args.threads)
    if not args.skip_quality:
        quality([int(n) for n in args.sizes.split(",")])


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("shortlist", main)
