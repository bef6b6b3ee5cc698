"""Why sentence units: what a real sentence-trained translator loses from longer input.

``mt-de-en-small`` (tests/fixtures) is a real German→English Marian trained, like opus-mt, on
single sentence pairs. Paragraphs of k Multi30k validation sentences (k = 1, 2, 3, 5, 8;
60 paragraphs each, the same draw for every variant) are translated three ways:

  raw        the model on the whole paragraph (what translit did before sentence units)
  paragraph  translit --unit paragraph: the same, behind the omission guard
  sentence   translit's default: every sentence on its own

and scored against the joined references (chrF, BLEU) plus the number of sentences missing
from the output (English sentence count below k). Beam 4, transformers engine.

    python bench/omissions.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"
MULTI30K = REPO.parent / "shared" / "data" / "parallel" / "multi30k"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def main() -> None:
    """Run the three variants for each k and print a table."""
    sys.path.insert(0, str(REPO))
    import logging

    from sacrebleu.metrics import BLEU, CHRF

    import translit
    from translit.engines import DecodeOptions
    from translit.engines.marian import load_marian
    from translit.summarize import split_english_sentences

    logging.getLogger("translit").setLevel(logging.ERROR)
    engine = load_marian(MODEL, "mt-de-en-small")
    german = (MULTI30K / "val.de").read_text(encoding="utf-8").splitlines()
    english = (MULTI30K / "val.en").read_text(encoding="utf-8").splitlines()
    options = DecodeOptions(beams=4, batch_size=32)
    rng = random.Random(1)
    head = f"{'k':>2} {'variant':10} {'chrF':>6} {'BLEU':>6}"
    print(f"{head} {'sentences lost':>15} {'units redone':>13} {'flagged':>8}")
    for k in (1, 2, 3, 5, 8):
        draws = [rng.sample(range(len(german)), k) for _ in range(60)]
        sources = [" ".join(_sentence(german[i]) for i in draw) for draw in draws]
        references = [" ".join(_sentence(english[i]) for i in draw) for draw in draws]
        rows = {}
        rows["raw"] = ([o.text for o in engine.translate_batch(sources, options)], 0, 0)
        for unit in ("paragraph", "sentence"):
            results = translit.translate_many(sources, engine=engine, options=options, unit=unit)
            redone = sum(1 for r in results for u in r.unit_results if "omission" in u.redone)
            flagged = sum(len(r.flagged_units) for r in results)
            rows[unit] = ([r.paragraphs[0] for r in results], redone, flagged)
        for variant, (outputs, redone, flagged) in rows.items():
            lost = sum(max(0, k - len(split_english_sentences(o))) for o in outputs)
            chrf = CHRF().corpus_score(outputs, [references]).score
            bleu = BLEU().corpus_score(outputs, [references]).score
            row = f"{k:2d} {variant:10} {chrf:6.1f} {bleu:6.1f}"
            print(f"{row} {lost:>9d}/{60 * k:<5d} {redone:13d} {flagged:8d}")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("omissions", main)
