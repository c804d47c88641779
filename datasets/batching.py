"""Seeded permutations and the one batch iterator every framework adapter uses.

Permutations are built from raw PCG64 output (``random_raw``), whose stream NumPy keeps stable
across versions, then ``argsort``-ed, so the controller (NumPy 2.x) and a worker (e.g. NumPy 1.23)
produce the same order for the same seed. No ``Generator`` method is involved.
"""

# Python 3.6-compatible on purpose (a CNTK worker imports this module): no PEP 563/585/604.
import numpy as np

# Stream tags, so that the dataset shuffles and the batch orders never share a random stream.
STREAM_TRAIN = 0
STREAM_TEST = 1
STREAM_BATCHES = 0xBA7C


def permutation(n: int, seed: int, *stream: int) -> np.ndarray:
    """A permutation of ``range(n)`` (int64) determined by ``seed`` and the ``stream`` tags."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    entropy = [int(seed)] + [int(s) for s in stream]
    bitgen = np.random.PCG64(np.random.SeedSequence(entropy))
    keys = bitgen.random_raw(n) if n else np.empty(0, dtype=np.uint64)
    return np.argsort(keys, kind="stable").astype(np.int64, copy=False)


def batches(x, y, batch_size, seed, drop_last=True, *, epoch=0):
    """Yield ``(xb, yb)`` mini-batches over the first axis.

    ``seed`` (int): a shuffled order fixed by ``(seed, epoch)``; each batch is gathered into a new
    C-contiguous array (views of a shuffle would need a full copy of ``x`` first).
    ``seed=None``: natural order, and the batches are views (slices) of ``x`` and ``y``.
    ``drop_last``: drop the final short batch (so every batch has ``batch_size`` rows).
    """
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x has {n} rows but y has {len(y)}")
    batch_size = int(batch_size)
    if batch_size <= 0:
        raise ValueError(f"batch_size must be > 0, got {batch_size}")
    stop = (n // batch_size) * batch_size if drop_last else n
    if seed is None:
        for start in range(0, stop, batch_size):
            end = min(start + batch_size, stop)
            yield x[start:end], y[start:end]
        return
    order = permutation(n, seed, STREAM_BATCHES, epoch)
    for start in range(0, stop, batch_size):
        idx = order[start : min(start + batch_size, stop)]
        yield np.take(x, idx, axis=0), np.take(y, idx, axis=0)


def num_batches(n, batch_size, drop_last=True):
    """How many batches :func:`batches` yields for ``n`` rows."""
    return n // batch_size if drop_last else -(-n // batch_size)
