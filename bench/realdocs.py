"""Real documents nobody here wrote: does each come back as it went in?

    python bench/realdocs.py [--formats docx,pptx,odt,subtitles,pdf] [--limit N] [--timeout S]
                             [--show N] [--json FILE] [--model DIR]
    python bench/realdocs.py --service-memory | --job-cancel

Every file of ``../shared/data/realdocs/<format>/`` is translated with the **copy model** (it
repeats its German, so any damage is translit's, not a model's) and its output is checked:

* **crash** (an exception other than a one-line refusal), **hang** (over ``--timeout`` seconds),
  **refused** (a one-line :class:`~translit.errors.InputError`: named, not counted as damage),
  **unopenable** (the output does not open again), **empty** (no text out of an input with text);
* **words**: each paragraph's visible text (field results, tabs and breaks as spaces) against
  the input's *and* against the copy model's own plain-text output of the same paragraph (it
  miscopies some words): a paragraph is damaged only where it differs from both by a glued or
  split word, a word moved, doubled or lost — a miscopied word is the model's;
* **structure**: counts of tabs, line breaks, fields, links, note references, images, bookmarks,
  content controls … in the input (tracked deletions left out: they are accepted) and the output;
* **formatting**: every word of the input whose run formatting (or link) differs from its
  paragraph's base, matched to the same word in the output: the share that kept it;
* **time** per file.

Subtitles: cue count and timings kept, tags balanced per cue; PDF: text out, words kept.
``--show`` prints that many examples of each kind of damage.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import re
import signal
import statistics
import sys
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REALDOCS = REPO.parent / "shared" / "data" / "realdocs"
COPY = REPO / "tests" / "fixtures" / "models" / "copy-de"
FORMATS = ("docx", "pptx", "odt", "subtitles", "pdf", "bad")
_KIND_OF = {
    ".docx": "docx",
    ".pptx": "pptx",
    ".odt": "odt",
    ".srt": "subtitles",
    ".vtt": "subtitles",
    ".pdf": "pdf",
}

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
ODT_FIELDS = {
    "date", "time", "page-number", "page-count", "sequence", "chapter", "file-name", "author-name",
    "title", "subject", "variable-get", "variable-set", "user-field-get", "reference-ref",
    "bookmark-ref", "note-ref", "sequence-ref", "word-count", "character-count", "initial-creator",
    "creation-date", "description", "keywords", "sender-firstname", "sender-lastname",
}  # fmt: skip


class Hang(Exception):
    """The file took longer than --timeout."""


@dataclass
class Paragraph:
    """A paragraph's visible words, each with its formatting key, and the paragraph's most
    common key (its base: a word with another is a formatted word)."""

    words: list[str]
    keys: list[str]
    base: str = ""


@dataclass
class Reading:
    """What the checks need of one office file."""

    paragraphs: list[Paragraph]
    counts: Counter[str]


@dataclass
class Outcome:
    """One file's result."""

    name: str
    kind: str = "ok"  # ok, refused, crash, hang, unopenable, empty
    detail: str = ""
    seconds: float = 0.0
    damaged: list[str] = field(default_factory=list)  # examples of paragraphs with word damage
    counts_in: dict[str, int] = field(default_factory=dict)
    counts_out: dict[str, int] = field(default_factory=dict)
    formatted: int = 0
    formatted_kept: int = 0
    format_moves: list[str] = field(default_factory=list)

    @property
    def structure_changed(self) -> dict[str, tuple[int, int]]:
        """Each count that differs: (in, out)."""
        keys = (set(self.counts_in) | set(self.counts_out)) - {"words"}
        return {
            k: (self.counts_in.get(k, 0), self.counts_out.get(k, 0))
            for k in sorted(keys)
            if self.counts_in.get(k, 0) != self.counts_out.get(k, 0)
        }


# --- reading office files independently of translit's readers -------------------------------------


def _xml(data: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


def _members(data: bytes, wanted: Callable[[str], bool]) -> Iterator[tuple[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if wanted(name):
                yield name, _xml(archive.read(name))


def _deleted(element: Any, tags: set[str]) -> bool:
    return any(a.tag in tags for a in element.iterancestors())


def _words_of(chars: list[tuple[str, str]]) -> Paragraph:
    words, keys, current, key = [], [], "", ""
    for ch, k in [*chars, (" ", "")]:
        if ch.isspace():
            if current:
                words.append(current)
                keys.append(key)
            current = ""
            continue
        if not current:
            key = k
        current += ch
    weight = Counter(k for ch, k in chars if not ch.isspace())
    return Paragraph(words, keys, weight.most_common(1)[0][0] if weight else "")


def read_docx(data: bytes) -> Reading:
    """Paragraphs and structure counts of a Word file's body, headers, footers and notes."""
    from lxml import etree

    w = lambda t: f"{{{W}}}{t}"  # noqa: E731
    gone = {w("del"), w("moveFrom")}
    counts: Counter[str] = Counter()
    paragraphs: list[Paragraph] = []
    parts = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
    for _name, root in _members(data, lambda n: bool(parts.match(n))):
        for element in root.iter():
            if not isinstance(element.tag, str) or _deleted(element, gone):
                continue
            tag = etree.QName(element).localname if element.tag.startswith(f"{{{W}}}") else None
            parent = element.getparent()
            if tag == "tab" and parent is not None and parent.tag == w("r"):
                counts["tab"] += 1
            elif tag in ("br", "cr"):
                counts["break"] += 1
            elif (tag == "fldChar" and element.get(w("fldCharType")) == "begin") or tag == "fldSimple":
                counts["field"] += 1
            elif tag == "hyperlink":
                counts["link"] += 1
            elif tag in ("footnoteReference", "endnoteReference"):
                counts["note"] += 1
            elif tag in ("drawing", "pict", "object"):
                counts["image"] += 1
            elif tag == "bookmarkStart":
                counts["bookmark"] += 1
            elif tag in ("commentRangeStart", "commentReference"):
                counts["comment"] += 1
            elif tag in ("sdt", "smartTag"):
                counts[tag] += 1
            elif tag in ("softHyphen", "noBreakHyphen"):
                counts["hyphen"] += 1
        for p in root.iter(w("p")):
            if _deleted(p, gone):
                continue
            chars: list[tuple[str, str]] = []
            for element in p.iter(w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen")):
                if _deleted(element, gone) or any(
                    a.tag == w("p") for a in element.iterancestors() if a is not p
                ):
                    continue
                run = element.getparent()
                if run is None or run.tag != w("r"):
                    continue
                key = _run_key(run, w("rPr"), w("hyperlink"))
                if element.tag == w("t"):
                    chars.extend((ch, key) for ch in element.text or "")
                elif element.tag == w("noBreakHyphen"):
                    chars.append(("\u2011", key))
                else:
                    chars.append((" ", key))
            paragraphs.append(_words_of(chars))
    return Reading(paragraphs, counts)


def _run_key(run: Any, properties: str, link_tag: str | None) -> str:
    """A run's formatting as a key: its properties without revision ids, and the link round it."""
    from lxml import etree

    rpr = run.find(properties)
    key = ""
    if rpr is not None:
        key = etree.tostring(rpr, encoding="unicode")
        key = re.sub(r'\s[\w:]*rsid\w*="[^"]*"', "", key)
        key = re.sub(r'\s(?:lang|dirty|err|smtClean|noProof)="[^"]*"', "", key)
        key = re.sub(r"<w:lang [^>]*/>|<w:noProof/>|<w:proofErr[^>]*/>", "", key)
        key = re.sub(r"\sxmlns:\w+=\"[^\"]*\"", "", key)
        key = re.sub(r">\s+<", "><", key).strip()
    if link_tag is not None:
        link = next((a for a in run.iterancestors() if a.tag == link_tag), None)
        if link is not None:
            key += "|link:" + (link.get(f"{{{R}}}id") or "") + "#" + (link.get(f"{{{W}}}anchor") or "")
    return key


def read_pptx(data: bytes) -> Reading:
    """Paragraphs and counts of a deck's slides and notes."""
    a = lambda t: f"{{{A}}}{t}"  # noqa: E731
    counts: Counter[str] = Counter()
    paragraphs: list[Paragraph] = []
    parts = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml$")
    for _name, root in _members(data, lambda n: bool(parts.match(n))):
        counts["break"] += sum(1 for _ in root.iter(a("br")))
        counts["field"] += sum(1 for _ in root.iter(a("fld")))
        counts["link"] += sum(1 for e in root.iter(a("hlinkClick")) if e.getparent().tag == a("rPr"))
        counts["image"] += sum(1 for _ in root.iter(f"{{{P}}}pic"))
        for p in root.iter(a("p")):
            chars: list[tuple[str, str]] = []
            for element in p:
                if element.tag in (a("r"), a("fld")):
                    t = element.find(a("t"))
                    key = _run_key(element, a("rPr"), None)
                    rpr = element.find(a("rPr"))
                    link = rpr.find(a("hlinkClick")) if rpr is not None else None
                    if link is not None:
                        key += "|link:" + (link.get(f"{{{R}}}id") or "")
                    text = (t.text or "") if t is not None else ""
                    counts["tab"] += text.count("\t")
                    chars.extend((ch, key) for ch in text)
                elif element.tag == a("br"):
                    chars.append((" ", ""))
            paragraphs.append(_words_of(chars))
    return Reading(paragraphs, counts)


def read_odt(data: bytes) -> Reading:
    """Paragraphs and counts of a text document's content and styles (headers, footers)."""
    from lxml import etree

    t = lambda n: f"{{{TEXT}}}{n}"  # noqa: E731
    counts: Counter[str] = Counter()
    paragraphs: list[Paragraph] = []
    for _name, root in _members(data, lambda n: n in ("content.xml", "styles.xml")):
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            q = etree.QName(element)
            if q.namespace == TEXT:
                if q.localname == "tab":
                    counts["tab"] += 1
                elif q.localname == "s":
                    counts["space"] += int(element.get(t("c"), "1") or 1)
                elif q.localname == "line-break":
                    counts["break"] += 1
                elif q.localname == "a":
                    counts["link"] += 1
                elif q.localname == "note":
                    counts["note"] += 1
                elif q.localname in ("bookmark", "bookmark-start"):
                    counts["bookmark"] += 1
                elif q.localname in ODT_FIELDS:
                    counts["field"] += 1
            elif q.namespace == DRAW and q.localname == "frame":
                counts["image"] += 1
        for p in root.iter(t("p"), t("h")):
            chars: list[tuple[str, str]] = []

            def walk(element: Any, key: str, chars: list[tuple[str, str]] = chars) -> None:
                chars.extend((ch, key) for ch in element.text or "")
                for child in element:
                    if child.tag in (t("span"), t("a")):
                        style = child.get(t("style-name")) or ""
                        href = child.get("{http://www.w3.org/1999/xlink}href") or ""
                        walk(child, key + "|" + style + href)
                    elif child.tag in (t("s"), t("tab"), t("line-break")):
                        chars.append((" ", key))
                    elif etree.QName(child).localname in ODT_FIELDS:
                        chars.extend((ch, key) for ch in "".join(child.itertext()))
                    chars.extend((ch, key) for ch in child.tail or "")

            walk(p, "")
            paragraphs.append(_words_of(chars))
    return Reading(paragraphs, counts)


READERS: dict[str, Callable[[bytes], Reading]] = {"docx": read_docx, "pptx": read_pptx, "odt": read_odt}


# --- word damage ---------------------------------------------------------------------------------


def damage(expected: list[str], got: list[str]) -> list[str]:
    """Word damage of ``got`` against ``expected``: glued/split, moved, doubled or lost words.

    A block replaced by other words in place is a miscopy (the model's), not damage."""
    found = []
    lost: Counter[str] = Counter()
    added: Counter[str] = Counter()
    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        left, right = expected[a0:a1], got[b0:b1]
        if tag == "equal":
            continue
        if tag == "replace" and "".join(left) == "".join(right):
            found.append(f"glued/split {' '.join(left)!r} -> {' '.join(right)!r}")
            continue
        lost.update(left)
        added.update(right)
        if tag == "delete":
            found.append(f"lost {' '.join(left)!r}")
        elif tag == "insert":
            found.append(f"added {' '.join(right)!r}")
    moved = sorted(set(lost) & set(added))
    if moved:
        found.append(f"moved {' '.join(moved)[:80]!r}")
    return found


# --- the run -------------------------------------------------------------------------------------


def check_office(kind: str, name: str, data: bytes, out: bytes, translator: Any, outcome: Outcome) -> None:
    """Structure, words and formatting of one office file's translation."""
    from translit.readers.base import Document

    try:
        before, after = READERS[kind](data), READERS[kind](out)
        translator.read(out, "out." + kind)
    except Exception as exc:
        outcome.kind, outcome.detail = "unopenable", f"{type(exc).__name__}: {exc}"[:300]
        return
    outcome.counts_in, outcome.counts_out = dict(before.counts), dict(after.counts)
    if len(before.paragraphs) != len(after.paragraphs):
        outcome.damaged.append(f"paragraphs {len(before.paragraphs)} -> {len(after.paragraphs)}")
        return
    wanted = [i for i, p in enumerate(before.paragraphs) if any(any(c.isalnum() for c in w) for w in p.words)]
    if not wanted:
        return
    plain = translator.translate(
        Document.of_paragraphs([" ".join(before.paragraphs[i].words) for i in wanted], name=name)
    )
    model_words = [p.split() for p in plain.paragraphs]
    for i, model in zip(wanted, model_words, strict=True):
        source, got = before.paragraphs[i].words, after.paragraphs[i].words
        if got in (source, model):
            problems: list[str] = []
        else:
            against_source, against_model = damage(source, got), damage(model, got)
            problems = against_model if against_source and against_model else []
        if problems:
            outcome.damaged.append(
                f"¶{i}: {problems[0]} | in: {' '.join(source)[:160]!r} | out: {' '.join(got)[:160]!r}"
            )
        # Formatting: words matched between input and output, those formatted in the input.
        src_keys, out_keys = before.paragraphs[i].keys, after.paragraphs[i].keys
        base = before.paragraphs[i].base
        matcher = difflib.SequenceMatcher(a=source, b=got, autojunk=False)
        for tag, a0, a1, b0, _b1 in matcher.get_opcodes():
            if tag != "equal":
                continue
            for k in range(a1 - a0):
                if src_keys[a0 + k] != base:
                    outcome.formatted += 1
                    if src_keys[a0 + k] == out_keys[b0 + k]:
                        outcome.formatted_kept += 1
                    elif len(outcome.format_moves) < 3:
                        outcome.format_moves.append(
                            f"¶{i} {source[a0 + k]!r}: {src_keys[a0 + k][:80]} -> {out_keys[b0 + k][:80]}"
                        )


def check_subtitles(name: str, data: bytes, out: bytes, outcome: Outcome) -> None:
    """Cue count and timings kept, tags balanced."""
    text_in = _decode(data)
    text_out = out.decode("utf-8", "replace")
    timing = re.compile(r"(\d+:)?\d\d:\d\d[,.]\d\d\d\s*-->\s*(\d+:)?\d\d:\d\d[,.]\d\d\d")
    cues_in = [m.group(0) for m in timing.finditer(text_in)]
    cues_out = [m.group(0) for m in timing.finditer(text_out)]
    outcome.counts_in = {"cue": len(cues_in), "ass-tag": len(re.findall(r"\{\\[^}]*\}", text_in))}
    outcome.counts_out = {"cue": len(cues_out), "ass-tag": len(re.findall(r"\{\\[^}]*\}", text_out))}
    if [_norm_time(c) for c in cues_in] != [_norm_time(c) for c in cues_out]:
        outcome.damaged.append("timings changed")
    for block in re.split(r"\n\s*\n", text_out):
        for tag in ("i", "b", "u", "font"):
            opened = len(re.findall(rf"<{tag}[\s>]", block, re.I))
            closed = len(re.findall(rf"</{tag}>", block, re.I))
            if opened != closed:
                outcome.damaged.append(f"<{tag}> unbalanced in {block.strip()[:120]!r}")
                break


def _norm_time(cue: str) -> str:
    return re.sub(r"\s+", " ", cue.replace(".", ",")).strip()


def _decode(data: bytes) -> str:
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def has_text(kind: str, data: bytes) -> bool:
    """Whether the input has any words (an empty output of such an input is a failure)."""
    if kind in READERS:
        try:
            return any(p.words for p in READERS[kind](data).paragraphs)
        except Exception:
            return False
    if kind == "subtitles":
        text = _decode(data)
        return any(
            re.search(r"\w", line)
            and "-->" not in line
            and not line.strip().isdigit()
            and not line.startswith("WEBVTT")
            for line in text.splitlines()
        )
    if kind == "pdf":
        try:
            from pdfminer.high_level import extract_text

            return bool(re.search(r"\w", extract_text(io.BytesIO(data))))
        except Exception:
            return False
    return True


def run_file(kind: str, path: Path, translator: Any, timeout: int) -> Outcome:
    """Translate one file with the copy model and check what comes back."""
    from translit.errors import InputError

    outcome = Outcome(path.name)
    data = path.read_bytes()

    def alarm(_signum: int, _frame: Any) -> None:
        raise Hang

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    started = time.perf_counter()
    try:
        result = translator.translate(path)
        written = result.written(marks=False)
        out = written if written is not None else result.text.encode("utf-8")
    except InputError as exc:
        outcome.kind, outcome.detail = "refused", str(exc)[:300]
        return outcome
    except Hang:
        outcome.kind, outcome.detail = "hang", f"over {timeout} s"
        return outcome
    except Exception as exc:
        outcome.kind, outcome.detail = "crash", f"{type(exc).__name__}: {exc}"[:300]
        return outcome
    finally:
        signal.alarm(0)
        outcome.seconds = time.perf_counter() - started
    if not out.strip() and has_text(kind, data):
        outcome.kind = "empty"
        return outcome
    if kind in READERS:
        check_office(kind, path.name, data, out, translator, outcome)
    elif kind == "subtitles":
        check_subtitles(path.name, data, out, outcome)
    elif kind == "pdf":
        check_pdf(data, out, translator, outcome)
    return outcome


def check_pdf(data: bytes, out: bytes, translator: Any, outcome: Outcome) -> None:
    """The share of the text layer's words (pdfminer's own extraction) that come back, against
    the words themselves and against the copy model's plain output of that text (it cannot copy
    Chinese, and miscopies ligatures): below :data:`PDF_KEPT` on both, the file is damaged (a
    line left out as a running header, a page lost)."""
    from pdfminer.high_level import extract_text

    from translit.readers.base import Document

    text = unicodedata.normalize("NFKC", extract_text(io.BytesIO(data)))  # translit reads ligatures so
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    plain = translator.translate(Document.of_paragraphs(paragraphs, name="plain")).text if paragraphs else ""
    got = Counter(re.findall(r"\w+", unicodedata.normalize("NFKC", out.decode("utf-8", "replace"))))

    def kept(reference: Counter[str]) -> tuple[int, int]:
        return sum(min(n, got[w]) for w, n in reference.items()), sum(reference.values())

    source = Counter(re.findall(r"\w+", text))
    model = Counter(re.findall(r"\w+", plain))
    (a, total), (b, model_total) = kept(source), kept(model)
    outcome.counts_in, outcome.counts_out = {"words": total}, {"words": a}
    copies = sum(min(n, model[w]) for w, n in source.items()) / max(1, total)
    if copies < PDF_KEPT:
        # The copy model cannot copy this text (Chinese: its vocabulary is German news); what
        # it gives back differs run to run, so no word count can tell translit's damage here.
        outcome.detail = f"the copy model keeps {copies:.0%} of this text's words; words not judged"
        return
    if total - a >= 3 and a / total < PDF_KEPT and (not model_total or b / model_total < PDF_KEPT):
        lost = [w for w, n in source.items() if got[w] < n][:8]
        outcome.damaged.append(
            f"{a} of {total} words kept ({b} of {model_total} of the model's); lost e.g. {' '.join(lost)}"
        )


PDF_KEPT = 0.9


def report(kind: str, outcomes: list[Outcome], show: int) -> dict[str, Any]:
    """Print one format's table row and examples; return its figures."""
    by_kind = Counter(o.kind for o in outcomes)
    checked = [o for o in outcomes if o.kind == "ok"]
    words = [o for o in checked if o.damaged]
    structure = [o for o in checked if o.structure_changed]
    formatted = sum(o.formatted for o in checked)
    kept = sum(o.formatted_kept for o in checked)
    moved_files = [o for o in checked if o.formatted != o.formatted_kept]
    seconds = [o.seconds for o in outcomes]
    figures = {
        "files": len(outcomes),
        "refused": by_kind["refused"],
        "crash": by_kind["crash"],
        "hang": by_kind["hang"],
        "unopenable": by_kind["unopenable"],
        "empty": by_kind["empty"],
        "words_damaged_files": len(words),
        "structure_changed_files": len(structure),
        "structure_equal_share": round(1 - len(structure) / max(1, len(checked)), 4),
        "formatted_words": formatted,
        "formatted_kept_share": round(kept / formatted, 4) if formatted else None,
        "formatting_moved_files": len(moved_files),
        "median_seconds": round(statistics.median(seconds), 3) if seconds else 0,
        "max_seconds": round(max(seconds), 2) if seconds else 0,
    }
    print(f"\n== {kind}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    for o in outcomes:
        if o.kind in ("crash", "hang", "unopenable", "empty"):
            print(f"  {o.kind}: {o.name}: {o.detail}")
    for o in outcomes:
        if o.kind == "refused":
            # The message names the file again: shown once, without its folder.
            reason = o.detail.split(": ", 1)[1] if o.detail.startswith("/") else o.detail
            print(f"  refused: {o.name}: {reason[:160]}")
    for o in words[:show]:
        print(f"  words: {o.name}: {len(o.damaged)} paragraph(s); " + " || ".join(o.damaged[:2]))
    for o in structure[:show]:
        print(f"  structure: {o.name}: {o.structure_changed}")
    for o in moved_files[:show]:
        print(
            f"  formatting: {o.name}: {o.formatted - o.formatted_kept} of {o.formatted}; "
            + " || ".join(o.format_moves[:1])
        )
    return figures


def summary(figures: dict[str, dict[str, Any]]) -> str:
    """One row per format, as the documentation's table reads."""
    rows = [
        "| format | files | crashes, hangs, unopenable, empty | refused in one line | files with words "
        "damaged | structure counts equal | formatted words kept | seconds per file (median, max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, f in figures.items():
        checked = f["files"] - f["refused"] - f["crash"] - f["hang"] - f["unopenable"] - f["empty"]
        equal = checked - f["structure_changed_files"]
        kept = round((f["formatted_kept_share"] or 0) * f["formatted_words"])
        formatted = f"{kept} of {f['formatted_words']}" if f["formatted_words"] else "-"
        rows.append(
            f"| {kind} | {f['files']} | {f['crash'] + f['hang'] + f['unopenable'] + f['empty']} "
            f"| {f['refused']} | {f['words_damaged_files']} | {equal} of {checked} "
            f"| {formatted} "
            f"| {f['median_seconds']}, {f['max_seconds']} |"
        )
    return "\n".join(rows)


def zero_images_docx(path: Path, count: int = 480) -> Path:
    """A real Word file that references ``count`` one-MiB images of zeros (a 560 KB file)."""
    source = REALDOCS / "docx" / "jgm__pandoc__test_docx_tabs.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                rels = "".join(
                    f'<Relationship Id="rZ{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/image" Target="media/zero{k}.png"/>'
                    for k in range(count)
                )
                data = data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            if info.filename == "[Content_Types].xml" and b'Extension="png"' not in data:
                data = data.replace(
                    b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1
                )
            out.writestr(info, data)
        for k in range(count):
            out.writestr(f"word/media/zero{k}.png", b"\0" * (1 << 20))
    return path


def service_memory() -> None:
    """One upload's memory in ``translit serve`` (the copy model): the process's resident memory
    sampled every 10 ms while it translates a Word file that references 480 MiB of images,
    over what it held idle (after a first request)."""
    import tempfile
    import threading

    import httpx

    sys.path.insert(0, str(REPO / "bench"))
    from serve import Server

    def rss(pid: int) -> int:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]

    with tempfile.TemporaryDirectory() as folder:
        path = zero_images_docx(Path(folder) / "zeros.docx")
        size = path.stat().st_size // 1024
        server = Server(model=COPY, beams=None)
        try:
            httpx.post(server.url + "/translate", json={"q": "Ein Satz.", "source": "de", "target": "en"})
            idle = rss(server.proc.pid)
            peak, done = idle, threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss(server.proc.pid))
                    time.sleep(0.01)

            sampler = threading.Thread(target=sample)
            sampler.start()
            started = time.perf_counter()
            files = {"file": ("zeros.docx", path.read_bytes())}
            reply = httpx.post(
                server.url + "/translate_file",
                files=files,
                data={"source": "de", "target": "en"},
                timeout=300,
            )
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
        finally:
            server.stop()
    print(
        f"service memory: a {size} KB Word file referencing 480 MiB of images: HTTP {reply.status_code} "
        f"in {seconds:.1f} s; idle {idle} MiB, peak {peak} MiB: {peak - idle} MiB over idle"
    )


def job_cancel(repeats: int = 5) -> None:
    """How long ``DELETE /jobs/ID`` takes to end a running job: ``translit serve`` with the small
    real translator, a Word file of 1,000 captions, cancelled once 100 units are done; the time
    from the DELETE until the job's status is no longer ``running`` (medians of ``repeats``)."""
    import httpx
    from docx import Document as WordDocument

    sys.path.insert(0, str(REPO / "bench"))
    from serve import Server

    captions = (REPO.parent / "shared" / "data" / "parallel" / "multi30k" / "val.de").read_text(
        encoding="utf-8"
    )
    word = WordDocument()
    for line in captions.splitlines()[:1000]:
        word.add_paragraph(line)
    data = io.BytesIO()
    word.save(data)
    server = Server(model=REPO / "tests" / "fixtures" / "models" / "mt-de-en-small", beams=None)
    seconds, states = [], []
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for _ in range(repeats):
                url = client.post("/jobs", files={"file": ("long.docx", data.getvalue())}).json()["status"]
                while (state := client.get(url).json())["status"] != "running" or state["units_done"] < 100:
                    time.sleep(0.02)
                started = time.perf_counter()
                client.delete(url.removeprefix(server.url))
                while (state := client.get(url).json())["status"] == "running":
                    time.sleep(0.005)
                seconds.append(time.perf_counter() - started)
                states.append(f"{state['status']} at {state['units_done']}/{state['units']}")
    finally:
        server.stop()
    print(
        f"job cancel: {', '.join(states)}; DELETE to stopped: median {statistics.median(seconds):.3f} s, "
        f"max {max(seconds):.3f} s"
    )


def main() -> None:
    """Run the chosen formats and print a table per format."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--limit", type=int, default=0, help="files per format (0: all)")
    parser.add_argument("--match", default="", help="only files whose name contains this")
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write every file's outcome here")
    parser.add_argument("--model", type=Path, default=COPY)
    parser.add_argument(
        "--service-memory", action="store_true", help="only one upload's memory in the service"
    )
    parser.add_argument("--job-cancel", action="store_true", help="only how fast DELETE ends a running job")
    args = parser.parse_args()
    if args.service_memory:
        service_memory()
        return
    if args.job_cancel:
        job_cancel()
        return

    import logging

    logging.disable(logging.WARNING)
    from translit import Translator

    translator = Translator(args.model, cache=False)
    translator.translate("Ein Satz zum Aufwärmen.")
    figures, records = {}, {}
    for kind in args.formats.split(","):
        files = sorted(p for p in (REALDOCS / kind).iterdir() if p.is_file() and args.match in p.name)
        if args.limit:
            files = files[: args.limit]
        # bad/: files to refuse in one line or survive; each checked as its own format.
        outcomes = [
            run_file(
                _KIND_OF.get(path.suffix, kind) if kind == "bad" else kind, path, translator, args.timeout
            )
            for path in files
        ]
        figures[kind] = report(kind, outcomes, args.show)
        records[kind] = [o.__dict__ | {"structure_changed": o.structure_changed} for o in outcomes]
    print("\n" + summary(figures))
    if args.json:
        args.json.write_text(json.dumps(records, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    from record import run  # bench/record.py: --record keeps the report for the docs

    # Each mode is its own result: the corpus table, the service's memory, a job's cancelling.
    mode = next((m for m in ("--service-memory", "--job-cancel") if m in sys.argv), "")
    sys.exit(run("realdocs" + mode.replace("--", "-"), main))
