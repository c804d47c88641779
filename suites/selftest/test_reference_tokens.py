"""The golden model's token layers: Embedding (a lookup; its gradient a scatter-add into the rows
the ids used, repeated ids summed) and Parallel (blocks of the sample axis through their own
branches, outputs concatenated), against central differences and against the layers written out.

float64 central differences with h = 1e-6 agree to ~1e-8 relative; 1e-6 is far from a wrong
backward (a lost repeated id, a branch fed the other block), which is off by O(1)."""

import numpy as np

from fixtures import reference, weights
from fixtures.tasks import babi_rnn, imdb_gru
from fixtures.tasks.spec import GRU, LSTM, SGD, Dense, Embedding, Parallel, Profile, Task, Tolerance

TOL = Tolerance(1e-4, 1e-5, "unused here")


def _task(layers, input_shape, classes=3) -> Task:
    return Task(
        name="tokens-selftest",
        dataset="none",
        input_shape=input_shape,
        num_classes=classes,
        layers=tuple(layers),
        optimizer=SGD(0.1, 0.0),
        batch_size=3,
        profiles={"smoke": Profile(8, 8, 1)},
        forward_tol=TOL,
        step_tol=TOL,
    )


PARALLEL = _task(
    [
        Parallel((5, 2), ((Embedding("e1", 6, 3), LSTM("l1", 4)), (Embedding("e2", 6, 3), GRU("g2", 3)))),
        Dense("out", 3),
    ],
    (7,),
)


def _central_differences(task, w, x, y, eps=1e-6):
    out = {}
    for key, value in w.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = dict(w), dict(w)
            plus[key], minus[key] = value.copy(), value.copy()
            plus[key][idx] += eps
            minus[key][idx] -= eps
            lp = reference.softmax_cross_entropy(reference.forward(task, plus, x), y)
            lm = reference.softmax_cross_entropy(reference.forward(task, minus, x), y)
            numeric[idx] = (lp - lm) / (2 * eps)
        out[key] = numeric
    return out


def test_embedding_and_parallel_gradients_match_central_differences():
    task = PARALLEL
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 1, bias_init="uniform_small").items()}
    assert {k: v.shape for k, v in w.items()} == task.param_shapes()
    x = np.array([[1, 1, 5, 0, 1, 2, 2], [0, 0, 0, 1, 5, 5, 0], [1, 5, 1, 5, 1, 1, 1]], np.int32)  # repeated ids
    y = np.array([0, 2, 1])
    _, grads = reference.loss_and_grads(task, w, x, y)
    numeric = _central_differences(task, w, x, y)
    for key in w:
        err = np.abs(grads[key] - numeric[key]).max() / max(np.abs(numeric[key]).max(), 1e-12)
        assert err < 1e-6, f"{key}: relative error {err:.3g}"
    assert np.all(grads["e1.embeddings"][[2, 3, 4]] == 0), "rows no story id used have no gradient"


def test_parallel_is_the_branches_concatenated():
    task = PARALLEL
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 2).items()}
    x = np.random.default_rng(0).integers(0, 6, (4, 7))
    story = reference.recurrent_layer(LSTM("l1", 4), w, w["e1.embeddings"][x[:, :5]])[0]
    query = reference.recurrent_layer(GRU("g2", 3), w, w["e2.embeddings"][x[:, 5:]])[0]
    expected = np.concatenate([story, query], axis=1) @ w["out.weight"] + w["out.bias"]
    np.testing.assert_allclose(reference.forward(task, w, x), expected, rtol=1e-12)


def test_token_tasks_declare_the_seeds_models():
    """Parameter counts as Keras reports them for the seeds' models (model.summary())."""
    imdb, babi = imdb_gru.TASK, babi_rnn.TASK
    # Embedding 30000x125; GRU(100, reset_after) 3*(125*100 + 100*100 + 2*100); Dense 100*2 + 2
    assert imdb.param_count() == 30000 * 125 + 3 * (125 * 100 + 100 * 100 + 2 * 100) + 202 == 3818302
    # 2 x (Embedding 22x50 + LSTM(100) 4*(50*100 + 100*100 + 100)); Dense 200*22 + 22
    assert babi.param_count() == 2 * (22 * 50 + 4 * (50 * 100 + 100 * 100 + 100)) + 200 * 22 + 22 == 127422
    assert imdb.input_vocab == 30000 and babi.input_vocab == 22
    assert imdb.features() == {"embedding"} and babi.features() == {"embedding", "parallel"}
    x = babi.sample_inputs(np.random.default_rng(0), 5)
    assert x.dtype == np.int32 and x.shape == (5, 72) and 0 <= x.min() and x.max() < 22
