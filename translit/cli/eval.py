"""``translit eval``: ROUGE of briefs against lead baselines, BLEU/chrF of translations."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from translit import errors
from translit.cli.common import handled, load_engine, source_arguments, translator_for, write, write_json
from translit.cli.options import ReportFormat, ReportFormatOption, with_settings
from translit.cli.usage import TranslitTyper
from translit.options import Settings

app = TranslitTyper(
    help="Measure quality: ROUGE of briefs against lead baselines, BLEU/chrF of translations.",
    epilog="Examples:\n\n"
    "  translit eval summary ../shared/data/summ/cnndm_dev100.jsonl --sentences 3\n\n"
    "  translit eval translate test.de test.en --model opus-mt-de-en",
    no_args_is_help=True,
)
LimitOption = Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N rows.")]


@app.command(
    "summary",
    epilog="Examples:\n\n"
    "  translit eval summary ../shared/data/summ/cnndm_dev100.jsonl -n 3\n\n"
    "  head -50 data.jsonl | translit eval summary - --format json",
)
@handled
@with_settings("brief")
def eval_summary(
    data: Annotated[
        str | None,
        typer.Argument(
            help="JSON Lines with 'article' and 'summary' per row; '-' (or none, piped) reads stdin.",
            metavar="FILE|-",
        ),
    ] = None,
    limit: LimitOption = None,
    output_format: ReportFormatOption = ReportFormat.text,
    settings: Settings | None = None,
) -> None:
    """ROUGE-1/2/Lsum (F1, stemmed) of translit's summariser, lead-1 and lead-3, in one run."""
    from translit import evaluate
    from translit.translator import get_summarizer

    assert settings is not None
    (data,) = source_arguments([data] if data else None, None, takes_text=False)
    cap, words = settings.brief_sentences, settings.words
    result = evaluate.evaluate_summarizer(
        data, get_summarizer(), sentences=cap or 3, words=words, limit=limit
    )
    if output_format is ReportFormat.json:
        write_json(result.to_dict())
        return
    lines = [
        f"{result.data} ({result.rows} rows), translit with --sentences {cap}"
        + (f" --words {words}" if words else ""),
        "",
        f"{'system':24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-Lsum':>10}",
    ]
    for name, scores in result.systems.items():
        lines.append(f"{name:24} {scores.rouge1:8.2f} {scores.rouge2:8.2f} {scores.rougeLsum:10.2f}")
    write("\n".join(lines))


@app.command(
    "translate",
    epilog="Examples:\n\n"
    "  translit eval translate ../shared/data/parallel/newstest2020-deen.de "
    "../shared/data/parallel/newstest2020-deen.en --model opus-mt-de-en",
)
@handled
@with_settings("model", "translation")
def eval_translate(
    source: Annotated[
        str,
        typer.Argument(help="German test set, one segment per line; '-' reads stdin.", metavar="SOURCE|-"),
    ],
    reference: Annotated[
        Path, typer.Argument(help="English reference, line-aligned with SOURCE.", metavar="REFERENCE")
    ],
    limit: LimitOption = None,
    output_format: ReportFormatOption = ReportFormat.text,
    settings: Settings | None = None,
) -> None:
    """BLEU and chrF (sacrebleu) of translit's translation of SOURCE against REFERENCE.

    Each line is its own document, translated sentence by sentence as everywhere else;
    the mean confidence of the lines is reported too.
    """
    from translit import evaluate

    assert settings is not None
    sources = evaluate.read_lines(source)[:limit]
    references = evaluate.read_lines(reference)[:limit]
    if len(sources) != len(references):
        raise errors.InputError(f"{source} has {len(sources)} lines but {reference} has {len(references)}")
    # Each line is plain text, whatever the config's input format says.
    translator = translator_for(settings.but(input_format="text", cache=False))
    load_engine(translator)
    loaded = translator.engine
    started = time.perf_counter()
    with translator:
        translations = translator.translate_many(sources)
    hypotheses = [" ".join(t.paragraphs) for t in translations]
    bleu, chrf = evaluate.score_translations(hypotheses, references)
    scores = [r.score for t in translations for r in t.unit_results if r.score is not None]
    result = evaluate.TranslationEvaluation(
        str(source),
        str(reference),
        loaded.model_id,
        len(sources),
        bleu,
        chrf,
        time.perf_counter() - started,
        sum(scores) / len(scores) if scores else 0.0,
    )
    if output_format is ReportFormat.json:
        write_json(result.to_dict())
    else:
        write(
            f"{source} → {reference} ({len(sources)} lines, model {loaded.model_id}): "
            f"BLEU {bleu:.2f}  chrF {chrf:.2f}  mean score {result.mean_score:.3f}  ({result.seconds:.1f}s)"
        )
