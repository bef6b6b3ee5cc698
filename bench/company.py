"""Does an article's translation depend on the company it is translated in?

    python bench/company.py [--model DIR] [--articles N] [--compute default float32] [--where service library]

The service pools the units of concurrent requests into shared engine calls, and the library
pools the units of a batch's articles; the batches an engine call forms — and so the padding
and the order of the arithmetic — depend on who else is in the call. For each ``--compute``
(CTranslate2's arithmetic: ``default`` is the int8 conversion, ``float32`` the same weights in
float32) this counts the articles and units whose translations differ, with examples:

* ``service``: the WMT20 articles sent to ``translit serve`` (a subprocess on 127.0.0.1, no
  cache) one after another, then all at once from as many clients;
* ``library``: each article translated alone, then all in one ``translate_many`` call.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import Server, post  # bench/serve.py: translit serve in a subprocess, one request

REPO = Path(__file__).resolve().parent.parent
WMT20 = REPO.parent / "shared" / "data" / "de_news" / "wmt20"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"


def ask(server: Server, text: str) -> str:
    """One /translate request on a connection of its own; its translatedText."""
    return post(http.client.HTTPConnection("127.0.0.1", server.port, timeout=600), text)


def on_the_service(model: Path, compute: str, texts: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """(one after another, all at once): each article's paragraphs as the service returned them."""
    # The model's own beam size, as the library run below; no request timeout: 118 articles wait.
    server = Server("--timeout", "3600", "--compute", compute, model=model, beams=None)
    try:
        alone = [ask(server, text) for text in texts]
        with ThreadPoolExecutor(len(texts)) as pool:
            together = list(pool.map(lambda text: ask(server, text), texts))
    finally:
        server.stop()
    return [a.split("\n\n") for a in alone], [t.split("\n\n") for t in together]


def in_the_library(model: Path, compute: str, paths: list[Path]) -> tuple[list[list[str]], list[list[str]]]:
    """(each alone, all in one call): each article's unit translations."""
    from translit import Translator

    translator = Translator(model, cache=False, compute=compute)
    alone = [translator.translate(path) for path in paths]
    together = translator.translate_many(paths)
    return (
        [[u.text for u in t.unit_results] for t in alone],
        [[u.text for u in t.unit_results] for t in together],
    )


def report(
    label: str, names: list[str], alone: list[list[str]], together: list[list[str]], what: str
) -> None:
    """Print how many articles and pieces differ, with up to three examples."""
    articles = pieces = differing = 0
    examples: list[tuple[str, str, str]] = []
    for name, a, b in zip(names, alone, together, strict=True):
        changed = [(x, y) for x, y in zip(a, b, strict=False) if x != y] + (
            [("(count)", f"{len(a)} vs {len(b)}")] if len(a) != len(b) else []
        )
        pieces += len(a)
        differing += len(changed)
        articles += bool(changed)
        if changed and len(examples) < 3:
            examples.append((name, *changed[0]))
    share = 100 * articles / max(1, len(names))
    print(
        f"  {label:<34} articles that differ: {articles} of {len(names)} ({share:.1f} %); "
        f"{what} that differ: {differing} of {pieces} ({100 * differing / max(1, pieces):.2f} %)"
    )
    for name, first, second in examples:
        at = next((i for i, (x, y) in enumerate(zip(first, second, strict=False)) if x != y), 0)
        start = max(0, at - 60)
        print(f"    {name}:")
        print(f"      alone:    …{first[start : at + 80]}\n      together: …{second[start : at + 80]}")


def main() -> None:
    """Alone vs together, on the service and in the library, for each arithmetic."""
    logging.getLogger("translit").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SMALL)
    parser.add_argument("--articles", type=int, default=118)
    parser.add_argument("--compute", nargs="+", default=["default", "float32"])
    parser.add_argument("--where", nargs="+", default=["service", "library"], choices=["service", "library"])
    args = parser.parse_args()
    paths = sorted(WMT20.glob("*.txt"))[: args.articles]
    names = [path.name for path in paths]
    texts = [path.read_text(encoding="utf-8") for path in paths]
    print(f"{len(paths)} WMT20 articles, {args.model.name}, CTranslate2 on {os.cpu_count()} cores, no cache:")
    for compute in args.compute:
        if "service" in args.where:
            alone, together = on_the_service(args.model, compute, texts)
            report(f"service, --compute {compute}:", names, alone, together, "paragraphs")
        if "library" in args.where:
            alone, together = in_the_library(args.model, compute, paths)
            report(f"library, --compute {compute}:", names, alone, together, "units")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("company", main)
