"""Sentence splitter: boundary recall and precision on held-out documents, against a baseline.

Gold data: the German sides of FLORES-200 devtest and NTREX-128 in ``../shared/data/parallel``
(one segment per line, documents by ``.docids``). Each document's segments are joined with
single spaces into one paragraph; the splitter must find the segment boundaries again.
Only boundaries it *can* find count towards recall: those after a segment that ends in
terminal punctuation (a headline without a period cannot be recovered by any splitter).
A split inside a gold segment counts as false — an upper bound, since a few segments
hold two sentences; such splits are printed so they can be read.

The baseline is the splitter of an earlier commit, loaded from git (default: the last
commit before sentence units, d0afdea), so "better than before" is measured, not claimed.

    python bench/splitter.py                   # both sets, current vs baseline
    python bench/splitter.py --baseline HEAD~3 --show 20
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARALLEL = REPO.parent / "shared" / "data" / "parallel"
SETS = ("flores200-devtest", "ntrex128-newstest2019-enorig")
CASES = REPO / "tests" / "data" / "splitter_cases.tsv"
BASELINE = "d0afdea"
_TERMINAL = re.compile(r"[.!?…][\"'“”‘’«»)\]]*$")

Splitter = Callable[[str], list[str]]


def documents(name: str) -> list[list[str]]:
    """The segments of each document of a set, in order."""
    lines = (PARALLEL / f"{name}.de").read_text(encoding="utf-8").splitlines()
    ids = (PARALLEL / f"{name}.docids").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines, strict=True):
        line = " ".join(line.split())
        if line:
            docs.setdefault(doc, []).append(line)
    return list(docs.values())


def baseline_splitter(revision: str) -> Splitter:
    """``split_sentences`` as it was at ``revision`` (translit/segment.py then)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:translit/segment.py"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_segment.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_segment", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_segment"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.split_sentences  # type: ignore[no-any-return]


def cases() -> list[list[str]]:
    """translit's German trap cases: each line's sentences, TAB-separated."""
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def offsets(paragraph: str, sentences: list[str]) -> set[int]:
    """Start offsets of every sentence but the first."""
    found, cursor = set(), 0
    for i, sentence in enumerate(sentences):
        cursor = paragraph.index(sentence, cursor)
        if i:
            found.add(cursor)
        cursor += len(sentence)
    return found


def evaluate(split: Splitter, docs: list[list[str]]) -> dict:
    """Recall of recoverable boundaries, false splits, and the false splits themselves."""
    gold_total = hit = predicted = false = 0
    false_examples = []
    started = time.perf_counter()
    for segments in docs:
        paragraph = " ".join(segments)
        gold, recoverable, cursor = set(), set(), 0
        for i, segment in enumerate(segments):
            if i:
                gold.add(cursor)
                if _TERMINAL.search(segments[i - 1]):
                    recoverable.add(cursor)
            cursor += len(segment) + 1
        found = offsets(paragraph, split(paragraph))
        gold_total += len(recoverable)
        hit += len(found & recoverable)
        predicted += len(found)
        for position in sorted(found - gold):
            false += 1
            false_examples.append(paragraph[max(0, position - 50) : position + 30])
    return {
        "recall": hit / max(1, gold_total),
        "missed": gold_total - hit,
        "boundaries": gold_total,
        "false": false,
        "precision": (predicted - false) / max(1, predicted),
        "seconds": time.perf_counter() - started,
        "false_examples": false_examples,
    }


def main() -> None:
    """Evaluate the current splitter and the baseline on both sets."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline splitter")
    parser.add_argument("--show", type=int, default=10, help="false splits to print per splitter")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from translit.segment import split_sentences

    splitters = {f"baseline ({args.baseline})": baseline_splitter(args.baseline), "current": split_sentences}
    columns = f"{'set':32} {'splitter':22} {'boundaries':>10} {'recall':>7} {'missed':>6}"
    print(f"{columns} {'false':>5} {'precision':>9}")
    shown: dict[str, list[str]] = {}
    for name in SETS:
        docs = documents(name)
        for label, split in splitters.items():
            r = evaluate(split, docs)
            print(
                f"{name:32} {label:22} {r['boundaries']:10d} {r['recall']:7.2%} {r['missed']:6d} "
                f"{r['false']:5d} {r['precision']:9.2%}"
            )
            shown.setdefault(label, []).extend(r["false_examples"])
    print(f"\n{CASES.relative_to(REPO)}: paragraphs split exactly right")
    trap = cases()
    for label, split in splitters.items():
        right = sum(split(" ".join(parts)) == parts for parts in trap)
        print(f"  {label:22} {right}/{len(trap)}")
    (old_label, old), (new_label, new) = shown.items()
    added = [e for e in new if e not in set(old)]
    dropped = [e for e in old if e not in set(new)]
    print(f"\nsplits inside a gold segment that only {new_label} makes ({len(added)}; read them):")
    for example in added[: args.show]:
        print("   …" + example + "…")
    print(f"\nsplits inside a gold segment that only {old_label} makes ({len(dropped)}):")
    for example in dropped[: args.show]:
        print("   …" + example + "…")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("splitter", main)
