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
