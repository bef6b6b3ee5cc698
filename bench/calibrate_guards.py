"""Calibrate the omission guard's length band on human reference translations.

For every German segment of the line-aligned test sets in ``../shared/data/parallel``
(newstest2020 with both references, FLORES-200 devtest, NTREX-128, Tatoeba) the ratio
``English characters / German characters`` is computed (whitespace collapsed). Segments
are bucketed by source length, because short segments vary far more than paragraphs. Per
bucket the band is the 0.5 % to 99.5 % quantile range of the ratio, widened by 10 % on each
side (a model's output varies a little more than a human's). A unit whose output falls
outside its bucket's band is flagged (``length_ratio``).

The confidence threshold (``flag_below``) depends on the model, so it is calibrated per model:
with ``--model``, the model translates ``--source`` (held-out sentences of its own domain)
and the script prints the score distribution, mean chrF per score bucket (with
``--reference``), and the 1st percentile as the suggested ``flag_below`` — the units a reader
should check are then about the least confident 1 % of normal text. translit's built-in
default (-1.4, used for models whose models.toml entry sets none) comes from the small real
translator in tests/fixtures:

    python bench/calibrate_guards.py            # print the table, write translit/data/length_bands.json
    python bench/calibrate_guards.py --check    # print only
    python bench/calibrate_guards.py --model tests/fixtures/models/mt-de-en-small \
        --source ../shared/data/parallel/multi30k/val.de --reference ../shared/data/parallel/multi30k/val.en
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARALLEL = REPO.parent / "shared" / "data" / "parallel"
OUT = REPO / "translit" / "data" / "length_bands.json"
SETS = (
    ("newstest2020-deen", ("en", "refB.en")),
    ("flores200-devtest", ("en",)),
    ("ntrex128-newstest2019-enorig", ("en",)),
    ("tatoeba-test-v2021-08-07", ("en",)),
)
EDGES = (1, 20, 40, 80, 160, 320, 640, 1_000_000)
LOW_Q, HIGH_Q, MARGIN = 0.005, 0.995, 0.10


def _squash(text: str) -> str:
    return " ".join(text.split())


def ratios() -> list[tuple[int, float]]:
    """(source characters, target/source ratio) for every aligned pair of every set."""
    pairs: list[tuple[int, float]] = []
    for name, references in SETS:
        german = (PARALLEL / f"{name}.de").read_text(encoding="utf-8").splitlines()
        for suffix in references:
            english = (PARALLEL / f"{name}.{suffix}").read_text(encoding="utf-8").splitlines()
            for de, en in zip(german, english, strict=True):
                de, en = _squash(de), _squash(en)
                if de and en:
                    pairs.append((len(de), len(en) / len(de)))
    return pairs


def quantile(values: list[float], q: float) -> float:
    """Linear-interpolated quantile (as numpy's default)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def calibrate_confidence(model: str, source: Path, reference: Path | None, beams: int) -> None:
    """Print a model's score distribution on ``source`` and the suggested flag_below."""
    import sys

    sys.path.insert(0, str(REPO))
    import translit
    from translit.engines import DecodeOptions

    engine = translit.get_engine(model, engine="transformers")
    texts = [_squash(line) for line in source.read_text(encoding="utf-8").splitlines()]
    keep = [i for i, t in enumerate(texts) if t]
    outputs = engine.translate_batch([texts[i] for i in keep], DecodeOptions(beams=beams, batch_size=32))
    scores = [o.score or 0.0 for o in outputs]
    print(f"{model} on {source} ({len(scores)} segments, beam {beams})")
    print(
        "score quantiles: " + "  ".join(f"q{q:g}% {quantile(scores, q / 100):.3f}" for q in (1, 2, 5, 25, 50))
    )
    if reference is not None:
        from sacrebleu.metrics import CHRF

        refs = reference.read_text(encoding="utf-8").splitlines()
        chrf = [CHRF().sentence_score(o.text, [refs[i]]).score for o, i in zip(outputs, keep, strict=True)]
        print(f"\n{'score bucket':>16} {'segments':>8} {'mean chrF':>9}")
        edges = (-99.0, -2.0, -1.5, -1.2, -1.0, -0.8, -0.6, -0.4, 0.01)
        for lo, hi in itertools.pairwise(edges):
            bucket = [c for s, c in zip(scores, chrf, strict=True) if lo <= s < hi]
            if bucket:
                print(f"{lo:7.1f} .. {hi:5.1f} {len(bucket):8d} {sum(bucket) / len(bucket):9.1f}")
    print(f"\nsuggested flag_below (1st percentile): {quantile(scores, 0.01):.2f}")


def main() -> None:
    """Compute the bands, print them, and write them unless --check; or calibrate a model."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="print only")
    parser.add_argument("--model", help="calibrate this model's flag_below instead (name or folder)")
    parser.add_argument("--source", type=Path, help="held-out source sentences, one per line")
    parser.add_argument("--reference", type=Path, help="their reference translations (optional)")
    parser.add_argument("--beams", type=int, default=4)
    args = parser.parse_args()
    if args.model:
        if not args.source:
            parser.error("--model needs --source")
        calibrate_confidence(args.model, args.source, args.reference, args.beams)
        return
    pairs = ratios()
    bands = []
    print(f"{len(pairs)} reference pairs\n")
    print(f"{'source chars':>14} {'pairs':>6} {'q0.5%':>6} {'median':>6} {'q99.5%':>6}   band")
    for lo, hi in itertools.pairwise(EDGES):
        bucket = [r for n, r in pairs if lo <= n < hi]
        low, mid, high = (quantile(bucket, q) for q in (LOW_Q, 0.5, HIGH_Q))
        band = {
            "min_chars": lo,
            "max_chars": hi,
            "low": round(low * (1 - MARGIN), 3),
            "high": round(high * (1 + MARGIN), 3),
            "pairs": len(bucket),
        }
        bands.append(band)
        label = f"{lo}-{hi - 1}" if hi < EDGES[-1] else f"{lo}+"
        print(
            f"{label:>14} {len(bucket):6d} {low:6.2f} {mid:6.2f} {high:6.2f}   "
            f"{band['low']:.2f} – {band['high']:.2f}"
        )
    if not args.check:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "how": "bench/calibrate_guards.py: per source-length bucket, the 0.5-99.5 % quantile range of "
            "English/German character ratios of human references in ../shared/data/parallel, widened 10 %",
            "bands": bands,
        }
        OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    # The length bands and a model's confidence threshold are two results.
    run("calibrate_guards" + ("-model" if "--model" in sys.argv else ""), main)
