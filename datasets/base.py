"""What a source hands back to the loader, and how it says "not here" or "refused"."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Raw:
    """Arrays of one source, full splits: uint8 pixels (scaled later) or int32 token ids; integer labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    origin: str  # "mnist", "fashion-mnist", "mnist-5k", "cifar10", "digits", "imdb", "babi", "synthetic"
    notes: list[str] = field(default_factory=list)
    # Text sets: already final int32 token ids (not scaled); ``meta`` carries vocabulary sizes,
    # lengths and the like into ``Dataset.meta``.
    meta: dict = field(default_factory=dict)


class SourceAbsent(Exception):
    """The source is not available here (not cached, package not installed): try the next one."""


class SourceRefused(Exception):
    """The source exists but was refused (checksum, unreadable, download failed).

    ``reason`` is short and goes into ``Dataset.source`` of whatever source is used instead;
    ``line`` is the one-line message already warned.
    """

    def __init__(self, reason: str, line: str):
        super().__init__(line)
        self.reason = reason
        self.line = line
