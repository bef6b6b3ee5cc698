"""How long are German news sentences in model tokens? How many exceed the unit budget?

Splits every article under ``../shared/data/de_news`` into paragraphs and sentences (translit's
segmenter) and counts SentencePiece tokens with two vocabularies:

* the copy test model's (1,000 pieces, ``tests/fixtures/models/copy-de``);
* one of opus-mt's size: 32,000 pieces (an OPUS-MT SentencePiece model per side; opus-mt-de-en's
  58,101-entry vocab.json joins the German and English ones), trained here on the German text of
  ``../shared/data`` — real opus-mt tokenisation cannot be downloaded.

Prints the share of sentences (and paragraphs) over 128 tokens (translit's default unit budget,
bergamot's wrap length) and over 250 (OPUS-MT's training-length cut-off).

    python bench/unit_lengths.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
OUT = REPO / "bench" / "out"


def german_text() -> list[Path]:
    """Every German text file of the shared data (news articles, test sets' German side)."""
    files = sorted((SHARED / "de_news").glob("*/*.txt"))
    files += [*sorted((SHARED / "parallel").glob("*.de")), SHARED / "parallel" / "multi30k" / "train.de"]
    return files


def opus_sized_vocabulary() -> Path:
    """A 32k-piece unigram SentencePiece model trained on the shared German text (cached)."""
    model = OUT / "spm32k-de.model"
    if model.is_file():
        return model
    import sentencepiece as spm

    OUT.mkdir(parents=True, exist_ok=True)
    corpus = OUT / "spm32k-corpus.txt"
    corpus.write_text("\n".join(p.read_text(encoding="utf-8") for p in german_text()), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(model.with_suffix("")),
        vocab_size=32000,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        hard_vocab_limit=False,
        num_threads=2,
        minloglevel=2,
    )
    return model


def main() -> None:
    """Count and print."""
    sys.path.insert(0, str(REPO))
    import sentencepiece as spm

    from translit.segment import parse_article, split_sentences

    vocabularies = {
        "copy-de (1,000)": REPO / "tests" / "fixtures" / "models" / "copy-de" / "source.spm",
        "opus-sized (32k)": opus_sized_vocabulary(),
    }
    articles = sorted((SHARED / "de_news").glob("*/*.txt"))
    paragraphs = [p for path in articles for p in parse_article(path.read_text(encoding="utf-8")).paragraphs]
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    print(f"{len(articles)} articles, {len(paragraphs)} paragraphs, {len(sentences)} sentences\n")
    header = f"{'vocabulary':18} {'pieces':>7} {'unit':10} {'median':>6} {'p99':>5} {'max':>5}"
    print(f"{header} {'>128':>8} {'>250':>8}")
    for label, path in vocabularies.items():
        sp = spm.SentencePieceProcessor(model_file=str(path))
        for unit, texts in (("sentence", sentences), ("paragraph", paragraphs)):
            lengths = sorted(len(sp.encode(t)) for t in texts)
            over128 = sum(n > 128 for n in lengths) / len(lengths)
            over250 = sum(n > 250 for n in lengths) / len(lengths)
            p99 = lengths[int(0.99 * (len(lengths) - 1))]
            print(
                f"{label:18} {sp.get_piece_size():7d} {unit:10} {statistics.median(lengths):6.0f} {p99:5d} "
                f"{lengths[-1]:5d} {over128:8.2%} {over250:8.2%}"
            )


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("unit_lengths", main)
