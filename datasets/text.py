"""Keras' sequence conventions, reimplemented in NumPy (no Keras import): padding and truncation.

``pad_sequences`` is ``keras.utils.pad_sequences`` with its defaults: ``padding="pre"`` (zeros go
in front), ``truncating="pre"`` (a long sequence keeps its *last* ``maxlen`` items), value 0,
dtype int32. An empty sequence becomes a row of zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PAD = 0


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int, value: int = PAD) -> np.ndarray:
    """``(len(sequences), maxlen)`` int32, pre-padded with ``value`` and pre-truncated."""
    maxlen = int(maxlen)
    if maxlen <= 0:
        raise ValueError(f"maxlen must be > 0, got {maxlen}")
    out = np.full((len(sequences), maxlen), value, dtype=np.int32)
    for i, seq in enumerate(sequences):
        seq = np.asarray(seq, dtype=np.int64)
        if seq.ndim != 1:
            raise ValueError(f"sequence {i} is not flat (shape {seq.shape})")
        if len(seq):
            kept = seq[-maxlen:]
            out[i, maxlen - len(kept) :] = kept
    return out


def truncated(lengths: np.ndarray, maxlen: int) -> int:
    """How many sequences of these lengths ``pad_sequences`` cuts."""
    return int(np.count_nonzero(np.asarray(lengths) > maxlen))
