"""Runtime set-up: precision policy, seeds, device facts and the tf.distribute strategy.

Mixed precision is the cheapest speed-up a GAN gets on a modern machine:

* CPUs with AMX (recent Xeons) run ``mixed_bfloat16`` about 1.7x faster than
  float32 on a DCGAN step at batch 256, with the same sample quality, 1.45-1.8x
  on the video families' ``full`` presets and 0.9-1.2x at the small batches of
  the ``demo`` presets (benchmarks/README.md);
  with AVX512-BF16 but no AMX it was slower than float32, so those train in float32.
* GPUs of compute capability 7.0 or newer (V100, T4, A100, ...) use
  ``mixed_float16``; the GAN's optimizers then scale their losses
  (see :class:`tfvidgan.models.base.GAN`).
* Anything else trains in ``float32``.

:func:`choose_precision` makes that choice; pass ``precision="float32"`` (or set
the environment variable ``TFVIDGAN_PRECISION``) to override it.

:func:`make_strategy` builds the ``tf.distribute`` strategy that training runs
under (``TrainConfig.strategy``, ``--strategy``):

=================  ===============================================================
``"auto"``         ``"mirrored"`` when more than one GPU is visible, else ``"one"``
``"one"``          one device: the first GPU, else the CPU (the default strategy)
``"mirrored"``     every local GPU (or every logical CPU device), one copy of the
                   weights each; gradients are summed across them every step
``"multiworker"``  several machines, each described by ``$TF_CONFIG``
                   (``MultiWorkerMirroredStrategy``)
``"tpu"``          a TPU (``TPUStrategy``; Colab and Cloud TPU VMs)
=================  ===============================================================

Under any of them ``fit`` splits each global batch of ``batch_size`` across the
replicas, and the GAN step divides its mean losses by the number of replicas
(:func:`per_replica`) and draws each replica's share of one global batch of noise
(:func:`replica_share`), so an update equals the one-device update on the same
global batch.
"""

from __future__ import annotations

import os
from functools import lru_cache

import keras
import tensorflow as tf
from keras import ops

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


@lru_cache(maxsize=1)
def cpu_supports_bf16() -> bool:
    """True when the CPU has AMX-BF16, bfloat16 matrix tiles. AVX512-BF16 alone does not pay:
    on such a CPU the `demo` steps ran slower in ``mixed_bfloat16`` than in float32 (dcgan 804
    against 1101 images/s, vgan 100 against 111 clips/s; benchmarks/README.md, session 12)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:  # not Linux: be conservative
        return False
    return "amx_bf16" in flags


def gpu_supports_fp16() -> bool:
    """True when a visible GPU has tensor cores (compute capability >= 7.0)."""
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        if details.get("compute_capability", (0, 0)) >= (7, 0):
            return True
    return False


def choose_precision(precision: str = "auto") -> str:
    """Return the Keras dtype policy name to train with.

    ``"auto"`` (the default) honours ``$TFVIDGAN_PRECISION`` when set, then
    prefers fp16 on a capable GPU, bf16 on a capable CPU, else float32.
    """
    if precision == "auto":
        precision = os.environ.get("TFVIDGAN_PRECISION", "auto")
    if precision == "auto":
        if tf.config.list_physical_devices("GPU"):
            return "mixed_float16" if gpu_supports_fp16() else "float32"
        return "mixed_bfloat16" if cpu_supports_bf16() else "float32"
    if precision not in POLICIES:
        raise ValueError(
            f"unknown precision {precision!r}; choose one of {', '.join(POLICIES)} or 'auto'"
        )
    return precision


def set_precision(precision: str = "auto") -> str:
    """Set Keras's global dtype policy and return its name.

    Call it *before* building models: layers read the policy when created.
    """
    name = choose_precision(precision)
    keras.mixed_precision.set_global_policy(name)
    return name


def set_seed(seed: int) -> None:
    """Seed Python, NumPy, TensorFlow and Keras in one call."""
    keras.utils.set_random_seed(int(seed))


# --- inside a training step under a strategy --------------------------------------


def per_replica(loss):
    """``loss`` (a mean over this replica's batch) divided by the number of replicas.

    Under a ``tf.distribute`` strategy every replica computes its loss on its share
    of the global batch and the optimizers *sum* the replicas' gradients, so each
    replica's mean loss must be divided by their number for the update to equal
    the one-device update on the whole batch. Without a strategy it divides by 1.
    """
    return loss / tf.distribute.get_strategy().num_replicas_in_sync


def replica_share(draw, batch_size):
    """``draw(n)`` for the whole global batch, of which this replica keeps its share.

    Every replica holds the same copy of a seed generator, so one that drew only
    its own ``batch_size`` would draw the same noise as all the others. Drawing
    for all replicas and keeping slice ``replica_id`` gives each replica other
    noise and the noise a one-device step would draw. ``draw`` may return a tensor
    or a nest of tensors with the batch first.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(batch_size)
    share = lambda t: ops.take(
        ops.reshape(t, (replicas, -1) + tuple(t.shape[1:])),
        context.replica_id_in_sync_group,
        axis=0,
    )
    return tf.nest.map_structure(share, draw(batch_size * replicas))


# --- building the strategy -----------------------------------------------------------

STRATEGIES = ("auto", "one", "mirrored", "multiworker", "tpu")


class StrategyError(ValueError):
    """The machine cannot provide the strategy asked for, or the run does not fit it."""


def strategy_name(strategy) -> str:
    """The :data:`STRATEGIES` name of a built strategy (``"one"`` for the default one)."""
    kinds = {
        tf.distribute.MirroredStrategy: "mirrored",
        tf.distribute.MultiWorkerMirroredStrategy: "multiworker",
        tf.distribute.TPUStrategy: "tpu",
    }
    return next((name for kind, name in kinds.items() if isinstance(strategy, kind)), "one")


def make_strategy(name: str = "auto"):
    """Build the ``tf.distribute`` strategy ``name`` (one of :data:`STRATEGIES`).

    Call it before building models (and, for ``"multiworker"``, before anything
    else touches TensorFlow's devices); build the models inside
    ``strategy.scope()``. Raises :class:`StrategyError` with one clear line when
    this machine cannot provide it.
    """
    if name not in STRATEGIES:
        raise StrategyError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    gpus = tf.config.list_physical_devices("GPU")
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 else "one"
    if name == "one":
        return tf.distribute.get_strategy()  # the default strategy: no copies, no all-reduce
    if name == "mirrored":  # every GPU; on a machine without, every logical CPU device
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(None if gpus else cpus)
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise StrategyError(
                "--strategy multiworker needs $TF_CONFIG on every machine, e.g. "
                '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}'
            )
        try:
            return tf.distribute.MultiWorkerMirroredStrategy()
        except (RuntimeError, ValueError) as err:
            raise StrategyError(f"--strategy multiworker could not start ({err})") from None
    try:  # tpu
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise StrategyError(
            f"--strategy tpu: this machine has no TPU ({first}); use --strategy auto"
        ) from None
    return tf.distribute.TPUStrategy(resolver)


def check_batch_size(strategy, batch_size: int) -> int:
    """The per-replica batch size; refuses a global batch the replicas cannot share."""
    replicas = strategy.num_replicas_in_sync
    nearest = replicas * max(1, batch_size // replicas)
    if batch_size % replicas:
        raise StrategyError(
            f"batch_size {batch_size} cannot be split across {replicas} replicas: "
            f"use a multiple of {replicas}, e.g. --batch-size {nearest}"
        )
    return batch_size // replicas
