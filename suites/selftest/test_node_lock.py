"""Multi-node runs take turns: one at a time on a machine, whichever process (pytest -n) starts them."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from fixtures import multinode
from suites.selftest.runner import ROOT

pytestmark = pytest.mark.selftest

HOLD = """
import sys, time
from fixtures import multinode
with multinode._one_run_at_a_time():
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def test_a_run_waits_while_another_process_runs_one():
    holder = subprocess.Popen([sys.executable, "-c", HOLD, "1.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with multinode._one_run_at_a_time():
            waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert waited > 1.0, f"entered {waited:.2f} s after the other process took its 1.5 s run"


def test_a_dead_holder_frees_the_machine():
    holder = subprocess.Popen([sys.executable, "-c", HOLD, "60"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    t0 = time.monotonic()
    with multinode._one_run_at_a_time():
        assert time.monotonic() - t0 < 5
