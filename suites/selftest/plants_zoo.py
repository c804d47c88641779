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
