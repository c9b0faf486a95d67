"""Keras callbacks for GAN training, one job per file.

* :mod:`~tfvidgan.callbacks.budget`: :class:`TrainingBudget` (steps or minutes);
* :mod:`~tfvidgan.callbacks.checkpointing`: :class:`Checkpoint` (networks and optimizers);
* :mod:`~tfvidgan.callbacks.alarms`: :class:`NaNGuard`, :class:`WeightGuard` and the
  training-health alarms, with :func:`default_health_callbacks`;
* :mod:`~tfvidgan.callbacks.media`: :class:`SampleMonitor` (GIF/PNG files) and
  :class:`TensorBoardMedia`.

They plug into ``model.fit(..., callbacks=[...])`` next to Keras's own.
"""

from tfvidgan.callbacks.alarms import (
    GradientNormAlarm,
    LossRatioAlarm,
    ModeCollapseMonitor,
    NaNGuard,
    TrainingHealthWarning,
    WeightGuard,
    alarm_summary,
    default_health_callbacks,
)
from tfvidgan.callbacks.budget import TrainingBudget
from tfvidgan.callbacks.checkpointing import Checkpoint
from tfvidgan.callbacks.media import SampleMonitor, TensorBoardMedia, fixed_samples

__all__ = [
    "Checkpoint",
    "GradientNormAlarm",
    "LossRatioAlarm",
    "ModeCollapseMonitor",
    "NaNGuard",
    "SampleMonitor",
    "TensorBoardMedia",
    "TrainingBudget",
    "TrainingHealthWarning",
    "WeightGuard",
    "alarm_summary",
    "default_health_callbacks",
    "fixed_samples",
]
