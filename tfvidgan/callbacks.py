"""Keras callbacks for GAN training: budgets, checkpoints, NaN guard, samples.

They plug into ``model.fit(..., callbacks=[...])`` next to Keras's own
(``CSVLogger``, ``TensorBoard``, ...).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import keras
import numpy as np


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
            done = generator_steps(self.model) / self.max_steps
        if self.max_minutes:
            done = max(done, (time.monotonic() - self.start) / (60 * self.max_minutes))
        return min(1.0, done)

    def on_train_batch_end(self, batch, logs=None):
        if self.max_steps is not None and generator_steps(self.model) >= self.max_steps:
            self.stopped_by, self.model.stop_training = "steps", True
        elif self.max_minutes is not None and time.monotonic() - self.start > 60 * self.max_minutes:
            self.stopped_by, self.model.stop_training = "time", True


class LearningRateDecay(keras.callbacks.Callback):
    """Both learning rates fall linearly to zero over the last ``fraction`` of a
    :class:`TrainingBudget` (steps or minutes, whichever runs out first).

    At a constant learning rate a GAN's weights keep circling the equilibrium,
    so the last step's samples are a lottery; shrinking the step size at the
    end is meant to settle them (the linear decay of Zhu et al. 2017, CycleGAN,
    https://arxiv.org/abs/1703.10593, section 4; in tfvidgan's 30-minute video
    GAN runs it did not help, see ``benchmarks/README.md``). The rates are set from
    ``d_lr`` / ``g_lr`` before every batch, so a resumed run decays from the
    right place. A model with one optimizer (the VAE) uses ``g_lr``.
    """

    def __init__(self, budget: TrainingBudget, fraction: float, d_lr: float, g_lr: float):
        super().__init__()
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"fraction must be in (0, 1], got {fraction}")
        self.budget, self.fraction, self.d_lr, self.g_lr = (
            budget,
            float(fraction),
            float(d_lr),
            float(g_lr),
        )

    def factor(self) -> float:
        """The multiplier of the base rates now: 1 until the decay starts, then down to 0."""
        return min(1.0, (1.0 - self.budget.progress()) / self.fraction)

    def on_train_batch_begin(self, batch, logs=None):
        factor = self.factor()
        if hasattr(self.model, "g_optimizer"):
            self.model.d_optimizer.learning_rate = self.d_lr * factor
            self.model.g_optimizer.learning_rate = self.g_lr * factor
        else:
            self.model.optimizer.learning_rate = self.g_lr * factor


class NaNGuard(keras.callbacks.Callback):
    """Stop as soon as a reported loss is NaN or infinite.

    ``tripped`` tells the caller (and :class:`Checkpoint`) that the weights are
    no longer worth saving; :func:`tfvidgan.train.train` then raises a clear
    error while the last good checkpoint stays on disk.
    """

    def __init__(self):
        super().__init__()
        self.tripped: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: v for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if bad:
            self.tripped = (
                f"{', '.join(sorted(bad))} became non-finite at step {generator_steps(self.model)}"
            )
            self.model.stop_training = True


class Checkpoint(keras.callbacks.Callback):
    """Save networks and optimizers every ``every_epochs`` epochs and at the end,
    unless ``nan_guard`` saw the training diverge."""

    def __init__(self, run_dir, every_epochs: int = 1, nan_guard: NaNGuard | None = None):
        super().__init__()
        self.run_dir, self.every, self.nan_guard = Path(run_dir), every_epochs, nan_guard

    def _save(self):
        from tfvidgan.checkpoint import save_checkpoint

        if self.nan_guard is None or not self.nan_guard.tripped:
            save_checkpoint(self.model, self.run_dir)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._save()

    def on_train_end(self, logs=None):
        self._save()


class SampleMonitor(keras.callbacks.Callback):
    """Write a grid of samples from fixed latents after every epoch.

    Videos go to ``<out_dir>/epoch_XXXX.gif``, images to ``.png``; the same
    latents each time, so the files show one set of samples improving.
    ``display=True`` also shows each file inline in Jupyter / Colab (``width``
    in CSS pixels), so a notebook watches training without extra code.
    """

    def __init__(self, out_dir, num=16, seed=1234, fps=8, display=False, width=None):
        super().__init__()
        self.out_dir, self.num, self.seed, self.fps = Path(out_dir), num, seed, fps
        self.display, self.width = display, width
        self.paths: list[Path] = []

    def on_train_begin(self, logs=None):
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.latents, self.labels = fixed_inputs(
            self.model, self.num, np.random.default_rng(self.seed)
        )

    def on_epoch_end(self, epoch, logs=None):
        from tfvidgan import video_io

        samples = keras.ops.convert_to_numpy(fixed_samples(self.model, self.latents, self.labels))
        if not np.isfinite(samples).all():  # diverged: nothing worth drawing
            return
        if samples.ndim == 5:
            path = video_io.write_gif(
                self.out_dir / f"epoch_{epoch + 1:04d}.gif",
                video_io.video_grid(samples),
                fps=self.fps,
            )
        else:
            path = video_io.save_png(
                self.out_dir / f"epoch_{epoch + 1:04d}.png", video_io.image_grid(samples)
            )
        self.paths.append(path)
        if self.display:
            from IPython.display import Image, display  # lazy: only needed in notebooks

            display(Image(filename=str(path), width=self.width))


def fixed_inputs(model, num, rng):
    """Latents ``(num, latent_dim)`` and labels (``None`` unless the model is
    class-conditional) for a sample grid, drawn with the NumPy generator ``rng``.
    Labels, and InfoGAN codes, cycle through the classes so every row of a
    grid shows each of them."""
    latents = rng.standard_normal((num, model.latent_dim)).astype("float32")
    codes = getattr(model, "info_codes", 0)
    if codes:
        latents = keras.ops.convert_to_numpy(model.with_codes(latents, np.arange(num) % codes))
    classes = getattr(model, "num_classes", None)
    labels = None if classes is None else (np.arange(num) % classes).astype("int32")
    return latents, labels


def fixed_samples(model, latents, labels=None):
    """Generator (or VAE decoder) output for given latents, in inference mode
    (from the averaged generator when the model keeps one)."""
    if hasattr(model, "decoder"):
        return model.decoder(latents, training=False)
    with model.averaged_generator():
        return model.generate(
            keras.ops.convert_to_tensor(latents),
            None if labels is None else keras.ops.convert_to_tensor(labels),
        )


def generator_steps(model) -> int:
    """Training steps done so far: the generator optimizer's iteration count."""
    optimizer = getattr(model, "g_optimizer", None) or model.optimizer
    return int(keras.ops.convert_to_numpy(optimizer.iterations))
