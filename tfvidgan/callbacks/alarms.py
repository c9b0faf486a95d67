"""Training-health callbacks: notice a sick GAN early and say what to try.

A GAN has no single number that says "training is going well": both losses
move against each other and a falling loss can mean either progress or a
problem. What *can* be watched are the typical failure patterns. Each callback
below watches one of them, explains it in its docstring and, when it fires,
warns with :class:`TrainingHealthWarning` (a ``UserWarning``) and appends a
record ``{"step", "kind", "message"}`` to its ``alarms`` list.

=========================  ==================================================
callback                   failure it detects
=========================  ==================================================
:class:`WeightGuard`       NaN/Inf losses *or* weights: stops training
:class:`LossRatioAlarm`    one network wins the game for a long time
:class:`GradientNormAlarm` exploding or vanishing gradients
:class:`ModeCollapseMonitor` samples become alike (mode collapse)
=========================  ==================================================

:func:`default_health_callbacks` returns a sensible set for a model kind.

A note on Keras logs
--------------------
The ``logs`` a callback receives in ``on_train_batch_end`` are *running means
since the start of the epoch* (the GAN's ``train_step`` reports
``keras.metrics.Mean`` trackers, which Keras resets every epoch). Late in an
epoch a running mean hardly moves, so the alarms here first turn the running
means back into per-batch values: if ``m_b`` is the mean after batch ``b``
(0-based), the batch's own value is ``(b + 1) m_b - b m_{b-1}``. Pass
``running_means=False`` if your own ``train_step`` reports per-batch values.
"""

from __future__ import annotations

import math
import warnings
from collections import deque

import keras
import numpy as np
import tensorflow as tf

from tfvidgan.callbacks.media import TensorBoardMedia, fixed_samples
from tfvidgan.metrics.diversity import sample_diversity


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
                f"{', '.join(sorted(bad))} became non-finite at step {self.model.trained_steps}"
            )
            self.model.stop_training = True


class TrainingHealthWarning(UserWarning):
    """Category of every warning in this module; filter it with
    ``warnings.simplefilter("ignore", TrainingHealthWarning)``."""


# ---------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------


class _PerBatch:
    """Turns Keras's running-mean logs back into one value per batch.

    ``update(batch, logs)`` returns ``{name: value of this batch}`` for the
    finite numeric entries of ``logs``. A batch index that does not grow
    means a new epoch (Keras reset its metrics). With ``steps_per_execution``
    > 1 Keras reports every k-th batch; the value returned is then the mean of
    those k batches.
    """

    def __init__(self, running_means=True):
        self.running_means = running_means
        self.previous: dict[str, tuple[int, float]] = {}

    def update(self, batch, logs) -> dict[str, float]:
        values = {}
        for name, raw in (logs or {}).items():
            try:
                mean = float(raw)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(mean):
                self.previous.pop(name, None)  # a NaN poisons the rest of the epoch's means
                continue
            if not self.running_means:
                values[name] = mean
                continue
            last = self.previous.get(name)
            if last is None or batch <= last[0]:
                count_before, mean_before = 0, 0.0
            else:
                count_before, mean_before = last[0] + 1, last[1]
            count = batch + 1
            values[name] = (count * mean - count_before * mean_before) / (count - count_before)
            self.previous[name] = (batch, mean)
        return values


class _Alarm(keras.callbacks.Callback):
    """Base class: per-batch values, moving windows, and alarms that fire once.

    An alarm of a given ``kind`` fires when its condition becomes true and is
    re-armed only after the condition has stayed false for a whole ``window``
    of checks, so a long bad phase gives one warning, not one per batch, and a
    windowed mean wobbling around its threshold does not chatter.
    """

    def __init__(
        self, window: int, warmup: int = 0, running_means: bool = True, verbose: bool = True
    ):
        super().__init__()
        if int(window) < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window, self.warmup, self.verbose = int(window), int(warmup), verbose
        self._per_batch = _PerBatch(running_means)
        self._windows: dict[str, deque] = {}
        self._active: set[str] = set()
        self._quiet: dict[str, int] = {}  # kind -> checks in a row with the condition false
        self._seen = 0
        self.alarms: list[dict] = []

    def _step(self) -> int:
        try:
            return self.model.trained_steps
        except (AttributeError, TypeError, ValueError):  # no model attached / not compiled
            return self._seen

    def _push(self, batch, logs):
        """Add this batch's values to the windows; return False until the warm-up is over."""
        self._seen += 1
        for name, value in self._per_batch.update(batch, logs).items():
            self._windows.setdefault(name, deque(maxlen=self.window)).append(value)
        return self._seen > self.warmup

    def _mean(self, name) -> float | None:
        """Mean of the last ``window`` values of ``name``; None until the window is full."""
        values = self._windows.get(name)
        if values is None or len(values) < self.window:
            return None
        return float(np.mean(values))

    def _check(self, kind: str, condition: bool, message) -> None:
        if not condition:
            self._quiet[kind] = self._quiet.get(kind, 0) + 1
            if self._quiet[kind] >= self.window:
                self._active.discard(kind)
            return
        self._quiet[kind] = 0
        if kind in self._active:
            return
        self._active.add(kind)
        step = self._step()
        text = f"step {step}: {message() if callable(message) else message}"
        self.alarms.append({"step": step, "kind": kind, "message": text})
        if self.verbose:
            warnings.warn(text, TrainingHealthWarning, stacklevel=2)


# ---------------------------------------------------------------------------
# 1. Non-finite weights
# ---------------------------------------------------------------------------


class WeightGuard(NaNGuard):
    """Stop when a loss *or a weight* becomes NaN/Inf (a :class:`NaNGuard` checking weights too).

    Losses can stay finite while batch-norm moving statistics are NaN (they are
    used only at inference), so every ``every`` generator steps and at each
    epoch end the model's floating-point weights are tested. On failure it sets
    ``tripped`` (naming the bad variables) and stops training; pass it as
    ``nan_guard`` to :class:`~tfvidgan.callbacks.Checkpoint` so bad weights are
    never saved.

    Args:
        every: generator steps between weight checks.
        include_optimizer: also check the optimizers' state (Adam's moments).
    """

    def __init__(self, every: int = 50, include_optimizer: bool = False):
        super().__init__()
        if int(every) < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        self.every, self.include_optimizer = int(every), include_optimizer

    def _named_variables(self):
        """(label, variable) for each floating-point variable to check."""
        seen, named = set(), []
        for label, owner in self.model.checkpoint_items().items():
            if isinstance(owner, keras.optimizers.Optimizer) and not self.include_optimizer:
                continue
            for var in owner.variables:
                if id(var) in seen or not keras.backend.is_float_dtype(var.dtype):
                    continue
                seen.add(id(var))
                named.append((f"{label}:{getattr(var, 'path', var.name)}", var))
        return named

    def non_finite_variables(self) -> list[str]:
        """Labels (``network:path``) of the variables holding NaN/Inf; [] when all are finite."""
        named = self._named_variables()
        if not named:
            return []
        flags = [tf.reduce_all(tf.math.is_finite(tf.convert_to_tensor(var))) for _, var in named]
        if bool(tf.reduce_all(tf.stack(flags))):  # the cheap path: one bool for everything
            return []
        return [label for (label, _), ok in zip(named, flags) if not bool(ok)]

    def check_weights(self) -> bool:
        """Test the weights now; trip and return False if any is non-finite."""
        bad = self.non_finite_variables()
        if bad:
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            self.tripped = f"weights became non-finite by step {self.model.trained_steps} ({shown})"
            self.model.stop_training = True
        return not bad

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)  # the NaNGuard loss check
        if not self.tripped and self.model.trained_steps % self.every == 0:
            self.check_weights()

    def on_epoch_end(self, epoch, logs=None):
        if not self.tripped:
            self.check_weights()


# ---------------------------------------------------------------------------
# 2. One network wins the game
# ---------------------------------------------------------------------------

# Fixes named as the flags of `tfvidgan train`, so the advice can be acted on where it is seen.
_D_WINS_FIXES = (
    "Try: a lower discriminator learning rate than the generator's (TTUR: --d-lr/--g-lr), "
    "one-sided label smoothing (--label-smoothing 0.1), spectral normalisation (--spectral-norm), "
    "an R1 penalty (--r1-gamma 1 to 10) or fewer --d-steps."
)
_G_WINS_FIXES = (
    "Try: a stronger or faster discriminator (raise --d-lr, more --d-steps or --base-filters), "
    "less regularisation of D (lower --r1-gamma / --gradient-penalty, no --label-smoothing), and "
    "look at the samples: if they all look alike the generator found one output that fools D "
    "(mode collapse)."
)

# Loss-specific defaults for the score-gap signal (real_score - fake_score):
# (gap above which D wins, gap below which G wins). None disables one side.
GAP_THRESHOLDS = {
    "non_saturating": (6.0, -2.0),  # logits: +3 vs -3 means D is ~95% sure of both
    "minimax": (6.0, -2.0),
    "least_squares": (0.9, -0.5),  # targets are 1 (real) and 0 (fake): gap 1 = perfect D
    "hinge": (4.0, -1.0),  # D's loss is already 0 at a gap of 2 (real >= 1, fake <= -1)
    "wasserstein": (None, -0.5),  # the gap estimates W-1 and has no natural scale: set your own
}
# Losses whose values are positive and whose ratio g_loss / d_loss means the same
# thing: at the equilibrium D = 1/2 it is ln2 / (2 ln2) = 0.5 for non-saturating
# and 0.125 / 0.25 = 0.5 for least squares.
RATIO_LOSSES = ("non_saturating", "least_squares")


class LossRatioAlarm(_Alarm):
    """Warn when the discriminator (or the generator) wins too easily for too long.

    Two signals, averaged over the last ``window`` batches: the loss ratio
    ``g_loss / d_loss`` (non-saturating and least-squares losses only; 0.5 at
    the equilibrium D = 1/2) and the score gap ``real_score - fake_score``
    (every loss; thresholds per loss in :data:`GAP_THRESHOLDS`). Notebook 13
    shows both failures and their fixes.

    Args:
        window: batches averaged before a signal is judged.
        d_wins_ratio: ``g_loss / d_loss`` above which D wins (None = off).
        g_wins_ratio: ``d_loss / g_loss`` above which G wins (None = off).
        gap_high: score gap above which D wins; "auto" reads :data:`GAP_THRESHOLDS`.
        gap_low: score gap below which G wins; "auto" reads :data:`GAP_THRESHOLDS`.
        loss: the loss name; "auto" reads ``model.loss_name``.
        warmup: batches ignored at the start (D usually leads early).
        running_means: the logs are Keras running means (see the module docstring).
        verbose: print alarms as they fire.
    """

    def __init__(
        self,
        window: int = 200,
        d_wins_ratio: float | None = 10.0,
        g_wins_ratio: float | None = 6.0,
        gap_high: float | None | str = "auto",
        gap_low: float | None | str = "auto",
        loss: str = "auto",
        warmup: int = 0,
        running_means: bool = True,
        verbose: bool = True,
    ):
        super().__init__(window, warmup, running_means, verbose)
        self.d_wins_ratio, self.g_wins_ratio = d_wins_ratio, g_wins_ratio
        self.gap_high, self.gap_low, self.loss = gap_high, gap_low, loss

    def _loss_name(self) -> str:
        if self.loss != "auto":
            return self.loss
        return getattr(self.model, "loss_name", None) or "non_saturating"

    def thresholds(self) -> dict:
        """The thresholds in force for the model's loss (resolves ``"auto"``)."""
        loss = self._loss_name()
        high, low = GAP_THRESHOLDS.get(loss, (None, None))
        return {
            "loss": loss,
            "use_ratio": loss in RATIO_LOSSES,
            "gap_high": high if self.gap_high == "auto" else self.gap_high,
            "gap_low": low if self.gap_low == "auto" else self.gap_low,
        }

    def on_train_batch_end(self, batch, logs=None):
        if not self._push(batch, logs):
            return
        t = self.thresholds()
        d, g = self._mean("d_loss"), self._mean("g_loss")
        if t["use_ratio"] and d is not None and g is not None and d > 0 and g > 0:
            if self.d_wins_ratio is not None:
                self._check(
                    "discriminator_wins_loss",
                    g / d > self.d_wins_ratio,
                    lambda: (
                        f"the discriminator is winning too easily: over the last {self.window} "
                        "batches "
                        f"g_loss / d_loss = {g:.3g} / {d:.3g} = {g / d:.1f} (> "
                        f"{self.d_wins_ratio:g}; about 0.5 "
                        f"when balanced). {_D_WINS_FIXES}"
                    ),
                )
            if self.g_wins_ratio is not None:
                self._check(
                    "generator_wins_loss",
                    d / g > self.g_wins_ratio,
                    lambda: (
                        f"the generator dominates: over the last {self.window} batches d_loss / "
                        "g_loss = "
                        f"{d:.3g} / {g:.3g} = {d / g:.1f} (> {self.g_wins_ratio:g}; about 2 when "
                        "balanced). "
                        f"{_G_WINS_FIXES}"
                    ),
                )
        real, fake = self._mean("real_score"), self._mean("fake_score")
        if real is not None and fake is not None:
            gap = real - fake
            if t["gap_high"] is not None:
                self._check(
                    "discriminator_wins_gap",
                    gap > t["gap_high"],
                    lambda: (
                        "the discriminator separates real from fake too easily: over the last "
                        f"{self.window} "
                        f"batches real_score - fake_score = {real:.3g} - {fake:.3g} = {gap:.3g} "
                        f"(> {t['gap_high']:g} for the {t['loss']} loss). {_D_WINS_FIXES}"
                    ),
                )
            if t["gap_low"] is not None:
                self._check(
                    "generator_wins_gap",
                    gap < t["gap_low"],
                    lambda: (
                        "the discriminator scores fakes higher than real data: over the last "
                        f"{self.window} "
                        f"batches real_score - fake_score = {real:.3g} - {fake:.3g} = {gap:.3g} "
                        f"(< {t['gap_low']:g} for the {t['loss']} loss). {_G_WINS_FIXES}"
                    ),
                )


# ---------------------------------------------------------------------------
# 3. Exploding / vanishing gradients
# ---------------------------------------------------------------------------


class GradientNormAlarm(_Alarm):
    """Warn when generator or discriminator gradients explode or vanish.

    Compares the mean of the ``d_grad_norm`` / ``g_grad_norm`` logs over the
    last ``window`` batches with two thresholds (a small DCGAN sits around
    0.1 to 10); under ``mixed_float16`` it divides by the loss scale first.

    Args:
        window: batches averaged before the norms are judged.
        max_norm: mean norm above which gradients explode (None = off).
        min_norm: mean norm below which gradients vanish (None = off).
        warmup: batches ignored at the start.
        running_means: the logs are Keras running means (see the module docstring).
        verbose: print alarms as they fire.
    """

    def __init__(
        self,
        window: int = 50,
        max_norm: float | None = 100.0,
        min_norm: float | None = 1e-4,
        warmup: int = 0,
        running_means: bool = True,
        verbose: bool = True,
    ):
        super().__init__(window, warmup, running_means, verbose)
        self.max_norm, self.min_norm = max_norm, min_norm

    def _loss_scale(self, net) -> float:
        optimizer = getattr(self.model, f"{net}_optimizer", None)
        scale = getattr(optimizer, "dynamic_scale", None)
        return 1.0 if scale is None else float(keras.ops.convert_to_numpy(scale))

    def on_train_batch_end(self, batch, logs=None):
        if not self._push(batch, logs):
            return
        for net, name in (("d", "discriminator"), ("g", "generator")):
            norm = self._mean(f"{net}_grad_norm")
            if norm is None:
                continue
            norm /= self._loss_scale(net)
            if self.max_norm is not None:
                self._check(
                    f"{name}_gradients_exploding",
                    norm > self.max_norm,
                    lambda name=name, net=net, norm=norm: (
                        f"{name} gradients are exploding: mean norm {norm:.3g} over the last "
                        f"{self.window} batches (> {self.max_norm:g}). Lower the {name}'s "
                        f"learning rate (--{net}-lr), add --gradient-penalty 10 or "
                        "--spectral-norm, and check that the data are in [-1, 1]."
                    ),
                )
            if self.min_norm is not None:
                self._check(
                    f"{name}_gradients_vanishing",
                    norm < self.min_norm,
                    lambda name=name, net=net, norm=norm: (
                        f"{name} gradients are vanishing: mean norm {norm:.3g} over the last "
                        f"{self.window} batches (< {self.min_norm:g}); the {name} has stopped "
                        "learning. If the discriminator wins, use the non_saturating (not "
                        "minimax) loss and see LossRatioAlarm's fixes; otherwise check the "
                        f"learning rate (--{net}-lr) and for dead activations."
                    ),
                )


# ---------------------------------------------------------------------------
# 4. Mode collapse
# ---------------------------------------------------------------------------


def _as_batch(real_batch):
    """NumPy samples from an array, a tensor or a ``(samples, labels)`` pair."""
    if isinstance(real_batch, (tuple, list)):
        real_batch = real_batch[0]
    return keras.ops.convert_to_numpy(real_batch)


class ModeCollapseMonitor(keras.callbacks.Callback):
    """Warn when generated samples become much less diverse than real data.

    Every ``every_epochs`` epochs it draws ``num`` samples from fresh seeded
    latents and compares their :func:`~tfvidgan.metrics.diversity.sample_diversity`
    (mean pairwise L2 distance) with a reference: ``real_batch``'s, or the
    first check's. Each check is appended to ``history``.

    Args:
        real_batch: real samples (in [-1, 1] or uint8, or a ``(samples, labels)``
            pair) whose diversity is the reference; None = the first check's.
        num: samples drawn per check (at least 2).
        threshold: diversity ratio below which it warns.
        seed: seed of the latents' NumPy generator.
        every_epochs: epochs between checks.
        warmup_epochs: first checks that never warn (a fresh generator draws
            the same blur for every latent, which is not yet a collapse).
        add_to_logs: add ``sample_diversity`` and ``diversity_ratio`` to the epoch logs.
        verbose: print the warning as it fires.
    """

    def __init__(
        self,
        real_batch=None,
        num: int = 32,
        threshold: float = 0.3,
        seed: int = 4321,
        every_epochs: int = 1,
        warmup_epochs: int = 1,
        add_to_logs: bool = False,
        verbose: bool = True,
    ):
        super().__init__()
        if int(num) < 2:
            raise ValueError(f"num must be at least 2 (diversity compares pairs), got {num}")
        self.reference = None if real_batch is None else sample_diversity(_as_batch(real_batch))
        self.reference_source = "real data" if real_batch is not None else "the first check"
        self.num, self.threshold, self.seed = int(num), float(threshold), seed
        self.every, self.add_to_logs, self.verbose = int(every_epochs), add_to_logs, verbose
        self.warmup_epochs = int(warmup_epochs)
        self.history: list[dict] = []
        self.alarms: list[dict] = []
        self._rng = np.random.default_rng(seed)
        self._collapsed = False

    def measure(self) -> float:
        """Diversity of ``num`` fresh samples of the current model."""
        samples = keras.ops.convert_to_numpy(
            fixed_samples(self.model, *self.model.grid_inputs(self.num, self._rng))
        )
        if not np.isfinite(samples).all():  # diverged: the WeightGuard reports it
            return float("nan")
        return sample_diversity(samples)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        diversity = self.measure()
        if math.isnan(diversity):
            return
        if self.reference is None:
            self.reference = diversity
        ratio = diversity / self.reference if self.reference > 0 else float("nan")
        step = self.model.trained_steps
        self.history.append(
            {
                "epoch": epoch,
                "step": step,
                "diversity": diversity,
                "reference": self.reference,
                "ratio": ratio,
            }
        )
        if self.add_to_logs and logs is not None:
            logs["sample_diversity"], logs["diversity_ratio"] = diversity, ratio
        collapsed = ratio < self.threshold and epoch >= self.warmup_epochs  # False for nan
        if collapsed and not self._collapsed:
            text = (
                f"step {step}: possible mode collapse: sample diversity {diversity:.3g} is "
                f"{ratio:.0%} of "
                f"{self.reference_source} ({self.reference:.3g}; threshold {self.threshold:.0%}). "
                "Look at the "
                "samples; if they all look alike, restart from an earlier checkpoint with a lower "
                "learning "
                "rate, an R1 penalty (--r1-gamma), wasserstein + --gradient-penalty 10 or hinge + "
                "--spectral-norm."
            )
            self.alarms.append({"step": step, "kind": "mode_collapse", "message": text})
            if self.verbose:
                warnings.warn(text, TrainingHealthWarning, stacklevel=2)
        self._collapsed = collapsed


def default_health_callbacks(
    kind: str,
    log_dir=None,
    real_batch=None,
    include_guard: bool = False,
    log_scalars: bool = False,
    verbose: bool = True,
) -> list:
    """The health callbacks that suit a kind of data, ready for ``model.fit``.

    Args:
        kind: ``"image"``, ``"video"`` or ``"vector"`` (a family's
            ``tfvidgan.models.FAMILIES[name].kind``).
        log_dir: if given, a :class:`TensorBoardMedia` writes samples under it.
        real_batch: real samples for :class:`ModeCollapseMonitor`'s reference.
        include_guard: also return a :class:`WeightGuard` (first in the list);
            leave False when the caller makes its own guard.
        log_scalars: passed to :class:`TensorBoardMedia`.
        verbose: print alarms as they fire (they are warned and recorded anyway).

    A VAE reports no adversarial logs, so the GAN alarms stay silent for it.
    """
    if kind not in ("image", "video", "vector"):
        raise ValueError(f"kind must be image, video or vector; got {kind!r}")
    callbacks: list = [WeightGuard()] if include_guard else []
    callbacks += [LossRatioAlarm(verbose=verbose), GradientNormAlarm(verbose=verbose)]
    num = 64 if kind == "vector" else 32
    callbacks.append(ModeCollapseMonitor(real_batch, num=num, verbose=verbose))
    if log_dir is not None:
        callbacks.append(TensorBoardMedia(log_dir, log_scalars=log_scalars))
    return callbacks


def alarm_summary(callbacks) -> str:
    """All alarms raised by ``callbacks`` as text, one per line ("" when none)."""
    lines = []
    for cb in callbacks:
        for alarm in getattr(cb, "alarms", []):
            lines.append(f"[{type(cb).__name__}/{alarm['kind']}] {alarm['message']}")
        if getattr(cb, "tripped", None):
            lines.append(f"[{type(cb).__name__}] {cb.tripped}")
    return "\n".join(lines)
