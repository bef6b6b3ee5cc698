"""User defaults from ``config.toml``, and the environment variables translit reads.

The file is ``$TRANSLIT_CONFIG``, else ``$XDG_CONFIG_HOME/translit/config.toml``
(``~/.config/translit/config.toml``). Every key is optional; an option on the command line
wins over the file, the file over translit's built-in defaults::

    model = "opus-mt-de-en"      # a models.toml name or a folder
    engine = "auto"              # auto | transformers | ctranslate2
    beams = 4
    threads = 4
    unit = "sentence"            # sentence | paragraph
    normalize = "auto"           # auto | moses | none
    flag_below = -1.4
    cache = true
    cache_dir = "/data/translit-cache"
    max_bytes = 2097152

    [brief]
    sentences = 3
    words = 60
    style = "bullets"            # paragraph | bullets
    summarizer = "extractive"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from translit.errors import InputError

# Every environment variable translit reads (README, "Configuration").
ENVIRONMENT = {
    "TRANSLIT_CONFIG": "the config file (default ~/.config/translit/config.toml)",
    "TRANSLIT_MODELS": "an extra models.toml, overriding ~/.config/translit/models.toml",
    "TRANSLIT_CACHE_DIR": "translit's cache folder: translations and CTranslate2 conversions",
    "TRANSLIT_ALLOW_PICKLE": "1: load pickled pytorch_model.bin weights (weights-only), like --allow-pickle",
    "NO_COLOR": "no colour, no progress bars or spinners",
    "XDG_CONFIG_HOME": "where ~/.config is",
    "XDG_CACHE_HOME": "where ~/.cache is",
    "HF_HOME / HF_HUB_CACHE": "the Hugging Face cache that models are looked up in and pulled into",
    "HF_ENDPOINT": "the Hugging Face hub address (translit models pull)",
    "RAY_ADDRESS": "the Ray cluster that translit batch --ray joins",
}


@dataclass(frozen=True)
class Defaults:
    """Defaults for options not given on the command line."""

    model: str | None = None
    engine: str = "auto"
    beams: int | None = None
    threads: int | None = None
    unit: str = "sentence"
    normalize: str = "auto"
    flag_below: float | None = None
    cache: bool = True
    cache_dir: str | None = None
    max_bytes: int = 2 * 1024 * 1024
    sentences: int = 3
    words: int | None = None
    style: str = "paragraph"
    summarizer: str | None = None


_CHOICES = {
    "engine": ("auto", "transformers", "ctranslate2"),
    "unit": ("sentence", "paragraph"),
    "normalize": ("auto", "moses", "none"),
    "style": ("paragraph", "bullets"),
}
_TYPES: dict[str, tuple[type, ...]] = {
    "model": (str,),
    "engine": (str,),
    "beams": (int,),
    "threads": (int,),
    "unit": (str,),
    "normalize": (str,),
    "flag_below": (int, float),
    "cache": (bool,),
    "cache_dir": (str,),
    "max_bytes": (int,),
    "sentences": (int,),
    "words": (int,),
    "style": (str,),
    "summarizer": (str,),
}


def config_path() -> Path:
    """``$TRANSLIT_CONFIG``, else ``config.toml`` in translit's config folder."""
    if os.environ.get("TRANSLIT_CONFIG"):
        return Path(os.environ["TRANSLIT_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "translit" / "config.toml"


def _check(key: str, value: Any, where: str) -> Any:
    kinds = _TYPES[key]
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise InputError(f"{where}: '{key}' must be {names}, not {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise InputError(f"{where}: '{key}' must be one of {', '.join(_CHOICES[key])}, not {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and key != "flag_below" and value < 0:
        raise InputError(f"{where}: '{key}' must not be negative")
    return float(value) if key == "flag_below" and isinstance(value, int | float) else value


def parse_defaults(text: str, where: str) -> Defaults:
    """Defaults from the text of a config file; one-line :class:`InputError` on a bad key or value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: invalid TOML ({exc})") from None
    brief = data.pop("brief", {})
    if not isinstance(brief, dict):
        raise InputError(f"{where}: [brief] must be a table")
    flat = {**data, **brief}
    known = {f.name for f in fields(Defaults)}
    values = {}
    for key, value in flat.items():
        if key not in known:
            raise InputError(f"{where}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
        values[key] = _check(key, value, where)
    return Defaults(**values)


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Defaults:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read the config file ({exc})") from None
    return parse_defaults(text, str(file))


def load_defaults() -> Defaults:
    """The user's defaults (built-in ones when there is no config file)."""
    path = config_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        if os.environ.get("TRANSLIT_CONFIG"):
            raise InputError(f"{path}: config file not found ($TRANSLIT_CONFIG)") from None
        return Defaults()
    return _load(str(path), mtime)
