"""The ONNX export of each task (fixtures/onnx_model.py) is the spec's eval-mode network.

Judged without any runtime: onnx.checker, and onnx.reference.ReferenceEvaluator (the onnx
package's pure-Python/NumPy evaluator of the operator definitions) against the golden model.
"""

import dataclasses

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx.reference import ReferenceEvaluator  # noqa: E402

from fixtures import checks, onnx_model, reference, weights  # noqa: E402
from fixtures.tasks import TASKS  # noqa: E402
from fixtures.tasks.spec import GRU, LSTM, Dense, Dropout, Embedding, Parallel  # noqa: E402

pytestmark = pytest.mark.selftest

SEED = 3


@pytest.fixture(params=sorted(name for name, t in TASKS.items() if not t.zoo), ids=str)  # zoo: no spec model
def task(request):
    return TASKS[request.param]


@pytest.fixture
def canonical(task):
    # small non-zero biases and, with BatchNorm, running statistics fitted to inputs like the probe's
    return checks.probe_weights(task, SEED)


def test_model_passes_checker(task, canonical):
    model = onnx_model.build(task, canonical)
    onnx.checker.check_model(model, full_check=True)  # full_check: strict shape inference too
    assert model.opset_import[0].version == onnx_model.OPSET
    assert [i.name for i in model.graph.input] == [onnx_model.INPUT]
    assert [o.name for o in model.graph.output] == [onnx_model.OUTPUT]
    tensor_type = model.graph.input[0].type.tensor_type
    dims = tensor_type.shape.dim
    assert dims[0].dim_param == onnx_model.BATCH, "batch dimension must be dynamic"
    assert tuple(d.dim_value for d in dims[1:]) == task.input_shape
    # token ids go in as the integers they are (int32, Task.sample_inputs' dtype), never cast to float
    want = onnx.TensorProto.INT32 if task.input_vocab else onnx.TensorProto.FLOAT
    assert tensor_type.elem_type == want, f"input is {onnx.TensorProto.DataType.Name(tensor_type.elem_type)}"
    assert onnx_model.input_dtype(task) == task.sample_inputs(np.random.default_rng(0), 1).dtype
    assert not any(n.op_type == "Cast" for n in model.graph.node), "no dtype conversion inside the graph"
    assert not any(n.op_type == "Dropout" for n in model.graph.node), "dropout belongs to training only"
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True).graph.output[0]
    assert [d.dim_value for d in inferred.type.tensor_type.shape.dim][1:] == list(task.output_shape)


def test_reference_evaluator_gives_golden_logits(task, canonical):
    model = onnx_model.build(task, canonical)
    x, _ = checks.probe_batch(task, 3, SEED + 1)
    assert x.dtype == onnx_model.input_dtype(task)
    got = ReferenceEvaluator(model).run(None, {onnx_model.INPUT: x})[0]
    assert got.dtype == np.float32
    tol = task.forward_tol
    checks.compare(f"{task.name} ONNX reference logits", got, reference.forward(task, canonical, x), tol.rtol, tol.atol)


def test_dropout_is_omitted_not_scaled(task, canonical):
    """Eval mode: the graph with dropout layers equals the one without (same logits, bit for bit)."""
    if not any(isinstance(layer, Dropout) for layer in task.layers):
        pytest.skip(f"{task.name} has no dropout")
    x, _ = checks.probe_batch(task, 2, SEED + 2)
    with_dropout = ReferenceEvaluator(onnx_model.build(task, canonical)).run(None, {"x": x})[0]
    without = ReferenceEvaluator(onnx_model.build(task.without_dropout(), canonical)).run(None, {"x": x})[0]
    np.testing.assert_array_equal(with_dropout, without)


def test_weights_round_trip_through_initializers(task, canonical):
    model = onnx_model.build(task, canonical)
    back = onnx_model.read_weights(model, task)
    assert set(back) == set(task.param_shapes())
    for key, value in canonical.items():
        assert back[key].dtype == np.float32
        assert np.array_equal(back[key], value), f"{key} does not round-trip"
    # and through serialisation, as the runtimes receive it
    again = onnx_model.read_weights(onnx.load_from_string(onnx_model.to_bytes(model)), task)
    assert all(np.array_equal(again[k], canonical[k]) for k in canonical)


def test_wrong_weights_are_refused(task, canonical):
    key = next(iter(canonical))
    with pytest.raises(ValueError, match="missing"):
        onnx_model.build(task, {k: v for k, v in canonical.items() if k != key})
    with pytest.raises(ValueError, match="does not fit"):
        onnx_model.build(task, {**canonical, key: canonical[key].T})


@pytest.mark.parametrize(
    "input_shape, layers",
    [
        (  # float blocks of (T, F) sequences; recurrent layers stacked and followed by a dense one in branches
            (10, 3),
            (
                Parallel(
                    sizes=(6, 4),
                    branches=(
                        (GRU("g1", 5, reset_after=False, return_sequences=True), LSTM("l1", 4)),
                        (LSTM("l2", 6, return_sequences=True), GRU("g2", 3), Dense("d", 3, activation="relu")),
                    ),
                ),
                Dense("out", 4),
            ),
        ),
        (  # token blocks, three of them, with unequal vocabularies (ids below the smallest)
            (9,),
            (
                Parallel(
                    sizes=(2, 5, 2),
                    branches=(
                        (Embedding("e1", 7, 3), GRU("g1", 4)),
                        (Embedding("e2", 11, 2), LSTM("l1", 5, return_sequences=True), GRU("g2", 3, reset_after=False)),
                        (Embedding("e3", 5, 4), Dropout(0.5), LSTM("l2", 2)),
                    ),
                ),
                Dense("out", 3, activation="sigmoid"),
            ),
        ),
    ],
    ids=["float", "tokens"],
)
def test_parallel_branches_give_golden_logits(input_shape, layers):
    """Parallel of recurrent/embedding/dense branches beyond the two declared tasks' shapes."""
    task = dataclasses.replace(
        TASKS["babi_rnn"], name="parallel_probe", input_shape=input_shape, num_classes=layers[-1].units, layers=layers
    )
    w = weights.initial(task, SEED, bias_init="uniform_small")
    model = onnx_model.build(task, w)
    onnx.checker.check_model(model, full_check=True)
    x, _ = checks.probe_batch(task, 5, SEED + 3)
    assert x.dtype == onnx_model.input_dtype(task)
    got = ReferenceEvaluator(model).run(None, {onnx_model.INPUT: x})[0]
    # every branch has its own weights, so a block cut in the wrong place or order is far off
    checks.compare(f"{task.name} ONNX reference logits", got, reference.forward(task, w, x), 1e-5, 1e-6)


def test_matmul_model():
    model = onnx_model.matmul_model(8)
    onnx.checker.check_model(model, full_check=True)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 8, 8), dtype=np.float32)
    (c,) = ReferenceEvaluator(model).run(None, {"a": a, "b": b})
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
