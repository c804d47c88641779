"""Test ids read back what fixtures/testids renders, for every shape the harness generates."""

import pytest

from fixtures import testids

pytestmark = pytest.mark.selftest

ENTRIES = ["keras-jax", "jax", "torch", "keras-torch"]
TASKS = ["mnist_mlp", "mnist_mlp_wide", "cifar10_cnn"]
MODULE = "suites/perf/test_timed.py"


@pytest.mark.parametrize(
    "ident, entry, task",
    [
        (testids.matrix("mnist_mlp", "keras-jax"), "keras-jax", "mnist_mlp"),
        (testids.matrix("mnist_mlp_wide", "jax"), "jax", "mnist_mlp_wide"),
        (f"{testids.matrix('cifar10_cnn', 'keras-torch')}-{testids.replicas(2)}", "keras-torch", "cifar10_cnn"),
        (testids.ab("mnist_mlp", "torch", "keras-torch"), "torch", "mnist_mlp"),
        ("keras-jax", "keras-jax", None),
        ("maxpool_probe-jax", "jax", None),
    ],
)
def test_a_rendered_id_reads_back(ident, entry, task):
    nodeid = f"{MODULE}::test_train[{ident}]"
    assert testids.split(nodeid, ENTRIES, TASKS) == (entry, task)
    assert testids.module(nodeid) == MODULE
    assert testids.name(nodeid) == f"test_train[{ident}]"
    assert testids.base(nodeid) == testids.base(testids.name(nodeid)) == "test_train"
    assert testids.function(nodeid) == "train"


def test_the_a_of_an_a_b_id_reads_back():
    nodeid = f"{MODULE}::test_ab[{testids.ab('mnist_mlp', 'keras-torch', 'torch')}]"
    assert testids.ab_first(nodeid, "mnist_mlp", "torch") == "keras-torch"
    assert testids.ab_first(nodeid, "mnist_mlp", "jax") is None


def test_an_id_without_parameters_names_no_entry():
    assert testids.split(f"{MODULE}::test_report", ENTRIES, TASKS) == (None, None)
    assert testids.function("suites/x.py::helper") == ""
