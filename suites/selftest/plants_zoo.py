"""Planted defects for the model-zoo parity test."""


def keras_resnet50_without_pooling(adapter) -> None:
    """Features taken before the average pool: (7, 7, 2048) maps, not 2048-d vectors."""
    import keras

    build = keras.applications.ResNet50
    keras.applications.ResNet50 = lambda **kw: build(**{**kw, "pooling": None})


def keras_resnet50_v2_for_v1(adapter) -> None:
    """Another architecture under the same name: ResNet50V2 (pre-activation) in place of ResNet50."""
    import keras

    keras.applications.ResNet50 = keras.applications.ResNet50V2


def keras_densenet169_for_121(adapter) -> None:
    """Another depth under the same name: DenseNet169 (blocks 6/12/32/32) in place of DenseNet121."""
    import keras

    keras.applications.DenseNet121 = keras.applications.DenseNet169


def keras_adam_learning_rate_zero(adapter) -> None:
    """An optimizer whose updates never reach the weights: Adam built with learning rate 0."""
    import keras

    adam = keras.optimizers.Adam
    keras.optimizers.Adam = lambda *args, **kwargs: adam(
        0.0, *args[1:], **{k: v for k, v in kwargs.items() if k != "learning_rate"}
    )
