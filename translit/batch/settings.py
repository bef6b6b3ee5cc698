"""What a batch run produces and how (:class:`BatchSettings`): plain settings, cheap to import.

The CLI builds ``translit batch``'s flags from these declarations without importing the
translator (``translit --help`` stays fast); :mod:`translit.batch.core` does the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from translit.batch.files import DEFAULT_PATTERNS, signature
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


def batch_options() -> dict[str, tuple[OptionInfo, Any]]:
    """The BatchSettings fields that are ``translit batch`` flags: name → (declaration, default)."""
    return declared_options(BatchSettings)
