"""Glossary benchmark: fixed renderings and do-not-translate names, on real learned translators.

Nothing here is a double: two small de→en Marians trained on Multi30k
(``tests/fixtures/models/mt-de-en-small`` and ``mt-de-en-startrow``) translate the 1,014
held-out Multi30k validation sentences, with and without a glossary that fixes renderings
the models would never choose (Hund → "hound", not their "dog"; Mann → "gentleman", …,
with the plurals given as entries of their own). Measured per model:

* occurrences of glossary terms in the sources (inflected forms found by the matcher);
* the share whose fixed rendering is in the output, without and with the glossary;
* the share that still carries the model's own word beside it ("the hound dog");
* BLEU and chrF on the sentences with terms, against references in which the natural word
  is replaced by the glossary's, without and with the glossary;
* sentences without any term whose output changed (must be 0);
* do-not-translate names: sentences starting "Ein Mann …" with a surname that is also a
  word (Fischer, Koch, Müller, …) in its place; the share kept verbatim, without and with
  ``--keep``.

    python bench/glossary.py                # both models, about 10 minutes on 2 cores
    python bench/glossary.py --limit 300
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MULTI30K = REPO.parent / "shared" / "data" / "parallel" / "multi30k"
MODELS = [REPO / "tests" / "fixtures" / "models" / name for name in ("mt-de-en-small", "mt-de-en-startrow")]

# German term -> (fixed rendering, the models' natural word(s) in the references)
TERMS = {
    "Hund": ("hound", r"dog"),
    "Hunde": ("hounds", r"dogs"),
    "Mann": ("gentleman", r"man"),
    "Männer": ("gentlemen", r"men"),
    "Frau": ("lady", r"woman"),
    "Frauen": ("ladies", r"women"),
    "Straße": ("road", r"street"),
    "Straßen": ("roads", r"streets"),
    "Strand": ("seashore", r"beach"),
    "Junge": ("lad", r"boy"),
    "Jungen": ("lads", r"boys"),
    "Auto": ("automobile", r"car"),
}
NAMES = ["Fischer", "Koch", "Müller", "Schneider", "Bauer", "Vogel", "Wolf", "Stein", "Becker", "Jäger"]


def read(name: str) -> list[str]:
    return (MULTI30K / name).read_text(encoding="utf-8").splitlines()


def glossary_file(folder: Path) -> Path:
    path = folder / "bench-glossary.tsv"
    path.write_text("".join(f"{de}\t{en}\n" for de, (en, _) in TERMS.items()), encoding="utf-8")
    return path


def natural(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{word}s?\b", re.IGNORECASE)


def replace_natural(reference: str, source_terms: list[str]) -> str:
    """The reference with each natural word of the source's terms replaced by the fixed rendering."""
    for term in source_terms:
        target, word = TERMS[term]
        reference = re.sub(rf"\b{word}\b", target, reference, flags=re.IGNORECASE)
    return reference


def run_model(model: Path, sources: list[str], references: list[str], work: Path) -> dict[str, float]:
    from sacrebleu.metrics import BLEU, CHRF

    from translit import Settings, Translator
    from translit.glossary import load_glossary

    path = glossary_file(work)
    glossary = load_glossary([path])
    plain = Translator(model, cache=False)
    termed = Translator(settings=Settings(model=str(model), glossary=(str(path),)), cache=False)
    started = time.perf_counter()
    without = [t.text for t in plain.translate_many(sources)]
    middle = time.perf_counter()
    with_terms = termed.translate_many(sources)
    ended = time.perf_counter()
    withg = [t.text for t in with_terms]
    occurrences = honoured_without = honoured_with = own_beside = 0
    term_rows: list[int] = []
    changed_elsewhere = 0
    for i, source in enumerate(sources):
        matches = glossary.find(source)
        if not matches:
            changed_elsewhere += without[i] != withg[i]
            continue
        term_rows.append(i)
        seen: dict[str, int] = {}
        for match in matches:
            target, word = TERMS[match.entry.source]
            occurrences += 1
            # The n-th occurrence of a term is honoured when its rendering stands n times.
            seen[target] = nth = seen.get(target, 0) + 1
            has = re.compile(rf"\b{re.escape(target)}\b", re.IGNORECASE)
            honoured_without += len(has.findall(without[i])) >= nth
            honoured_with += len(has.findall(withg[i])) >= nth
            own_beside += bool(has.search(withg[i]) and natural(word).search(has.sub(" ", withg[i])))
    refs = [
        replace_natural(references[i], [m.entry.source for m in glossary.find(sources[i])]) for i in term_rows
    ]
    bleu, chrf = BLEU(), CHRF()
    # Do-not-translate names in place of "Ein Mann".
    named = [
        (NAMES[k % len(NAMES)], NAMES[k % len(NAMES)] + s[len("Ein Mann") :])
        for k, s in enumerate(s for s in sources if s.startswith("Ein Mann "))
    ]
    keep = work / "bench-names.txt"
    keep.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    keeper = Translator(settings=Settings(model=str(model), keep=(str(keep),)), cache=False)
    name_plain = [t.text for t in plain.translate_many([s for _, s in named])]
    name_kept = [t.text for t in keeper.translate_many([s for _, s in named])]
    return {
        "sentences": len(sources),
        "with terms": len(term_rows),
        "occurrences": occurrences,
        "honoured without": 100 * honoured_without / max(1, occurrences),
        "honoured with": 100 * honoured_with / max(1, occurrences),
        "own word beside": 100 * own_beside / max(1, occurrences),
        "BLEU without": bleu.corpus_score([without[i] for i in term_rows], [refs]).score,
        "BLEU with": bleu.corpus_score([withg[i] for i in term_rows], [refs]).score,
        "chrF without": chrf.corpus_score([without[i] for i in term_rows], [refs]).score,
        "chrF with": chrf.corpus_score([withg[i] for i in term_rows], [refs]).score,
        "changed elsewhere": changed_elsewhere,
        "names": len(named),
        "names kept without": 100
        * sum(n in o for (n, _), o in zip(named, name_plain, strict=True))
        / max(1, len(named)),
        "names kept with": 100
        * sum(n in o for (n, _), o in zip(named, name_kept, strict=True))
        / max(1, len(named)),
        "seconds without": middle - started,
        "seconds with": ended - middle,
        "flagged glossary": sum("glossary" in r.flags for t in with_terms for r in t.unit_results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    import logging
    import tempfile

    logging.getLogger("translit").setLevel(logging.ERROR)
    work = Path(tempfile.mkdtemp(prefix="translit-bench-glossary-"))
    os.environ.setdefault("TRANSLIT_CACHE_DIR", str(work / "cache"))
    sources, references = read("val.de")[: args.limit], read("val.en")[: args.limit]
    rows = {model.name: run_model(model, sources, references, work) for model in MODELS}
    print(f"\nMulti30k validation ({len(sources)} held-out sentences), CTranslate2, beam 4, no cache\n")
    keys = list(next(iter(rows.values())))
    print(f"{'':24}" + "".join(f"{name:>20}" for name in rows))
    for key in keys:
        cells = "".join(
            f"{rows[name][key]:20.1f}" if isinstance(rows[name][key], float) else f"{rows[name][key]:20}"
            for name in rows
        )
        print(f"{key:24}{cells}")


if __name__ == "__main__":
    main()
