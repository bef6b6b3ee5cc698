"""What the translation memory costs and saves.

    python bench/memory.py [--entries 100000] [--repeats 5] [--model DIR] [--record]

Builds a memory of ``--entries`` German sentences (Multi30k's and Tatoeba's, the 10kGNAD
articles' sentences, then numbered variants of them) with English sides, imported in one
transaction (timed). Then, in this process with the engine loaded once and no cache, the
median time to translate a WMT20 news article none of whose sentences is in the memory, with no
memory (the baseline of the same run) and with the memory: the cost of looking up every unit
exactly and for near matches. Last, the same article with all its sentences in the memory (a
rerun of an article an editor corrected): the time saved. Prints the ratios; ``--record`` also
writes them to ``bench/results/memory.md``, which the documentation shows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/record.py


def german_sentences(limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` (German, English) pairs, real sentences first."""
    from translit.segment import split_sentences

    pairs: list[tuple[str, str]] = []
    parallel = SHARED / "parallel"
    for de, en in [
        (parallel / "multi30k" / "train.de", parallel / "multi30k" / "train.en"),
        (parallel / "tatoeba-test-v2021-08-07.de", None),
    ]:
        english = en.read_text(encoding="utf-8").splitlines() if en else None
        for i, line in enumerate(de.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                pairs.append((line.strip(), english[i] if english else f"English of {line.strip()}"))
    for article in sorted((SHARED / "de_news" / "10kgnad").glob("*.txt")):
        for paragraph in article.read_text(encoding="utf-8").split("\n"):
            for sentence in split_sentences(" ".join(paragraph.split())):
                if len(sentence) > 20:
                    pairs.append((sentence, f"English of {sentence}"))
    seen: dict[str, str] = dict(pairs)
    real = list(seen.items())
    n = 0
    while len(seen) < limit:
        source, target = real[n % len(real)]
        seen[f"{source[:-1]} ({n // len(real) + 2}. Fassung)."] = f"{target} (version {n // len(real) + 2})"
        n += 1
    return list(seen.items())[:limit]


def article() -> str:
    """The longest WMT20 news article (German)."""
    files = sorted((SHARED / "de_news" / "wmt20").glob("*.txt"), key=lambda f: (-f.stat().st_size, f.name))
    return files[0].read_text(encoding="utf-8")


def median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--model", default=str(SMALL))
    parser.add_argument("--record", action="store_true", help="write bench/results/memory.md")
    args = parser.parse_args()

    import logging

    import translit
    from translit.memory import Entry, TranslationMemory

    logging.getLogger("translit").setLevel(logging.ERROR)  # the guards' notes, once per repeat

    text = article()
    with tempfile.TemporaryDirectory() as folder:
        memory = TranslationMemory(Path(folder) / "memory.sqlite3")
        plain = translit.Translator(args.model, cache=False, memory=False)
        units = [u.text for u in plain.translate(text).units]
        pairs = [p for p in german_sentences(args.entries + len(units)) if p[0] not in set(units)]
        pairs = pairs[: args.entries]
        started = time.perf_counter()
        memory.add(Entry(source, target, "tmx") for source, target in pairs)
        imported = time.perf_counter() - started
        remembered = plain.with_memory(memory)
        assert not any(r.by == "memory" for r in remembered.translate(text).unit_results)
        near = sum(r.near is not None for r in remembered.translate(text).unit_results)
        # Alternate the two, so that a busy moment of the machine costs both alike.
        off, on = [], []
        for _ in range(args.repeats):
            off.append(median_seconds(lambda: plain.translate(text), 1))
            on.append(median_seconds(lambda: remembered.translate(text), 1))
        baseline, with_memory = statistics.median(off), statistics.median(on)
        lookup = median_seconds(lambda: remembered.prepare([remembered.read(text)]), args.repeats)
        bare = median_seconds(lambda: plain.prepare([plain.read(text)]), args.repeats)

        memory.add(Entry(u, f"Edited English of {u}", "page") for u in units)
        assert all(r.by in ("memory", "copy") for r in remembered.translate(text).unit_results)
        rerun = median_seconds(lambda: remembered.translate(text), args.repeats)

    print(f"memory: {len(pairs):,} entries, imported in {imported:.1f} s; article: {len(units)} units")
    print(f"  near matches shown in the article: {near}")
    print(f"  translate, no memory:        {baseline:.3f} s (baseline)")
    print(f"  translate, memory, no match: {with_memory:.3f} s  ratio {with_memory / baseline:.3f}")
    print(f"  lookups alone: {(lookup - bare) * 1000:.1f} ms for {len(units)} units")
    print(f"  rerun, every unit in memory: {rerun:.3f} s  {baseline / rerun:.1f}x faster")
    if args.record:
        from record import record

        ratio = with_memory / baseline
        rows = [
            ("measure", "figure"),
            ("---", "---"),
            (f"importing {len(pairs):,} entries (one transaction, word index included)", f"{imported:.1f} s"),
            (
                f"translating a {len(units)}-unit WMT20 article none of whose sentences is in the memory",
                f"{baseline:.3f} s without a memory, {with_memory:.3f} s with it: "
                f"**ratio {ratio:.2f}** (goal ≤ 1.05)",
            ),
            (
                f"the lookups themselves (exact and near, {len(units)} units)",
                f"{(lookup - bare) * 1000:.1f} ms",
            ),
            (
                "the same article again, every sentence in the memory",
                f"{rerun:.3f} s: **{baseline / rerun:.0f}× faster** (nothing decoded)",
            ),
        ]
        table = "\n".join(f"| {a} | {b} |" for a, b in rows)
        print(f"recorded in {record('memory', table)}")


if __name__ == "__main__":
    main()
