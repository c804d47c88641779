"""Figures published by the seed projects, copied from /work/shared/DESIGN.md §4 ("The seeds' tasks").

They were measured on NVIDIA K80 and P100 GPUs by DeepLearningFrameworks (DLF) and the Keras
backend comparison, years ago, with the frameworks of the day: context for the reader, never a
baseline for this machine. Values are (K80, P100); None where only one card was published.
"""

from __future__ import annotations

LABEL = "Published by the seed projects on K80/P100 GPUs — not this machine"

# DLF CIFAR-10 CNN (batch 64, SGD momentum 0.9, ~77 % test accuracy): 10-epoch training time, seconds.
CIFAR10_CNN_10_EPOCHS_S = {
    "Caffe2": (148, 54),
    "Chainer": (162, 69),
    "CNTK": (163, 53),
    "MXNet Gluon": (152, 57),
    "Keras-CNTK": (194, 76),
    "Keras-TF": (241, 76),
    "Keras-Theano": (269, 93),
    "TensorFlow": (173, 57),
    "Lasagne": (253, 65),
    "MXNet Module": (145, 52),
    "PyTorch": (169, 51),
}

# DLF IMDB GRU (vocab 30000, maxlen 150, GRU 100, Adam, batch 64, 3 epochs, ~86 %): training time, seconds.
IMDB_GRU_S = {
    "CNTK": (32, 15),
    "Keras-TF": (35, 26),
    "MXNet": (29, 24),
    "PyTorch": (31, 16),
    "TensorFlow": (30, 22),
}

# DLF ResNet-50 feature extraction (forward to the 2048-d pool, batch 32): seconds per 1000 images.
RESNET50_S_PER_1000 = {
    "CNTK": (8.5, 1.6),
    "Keras-TF": (10.2, 2.9),
    "TensorFlow": (6.5, 1.8),
    "MXNet": (7.7, 1.6),
    "PyTorch": (7.7, 1.9),
    "Chainer": (9.3, 2.7),
}
RESNET50_NOTE = (
    "torchvision's ResNet-50 is \"v1.5\" (stride in the 3×3), Keras' is v1 (stride in the 1×1): not the same model."
)

# Keras backend comparison, mnist_mlp (784-512-512-10, RMSprop, batch 128, 20 epochs): seconds per epoch, K80 only.
KERAS_MNIST_MLP_S_PER_EPOCH = {
    "Keras-TF / Keras-CNTK / Keras-Theano": ("2.5–2.7", None),
    "Keras-MXNet": (1.4, None),
}

TABLES = [
    ("CIFAR-10 CNN (DLF), 10 epochs, batch 64", "s for 10 epochs", "cifar10_cnn", CIFAR10_CNN_10_EPOCHS_S, ""),
    ("IMDB GRU (DLF), 3 epochs, batch 64", "s (training time)", "", IMDB_GRU_S, ""),
    ("ResNet-50 features (DLF), batch 32", "s per 1000 images", "", RESNET50_S_PER_1000, RESNET50_NOTE),
    ("Keras mnist_mlp (Keras backends), batch 128", "s per epoch", "mnist_mlp", KERAS_MNIST_MLP_S_PER_EPOCH, ""),
]

# Every framework the seed projects measured, and how this suite covers it. The report's framework
# table lists all of them, whether or not the results hold records for them.
#
# Seed frameworks that this suite runs: (seed name, matrix entries that stand for it, note).
SEED_FRAMEWORKS = [
    ("PyTorch", ("torch",), ""),
    ("TensorFlow", ("tensorflow",), ""),
    ("Keras-TF", ("keras-tensorflow",), "run as Keras 3 on TensorFlow; the seeds ran Keras 2"),
    ("MXNet Gluon / MXNet Module", ("mxnet",), ""),
    ("Chainer", ("chainer",), ""),
    ("CNTK", ("cntk",), "CNTK 2.7 needs CPython 3.5/3.6: its entry runs from .venvs/cntk"),
    ("Theano (Keras-Theano's backend)", ("theano", "pytensor"), "PyTensor is Theano's maintained fork"),
]

# Seed frameworks with no adapter: (seed name, version (the last one there is), why there is none).
NO_ADAPTER = [
    (
        "Keras 2 (multi-backend)",
        "2.3.1, the last multi-backend release (2019)",
        "not installable beside Keras 3: both are the package `keras`, and Keras 3 (TensorFlow, JAX, "
        "PyTorch backends) dropped the CNTK, Theano and MXNet backends",
    ),
    (
        "Keras-CNTK",
        "Keras ≤ 2.3 on CNTK 2.7",
        "Keras 3 has no CNTK backend and Keras 2 is not installable beside it; CNTK's own adapter is the cntk entry",
    ),
    (
        "Keras-Theano",
        "Keras ≤ 2.3 on Theano 1.0",
        "Keras 3 has no Theano backend and Keras 2 is not installable beside it; Theano itself is the theano entry",
    ),
    (
        "Keras-MXNet",
        "keras-mxnet 2.2.4.3 (2020), a fork of Keras 2.2",
        "Keras 3 has no MXNet backend and the keras-mxnet fork is not installable beside it; MXNet itself is "
        "the mxnet entry",
    ),
    (
        "Caffe",
        "1.0 (2017)",
        "no maintained Python 3.11 wheels: pycaffe is built from source (the `caffe` name on PyPI is an "
        "empty placeholder)",
    ),
    ("Caffe2", "merged into PyTorch (2018)", "folded into PyTorch; its models run through the torch entry"),
    ("Lasagne", "0.1 on PyPI (2015), 0.2.dev on GitHub", "built on Theano, unmaintained"),
    ("Torch7", "LuaTorch (unmaintained since 2017)", "Lua, not Python"),
    ("Knet", "Julia package", "Julia, not Python"),
    ("DL4J", "Deeplearning4j (JVM)", "runs on the JVM (Java/Scala), not Python"),
    ("Neon", "Intel Nervana neon (last release 2018)", "discontinued by Intel"),
]
