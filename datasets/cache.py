"""The cache directory, verified downloads (pooch, imported lazily) and the decoded-array cache.

Decoded arrays are kept as ``<cache>/decoded/<key>.<sha256[:16]>.npz`` where ``key`` names the
dataset and the digest of the *verified* source it came from, and the second digest is that of the
``.npz`` file itself. Beside the arrays the file names the verified files that made them (name and
digest). An entry is used only when its own digest, that provenance and the arrays' shapes and
dtypes all match; anything else is removed with one warned line that the dataset's notes carry into
the record, and the arrays are rebuilt from the verified source. Loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
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

MADE_FROM = "__made_from__"  # the member naming the verified files that made an entry's arrays


@dataclass(frozen=True)
class Layout:
    """What a dataset's arrays must be: ``x_*`` of ``x_dtype`` with one of ``x_tails`` as the
    per-sample shape (None: any, 2-D), ``y_*`` integer labels, one per sample."""

    x_dtype: type
    x_tails: tuple[tuple[int, ...], ...] | None = None

    def problem(self, arrays: dict[str, np.ndarray]) -> str | None:
        """What is wrong with ``arrays`` in a few words, or None."""
        for split in ("train", "test"):
            x, y = arrays.get(f"x_{split}"), arrays.get(f"y_{split}")
            if x is None or y is None:
                return f"no x_{split}/y_{split}"
            if x.dtype != self.x_dtype:
                return f"x_{split} is {x.dtype}, not {np.dtype(self.x_dtype)}"
            if self.x_tails is None and x.ndim != 2 or self.x_tails is not None and x.shape[1:] not in self.x_tails:
                return f"x_{split} has shape {x.shape}"
            if y.shape != (len(x),) or y.dtype.kind not in "iu":
                return f"y_{split} is {y.dtype} {y.shape} for {len(x)} samples"
        return None


def decoded(
    cache_dir: Path,
    key: str,
    made_from: dict[str, str],
    layout: Layout,
    build: Callable[[], dict[str, np.ndarray]],
    label: str,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """The arrays of ``key``: from the decoded cache when it is proven, else ``build()`` and cached.

    ``made_from``: the verified files that make these arrays (file name -> ``"sha256:<hex>"``).
    Returns the arrays and the notes (the one warned line if a cached entry was refused). Built
    arrays that do not fit ``layout`` are refused (:class:`~datasets.base.SourceRefused`), as is a
    missing source after a refused entry, so that the source used instead says why.
    """
    from .base import SourceAbsent, SourceRefused

    arrays, note = load_decoded(cache_dir, key, made_from, layout)
    if arrays is not None:
        return arrays, []
    try:
        arrays = build()
    except SourceAbsent:
        if note is None:
            raise
        raise SourceRefused(f"decoded {label} cache refused", note) from None
    wrong = layout.problem(arrays)
    if wrong is not None:
        line = f"datasets: {label} decoded from {', '.join(made_from)} is not as expected: {wrong}"
        integrity.warn(line)
        raise SourceRefused(f"{label} decoded wrongly", line)
    save_decoded(cache_dir, key, arrays, made_from)
    return arrays, [note] if note else []


def _decoded_dir(cache_dir: Path) -> Path:
    return cache_dir / "decoded"


def load_decoded(
    cache_dir: Path, key: str, made_from: dict[str, str], layout: Layout
) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """Arrays cached under ``key`` and the note on a refused entry (warned once, the file removed).

    An entry is refused when its bytes do not match the digest in its name, it cannot be read, it
    does not name ``made_from`` as the files that made it, or its arrays do not fit ``layout``.
    """
    folder = _decoded_dir(cache_dir)
    if not folder.is_dir():
        return None, None
    note = None
    for candidate in sorted(folder.glob(f"{key}.*.npz")):
        want = candidate.name[len(key) + 1 : -len(".npz")]
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if len(want) != 16 or integrity.digest_bytes(data)[:16] != want:
            why = "its bytes do not match the digest in its name (truncated or edited)"
        else:
            arrays, why = _read(data, made_from, layout)
            if arrays is not None:
                return arrays, note
        note = f"datasets: decoded cache {candidate.name} refused: {why}; rebuilt from the verified source"
        integrity.warn(note)
        _unlink_quietly(candidate)
    return None, note


def _read(data: bytes, made_from: dict[str, str], layout: Layout) -> tuple[dict | None, str]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as exc:
        return None, f"unreadable ({type(exc).__name__})"
    said = arrays.pop(MADE_FROM, None)
    try:
        said = json.loads(str(said)) if said is not None else None
    except ValueError:
        said = None
    if not isinstance(said, dict):
        return None, "it names no verified files that made it (written by an older dlparity, or not by dlparity)"
    if said != made_from:
        odd = sorted(set(said) ^ set(made_from)) or [n for n in made_from if said[n] != made_from[n]]
        name = odd[0]
        return (
            None,
            f"made from {name} {said.get(name, 'absent')[:19]}, not the verified {made_from.get(name, 'none')[:19]}",
        )
    wrong = layout.problem(arrays)
    if wrong is not None:
        return None, wrong
    return arrays, ""


def save_decoded(cache_dir: Path, key: str, arrays: dict[str, np.ndarray], made_from: dict[str, str]) -> Path | None:
    """Write ``arrays`` and ``made_from`` under ``key`` atomically; best effort (None if not writable)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays, **{MADE_FROM: np.array(json.dumps(made_from, sort_keys=True))})
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
