"""Planted optimizer defects: each is a real framework's own form standing in for the spec's."""


def torch_adam_eps_bias_corrected(adapter) -> None:
    """torch.optim.Adam as shipped: eps added to sqrt(v_hat), not to sqrt(v)."""
    import torch

    from fixtures.frameworks import torch_adapter

    torch_adapter.KerasAdam = lambda params, lr, b1, b2, eps: torch.optim.Adam(params, lr=lr, betas=(b1, b2), eps=eps)


def keras_nesterov_dropped(adapter) -> None:
    """An adapter that passes momentum but forgets nesterov=True."""
    import keras

    sgd = keras.optimizers.SGD

    def classic(*args, nesterov=False, **kwargs):
        return sgd(*args, nesterov=False, **kwargs)

    keras.optimizers.SGD = classic


def mxnet_adadelta_without_lr(adapter) -> None:
    """MXNet's own AdaDelta: w -= delta, the learning rate ignored."""
    import mxnet as mx

    from fixtures.frameworks import mxnet_adapter

    mxnet_adapter.ScaledAdaDelta.update = mx.optimizer.AdaDelta.update
