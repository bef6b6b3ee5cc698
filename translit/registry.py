"""The model registry: models.toml parsed into small typed objects, and model lookup.

A model is found, in order, at its ``path`` from models.toml, or as a snapshot in the
Hugging Face cache at its pinned revision. Lookup never touches the network; only
:func:`pull` does.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from translit.config import config_dir
from translit.errors import InputError, ModelError, RegistryError
from translit.lockfile import locked_commit
from translit.userfiles import MODELS_FILE, read_user_text

TASKS = ("translation", "summarization")
NORMALIZATIONS = ("none", "moses")
ENV_MODELS = "TRANSLIT_MODELS"


@dataclass(frozen=True)
class ModelSpec:
    """One named model of the registry."""

    name: str
    task: str
    repo: str | None = None
    revision: str = "main"
    path: Path | None = None
    description: str = ""
    files: tuple[str, ...] = ()
    sha256: Mapping[str, str] = field(default_factory=dict)
    builtin: bool = False
    normalize: str = "none"
    flag_below: float | None = None
    source: str = "<package>"


@dataclass(frozen=True)
class Registry:
    """All known models plus the defaults for each task."""

    models: Mapping[str, ModelSpec]
    default_translation: str
    default_summarization: str
    sources: tuple[str, ...]
    broken: Mapping[str, str] = field(default_factory=dict)
    """Entries that cannot be used, by name: what is wrong with each (file, entry, field).
    One bad entry makes only that name unusable, not every command."""

    def get(self, name: str) -> ModelSpec:
        """Return the model called ``name`` or raise a :class:`RegistryError` listing the known ones."""
        if name in self.broken:
            raise RegistryError(self.broken[name])
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise RegistryError(f"unknown model '{name}' (known: {known}; or pass a directory)") from None


def _typed(table: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    """``table[key]`` when it has the right type; a one-line RegistryError otherwise."""
    value = table.get(key)
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
        raise RegistryError(f"{where}: '{key}' must be {what}, not {value!r}")
    return value


def _parse_model(name: str, table: Any, source: str) -> ModelSpec:
    where = f"{source}: model '{name}'"
    if not isinstance(table, dict):
        raise RegistryError(f"{source}: [models.{name}] must be a table")
    task = table.get("task")
    if task not in TASKS:
        raise RegistryError(f"{where} has task {task!r}; expected one of {', '.join(TASKS)}")
    builtin = bool(_typed(table, "builtin", bool, "true or false", where))
    repo = _typed(table, "repo", str, "a repository id such as 'Helsinki-NLP/opus-mt-de-en'", where)
    path = _typed(table, "path", str, "a folder path (a string)", where)
    revision = _typed(table, "revision", str, "a commit hash, branch or tag (a string)", where)
    description = _typed(table, "description", str, "a string", where)
    normalize = _typed(table, "normalize", str, "'moses' or 'none'", where) or "none"
    if normalize not in NORMALIZATIONS:
        raise RegistryError(
            f"{where}: normalize must be one of {', '.join(NORMALIZATIONS)}, not {normalize!r}"
        )
    flag_below = _typed(table, "flag_below", (int, float), "a number (a mean log-probability)", where)
    if not builtin and not repo and not path:
        raise RegistryError(f"{where} needs a 'repo' or a 'path'")
    sha = table.get("sha256", {})
    if not isinstance(sha, dict) or not all(isinstance(v, str) for v in sha.values()):
        raise RegistryError(f"{where}: sha256 must map file names to hex digests")
    files = table.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise RegistryError(f"{where}: files must be a list of file names")
    base = Path(source).parent if source != "<package>" else Path.cwd()
    return ModelSpec(
        name=name,
        task=task,
        repo=repo,
        revision=revision or "main",
        path=(base / Path(path).expanduser()) if path else None,
        description=description or "",
        files=tuple(files),
        sha256={k: v.lower() for k, v in sha.items()},
        builtin=builtin,
        normalize=normalize,
        flag_below=float(flag_below) if flag_below is not None else None,
        source=source,
    )


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: invalid TOML ({exc})") from None


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/translit/models.toml`` (``~/.config/...`` by default)."""
    return config_dir() / "models.toml"


def load_registry(extra: str | Path | None = None) -> Registry:
    """Load the packaged registry, then overlay the user's files.

    Overlays, later ones winning: ``~/.config/translit/models.toml``, ``$TRANSLIT_MODELS``,
    and ``extra`` (the CLI's ``--models FILE``).
    """
    packaged = resources.files("translit").joinpath("models.toml").read_text(encoding="utf-8")
    layers: list[tuple[str, dict[str, Any]]] = [("<package>", _read_toml(packaged, "<package>"))]
    candidates: list[tuple[Path, bool]] = [(user_config_path(), False)]
    if os.environ.get(ENV_MODELS):
        candidates.append((Path(os.environ[ENV_MODELS]), True))
    if extra is not None:
        candidates.append((Path(extra), True))
    for path, required in candidates:
        if not path.exists():
            if required:
                raise RegistryError(f"{path}: models file not found")
            continue
        try:
            text = read_user_text(path, MODELS_FILE)
        except InputError as exc:
            raise RegistryError(str(exc)) from None
        layers.append((str(path), _read_toml(text, str(path))))

    models: dict[str, ModelSpec] = {}
    broken: dict[str, str] = {}
    defaults = {"default_translation": "opus-mt-de-en", "default_summarization": "extractive"}
    for source, data in layers:
        tables = data.get("models", {})
        if not isinstance(tables, dict):
            raise RegistryError(f"{source}: 'models' must be a table of tables")
        for name, table in tables.items():
            try:
                models[name] = _parse_model(name, table, source)
                broken.pop(name, None)
            except RegistryError as exc:
                # The entry replaces any earlier one of its name, so that name is unusable.
                models.pop(name, None)
                broken[name] = str(exc)
        for key in defaults:
            if key in data:
                defaults[key] = str(data[key])
    return Registry(
        models=models,
        default_translation=defaults["default_translation"],
        default_summarization=defaults["default_summarization"],
        sources=tuple(source for source, _ in layers),
        broken=broken,
    )


# --- finding models on disk ---------------------------------------------------------------


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache, honouring ``HF_HUB_CACHE`` and ``HF_HOME``."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or str(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "huggingface"
    )
    return Path(home) / "hub"


def repo_cache_dir(repo: str) -> Path:
    """Where the HF cache keeps ``repo`` (``models--ORG--NAME``: refs, snapshots, blobs)."""
    return hf_cache_dir() / ("models--" + repo.replace("/", "--"))


def cached_snapshot(repo: str, revision: str) -> Path | None:
    """The snapshot folder of ``repo`` at ``revision`` in the HF cache, if it is there.

    Reads the cache layout directly (``models--ORG--NAME/refs`` and ``snapshots``) so that
    listing models needs no heavy import and no network.
    """
    root = repo_cache_dir(repo)
    commit = revision
    ref = root / "refs" / revision
    if "/" not in revision and ".." not in revision and ref.is_file():
        commit = ref.read_text(encoding="utf-8").strip()
    if not re.fullmatch(r"[0-9A-Za-z._-]+", commit) or ".." in commit:
        return None  # a ref that would lead out of the cache is no snapshot of ours
    snapshot = root / "snapshots" / commit
    return snapshot if (snapshot / "config.json").is_file() else None


def locate(spec: ModelSpec) -> Path | None:
    """Where ``spec``'s files are on this machine, or ``None``.

    A model fetched by ``translit models pull`` is found at the exact commit the pull
    recorded in the lock file; otherwise at models.toml's revision.
    """
    if spec.path is not None and (spec.path / "config.json").is_file():
        return spec.path
    if spec.repo:
        commit = locked_commit(spec.name, spec.repo)
        if commit:
            found = cached_snapshot(spec.repo, commit)
            if found is not None:
                return found
        return cached_snapshot(spec.repo, spec.revision)
    return None


def check_model_folder(folder: Path) -> None:
    """Fail with one line when ``folder`` holds no Hugging Face model (no config.json)."""
    if not (folder / "config.json").is_file():
        raise ModelError(f"{folder}: not a model folder (no config.json)")


def spec_source(registry: Registry, name: str) -> str:
    """The models.toml that defined model ``name`` (``<package>`` for translit's own)."""
    return registry.models[name].source


def looked_in(spec: ModelSpec) -> str:
    """Human-readable list of the places :func:`locate` searched."""
    places = []
    if spec.path is not None:
        places.append(str(spec.path))
    if spec.repo:
        places.append(f"{hf_cache_dir()} ({spec.repo}@{spec.revision})")
    return ", ".join(places)


def resolve_model_dir(
    model: str | Path | None, registry: Registry, task: str, option: str | None = None
) -> tuple[str, Path]:
    """Turn ``--model NAME|PATH`` into ``(model id, directory)``; raise :class:`ModelError` if absent.

    ``option`` is how the user can name a folder instead, for the message (default: the
    task's own option, ``--model DIR`` or ``--summarizer DIR``).
    """
    if model is None:
        model = registry.default_translation if task == "translation" else registry.default_summarization
    candidate = Path(model).expanduser()
    looks_like_path = isinstance(model, Path) or os.sep in str(model) or str(model).startswith(".")
    if candidate.is_dir():
        return str(candidate), candidate
    if looks_like_path or str(model) not in registry.models:
        if looks_like_path or candidate.exists():
            raise ModelError(f"model directory {model} not found")
        registry.get(str(model))  # raises with the list of known names
    spec = registry.get(str(model))
    if spec.task != task:
        raise ModelError(f"model '{spec.name}' is a {spec.task} model, not a {task} model")
    found = locate(spec)
    if found is None:
        option = option or {"translation": "pass --model DIR", "summarization": "pass --summarizer DIR"}[task]
        raise ModelError(
            f"model '{spec.name}' is not on this machine (looked in {looked_in(spec)}); "
            f"run 'translit models pull {spec.name}' on a connected machine, or {option}"
        )
    return spec.name, found


def spec_for_directory(registry: Registry, directory: Path) -> ModelSpec | None:
    """The registry entry whose files are in ``directory``, if any (for ``--model DIR``)."""
    try:
        wanted = directory.resolve()
        for spec in registry.models.values():
            where = None if spec.builtin else locate(spec)
            if where is not None and where.resolve() == wanted:
                return spec
    except OSError:
        return None
    return None


def fingerprint(model_dir: Path) -> str:
    """Identity of a model folder: its path plus the size and mtime of its files."""
    digest = hashlib.sha256(str(model_dir.resolve()).encode())
    for file in sorted(model_dir.iterdir()):
        if file.is_file():
            st = file.stat()
            digest.update(f"{file.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def sha256_of(file: Path) -> str:
    """The sha256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(spec: ModelSpec, directory: Path) -> None:
    """Check the files that models.toml pins with sha256; raise :class:`ModelError` on mismatch."""
    for filename, expected in spec.sha256.items():
        file = directory / filename
        if not file.is_file():
            continue
        actual = sha256_of(file)
        if actual != expected:
            raise ModelError(f"{file}: sha256 mismatch (expected {expected[:12]}…, got {actual[:12]}…)")
