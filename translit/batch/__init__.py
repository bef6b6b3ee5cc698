"""Batch translation of a folder tree: resumable, atomic, batched across documents.

* :mod:`translit.batch.files` — inputs, output names (planned for the whole run), resume
  markers, atomic writes, clean-up of killed runs
* :mod:`translit.batch.settings` — what a run produces and how (cheap: the CLI's flags)
* :mod:`translit.batch.core` — the per-group work every runner shares, the report
* :mod:`translit.batch.local` — the local runner
* :mod:`translit.batch.ray_runner` — the Ray runner (``translit batch --ray``), imported only
  when used
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translit.lazy import lazy_attributes

if TYPE_CHECKING:  # the names, for type checkers; at run time they load when first used
    from translit.atomic import write_atomic
    from translit.batch.core import BatchPlan, BatchReport, DocumentResult, plan_batch
    from translit.batch.files import DEFAULT_PATTERNS, OUTPUT_KINDS, display_name, output_stem
    from translit.batch.local import run_batch, run_local
    from translit.batch.settings import BatchSettings, batch_options

_WHERE = {
    "write_atomic": "translit.atomic",
    **dict.fromkeys(("BatchPlan", "BatchReport", "DocumentResult", "plan_batch"), "translit.batch.core"),
    **dict.fromkeys(
        ("DEFAULT_PATTERNS", "OUTPUT_KINDS", "display_name", "output_stem"), "translit.batch.files"
    ),
    **dict.fromkeys(("run_batch", "run_local"), "translit.batch.local"),
    **dict.fromkeys(("BatchSettings", "batch_options"), "translit.batch.settings"),
}
"""Where each name lives: importing :mod:`translit.batch.settings` (the CLI's flags) does not
import the translator through this package (PEP 562)."""


__getattr__ = lazy_attributes(__name__, _WHERE, globals())

# Listed, not computed from _WHERE: linters and type checkers read a literal __all__.
__all__ = [
    "DEFAULT_PATTERNS",
    "OUTPUT_KINDS",
    "BatchPlan",
    "BatchReport",
    "BatchSettings",
    "DocumentResult",
    "batch_options",
    "display_name",
    "output_stem",
    "plan_batch",
    "run_batch",
    "run_local",
    "write_atomic",
]
