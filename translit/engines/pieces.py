"""SentencePiece and position limits: how long an engine's inputs may be, pieces and their characters,
alignments from attention, and words kept out of an output."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from translit.alignment import Alignment
from translit.engines.protocol import DecodeOptions
from translit.errors import ModelError


def position_limit(tokenizer_max: int | None, config_max: int | None) -> int:
    """The longest sequence the model accepts: the smaller of the tokenizer's and the config's."""
    limits = [n for n in (tokenizer_max, config_max) if n and 0 < n < 1_000_000]
    if not limits:
        raise ModelError("the model declares no maximum length (model_max_length, max_position_embeddings)")
    return min(limits)


def decode_limit(options: DecodeOptions, configured: int | None, limit: int) -> int:
    """Longest decoder sequence (start token and ``</s>`` included) for one generate call.

    The caller's ``max_length`` wins over the model's generation config; both are capped
    by the decoder's position limit.
    """
    wanted = options.max_length or configured or limit
    return max(2, min(int(wanted), limit))


def input_budget(limit: int) -> int:
    """Source tokens one chunk may have under a position limit.

    One position goes to the end-of-sentence token; one more is kept so that an output as
    long as its input (plus the decoder's start token) still fits the decoder.
    """
    return max(1, limit - 2)


def piece_spans(processor: Any, text: str) -> list[tuple[str, int, int]]:
    """The SentencePiece pieces of ``text`` with the characters each covers (space excluded)."""
    proto = processor.encode(text, return_type="proto")
    char_of_byte = {}
    position = 0
    for index, ch in enumerate(text):
        char_of_byte[position] = index
        position += len(ch.encode("utf-8"))
    char_of_byte[position] = len(text)
    spans = []
    for piece in proto.pieces:
        start = char_of_byte.get(piece.begin, 0)
        end = char_of_byte.get(piece.end, len(text))
        while start < end and text[start].isspace():
            start += 1
        spans.append((piece.piece, start, end))
    return spans


def alignment_from_attention(
    attention: Sequence[Sequence[float]],
    source: list[tuple[str, int, int]],
    target: list[tuple[str, int, int]],
) -> Alignment:
    """Each target piece aligned to the source piece it attends to most (``</s>`` left out)."""
    aligned: Alignment = []
    for row, (_piece, t_start, t_end) in zip(attention, target, strict=False):
        weights = list(row[: len(source)])
        if not weights or t_end <= t_start:
            continue
        best = max(range(len(weights)), key=weights.__getitem__)
        _p, s_start, s_end = source[best]
        if s_end > s_start:
            aligned.append((s_start, s_end, t_start, t_end))
    return aligned


def suppressed_pieces(processor: Any, vocab: Any, words: Sequence[str]) -> list[list[str]]:
    """Target piece sequences for ``words``: each word as a word of its own and glued on.

    A sequence with a piece missing from ``vocab`` is left out (it cannot be generated).
    """
    sequences: list[list[str]] = []
    for word in words:
        pieces = [str(p) for p in processor.encode(word.strip(), out_type=str)]
        if not pieces:
            continue
        variants = [pieces]
        if pieces[0].startswith("\u2581") and len(pieces[0]) > 1:
            variants.append([pieces[0][1:], *pieces[1:]])
        for variant in variants:
            if all(piece in vocab for piece in variant) and variant not in sequences:
                sequences.append(variant)
    return sequences


_BYTE_PIECE = re.compile(r"<0x[0-9A-Fa-f]{2}>")


def spelled_by_vocabulary(pieces: Sequence[str], vocab: Any, unknown: str = "<unk>") -> bool:
    """Are ``pieces`` all in ``vocab``, none of them ``unknown`` or a byte-fallback piece?

    A character that sentencepiece can only spell as raw bytes (``<0xC7>``) was too rare
    in training for the model to have learnt it; it fares no better than ``<unk>``.
    """
    return all(p in vocab and p != unknown and not _BYTE_PIECE.fullmatch(p) for p in pieces)
