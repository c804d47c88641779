"""Planted multi-node defects: each breaks what one check of suites/parity/test_nodes.py exists for.

A node process started with ``DLPARITY_NODE_HOOK=suites.selftest.plants_nodes:<name>`` calls
``<name>(engine_module)`` before its engine joins the run (fixtures/multinode_node.py).
"""

from __future__ import annotations

import functools

# -- torch (fixtures/frameworks/torch_nodes.py) --------------------------------------------------


def _ddp(**overrides):
    """DistributedDataParallel as torch_ddp builds it, with ``overrides`` applied to the wrapper."""
    from fixtures.frameworks import torch_ddp

    real = torch_ddp.DistributedDataParallel

    def build(module, *args, comm_hook=None, **kwargs):
        ddp = real(module, *args, **{**kwargs, **overrides})
        if comm_hook:
            ddp.register_comm_hook(None, comm_hook)
        return ddp

    return torch_ddp, build


def torch_sum_gradients(mod) -> None:
    """A DDP communication hook that all-reduces the gradient buckets and never divides by the world."""
    import torch.distributed as dist

    def summed(state, bucket):
        return dist.all_reduce(bucket.buffer(), async_op=True).get_future().then(lambda fut: fut.value()[0])

    torch_ddp, build = _ddp()
    torch_ddp.DistributedDataParallel = functools.partial(build, comm_hook=summed)


def torch_no_broadcast(mod) -> None:
    """DDP without its initial broadcast of rank 0's parameters (``init_sync=False``)."""
    torch_ddp, build = _ddp(init_sync=False)
    torch_ddp.DistributedDataParallel = build


def torch_same_shard(mod) -> None:
    """Every rank reads rank 0's shard of each global batch."""
    real = mod.shard
    mod.shard = lambda n, rank, world: real(n, 0, world)


def torch_same_dropout_seed(mod) -> None:
    """Every rank seeds its generator alike (the seed without the rank)."""
    mod.dropout_seed = lambda seed, rank: seed


def torch_drop_last_on_one_rank(mod) -> None:
    """The last rank drops its epoch's last, partial batch; the others keep theirs."""
    real = mod.BatchSampler
    mod.BatchSampler = lambda sampler, batch_size, drop_last: real(
        sampler, batch_size, drop_last or sampler.rank == sampler.num_replicas - 1
    )


# -- jax (fixtures/frameworks/jax_nodes.py) ------------------------------------------------------


def jax_sum_gradients(mod) -> None:
    """``lax.psum`` where the engine averages with ``lax.pmean``."""
    mod.jax.lax.pmean = mod.jax.lax.psum


def jax_no_broadcast(mod) -> None:
    """Each process keeps the parameters it initialised itself."""
    mod.broadcast = lambda params: params


def jax_same_shard(mod) -> None:
    """Every process feeds its replicas process 0's rows."""
    real = mod.process_rows
    mod.process_rows = lambda n, world, local, process: real(n, world, local, 0)


def jax_same_dropout_seed(mod) -> None:
    """Dropout keys not folded with the replica's index: every replica draws the same masks."""
    from fixtures.frameworks import jax_sharded

    jax_sharded.replica_key = lambda key: key


def jax_drop_last_on_one_rank(mod) -> None:
    """The last replica leaves out the epoch's last, padded batch."""
    real = mod.Engine.epoch_plan

    def plan(self, n, global_batch):
        plans = real(self, n, global_batch)
        if self.replica_ids[-1] == self.world - 1:
            plans[-1] = plans[-1][:-1]
        return plans

    mod.Engine.epoch_plan = plan
