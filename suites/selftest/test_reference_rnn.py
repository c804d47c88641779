"""The golden model's recurrent layers: backpropagation through time vs central differences,
and the cell formulas vs a step written out from the spec's docstrings (gate order, GRU variant).

float64 throughout; central differences with h = 1e-6 have truncation error ~h^2 * f''' and
rounding ~1e-16/h, so a relative agreement of 1e-6 on every parameter and input element is
far from a wrong gate derivative (which is off by O(1))."""

import dataclasses

import numpy as np
import pytest

from fixtures import reference, weights
from fixtures.tasks.spec import GRU, LSTM, SGD, Dense, Flatten, Profile, Task, Tolerance

TOL = Tolerance(1e-4, 1e-5, "unused here")
CELLS = {
    "lstm": LSTM("rnn", 4),
    "gru_reset_after": GRU("rnn", 4, reset_after=True),
    "gru_reset_before": GRU("rnn", 4, reset_after=False),
}


def _task(cell, return_sequences: bool, bias: bool = True) -> Task:
    cell = dataclasses.replace(cell, return_sequences=return_sequences, bias=bias)
    tail = [Flatten(), Dense("out", 3)] if return_sequences else [Dense("out", 3)]
    return Task(
        name="rnn-selftest",
        dataset="none",
        input_shape=(5, 3),
        num_classes=3,
        layers=(cell, *tail),
        optimizer=SGD(0.1, 0.9),
        batch_size=4,
        profiles={"smoke": Profile(8, 8, 1)},
        forward_tol=TOL,
        step_tol=TOL,
    )


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("cell", list(CELLS), ids=list(CELLS))
def test_bptt_matches_central_differences(cell, return_sequences, bias):
    task = _task(CELLS[cell], return_sequences, bias)
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 3, bias_init="uniform_small").items()}
    assert {k: v.shape for k, v in w.items()} == task.param_shapes()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 3))
    y = rng.integers(0, 3, 4)
    _, grads = reference.loss_and_grads(task, w, x, y)
    assert set(grads) == set(w)
    eps = 1e-6
    for key, value in w.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = dict(w), dict(w)
            plus[key], minus[key] = value.copy(), value.copy()
            plus[key][idx] += eps
            minus[key][idx] -= eps
            lp = reference.loss_and_grads(task, plus, x, y)[0]
            lm = reference.loss_and_grads(task, minus, x, y)[0]
            numeric[idx] = (lp - lm) / (2 * eps)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-8, err_msg=f"{cell} {key}")


@pytest.mark.parametrize("cell", list(CELLS), ids=list(CELLS))
def test_input_gradient(cell):
    """dL/dx of the recurrent layer (what a layer below it receives) vs central differences."""
    layer = dataclasses.replace(CELLS[cell], return_sequences=True)
    task = _task(layer, True)
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 5, bias_init="uniform_small").items()}
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    g_out = np.random.default_rng(2).standard_normal((2, 5, 4))
    _, _, cache = reference.recurrent_layer(layer, w, x)
    dx, _ = reference.recurrent_layer_backward(layer, w, x, cache, g_out)
    eps, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        fp = (reference.recurrent_layer(layer, w, xp)[0] * g_out).sum()
        fm = (reference.recurrent_layer(layer, w, xm)[0] * g_out).sum()
        numeric[idx] = (fp - fm) / (2 * eps)
    np.testing.assert_allclose(dx, numeric, rtol=1e-5, atol=1e-8)


def _sig(v):
    return 1 / (1 + np.exp(-v))


def test_cell_formulas_written_out():
    """One step from a non-zero state is hard to get at through the layer, so two steps: the second
    step's output recomputed by hand from the docstring formulas (gate order, GRU variants)."""
    rng = np.random.default_rng(7)
    u, f = 3, 2
    x = rng.standard_normal((1, 2, f))
    # LSTM: blocks i, f, c, o
    k, r, b = rng.standard_normal((f, 4 * u)), rng.standard_normal((u, 4 * u)), rng.standard_normal(4 * u)
    hs, _ = reference.lstm(x, k, r, b)
    h, c = np.zeros(u), np.zeros(u)
    for t in range(2):
        z = x[0, t] @ k + h @ r + b
        i_, f_, g_, o_ = (z[j * u : (j + 1) * u] for j in range(4))
        c = _sig(f_) * c + _sig(i_) * np.tanh(g_)
        h = _sig(o_) * np.tanh(c)
    np.testing.assert_allclose(hs[0, -1], h, rtol=1e-12)
    # GRU: blocks z, r, h; both variants
    k, r = rng.standard_normal((f, 3 * u)), rng.standard_normal((u, 3 * u))
    b2 = rng.standard_normal((2, 3 * u))
    for reset_after in (True, False):
        bias = b2 if reset_after else b2[0]
        hs, _ = reference.gru(x, k, r, bias, reset_after=reset_after)
        h = np.zeros(u)
        for t in range(2):
            xw = x[0, t] @ k + (b2[0] if reset_after else bias)
            hu = h @ r + (b2[1] if reset_after else 0.0)
            z = _sig(xw[:u] + hu[:u])
            rr = _sig(xw[u : 2 * u] + hu[u : 2 * u])
            if reset_after:
                hh = np.tanh(xw[2 * u :] + rr * hu[2 * u :])
            else:
                hh = np.tanh(xw[2 * u :] + (rr * h) @ r[:, 2 * u :])
            h = z * h + (1 - z) * hh
        np.testing.assert_allclose(hs[0, -1], h, rtol=1e-12)
    # the two variants differ for the same weights: the spec must pin one
    a = reference.gru(x, k, r, b2[0], reset_after=False)[0]
    bb = reference.gru(x, k, r, np.stack([b2[0], np.zeros(3 * u)]), reset_after=True)[0]
    assert np.abs(a - bb).max() > 1e-3


def test_spec_shapes_and_flops():
    task = _task(CELLS["gru_reset_after"], False)
    assert task.param_shapes()["rnn.bias"] == (2, 12)
    assert _task(CELLS["gru_reset_before"], False).param_shapes()["rnn.bias"] == (12,)
    assert _task(CELLS["lstm"], True).param_shapes() == {
        "rnn.kernel": (3, 16),
        "rnn.recurrent": (4, 16),
        "rnn.bias": (16,),
        "out.weight": (20, 3),
        "out.bias": (3,),
    }
    # forward: T*(F+U)*G*U MACs for the cell (5*(3+4)*12 = 420) + dense 4*3, times 2
    assert task.flops_per_sample() == 2 * (420 + 12)


def test_row_encoder_bptt():
    """RowEncoder (the hierarchical RNN's first level) -> LSTM over the row codes -> Dense: gradients vs
    central differences, and the row codes equal the inner layer run on each row alone."""
    from fixtures.tasks.spec import RowEncoder

    task = dataclasses.replace(
        _task(LSTM("cols", 3), False),
        input_shape=(3, 4),
        layers=(RowEncoder(LSTM("rows", 2)), LSTM("cols", 3), Dense("out", 3)),
    )
    assert task.param_shapes()["rows.kernel"] == (1, 8)
    assert task.flops_per_sample() == 2 * (3 * 4 * (1 + 2) * 8 + 3 * (2 + 3) * 12 + 3 * 3)
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 4, bias_init="uniform_small").items()}
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 3, 4)), rng.integers(0, 3, 2)
    trace = []
    reference.forward(task, w, x, trace=trace)
    codes = trace[1]
    for r in range(3):
        alone = reference.recurrent_layer(LSTM("rows", 2), w, x[:, r, :, None])[0]
        np.testing.assert_allclose(codes[:, r], alone, rtol=1e-12)
    _, grads = reference.loss_and_grads(task, w, x, y)
    eps = 1e-6
    for key, value in w.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = dict(w), dict(w)
            plus[key], minus[key] = value.copy(), value.copy()
            plus[key][idx] += eps
            minus[key][idx] -= eps
            numeric[idx] = (
                reference.loss_and_grads(task, plus, x, y)[0] - reference.loss_and_grads(task, minus, x, y)[0]
            ) / (2 * eps)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-8, err_msg=key)
