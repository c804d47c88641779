"""CIFAR-10 from the python tarball in the cache directory (sha256-verified before any unpickling)."""

from __future__ import annotations

import pickle
import tarfile
from pathlib import Path

import numpy as np

from . import cache, integrity
from .base import Raw, SourceAbsent, SourceRefused

HINT = "delete it or re-run with --download"
SOURCE = "CIFAR-10 (cache, sha256-verified)"
TRAIN_MEMBERS = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_MEMBERS = ("test_batch",)


IMAGES = cache.Layout(np.uint8, ((3, 32, 32),))


def from_cache(cache_dir: Path, download: bool) -> Raw:
    sha256 = integrity.CIFAR10_SHA256  # read at call time (tests substitute a small tarball's digest)
    key = "cifar10-" + sha256[:16]
    path = cache_dir / integrity.CIFAR10_TARBALL
    made_from = {integrity.CIFAR10_TARBALL: f"sha256:{sha256}"}

    def build() -> dict[str, np.ndarray]:
        if path.exists():
            try:
                integrity.verify_file(path, sha256, hint=HINT if not download else "re-fetching")
            except integrity.IntegrityError as exc:
                integrity.warn(str(exc))
                if not download:
                    raise SourceRefused("cached CIFAR-10 failed sha256", str(exc)) from None
                _fetch(path, sha256)
        elif download:
            _fetch(path, sha256)
        else:
            raise SourceAbsent("CIFAR-10 not cached")
        # Only now, with the digest matched, is anything inside the tarball unpickled.
        try:
            return read_verified_tarball(path)
        except Exception as exc:  # verified yet unreadable: a digest substituted wrongly, or a bug
            line = f"datasets: {path.name} passed sha256 but cannot be decoded: {type(exc).__name__}: {exc}"
            integrity.warn(line)
            raise SourceRefused("cached CIFAR-10 undecodable", line) from None

    arrays, notes = cache.decoded(cache_dir, key, made_from, IMAGES, build, "CIFAR-10")
    return Raw(**arrays, source=SOURCE, origin="cifar10", notes=notes, meta={"made_from": made_from})


def _fetch(path: Path, sha256: str) -> None:
    try:
        cache.fetch(integrity.CIFAR10_URL, path, sha256)
    except cache.FetchError as exc:
        integrity.warn(str(exc))
        raise SourceRefused("CIFAR-10 download failed", str(exc)) from None


def read_verified_tarball(path: Path) -> dict[str, np.ndarray]:
    """Decode the batches. Call ONLY on a tarball whose sha256 matched (it unpickles)."""
    found: dict[str, dict] = {}
    wanted = set(TRAIN_MEMBERS + TEST_MEMBERS)
    with tarfile.open(path, "r:gz") as tf:
        for member in tf:
            base = member.name.rsplit("/", 1)[-1]
            if member.isfile() and base in wanted:
                fh = tf.extractfile(member)
                found[base] = pickle.loads(fh.read(), encoding="bytes")
    missing = wanted - set(found)
    if missing:
        raise ValueError(f"tarball lacks {sorted(missing)}")

    def stack(names):
        xs = [np.asarray(found[n][b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32) for n in names]
        ys = [np.asarray(found[n][b"labels"], dtype=np.int64) for n in names]
        return np.concatenate(xs), np.concatenate(ys)

    x_train, y_train = stack(TRAIN_MEMBERS)
    x_test, y_test = stack(TEST_MEMBERS)
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if len(x) != len(y):
            raise ValueError(f"{len(x)} images but {len(y)} labels")
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
