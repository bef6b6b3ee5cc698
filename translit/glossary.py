"""Names and terms: a glossary of fixed renderings and a do-not-translate list.

A newsroom fixes how names, institutions and terms are rendered ("Bundesnetzagentur" →
"Federal Network Agency") and which are never translated (people, brands, "Bundestag": an
entry whose target is itself). This module reads glossaries, finds their terms in German
text and checks English output for their targets; :mod:`translit.pipeline` imposes the
terms a model did not use.

**Files.** One entry per line: ``source<TAB>target`` (``.tsv``), ``source,target`` (``.csv``;
DeepL's glossary CSV with ``source,target,de,en`` columns too), or a single column — a
do-not-translate term. ``#`` starts a comment line; a header line ``source,target`` is
skipped. A ``--keep`` file has one term per line.

**Matching** is on whole words and case-sensitive (German nouns are capitalised; "Rat" the
council is not "rat"). Inflected forms are found by a suffix rule rather than a lemmatiser:
German noun and adjective inflection is suffixal — genitive ``-s``/``-es``, dative and
plural ``-n``/``-en``, plurals ``-e``/``-er``/``-ern``, feminine ``-innen``, weak adjectives
``-e``/``-en``/``-er``/``-es`` — and a plural may umlaut its last vowel (Mann → Männer,
Stadt → Städte). No lemmatiser that installs offline knows the names and compounds of a
newsroom's glossary ("Bundesnetzagentur"), and the rule is predictable: an entry of four
letters or more takes the suffixes; a shorter one matches only as written, and explicit
forms can be given as entries of their own (``Männer → gentlemen``), which win over an
inflected match. Multi-word terms inflect word by word ("Europäischen Zentralbank");
overlapping matches are resolved longest first.
"""

from __future__ import annotations

import csv
import gc
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

from translit.errors import InputError
from translit.userfiles import GLOSSARY, KEEP_LIST, decode_utf8, read_user_bytes

# Suffixes an entry of at least MIN_INFLECTED letters may take (see the module docstring).
SUFFIXES = ("s", "es", "n", "en", "e", "er", "ern", "ens", "nen", "in", "innen")
UMLAUT_SUFFIXES = ("", "e", "er", "ern", "en")
MIN_INFLECTED = 4
_UMLAUTS = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# What a model must never touch, kept verbatim like a do-not-translate term in every text:
# links, e-mail addresses, @handles, #hashtags, `code`.
PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”„]+[^\s<>\"“”„.,;:!?)\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w@])@[A-Za-z0-9_]{2,}"
    r"|(?<![\w#&])#[^\W\d_][\w]{1,}"
    r"|`[^`\n]+`",
    re.UNICODE,
)
PROTECTED_WHERE = "<protected>"


@dataclass(frozen=True)
class Entry:
    """One glossary line: a German term and its fixed English rendering (itself: never translated)."""

    source: str
    target: str
    where: str = ""  # "FILE:LINE", for messages
    plural: str = ""
    """The English plural, when the entry gives one (a third column); else English's own rule."""

    @property
    def keep(self) -> bool:
        """A do-not-translate term."""
        return self.source == self.target

    @cached_property
    def literal(self) -> bool:
        """A term with punctuation inside its words (``Node.js``, ``AT&T``, ``C++``): found as
        written, between non-word characters, never inflected."""
        return _literal(self.source)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The source's words (computed when a text first holds the entry's first word)."""
        return tuple(w.group(0) for w in _WORD.finditer(self.source))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A literal term's pattern (compiled when a text first holds its first word)."""
        return _literal_pattern(self.source)

    def plural_target(self) -> str:
        """The target's plural: the entry's own, or English's (:mod:`translit.inflection`)."""
        if self.keep:
            return self.target
        from translit.inflection import plural

        return self.plural or plural(self.target)


@dataclass(frozen=True)
class Match:
    """A glossary term found in a text: where, as what form, and which entry."""

    start: int
    end: int
    form: str
    entry: Entry
    exact: bool


@dataclass(frozen=True)
class Glossary:
    """Entries, each source once (a later entry replaces an earlier one)."""

    entries: tuple[Entry, ...] = ()
    _index: dict[str, list[Entry]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    # Literal terms by their first word as written: a text is searched only for the literal
    # terms whose first word it holds, never for every one of a large glossary's.
    _literals: dict[str, list[Entry]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # Only each entry's first word is looked at here; its other words and its pattern are
        # worked out when a text holds that word, so a large glossary loads in seconds.
        if self._index or self._literals:
            return  # indexed already (:meth:`merged`)
        index, literals = self._index, self._literals
        for entry in self.entries:
            place = _bucket(entry)
            if place is not None:
                (literals if place[0] else index).setdefault(place[1], []).append(entry)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def merged(self, other: Glossary) -> Glossary:
        """This glossary with ``other``'s entries added, ``other`` winning for the same source.

        The index is carried over and changed only where ``other`` touches it: a request's few
        terms over a server's million-entry glossary cost what the few terms cost.
        """
        if not other.entries:
            return self
        if not self.entries:
            return other
        sources = {e.source for e in other.entries}
        kept: list[Entry] = []
        replaced: list[Entry] = []
        for entry in self.entries:
            (replaced if entry.source in sources else kept).append(entry)
        index, literals = dict(self._index), dict(self._literals)
        for entry in replaced:
            place = _bucket(entry)
            if place is not None:
                table = literals if place[0] else index
                table[place[1]] = [e for e in table[place[1]] if e is not entry]
        for entry in other.entries:
            place = _bucket(entry)
            if place is not None:
                table = literals if place[0] else index
                table[place[1]] = [*table.get(place[1], ()), entry]
        return Glossary((*kept, *other.entries), index, literals)

    def find(self, text: str) -> list[Match]:
        """The terms in ``text``, left to right; overlapping candidates resolved longest first.

        Links, e-mail addresses, handles, hashtags and code (:data:`PROTECTED`) are found as
        do-not-translate terms in every text, glossary or not.
        """
        protected = [
            Match(m.start(), m.end(), m.group(0), Entry(m.group(0), m.group(0), PROTECTED_WHERE), True)
            for m in PROTECTED.finditer(text)
        ]
        if not self.entries:
            return protected
        words = list(_WORD.finditer(text))
        candidates: list[tuple[int, int, Match]] = []
        literals = [
            found for w in dict.fromkeys(w.group(0) for w in words) for found in self._literals.get(w, ())
        ]
        for entry in literals:
            for found in entry.pattern.finditer(text):
                covered = [
                    i for i, w in enumerate(words) if w.start() < found.end() and w.end() > found.start()
                ]
                if covered:
                    match = Match(found.start(), found.end(), found.group(0), entry, True)
                    candidates.append((covered[0], len(covered), match))
        for i, word in enumerate(words):
            for entry in self._index.get(_stem_key(word.group(0)), ()):
                term = entry.words
                if i + len(term) > len(words):
                    continue
                span = words[i : i + len(term)]
                # The words of a multi-word term stand next to each other (space or hyphen between).
                if any(text[a.end() : b.start()] not in (" ", "-", "\u00a0") for a, b in pairwise(span)):
                    continue
                exact = all(w.group(0) == t for w, t in zip(span, term, strict=True))
                if exact or all(_inflects(t, w.group(0)) for w, t in zip(span, term, strict=True)):
                    start, end = span[0].start(), span[-1].end()
                    candidates.append((i, len(term), Match(start, end, text[start:end], entry, exact)))
        chosen: list[Match] = list(protected)
        taken = {i for i, w in enumerate(words) for m in protected if w.start() < m.end and w.end() > m.start}
        # Longest first; for the same span an exact entry beats an inflected match, and of two
        # inflected ones the entry closest to the form (Männer for "Männern", not Mann): the
        # order of a glossary's lines never decides.
        for i, length, match in sorted(
            candidates,
            key=lambda c: (
                -c[1],
                -(c[2].end - c[2].start),
                not c[2].exact,
                len(c[2].form) - len(c[2].entry.source),
                c[0],
                c[2].entry.source,
            ),
        ):
            cells = set(range(i, i + length))
            if cells & taken:
                continue
            taken |= cells
            chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def key_for(self, text: str) -> str:
        """What of the glossary shapes the translation of ``text``: its matched entries ("" for none)."""
        matches = self.find(text)
        if not matches:
            return ""
        return "|terms=" + ";".join(f"{m.start}:{m.form}>{m.entry.target}" for m in matches)


def _bucket(entry: Entry) -> tuple[bool, str] | None:
    """Where a glossary indexes ``entry``: (literal?, key) — a literal term by its first word as
    written, any other by its first word's stem key; None for a source without a word."""
    first = _WORD.search(entry.source)
    if first is None:
        return None
    if _literal(entry.source):
        return True, first.group(0)
    return False, _stem_key(first.group(0))


def _literal(source: str) -> bool:
    """Has ``source`` characters inside it that are neither word characters nor spaces or hyphens?"""
    inner = source.strip()
    return _NOT_WORD_OR_JOINER.search(inner) is not None and _WORD.search(inner) is not None


_NOT_WORD_OR_JOINER = re.compile(r"[^\w \-\u00a0]|_")


def _literal_pattern(source: str) -> re.Pattern[str]:
    # Not inside a longer word or term: no word character (or the term's own joiners) either side.
    return re.compile(rf"(?<![\w.&+]){re.escape(source.strip())}(?![\w&+]|\.\w)")


def _stem_key(word: str) -> str:
    """A word's first three letters without umlauts: every inflected form of a term shares it."""
    head = word[:4]
    if head.isascii():  # nothing to take apart (a combining mark is not ASCII)
        return head[:3]
    # Three letters with their marks fit in the first eight code points of any German word.
    plain = "".join(ch for ch in unicodedata.normalize("NFD", word[:8]) if not unicodedata.combining(ch))
    return plain[:3]


def _umlauted(word: str) -> str | None:
    """``word`` with its last a/o/u (or au) umlauted: Mann → Männ, Haus → Häus; None without one."""
    for i in range(len(word) - 1, -1, -1):
        if word[i] in _UMLAUTS:
            if word[i] in "uU" and i > 0 and word[i - 1] in "aA":
                i -= 1  # the diphthong au umlauts its a: Haus → Häuser, not Haüser
            return word[:i] + _UMLAUTS[word[i]] + word[i + 1 :]
    return None


def _inflects(term: str, word: str) -> bool:
    """Is ``word`` an inflected form of the term word ``term`` (see the module docstring)?"""
    if word == term:
        return True
    if len(term) < MIN_INFLECTED:
        return False
    if word.startswith(term) and word[len(term) :] in SUFFIXES:
        return True
    if term.endswith("e") and word.startswith(term[:-1]) and word[len(term) - 1 :] in ("en", "er", "es"):
        return True  # Große → Großen: the weak adjective's -e replaced
    umlauted = _umlauted(term)
    return umlauted is not None and word.startswith(umlauted) and word[len(umlauted) :] in UMLAUT_SUFFIXES


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a glossary line."""

    where: str
    message: str
    fatal: bool = True


def _rows(text: str, name: str) -> Iterable[tuple[int, list[str]]]:
    """Numbered rows of a glossary's text: TSV split at tabs, CSV read with :mod:`csv` (quotes,
    quoted commas and newlines). A cell holding a line break is an :class:`InputError`: a term is
    one line of text, and a stray quote would otherwise swallow the lines after it."""
    lines = text.splitlines()
    tabbed = name.lower().endswith(".tsv") or (
        not name.lower().endswith(".csv") and any("\t" in line for line in lines)
    )
    if tabbed:
        for number, line in enumerate(lines, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                yield number, line.split("\t")
        return
    # Comment lines become empty ones, so that the reader's line numbers stay the file's.
    kept = ["\n" if line.lstrip().startswith("#") else line for line in text.splitlines(keepends=True)]
    reader = csv.reader(kept)
    number = 1
    for row in reader:
        joined = "".join(row)
        if "\n" in joined or "\r" in joined:
            raise InputError(
                f"{name}:{number}: a quoted cell runs over {reader.line_num - number + 1} lines "
                "(a term is one line; close its quote)"
            )
        if joined.strip():
            yield number, row
        number = reader.line_num + 1


def parse_glossary(text: str, name: str, *, keep_only: bool = False) -> tuple[list[Entry], list[Problem]]:
    """The entries of a glossary file's text, and what is wrong with its lines."""
    return parse_rows(_rows(text, name), name, keep_only=keep_only)


def _place(where: str) -> str:
    """ "line 3" or "concept 3" of a FILE:PLACE."""
    tail = where.rsplit(":", 1)[-1]
    return f"line {tail}" if tail.isdigit() else tail


def _problem_order(problem: Problem) -> tuple[int, str]:
    tail = problem.where.rsplit(":", 1)[1].split()[-1]
    return (int(tail) if tail.isdigit() else 0, problem.where)


def parse_rows(
    rows: Iterable[tuple[int, list[str]]], name: str, *, keep_only: bool = False, unit: str = ""
) -> tuple[list[Entry], list[Problem]]:
    """Entries from numbered rows of cells (a file's lines; a termbase's concepts, ``unit``
    "concept "), and problems."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    plain = _PLAIN_TERM.fullmatch
    for number, row in rows:
        where = f"{name}:{unit}{number}"
        if len(row) == 2 and entries and not keep_only:
            # The common line, "Wort,word": taken at once (a million-line glossary loads in seconds).
            source, target = row[0].strip(), row[1].strip()
            if target and plain(source):
                entries.append(Entry(source, target, where))
                continue
        cells = [c.strip() for c in row]
        if (
            not entries
            and not problems
            and [c.lower() for c in cells[:2]] in (["source", "target"], ["de", "en"])
        ):
            continue  # a header
        if keep_only:
            cells = [" ".join(row).strip()]
        if len(cells) == 4:
            languages = [c.lower() for c in cells[2:]]
            if languages != ["de", "en"]:
                problems.append(
                    Problem(where, f"languages {cells[2]}→{cells[3]}; translit's glossaries are de→en")
                )
                continue
            cells = cells[:2]
        plural = ""
        if len(cells) == 3:  # source, target, the target's plural
            plural = cells[2]
            cells = cells[:2]
        if len(cells) > 2:
            problems.append(
                Problem(where, f"{len(cells)} columns; expected source, target (and plural), or one term")
            )
            continue
        source = cells[0]
        target = cells[1] if len(cells) == 2 else source
        if not source:
            problems.append(Problem(where, "the German side is empty"))
            continue
        if not target:
            problems.append(
                Problem(where, f"the English side of {source!r} is empty (one column keeps a term)")
            )
            continue
        if not _WORD.search(source):
            problems.append(Problem(where, f"{source!r} has no word in it and can never match"))
            continue
        entry = Entry(source, target, where, plural)
        if not _matches_itself(entry):
            problems.append(
                Problem(where, f"{source!r} can never match: its words are not next to each other in text")
            )
            continue
        entries.append(entry)
    seen: dict[str, Entry] = {}
    for entry in entries:
        before = seen.get(entry.source)
        if before is not None:
            same = before.target == entry.target
            problems.append(
                Problem(
                    entry.where,
                    f"{entry.source!r} is also at {_place(before.where)}"
                    + (" (the same entry twice)" if same else f" with {before.target!r}; this line wins"),
                    fatal=False,
                )
            )
        seen[entry.source] = entry
    problems.sort(key=_problem_order)
    return entries, problems


def _matches_itself(entry: Entry) -> bool:
    """Does ``entry`` find its own source in a text? A term whose words stand apart (``"A / B"``)
    never can. Plain words joined by spaces or hyphens always do (the common case, decided
    without a search, so that a glossary of a million entries loads in seconds)."""
    source = entry.source
    if _PLAIN_TERM.fullmatch(source.strip()):
        return True
    if _literal(source) and PROTECTED.search(source) is None:
        return True  # its pattern finds it where it stands alone, unless a link or handle holds it
    found = [m for m in Glossary((entry,)).find(source) if m.entry is entry]
    stripped = source.strip(" .,;:!?\"'„“”‚‘’()")
    return bool(found) and found[0].form in (source.strip(), stripped, stripped + ".")


_PLAIN_TERM = re.compile(r"[^\W_]+(?:[ \-\u00a0][^\W_]+)*")


def shadowed(entries: Sequence[Entry]) -> list[Problem]:
    """Warnings for entries that overlap: one a form of another, or inside a longer one.

    Neither is an error — the closer entry wins for its form, and the longer term wins where
    both match — but a glossary's author should know which line decides where.
    """
    # An entry can only match inside a term that holds a word sharing its first word's stem
    # key (how Glossary indexes entries), so only those pairs are tried: a termbase of
    # thousands of entries is checked in a moment, not in n² searches.
    holding: dict[str, list[Entry]] = {}
    for entry in entries:
        for word in _WORD.finditer(entry.source):
            holding.setdefault(_stem_key(word.group(0)), []).append(entry)
    problems = []
    for entry in entries:
        first = _WORD.search(entry.source)
        if first is None:
            continue
        alone = Glossary((entry,))
        for other in dict.fromkeys(holding.get(_stem_key(first.group(0)), [])):
            if other is not entry and any(m.entry is entry for m in alone.find(other.source)):
                line = _place(other.where)
                how = "a form of it" if " " not in other.source.strip() else "a longer term holding it"
                problems.append(
                    Problem(
                        entry.where,
                        f"{other.source!r} ({line}) is {how}: that entry decides where it stands",
                        False,
                    )
                )
    return problems


TBX_MAX_BYTES = 50 * 1024 * 1024
"""A TBX file larger than this is refused (a termbase of a million terms is about 200 MB)."""
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def tbx_rows(data: bytes, name: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """The (German, English) pairs of a TBX termbase (TBX-Basic's ``termEntry``/``langSet``/``tig``
    and TBX v3's ``conceptEntry``/``langSec``/``termSec``), numbered by concept.

    Every German term of a concept (its synonyms) maps to the concept's first English term; a
    concept without English is reported. Parsed with ``defusedxml``: no DTD, no entity
    expansion, nothing fetched.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if len(data) > TBX_MAX_BYTES:
        raise InputError(f"{name}: TBX file larger than {TBX_MAX_BYTES // (1024 * 1024)} MB")
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise InputError(f"{name}: not a usable TBX file ({exc})") from None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    concepts = [e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")]
    for number, concept in enumerate(concepts, start=1):
        terms: dict[str, list[str]] = {}
        for language in concept:
            if _local(language.tag) not in ("langSet", "langSec"):
                continue
            code = (language.get(_XML_LANG) or language.get("lang") or "").lower().split("-")[0]
            found = [
                " ".join("".join(t.itertext()).split()) for t in language.iter() if _local(t.tag) == "term"
            ]
            terms.setdefault(code, []).extend(t for t in found if t)
        if not terms.get("de"):
            continue  # a concept of other languages
        if not terms.get("en"):
            problems.append(
                Problem(f"{name}:concept {number}", f"{terms['de'][0]!r} has no English term", fatal=False)
            )
            continue
        rows += [(number, [german, terms["en"][0]]) for german in terms["de"]]
    return rows, problems


def read_file(path: str | Path, *, keep_only: bool = False) -> tuple[list[Entry], list[Problem]]:
    """A glossary file's entries and problems; one :class:`InputError` line when it cannot be read.

    ``.tbx`` files are read as TBX termbases (:func:`tbx_rows`), others as TSV or CSV. The file
    is opened with :func:`translit.userfiles.read_user_bytes` (a regular file, within the limit).
    """
    file = Path(path)
    kind = KEEP_LIST if keep_only else GLOSSARY
    data = read_user_bytes(file, kind)
    if file.suffix.lower() == ".tbx":
        rows, problems = tbx_rows(data, str(file))
        entries, more = parse_rows(rows, str(file), keep_only=keep_only, unit="concept ")
        return entries, sorted(problems + more, key=_problem_order)
    return parse_glossary(decode_utf8(data, str(file), kind.noun), str(file), keep_only=keep_only)


def check_file(path: str | Path, *, keep_only: bool = False) -> tuple[list[Entry], list[Problem]]:
    """:func:`read_file`, plus warnings for entries that shadow each other (:func:`shadowed`):
    what ``translit glossary check`` reports. A run that only loads a glossary skips them."""
    entries, problems = read_file(path, keep_only=keep_only)
    latest = list({e.source: e for e in entries}.values())  # a source given twice: the later line
    return entries, sorted(problems + shadowed(latest), key=_problem_order)


def load_glossary(glossaries: Sequence[str | Path] = (), keep: Sequence[str | Path] = ()) -> Glossary:
    """The glossary of these files (later files winning), with the do-not-translate lists.

    A line that cannot be used is an :class:`InputError` naming the file and line (see
    ``translit glossary check`` for every problem at once).
    """
    with _collector_paused():
        glossary = _load(glossaries, keep)
    if len(glossary.entries) >= FROZEN_FROM:
        # A glossary lives as long as the process. Left to the cycle collector, its million
        # objects are walked again at every full collection: over a second each time (the first
        # sentence after the load, then a pause now and then in a batch or the service).
        gc.freeze()
    return glossary


FROZEN_FROM = 100_000
"""Entries from which a loaded glossary is moved out of the cycle collector's sight
(:func:`gc.freeze`); a small one costs the collector nothing worth it."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector off while a glossary's entries are made: they hold no cycles, and a
    million new objects would run its full pass again and again (a third of the load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(glossaries: Sequence[str | Path], keep: Sequence[str | Path]) -> Glossary:
    entries: dict[str, Entry] = {}
    for path, keep_only in [*((g, False) for g in glossaries), *((k, True) for k in keep)]:
        found, problems = read_file(path, keep_only=keep_only)
        fatal = [p for p in problems if p.fatal]
        if fatal:
            raise InputError(f"{fatal[0].where}: {fatal[0].message}")
        for entry in found:
            entries[entry.source] = entry
    return Glossary(tuple(entries.values()))


def glossary_from_pairs(pairs: Iterable[Sequence[str]], name: str = "<request>") -> Glossary:
    """A glossary from ``[source, target]`` pairs or ``[term]`` singles (the HTTP service's)."""
    lines = []
    for pair in pairs:
        if (
            not isinstance(pair, list | tuple)
            or not 1 <= len(pair) <= 2
            or not all(isinstance(p, str) for p in pair)
        ):
            raise InputError(f"{name}: each glossary entry is [source, target] or [term]")
        lines.append("\t".join(pair))
    entries, problems = parse_glossary("\n".join(lines), name + ".tsv")
    fatal = [p for p in problems if p.fatal]
    if fatal:
        raise InputError(f"{fatal[0].where}: {fatal[0].message}")
    return Glossary(tuple({e.source: e for e in entries}.values()))


# --- checking English output ---------------------------------------------------------------------


def _target_body(entry: Entry, target: str) -> str:
    words = [re.escape(w) for w in target.split()]
    body = r"\s+".join(words)
    first = target[:1]
    if not entry.keep and first.isalpha():
        # At the start of a sentence a lower-case rendering is capitalised, and the other way round.
        body = f"[{re.escape(first.lower())}{re.escape(first.upper())}]" + body[len(re.escape(first)) :]
    return body


@lru_cache(maxsize=4096)
def _target_pattern(entry: Entry) -> re.Pattern[str]:
    # Cached: every check of every unit asks for it, and the plural is a lexicon lookup.
    forms = dict.fromkeys([entry.target, entry.plural_target()])
    body = "|".join(_target_body(entry, form) for form in sorted(forms, key=len, reverse=True))
    # English plural and possessive endings are the rendering too ("agencies" aside).
    return re.compile(rf"(?<![\w])(?:{body})(?:s|es|'s|’s|'|’)?(?![\w])")


def honoured(entry: Entry, output: str) -> bool:
    """Does ``output`` carry the entry's fixed rendering (a kept term: verbatim)?"""
    return bool(_target_pattern(entry).search(output))


def count_honoured(entry: Entry, output: str) -> int:
    """How often ``output`` carries the entry's rendering."""
    return len(_target_pattern(entry).findall(output))


@dataclass(frozen=True)
class TermUse:
    """What became of one glossary term in one unit.

    ``by`` is how its rendering got there: ``model`` (the model's own output had it),
    ``substituted`` (the model's own word for the term replaced, in its shape), ``forced``
    (the output was decoded again forced to carry it), or ``""`` when it is missing (the unit
    is flagged ``glossary``).
    """

    form: str
    source: str
    target: str
    honoured: bool
    by: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "form": self.form,
            "entry": self.source,
            "target": self.target,
            "honoured": self.honoured,
            "by": self.by,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TermUse:
        """The inverse of :meth:`to_dict` (for cached units)."""
        return cls(
            str(data["form"]),
            str(data["entry"]),
            str(data["target"]),
            bool(data["honoured"]),
            str(data["by"]),
        )
