"""The translation stage: units in, guarded translations out, joined back into documents.

For a list of documents: :mod:`~translit.pipeline.assembly` cuts every segment into units
(sentences by default) and normalises what goes into the model; the units of all documents
are pooled into length-sorted batches and translated behind the persistent cache
(:mod:`~translit.pipeline.unit_cache`) and the output guards
(:mod:`~translit.pipeline.decoding`); :mod:`~translit.pipeline.assembly` then builds one
:class:`~translit.results.Translation` per document. :class:`~translit.Translator` runs the
three steps; the HTTP service runs the middle one for many requests together.
"""

from translit.outcome import Outcome
from translit.pipeline.assembly import (
    Prepared,
    assemble,
    decode_options,
    model_input,
    prepare,
    shouting,
    unit_budget,
)
from translit.pipeline.decoding import (
    NO_GLOSSARY,
    UnitsInterrupted,
    split_for_retry,
    split_in_two,
    translate_units,
    unknown_symbols,
)
from translit.pipeline.unit_cache import (
    GUARDS_VERSION,
    cache_lookup,
    cache_options,
    cache_store,
    cached_translate,
    unit_keys,
)

__all__ = [
    "GUARDS_VERSION",
    "NO_GLOSSARY",
    "Outcome",
    "Prepared",
    "UnitsInterrupted",
    "assemble",
    "cache_lookup",
    "cache_options",
    "cache_store",
    "cached_translate",
    "decode_options",
    "model_input",
    "prepare",
    "shouting",
    "split_for_retry",
    "split_in_two",
    "translate_units",
    "unit_budget",
    "unit_keys",
    "unknown_symbols",
]
