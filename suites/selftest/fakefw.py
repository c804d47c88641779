"""A fake framework for the harness's own tests: the golden model dressed as an adapter.

``FAKEFW_FAIL=<method>:<crash|hang|raise|crash-once>`` makes that Rep method kill the worker, hang,
raise, or kill only the first worker that runs it (``FAKEFW_ONCE``: a marker file path), so the
self-tests can watch the harness contain it. ``FAKEFW_WRONG_AT_SEEDS=2,5`` plants
a seed-dependent defect: under those seeds the forward output is 1e-2 off (a flaky check's shape).
``FAKEFW_UNSUPPORTED=mnist_mlp,...`` makes ``supports`` decline those tasks.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from fixtures import reference
from fixtures.frameworks.base import Adapter, Rep


def _maybe_fail(method: str) -> None:
    where, _, how = os.environ.get("FAKEFW_FAIL", "").partition(":")
    if where != method:
        return
    if how == "crash-once":  # the first worker to get here dies; later ones (fresh processes) go on
        marker = os.environ["FAKEFW_ONCE"]
        if os.path.exists(marker):
            return
        open(marker, "w").close()
        how = "crash"
    print(f"fakefw: simulated {how} in {method}", file=sys.stderr, flush=True)
    if how == "crash":
        os._exit(3)
    if how == "hang":
        time.sleep(3600)
    if how == "raise":
        raise RuntimeError(f"fakefw: simulated error in {method}")


class FakeRep(Rep):
    def __init__(self, task, offset: float = 0.0):
        self.task, self.weights, self.state, self.offset = task.without_dropout(), {}, None, offset

    def load_weights(self, weights):
        _maybe_fail("load_weights")
        self.weights, self.state = {k: np.asarray(v, np.float32).copy() for k, v in weights.items()}, None

    def export_weights(self):
        return {k: v.astype(np.float32) for k, v in self.weights.items()}

    def train_step(self, x, y):
        _maybe_fail("train_step")
        delay = float(os.environ.get("FAKEFW_STEP_DELAY", "0"))
        if delay:
            time.sleep(delay)
        loss, grads = reference.loss_and_grads(self.task, self.weights, x, y)
        new, self.state = reference.optimizer_step(self.task.optimizer, self.weights, grads, self.state)
        self.weights = {k: v.astype(np.float32) for k, v in new.items()}
        return np.float32(loss)

    def infer(self, x):
        _maybe_fail("infer")
        return (reference.forward(self.task, self.weights, x) + self.offset).astype(np.float32)

    def describe(self):
        return {"layout": "NCHW", "execution": "numpy reference"}


class FakeAdapter(Adapter):
    name = "fake"

    def version(self):
        return {"framework": "fake", "version": "0.0", "devices": ["cpu"]}

    def supports(self, task, device):
        if device == "gpu":
            return False, "the fake framework has no GPU"
        if task.name in os.environ.get("FAKEFW_UNSUPPORTED", "").split(","):
            return False, "declined (FAKEFW_UNSUPPORTED)"
        return True, ""

    def prepare(self, task, device, seed):
        _maybe_fail("prepare")
        wrong = os.environ.get("FAKEFW_WRONG_AT_SEEDS", "").split(",")
        rep = FakeRep(task, offset=1e-2 if str(seed) in wrong else 0.0)
        from fixtures import weights

        rep.load_weights(weights.initial(task, seed))
        return rep

    def peak_matmul(self, n=512, repeats=3):
        return 1.0


ADAPTER = FakeAdapter
