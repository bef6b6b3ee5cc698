"""What int8 costs: CTranslate2 int8 against float32 on the repo's small real translators.

    python bench/int8.py [--limit 300] [--runs 3]

Engine only (no guards), beam 4, Multi30k validation from ../shared; BLEU/chrF (sacrebleu)
of each, and the median seconds of ``--runs`` passes with int8's speed as a ratio to float32.
The first row of each model is the original, on transformers, so that the (checked)
conversions can be compared with what they were converted from; ``mt-de-en-startrow`` is the
model whose decoder-start row is not zero.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import sacrebleu

from translit.engines import DecodeOptions, conversion, ct2, get_engine

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "parallel" / "multi30k"
MODELS = [REPO / "tests" / "fixtures" / "models" / name for name in ("mt-de-en-small", "mt-de-en-startrow")]


def main() -> None:
    """Print BLEU, chrF and speed of float32 and int8 for each model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = (DATA / "val.de").read_text(encoding="utf-8").splitlines()[: args.limit]
    reference = (DATA / "val.en").read_text(encoding="utf-8").splitlines()[: args.limit]
    print(f"{'model':22} {'engine/type':12} {'BLEU':>6} {'chrF':>6} {'seconds':>8} {'speed':>6}")
    for model in MODELS:
        seconds: dict[str, float] = {}
        for quantization in ("transformers", "float32", "int8"):
            if quantization == "transformers":
                engine = get_engine(str(model), engine="transformers")
            else:
                wanted = conversion.converted_dir(model, quantization)
                if conversion.find_converted(model, quantization) != wanted:
                    ct2.convert(model, quantization)
                engine = get_engine(str(model), engine="ctranslate2", quantization=quantization)
            times, outputs = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                outputs = engine.translate_batch(source, DecodeOptions(beams=4))
                times.append(time.perf_counter() - started)
            hypotheses = [o.text for o in outputs]
            bleu = sacrebleu.corpus_bleu(hypotheses, [reference]).score
            chrf = sacrebleu.corpus_chrf(hypotheses, [reference]).score
            seconds[quantization] = statistics.median(times)
            taken = seconds[quantization]
            speed = "" if quantization == "transformers" else f"×{seconds['float32'] / taken:.2f}"
            print(f"{model.name:22} {quantization:12} {bleu:6.2f} {chrf:6.2f} {taken:8.2f} {speed}")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("int8", main)
