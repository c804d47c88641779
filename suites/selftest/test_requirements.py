"""Every environment that runs the suite installs what the harness imports.

The harness's third-party imports are read from its source (the controller: ``conftest.py``, its
plugin ``fixtures/harness`` and the parity and perf modules, followed through the local modules
they import, with the worker's ``fixtures/worker.py``); each tox environment's requirement files
(``-r`` followed) must name the distribution of each. A missing one is what broke
``tox -e mxnet191`` at collection (scipy).
"""

import ast
import configparser
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.selftest

ROOT = Path(__file__).resolve().parents[2]
LOCAL = {"conftest", "fixtures", "datasets", "suites", "reports"}
# tox environments that do not run the suite's parity and perf modules
NOT_SUITE = {"selftest", "workers", "report"}


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    for path in (ROOT.joinpath(*parts).with_suffix(".py"), ROOT.joinpath(*parts, "__init__.py")):
        if path.is_file():
            return path
    return None


def _imports(path: Path, module_level_only: bool) -> list[tuple[str, bool]]:
    """(absolute name, whether its code runs: not only its package's import) for each import in
    ``path`` (all of them, or only those run when it is imported)."""
    tree = ast.parse(path.read_text())
    package = list(path.relative_to(ROOT).with_suffix("").parts)
    package = package[:-1]  # a module's package; an __init__'s own
    nodes = tree.body if module_level_only else ast.walk(tree)
    names = []
    for node in nodes:
        if isinstance(node, ast.Import):
            names += [(alias.name, True) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            subs = [f"{module}.{alias.name}" for alias in node.names if _module_file(f"{module}.{alias.name}")]
            names += [(module, not subs)] + [(sub, True) for sub in subs]
    return names


def harness_imports() -> dict[str, str]:
    """Third-party top-level module -> the first harness file that imports it."""
    found: dict[str, str] = {}
    todo = [(p, False) for p in (ROOT / "conftest.py", ROOT / "fixtures" / "worker.py")]
    todo += [(p, False) for p in sorted((ROOT / "fixtures" / "harness").glob("*.py"))]  # conftest's plugin
    todo += [(p, False) for p in sorted((ROOT / "suites").glob("p*/*.py"))]  # parity, perf
    seen = set()
    while todo:
        path, parent_only = todo.pop()
        if (path, parent_only) in seen:
            continue
        seen.add((path, parent_only))
        for name, runs in _imports(path, parent_only):
            top = name.split(".")[0]
            if top in LOCAL:
                parts = name.split(".")
                if (target := _module_file(name)) is not None:
                    todo.append((target, not runs))
                todo += [(p, True) for i in range(1, len(parts)) if (p := _module_file(".".join(parts[:i])))]
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            names |= _requirement_names(path.parent / line[2:].strip())
        elif line and not line.startswith("-"):
            names.add(_normal(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0]))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def tox_requirements() -> dict[str, set[str]]:
    """tox env -> the distributions its requirement files name (factor-conditional deps resolved)."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "tox.ini")
    envs = [e.strip() for e in ini["tox"]["envlist"].replace("\n", " ").split(",") if e.strip()]
    out = {}
    for env in envs:
        if env in NOT_SUITE:
            continue
        section = ini[f"testenv:{env}"] if ini.has_section(f"testenv:{env}") else {}
        text = section.get("deps", ini["testenv"]["deps"]) + "\n" + section.get("commands_pre", "")
        files = set()
        for line in text.splitlines():
            conditional = re.match(r"\s*([\w.-]+(?:\s*,\s*[\w.-]+)*)\s*:(.*)", line)  # "a, b: -r x.txt"
            if conditional:
                if env not in {f.strip() for f in conditional[1].split(",")}:
                    continue
                line = conditional[2]
            files |= set(re.findall(r"-r\s*(\S+)", line))
        if "{toxinidir}/.venv/bin/python -m pytest" in section.get("commands", ""):
            files.add("requirements/common.txt")  # the controller is the main .venv (cntk27: Python 3.6)
        out[env] = set().union(*(_requirement_names(ROOT / f) for f in files))
    return out


def test_every_suite_env_installs_what_the_harness_imports():
    dists = importlib.metadata.packages_distributions()
    needed = {}
    for module, where in harness_imports().items():
        assert module in dists, f"{module} (imported by {where}) is not installed here"
        needed[module] = (_normal(dists[module][0]), where)
    assert {"numpy", "pytest", "scipy"} <= set(needed), needed  # the reader sees the imports it must
    missing = [
        f"{env}: {dist} (imported as {module} by {where})"
        for env, names in tox_requirements().items()
        for module, (dist, where) in needed.items()
        if dist not in names
    ]
    assert not missing, "requirements lack harness imports:\n" + "\n".join(missing)
