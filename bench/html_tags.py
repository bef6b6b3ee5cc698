"""Inline tags in HTML: what share lands on the right words, on a real learned translator.

    python bench/html_tags.py [--model DIR] [--limit N]

Held-out Multi30k validation sentences (``../shared``) that contain one of a few nouns whose
English rendering is unambiguous (Hund → dog, Frau → woman, …) get that noun wrapped in an
inline tag (``<b>``, ``<a href>``, ``<em>`` in turn). translit translates the HTML
(``Translator.translate_html``, the path of ``translit serve`` with ``format=html``) with the
small real translator, and each output tag is judged:

* **on the word**: the tag wraps the noun's English rendering (and at most two more words,
  such as "a" or an adjective the model put beside it);
* **at the edge**: no alignment was found and the tag was kept around the whole sentence
  (the unit is flagged ``markup``);
* **elsewhere**: the tag wraps other words;
* **dropped**: the tag is missing from the output (must be 0).

Only sentences whose plain translation contains the English word count: where the model
never wrote "dog", no placement of the tag could be right.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from translit import Translator

REPO = Path(__file__).resolve().parent.parent
VAL = REPO.parent / "shared" / "data" / "parallel" / "multi30k" / "val.de"
SMALL = REPO / "tests" / "fixtures" / "models" / "mt-de-en-small"

# German noun -> its English rendering (a regular expression over the output's words)
NOUNS = {
    "Hund": r"dogs?",
    "Mann": r"man",
    "Männer": r"men",
    "Frau": r"woman",
    "Frauen": r"women",
    "Junge": r"boy",
    "Mädchen": r"girls?",
    "Kinder": r"children|kids",
    "Straße": r"street|road",
    "Strand": r"beach",
    "Fahrrad": r"bike|bicycle",
    "Ball": r"ball",
    "Wasser": r"water",
}
TAGS = [("<b>", "</b>"), ('<a href="https://example.org/x">', "</a>"), ("<em>", "</em>")]


def cases(limit: int) -> list[tuple[str, str, str, str]]:
    """(German sentence, noun, opening tag, closing tag) for the first ``limit`` sentences with a noun."""
    found: list[tuple[str, str, str, str]] = []
    for line in VAL.read_text(encoding="utf-8").splitlines():
        words = re.findall(r"\w+", line)
        noun = next((w for w in words if w in NOUNS), None)
        if noun is None:
            continue
        opening, closing = TAGS[len(found) % len(TAGS)]
        found.append((line.strip(), noun, opening, closing))
        if len(found) == limit:
            break
    return found


def judge(output: str, noun: str, opening: str, closing: str) -> str:
    """Where the tag landed in ``output`` (see the module docstring)."""
    match = re.search(re.escape(opening) + r"(.*?)" + re.escape(closing), output, re.S)
    if match is None:
        return "dropped"
    inside = match.group(1)
    plain_inside = re.sub(r"<[^>]+>", "", inside).strip()
    rest = re.sub(r"<[^>]+>", "", output[: match.start()] + output[match.end() :]).strip()
    if not rest.strip(" .!?"):
        return "edge"  # the whole sentence is wrapped
    words = re.findall(r"[\w'-]+", plain_inside)
    if re.search(rf"\b(?:{NOUNS[noun]})\b", plain_inside, re.I) and len(words) <= 3:
        return "on the word"
    return "elsewhere"


def main() -> None:
    """Translate the tagged sentences and print the share of tags per outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SMALL)
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    translator = Translator(args.model, cache=False)
    chosen = cases(args.limit)
    plain = translator.translate_many([german for german, *_ in chosen])
    counts = {"on the word": 0, "at the edge": 0, "elsewhere": 0, "dropped": 0}
    by_tag: dict[str, list[int]] = {}
    counted = 0
    for (german, noun, opening, closing), english in zip(chosen, plain, strict=True):
        if not re.search(rf"\b(?:{NOUNS[noun]})\b", english.text, re.I):
            continue  # the model did not write the word: no place for the tag could be right
        counted += 1
        tagged = re.sub(rf"\b{noun}\b", f"{opening}{noun}{closing}", german, count=1)
        output = translator.translate_html(f"<p>{tagged}</p>").text
        verdict = judge(output, noun, opening, closing)
        verdict = "at the edge" if verdict == "edge" else verdict
        counts[verdict] += 1
        tally = by_tag.setdefault(opening.split()[0].strip("<>"), [0, 0])
        tally[0] += verdict == "on the word"
        tally[1] += 1
    print(f"model: {args.model.name}; {len(chosen)} tagged sentences, {counted} with the word in English")
    for verdict, n in counts.items():
        print(f"  {verdict:12} {n:4}  {100 * n / max(1, counted):5.1f} %")
    for tag, (right, total) in by_tag.items():
        print(f"  <{tag}>: {right}/{total} on the word ({100 * right / max(1, total):.1f} %)")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    run("html_tags", main)
