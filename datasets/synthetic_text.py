"""Synthetic stand-ins for the text sets: the real shapes, dtypes, id conventions and lengths.

IMDB: review lengths (words, before the start token) are log-normal, fitted to the real set's
median ~174 and mean ~234 words (mu = ln 174, sigma = sqrt(2 ln(234/174)) ~ 0.77: a long right
tail), rounded and clipped to [10, 2494] (the real extremes are about that). Words are word ranks
drawn from a Zipf-Mandelbrot law over Keras' 88,584-word index (p(r) ~ 1/(r + 2.7)); a small
fraction (5 %) of each review's words come from a 300-word lexicon of its class, so a model can
learn something. Then exactly the real pipeline: start token 1, ranks + 3, OOV 2 at/above the
vocabulary, pre-padding/pre-truncation with 0 to ``maxlen``. Labels balanced 0/1.

bAbI task 1: stories are generated in the bAbI text format by task 1's own grammar (four people,
six places, "X moved/went/journeyed/travelled/went back to the Y.", five "Where is X?" questions
per 15-line story, answered by that person's latest place) and run through the same parser and
vectorizer as the real files, with task 1's fixed 21-word vocabulary.

Only the draws depend on ``seed`` (train and test use separate streams).
"""

from __future__ import annotations

import math

import numpy as np

from . import babi, imdb

IMDB_LENGTH_MEDIAN = 174.0
IMDB_LENGTH_MEAN = 234.0
IMDB_LENGTH_MU = math.log(IMDB_LENGTH_MEDIAN)
IMDB_LENGTH_SIGMA = math.sqrt(2.0 * math.log(IMDB_LENGTH_MEAN / IMDB_LENGTH_MEDIAN))
IMDB_LENGTH_RANGE = (10, 2494)
KERAS_IMDB_WORDS = 88584
ZIPF_SHIFT = 2.7
SIGNAL_FRACTION = 0.05
LEXICON_SIZE = 300
_LEXICON_SEED = 0x1DB
IMDB_MODEL = (
    "log-normal review lengths (median 174, mean 234 words), Zipf-Mandelbrot word ranks, "
    "5 % class-lexicon words; Keras ids and padding"
)
BABI_MODEL = "task-1 grammar stories in the bAbI file format, through the same parser and vectorizer"


def _zipf_cdf(words: int = KERAS_IMDB_WORDS) -> np.ndarray:
    weights = 1.0 / (np.arange(1, words + 1, dtype=np.float64) + ZIPF_SHIFT)
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def _lexicons() -> np.ndarray:
    """Two disjoint fixed sets of word ranks (one per class), from the frequent-but-not-top ranks."""
    ranks = np.random.default_rng(_LEXICON_SEED).permutation(np.arange(30, 5000))[: 2 * LEXICON_SIZE]
    return ranks.reshape(2, LEXICON_SIZE)


def imdb_lengths(n: int, rng: np.random.Generator) -> np.ndarray:
    """Review lengths in words (without the start token), log-normal, rounded and clipped."""
    lo, hi = IMDB_LENGTH_RANGE
    return np.clip(np.rint(rng.lognormal(IMDB_LENGTH_MU, IMDB_LENGTH_SIGMA, size=n)), lo, hi).astype(np.int64)


def _imdb_split(n: int, rng: np.random.Generator, vocab: int | None, maxlen: int, cdf, lexicons):
    y = np.arange(n, dtype=np.int64) % 2
    rng.shuffle(y)
    lengths = imdb_lengths(n, rng)
    # Only the last ``maxlen`` words of a review can survive pre-truncation: draw just those.
    ranks = np.searchsorted(cdf, rng.random((n, maxlen)), side="right") + 1
    ranks = np.minimum(ranks, len(cdf))
    signal = rng.random((n, maxlen)) < SIGNAL_FRACTION
    picks = lexicons[y[:, None], rng.integers(0, LEXICON_SIZE, size=(n, maxlen))]
    ids = np.where(signal, picks, ranks) + imdb.INDEX_FROM
    full = lengths + 1  # with the start token
    kept = np.minimum(full, maxlen)
    col = np.arange(maxlen)[None, :]
    x = np.where(col >= (maxlen - kept)[:, None], ids, 0)
    has_start = full <= maxlen
    x[np.flatnonzero(has_start), (maxlen - full)[has_start]] = imdb.START_CHAR
    if vocab:
        x = np.where(x >= vocab, imdb.OOV_CHAR, x)
    return x.astype(np.int32), y, full.astype(np.int32)


def imdb_data(n_train: int, n_test: int, seed: int, vocab: int | None, maxlen: int) -> dict[str, np.ndarray]:
    """Synthetic ``x_*`` int32 ``(N, maxlen)``, ``y_*`` int64, ``len_*`` (with the start token)."""
    cdf, lexicons = _zipf_cdf(), _lexicons()
    out = {}
    for split, n, stream in (("train", n_train, 0), ("test", n_test, 1)):
        rng = np.random.default_rng([seed, _LEXICON_SEED, stream])
        out[f"x_{split}"], out[f"y_{split}"], out[f"len_{split}"] = _imdb_split(
            n, rng, vocab, int(maxlen), cdf, lexicons
        )
    return out


# --- bAbI task 1 -------------------------------------------------------------------------------

PEOPLE = ("Mary", "John", "Daniel", "Sandra")
PLACES = ("bathroom", "hallway", "garden", "office", "bedroom", "kitchen")
MOVES = ("moved to", "went to", "journeyed to", "travelled to", "went back to")
QUESTIONS_PER_STORY = 5


def babi_task1_lines(n_questions: int, rng: np.random.Generator) -> list[str]:
    """Task-1 stories in the bAbI file format, with (at least) ``n_questions`` questions."""
    lines: list[str] = []
    asked = 0
    while asked < n_questions:
        where: dict[str, tuple[str, int]] = {}
        nid = 0
        for _ in range(QUESTIONS_PER_STORY):
            for _ in range(2):
                nid += 1
                person = PEOPLE[rng.integers(len(PEOPLE))]
                place = PLACES[rng.integers(len(PLACES))]
                lines.append(f"{nid} {person} {MOVES[rng.integers(len(MOVES))]} the {place}.")
                where[person] = (place, nid)
            nid += 1
            known = sorted(where)
            person = known[rng.integers(len(known))]
            place, support = where[person]
            lines.append(f"{nid} Where is {person}? \t{place}\t{support}")
            asked += 1
    return lines


def babi_data(
    n_train: int, n_test: int, seed: int, task: int, story_maxlen: int | None, query_maxlen: int | None
) -> dict[str, np.ndarray]:
    if int(task) != 1:
        raise ValueError(f"synthetic bAbI exists for task 1 only (asked: task {task})")
    story_maxlen, query_maxlen = babi.resolve_lengths(task, story_maxlen, query_maxlen)
    samples = []
    for n, stream in ((n_train, 0), (n_test, 1)):
        rng = np.random.default_rng([seed, 0xBAB1, stream])
        samples.append(babi.get_stories(babi_task1_lines(n, rng))[:n])
    return babi.vectorize(samples[0], samples[1], story_maxlen, query_maxlen, words=babi.TASK1_WORDS)
