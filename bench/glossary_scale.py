"""How a glossary's size costs: load time and one sentence's translation with a huge glossary.

    python bench/glossary_scale.py [--entries 1000000] [--repeats 3]

Writes a CSV glossary of ``--entries`` made-up terms (a tenth of them literal, like ``Term12.x``),
then, as whole processes (``translit translate -t SENTENCE --model COPY``, the copy model, no
cache), the median wall time without a glossary (the baseline of the same run) and with it, and
in-process the median load time (:func:`translit.glossary.load_glossary`). Prints the ratio.

Then, in one process and after the load, what a sentence costs with the glossary against
without it: the first (which also loads lemminflect's English tables, once per process, whatever
the glossary's size) and the median of the next ``--repeats`` different sentences — the cost
that grows with the text, not with the glossary.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from startup import seconds  # bench/startup.py: a whole process's median time, after a warm-up

REPO = Path(__file__).resolve().parent.parent
COPY = REPO / "tests" / "fixtures" / "models" / "copy-de"
SENTENCE = "Der Hund des Bischofs von Myra lief über die Straße."
NEXT = ("Wiese", "Brücke", "Mauer", "Küste", "Grenze", "Halle", "Treppe", "Quelle", "Wolke")
"""Where the next sentences' dogs run (a sentence unlike the one before: nothing is reused)."""


def write_glossary(path: Path, entries: int) -> None:
    """``entries`` made-up German terms with English renderings, and the sentence's "Hund"."""
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyzäöü"
    with path.open("w", encoding="utf-8") as out:
        out.write("Hund,hound\n")
        for i in range(entries - 1):
            word = "".join(rng.choice(letters) for _ in range(rng.randint(5, 12))).capitalize()
            suffix = ".x" if i % 10 == 0 else ""
            out.write(f"{word}{i}{suffix},{word.lower()}{i}{suffix}\n")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from translit.glossary import load_glossary

    with tempfile.TemporaryDirectory() as folder:
        glossary = Path(folder) / "terms.csv"
        write_glossary(glossary, args.entries)
        size = glossary.stat().st_size / 1e6
        loads = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            loaded = load_glossary([glossary])
            loads.append(time.perf_counter() - started)
        assert len(loaded.entries) == args.entries
        base = [
            sys.executable,
            "-m",
            "translit",
            "translate",
            "--no-cache",
            "--model",
            str(COPY),
            "-t",
            SENTENCE,
        ]
        plain = seconds(base, args.repeats)
        with_glossary = seconds([*base, "--glossary", str(glossary)], args.repeats)
        after_load = sentences_after_load(glossary, args.repeats)
    print(f"glossary: {args.entries:,} entries, {size:.1f} MB")
    print(f"load (in process, median of {args.repeats}): {statistics.median(loads):.2f} s")
    print(f"translate one sentence: plain {plain:.2f} s, with the glossary {with_glossary:.2f} s")
    print(f"ratio: {with_glossary / plain:.1f}x; over the plain run: {with_glossary - plain:.2f} s")
    first, plain_next, glossary_next = after_load
    print(f"in one process, after the load: the first sentence {first:.2f} s over plain (lemminflect's")
    print(f"  tables, loaded once per process by any glossary); the next, median of {args.repeats}:")
    print(f"  plain {plain_next * 1000:.1f} ms, with the glossary {glossary_next * 1000:.1f} ms")


def sentences_after_load(glossary: Path, repeats: int) -> tuple[float, float, float]:
    """In one process, the glossary loaded: the first sentence's time over a plain run's, and the
    median time of the next ``repeats`` sentences, plain and with the glossary."""
    import translit

    def timed(translator: translit.Translator, text: str) -> float:
        started = time.perf_counter()
        translator.translate(text)
        return time.perf_counter() - started

    plain = translit.Translator(str(COPY), cache=False)
    glossed = translit.Translator(str(COPY), cache=False, glossary=[glossary])
    timed(plain, SENTENCE)  # the engine loaded
    assert glossed.glossary  # the load, not timed here
    first = timed(glossed, SENTENCE) - timed(plain, SENTENCE)
    sentences = [SENTENCE.replace("Straße", place) for place in NEXT[:repeats]]
    # Each sentence with the glossary first, then plain: anything one run leaves warm helps plain.
    pairs = [(timed(glossed, s), timed(plain, s)) for s in sentences]
    return first, statistics.median(p for _g, p in pairs), statistics.median(g for g, _p in pairs)


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("glossary_scale", main)
