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


# -- keras-jax (fixtures/frameworks/keras_nodes.py) ----------------------------------------------


def keras_jax_sum_gradients(mod) -> None:
    """The loss of each replica summed where Keras takes the global batch's mean: the gradient
    (and the loss) scaled by the number of replicas."""
    import jax
    import keras

    from fixtures.frameworks import keras_adapter

    real = keras_adapter.KerasRep._compile

    def compile_summed(self):
        real(self)
        world = jax.device_count()  # after the engine joined the run (jax.distributed comes first)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.model.compile(optimizer=self.optimizer, loss=lambda y, z: world * loss(y, z), jit_compile="auto")

    keras_adapter.KerasRep._compile = compile_summed


def keras_jax_no_broadcast(mod) -> None:
    """Each process initialises with its own seed; no agreement."""
    mod.agree_seed = lambda own: own


def keras_jax_same_shard(mod) -> None:
    """Every process passes process 0's rows."""
    real = mod.process_rows
    mod.process_rows = lambda n, world, local, process: real(n, world, local, 0)


def keras_jax_same_dropout_seed(mod) -> None:
    """Each replica's rows get the same mask: one replica's share drawn, then tiled."""
    import jax
    from keras.src import backend

    real = backend.random.dropout

    def tiled(inputs, rate, noise_shape=None, seed=None):
        world = jax.device_count()
        per = inputs.shape[0] // world
        kept = real(backend.numpy.ones_like(inputs[:per]), rate, seed=seed)
        return inputs * backend.numpy.tile(kept, (world,) + (1,) * (len(inputs.shape) - 1))

    backend.random.dropout = tiled


# -- tensorflow (fixtures/frameworks/tensorflow_nodes.py) ----------------------------------------


def tensorflow_sum_gradients(mod) -> None:
    """MWMS's collective all-reduce (``CollectiveAllReduce._all_reduce``, which the replica
    context's ``all_reduce(MEAN)`` of the gradients runs) sums and never divides by the group size."""
    from tensorflow.python.distribute import cross_device_ops, reduce_util

    real = cross_device_ops.CollectiveAllReduce._all_reduce

    def summed(self, reduce_op, value, replica_id, options):
        return real(self, reduce_util.ReduceOp.SUM, value, replica_id, options)

    cross_device_ops.CollectiveAllReduce._all_reduce = summed


def tensorflow_no_broadcast(mod) -> None:
    """MWMS creates each variable from this worker's own initial value: the single-host
    MirroredStrategy's creator (MWMS's parent class) in place of MWMS's broadcast of worker 0's."""
    from tensorflow.python.distribute import collective_all_reduce_strategy as mwms
    from tensorflow.python.distribute import mirrored_strategy

    own = mirrored_strategy.MirroredExtended._get_variable_creator_initial_value
    mwms.CollectiveAllReduceExtended._get_variable_creator_initial_value = own


def tensorflow_same_shard(mod) -> None:
    """Every worker feeds its replica replica 0's rows of each global batch."""
    real = mod.shard
    mod.shard = lambda n, rank, world: real(n, 0, world)


def tensorflow_same_dropout_seed(mod) -> None:
    """Every worker traces its step under the same global seed: the same dropout masks."""
    mod.dropout_seed = lambda seed, rank: seed


def tensorflow_drop_last_on_one_rank(mod) -> None:
    """The last worker batches its epoch with ``drop_remainder=True``, and MWMS's partial-batch
    handling (``get_next_as_optional``: a worker whose data ended takes the step with an empty
    batch, which would hide the drop) is off, as for a strategy without it."""
    from tensorflow.python.distribute import input_lib

    input_lib._enable_get_next_as_optional = lambda strategy, dataset, cardinality: False
    real_dataset, real_plan = mod.epoch_dataset, mod.Engine.epoch_plan

    def plan(self, n, global_batch):
        if self.process == self.world - 1:
            mod.epoch_dataset = lambda n, b: real_dataset(n, b).unbatch().batch(b, drop_remainder=True)
        return real_plan(self, n, global_batch)

    mod.Engine.epoch_plan = plan


# -- mxnet (fixtures/frameworks/mxnet_nodes.py) --------------------------------------------------


def mxnet_sum_gradients(mod) -> None:
    """``Trainer.step`` told the worker's own rows instead of the global batch: rescale_grad =
    1/(B/workers), so the servers' sum over the workers is never divided by their number."""
    from mxnet import gluon

    real = gluon.Trainer.step

    def step(self, batch_size, ignore_stale_grad=False):
        return real(self, batch_size // self._kvstore_params["kvstore"].num_workers, ignore_stale_grad)

    gluon.Trainer.step = step


def mxnet_no_broadcast(mod) -> None:
    """The Trainer initialises the kvstore (rank 0's init) without every worker's pull of it."""
    from mxnet import gluon

    def init_only(self):
        for param in self._params_to_init:
            self._kvstore.init(self._param2idx[param.name], param.list_data()[0])
        self._params_to_init = []

    gluon.Trainer._init_params = init_only


def mxnet_same_shard(mod) -> None:
    """Every worker feeds its contexts worker 0's rows."""
    real = mod.worker_rows
    mod.worker_rows = lambda n, rank, workers: real(n, 0, workers)


def mxnet_same_dropout_seed(mod) -> None:
    """Every worker seeds MXNet's generator alike (the seed without the rank)."""
    mod.dropout_seed = lambda seed, rank: seed


def mxnet_drop_last_on_one_rank(mod) -> None:
    """The last worker's iterator discards the epoch's last, partial batch; the others pad it."""
    real = mod.epoch_iter

    def discard(n, global_batch, rank, workers):
        if rank != workers - 1:
            return real(n, global_batch, rank, workers)
        ids = mod.np.arange(n, dtype=mod.np.float64)
        return mod.mx.io.NDArrayIter(ids, batch_size=global_batch, last_batch_handle="discard")

    mod.epoch_iter = discard
