"""Helpers shared by the family tests: tiny data and one train_step through ``fit``."""

import keras
import numpy as np
import pytest
import tensorflow as tf


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def weights_of(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def changed(before, network):
    return any(not np.allclose(b, a.numpy()) for b, a in zip(before, network.trainable_weights))


def fit_one_step(model, data, run_eagerly=True, **compile_kwargs):
    """Compile, run exactly one train_step through fit (batches of 4), return the logs.

    Checks on the way that every log is finite and that both networks changed.
    Eager by default: tracing a graph costs more than one tiny step;
    ``test_train_step_compiles_to_a_graph`` (test_base.py) covers the tf.function path.
    """
    model.compile(adam(), adam(), run_eagerly=run_eagerly, **compile_kwargs)
    g0, d0 = weights_of(model.generator), weights_of(model.discriminator)
    hist = model.fit(
        tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, steps_per_epoch=1, verbose=0
    )
    logs = {k: v[-1] for k, v in hist.history.items()}
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert changed(g0, model.generator), "generator weights did not change"
    assert changed(d0, model.discriminator), "discriminator weights did not change"
    return logs


@pytest.fixture
def fit_step():
    """:func:`fit_one_step`, for the test files of tests/models/."""
    return fit_one_step


@pytest.fixture
def images():
    """``images(n, size, channels)``: uniform noise images in [-1, 1], float32."""

    def make(n=8, size=16, channels=1):
        rng = np.random.default_rng(0)
        return rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")

    return make


@pytest.fixture
def videos():
    """``videos(n, frames, size, channels)``: uniform noise clips in [-1, 1], float32."""

    def make(n=4, frames=4, size=16, channels=1):
        rng = np.random.default_rng(0)
        return rng.uniform(-1, 1, (n, frames, size, size, channels)).astype("float32")

    return make
