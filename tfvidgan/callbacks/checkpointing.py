"""Save a run's checkpoint from inside ``model.fit`` (see :mod:`tfvidgan.checkpoint`)."""

from __future__ import annotations

import time
from pathlib import Path

import keras

from tfvidgan.checkpoint import save_checkpoint


class Checkpoint(keras.callbacks.Callback):
    """Save networks, optimizers, noise and data position while training.

    Saves every ``every_steps`` steps (generator updates, counted across
    resumes), every ``every_minutes`` minutes of training, every
    ``every_epochs`` epochs, and when training ends; whichever are set. A run
    killed at any moment loses at most one interval. Nothing is saved once
    ``nan_guard`` saw the training diverge, and only the chief worker writes
    (``chief=False`` on the other workers of a multi-worker run).

    Args:
        run_dir: the run folder.
        every_epochs: save at the end of every this many epochs (0 = never).
        every_steps: save after every this many steps (0 = never).
        every_minutes: save when this many minutes passed since the last save (0 = never).
        keep: checkpoints kept, newest first.
        nan_guard: a :class:`~tfvidgan.callbacks.NaNGuard` (or WeightGuard) placed before
            this callback.
        info: extra facts written into each manifest (strategy, precision).
    """

    def __init__(
        self,
        run_dir,
        every_epochs: int = 1,
        nan_guard=None,
        every_steps: int = 0,
        every_minutes: float = 0,
        keep: int = 3,
        chief: bool = True,
        info: dict | None = None,
    ):
        super().__init__()
        for name, value in (("every_epochs", every_epochs), ("every_steps", every_steps)):
            if int(value) != value or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0 (0 = off), got {value}")
        if every_minutes < 0:
            raise ValueError(f"every_minutes must be >= 0 (0 = off), got {every_minutes}")
        if int(keep) < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.run_dir, self.nan_guard, self.keep = Path(run_dir), nan_guard, int(keep)
        self.every_epochs, self.every_steps = int(every_epochs), int(every_steps)
        self.every_minutes, self.chief, self.info = float(every_minutes), chief, info
        self.saved_step: int | None = None  # step of the last checkpoint written here

    def _save(self):
        if self.nan_guard is not None and self.nan_guard.tripped:
            return
        step = self.model.trained_steps
        if self.chief and step != self.saved_step:
            save_checkpoint(self.model, self.run_dir, keep=self.keep, info=self.info)
        self.saved_step, self.last_time = step, time.monotonic()

    def on_train_begin(self, logs=None):
        self.last_time = time.monotonic()
        self.saved_step = self.model.trained_steps  # a resumed run's step is on disk already

    def on_train_batch_end(self, batch, logs=None):
        if self.every_steps and self.model.trained_steps % self.every_steps == 0:
            self._save()
        elif self.every_minutes and time.monotonic() - self.last_time >= 60 * self.every_minutes:
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        if self.every_epochs and (epoch + 1) % self.every_epochs == 0:
            self._save()

    def on_train_end(self, logs=None):
        self._save()
