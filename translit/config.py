"""User defaults from ``config.toml``, translit's folders, and the environment variables it reads.

The file is ``$TRANSLIT_CONFIG``, else ``$XDG_CONFIG_HOME/translit/config.toml``
(``~/.config/translit/config.toml``). Every key is optional; an option on the command line
wins over the file, the file over translit's built-in defaults. The keys are the options of
:class:`translit.options.Settings` (checked by the same types and ranges as the command
line), plus ``cache_dir``; brief options may sit under ``[brief]``::

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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from translit.errors import InputError
from translit.options import OPTION_NAMES, Settings, check_option, option_info
from translit.userfiles import CONFIG, read_user_text

# Every environment variable translit reads: the configuration page's table and the man page are
# made from this.
ENVIRONMENT = {
    "TRANSLIT_CONFIG": "the config file (default ~/.config/translit/config.toml)",
    "TRANSLIT_MODELS": "an extra models.toml, overriding ~/.config/translit/models.toml",
    "TRANSLIT_CACHE_DIR": "the cache folder: translations, the translation memory, CTranslate2 conversions",
    "TRANSLIT_ALLOW_PICKLE": "1: load pickled pytorch_model.bin weights (weights-only), like --allow-pickle",
    "NO_COLOR": "no colour, no progress bars or spinners",
    "XDG_CONFIG_HOME": "where ~/.config is",
    "XDG_CACHE_HOME": "where ~/.cache is",
    "HF_HOME / HF_HUB_CACHE": "the Hugging Face cache that models are looked up in and pulled into",
    "HF_ENDPOINT": "the Hugging Face hub address (translit models pull)",
    "RAY_ADDRESS": "the Ray cluster that translit batch --ray joins",
    "PYTHONIOENCODING": "an output encoding named here is kept (otherwise results are written in UTF-8)",
}

# Keys of the config file that are not translation options.
_PATH_KEYS = ("cache_dir",)
_BRIEF_TABLE = "brief"


@dataclass(frozen=True)
class UserConfig:
    """What the config file says: option values (only those it sets) and translit's folders."""

    values: dict[str, Any] = field(default_factory=dict)
    cache_dir: str | None = None
    source: str | None = None

    def settings(self, **overrides: Any) -> Settings:
        """The file's options with ``overrides`` (``None``: not given) on top."""
        try:
            return Settings.from_values(self.values, overrides)
        except ValueError as exc:  # an override out of range (the file's own were checked)
            raise InputError(str(exc)) from None


def config_dir() -> Path:
    """translit's config folder: ``$XDG_CONFIG_HOME/translit`` (``~/.config/translit``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "translit"


def config_path() -> Path:
    """``$TRANSLIT_CONFIG``, else ``config.toml`` in translit's config folder."""
    if os.environ.get("TRANSLIT_CONFIG"):
        return Path(os.environ["TRANSLIT_CONFIG"])
    return config_dir() / "config.toml"


def parse_config(text: str, where: str) -> UserConfig:
    """The options of a config file's text; one-line :class:`InputError` on a bad key or value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: invalid TOML ({exc})") from None
    brief = data.pop(_BRIEF_TABLE, {})
    if not isinstance(brief, dict):
        raise InputError(f"{where}: [{_BRIEF_TABLE}] must be a table")
    for key in brief:
        if key in OPTION_NAMES and option_info(key).group != "brief":
            raise InputError(f"{where}: '{key}' belongs at the top, not under [{_BRIEF_TABLE}]")
    flat = {**data, **brief}
    values: dict[str, Any] = {}
    cache_dir = None
    for key, value in flat.items():
        if key in _PATH_KEYS:
            if not isinstance(value, str):
                raise InputError(f"{where}: '{key}' must be a folder path (a string), not {value!r}")
            cache_dir = value
            continue
        if key not in OPTION_NAMES:
            known = ", ".join(sorted(OPTION_NAMES | set(_PATH_KEYS)))
            raise InputError(f"{where}: unknown setting '{key}' (known: {known})")
        try:
            values[key] = check_option(key, value)
        except ValueError as exc:
            raise InputError(f"{where}: '{key}' {exc}") from None
        if option_info(key).files:
            # File names in the config file are relative to the config file's folder.
            base = Path(where).parent
            values[key] = tuple(str(base / Path(name).expanduser()) for name in values[key])
        elif option_info(key).path and values[key] not in ("", "off"):
            values[key] = str(Path(where).parent / Path(values[key]).expanduser())
    return UserConfig(values, cache_dir, where)


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> UserConfig:
    return parse_config(read_user_text(path, CONFIG), path)


def load_config() -> UserConfig:
    """The user's config (empty when there is no config file)."""
    path = config_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        if os.environ.get("TRANSLIT_CONFIG"):
            raise InputError(f"{path}: config file not found ($TRANSLIT_CONFIG)") from None
        return UserConfig()
    return _load(str(path), mtime)


def load_settings(**overrides: Any) -> Settings:
    """The config file's options with ``overrides`` on top (what the command line uses)."""
    return load_config().settings(**overrides)


def cache_root() -> Path:
    """translit's cache folder: ``$TRANSLIT_CACHE_DIR``, the config's ``cache_dir``, else
    ``$XDG_CACHE_HOME/translit``."""
    if os.environ.get("TRANSLIT_CACHE_DIR"):
        return Path(os.environ["TRANSLIT_CACHE_DIR"])
    configured = load_config().cache_dir
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("translit", appauthor=False))
