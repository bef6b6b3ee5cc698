"""What a batch run produces and how (:class:`BatchSettings`): plain settings, cheap to import.

The CLI builds ``translit batch``'s flags from these declarations without importing the
translator (``translit --help`` stays fast); :mod:`translit.batch.core` does the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from translit.batch.files import DEFAULT_PATTERNS, signature
from translit.formats import batch_globs
from translit.options import OptionInfo, Settings, command_option, declared_options


@dataclass(frozen=True)
class BatchSettings:
    """What a batch run produces and how: the files, and the translation :class:`Settings`.

    ``model_key`` identifies the model files and engine for the resume markers; runners
    fill it from their translator when it is empty.
    """

    outputs: tuple[str, ...] = ("translation",)
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    force: bool = command_option(False, "--force", "Redo files whose outputs are up to date.")
    group_size: int = command_option(
        16, "--group-size", "Documents whose units share batches.", 1, 10_000, "N"
    )
    follow_links: bool = command_option(
        False, "--follow-links", "Also read files whose symbolic links leave IN_DIR."
    )
    translation: Settings = field(default_factory=Settings)
    model_key: str = ""

    def signature(self) -> str:
        """Identity of everything that shapes the outputs: model, engine, outputs, options."""
        return signature([self.model_key, ",".join(self.outputs), self.translation.key("document")])


class BatchReport(StrEnum):
    """What ``translit batch`` writes to stdout besides the summary on stderr."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


@dataclass(frozen=True)
class BatchCommand:
    """What ``translit batch`` is told besides the batch's settings: where the outputs go, what
    it writes to stdout, and where it runs (here, or on Ray). Each field is a flag, declared once."""

    out: str = command_option(
        "", "--out", "Output folder (mirrors the input tree).", metavar="OUT_DIR", aliases=("-o",)
    )
    outputs: str = command_option(
        "translation",
        "--outputs",
        "Comma-separated: translation (NAME.en.EXT in the input's own format where it is "
        "written back, else NAME.en.txt), brief (NAME.brief.txt), json (NAME.json).",
        metavar="KINDS",
    )
    glob: tuple[str, ...] = command_option(
        (),
        "--glob",
        "File name pattern; repeatable (default: every format translit reads, "
        + " ".join(batch_globs())
        + ").",
        metavar="PATTERN",
    )
    format: BatchReport = command_option(
        BatchReport.text,
        "--format",
        "text: only the summary (on stderr); jsonl: also stream one JSON object per document; "
        "json: the batch report as JSON at the end.",
        metavar="text|json|jsonl",
        aliases=("-f",),
    )
    quiet: bool = command_option(False, "--quiet", "Only errors on stderr.", aliases=("-q",))
    ray: str = command_option(
        "",
        "--ray",
        "Run on Ray. Alone: join $RAY_ADDRESS if set, else start a local instance; "
        "with an address (host:port, ray://…): join that cluster; 'local': always a local instance.",
        metavar="[ADDRESS]",
    )
    workers: int = command_option(2, "--workers", "Ray: actors.", 1, 10_000)
    threads_per_worker: int = command_option(
        1, "--threads-per-worker", "Ray: CPUs and engine threads per actor.", 1, 256
    )
    gpus_per_worker: float = command_option(0.0, "--gpus-per-worker", "Ray: GPUs per actor.", 0, 16)


def batch_options() -> dict[str, tuple[OptionInfo, Any]]:
    """The flags of ``translit batch``: the command's own (:class:`BatchCommand`), then the
    BatchSettings fields that are flags; name → (declaration, default)."""
    return declared_options(BatchCommand) | declared_options(BatchSettings)
