"""Stop training after a number of steps or minutes, whichever comes first."""

from __future__ import annotations

import time

import keras


class TrainingBudget(keras.callbacks.Callback):
    """Stop after ``max_steps`` generator steps or ``max_minutes`` of training.

    Steps are read from the optimizer's iteration counter, so the budget holds
    across resumed runs.
    """

    def __init__(self, max_steps: int | None = None, max_minutes: float | None = None):
        super().__init__()
        self.max_steps, self.max_minutes = max_steps, max_minutes
        self.stopped_by: str | None = None

    def on_train_begin(self, logs=None):
        self.start = time.monotonic()

    def progress(self) -> float:
        """How much of the budget is spent, from 0 to 1: the larger of the step
        and the time fractions (time counts from the start of this ``fit``)."""
        done = 0.0
        if self.max_steps:
            done = self.model.trained_steps / self.max_steps
        if self.max_minutes:
            done = max(done, (time.monotonic() - self.start) / (60 * self.max_minutes))
        return min(1.0, done)

    def on_train_batch_end(self, batch, logs=None):
        if self.max_steps is not None and self.model.trained_steps >= self.max_steps:
            self.stopped_by, self.model.stop_training = "steps", True
        elif self.max_minutes is not None and time.monotonic() - self.start > 60 * self.max_minutes:
            self.stopped_by, self.model.stop_training = "time", True
