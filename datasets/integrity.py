"""Checksums, published digests and the one-line integrity messages.

Everything here is stdlib only. A file is verified *before* anything parses it (and a pickle
is never opened before its tarball's sha256 matched).
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

# --- published digests (DESIGN.md section 5) -------------------------------------------------

MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
KERAS_MNIST_NPZ = "mnist.npz"
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

# Debian dataset-fashion-mnist: its .gz headers differ from upstream, so these are md5s of the
# *decompressed* IDX bytes.
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_TARBALL = "cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_SIZE = 170_498_071

# Keras' imdb.npz: object arrays of word-rank lists (pickled), so it is opened only after this matched.
IMDB_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
IMDB_NPZ = "imdb.npz"
IMDB_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"

# The bAbI tasks v1.2 tarball (plain text inside; still verified before it is read).
BABI_URL = "https://dl.fbaipublicfiles.com/babi/tasks_1-20_v1-2.tar.gz"
BABI_TARBALL = "tasks_1-20_v1-2.tar.gz"
BABI_TARBALL_ALIASES = ("babi-tasks-v1-2.tar.gz",)  # the name the Keras babi_rnn example caches it under
BABI_SHA256 = "0364ebde659f14d11bc21744516c5ec49d3d06cb692733f66680771244998898"

# scikit-learn's bundled digits (sklearn/datasets/data/digits.csv.gz, the UCI optdigits test set):
# sha256 of the *decoded* arrays (1797 x 64 uint8 pixels in 0..16, then 1797 uint8 labels), so a
# reformatted CSV in a later scikit-learn still passes and a damaged one does not.
DIGITS_ARRAYS_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


class DatasetWarning(UserWarning):
    """A data file was refused (bad checksum, unreadable) or a download failed."""


class IntegrityError(Exception):
    """A file exists but does not match its published digest. ``str()`` is the one-line message."""


def digest_bytes(data: bytes | memoryview, algo: str = "sha256") -> str:
    return hashlib.new(algo, data).hexdigest()


def digest_file(path: Path, algo: str = "sha256", chunk: int = 1 << 22) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def short(hexdigest: str) -> str:
    return hexdigest[:12] + "…"


def mismatch_line(what: str, algo: str, got: str, want: str, hint: str) -> str:
    """The one line shown for a refused file."""
    return f"datasets: {what} fails {algo} (got {short(got)}, want {short(want)}); {hint}"


def verify_file(path: Path, want: str, algo: str = "sha256", *, hint: str) -> None:
    """Raise :class:`IntegrityError` with one line unless ``path`` hashes to ``want``."""
    got = digest_file(path, algo)
    if got != want:
        raise IntegrityError(mismatch_line(f"cached {path.name}", algo, got, want, hint))


def warn(line: str) -> None:
    warnings.warn(line, DatasetWarning, stacklevel=3)
