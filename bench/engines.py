"""Engine benchmark: translit's engines and unit modes against naive transformers and raw CTranslate2.

Nothing is downloaded. The script builds a random-weight MarianMT with opus-mt-de-en's
exact shape (6+6 layers, d_model 512, 8 heads, FFN 2048, vocabulary 58,101, shared
embeddings) and a sentencepiece vocabulary trained on the shared German news, converts
it for CTranslate2 (int8), and times, on the sample article, with every output forced to
1.1x its batch's longest source so all variants do comparable work:

  (a) naive transformers: one paragraph at a time, model.generate
  (b) translit, transformers engine, sentence units
  (c) translit, CTranslate2 int8 engine, sentence units (the default)
  (p) translit, CTranslate2 int8 engine, paragraph units (--unit paragraph)
  (d) raw ctranslate2.Translator.translate_batch on (c)'s units, in (c)'s batches, with
      (c)'s workers (inter_threads = threads, intra_threads = 1)
  (s) (c) with a vocabulary shortlist (translit's builder, its defaults; see bench/shortlist.py)
  (x) (c) in float32 arithmetic (--compute float32: the same bytes whoever shares a batch)

translit's variants normalise their input as opus-mt's models.toml entry asks (Moses), so
(c)/(d) includes that cost. Each variant runs in its own process (so peak RSS is its own)
and reports the median of --reps repetitions plus model load time. Then the 118-article
WMT20 batch at greedy decoding with CTranslate2 int8 and sentence units, per document vs.
cross-document batching, and the wall time of `translit --help`.

    python bench/engines.py              # everything (about 15 minutes on 2 cores)
    python bench/engines.py --reps 5 --beams 4
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translit.engines import TranslationEngine

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
MODEL = OUT / "opus-shaped"
SAMPLE = REPO / "samples" / "musk-trump-interview.de.txt"
WMT20 = REPO.parent / "shared" / "data" / "de_news" / "wmt20"
FORCE_RATIO = 1.1
VOCAB = 58101


def build_model() -> None:
    """A random MarianMT of opus-mt-de-en's shape, with a real German sentencepiece model."""
    if (MODEL / "model.safetensors").is_file():
        return
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    MODEL.mkdir(parents=True, exist_ok=True)
    corpus = OUT / "spm-corpus.txt"
    news = REPO.parent / "shared" / "data" / "de_news"
    with corpus.open("w", encoding="utf-8") as out:
        for folder in ("10kgnad", "ntrex"):
            for path in sorted((news / folder).glob("*.txt")):
                out.write(path.read_text(encoding="utf-8") + "\n")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(OUT / "spm"),
        vocab_size=16000,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=2,
    )
    sp = spm.SentencePieceProcessor(model_file=str(OUT / "spm.model"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    # Fill up to opus-mt's vocabulary size so the output layer has its real cost.
    pieces += [f"▁filler{i}" for i in range(VOCAB - 1 - len(pieces))]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    vocab["<pad>"] = VOCAB - 1
    (MODEL / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for name in ("source.spm", "target.spm"):
        (MODEL / name).write_bytes((OUT / "spm.model").read_bytes())
    (MODEL / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "model_max_length": 512,
                "source_lang": "de",
                "target_lang": "en",
                "tokenizer_class": "MarianTokenizer",
            }
        )
    )
    config = MarianConfig(
        vocab_size=VOCAB,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
        pad_token_id=VOCAB - 1,
        eos_token_id=0,
        decoder_start_token_id=VOCAB - 1,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=VOCAB - 1,
        eos_token_id=0,
        pad_token_id=VOCAB - 1,
        num_beams=4,
        max_length=512,
        bad_words_ids=[[VOCAB - 1]],
    )
    model.save_pretrained(MODEL, safe_serialization=True)


NORMALIZE = "moses"  # as models.toml says for opus-mt-de-en
PARALLEL = REPO.parent / "shared" / "data" / "parallel"
SHORTLISTED = OUT / "opus-shaped-shortlist"


def build_shortlisted():
    """The converted opus-shaped model with a vocabulary map beside it (in its own folder).

    A random model's translations say nothing about which target pieces a sentence needs,
    so the map is built by translit's builder (its defaults) from the shared parallel news,
    the references' pieces standing in for the model's translations. Returns the map.
    """
    import shutil

    from translit.engines import ct2
    from translit.engines.shortlist import MAP_FILE, build_map

    converted = ct2.convert(MODEL, "int8")
    shutil.rmtree(SHORTLISTED, ignore_errors=True)
    shutil.copytree(converted, SHORTLISTED)
    pieces = ct2.MarianPieces(SHORTLISTED)
    pairs = []
    for name in ("newstest2020-deen", "flores200-devtest", "ntrex128-newstest2019-enorig"):
        de = (PARALLEL / f"{name}.de").read_text(encoding="utf-8").splitlines()
        en = (PARALLEL / f"{name}.en").read_text(encoding="utf-8").splitlines()
        pairs += [
            (pieces.encode(d), pieces.target.encode(e, out_type=str)) for d, e in zip(de, en, strict=True)
        ]
    vmap = build_map(pairs, pieces.vocab)
    (SHORTLISTED / MAP_FILE).write_text(vmap.text(), encoding="utf-8")
    return vmap


def sample_units(engine) -> list[str]:
    """The model inputs translit makes of the sample article: normalised sentence units."""
    from translit.normalize import get_normalizer
    from translit.options import Settings
    from translit.pipeline import unit_budget
    from translit.segment import make_units, parse_article

    normalize = get_normalizer(NORMALIZE)
    article = parse_article(SAMPLE.read_text(encoding="utf-8"))
    budget = unit_budget(Settings(), engine)
    units = make_units(article.paragraphs, lambda t: engine.count_tokens(normalize(t)), budget)
    return [normalize(u.text) for u in units if not u.copy]


def raw_decode(translator, sources, batches, beams: int, use_vmap: bool = False) -> None:
    """Raw CTranslate2 on translit's batches: every batch submitted at once (so the workers run
    them in parallel), each output forced to FORCE_RATIO x its batch's longest source."""
    pending = []
    for indices in batches:
        n = math.ceil(FORCE_RATIO * max(len(sources[i]) for i in indices))
        pending.append(
            translator.translate_batch(
                [sources[i] for i in indices],
                beam_size=beams,
                min_decoding_length=n,
                max_decoding_length=n,
                asynchronous=True,
                use_vmap=use_vmap,
            )
        )
    for batch in pending:
        for result in batch:
            result.result()


def run_variant(variant: str, reps: int, beams: int, threads: int) -> dict:
    """Time one variant in this process; returns seconds per repetition and load time."""
    import translit
    from translit.engines import DEFAULT_MAX_BATCH_TOKENS
    from translit.engines.forced import ForcedLength

    # translit's own defaults, so (c) is what a user gets without knowing any option.
    options = ForcedLength(
        beams=beams, batch_size=32, max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS, ratio=FORCE_RATIO
    )
    start = time.perf_counter()
    text = SAMPLE.read_text(encoding="utf-8")
    times: list[float] = []
    if variant == "a_naive_transformers":
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        torch.set_num_threads(threads)
        tokenizer = MarianTokenizer.from_pretrained(str(MODEL))
        model = MarianMTModel.from_pretrained(str(MODEL)).eval()
        load = time.perf_counter() - start
        from translit.segment import parse_article

        paragraphs = parse_article(text).paragraphs
        for _ in range(reps):
            t0 = time.perf_counter()
            for paragraph in paragraphs:
                batch = tokenizer([paragraph], return_tensors="pt")
                n = math.ceil(FORCE_RATIO * batch["input_ids"].shape[1])
                with torch.inference_mode():
                    model.generate(**batch, num_beams=beams, min_new_tokens=n, max_new_tokens=n)
            times.append(time.perf_counter() - t0)
    elif variant == "x_translit_ct2_float32":
        from translit.engines import ct2
        from translit.engines.ct2 import CTranslate2Engine

        converted = ct2.find_converted(MODEL, "int8")
        assert converted is not None
        # (c)'s conversion run in float32 arithmetic: what --compute float32 gives.
        engine: TranslationEngine = CTranslate2Engine(
            converted, "opus-shaped", compute_type="float32", threads=threads
        )
        load = time.perf_counter() - start
        for _ in range(reps):
            t0 = time.perf_counter()
            translit.translate_many([text], engine=engine, options=options, normalize=NORMALIZE)
            times.append(time.perf_counter() - t0)
    elif variant == "s_translit_ct2_shortlist":
        from translit.engines.ct2 import CTranslate2Engine

        engine = CTranslate2Engine(SHORTLISTED, "opus-shaped", threads=threads, vocabulary_map=True)
        load = time.perf_counter() - start
        for _ in range(reps):
            t0 = time.perf_counter()
            translit.translate_many([text], engine=engine, options=options, normalize=NORMALIZE)
            times.append(time.perf_counter() - t0)
    elif variant in ("b_translit_transformers", "c_translit_ct2_sentence", "p_translit_ct2_paragraph"):
        engine_name = "transformers" if variant.startswith("b") else "ctranslate2"
        unit = "paragraph" if variant.startswith("p") else "sentence"
        engine = translit.get_engine(str(MODEL), engine=engine_name, threads=threads)
        load = time.perf_counter() - start
        for _ in range(reps):
            t0 = time.perf_counter()
            translit.translate_many([text], engine=engine, options=options, unit=unit, normalize=NORMALIZE)
            times.append(time.perf_counter() - t0)
    elif variant == "d_raw_ct2_sentence":
        import ctranslate2

        from translit.engines import ct2

        converted = ct2.find_converted(MODEL, "int8")
        assert converted is not None
        # translit's CPU set-up: one single-threaded worker per thread, batches submitted at once.
        translator = ctranslate2.Translator(
            str(converted), device="cpu", compute_type="default", intra_threads=1, inter_threads=threads
        )
        pieces = ct2.MarianPieces(converted)
        load = time.perf_counter() - start
        engine = translit.get_engine(str(MODEL), engine="ctranslate2", threads=threads)
        units = sample_units(engine)
        from translit.engines.batching import plan_batches, spread_batches

        sources = [[*pieces.encode(u), "</s>"] for u in units]
        for _ in range(reps):
            t0 = time.perf_counter()
            lengths = [len(s) for s in sources]
            raw_decode(
                translator, sources, plan_batches(lengths, *spread_batches(lengths, options, threads)), beams
            )
            times.append(time.perf_counter() - t0)
    elif variant in ("e_batch_per_document", "f_batch_cross_document"):
        engine = translit.get_engine(str(MODEL), engine="ctranslate2", threads=threads)
        load = time.perf_counter() - start
        texts = [p.read_text(encoding="utf-8") for p in sorted(WMT20.glob("*.txt"))]
        greedy = ForcedLength(
            beams=1, batch_size=32, max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS, ratio=FORCE_RATIO
        )
        cross = ForcedLength(
            beams=1, batch_size=64, max_batch_tokens=DEFAULT_MAX_BATCH_TOKENS, ratio=FORCE_RATIO
        )
        for _ in range(reps):
            t0 = time.perf_counter()
            if variant == "e_batch_per_document":
                for text_ in texts:
                    translit.translate_many([text_], engine=engine, options=greedy, normalize=NORMALIZE)
            else:
                translit.translate_many(texts, engine=engine, options=cross, normalize=NORMALIZE)
            times.append(time.perf_counter() - t0)
    else:
        raise SystemExit(f"unknown variant {variant}")
    return {"variant": variant, "times": times, "median": statistics.median(times), "load": load}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM).

    Not ru_maxrss: on Linux that survives fork+exec, so a child would report the parent's
    peak whenever it is larger.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_subprocess(variant: str, reps: int, beams: int, threads: int) -> dict:
    """Run a variant in a fresh process and add its peak RSS."""
    cmd = [sys.executable, __file__, "--variant", variant, "--reps", str(reps), "--beams", str(beams)]
    cmd += ["--threads", str(threads)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO, check=False)
    if proc.returncode:
        raise SystemExit(f"{variant} failed")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = result.pop("self_rss_mb")
    return result


def help_wall_time(runs: int = 10) -> float:
    translit_bin = Path(sys.executable).parent / "translit"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(translit_bin), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variant")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--batch-reps", type=int, default=3)
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-batch", action="store_true", help="skip the 118-article batch")
    args = parser.parse_args()
    os.environ.setdefault("TRANSLIT_CACHE_DIR", str(OUT / "cache"))

    if args.variant:
        result = run_variant(args.variant, args.reps, args.beams, args.threads)
        result["self_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return

    t0 = time.perf_counter()
    build_model()
    from translit.engines import ct2

    ct2.convert(MODEL, "int8")
    build_shortlisted()
    print(f"model ready in {time.perf_counter() - t0:.0f}s: {MODEL}", file=sys.stderr)
    rows = []
    for variant in (
        "a_naive_transformers",
        "b_translit_transformers",
        "c_translit_ct2_sentence",
        "p_translit_ct2_paragraph",
        "d_raw_ct2_sentence",
        "s_translit_ct2_shortlist",
        "x_translit_ct2_float32",
    ):
        print(f"running {variant} …", file=sys.stderr)
        rows.append(in_subprocess(variant, args.reps, args.beams, args.threads))
    if not args.skip_batch:
        for variant in ("e_batch_per_document", "f_batch_cross_document"):
            print(f"running {variant} …", file=sys.stderr)
            rows.append(in_subprocess(variant, args.batch_reps, 1, args.threads))
    by = {r["variant"]: r for r in rows}
    print(
        f"\nSample article, beam {args.beams}, output forced to {FORCE_RATIO}x source, "
        f"{args.threads} threads,"
    )
    print(f"median of {args.reps} (batch: {args.batch_reps}) runs, each variant in its own process:\n")
    print(f"{'variant':28} {'median s':>9} {'load s':>7} {'peak RSS MB':>12} {'vs (a)':>8}")
    base = by["a_naive_transformers"]["median"]
    for r in rows:
        ratio = base / r["median"] if not r["variant"].startswith(("e_", "f_")) else float("nan")
        print(f"{r['variant']:28} {r['median']:9.2f} {r['load']:7.2f} {r['peak_rss_mb']:12.0f} {ratio:8.2f}")
    c, d = by["c_translit_ct2_sentence"]["median"], by["d_raw_ct2_sentence"]["median"]
    p = by["p_translit_ct2_paragraph"]["median"]
    print(f"\n(c) speed-up over (a): {base / c:.2f}x   (target >= 6)")
    print(f"(c) time / (d) time:   {c / d:.3f}    (target <= 1.10: translit's overhead)")
    print(f"(c) peak RSS:          {by['c_translit_ct2_sentence']['peak_rss_mb']:.0f} MB (target <= 600)")
    print(f"sentence units vs paragraph units on CTranslate2: {p / c:.2f}x faster")
    s_ = by["s_translit_ct2_shortlist"]["median"]
    print(f"(d) time / (s) time:   {d / s_:.2f}x    (target >= 1.5 at beam 4, >= 2 greedy: the shortlist)")
    x = by["x_translit_ct2_float32"]["median"]
    print(f"(x) time / (c) time:   {x / c:.2f}x    (what --compute float32 costs)")
    if "f_batch_cross_document" in by:
        e, f = by["e_batch_per_document"]["median"], by["f_batch_cross_document"]["median"]
        print(
            f"118 articles, greedy: per-document {e:.1f}s, cross-document {f:.1f}s "
            f"-> {e / f:.2f}x (target >= 1.5)"
        )
    print(f"translit --help wall: {help_wall_time():.3f}s median of 10 (target <= 0.25)")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("engines", main)
