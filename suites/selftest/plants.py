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
