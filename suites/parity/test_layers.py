"""Hypothesis conformance: generated layer configurations vs the golden layer, per framework.

Each example is a one-layer probe task sent to the worker by value. Conv2D and MaxPool2D probes
end in ``Flatten -> Dense(identity, no bias)``: adapters may assume a network ends in a dense
layer, and an NHWC adapter's flatten order is undone by the dense kernel's row permutation, so
the probe's output is exactly the layer's output flattened in canonical (C, H, W) order (its
shape is checked through the identity kernel's shape, which must load). A configuration an
adapter declines (``supports``: a layer feature it does not build) is counted in the record with
its reason; a test whose every configuration was declined skips with those reasons.

Example counts per profile are fixed (smoke: a few, each a fresh build in the worker); the
hypothesis seed is ``--seed``, no example database, no shrinking (a shrink step is another
build): a failure prints its configuration and reproduces with the same ``--seed``. The
configurations of the task's own layers run first as explicit examples. A layer type's test
runs once per framework per session, under the first selected task that uses that layer type
(the others skip, naming it).
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import seed as hseed
from hypothesis import strategies as st

from fixtures import checks, reference, weights
from fixtures.harness.case import case_of
from fixtures.pitfalls import adhoc
from fixtures.tasks.spec import GRU, LSTM, AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Tolerance
from fixtures.worker import prepare, task_args

pytestmark = pytest.mark.parity

EXAMPLES = {"smoke": 1, "quick": 12, "full": 50}  # generated, after the explicit ones
TOL = Tolerance(
    rtol=1e-4,
    atol=1e-5,
    reason="float32 sums of at most 4*4*4 = 64 (conv) or 64 (dense) terms against float64 (~1e-7 "
    "relative); pooling is exact. A wrong stride, padding, kernel orientation or layout moves "
    "outputs by O(0.1..1)",
)


def _run_examples(profile: str, seed: int, strategy, explicit, body):
    """Run ``body(config)`` over ``explicit`` configurations then hypothesis draws of ``strategy``."""

    def run(config):
        body(config)

    for cfg in explicit:
        run = example(cfg)(run)
    run = settings(
        max_examples=EXAMPLES[profile],
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(run)
    run = hseed(seed)(given(strategy)(run))
    run()


class Probe:
    """Builds, runs and compares one probe per configuration in the framework's worker."""

    def __init__(self, worker, device, seed, record):
        self.worker, self.device, self.seed, self.record = worker, device, seed, record
        self.figures = record.setdefault("figures", {"examples": 0, "declined": 0, "max_abs_err": 0.0})
        self.reasons: list = []

    def check(self, layers, input_shape, identity_tail: bool):
        tail = []
        if identity_tail:
            features = int(np.prod(adhoc("probe", input_shape, layers).output_shape))
            tail = [Flatten(), Dense("probe_identity", features, bias=False)]
        self.n = getattr(self, "n", 0) + 1
        probe = adhoc(f"layer-probe-{self.n}", input_shape, [*layers, *tail], forward_tol=TOL)
        ok = self.worker.call("supports", {**task_args(probe), "device": self.device, "training": False})[0]
        self.figures["examples"] += 1
        self.figures.setdefault("configs", []).append(_describe(layers[0], input_shape))
        if not ok["ok"]:
            self.figures["declined"] += 1
            self.reasons.append(ok["reason"])
            self.figures["declined_reasons"] = sorted(set(self.reasons))[:5]
            return
        rep = prepare(self.worker, probe, self.device, self.seed, True, rep_id=probe.name)
        w = weights.initial(probe, self.seed, bias_init="uniform_small")
        if identity_tail:
            w["probe_identity.weight"] = np.eye(w["probe_identity.weight"].shape[0], dtype=np.float32)
        rep.load_weights(w)
        x = np.random.default_rng(self.seed + 1).random((2, *input_shape), dtype=np.float32)
        got = rep.predict(x)
        expected = reference.forward(probe, w, x)
        figs = checks.compare(f"{layers} on input {input_shape}", got, expected, TOL.rtol, TOL.atol)
        self.figures["max_abs_err"] = max(self.figures["max_abs_err"], figs["max_abs_err"])

    def done(self):
        if self.figures["examples"] and self.figures["declined"] == self.figures["examples"]:
            pytest.skip(f"{self.worker.name} declined every configuration: {self.figures.get('declined_reasons')}")


def _own(request, task, framework, kind):
    """The task's layers of type ``kind`` (with input shapes). A layer type's configurations run
    once per framework per session: under the first selected task that uses that layer type, or
    under the first selected task when none does (then with generated configurations only)."""
    found = [(la, shape) for la, shape, _ in task.layer_shapes() if isinstance(la, kind)]
    mine = []
    for item in request.session.items:
        case = case_of(item)
        if item.originalname == request.node.originalname and case.framework == framework:
            mine.append(case.task)
    users = [t for t in mine if any(isinstance(la, kind) for la in t.layers)]
    owner = (users or mine or [task])[0]
    if owner.name != task.name:
        pytest.skip(f"{kind.__name__} configurations of {framework} run under {owner.name}")
    return found


def _describe(layer, input_shape) -> str:
    """A short text of one configuration, for the record."""
    fields = {k: v for k, v in dataclasses.asdict(layer).items() if k not in ("name", "init", "bias_init")}
    return f"{type(layer).__name__}({', '.join(f'{k}={v}' for k, v in fields.items())}) on {tuple(input_shape)}"


def _image(shape, side=10):
    """An image shape like ``shape`` (C, H, W) for a probe: at most 3 channels, sides capped."""
    if len(shape) != 3:
        return (2, 8, 8)
    return (min(shape[0], 3), min(shape[1], side), min(shape[2], side))


@st.composite
def conv_configs(draw, max_side=10):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh - 1)), draw(st.integers(0, kw - 1))
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1  # the kernel's extent
    h = draw(st.integers(max(eh - 2 * ph, 1), max(max_side, eh)))
    w = draw(st.integers(max(ew - 2 * pw, 1), max(max_side, ew)))
    layer = Conv2D(
        "conv",
        draw(st.integers(1, 4)),
        kernel=(kh, kw),
        stride=(sh, sw),
        padding=(ph, pw),
        dilation=(dh, dw),
        activation=draw(st.sampled_from([None, "relu"])),
        bias=draw(st.booleans()),
    )
    return layer, (draw(st.integers(1, 3)), h, w)


@st.composite
def pool_configs(draw, kind, max_side=10):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))  # torch's limit: pad <= pool / 2
    h, w = draw(st.integers(max(kh - 2 * ph, 1), max_side)), draw(st.integers(max(kw - 2 * pw, 1), max_side))
    extra = {"count_include_pad": draw(st.booleans())} if kind is AvgPool2D else {}
    layer = kind(pool=(kh, kw), stride=(sh, sw), padding=(ph, pw), ceil_mode=draw(st.booleans()), **extra)
    return layer, (draw(st.integers(1, 3)), h, w)


@st.composite
def dense_configs(draw, max_in=64):
    layer = Dense(
        "fc", draw(st.integers(1, 32)), activation=draw(st.sampled_from([None, "relu"])), bias=draw(st.booleans())
    )
    return layer, (draw(st.integers(1, max_in)),)


def test_conv2d(request, task, framework, worker, device, seed, profile, record):
    own = _own(request, task, framework, Conv2D)
    explicit = [
        (dataclasses.replace(la, name="conv", filters=min(la.filters, 4)), _image(shape)) for la, shape in own[:1]
    ]
    # non-square kernel, unequal strides and paddings: hypothesis' first draw is the minimal one
    explicit.append((Conv2D("conv", 3, kernel=(3, 2), stride=(2, 1), padding=(1, 0)), (2, 7, 6)))
    probe = Probe(worker, device, seed, record)
    _run_examples(profile, seed, conv_configs(), explicit, lambda c: probe.check([c[0]], c[1], True))
    probe.done()


def _pool_test(request, task, framework, worker, device, seed, profile, record, kind):
    own = _own(request, task, framework, kind)
    explicit = [(la, _image(shape)) for la, shape in own[:1]] + [(kind((3, 2), (2, 1)), (2, 7, 6))]
    if kind is AvgPool2D:  # a ceil-mode window overhanging the padding: not in the divisor (pytorch#183528)
        explicit.append((AvgPool2D((3, 3), (2, 2), (1, 1), ceil_mode=True, count_include_pad=True), (1, 4, 4)))
    # a ceil-mode window that would start past the input: dropped (spec.ceil_window_dropped); the quick
    # profile's draws found these (seed 0), which MXNet, ONNX and OpenVINO's MaxPool keep
    explicit += {
        MaxPool2D: [(MaxPool2D((2, 1), (2, 2), ceil_mode=True), (1, 2, 4))],
        AvgPool2D: [
            (AvgPool2D((1, 3), (3, 2), ceil_mode=True, count_include_pad=True), (1, 5, 7)),
            (AvgPool2D((3, 2), (1, 3), (1, 1), ceil_mode=True, count_include_pad=False), (2, 7, 10)),
        ],
    }[kind]
    probe = Probe(worker, device, seed, record)
    _run_examples(profile, seed, pool_configs(kind), explicit, lambda c: probe.check([c[0]], c[1], True))
    probe.done()


def test_maxpool2d(request, task, framework, worker, device, seed, profile, record):
    _pool_test(request, task, framework, worker, device, seed, profile, record, MaxPool2D)


def test_avgpool2d(request, task, framework, worker, device, seed, profile, record):
    _pool_test(request, task, framework, worker, device, seed, profile, record, AvgPool2D)


def test_dense(request, task, framework, worker, device, seed, profile, record):
    own = _own(request, task, framework, Dense)
    explicit = [
        (dataclasses.replace(la, name="fc", units=min(la.units, 32)), (min(shape[0], 64),)) for la, shape in own[:1]
    ]
    probe = Probe(worker, device, seed, record)
    _run_examples(profile, seed, dense_configs(), explicit, lambda c: probe.check([c[0]], c[1], False))
    probe.done()


@st.composite
def recurrent_configs(draw):
    """An LSTM or a GRU of either variant, last step or whole sequence, with or without bias."""
    units, bias, seq = draw(st.integers(1, 6)), draw(st.booleans()), draw(st.booleans())
    if draw(st.booleans()):
        layer = LSTM("rnn", units, return_sequences=seq, bias=bias)
    else:
        layer = GRU("rnn", units, reset_after=draw(st.booleans()), return_sequences=seq, bias=bias)
    return layer, (draw(st.integers(1, 6)), draw(st.integers(1, 4)))


def test_recurrent_cell(request, task, framework, worker, device, seed, profile, record):
    """GRU/LSTM cells (both GRU variants) against the golden cell; probes end in Flatten -> identity."""
    _own(request, task, framework, LSTM)
    explicit = [
        (GRU("rnn", 3, reset_after=False, return_sequences=True), (4, 2)),
        (LSTM("rnn", 2, return_sequences=False), (3, 3)),
    ]
    probe = Probe(worker, device, seed, record)
    _run_examples(profile, seed, recurrent_configs(), explicit, lambda c: probe.check([c[0]], c[1], True))
    probe.done()


def test_network_ending_in_flatten(request, task, framework, worker, device, seed, record):
    """A network may end in Flatten (its logits are then the features in the spec's (C, H, W)
    order): no dense kernel follows whose rows could absorb a channels-last flatten order."""
    _own(request, task, framework, Flatten)
    probe = Probe(worker, device, seed, record)
    probe.check([Conv2D("conv", 3, kernel=(3, 3), padding=(1, 1)), Flatten()], (2, 5, 4), False)
    probe.done()
