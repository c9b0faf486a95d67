"""tfvidgan.callbacks.checkpointing: when Checkpoint saves, and when it must not."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan.callbacks import Checkpoint, NaNGuard
from tfvidgan.models import dcgan


def _fit_with(callback, epochs=3):
    model = dcgan.DCGAN(
        dcgan.build_generator(8, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), 8, seed=0
    )
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), run_eagerly=True)
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 1), "float32")).batch(4).repeat()
    saved = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: saved.append(_saved_step(callback.run_dir))
    )
    model.fit(ds, epochs=epochs, steps_per_epoch=1, verbose=0, callbacks=[callback, record])
    return saved


def _saved_step(run_dir):
    index = run_dir / "checkpoint.json"
    return json.loads(index.read_text())["step"] if index.exists() else None


def test_checkpoint_saves_every_n_epochs_and_at_the_end(tmp_path):
    saved = _fit_with(Checkpoint(tmp_path, every_epochs=2, keep=1))
    assert saved == [None, 2, 2]  # after epochs 1, 2, 3 (every 2)
    assert _saved_step(tmp_path) == 3  # and once more when training ends
    assert [p.name for p in tmp_path.glob("ckpt-*")] == ["ckpt-000003"]  # keep=1


def test_checkpoint_saves_nothing_once_the_guard_tripped(tmp_path):
    guard = NaNGuard()
    guard.tripped = "d_loss became non-finite at step 1"
    _fit_with(Checkpoint(tmp_path, nan_guard=guard), epochs=2)
    assert not (tmp_path / "checkpoint.json").exists() and not list(tmp_path.glob("ckpt-*"))


def test_checkpoint_every_n_steps(tmp_path):
    saved = _fit_with(Checkpoint(tmp_path, every_epochs=0, every_steps=2), epochs=5)
    assert saved == [None, 2, 2, 4, 4] and _saved_step(tmp_path) == 5


def test_checkpoint_refuses_intervals_that_mean_nothing(tmp_path):
    for kwargs, message in (
        (dict(every_epochs=-1), "every_epochs must be a whole number >= 0"),
        (dict(every_steps=1.5), "every_steps must be a whole number >= 0"),
        (dict(every_minutes=-1), "every_minutes must be >= 0"),
        (dict(keep=0), "keep must be at least 1"),
    ):
        with pytest.raises(ValueError, match=message):
            Checkpoint(tmp_path, **kwargs)
