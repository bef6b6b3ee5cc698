"""Brief quality: ROUGE of translit's extractive summariser against lead-1 and lead-3.

The shared summarisation sets (``../shared/data/summ``): CNN/DailyMail (100 development
articles, the set the summariser was tuned on) and XSum (500 development articles, one-sentence
references), scored as ``translit eval summary`` scores them (ROUGE-1/2/Lsum F1, stemmed), with
three sentences per brief for CNN/DailyMail and one for XSum, as their references are long.

    python bench/briefs.py [--record]
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUMM = REPO.parent / "shared" / "data" / "summ"
SETS = (("cnndm_dev100.jsonl", 3), ("xsum_dev500.jsonl", 1))


def main() -> None:
    """Score each set and print one table per set."""
    from translit import evaluate
    from translit.translator import get_summarizer

    summarizer = get_summarizer()
    for name, sentences in SETS:
        result = evaluate.evaluate_summarizer(SUMM / name, summarizer, sentences=sentences)
        print(f"{name} ({result.rows} articles), translit with --sentences {sentences}")
        print(f"{'system':24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-Lsum':>10}")
        for system, scores in result.systems.items():
            print(f"{system:24} {scores.rouge1:8.2f} {scores.rouge2:8.2f} {scores.rougeLsum:10.2f}")
        print()


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("briefs", main)
