"""What a framework does when the spec is not looked at: initialisers, layer defaults, gradient state
at evaluation, memory layout. Each adapter measures through its framework's own objects; the
checks compare with the spec's formulas; the defaults are recorded for the report
(reports/defaults.py). An adapter that cannot answer says why, and the test skips with that reason.
"""

import dataclasses

import numpy as np
import pytest

from fixtures import checks, initializers, known_defaults, weights
from fixtures.tasks.spec import BatchNorm, Conv2D, Dense, Embedding, Flatten, MaxPool2D, param_layers
from fixtures.worker import prepare, task_args

pytestmark = pytest.mark.parity


def _call(worker, cmd, task, device, seed, **extra):
    reply, arrays = worker.call(cmd, {**task_args(task), "device": device, "seed": seed, **extra})
    if "unsupported" in reply:
        pytest.skip(reply["unsupported"])
    return reply, arrays


def _he_normal_probe(task):
    """A small network from ``task``'s first Conv2D (its input channels and kernel, so the same fans, on an 8x8
    image) or else its first Dense fed by a vector (its input width), every kernel he_normal: the normal path of the
    initialiser check, cheaply. None when the task has neither."""
    shapes = task.layer_shapes()
    conv = next(((la, i) for la, i, _ in shapes if isinstance(la, Conv2D)), None)
    dense = next(((la, i) for la, i, _ in shapes if isinstance(la, Dense) and len(i) == 1), None)
    head = Dense("probe_fc", task.num_classes, init="he_normal")
    if conv is not None:
        layer, in_shape = conv
        shape, layers = (in_shape[0], 8, 8), (dataclasses.replace(layer, init="he_normal"), Flatten(), head)
    elif dense is not None:
        layer, in_shape = dense
        shape, layers = tuple(in_shape), (dataclasses.replace(layer, init="he_normal"), head)
    else:
        return None
    return dataclasses.replace(task, name=f"{task.name}_he_normal_probe", input_shape=shape, layers=layers)


def spec_inits(task) -> list:
    """(canonical parameter, the spec's initialiser name) for every parameter of ``task``."""
    out = []
    for layer, _ in param_layers(task.layers, tuple(task.input_shape)):
        if isinstance(layer, (Conv2D, Dense)):
            out += [(f"{layer.name}.weight", layer.init), (f"{layer.name}.bias", layer.bias_init)]
        elif isinstance(layer, Embedding):
            out.append((f"{layer.name}.embeddings", layer.init))
        elif isinstance(layer, BatchNorm):  # inference-only tasks: nothing trains from a spec initialiser
            continue
        else:  # LSTM / GRU
            kinds = (("kernel", layer.init), ("recurrent", layer.recurrent_init), ("bias", layer.bias_init))
            out += [(f"{layer.name}.{kind}", init) for kind, init in kinds]
    shapes = task.param_shapes()
    return [(key, init) for key, init in out if key in shapes]


@pytest.mark.training
def test_spec_initializers(task, worker, device, seed, record):
    """A fresh model's parameters follow the spec's named initialisers (the framework's own functions):
    the task as declared, and a probe built from its first conv/dense layer with he_normal kernels (the normal path)."""
    failures, figures = [], {}
    for variant in (v for v in (task, _he_normal_probe(task)) if v is not None):
        reply, fresh = _call(worker, "initial_weights", variant, device, seed)
        figures.setdefault("initializers", reply["initializers"])
        shapes = variant.param_shapes()
        assert set(fresh) == set(shapes), f"{task.name}: parameters {sorted(fresh)} != spec {sorted(shapes)}"
        for key, init in spec_inits(variant):
            try:
                figures[f"{init}:{key}"] = initializers.check(
                    f"{task.name} {key} ({init})", init, fresh[key], shapes[key]
                )
            except AssertionError as exc:
                failures.append(str(exc))
    record["figures"] = figures
    assert not failures, "\n".join(failures)


def test_default_initializers(task, worker, device, seed, record):
    """Record the framework's default initialiser of each of the task's layer types (nothing named), identified
    by KS tests against the usual formulas; the layers must have the spec's shapes."""
    reply, values = _call(worker, "default_layers", task, device, seed)
    shapes, found = task.param_shapes(), {}
    for layer in task.layers:
        if not isinstance(layer, (Conv2D, Dense)):
            continue
        wkey, bkey = f"{layer.name}.weight", f"{layer.name}.bias"
        assert np.shape(values[wkey]) == shapes[wkey], f"{wkey}: default layer shape {np.shape(values[wkey])}"
        entry = {
            "type": "conv2d" if isinstance(layer, Conv2D) else "dense",
            "built": reply["built"].get(layer.name, ""),
            "fan_in": weights.fans(shapes[wkey])[0],
            "fan_out": weights.fans(shapes[wkey])[1],
            "weight": initializers.identify(values[wkey], shapes[wkey]),
        }
        if bkey in values:
            entry["bias"] = initializers.identify(values[bkey], np.shape(values[bkey]), kernel_shape=shapes[wkey])
        else:
            entry["bias"] = {"name": "no bias by default"}
        found[layer.name] = entry
    record["figures"] = {"default_init": found}


def test_layer_defaults(task, worker, device, seed, record):
    """What the framework's layers do with arguments left out (kernel 3, pool stride, padding,
    activation, bias), measured by building them and running probes, is what was reviewed for this
    version (fixtures/known_defaults.py): an upgrade that changes a default users rely on fails."""
    reply, _ = _call(worker, "layer_defaults", task, device, seed)
    defaults = reply["defaults"]
    assert defaults, "no layer defaults measured"
    want, where = known_defaults.expected(worker.info["version"])
    record["figures"] = {"layer_defaults": defaults, "reviewed": where}
    assert want is not None, (
        f"{where}: review the measured ones and file them (python -m fixtures.known_defaults record)"
    )
    changed = known_defaults.differences(want, defaults)
    assert not changed, f"layer defaults differ from {where}: " + "; ".join(changed)


def _expected(layer) -> dict:
    if isinstance(layer, Conv2D):
        return {
            "type": "conv2d",
            "kernel": list(layer.kernel),
            "stride": list(layer.stride),
            "padding": list(layer.padding),
            "dilation": list(layer.dilation),
            "activation": layer.activation,
            "bias": layer.bias,
        }
    if isinstance(layer, MaxPool2D):
        return {
            "type": "maxpool2d",
            "kernel": list(layer.pool),
            "stride": list(layer.stride),
            "padding": list(layer.padding),
            "dilation": [1, 1],
            "ceil_mode": layer.ceil_mode,
        }
    if isinstance(layer, Dense):
        return {"type": "dense", "activation": layer.activation, "bias": layer.bias}
    return {}


def test_model_layers_match_spec(task, make_rep, record):
    """The built model's layers, read back from the framework's objects, have the spec's kernel, stride,
    padding, activation and bias: nothing is left to a framework default that differs from the spec."""
    reply = make_rep().layer_config()
    if "unsupported" in reply:
        pytest.skip(reply["unsupported"])
    got = {cfg["layer"]: cfg for cfg in reply["layers"]}
    wanted = {i: _expected(la) for i, la in enumerate(task.layers) if _expected(la)}
    missing = sorted(set(wanted) - set(got))
    assert not missing, f"{task.name}: layers {missing} not found in the built model"
    wrong = []
    for index, cfg in sorted(got.items()):
        want = wanted.get(index, {})
        for key, value in cfg.items():
            if key in want and value != want[key]:
                wrong.append(f"layer {index} ({want['type']}) {key}: model {value!r}, spec {want[key]!r}")
    record["figures"] = {"layers_checked": len(got)}
    assert not wrong, f"{task.name}: the model differs from the spec:\n" + "\n".join(wrong)


def test_no_gradient_state_at_eval(task, make_rep, seed, record):
    """Inference (the adapter's predict path) builds and keeps no gradient state, by the framework's own account."""
    x, _ = checks.probe_batch(task, 4, seed)
    reply = make_rep().eval_grad_state(x)
    if "unsupported" in reply:
        pytest.skip(reply["unsupported"])
    state = reply["state"]
    record["figures"] = {"eval_grad_state": state}
    assert not state["grad_state"], f"{task.name}: inference keeps gradient state: {state}"


def test_layouts_agree(task, worker, device, seed, record):
    """The same canonical weights and inputs give the same logits in every image layout the adapter runs
    (e.g. NCHW and NHWC), within the task's forward tolerance (float32 sums in another order)."""
    reply, _ = worker.call("layouts", {**task_args(task), "device": device})
    layouts = reply["layouts"]
    if len(layouts) < 2:
        pytest.skip(f"fewer than two layouts: {layouts or 'none'} ({reply['reason']})")
    w = checks.probe_weights(task, seed)
    x, _ = checks.probe_batch(task, 8, seed)
    expected = checks.golden_forward(task.without_dropout(), w, x)
    tol, outputs, figures = task.forward_tol, {}, {"layouts": layouts}
    for layout in layouts:
        variant = dataclasses.replace(task, extra={**task.extra, "layout": layout})
        rep = prepare(worker, variant, device, seed, rep_id=f"{task.name}:layout:{layout}:{seed}")
        rep.load_weights(w)
        outputs[layout] = np.asarray(rep.predict(x))
        figures[f"{layout}_vs_reference"] = checks.compare(
            f"{task.name} logits ({layout})", outputs[layout], expected, tol.rtol, tol.atol
        )
        figures[f"{layout}_describe"] = rep.describe.get("layout", "")
    first = layouts[0]
    for layout in layouts[1:]:
        figures[f"{layout}_vs_{first}"] = checks.compare(
            f"{task.name} logits {layout} vs {first}", outputs[layout], outputs[first], tol.rtol, tol.atol
        )
    record["figures"] = figures
