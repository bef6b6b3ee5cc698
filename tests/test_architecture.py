"""The house's floor plan: which room may import which, checked on every import translit has.

A *room* is a top-level module or package of ``translit`` (``segment``, ``engines`` …). Rooms
sit on floors, lowest first; a room may import only rooms on lower floors — never one on its
own floor (a sideways arrow) or above (an arrow back up) — so the import graph has no circle.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast

from .conftest import REPO

PACKAGE = REPO / "translit"

FLOORS: list[set[str]] = [
    {"errors", "formats", "atomic", "inflection", "lazy", "alignment"},
    {"userfiles"},
    {"options"},
    {"config"},
    {"lockfile", "segment", "normalize", "textio", "language"},
    {"registry", "guards", "summarize", "cache", "readers", "glossary", "memory"},
    {"download", "engines", "evaluate", "outcome"},
    {"abstractive", "results", "terms", "placement"},
    {"pipeline", "render"},
    {"translator"},
    {"api", "calibrate"},
    {"batch", "serve"},
    {"__init__"},
    {"cli"},
    {"__main__"},
]


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def is_room(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file() or name == "__init__"


def imports() -> dict[tuple[str, str], list[str]]:
    """(importing room, imported room) -> where (file:line), for every cross-room import."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).with_suffix("")
        parts = list(relative.parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                if not target.startswith("translit."):
                    continue
                source, room = room_of(module), room_of(target)
                if room != source and is_room(room):
                    where = f"{relative}.py:{node.lineno}"
                    if where not in found.setdefault((source, room), []):
                        found[(source, room)].append(where)
    return found


def floor(room: str) -> int:
    for number, rooms in enumerate(FLOORS):
        if room in rooms:
            return number
    raise AssertionError(f"translit/{room} is on no floor of tests/test_architecture.py: give it one")


def test_every_room_has_a_floor() -> None:
    rooms = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    rooms.discard("__pycache__")
    rooms.discard("data")
    for room in rooms:
        floor(room)


def test_no_import_runs_sideways_or_back_up() -> None:
    wrong = [
        f"{source} (floor {floor(source)}) imports {room} (floor {floor(room)}) at {', '.join(where)}"
        for (source, room), where in sorted(imports().items())
        if floor(room) >= floor(source)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_import_graph_has_no_circle() -> None:
    graph: dict[str, set[str]] = {}
    for source, room in imports():
        graph.setdefault(source, set()).add(room)
    state: dict[str, int] = {}

    def visit(room: str, path: list[str]) -> None:
        state[room] = 1
        for nxt in graph.get(room, ()):
            assert state.get(nxt) != 1, " -> ".join([*path, room, nxt])
            if nxt not in state:
                visit(nxt, [*path, room])
        state[room] = 2

    for room in list(graph):
        if room not in state:
            visit(room, [])


def module_imports() -> dict[str, set[str]]:
    """Module → the translit modules it imports (lazy imports too), by dotted name."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # "from pkg import mod" depends on mod; "from pkg import name" on pkg itself.
                targets = [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "translit":
                    graph[name].add(target)
    return graph


def test_no_import_circle_between_modules() -> None:
    """Inside packages too (cli/common ↔ cli/options and engines/conversion ↔ engines/ct2 were)."""
    graph = module_imports()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


# What building the command tree may import: the option declarations, the format table and what
# they stand on. A new module here is a decision (it costs every --help, typo and completion).
HELP_IMPORTS = {
    "translit",
    "translit.atomic",
    "translit.batch",
    "translit.batch.files",
    "translit.batch.settings",
    "translit.cli",
    "translit.cli.batch",
    "translit.cli.cache",
    "translit.cli.common",
    "translit.cli.documents",
    "translit.cli.eval",
    "translit.cli.glossary",
    "translit.cli.memory",
    "translit.cli.models",
    "translit.cli.options",
    "translit.cli.progress",
    "translit.cli.serve",
    "translit.cli.usage",
    "translit.config",
    "translit.errors",
    "translit.formats",
    "translit.lazy",
    "translit.userfiles",
    "translit.lockfile",
    "translit.options",
    "translit.readers",
    "translit.readers.base",
    "translit.readers.child",  # stop_if_given_up: standard library only
    "translit.registry",
    "translit.serve",
    "translit.serve.limits",
    "translit.textio",
}
HEAVY = {
    "torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub", "numpy", "sqlite3",
    "lxml", "fastapi", "starlette", "uvicorn", "ray", "pdfminer", "docx", "pptx", "trafilatura",
    "markdown_it", "sacremoses", "py3langid", "charset_normalizer", "inflect", "lemminflect",
}  # fmt: skip


def test_help_imports_only_what_the_command_tree_needs() -> None:
    """``translit --help`` (the app built, nothing run) imports no translator, engine, cache or
    reader library: what a command uses is imported when it runs (issue 44)."""
    import json
    import subprocess
    import sys

    script = "import json, sys; import translit.cli; print(json.dumps(sorted(sys.modules)))"
    loaded = set(
        json.loads(
            subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
        )
    )
    ours = {m for m in loaded if m == "translit" or m.startswith("translit.")}
    assert ours <= HELP_IMPORTS, f"--help now imports {sorted(ours - HELP_IMPORTS)}"
    assert not {m.split(".")[0] for m in loaded} & HEAVY, sorted({m.split(".")[0] for m in loaded} & HEAVY)


def string_constants(path):
    """Every string literal of a module, with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_suffixes_and_media_types_are_kept_only_in_the_formats_table() -> None:
    """A format's extensions and media type are said once, in formats.py: a hand-kept copy elsewhere
    (the service's media types, the upload extensions, a help text's list) drifts."""
    from translit.formats import BY_EXTENSION, FORMATS

    known = (
        set(BY_EXTENSION)
        | {info.media_type for info in FORMATS}
        | {info.media_type.split(";")[0] for info in FORMATS}
    )
    known -= {
        "text/plain",
        "text/html",
        "text/plain; charset=utf-8",
        "text/html; charset=utf-8",
    }  # the service's own too
    copies = [
        f"{path.relative_to(REPO)}:{line}: {value!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "formats.py"
        for line, value in string_constants(path)
        if value.lower() in known
    ]
    assert copies == []


def test_every_format_row_names_a_module_with_its_reader_and_writer() -> None:
    """A typo in a row's module, or a reader of another name, fails here, not at run time."""
    import importlib

    from translit.formats import FORMATS

    for info in FORMATS:
        module = importlib.import_module(info.module)
        assert module.Reader.name == info.name, info
        assert hasattr(module, "Writer") == info.writes_back, info
        assert info.extra in ("", *optional_extras()), info


def optional_extras() -> list[str]:
    import tomllib

    return list(
        tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
    )


def test_the_formats_page_shows_the_formats_table_as_it_is() -> None:
    from translit.formats import formats_table

    page = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    shown = page.split("<!-- formats table -->\n", 1)[1].split("\n<!-- end formats table -->", 1)[0]
    assert shown == formats_table(), "docs/formats.md's formats table: paste `python -m translit.formats`"


def engine_names(node: ast.AST) -> bool:
    """Does an expression name an engine (``engine``, ``self.engine``)?"""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name == "engine" or name.endswith("_engine")


def test_engines_are_asked_through_declared_capabilities() -> None:
    """Outside ``engines/``, no ``getattr`` or ``hasattr`` on an engine (a capability is a protocol
    with a typed accessor), and no engine parameter or attribute typed ``Any``."""
    probes, untyped = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(REPO)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                "engines" not in where.parts
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and node.args
                and engine_names(node.args[0])
            ):
                probes.append(f"{where}:{node.lineno}")
            annotated = []
            if isinstance(node, ast.arg) and (node.arg == "engine" or node.arg.endswith("_engine")):
                annotated.append(node.annotation)
            if isinstance(node, ast.AnnAssign) and engine_names(node.target):
                annotated.append(node.annotation)
            if any(a is not None and "Any" in ast.unparse(a) for a in annotated):
                untyped.append(f"{where}:{node.lineno}")
    assert probes == []
    assert untyped == []


def test_the_service_is_in_parts_and_parses_what_it_documents() -> None:
    """No module of translit/serve is over 300 lines, and every route whose body /docs describes
    parses it with that same model (``parsed(Model, …)``), so the docs cannot drift."""
    import inspect

    from translit.serve import documents, extras, libretranslate, schema

    long = [
        f"{path.name}: {n}"
        for path in sorted((PACKAGE / "serve").glob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300
    ]
    assert long == []
    for module in (documents, extras, libretranslate):
        for route in module.router.routes:
            extra = getattr(route, "openapi_extra", None) or {}
            if "requestBody" not in extra:
                continue
            content = next(iter(extra["requestBody"]["content"].values()))
            model = next(
                m
                for m in vars(schema).values()
                if inspect.isclass(m) and getattr(m, "__name__", "") == content["schema"]["title"]
            )
            assert f"parsed({model.__name__}," in inspect.getsource(route.endpoint), route.path


def test_serve_s_flags_are_all_declared_in_its_settings() -> None:
    """Every ``translit serve`` flag comes from ServeConfig's declarations (help, range, metavar
    in one place); the command module writes none by hand."""
    source = (PACKAGE / "cli" / "serve.py").read_text(encoding="utf-8")
    assert "typer.Option(" not in source and "typer.Argument(" not in source


def test_batch_s_flags_are_all_declared_in_its_settings() -> None:
    """Every ``translit batch`` flag comes from a declaration (BatchCommand, BatchSettings, Settings);
    the command module writes only its argument (IN_DIR) by hand."""
    source = (PACKAGE / "cli" / "batch.py").read_text(encoding="utf-8")
    assert "typer.Option(" not in source


def test_writers_read_their_own_skeleton_and_payloads_typed() -> None:
    """``Document`` is generic over its reader's skeleton and its spans' and atoms' payloads:
    every writer takes a ``Document[ItsSkeleton, ItsSpan, ItsAtom]`` and placed segments of the
    same payloads, reads the skeleton through ``kept()`` (never an untyped ``.skeleton``) and a
    payload by its fields (never by index, as the tuples it replaced were)."""
    import importlib
    import typing

    from translit.formats import FORMATS
    from translit.readers.base import Document, PlacedSegment

    for info in FORMATS:
        if not info.writes_back:
            continue
        module = importlib.import_module(info.module)
        hints = typing.get_type_hints(module.Writer.write)
        document, (placed,) = hints["document"], typing.get_args(hints["segments"])
        assert typing.get_origin(document) is Document, info.name
        assert typing.get_origin(placed) is PlacedSegment, info.name
        skeleton, *payloads = typing.get_args(document)
        assert len(payloads) == 2 and typing.Any not in (skeleton, *payloads), f"{info.name}: {document}"
        assert list(typing.get_args(placed)) == payloads, f"{info.name}: {placed} for {document}"
    for path in sorted((PACKAGE / "readers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            untyped = isinstance(node, ast.Attribute) and node.attr == "skeleton"
            shared = path.name in ("base.py", "__init__.py")  # the model itself, and the dispatch
            assert shared or not (untyped and ast.unparse(node) == "document.skeleton"), f"{where}: kept()"
            indexed = isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
            assert not (indexed and node.value.attr == "payload"), f"{where}: a payload read by index"


def test_decode_options_go_down_the_floors_only(tmp_path) -> None:
    """From ``cached_translate`` a DecodeOptions is handed down — pipeline → terms → engines — and
    never back up a floor (issue 40 counted 6 modules and 9 calls back up: decoding ↔ terms ↔
    guards ↔ inflection). Traced on a real translation with glossary repairs."""
    import sys

    import translit
    from translit.engines import DecodeOptions

    from .conftest import SMALL

    terms = tmp_path / "terms.tsv"
    terms.write_text("Hund\thound\nWiese\tmeadow\n", encoding="utf-8")
    translator = translit.Translator(SMALL, cache=False, glossary=[terms])
    rooms: list[str] = []
    back_up: list[tuple[str, str]] = []
    active = [False]

    def calls(frame, event, _arg):  # type: ignore[no-untyped-def]
        name = frame.f_globals.get("__name__", "")
        if event == "call" and frame.f_code.co_name == "cached_translate":
            active[0] = True
        elif event == "return" and frame.f_code.co_name == "cached_translate":
            active[0] = False
        if event != "call" or not active[0] or not name.startswith("translit."):
            return
        if not any(isinstance(value, DecodeOptions) for value in frame.f_locals.values()):
            return
        caller = frame.f_back
        while caller is not None and not caller.f_globals.get("__name__", "").startswith("translit."):
            caller = caller.f_back
        if room_of(name) not in rooms:
            rooms.append(room_of(name))
        if caller is not None and floor(room_of(name)) > floor(room_of(caller.f_globals["__name__"])):
            back_up.append((caller.f_globals["__name__"], name))

    sys.setprofile(calls)
    try:
        result = translator.translate("Ein Hund rennt über eine grüne Wiese. Der Hund schläft.")
    finally:
        sys.setprofile(None)
    assert any(use.target == "hound" for unit in result.unit_results for use in unit.terms)
    assert set(rooms) <= {"pipeline", "terms", "engines"}, rooms
    assert not back_up, back_up
