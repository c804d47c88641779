"""The gate's words on synthetic rounds: a disturbed round does not silence a verdict, a side that
really varies does, and the A/A and slowdown cases read as such."""

import numpy as np
import pytest

from fixtures import compare

pytestmark = pytest.mark.selftest

ROUNDS, THRESHOLD = 60, 0.03


def rounds(seed: int, scale: float = 1.0, jitter: float = 0.02) -> np.ndarray:
    return 0.07 * scale * (1 + jitter * np.random.default_rng(seed).standard_normal(ROUNDS))


def disturb(times: np.ndarray, where, factor: float = 4.0) -> np.ndarray:
    out = times.copy()
    out[list(where)] *= factor
    return out


def test_a_ten_percent_slowdown_is_slower_and_a_a_is_same():
    a = rounds(0)
    assert compare.judge(a, rounds(1, 1.10), THRESHOLD).verdict == "slower"
    assert compare.judge(a, rounds(2, 0.90), THRESHOLD).verdict == "faster"
    assert compare.judge(a, rounds(3), THRESHOLD).verdict == "same"


def test_disturbed_rounds_the_trimmed_mean_drops_keep_the_verdict():
    # 0.28 s rounds among 0.07 s ones on both sides (a neighbour job): measured on this box
    a, b = disturb(rounds(0), (3, 17, 40)), disturb(rounds(1, 1.10), (3, 17, 41, 55))
    assert compare.cv(b) > compare.NOISY_CV  # all rounds would have called it noisy
    verdict = compare.judge(a, b, THRESHOLD)
    assert verdict.verdict == "slower" and verdict.cv_b < compare.NOISY_CV, verdict


def test_a_side_that_varies_beyond_the_trim_is_noisy():
    a = rounds(0)
    b = disturb(rounds(1), range(0, ROUNDS, 2), factor=2.0)  # every other round twice as long
    verdict = compare.judge(a, b, THRESHOLD)
    assert verdict.verdict == "noisy" and verdict.cv_b > compare.NOISY_CV, verdict
    assert compare.judge_unpaired(a, b, THRESHOLD).verdict == "noisy"
