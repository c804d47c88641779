"""IMDB reviews from Keras' ``imdb.npz`` with Keras' preprocessing, reimplemented in NumPy.

What ``keras.datasets.imdb.load_data(num_words=vocab, seed=113)`` followed by
``keras.utils.pad_sequences(x, maxlen=maxlen)`` produces, which is also what DeepLearningFrameworks'
IMDB GRU feeds its models:

1. order: one ``np.random.RandomState(113)`` shuffles the training indices, then (same generator,
   continuing) the test indices;
2. ids: every word rank ``w`` becomes ``w + 3`` (``index_from``), and each review gets the start
   token 1 in front;
3. vocabulary: an id ``>= vocab`` becomes the OOV token 2 (the start token too, were vocab <= 1).
   ``vocab=None`` is Keras' ``num_words=None``: the limit is then the largest id in train+test,
   which Keras compares with ``<``, so that one word also becomes OOV (a Keras quirk, kept);
4. length: ``pad_sequences`` defaults: pre-padding with 0, pre-truncation (keep the last
   ``maxlen`` tokens, so a long review loses its start token and beginning).

Keras' own ``load_data(maxlen=...)`` *drops* reviews longer than ``maxlen``; that is not used here
(the DLF task keeps all 25000/25000 and truncates). The file holds pickled object arrays, so it is
opened with ``allow_pickle=True`` only after its sha256 matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import cache, integrity, text
from .base import Raw, SourceRefused

START_CHAR = 1
OOV_CHAR = 2
INDEX_FROM = 3
KERAS_SEED = 113
DEFAULT_VOCAB = 30000
DEFAULT_MAXLEN = 150
FULL_SIZES = (25000, 25000)
NUM_CLASSES = 2
SOURCE = "IMDB (cache imdb.npz, sha256-verified)"


def keras_order(n_train: int, n_test: int, seed: int = KERAS_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The row orders ``load_data`` applies: one RandomState, train indices first, then test."""
    rng = np.random.RandomState(seed)
    train = np.arange(n_train)
    rng.shuffle(train)
    test = np.arange(n_test)
    rng.shuffle(test)
    return train, test


def with_ids(reviews: Sequence[Sequence[int]], vocab: int | None) -> tuple[list[np.ndarray], int]:
    """Steps 2-3: start token, ``index_from`` shift, OOV above the vocabulary; and the limit used."""
    seqs = [
        np.concatenate((np.array([START_CHAR], dtype=np.int64), np.asarray(r, dtype=np.int64).reshape(-1) + INDEX_FROM))
        for r in reviews
    ]
    limit = int(vocab) if vocab else max((int(s.max()) for s in seqs), default=0)
    return [np.where(s < limit, s, OOV_CHAR) for s in seqs], limit


def preprocess(
    x_train: Sequence[Sequence[int]],
    y_train,
    x_test: Sequence[Sequence[int]],
    y_test,
    vocab: int | None = DEFAULT_VOCAB,
    maxlen: int = DEFAULT_MAXLEN,
) -> dict[str, np.ndarray]:
    """Raw word-rank lists (as stored in imdb.npz) -> Keras-ordered, padded int32 ids and int64 labels.

    Also returns ``len_train``/``len_test``: each review's length with its start token, before
    padding or truncation (for the length statistics in ``Dataset.meta``).
    """
    y_train = np.asarray(y_train).astype(np.int64).reshape(-1)
    y_test = np.asarray(y_test).astype(np.int64).reshape(-1)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"{len(x_train)}/{len(x_test)} reviews but {len(y_train)}/{len(y_test)} labels")
    order_train, order_test = keras_order(len(x_train), len(x_test))
    reviews = [x_train[i] for i in order_train] + [x_test[i] for i in order_test]
    seqs, _ = with_ids(reviews, vocab)  # one limit over train+test, as Keras computes it
    x = text.pad_sequences(seqs, maxlen)
    lengths = np.array([len(s) for s in seqs], dtype=np.int32)
    n = len(order_train)
    return {
        "x_train": x[:n],
        "y_train": y_train[order_train],
        "x_test": x[n:],
        "y_test": y_test[order_test],
        "len_train": lengths[:n],
        "len_test": lengths[n:],
    }


def meta(vocab: int | None, maxlen: int, len_train: np.ndarray, len_test: np.ndarray) -> dict:
    lengths = np.concatenate([len_train, len_test])
    return {
        "vocab": vocab,
        "maxlen": int(maxlen),
        "start_char": START_CHAR,
        "oov_char": OOV_CHAR,
        "index_from": INDEX_FROM,
        "pad": text.PAD,
        "padding": "pre",
        "truncating": "pre",
        "keras_shuffle_seed": KERAS_SEED,
        "length_median": float(np.median(lengths)) if len(lengths) else 0.0,
        "length_mean": float(np.mean(lengths)) if len(lengths) else 0.0,
        "truncated_fraction": float(np.mean(lengths > maxlen)) if len(lengths) else 0.0,
    }


def read_verified_npz(path: Path, vocab: int | None, maxlen: int) -> dict[str, np.ndarray]:
    """Decode ``imdb.npz``. Call ONLY on a file whose sha256 matched (object arrays: it unpickles)."""
    with np.load(path, allow_pickle=True) as f:
        parts = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    return preprocess(parts["x_train"], parts["y_train"], parts["x_test"], parts["y_test"], vocab, maxlen)


def from_cache(cache_dir: Path, download: bool, vocab: int | None, maxlen: int) -> Raw:
    sha256 = integrity.IMDB_SHA256  # read at call time (tests substitute a small file's digest)
    key = f"imdb-{sha256[:16]}-v{vocab or 0}-l{int(maxlen)}"
    made_from = {integrity.IMDB_NPZ: f"sha256:{sha256}"}

    def build() -> dict[str, np.ndarray]:
        path = cache.verified_file([cache_dir / integrity.IMDB_NPZ], integrity.IMDB_URL, sha256, download, "IMDB")
        # Only now, with the digest matched, is the file's pickled content loaded.
        try:
            return read_verified_npz(path, vocab, maxlen)
        except Exception as exc:  # verified yet unreadable: a digest substituted wrongly, or a bug
            line = f"datasets: {path.name} passed sha256 but cannot be decoded: {type(exc).__name__}: {exc}"
            integrity.warn(line)
            raise SourceRefused("cached IMDB undecodable", line) from None

    layout = cache.Layout(np.int32, ((int(maxlen),),))
    arrays, notes = cache.decoded(cache_dir, key, made_from, layout, build, "IMDB")
    return Raw(
        x_train=arrays["x_train"],
        y_train=arrays["y_train"],
        x_test=arrays["x_test"],
        y_test=arrays["y_test"],
        source=SOURCE,
        origin="imdb",
        notes=notes,
        meta={**meta(vocab, maxlen, arrays["len_train"], arrays["len_test"]), "made_from": made_from},
    )
