"""Synthetic stand-ins: same shapes and dtypes as the real sets, with learnable class structure.

Each class has a fixed smooth prototype image (a few Gaussian blobs; the same for every seed, so
"the synthetic dataset" is one thing). A sample is ``a * proto[label] + b * proto[other] + noise``,
clipped to [0, 1], with ``a ~ U(0.5, 1)``, a distractor weight ``b ~ U(0, 0.5)`` and uniform
noise in [-0.3, 0.3) (rows drawn from a seeded bank of 2048): separable enough for a loss curve
that falls, not so easy that accuracy is 100 % at once.
Only the draws (labels, weights, noise) depend on ``seed``.
"""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 10
_PROTO_SEED = 0x5EED
_NOISE_BANK = 2048


def _prototypes(channels: int, side: int, blobs: int = 3) -> np.ndarray:
    rng = np.random.default_rng([_PROTO_SEED, channels, side])
    grid = np.arange(side, dtype=np.float64)
    protos = np.zeros((NUM_CLASSES, channels, side, side))
    for k in range(NUM_CLASSES):
        for c in range(channels):
            for _ in range(blobs):
                cy, cx = rng.uniform(side * 0.15, side * 0.85, size=2)
                sigma = rng.uniform(side * 0.06, side * 0.16)
                amp = rng.uniform(0.5, 1.0)
                protos[k, c] += amp * np.exp(-((grid[:, None] - cy) ** 2 + (grid[None, :] - cx) ** 2) / (2 * sigma**2))
    protos /= protos.reshape(NUM_CLASSES, -1).max(axis=1)[:, None, None, None]
    return protos.astype(np.float32)


def _draw(protos: np.ndarray, n: int, rng: np.random.Generator, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(n, dtype=np.int64) % NUM_CLASSES  # balanced
    rng.shuffle(y)
    other = (y + rng.integers(1, NUM_CLASSES, size=n)) % NUM_CLASSES
    flat = protos.reshape(NUM_CLASSES, -1)
    a = rng.uniform(0.5, 1.0, size=(n, 1)).astype(np.float32)
    b = rng.uniform(0.0, 0.5, size=(n, 1)).astype(np.float32)
    # Noise rows come from a bank (drawing fresh floats for every pixel costs seconds for CIFAR).
    bank = rng.random((min(n, _NOISE_BANK), flat.shape[1]), dtype=np.float32)
    bank -= np.float32(0.5)
    bank *= np.float32(0.6)  # noise in [-0.3, 0.3)
    pick = rng.integers(0, len(bank), size=n) if n else np.empty(0, dtype=np.int64)
    x = np.empty((n, flat.shape[1]), dtype=np.float32)
    tmp = np.empty((min(chunk, n), flat.shape[1]), dtype=np.float32)
    for start in range(0, n, chunk):  # chunked: no full-size temporaries
        sl = slice(start, min(start + chunk, n))
        xc, tc = x[sl], tmp[: sl.stop - sl.start]
        np.take(bank, pick[sl], axis=0, out=xc)
        np.multiply(a[sl], flat[y[sl]], out=tc)
        xc += tc
        np.multiply(b[sl], flat[other[sl]], out=tc)
        xc += tc
        np.clip(xc, 0.0, 1.0, out=xc)
    return x.reshape((n,) + protos.shape[1:]), y


CLASSES = {"imagenet": 1000, "chestxray14": 14}  # image sets with uniform-noise stand-ins only


def make(name: str, train: int, test: int, seed: int = 0, size: int = 224):
    """``(x_train, y_train, x_test, y_test)`` in canonical layout, float32 in [0, 1] / int64."""
    if name in CLASSES:  # uniform pixels: only shapes and dtypes matter for timing random-weight models
        rng = np.random.default_rng([seed, 0x5E7, 2])
        shape, classes = (3, size, size), CLASSES[name]
        return (
            rng.random((train,) + shape, dtype=np.float32),
            rng.integers(0, classes, train).astype(np.int64),
            rng.random((test,) + shape, dtype=np.float32),
            rng.integers(0, classes, test).astype(np.int64),
        )
    if name == "cifar10":
        protos, layout = _prototypes(3, 32), (3, 32, 32)
    elif name == "digits":
        protos, layout = _prototypes(1, 8, blobs=2), (64,)
    else:  # mnist-like
        protos, layout = _prototypes(1, 28), (784,)
    rng_train = np.random.default_rng([seed, 0x5E7, 0])
    rng_test = np.random.default_rng([seed, 0x5E7, 1])
    x_train, y_train = _draw(protos, train, rng_train)
    x_test, y_test = _draw(protos, test, rng_test)
    return x_train.reshape((train,) + layout), y_train, x_test.reshape((test,) + layout), y_test
