"""PDF, the text layer: paragraphs in reading order, without running headers, footers and page numbers.

pdfminer.six lays out each page's text (columns in order). Its lines are joined back into
paragraphs — a paragraph ends where the space between two lines grows or the type size
changes (a headline) — across line breaks, hyphenation (``Bundes-`` / ``regierung`` becomes
``Bundesregierung``; ``EU-`` / ``Kommissar`` keeps its hyphen) and page breaks (a paragraph that
does not end a sentence at the foot of a page goes on at the top of the next). A table's cells
are read row by row, each a paragraph of its own, where the table stands. Lines in the top
and bottom margins that repeat on at least three pages and half of them (running headers and
footers, digits aside) and bare page numbers there are left out and reported, like a web page's
boilerplate — never all of a document's lines, and nothing from a PDF of one or two pages.

A translated PDF with its layout kept is out of scope: the translation comes out as text,
Markdown, JSON or bilingual, like any article. A PDF without a text layer (a scan) is refused
in one line: OCR it first. The layout runs in a child process with a memory and time limit, so
a PDF bomb (a stream that inflates without end) costs a line, not the machine.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from translit.errors import InputError
from translit.readers.base import Document, library
from translit.readers.child import bounded

MAX_PAGES = 3000
MEMORY_LIMIT = 2 * 1024**3
SECONDS = 300.0
MARGIN = 0.08  # of the page's height: where running headers and footers sit
RUNNING_PAGES = 3
"""A line is a running header or footer only where it repeats on at least this many pages."""

log = logging.getLogger("translit")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|(?:Seite|Page|S\.)\s*\d{1,4}(?:\s*(?:von|of|/)\s*\d{1,4})?)$", re.I
)
_SENTENCE_END = re.compile(r"[.!?:…][\"'»«“”‚‘’)\]]*$")


@dataclass
class Line:
    """One line of text on a page: its words, where it is, how big its type is."""

    text: str
    page: int
    top: float
    bottom: float
    left: float
    right: float
    box: int

    @property
    def height(self) -> float:
        return max(1.0, self.top - self.bottom)


def _lines(data: bytes) -> tuple[list[Line], list[float], int]:
    """Every text line of the PDF in reading order, the pages' heights, and the page count."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return _laid_out(
            extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True), maxpages=MAX_PAGES)
        )
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError("it is encrypted: save an unprotected copy and try again") from None


def _laid_out(pages: Any) -> tuple[list[Line], list[float], int]:
    from pdfminer.layout import LTFigure, LTTextBox, LTTextLine

    lines: list[Line] = []
    heights: list[float] = []
    box = 0

    def boxes(container: Any) -> Any:
        """The text boxes of a page, and of the figures on it (a form, a chart's labels: text
        laid out inside a Form XObject, which pdfminer lays out with ``all_texts``)."""
        for element in container:
            if isinstance(element, LTTextBox):
                yield element
            elif isinstance(element, LTFigure):
                yield from boxes(element)

    for number, page in enumerate(pages):
        heights.append(float(page.height))
        for element in boxes(page):
            box += 1
            for line in element:
                if isinstance(line, LTTextLine):
                    text = " ".join(line.get_text().split())
                    if text:
                        lines.append(
                            Line(
                                text,
                                number,
                                float(line.y1),
                                float(line.y0),
                                float(line.x0),
                                float(line.x1),
                                box,
                            )
                        )
    return lines, heights, len(heights)


def lay_out(data: bytes, source: str, seconds: float = SECONDS) -> tuple[list[Line], list[float], int]:
    """:func:`_lines` in a child process with a memory and time limit."""
    lines, heights, pages = bounded(
        lambda: _lines(data),
        seconds,
        too_slow=f"{source}: laying out the PDF took longer than {seconds:.0f} s; refused",
        ended=f"{source}: the PDF could not be read (its process ended: too large, or damaged)",
        failed=f"{source}: cannot read the PDF",
        memory=MEMORY_LIMIT,
        out_of_memory=f"it needs more than {MEMORY_LIMIT >> 20} MiB to lay out; refused (a PDF bomb?)",
    )
    return lines, heights, pages


def running_lines(lines: list[Line], heights: list[float], pages: int) -> set[int]:
    """Indexes of lines that are running headers, footers or page numbers.

    Only a document of :data:`RUNNING_PAGES` pages or more has them: a line in the top or bottom
    margin counts as running where its shape (digits aside) is there on at least that many pages
    and on half of them; a bare page number only in such a margin. A one- or two-page PDF keeps
    every line (an axis label, a page range).
    """
    if pages < RUNNING_PAGES:
        return set()

    def in_margin(line: Line) -> bool:
        height = heights[line.page] if line.page < len(heights) else 842.0
        return line.top > height * (1 - MARGIN) or line.bottom < height * MARGIN

    on_pages: dict[str, set[int]] = {}
    for line in lines:
        if in_margin(line):
            on_pages.setdefault(re.sub(r"\d+", "#", line.text), set()).add(line.page)
    repeated = {shape for shape, found in on_pages.items() if len(found) >= max(RUNNING_PAGES, pages // 2)}
    return {
        i
        for i, line in enumerate(lines)
        if in_margin(line) and (re.sub(r"\d+", "#", line.text) in repeated or _PAGE_NUMBER.match(line.text))
    }


def _join(previous: str, line: str) -> str:
    """Two lines of one paragraph as one: hyphenation undone where the word goes on in lower case."""
    if previous.endswith("-") and len(previous) > 1 and previous[-2].isalpha():
        if line[:1].islower():
            return previous[:-1] + line
        return previous + line  # "EU-" / "Kommissar": a compound's own hyphen
    return previous + " " + line


ROW_TOLERANCE = 2.0
"""Points by which two cells' tops may differ and still be one row of a table."""


def table_cells(lines: list[Line]) -> tuple[list[int], set[int]]:
    """The reading order of ``lines`` (indexes) with every table read row by row, and the boxes
    that are table cells.

    pdfminer lays a table out as one box per cell and orders them column by column, so a row's
    cells were read apart (and a cell starting in lower case was joined to the one above it). A
    table here is a grid: at least two rows, each of at least two one-line boxes side by side
    at the same height, that share at least two columns (the same left edges). Its cells are
    read row by row, left to right, where its first cell was; each is a paragraph of its own.
    """
    lines_of: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        lines_of.setdefault(line.box, []).append(i)
    single = [items[0] for items in lines_of.values() if len(items) == 1]
    by_page: dict[int, list[int]] = {}
    for i in single:
        by_page.setdefault(lines[i].page, []).append(i)
    order = list(range(len(lines)))
    cells: set[int] = set()
    for members in by_page.values():
        rows: list[list[int]] = []
        for i in sorted(members, key=lambda k: -lines[k].top):
            if rows and abs(lines[rows[-1][0]].top - lines[i].top) <= ROW_TOLERANCE:
                rows[-1].append(i)
            else:
                rows.append([i])
        rows = [sorted(row, key=lambda k: lines[k].left) for row in rows if len(row) >= 2]
        table: list[list[int]] = []
        for row in [*rows, []]:
            if table and row and _shared_columns(lines, table[-1], row) >= 2:
                table.append(row)
                continue
            if len(table) >= 2:
                flat = [i for r in table for i in r]
                taken = set(flat)
                cells.update(lines[i].box for i in flat)
                at = min(k for k, i in enumerate(order) if i in taken)
                rest = [i for i in order if i not in taken]
                before = sum(1 for i in order[:at] if i not in taken)
                order = rest[:before] + flat + rest[before:]
            table = [row] if row else []
    return order, cells


def _shared_columns(lines: list[Line], upper: list[int], lower: list[int]) -> int:
    lefts = [lines[i].left for i in upper]
    return sum(1 for i in lower if any(abs(lines[i].left - left) <= 3 for left in lefts))


def paragraphs(lines: list[Line], skip: set[int]) -> list[str]:
    """The lines joined into paragraphs (see the module docstring); tables row by row."""
    found: list[str] = []
    last: Line | None = None
    widest: dict[int, float] = {}
    for line in lines:
        widest[line.box] = max(widest.get(line.box, 0.0), line.right - line.left)
    order, cells = table_cells(lines)
    for i in order:
        line = lines[i]
        if i in skip:
            continue
        if last is None or line.box in cells or last.box in cells:
            found.append(line.text)  # a table's cell is a paragraph of its own
        elif line.page != last.page or line.box != last.box:
            # Across a page, column or block: one paragraph only where a sentence goes on.
            if not _SENTENCE_END.search(found[-1]) and line.text[:1].islower():
                found[-1] = _join(found[-1], line.text)
            else:
                found.append(line.text)
        else:
            gap = last.bottom - line.top
            same_size = abs(line.height - last.height) <= 0.15 * max(line.height, last.height)
            # A line that stops well short of its block's width and ends a sentence ends its paragraph.
            short = last.right - last.left < 0.7 * widest[last.box] and _SENTENCE_END.search(last.text)
            if not same_size or gap > 0.6 * min(line.height, last.height) or short:
                found.append(line.text)
            else:
                found[-1] = _join(found[-1], line.text)
        last = line
    return found


class PdfReader:
    """PDF documents: the text layer (see the module docstring)."""

    name = "pdf"

    def read(self, data: bytes | str, source: str) -> Document:
        """The PDF's paragraphs in reading order; running headers and footers reported as removed."""
        if isinstance(data, str):
            raise InputError(f"{source}: a PDF is read from its bytes, not text")
        if b"%PDF-" not in data[:1024]:  # readers take the header anywhere in the first KiB
            raise InputError(f"{source}: not a PDF file")
        library("pdfminer", "reading PDF", "pdfminer.six", "documents")
        lines, heights, pages = lay_out(data, source)
        if not pages:
            raise InputError(f"{source}: a damaged PDF (no page could be read from its page tree)")
        if not lines:
            raise InputError(
                f"{source}: the PDF has no text layer ({pages} page(s) of images, a scan?); "
                "OCR it first (for example with ocrmypdf) and translate the result"
            )
        skip = running_lines(lines, heights, pages)
        if len(skip) == len(lines):
            # Every line looked like a running header (each page carries the same line): that is
            # the document's text, not its boilerplate.
            log.warning("%s: every line repeats on every page; all of it is translated", source)
            skip = set()
        removed = list(dict.fromkeys(lines[i].text for i in sorted(skip)))
        return Document.of_paragraphs(paragraphs(lines, skip), removed=removed, input_format="pdf")


Reader = PdfReader
