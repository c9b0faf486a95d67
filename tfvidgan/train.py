"""Train any family from a :class:`~tfvidgan.config.TrainConfig`, with resume.

This is what ``tfvidgan train`` and ``tfvidgan demo`` run. A notebook can do the
same in four lines (:func:`tfvidgan.models.build`, :func:`make_dataset`,
``fit``); this module adds the run folder around it (:mod:`tfvidgan.runs`).
"""

from __future__ import annotations

import sys
import time

import keras

from tfvidgan import callbacks as cb
from tfvidgan import data, models, runtime
from tfvidgan.checkpoint import latest_checkpoint, restore_checkpoint
from tfvidgan.config import TrainConfig
from tfvidgan.runs import check_writable, load_config, write_run_outputs


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN/Inf; the last good checkpoint was kept."""


def resolve_data(cfg: TrainConfig) -> TrainConfig:
    """Check that ``cfg.data`` suits ``cfg.model`` and copy its channels and classes."""
    family = models.get_family(cfg.model)
    spec = data.get_spec(cfg.data)
    if spec.kind != family.kind:
        valid = [n for n in data.dataset_names() if data.get_spec(n).kind == family.kind]
        raise ValueError(
            f"model {cfg.model!r} needs {family.kind} data, but {cfg.data!r} is {spec.kind} "
            f"data; use one of {valid}"
        )
    if family.conditional and spec.num_classes < 2:
        raise ValueError(f"model {cfg.model!r} needs labelled data; {cfg.data!r} has no labels")
    cfg.channels = spec.channels
    if spec.num_classes:
        cfg.num_classes = spec.num_classes
    return cfg


def make_dataset(cfg: TrainConfig):
    """The ``tf.data`` pipeline of ``cfg.data``; yields ``(x, labels)`` for conditional families."""
    return data.make_dataset(
        cfg.data,
        batch_size=cfg.batch_size,
        num=cfg.num_examples,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=cfg.seed,
        with_labels=models.get_family(cfg.model).conditional,
    )


def train(cfg: TrainConfig, out_dir, extra_callbacks=(), verbose=None, write_outputs=True):
    """Train ``cfg`` into ``out_dir``, resuming when it already holds this run.

    ``verbose`` is Keras's: 1 = progress bar (default in a terminal or notebook),
    2 = one line per epoch (default when output goes to a file).
    Returns the trained model. Raises :class:`TrainingDiverged` if a loss
    becomes NaN/Inf (the last good checkpoint stays in ``out_dir``).
    """
    out = check_writable(out_dir)
    if latest_checkpoint(out) is not None:
        saved = load_config(out)
        if saved.model != cfg.model:
            raise ValueError(
                f"{out} holds a {saved.model!r} run, not {cfg.model!r}: "
                f"use another --out or --model {saved.model}"
            )
        cfg = TrainConfig.from_dict(
            {**saved.__dict__, "steps": cfg.steps, "max_minutes": cfg.max_minutes}
        )
    cfg = resolve_data(cfg)

    runtime.set_seed(cfg.seed)
    runtime.set_precision(cfg.precision)
    model = models.build(cfg)
    step = restore_checkpoint(model, out) if latest_checkpoint(out) else 0
    (out / "config.json").write_text(cfg.to_json())
    if step >= cfg.steps:
        print(f"{out} already has {step} of {cfg.steps} steps; nothing to train (raise --steps)")
    else:
        guard = cb.WeightGuard()  # NaN/Inf in losses or weights: stop, keep the last checkpoint
        budget = cb.TrainingBudget(cfg.steps, cfg.max_minutes)
        kind = models.get_family(cfg.model).kind
        alarms = cb.default_health_callbacks(kind, log_dir=out / "logs", log_scalars=True)
        callbacks = [
            budget,
            guard,
            cb.Checkpoint(out, nan_guard=guard),  # the guard must run before Checkpoint
            keras.callbacks.CSVLogger(str(out / "history.csv"), append=step > 0),
            *alarms,
            *extra_callbacks,
        ]
        first_epoch = step // cfg.steps_per_epoch
        epochs = first_epoch + -(-(cfg.steps - step) // cfg.steps_per_epoch)
        start = time.monotonic()
        if verbose is None:
            verbose = 1 if sys.stdout.isatty() or "ipykernel" in sys.modules else 2
        model.fit(
            make_dataset(cfg),
            epochs=epochs,
            initial_epoch=first_epoch,
            shuffle=False,
            steps_per_epoch=cfg.steps_per_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
        if guard.tripped:
            raise TrainingDiverged(
                f"training diverged: {guard.tripped}. The last good checkpoint in {out} is kept. "
                "Try a lower learning rate (--d-lr/--g-lr), --gradient-penalty 10 or "
                "--spectral-norm, then rerun."
            )
        report = cb.alarm_summary(alarms)
        if report:
            print("training-health warnings:\n" + report)
        minutes = (time.monotonic() - start) / 60
        print(
            f"trained {model.trained_steps - step} steps in {minutes:.1f} min"
            + (" (stopped by the time budget)" if budget.stopped_by == "time" else "")
        )
    if write_outputs:
        write_run_outputs(model, cfg, out)
    return model


def load_run(run_dir):
    """Rebuild the model of a run folder and load its latest checkpoint.

    Returns ``(model, cfg)``.
    """
    cfg = resolve_data(load_config(run_dir))
    runtime.set_precision(cfg.precision)
    model = models.build(cfg)
    restore_checkpoint(model, run_dir)
    return model, cfg
