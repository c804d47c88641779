"""The framework manifest is the one declaration: the matrix, ./dlp setup, tox.ini and the README's
matrix table are derived from it (fixtures/manifest.py)."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fixtures import manifest, matrix
from fixtures.manifest import Framework, ToxEnv

pytestmark = pytest.mark.selftest

ROOT = Path(__file__).resolve().parents[2]
# a second name for the torch adapter: what adding a framework to the manifest changes
EXTRA = Framework(
    "torch-twin", "fixtures.frameworks.torch_adapter", "torch under a second name", "torch",
    tox=(ToxEnv("torch-twin", "torch"),),
)  # fmt: skip


def test_tox_ini_is_the_manifests():
    assert (ROOT / "tox.ini").read_text() == manifest.tox(), "tox.ini: run python -m fixtures.manifest tox > tox.ini"


def test_readme_matrix_is_the_manifests():
    assert manifest.readme() in (ROOT / "README.md").read_text(), "README: paste python -m fixtures.manifest readme"


def test_matrix_entries_are_the_manifests():
    assert [e.name for e in matrix.DEFAULTS] == [f.name for f in manifest.FRAMEWORKS]
    for f, e in zip(manifest.FRAMEWORKS, matrix.DEFAULTS, strict=True):
        assert (e.module, e.python, e.env, e.nodes) == (f.module, f.interpreter(), f.env, f.nodes)
    assert matrix.TOX_ENVS == {t.name: f.name for f in manifest.FRAMEWORKS for t in f.tox}


def test_every_declared_file_exists():
    for f in manifest.FRAMEWORKS:
        assert (ROOT / Path(*f.module.split("."))).with_suffix(".py").is_file(), f
        stems = {f.requirements, *(t.requirements for t in f.tox)}
        assert all((ROOT / "requirements" / f"{s}.txt").is_file() for s in stems), f


def test_dlp_reads_what_setup_installs():
    got = subprocess.run([sys.executable, "-m", "fixtures.manifest", "dlp"], cwd=ROOT, capture_output=True, text=True)
    lines = got.stdout.splitlines()
    assert lines[:4] == ["main torch", "main tensorflow", "main jax", "main main-extras"]
    assert "venv cntk 3.6" in lines and "venv mxnet -" in lines and "system libopenmpi3" in lines
    assert "system chromium" in lines


def test_a_new_entry_reaches_every_derived_file():
    frameworks = (*manifest.FRAMEWORKS, EXTRA)
    assert "torch-twin" in manifest.tox(frameworks).split("envlist = ")[1].splitlines()[0]
    assert "    torch213, torch-twin: -r requirements/torch.txt" in manifest.tox(frameworks)
    assert "| `torch-twin` | `torch_adapter.py` | main | torch under a second name |" in manifest.readme(frameworks)
    assert manifest.tox_envs(frameworks)["torch-twin"] == "torch-twin"
    assert manifest.dlp(frameworks) == manifest.dlp()  # the main environment's torch group installs it
    own = replace(EXTRA, requirements="torch214", venv="torch214", python="3.12")
    assert "venv torch214 3.12" in manifest.dlp((*manifest.FRAMEWORKS, own))
    assert "basepython = python3.12" in manifest.tox((*manifest.FRAMEWORKS, own))
