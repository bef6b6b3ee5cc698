"""The reference engine: MarianMT through Hugging Face ``transformers`` (``MarianMTModel.generate``).

Loaded offline from a local folder (``local_files_only``, safetensors preferred, never
remote code). Besides the text, every output gets its mean token log-probability, computed
exactly by scoring the generated sequence once more with teacher forcing — independent of
beam search and of the logits processors used while decoding.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translit.alignment import Alignment
from translit.engines.folders import check_model_dir, first_line, quiet_transformers, weights_problem
from translit.engines.forced import forced_length, forced_ratio
from translit.engines.pieces import (
    alignment_from_attention,
    decode_limit,
    input_budget,
    piece_spans,
    position_limit,
    spelled_by_vocabulary,
    suppressed_pieces,
)
from translit.engines.protocol import DecodeInterrupted, DecodeOptions, EngineOutput
from translit.errors import ModelError
from translit.registry import fingerprint

# The decoder layer whose cross-attention aligns target pieces with source pieces (for tags
# put back into translated HTML); chosen on mt-de-en-small (bench/html_tags.py).
ALIGNMENT_LAYER = -1

_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str, str, str, float | None], MarianEngine] = {}


def load_marian(
    directory: Path,
    model_id: str | None = None,
    device: str | None = None,
    threads: int | None = None,
    *,
    normalization: str = "none",
    flag_below: float | None = None,
) -> MarianEngine:
    """Load a MarianMT folder once per process (later calls reuse it).

    ``threads`` sets torch's CPU threads; without it, small models get one thread
    (see :func:`translit.engines.folders.model_threads`). ``normalization`` and ``flag_below``
    are the model's own (models.toml), fixed when the engine is built.
    """
    key = (str(directory.resolve()), model_id or str(directory), device or "auto", normalization, flag_below)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = MarianEngine(
                directory,
                model_id or str(directory),
                device,
                threads,
                normalization=normalization,
                flag_below=flag_below,
            )
        if threads:
            import torch

            torch.set_num_threads(threads)
        return _LOADED[key]


class MarianEngine:
    """MarianMT through Hugging Face ``transformers``, loaded offline from a local folder."""

    name = "transformers"

    def __init__(
        self,
        directory: Path,
        model_id: str,
        device: str | None = None,
        threads: int | None = None,
        *,
        normalization: str = "none",
        flag_below: float | None = None,
    ) -> None:
        check_model_dir(directory)
        self.normalization = normalization
        self.flag_below = flag_below
        started = time.perf_counter()
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        quiet_transformers()
        self.model_id = model_id
        self.directory = directory
        self.source_directory = directory
        self.tokenizer: Any
        self.model: Any
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        use_safetensors = (directory / "model.safetensors").is_file()
        weights = directory / ("model.safetensors" if use_safetensors else "pytorch_model.bin")
        info: dict[str, Any] = {}
        with warnings.catch_warnings():
            # MarianTokenizer recommends sacremoses; translit normalises the input itself.
            warnings.simplefilter("ignore")
            try:
                self.tokenizer = MarianTokenizer.from_pretrained(str(directory), local_files_only=True)
            except Exception as exc:
                raise ModelError(
                    f"{directory}: cannot load the tokenizer (vocab.json, source.spm, target.spm: "
                    f"{first_line(exc)})"
                ) from None
            try:
                loaded: Any = MarianMTModel.from_pretrained(
                    str(directory),
                    local_files_only=True,
                    use_safetensors=use_safetensors,
                    trust_remote_code=False,
                    # Weights stored in half precision are computed in float32 on the CPU.
                    dtype=torch.float32 if self.device == "cpu" else "auto",
                    output_loading_info=True,
                )
                self.model, info = loaded
            except Exception as exc:
                raise ModelError(f"{weights}: cannot load the model ({first_line(exc)})") from None
        problem = weights_problem(info)
        if problem:
            raise ModelError(f"{weights}: {problem}")
        self.model.to(self.device)
        self.model.eval()
        if threads is None and self.device == "cpu":
            from translit.engines.folders import model_threads

            # Process-wide, like every torch thread setting; only when no --threads was given.
            torch.set_num_threads(model_threads(getattr(self.model.config, "d_model", None)))
        self.generation_config = self.model.generation_config
        self.limit = position_limit(
            getattr(self.tokenizer, "model_max_length", None),
            getattr(self.model.config, "max_position_embeddings", None),
        )
        self.max_input_tokens = input_budget(self.limit)
        self.cache_key = f"transformers|{fingerprint(directory)}|{self.device}"
        self.load_seconds = time.perf_counter() - started
        self._torch = torch
        self._attention = "default"

    def represents(self, text: str) -> bool:
        """Can the source vocabulary spell ``text`` (no piece of it becomes ``<unk>``)?"""
        pieces = self.tokenizer.spm_source.encode(text, out_type=str)
        return spelled_by_vocabulary(pieces, self.tokenizer.encoder, str(self.tokenizer.unk_token))

    def count_tokens(self, text: str) -> int:
        """Source tokens of ``text`` (sentencepiece pieces), without ``</s>``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(self.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def translate_batch(self, texts: Sequence[str], options: DecodeOptions) -> list[EngineOutput]:
        """Translate ``texts`` in length-sorted batches and return them in the given order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        results: list[EngineOutput | None] = [None] * len(texts)
        size = max(1, options.batch_size)
        try:
            for start in range(0, len(order), size):
                indices = order[start : start + size]
                for index, output in zip(
                    indices, self._generate([texts[i] for i in indices], options), strict=True
                ):
                    results[index] = output
        except KeyboardInterrupt:  # the batches finished before it are kept
            raise DecodeInterrupted({i: r for i, r in enumerate(results) if r is not None}) from None
        return [r for r in results if r is not None]

    def translate_with_prefix(
        self, texts: Sequence[str], prefixes: Sequence[str], options: DecodeOptions
    ) -> list[EngineOutput]:
        """Translate each text with its output forced to begin with its prefix (one at a time)."""
        vocab, unk = self.tokenizer.encoder, self.tokenizer.unk_token_id
        outputs = []
        for text, prefix in zip(texts, prefixes, strict=True):
            ids = [vocab.get(piece, unk) for piece in self.tokenizer.spm_target.encode(prefix, out_type=str)]
            outputs.extend(self._generate([text], options, prefix=ids))
        return outputs

    def _generate(
        self, texts: list[str], options: DecodeOptions, prefix: list[int] | None = None
    ) -> list[EngineOutput]:
        torch = self._torch
        max_length = decode_limit(options, getattr(self.generation_config, "max_length", None), self.limit)
        # No forced </s> at the limit: an output that runs into it must stay recognisable.
        kwargs: dict[str, Any] = {"max_length": max_length, "forced_eos_token_id": None}
        if options.beams is not None:
            kwargs["num_beams"] = options.beams
        if options.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = options.no_repeat_ngram_size
        if options.repetition_penalty:
            kwargs["repetition_penalty"] = options.repetition_penalty
        if options.suppress:
            vocab = self.tokenizer.encoder
            banned = [
                [vocab[piece] for piece in sequence]
                for sequence in suppressed_pieces(self.tokenizer.spm_target, vocab, options.suppress)
            ]
            kwargs["bad_words_ids"] = [
                *(getattr(self.generation_config, "bad_words_ids", None) or []),
                *banned,
            ]
        wanted = max(1, options.hypotheses)
        if wanted > 1:
            beams = kwargs.get("num_beams") or getattr(self.generation_config, "num_beams", 1) or 1
            kwargs["num_beams"] = max(int(beams), wanted)
            kwargs["num_return_sequences"] = wanted
        ratio = forced_ratio(options)
        if ratio is not None:
            forced = forced_length(ratio, [self.count_tokens(t) + 1 for t in texts])
            kwargs = {**kwargs, "max_length": None, "min_new_tokens": forced, "max_new_tokens": forced}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=False).to(self.device)
            width = batch["input_ids"].shape[1]
            if width > self.limit:
                raise ModelError(f"internal: a unit of {width} tokens exceeds the model's limit {self.limit}")
            if prefix is not None:
                start = self.model.config.decoder_start_token_id
                kwargs["decoder_input_ids"] = torch.tensor([[start, *prefix]], device=self.device)
            with torch.inference_mode():
                generated = self.model.generate(**batch, **kwargs)
        eos = self.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        alternatives: list[tuple[str, ...]] = [()] * len(texts)
        if wanted > 1:
            # Rows come grouped per input, best first: the best are the outputs, the rest alternatives.
            grouped = generated.tolist()
            alternatives = [
                tuple(
                    self.tokenizer.decode(row, skip_special_tokens=True)
                    for row in grouped[i * wanted + 1 : (i + 1) * wanted]
                )
                for i in range(len(texts))
            ]
            generated = generated[::wanted]
        rows = generated.tolist()
        # row[0] is the decoder start token; the content runs to the first </s> (included).
        used = []
        for row in rows:
            end = next((i for i, t in enumerate(row[1:], start=1) if t in eos_ids), None)
            used.append((len(row) if end is None else end + 1, end is not None))
        scores = self._mean_log_probs(batch, generated, [n for n, _ in used])
        outputs = []
        for row, (length, ended), score, others in zip(rows, used, scores, alternatives, strict=True):
            text = self.tokenizer.decode(row[:length], skip_special_tokens=True)
            hit = not ended and forced_ratio(options) is None
            outputs.append(EngineOutput(text, length - 2, hit, score, others))
        return outputs

    def start_row_norm(self) -> float:
        """The length of the decoder-start token's embedding (0 in opus-mt's own export)."""
        start = self.model.config.decoder_start_token_id
        weights = self.model.get_decoder().embed_tokens.weight
        return float(weights[start].detach().float().norm())

    def align(self, pairs: Sequence[tuple[str, str]], layer: int = ALIGNMENT_LAYER) -> list[Alignment]:
        """Which source piece each target piece came from, by the cross-attention of ``layer``.

        The target is forced through the decoder (teacher forcing); each target piece is
        aligned to the source piece its prediction attended to most, heads averaged.
        """
        torch = self._torch
        vocab = self.tokenizer.encoder
        unk, eos = self.tokenizer.unk_token_id, self.tokenizer.eos_token_id
        start = self.model.config.decoder_start_token_id
        found: list[Alignment] = []
        if self._attention != "eager":
            # Fused attention (sdpa) returns no weights; alignment needs them.
            self.model.set_attn_implementation("eager")
            self._attention = "eager"
        for source, target in pairs:
            src = piece_spans(self.tokenizer.spm_source, source)
            tgt = piece_spans(self.tokenizer.spm_target, target)
            if not src or not tgt or len(src) + 1 > self.limit or len(tgt) + 1 > self.limit:
                found.append([])
                continue
            src_ids = [vocab.get(piece, unk) for piece, _, _ in src] + [eos]
            tgt_ids = [start] + [vocab.get(piece, unk) for piece, _, _ in tgt]
            with torch.inference_mode():
                out = self.model(
                    input_ids=torch.tensor([src_ids], device=self.device),
                    decoder_input_ids=torch.tensor([tgt_ids], device=self.device),
                    output_attentions=True,
                )
            weights = out.cross_attentions[layer][0].float().mean(0)[: len(tgt)]
            found.append(alignment_from_attention(weights.tolist(), src, tgt))
        return found

    def _mean_log_probs(self, batch: Any, generated: Any, lengths: list[int]) -> list[float]:
        """Mean log-probability of each generated sequence's tokens (``</s>`` included).

        One teacher-forced pass over the outputs gives the model's exact probabilities,
        whatever search or logits processing produced them.
        """
        torch = self._torch
        with torch.inference_mode():
            logits = self.model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                decoder_input_ids=generated[:, :-1],
            ).logits
            log_probs = torch.log_softmax(logits.float(), dim=-1)
            token_log_probs = log_probs.gather(-1, generated[:, 1:].unsqueeze(-1)).squeeze(-1)
        scores = []
        for row, length in zip(token_log_probs.tolist(), lengths, strict=True):
            counted = row[: max(1, length - 1)]
            scores.append(sum(counted) / len(counted))
        return scores
