"""Glossary benchmark: fixed renderings that read as English, on real learned translators.

Nothing here is a double: two small de→en Marians trained on Multi30k
(``tests/fixtures/models/mt-de-en-small`` and ``mt-de-en-startrow``) translate, with and
without a glossary, on CTranslate2 at beam 4, no cache:

* **captions**: the 1,014 held-out Multi30k validation sentences, with six everyday terms
  given in the singular only (Mann → gentleman, Hund → hound, Junge → lad, Frau → lady,
  Straße → roadway, Gebäude → edifice): renderings the models never choose;
* **news**: the 785 paragraphs of newstest2020 (German-original news), with six news terms
  (Regierung → administration, Unternehmen → enterprise, Stadt → municipality, Krankenhaus →
  infirmary, Gericht → tribunal, Auto → automobile). The models know captions, not news:
  this measures the rules and the cost, not translation quality.

Measured per model and set: occurrences honoured (the n-th occurrence: the rendering n
times); of the occurrences whose German form is unambiguously plural (labelled by form, and
for "Jungen" by the word before it), the share rendered plural; "a"/"an" before a rendering
that does not agree with it; the model's own word left beside the rendering; BLEU and chrF
against the references with the natural word replaced by the rendering in its number (and
its article agreeing); sentences without a term whose output changed (must be 0); the cost
ratio; and, for the German side, the suffix rule's matches against ``simplemma``'s lemmas
on the news.

    python bench/glossary.py                # both sets and models, 3 repeats: about an hour on 2 cores
    python bench/glossary.py --limit 300
    python bench/glossary.py --set captions  # the captions only: 2 minutes
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARALLEL = REPO.parent / "shared" / "data" / "parallel"
MODELS = [REPO / "tests" / "fixtures" / "models" / name for name in ("mt-de-en-small", "mt-de-en-startrow")]

# German term -> (rendering, the natural English word, its plural)
CAPTION_TERMS = {
    "Mann": ("gentleman", "man", "men"),
    "Hund": ("hound", "dog", "dogs"),
    "Junge": ("lad", "boy", "boys"),
    "Frau": ("lady", "woman", "women"),
    "Straße": ("roadway", "street", "streets"),
    "Gebäude": ("edifice", "building", "buildings"),
}
NEWS_TERMS = {
    "Regierung": ("administration", "government", "governments"),
    "Unternehmen": ("enterprise", "company", "companies"),
    "Stadt": ("municipality", "city", "cities"),
    "Krankenhaus": ("infirmary", "hospital", "hospitals"),
    "Gericht": ("tribunal", "court", "courts"),
    "Auto": ("automobile", "car", "cars"),
}
# German forms that are plural whatever stands before them, and those plural after these words.
PLURAL_FORMS = {
    "Männer",
    "Männern",
    "Hunde",
    "Hunden",
    "Frauen",
    "Straßen",
    "Gebäuden",
    "Regierungen",
    "Städte",
    "Städten",
    "Krankenhäuser",
    "Krankenhäusern",
    "Gerichte",
    "Gerichten",
    "Autos",
}
PLURAL_AFTER = {
    "Jungen": {
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "mehrere",
        "einige",
        "viele",
        "die",
        "kleine",
        "junge",
        "beiden",
        "alle",
    }
}


def plural_german(source: str, start: int, form: str) -> bool:
    """Is the German form at ``start`` plural (unambiguously, by the form or the word before)?"""
    if form in PLURAL_FORMS:
        return True
    before = source[:start].split()
    return form in PLURAL_AFTER and bool(before) and before[-1].lower() in PLURAL_AFTER[form]


def references_with_terms(reference: str, terms: dict[str, tuple[str, str, str]], present: set[str]) -> str:
    """The reference with the natural words of the terms present replaced by their renderings."""
    from translit.inflection import agree_article, plural

    for source in present:
        rendering, word, words = terms[source]
        for natural, fixed in ((words, plural(rendering)), (word, rendering)):

            def swap(found: re.Match[str], fixed: str = fixed) -> str:
                out = fixed[:1].upper() + fixed[1:] if found.group(0)[:1].isupper() else fixed
                return out

            reference = re.sub(rf"\b{natural}\b", swap, reference, flags=re.IGNORECASE)
        reference = re.sub(
            rf"\b(an?)(\s+)({re.escape(rendering)})\b",
            lambda m: agree_article(m.group(1) + m.group(2), m.group(3)) + m.group(3),
            reference,
            flags=re.IGNORECASE,
        )
    return reference


def article_errors(text: str, renderings: list[str]) -> int:
    """ "a"/"an" directly before a rendering that does not agree with it ("a edifice")."""
    from translit.inflection import indefinite_article

    errors = 0
    for rendering in renderings:
        wanted = indefinite_article(rendering)
        for found in re.finditer(rf"\b(an?)\s+{re.escape(rendering)}\b", text, re.IGNORECASE):
            errors += found.group(1).lower() != wanted
    return errors


def run(
    model: Path, name: str, sources: list[str], refs: list[str], terms: dict, work: Path, repeats: int
) -> dict:
    from sacrebleu.metrics import BLEU, CHRF

    from translit import Settings, Translator
    from translit.glossary import count_honoured, load_glossary
    from translit.inflection import plural

    path = work / f"{name}.tsv"
    path.write_text("".join(f"{de}\t{en}\n" for de, (en, _, _) in terms.items()), encoding="utf-8")
    glossary = load_glossary([path])
    plain = Translator(model, cache=False)
    termed = Translator(settings=Settings(model=str(model), glossary=(str(path),)), cache=False)
    plain.translate_many(sources[:20]), termed.translate_many(sources[:20])  # load both, warm up
    plain_seconds, termed_seconds = [], []
    for _ in range(repeats):  # alternately, so that a slow spell of a shared machine hits both
        t0 = time.perf_counter()
        without = [t.text for t in plain.translate_many(sources)]
        t1 = time.perf_counter()
        results = termed.translate_many(sources)
        t2 = time.perf_counter()
        plain_seconds.append(t1 - t0)
        termed_seconds.append(t2 - t1)
    seconds, termed_median = statistics.median(plain_seconds), statistics.median(termed_seconds)
    withg = [t.text for t in results]
    counts = dict.fromkeys(
        ["occurrences", "honoured without", "honoured with", "plural", "plural right", "own beside", "a/an"],
        0,
    )
    term_rows, changed = [], 0
    for i, source in enumerate(sources):
        matches = [m for m in glossary.find(source) if m.entry.source in terms]
        if not matches:
            changed += without[i] != withg[i]
            continue
        term_rows.append(i)
        seen: dict[str, int] = {}
        for match in matches:
            rendering, word, words = terms[match.entry.source]
            counts["occurrences"] += 1
            seen[rendering] = nth = seen.get(rendering, 0) + 1
            counts["honoured without"] += count_honoured(match.entry, without[i]) >= nth
            counts["honoured with"] += count_honoured(match.entry, withg[i]) >= nth
            if plural_german(source, match.start, match.form):
                counts["plural"] += 1
                counts["plural right"] += bool(
                    re.search(rf"\b{re.escape(plural(rendering))}\b", withg[i], re.I)
                )
            own = re.compile(rf"\b(?:{word}|{words})\b", re.IGNORECASE)
            counts["own beside"] += bool(count_honoured(match.entry, withg[i]) and own.search(withg[i]))
        counts["a/an"] += article_errors(withg[i], [en for en, _, _ in terms.values()])
    references = [
        references_with_terms(refs[i], terms, {m.entry.source for m in glossary.find(sources[i])})
        for i in term_rows
    ]
    bleu, chrf = BLEU(), CHRF()
    before = [without[i] for i in term_rows]
    after = [withg[i] for i in term_rows]
    occurrences = max(1, counts["occurrences"])
    how: dict[str, int] = {}
    for translation in results:
        for unit in translation.unit_results:
            for term in unit.terms:
                how[term.by or "missing"] = how.get(term.by or "missing", 0) + 1
    return {
        "sentences / with terms": f"{len(sources)} / {len(term_rows)}",
        "term occurrences": counts["occurrences"],
        "honoured without → with %": f"{100 * counts['honoured without'] / occurrences:.1f} → "
        f"{100 * counts['honoured with'] / occurrences:.1f}",
        "plural German: right number %": f"{100 * counts['plural right'] / max(1, counts['plural']):.1f} "
        f"of {counts['plural']}",
        "a/an errors": counts["a/an"],
        "own word beside %": f"{100 * counts['own beside'] / occurrences:.1f}",
        "BLEU without → with": f"{bleu.corpus_score(before, [references]).score:.1f} → "
        f"{bleu.corpus_score(after, [references]).score:.1f}",
        "chrF without → with": f"{chrf.corpus_score(before, [references]).score:.1f} → "
        f"{chrf.corpus_score(after, [references]).score:.1f}",
        "term-free changed": changed,
        "by (model/substituted/forced/missing)": "/".join(
            str(how.get(k, 0)) for k in ("model", "substituted", "forced", "missing")
        ),
        f"seconds without → with (median of {repeats})": f"{seconds:.1f} → {termed_median:.1f}",
        "cost ratio": f"{termed_median / seconds:.2f}",
    }


def lemmatiser_comparison(texts: list[str], terms: list[str]) -> None:
    """The suffix rule's matches against simplemma's lemmas, on running news text."""
    import simplemma

    from translit.glossary import Entry, Glossary

    words = re.compile(r"[^\W\d_]+")
    glossary = Glossary(tuple(Entry(t, t + "-en") for t in terms))
    both = 0
    rule_only: dict[str, int] = {}
    lemma_only: dict[str, int] = {}
    for text in texts:
        by_rule = {(m.start, m.form) for m in glossary.find(text) if m.entry.source in terms}
        by_lemma = {
            (w.start(), w.group(0))
            for w in words.finditer(text)
            if simplemma.lemmatize(w.group(0), lang="de") in terms
        }
        both += len(by_rule & by_lemma)
        for _, form in by_rule - by_lemma:
            rule_only[form] = rule_only.get(form, 0) + 1
        for _, form in by_lemma - by_rule:
            lemma_only[form] = lemma_only.get(form, 0) + 1
    print(
        f"\nGerman forms of {len(terms)} terms in {len(texts)} news articles: both {both}; "
        f"suffix rule only {sum(rule_only.values())} {dict(sorted(rule_only.items()))}; "
        f"simplemma only {sum(lemma_only.values())} {dict(sorted(lemma_only.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (the median is shown)")
    parser.add_argument(
        "--set", choices=["captions", "news"], action="append", help="only these sets (default: both)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    logging.getLogger("translit").setLevel(logging.ERROR)
    work = Path(tempfile.mkdtemp(prefix="translit-bench-glossary-"))
    os.environ.setdefault("TRANSLIT_CACHE_DIR", str(work / "cache"))

    def read(name: str) -> list[str]:
        return (PARALLEL / name).read_text(encoding="utf-8").splitlines()[: args.limit]

    sets = {
        "captions": (read("multi30k/val.de"), read("multi30k/val.en"), CAPTION_TERMS),
        "news": (read("newstest2020-deen.de"), read("newstest2020-deen.en"), NEWS_TERMS),
    }
    for set_name, (sources, refs, terms) in sets.items():
        if args.set and set_name not in args.set:
            continue
        rows = {m.name: run(m, set_name, sources, refs, terms, work, args.repeats) for m in MODELS}
        print(f"\n{set_name}: CTranslate2, beam 4, no cache\n")
        print(f"{'':40}" + "".join(f"{name:>22}" for name in rows))
        for key in next(iter(rows.values())):
            print(f"{key:40}" + "".join(f"{rows[name][key]!s:>22}" for name in rows), flush=True)
    news = [
        p.read_text(encoding="utf-8")
        for p in sorted((REPO.parent / "shared/data/de_news/wmt20").glob("*.txt"))
    ]
    lemmatiser_comparison(
        news, [*CAPTION_TERMS, *NEWS_TERMS, "Bundeskanzler", "Präsident", "Polizei", "Land"]
    )


if __name__ == "__main__":
    # bench/record.py: --record keeps the report for the docs (named apart from this script's run())
    from record import run as record_run

    # One set alone is its own result (glossary-captions, glossary-news); both together: glossary.
    sets = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--set"]
    record_run("glossary" + (f"-{sets[0]}" if len(sets) == 1 else ""), main)
