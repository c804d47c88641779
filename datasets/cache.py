"""The cache directory, verified downloads (pooch, imported lazily) and the decoded-array cache.

Decoded arrays are kept as ``<cache>/decoded/<key>.<sha256[:16]>.npz`` where ``key`` names the
dataset and the digest of the *verified* source it came from, and the second digest is that of the
``.npz`` file itself, so a truncated or edited cache file is noticed and silently rebuilt. They are
loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

from . import integrity

ENV_VAR = "DLPARITY_DATA"
DEFAULT_DIR = Path("~/.cache/dlparity")


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """The argument, else ``$DLPARITY_DATA``, else ``~/.cache/dlparity`` (not created here)."""
    if cache_dir is None:
        cache_dir = os.environ.get(ENV_VAR) or DEFAULT_DIR
    return Path(cache_dir).expanduser()


class FetchError(Exception):
    """A download was asked for and could not be done. ``str()`` is one line."""


def fetch(url: str, path: Path, sha256: str) -> Path:
    """Download ``url`` to ``path`` with pooch, checked against ``sha256`` (re-fetch on mismatch)."""
    try:
        import pooch  # lazy: pooch is only needed when downloading
    except ImportError as exc:
        raise FetchError(f"datasets: cannot download {path.name}: pooch is not installed ({exc})") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        got = pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=path.name, path=path.parent, progressbar=False)
    except Exception as exc:  # network, HTTP, pooch's own hash check
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise FetchError(f"datasets: download of {url} failed: {type(exc).__name__}: {first}"[:300]) from None
    got = Path(got)
    if got != path and got.resolve() != path.resolve():  # pooch should honour fname/path
        os.replace(got, path)
    # Belt and braces: our own check, independent of pooch's.
    try:
        integrity.verify_file(path, sha256, hint="the download itself is corrupt")
    except integrity.IntegrityError as exc:
        raise FetchError(str(exc)) from None
    return path


def verified_file(
    candidates: list[Path],
    url: str,
    sha256: str,
    download: bool,
    label: str,
    hint: str = "delete it or re-run with --download",
) -> Path:
    """The first existing path of ``candidates`` once it matched ``sha256``, else a fresh download.

    Not there and no ``download``: :class:`~datasets.base.SourceAbsent`. There but wrong (edited,
    truncated): one warned line, then re-fetched with ``download`` or
    :class:`~datasets.base.SourceRefused`. A failed download: one warned line and ``SourceRefused``.
    Downloads go to ``candidates[0]``. Nothing here opens the file beyond hashing it.
    """
    from .base import SourceAbsent, SourceRefused  # (base imports nothing from here)

    present = next((p for p in candidates if p.exists()), None)
    if present is not None:
        try:
            integrity.verify_file(present, sha256, hint=hint if not download else "re-fetching")
            return present
        except integrity.IntegrityError as exc:
            integrity.warn(str(exc))
            if not download:
                raise SourceRefused(f"cached {label} failed sha256", str(exc)) from None
    elif not download:
        raise SourceAbsent(f"{label} not cached")
    target = candidates[0]
    try:
        fetch(url, target, sha256)
    except FetchError as exc:
        integrity.warn(str(exc))
        raise SourceRefused(f"{label} download failed", str(exc)) from None
    return target


# --- decoded-array cache -----------------------------------------------------------------------


def _decoded_dir(cache_dir: Path) -> Path:
    return cache_dir / "decoded"


def load_decoded(cache_dir: Path, key: str) -> dict[str, np.ndarray] | None:
    """Arrays cached under ``key``, or None if absent/corrupt (a corrupt one is removed)."""
    folder = _decoded_dir(cache_dir)
    if not folder.is_dir():
        return None
    for candidate in sorted(folder.glob(f"{key}.*.npz")):
        want = candidate.name[len(key) + 1 : -len(".npz")]
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if len(want) != 16 or integrity.digest_bytes(data)[:16] != want:
            _unlink_quietly(candidate)
            continue
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                return {name: npz[name] for name in npz.files}
        except Exception:
            _unlink_quietly(candidate)
    return None


def save_decoded(cache_dir: Path, key: str, arrays: dict[str, np.ndarray]) -> Path | None:
    """Write ``arrays`` under ``key`` atomically; best effort (returns None if not writable)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = buf.getvalue()
    folder = _decoded_dir(cache_dir)
    final = folder / f"{key}.{integrity.digest_bytes(data)[:16]}.npz"
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{key}.", suffix=".tmp", delete=False) as fh:
            tmp = fh.name
            fh.write(data)
        os.replace(tmp, final)
        return final
    except OSError:
        if tmp is not None:
            _unlink_quietly(Path(tmp))
        return None


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
