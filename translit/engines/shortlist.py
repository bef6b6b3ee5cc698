"""A vocabulary shortlist for the CTranslate2 engine: built from the model, checked before use.

More than half of a MarianMT decoder step's multiply-adds are its output layer: every target
piece of the vocabulary (58,101 for opus-mt) scored at every step of every beam. CTranslate2
can restrict that layer to the pieces a batch's source makes likely — a *vocabulary map*
(``vmap.txt`` beside the converted model; ``use_vmap`` when translating). This module builds
such a map from the model itself and checks it the way a conversion is checked:

1. **Build.** A German corpus is translated with the full vocabulary. Each source piece is
   mapped to the target pieces that its sentences' translations use most *specifically*
   (Dice coefficient of the two pieces' sentence counts, :data:`PER_SOURCE` at most),
   to itself when the vocabulary is shared (names and numbers are copied), and the
   :data:`FREQUENT` pieces most translations use are always allowed.
2. **Check.** Held-out sentences of the corpus (never used to build the map) are translated
   with and without it, at the model's own beam and greedily, and the full model scores both
   translations. The map is used only when the full model judges its translations at most
   :data:`MAX_SCORE_LOSS` worse per token; otherwise it is refused with one warning, its file
   removed, and the verdict recorded so that ``translit models shortlist`` can say why.
3. **Use.** The engine uses a map whose verdict is recorded as passed and whose file is the
   one that was checked (its digest); ``--no-shortlist`` turns it off.

The map and its record (``shortlist.json``) live in the conversion's folder, so converting
again (``--force``) drops them with the old weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from translit.atomic import locked, write_atomic
from translit.engines.protocol import DecodeOptions, EngineOutput
from translit.errors import NOTE, InputError, ModelError


class ScoringEngine(Protocol):
    """What the shortlist's check needs of the CTranslate2 engine (which imports this module):
    its SentencePiece pieces, its CTranslate2 translator (to score the full vocabulary's
    outputs), and translation with and without the shortlist."""

    pieces: Any
    translator: Any

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in order."""
        ...


log = logging.getLogger("translit")

MAP_FILE = "vmap.txt"
"""CTranslate2 loads a vocabulary map of this name from the model folder."""
RECORD_FILE = "shortlist.json"

FREQUENT = 1000
"""Target pieces always allowed: those most translations of the corpus use."""
PER_SOURCE = 20
"""At most this many target pieces per source piece, the most specific first."""
MIN_PAIRS = 1
"""A source piece and a target piece are paired only when seen together this often."""
HELD_OUT = 200
"""Sentences of the corpus kept apart to check the map (never used to build it)."""
MIN_SENTENCES = 200
"""Fewer sentences to build from than this cannot make a map worth checking."""
MAX_SCORE_LOSS = 0.005
"""How much worse, on average, the full model may judge the map's translations of the held-out
sentences than its own (mean log-probability per token, both scored with the full vocabulary),
at the model's beam and greedily. A map changes a translation in two ways: a piece it leaves
out cannot be chosen, and a beam's hypotheses are ranked by probabilities normalised over the
map's pieces only; both show in the full model's score of what came out. Measured on the small
test translator (``bench/shortlist.py``): a loss of 0.001 went with +0.03 BLEU on Multi30k,
0.006–0.009 with −0.11 to −0.15, 0.013 with −0.37, 0.14 with −3.7, so this bound keeps the
loss well inside 0.3 BLEU."""
SEED = 1


@dataclass(frozen=True)
class VocabularyMap:
    """Which target pieces each source piece allows, and those always allowed."""

    always: tuple[str, ...]
    by_source: dict[str, tuple[str, ...]]

    def candidates(self, source_pieces: Iterable[str]) -> set[str]:
        """The target pieces a sentence (or a batch) of ``source_pieces`` may produce."""
        allowed = set(self.always)
        for piece in source_pieces:
            allowed.update(self.by_source.get(piece, ()))
        return allowed

    @property
    def pieces(self) -> int:
        """Distinct target pieces anywhere in the map."""
        return len(set(self.always).union(*self.by_source.values()))

    def text(self) -> str:
        """The map in CTranslate2's format: ``source<TAB>target target …``; the empty source
        lists the pieces always allowed."""
        lines = ["\t" + " ".join(self.always)]
        lines += [f"{source}\t{' '.join(targets)}" for source, targets in sorted(self.by_source.items())]
        return "\n".join(lines) + "\n"


def build_map(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    vocabulary: set[str],
    *,
    frequent: int = FREQUENT,
    per_source: int = PER_SOURCE,
) -> VocabularyMap:
    """A map from sentence pairs of source pieces and the target pieces they were translated into.

    ``vocabulary`` is the model's (target) vocabulary: a source piece that is also a target
    piece maps to itself, and byte pieces (``<0x41>``) are always allowed.
    """
    source_count: Counter[str] = Counter()
    target_count: Counter[str] = Counter()
    together: dict[str, Counter[str]] = defaultdict(Counter)
    for source, target in pairs:
        sources, targets = set(source) - {"<unk>"}, set(target) - {"<unk>"}
        source_count.update(sources)
        target_count.update(targets)
        for piece in sources:
            together[piece].update(targets)
    always = [piece for piece, _ in target_count.most_common(frequent)]
    always += sorted(p for p in vocabulary if p.startswith("<0x") and p.endswith(">"))
    fixed = set(always)
    by_source: dict[str, tuple[str, ...]] = {}
    for piece, seen in together.items():
        # Dice: how much more often the two appear together than either alone; a piece every
        # translation uses ranks low for every source (and is among ``always`` anyway).
        ranked = sorted(
            (t for t, n in seen.items() if n >= MIN_PAIRS and t not in fixed),
            key=lambda t: (-2 * seen[t] / (source_count[piece] + target_count[t]), t),
        )
        chosen = ranked[:per_source]
        if piece in vocabulary and piece not in fixed and piece not in chosen:
            chosen.append(piece)
        if chosen:
            by_source[piece] = tuple(chosen)
    for piece in vocabulary:  # pieces of the source never seen in the corpus: copied, if anything
        if piece not in by_source and piece not in fixed and piece.startswith("▁") and len(piece) > 1:
            by_source[piece] = (piece,)
    return VocabularyMap(tuple(always), by_source)


def coverage(vmap: VocabularyMap, pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> float:
    """Share of target pieces (of full-vocabulary translations) that the map allows their sentence."""
    allowed = total = 0
    for source, target in pairs:
        candidates = vmap.candidates(source)
        allowed += sum(piece in candidates for piece in target)
        total += len(target)
    return allowed / total if total else 1.0


@dataclass(frozen=True)
class ShortlistCheck:
    """How held-out sentences translated with the map next to the full vocabulary."""

    sentences: int
    score_loss_beam: float
    """Mean over sentences of (the full model's score of its own translation) minus (its score
    of the map's translation), per token, at the model's beam."""
    score_loss_greedy: float
    identical_beam: float
    identical_greedy: float
    confidence_shift: float
    """Mean (map − full) of the confidence the engine reports for a unit at the model's beam:
    probabilities normalised over fewer pieces are higher."""

    @property
    def agrees(self) -> bool:
        """Does the map translate as well as the full vocabulary, by the model's own judgement?"""
        return max(self.score_loss_beam, self.score_loss_greedy) <= MAX_SCORE_LOSS

    def describe(self) -> str:
        """For messages: what the held-out sentences showed."""
        return (
            f"on {self.sentences} held-out sentences the full model scores the map's translations "
            f"{self.score_loss_beam:.4f} (beam) and {self.score_loss_greedy:.4f} (greedy) lower per "
            f"token than its own (allowed: {MAX_SCORE_LOSS}); {self.identical_beam:.1%} and "
            f"{self.identical_greedy:.1%} identical"
        )


@dataclass(frozen=True)
class Shortlist:
    """A built map's record: its size, what it covers, and its check (``shortlist.json``)."""

    pieces: int
    """Distinct target pieces anywhere in the map (of ``vocabulary``)."""
    vocabulary: int
    always: int
    per_source: int
    sentences: int
    """Corpus sentences translated to build it."""
    coverage: float
    """Share of the held-out translations' pieces the map allows their sentence."""
    mean_candidates: float
    """Target pieces a held-out sentence may use on average (the output layer's width)."""
    check: ShortlistCheck
    digest: str = ""
    """sha256 of the map file that was checked."""

    @property
    def usable(self) -> bool:
        """Whether the engine may use the map."""
        return self.check.agrees

    def describe(self) -> str:
        """One line for ``translit models shortlist``."""
        verdict = "used" if self.usable else "refused"
        return (
            f"{verdict}: {self.pieces:,} of {self.vocabulary:,} target pieces in the map, "
            f"{self.mean_candidates:,.0f} per sentence on average, covering {self.coverage:.1%} of "
            f"held-out output; built from {self.sentences:,} sentences; {self.check.describe()}"
        )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded(converted: Path) -> Shortlist | None:
    """The shortlist record of a converted model, or None when it has none (or an unreadable one)."""
    try:
        data = json.loads((converted / RECORD_FILE).read_text(encoding="utf-8"))
        data["check"] = ShortlistCheck(**data["check"])
        return Shortlist(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def usable_map(converted: Path) -> Shortlist | None:
    """The record of the converted model's map when its check passed and the file is the one
    checked; None otherwise (no map, a refused one, or a file changed since)."""
    record = recorded(converted)
    path = converted / MAP_FILE
    if record is None or not record.usable or not path.is_file():
        return None
    return record if _digest(path) == record.digest else None


CORPUS_SENTENCES = 20_000
"""Sentences read from a corpus at most (evenly from its files); more changed nothing measurable."""


def corpus_sentences(paths: Sequence[Path], limit: int = CORPUS_SENTENCES) -> list[str]:
    """German sentences of text files and folders of ``.txt`` files, for :func:`build_shortlist`.

    Paragraphs are split into sentences as translit splits them; the files are taken in
    turn, so that a limit keeps some of every file rather than all of the first ones.
    """
    from translit.segment import split_paragraphs, split_sentences
    from translit.textio import decode_bytes

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.txt") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    per_file: list[list[str]] = []
    for file in files:
        try:
            text = decode_bytes(file.read_bytes(), str(file)).text
        except OSError as exc:
            raise InputError(f"{file}: cannot be read ({exc.strerror})") from None
        lines = [line for line in text.splitlines() if line.strip()]
        sentences = [
            s for paragraph in split_paragraphs("\n\n".join(lines)) for s in split_sentences(paragraph)
        ]
        per_file.append(sentences)
    taken: list[str] = []
    depth = 0
    while len(taken) < limit and any(depth < len(f) for f in per_file):
        taken += [f[depth] for f in per_file if depth < len(f)]
        depth += 1
    return taken[:limit]


def _split(sentences: Sequence[str], held_out: int) -> tuple[list[str], list[str]]:
    unique = list(dict.fromkeys(s.strip() for s in sentences if s.strip()))
    if len(unique) < MIN_SENTENCES + held_out:
        raise InputError(
            f"a shortlist needs at least {MIN_SENTENCES + held_out} different sentences "
            f"({held_out} are held out to check it); got {len(unique)}"
        )
    random.Random(SEED).shuffle(unique)
    return unique[held_out:], unique[:held_out]


MapEngine = Callable[[Path, bool], Any]
"""Opens a converted folder as a CTranslate2 engine, with its vocabulary map used unchecked
(True) or not at all (False); given by :mod:`translit.engines.ct2`, so that this module never
imports the engine that imports it."""


def build_shortlist(
    converted: Path,
    sentences: Sequence[str],
    opened: MapEngine,
    *,
    frequent: int = FREQUENT,
    per_source: int = PER_SOURCE,
    held_out: int = HELD_OUT,
) -> Shortlist:
    """Build, check and record a vocabulary map for the CTranslate2 model in ``converted``.

    ``sentences`` are German sentences like those to be translated (a few thousand suffice:
    see README). The map is kept only if its check passes; a refused map is removed and its
    verdict recorded, with one warning. Either way the record is returned.
    """
    from translit.normalize import get_normalizer

    build, probes = _split(sentences, held_out)
    with locked(converted / RECORD_FILE):
        (converted / RECORD_FILE).unlink(missing_ok=True)  # no stale verdict while building
        (converted / MAP_FILE).unlink(missing_ok=True)
        engine = opened(converted, False)
        if engine.banned:
            raise ModelError(
                f"{converted}: this conversion keeps the model's start token, which decoding must "
                "suppress, and CTranslate2 cannot suppress pieces while decoding with a shortlist"
            )
        normalize = get_normalizer(str(read_normalization(converted)))
        full = DecodeOptions(shortlist=False)
        build_inputs = [normalize(s) for s in build]
        outputs = engine.translate_batch(build_inputs, full)
        pairs = [
            (engine.pieces.encode(s), engine.pieces.target.encode(o.text, out_type=str))
            for s, o in zip(build_inputs, outputs, strict=True)
        ]
        vmap = build_map(pairs, engine.pieces.vocab, frequent=frequent, per_source=per_source)
        write_atomic(converted / MAP_FILE, vmap.text())
        # A fresh translator reads the map (CTranslate2 loads it with the model), and uses it
        # unchecked, to check it.
        engine = opened(converted, True)
        probe_inputs = [normalize(s) for s in probes]
        check, probe_pairs = _check(engine, probe_inputs)
        record = Shortlist(
            pieces=vmap.pieces,
            vocabulary=len(engine.pieces.vocab),
            always=len(vmap.always),
            per_source=per_source,
            sentences=len(build),
            coverage=round(coverage(vmap, probe_pairs), 4),
            mean_candidates=round(
                sum(len(vmap.candidates(s)) for s, _ in probe_pairs) / max(1, len(probe_pairs)), 1
            ),
            check=check,
            digest=_digest(converted / MAP_FILE),
        )
        if record.usable:
            log.log(NOTE, "vocabulary shortlist %s", record.describe())
        else:
            (converted / MAP_FILE).unlink(missing_ok=True)
            log.warning("%s: the vocabulary shortlist was refused: %s", converted, check.describe())
        write_atomic(converted / RECORD_FILE, json.dumps(asdict(record), indent=1) + "\n")
    return record


def _check(
    engine: ScoringEngine, probes: list[str]
) -> tuple[ShortlistCheck, list[tuple[list[str], list[str]]]]:
    sources = [[*engine.pieces.encode(s), "</s>"] for s in probes]
    loss, identical = {}, {}
    shift = 0.0
    full_beam: list[Any] = []
    for name, beams in (("beam", None), ("greedy", 1)):
        full = engine.translate_batch(probes, DecodeOptions(beams=beams, shortlist=False))
        short = engine.translate_batch(probes, DecodeOptions(beams=beams, shortlist=True))
        mine, theirs = _full_scores(engine, sources, full), _full_scores(engine, sources, short)
        loss[name] = round(sum(a - b for a, b in zip(mine, theirs, strict=True)) / max(1, len(probes)), 5)
        identical[name] = round(
            sum(a.text == b.text for a, b in zip(full, short, strict=True)) / max(1, len(probes)), 4
        )
        if name == "beam":
            full_beam = full
            shift = sum((b.score or 0.0) - (a.score or 0.0) for a, b in zip(full, short, strict=True))
    check = ShortlistCheck(
        sentences=len(probes),
        score_loss_beam=loss["beam"],
        score_loss_greedy=loss["greedy"],
        identical_beam=identical["beam"],
        identical_greedy=identical["greedy"],
        confidence_shift=round(shift / max(1, len(probes)), 4),
    )
    pairs = [
        (engine.pieces.encode(s), engine.pieces.target.encode(o.text, out_type=str))
        for s, o in zip(probes, full_beam, strict=True)
    ]
    return check, pairs


def _full_scores(engine: ScoringEngine, sources: list[list[str]], outputs: Sequence[Any]) -> list[float]:
    """The full vocabulary's mean log-probability per token of each output (``</s>`` included)."""
    targets = [engine.pieces.known(engine.pieces.target.encode(o.text, out_type=str)) for o in outputs]
    scored = engine.translator.score_batch(sources, targets)
    return [sum(s.log_probs) / max(1, len(s.log_probs)) for s in scored]


def read_normalization(converted: Path) -> str:
    """The input normalisation models.toml gives the model converted into ``converted``."""
    from translit.registry import load_registry, spec_for_directory

    try:
        source = json.loads((converted / "translit.json").read_text(encoding="utf-8")).get("source")
        spec = spec_for_directory(load_registry(), Path(source)) if source else None
    except (OSError, ValueError, ModelError):
        return "none"
    return spec.normalize if spec else "none"
