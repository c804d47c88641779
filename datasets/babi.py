"""bAbI question answering (tasks v1.2) as the Keras ``babi_rnn`` example prepares it.

File format (one line each, ids restart at 1 with every new story)::

    1 Mary moved to the bathroom.
    2 John went to the hallway.
    3 Where is Mary? \tbathroom\t1

A line with tabs is a question: ``question \t answer \t supporting ids``. Each question becomes one
sample: the story so far (all statements before it in that story, or only the supporting ones with
``only_supporting``), flattened into one token list; the question's tokens; the answer word.
Tokens are word runs and punctuation runs (``re.split(r"(\\W+)")``, stripped; the example's
original ``(\\W+)?`` splits every character apart on Python >= 3.7 and was fixed upstream to
this). The vocabulary is ``sorted`` over the words of train *and* test stories, questions and
answers; ids are 1-based (0 pads). Story and query are pre-padded/pre-truncated with 0
(``pad_sequences`` defaults) to ``story_maxlen``/``query_maxlen``, which the example measures as
the longest in train+test.

Two inputs in one array: ``x`` is ``[story | query]`` along axis 1, int32, so that every generic
path (seeded subsets, ``batches``, the worker's .npz) handles it unchanged; ``Dataset.inputs``
names the column blocks (``(("story", S), ("query", Q))``) and ``Dataset.split_inputs(x)`` cuts
them apart. ``y`` is the answer's word id (int64); ``num_classes`` is ``vocab_size`` (words + 1,
the example's softmax width).
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterable, Sequence
from functools import reduce
from pathlib import Path

import numpy as np

from . import cache, integrity, text
from .base import Raw, SourceRefused

DEFAULT_TASK = 1
DEFAULT_VARIANT = "en"
ARCHIVE_ROOT = "tasks_1-20_v1-2"
SOURCE = "bAbI (cache tasks_1-20_v1-2.tar.gz, sha256-verified)"
# Task 1 ("single supporting fact"): its 21 words (sorted as the example sorts them) and the
# lengths the Keras memory-network example prints for it on en-10k ("Vocab size: 22 unique words,
# Story max length: 68 words, Query max length: 4 words"). A story is at most 10 statements of 6
# or 7 tokens ("X went back to the Y ."), so 68 is not far below the bound of 70; the 1k "en" set
# has not been measured here (no copy offline). They are the default padded lengths for task 1,
# so that real and synthetic task-1 data have one shape; a longer real story would be
# pre-truncated and counted in ``meta["story_truncated"]``.
TASK1_WORDS = (
    ".", "?", "Daniel", "John", "Mary", "Sandra", "Where", "back", "bathroom", "bedroom", "garden",
    "hallway", "is", "journeyed", "kitchen", "moved", "office", "the", "to", "travelled", "went",
)  # fmt: skip
KNOWN_SHAPES = {1: (68, 4)}  # task -> (story_maxlen, query_maxlen)

Sample = tuple[list[str], list[str], str]


def tokenize(sentence: str) -> list[str]:
    """``'Bob dropped the apple. Where is the apple?'`` -> ``['Bob', 'dropped', ..., '?']``."""
    return [tok.strip() for tok in re.split(r"(\W+)", sentence) if tok.strip()]


def parse_stories(
    lines: Iterable[bytes | str], only_supporting: bool = False
) -> list[tuple[list[list[str]], list[str], str]]:
    """``(story sentences, question tokens, answer)`` per question, in file order."""
    data = []
    story: list = []
    for number, raw in enumerate(lines, 1):
        line = (raw.decode("utf-8") if isinstance(raw, bytes) else raw).strip()
        if not line:
            continue
        try:
            nid_text, line = line.split(" ", 1)
            nid = int(nid_text)
        except ValueError:
            raise ValueError(f"line {number}: not '<id> <text>': {line[:60]!r}") from None
        if nid == 1:
            story = []
        if "\t" in line:
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"line {number}: a question needs 'question<TAB>answer<TAB>ids': {line[:60]!r}")
            question, answer, supporting = parts
            if only_supporting:
                substory = [story[int(i) - 1] for i in supporting.split()]
            else:
                substory = [s for s in story if s]
            data.append((substory, tokenize(question), answer.strip()))
            story.append("")  # keeps statement ids aligned with list positions
        else:
            story.append(tokenize(line))
    return data


def get_stories(lines: Iterable[bytes | str], only_supporting: bool = False) -> list[Sample]:
    """As :func:`parse_stories`, with each story's sentences flattened into one token list."""
    return [
        (reduce(lambda a, b: a + b, story, []), question, answer)
        for story, question, answer in parse_stories(lines, only_supporting)
    ]


def vocabulary(train: Sequence[Sample], test: Sequence[Sample]) -> list[str]:
    words: set[str] = set()
    for story, question, answer in list(train) + list(test):
        words |= set(story + question + [answer])
    return sorted(words)


def vectorize(
    train: Sequence[Sample],
    test: Sequence[Sample],
    story_maxlen: int | None = None,
    query_maxlen: int | None = None,
    words: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """Samples -> ``x_*`` int32 ``(N, story_maxlen + query_maxlen)`` (story, then query), ``y_*`` int64.

    ``story_maxlen``/``query_maxlen`` None: the longest in train+test (the example's rule).
    ``words``: the vocabulary (default: :func:`vocabulary` of train+test); id = position + 1.
    Also returns ``words`` (unicode array), the padded lengths ``story_maxlen``/``query_maxlen``
    (0-d) and the unpadded lengths ``story_len_*``/``query_len_*``.
    """
    words = list(vocabulary(train, test) if words is None else words)
    index = {w: i + 1 for i, w in enumerate(words)}
    everything = list(train) + list(test)
    if story_maxlen is None:
        story_maxlen = max((len(s) for s, _, _ in everything), default=1)
    if query_maxlen is None:
        query_maxlen = max((len(q) for _, q, _ in everything), default=1)
    out: dict[str, np.ndarray] = {
        "words": np.array(words, dtype=str),
        "story_maxlen": np.array(story_maxlen),
        "query_maxlen": np.array(query_maxlen),
    }
    for split, samples in (("train", train), ("test", test)):
        try:
            stories = [[index[w] for w in s] for s, _, _ in samples]
            queries = [[index[w] for w in q] for _, q, _ in samples]
            answers = [index[a] for _, _, a in samples]
        except KeyError as exc:
            raise ValueError(f"word {exc.args[0]!r} is not in the vocabulary") from None
        story_x = text.pad_sequences(stories, story_maxlen)
        query_x = text.pad_sequences(queries, query_maxlen)
        out[f"x_{split}"] = np.concatenate([story_x, query_x], axis=1)
        out[f"y_{split}"] = np.array(answers, dtype=np.int64)
        out[f"story_len_{split}"] = np.array([len(s) for s in stories], dtype=np.int32)
        out[f"query_len_{split}"] = np.array([len(q) for q in queries], dtype=np.int32)
    return out


def meta(arrays: dict[str, np.ndarray], task: int, variant: str, only_supporting: bool) -> dict:
    words = [str(w) for w in arrays["words"]]
    story_maxlen = int(arrays["story_maxlen"])
    query_maxlen = int(arrays["query_maxlen"])
    story_len = np.concatenate([arrays["story_len_train"], arrays["story_len_test"]])
    query_len = np.concatenate([arrays["query_len_train"], arrays["query_len_test"]])
    return {
        "task": int(task),
        "variant": variant,
        "only_supporting": bool(only_supporting),
        "words": words,
        "vocab_size": len(words) + 1,
        "story_maxlen": story_maxlen,
        "query_maxlen": query_maxlen,
        "story_len_max": int(story_len.max()) if len(story_len) else 0,
        "query_len_max": int(query_len.max()) if len(query_len) else 0,
        "story_truncated": text.truncated(story_len, story_maxlen),
        "query_truncated": text.truncated(query_len, query_maxlen),
    }


def member_name(names: Iterable[str], task: int, variant: str, split: str) -> str:
    """The tarball member of ``qa<task>_<name>_<split>.txt`` under ``<root>/<variant>/``."""
    prefix = f"{ARCHIVE_ROOT}/{variant}/qa{int(task)}_"
    found = [n for n in names if n.startswith(prefix) and n.endswith(f"_{split}.txt")]
    if len(found) != 1:
        raise ValueError(f"no single member {prefix}*_{split}.txt in the tarball (found {found})")
    return found[0]


def read_verified_tarball(
    path: Path, task: int, variant: str, only_supporting: bool
) -> tuple[list[Sample], list[Sample]]:
    """Parse one task's train and test files. Call on a tarball whose sha256 matched."""
    with tarfile.open(path, "r:gz") as tf:
        names = tf.getnames()
        splits = []
        for split in ("train", "test"):
            fh = tf.extractfile(member_name(names, task, variant, split))
            if fh is None:
                raise ValueError(f"{split} member is not a file")
            splits.append(get_stories(fh.read().splitlines(), only_supporting))
    return splits[0], splits[1]


def resolve_lengths(task: int, story_maxlen: int | None, query_maxlen: int | None) -> tuple[int | None, int | None]:
    """Explicit lengths win; else the pinned task shape (task 1); else None (measured from the data)."""
    known = KNOWN_SHAPES.get(int(task), (None, None))
    return (
        known[0] if story_maxlen is None else int(story_maxlen),
        known[1] if query_maxlen is None else int(query_maxlen),
    )


def from_cache(
    cache_dir: Path,
    download: bool,
    task: int = DEFAULT_TASK,
    variant: str = DEFAULT_VARIANT,
    story_maxlen: int | None = None,
    query_maxlen: int | None = None,
    only_supporting: bool = False,
) -> Raw:
    sha256 = integrity.BABI_SHA256  # read at call time (tests substitute a small tarball's digest)
    story_maxlen, query_maxlen = resolve_lengths(task, story_maxlen, query_maxlen)
    key = (
        f"babi-{sha256[:16]}-{variant}-qa{int(task)}-s{story_maxlen or 0}-q{query_maxlen or 0}"
        f"-{'sup' if only_supporting else 'all'}"
    )
    made_from = {integrity.BABI_TARBALL: f"sha256:{sha256}"}

    def build() -> dict[str, np.ndarray]:
        names = [integrity.BABI_TARBALL, *integrity.BABI_TARBALL_ALIASES]
        path = cache.verified_file([cache_dir / n for n in names], integrity.BABI_URL, sha256, download, "bAbI")
        try:
            train, test = read_verified_tarball(path, task, variant, only_supporting)
            return vectorize(train, test, story_maxlen, query_maxlen)
        except Exception as exc:  # verified yet unreadable, or no such task/variant inside
            line = f"datasets: {path.name} passed sha256 but cannot be decoded: {type(exc).__name__}: {exc}"
            integrity.warn(line)
            raise SourceRefused("cached bAbI undecodable", line) from None

    width = (story_maxlen + query_maxlen,) if story_maxlen and query_maxlen else None
    layout = cache.Layout(np.int32, None if width is None else (width,))
    arrays, notes = cache.decoded(cache_dir, key, made_from, layout, build, "bAbI")
    raw = raw_from_arrays(arrays, SOURCE, "babi", task, variant, only_supporting)
    raw.notes, raw.meta["made_from"] = notes, made_from
    return raw


def raw_from_arrays(arrays, source: str, origin: str, task: int, variant: str, only_supporting: bool) -> Raw:
    return Raw(
        x_train=arrays["x_train"],
        y_train=arrays["y_train"],
        x_test=arrays["x_test"],
        y_test=arrays["y_test"],
        source=source,
        origin=origin,
        meta=meta(arrays, task, variant, only_supporting),
    )
