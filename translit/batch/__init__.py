"""Batch translation of a folder tree: resumable, atomic, batched across documents.

* :mod:`translit.batch.files` — inputs, output names (planned for the whole run), resume
  markers, atomic writes, clean-up of killed runs
* :mod:`translit.batch.core` — settings, the per-group work every runner shares, the report
* :mod:`translit.batch.local` — the local runner
* :mod:`translit.batch.ray_runner` — the Ray runner (``translit batch --ray``), imported only
  when used
"""

from translit.atomic import write_atomic
from translit.batch.core import (
    BatchPlan,
    BatchReport,
    BatchSettings,
    DocumentResult,
    batch_options,
    plan_batch,
)
from translit.batch.files import DEFAULT_PATTERNS, OUTPUT_KINDS, display_name, output_stem
from translit.batch.local import run_batch, run_local

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
