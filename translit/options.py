"""Every translation option in one place: :class:`Settings`, the choices, their ranges.

One frozen dataclass holds what shapes a run — the model and engine, how articles are cut
and decoded, how doubtful units are marked, how briefs are made. Each option is declared
once, here, with its type, default, range and meaning; the command line (``translit.cli``),
the config file (:mod:`translit.config`) and the library all read and validate it from this
declaration. Adding an option means a field here, its CLI declaration in
:mod:`translit.cli.options`, and the code that uses it.

``scope`` says what an option shapes, so that one :meth:`Settings.key` serves both the
translation cache (``"unit"``: what shapes one unit's translation) and the batch resume
markers (``"document"``: what shapes a document's outputs).
"""

from __future__ import annotations

import functools
import math
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Literal

from translit.formats import BY_EXTENSION, INPUT_FORMATS

Scope = Literal["unit", "document"]
Group = Literal["model", "translation", "reading", "brief", "command"]
"""Which commands take an option ("command": a command's own settings, ServeConfig, BatchSettings)."""

DEFAULT_FLAG_BELOW = -1.4
"""Units scoring below this are marked for checking when the model's entry sets no threshold.

The 1st percentile of a real sentence-trained Marian's scores on held-out sentences of its
domain, below which every hallucination we provoked fell (``bench/calibrate_guards.py``).
"""
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
"""One news article is tens of kilobytes; anything this big is almost surely a mistake."""
DEFAULT_BRIEF_SENTENCES = 3


class Engine(StrEnum):
    """Which backend runs the model."""

    auto = "auto"
    transformers = "transformers"
    ctranslate2 = "ctranslate2"


class Compute(StrEnum):
    """The arithmetic CTranslate2 decodes with."""

    default = "default"
    float32 = "float32"


class Unit(StrEnum):
    """What the model translates at a time."""

    sentence = "sentence"
    paragraph = "paragraph"


class Normalization(StrEnum):
    """Normalisation of the model's input (``auto``: what models.toml says for the model)."""

    auto = "auto"
    moses = "moses"
    none = "none"


class BriefStyle(StrEnum):
    """How a brief is laid out as text."""

    paragraph = "paragraph"
    bullets = "bullets"


def usable_cores() -> int:
    """Cores this process may use (respects CPU affinity and cgroup-style pinning)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def max_threads() -> int:
    """At most four threads per usable core: more only thrashes (or crashes) an engine."""
    return 4 * usable_cores()


def command_option(
    default: Any,
    flag: str | None = None,
    help: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    metavar: str | None = None,
    *,
    aliases: tuple[str, ...] = (),
    negates: bool = False,
) -> Any:
    """A field of a command's own settings (``ServeConfig``, ``BatchSettings``), declared as a
    :class:`Settings` field is (:class:`OptionInfo`: help, flags, metavar, range) — a flag
    when ``flag`` is given. ``aliases`` are the flag's other names (``-p``); ``negates``: the
    flag turns a field whose default is True off (``--no-ui``); a tuple default is a
    repeatable flag."""
    flags = (flag, *aliases) if flag else ()
    info = OptionInfo(help, "command", None, minimum, maximum, flags=flags, metavar=metavar, negates=negates)
    return field(default=default, metadata={"option": info})


def declared_options(settings: type) -> dict[str, tuple[OptionInfo, Any]]:
    """The fields of a command's settings dataclass that are flags: name → (declaration, default)."""
    return {
        f.name: (f.metadata["option"], f.default)
        for f in fields(settings)
        if f.metadata.get("option") and f.metadata["option"].flags
    }


@dataclass(frozen=True)
class OptionInfo:
    """What :class:`Settings` knows about one of its fields."""

    help: str
    group: Group
    scope: Scope | None = None
    minimum: float | None = None
    maximum: float | Callable[[], float] | None = None
    files: bool = False  # the value names files whose contents shape the output (keys hash them)
    choices: tuple[str, ...] | None = None  # the allowed values of a string option
    # Left out of the keys at its default: an option added later must not make every cache
    # entry and every batch's resume markers stale (its default is what ran before it existed).
    keyed_at_default: bool = True
    flags: tuple[str, ...] = ()
    """The command-line flags that set it (``--model``, ``-m``); none: not a per-command flag."""
    metavar: str | None = None
    """How its value reads in ``--help`` (``N``, ``FILE``)."""
    request: bool = False
    """A request to the HTTP service may set it (a field of ``/translate`` and ``/brief``)."""
    negates: bool = False
    """Its flag turns a field whose default is True off (``--no-ui`` for ``ui``)."""
    path: bool = False
    """Its value names one file (``""`` and ``"off"`` aside): in the config file, relative to its folder."""

    def upper(self) -> float | None:
        """The largest allowed value (computed for machine-dependent limits)."""
        return self.maximum() if callable(self.maximum) else self.maximum


def _option(
    default: Any,
    help: str,
    group: Group,
    scope: Scope | None = None,
    minimum: float | None = None,
    maximum: float | Callable[[], float] | None = None,
    files: bool = False,
    choices: tuple[str, ...] | None = None,
    keyed_at_default: bool = True,
    *,
    flags: tuple[str, ...] = (),
    metavar: str | None = None,
    request: bool = False,
    path: bool = False,
) -> Any:
    info = OptionInfo(
        help,
        group,
        scope,
        minimum,
        maximum,
        files,
        choices,
        keyed_at_default,
        flags,
        metavar,
        request,
        path=path,
    )
    return field(default=default, metadata={"option": info})


@dataclass(frozen=True)
class Settings:
    """Every option of a translation run; see the module docstring.

    Values are checked when the object is made: a wrong type, an unknown choice or a value
    out of range raises ``ValueError`` naming the option (the CLI and the config reader turn
    that into one line naming the flag or the file).
    """

    model: str | None = _option(
        None,
        "Model name from models.toml, or a folder with a Hugging Face MarianMT model.",
        "model",
        flags=("--model", "-m"),
        metavar="NAME|PATH",
    )
    engine: Engine = _option(
        Engine.auto,
        "auto (default): CTranslate2, converting the model once on first use; "
        "transformers: the reference engine; ctranslate2: CTranslate2 or fail.",
        "model",
        flags=("--engine", "-e"),
    )
    shortlist: bool = _option(
        True,
        "Decode with the model's vocabulary shortlist where it has one that passed its check "
        "(CTranslate2; 'translit models convert --shortlist' builds one).",
        "model",
        "unit",
        flags=("--shortlist/--no-shortlist",),
    )
    compute: Compute = _option(
        Compute.default,
        "CTranslate2's arithmetic: default (as converted: int8, the fastest) or float32, "
        "which gives a text the same bytes whoever else is in its batch (int8 rounding "
        "depends on the batch's padding).",
        "model",
        "unit",
        keyed_at_default=False,
        flags=("--compute",),
    )
    threads: int | None = _option(
        None,
        "CPU threads for the engine (default: all usable cores).",
        "model",
        None,
        1,
        max_threads,
        flags=("--threads",),
        metavar="N",
    )
    beams: int | None = _option(
        None,
        "Beam size (default: the model's generation_config).",
        "translation",
        "unit",
        1,
        64,
        flags=("--beams",),
        request=True,
        metavar="N",
    )
    batch_size: int = _option(
        32, "Units translated together.", "translation", None, 1, 4096, flags=("--batch-size",), metavar="N"
    )
    max_batch_tokens: int = _option(
        1024,
        "Padded source tokens per batch.",
        "translation",
        None,
        1,
        1_000_000,
        flags=("--max-batch-tokens",),
        metavar="N",
    )
    unit: Unit = _option(
        Unit.sentence,
        "sentence (default): one sentence at a time, as the model was trained; "
        "paragraph: whole paragraphs, packed up to the model's limit.",
        "translation",
        "unit",
        flags=("--unit",),
        request=True,
    )
    max_unit_tokens: int | None = _option(
        None,
        "Longest unit in model tokens; longer sentences are cut at clauses "
        "(default 128 for sentences, the model's limit for paragraphs).",
        "translation",
        "document",
        1,
        100_000,
        flags=("--max-unit-tokens",),
        request=True,
        metavar="N",
    )
    normalize: Normalization = _option(
        Normalization.auto,
        "Normalise what goes into the model: auto (as models.toml says for the model), moses, none.",
        "translation",
        "unit",
        flags=("--normalize",),
        request=True,
    )
    flag_below: float | None = _option(
        None,
        "Mark units whose mean token log-probability is below this "
        f"(default: the model's flag_below in models.toml, else {DEFAULT_FLAG_BELOW}).",
        "translation",
        "document",
        flags=("--flag-below",),
        request=True,
        metavar="SCORE",
    )
    input_format: str = _option(
        "auto",
        "What the input is; auto: by file extension (" + ", ".join(BY_EXTENSION) + "), then by content.",
        "reading",
        "document",
        choices=INPUT_FORMATS,
        flags=("--input-format", "-i"),
    )
    strict_lang: bool = _option(
        False, "Refuse input that is not German (default: warn).", "reading", flags=("--strict-lang",)
    )
    max_bytes: int | None = _option(
        DEFAULT_MAX_BYTES,
        "Largest input accepted, in bytes (0 or None: no limit; default 2 MiB).",
        "reading",
        None,
        0,
        1 << 40,
    )
    cache: bool = _option(
        True, "Use the persistent translation cache.", "translation", flags=("--cache/--no-cache",)
    )
    memory: str = _option(
        "",
        "Translation memory: a unit whose German it holds gets its English, and near matches are "
        "shown (default: memory.sqlite3 in the cache folder, when it exists; 'off': none).",
        "translation",
        flags=("--memory",),
        metavar="FILE",
        path=True,
    )
    marks: bool = _option(
        True,
        "Put [?] after every sentence a reader should check (a guard flag or low confidence) "
        "in text and Markdown output.",
        "reading",
        "document",
        flags=("--marks/--no-marks",),
    )
    glossary: tuple[str, ...] = _option(
        (),
        "Glossary file: source<TAB>target (.tsv) or source,target (.csv, DeepL's too); a one-column "
        "line is never translated. Repeatable; later files win.",
        "translation",
        "document",
        files=True,
        flags=("--glossary", "-g"),
        metavar="FILE",
    )
    keep: tuple[str, ...] = _option(
        (),
        "File of terms never to translate (names, brands), one per line. Repeatable.",
        "translation",
        "document",
        files=True,
        flags=("--keep",),
        metavar="FILE",
    )
    sentences: int | None = _option(
        None,
        f"Sentences in the brief (default {DEFAULT_BRIEF_SENTENCES}, unless only words limit it).",
        "brief",
        "document",
        1,
        1000,
        flags=("--sentences", "-n"),
        metavar="N",
    )
    words: int | None = _option(
        None,
        "At most this many words, but always at least one whole sentence.",
        "brief",
        "document",
        1,
        100_000,
        flags=("--words", "-w"),
        metavar="N",
    )
    style: BriefStyle = _option(
        BriefStyle.paragraph,
        "One paragraph (default), or one bullet per sentence.",
        "brief",
        "document",
        flags=("--style",),
    )
    summarizer: str | None = _option(
        None,
        "extractive (built in, default), a summarization model from models.toml, or a model folder.",
        "brief",
        "document",
        flags=("--summarizer",),
        metavar="NAME|PATH",
    )

    def __post_init__(self) -> None:
        for item in fields(self):
            object.__setattr__(self, item.name, check_option(item.name, getattr(self, item.name)))

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def from_values(cls, *layers: Mapping[str, Any]) -> Settings:
        """Settings from layers of values, later layers winning; ``None`` in a layer means "not given".

        The config file is one layer, the command line the next.
        """
        values: dict[str, Any] = {}
        for layer in layers:
            unknown = sorted(set(layer) - OPTION_NAMES)
            if unknown:
                raise ValueError(f"unknown option {unknown[0]!r}")
            values.update({k: v for k, v in layer.items() if v is not None})
        return cls(**values)

    def but(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (``None`` values are ignored: "not given")."""
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given) if given else self

    # --- reading ---------------------------------------------------------------------------

    @property
    def brief_sentences(self) -> int | None:
        """The brief's sentence cap: the option, else 3 — unless only ``words`` limits the brief."""
        if self.sentences is None and self.words is None:
            return DEFAULT_BRIEF_SENTENCES
        return self.sentences

    @property
    def byte_limit(self) -> int | None:
        """``max_bytes`` with 0 meaning no limit."""
        return self.max_bytes or None

    def for_model(self, normalization: str, flag_below: float | None) -> Settings:
        """Settings with ``auto`` choices resolved for a model's own normalisation and threshold."""
        changes: dict[str, Any] = {}
        if self.normalize is Normalization.auto:
            changes["normalize"] = Normalization(normalization or "none")
        if self.flag_below is None:
            changes["flag_below"] = DEFAULT_FLAG_BELOW if flag_below is None else flag_below
        return replace(self, **changes) if changes else self

    def key(self, scope: Scope = "document") -> str:
        """The identity of the options that shape ``scope``.

        ``"unit"``: what shapes one unit's translation (part of the translation cache key);
        ``"document"``: what shapes a document's outputs, the unit options included (part of
        the batch resume markers). Options of neither scope (threads, batch sizes) are left
        out: they change how fast, not what.
        """
        wanted = ("unit",) if scope == "unit" else ("unit", "document")
        parts = []
        for item in fields(self):
            info = option_info(item.name)
            if info.scope in wanted:
                value = getattr(self, item.name)
                if not info.keyed_at_default and value == item.default:
                    continue
                parts.append(f"{item.name}={_file_digests(value) if info.files else value}")
        return "|".join(parts)


def _file_digests(paths: tuple[str, ...]) -> str:
    """What the files of an option say (not where they are): a digest of each one's bytes."""
    from translit.userfiles import GLOSSARY, user_file_digest

    return ",".join(user_file_digest(path, GLOSSARY) for path in paths)


def request_options() -> list[str]:
    """The Settings fields a request to the HTTP service may set (declared ``request=True``)."""
    return [item.name for item in fields(Settings) if option_info(item.name).request]


def option_info(name: str) -> OptionInfo:
    """The declaration of option ``name``."""
    info: OptionInfo = _FIELDS[name].metadata["option"]
    return info


_FIELDS = {item.name: item for item in fields(Settings)}
OPTION_NAMES = frozenset(_FIELDS)


def option_default(name: str) -> Any:
    """The built-in default of option ``name``."""
    default = _FIELDS[name].default
    return None if default is MISSING else default


def option_type(name: str) -> tuple[type, ...]:
    """The Python types an option's value may have (``NoneType`` when it may be unset)."""
    hint = _type_hints()[name]
    parts = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return tuple(typing.get_origin(part) or part for part in parts)  # tuple[str, ...] -> tuple


@functools.cache
def _type_hints() -> dict[str, Any]:
    # The fields' annotations are strings here (this module postpones them): resolved once.
    return typing.get_type_hints(Settings)


def choices(name: str) -> tuple[str, ...] | None:
    """The allowed values of a choice option (``None`` for a free value)."""
    listed = option_info(name).choices
    if listed is not None:
        return listed
    for kind in option_type(name):
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            return tuple(member.value for member in kind)
    return None


def number_text(value: float) -> str:
    return f"{value:,.0f}".replace(",", "") if float(value).is_integer() else f"{value:g}"


def check_option(name: str, value: Any) -> Any:
    """``value`` as option ``name`` takes it (a choice as its enum member), or ``ValueError``.

    The message says what is wrong, without naming the option: callers add the flag or
    the config key.
    """
    kinds = option_type(name)
    if value is None:
        if type(None) in kinds:
            return None
        raise ValueError("must be given")
    if tuple in kinds:
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"must be a list of file names, not {value!r}")
        return tuple(items)
    enum = next((k for k in kinds if isinstance(k, type) and issubclass(k, StrEnum)), None)
    if enum is not None:
        try:
            return enum(value.value if isinstance(value, StrEnum) else value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise ValueError(f"must be one of {allowed}, not {value!r}") from None
    if bool in kinds:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, not {value!r}")
        return value
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {value!r}")
    if float in kinds and isinstance(value, int | float):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value}")
    elif int in kinds:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {value!r}")
    elif str in kinds:
        if isinstance(value, StrEnum):
            value = str(value.value)
        if not isinstance(value, str):
            raise ValueError(f"must be a string, not {value!r}")
        listed = option_info(name).choices
        if listed is not None and value not in listed:
            raise ValueError(f"must be one of {', '.join(listed)}, not {value!r}")
        return value
    info = option_info(name)
    upper = info.upper()
    if (info.minimum is not None and value < info.minimum) or (upper is not None and value > upper):
        low = number_text(info.minimum) if info.minimum is not None else "-inf"
        high = number_text(upper) if upper is not None else "inf"
        extra = f" on this machine (4 x {usable_cores()} usable cores)" if name == "threads" else ""
        raise ValueError(f"{number_text(value)} is out of range: {low}-{high}{extra}")
    return value
