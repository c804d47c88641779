"""Planted defects: each breaks one thing a parity check exists for, the way real code breaks it.

A worker started with ``DLPARITY_WORKER_HOOK=suites.selftest.plants:<name>`` calls ``<name>(adapter)``
after importing its framework; the self-tests then assert the matching parity test fails.
"""

from __future__ import annotations

import sys

import numpy as np

from fixtures import weights


def _replace_everywhere(owner, attr: str, new) -> None:
    """Patch ``owner.attr`` and every module that imported it by name."""
    old = getattr(owner, attr)
    setattr(owner, attr, new)
    for mod in list(sys.modules.values()):
        if mod is not None and getattr(mod, attr, None) is old:
            setattr(mod, attr, new)


def conv_kernel_reshaped_not_transposed(adapter) -> None:
    """OIHW kernels reinterpreted as HWIO with reshape instead of transpose."""
    original = weights.to_channels_last

    def broken(task, canonical):
        out = original(task, canonical)
        for key, value in canonical.items():
            if value.ndim == 4:
                o, i, h, w = value.shape
                out[key] = np.ascontiguousarray(value.reshape(h, w, i, o))
        return out

    _replace_everywhere(weights, "to_channels_last", broken)


def flatten_rows_not_permuted(adapter) -> None:
    """The dense layer after a channels-last Flatten keeps the (C, H, W) row order."""
    weights._flatten_order = lambda task: {}


def images_fed_as_nwhc(adapter) -> None:
    """DLF's ``np.swapaxes(x, 1, 3)`` bug: images reach the model as (N, W, H, C) instead of (N, H, W, C)."""
    prepare = adapter.prepare

    def wrapped(task, device, seed):
        rep = prepare(task, device, seed)
        for name in ("infer", "train_step"):
            method = getattr(rep, name)

            def swapped(x, *rest, _method=method):
                x = np.asarray(x)
                return _method(np.ascontiguousarray(x.swapaxes(2, 3)) if x.ndim == 4 else x, *rest)

            setattr(rep, name, swapped)
        return rep

    adapter.prepare = wrapped


def torch_dropout_left_on_in_eval(adapter) -> None:
    """``Module.eval()`` forgotten: dropout stays active at inference."""
    import torch

    torch.nn.Module.eval = lambda self: self.train(True)


def torch_unit_gain_momentum(adapter) -> None:
    """CNTK's unit-gain momentum: v = m*v + (1-m)*g (torch's dampening=momentum)."""
    import torch

    init = torch.optim.SGD.__init__

    def unit_gain(self, params, lr, momentum=0.0, dampening=0.0, **kw):
        init(self, params, lr=lr, momentum=momentum, dampening=momentum, **kw)

    torch.optim.SGD.__init__ = unit_gain


def torch_rmsprop_eps_outside_sqrt(adapter) -> None:
    """torch.optim.RMSprop as shipped: eps added after the square root."""
    import torch

    from fixtures.frameworks import torch_adapter

    torch_adapter.KerasRMSprop = lambda params, lr, rho, eps: torch.optim.RMSprop(params, lr=lr, alpha=rho, eps=eps)


def torch_softmax_before_logits_loss(adapter) -> None:
    """Softmax applied in the model and again inside cross_entropy."""
    import torch

    ce = torch.nn.functional.cross_entropy
    torch.nn.functional.cross_entropy = lambda logits, y, **kw: ce(torch.softmax(logits, dim=1), y, **kw)


def slow_down_10_percent(adapter) -> None:
    """A regression to catch: every training step takes 10 % longer (a worker-side delay)."""
    import time

    prepare = adapter.prepare

    def wrapped(task, device, seed):
        rep = prepare(task, device, seed)
        step = rep.train_step

        def slower(x, y):
            t0 = time.perf_counter()
            handle = step(x, y)
            rep.sync(handle)
            time.sleep(0.1 * (time.perf_counter() - t0))
            return handle

        rep.train_step = slower
        return rep

    adapter.prepare = wrapped


def leave_a_temporary_file(adapter) -> None:
    """What PyTensor's numba backend does for every function it compiles: a file in the temporary
    directory that nothing removes."""
    import tempfile

    tempfile.NamedTemporaryFile(prefix="dlparity-plant-", delete=False).close()


# --- pitfall checks (suites/parity/test_pitfalls.py, test_layers.py) --------------------------


def torch_dropout_not_inverted(adapter) -> None:
    """Dropout that zeroes with the right rate but never scales survivors by 1/(1-rate)."""
    import torch

    dropout = torch.nn.functional.dropout

    def unscaled(x, p=0.5, training=True, inplace=False):
        out = dropout(x, p, training, inplace)
        return out * (1.0 - p) if training else out

    torch.nn.functional.dropout = unscaled


def tensorflow_softmax_before_logits_loss(adapter) -> None:
    """Softmax applied to the logits, then tf.nn's softmax cross-entropy applies it again."""
    import tensorflow as tf

    ce = tf.nn.sparse_softmax_cross_entropy_with_logits

    def double(labels=None, logits=None, name=None):
        return ce(labels=labels, logits=tf.nn.softmax(logits), name=name)

    tf.nn.sparse_softmax_cross_entropy_with_logits = double


def torch_onehot_labels_smoothed(adapter) -> None:
    """One-hot targets through a loss with label smoothing 0.1 (Keras' and torch's option, left on)."""
    import torch

    cross_entropy = torch.nn.functional.cross_entropy

    def smoothed(logits, target, *args, **kwargs):
        if target.is_floating_point():
            kwargs["label_smoothing"] = 0.1
        return cross_entropy(logits, target, *args, **kwargs)

    torch.nn.functional.cross_entropy = smoothed


def torch_relu_backward_passes_negatives(adapter) -> None:
    """A hand-written ReLU whose backward forgets the mask (gradient 1 for negative inputs too)."""
    import torch

    class LeakyBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            return grad

    torch.nn.ReLU.forward = lambda self, x: LeakyBackward.apply(x)


def torch_float64_leak(adapter) -> None:
    """A float64 default dtype: parameters, outputs and exported weights silently become float64."""
    import torch

    torch.set_default_dtype(torch.float64)


def torch_maxpool_stride_1(adapter) -> None:
    """Pooling left at a stride-1 default instead of the spec's stride."""
    import torch

    init = torch.nn.MaxPool2d.__init__

    def stride_one(self, kernel_size, stride=None, *args, **kw):
        init(self, kernel_size, 1, *args, **kw)

    torch.nn.MaxPool2d.__init__ = stride_one


def torch_maxpool_default_stride_1(adapter) -> None:
    """A release that changes MaxPool2d's default stride to 1 (an explicit stride still holds): every
    model the suite builds passes, as it gives the stride; only the reviewed defaults catch it."""
    import torch

    init = torch.nn.MaxPool2d.__init__

    def default_stride_one(self, kernel_size, stride=None, *args, **kw):
        init(self, kernel_size, 1 if stride is None else stride, *args, **kw)

    torch.nn.MaxPool2d.__init__ = default_stride_one


# -- initialisers, layer defaults, gradient state at eval, layouts (suites/parity/test_defaults.py) --------


def torch_glorot_fans_without_receptive_field(adapter) -> None:
    """Glorot bound from channels alone: conv fans computed without the kH*kW receptive field."""
    import torch

    def fans(tensor):
        return tensor.size(1), tensor.size(0)

    torch.nn.init._calculate_fan_in_and_fan_out = fans


def torch_orthogonal_gain_1_1(adapter) -> None:
    """Recurrent kernels orthogonal with gain 1.1 (Chainer's ``Orthogonal()`` default) instead of the spec's 1."""
    import torch

    from fixtures.frameworks import torch_adapter

    orthogonal = torch.nn.init.orthogonal_
    torch_adapter.INITIALIZERS["orthogonal"] = ("orthogonal_(gain=1.1)", lambda t: orthogonal(t, gain=1.1))


def torch_embedding_default_normal(adapter) -> None:
    """Embedding tables left at torch's ``nn.Embedding`` default, N(0, 1), instead of Keras' U(-0.05, 0.05)."""
    import torch

    from fixtures.frameworks import torch_adapter

    torch_adapter.INITIALIZERS["uniform(±0.05)"] = ("torch.nn.init.normal_", torch.nn.init.normal_)


def torch_inference_without_no_grad(adapter) -> None:
    """Inference run without ``torch.no_grad``/``inference_mode``: every forward builds an autograd graph."""
    import contextlib

    import torch

    torch.inference_mode = lambda *args, **kwargs: contextlib.nullcontext()


def keras_pool_padding_same(adapter) -> None:
    """Pooling built with padding "same" (Keras' 'same' is no-op on even sizes, so forward parity passes)."""
    import keras

    original = keras.layers.MaxPooling2D

    def same(*args, **kwargs):
        kwargs["padding"] = "same"
        return original(*args, **kwargs)

    keras.layers.MaxPooling2D = same


def torch_channels_last_input_reshaped(adapter) -> None:
    """The NHWC path reinterprets (N, C, H, W) input memory as (N, H, W, C) (reshape instead of permute)."""
    from fixtures.frameworks import torch_adapter

    to_tensor = torch_adapter.TorchRep._x

    def reshaped(self, x):
        x = np.asarray(x)
        if getattr(self, "channels_last", False) and x.ndim == 4:
            n, c, h, w = x.shape
            x = np.ascontiguousarray(x.reshape(n, h, w, c).transpose(0, 3, 1, 2))
        return to_tensor(self, x)

    torch_adapter.TorchRep._x = reshaped


# ---------------------------------------------------------------------------------------------
# recurrent layers (suites/parity/test_recurrent.py; self-test suites/selftest/test_recurrent_plants.py)


def jax_gru_variant_swapped(adapter) -> None:
    """The other GRU variant computed from the same weights: reset_after=True cells run as reset_after=False
    with the two biases summed (the usual port of torch/cuDNN weights to a Cho-style cell), and back."""
    import dataclasses

    import jax.numpy as jnp

    from fixtures.frameworks import jax_adapter
    from fixtures.tasks.spec import GRU

    original = jax_adapter.recurrent

    def swapped(layer, params, x):
        if isinstance(layer, GRU):
            params, key = dict(params), f"{layer.name}.bias"
            if key in params:
                b = params[key]
                params[key] = b.sum(axis=0) if layer.reset_after else jnp.stack([b, jnp.zeros_like(b)])
            layer = dataclasses.replace(layer, reset_after=not layer.reset_after)
        return original(layer, params, x)

    jax_adapter.recurrent = swapped


def torch_gru_gate_order_not_converted(adapter) -> None:
    """Keras-layout GRU weights copied into torch.nn.GRU without reordering (z, r, h) to torch's (r, z, n)."""
    from fixtures.frameworks import torch_adapter
    from fixtures.tasks.spec import gates

    torch_adapter._gate_perm = lambda layer: np.arange(gates(layer) * layer.units)


def tensorflow_lstm_gates_icfo(adapter) -> None:
    """LSTM kernels read in TF BlockLSTM's gate order (i, c, f, o) instead of the canonical (i, f, c, o)."""
    import tensorflow as tf

    from fixtures.frameworks import tensorflow_adapter
    from fixtures.tasks.spec import LSTM

    original = tensorflow_adapter.recurrent

    def icfo(layer, params, x):
        if isinstance(layer, LSTM):
            u = layer.units
            order = np.r_[0:u, 2 * u : 3 * u, u : 2 * u, 3 * u : 4 * u]
            mine = [f"{layer.name}.{kind}" for kind in ("kernel", "recurrent", "bias")]
            params = {k: tf.gather(v, order, axis=-1) if k in mine else v for k, v in params.items()}
        return original(layer, params, x)

    tensorflow_adapter.recurrent = icfo


# -- data-parallel training (suites/parity/test_devices.py): gradients summed, not averaged -------


def torch_ddp_sums_gradients(adapter) -> None:
    """A DDP communication hook that all-reduces the gradient buckets without dividing by the world
    size. The DDP replica processes run the worker hook too (fixtures/frameworks/torch_ddp.py)."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    def summed(state, bucket):
        return dist.all_reduce(bucket.buffer(), async_op=True).get_future().then(lambda fut: fut.value()[0])

    init = DistributedDataParallel.__init__

    def with_hook(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.register_comm_hook(None, summed)

    DistributedDataParallel.__init__ = with_hook


def tensorflow_mirrored_sums_gradients(adapter) -> None:
    """The replica context's all-reduce asked for MEAN performs SUM (MirroredStrategy)."""
    import tensorflow as tf

    original = tf.distribute.ReplicaContext.all_reduce

    def summed(self, reduce_op, value, options=None):
        return original(self, tf.distribute.ReduceOp.SUM, value, options)

    tf.distribute.ReplicaContext.all_reduce = summed


def jax_pmean_as_psum(adapter) -> None:
    """``jax.lax.pmean`` over the data axis performs ``psum``: the replicas' gradients are summed."""
    import jax

    jax.lax.pmean = jax.lax.psum


def mxnet_kvstore_sums_gradients(adapter) -> None:
    """``gluon.Trainer.step`` given the per-replica batch on a multi-context Trainer (the usual Gluon slip):
    rescale_grad = N/B, so the kvstore's sum over N contexts is the SUM of the replicas' mean gradients.
    A one-context Trainer (the single-device rep) is untouched."""
    from mxnet import gluon

    step = gluon.Trainer.step

    def per_replica(self, batch_size, ignore_stale_grad=False):
        return step(self, batch_size // len(self._contexts), ignore_stale_grad)

    gluon.Trainer.step = per_replica


def torch_lstm_second_bias_trainable(adapter) -> None:
    """torch.nn.LSTM's recurrent bias b_hh left trainable next to b_ih: the spec's single LSTM bias then
    moves twice as fast under SGD (forward parity still passes: b_hh loads as zero)."""
    from fixtures.frameworks import torch_adapter

    init = torch_adapter.Recurrent.__init__

    def both_trainable(self, layer, features):
        init(self, layer, features)
        if self.rnn.bias:
            self.rnn.bias_hh_l0.requires_grad_(True)

    torch_adapter.Recurrent.__init__ = both_trainable


def torch_gru_bias_exported_flat(adapter) -> None:
    """The GRU's (input; recurrent) bias pair exported as one flat (6U,) vector, torch's b_ih ++ b_hh."""
    from fixtures.frameworks import torch_adapter

    export = torch_adapter.Recurrent.export

    def flat(self, layer):
        out = export(self, layer)
        key = f"{layer.name}.bias"
        if key in out:
            out[key] = out[key].reshape(-1)
        return out

    torch_adapter.Recurrent.export = flat


def jax_inference_through_grad(adapter) -> None:
    """Inference reuses a differentiated function (logits as the aux output of value_and_grad): the gradient is
    computed at every evaluation."""
    import jax

    from fixtures.frameworks import jax_adapter

    prepare = adapter.prepare

    def wrapped(task, device, seed):
        rep = prepare(task, device, seed)
        forward = jax_adapter.build_forward(task)

        def with_grad(params, x):
            def loss(p):
                logits = forward(p, x)
                return logits.sum(), logits

            (_, logits), _ = jax.value_and_grad(loss, has_aux=True)(params)
            return logits

        rep._infer = jax.jit(with_grad)
        return rep

    adapter.prepare = wrapped


def sequences_fed_transposed(adapter) -> None:
    """(N, R, C) samples reach the model as (N, C, R): rows read as columns (the sequence version of the
    seeds' swapped image axes)."""
    prepare = adapter.prepare

    def wrapped(task, device, seed):
        rep = prepare(task, device, seed)
        for name in ("infer", "train_step"):
            method = getattr(rep, name)

            def swapped(x, *rest, _method=method):
                x = np.asarray(x)
                return _method(np.ascontiguousarray(x.swapaxes(1, 2)) if x.ndim == 3 else x, *rest)

            setattr(rep, name, swapped)
        return rep

    adapter.prepare = wrapped


def torch_batch_norm_left_in_training_mode(adapter) -> None:
    """``model.eval()`` that does not reach the BatchNorms: inference normalises by the batch's own
    statistics instead of the running ones (the BatchNorm twin of dropout left on)."""
    import torch

    original = torch.nn.modules.batchnorm._BatchNorm.train
    torch.nn.modules.batchnorm._BatchNorm.train = lambda self, mode=True: original(self, True)


def torch_batch_norm_keras_eps(adapter) -> None:
    """A port that keeps Keras' BatchNormalization default, epsilon 1e-3, where the spec says 1e-5."""
    import torch

    original = torch.nn.BatchNorm2d.__init__

    def init(self, num_features, eps=1e-5, *args, **kwargs):
        original(self, num_features, 1e-3, *args, **kwargs)

    torch.nn.BatchNorm2d.__init__ = init
