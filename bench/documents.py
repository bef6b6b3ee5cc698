"""Documents: what a Word file costs beside its text, and where its formatting lands.

    python bench/documents.py [--model DIR] [--articles N] [--repeats N] [--captions N] [--pages N]

1. **Cost**: the first ``--articles`` WMT20 articles of ``../shared`` are written into one Word
   file (python-docx; a headline, paragraphs with a bold and an italic word each). translit
   translates the Word file (read, translate, write back) and, in the same run, the same
   paragraphs as plain text; no cache. The ratio of the medians over ``--repeats`` runs is the
   cost of the document (the goal: at most 1.2).
2. **Formatting**: held-out Multi30k captions with one noun whose English is unambiguous
   (``bench/html_tags.py``'s list) get that noun bold, italic or linked in a Word paragraph; the
   small real translator translates the file and each run is judged as html_tags judges tags —
   on the word, round the whole sentence (flagged ``markup``), elsewhere, or dropped.
3. **Memory**: a Word file of ``--pages`` pages (about 500 words a page) is read and written
   back unchanged (no model): peak memory of the process.
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from translit import Translator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_tags import NOUNS, judge

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"


def articles(count: int) -> list[list[str]]:
    """The first ``count`` WMT20 articles, as paragraphs."""
    found = []
    for path in sorted((SHARED / "data" / "de_news" / "wmt20").glob("*.txt"))[:count]:
        paragraphs = [
            " ".join(p.split()) for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()
        ]
        found.append(paragraphs)
    return found


def word_file(paragraphs: list[list[str]]) -> bytes:
    """A Word file of the articles: headlines as headings, a bold and an italic word per paragraph."""
    import docx

    document = docx.Document()
    for article in paragraphs:
        document.add_heading(article[0], level=1)
        for text in article[1:]:
            words = text.split(" ")
            p = document.add_paragraph()
            for k, word in enumerate(words):
                run = p.add_run(word + (" " if k < len(words) - 1 else ""))
                run.bold = k == 3
                run.italic = k == 8
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cost(model: Path, count: int, repeats: int) -> None:
    """Median seconds for the Word file and for its paragraphs as text; their ratio."""
    chosen = articles(count)
    data = word_file(chosen)
    text = "\n\n".join(p for article in chosen for p in article)
    translator = Translator(model, cache=False)
    translator.translate("Warm-up.")
    timings: dict[str, list[float]] = {"docx": [], "text": []}
    for _ in range(repeats):
        started = time.perf_counter()
        result = translator.translate(data, "bench.docx")
        assert result.written() is not None
        timings["docx"].append(time.perf_counter() - started)
        started = time.perf_counter()
        translator.translate(text, "bench.txt")
        timings["text"].append(time.perf_counter() - started)
    words = len(text.split())
    docx_s, text_s = statistics.median(timings["docx"]), statistics.median(timings["text"])
    print(f"cost: {count} articles, {words} words, {len(result.units)} units; medians of {repeats}")
    print(f"  Word file {docx_s:.2f} s, plain text {text_s:.2f} s: ratio {docx_s / text_s:.3f}")


def runs_as_tags(paragraph: object) -> str:
    """A python-docx paragraph's text with its bold/italic/linked runs as HTML-like tags."""
    out = []
    for item in paragraph.iter_inner_content():  # type: ignore[attr-defined]
        if hasattr(item, "address"):
            out.append('<a href="https://example.org/x">' + item.text + "</a>")
        elif item.bold:
            out.append("<b>" + item.text + "</b>")
        elif item.italic:
            out.append("<em>" + item.text + "</em>")
        else:
            out.append(item.text)
    return re.sub(r"</(b|em)><\1>", "", "".join(out))


def formatting(model: Path, limit: int) -> None:
    """Where bold, italic and linked nouns land in the English Word file."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    translator = Translator(model, cache=False)
    cases: list[tuple[str, str, str]] = []
    for line in (
        (SHARED / "data" / "parallel" / "multi30k" / "val.de").read_text(encoding="utf-8").splitlines()
    ):
        noun = next((w for w in re.findall(r"\w+", line) if w in NOUNS), None)
        if noun is not None:
            cases.append((line.strip(), noun, ["b", "em", "a"][len(cases) % 3]))
        if len(cases) == limit:
            break
    plain = translator.translate_many([german for german, _, _ in cases])
    kept = [
        (case, english)
        for case, english in zip(cases, plain, strict=True)
        if re.search(rf"\b(?:{NOUNS[case[1]]})\b", english.text, re.I)
    ]
    document = docx.Document()
    for (german, noun, kind), _ in kept:
        p = document.add_paragraph()
        before, _, after = german.partition(noun)
        p.add_run(before)
        if kind == "a":
            rel = p.part.relate_to("https://example.org/x", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            link = OxmlElement("w:hyperlink")
            link.set(qn("r:id"), rel)
            element = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = noun
            element.append(t)
            link.append(element)
            p._p.append(link)  # type: ignore[arg-type]  # python-docx types children as CT_P's own
        else:
            run = p.add_run(noun)
            run.bold, run.italic = kind == "b", kind == "em"
        p.add_run(after)
    out = io.BytesIO()
    document.save(out)
    result = translator.translate(out.getvalue(), "captions.docx")
    english = docx.Document(io.BytesIO(result.written(marks=False) or b""))
    counts = {"on the word": 0, "at the edge": 0, "elsewhere": 0, "dropped": 0}
    tags = {"b": ("<b>", "</b>"), "em": ("<em>", "</em>"), "a": ('<a href="https://example.org/x">', "</a>")}
    by_kind: dict[str, list[int]] = {}
    for ((_german, noun, kind), _), paragraph in zip(kept, english.paragraphs, strict=True):
        verdict = judge(runs_as_tags(paragraph), noun, *tags[kind])
        verdict = "at the edge" if verdict == "edge" else verdict
        counts[verdict] += 1
        tally = by_kind.setdefault(kind, [0, 0])
        tally[0] += verdict == "on the word"
        tally[1] += 1
    print(f"formatting: {len(cases)} captions, {len(kept)} with the word in English ({model.name})")
    for verdict, n in counts.items():
        print(f"  {verdict:12} {n:4}  {100 * n / max(1, len(kept)):5.1f} %")
    for kind, (right, total) in by_kind.items():
        print(f"  {kind}: {right}/{total} on the word ({100 * right / max(1, total):.1f} %)")


def memory(pages: int) -> None:
    """Peak memory of reading a ``pages``-page Word file and writing it back (no model)."""
    from translit.readers import PlacedSegment, read_document, write_document

    body = [p for article in articles(118) for p in article]
    needed = pages * 500
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < needed:
        paragraphs += body
    data = word_file([paragraphs])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    document = read_document(data, "docx", "big.docx")
    placed = [PlacedSegment.plain(s) for s in document.segments]
    written = write_document(document, placed, marks=False) or b""
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    words = sum(len(p.split()) for p in paragraphs)
    print(
        f"memory: {pages} pages ({words} words, {len(data) >> 10} KiB, {len(document.segments)} paragraphs): "
        f"read and written in {seconds:.1f} s, peak RSS {peak >> 10} MiB (+{(peak - before) >> 10} MiB), "
        f"{len(written) >> 10} KiB out"
    )


def main() -> None:
    """Run the three measurements."""
    import logging

    logging.getLogger("translit").setLevel(logging.ERROR)  # the small model's doubts are not news here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SMALL)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--captions", type=int, default=300)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    cost(args.model, args.articles, args.repeats)
    formatting(args.model, args.captions)
    memory(args.pages)


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("documents", main)
