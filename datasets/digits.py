"""scikit-learn's bundled 8x8 digits (``load_digits``: 1797 images, 16 grey levels), offline real data.

Read straight from ``sklearn/datasets/data/digits.csv.gz`` (64 pixels + label per row), found
without importing scikit-learn (slow); the decoded arrays must match a pinned sha256. The set has
no official split: a fixed stratified one, independent of the seed, takes the last fifth of each
class (in file order) as the test set (1442 train / 355 test).
"""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from pathlib import Path

import numpy as np

from . import integrity
from .base import Raw, SourceAbsent, SourceRefused

REL = Path("datasets", "data", "digits.csv.gz")
SOURCE = "scikit-learn digits (8x8, sha256-verified)"
FULL_SIZES = (1442, 355)
LEVELS = 16  # pixel values are 0..16


def csv_path() -> Path | None:
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / REL
        if path.is_file():
            return path
    return None


def arrays_digest(x: np.ndarray, y: np.ndarray) -> str:
    return integrity.digest_bytes(x.astype(np.uint8).tobytes() + y.astype(np.uint8).tobytes())


def from_sklearn(path: Path | None = None) -> Raw:
    path = csv_path() if path is None else Path(path)
    if path is None or not path.is_file():
        raise SourceAbsent("scikit-learn (digits.csv.gz) not installed")
    try:
        with gzip.open(path, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        line = f"datasets: {path} cannot be read ({exc}); reinstall scikit-learn"
        integrity.warn(line)
        raise SourceRefused("scikit-learn digits unreadable", line) from None
    ok = table.shape[1:] == (65,) and np.all(table == np.rint(table)) and table.min() >= 0 and table.max() <= LEVELS
    x = np.rint(table[:, :64]).astype(np.uint8) if ok else None
    y = np.rint(table[:, 64]).astype(np.int64) if ok else None
    got = arrays_digest(x, y) if ok else "0" * 64
    want = integrity.DIGITS_ARRAYS_SHA256
    if got != want:
        line = integrity.mismatch_line(f"{path} (decoded)", "sha256", got, want, "reinstall scikit-learn")
        integrity.warn(line)
        raise SourceRefused("scikit-learn digits failed sha256", line)
    test_mask = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        test_mask[rows[len(rows) - len(rows) // 5 :]] = True
    return Raw(
        x_train=x[~test_mask],
        y_train=y[~test_mask],
        x_test=x[test_mask],
        y_test=y[test_mask],
        source=SOURCE,
        origin="digits",
        meta={"levels": LEVELS},
    )
