"""Why every clock read waits for the device: JAX dispatches asynchronously, even on the CPU.

Timing the same training steps with and without ``rep.sync`` before the closing clock read shows
the unsynchronised timer under-reporting; ``timing.window`` is the synchronised one.
"""

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.selftest, pytest.mark.alone]  # a timing ratio

PROBE = r"""
import time
import numpy as np
from fixtures import timing, weights
from fixtures.checks import probe_batch
from fixtures.frameworks.jax_adapter import ADAPTER
from fixtures.tasks import TASKS

task = TASKS["cifar10_cnn"]
rep = ADAPTER().prepare(task, "cpu", 0)
rep.load_weights(weights.initial(task, 0))
batches = [probe_batch(task, task.batch_size, s) for s in range(4)]
timing.window(rep, batches[:1])  # compile
unsynced, synced = [], []
for _ in range(3):
    t0 = time.perf_counter()
    for xb, yb in batches:
        handle = rep.train_step(xb, yb)
    unsynced.append(time.perf_counter() - t0)  # the clock read a timer without sync would make
    rep.sync(handle)
    synced.append(timing.window(rep, batches)[0])
print(np.median(unsynced), np.median(synced))
"""


def test_timer_without_sync_under_reports_on_jax():
    pytest.importorskip("jax")
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    unsynced, synced = map(float, proc.stdout.split()[-2:])
    assert unsynced < 0.5 * synced, f"without sync {unsynced:.4f} s, with sync {synced:.4f} s"
