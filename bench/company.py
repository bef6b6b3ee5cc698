"""Does an article's translation depend on the company it is translated in?

    python bench/company.py [--model DIR] [--articles N]

The service pools the units of concurrent requests into shared engine calls, and the library
pools the units of a batch's articles; the batches an engine call forms — and so, with int8
CTranslate2, the padding and the order of the arithmetic — depend on who else is in the call.
This translates each WMT20 article alone, then all of them in one call (no cache), and counts
the articles and units whose translations differ, with examples.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from translit import Translator

REPO = Path(__file__).resolve().parent.parent
WMT20 = REPO.parent / "shared" / "data" / "de_news" / "wmt20"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"


def main() -> None:
    """Alone vs together: articles and units that differ."""
    import logging

    logging.getLogger("translit").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SMALL)
    parser.add_argument("--articles", type=int, default=118)
    args = parser.parse_args()
    paths = sorted(WMT20.glob("*.txt"))[: args.articles]
    translator = Translator(args.model, cache=False)
    alone = [translator.translate(path) for path in paths]
    together = translator.translate_many(paths)
    articles = units = differing_units = 0
    examples = []
    for path, a, b in zip(paths, alone, together, strict=True):
        changed = [
            (x.text, y.text) for x, y in zip(a.unit_results, b.unit_results, strict=True) if x.text != y.text
        ]
        units += len(a.unit_results)
        differing_units += len(changed)
        articles += bool(changed)
        if changed and len(examples) < 3:
            examples.append((path.name, *changed[0]))
    print(f"{len(paths)} articles, {units} units ({args.model.name}, {alone[0].engine}):")
    print(f"  articles that differ alone vs together: {articles} ({100 * articles / len(paths):.1f} %)")
    print(f"  units that differ: {differing_units} ({100 * differing_units / max(1, units):.2f} %)")
    for name, first, second in examples:
        print(f"  {name}:\n    alone:    {first}\n    together: {second}")


if __name__ == "__main__":
    main()
