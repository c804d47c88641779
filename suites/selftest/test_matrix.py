"""Worker configs: the TOML a user writes and the one tox writes both drive the matrix."""

import os
import sys

import pytest

from fixtures import matrix

pytestmark = pytest.mark.selftest


def test_config_overrides_and_adds_entries(tmp_path):
    cfg = tmp_path / "workers.toml"
    cfg.write_text(
        '[frameworks.torch]\npython = "envs/t/bin/python"\n\n'
        '[frameworks.torch-next]\nmodule = "fixtures.frameworks.torch_adapter"\nenv = { A = "1" }\n'
        'hint = "build envs/next"\n'
    )
    got = matrix.entries(cfg)
    assert got["torch"].python == str(tmp_path / "envs/t/bin/python")  # relative to the config file
    assert got["torch-next"].module == "fixtures.frameworks.torch_adapter" and got["torch-next"].env == {"A": "1"}
    assert got["torch-next"].hint == "build envs/next" and got["torch-next"].python == sys.executable
    assert got["keras-jax"].env == {"KERAS_BACKEND": "jax"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[frameworks.x]\nmodul = 1\n", "unknown keys ['modul']"),
        ("[frameworks.x]\npython = 'p'\n", "needs a module"),
        ("[frameworks\n", "not valid TOML"),
        ("[frameworks.x]\nmodule = 'm'\npython = 3\n", "python must be a string, got 3"),
        ("[[frameworks]]\nmodule = 'm'\n", "'frameworks' must be tables"),
        ("[frameworks.torch]\nenv = { OMP_NUM_THREADS = 1 }\n", "env values must be strings"),
        ("[framework.torch]\npython = 'p'\n", "unknown top-level ['framework']"),
    ],
)
def test_bad_config_says_what(tmp_path, text, message):
    cfg = tmp_path / "w.toml"
    cfg.write_text(text)
    with pytest.raises(ValueError, match="worker config .*" + message.replace("[", r"\[").replace("]", r"\]")):
        matrix.entries(cfg)


def test_tox_writes_one_entry_per_built_env(tmp_path):
    for env in ("torch213", "torch214", "mxnet191"):
        (tmp_path / env / "bin").mkdir(parents=True)
        (tmp_path / env / "bin" / "python").write_text("")
    cfg = tmp_path / "tox-workers.toml"
    cfg.write_text(matrix.tox_workers(tmp_path))
    got = matrix.entries(cfg)
    assert got["torch214"].module == got["torch213"].module == "fixtures.frameworks.torch_adapter"
    assert got["torch214"].python == str(tmp_path / "torch214" / "bin" / "python")
    assert got["mxnet191"].env == {"OMP_NUM_THREADS": str(os.cpu_count())}  # the entry's env travels
    assert "jax" not in {n for n in got if n not in {e.name for e in matrix.DEFAULTS}}


def test_a_known_cause_gets_its_remedy_instead_of_the_hint():
    cntk = matrix.entries()["cntk"]
    missing_mpi = "ImportError: libmpi_cxx.so.1: cannot open shared object file: No such file or directory"
    assert "apt-get install libopenmpi3" in cntk.advice(missing_mpi)
    assert cntk.advice("interpreter .venvs/cntk/bin/python not found") == cntk.hint
