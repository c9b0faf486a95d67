"""tfvidgan.callbacks.budget: TrainingBudget stops by steps or minutes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan.callbacks import TrainingBudget, budget
from tfvidgan.models import dcgan


class _Model:
    """What the budget reads of a model: trained_steps, and stop_training to set."""

    trained_steps = 0
    stop_training = False


def _budget(**kwargs):
    cb = TrainingBudget(**kwargs)
    cb.set_model(_Model())
    cb.on_train_begin()
    return cb


def test_budget_stops_after_max_steps(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(budget.time, "monotonic", lambda: clock[0])
    cb = _budget(max_steps=4, max_minutes=10)
    for step, progress in ((1, 0.25), (3, 0.75)):
        cb.model.trained_steps = step
        cb.on_train_batch_end(step - 1)
        assert cb.progress() == pytest.approx(progress) and not cb.model.stop_training
    cb.model.trained_steps = 4
    cb.on_train_batch_end(3)
    assert cb.model.stop_training and cb.stopped_by == "steps" and cb.progress() == 1.0


def test_budget_stops_after_max_minutes_counted_from_this_fit(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(budget.time, "monotonic", lambda: clock[0])
    cb = _budget(max_steps=1000, max_minutes=2)
    cb.model.trained_steps = 500  # a resumed run: half the steps, no time yet
    assert cb.progress() == pytest.approx(0.5)
    clock[0] = 100.0 + 90  # 1.5 of 2 minutes
    cb.on_train_batch_end(0)
    assert cb.progress() == pytest.approx(0.75) and not cb.model.stop_training
    clock[0] = 100.0 + 121
    cb.on_train_batch_end(1)
    assert cb.model.stop_training and cb.stopped_by == "time" and cb.progress() == 1.0


def test_budget_without_limits_never_stops(monkeypatch):
    monkeypatch.setattr(budget.time, "monotonic", lambda: 1e9)
    cb = _budget()
    cb.model.trained_steps = 10**6
    cb.on_train_batch_end(0)
    assert not cb.model.stop_training and cb.stopped_by is None and cb.progress() == 0.0


def test_budget_inside_fit_counts_generator_steps():
    model = dcgan.DCGAN(
        dcgan.build_generator(8, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), 8, seed=0
    )
    model.compile(
        keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), d_steps=2, run_eagerly=True
    )
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 1), "float32")).batch(4).repeat()
    cb = TrainingBudget(max_steps=3)
    model.fit(ds, epochs=5, steps_per_epoch=2, verbose=0, callbacks=[cb])
    assert cb.stopped_by == "steps" and model.trained_steps == 3
    assert int(model.d_optimizer.iterations) == 6  # d_steps=2: the budget counts G updates
