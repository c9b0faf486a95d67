"""Save a run's checkpoint from inside ``model.fit`` (see :mod:`tfvidgan.checkpoint`)."""

from __future__ import annotations

from pathlib import Path

import keras

from tfvidgan.checkpoint import save_checkpoint


class Checkpoint(keras.callbacks.Callback):
    """Save networks and optimizers every ``every_epochs`` epochs and at the end,
    unless ``nan_guard`` saw the training diverge."""

    def __init__(self, run_dir, every_epochs: int = 1, nan_guard=None):
        super().__init__()
        self.run_dir, self.every, self.nan_guard = Path(run_dir), every_epochs, nan_guard

    def _save(self):
        if self.nan_guard is None or not self.nan_guard.tripped:
            save_checkpoint(self.model, self.run_dir)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._save()

    def on_train_end(self, logs=None):
        self._save()
