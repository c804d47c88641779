"""The CNTK worker path stays Python 3.6 code, and CNTK's tests skip where no such interpreter exists.

CNTK 2.7.post2 has wheels only for CPython 3.5 and 3.6, so its worker (``python -m fixtures.worker
fixtures.frameworks.cntk_adapter`` under ``.venvs/cntk``) imports this repository's modules with a
3.6 interpreter. No 3.6 interpreter is needed to check them: every module on that path (found by
following its imports from the worker and the adapter) must parse with
``ast.parse(..., feature_version=(3, 6))``, and an AST walk rejects what that parser accepts but 3.6
lacks at run time (PEP 563/585/604 annotations, dict union, ``str.removeprefix``, ``zip(strict=)``,
newer standard-library modules, ...).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from suites.selftest import runner

pytestmark = pytest.mark.selftest

ROOT = Path(__file__).resolve().parents[2]
ENTRY_MODULES = ("fixtures.worker", "fixtures.frameworks.cntk_adapter")
MUST_BE_ON_PATH = {
    "fixtures",
    "fixtures.frameworks",  # the package __init__ (docstring only)
    "fixtures.worker",
    "fixtures.tasks",
    "fixtures.tasks.spec",
    "fixtures.tasks.mnist_mlp",
    "fixtures.tasks.cifar10_cnn",
    "fixtures.timing",
    "fixtures.frameworks.base",
    "fixtures.frameworks.cntk_adapter",
    "datasets",
    "datasets.batching",
}
# Not imported by the worker itself, but part of the worker-side code the brief keeps 3.6-clean
# (adapters convert layouts with it).
ALSO_CHECKED = {"fixtures.weights"}
NEW_STDLIB = {  # standard-library modules (or submodules) that CPython 3.6 does not have
    "tomllib": "3.11",
    "zoneinfo": "3.9",
    "graphlib": "3.9",
    "contextvars": "3.7",
    "importlib.resources": "3.7",
    "importlib.metadata": "3.8",
}
NEW_ATTRIBUTES = {  # module attributes / methods newer than 3.6
    ("math", "prod"): "3.8",
    ("math", "isqrt"): "3.8",
    ("math", "dist"): "3.8",
    ("functools", "cached_property"): "3.8",
    ("time", "perf_counter_ns"): "3.7",
    ("time", "time_ns"): "3.7",
    ("asyncio", "run"): "3.7",
}
NEW_METHODS = {"removeprefix": "3.9", "removesuffix": "3.9", "isascii": "3.7"}
NEW_KEYWORDS = {  # (callable name, keyword) -> version
    ("zip", "strict"): "3.10",
    ("dataclass", "slots"): "3.10",
    ("dataclass", "kw_only"): "3.10",
    ("run", "capture_output"): "3.7",
    ("run", "text"): "3.7",
    ("Popen", "text"): "3.7",
    ("check_output", "text"): "3.7",
}
PEP585_BUILTINS = {"list", "dict", "tuple", "set", "frozenset", "type"}
VERSION_GUARDS = {"LOADERS"}  # names that datasets/__init__.py uses for its `sys.version_info` guard


# ---------------------------------------------------------------------------------------------
# finding the worker path


def module_file(name: str):
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _guarded(node: ast.If) -> bool:
    """``if sys.version_info ...:`` or ``if LOADERS:``: code that an old interpreter does not run."""
    text = ast.dump(node.test)
    return "version_info" in text or any(f"id='{g}'" in text for g in VERSION_GUARDS)


def _imports(tree: ast.AST, package: str):
    """Every ``import`` in the tree (also inside functions), except under a version guard."""
    out = []

    def visit(node):
        if isinstance(node, ast.If) and _guarded(node):
            for child in node.orelse:  # the branch an old interpreter takes
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            out.append(base)
            out.extend(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def worker_path() -> dict:
    """{module name: file} of this repository's modules a CNTK worker imports."""
    seen, todo = {}, list(ENTRY_MODULES)
    while todo:
        name = todo.pop()
        # importing a.b.c runs a/__init__ and a/b/__init__ first (except a stood-in package)
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            mod = ".".join(parts[:i])
            if mod in seen:
                continue
            path = module_file(mod)
            if path is None:
                continue  # not ours (third party, stdlib) or a name imported from a module
            seen[mod] = path
            package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
            text = path.read_text(encoding="utf-8")
            todo.extend(_imports(ast.parse(text, str(path)), package))
            if path.name == "__init__.py" and "pkgutil.iter_modules(__path__)" in text:  # a registry: every module
                todo.extend(f"{mod}.{f.stem}" for f in path.parent.glob("*.py") if f.name != "__init__.py")
    return seen


# ---------------------------------------------------------------------------------------------
# what 3.6 lacks


def _is_typeish(node) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_typeish(node.left) and _is_typeish(node.right)
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    if isinstance(node, ast.Name):
        return node.id[:1].isupper() or node.id in PEP585_BUILTINS | {"int", "float", "str", "bool", "bytes"}
    if isinstance(node, ast.Attribute):
        return node.attr[:1].isupper()
    return isinstance(node, ast.Subscript)


def _annotation_problems(ann) -> list:
    problems = []
    if ann is None or (isinstance(ann, ast.Constant) and isinstance(ann.value, str)):
        return problems  # absent, or a string (never evaluated)
    for node in ast.walk(ann):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            problems.append((node.lineno, "PEP 604 `X | Y` in an annotation (3.10+; use typing.Union/Optional)"))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in PEP585_BUILTINS:
            problems.append((node.lineno, f"PEP 585 `{node.value.id}[...]` in an annotation (3.9+; use typing)"))
    return problems


def _is_dict(node) -> bool:
    return isinstance(node, (ast.Dict, ast.DictComp)) or (
        isinstance(node, ast.Call) and _callable_name(node.func) == "dict"
    )


def _callable_name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def py36_problems(source: str, filename: str = "<source>") -> list:
    """``[(line, why), ...]`` for ``source`` as Python 3.6 code (empty when it is fine)."""
    try:
        tree = ast.parse(source, filename, feature_version=(3, 6))
    except SyntaxError as exc:
        return [(exc.lineno or 0, f"not Python 3.6 syntax: {exc.msg}")]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            if any(alias.name == "annotations" for alias in node.names):
                problems.append((node.lineno, "`from __future__ import annotations` (3.7+)"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.module:
                names += [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name in NEW_STDLIB:
                    problems.append((node.lineno, f"imports {name} (Python {NEW_STDLIB[name]}+)"))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if arg is not None:
                    problems += _annotation_problems(arg.annotation)
            problems += _annotation_problems(node.returns)
        if isinstance(node, ast.AnnAssign):
            problems += _annotation_problems(node.annotation)
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.BitOr):
            sides = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.target, node.value]
            if any(_is_dict(side) for side in sides):
                problems.append((node.lineno, "dict union `|` (3.9+; use {**a, **b})"))
        if isinstance(node, ast.Call):
            name = _callable_name(node.func)
            if isinstance(node.func, ast.Attribute) and node.func.attr in NEW_METHODS:
                problems.append((node.lineno, f".{node.func.attr}() (Python {NEW_METHODS[node.func.attr]}+)"))
            if name == "breakpoint":
                problems.append((node.lineno, "breakpoint() (3.7+)"))
            for kw in node.keywords:
                if (name, kw.arg) in NEW_KEYWORDS:
                    problems.append((node.lineno, f"{name}({kw.arg}=...) (Python {NEW_KEYWORDS[(name, kw.arg)]}+)"))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            key = (node.value.id, node.attr)
            if key in NEW_ATTRIBUTES:
                problems.append((node.lineno, f"{key[0]}.{key[1]} (Python {NEW_ATTRIBUTES[key]}+)"))
        if isinstance(node, (ast.Return, ast.Yield)) and isinstance(node.value, ast.Tuple):
            segment = ast.get_source_segment(source, node.value) or ""
            if any(isinstance(e, ast.Starred) for e in node.value.elts) and not segment.startswith("("):
                problems.append((node.lineno, "unparenthesised starred tuple in return/yield (3.8+)"))
    for node in tree.body:  # module-level `Alias = A | B` is evaluated at import
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.BitOr):
            if _is_typeish(node.value):
                problems.append((node.lineno, "PEP 604 type alias `A | B` at module level (3.10+; use typing.Union)"))
    return sorted(set(problems))


# ---------------------------------------------------------------------------------------------
# tests


BAD = [
    "from __future__ import annotations\n",
    "if (n := 3):\n    pass\n",
    "def f(a, /):\n    pass\n",
    "x = 1\ns = f'{x=}'\n",
    "def f(a: int | None):\n    pass\n",
    "def f() -> list[int]:\n    return []\n",
    "class A:\n    x: dict[str, int]\n",
    "Layer = Dense | Conv2D\n",
    "Maybe = int | None\n",
    "merged = {'a': 1} | other\n",
    "merged = dict(a=1) | other\n",
    "name = 'x_y'.removeprefix('x_')\n",
    "name = s.removesuffix('_y')\n",
    "pairs = zip(a, b, strict=True)\n",
    "import tomllib\n",
    "from importlib.metadata import version\n",
    "import math\nn = math.prod([1, 2])\n",
    "def f():\n    return *a, b\n",
    "subprocess.run(cmd, capture_output=True)\n",
]
GOOD = """
from typing import Dict, Optional, Tuple, Union
Layer = Union[int, str]
n = 1 | 2
def f(a: Optional[int], b: "list[int]" = None) -> Dict[str, Tuple[int, ...]]:
    local: Dict[str, int] = {}
    return {**local, **{"a": 1}}
def g():
    return (*a, b)
"""


@pytest.mark.parametrize("source", BAD, ids=range(len(BAD)))
def test_checker_rejects_what_3_6_lacks(source):
    assert py36_problems(source), f"not flagged:\n{source}"


def test_checker_accepts_3_6_code():
    assert py36_problems(GOOD) == []


def test_worker_path_is_python36_code():
    path = worker_path()
    missing = MUST_BE_ON_PATH - set(path)
    assert not missing, f"the import walk lost {sorted(missing)}; found {sorted(path)}"
    files = sorted(set(path.values()) | {module_file(m) for m in ALSO_CHECKED})
    report = []
    for file in files:
        for line, why in py36_problems(file.read_text(encoding="utf-8"), str(file)):
            report.append(f"{file.relative_to(ROOT)}:{line}: {why}")
    assert not report, "the CNTK worker path must stay Python 3.6 code:\n" + "\n".join(report)


def test_worker_imports_an_adapter_without_reading_toml():
    """tomllib (3.11+) is imported only where a controller reads a worker config."""
    code = (
        "import sys\n"
        "import fixtures.frameworks.base as base\n"
        "assert 'tomllib' not in sys.modules, 'importing the matrix package pulled in tomllib'\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr


def test_cntk_skips_naming_the_missing_py36_interpreter(tmp_path):
    from fixtures import matrix

    default = matrix.entries(None)["cntk"]
    assert default.module == "fixtures.frameworks.cntk_adapter"
    entries = None
    interpreter = default.python
    if Path(interpreter).exists():  # a machine that has the 3.6 venv: point the entry elsewhere
        interpreter = str(tmp_path / "no-python3.6" / "bin" / "python")
        entries = {"cntk": {"python": interpreter}}
    proc, recs = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "--framework", "cntk", "--task", "mnist_mlp"],
        entries=entries,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert len(recs) == 3, recs
    for rec in recs:
        assert rec["outcome"] == "skipped" and rec["framework"] == "cntk", rec
        assert f"interpreter {interpreter} not found" in rec["reason"], rec["reason"]
        assert "CNTK 2.7 has wheels only for CPython 3.5/3.6" in rec["reason"], rec["reason"]
        assert "python3.6" in rec["reason"], rec["reason"]
