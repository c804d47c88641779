"""IDX format (the MNIST / Fashion-MNIST container): parse, read, write. NumPy only.

Layout: two zero bytes, a type byte, a rank byte, ``rank`` big-endian uint32 dimensions, then the
data in big-endian C order.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("=").str[1:]: code for code, dt in _TYPES.items()}


class IdxError(ValueError):
    pass


def parse_idx(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decode IDX bytes into an array of native byte order (read-only view for 1-byte types)."""
    buf = memoryview(data)
    if len(buf) < 4:
        raise IdxError(f"IDX data too short ({len(buf)} bytes)")
    zero0, zero1, code, rank = struct.unpack_from(">BBBB", buf, 0)
    if zero0 or zero1:
        raise IdxError(f"bad IDX magic {bytes(buf[:4]).hex()}")
    if code not in _TYPES:
        raise IdxError(f"unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * rank
    if len(buf) < header:
        raise IdxError(f"IDX header truncated ({len(buf)} < {header} bytes)")
    dims = struct.unpack_from(f">{rank}I", buf, 4)
    dtype = _TYPES[code]
    count = int(np.prod(dims, dtype=np.int64)) if rank else 1
    need = header + count * dtype.itemsize
    if len(buf) != need:
        raise IdxError(f"IDX payload is {len(buf) - header} bytes, shape {dims} needs {need - header}")
    arr = np.frombuffer(buf, dtype=dtype, count=count, offset=header).reshape(dims)
    if dtype.itemsize > 1:
        arr = arr.astype(dtype.newbyteorder("="))
    return arr


def read_idx(path: Path | str) -> np.ndarray:
    """Read an ``.idx`` file, gunzipping when the name ends in ``.gz``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return parse_idx(fh.read())


def encode_idx(arr: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (inverse of :func:`parse_idx`)."""
    arr = np.asarray(arr)
    key = arr.dtype.newbyteorder("=").str[1:]
    if key not in _CODES:
        raise IdxError(f"dtype {arr.dtype} has no IDX type code")
    code = _CODES[key]
    header = struct.pack(f">BBBB{arr.ndim}I", 0, 0, code, arr.ndim, *arr.shape)
    return header + np.ascontiguousarray(arr, dtype=_TYPES[code]).tobytes()
